/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "raind/macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(json_tokener *, json_tokener_free);
#define _cleanup_json_ _cleanup_(json_object_putp)

/* NULL when the key is missing or of another type. */
const char *json_get_string(struct json_object *o, const char *key);
/* Copies a string array (missing key: empty vector NULL, 0); -EINVAL when it holds a non-string. */
int json_get_strv(struct json_object *o, const char *key, char ***ret);
int64_t json_get_int64(struct json_object *o, const char *key, int64_t fallback);
bool json_get_bool(struct json_object *o, const char *key, bool fallback);

struct json_object *json_new_strv(char *const *l);
/* Adds key only when value is not NULL. */
void json_add_string(struct json_object *o, const char *key, const char *value);

/* Parses a JSON file of at most max bytes. */
int json_read_file(const char *path, size_t max, struct json_object **ret);
/* Serializes and writes atomically. */
int json_write_file_atomic(const char *path, struct json_object *o, int flags);
