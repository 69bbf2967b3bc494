/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

/* Exit statuses, Docker's convention. A container's own status is passed through as is. */
#define EXIT_USAGE        1   /* bad command line; also "one of several names failed" */
#define EXIT_DAEMON_ERROR 125 /* raindd refused or could not be reached */
#define EXIT_CANNOT_EXEC  126 /* the container's command is not executable */
#define EXIT_NOT_FOUND    127 /* the container's command does not exist */

/* Turns a failed bus call into the one line shown to the user (without the "raind: " prefix) and
 * the exit status. error_name/error_message are those of the D-Bus error reply (NULL when the call
 * failed locally, then error says why). what ("start containers") and polkit_action name the
 * authorization the call needed, for the "permission denied" line; both may be NULL.
 * Pure: no bus involved, so it can be tested. */
int bus_error_explain(const char *error_name, const char *error_message, int error, const char *what,
                      const char *polkit_action, char **ret_text, int *ret_exit_status);

/* The line for an unreachable daemon, reason included. */
int bus_unreachable_text(const char *reason, char **ret_text);

/* Whether the error means raindd is not there at all, so that trying the next name is pointless. */
bool bus_error_means_unreachable(const char *error_name, int error);
