/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "container.h"
#include "output.h"

/* Runs until the container's init exited and its output was drained (at most
 * MONITOR_DRAIN_USEC after the exit, in case something else still holds the pipes): copies output,
 * forwards the signals in signal_fd to the init. Returns the exit status: the exit code, or
 * 128+signal when the init was killed. */
#define MONITOR_DRAIN_USEC (2 * 1000 * 1000ULL)

int monitor_run(const ContainerProcess *p, int signal_fd, OutputStream streams[static 2]);

/* The signals forwarded to the container's init. */
extern const int forwarded_signals[];
extern const size_t n_forwarded_signals;
