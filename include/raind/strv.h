/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#include "raind/macro.h"

/* NULL-terminated string vectors, as in systemd. */
char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char *const *l);
char **strv_copy(char *const *l);
int strv_push(char ***l, char *value); /* takes ownership of value */
int strv_extend(char ***l, const char *value);
static inline bool strv_isempty(char *const *l)
{
        return !l || !*l;
}
bool strv_contains(char *const *l, const char *s);
char *strv_join(char *const *l, const char *sep);

#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)
