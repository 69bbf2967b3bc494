/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>

#include "config.h"
#include "manager.h"
#include "raind/log.h"

static void help(void)
{
        printf("raindd [OPTIONS]\n\n"
               "The raind container service on the D-Bus system bus (org.raind.raind1).\n\n"
               "  -h --help       Show this help\n"
               "     --version    Show the version\n"
               "     --debug      Log at debug level and pass --debug to raind-shim\n\n"
               "Environment: RAIND_STATE_DIR, RAIND_RUNTIME_DIR, RAIND_SHIM override the built-in paths.\n");
}

int main(int argc, char *argv[])
{
        static const struct option options[] = {
            {"help", no_argument, NULL, 'h'},
            {"version", no_argument, NULL, 'V'},
            {"debug", no_argument, NULL, 'd'},
            {},
        };
        _cleanup_(manager_freep) Manager *m = NULL;
        bool debug = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'V':
                        printf("raindd %s\n", RAIND_VERSION);
                        return 0;
                case 'd':
                        debug = true;
                        break;
                default:
                        return 1;
                }
        if (optind < argc) {
                log_error("raindd takes no arguments.");
                return 1;
        }

        /* A drop-in can turn debugging on without changing ExecStart=. */
        if (getenv("RAIND_DEBUG") && streq(getenv("RAIND_DEBUG"), "1"))
                debug = true;
        if (getenv("INVOCATION_ID") || getenv("JOURNAL_STREAM"))
                log_open_journal("raindd");
        log_set_max_level(debug ? LOG_DEBUG : LOG_INFO);

        r = manager_new(&m);
        if (r < 0)
                return log_oom(), 1;
        m->debug = debug;
        r = manager_startup(m);
        if (r < 0)
                return 1;
        log_info("raindd %s running, %zu containers.", RAIND_VERSION, m->n_containers);
        r = manager_run(m);
        if (r < 0) {
                log_error_errno(r, "Event loop failed: %m");
                return 1;
        }
        return 0;
}
