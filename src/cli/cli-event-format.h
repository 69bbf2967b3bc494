/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* The lines of "raind events", made from the journal entries raindd writes for container events
 * (include/raind/message-ids.h). Pure: no journal, so it can be tested. */

typedef struct Event {
        uint64_t time_usec;      /* µs since the epoch */
        const char *type;        /* RAIND_EVENT_TYPE: "container" (NULL too) or "image" */
        const char *action;      /* RAIND_EVENT: "create", "start", "die", … */
        const char *id;          /* CONTAINER_ID_FULL; image events: RAIND_IMAGE_ID */
        const char *name;        /* CONTAINER_NAME; image events: RAIND_IMAGE_NAME */
        const char *image;       /* IMAGE_NAME */
        const char *exit_status; /* EXIT_STATUS (die) */
        const char *signal;      /* SIGNAL (kill) */
        const char *old_name;    /* OLD_NAME (rename) */
} Event;                         /* Any field but time_usec may be NULL: not in the entry. */

/* Every event kind with its MESSAGE_ID, in the order of message-ids.h; NULL-terminated. */
typedef struct EventKind {
        const char *action;
        const char *message_id;
        const char *type; /* "container" or "image" */
} EventKind;
extern const EventKind event_kinds[];

/* The kind of an action, NULL when unknown. */
const EventKind *event_kind_from_action(const char *action);
/* The action for a MESSAGE_ID, NULL when it is none of ours. */
const char *event_action_from_message_id(const char *message_id);
/* The MESSAGE_ID of an action, NULL when unknown. */
const char *event_message_id_from_action(const char *action);

/* As docker prints events, time in UTC with nanoseconds:
 * "2026-11-24T12:00:00.000000000Z container die <id> (name=web, image=busybox:test, exitCode=7)". */
int event_format_line(const Event *e, char **ret);

/* Image events: "… image pull <id> (name=busybox:latest)".
 * {"Time": RFC 3339 with nanoseconds, "TimeUSec", "Type": "container" or "image", "Action", "Id", "Name",
 * "Image", and "ExitStatus", "Signal" (numbers) or "OldName" where the event has them}. */
int event_to_json(const Event *e, json_object **ret);

/* --filter container=X: X is the container's name, its old name (rename), or a prefix of its id. */
bool event_matches_container(const Event *e, const char *filter);
