/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs that act on containers by name: start, stop, kill, rm, wait, rename. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/strv.h"
#include "raind/validate.h"

#include "cli-attach.h"
#include "cli-bus.h"
#include "cli-error.h"
#include "cli-interactive.h"
#include "cli-usage.h"
#include "cli.h"

#define STOP_TIMEOUT_DEFAULT_SEC 10U
/* How long Stop may take beyond the grace period before we stop waiting for the reply. */
#define STOP_CALL_SLACK_USEC (60 * USEC_PER_SEC)

typedef int (*container_action_t)(sd_bus *bus, const char *path, const void *arg, sd_bus_error *error);

/* Acts on each container in turn, docker-like: a failure is reported with the name as given and the
 * others are still tried; success prints the name. */
static int for_each_container(sd_bus *bus, char **names, container_action_t action, const void *arg,
                              const char *what)
{
        int status = 0;

        STRV_FOREACH (name, names) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *path = NULL;
                int r;

                r = container_lookup(bus, *name, &error, &path);
                if (r >= 0)
                        r = action(bus, path, arg, &error);
                if (r < 0) {
                        if (bus_error_means_unreachable(error.name, r))
                                return cli_log_bus_error(&error, r, NULL, what, POLKIT_MANAGE_CONTAINERS);
                        cli_log_bus_error(&error, r, *name, what, POLKIT_MANAGE_CONTAINERS);
                        status = EXIT_USAGE;
                        continue;
                }
                puts(*name);
                fflush(stdout);
        }
        return status;
}

/* "at least one NAME" for all of these verbs. */
static int check_names(int argc, char *argv[])
{
        if (optind >= argc)
                return cli_usage_error("Missing container name");
        return 0;
}

static int call_start(sd_bus *bus, const char *path, const void *arg, sd_bus_error *error)
{
        return cli_call(bus, path, RAIND_CONTAINER_INTERFACE, "Start", CLI_CALL_TIMEOUT_USEC, error, NULL,
                        NULL);
}

static void help_start(void)
{
        printf("Usage: %s [OPTIONS] CONTAINER...\n"
               "\n"
               "Start one or more created or exited containers.\n"
               "\n"
               "Options:\n"
               "  -a, --attach        Show the container's output and exit with its exit status\n"
               "                      (one container only); signals are passed on to the container\n"
               "  -i, --interactive   Attach and send our input, for a container created with -i\n"
               "                      (Ctrl-P Ctrl-Q detaches)\n"
               "  -h, --help          Show this help\n",
               cli_command());
}

int verb_container_start(int argc, char *argv[])
{
        static const struct option options[] = {
            {"attach", no_argument, NULL, 'a'},
            {"interactive", no_argument, NULL, 'i'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        bool attach = false, interactive = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":aih", options, NULL)) >= 0)
                switch (c) {
                case 'a':
                        attach = true;
                        break;
                case 'i':
                        /* As with docker, input without output makes no sense. */
                        interactive = attach = true;
                        break;
                case 'h':
                        help_start();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        r = check_names(argc, argv);
        if (r != 0)
                return r;
        if (attach && argc - optind > 1)
                return cli_usage_error(
                    "Options --attach and --interactive work with one container at a time");

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;

        if (attach) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *path = NULL;
                bool tty = false, open_stdin = false;

                r = container_lookup(bus, argv[optind], &error, &path);
                if (r >= 0)
                        r = container_get_bool(bus, path, "Tty", &error, &tty);
                if (r >= 0)
                        r = container_get_bool(bus, path, "OpenStdin", &error, &open_stdin);
                if (r < 0)
                        return cli_log_bus_error(&error, r, NULL, "start containers",
                                                 POLKIT_MANAGE_CONTAINERS);
                /* A terminal, or input to send, needs the stream; plain output does not. */
                if (tty || (interactive && open_stdin))
                        return container_start_interactive(bus, path, interactive && open_stdin, tty, false);
                return container_attach(bus, path, false);
        }

        return for_each_container(bus, argv + optind, call_start, NULL, "start containers");
}

static int call_stop(sd_bus *bus, const char *path, const void *arg, sd_bus_error *error)
{
        uint32_t timeout = *(const uint32_t *)arg;

        return cli_call(bus, path, RAIND_CONTAINER_INTERFACE, "Stop",
                        timeout * USEC_PER_SEC + STOP_CALL_SLACK_USEC, error, NULL, "u", timeout);
}

static void help_stop(void)
{
        printf("Usage: %s [OPTIONS] CONTAINER...\n"
               "\n"
               "Stop one or more running containers: SIGTERM, then SIGKILL after the timeout.\n"
               "\n"
               "Options:\n"
               "  -t, --time SECONDS   Seconds to wait before killing the container (default %u)\n"
               "  -h, --help           Show this help\n",
               cli_command(), STOP_TIMEOUT_DEFAULT_SEC);
}

static int parse_seconds(const char *s, uint32_t *ret)
{
        unsigned long v;
        char *end;

        if (isempty(s) || s[0] < '0' || s[0] > '9')
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end || v > UINT32_MAX / USEC_PER_SEC)
                return -ERANGE;
        *ret = (uint32_t)v;
        return 0;
}

