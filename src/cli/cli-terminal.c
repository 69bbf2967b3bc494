/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <sys/ioctl.h>

#include "raind/macro.h"

#include "cli-terminal.h"

/* For the crash handler, which can reach nothing else. */
static int crash_fd = -EBADF;
static struct termios crash_saved;

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};

static void restore_on_crash(int sig)
{
        /* tcsetattr() is async-signal-safe; the handler was installed with SA_RESETHAND, so
         * raising the signal again ends the process as it would have ended. */
        if (crash_fd >= 0)
                (void)tcsetattr(crash_fd, TCSANOW, &crash_saved);
        raise(sig);
}

static void crash_handlers_set(bool install)
{
        struct sigaction sa = {.sa_flags = SA_RESETHAND | SA_NODEFER};

        sa.sa_handler = install ? restore_on_crash : SIG_DFL;
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < ELEMENTSOF(crash_signals); i++)
                (void)sigaction(crash_signals[i], &sa, NULL);
}

int terminal_make_raw(int fd, Terminal *ret)
{
        struct termios saved, raw;

        if (tcgetattr(fd, &saved) < 0)
                return -errno;
        raw = saved;
        cfmakeraw(&raw);

        crash_saved = saved;
        crash_fd = fd;
        crash_handlers_set(true);
        if (tcsetattr(fd, TCSANOW, &raw) < 0) {
                int r = -errno;

                crash_fd = -EBADF;
                crash_handlers_set(false);
                return r;
        }

        *ret = (Terminal){.fd = fd, .saved = saved};
        return 0;
}

void terminal_restore(Terminal *t)
{
        if (t->fd < 0)
                return;
        /* TCSADRAIN: what the container printed last is shown before the prompt comes back. */
        (void)tcsetattr(t->fd, TCSADRAIN, &t->saved);
        crash_fd = -EBADF;
        crash_handlers_set(false);
        t->fd = -EBADF;
}

int terminal_get_size(int fd, uint16_t *ret_rows, uint16_t *ret_cols)
{
        struct winsize ws = {};

        if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
                return -errno;
        if (ws.ws_row == 0 || ws.ws_col == 0)
                return -ENODATA;
        *ret_rows = ws.ws_row;
        *ret_cols = ws.ws_col;
        return 0;
}
