/* SPDX-License-Identifier: Apache-2.0 */
/* raind container inspect: every property of each container, as a JSON array. */
#include <getopt.h>

#include "raind/log.h"
#include "raind/macro.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-json.h"
#include "cli-usage.h"
#include "cli.h"

static int inspect_one(sd_bus *bus, const char *name, sd_bus_error *error, json_object **ret)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        r = container_lookup(bus, name, error, &path);
        if (r < 0)
                return r;
        r = cli_call(bus, path, "org.freedesktop.DBus.Properties", "GetAll", 0, error, &reply, "s",
                     RAIND_CONTAINER_INTERFACE);
        if (r < 0)
                return r;
        r = bus_properties_read_json(reply, ret);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        return 0;
}

static void help_inspect(void)
{
        printf("Usage: %s CONTAINER...\n"
               "\n"
               "Print every property of each container (see org.raind.raind1.Container) as a JSON\n"
               "array of objects. Times are RFC 3339 strings (null when not reached), their raw\n"
               "values in µs since the epoch are under the same name with \"USec\" appended.\n"
               "\n"
               "Options:\n"
               "  -h, --help   Show this help\n",
               cli_command());
}

int verb_container_inspect(int argc, char *argv[])
{
        static const struct option options[] = {
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_json_ json_object *array = NULL;
        int c, r, status = 0;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help_inspect();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind >= argc)
                return cli_usage_error("Missing container name");

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;

        array = json_object_new_array();
        if (!array)
                return log_oom();
        for (int i = optind; i < argc; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                json_object *o;

                r = inspect_one(bus, argv[i], &error, &o);
                if (r < 0) {
                        if (bus_error_means_unreachable(error.name, r))
                                return cli_log_bus_error(&error, r, NULL, NULL, NULL);
                        cli_log_bus_error(&error, r, argv[i], NULL, NULL);
                        status = EXIT_USAGE;
                        continue;
                }
                if (json_object_array_add(array, o) < 0) {
                        json_object_put(o);
                        return log_oom();
                }
        }

        r = json_print(array, stdout);
        if (r < 0)
                return log_oom();
        return status;
}
