/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "raind/macro.h"

/* A process the shim forks (the container's init, or an exec) tells the shim what went wrong before
 * execve() through a CLOEXEC SOCK_SEQPACKET socketpair: the end of the stream without an error
 * message means the execve() succeeded. It also hands fds over that only the child can open (the
 * master of a pty in the container's devpts, the pidfd of a process it cloned) and, with --debug, the
 * time of its setup steps. One message per packet. */

#define CHILD_MESSAGE_TEXT_MAX 1024

typedef enum ChildMessageType {
        CHILD_MESSAGE_TIMING = 1,
        CHILD_MESSAGE_ERROR = 2,
        CHILD_MESSAGE_PTY_MASTER = 3, /* with the fd */
        CHILD_MESSAGE_PIDFD = 4,      /* with the fd */
} ChildMessageType;

typedef struct ChildMessage {
        uint32_t type;
        int32_t error;     /* positive errno */
        int32_t exit_code; /* 125 setup failure, 126 not executable, 127 not found */
        uint64_t usec;     /* CHILD_MESSAGE_TIMING: microseconds since the shim started */
        char text[CHILD_MESSAGE_TEXT_MAX];
} ChildMessage;

/* Child side. child_error() records the first failure (with %m meaning error) and returns
 * -abs(error), so setup code reads like log-and-return. */
int child_error(int error, int exit_code, const char *fmt, ...) _printf_(3, 4);
void child_report_timing(int fd, const char *step, uint64_t usec);
/* Sends fd with a message of type (CHILD_MESSAGE_PTY_MASTER or CHILD_MESSAGE_PIDFD). */
int child_report_send_fd(int fd, ChildMessageType type, int payload_fd);
_noreturn_ void child_exit_with_error(int fd, int error);

/* Shim side. The channel: a SOCK_SEQPACKET socketpair, both ends CLOEXEC. */
int child_report_open(int ret_fds[static 2]);
/* Receives one message (blocking unless nonblocking): 1 with the message and the fd that came with
 * it in *ret_fd (-EBADF if none), 0 at the end of the stream, -EAGAIN, or another negative errno.
 * Timing messages are logged at debug level and skipped. */
int child_report_receive_one(int fd, bool nonblocking, ChildMessage *ret, int *ret_fd);
/* Reads until the stream ends. Returns 0 if the execve() succeeded, 1 with the child's message if it
 * failed, negative errno if the channel could not be read. A pty master that came along is returned
 * in *ret_pty_master (-EBADF if none). */
int child_report_receive(int fd, ChildMessage *ret_error, int *ret_pty_master);
