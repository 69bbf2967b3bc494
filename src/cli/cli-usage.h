/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "raind/macro.h"

/* The command as typed ("raind container run", "raind run"), for the hint after a usage error. */
void cli_set_command(const char *command);
const char *cli_command(void);

/* Prints "raind: <message>" and "See '<command> --help'." on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *format, ...) _printf_(1, 2);
/* Formats a usage error for the caller to print later: sets *ret_error, returns -EINVAL (-ENOMEM). */
int usage_text(char **ret_error, const char *format, ...) _printf_(2, 3);

/* The message for getopt_long()'s '?' (unknown option) or ':' (missing argument); reads optind and
 * optopt as getopt_long() left them. */
int getopt_error_text(int c, char *const *argv, char **ret);

/* Reports getopt_long()'s '?' or ':' as a usage error; returns EXIT_USAGE. */
int cli_getopt_error(int c, char *const *argv);
