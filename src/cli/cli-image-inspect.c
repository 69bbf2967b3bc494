/* SPDX-License-Identifier: Apache-2.0 */
/* raind image inspect / history. */
#include <getopt.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/util.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-image-history.h"
#include "cli-image-inspect.h"
#include "cli-inspect.h"
#include "cli-json.h"
#include "cli-template.h"
#include "cli-usage.h"
#include "cli.h"

int image_inspect_json(sd_bus *bus, const char *image, sd_bus_error *error, json_object **ret)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        json_object *o;
        const char *json;
        int r;

        r = cli_call(bus, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, "InspectImage", 0, error, &reply, "s",
                     image);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "s", &json);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        o = json_tokener_parse(json);
        if (!o || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return sd_bus_error_set(
                    error, SD_BUS_ERROR_INCONSISTENT_MESSAGE,
                    "raindd answered InspectImage with something that is not a JSON object");
        }
        *ret = o;
        return 0;
}

static void help_inspect(void)
{
        printf("Usage: %s [OPTIONS] IMAGE...\n"
               "\n"
               "Print what raindd knows of each image (NAME[:TAG] or id) as a JSON array of objects:\n"
               "Id, RepoTags, RepoDigests, Created, Architecture, Os, Size, Config, RootFS,\n"
               "Manifest, LayerBlobs and History.\n"
               "\n"
               "Options:\n"
               "  -f, --format TEMPLATE   Print TEMPLATE for each image instead: {{.Field.Sub}},\n"
               "                          {{json .Field}}, {{.}} (a Go template's basics)\n"
               "  -h, --help              Show this help\n",
               cli_command());
}

int verb_image_inspect(int argc, char *argv[])
{
        return inspect_verb(argc, argv, help_inspect, "Missing image reference", image_inspect_json);
}

static void help_history(void)
{
        printf("Usage: %s [OPTIONS] IMAGE\n"
               "\n"
               "Show how an image was made, newest step first: IMAGE, CREATED, CREATED BY,\n"
               "SIZE (of the step's layer, unpacked; 0 for steps without one) and COMMENT.\n"
               "\n"
               "Options:\n"
               "      --no-trunc   Do not shorten ids and commands\n"
               "  -q, --quiet      Print the IMAGE column only\n"
               "  -h, --help       Show this help\n",
               cli_command());
}

int verb_image_history(int argc, char *argv[])
{
        enum { ARG_NO_TRUNC = 0x100 };
        static const struct option options[] = {
            {"no-trunc", no_argument, NULL, ARG_NO_TRUNC},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *text = NULL;
        bool no_trunc = false, quiet = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":qh", options, NULL)) >= 0)
                switch (c) {
                case ARG_NO_TRUNC:
                        no_trunc = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        help_history();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind >= argc)
                return cli_usage_error("Missing image reference");
        if (argc - optind > 1)
                return cli_usage_error("Unexpected argument '%s'", argv[optind + 1]);

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = image_inspect_json(bus, argv[optind], &error, &o);
        if (r < 0)
                return cli_log_bus_error(&error, r, argv[optind], NULL, NULL);
        r = image_history_format(o, no_trunc, quiet, now_usec(CLOCK_REALTIME), &text);
        if (r == -EBADMSG) {
                log_error("raind: %s: raindd's description of the image has no History", argv[optind]);
                return EXIT_DAEMON_ERROR;
        }
        if (r < 0)
                return log_oom();
        fputs(text, stdout);
        return 0;
}
