/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <sys/uio.h>

/* Writing to the journal without libsystemd (raind-shim links none): journald's native protocol on
 * /run/systemd/journal/socket, values with newlines and entries larger than a datagram included. */

/* Each iov is one "FIELD=value" (value may hold any bytes). -ENOENT etc. when there is no journal. */
int journal_sendv(const struct iovec *fields, size_t n_fields);
/* The same for NUL-terminated "FIELD=value" strings. */
int journal_send_string_fields(const char *const *fields, size_t n);
/* Waits (at most about 200 ms) until journald has read what was sent since the last call: journald
 * learns the sender's unit from /proc when it reads an entry, so a process about to exit waits for
 * it. Returns at once when nothing was sent. */
void journal_drain(void);
