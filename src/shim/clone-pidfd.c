/* SPDX-License-Identifier: Apache-2.0 */
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "clone-pidfd.h"
#include "raind/macro.h"

pid_t clone_with_pidfd(unsigned long flags, int *ret_pidfd)
{
        int pidfd = -EBADF;
        /* With CLONE_PARENT the child inherits the caller's exit signal; clone3 insists on 0 then. */
        int exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
        struct clone_args args = {
            .flags = flags | CLONE_PIDFD,
            .pidfd = (uint64_t)(uintptr_t)&pidfd,
            .exit_signal = (uint64_t)exit_signal,
        };

        pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        /* Under a seccomp filter like Docker's, clone3 fails with ENOSYS: use clone. The pidfd
         * goes into parent_tid, the third argument on every architecture. */
        if (pid < 0 && errno == ENOSYS)
                pid = (pid_t)syscall(SYS_clone, flags | CLONE_PIDFD | (unsigned long)exit_signal, NULL,
                                     &pidfd, NULL, NULL);
        if (pid > 0)
                *ret_pidfd = pidfd;
        return pid;
}
