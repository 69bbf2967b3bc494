/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>

#include "child-report.h"
#include "raind/fileio.h"
#include "raind/log.h"

static ChildMessage recorded_error;

int child_error(int error, int exit_code, const char *fmt, ...)
{
        va_list ap;

        error = abs(error);
        if (recorded_error.type != 0) /* Keep the first, most specific message. */
                return -error;

        recorded_error.type = CHILD_MESSAGE_ERROR;
        recorded_error.error = error;
        recorded_error.exit_code = exit_code;
        errno = error;
        va_start(ap, fmt);
        vsnprintf(recorded_error.text, sizeof(recorded_error.text), fmt, ap);
        va_end(ap);
        return -error;
}

void child_report_timing(int fd, const char *step, uint64_t usec)
{
        ChildMessage m = {.type = CHILD_MESSAGE_TIMING, .usec = usec};

        snprintf(m.text, sizeof(m.text), "%s", step);
        (void)loop_write(fd, &m, sizeof(m));
}

_noreturn_ void child_exit_with_error(int fd, int error)
{
        child_error(error, 125, "Container setup failed: %m");
        (void)loop_write(fd, &recorded_error, sizeof(recorded_error));
        _exit(recorded_error.exit_code);
}

int child_report_receive(int fd, ChildMessage *ret_error)
{
        ChildMessage m;

        for (;;) {
                ssize_t n = read(fd, &m, sizeof(m));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
                if ((size_t)n != sizeof(m))
                        return -EBADMSG;
                m.text[sizeof(m.text) - 1] = 0;
                if (m.type == CHILD_MESSAGE_TIMING) {
                        log_debug("timing: %s %llu", m.text, (unsigned long long)m.usec);
                        continue;
                }
                *ret_error = m;
                return 1;
        }
}
