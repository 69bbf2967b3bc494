/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The shim's event loop: the part of sd-event it needs, on epoll, so that raind-shim links no
 * libsystemd (one shim runs beside every container: its memory counts). The semantics follow
 * sd-event's:
 *   - io sources are level-triggered; time sources fire once (EVENT_ONESHOT) at an absolute
 *     CLOCK_MONOTONIC time; post sources run after any other source ran;
 *   - one source is dispatched per iteration, the pending one with the lowest priority value first,
 *     then the one pending longest;
 *   - a source may be disabled or freed from any callback, its own included;
 *   - a callback's negative return disables its source (sd-event logs and does the same). */

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <time.h>

#include "raind/macro.h"

typedef struct EventLoop EventLoop;
typedef struct EventSource EventSource;

typedef int (*event_io_handler_t)(EventSource *s, int fd, uint32_t revents, void *userdata);
typedef int (*event_time_handler_t)(EventSource *s, uint64_t usec, void *userdata);
typedef int (*event_handler_t)(EventSource *s, void *userdata);

enum {
        EVENT_OFF = 0,
        EVENT_ON = 1,
        EVENT_ONESHOT = -1,
};

#define EVENT_PRIORITY_NORMAL 0

int event_new(EventLoop **ret);
EventLoop *event_unref(EventLoop *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(EventLoop *, event_unref);

/* Runs until event_exit(); returns its code. */
int event_loop(EventLoop *e);
int event_exit(EventLoop *e, int code);

/* ret may be NULL: the source then belongs to the loop until the loop is freed. */
int event_add_io(EventLoop *e, EventSource **ret, int fd, uint32_t events, event_io_handler_t handler,
                 void *userdata);
int event_add_time(EventLoop *e, EventSource **ret, clockid_t clock, uint64_t usec, uint64_t accuracy,
                   event_time_handler_t handler, void *userdata);
int event_add_time_relative(EventLoop *e, EventSource **ret, clockid_t clock, uint64_t usec,
                            uint64_t accuracy, event_time_handler_t handler, void *userdata);
int event_add_post(EventLoop *e, EventSource **ret, event_handler_t handler, void *userdata);

int event_source_set_enabled(EventSource *s, int enabled);
int event_source_set_priority(EventSource *s, int64_t priority);
int event_source_set_io_events(EventSource *s, uint32_t events);
int event_source_set_time_relative(EventSource *s, uint64_t usec);
/* Disables and frees s (or marks it for freeing when it is being dispatched); NULL-safe, returns NULL. */
EventSource *event_source_disable_unref(EventSource *s);
