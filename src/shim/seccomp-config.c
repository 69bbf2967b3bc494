/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/strv.h"
#include "seccomp-config.h"
#include "spec-json.h"

#define SECCOMP_RULES_MAX  4096
#define SECCOMP_NAMES_MAX  4096
#define SECCOMP_ARCHES_MAX 32
#define ERRNO_MAX          4095

SeccompConfig *seccomp_config_free(SeccompConfig *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_rules; i++)
                strv_free(c->rules[i].names);
        free(c->rules);
        free(c->arches);
        free(c);
        return NULL;
}

static int parse_action(const char *where, const char *name, bool has_errno, uint32_t errno_ret,
                        uint32_t *ret)
{
        if (has_errno && errno_ret > ERRNO_MAX)
                return log_error_errno(-ERANGE, "config.json: %s: errno %u is out of range.", where,
                                       errno_ret);
        if (!has_errno)
                errno_ret = EPERM;

        if (streq(name, "SCMP_ACT_ALLOW"))
                *ret = SCMP_ACT_ALLOW;
        else if (streq(name, "SCMP_ACT_ERRNO"))
                *ret = SCMP_ACT_ERRNO(errno_ret);
        else if (streq(name, "SCMP_ACT_KILL") || streq(name, "SCMP_ACT_KILL_THREAD"))
                *ret = SCMP_ACT_KILL_THREAD;
        else if (streq(name, "SCMP_ACT_KILL_PROCESS"))
                *ret = SCMP_ACT_KILL_PROCESS;
        else if (streq(name, "SCMP_ACT_TRAP"))
                *ret = SCMP_ACT_TRAP;
        else if (streq(name, "SCMP_ACT_TRACE"))
                *ret = SCMP_ACT_TRACE(errno_ret);
        else if (streq(name, "SCMP_ACT_LOG"))
                *ret = SCMP_ACT_LOG;
        else
                return log_error_errno(-EOPNOTSUPP, "config.json: %s: unsupported seccomp action \"%s\".",
                                       where, name);
        return 0;
}