int verb_container_stop(int argc, char *argv[])
{
        static const struct option options[] = {
            {"time", required_argument, NULL, 't'},
            {"timeout", required_argument, NULL, 't'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        uint32_t timeout = STOP_TIMEOUT_DEFAULT_SEC;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":t:h", options, NULL)) >= 0)
                switch (c) {
                case 't':
                        if (parse_seconds(optarg, &timeout) < 0)
                                return cli_usage_error("Invalid timeout '%s': expected a number of seconds",
                                                       optarg);
                        break;
                case 'h':
                        help_stop();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        r = check_names(argc, argv);
        if (r != 0)
                return r;

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        return for_each_container(bus, argv + optind, call_stop, &timeout, "stop containers");
}

static int call_kill(sd_bus *bus, const char *path, const void *arg, sd_bus_error *error)
{
        return cli_call(bus, path, RAIND_CONTAINER_INTERFACE, "Kill", CLI_CALL_TIMEOUT_USEC, error, NULL,
                        "i", *(const int *)arg);
}

static void help_kill(void)
{
        printf("Usage: %s [OPTIONS] CONTAINER...\n"
               "\n"
               "Send a signal to the main process of one or more running containers.\n"
               "\n"
               "Options:\n"
               "  -s, --signal SIGNAL   Signal to send, by name or number: KILL, SIGTERM, 15\n"
               "                        (default KILL)\n"
               "  -h, --help            Show this help\n",
               cli_command());
}

int verb_container_kill(int argc, char *argv[])
{
        static const struct option options[] = {
            {"signal", required_argument, NULL, 's'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int c, r, sig = SIGKILL;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":s:h", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        if (parse_signal(optarg, &sig) < 0)
                                return cli_usage_error(
                                    "Invalid signal '%s': expected a name such as TERM or "
                                    "SIGKILL, or a number",
                                    optarg);
                        break;
                case 'h':
                        help_kill();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        r = check_names(argc, argv);
        if (r != 0)
                return r;

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        return for_each_container(bus, argv + optind, call_kill, &sig, "kill containers");
}

static int call_remove(sd_bus *bus, const char *path, const void *arg, sd_bus_error *error)
{
        return cli_call(bus, path, RAIND_CONTAINER_INTERFACE, "Remove", CLI_CALL_TIMEOUT_USEC, error, NULL,
                        "b", (int)*(const bool *)arg);
}

static void help_rm(void)
{
        printf("Usage: %s [OPTIONS] CONTAINER...\n"
               "\n"
               "Remove one or more containers.\n"
               "\n"
               "Options:\n"
               "  -f, --force   Kill and remove a running container\n"
               "  -h, --help    Show this help\n",
               cli_command());
}

int verb_container_rm(int argc, char *argv[])
{
        static const struct option options[] = {
            {"force", no_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        bool force = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":fh", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'h':
                        help_rm();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        r = check_names(argc, argv);
        if (r != 0)
                return r;

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        return for_each_container(bus, argv + optind, call_remove, &force, "remove containers");
}

static int call_wait(sd_bus *bus, const char *path, const void *arg, sd_bus_error *error)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int32_t status;
        int r;

        r = cli_call(bus, path, RAIND_CONTAINER_INTERFACE, "Wait", CLI_CALL_NO_TIMEOUT, error, &reply, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "i", &status);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        printf("%" PRIi32 "\n", status);
        fflush(stdout);
        return 0;
}

static void help_wait(void)
{
        printf("Usage: %s CONTAINER...\n"
               "\n"
               "Wait until each container has exited and print its exit status.\n"
               "\n"
               "Options:\n"
               "  -h, --help   Show this help\n",
               cli_command());
}

int verb_container_wait(int argc, char *argv[])
{
        static const struct option options[] = {
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int c, r, status = 0;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help_wait();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        r = check_names(argc, argv);
        if (r != 0)
                return r;

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;

        /* Like for_each_container(), but the status is the output, not the name. */
        for (int i = optind; i < argc; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *path = NULL;

                r = container_lookup(bus, argv[i], &error, &path);
                if (r >= 0)
                        r = call_wait(bus, path, NULL, &error);
                if (r < 0) {
                        if (bus_error_means_unreachable(error.name, r))
                                return cli_log_bus_error(&error, r, NULL, NULL, NULL);
                        cli_log_bus_error(&error, r, argv[i], NULL, NULL);
                        status = EXIT_USAGE;
                }
        }
        return status;
}

static void help_rename(void)
{
        printf("Usage: %s CONTAINER NEW_NAME\n"
               "\n"
               "Give a container a new name. A running container keeps its scope until it is\n"
               "started again, which then uses raind-NEW_NAME.scope.\n"
               "\n"
               "Options:\n"
               "  -h, --help   Show this help\n",
               cli_command());
}

int verb_container_rename(int argc, char *argv[])
{
        static const struct option options[] = {
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help_rename();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (argc - optind < 2)
                return cli_usage_error(optind >= argc ? "Missing container name" : "Missing the new name");
        if (argc - optind > 2)
                return cli_usage_error("Unexpected argument '%s'", argv[optind + 2]);
        if (!container_name_is_valid(argv[optind + 1]))
                return cli_usage_error(
                    "Invalid container name '%s': use [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most %d "
                    "characters",
                    argv[optind + 1], CONTAINER_NAME_MAX);

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = container_lookup(bus, argv[optind], &error, &path);
        if (r >= 0)
                r = cli_call(bus, path, RAIND_CONTAINER_INTERFACE, "Rename", CLI_CALL_TIMEOUT_USEC, &error,
                             NULL, "s", argv[optind + 1]);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, "rename containers", POLKIT_MANAGE_CONTAINERS);
        return 0;
}
