/* SPDX-License-Identifier: Apache-2.0 */
/* raind image tag / prune. */
#include <getopt.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/strv.h"
#include "raind/validate.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-usage.h"
#include "cli.h"

static void help_tag(void)
{
        printf("Usage: %s SOURCE TARGET\n"
               "\n"
               "Give the image SOURCE (NAME[:TAG] or id) the further reference TARGET (NAME[:TAG]).\n"
               "\n"
               "Options:\n"
               "  -h, --help   Show this help\n",
               cli_command());
}

int verb_image_tag(int argc, char *argv[])
{
        static const struct option options[] = {
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *source, *target;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help_tag();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (argc - optind != 2)
                return cli_usage_error("Expected SOURCE and TARGET");
        source = argv[optind];
        target = argv[optind + 1];
        if (!image_reference_is_valid(source) && !id_prefix_is_valid(source))
                return cli_usage_error("Invalid image reference '%s'", source);
        if (!image_reference_is_valid(target))
                return cli_usage_error("Invalid image reference '%s': expected NAME[:TAG], lowercase",
                                       target);

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = cli_call(bus, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, "TagImage", CLI_CALL_TIMEOUT_USEC,
                     &error, NULL, "ss", source, target);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, "tag images", POLKIT_MANAGE_IMAGES);
        return 0;
}

static void help_prune(void)
{
        printf("Usage: %s [OPTIONS]\n"
               "\n"
               "Remove dangling images (those without a reference), or with -a every image no\n"
               "container uses, and print their ids. Asks first unless -f is given.\n"
               "\n"
               "Options:\n"
               "  -a, --all     Remove every image no container uses, not only dangling ones\n"
               "  -f, --force   Do not ask for confirmation\n"
               "  -h, --help    Show this help\n",
               cli_command());
}

/* Docker's question; anything but y or yes (or no answer) is no. */
static bool confirm(const char *warning)
{
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        ssize_t n;

        fprintf(stderr, "WARNING! %s\nAre you sure you want to continue? [y/N] ", warning);
        fflush(stderr);
        n = getline(&line, &size, stdin);
        if (n <= 0) {
                fputc('\n', stderr);
                return false;
        }
        line[strcspn(line, "\r\n")] = 0;
        return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
}

int verb_image_prune(int argc, char *argv[])
{
        static const struct option options[] = {
            {"all", no_argument, NULL, 'a'},
            {"force", no_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **removed = NULL;
        bool all = false, force = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":afh", options, NULL)) >= 0)
                switch (c) {
                case 'a':
                        all = true;
                        break;
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

        if (!force && !confirm(all ? "This will remove all images without at least one container using them."
                                   : "This will remove all dangling images."))
                return 0;

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = cli_call(bus, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, "PruneImages", CLI_CALL_NO_TIMEOUT,
                     &error, &reply, "b", (int)all);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, "remove images", POLKIT_MANAGE_IMAGES);
        r = sd_bus_message_read_strv(reply, &removed);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot read the removed images: %m");
        STRV_FOREACH (id, removed)
                puts(*id);
        return 0;
}
