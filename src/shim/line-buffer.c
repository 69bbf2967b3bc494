/* SPDX-License-Identifier: Apache-2.0 */
#include "line-buffer.h"
#include "raind/macro.h"

void line_buffer_feed(LineBuffer *b, const char *p, size_t n, line_func_t emit, void *userdata)
{
        while (n > 0) {
                if (b->n == LINE_PART_MAX) {
                        /* A full part: only the next byte tells whether the line ended right here. */
                        bool end = p[0] == '\n';
                        emit(b->data, b->n, !end, userdata);
                        b->n = 0;
                        if (end) {
                                p++;
                                n--;
                        }
                        continue;
                }

                size_t room = LINE_PART_MAX - b->n;
                const char *nl = memchr(p, '\n', MIN(n, room));
                if (nl) {
                        size_t len = (size_t)(nl - p);
                        if (b->n == 0)
                                emit(p, len, false, userdata);
                        else {
                                memcpy(b->data + b->n, p, len);
                                emit(b->data, b->n + len, false, userdata);
                                b->n = 0;
                        }
                        p += len + 1;
                        n -= len + 1;
                        continue;
                }

                size_t k = MIN(n, room);
                memcpy(b->data + b->n, p, k);
                b->n += k;
                p += k;
                n -= k;
        }
}

void line_buffer_finish(LineBuffer *b, line_func_t emit, void *userdata)
{
        if (b->n == 0)
                return;
        emit(b->data, b->n, true, userdata);
        b->n = 0;
}
