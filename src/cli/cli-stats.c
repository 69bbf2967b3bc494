/* SPDX-License-Identifier: Apache-2.0 */
/* raind container stats: what systemd accounts for each container's scope, sampled every second. */
#include <getopt.h>
#include <inttypes.h>
#include <time.h>

#include "raind/fileio.h"
#include "raind/log.h"
#include "raind/macro.h"
#include "raind/util.h"
#include "raind/validate.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-format.h"
#include "cli-json.h"
#include "cli-stats-format.h"
#include "cli-systemd.h"
#include "cli-table.h"
#include "cli-usage.h"
#include "cli.h"

#define STATS_INTERVAL_USEC           (1 * USEC_PER_SEC)
#define STATS_NO_STREAM_INTERVAL_USEC (USEC_PER_SEC / 2)
#define PROC_FILE_MAX                 (1024 * 1024)
#define STATS_CONTAINERS_MAX          4096

typedef struct StatsEntry {
        char *id, *name, *path;
        char *unit, *unit_path; /* unit_path once GetUnit() found it */
        char *network;
        char *state;
        uint32_t main_pid;
        bool has_prev;
        StatsSample prev, cur;
} StatsEntry;

typedef struct Stats {
        sd_bus *bus;
        StatsEntry *entries;
        size_t n_entries;
        uint64_t host_memory;
} Stats;

static void stats_entry_done(StatsEntry *e)
{
        free(e->id);
        free(e->name);
        free(e->path);
        free(e->unit);
        free(e->unit_path);
        free(e->network);
        free(e->state);
}

static void stats_done(Stats *s)
{
        for (size_t i = 0; i < s->n_entries; i++)
                stats_entry_done(s->entries + i);
        free(s->entries);
        s->entries = NULL;
        s->n_entries = 0;
}

/* The container properties stats needs, from one GetAll(). */
static int read_container(sd_bus *bus, const char *path, StatsEntry *e, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = cli_call(bus, path, "org.freedesktop.DBus.Properties", "GetAll", 0, error, &reply, "s",
                     RAIND_CONTAINER_INTERFACE);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                const char *name, *s;

                r = sd_bus_message_read(reply, "s", &name);
                if (r < 0)
                        break;
                char **field = streq(name, "Id")        ? &e->id
                               : streq(name, "Name")    ? &e->name
                               : streq(name, "Unit")    ? &e->unit
                               : streq(name, "Network") ? &e->network
                               : streq(name, "State")   ? &e->state
                                                        : NULL;

                if (field) {
                        r = sd_bus_message_read(reply, "v", "s", &s);
                        if (r >= 0)
                                r = free_and_strdup(field, s);
                } else if (streq(name, "MainPID"))
                        r = sd_bus_message_read(reply, "v", "u", &e->main_pid);
                else
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        if (!e->id || !e->name || !e->state)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Container properties incomplete");
        return free_and_strdup(&e->path, path) < 0 ? sd_bus_error_set_errno(error, -ENOMEM) : 0;
}

static int add_entry(Stats *s, sd_bus *bus, const char *path, sd_bus_error *error)
{
        StatsEntry e = {}, *grown;
        int r;

        if (s->n_entries >= STATS_CONTAINERS_MAX)
                return 0;
        r = read_container(bus, path, &e, error);
        if (r < 0) {
                stats_entry_done(&e);
                return r;
        }
        grown = reallocarray(s->entries, s->n_entries + 1, sizeof(StatsEntry));
        if (!grown) {
                stats_entry_done(&e);
                return sd_bus_error_set_errno(error, -ENOMEM);
        }
        s->entries = grown;
        e.cur = e.prev = STATS_SAMPLE_UNKNOWN;
        s->entries[s->n_entries++] = e;
        return 0;
}

static int entry_compare_by_name(const void *a, const void *b)
{
        return strcmp(((const StatsEntry *)a)->name, ((const StatsEntry *)b)->name);
}

