/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "cli-detach.h"

int detach_keys_filter(DetachKeys *d, const uint8_t *in, size_t size, uint8_t *out, size_t *ret_out_size)
{
        size_t length = strlen(d->sequence), n = 0;

        for (size_t i = 0; i < size; i++) {
                if (in[i] == (uint8_t)d->sequence[d->matched]) {
                        if (++d->matched == length) {
                                d->matched = 0;
                                *ret_out_size = n;
                                return 1;
                        }
                        continue;
                }
                /* The sequence broke off: what was held back was typed for the container. */
                memcpy(out + n, d->sequence, d->matched);
                n += d->matched;
                d->matched = 0;
                /* The byte that broke it may start a new sequence ("^P ^P ^Q" detaches). */
                if (in[i] == (uint8_t)d->sequence[0]) {
                        if (length == 1) {
                                *ret_out_size = n;
                                return 1;
                        }
                        d->matched = 1;
                        continue;
                }
                out[n++] = in[i];
        }

        *ret_out_size = n;
        return 0;
}

size_t detach_keys_flush(DetachKeys *d, uint8_t *out)
{
        size_t n = d->matched;

        memcpy(out, d->sequence, n);
        d->matched = 0;
        return n;
}
