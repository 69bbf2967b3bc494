/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>
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

/* One output of a process (a pipe, or the master of its pty): every line goes to the journal, the
 * raw bytes to the client fd, and back to the caller for the attached streams. */
typedef struct OutputStream {
        int fd; /* read end, O_NONBLOCK; -EBADF after EOF */
        int priority;
        const JournalFields *fields; /* NULL: not logged (an exec's output) */
        ClientSink *client;
        bool tty;        /* lines end in \r\n */
        uint64_t n_read; /* bytes so far */
        LineBuffer lines;
} OutputStream;

/* Reads what is there. Returns the number of bytes read (> 0, in *ret_data until the next call), 0
 * at EOF (EIO from a pty master counts as EOF), -EAGAIN if nothing was there, another negative errno
 * on error (logged). After EOF or an error, call output_stream_finish(). */
int output_stream_read(OutputStream *s, const char **ret_data);
/* Logs an unfinished last line and closes the fd (at EOF, or when draining took too long); whoever
 * polls the fd must have stopped before. */
void output_stream_finish(OutputStream *s);
