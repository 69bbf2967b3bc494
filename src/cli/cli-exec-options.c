/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdarg.h>

#include "raind/util.h"
#include "raind/macro.h"
#include "raind/strv.h"
#include "raind/validate.h"

#include "cli-exec-options.h"
#include "cli-run-options.h"
#include "cli-usage.h"

ExecOptions *exec_options_free(ExecOptions *o)
{
        if (!o)
                return NULL;
        strv_free(o->env);
        free(o->user);
        free(o->working_dir);
        free(o->container);
        strv_free(o->command);
        free(o);
        return NULL;
}

int exec_options_parse(int argc, char *argv[], ExecOptions **ret, char **ret_error)
{
        static const struct option options[] = {
            {"interactive", no_argument, NULL, 'i'},
            {"tty", no_argument, NULL, 't'},
            {"env", required_argument, NULL, 'e'},
            {"user", required_argument, NULL, 'u'},
            {"workdir", required_argument, NULL, 'w'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(exec_options_freep) ExecOptions *o = NULL;
        int c, r;

        *ret_error = NULL;
        o = calloc(1, sizeof(ExecOptions));
        if (!o)
                return -ENOMEM;

        /* '+': stop at CONTAINER, so that "exec web ls -l" leaves -l to ls. */
        optind = 0;
        while ((c = getopt_long(argc, argv, "+:ite:u:w:h", options, NULL)) >= 0)
                switch (c) {
                case 'i':
                        o->interactive = true;
                        break;
                case 't':
                        o->tty = true;
                        break;
                case 'e':
                        r = env_option_add(&o->env, optarg, ret_error);
                        if (r < 0)
                                return r;
                        break;
                case 'u': {
                        uid_t uid;
                        gid_t gid;
                        bool has_gid;

                        if (parse_user(optarg, &uid, &gid, &has_gid) < 0)
                                return usage_text(ret_error,
                                                  "Invalid user '%s': expected UID[:GID], numeric", optarg);
                        r = free_and_strdup(&o->user, optarg);
                        if (r < 0)
                                return r;
                        break;
                }
                case 'w':
                        if (!path_is_safe_absolute(optarg))
                                return usage_text(ret_error,
                                                  "Invalid working directory '%s': must be an absolute path",
                                                  optarg);
                        r = free_and_strdup(&o->working_dir, optarg);
                        if (r < 0)
                                return r;
                        break;
                case 'h':
                        return EXEC_OPTIONS_HELP;
                default:
                        r = getopt_error_text(c, argv, ret_error);
                        return r < 0 ? r : -EINVAL;
                }

        if (optind >= argc)
                return usage_text(ret_error, "Missing container name");
        if (!container_name_is_valid(argv[optind]))
                return usage_text(ret_error, "Invalid container name or id '%s'", argv[optind]);
        if (optind + 1 >= argc)
                return usage_text(ret_error, "Missing COMMAND");
        if (argc - optind - 1 > ARGV_MAX)
                return usage_text(ret_error, "Command too long (at most %d arguments)", ARGV_MAX);

        o->container = strdup(argv[optind]);
        o->command = strv_copy(argv + optind + 1);
        if (!o->container || !o->command)
                return -ENOMEM;

        *ret = TAKE_PTR(o);
        return EXEC_OPTIONS_PARSED;
}
