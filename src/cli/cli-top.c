/* SPDX-License-Identifier: Apache-2.0 */
/* raind container top: the processes in a container's scope, as systemd knows them. */
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>

#include "raind/fileio.h"
#include "raind/log.h"
#include "raind/macro.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-format.h"
#include "cli-systemd.h"
#include "cli-table.h"
#include "cli-usage.h"
#include "cli.h"

/* Enough of /proc/PID/status and /proc/PID/stat for their first lines. */
#define PROC_FILE_MAX (64 * 1024)
/* A scope holding more processes than this is shown in part. */
#define TOP_PROCESSES_MAX 65536

typedef struct Process {
        uint32_t pid;
        const char *command; /* points into the reply */
} Process;

static int process_compare(const void *a, const void *b)
{
        const Process *x = a, *y = b;

        return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The effective user, by name when the host knows it, as ps shows it; "?" when unreadable. */
static void process_user(uint32_t pid, char *buf, size_t size)
{
        _cleanup_free_ char *status = NULL;
        char path[64];
        const char *line;
        unsigned long real, effective;
        struct passwd *pw;

        snprintf(buf, size, "?");
        snprintf(path, sizeof(path), "/proc/%" PRIu32 "/status", pid);
        if (read_full_file(path, PROC_FILE_MAX, &status, NULL) < 0)
                return;
        line = strstr(status, "\nUid:");
        if (!line || sscanf(line + 5, "%lu %lu", &real, &effective) != 2)
                return;
        pw = getpwuid((uid_t)effective);
        if (pw)
                snprintf(buf, size, "%s", pw->pw_name);
        else
                snprintf(buf, size, "%lu", effective);
}

/* Field 4 of /proc/PID/stat, after the command name in parentheses. */
static void process_parent(uint32_t pid, char *buf, size_t size)
{
        _cleanup_free_ char *stat = NULL;
        char path[64];
        const char *p;
        unsigned long ppid;

        snprintf(buf, size, "?");
        snprintf(path, sizeof(path), "/proc/%" PRIu32 "/stat", pid);
        if (read_full_file(path, PROC_FILE_MAX, &stat, NULL) < 0)
                return;
        p = strrchr(stat, ')');
        if (p && sscanf(p + 1, " %*c %lu", &ppid) == 1)
                snprintf(buf, size, "%lu", ppid);
}

static int read_processes(sd_bus_message *reply, Process **ret, size_t *ret_n)
{
        _cleanup_free_ Process *processes = NULL;
        size_t n = 0;
        int r;

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(sus)");
        if (r < 0)
                return r;
        for (;;) {
                const char *cgroup, *command;
                uint32_t pid;
                Process *grown;

                r = sd_bus_message_read(reply, "(sus)", &cgroup, &pid, &command);
                if (r < 0)
                        return r;
                if (r == 0 || n >= TOP_PROCESSES_MAX)
                        break;
                grown = reallocarray(processes, n + 1, sizeof(Process));
                if (!grown)
                        return -ENOMEM;
                processes = grown;
                processes[n++] = (Process){.pid = pid, .command = command};
        }
        if (n > 0)
                qsort(processes, n, sizeof(Process), process_compare);
        *ret = TAKE_PTR(processes);
        *ret_n = n;
        return 0;
}

static int print_processes(const Process *processes, size_t n)
{
        static const char *const headers[] = {"UID", "PID", "PPID", "CMD"};
        _cleanup_table_ Table *t = table_new(ELEMENTSOF(headers), headers);
        int r;

        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *command = strdup(processes[i].command);
                char user[64], pid[16], ppid[24];

                if (!command)
                        return -ENOMEM;
                /* A process names itself: keep the table on its lines, as ps does. */
                for (char *p = command; *p; p++)
                        if ((unsigned char)*p < 0x20 || *p == 0x7f)
                                *p = '?';
                process_user(processes[i].pid, user, sizeof(user));
                snprintf(pid, sizeof(pid), "%" PRIu32, processes[i].pid);
                process_parent(processes[i].pid, ppid, sizeof(ppid));
                r = table_add_row(t, (const char *const[]){user, pid, ppid, command});
                if (r < 0)
                        return r;
        }
        return table_print(t, stdout);
}

static void help_top(void)
{
        printf("Usage: %s CONTAINER\n"
               "\n"
               "Show the processes of a running container: every process in its scope\n"
               "raind-NAME.scope, as systemd lists them, with their user (effective, as the host\n"
               "sees it), PID and parent PID on the host, and command line. The container's\n"
               "monitor, raind-shim, lives in the same scope and is shown as well.\n"
               "\n"
               "Options:\n"
               "  -h, --help   Show this help\n",
               cli_command());
}

int verb_container_top(int argc, char *argv[])
{
        static const struct option options[] = {
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = NULL, *state = NULL, *unit = NULL;
        _cleanup_free_ Process *processes = NULL;
        size_t n;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help_top();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind >= argc)
                return cli_usage_error("Missing container name");
        /* docker passes further arguments to ps; there is no ps here. */
        if (argc - optind > 1)
                return cli_usage_error("Unexpected argument '%s': ps options are not supported",
                                       argv[optind + 1]);

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = container_lookup(bus, argv[optind], &error, &path);
        if (r >= 0)
                r = container_get_string(bus, path, "State", &error, &state);
        if (r >= 0)
                r = container_get_string(bus, path, "Unit", &error, &unit);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, NULL, NULL);
        if (!container_state_is_active(state) || isempty(unit)) {
                log_error("raind: Container %s is not running", argv[optind]);
                return EXIT_DAEMON_ERROR;
        }

        r = systemd_call(bus, "GetUnitProcesses", &error, &reply, "s", unit);
        if (r < 0) {
                if (sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit")) {
                        log_error("raind: Container %s is not running (no unit %s)", argv[optind], unit);
                        return EXIT_DAEMON_ERROR;
                }
                return cli_log_bus_error(&error, r, "Cannot list the processes of the container", NULL,
                                         NULL);
        }
        r = read_processes(reply, &processes, &n);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot read the list of processes: %m");
                return EXIT_DAEMON_ERROR;
        }
        r = print_processes(processes, n);
        if (r < 0)
                return log_oom();
        return 0;
}
