/* SPDX-License-Identifier: Apache-2.0 */
/* raind container ls (ps): Manager.ListContainers() as a table, ids or JSON. */
#include <getopt.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/validate.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-format.h"
#include "cli-json.h"
#include "cli-table.h"
#include "cli-usage.h"
#include "cli.h"

#define COMMAND_COLUMN_WIDTH 20

/* One entry of ListContainers' a(ssssstttio); the strings point into the reply. */
typedef struct ContainerEntry {
        const char *id, *name, *image, *command, *state;
        uint64_t created_at, started_at, finished_at;
        int32_t exit_status;
        const char *path;
} ContainerEntry;

static int entry_compare_newest_first(const void *a, const void *b)
{
        const ContainerEntry *x = a, *y = b;

        if (x->created_at != y->created_at)
                return x->created_at > y->created_at ? -1 : 1;
        return strcmp(x->id, y->id);
}

static int read_entries(sd_bus_message *reply, bool all, ContainerEntry **ret, size_t *ret_n)
{
        _cleanup_free_ ContainerEntry *entries = NULL;
        size_t n = 0;
        int r;

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(ssssstttio)");
        if (r < 0)
                return r;
        for (;;) {
                ContainerEntry e;
                ContainerEntry *grown;

                r = sd_bus_message_read(reply, "(ssssstttio)", &e.id, &e.name, &e.image, &e.command,
                                        &e.state, &e.created_at, &e.started_at, &e.finished_at,
                                        &e.exit_status, &e.path);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (!all && !container_state_is_active(e.state))
                        continue;
                grown = reallocarray(entries, n + 1, sizeof(ContainerEntry));
                if (!grown)
                        return -ENOMEM;
                entries = grown;
                entries[n++] = e;
        }
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;

        if (n > 0)
                qsort(entries, n, sizeof(ContainerEntry), entry_compare_newest_first);
        *ret = TAKE_PTR(entries);
        *ret_n = n;
        return 0;
}

static int entry_to_json(const ContainerEntry *e, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        int r;

        if (!o)
                return -ENOMEM;
        r = json_add_new(o, "Id", json_object_new_string(e->id));
        if (r >= 0)
                r = json_add_new(o, "Name", json_object_new_string(e->name));
        if (r >= 0)
                r = json_add_new(o, "Image", json_object_new_string(e->image));
        if (r >= 0)
                r = json_add_new(o, "Command", json_object_new_string(e->command));
        if (r >= 0)
                r = json_add_new(o, "State", json_object_new_string(e->state));
        if (r >= 0)
                r = json_add_timestamp(o, "CreatedAt", e->created_at);
        if (r >= 0)
                r = json_add_timestamp(o, "StartedAt", e->started_at);
        if (r >= 0)
                r = json_add_timestamp(o, "FinishedAt", e->finished_at);
        if (r >= 0)
                r = json_add_new(o, "ExitStatus", json_object_new_int(e->exit_status));
        if (r < 0)
                return r;

        *ret = TAKE_PTR(o);
        return 0;
}

static int print_json(const ContainerEntry *entries, size_t n)
{
        _cleanup_json_ json_object *array = json_object_new_array();
        int r;

        if (!array)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *o;

                r = entry_to_json(entries + i, &o);
                if (r < 0)
                        return r;
                if (json_object_array_add(array, o) < 0) {
                        json_object_put(o);
                        return -ENOMEM;
                }
        }
        return json_print(array, stdout);
}

static int print_table(const ContainerEntry *entries, size_t n, bool no_trunc)
{
        static const char *const headers[] = {"CONTAINER ID", "IMAGE",  "COMMAND",
                                              "CREATED",      "STATUS", "NAMES"};
        _cleanup_table_ Table *t = table_new(ELEMENTSOF(headers), headers);
        uint64_t now = now_usec(CLOCK_REALTIME);
        int r;

        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const ContainerEntry *e = entries + i;
                _cleanup_free_ char *command = NULL, *status = NULL;
                char id[CONTAINER_ID_LEN + 1], created[FORMAT_DURATION_MAX + 8];

                snprintf(id, sizeof(id), "%.*s", no_trunc ? CONTAINER_ID_LEN : SHORT_ID_LEN, e->id);
                r = command_abbreviate(e->command, no_trunc ? 0 : COMMAND_COLUMN_WIDTH, &command);
                if (r < 0)
                        return r;
                r = container_status_text(e->state, e->exit_status, e->started_at, e->finished_at, now,
                                          &status);
                if (r < 0)
                        return r;
                r = table_add_row(t, (const char *const[]){id, e->image, command,
                                                           format_time_ago(created, e->created_at, now),
                                                           status, e->name});
                if (r < 0)
                        return r;
        }
        return table_print(t, stdout);
}

static void help_ls(void)
{
        printf("Usage: %s [OPTIONS]\n"
               "\n"
               "List containers; only running ones unless -a is given.\n"
               "\n"
               "Options:\n"
               "  -a, --all        Show all containers, not only running ones\n"
               "  -q, --quiet      Print the container ids only\n"
               "      --json       Print a JSON array of objects with Id, Name, Image, Command,\n"
               "                   State, CreatedAt, StartedAt, FinishedAt (RFC 3339 or null)\n"
               "                   and ExitStatus (-1: none)\n"
               "      --no-trunc   Do not shorten ids and commands\n"
               "  -h, --help       Show this help\n",
               cli_command());
}

int verb_container_ls(int argc, char *argv[])
{
        enum { ARG_JSON = 0x100, ARG_NO_TRUNC };
        static const struct option options[] = {
            {"all", no_argument, NULL, 'a'},       {"quiet", no_argument, NULL, 'q'},
            {"json", no_argument, NULL, ARG_JSON}, {"no-trunc", no_argument, NULL, ARG_NO_TRUNC},
            {"help", no_argument, NULL, 'h'},      {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ ContainerEntry *entries = NULL;
        bool all = false, quiet = false, json = false, no_trunc = false;
        size_t n;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":aqh", options, NULL)) >= 0)
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_NO_TRUNC:
                        no_trunc = true;
                        break;
                case 'h':
                        help_ls();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind < argc)
                return cli_usage_error("Unexpected argument '%s'", argv[optind]);

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = cli_call(bus, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, "ListContainers", 0, &error, &reply,
                     NULL);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, NULL, NULL);
        r = read_entries(reply, all, &entries, &n);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot read the list of containers: %m");

        if (quiet) {
                for (size_t i = 0; i < n; i++)
                        printf("%.*s\n", no_trunc ? CONTAINER_ID_LEN : SHORT_ID_LEN, entries[i].id);
                return 0;
        }
        r = json ? print_json(entries, n) : print_table(entries, n, no_trunc);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot show the list of containers: %m");
        return 0;
}
