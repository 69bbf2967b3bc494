/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>
#include <systemd/sd-bus.h>

/* What one object of an inspect verb is, as JSON; an error is set in error. */
typedef int (*InspectOne)(sd_bus *bus, const char *name, sd_bus_error *error, json_object **ret);

/* Prints the objects one() makes for names: a JSON array, or with format that template rendered
 * for each. A name that fails is reported and the rest still print. Returns the exit status. */
int inspect_print(sd_bus *bus, char **names, const char *format, InspectOne one);
/* 0 when format (may be NULL) is a template we render, else the usage error's exit status. */
int inspect_check_format(const char *format);
