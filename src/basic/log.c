/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <systemd/sd-journal.h>

#include "raind/log.h"

static int max_level = LOG_INFO;
static const char *journal_identifier;
static char journal_field[256];

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

void log_set_journal_field(const char *field)
{
        snprintf(journal_field, sizeof(journal_field), "%s", strempty(field));
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
                /* Optional fields last: sd_journal_send() stops at the first NULL format. */
                const char *extra[2] = {NULL, NULL};
                size_t n = 0;
                if (journal_field[0])
                        extra[n++] = journal_field;
                char ebuf[32];
                if (error != 0) {
                        snprintf(ebuf, sizeof(ebuf), "ERRNO=%d", abs(error));
                        extra[n++] = ebuf;
                }
                sd_journal_send("MESSAGE=%s", buf, "PRIORITY=%d", level, "SYSLOG_IDENTIFIER=%s",
                                journal_identifier, "CODE_FILE=%s", file, lbuf, "CODE_FUNC=%s", func,
                                extra[0] ? "%s" : NULL, extra[0], extra[1] ? "%s" : NULL, extra[1], NULL);
        } else
                fprintf(stderr, "%s\n", buf);

        errno = saved;
        return -abs(error);
}
