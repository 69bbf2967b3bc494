/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Terminals for containers (process.terminal) and for execs with tty. The pty is allocated by the
 * process itself, inside the container's mount namespace and root, so that it belongs to the
 * container's own devpts instance (ttyname() and /dev/pts/N make sense in there); the master goes to
 * the shim over the child-report channel, as runc's console socket does. */

#define PTY_DEFAULT_ROWS 24
#define PTY_DEFAULT_COLS 80

/* Child side: opens /dev/ptmx, makes the slave the controlling terminal of a new session and
 * stdin/stdout/stderr, owned by uid (as runc does, so the user can use its terminal), sets the default
 * size and sends the master over report_fd. Errors are recorded by child_error(). */
int pty_setup_child(int report_fd, uid_t uid);

/* Shim side: sets the window size; the kernel sends SIGWINCH to the foreground process group. */
int pty_resize(int master, unsigned rows, unsigned cols);
