/* SPDX-License-Identifier: Apache-2.0 */
#include <time.h>

#include "raind/json-util.h"
#include "raind/macro.h"
#include "raind/message-ids.h"
#include "raind/util.h"

#include "cli-event-format.h"
#include "cli-json.h"

#define EVENT_TIME_MAX 48

const EventKind event_kinds[] = {
    {"create", RAIND_MESSAGE_CREATE, "container"},   {"start", RAIND_MESSAGE_START, "container"},
    {"die", RAIND_MESSAGE_DIE, "container"},         {"oom", RAIND_MESSAGE_OOM, "container"},
    {"restart", RAIND_MESSAGE_RESTART, "container"}, {"stop", RAIND_MESSAGE_STOP, "container"},
    {"kill", RAIND_MESSAGE_KILL, "container"},       {"rename", RAIND_MESSAGE_RENAME, "container"},
    {"remove", RAIND_MESSAGE_REMOVE, "container"},   {"pull", RAIND_MESSAGE_IMAGE_PULL, "image"},
    {"push", RAIND_MESSAGE_IMAGE_PUSH, "image"},     {"tag", RAIND_MESSAGE_IMAGE_TAG, "image"},
    {"untag", RAIND_MESSAGE_IMAGE_UNTAG, "image"},   {"delete", RAIND_MESSAGE_IMAGE_DELETE, "image"},
    {"import", RAIND_MESSAGE_IMAGE_IMPORT, "image"}, {"load", RAIND_MESSAGE_IMAGE_LOAD, "image"},
    {"save", RAIND_MESSAGE_IMAGE_SAVE, "image"},     {},
};

const EventKind *event_kind_from_action(const char *action)
{
        for (const EventKind *k = event_kinds; k->action; k++)
                if (streq_ptr(k->action, action))
                        return k;
        return NULL;
}

const char *event_action_from_message_id(const char *message_id)
{
        for (const EventKind *k = event_kinds; k->action; k++)
                if (streq(k->message_id, message_id))
                        return k->action;
        return NULL;
}

const char *event_message_id_from_action(const char *action)
{
        for (const EventKind *k = event_kinds; k->action; k++)
                if (streq(k->action, action))
                        return k->message_id;
        return NULL;
}

static const char *format_time_nsec(char buf[static EVENT_TIME_MAX], uint64_t usec)
{
        time_t sec = (time_t)(usec / USEC_PER_SEC);
        struct tm tm;
        size_t n;

        if (!gmtime_r(&sec, &tm))
                return NULL;
        n = strftime(buf, EVENT_TIME_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
        if (n == 0)
                return NULL;
        snprintf(buf + n, EVENT_TIME_MAX - n, ".%06u000Z", (unsigned)(usec % USEC_PER_SEC));
        return buf;
}

/* Journal fields are anybody's bytes: keep every event on one line. */
static void put_value(FILE *f, const char *s)
{
        for (const unsigned char *p = (const unsigned char *)strempty(s); *p; p++)
                fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
}

static void put_attribute(FILE *f, bool *first, const char *key, const char *value)
{
        if (!value)
                return;
        fputs(*first ? " (" : ", ", f);
        *first = false;
        fprintf(f, "%s=", key);
        put_value(f, value);
}

int event_format_line(const Event *e, char **ret)
{
        _cleanup_free_ char *buf = NULL;
        char time[EVENT_TIME_MAX];
        size_t size = 0;
        bool first = true;
        FILE *f;

        if (!format_time_nsec(time, e->time_usec))
                return -ERANGE;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        bool image = streq_ptr(e->type, "image");
        fprintf(f, "%s %s ", time, image ? "image" : "container");
        put_value(f, e->action ?: "unknown");
        fputc(' ', f);
        /* Docker names an image by its reference where it has no id to show (tag, load, save). */
        put_value(f, !isempty(e->id) ? e->id : image && e->name ? e->name : "-");
        put_attribute(f, &first, "name", e->name);
        put_attribute(f, &first, "image", e->image);
        put_attribute(f, &first, "exitCode", e->exit_status);
        put_attribute(f, &first, "signal", e->signal);
        put_attribute(f, &first, "oldName", e->old_name);
        if (!first)
                fputc(')', f);
        if (fclose(f) != 0)
                return -ENOMEM;

        *ret = TAKE_PTR(buf);
        return 0;
}

/* A number as a number; anything else as the string it is. */
static json_object *json_new_number_or_string(const char *s)
{
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (!isempty(s) && !*end && errno == 0)
                return json_object_new_int64(v);
        return json_object_new_string(s);
}

static int add_string(json_object *o, const char *key, const char *value)
{
        return value ? json_add_new(o, key, json_object_new_string(value)) : 0;
}

int event_to_json(const Event *e, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        char time[EVENT_TIME_MAX];
        int r;

        if (!o)
                return -ENOMEM;
        if (!format_time_nsec(time, e->time_usec))
                return -ERANGE;
        r = json_add_new(o, "Time", json_object_new_string(time));
        if (r >= 0)
                r = json_add_new(o, "TimeUSec", json_object_new_uint64(e->time_usec));
        if (r >= 0)
                r = json_add_new(
                    o, "Type", json_object_new_string(streq_ptr(e->type, "image") ? "image" : "container"));
        if (r >= 0)
                r = add_string(o, "Action", e->action);
        if (r >= 0)
                r = add_string(o, "Id", e->id);
        if (r >= 0)
                r = add_string(o, "Name", e->name);
        if (r >= 0)
                r = add_string(o, "Image", e->image);
        if (r >= 0 && e->exit_status)
                r = json_add_new(o, "ExitStatus", json_new_number_or_string(e->exit_status));
        if (r >= 0 && e->signal)
                r = json_add_new(o, "Signal", json_new_number_or_string(e->signal));
        if (r >= 0)
                r = add_string(o, "OldName", e->old_name);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(o);
        return 0;
}

bool event_matches_container(const Event *e, const char *filter)
{
        if (streq_ptr(e->type, "image"))
                return false;
        if (streq_ptr(e->name, filter) || streq_ptr(e->old_name, filter))
                return true;
        return e->id && !isempty(filter) && startswith(e->id, filter);
}
