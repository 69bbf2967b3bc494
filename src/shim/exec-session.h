/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include "event.h"

#include "container-config.h"
#include "control-request.h"
#include "process-io.h"

/* One exec: a process started in the running container on a client's request, with its output going
 * to the client's stream only (not to the journal, as with docker exec). When the process exits the
 * shim drains its output, sends STREAM_EXIT with its status and closes the stream; if it could not run,
 * a STREAM_ERROR line comes first. A client that goes away hangs the process's terminal up (SIGHUP) or
 * closes its pipes; it is not killed otherwise. */

/* After the process exited, how long its output may stay open without anything coming. */
#define EXEC_DRAIN_IDLE_USEC (2 * 1000 * 1000ULL)

/* What an exec is started from: the container's init and process. */
typedef struct ExecTarget {
        pid_t init_pid;
        int init_pidfd;
        unsigned long namespaces;
        const ProcessConfig *process;
        const struct sock_fprog *seccomp; /* NULL: none */
} ExecTarget;

typedef struct ExecSession ExecSession;

/* Starts the process and attaches the stream (takes ownership of stream_fd whatever happens).
 * Returns 0, or a negative errno with a reason for the requester in error_buf (-ESRCH: the container
 * is not running). Errors of the process itself go to the stream. */
int exec_session_start(EventLoop *event, const ExecTarget *target, const ControlRequest *request,
                       int stream_fd, ExecSession **ret, char *error_buf, size_t error_size);
ExecSession *exec_session_free(ExecSession *s);

/* Call after every event. Returns true once the session is over: the process has exited and its
 * client has been told (or has gone away). */
bool exec_session_update(ExecSession *s);
bool exec_session_has_stream(const ExecSession *s);

/* The sessions of one container, a list. */
ExecSession *exec_session_next(const ExecSession *s);
void exec_session_set_next(ExecSession *s, ExecSession *next);
