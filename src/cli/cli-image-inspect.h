/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>
#include <systemd/sd-bus.h>

/* Manager.InspectImage() as parsed JSON; an invalid answer is an error set in error. */
int image_inspect_json(sd_bus *bus, const char *image, sd_bus_error *error, json_object **ret);
