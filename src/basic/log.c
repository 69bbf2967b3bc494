/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <systemd/sd-journal.h>

#include "raind/log.h"

static int max_level = LOG_INFO;
static const char *journal_identifier;

void log_set_max_level(int level)
{
        max_level = level;
}

int log_get_max_level(void)
{
        return max_level;
}

void log_open_journal(const char *identifier)
{
        journal_identifier = identifier;
}

int log_internal(int level, int error, const char *file, int line, const char *func, const char *fmt, ...)
{
        char buf[2048];
        va_list ap;
        int saved = errno;

        /* Make %m refer to the error we were given, not whatever errno happens to hold. */
        errno = abs(error);
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);

        if (journal_identifier) {
                char lbuf[16];
                snprintf(lbuf, sizeof(lbuf), "CODE_LINE=%d", line);
                sd_journal_send("MESSAGE=%s", buf, "PRIORITY=%d", level, "SYSLOG_IDENTIFIER=%s",
                                journal_identifier, "CODE_FILE=%s", file, lbuf, "CODE_FUNC=%s", func,
                                error != 0 ? "ERRNO=%d" : NULL, abs(error), NULL);
        } else
                fprintf(stderr, "%s\n", buf);

        errno = saved;
        return -abs(error);
}
