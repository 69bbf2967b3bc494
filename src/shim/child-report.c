/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <sys/socket.h>

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

static int send_message(int fd, const ChildMessage *m, int payload_fd)
{
        struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

        if (payload_fd >= 0) {
                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
                *cm = (struct cmsghdr){
                    .cmsg_len = CMSG_LEN(sizeof(int)), .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS};
                memcpy(CMSG_DATA(cm), &payload_fd, sizeof(int));
        }
        while (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

void child_report_timing(int fd, const char *step, uint64_t usec)
{
        ChildMessage m = {.type = CHILD_MESSAGE_TIMING, .usec = usec};

        snprintf(m.text, sizeof(m.text), "%s", step);
        (void)send_message(fd, &m, -EBADF);
}

int child_report_send_fd(int fd, ChildMessageType type, int payload_fd)
{
        ChildMessage m = {.type = type};
        int r = send_message(fd, &m, payload_fd);
        if (r < 0)
                return child_error(r, 125, "Failed to pass a file descriptor to raind-shim: %m");
        return 0;
}

_noreturn_ void child_exit_with_error(int fd, int error)
{
        child_error(error, 125, "Container setup failed: %m");
        (void)send_message(fd, &recorded_error, -EBADF);
        _exit(recorded_error.exit_code);
}

int child_report_open(int ret_fds[static 2])
{
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ret_fds) < 0)
                return log_error_errno(-errno, "Failed to create socket pair: %m");
        return 0;
}

static int received_fd(struct msghdr *mh)
{
        int fd = -EBADF;

        for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
                if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < n; i++) {
                        int k;
                        memcpy(&k, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
                        if (fd < 0)
                                fd = k;
                        else
                                safe_close(k); /* one fd per message */
                }
        }
        return fd;
}

int child_report_receive_one(int fd, bool nonblocking, ChildMessage *ret, int *ret_fd)
{
        for (;;) {
                ChildMessage m;
                struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(int))];
                } control;
                struct msghdr mh = {.msg_iov = &iov,
                                    .msg_iovlen = 1,
                                    .msg_control = &control,
                                    .msg_controllen = sizeof(control)};

                ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | (nonblocking ? MSG_DONTWAIT : 0));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
                if (n == 0)
                        return 0;
                _cleanup_close_ int payload = received_fd(&mh);
                if ((size_t)n != sizeof(m))
                        return -EBADMSG;
                m.text[sizeof(m.text) - 1] = 0;
                if (m.type == CHILD_MESSAGE_TIMING) {
                        log_debug("timing: %s %llu", m.text, (unsigned long long)m.usec);
                        continue;
                }
                *ret = m;
                *ret_fd = TAKE_FD(payload);
                return 1;
        }
}

int child_report_receive(int fd, ChildMessage *ret_error, int *ret_pty_master)
{
        _cleanup_close_ int pty_master = -EBADF;

        for (;;) {
                ChildMessage m;
                _cleanup_close_ int payload = -EBADF;
                int r = child_report_receive_one(fd, false, &m, &payload);
                if (r < 0)
                        return r;
                if (r == 0) {
                        *ret_pty_master = TAKE_FD(pty_master);
                        return 0;
                }
                if (m.type == CHILD_MESSAGE_PTY_MASTER && payload >= 0 && pty_master < 0)
                        pty_master = TAKE_FD(payload);
                else if (m.type == CHILD_MESSAGE_ERROR) {
                        *ret_error = m;
                        return 1;
                }
        }
}
