/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "child-report.h"
#include "pty.h"

int pty_resize(int master, unsigned rows, unsigned cols)
{
        struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};

        if (ioctl(master, TIOCSWINSZ, &ws) < 0)
                return -errno;
        return 0;
}

int pty_setup_child(int report_fd, uid_t uid)
{
        int r;

        _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return child_error(errno, 125, "Failed to open /dev/ptmx in the container: %m");
        if (unlockpt(master) < 0)
                return child_error(errno, 125, "Failed to unlock the pty: %m");
        /* Through the master rather than by name: no path lookup that could lead elsewhere. */
        _cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return child_error(errno, 125, "Failed to open the pty's slave: %m");
        r = pty_resize(master, PTY_DEFAULT_ROWS, PTY_DEFAULT_COLS);
        if (r < 0)
                return child_error(r, 125, "Failed to set the pty's size: %m");
        if (fchown(slave, uid, (gid_t)-1) < 0)
                return child_error(errno, 125, "Failed to hand the pty to user %u: %m", (unsigned)uid);
        if (setsid() < 0)
                return child_error(errno, 125, "Failed to start a new session: %m");
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return child_error(errno, 125, "Failed to make the pty the controlling terminal: %m");
        r = child_report_send_fd(report_fd, CHILD_MESSAGE_PTY_MASTER, master);
        if (r < 0)
                return r;
        for (int fd = 0; fd < 3; fd++)
                if (dup2(slave, fd) < 0)
                        return child_error(errno, 125, "Failed to set up stdio on the pty: %m");
        return 0;
}
