/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include "event.h"

/* A process's stdin as the shim writes to it (the write end of a pipe, or a pty master): never
 * blocking, what the process does not take at once is queued and written when the fd is writable.
 * The queue is not bounded here: its owner stops reading its clients while stdin_sink_is_full(). Once
 * the process closed its end (or after stdin_sink_close() and the queue is written) the sink is
 * closed and ignores further input. */

#define STDIN_PENDING_HIGH (64U * 1024U)

typedef struct StdinSink StdinSink;

/* Takes ownership of fd, which must be O_NONBLOCK. */
int stdin_sink_new(EventLoop *event, int fd, StdinSink **ret);
StdinSink *stdin_sink_free(StdinSink *s);

void stdin_sink_write(StdinSink *s, const void *data, size_t size);
/* End of input: closes the fd once the queue is written. */
void stdin_sink_close(StdinSink *s);
bool stdin_sink_is_full(const StdinSink *s);
bool stdin_sink_is_closed(const StdinSink *s);
