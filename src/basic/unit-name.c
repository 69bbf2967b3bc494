/* SPDX-License-Identifier: Apache-2.0 */
#include "raind/macro.h"
#include "raind/unit-name.h"

static bool char_ok(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
               c == '_' || c == '.' || c == '-';
}

char *unit_name_escape(const char *s)
{
        static const char hex[] = "0123456789abcdef";
        char *r = malloc(strlen(s) * 4 + 1), *t = r;
        if (!r)
                return NULL;
        for (const char *f = s; *f; f++) {
                if (char_ok(*f) && !(f == s && *f == '.'))
                        *t++ = *f;
                else {
                        *t++ = '\\';
                        *t++ = 'x';
                        *t++ = hex[(unsigned char)*f >> 4];
                        *t++ = hex[(unsigned char)*f & 15];
                }
        }
        *t = 0;
        return r;
}

char *container_scope_name(const char *container_name)
{
        _cleanup_free_ char *e = unit_name_escape(container_name);
        if (!e)
                return NULL;
        size_t l = strlen("raind-") + strlen(e) + strlen(".scope");
        if (l > UNIT_NAME_MAX)
                return NULL;
        char *r = malloc(l + 1);
        if (!r)
                return NULL;
        snprintf(r, l + 1, "raind-%s.scope", e);
        return r;
}