/* Every running container, as ListContainers() says, by name: rows keep their place on redraws. */
static int list_running(Stats *s, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = cli_call(s->bus, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, "ListContainers", 0, error, &reply,
                     NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(ssssstttio)");
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        for (;;) {
                const char *id, *name, *image, *command, *state, *path;
                uint64_t created, started, finished;
                int32_t status;

                r = sd_bus_message_read(reply, "(ssssstttio)", &id, &name, &image, &command, &state,
                                        &created, &started, &finished, &status, &path);
                if (r < 0)
                        return sd_bus_error_set_errno(error, r);
                if (r == 0)
                        break;
                if (!streq(state, "running"))
                        continue;
                r = add_entry(s, s->bus, path, error);
                /* Gone since the list was made: not running any more. */
                if (r < 0 && sd_bus_error_has_names(error, "org.freedesktop.DBus.Error.UnknownObject",
                                                    "org.raind.raind1.Error.NoSuchContainer")) {
                        sd_bus_error_free(error);
                        continue;
                }
                if (r < 0)
                        return r;
        }
        if (s->n_entries > 1)
                qsort(s->entries, s->n_entries, sizeof(StatsEntry), entry_compare_by_name);
        return 0;
}

/* Keeps what was sampled before for the containers still listed. */
static void carry_over(Stats *s, const Stats *old)
{
        for (size_t i = 0; i < s->n_entries; i++)
                for (size_t k = 0; k < old->n_entries; k++)
                        if (streq(s->entries[i].id, old->entries[k].id)) {
                                s->entries[i].cur = old->entries[k].cur;
                                if (old->entries[k].unit_path && !s->entries[i].unit_path)
                                        s->entries[i].unit_path = strdup(old->entries[k].unit_path);
                                break;
                        }
}

static uint64_t host_memory_total(void)
{
        _cleanup_free_ char *meminfo = NULL;
        unsigned long long kib;
        const char *p;

        if (read_full_file("/proc/meminfo", PROC_FILE_MAX, &meminfo, NULL) < 0)
                return STATS_UNKNOWN;
        p = strstr(meminfo, "MemTotal:");
        if (!p || sscanf(p + strlen("MemTotal:"), "%llu", &kib) != 1)
                return STATS_UNKNOWN;
        return (uint64_t)kib * 1024;
}

/* Bytes received and sent on every interface but lo of the network namespace pid is in. */
static void read_net_dev(uint32_t pid, uint64_t *ret_rx, uint64_t *ret_tx)
{
        _cleanup_free_ char *dev = NULL;
        uint64_t rx = 0, tx = 0;
        char path[64];
        char *line, *save = NULL;

        *ret_rx = *ret_tx = STATS_UNKNOWN;
        if (pid == 0)
                return;
        snprintf(path, sizeof(path), "/proc/%" PRIu32 "/net/dev", pid);
        if (read_full_file(path, PROC_FILE_MAX, &dev, NULL) < 0)
                return;
        /* "  eth0: RX-bytes packets errs drop fifo frame compressed multicast TX-bytes …" */
        for (line = strtok_r(dev, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                unsigned long long r_bytes, t_bytes;
                char *colon = strchr(line, ':');
                const char *name = line;

                if (!colon)
                        continue;
                *colon = 0;
                name += strspn(name, " ");
                if (streq(name, "lo"))
                        continue;
                if (sscanf(colon + 1, "%llu %*u %*u %*u %*u %*u %*u %*u %llu", &r_bytes, &t_bytes) != 2)
                        continue;
                rx += r_bytes;
                tx += t_bytes;
        }
        *ret_rx = rx;
        *ret_tx = tx;
}

/* cgroup v2 keeps cpu.stat whether or not the cpu controller is on; systemd may still say nothing
 * when CPU accounting is off for the unit. */
static uint64_t read_cgroup_cpu_nsec(const char *cgroup)
{
        _cleanup_free_ char *stat = NULL, *path = NULL;
        unsigned long long usec;
        const char *p;

        if (isempty(cgroup) || asprintf(&path, "/sys/fs/cgroup%s/cpu.stat", cgroup) < 0)
                return STATS_UNKNOWN;
        if (read_full_file(path, PROC_FILE_MAX, &stat, NULL) < 0)
                return STATS_UNKNOWN;
        p = startswith(stat, "usage_usec ") ? stat : strstr(stat, "\nusage_usec ");
        if (!p || sscanf(p + strspn(p, "\n") + strlen("usage_usec "), "%llu", &usec) != 1)
                return STATS_UNKNOWN;
        return (uint64_t)usec * NSEC_PER_USEC;
}

static int read_scope(sd_bus *bus, StatsEntry *e, StatsSample *sample, char **ret_cgroup)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t memory_max = STATS_UNKNOWN;
        int r;

        if (!e->unit_path) {
                r = systemd_get_unit_path(bus, e->unit, &error, &e->unit_path);
                if (r < 0)
                        return log_debug_errno(r, "No unit %s: %s", e->unit, error.message ?: strerror(-r));
        }
        r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_BUS_NAME, e->unit_path,
                                           "org.freedesktop.DBus.Properties", "GetAll");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", SYSTEMD_SCOPE_INTERFACE);
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0) {
                /* The scope went away, and with it its path; look again next time. */
                free(e->unit_path);
                e->unit_path = NULL;
                return log_debug_errno(r, "Cannot read %s: %s", e->unit, error.message ?: strerror(-r));
        }

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                static const struct {
                        const char *name;
                        size_t offset;
                } counters[] = {
                    {"CPUUsageNSec", offsetof(StatsSample, cpu_usage_nsec)},
                    {"MemoryCurrent", offsetof(StatsSample, memory_current)},
                    {"TasksCurrent", offsetof(StatsSample, tasks_current)},
                    {"IOReadBytes", offsetof(StatsSample, io_read_bytes)},
                    {"IOWriteBytes", offsetof(StatsSample, io_write_bytes)},
                    {"IPIngressBytes", offsetof(StatsSample, ip_ingress_bytes)},
                    {"IPEgressBytes", offsetof(StatsSample, ip_egress_bytes)},
                };
                const char *name, *cgroup;
                bool done = false;

                r = sd_bus_message_read(reply, "s", &name);
                if (r < 0)
                        break;
                for (size_t i = 0; i < ELEMENTSOF(counters) && !done; i++)
                        if (streq(name, counters[i].name)) {
                                r = sd_bus_message_read(
                                    reply, "v", "t", (uint64_t *)((uint8_t *)sample + counters[i].offset));
                                done = true;
                        }
                if (!done && streq(name, "MemoryMax"))
                        r = sd_bus_message_read(reply, "v", "t", &memory_max);
                else if (!done && streq(name, "ControlGroup")) {
                        r = sd_bus_message_read(reply, "v", "s", &cgroup);
                        if (r >= 0 && !*ret_cgroup)
                                *ret_cgroup = strdup(cgroup);
                } else if (!done)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return log_debug_errno(r, "Cannot parse the properties of %s: %m", e->unit);

        sample->memory_limit = memory_max;
        return 0;
}

