/* SPDX-License-Identifier: Apache-2.0 */
/* raind container logs: a container's output, read from the journal as journalctl would. */
#include <getopt.h>
#include <systemd/sd-event.h>
#include <systemd/sd-journal.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/util.h"
#include "raind/validate.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-format.h"
#include "cli-journal.h"
#include "cli-since.h"
#include "cli-usage.h"
#include "cli.h"

/* After the container has exited, journald may still be writing its last lines: follow a little
 * longer, until it has been quiet this long. */
#define LOGS_SETTLE_USEC (250 * 1000ULL)

typedef struct Logs {
        sd_journal *journal;
        sd_event *event;
        FILE *last_stream; /* to keep stdout and stderr lines in order */
        bool finishing;
        sd_event_source *settle;
} Logs;

static void print_entry(Logs *l)
{
        const char *message, *v;
        size_t size, vsize;
        bool partial = false;
        FILE *f = stdout;

        if (journal_entry_field(l->journal, "MESSAGE", &message, &size) < 0)
                return;
        /* The shim logs the container's stderr as PRIORITY=3 and its stdout as 6. */
        if (journal_entry_field(l->journal, "PRIORITY", &v, &vsize) >= 0 && vsize == 1 && v[0] >= '0' &&
            v[0] <= '3')
                f = stderr;
        if (journal_entry_field(l->journal, "CONTAINER_PARTIAL_MESSAGE", &v, &vsize) >= 0 && vsize == 4 &&
            memcmp(v, "true", 4) == 0)
                partial = true;

        if (l->last_stream && l->last_stream != f)
                fflush(l->last_stream);
        l->last_stream = f;
        fwrite(message, 1, size, f);
        if (!partial)
                fputc('\n', f);
}

static int show_new_entries(Logs *l)
{
        int r;

        while ((r = sd_journal_next(l->journal)) > 0)
                print_entry(l);
        fflush(stdout);
        fflush(stderr);
        return r;
}

/* Places the journal just before the first entry to show, so that sd_journal_next() finds it. */
static int journal_seek_start(sd_journal *j, uint64_t since, int64_t lines)
{
        _cleanup_free_ char *first = NULL;
        int r;

        if (lines < 0)
                return since > 0 ? sd_journal_seek_realtime_usec(j, since) : sd_journal_seek_head(j);

        /* The last `lines` entries not older than since: walk back from the end. */
        r = sd_journal_seek_tail(j);
        if (r < 0)
                return r;
        for (int64_t n = 0; n < lines; n++) {
                uint64_t t;

                r = sd_journal_previous(j);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (since > 0 && sd_journal_get_realtime_usec(j, &t) >= 0 && t < since)
                        break;
                free(first);
                r = sd_journal_get_cursor(j, &first);
                if (r < 0)
                        return r;
        }
        if (first)
                return sd_journal_seek_cursor(j, first);

        /* Nothing old to show: stand on the last entry, so that only new ones follow. */
        r = sd_journal_seek_tail(j);
        if (r < 0)
                return r;
        r = sd_journal_previous(j);
        return r < 0 ? r : 0;
}

static int on_settled(sd_event_source *s, uint64_t usec, void *userdata)
{
        Logs *l = userdata;

        (void)sd_journal_process(l->journal);
        (void)show_new_entries(l);
        return sd_event_exit(l->event, 0);
}

/* (Re)arms the quiet period after which we stop following. */
static int settle(Logs *l)
{
        int r;

        l->finishing = true;
        if (l->settle)
                return sd_event_source_set_time_relative(l->settle, LOGS_SETTLE_USEC);
        r = sd_event_add_time_relative(l->event, &l->settle, CLOCK_MONOTONIC, LOGS_SETTLE_USEC, 0,
                                       on_settled, l);
        if (r < 0)
                return r;
        return 0;
}

static int on_journal(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Logs *l = userdata;
        int r;

        r = sd_journal_process(l->journal);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot follow the journal: %m");
                return sd_event_exit(l->event, r);
        }
        if (r == SD_JOURNAL_NOP)
                return 0;
        r = show_new_entries(l);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot read the journal: %m");
                return sd_event_exit(l->event, r);
        }
        if (l->finishing)
                return settle(l);
        return 0;
}

static int on_container_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        Logs *l = userdata;
        const char *id, *path, *state = NULL;

        if (sd_bus_message_is_signal(m, RAIND_MANAGER_INTERFACE, "ContainerStateChanged")) {
                if (sd_bus_message_read(m, "sos", &id, &path, &state) < 0)
                        return 0;
                if (container_state_is_active(state))
                        return 0;
        }
        /* Exited, or removed altogether. */
        if (!l->finishing)
                (void)settle(l);
        return 0;
}

