/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>
#include <systemd/sd-bus.h>

/* What one object of an inspect verb is, as JSON; an error is set in error. */
typedef int (*InspectOne)(sd_bus *bus, const char *name, sd_bus_error *error, json_object **ret);

/* An inspect verb: [-f TEMPLATE] NAME..., help() for --help, missing when no NAME is given. Prints
 * the objects one() makes as a JSON array, or the template for each; a name that fails is reported and
 * the rest still print. Returns the exit status. */
int inspect_verb(int argc, char *argv[], void (*help)(void), const char *missing, InspectOne one);
