/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>

#include "image-internal.h"

#define QUOTE_NAME_MAX 200

int image_error(char **error, int r, const char *fmt, ...)
{
        va_list ap;
        char *m;

        if (!error)
                return r;
        /* %m in fmt means r, whatever happened to errno since. */
        errno = -r;
        va_start(ap, fmt);
        if (vasprintf(&m, fmt, ap) < 0)
                m = NULL;
        va_end(ap);
        /* Out of memory while reporting: keep the older message, the error code still tells. */
        if (m) {
                free(*error);
                *error = m;
        }
        return r;
}

/* Length of the valid UTF-8 sequence at s (as D-Bus validates: no overlongs, surrogates or values
 * beyond U+10FFFF), 0 if there is none. */
static size_t utf8_sequence_length(const unsigned char *s)
{
        uint32_t c;
        size_t n;

        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xe0) == 0xc0) {
                n = 2;
                c = s[0] & 0x1f;
        } else if ((s[0] & 0xf0) == 0xe0) {
                n = 3;
                c = s[0] & 0x0f;
        } else if ((s[0] & 0xf8) == 0xf0) {
                n = 4;
                c = s[0] & 0x07;
        } else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3f);
        }
        if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
            (c >= 0xd800 && c <= 0xdfff))
                return 0;
        return n;
}

char *image_error_quote(const char *name)
{
        const unsigned char *p = (const unsigned char *)name;
        size_t shown = 0;
        char *buf, *o;

        /* Every byte may become "\xNN"; plus "..." and NUL. */
        buf = malloc(QUOTE_NAME_MAX * 4 + 4);
        if (!buf)
                return NULL;
        o = buf;
        while (*p) {
                if (shown >= QUOTE_NAME_MAX) {
                        o = stpcpy(o, "...");
                        break;
                }
                size_t n = utf8_sequence_length(p);
                if (n == 1 && *p >= 0x20 && *p != 0x7f && *p != '\\' && *p != '\'')
                        *o++ = (char)*p;
                else if (n > 1) {
                        memcpy(o, p, n);
                        o += n;
                } else {
                        o += sprintf(o, "\\x%02x", *p);
                        n = 1;
                }
                p += n;
                shown++;
        }
        *o = 0;
        return buf;
}
