/* SPDX-License-Identifier: Apache-2.0 */
#include <sched.h>
#include <signal.h>
#include <sys/pidfd.h>

#include "child-report.h"
#include "clone-pidfd.h"
#include "exec-child.h"
#include "process.h"
#include "pty.h"

static int setup_stdio(const ExecChild *x)
{
        if (x->tty)
                return pty_setup_child(x->report_fd, x->process->uid);
        if (dup2(x->stdin_fd, STDIN_FILENO) < 0 || dup2(x->stdout_fd, STDOUT_FILENO) < 0 ||
            dup2(x->stderr_fd, STDERR_FILENO) < 0)
                return child_error(errno, 125, "Failed to set up stdio: %m");
        return 0;
}

static int exec_setup(const ExecChild *x)
{
        int r;

        if (fchdir(x->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
                return child_error(errno, 125, "Failed to enter the container's root: %m");
        r = setup_stdio(x);
        if (r < 0)
                return r;
        /* Nothing the shim holds may reach the container: not other clients' streams, not the sockets. */
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return child_error(errno, 125, "Failed to mark file descriptors close-on-exec: %m");
        return process_exec(x->process, x->seccomp, false);
}

_noreturn_ void exec_child_run(const ExecChild *x)
{
        int pidfd = -EBADF, r;

        if (setns(x->init_pidfd, (int)x->namespaces) < 0)
                child_exit_with_error(
                    x->report_fd, child_error(errno, 125, "Failed to join the container's namespaces: %m"));
        pid_t pid = clone_with_pidfd(CLONE_PARENT, &pidfd);
        if (pid < 0)
                child_exit_with_error(
                    x->report_fd, child_error(errno, 125, "Failed to start a process in the container: %m"));
        if (pid == 0)
                child_exit_with_error(x->report_fd, exec_setup(x));

        r = child_report_send_fd(x->report_fd, CHILD_MESSAGE_PIDFD, pidfd);
        if (r < 0) {
                (void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                child_exit_with_error(x->report_fd, r);
        }
        _exit(0);
}
