/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* The files raindd reads from the state directory, each written atomically:
 *   pid:  {"shimPid":N,"containerPid":N,"shimStartTime":T,"containerStartTime":T,"startedAt":USEC}
 *   exit: {"exitStatus":N,"finishedAt":USEC}
 * Start times are field 22 of /proc/PID/stat, to tell a PID from a reused one. */
int state_write_pid(const char *state_dir, pid_t container_pid);
int state_write_exit(const char *state_dir, int exit_status);
