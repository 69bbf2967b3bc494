/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>

#include "container-config.h"

/* The forked side of an exec. A child of the shim joins every namespace of the container's init
 * through its pidfd, then clones the process that will run the command: that one is in the
 * container's pid namespace (which applies to children only) and, thanks to CLONE_PARENT, a child of
 * the shim, so the shim reaps it and it stays in the container's scope. The first child passes its
 * pidfd to the shim and exits.
 *
 * The process enters the root of the init (an fd opened before the mount namespace changed, so that
 * it is exactly the init's root), sets up its stdio (a new pty in the container's devpts, or the
 * pipes it was given) and then goes the init's way: working directory, credentials, no_new_privs,
 * command looked up in the container, seccomp, execve(). Failures go to the shim over report_fd. */

typedef struct ExecChild {
        const ProcessConfig *process;
        const struct sock_fprog *seccomp; /* NULL: none */
        int init_pidfd;
        unsigned long namespaces; /* CLONE_NEW* to join */
        int root_fd;              /* the init's /proc/PID/root */
        int report_fd;
        bool tty;
        int stdin_fd, stdout_fd, stderr_fd; /* without tty */
} ExecChild;

/* Runs in the child forked from the shim; never returns. */
_noreturn_ void exec_child_run(const ExecChild *x);
