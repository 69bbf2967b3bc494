/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

/* Asks on the terminal (prompt on stderr, answer from stdin, which must be a terminal): one line,
 * newline dropped; with echo false the typed characters are not shown. -ENOTTY when stdin is not a
 * terminal, -ECANCELED on end of input. */
int prompt_line(const char *prompt, bool echo, char **ret);