static void sample_one(Stats *s, StatsEntry *e)
{
        _cleanup_free_ char *cgroup = NULL;
        StatsSample sample = STATS_SAMPLE_UNKNOWN;

        if (e->cur.timestamp_usec != STATS_UNKNOWN) {
                e->prev = e->cur;
                e->has_prev = true;
        }
        sample.timestamp_usec = now_usec(CLOCK_MONOTONIC);

        if (streq(e->state, "running") && !isempty(e->unit) &&
            read_scope(s->bus, e, &sample, &cgroup) >= 0) {
                if (sample.cpu_usage_nsec == STATS_UNKNOWN)
                        sample.cpu_usage_nsec = read_cgroup_cpu_nsec(cgroup);
                if (sample.memory_limit == STATS_UNKNOWN)
                        sample.memory_limit = s->host_memory;
                /* With the host's network, its interfaces say nothing about the container; the
                 * scope's IP accounting does, when it is on. */
                if (streq_ptr(e->network, "host")) {
                        sample.net_rx_bytes = sample.ip_ingress_bytes;
                        sample.net_tx_bytes = sample.ip_egress_bytes;
                } else
                        read_net_dev(e->main_pid, &sample.net_rx_bytes, &sample.net_tx_bytes);
        }
        e->cur = sample;
}

