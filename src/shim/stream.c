/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "raind/log.h"
#include "raind/stream-protocol.h"
#include "stream.h"

typedef struct Packet {
        struct Packet *next;
        size_t size;
        uint8_t data[];
} Packet;

struct Stream {
        int fd;
        EventSource *source;
        bool drop_when_behind;
        bool stdin;
        bool reading;
        bool closing; /* STREAM_EXIT is queued: close once everything is sent */
        bool dead;
        Packet *head, *tail;
        size_t n_pending;
        stream_packet_handler_t handler;
        void *userdata;
};

static void update_events(Stream *s)
{
        if (s->dead)
                return;
        uint32_t events = (s->reading && !s->closing ? EPOLLIN : 0) | (s->head ? EPOLLOUT : 0);
        /* With no events at all epoll would still report a hangup, again and again: switch off. */
        (void)event_source_set_io_events(s->source, events ?: EPOLLIN);
        (void)event_source_set_enabled(s->source, events ? EVENT_ON : EVENT_OFF);
}

static void drop_queue(Stream *s)
{
        while (s->head) {
                Packet *p = s->head;
                s->head = p->next;
                free(p);
        }
        s->tail = NULL;
        s->n_pending = 0;
}

static void kill_stream(Stream *s)
{
        if (s->dead)
                return;
        s->dead = true;
        drop_queue(s);
        (void)event_source_set_enabled(s->source, EVENT_OFF);
}

