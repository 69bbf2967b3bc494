/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <syslog.h>

#include "raind/macro.h"

/* Logging for binaries only; library code returns errors and never logs.
 * Messages go to stderr, or to the journal when log_open_journal() was called. */
void log_set_max_level(int level);
int log_get_max_level(void);
void log_open_journal(const char *identifier);
/* One more FIELD=value added to every journal entry (e.g. RAIND_CONTAINER_ID_FULL=…), or "" for none. */
void log_set_journal_field(const char *field);

/* Logs with %m meaning the given error; returns the (negative) error so callers can log and return. */
int log_internal(int level, int error, const char *file, int line, const char *func, const char *fmt, ...)
    _printf_(6, 7);

#define log_full_errno(level, error, ...)                                               \
        ({                                                                              \
                int _l_ = (level), _e_ = (error);                                       \
                (log_get_max_level() >= _l_)                                            \
                    ? log_internal(_l_, _e_, __FILE__, __LINE__, __func__, __VA_ARGS__) \
                    : -abs(_e_);                                                        \
        })

#define log_debug(...)   log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)    log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)  log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)   log_full_errno(LOG_ERR, 0, __VA_ARGS__)

#define log_debug_errno(e, ...)   log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_info_errno(e, ...)    log_full_errno(LOG_INFO, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, e, __VA_ARGS__)

#define log_oom() log_error_errno(-ENOMEM, "Out of memory.")
