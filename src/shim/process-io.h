/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include "event.h"

#include "output.h"
#include "stdin-sink.h"
#include "stream.h"

/* The stdio of one process the shim watches over (the container's init, or an exec), and the
 * clients' streams attached to it: output is read and copied to every stream (and, for the container,
 * to the journal and the client fds); what streams with stdin send goes to the process's stdin (a pipe
 * or the pty); resizes go to the pty.
 *
 * The container's output never waits for a client (a client that falls behind is dropped). An exec's
 * output is flow-controlled instead: it is not read while its stream is congested, so nothing is lost
 * and the process blocks on a full pipe, as it would writing to a slow terminal. */

#define PROCESS_IO_STREAMS_MAX 64

typedef struct ProcessIo ProcessIo;

typedef struct ProcessOutput {
        ProcessIo *io;
        OutputStream stream;
        uint8_t packet_type; /* STREAM_STDOUT or STREAM_STDERR */
        EventSource *source;
} ProcessOutput;

struct ProcessIo {
        EventLoop *event;
        ProcessOutput output[2]; /* stdout, stderr; with a terminal only [0], on the pty master */
        StdinSink *stdin;        /* NULL: stdin is not open to clients */
        int pty_master;          /* -EBADF without a terminal (or until it arrived) */
        unsigned rows, cols;     /* asked for before the pty arrived */
        bool stdin_pending;      /* a pty with stdin is still to come: do not read the clients yet */
        bool tty;
        bool flow_control;
        Stream **streams;
        size_t n_streams;
};

void process_io_init(ProcessIo *io, EventLoop *event, bool tty, bool flow_control);
void process_io_done(ProcessIo *io);

/* Each takes ownership of fd, which must be O_NONBLOCK. fields: the journal (NULL: none); client: a
 * ClientSink it takes ownership of, or NULL. */
int process_io_set_output(ProcessIo *io, unsigned i, int fd, int priority, const JournalFields *fields,
                          ClientSink *client);
int process_io_set_stdin(ProcessIo *io, int fd);
/* The pty master: output, stdin (if stdin_open) and the target of resizes. */
int process_io_set_pty(ProcessIo *io, int master, bool stdin_open, const JournalFields *fields,
                       ClientSink *client);

/* Attaches a client's stream (takes ownership of fd); its input goes to stdin if stdin is true and
 * the process has its stdin open (a pty's may arrive later). */
int process_io_attach(ProcessIo *io, int fd, bool stdin);

/* Call after every event: forgets streams that ended, holds back clients whose input cannot be
 * written and (flow_control) output whose stream is congested. */
void process_io_update(ProcessIo *io);

/* Every output reached EOF. */
bool process_io_output_done(const ProcessIo *io);
/* Logs unfinished lines and closes the outputs (at EOF, or when waiting for it took too long). */
void process_io_finish_output(ProcessIo *io);
/* Closes stdin, the outputs and the pty: the process sees its terminal hang up (SIGHUP) or its pipes
 * closed. */
void process_io_hangup(ProcessIo *io);
/* STREAM_EXIT to every stream; each closes once it has been sent. */
void process_io_send_exit(ProcessIo *io, int status);
/* STREAM_ERROR to every stream. */
void process_io_send_error(ProcessIo *io, const char *line);
/* All streams have been sent everything (or dropped) and are gone, and the client fds are flushed. */
bool process_io_clients_done(const ProcessIo *io);
