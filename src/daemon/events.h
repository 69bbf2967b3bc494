/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

typedef struct Container Container;
typedef struct Manager Manager;

typedef struct EventDetails {
        int exit_status;      /* "die": ≥ 0 */
        int signal;           /* "kill": > 0 */
        const char *old_name; /* "rename" */
} EventDetails;

#define EVENT_NO_DETAILS ((EventDetails){.exit_status = -1})

/* Records a lifecycle event: a journal entry with the event's MESSAGE_ID and the Manager's Event
 * signal. event is one of create, start, die, oom, restart, stop, kill, rename, remove. */
void container_event(Container *c, const char *event, EventDetails details);

/* Records an image event the same way, with RAIND_EVENT_TYPE=image and the Event signal's details
 * holding Type "image": pull, push, tag, untag, delete, import, load, save. id is the image id (push:
 * the manifest digest), name the reference concerned (may be NULL). */
void image_event(Manager *m, const char *event, const char *id, const char *name);
