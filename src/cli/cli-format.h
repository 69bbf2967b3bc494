/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Human-readable values for tables, as the Docker CLI prints them. Pure functions, no bus. */

#define FORMAT_DURATION_MAX  32
#define FORMAT_SIZE_MAX      32
#define FORMAT_TIMESTAMP_MAX 40

/* Characters as a terminal shows them: UTF-8 code points, so "…" counts as one. */
size_t utf8_width(const char *s);

/* "Less than a second", "1 second", "5 seconds", "About a minute", "2 minutes", "About an hour",
 * "3 hours", "3 days", "2 weeks", "3 months", "2 years" (Docker's units.HumanDuration). */
const char *format_duration_human(char buf[static FORMAT_DURATION_MAX], uint64_t usec);

/* "5 seconds ago"; a time in the future counts as now. */
const char *format_time_ago(char buf[static FORMAT_DURATION_MAX + 8], uint64_t usec, uint64_t now);

/* Decimal units with four significant digits: "999B", "4.2MB", "1.235GB" (Docker's units.HumanSize). */
const char *format_size_human(char buf[static FORMAT_SIZE_MAX], uint64_t bytes);

/* RFC 3339 in UTC, fraction trimmed of trailing zeros: "2024-05-01T12:34:56.5Z". */
const char *format_timestamp_rfc3339(char buf[static FORMAT_TIMESTAMP_MAX], uint64_t usec);

/* Whether a container in this state has (or is about to have, or still has) a running process:
 * "starting", "running", "stopping". */
bool container_state_is_active(const char *state);

/* The STATUS column of "raind ps": "Created", "Starting", "Up 3 seconds", "Stopping", "Exited (7) 2 minutes
 * ago". */
int container_status_text(const char *state, int exit_status, uint64_t started_at, uint64_t finished_at,
                          uint64_t now, char **ret);

/* The COMMAND column: cut to max_width characters ending in "…" (0: no limit), then quoted with
 * control characters, '"' and '\' escaped, so that a command always stays on one line. */
int command_abbreviate(const char *command, size_t max_width, char **ret);
