/* SPDX-License-Identifier: Apache-2.0 */
/* raind container run / create: the command line becomes Manager.CreateContainer(). */
#include "raind/bus-errors.h"
#include "raind/log.h"
#include "raind/macro.h"
#include "raind/strv.h"
#include "raind/validate.h"

#include "cli-attach.h"
#include "cli-bus.h"
#include "cli-error.h"
#include "cli-interactive.h"
#include "cli-run-options.h"
#include "cli-usage.h"
#include "cli.h"

static void help_run(bool is_run)
{
        printf("Usage: %s [OPTIONS] IMAGE [COMMAND] [ARG...]\n"
               "\n"
               "%s\n"
               "\n"
               "Options:\n",
               cli_command(),
               is_run ? "Create a container from IMAGE and start it. Without -d the container's output\n"
                        "is shown, signals are passed on to it, and raind exits with its exit status.\n"
                        "With -i and -t on a terminal, keys go to the container; Ctrl-P Ctrl-Q detaches."
                      : "Create a container from IMAGE without starting it, and print its id.");
        fputs("      --cap-add CAP          Add a capability (NET_ADMIN, SYS_TIME, ALL, ...)\n"
              "      --cap-drop CAP         Drop a capability (CHOWN, NET_RAW, ALL, ...)\n"
              "      --cpus NUMBER          CPU time, in CPUs (0.5: half of one CPU)\n",
              stdout);
        if (is_run)
                fputs("  -d, --detach               Run in the background and print the container's id\n",
                      stdout);
        fputs("      --entrypoint CMD       Run CMD instead of the image's entrypoint (\"\" for\n"
              "                             none); the image's default arguments are dropped\n"
              "  -e, --env KEY[=VALUE]      Set an environment variable; KEY alone passes on\n"
              "                             the client's own value (skipped when unset)\n"
              "      --expose PORT[/PROTO]  Record a port the container serves (beside the image's)\n"
              "  -h, --hostname NAME        Host name inside the container (default: the short id)\n"
              "      --help                 Show this help\n",
              stdout);
        if (is_run)
                fputs("  -i, --interactive          Keep the container's stdin open and send it ours\n",
                      stdout);
        else
                fputs("  -i, --interactive          Keep the container's stdin open, for attach\n", stdout);
        fputs("  -l, --label KEY=VALUE      Set a label (added to the image's)\n"
              "  -m, --memory SIZE          Memory limit: bytes, or with unit k, m, g, t (64m)\n"
              "      --name NAME            Name the container ([a-zA-Z0-9][a-zA-Z0-9_.-]*)\n"
              "      --network none|host    Own network namespace with loopback only (none,\n"
              "                             the default), or the host's network\n"
              "      --pids-limit NUMBER    Maximum number of tasks (-1: unlimited)\n"
              "      --pull POLICY          Pull IMAGE first: missing (default: when it is not\n"
              "                             here), always, or never\n"
              "      --read-only            Mount the root file system read-only\n"
              "      --restart POLICY       Restart the container when it exits: no (default),\n"
              "                             on-failure[:N] (at most N times), always or\n"
              "                             unless-stopped\n"
              "      --rm                   Remove the container once it has exited\n"
              "      --stop-signal SIGNAL   Signal that stops the container (default: the image's\n"
              "                             StopSignal, else SIGTERM)\n"
              "  -t, --tty                  Give the container a pseudo-terminal\n"
              "  -u, --user USER[:GROUP]    Run as this user (names from the image's /etc/passwd)\n"
              "  -v, --volume HOST:CONTAINER[:ro|rw]\n"
              "                             Bind mount a host path (both absolute)\n"
              "  -w, --workdir DIR          Working directory inside the container (absolute)\n",
              stdout);
        if (is_run)
                fputs("\n"
                      "Exit status: the container's, or 125 when raindd failed, 126 when COMMAND cannot\n"
                      "be executed, 127 when it does not exist.\n",
                      stdout);
}

