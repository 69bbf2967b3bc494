/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include "event.h"

/* A copy of the container's output for a client's terminal, pipe or socket (--stdout-fd,
 * --stderr-fd). It never blocks the shim: writes are non-blocking, what the client does not take at
 * once waits in a bounded queue (written when the fd is writable), and a client that errors out or
 * falls more than CLIENT_PENDING_MAX behind is dropped. The journal gets everything regardless. */

#define CLIENT_PENDING_MAX (1024U * 1024U)

typedef struct ClientSink ClientSink;

int client_sink_open(EventLoop *event, int fd, const char *what, ClientSink **ret);
ClientSink *client_sink_free(ClientSink *s);

void client_sink_write(ClientSink *s, const void *p, size_t n);
/* Nothing queued (or the client was dropped). */
bool client_sink_is_flushed(const ClientSink *s);
