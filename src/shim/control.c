/* SPDX-License-Identifier: Apache-2.0 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "control.h"
#include "raind/log.h"

#define ERROR_MAX       512
#define REQUEST_FDS_MAX 4 /* room to see (and refuse) more than one */

typedef struct ControlConnection {
        struct ControlConnection *next;
        ControlServer *server;
        int fd;
        EventSource *io;
        EventSource *timeout;
} ControlConnection;

struct ControlServer {
        int fd;
        char *path;
        dev_t dev;
        ino_t ino;
        EventLoop *event;
        EventSource *source;
        ControlConnection *connections;
        size_t n_connections;
        control_handler_t handler;
        void *userdata;
};

int control_server_listen(const char *state_dir, ControlServer **ret)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        struct stat st;

        if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/" CONTROL_SOCKET_NAME, state_dir) >=
            sizeof(sa.sun_path))
                return log_error_errno(-ENAMETOOLONG, "State directory %s is too long for a socket path.",
                                       state_dir);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_error_errno(-errno, "Failed to create control socket: %m");
        mode_t mask = umask(0177);
        int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
        if (r < 0 && errno == EADDRINUSE) {
                /* A shim of an earlier run of this container left it behind (killed, or crashed). */
                (void)unlink(sa.sun_path);
                r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
        }
        umask(mask);
        if (r < 0)
                return log_error_errno(-errno, "Failed to bind control socket %s: %m", sa.sun_path);
        if (listen(fd, CONTROL_PENDING_MAX) < 0 || stat(sa.sun_path, &st) < 0) {
                r = log_error_errno(-errno, "Failed to listen on control socket %s: %m", sa.sun_path);
                (void)unlink(sa.sun_path);
                return r;
        }

        ControlServer *s = calloc(1, sizeof(ControlServer));
        if (!s || !(s->path = strdup(sa.sun_path))) {
                free(s);
                (void)unlink(sa.sun_path);
                return log_oom();
        }
        s->fd = TAKE_FD(fd);
        s->dev = st.st_dev;
        s->ino = st.st_ino;
        *ret = s;
        return 0;
}

static ControlConnection *connection_free(ControlConnection *c)
{
        if (!c)
                return NULL;
        for (ControlConnection **p = &c->server->connections; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        c->server->n_connections--;
                        break;
                }
        event_source_disable_unref(c->io);
        event_source_disable_unref(c->timeout);
        safe_close(c->fd);
        free(c);
        return NULL;
}

static void reply(ControlConnection *c, int r, char *error)
{
        char buf[ERROR_MAX + 8];
        int n;

        if (r >= 0)
                n = snprintf(buf, sizeof(buf), "ok");
        else {
                if (isempty(error)) {
                        errno = -r;
                        snprintf(error, ERROR_MAX, "%m");
                }
                for (char *p = error; *p; p++) /* one line */
                        if (*p == '\n' || *p == '\r')
                                *p = ' ';
                n = snprintf(buf, sizeof(buf), "err %s", error);
                log_debug("Refused a control request: %s", error);
        }
        if (send(c->fd, buf, (size_t)MIN(n, (int)sizeof(buf) - 1), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
                log_debug_errno(-errno, "Failed to answer a control request: %m");
}

/* The fds that came with the message: the first in *ret_fd, the number of them returned; the
 * others are closed. */
static size_t take_fds(struct msghdr *mh, int *ret_fd)
{
        size_t n_fds = 0;

        for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
                if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
                        continue;
                for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
                        if (n_fds++ == 0)
                                *ret_fd = fd;
                        else
                                safe_close(fd);
                }
        }
        return n_fds;
}

static int serve(ControlConnection *c, char *error)
{
        static char buf[CONTROL_REQUEST_MAX + 1];
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * REQUEST_FDS_MAX)];
        } control;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control)};
        _cleanup_close_ int stream_fd = -EBADF;
        _cleanup_(control_request_done) ControlRequest req = {};
        int r;

        ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;
        size_t n_fds = take_fds(&mh, &stream_fd);
        if (n == 0 && n_fds == 0)
                return -ECONNRESET;
        if (mh.msg_flags & MSG_TRUNC) {
                snprintf(error, ERROR_MAX, "request larger than %u bytes", CONTROL_REQUEST_MAX);
                return -E2BIG;
        }
        if (n_fds != 1 || (mh.msg_flags & MSG_CTRUNC)) {
                snprintf(error, ERROR_MAX, "a request carries exactly one file descriptor");
                return -EINVAL;
        }
        r = control_request_parse(buf, (size_t)n, &req, error, ERROR_MAX);
        if (r < 0)
                return r;
        return c->server->handler(&req, TAKE_FD(stream_fd), error, ERROR_MAX, c->server->userdata);
}

static int on_request(EventSource *source, int fd, uint32_t revents, void *userdata)
{
        ControlConnection *c = userdata;
        char error[ERROR_MAX] = "";

        int r = serve(c, error);
        if (r == -EAGAIN)
                return 0;
        if (r != -ECONNRESET)
                reply(c, r, error);
        connection_free(c);
        return 0;
}

static int on_timeout(EventSource *source, uint64_t usec, void *userdata)
{
        log_debug("A control connection sent no request, closing it.");
        connection_free(userdata);
        return 0;
}

static bool peer_is_trusted(int fd)
{
        struct ucred cred;
        socklen_t len = sizeof(cred);

        return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) >= 0 && cred.uid == geteuid();
}

static int on_connection(EventSource *source, int fd, uint32_t revents, void *userdata)
{
        ControlServer *s = userdata;
        int r;

        _cleanup_close_ int cfd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
                if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                        log_warning_errno(-errno, "Failed to accept a control connection: %m");
                return 0;
        }
        if (!peer_is_trusted(cfd)) {
                log_warning("Refused a control connection from another user.");
                return 0;
        }
        if (s->n_connections >= CONTROL_PENDING_MAX) {
                log_warning("Too many control connections at once, refusing one.");
                return 0;
        }

        ControlConnection *c = calloc(1, sizeof(ControlConnection));
        if (!c) {
                log_oom();
                return 0;
        }
        *c = (ControlConnection){.next = s->connections, .server = s, .fd = TAKE_FD(cfd)};
        s->connections = c;
        s->n_connections++;
        if ((r = event_add_io(s->event, &c->io, c->fd, EPOLLIN, on_request, c)) < 0 ||
            (r = event_add_time_relative(s->event, &c->timeout, CLOCK_MONOTONIC, CONTROL_TIMEOUT_USEC, 0,
                                         on_timeout, c)) < 0) {
                log_warning_errno(r, "Failed to watch a control connection: %m");
                connection_free(c);
        }
        return 0;
}

int control_server_start(ControlServer *s, EventLoop *event, control_handler_t handler, void *userdata)
{
        s->event = event;
        s->handler = handler;
        s->userdata = userdata;
        return event_add_io(event, &s->source, s->fd, EPOLLIN, on_connection, s);
}

void control_server_stop(ControlServer *s)
{
        while (s->connections)
                connection_free(s->connections);
        s->source = event_source_disable_unref(s->source);
        s->event = NULL;
}

ControlServer *control_server_free(ControlServer *s)
{
        struct stat st;

        if (!s)
                return NULL;
        control_server_stop(s);
        safe_close(s->fd);
        /* Not if a shim of a new run of this container has put its own there already. */
        if (stat(s->path, &st) >= 0 && st.st_dev == s->dev && st.st_ino == s->ino)
                (void)unlink(s->path);
        free(s->path);
        free(s);
        return NULL;
}
