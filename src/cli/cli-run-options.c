/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdarg.h>

#include "raind/util.h"
#include "raind/macro.h"
#include "raind/strv.h"
#include "raind/validate.h"

#include "cli-run-options.h"
#include "cli-usage.h"

RunOptions *run_options_free(RunOptions *o)
{
        if (!o)
                return NULL;
        free(o->name);
        strv_free(o->env);
        strv_free(o->volumes);
        free(o->working_dir);
        free(o->user);
        free(o->hostname);
        free(o->network);
        strv_free(o->cap_add);
        strv_free(o->cap_drop);
        free(o->restart_policy);
        free(o->stop_signal);
        free(o->pull);
        free(o->entrypoint);
        strv_free(o->labels);
        strv_free(o->expose);
        free(o->image);
        strv_free(o->command);
        free(o);
        return NULL;
}

int env_option_add(char ***env, const char *arg, char **ret_error)
{
        _cleanup_free_ char *assignment = NULL;
        const char *value;

        if (strchr(arg, '=')) {
                if (!env_assignment_is_valid(arg))
                        return usage_text(ret_error, "Invalid environment variable '%s': expected KEY=VALUE",
                                          arg);
                assignment = strdup(arg);
        } else {
                if (isempty(arg))
                        return usage_text(ret_error, "Invalid environment variable '': expected KEY=VALUE");
                value = getenv(arg);
                if (!value)
                        return 0;
                if (asprintf(&assignment, "%s=%s", arg, value) < 0)
                        assignment = NULL;
        }
        if (!assignment)
                return -ENOMEM;
        if (strv_length(*env) >= ENV_MAX)
                return usage_text(ret_error, "Too many environment variables (at most %d)", ENV_MAX);
        if (strv_push(env, assignment) < 0)
                return -ENOMEM;
        TAKE_PTR(assignment);
        return 0;
}

static int add_volume(RunOptions *o, const char *arg, char **ret_error)
{
        _cleanup_free_ char *host = NULL, *ctr = NULL;
        bool ro;

        if (parse_volume(arg, &host, &ctr, &ro) < 0)
                return usage_text(
                    ret_error, "Invalid volume '%s': expected HOST:CONTAINER[:ro|rw], both absolute paths",
                    arg);
        if (strv_length(o->volumes) >= VOLUMES_MAX)
                return usage_text(ret_error, "Too many volumes (at most %d)", VOLUMES_MAX);
        return strv_extend(&o->volumes, arg);
}

static int add_capability(char ***l, const char *arg, char **ret_error)
{
        int cap = capability_from_name(arg);
        const char *name;

        if (cap < 0)
                return usage_text(ret_error, "Unknown capability '%s'", arg);
        name = cap == CAPABILITY_ALL ? "ALL" : capability_to_name(cap);
        if (strv_contains(*l, name))
                return 0;
        return strv_extend(l, name);
}

enum {
        ARG_HELP = 0x100,
        ARG_RM,
        ARG_NAME,
        ARG_CPUS,
        ARG_PIDS_LIMIT,
        ARG_CAP_ADD,
        ARG_CAP_DROP,
        ARG_READ_ONLY,
        ARG_NETWORK,
        ARG_RESTART,
        ARG_STOP_SIGNAL,
        ARG_PULL,
        ARG_ENTRYPOINT,
        ARG_EXPOSE,
};