static int watch_container(sd_bus *bus, const char *id, Logs *l)
{
        static const char *const members[] = {"ContainerStateChanged", "ContainerRemoved"};
        int r;

        for (size_t i = 0; i < ELEMENTSOF(members); i++) {
                _cleanup_free_ char *rule = NULL;

                if (asprintf(
                        &rule, "type='signal',sender='%s',path='%s',interface='%s',member='%s',arg0='%s'",
                        RAIND_BUS_NAME, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, members[i], id) < 0)
                        return -ENOMEM;
                /* Synchronous, so that no change after the State read below can be missed. */
                r = sd_bus_add_match(bus, NULL, rule, on_container_signal, l);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Shows new entries until the container is no longer running. Returns 0, the exit status for a
 * failed bus call, or a negative errno for a local failure (logged). */
static int follow(sd_bus *bus, const char *path, const char *id, Logs *l)
{
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *state = NULL;
        int r, fd, events;

        r = sd_event_default(&event);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot set up the event loop: %m");
        l->event = event;

        r = watch_container(bus, id, l);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, NULL, NULL);
        r = container_get_string(bus, path, "State", &error, &state);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, NULL, NULL);

        fd = sd_journal_get_fd(l->journal);
        if (fd < 0)
                return log_error_errno(fd, "raind: Cannot follow the journal: %m");
        events = sd_journal_get_events(l->journal);
        if (events < 0)
                return log_error_errno(events, "raind: Cannot follow the journal: %m");
        r = sd_event_add_io(event, NULL, fd, (uint32_t)events, on_journal, l);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot follow the journal: %m");
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot attach the bus to the event loop: %m");

        r = show_new_entries(l);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot read the journal: %m");
        if (!container_state_is_active(state)) {
                r = settle(l);
                if (r < 0)
                        return log_error_errno(r, "raind: Cannot set up a timer: %m");
        }

        r = sd_event_loop(event);
        sd_bus_detach_event(bus);
        l->settle = sd_event_source_unref(l->settle);
        if (r < 0)
                return log_error_errno(r, "raind: Following the journal failed: %m");
        return 0;
}

static int parse_lines(const char *s, int64_t *ret)
{
        char *end;
        long long v;

        if (streq(s, "all")) {
                *ret = -1;
                return 0;
        }
        if (s[0] < '0' || s[0] > '9')
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

static void help_logs(void)
{
        printf("Usage: %s [OPTIONS] CONTAINER\n"
               "\n"
               "Show a container's output, as recorded in the journal: standard output on stdout,\n"
               "standard error on stderr. Reading the system journal needs root or membership in\n"
               "the group systemd-journal (or adm).\n"
               "\n"
               "Options:\n"
               "  -f, --follow        Keep showing new output until the container has exited\n"
               "  -n, --tail N        Show only the last N lines (\"all\": everything)\n"
               "      --since WHEN    Show output since WHEN: a duration ago (10s, 5m, 2h, 1d),\n"
               "                      a Unix timestamp, YYYY-MM-DD[ HH:MM[:SS]] (local time)\n"
               "                      or RFC 3339 (2024-05-01T12:00:00Z)\n"
               "  -h, --help          Show this help\n",
               cli_command());
}

int verb_container_logs(int argc, char *argv[])
{
        enum { ARG_SINCE = 0x100 };
        static const struct option options[] = {
            {"follow", no_argument, NULL, 'f'},      {"tail", required_argument, NULL, 'n'},
            {"lines", required_argument, NULL, 'n'}, {"since", required_argument, NULL, ARG_SINCE},
            {"help", no_argument, NULL, 'h'},        {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        _cleanup_free_ char *path = NULL, *id = NULL, *match = NULL;
        bool follow_output = false;
        uint64_t since = 0;
        int64_t lines = -1;
        Logs l = {};
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":fn:h", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        follow_output = true;
                        break;
                case 'n':
                        if (parse_lines(optarg, &lines) < 0)
                                return cli_usage_error("Invalid number of lines '%s': expected a number or "
                                                       "\"all\"",
                                                       optarg);
                        break;
                case ARG_SINCE:
                        if (parse_since(optarg, now_usec(CLOCK_REALTIME), &since) < 0)
                                return cli_usage_error(
                                    "Invalid time '%s': expected a duration (10s, 5m, 2h, 1d), "
                                    "a Unix timestamp, YYYY-MM-DD[ HH:MM[:SS]] or RFC 3339",
                                    optarg);
                        break;
                case 'h':
                        help_logs();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind >= argc)
                return cli_usage_error("Missing container name");
        if (argc - optind > 1)
                return cli_usage_error("Only one container at a time");
        if (!container_name_is_valid(argv[optind]))
                return cli_usage_error("Invalid container name or id '%s'", argv[optind]);

        if (journal_check_access() < 0) {
                log_error("raind: " JOURNAL_ACCESS_DENIED_TEXT);
                return EXIT_USAGE;
        }

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = container_lookup(bus, argv[optind], &error, &path);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, NULL, NULL);
        r = container_get_string(bus, path, "Id", &error, &id);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, NULL, NULL);

        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot open the journal: %m");
        /* Container output lines can be long; the default threshold would cut them. */
        r = sd_journal_set_data_threshold(j, 0);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot set up the journal: %m");
        if (asprintf(&match, "CONTAINER_ID_FULL=%s", id) < 0)
                return log_oom();
        r = sd_journal_add_match(j, match, 0);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot filter the journal: %m");
        r = journal_seek_start(j, since, lines);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot seek in the journal: %m");

        l.journal = j;
        if (follow_output)
                return follow(bus, path, id, &l);

        r = show_new_entries(&l);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot read the journal: %m");
        return 0;
}
