/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <sys/types.h>

#include "child-report.h"
#include "container-config.h"

/* The container's init, as the shim holds it. All fds O_NONBLOCK; -EBADF where they do not apply. */
typedef struct ContainerProcess {
        pid_t pid;
        int pidfd;
        int stdout_fd; /* read ends of the container's stdout and stderr (no terminal) */
        int stderr_fd;
        int stdin_fd;   /* write end of its stdin (org.raind.stdin-open, no terminal) */
        int pty_master; /* process.terminal: the master of its controlling terminal */
} ContainerProcess;

#define CONTAINER_PROCESS_NULL                                                                 \
        (ContainerProcess)                                                                     \
        {                                                                                      \
                .pidfd = -EBADF, .stdout_fd = -EBADF, .stderr_fd = -EBADF, .stdin_fd = -EBADF, \
                .pty_master = -EBADF                                                           \
        }

void container_process_done(ContainerProcess *p);

/* Clones the container's init into its namespaces, sets it up and executes the command.
 * Returns 0 once execve() succeeded; 1 with the child's message if setup or execve() failed in
 * the child (which has been reaped then); a negative errno (logged) if the shim itself failed.
 * seccomp is the compiled filter or NULL. */
int container_start(const ContainerConfig *c, const struct sock_fprog *seccomp, bool debug,
                    ContainerProcess *ret, ChildMessage *ret_error);
