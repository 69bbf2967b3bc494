/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

/* The client's terminal while it is attached to a container's pseudo-terminal: raw mode, so that
 * every key reaches the container, and its size. */
typedef struct Terminal {
        int fd; /* -EBADF when not in raw mode */
        struct termios saved;
} Terminal;

#define TERMINAL_NULL ((Terminal){.fd = -EBADF})

/* Puts fd, a terminal, into raw mode (cfmakeraw()), remembering its settings. Until
 * terminal_restore(), a crash (SIGSEGV, SIGABRT, …) restores them too before the process dies. */
int terminal_make_raw(int fd, Terminal *ret);

/* Restores the settings; does nothing when not in raw mode, so it may be called on every path. */
void terminal_restore(Terminal *t);

/* The window size of a terminal. -ENOTTY when fd is none, -ENODATA when the size is unknown (0). */
int terminal_get_size(int fd, uint16_t *ret_rows, uint16_t *ret_cols);
