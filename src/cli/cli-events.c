/* SPDX-License-Identifier: Apache-2.0 */
/* raind events: container lifecycle and image events, as raindd writes them to the journal. */
#include <getopt.h>
#include <inttypes.h>

#include "raind/log.h"
#include "raind/image-store.h"
#include "raind/macro.h"
#include "raind/strv.h"
#include "raind/util.h"
#include "raind/validate.h"

#include "cli-error.h"
#include "cli-event-format.h"
#include "cli-journal.h"
#include "cli-json.h"
#include "cli-since.h"
#include "cli-usage.h"
#include "cli.h"

#define EVENTS_FILTERS_MAX 64

typedef struct EventsOptions {
        uint64_t since, until; /* µs since the epoch, 0: not given */
        bool json;
        char **containers; /* --filter container=…, any of them */
        char **actions;    /* --filter event=…, any of them */
        char **types;      /* --filter type=container|image, any of them */
        char **images; /* --filter image=REF: image events of REF, container events of containers of REF */
} EventsOptions;

static void events_options_done(EventsOptions *o)
{
        strv_free(o->containers);
        strv_free(o->actions);
        strv_free(o->types);
        strv_free(o->images);
}

/* The strings of one entry; Event points into them. */
typedef struct EventFields {
        char *type, *action, *id, *name, *image, *exit_status, *signal, *old_name;
} EventFields;

static void event_fields_done(EventFields *f)
{
        free(f->type);
        free(f->action);
        free(f->id);
        free(f->name);
        free(f->image);
        free(f->exit_status);
        free(f->signal);
        free(f->old_name);
}

/* The first of fields the entry has, into *ret; nothing when it has none. */
static int read_first_field(sd_journal *j, const char *const *fields, char **ret)
{
        int r;

        for (; *fields; fields++) {
                r = journal_entry_string(j, *fields, ret);
                if (r != -ENOENT)
                        return r == -ENOMEM ? r : 0;
        }
        return 0;
}

static int read_fields(sd_journal *j, EventFields *f)
{
        /* raindd's own fields first; CONTAINER_NAME and friends mark a container's output, but
         * are taken as well where an event carries them. */
        static const char *const type[] = {"RAIND_EVENT_TYPE", NULL}, *action[] = {"RAIND_EVENT", NULL},
                                 *id[] = {"RAIND_CONTAINER_ID_FULL", "CONTAINER_ID_FULL",
                                          "RAIND_CONTAINER_ID", "CONTAINER_ID", NULL},
                                 *name[] = {"RAIND_CONTAINER_NAME", "CONTAINER_NAME", NULL},
                                 *image[] = {"RAIND_IMAGE_NAME", "IMAGE_NAME", NULL},
                                 *image_id[] = {"RAIND_IMAGE_ID", NULL},
                                 *exit_status[] = {"EXIT_STATUS", NULL}, *sig[] = {"SIGNAL", NULL},
                                 *old_name[] = {"OLD_NAME", NULL};
        int r;

        r = read_first_field(j, type, &f->type);
        if (r >= 0)
                r = read_first_field(j, action, &f->action);
        /* An image event names the image: its id and reference. */
        bool image_event = streq_ptr(f->type, "image");
        if (r >= 0)
                r = read_first_field(j, image_event ? image_id : id, &f->id);
        if (r >= 0)
                r = read_first_field(j, image_event ? image : name, &f->name);
        if (r >= 0 && !image_event)
                r = read_first_field(j, image, &f->image);
        if (r >= 0)
                r = read_first_field(j, exit_status, &f->exit_status);
        if (r >= 0)
                r = read_first_field(j, sig, &f->signal);
        if (r >= 0)
                r = read_first_field(j, old_name, &f->old_name);
        if (r < 0)
                return r;

        if (!f->action) {
                _cleanup_free_ char *message_id = NULL;
                const char *a;

                if (journal_entry_string(j, "MESSAGE_ID", &message_id) >= 0 &&
                    (a = event_action_from_message_id(message_id))) {
                        f->action = strdup(a);
                        if (!f->action)
                                return -ENOMEM;
                }
        }
        return 0;
}

