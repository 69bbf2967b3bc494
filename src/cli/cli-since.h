/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

/* Parses the argument of "logs --since" into µs since the epoch. Accepted:
 *   a duration ago: "10s", "5m", "2h", "1d", "1h30m", "1.5h" (units us ms s m h d w)
 *   a Unix timestamp: "1700000000", "1700000000.25"
 *   a date in local time: "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DD HH:MM:SS" ('T' works as well)
 *   RFC 3339: "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.5+02:00"
 * -EINVAL for anything else, -ERANGE for a time before the epoch or out of range. */
int parse_since(const char *s, uint64_t now, uint64_t *ret);

/* Parses a duration such as "1h30m" or "1.5s" into µs. */
int parse_duration(const char *s, uint64_t *ret);
