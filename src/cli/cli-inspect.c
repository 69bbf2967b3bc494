/* SPDX-License-Identifier: Apache-2.0 */
/* raind container inspect, and the printing every inspect verb shares. */
#include <getopt.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/strv.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-inspect.h"
#include "cli-json.h"
#include "cli-template.h"
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

/* Prints the objects one() makes for names: a JSON array, or with format that template rendered for
 * each. A name that fails is reported and the rest still print. Returns the exit status. */
static int inspect_print(sd_bus *bus, char **names, const char *format, InspectOne one)
{
        _cleanup_json_ json_object *array = json_object_new_array();
        int r, status = 0;

        if (!array)
                return log_oom();
        STRV_FOREACH (name, names) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                json_object *o;

                r = one(bus, *name, &error, &o);
                if (r < 0) {
                        if (bus_error_means_unreachable(error.name, r))
                                return cli_log_bus_error(&error, r, NULL, NULL, NULL);
                        cli_log_bus_error(&error, r, *name, NULL, NULL);
                        status = EXIT_USAGE;
                        continue;
                }
                if (format) {
                        _cleanup_free_ char *text = NULL, *e = NULL;

                        r = template_render(format, o, &text, &e);
                        json_object_put(o);
                        if (r < 0)
                                return log_oom();
                        puts(text);
                        continue;
                }
                if (json_object_array_add(array, o) < 0) {
                        json_object_put(o);
                        return log_oom();
                }
        }
        if (!format && json_print(array, stdout) < 0)
                return log_oom();
        return status;
}

/* 0 when format (may be NULL) is a template we render, else the usage error's exit status. */
static int inspect_check_format(const char *format)
{
        _cleanup_free_ char *text = NULL, *error = NULL;
        int r;

        if (!format)
                return 0;
        /* Checked before asking: a typo should not wait for the bus. */
        r = template_render(format, NULL, &text, &error);
        if (r == -EINVAL)
                return cli_usage_error("%s", error);
        if (r < 0)
                return log_oom();
        return 0;
}

static void help_inspect(void)
{
        printf("Usage: %s [OPTIONS] CONTAINER...\n"
               "\n"
               "Print every property of each container (see org.raind.raind1.Container) as a JSON\n"
               "array of objects. Times are RFC 3339 strings (null when not reached), their raw\n"
               "values in µs since the epoch are under the same name with \"USec\" appended.\n"
               "\n"
               "Options:\n"
               "  -f, --format TEMPLATE   Print TEMPLATE for each container instead: {{.Field}},\n"
               "                          {{json .Field}}, {{.}} (a Go template's basics)\n"
               "  -h, --help              Show this help\n",
               cli_command());
}

int inspect_verb(int argc, char *argv[], void (*help)(void), const char *missing, InspectOne one)
{
        static const struct option options[] = {
            {"format", required_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        const char *format = NULL;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":f:h", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'h':
                        help();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind >= argc)
                return cli_usage_error("%s", missing);
        r = inspect_check_format(format);
        if (r != 0)
                return r;
        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        return inspect_print(bus, argv + optind, format, one);
}

int verb_container_inspect(int argc, char *argv[])
{
        return inspect_verb(argc, argv, help_inspect, "Missing container name", inspect_one);
}