static int parse_one(RunOptions *o, int c, char **ret_error)
{
        switch (c) {
        case 'd':
                o->detach = true;
                return 0;
        case ARG_RM:
                o->auto_remove = true;
                return 0;
        case ARG_NAME:
                if (!container_name_is_valid(optarg))
                        return usage_text(ret_error,
                                          "Invalid container name '%s': use [a-zA-Z0-9][a-zA-Z0-9_.-]*, "
                                          "at most %d characters",
                                          optarg, CONTAINER_NAME_MAX);
                return free_and_strdup(&o->name, optarg);
        case 'e':
                return env_option_add(&o->env, optarg, ret_error);
        case 'v':
                return add_volume(o, optarg, ret_error);
        case 'w':
                if (!path_is_safe_absolute(optarg))
                        return usage_text(
                            ret_error, "Invalid working directory '%s': must be an absolute path", optarg);
                return free_and_strdup(&o->working_dir, optarg);
        case 'u':
                /* Names are resolved in the image by raindd. */
                if (!user_spec_is_valid(optarg))
                        return usage_text(ret_error, "Invalid user '%s': expected USER[:GROUP] or UID[:GID]",
                                          optarg);
                return free_and_strdup(&o->user, optarg);
        case 'h':
                if (!hostname_is_valid(optarg))
                        return usage_text(ret_error, "Invalid host name '%s'", optarg);
                return free_and_strdup(&o->hostname, optarg);
        case 'm':
                if (parse_size(optarg, &o->memory_max) < 0)
                        return usage_text(ret_error,
                                          "Invalid --memory '%s': expected bytes with an optional unit "
                                          "b, k, m, g or t (e.g. 64m)",
                                          optarg);
                return 0;
        case ARG_CPUS:
                if (parse_cpus(optarg, &o->cpu_quota_usec) < 0)
                        return usage_text(
                            ret_error,
                            "Invalid --cpus '%s': expected a number of CPUs from 0.01 to 1024 (e.g. 0.5)",
                            optarg);
                return 0;
        case ARG_PIDS_LIMIT:
                if (parse_pids_limit(optarg, &o->tasks_max) < 0)
                        return usage_text(ret_error,
                                          "Invalid --pids-limit '%s': expected a positive number, or -1 for "
                                          "unlimited",
                                          optarg);
                return 0;
        case ARG_CAP_ADD:
                return add_capability(&o->cap_add, optarg, ret_error);
        case ARG_CAP_DROP:
                return add_capability(&o->cap_drop, optarg, ret_error);
        case ARG_READ_ONLY:
                o->read_only = true;
                return 0;
        case ARG_NETWORK:
                if (!streq(optarg, "none") && !streq(optarg, "host"))
                        return usage_text(ret_error, "Unknown network mode '%s': expected none or host",
                                          optarg);
                return free_and_strdup(&o->network, optarg);
        case 'i':
                o->interactive = true;
                return 0;
        case 't':
                o->tty = true;
                return 0;
        case ARG_RESTART: {
                RestartPolicy policy;
                unsigned max_retries;

                if (parse_restart_policy(optarg, &policy, &max_retries) < 0)
                        return usage_text(ret_error,
                                          "Invalid --restart '%s': expected no, on-failure[:N] (N a number "
                                          "of retries, 0 or more), always or unless-stopped",
                                          optarg);
                return free_and_strdup(&o->restart_policy, optarg);
        }
        case ARG_STOP_SIGNAL: {
                int sig;

                if (parse_signal(optarg, &sig) < 0)
                        return usage_text(ret_error,
                                          "Invalid --stop-signal '%s': expected a signal name or number",
                                          optarg);
                return free_and_strdup(&o->stop_signal, optarg);
        }
        case 'l':
                if (!label_is_valid(optarg))
                        return usage_text(ret_error, "Invalid label '%s': expected KEY=VALUE", optarg);
                if (strv_length(o->labels) >= LABELS_MAX)
                        return usage_text(ret_error, "Too many labels (at most %d)", LABELS_MAX);
                return strv_extend(&o->labels, optarg);
        case ARG_EXPOSE:
                if (!port_spec_is_valid(optarg))
                        return usage_text(ret_error, "Invalid --expose '%s': expected PORT[/tcp|udp|sctp]",
                                          optarg);
                if (strv_length(o->expose) >= LABELS_MAX)
                        return usage_text(ret_error, "Too many ports (at most %d)", LABELS_MAX);
                return strv_extend(&o->expose, optarg);
        case ARG_ENTRYPOINT:
                if (strlen(optarg) > 4096)
                        return usage_text(ret_error, "Invalid --entrypoint: too long");
                return free_and_strdup(&o->entrypoint, optarg);
        case ARG_PULL:
                if (!streq(optarg, "missing") && !streq(optarg, "always") && !streq(optarg, "never"))
                        return usage_text(ret_error,
                                          "Invalid --pull '%s': expected missing, always or never", optarg);
                return free_and_strdup(&o->pull, optarg);
        default:
                return usage_text(ret_error, "Unexpected option");
        }
}

