/* SPDX-License-Identifier: Apache-2.0 */
/* raind: the command line client of raindd. Global options and the command tree. */
#include <getopt.h>

#include "config.h"
#include "raind/log.h"
#include "raind/macro.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-usage.h"
#include "cli.h"

typedef struct Verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
        const char *summary; /* NULL for an alias, which group help does not list */
} Verb;

static const Verb container_verbs[] = {
    {"run", verb_container_run, "Create and start a container"},
    {"create", verb_container_create, "Create a container without starting it"},
    {"start", verb_container_start, "Start containers"},
    {"stop", verb_container_stop, "Stop containers"},
    {"kill", verb_container_kill, "Send a signal to containers"},
    {"rm", verb_container_rm, "Remove containers (also: remove)"},
    {"remove", verb_container_rm, NULL},
    {"ls", verb_container_ls, "List containers (also: list, ps)"},
    {"list", verb_container_ls, NULL},
    {"ps", verb_container_ls, NULL},
    {"inspect", verb_container_inspect, "Show containers' properties as JSON"},
    {"logs", verb_container_logs, "Show a container's output"},
    {"wait", verb_container_wait, "Wait for containers to exit, print their exit statuses"},
    {"attach", verb_container_attach, "Attach to a running container's input and output"},
    {"exec", verb_container_exec, "Run a command in a running container"},
    {"stats", verb_container_stats, "Show containers' resource use"},
    {"top", verb_container_top, "Show the processes of a container"},
    {"rename", verb_container_rename, "Rename a container"},
    {"cp", verb_container_cp, "Copy files between a container and the host"},
    {"prune", verb_container_prune, "Remove all stopped containers"},
    {},
};

static const Verb image_verbs[] = {
    {"import", verb_image_import, "Create an image from a root file system tarball"},
    {"ls", verb_image_ls, "List images (also: list)"},
    {"list", verb_image_ls, NULL},
    {"rm", verb_image_rm, "Remove images (also: remove)"},
    {"remove", verb_image_rm, NULL},
    {"pull", verb_image_pull, "Pull an image from a registry"},
    {"push", verb_image_push, "Push an image to a registry"},
    {"tag", verb_image_tag, "Give an image a further reference"},
    {"inspect", verb_image_inspect, "Show images' details as JSON"},
    {"history", verb_image_history, "Show how an image was made"},
    {"prune", verb_image_prune, "Remove unused images"},
    {"save", verb_image_save, "Write images to a tar archive"},
    {"load", verb_image_load, "Load images from a tar archive"},
    {},
};

/* Docker's top-level shortcuts. */
static const Verb shortcut_verbs[] = {
    {"run", verb_container_run},
    {"create", verb_container_create},
    {"start", verb_container_start},
    {"stop", verb_container_stop},
    {"kill", verb_container_kill},
    {"rm", verb_container_rm},
    {"ps", verb_container_ls},
    {"inspect", verb_container_inspect},
    {"logs", verb_container_logs},
    {"wait", verb_container_wait},
    {"attach", verb_container_attach},
    {"exec", verb_container_exec},
    {"stats", verb_container_stats},
    {"top", verb_container_top},
    {"rename", verb_container_rename},
    {"cp", verb_container_cp},
    {"events", verb_events},
    {"images", verb_image_ls},
    {"import", verb_image_import},
    {"rmi", verb_image_rm},
    {"pull", verb_image_pull},
    {"push", verb_image_push},
    {"tag", verb_image_tag},
    {"save", verb_image_save},
    {"load", verb_image_load},
    {"history", verb_image_history},
    {},
};

static void help(void)
{
        printf("Usage: raind [OPTIONS] COMMAND [ARG...]\n"
               "\n"
               "Run and manage containers with raindd, the raind daemon, over the system bus.\n"
               "\n"
               "Commands:\n"
               "  container COMMAND   Manage containers (run, create, start, stop, kill, rm, ls,\n"
               "                      inspect, logs, wait, attach, exec, stats, top, rename, cp,\n"
               "                      prune)\n"
               "  image COMMAND       Manage images (pull, push, import, ls, rm, tag, inspect,\n"
               "                      history, prune, save, load)\n"
               "  login [REGISTRY]    Log in to a registry\n"
               "  logout [REGISTRY]   Remove the stored credentials of a registry\n"
               "  events              Show container events from the journal\n"
               "  version             Show the versions of raind and raindd\n"
               "\n"
               "Shortcuts:\n"
               "  run       Create and start a container          (container run)\n"
               "  create    Create a container                    (container create)\n"
               "  start     Start containers                      (container start)\n"
               "  stop      Stop containers                       (container stop)\n"
               "  kill      Send a signal to containers           (container kill)\n"
               "  rm        Remove containers                     (container rm)\n"
               "  ps        List containers                       (container ls)\n"
               "  inspect   Show containers' properties as JSON   (container inspect)\n"
               "  logs      Show a container's output             (container logs)\n"
               "  wait      Wait for containers to exit           (container wait)\n"
               "  attach    Attach to a running container         (container attach)\n"
               "  exec      Run a command in a container          (container exec)\n"
               "  stats     Show containers' resource use         (container stats)\n"
               "  top       Show the processes of a container     (container top)\n"
               "  rename    Rename a container                    (container rename)\n"
               "  cp        Copy files to or from a container     (container cp)\n"
               "  images    List images                           (image ls)\n"
               "  import    Import a root file system tarball     (image import)\n"
               "  rmi       Remove images                         (image rm)\n"
               "  pull      Pull an image from a registry         (image pull)\n"
               "  push      Push an image to a registry           (image push)\n"
               "  tag       Give an image a further reference     (image tag)\n"
               "  history   Show how an image was made            (image history)\n"
               "  save      Write images to a tar archive         (image save)\n"
               "  load      Load images from a tar archive        (image load)\n"
               "\n"
               "Options:\n"
               "      --debug     Show what raind asks raindd, and how long it takes\n"
               "  -h, --help      Show this help\n"
               "      --version   Show the version of raind\n"
               "\n"
               "Run 'raind COMMAND --help' for more on a command. See raind(1).\n");
}

