/* SPDX-License-Identifier: Apache-2.0 */
/* raind container prune: Manager.PruneContainers(), after asking. */
#include <getopt.h>

#include "raind/log.h"
#include "raind/macro.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-usage.h"
#include "cli.h"

/* Longer answers are no answer. */
#define ANSWER_MAX 64

static void help_prune(void)
{
        printf("Usage: %s [OPTIONS]\n"
               "\n"
               "Remove all stopped containers (exited, and created but never started).\n"
               "\n"
               "Options:\n"
               "  -f, --force   Do not ask for confirmation\n"
               "  -h, --help    Show this help\n",
               cli_command());
}

/* Returns 1 for yes, 0 for anything else (Enter alone, end of input). */
static int confirm(void)
{
        char answer[ANSWER_MAX];
        size_t l;

        fputs("WARNING! This will remove all stopped containers.\n"
              "Are you sure you want to continue? [y/N] ",
              stdout);
        fflush(stdout);
        if (!fgets(answer, sizeof(answer), stdin))
                return 0;
        l = strcspn(answer, "\r\n");
        answer[l] = 0;
        return streq(answer, "y") || streq(answer, "Y") || streq(answer, "yes") || streq(answer, "Yes");
}

/* "Deleted Containers:" and the ids, nothing when there are none (as docker does). */
static int print_removed(sd_bus_message *reply)
{
        bool header = false;
        const char *id;
        int r;

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "s");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read_basic(reply, SD_BUS_TYPE_STRING, &id)) > 0) {
                if (!header) {
                        puts("Deleted Containers:");
                        header = true;
                }
                puts(id);
        }
        return r;
}

int verb_container_prune(int argc, char *argv[])
{
        static const struct option options[] = {
            {"force", no_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        bool force = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":fh", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'h':
                        help_prune();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind < argc)
                return cli_usage_error("Unexpected argument '%s'", argv[optind]);

        if (!force) {
                if (!isatty(STDIN_FILENO))
                        return cli_usage_error(
                            "Refusing to remove containers without confirmation: stdin is not "
                            "a terminal (use -f)");
                if (!confirm())
                        return 0;
        }

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = cli_call(bus, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, "PruneContainers",
                     CLI_CALL_TIMEOUT_USEC, &error, &reply, NULL);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, "remove containers", POLKIT_MANAGE_CONTAINERS);

        r = print_removed(reply);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot read the list of removed containers: %m");
                return EXIT_DAEMON_ERROR;
        }
        return 0;
}
