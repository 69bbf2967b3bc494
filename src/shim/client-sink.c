/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "client-sink.h"
#include "mount.h"
#include "raind/log.h"

struct ClientSink {
        int fd;
        EventLoop *event;
        EventSource *source; /* made when first needed: a regular file never is */
        bool is_socket;
        const char *what;
        char *pending;
        size_t n_pending;
        size_t allocated;
};

/* Our own handle with O_NONBLOCK, without changing the flags of the client's open file: for a pipe
 * or terminal that is a fresh open of /proc/self/fd/N; a socket gets send(MSG_DONTWAIT) instead;
 * a regular file never blocks, and reopening it would lose O_APPEND. */
static int open_nonblocking(int fd, bool *ret_is_socket)
{
        char path[PROC_FD_PATH_MAX];
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        *ret_is_socket = S_ISSOCK(st.st_mode);
        if (S_ISSOCK(st.st_mode) || S_ISREG(st.st_mode)) {
                int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                return nfd < 0 ? -errno : nfd;
        }

        int nfd = open(proc_fd_path(fd, path), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (nfd >= 0)
                return nfd;
        /* Cannot reopen it (a FIFO without readers, an odd device): share the client's file. */
        nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (nfd < 0)
                return -errno;
        int flags = fcntl(nfd, F_GETFL);
        if (flags < 0 || fcntl(nfd, F_SETFL, flags | O_NONBLOCK) < 0) {
                safe_close(nfd);
                return -errno;
        }
        return nfd;
}

int client_sink_open(EventLoop *event, int fd, const char *what, ClientSink **ret)
{
        ClientSink *s = calloc(1, sizeof(ClientSink));
        if (!s)
                return -ENOMEM;
        s->event = event;
        s->what = what;
        s->fd = open_nonblocking(fd, &s->is_socket);
        if (s->fd < 0) {
                int r = s->fd;
                free(s);
                return r;
        }
        *ret = s;
        return 0;
}

ClientSink *client_sink_free(ClientSink *s)
{
        if (!s)
                return NULL;
        /* Before the fd: epoll must forget it while the number still means this file. */
        event_source_disable_unref(s->source);
        safe_close(s->fd);
        free(s->pending);
        free(s);
        return NULL;
}

static void drop(ClientSink *s, int error)
{
        if (s->fd < 0)
                return;
        if (error == -EPIPE || error == -ECONNRESET)
                log_debug("Client %s went away, no longer copying output to it.", s->what);
        else
                log_warning_errno(error, "No longer copying output to client %s: %m", s->what);
        s->source = event_source_disable_unref(s->source);
        s->fd = safe_close(s->fd);
        free(s->pending);
        s->pending = NULL;
        s->n_pending = s->allocated = 0;
}

/* Bytes written, 0 if the fd is full, or a negative errno. */
static ssize_t write_some(ClientSink *s, const char *p, size_t n)
{
        for (;;) {
                ssize_t k =
                    s->is_socket ? send(s->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) : write(s->fd, p, n);
                if (k >= 0)
                        return k;
                if (errno == EINTR)
                        continue;
                return errno == EAGAIN ? 0 : -errno;
        }
}

static void flush(ClientSink *s);

static int on_writable(EventSource *source, int fd, uint32_t revents, void *userdata)
{
        flush(userdata);
        return 0;
}

static void update_source(ClientSink *s)
{
        if (s->fd < 0)
                return;
        if (!s->source && s->n_pending > 0) {
                int r = event_add_io(s->event, &s->source, s->fd, EPOLLOUT, on_writable, s);
                if (r < 0)
                        return drop(s, r);
        }
        if (s->source)
                (void)event_source_set_enabled(s->source, s->n_pending > 0 ? EVENT_ON : EVENT_OFF);
}

static void enqueue(ClientSink *s, const char *p, size_t n)
{
        if (s->n_pending + n > CLIENT_PENDING_MAX)
                return drop(s, -ENOBUFS);
        if (s->n_pending + n > s->allocated) {
                size_t a = MIN(MAX(s->allocated * 2, s->n_pending + n), (size_t)CLIENT_PENDING_MAX);
                char *b = realloc(s->pending, a);
                if (!b)
                        return drop(s, -ENOMEM);
                s->pending = b;
                s->allocated = a;
        }
        memcpy(s->pending + s->n_pending, p, n);
        s->n_pending += n;
        update_source(s);
}

void client_sink_write(ClientSink *s, const void *p, size_t n)
{
        if (!s || s->fd < 0 || n == 0)
                return;
        if (s->n_pending > 0)
                return enqueue(s, p, n);

        ssize_t k = write_some(s, p, n);
        if (k < 0)
                return drop(s, (int)k);
        if ((size_t)k < n)
                enqueue(s, (const char *)p + k, n - (size_t)k);
}

static void flush(ClientSink *s)
{
        if (s->fd < 0 || s->n_pending == 0)
                return;
        ssize_t k = write_some(s, s->pending, s->n_pending);
        if (k < 0)
                return drop(s, (int)k);
        memmove(s->pending, s->pending + k, s->n_pending - (size_t)k);
        s->n_pending -= (size_t)k;
        update_source(s);
}

bool client_sink_is_flushed(const ClientSink *s)
{
        return !s || s->fd < 0 || s->n_pending == 0;
}