/* 1 if sent, 0 if the socket is full, negative errno. */
static int send_packet(Stream *s, const uint8_t *data, size_t size)
{
        for (;;) {
                if (send(s->fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
                        return 1;
                if (errno == EINTR)
                        continue;
                return errno == EAGAIN ? 0 : -errno;
        }
}

static void send_failed(Stream *s, int error)
{
        if (error == -EPIPE || error == -ECONNRESET)
                log_debug("Client went away, closing its stream.");
        else
                log_warning_errno(error, "Failed to write to a client's stream, closing it: %m");
        kill_stream(s);
}

static void flush(Stream *s)
{
        while (s->head) {
                Packet *p = s->head;
                int r = send_packet(s, p->data, p->size);
                if (r < 0)
                        return send_failed(s, r);
                if (r == 0)
                        break;
                s->head = p->next;
                if (!s->head)
                        s->tail = NULL;
                s->n_pending -= p->size;
                free(p);
        }
        if (!s->head && s->closing)
                return kill_stream(s);
        update_events(s);
}

static void enqueue(Stream *s, const uint8_t *data, size_t size)
{
        if (s->drop_when_behind && s->n_pending + size > STREAM_PENDING_MAX) {
                log_warning("Client fell more than %u KiB behind the output, dropping it.",
                            STREAM_PENDING_MAX / 1024);
                return kill_stream(s);
        }
        Packet *p = malloc(sizeof(Packet) + size);
        if (!p) {
                log_oom();
                return kill_stream(s);
        }
        p->next = NULL;
        p->size = size;
        memcpy(p->data, data, size);
        if (s->tail)
                s->tail->next = p;
        else
                s->head = p;
        s->tail = p;
        s->n_pending += size;
        update_events(s);
}

static void send_one(Stream *s, uint8_t type, const void *data, size_t size)
{
        static uint8_t buf[1 + STREAM_PAYLOAD_MAX];

        buf[0] = type;
        memcpy(buf + 1, data, size);
        if (!s->head) {
                int r = send_packet(s, buf, size + 1);
                if (r < 0)
                        return send_failed(s, r);
                if (r > 0)
                        return;
        }
        enqueue(s, buf, size + 1);
}

void stream_send(Stream *s, uint8_t type, const void *data, size_t size)
{
        const uint8_t *p = data;

        do {
                size_t n = MIN(size, (size_t)STREAM_PAYLOAD_MAX);
                if (s->dead || s->closing)
                        return;
                send_one(s, type, p, n);
                p += n;
                size -= n;
        } while (size > 0);
}

void stream_send_error(Stream *s, const char *line)
{
        stream_send(s, STREAM_ERROR, line, strlen(line));
}

static void int32_le(int v, uint8_t ret[static 4])
{
        for (unsigned i = 0; i < 4; i++)
                ret[i] = (uint8_t)((uint32_t)v >> (8 * i));
}

void stream_send_exit(Stream *s, int status)
{
        uint8_t le[4];

        int32_le(status, le);
        stream_send(s, STREAM_EXIT, le, sizeof(le));
        if (s->dead)
                return;
        s->closing = true;
        if (!s->head)
                kill_stream(s);
        else
                update_events(s);
}

static void receive(Stream *s)
{
        static uint8_t buf[1 + STREAM_PAYLOAD_MAX];
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

        /* One packet per wakeup: the owner may hold the client back before the next one. */
        ssize_t n = recvmsg(s->fd, &mh, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n < 0) {
                if (errno != ECONNRESET)
                        log_warning_errno(-errno, "Failed to read from a client's stream, closing it: %m");
                return kill_stream(s);
        }
        if (n == 0) {
                log_debug("Client closed its stream.");
                return kill_stream(s);
        }
        if (mh.msg_flags & MSG_TRUNC) {
                log_warning("Client sent a packet of more than %u bytes, closing its stream.",
                            STREAM_PAYLOAD_MAX);
                return kill_stream(s);
        }
        s->handler(s, buf[0], buf + 1, (size_t)n - 1, s->userdata);
}

static int on_io(EventSource *source, int fd, uint32_t revents, void *userdata)
{
        Stream *s = userdata;

        if (revents & EPOLLOUT)
                flush(s);
        if (!s->dead && s->reading && !s->closing && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                receive(s);
        else if (!s->dead && (revents & (EPOLLHUP | EPOLLERR)) && !(revents & EPOLLOUT))
                flush(s); /* not reading: a hangup shows when writing fails */
        return 0;
}

int stream_new(EventLoop *event, int fd, bool drop_when_behind, stream_packet_handler_t handler,
               void *userdata, Stream **ret)
{
        int type = 0;
        socklen_t len = sizeof(type);

        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_SEQPACKET) {
                safe_close(fd);
                return -ENOTSOCK;
        }
        Stream *s = calloc(1, sizeof(Stream));
        if (!s) {
                safe_close(fd);
                return -ENOMEM;
        }
        *s = (Stream){
            .fd = fd,
            .drop_when_behind = drop_when_behind,
            .reading = true,
            .handler = handler,
            .userdata = userdata,
        };
        int r = event_add_io(event, &s->source, fd, EPOLLIN, on_io, s);
        if (r < 0) {
                stream_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

/* Closing a unix socket with unread input makes the client's next recv() fail with ECONNRESET, ahead
 * of what we sent it (STREAM_EXIT): read what it sent last and drop it. */
static void discard_input(int fd)
{
        for (unsigned i = 0; i < 1024; i++)
                if (recv(fd, NULL, 0, MSG_DONTWAIT | MSG_TRUNC) <= 0)
                        break;
}

void stream_fd_send_failure(int fd, int exit_code, const char *message)
{
        uint8_t error[1 + 1024], exit[1 + 4] = {STREAM_EXIT};
        size_t n = MIN(strlen(message), sizeof(error) - 1);

        error[0] = STREAM_ERROR;
        memcpy(error + 1, message, n);
        int32_le(exit_code, exit + 1);
        (void)send(fd, error, 1 + n, MSG_DONTWAIT | MSG_NOSIGNAL);
        (void)send(fd, exit, sizeof(exit), MSG_DONTWAIT | MSG_NOSIGNAL);
        discard_input(fd);
}

Stream *stream_free(Stream *s)
{
        if (!s)
                return NULL;
        /* Before the fd: epoll must forget it while the number still means this socket. */
        event_source_disable_unref(s->source);
        discard_input(s->fd);
        safe_close(s->fd);
        drop_queue(s);
        free(s);
        return NULL;
}

void stream_set_reading(Stream *s, bool reading)
{
        if (s->reading == reading)
                return;
        s->reading = reading;
        update_events(s);
}

bool stream_is_congested(const Stream *s)
{
        return s->n_pending > STREAM_PENDING_HIGH;
}

bool stream_is_dead(const Stream *s)
{
        return s->dead;
}

bool stream_has_stdin(const Stream *s)
{
        return s->stdin;
}

void stream_set_stdin(Stream *s, bool b)
{
        s->stdin = b;
}
