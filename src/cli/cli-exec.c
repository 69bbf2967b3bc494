/* SPDX-License-Identifier: Apache-2.0 */
/* raind container exec: Container.Exec() and the stream to the new process. */
#include <inttypes.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/strv.h"
#include "raind/util.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-exec-options.h"
#include "cli-pump.h"
#include "cli-usage.h"
#include "cli.h"

static void help_exec(void)
{
        printf("Usage: %s [OPTIONS] CONTAINER COMMAND [ARG...]\n"
               "\n"
               "Run a command in a running container, in all its namespaces, with its root file\n"
               "system, capabilities and seccomp filter. The command is looked up in the\n"
               "container's PATH. Option parsing stops at CONTAINER.\n"
               "\n"
               "Options:\n"
               "  -e, --env KEY[=VALUE]   Set an environment variable; KEY alone passes on the\n"
               "                          client's own value (skipped when unset)\n"
               "  -h, --help              Show this help\n"
               "  -i, --interactive       Send our input to the command\n"
               "  -t, --tty               Give the command a pseudo-terminal (with -i: raw mode;\n"
               "                          Ctrl-P Ctrl-Q detaches)\n"
               "  -u, --user UID[:GID]    Run as this user (numeric)\n"
               "  -w, --workdir DIR       Working directory inside the container (absolute)\n"
               "\n"
               "Exit status: the command's, or 125 when raindd failed, 126 when COMMAND cannot be\n"
               "executed, 127 when it does not exist.\n",
               cli_command());
}

static int append_exec_options(sd_bus_message *m, const ExecOptions *o)
{
        int r;

        r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        if (!strv_isempty(o->env)) {
                r = sd_bus_message_open_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", "Env");
                if (r >= 0)
                        r = sd_bus_message_open_container(m, SD_BUS_TYPE_VARIANT, "as");
                if (r >= 0)
                        r = sd_bus_message_append_strv(m, o->env);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
        }
        if (o->user) {
                r = sd_bus_message_append(m, "{sv}", "User", "s", o->user);
                if (r < 0)
                        return r;
        }
        if (o->working_dir) {
                r = sd_bus_message_append(m, "{sv}", "WorkingDir", "s", o->working_dir);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_append(m, "{sv}{sv}", "Tty", "b", (int)o->tty, "Stdin", "b", (int)o->interactive);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

static int call_exec(sd_bus *bus, const ExecOptions *o, sd_bus_error *error, int *ret_fd)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_free_ char *path = NULL;
        uint64_t begin;
        int r;

        r = container_lookup(bus, o->container, error, &path);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(bus, &m, RAIND_BUS_NAME, path, RAIND_CONTAINER_INTERFACE, "Exec");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, o->command);
        if (r >= 0)
                r = append_exec_options(m, o);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);

        begin = now_usec(CLOCK_MONOTONIC);
        r = sd_bus_call(bus, m, CLI_CALL_TIMEOUT_USEC, error, &reply);
        log_debug("%s.Exec() on %s: %s (%" PRIu64 " ms)", RAIND_CONTAINER_INTERFACE, path,
                  r < 0 ? (sd_bus_error_is_set(error) ? error->name : strerror(-r)) : "ok",
                  (now_usec(CLOCK_MONOTONIC) - begin) / 1000);
        if (r < 0)
                return r;
        r = bus_reply_take_fd(reply, ret_fd);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        return 0;
}

int verb_container_exec(int argc, char *argv[])
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(exec_options_freep) ExecOptions *o = NULL;
        _cleanup_free_ char *usage = NULL;
        PumpOptions pump;
        int r, fd;

        r = exec_options_parse(argc, argv, &o, &usage);
        if (r == EXEC_OPTIONS_HELP) {
                help_exec();
                return 0;
        }
        if (r == -EINVAL)
                return cli_usage_error("%s", usage);
        if (r < 0)
                return log_oom();

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = call_exec(bus, o, &error, &fd);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, "exec in containers", POLKIT_EXEC);

        /* Signals are not passed on: Kill would reach the container's first process, not this one. */
        pump = (PumpOptions){.input = o->interactive, .tty = o->tty};
        fflush(stdout);
        return stream_pump(fd, &pump);
}
