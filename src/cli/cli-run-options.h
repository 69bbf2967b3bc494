/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "raind/macro.h"

/* The command line of "raind container run" and "raind container create", checked as far as the
 * client can: a mistake is reported at once and by name. raindd checks everything again. */
typedef struct RunOptions {
        bool detach;      /* run -d */
        bool auto_remove; /* --rm */
        bool read_only;   /* --read-only */
        bool interactive; /* -i: keep stdin open, and copy ours to it */
        bool tty;         /* -t: give the container a pseudo-terminal */
        char *name;
        char **env; /* KEY=VALUE */
        char **volumes;
        char *working_dir;
        char *user;
        char *hostname;
        char *network;
        uint64_t memory_max;     /* bytes; 0 when not given */
        uint64_t cpu_quota_usec; /* per second; 0 when not given */
        uint64_t tasks_max;      /* 0 when not given, UINT64_MAX for unlimited */
        char **cap_add;          /* canonical names: "NET_ADMIN", "ALL" */
        char **cap_drop;
        char *restart_policy; /* as given, checked with parse_restart_policy() */
        char *stop_signal;    /* --stop-signal, checked with parse_signal() */
        char *pull;           /* --pull: "missing" (NULL), "always" or "never" */
        char *entrypoint;     /* --entrypoint; "" clears the image's */
        char **labels;        /* --label KEY=VALUE */
        char **expose;        /* --expose PORT[/PROTO] */
        char *image;
        char **command; /* empty: the image's default */
} RunOptions;

RunOptions *run_options_free(RunOptions *o);
DEFINE_TRIVIAL_CLEANUP_FUNC(RunOptions *, run_options_free);

enum {
        RUN_OPTIONS_PARSED = 0,
        RUN_OPTIONS_HELP = 1, /* --help was given */
};

/* -e KEY=VALUE, or -e KEY to pass on the client's own KEY (skipped when unset), as Docker does:
 * appends to *env. -EINVAL with *ret_error for a malformed one. */
int env_option_add(char ***env, const char *arg, char **ret_error);

/* argv[0] is the verb. Option parsing stops at IMAGE, so what follows is the container's command.
 * Returns RUN_OPTIONS_PARSED with *ret set, RUN_OPTIONS_HELP, or -EINVAL with *ret_error saying
 * what is wrong with the command line (-ENOMEM otherwise). */
int run_options_parse(int argc, char *argv[], bool is_run, RunOptions **ret, char **ret_error);
