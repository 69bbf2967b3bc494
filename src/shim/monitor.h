/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <linux/filter.h>

#include "container-config.h"
#include "container.h"
#include "control.h"
#include "output.h"

/* The shim's life after the container started: one event loop (sd-event, no threads) that copies the
 * container's output to the journal, the client fds and the attached streams, writes their input to
 * the container, forwards signals to the init, serves the control socket (attach, exec) and watches
 * over the execs. It runs until the init exited and its output was drained (at most
 * MONITOR_DRAIN_USEC after the exit, in case something else still holds the pipes or a client does
 * not take the rest), every attached stream has been sent STREAM_EXIT and every exec is over. */

#define MONITOR_DRAIN_USEC (2 * 1000 * 1000ULL)

typedef struct MonitorParams {
        ContainerProcess *process; /* its fds are taken */
        int signal_fd;
        const JournalFields *fields;
        int stdout_fd, stderr_fd; /* client fds (--stdout-fd, --stderr-fd), or -1 */
        int stream_fd;            /* --stream-fd, taken; or -1 */
        ControlServer *control;   /* served while the loop runs (the caller frees it); NULL: none */
        const ContainerConfig *config;
        const struct sock_fprog *seccomp; /* NULL: none */
} MonitorParams;

/* Returns the exit status: the exit code, or 128+signal when the init was killed. */
int monitor_run(MonitorParams *p);

/* The signals forwarded to the container's init. */
extern const int forwarded_signals[];
extern const size_t n_forwarded_signals;
