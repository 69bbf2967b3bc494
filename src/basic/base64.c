/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>

#include "raind/base64.h"
#include "raind/macro.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(const void *data, size_t size, char **ret)
{
        const uint8_t *p = data;
        char *s, *o;

        if (size > (SIZE_MAX - 1) / 4 * 3 - 3)
                return -ENOMEM;
        s = malloc((size + 2) / 3 * 4 + 1);
        if (!s)
                return -ENOMEM;
        o = s;
        for (size_t i = 0; i < size; i += 3) {
                uint32_t v = (uint32_t)p[i] << 16;
                size_t left = size - i;

                if (left > 1)
                        v |= (uint32_t)p[i + 1] << 8;
                if (left > 2)
                        v |= p[i + 2];
                *o++ = alphabet[(v >> 18) & 63];
                *o++ = alphabet[(v >> 12) & 63];
                *o++ = left > 1 ? alphabet[(v >> 6) & 63] : '=';
                *o++ = left > 2 ? alphabet[v & 63] : '=';
        }
        *o = '\0';
        *ret = s;
        return 0;
}

static int base64_value(char c)
{
        const char *p = c ? strchr(alphabet, c) : NULL;
        return p ? (int)(p - alphabet) : -1;
}

int base64_decode(const char *s, size_t length, void **ret, size_t *ret_size)
{
        _cleanup_free_ uint8_t *buf = NULL;
        size_t n = 0, padding = 0;
        uint32_t v = 0;
        unsigned bits = 0;

        /* Padding only at the end, at most two, and only where it completes a quantum. */
        while (padding < length && s[length - padding - 1] == '=')
                padding++;
        if (padding > 2 || (padding > 0 && length % 4 != 0))
                return -EINVAL;
        length -= padding;
        if (length % 4 == 1)
                return -EINVAL;

        buf = malloc(length / 4 * 3 + 3);
        if (!buf)
                return -ENOMEM;
        for (size_t i = 0; i < length; i++) {
                int k = base64_value(s[i]);
                if (k < 0)
                        return -EINVAL;
                v = (v << 6) | (uint32_t)k;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        buf[n++] = (uint8_t)(v >> bits);
                }
        }
        /* Leftover bits of the last character must be zero (a canonical encoding). */
        if (v & ((1U << bits) - 1))
                return -EINVAL;
        buf[n] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = n;
        return 0;
}
