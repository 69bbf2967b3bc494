/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <linux/capability.h>

#include "raind/macro.h"
#include "raind/validate.h"

static void test_container_name(void **state)
{
        assert_true(container_name_is_valid("web"));
        assert_true(container_name_is_valid("Web-1.a_b"));
        assert_true(container_name_is_valid("0"));
        assert_false(container_name_is_valid(""));
        assert_false(container_name_is_valid(NULL));
        assert_false(container_name_is_valid("-web"));
        assert_false(container_name_is_valid(".web"));
        assert_false(container_name_is_valid("we b"));
        assert_false(container_name_is_valid("we/b"));
        assert_false(container_name_is_valid("wéb"));
        char long_name[CONTAINER_NAME_MAX + 2];
        memset(long_name, 'a', sizeof(long_name));
        long_name[CONTAINER_NAME_MAX] = 0;
        assert_true(container_name_is_valid(long_name));
        long_name[CONTAINER_NAME_MAX] = 'a';
        long_name[CONTAINER_NAME_MAX + 1] = 0;
        assert_false(container_name_is_valid(long_name));
}

static void test_ids(void **state)
{
        assert_true(
            container_id_is_valid("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
        assert_false(
            container_id_is_valid("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
        assert_false(container_id_is_valid("0123"));
        assert_true(id_prefix_is_valid("0a"));
        assert_false(id_prefix_is_valid("web"));
        assert_false(id_prefix_is_valid(""));
}

static void test_image_reference(void **state)
{
        assert_true(image_reference_is_valid("busybox"));
        assert_true(image_reference_is_valid("busybox:latest"));
        assert_true(image_reference_is_valid("library/busybox:1.36"));
        assert_true(image_reference_is_valid("localhost:5000/test/img:v1"));
        assert_true(image_reference_is_valid("registry.example.com/a/b"));
        assert_false(image_reference_is_valid("BusyBox"));
        assert_false(image_reference_is_valid("busybox:"));
        assert_false(image_reference_is_valid(":tag"));
        assert_false(image_reference_is_valid("a//b"));
        assert_false(image_reference_is_valid("../etc"));
        assert_false(image_reference_is_valid("busy box"));
        assert_false(image_reference_is_valid("-x"));
        assert_false(image_reference_is_valid("app/Name"));
        assert_false(image_reference_is_valid("busybox@"));
        assert_false(image_reference_is_valid("busybox:@sha256:00"));
        /* Everything the store's grammar takes: digests, ports, IPv6 hosts, capitals in a host. */
        assert_true(image_reference_is_valid(
            "busybox:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
        assert_true(image_reference_is_valid("[::1]:5000/x:v1"));
        assert_true(image_reference_is_valid("Registry.Example.com/a/b:Tag"));
}

static void test_hostname_env_path(void **state)
{
        assert_true(hostname_is_valid("web-1.example"));
        assert_false(hostname_is_valid("-web"));
        assert_false(hostname_is_valid("web_1"));
        assert_false(hostname_is_valid("a..b"));
        assert_true(env_assignment_is_valid("A=b"));
        assert_true(env_assignment_is_valid("A="));
        assert_false(env_assignment_is_valid("=b"));
        assert_false(env_assignment_is_valid("A"));
        assert_true(path_is_safe_absolute("/data"));
        assert_false(path_is_safe_absolute("data"));
        assert_false(path_is_safe_absolute("/a/../b"));
        assert_false(path_is_safe_absolute("/.."));
        assert_true(path_is_safe_absolute("/a/..b"));
}

static void test_parse_size(void **state)
{
        uint64_t v;
        assert_int_equal(parse_size("64m", &v), 0);
        assert_int_equal(v, 64ULL << 20);
        assert_int_equal(parse_size("1G", &v), 0);
        assert_int_equal(v, 1ULL << 30);
        assert_int_equal(parse_size("512kb", &v), 0);
        assert_int_equal(v, 512ULL << 10);
        assert_int_equal(parse_size("4096", &v), 0);
        assert_int_equal(v, 4096);
        assert_int_equal(parse_size("0", &v), -EINVAL);
        assert_int_equal(parse_size("-1m", &v), -EINVAL);
        assert_int_equal(parse_size("12x", &v), -EINVAL);
        assert_int_equal(parse_size("m", &v), -EINVAL);
        assert_int_equal(parse_size("99999999999999999999", &v), -ERANGE);
        assert_int_equal(parse_size("99999999999t", &v), -ERANGE);
}

static void test_parse_cpus_pids(void **state)
{
        uint64_t v;
        assert_int_equal(parse_cpus("0.5", &v), 0);
        assert_int_equal(v, 500000);
        assert_int_equal(parse_cpus("2", &v), 0);
        assert_int_equal(v, 2000000);
        assert_int_equal(parse_cpus("abc", &v), -EINVAL);
        assert_int_equal(parse_cpus("0", &v), -ERANGE);
        assert_int_equal(parse_cpus("0.001", &v), -ERANGE);
        assert_int_equal(parse_cpus("1.5x", &v), -EINVAL);
        assert_int_equal(parse_pids_limit("100", &v), 0);
        assert_int_equal(v, 100);
        assert_int_equal(parse_pids_limit("-1", &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(parse_pids_limit("0", &v), -ERANGE);
        assert_int_equal(parse_pids_limit("ten", &v), -EINVAL);
}

static void test_parse_user_signal(void **state)
{
        uid_t u;
        gid_t g;
        bool has_gid;
        int sig;
        assert_int_equal(parse_user("1000", &u, &g, &has_gid), 0);
        assert_int_equal(u, 1000);
        assert_int_equal(g, 1000);
        assert_false(has_gid);
        assert_int_equal(parse_user("1000:50", &u, &g, &has_gid), 0);
        assert_int_equal(g, 50);
        assert_true(has_gid);
        assert_int_equal(parse_user("root", &u, &g, &has_gid), -EINVAL);
        assert_int_equal(parse_user("1000:", &u, &g, &has_gid), -EINVAL);
        assert_int_equal(parse_user("4294967295", &u, &g, &has_gid), -ERANGE);
        assert_int_equal(parse_signal("TERM", &sig), 0);
        assert_int_equal(sig, SIGTERM);
        assert_int_equal(parse_signal("sigkill", &sig), 0);
        assert_int_equal(sig, SIGKILL);
        assert_int_equal(parse_signal("15", &sig), 0);
        assert_int_equal(sig, 15);
        assert_int_equal(parse_signal("NOPE", &sig), -EINVAL);
        assert_int_equal(parse_signal("0", &sig), -EINVAL);
        assert_string_equal(signal_to_name(SIGHUP), "HUP");
}

static void test_parse_volume(void **state)
{
        char *h, *c;
        bool ro;
        assert_int_equal(parse_volume("/srv:/data:ro", &h, &c, &ro), 0);
        assert_string_equal(h, "/srv");
        assert_string_equal(c, "/data");
        assert_true(ro);
        free(h);
        free(c);
        assert_int_equal(parse_volume("/srv:/data", &h, &c, &ro), 0);
        assert_false(ro);
        free(h);
        free(c);
        assert_int_equal(parse_volume("srv:/data", &h, &c, &ro), -EINVAL);
        assert_int_equal(parse_volume("/srv:/data:rx", &h, &c, &ro), -EINVAL);
        assert_int_equal(parse_volume("/srv", &h, &c, &ro), -EINVAL);
        assert_int_equal(parse_volume("/srv:/../etc", &h, &c, &ro), -EINVAL);
}

static void test_capabilities(void **state)
{
        assert_int_equal(capability_from_name("NET_ADMIN"), CAP_NET_ADMIN);
        assert_int_equal(capability_from_name("cap_sys_admin"), CAP_SYS_ADMIN);
        assert_int_equal(capability_from_name("all"), CAPABILITY_ALL);
        assert_int_equal(capability_from_name("FLY"), -EINVAL);
        assert_string_equal(capability_to_name(CAP_CHOWN), "CHOWN");
        uint64_t mask = 0;
        for (size_t i = 0; i < n_default_capabilities; i++)
                mask |= UINT64_C(1) << default_capabilities[i];
        /* Docker's default set, as /proc/PID/status shows it. */
        assert_int_equal(mask, 0xa80425fbULL);
}

static void test_restart_policy(void **state)
{
        RestartPolicy p;
        unsigned n;
        assert_int_equal(parse_restart_policy("no", &p, &n), 0);
        assert_int_equal(p, RESTART_NO);
        assert_int_equal(parse_restart_policy("always", &p, &n), 0);
        assert_int_equal(p, RESTART_ALWAYS);
        assert_int_equal(parse_restart_policy("unless-stopped", &p, &n), 0);
        assert_int_equal(p, RESTART_UNLESS_STOPPED);
        assert_int_equal(parse_restart_policy("on-failure", &p, &n), 0);
        assert_int_equal(p, RESTART_ON_FAILURE);
        assert_int_equal(n, 0);
        assert_int_equal(parse_restart_policy("on-failure:3", &p, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(parse_restart_policy("on-failure:", &p, &n), -EINVAL);
        assert_int_equal(parse_restart_policy("on-failure:-1", &p, &n), -EINVAL);
        assert_int_equal(parse_restart_policy("on-failure:3x", &p, &n), -EINVAL);
        assert_int_equal(parse_restart_policy("sometimes", &p, &n), -EINVAL);
        assert_int_equal(parse_restart_policy("", &p, &n), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_container_name),    cmocka_unit_test(test_ids),
            cmocka_unit_test(test_image_reference),   cmocka_unit_test(test_hostname_env_path),
            cmocka_unit_test(test_parse_size),        cmocka_unit_test(test_parse_cpus_pids),
            cmocka_unit_test(test_parse_user_signal), cmocka_unit_test(test_parse_volume),
            cmocka_unit_test(test_capabilities),      cmocka_unit_test(test_restart_policy),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
