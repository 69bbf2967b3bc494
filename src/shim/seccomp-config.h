/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <seccomp.h>
#include <stddef.h>

#include "raind/macro.h"
#include "raind/sha256.h"

#define SECCOMP_RULE_ARGS_MAX 6

struct json_object;

typedef struct SeccompRule {
        char **names;
        uint32_t action; /* SCMP_ACT_*, with errnoRet folded in */
        struct scmp_arg_cmp args[SECCOMP_RULE_ARGS_MAX];
        unsigned n_args;
} SeccompRule;

/* The supported subset of the OCI "linux.seccomp" object. */
typedef struct SeccompConfig {
        uint32_t default_action;
        uint32_t *arches; /* SCMP_ARCH_*, besides the native one */
        size_t n_arches;
        SeccompRule *rules;
        size_t n_rules;
        /* Identifies the compiled filter: the profile as parsed, the libseccomp version, the native
         * architecture. Key of the filter cache. */
        char digest[SHA256_HEX_SIZE];
} SeccompConfig;

SeccompConfig *seccomp_config_free(SeccompConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(SeccompConfig *, seccomp_config_free);
int seccomp_config_from_json(struct json_object *o, SeccompConfig **ret);
