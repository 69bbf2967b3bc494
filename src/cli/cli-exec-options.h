/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "raind/macro.h"

/* The command line of "raind container exec", checked as far as the client can. */
typedef struct ExecOptions {
        bool interactive; /* -i: copy our stdin to the process */
        bool tty;         /* -t: give the process a pseudo-terminal */
        char **env;       /* KEY=VALUE */
        char *user;       /* UID[:GID] */
        char *working_dir;
        char *container;
        char **command; /* at least one word */
} ExecOptions;

ExecOptions *exec_options_free(ExecOptions *o);
DEFINE_TRIVIAL_CLEANUP_FUNC(ExecOptions *, exec_options_free);

enum {
        EXEC_OPTIONS_PARSED = 0,
        EXEC_OPTIONS_HELP = 1,
};

/* argv[0] is the verb. Option parsing stops at CONTAINER: what follows is the command and its
 * arguments. Returns EXEC_OPTIONS_PARSED with *ret set, EXEC_OPTIONS_HELP, or -EINVAL with
 * *ret_error (-ENOMEM otherwise). */
int exec_options_parse(int argc, char *argv[], ExecOptions **ret, char **ret_error);
