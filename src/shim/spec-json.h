/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "raind/json-util.h"

/* Strict, typed access to config.json members. Each returns 0 when the key is absent (or null),
 * 1 when it was found and is of the right type, and -EINVAL (after logging "config.json: <where>.<key>
 * …") when it has another type. Output parameters are written only when the key was found. */
int spec_get_object(struct json_object *o, const char *where, const char *key, struct json_object **ret);
int spec_get_array(struct json_object *o, const char *where, const char *key, struct json_object **ret);
int spec_get_string(struct json_object *o, const char *where, const char *key, const char **ret);
int spec_get_bool(struct json_object *o, const char *where, const char *key, bool *ret);
int spec_get_uint64(struct json_object *o, const char *where, const char *key, uint64_t *ret);
int spec_get_uint32(struct json_object *o, const char *where, const char *key, uint32_t *ret);
/* An array of at most max strings, copied into a NULL-terminated vector. */
int spec_get_strv(struct json_object *o, const char *where, const char *key, size_t max, char ***ret);
