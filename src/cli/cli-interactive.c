/* SPDX-License-Identifier: Apache-2.0 */
/* Streams to a container's process: run -i/-t, start -a on such a container, attach. */
#include <getopt.h>

#include "raind/log.h"
#include "raind/macro.h"

#include "cli-attach.h"
#include "cli-bus.h"
#include "cli-error.h"
#include "cli-interactive.h"
#include "cli-pump.h"
#include "cli-usage.h"
#include "cli.h"

int container_start_interactive(sd_bus *bus, const char *path, bool input, bool tty, bool remove_on_failure)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        PumpOptions o = {.input = input, .tty = tty, .bus = bus, .container_path = path};
        int r, fd, status;

        r = cli_call(bus, path, RAIND_CONTAINER_INTERFACE, "StartInteractive", CLI_CALL_TIMEOUT_USEC, &error,
                     &reply, "a{sv}", 0);
        if (r < 0) {
                status = cli_log_bus_error(&error, r, NULL, "start containers", POLKIT_MANAGE_CONTAINERS);
                if (remove_on_failure && !bus_error_means_unreachable(error.name, r))
                        container_remove_after_failure(bus, path);
                return status;
        }
        r = bus_reply_take_fd(reply, &fd);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot read the container's stream: %m");
                return EXIT_DAEMON_ERROR;
        }

        fflush(stdout);
        return stream_pump(fd, &o);
}

static void help_attach(void)
{
        printf("Usage: %s [OPTIONS] CONTAINER\n"
               "\n"
               "Attach to a running container: show its output and, when it was created with -i,\n"
               "send it our input. Ctrl-P Ctrl-Q detaches and leaves it running; otherwise raind\n"
               "exits with the container's exit status when it ends.\n"
               "\n"
               "Options:\n"
               "      --no-stdin   Do not send input, only show the output\n"
               "  -h, --help       Show this help\n",
               cli_command());
}

int verb_container_attach(int argc, char *argv[])
{
        enum { ARG_NO_STDIN = 0x100 };
        static const struct option options[] = {
            {"no-stdin", no_argument, NULL, ARG_NO_STDIN},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = NULL;
        bool stdin_wanted = true, tty = false, open_stdin = false;
        PumpOptions o = {};
        int c, r, fd;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case ARG_NO_STDIN:
                        stdin_wanted = false;
                        break;
                case 'h':
                        help_attach();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind >= argc)
                return cli_usage_error("Missing container name");
        if (argc - optind > 1)
                return cli_usage_error("Only one container at a time");

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = container_lookup(bus, argv[optind], &error, &path);
        if (r >= 0)
                r = container_get_bool(bus, path, "Tty", &error, &tty);
        if (r >= 0)
                r = container_get_bool(bus, path, "OpenStdin", &error, &open_stdin);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, NULL, NULL);

        r = cli_call(bus, path, RAIND_CONTAINER_INTERFACE, "Attach", CLI_CALL_TIMEOUT_USEC, &error, &reply,
                     "a{sv}", 1, "Stdin", "b", (int)stdin_wanted);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, "attach to containers", POLKIT_EXEC);
        r = bus_reply_take_fd(reply, &fd);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot read the container's stream: %m");
                return EXIT_DAEMON_ERROR;
        }

        /* Without OpenStdin the container reads nothing; leave our stdin to others. */
        o = (PumpOptions){
            .input = stdin_wanted && open_stdin, .tty = tty, .bus = bus, .container_path = path};
        fflush(stdout);
        return stream_pump(fd, &o);
}
