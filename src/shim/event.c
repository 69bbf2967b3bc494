/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "event.h"
#include "raind/util.h"

#define EPOLL_EVENTS_MAX 32

typedef enum SourceType {
        SOURCE_IO,
        SOURCE_TIME,
        SOURCE_POST,
} SourceType;

struct EventSource {
        EventLoop *loop;
        EventSource *next;
        uint64_t id; /* what epoll hands back: a freed source is never looked up by pointer */
        SourceType type;
        int enabled;
        int64_t priority;
        bool pending;
        uint64_t pending_seq;
        bool dispatching;
        bool dead; /* freed during its own dispatch */
        void *userdata;
        event_io_handler_t io;
        event_time_handler_t time;
        event_handler_t post;
        /* io */
        int fd;
        uint32_t events;
        uint32_t revents;
        bool in_epoll;
        /* time: CLOCK_MONOTONIC µs */
        uint64_t usec;
};

struct EventLoop {
        int epoll_fd;
        EventSource *sources;
        uint64_t next_id;
        uint64_t seq;
        bool exiting;
        int exit_code;
};

int event_new(EventLoop **ret)
{
        EventLoop *e = new0(EventLoop, 1);

        if (!e)
                return -ENOMEM;
        e->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (e->epoll_fd < 0) {
                int r = -errno;
                free(e);
                return r;
        }
        *ret = e;
        return 0;
}

static void source_free(EventSource *s)
{
        EventLoop *e = s->loop;

        for (EventSource **p = &e->sources; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        break;
                }
        free(s);
}

EventLoop *event_unref(EventLoop *e)
{
        if (!e)
                return NULL;
        while (e->sources) {
                EventSource *s = e->sources;
                e->sources = s->next;
                free(s);
        }
        safe_close(e->epoll_fd);
        free(e);
        return NULL;
}

static int io_update(EventSource *s)
{
        EventLoop *e = s->loop;
        bool want = s->enabled != EVENT_OFF && !s->dead;

        if (!want) {
                if (s->in_epoll)
                        (void)epoll_ctl(e->epoll_fd, EPOLL_CTL_DEL, s->fd, NULL);
                s->in_epoll = false;
                return 0;
        }
        struct epoll_event ev = {.events = s->events, .data.u64 = s->id};
        if (epoll_ctl(e->epoll_fd, s->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s->fd, &ev) < 0)
                return -errno;
        s->in_epoll = true;
        return 0;
}

static EventSource *source_new(EventLoop *e, SourceType type, void *userdata)
{
        EventSource *s = new0(EventSource, 1);

        if (!s)
                return NULL;
        s->loop = e;
        s->type = type;
        s->id = ++e->next_id;
        s->fd = -EBADF;
        s->userdata = userdata;
        s->priority = EVENT_PRIORITY_NORMAL;
        s->next = e->sources;
        e->sources = s;
        return s;
}

int event_add_io(EventLoop *e, EventSource **ret, int fd, uint32_t events, event_io_handler_t handler,
                 void *userdata)
{
        EventSource *s;
        int r;

        if (fd < 0)
                return -EBADF;
        s = source_new(e, SOURCE_IO, userdata);
        if (!s)
                return -ENOMEM;
        s->io = handler;
        s->fd = fd;
        s->events = events;
        s->enabled = EVENT_ON;
        r = io_update(s);
        if (r < 0) {
                source_free(s);
                return r;
        }
        if (ret)
                *ret = s;
        return 0;
}

int event_add_time(EventLoop *e, EventSource **ret, clockid_t clock, uint64_t usec, uint64_t accuracy,
                   event_time_handler_t handler, void *userdata)
{
        EventSource *s;

        if (clock != CLOCK_MONOTONIC)
                return -EOPNOTSUPP;
        s = source_new(e, SOURCE_TIME, userdata);
        if (!s)
                return -ENOMEM;
        s->time = handler;
        s->usec = usec;
        s->enabled = EVENT_ONESHOT;
        if (ret)
                *ret = s;
        return 0;
}

int event_add_time_relative(EventLoop *e, EventSource **ret, clockid_t clock, uint64_t usec,
                            uint64_t accuracy, event_time_handler_t handler, void *userdata)
{
        return event_add_time(e, ret, clock, now_usec(CLOCK_MONOTONIC) + usec, accuracy, handler, userdata);
}

int event_add_post(EventLoop *e, EventSource **ret, event_handler_t handler, void *userdata)
{
        EventSource *s = source_new(e, SOURCE_POST, userdata);

        if (!s)
                return -ENOMEM;
        s->post = handler;
        s->enabled = EVENT_ON;
        if (ret)
                *ret = s;
        return 0;
}

int event_source_set_enabled(EventSource *s, int enabled)
{
        if (!s)
                return -EINVAL;
        s->enabled = enabled;
        if (enabled == EVENT_OFF)
                s->pending = false;
        return s->type == SOURCE_IO ? io_update(s) : 0;
}