static bool event_wanted(const Event *e, const EventsOptions *o)
{
        const char *type = streq_ptr(e->type, "image") ? "image" : "container";
        bool match = strv_isempty(o->containers);

        if (!strv_isempty(o->types) && !strv_contains(o->types, type))
                return false;
        if (!strv_isempty(o->images)) {
                /* Image events carry the reference as name, container events as image. */
                const char *ref = streq(type, "image") ? e->name : e->image;
                bool found = false;
                STRV_FOREACH (i, o->images)
                        found = found || streq_ptr(ref, *i) ||
                                (e->id && streq(type, "image") &&
                                 startswith(e->id, startswith(*i, "sha256:") ?: *i));
                if (!found)
                        return false;
        }
        STRV_FOREACH (c, o->containers)
                if (event_matches_container(e, *c)) {
                        match = true;
                        break;
                }
        if (!match)
                return false;
        return strv_isempty(o->actions) || (e->action && strv_contains(o->actions, e->action));
}

/* Prints the current entry. Returns 1 once it is past --until. */
static int show_entry(sd_journal *j, const EventsOptions *o)
{
        _cleanup_(event_fields_done) EventFields f = {};
        _cleanup_free_ char *line = NULL;
        Event e;
        int r;

        r = sd_journal_get_realtime_usec(j, &e.time_usec);
        if (r < 0)
                return r;
        if (o->until > 0 && e.time_usec > o->until)
                return 1;
        r = read_fields(j, &f);
        if (r < 0)
                return r;
        e = (Event){.time_usec = e.time_usec,
                    .type = f.type,
                    .action = f.action,
                    .id = f.id,
                    .name = f.name,
                    .image = f.image,
                    .exit_status = f.exit_status,
                    .signal = f.signal,
                    .old_name = f.old_name};
        if (!event_wanted(&e, o))
                return 0;

        if (o->json) {
                _cleanup_json_ json_object *obj = NULL;

                r = event_to_json(&e, &obj);
                if (r < 0)
                        return r;
                puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
        } else {
                r = event_format_line(&e, &line);
                if (r < 0)
                        return r;
                puts(line);
        }
        fflush(stdout);
        return 0;
}

