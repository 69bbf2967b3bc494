/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/uio.h>

#include "client-sink.h"
#include "line-buffer.h"

/* The journal fields every line of one container carries (CONTAINER_ID, CONTAINER_ID_FULL,
 * CONTAINER_NAME, IMAGE_NAME, SYSLOG_IDENTIFIER), formatted once. */
typedef struct JournalFields {
        struct iovec iov[5];
        size_t n;
} JournalFields;

int journal_fields_init(JournalFields *f, const char *id, const char *name, const char *image);
void journal_fields_done(JournalFields *f);

/* One of the container's output pipes: every line goes to the journal, the raw bytes to the client. */
typedef struct OutputStream {
        int fd; /* read end, O_NONBLOCK; -EBADF after EOF */
        int priority;
        const JournalFields *fields;
        ClientSink *client;
        LineBuffer lines;
} OutputStream;

/* Reads what is there. Returns > 0 if it read data, 0 at EOF (the fd is closed then and the last
 * line logged), -EAGAIN if nothing was there, another negative errno on error (the fd is closed). */
int output_stream_read(OutputStream *s);
/* Logs an unfinished last line and closes the pipe (at EOF, or when draining took too long). */
void output_stream_finish(OutputStream *s);
