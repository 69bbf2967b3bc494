/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A copy of the container's output for a client's terminal, pipe or socket. It never blocks the
 * shim: writes are non-blocking, what the client does not take at once waits in a bounded queue
 * (written when poll() says the fd is writable), and a client that errors out or falls more than
 * CLIENT_PENDING_MAX behind is dropped. The journal gets everything regardless. */

#define CLIENT_PENDING_MAX (1024U * 1024U)

typedef struct ClientSink ClientSink;

int client_sink_open(int fd, const char *what, ClientSink **ret);
ClientSink *client_sink_free(ClientSink *s);

void client_sink_write(ClientSink *s, const void *p, size_t n);
/* Writes queued data; call when the fd is writable. */
void client_sink_flush(ClientSink *s);
/* The fd to poll for POLLOUT, or -1 if nothing is queued (or the client was dropped). */
int client_sink_poll_fd(const ClientSink *s);
