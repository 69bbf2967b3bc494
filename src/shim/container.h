/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <sys/types.h>

#include "child-report.h"
#include "container-config.h"

typedef struct ContainerProcess {
        pid_t pid;
        int pidfd;
        int stdout_fd; /* read ends of the container's stdout and stderr, O_NONBLOCK */
        int stderr_fd;
} ContainerProcess;

void container_process_done(ContainerProcess *p);

/* Clones the container's init into its namespaces, sets it up and executes the command.
 * Returns 0 once execve() succeeded; 1 with the child's message if setup or execve() failed in
 * the child (which has been reaped then); a negative errno (logged) if the shim itself failed.
 * seccomp is the compiled filter or NULL. */
int container_start(const ContainerConfig *c, const struct sock_fprog *seccomp, bool debug,
                    ContainerProcess *ret, ChildMessage *ret_error);