static int add_matches(sd_journal *j, const EventsOptions *o)
{
        bool first = true;
        int r;

        /* One match per MESSAGE_ID, any of them. */
        for (const EventKind *k = event_kinds; k->action; k++) {
                _cleanup_free_ char *match = NULL;

                if (!strv_isempty(o->actions) && !strv_contains(o->actions, k->action))
                        continue;
                if (!strv_isempty(o->types) && !strv_contains(o->types, k->type))
                        continue;
                /* Image events have no container to match. */
                if (!strv_isempty(o->containers) && streq(k->type, "image"))
                        continue;
                if (!first) {
                        r = sd_journal_add_disjunction(j);
                        if (r < 0)
                                return r;
                }
                first = false;
                if (asprintf(&match, "MESSAGE_ID=%s", k->message_id) < 0)
                        return -ENOMEM;
                r = sd_journal_add_match(j, match, 0);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int seek_start(sd_journal *j, uint64_t since)
{
        int r;

        if (since > 0)
                return sd_journal_seek_realtime_usec(j, since);
        /* Only what happens from now on: stand on the last event, so that next() finds new ones. */
        r = sd_journal_seek_tail(j);
        if (r < 0)
                return r;
        r = sd_journal_previous(j);
        return r < 0 ? r : 0;
}

static int follow(sd_journal *j, const EventsOptions *o)
{
        for (;;) {
                uint64_t timeout = UINT64_MAX, now;
                int r;

                while ((r = sd_journal_next(j)) > 0) {
                        r = show_entry(j, o);
                        if (r < 0)
                                return log_error_errno(r, "raind: Cannot show an event: %m");
                        if (r > 0)
                                return 0;
                }
                if (r < 0)
                        return log_error_errno(r, "raind: Cannot read the journal: %m");

                if (o->until > 0) {
                        now = now_usec(CLOCK_REALTIME);
                        if (now >= o->until)
                                return 0;
                        timeout = o->until - now;
                }
                r = sd_journal_wait(j, timeout);
                if (r < 0)
                        return log_error_errno(r, "raind: Cannot follow the journal: %m");
        }
}

static int parse_filter(EventsOptions *o, const char *arg)
{
        const char *v;

        if (strv_length(o->containers) + strv_length(o->actions) + strv_length(o->types) +
                strv_length(o->images) >=
            EVENTS_FILTERS_MAX)
                return cli_usage_error("Too many filters (at most %d)", EVENTS_FILTERS_MAX);
        if ((v = startswith(arg, "container="))) {
                if (isempty(v))
                        return cli_usage_error("Invalid filter '%s': expected container=NAME or ID", arg);
                return strv_extend(&o->containers, v) < 0 ? log_oom() : 0;
        }
        if ((v = startswith(arg, "event="))) {
                if (!event_message_id_from_action(v))
                        return cli_usage_error(
                            "Unknown event '%s': expected create, start, die, oom, restart, stop, kill, "
                            "rename, "
                            "remove, pull, push, tag, untag, delete, import, load or save",
                            v);
                return strv_extend(&o->actions, v) < 0 ? log_oom() : 0;
        }
        if ((v = startswith(arg, "type="))) {
                if (!streq(v, "container") && !streq(v, "image"))
                        return cli_usage_error("Unknown type '%s': expected container or image", v);
                return strv_extend(&o->types, v) < 0 ? log_oom() : 0;
        }
        if ((v = startswith(arg, "image="))) {
                _cleanup_free_ char *normalized = NULL;
                if (isempty(v))
                        return cli_usage_error("Invalid filter '%s': expected image=REFERENCE or ID", arg);
                /* Events name images as raindd normalizes them: "busybox" is "busybox:latest". */
                if (!id_prefix_is_valid(startswith(v, "sha256:") ?: v) &&
                    image_reference_normalize(v, &normalized) >= 0)
                        v = normalized;
                return strv_extend(&o->images, v) < 0 ? log_oom() : 0;
        }
        return cli_usage_error(
            "Unknown filter '%s': expected container=NAME, image=REF, event=EVENT or type=container|image",
            arg);
}

static void help_events(void)
{
        printf("Usage: %s [OPTIONS]\n"
               "\n"
               "Show container events (create, start, die, oom, restart, stop, kill, rename,\n"
               "remove) and image events (pull, push, tag, untag, delete, import, load, save) as\n"
               "raindd records them in the system journal, and keep showing new ones\n"
               "until Ctrl-C, or until the time given with --until. Reading the system journal\n"
               "needs root or membership in the group systemd-journal (or adm).\n"
               "\n"
               "Options:\n"
               "  -f, --filter KEY=VALUE   Only events of container=NAME (name or id prefix),\n"
               "                           image=REF (reference or id prefix), event=EVENT or\n"
               "                           type=container|image; filters with the same key add up\n"
               "      --json               Print one JSON object per event and line\n"
               "      --since WHEN         Show events since WHEN: a duration ago (10s, 5m, 2h),\n"
               "                           a Unix timestamp, YYYY-MM-DD[ HH:MM[:SS]] (local time)\n"
               "                           or RFC 3339\n"
               "      --until WHEN         Stop at WHEN, in the same forms\n"
               "  -h, --help               Show this help\n",
               cli_command());
}

int verb_events(int argc, char *argv[])
{
        enum { ARG_SINCE = 0x100, ARG_UNTIL, ARG_JSON };
        static const struct option options[] = {
            {"since", required_argument, NULL, ARG_SINCE},
            {"until", required_argument, NULL, ARG_UNTIL},
            {"json", no_argument, NULL, ARG_JSON},
            {"filter", required_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(events_options_done) EventsOptions o = {};
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        uint64_t now = now_usec(CLOCK_REALTIME);
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":f:h", options, NULL)) >= 0)
                switch (c) {
                case ARG_SINCE:
                case ARG_UNTIL:
                        if (parse_since(optarg, now, c == ARG_SINCE ? &o.since : &o.until) < 0)
                                return cli_usage_error(
                                    "Invalid time '%s': expected a duration (10s, 5m, 2h, 1d), "
                                    "a Unix timestamp, YYYY-MM-DD[ HH:MM[:SS]] or RFC 3339",
                                    optarg);
                        break;
                case ARG_JSON:
                        o.json = true;
                        break;
                case 'f':
                        r = parse_filter(&o, optarg);
                        if (r != 0)
                                return r;
                        break;
                case 'h':
                        help_events();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind < argc)
                return cli_usage_error("Unexpected argument '%s'", argv[optind]);
        if (o.since > 0 && o.until > 0 && o.until < o.since)
                return cli_usage_error("--until is before --since");
        /* docker's rule: --until alone means from the start. */
        if (o.until > 0 && o.since == 0 && o.until <= now)
                o.since = 1;

        if (journal_check_access() < 0) {
                log_error("raind: " JOURNAL_ACCESS_DENIED_TEXT);
                return EXIT_USAGE;
        }
        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot open the journal: %m");
                return EXIT_USAGE;
        }
        r = add_matches(j, &o);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot filter the journal: %m");
                return EXIT_USAGE;
        }
        r = seek_start(j, o.since);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot seek in the journal: %m");
                return EXIT_USAGE;
        }

        r = follow(j, &o);
        return r < 0 ? EXIT_USAGE : 0;
}