static int append_strv_option(sd_bus_message *m, const char *key, char **l)
{
        int r;

        if (strv_length(l) == 0)
                return 0;
        r = sd_bus_message_open_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", key);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, SD_BUS_TYPE_VARIANT, "as");
        if (r < 0)
                return r;
        r = sd_bus_message_append_strv(m, l);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

static int append_string_option(sd_bus_message *m, const char *key, const char *value)
{
        return value ? sd_bus_message_append(m, "{sv}", key, "s", value) : 0;
}

static int append_u64_option(sd_bus_message *m, const char *key, uint64_t value)
{
        return value > 0 ? sd_bus_message_append(m, "{sv}", key, "t", value) : 0;
}

static int append_true_option(sd_bus_message *m, const char *key, bool value)
{
        return value ? sd_bus_message_append(m, "{sv}", key, "b", 1) : 0;
}

/* Only what the user gave: raindd's defaults apply to the rest. */
static int append_create_options(sd_bus_message *m, const RunOptions *o)
{
        int r;

        r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;

        r = append_string_option(m, "Name", o->name);
        if (r >= 0)
                r = append_strv_option(m, "Env", o->env);
        if (r >= 0)
                r = append_strv_option(m, "Volumes", o->volumes);
        if (r >= 0)
                r = append_string_option(m, "WorkingDir", o->working_dir);
        if (r >= 0)
                r = append_string_option(m, "User", o->user);
        if (r >= 0)
                r = append_string_option(m, "Hostname", o->hostname);
        if (r >= 0)
                r = append_u64_option(m, "MemoryMax", o->memory_max);
        if (r >= 0)
                r = append_u64_option(m, "CPUQuotaPerSecUSec", o->cpu_quota_usec);
        if (r >= 0)
                r = append_u64_option(m, "TasksMax", o->tasks_max);
        if (r >= 0)
                r = append_strv_option(m, "CapAdd", o->cap_add);
        if (r >= 0)
                r = append_strv_option(m, "CapDrop", o->cap_drop);
        if (r >= 0)
                r = append_true_option(m, "ReadOnly", o->read_only);
        if (r >= 0)
                r = append_string_option(m, "Network", o->network);
        if (r >= 0)
                r = append_true_option(m, "AutoRemove", o->auto_remove);
        if (r >= 0)
                r = append_true_option(m, "Tty", o->tty);
        if (r >= 0)
                r = append_true_option(m, "OpenStdin", o->interactive);
        if (r >= 0)
                r = append_string_option(m, "RestartPolicy", o->restart_policy);
        if (r >= 0 && o->stop_signal)
                r = append_string_option(m, "StopSignal", o->stop_signal);
        if (r >= 0 && o->labels)
                r = append_strv_option(m, "Labels", o->labels);
        if (r >= 0 && o->expose)
                r = append_strv_option(m, "ExposedPorts", o->expose);
        if (r >= 0 && o->entrypoint) {
                char *entrypoint[] = {o->entrypoint, NULL};
                /* "" clears the image's entrypoint: an empty list. */
                r = sd_bus_message_open_container(m, 'e', "sv");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", "Entrypoint");
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'v', "as");
                if (r >= 0)
                        r = sd_bus_message_append_strv(m, isempty(o->entrypoint) ? NULL : entrypoint);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r < 0)
                return r;

        return sd_bus_message_close_container(m);
}

static int create_container(sd_bus *bus, const RunOptions *o, sd_bus_error *error, char **ret_path)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        const char *path;
        char *p;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, RAIND_BUS_NAME, RAIND_MANAGER_PATH,
                                           RAIND_MANAGER_INTERFACE, "CreateContainer");
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        r = sd_bus_message_append(m, "s", o->image);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        r = sd_bus_message_append_strv(m, o->command);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        r = append_create_options(m, o);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);

        log_debug("%s.CreateContainer(%s)", RAIND_MANAGER_INTERFACE, o->image);
        r = sd_bus_call(bus, m, CLI_CALL_TIMEOUT_USEC, error, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        log_debug("Created %s", path);

        p = strdup(path);
        if (!p)
                return sd_bus_error_set_errno(error, -ENOMEM);
        *ret_path = p;
        return 0;
}

static int print_id(sd_bus *bus, const char *path)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *id = NULL;
        int r;

        r = container_get_string(bus, path, "Id", &error, &id);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, NULL, NULL);
        puts(id);
        return 0;
}

static int run_detached(sd_bus *bus, const char *path)
{
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r, status;

        r = cli_call(bus, path, RAIND_CONTAINER_INTERFACE, "Start", CLI_CALL_TIMEOUT_USEC, &error, NULL,
                     NULL);
        if (r < 0) {
                status = cli_log_bus_error(&error, r, NULL, "start containers", POLKIT_MANAGE_CONTAINERS);
                if (!bus_error_means_unreachable(error.name, r)) {
                        sd_bus_error_free(&error);
                        r = cli_call(bus, path, RAIND_CONTAINER_INTERFACE, "Remove", CLI_CALL_TIMEOUT_USEC,
                                     &error, NULL, "b", 1);
                        if (r < 0)
                                log_debug("Cannot remove %s after the failed start: %s", path,
                                          error.message ?: strerror(-r));
                }
                return status;
        }
        return print_id(bus, path);
}

static int run_or_create(int argc, char *argv[], bool is_run)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(run_options_freep) RunOptions *o = NULL;
        _cleanup_free_ char *usage = NULL, *path = NULL;
        int r;

        r = run_options_parse(argc, argv, is_run, &o, &usage);
        if (r == RUN_OPTIONS_HELP) {
                help_run(is_run);
                return 0;
        }
        if (r == -EINVAL)
                return cli_usage_error("%s", usage);
        if (r < 0)
                return log_oom();

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;

        /* Like docker: an image that is not here is pulled first (--pull=missing). */
        if (streq_ptr(o->pull, "always")) {
                r = image_pull_for_run(o->image);
                if (r != 0)
                        return r;
        }
        r = create_container(bus, o, &error, &path);
        if (r < 0 && sd_bus_error_has_name(&error, BUS_ERROR_NO_SUCH_IMAGE) && !o->pull &&
            !id_prefix_is_valid(o->image)) {
                fprintf(stderr, "Unable to find image '%s' locally\n", o->image);
                r = image_pull_for_run(o->image);
                if (r != 0)
                        return r;
                sd_bus_error_free(&error);
                r = create_container(bus, o, &error, &path);
        }
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, "create containers", POLKIT_MANAGE_CONTAINERS);

        if (!is_run)
                return print_id(bus, path);
        if (o->detach)
                return run_detached(bus, path);
        if (o->interactive || o->tty)
                return container_start_interactive(bus, path, o->interactive, o->tty,
                                                   /* remove_on_failure= */ true);
        return container_attach(bus, path, /* remove_on_failure= */ true);
}

int verb_container_run(int argc, char *argv[])
{
        return run_or_create(argc, argv, true);
}

int verb_container_create(int argc, char *argv[])
{
        return run_or_create(argc, argv, false);
}
