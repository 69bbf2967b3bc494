/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <linux/capability.h>

#include "raind/json-util.h"
#include "raind/seccomp-profile.h"
#include "raind/strv.h"
#include "raind/validate.h"
#include "seccomp-config.h"
#include "seccomp-filter.h"

#define CLONE_NAMESPACE_FLAGS 0x7E020000ULL

static uint64_t docker_default_caps(void)
{
        uint64_t mask = 0;
        for (size_t i = 0; i < n_default_capabilities; i++)
                mask |= UINT64_C(1) << default_capabilities[i];
        return mask;
}

static struct json_object *profile_for(uint64_t caps)
{
        struct json_object *p = NULL;
        assert_int_equal(seccomp_profile_default_json(&caps, &p), 0);
        assert_non_null(p);
        return p;
}

/* The rules (as parsed by the shim) that name syscall and have the given action. */
static size_t count_rules(const SeccompConfig *c, const char *syscall, uint32_t action,
                          const SeccompRule **ret)
{
        size_t n = 0;
        for (size_t i = 0; i < c->n_rules; i++)
                if (c->rules[i].action == action && strv_contains(c->rules[i].names, syscall)) {
                        if (ret)
                                *ret = &c->rules[i];
                        n++;
                }
        return n;
}

static bool allowed_unconditionally(const SeccompConfig *c, const char *syscall)
{
        for (size_t i = 0; i < c->n_rules; i++)
                if (c->rules[i].action == SCMP_ACT_ALLOW && c->rules[i].n_args == 0 &&
                    strv_contains(c->rules[i].names, syscall))
                        return true;
        return false;
}

static SeccompConfig *parse(struct json_object *profile)
{
        SeccompConfig *c = NULL;
        assert_int_equal(seccomp_config_from_json(profile, &c), 0);
        return c;
}

static void test_defaults(void **state)
{
        _cleanup_json_ struct json_object *p = profile_for(docker_default_caps());
        _cleanup_(seccomp_config_freep) SeccompConfig *c = parse(p);

        assert_string_equal(json_get_string(p, "defaultAction"), "SCMP_ACT_ERRNO");
        assert_int_equal(json_get_int64(p, "defaultErrnoRet", -1), 1);
        assert_int_equal(c->default_action, SCMP_ACT_ERRNO(EPERM));
#if defined(__x86_64__)
        assert_int_equal(c->n_arches, 3);
#endif
        static const char *const needed[] = {"read",  "write",      "execve",       "openat",
                                             "mmap",  "exit_group", "rt_sigaction", "clone",
                                             "wait4", "futex",      "chroot",       "rseq"};
        for (size_t i = 0; i < ELEMENTSOF(needed); i++)
                assert_true(count_rules(c, needed[i], SCMP_ACT_ALLOW, NULL) > 0);
}

static void test_dangerous_left_out(void **state)
{
        _cleanup_json_ struct json_object *p = profile_for(docker_default_caps());
        _cleanup_(seccomp_config_freep) SeccompConfig *c = parse(p);
        static const char *const forbidden[] = {
            "kexec_load",
            "kexec_file_load",
            "init_module",
            "finit_module",
            "delete_module",
            "mount",
            "umount2",
            "pivot_root",
            "unshare",
            "setns",
            "bpf",
            "perf_event_open",
            "keyctl",
            "add_key",
            "request_key",
            "reboot",
            "swapon",
            "swapoff",
            "acct",
            "settimeofday",
            "clock_settime",
            "adjtimex",
            "open_by_handle_at",
            "userfaultfd",
            "lookup_dcookie",
            "quotactl",
            "io_uring_setup",
            "clone3",
        };

        for (size_t i = 0; i < ELEMENTSOF(forbidden); i++)
                assert_int_equal(count_rules(c, forbidden[i], SCMP_ACT_ALLOW, NULL), 0);
        assert_false(allowed_unconditionally(c, "personality"));
        assert_false(allowed_unconditionally(c, "socket"));
        assert_false(allowed_unconditionally(c, "clone"));
}