int run_options_parse(int argc, char *argv[], bool is_run, RunOptions **ret, char **ret_error)
{
        static const struct option options[] = {
            {"help", no_argument, NULL, ARG_HELP},
            {"detach", no_argument, NULL, 'd'},
            {"rm", no_argument, NULL, ARG_RM},
            {"name", required_argument, NULL, ARG_NAME},
            {"env", required_argument, NULL, 'e'},
            {"volume", required_argument, NULL, 'v'},
            {"workdir", required_argument, NULL, 'w'},
            {"user", required_argument, NULL, 'u'},
            {"hostname", required_argument, NULL, 'h'},
            {"memory", required_argument, NULL, 'm'},
            {"cpus", required_argument, NULL, ARG_CPUS},
            {"pids-limit", required_argument, NULL, ARG_PIDS_LIMIT},
            {"cap-add", required_argument, NULL, ARG_CAP_ADD},
            {"cap-drop", required_argument, NULL, ARG_CAP_DROP},
            {"read-only", no_argument, NULL, ARG_READ_ONLY},
            {"network", required_argument, NULL, ARG_NETWORK},
            {"net", required_argument, NULL, ARG_NETWORK},
            {"interactive", no_argument, NULL, 'i'},
            {"tty", no_argument, NULL, 't'},
            {"restart", required_argument, NULL, ARG_RESTART},
            {"stop-signal", required_argument, NULL, ARG_STOP_SIGNAL},
            {"pull", required_argument, NULL, ARG_PULL},
            {"entrypoint", required_argument, NULL, ARG_ENTRYPOINT},
            {"label", required_argument, NULL, 'l'},
            {"expose", required_argument, NULL, ARG_EXPOSE},
            {},
        };
        _cleanup_(run_options_freep) RunOptions *o = NULL;
        int c, r;

        *ret_error = NULL;
        o = calloc(1, sizeof(RunOptions));
        if (!o)
                return -ENOMEM;

        /* '+': stop at IMAGE, so "run IMG sh -c …" leaves -c to the container. ':': we word the
         * errors. optind = 0 starts getopt afresh for this argv. */
        optind = 0;
        while ((c = getopt_long(argc, argv, is_run ? "+:de:v:w:u:h:m:itl:" : "+:e:v:w:u:h:m:itl:", options,
                                NULL)) >= 0) {
                if (c == ARG_HELP)
                        return RUN_OPTIONS_HELP;
                if (c == '?' || c == ':') {
                        r = getopt_error_text(c, argv, ret_error);
                        return r < 0 ? r : -EINVAL;
                }
                if (c == 'd' && !is_run) /* --detach: create never starts anything */
                        return usage_text(ret_error, "Unknown option '%s'", argv[optind - 1]);
                r = parse_one(o, c, ret_error);
                if (r < 0)
                        return r;
        }

        /* Docker's rule: a container that removes itself cannot be restarted. */
        if (o->auto_remove && o->restart_policy && !streq(o->restart_policy, "no"))
                return usage_text(ret_error, "Conflicting options: --restart %s and --rm",
                                  o->restart_policy);

        if (optind >= argc)
                return usage_text(ret_error, "Missing IMAGE");
        if (!image_reference_is_valid(argv[optind]) && !id_prefix_is_valid(argv[optind]))
                return usage_text(ret_error,
                                  "Invalid image reference '%s': expected NAME[:TAG] or an image id",
                                  argv[optind]);
        o->image = strdup(argv[optind]);
        if (!o->image)
                return -ENOMEM;
        if (argc - optind - 1 > ARGV_MAX)
                return usage_text(ret_error, "Command too long (at most %d arguments)", ARGV_MAX);
        o->command = strv_copy(argv + optind + 1);
        if (!o->command)
                return -ENOMEM;

        *ret = TAKE_PTR(o);
        return RUN_OPTIONS_PARSED;
}
