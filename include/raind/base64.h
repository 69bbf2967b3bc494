/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

/* Standard base64 (RFC 4648 §4) with padding. The result is NUL-terminated. */
int base64_encode(const void *data, size_t size, char **ret);

/* Decodes standard base64; padding may be left out, whitespace is refused. The result is NUL-terminated
 * (not counted in *ret_size), so decoded text can be used as a string. -EINVAL on anything malformed. */
int base64_decode(const char *s, size_t length, void **ret, size_t *ret_size);