static int print_sample(const Stats *s, bool json, bool clear)
{
        static const char *const headers[] = {"CONTAINER ID", "NAME",    "CPU %",     "MEM USAGE / LIMIT",
                                              "MEM %",        "NET I/O", "BLOCK I/O", "PIDS"};
        _cleanup_table_ Table *t = NULL;
        _cleanup_json_ json_object *array = NULL;
        int r;

        if (json) {
                array = json_object_new_array();
                if (!array)
                        return -ENOMEM;
                for (size_t i = 0; i < s->n_entries; i++) {
                        const StatsEntry *e = s->entries + i;
                        json_object *o;

                        r = stats_to_json(e->id, e->name, e->has_prev ? &e->prev : NULL, &e->cur, &o);
                        if (r < 0)
                                return r;
                        if (json_object_array_add(array, o) < 0) {
                                json_object_put(o);
                                return -ENOMEM;
                        }
                }
                /* One line per sample, for line-by-line readers. */
                puts(json_object_to_json_string_ext(array, JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
                fflush(stdout);
                return 0;
        }

        t = table_new(ELEMENTSOF(headers), headers);
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_entries; i++) {
                const StatsEntry *e = s->entries + i;
                char id[SHORT_ID_LEN + 1];
                StatsRow row;

                snprintf(id, sizeof(id), "%.*s", SHORT_ID_LEN, e->id);
                stats_format_row(e->has_prev ? &e->prev : NULL, &e->cur, &row);
                r = table_add_row(t, (const char *const[]){id, e->name, row.cpu_percent, row.mem_usage,
                                                           row.mem_percent, row.net_io, row.block_io,
                                                           row.pids});
                if (r < 0)
                        return r;
        }
        if (clear)
                /* Home and clear the screen, as docker stats does on a terminal. */
                fputs("\033[H\033[2J", stdout);
        r = table_print(t, stdout);
        fflush(stdout);
        return r;
}

static void sleep_until(uint64_t deadline)
{
        struct timespec ts = {.tv_sec = (time_t)(deadline / USEC_PER_SEC),
                              .tv_nsec = (long)(deadline % USEC_PER_SEC * NSEC_PER_USEC)};

        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                ;
}

static void help_stats(void)
{
        printf("Usage: %s [OPTIONS] [CONTAINER...]\n"
               "\n"
               "Show the resource use of containers (default: all running ones), as systemd\n"
               "accounts for their scopes, redrawn every second until Ctrl-C. Numbers systemd\n"
               "does not have (accounting off, cgroup controller missing) are shown as --.\n"
               "\n"
               "Options:\n"
               "      --no-stream   Show one sample and exit\n"
               "      --json        Print one JSON array per sample, on one line, with raw numbers\n"
               "                    (null when unknown)\n"
               "  -h, --help        Show this help\n",
               cli_command());
}

int verb_container_stats(int argc, char *argv[])
{
        enum { ARG_NO_STREAM = 0x100, ARG_JSON };
        static const struct option options[] = {
            {"no-stream", no_argument, NULL, ARG_NO_STREAM},
            {"json", no_argument, NULL, ARG_JSON},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(stats_done) Stats stats = {};
        bool no_stream = false, json = false, clear;
        uint64_t next;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case ARG_NO_STREAM:
                        no_stream = true;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case 'h':
                        help_stats();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        for (int i = optind; i < argc; i++)
                if (!container_name_is_valid(argv[i]))
                        return cli_usage_error("Invalid container name or id '%s'", argv[i]);

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        stats.bus = bus;
        stats.host_memory = host_memory_total();
        clear = !json && !no_stream && isatty(STDOUT_FILENO);

        /* Named containers are shown as long as they exist, running or not. */
        for (int i = optind; i < argc; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *path = NULL;

                r = container_lookup(bus, argv[i], &error, &path);
                if (r >= 0)
                        r = add_entry(&stats, bus, path, &error);
                if (r < 0)
                        return cli_log_bus_error(&error, r, argv[i], NULL, NULL);
        }

        next = now_usec(CLOCK_MONOTONIC);
        for (unsigned round = 0;; round++) {
                if (optind >= argc) {
                        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                        _cleanup_(stats_done) Stats old = stats;

                        /* Containers come and go: list them anew every time. */
                        stats = (Stats){.bus = bus, .host_memory = old.host_memory};
                        r = list_running(&stats, &error);
                        if (r < 0)
                                return cli_log_bus_error(&error, r, NULL, NULL, NULL);
                        carry_over(&stats, &old);
                } else if (round > 0)
                        for (size_t i = 0; i < stats.n_entries; i++) {
                                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                                _cleanup_free_ char *state = NULL;

                                /* Started or stopped since: what systemd has to say depends on it. */
                                if (container_get_string(bus, stats.entries[i].path, "State", &error,
                                                         &state) >= 0) {
                                        free(stats.entries[i].state);
                                        stats.entries[i].state = TAKE_PTR(state);
                                }
                        }

                for (size_t i = 0; i < stats.n_entries; i++)
                        sample_one(&stats, stats.entries + i);

                /* CPU % needs two samples: the first round only takes one. */
                if (round > 0) {
                        r = print_sample(&stats, json, clear);
                        if (r < 0)
                                return log_oom();
                        if (no_stream)
                                return 0;
                }

                next += round == 0 && no_stream ? STATS_NO_STREAM_INTERVAL_USEC : STATS_INTERVAL_USEC;
                sleep_until(next);
        }
}
