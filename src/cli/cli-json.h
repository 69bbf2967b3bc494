/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "raind/json-util.h"

/* An RFC 3339 string for a time in µs since the epoch; NULL (JSON null) for 0, "not reached". */
int json_new_timestamp(uint64_t usec, json_object **ret);

/* Adds a value just made by a json_object_new_…() call to o; NULL there means it ran out of
 * memory. Takes the value in any case. */
int json_add_new(json_object *o, const char *key, json_object *value);

/* Adds a json_new_timestamp() under key. */
int json_add_timestamp(json_object *o, const char *key, uint64_t usec);

/* Pretty-prints o followed by a newline. */
int json_print(json_object *o, FILE *f);

/* Reads the next complete value of m, of any D-Bus type, as JSON: integers and booleans as such,
 * strings and object paths as strings, arrays as arrays, dictionaries as objects, structs as
 * arrays, variants as their content. */
int bus_message_read_json(sd_bus_message *m, json_object **ret);

/* Reads the a{sv} of org.freedesktop.DBus.Properties.GetAll into an object, in the order given.
 * A time property (type t, name ending in "At") becomes an RFC 3339 string or null, its raw value
 * kept as <name>USec. */
int bus_properties_read_json(sd_bus_message *m, json_object **ret);