static void test_clone_namespace_mask(void **state)
{
        _cleanup_json_ struct json_object *p = profile_for(docker_default_caps());
        _cleanup_(seccomp_config_freep) SeccompConfig *c = parse(p);
        const SeccompRule *rule = NULL;

        assert_int_equal(count_rules(c, "clone", SCMP_ACT_ALLOW, &rule), 1);
        assert_int_equal(rule->n_args, 1);
        assert_int_equal(rule->args[0].arg, 0);
        assert_int_equal(rule->args[0].op, SCMP_CMP_MASKED_EQ);
        assert_int_equal(rule->args[0].datum_a, CLONE_NAMESPACE_FLAGS);
        assert_int_equal(rule->args[0].datum_b, 0);
        /* clone3's flags are out of the filter's reach: ENOSYS makes libc fall back to clone. */
        assert_int_equal(count_rules(c, "clone3", SCMP_ACT_ERRNO(ENOSYS), NULL), 1);
}

static void test_sys_admin_group(void **state)
{
        _cleanup_json_ struct json_object *p =
            profile_for(docker_default_caps() | (UINT64_C(1) << CAP_SYS_ADMIN));
        _cleanup_(seccomp_config_freep) SeccompConfig *c = parse(p);

        assert_true(allowed_unconditionally(c, "mount"));
        assert_true(allowed_unconditionally(c, "unshare"));
        assert_true(allowed_unconditionally(c, "clone"));
        assert_true(allowed_unconditionally(c, "clone3"));
        assert_int_equal(count_rules(c, "clone3", SCMP_ACT_ERRNO(ENOSYS), NULL), 0);
        assert_int_equal(count_rules(c, "kexec_load", SCMP_ACT_ALLOW, NULL), 0);
}

static void test_capability_groups(void **state)
{
        _cleanup_json_ struct json_object *none = profile_for(0);
        _cleanup_(seccomp_config_freep) SeccompConfig *c = parse(none);
        assert_false(allowed_unconditionally(c, "chroot"));
        assert_false(allowed_unconditionally(c, "clock_settime"));

        _cleanup_json_ struct json_object *time = profile_for(UINT64_C(1) << CAP_SYS_TIME);
        _cleanup_(seccomp_config_freep) SeccompConfig *t = parse(time);
        assert_true(allowed_unconditionally(t, "clock_settime"));
        assert_true(allowed_unconditionally(t, "adjtimex"));

        /* NULL: no capabilities at all. */
        _cleanup_json_ struct json_object *null_caps = NULL;
        assert_int_equal(seccomp_profile_default_json(NULL, &null_caps), 0);
        _cleanup_(seccomp_config_freep) SeccompConfig *n = parse(null_caps);
        assert_false(allowed_unconditionally(n, "chroot"));
}

static void test_compiles(void **state)
{
        static const uint64_t masks[] = {0, UINT64_MAX};
        for (size_t i = 0; i < ELEMENTSOF(masks); i++) {
                _cleanup_json_ struct json_object *p =
                    profile_for(masks[i] == 0 ? docker_default_caps() : masks[i]);
                _cleanup_(seccomp_config_freep) SeccompConfig *c = parse(p);
                struct sock_fprog prog = {};

                /* Builds the BPF program exactly as raind-shim does before starting a container. */
                assert_int_equal(seccomp_compile(c, &prog), 0);
                assert_true(prog.len > 10);
                assert_true(prog.len <= BPF_MAXINSNS);
                seccomp_program_done(&prog);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_defaults),
            cmocka_unit_test(test_dangerous_left_out),
            cmocka_unit_test(test_clone_namespace_mask),
            cmocka_unit_test(test_sys_admin_group),
            cmocka_unit_test(test_capability_groups),
            cmocka_unit_test(test_compiles),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