static int parse_operator(const char *name, enum scmp_compare *ret)
{
        static const struct {
                const char *name;
                enum scmp_compare op;
        } table[] = {
            {"SCMP_CMP_NE", SCMP_CMP_NE},
            {"SCMP_CMP_LT", SCMP_CMP_LT},
            {"SCMP_CMP_LE", SCMP_CMP_LE},
            {"SCMP_CMP_EQ", SCMP_CMP_EQ},
            {"SCMP_CMP_GE", SCMP_CMP_GE},
            {"SCMP_CMP_GT", SCMP_CMP_GT},
            {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(name, table[i].name)) {
                        *ret = table[i].op;
                        return 0;
                }
        return -EINVAL;
}

static int parse_arg(struct json_object *a, struct scmp_arg_cmp *ret)
{
        const char *where = "linux.seccomp.syscalls[].args[]", *op_name = NULL;
        uint64_t value = 0, value_two = 0;
        uint32_t index = 0;
        enum scmp_compare op;
        int r;

        if (!json_object_is_type(a, json_type_object))
                return log_error_errno(-EINVAL, "config.json: %s must be an object.", where);
        if ((r = spec_get_uint32(a, where, "index", &index)) < 0 ||
            (r = spec_get_uint64(a, where, "value", &value)) < 0 ||
            (r = spec_get_uint64(a, where, "valueTwo", &value_two)) < 0 ||
            (r = spec_get_string(a, where, "op", &op_name)) < 0)
                return r;
        if (index >= SECCOMP_RULE_ARGS_MAX)
                return log_error_errno(-EINVAL, "config.json: %s.index %u is out of range.", where, index);
        if (!op_name || parse_operator(op_name, &op) < 0)
                return log_error_errno(-EINVAL, "config.json: %s.op \"%s\" is not supported.", where,
                                       strempty(op_name));

        /* For SCMP_CMP_MASKED_EQ, value is the mask and valueTwo the expected result. */
        *ret = (struct scmp_arg_cmp){.arg = index, .op = op, .datum_a = value, .datum_b = value_two};
        return 0;
}

static int parse_rule(struct json_object *o, SeccompRule *ret)
{
        const char *where = "linux.seccomp.syscalls[]", *action = NULL, *name = NULL;
        _cleanup_strv_free_ char **names = NULL;
        struct json_object *args = NULL;
        uint32_t errno_ret = 0;
        SeccompRule rule = {};
        int r, has_errno = 0;

        if (!json_object_is_type(o, json_type_object))
                return log_error_errno(-EINVAL, "config.json: %s must be an object.", where);
        if ((r = spec_get_strv(o, where, "names", SECCOMP_NAMES_MAX, &names)) < 0 ||
            (r = spec_get_string(o, where, "name", &name)) < 0 || /* pre-1.0 spelling */
            (r = spec_get_string(o, where, "action", &action)) < 0 ||
            (r = spec_get_array(o, where, "args", &args)) < 0 ||
            (has_errno = r = spec_get_uint32(o, where, "errnoRet", &errno_ret)) < 0)
                return r;
        if (name && strv_extend(&names, name) < 0)
                return log_oom();
        if (!action)
                return log_error_errno(-EINVAL, "config.json: %s.action is missing.", where);
        r = parse_action(where, action, has_errno > 0, errno_ret, &rule.action);
        if (r < 0)
                return r;

        size_t n = args ? json_object_array_length(args) : 0;
        if (n > SECCOMP_RULE_ARGS_MAX)
                return log_error_errno(-E2BIG, "config.json: %s.args has more than %d entries.", where,
                                       SECCOMP_RULE_ARGS_MAX);
        for (size_t i = 0; i < n; i++) {
                r = parse_arg(json_object_array_get_idx(args, i), &rule.args[i]);
                if (r < 0)
                        return r;
        }
        rule.n_args = (unsigned)n;
        rule.names = TAKE_PTR(names);
        *ret = rule;
        return 0;
}

/* "SCMP_ARCH_X86_64" → libseccomp's "x86_64". */
static int parse_arch(const char *name, uint32_t *ret)
{
        const char *s = startswith(name, "SCMP_ARCH_");
        char lower[32];
        size_t i;

        if (!s || strlen(s) >= sizeof(lower))
                return -EINVAL;
        for (i = 0; s[i]; i++)
                lower[i] = (char)tolower((unsigned char)s[i]);
        lower[i] = 0;
        uint32_t arch = seccomp_arch_resolve_name(lower);
        if (arch == 0)
                return -EOPNOTSUPP;
        *ret = arch;
        return 0;
}

static int parse_arches(struct json_object *o, SeccompConfig *c)
{
        _cleanup_strv_free_ char **names = NULL;
        int r;

        r = spec_get_strv(o, "linux.seccomp", "architectures", SECCOMP_ARCHES_MAX, &names);
        if (r <= 0)
                return r;
        c->arches = calloc(strv_length(names) + 1, sizeof(uint32_t));
        if (!c->arches)
                return log_oom();
        STRV_FOREACH (n, names) {
                r = parse_arch(*n, &c->arches[c->n_arches]);
                if (r == -EOPNOTSUPP) {
                        log_warning("config.json: seccomp architecture %s is not known here, ignoring.", *n);
                        continue;
                }
                if (r < 0)
                        return log_error_errno(r, "config.json: invalid seccomp architecture \"%s\".", *n);
                c->n_arches++;
        }
        return 0;
}

/* What the compiled filter depends on; bump the tag when the compile options change. */
static void compute_digest(struct json_object *o, SeccompConfig *c)
{
        const struct scmp_version *v = seccomp_version();
        size_t len;
        const char *json = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
        char tag[128];
        Sha256Context ctx;

        snprintf(tag, sizeof(tag), "raind-seccomp-1 libseccomp-%u.%u.%u arch-%u\n", v ? v->major : 0,
                 v ? v->minor : 0, v ? v->micro : 0, seccomp_arch_native());
        sha256_init(&ctx);
        sha256_update(&ctx, tag, strlen(tag));
        sha256_update(&ctx, strempty(json), json ? len : 0);
        sha256_final_hex(&ctx, c->digest);
}

int seccomp_config_from_json(struct json_object *o, SeccompConfig **ret)
{
        _cleanup_(seccomp_config_freep) SeccompConfig *c = calloc(1, sizeof(SeccompConfig));
        const char *default_action = NULL;
        struct json_object *rules = NULL;
        uint32_t default_errno = 0;
        int r, has_errno = 0;

        if (!c)
                return log_oom();
        if ((r = spec_get_string(o, "linux.seccomp", "defaultAction", &default_action)) < 0 ||
            (has_errno = r = spec_get_uint32(o, "linux.seccomp", "defaultErrnoRet", &default_errno)) < 0 ||
            (r = spec_get_array(o, "linux.seccomp", "syscalls", &rules)) < 0)
                return r;
        if (!default_action)
                return log_error_errno(-EINVAL, "config.json: linux.seccomp.defaultAction is missing.");
        r = parse_action("linux.seccomp", default_action, has_errno > 0, default_errno, &c->default_action);
        if (r < 0)
                return r;
        r = parse_arches(o, c);
        if (r < 0)
                return r;

        size_t n = rules ? json_object_array_length(rules) : 0;
        if (n > SECCOMP_RULES_MAX)
                return log_error_errno(-E2BIG,
                                       "config.json: linux.seccomp.syscalls has more than %d entries.",
                                       SECCOMP_RULES_MAX);
        c->rules = calloc(n + 1, sizeof(SeccompRule));
        if (!c->rules)
                return log_oom();
        for (size_t i = 0; i < n; i++) {
                r = parse_rule(json_object_array_get_idx(rules, i), &c->rules[i]);
                if (r < 0)
                        return r;
                c->n_rules++;
        }
        compute_digest(o, c);
        *ret = TAKE_PTR(c);
        return 0;
}
