/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "raind/macro.h"

/* The container's init tells the shim what went wrong before execve() through a CLOEXEC pipe: a
 * closed pipe without a message means the execve() succeeded. With --debug it also sends the time
 * of its setup steps. Messages are small enough to be written atomically. */

#define CHILD_MESSAGE_TEXT_MAX 1024

typedef enum ChildMessageType {
        CHILD_MESSAGE_TIMING = 1,
        CHILD_MESSAGE_ERROR = 2,
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
_noreturn_ void child_exit_with_error(int fd, int error);

/* Shim side: reads until the pipe closes. Returns 0 if the execve() succeeded, 1 with the
 * child's message if it failed, negative errno if the pipe could not be read. Timing messages are
 * logged at debug level. */
int child_report_receive(int fd, ChildMessage *ret_error);