static void help_group(const char *group, const Verb *verbs)
{
        printf("Usage: raind %s COMMAND [ARG...]\n\nCommands:\n", group);
        for (const Verb *v = verbs; v->name; v++)
                if (v->summary)
                        printf("  %-9s %s\n", v->name, v->summary);
        printf("\nRun 'raind %s COMMAND --help' for more on a command.\n", group);
}

static int verb_version(int argc, char *argv[])
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *version = NULL;
        int r;

        if (argc > 1) {
                if (streq(argv[1], "--help") || streq(argv[1], "-h")) {
                        printf("Usage: raind version\n\nShow the versions of raind and raindd.\n");
                        return 0;
                }
                return cli_usage_error("Unexpected argument '%s'", argv[1]);
        }

        printf("Client: raind %s\n", RAIND_VERSION);
        fflush(stdout);
        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = sd_bus_get_property_string(bus, RAIND_BUS_NAME, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE,
                                       "Version", &error, &version);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, NULL, NULL);
        printf("Server: raindd %s\n", version);
        return 0;
}

static const Verb *verb_find(const Verb *verbs, const char *name)
{
        for (const Verb *v = verbs; v->name; v++)
                if (streq(v->name, name))
                        return v;
        return NULL;
}

static int run_verb(const Verb *v, const char *typed, int argc, char *argv[])
{
        char command[64];

        /* The hint after a usage error names the command the way it was typed. */
        snprintf(command, sizeof(command), "raind %s", typed);
        cli_set_command(command);
        return v->run(argc, argv);
}

static int dispatch_group(const char *group, const Verb *verbs, int argc, char *argv[])
{
        char typed[48];
        const Verb *v;

        if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help")) {
                help_group(group, verbs);
                return 0;
        }
        v = verb_find(verbs, argv[1]);
        if (!v) {
                snprintf(typed, sizeof(typed), "raind %s", group);
                cli_set_command(typed);
                return cli_usage_error("Unknown command '%s %s'", group, argv[1]);
        }
        snprintf(typed, sizeof(typed), "%s %s", group, argv[1]);
        return run_verb(v, typed, argc - 1, argv + 1);
}

static int dispatch(int argc, char *argv[])
{
        const char *name = argv[0];
        const Verb *v;

        if (streq(name, "container"))
                return dispatch_group("container", container_verbs, argc, argv);
        if (streq(name, "image"))
                return dispatch_group("image", image_verbs, argc, argv);
        if (streq(name, "version")) {
                cli_set_command("raind version");
                return verb_version(argc, argv);
        }
        if (streq(name, "login") || streq(name, "logout")) {
                cli_set_command(streq(name, "login") ? "raind login" : "raind logout");
                return streq(name, "login") ? verb_login(argc, argv) : verb_logout(argc, argv);
        }
        if (streq(name, "help")) {
                help();
                return 0;
        }
        v = verb_find(shortcut_verbs, name);
        if (!v)
                return cli_usage_error("Unknown command '%s'", name);
        return run_verb(v, name, argc, argv);
}

int main(int argc, char *argv[])
{
        enum { ARG_DEBUG = 0x100, ARG_VERSION };
        static const struct option options[] = {
            {"debug", no_argument, NULL, ARG_DEBUG},
            {"help", no_argument, NULL, 'h'},
            {"version", no_argument, NULL, ARG_VERSION},
            {},
        };
        int c, r;

        /* No setlocale(): "0.5" must parse and "4.2MB" print the same everywhere. */
        log_set_max_level(LOG_INFO);

        /* '+': options after COMMAND are the command's. */
        while ((c = getopt_long(argc, argv, "+:h", options, NULL)) >= 0)
                switch (c) {
                case ARG_DEBUG:
                        log_set_max_level(LOG_DEBUG);
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("raind %s\n", RAIND_VERSION);
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind >= argc) {
                help();
                return 0;
        }

        r = dispatch(argc - optind, argv + optind);
        /* A verb's negative errno means it failed on our side and said so already. */
        return r < 0 ? EXIT_USAGE : r;
}
