/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <syslog.h>

#include "raind/journal-send.h"
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
                char message[sizeof(buf) + 16], priority[32], identifier[128], code_file[256], code_line[32],
                    code_func[128], errno_field[32];
                const char *fields[8] = {message, priority, identifier, code_file, code_line, code_func};
                size_t n = 6;

                snprintf(message, sizeof(message), "MESSAGE=%s", buf);
                snprintf(priority, sizeof(priority), "PRIORITY=%d", level);
                snprintf(identifier, sizeof(identifier), "SYSLOG_IDENTIFIER=%s", journal_identifier);
                snprintf(code_file, sizeof(code_file), "CODE_FILE=%s", file);
                snprintf(code_line, sizeof(code_line), "CODE_LINE=%d", line);
                snprintf(code_func, sizeof(code_func), "CODE_FUNC=%s", func);
                if (journal_field[0])
                        fields[n++] = journal_field;
                if (error != 0) {
                        snprintf(errno_field, sizeof(errno_field), "ERRNO=%d", abs(error));
                        fields[n++] = errno_field;
                }
                (void)journal_send_string_fields(fields, n);
        } else
                fprintf(stderr, "%s\n", buf);

        errno = saved;
        return -abs(error);
}