int event_source_set_priority(EventSource *s, int64_t priority)
{
        if (!s)
                return -EINVAL;
        s->priority = priority;
        return 0;
}

int event_source_set_io_events(EventSource *s, uint32_t events)
{
        if (!s || s->type != SOURCE_IO)
                return -EINVAL;
        s->events = events;
        s->pending = false;
        return io_update(s);
}

int event_source_set_time_relative(EventSource *s, uint64_t usec)
{
        if (!s || s->type != SOURCE_TIME)
                return -EINVAL;
        s->usec = now_usec(CLOCK_MONOTONIC) + usec;
        s->pending = false;
        return 0;
}

EventSource *event_source_disable_unref(EventSource *s)
{
        if (!s)
                return NULL;
        (void)event_source_set_enabled(s, EVENT_OFF);
        if (s->dispatching)
                s->dead = true;
        else
                source_free(s);
        return NULL;
}

int event_exit(EventLoop *e, int code)
{
        e->exiting = true;
        e->exit_code = code;
        return 0;
}

static EventSource *source_by_id(EventLoop *e, uint64_t id)
{
        for (EventSource *s = e->sources; s; s = s->next)
                if (s->id == id)
                        return s;
        return NULL;
}

static void mark_pending(EventLoop *e, EventSource *s)
{
        if (s->pending)
                return;
        s->pending = true;
        s->pending_seq = ++e->seq;
}

/* The next source to dispatch: lowest priority value, then first come first (as sd-event). */
static EventSource *next_pending(EventLoop *e)
{
        EventSource *best = NULL;

        for (EventSource *s = e->sources; s; s = s->next) {
                if (!s->pending || s->enabled == EVENT_OFF)
                        continue;
                if (!best || s->priority < best->priority ||
                    (s->priority == best->priority && s->pending_seq < best->pending_seq))
                        best = s;
        }
        return best;
}

/* Milliseconds until the earliest enabled timer (rounded up), -1 without one, 0 when work waits. */
static int poll_timeout(EventLoop *e)
{
        uint64_t earliest = UINT64_MAX, now;

        for (EventSource *s = e->sources; s; s = s->next) {
                if (s->pending && s->enabled != EVENT_OFF)
                        return 0;
                if (s->type == SOURCE_TIME && s->enabled != EVENT_OFF && s->usec < earliest)
                        earliest = s->usec;
        }
        if (earliest == UINT64_MAX)
                return -1;
        now = now_usec(CLOCK_MONOTONIC);
        if (earliest <= now)
                return 0;
        uint64_t ms = (earliest - now + 999) / 1000;
        return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

static int dispatch(EventLoop *e, EventSource *s)
{
        int r = 0;

        s->pending = false;
        if (s->enabled == EVENT_ONESHOT)
                (void)event_source_set_enabled(s, EVENT_OFF);
        s->dispatching = true;
        switch (s->type) {
        case SOURCE_IO:
                r = s->io(s, s->fd, s->revents, s->userdata);
                break;
        case SOURCE_TIME:
                r = s->time(s, s->usec, s->userdata);
                break;
        case SOURCE_POST:
                r = s->post(s, s->userdata);
                break;
        }
        s->dispatching = false;
        if (r < 0 && !s->dead)
                (void)event_source_set_enabled(s, EVENT_OFF);
        /* Any other source makes the post sources pending. */
        if (s->type != SOURCE_POST)
                for (EventSource *p = e->sources; p; p = p->next)
                        if (p->type == SOURCE_POST && p->enabled != EVENT_OFF)
                                mark_pending(e, p);
        if (s->dead)
                source_free(s);
        return 0;
}

static int event_run_once(EventLoop *e)
{
        struct epoll_event events[EPOLL_EVENTS_MAX];
        int n;

        n = epoll_wait(e->epoll_fd, events, EPOLL_EVENTS_MAX, poll_timeout(e));
        if (n < 0) {
                if (errno == EINTR)
                        return 0;
                return -errno;
        }
        for (int i = 0; i < n; i++) {
                EventSource *s = source_by_id(e, events[i].data.u64);
                if (!s || s->enabled == EVENT_OFF)
                        continue;
                s->revents = events[i].events;
                mark_pending(e, s);
        }
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        for (EventSource *s = e->sources; s; s = s->next)
                if (s->type == SOURCE_TIME && s->enabled != EVENT_OFF && s->usec <= now)
                        mark_pending(e, s);

        EventSource *s = next_pending(e);
        if (s)
                return dispatch(e, s);
        return 0;
}

int event_loop(EventLoop *e)
{
        while (!e->exiting) {
                int r = event_run_once(e);
                if (r < 0)
                        return r;
        }
        return e->exit_code;
}
