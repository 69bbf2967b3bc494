/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>

/* The part of Go's text/template that "--format" needs most: literal text with actions
 *   {{.}}              the whole value
 *   {{.Field.Sub}}     a member of an object, of an object …
 *   {{json .Field}}    the value as compact JSON, strings quoted
 * Spaces inside the braces do not matter. A string is printed as it is, null and a missing member
 * as "<no value>", anything else as compact JSON. Pure. -EINVAL with *ret_error for a template we do
 * not understand. */
int template_render(const char *template, json_object *value, char **ret, char **ret_error);
