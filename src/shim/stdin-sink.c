/* SPDX-License-Identifier: Apache-2.0 */
#include <sys/epoll.h>

#include "raind/log.h"
#include "stdin-sink.h"

struct StdinSink {
        int fd;
        EventSource *source;
        char *pending;
        size_t n_pending;
        size_t allocated;
        bool close_requested;
};

static void close_fd(StdinSink *s)
{
        s->source = event_source_disable_unref(s->source);
        s->fd = safe_close(s->fd);
        free(s->pending);
        s->pending = NULL;
        s->n_pending = s->allocated = 0;
}

/* Bytes written, 0 if the fd is full, or a negative errno. */
static ssize_t write_some(StdinSink *s, const char *p, size_t n)
{
        for (;;) {
                ssize_t k = write(s->fd, p, n);
                if (k >= 0)
                        return k;
                if (errno == EINTR)
                        continue;
                return errno == EAGAIN ? 0 : -errno;
        }
}

static void write_failed(StdinSink *s, int error)
{
        /* EPIPE: nobody reads the pipe any more; EIO: the pty's other side is gone. */
        if (error == -EPIPE || error == -EIO)
                log_debug("The process closed its stdin, discarding input.");
        else
                log_warning_errno(error, "Failed to write to the process's stdin, discarding input: %m");
        close_fd(s);
}

static void update(StdinSink *s)
{
        if (s->fd < 0)
                return;
        if (s->n_pending == 0 && s->close_requested)
                return close_fd(s);
        (void)event_source_set_enabled(s->source, s->n_pending > 0 ? EVENT_ON : EVENT_OFF);
}

static void flush(StdinSink *s)
{
        if (s->n_pending > 0) {
                ssize_t k = write_some(s, s->pending, s->n_pending);
                if (k < 0)
                        return write_failed(s, (int)k);
                memmove(s->pending, s->pending + k, s->n_pending - (size_t)k);
                s->n_pending -= (size_t)k;
        }
        update(s);
}

static int on_writable(EventSource *source, int fd, uint32_t revents, void *userdata)
{
        flush(userdata);
        return 0;
}

static int enqueue(StdinSink *s, const char *p, size_t n)
{
        if (s->n_pending + n > s->allocated) {
                size_t a = MAX(s->allocated * 2, s->n_pending + n);
                char *b = realloc(s->pending, a);
                if (!b)
                        return -ENOMEM;
                s->pending = b;
                s->allocated = a;
        }
        memcpy(s->pending + s->n_pending, p, n);
        s->n_pending += n;
        return 0;
}

void stdin_sink_write(StdinSink *s, const void *data, size_t size)
{
        ssize_t k = 0;

        if (!s || s->fd < 0 || s->close_requested || size == 0)
                return;
        if (s->n_pending == 0) {
                k = write_some(s, data, size);
                if (k < 0)
                        return write_failed(s, (int)k);
        }
        if ((size_t)k < size && enqueue(s, (const char *)data + k, size - (size_t)k) < 0)
                return write_failed(s, -ENOMEM);
        update(s);
}

void stdin_sink_close(StdinSink *s)
{
        if (!s)
                return;
        s->close_requested = true;
        update(s);
}

bool stdin_sink_is_full(const StdinSink *s)
{
        return s && s->n_pending >= STDIN_PENDING_HIGH;
}

bool stdin_sink_is_closed(const StdinSink *s)
{
        return !s || s->fd < 0;
}

int stdin_sink_new(EventLoop *event, int fd, StdinSink **ret)
{
        StdinSink *s = calloc(1, sizeof(StdinSink));
        if (!s) {
                safe_close(fd);
                return -ENOMEM;
        }
        s->fd = fd;
        int r = event_add_io(event, &s->source, fd, EPOLLOUT, on_writable, s);
        if (r >= 0)
                r = event_source_set_enabled(s->source, EVENT_OFF);
        if (r < 0) {
                stdin_sink_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

StdinSink *stdin_sink_free(StdinSink *s)
{
        if (!s)
                return NULL;
        close_fd(s);
        free(s);
        return NULL;
}
