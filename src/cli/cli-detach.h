/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The detach sequence in an attached client's input, as docker detects it: Ctrl-P Ctrl-Q by
 * default. Input is filtered chunk by chunk as read() returns it; a sequence may be split across
 * reads, so a partial match at the end of a chunk is held back until the next chunk decides.
 * Pure: no I/O, so it can be tested. */

#define DETACH_KEYS_DEFAULT "\x10\x11" /* Ctrl-P Ctrl-Q */
#define DETACH_KEYS_MAX     16

typedef struct DetachKeys {
        const char *sequence; /* non-empty, at most DETACH_KEYS_MAX bytes */
        size_t matched;       /* bytes of sequence seen at the end of the input so far, held back */
} DetachKeys;

#define DETACH_KEYS_INIT                        \
        {                                       \
                .sequence = DETACH_KEYS_DEFAULT \
        }

/* Filters size bytes of in into out, which must have room for size + DETACH_KEYS_MAX bytes.
 * Returns 1 when the sequence was completed: out then holds the input before it, and the rest of
 * in is to be dropped. Returns 0 otherwise: out holds what may be sent now; held-back bytes are
 * sent by a later call when the sequence breaks off (both the held bytes and the one that broke
 * it pass through). */
int detach_keys_filter(DetachKeys *d, const uint8_t *in, size_t size, uint8_t *out, size_t *ret_out_size);

/* At the end of input: returns the number of held-back bytes written to out (room for
 * DETACH_KEYS_MAX), which are no sequence after all. */
size_t detach_keys_flush(DetachKeys *d, uint8_t *out);
