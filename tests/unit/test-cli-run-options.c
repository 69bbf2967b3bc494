/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/macro.h"
#include "raind/strv.h"

#include "cli-run-options.h"

/* getopt may permute and keeps pointers: parse a writable, NULL-terminated copy. */
static int parse(bool is_run, char **ret_error, RunOptions **ret, char *const *args)
{
        _cleanup_strv_free_ char **argv = strv_copy(args);
        int r;

        assert_non_null(argv);
        *ret_error = NULL;
        *ret = NULL;
        r = run_options_parse((int)strv_length(argv), argv, is_run, ret, ret_error);
        if (r != RUN_OPTIONS_PARSED)
                assert_null(*ret);
        return r;
}

#define PARSE_OK(is_run, ...)                                                         \
        ({                                                                            \
                _cleanup_free_ char *_e = NULL;                                       \
                RunOptions *_o = NULL;                                                \
                int _r = parse(is_run, &_e, &_o, (char *const[]){__VA_ARGS__, NULL}); \
                if (_r != RUN_OPTIONS_PARSED)                                         \
                        fail_msg("parse failed (%d): %s", _r, strempty(_e));          \
                _o;                                                                   \
        })

static void check_error(bool is_run, const char *expected, char *const *args)
{
        _cleanup_(run_options_freep) RunOptions *o = NULL;
        _cleanup_free_ char *e = NULL;

        assert_int_equal(parse(is_run, &e, &o, args), -EINVAL);
        assert_non_null(e);
        assert_string_equal(e, expected);
}
#define CHECK_ERROR(is_run, expected, ...) check_error(is_run, expected, (char *const[]){__VA_ARGS__, NULL})

static void assert_strv_equal(char **l, char *const *expected)
{
        size_t n = 0;

        for (; expected[n]; n++) {
                assert_non_null(l);
                assert_non_null(l[n]);
                assert_string_equal(l[n], expected[n]);
        }
        assert_int_equal(strv_length(l), n);
}
#define ASSERT_STRV(l, ...) assert_strv_equal(l, (char *const[]){__VA_ARGS__, NULL})

static void test_everything(void **state)
{
        _cleanup_(run_options_freep) RunOptions *o = NULL;

        setenv("RAIND_TEST_FROM_CLIENT", "from client", 1);
        unsetenv("RAIND_TEST_UNSET");
        o = PARSE_OK(true, "run", "-d", "--rm", "--name", "web", "-e", "A=1", "--env=B==2", "-e",
                     "RAIND_TEST_FROM_CLIENT", "-e", "RAIND_TEST_UNSET", "-v", "/srv/data:/data:ro",
                     "--volume", "/tmp:/tmp", "-w", "/data", "-u", "1000:100", "-h", "box", "-m", "64m",
                     "--cpus", "0.5", "--pids-limit", "100", "--cap-add", "net_admin", "--cap-add",
                     "CAP_SYS_TIME", "--cap-drop", "ALL", "--read-only", "--network", "host", "alpine:3.19",
                     "sh", "-c", "exit 7");

        assert_true(o->detach);
        assert_true(o->auto_remove);
        assert_true(o->read_only);
        assert_string_equal(o->name, "web");
        ASSERT_STRV(o->env, "A=1", "B==2", "RAIND_TEST_FROM_CLIENT=from client");
        ASSERT_STRV(o->volumes, "/srv/data:/data:ro", "/tmp:/tmp");
        assert_string_equal(o->working_dir, "/data");
        assert_string_equal(o->user, "1000:100");
        assert_string_equal(o->hostname, "box");
        assert_int_equal(o->memory_max, 64 << 20);
        assert_int_equal(o->cpu_quota_usec, 500000);
        assert_int_equal(o->tasks_max, 100);
        ASSERT_STRV(o->cap_add, "NET_ADMIN", "SYS_TIME");
        ASSERT_STRV(o->cap_drop, "ALL");
        assert_string_equal(o->network, "host");
        assert_string_equal(o->image, "alpine:3.19");
        ASSERT_STRV(o->command, "sh", "-c", "exit 7");
}

static void test_defaults_are_unset(void **state)
{
        _cleanup_(run_options_freep) RunOptions *o = PARSE_OK(true, "run", "alpine");

        assert_false(o->detach);
        assert_false(o->auto_remove);
        assert_false(o->read_only);
        assert_null(o->name);
        assert_null(o->env);
        assert_null(o->volumes);
        assert_null(o->working_dir);
        assert_null(o->user);
        assert_null(o->hostname);
        assert_null(o->network);
        assert_int_equal(o->memory_max, 0);
        assert_int_equal(o->cpu_quota_usec, 0);
        assert_int_equal(o->tasks_max, 0);
        assert_null(o->cap_add);
        assert_null(o->cap_drop);
        assert_string_equal(o->image, "alpine");
        assert_non_null(o->command);
        assert_int_equal(strv_length(o->command), 0);
}

static void test_stops_at_image(void **state)
{
        _cleanup_(run_options_freep) RunOptions *a = NULL, *b = NULL, *c = NULL;

        /* Everything after IMAGE belongs to the container, options included. */
        a = PARSE_OK(true, "run", "--rm", "busybox", "sh", "-c", "exit 7", "--name", "x", "-d");
        assert_false(a->detach);
        assert_null(a->name);
        ASSERT_STRV(a->command, "sh", "-c", "exit 7", "--name", "x", "-d");

        b = PARSE_OK(true, "run", "--", "busybox", "--help");
        ASSERT_STRV(b->command, "--help");

        /* A second parse in the same process starts afresh. */
        c = PARSE_OK(false, "create", "-e", "X=1", "busybox:latest", "true");
        ASSERT_STRV(c->env, "X=1");
        ASSERT_STRV(c->command, "true");
}

static void test_last_one_wins_and_duplicates(void **state)
{
        _cleanup_(run_options_freep) RunOptions *o =
            PARSE_OK(true, "run", "--name", "a", "--name", "b", "--cap-add", "NET_RAW", "--cap-add",
                     "cap_net_raw", "--pids-limit", "-1", "--net", "none", "img");

        assert_string_equal(o->name, "b");
        ASSERT_STRV(o->cap_add, "NET_RAW");
        assert_true(o->tasks_max == UINT64_MAX);
        assert_string_equal(o->network, "none");
}

static void test_interactive_and_restart(void **state)
{
        _cleanup_(run_options_freep) RunOptions *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

        a = PARSE_OK(true, "run", "-it", "--restart", "on-failure:3", "busybox", "sh");
        assert_true(a->interactive);
        assert_true(a->tty);
        assert_string_equal(a->restart_policy, "on-failure:3");

        b = PARSE_OK(false, "create", "--interactive", "--tty", "--restart=unless-stopped", "busybox");
        assert_true(b->interactive);
        assert_true(b->tty);
        assert_string_equal(b->restart_policy, "unless-stopped");

        c = PARSE_OK(true, "run", "-d", "-i", "--restart", "always", "--restart", "on-failure:0", "busybox");
        assert_true(c->interactive);
        assert_false(c->tty);
        assert_string_equal(c->restart_policy, "on-failure:0");

        /* "no" goes well with --rm. */
        d = PARSE_OK(true, "run", "--rm", "--restart", "no", "busybox");
        assert_string_equal(d->restart_policy, "no");

        e = PARSE_OK(true, "run", "busybox", "-it");
        assert_false(e->interactive);
        assert_false(e->tty);
        assert_null(e->restart_policy);
        ASSERT_STRV(e->command, "-it");
}

static void test_help(void **state)
{
        _cleanup_(run_options_freep) RunOptions *o = NULL;
        _cleanup_free_ char *e = NULL;

        assert_int_equal(parse(true, &e, &o, (char *const[]){"run", "--name", "x", "--help", NULL}),
                         RUN_OPTIONS_HELP);
        assert_null(e);
}

static void test_usage_errors(void **state)
{
        CHECK_ERROR(true, "Missing IMAGE", "run");
        CHECK_ERROR(true, "Missing IMAGE", "run", "-d", "--rm");
        CHECK_ERROR(true, "Unknown option '--foo'", "run", "--foo", "img");
        CHECK_ERROR(true, "Unknown option '-z'", "run", "-dz", "img");
        CHECK_ERROR(true, "Option '--name' needs an argument", "run", "--name");
        CHECK_ERROR(true, "Option '-e' needs an argument", "run", "-e");
        CHECK_ERROR(false, "Unknown option '-d'", "create", "-d", "img");
        CHECK_ERROR(false, "Unknown option '--detach'", "create", "--detach", "img");
        CHECK_ERROR(
            true,
            "Invalid --restart 'sometimes': expected no, on-failure[:N] (N a number of retries, 0 or "
            "more), always or unless-stopped",
            "run", "--restart", "sometimes", "img");
        CHECK_ERROR(
            true,
            "Invalid --restart 'on-failure:-1': expected no, on-failure[:N] (N a number of retries, 0 "
            "or more), always or unless-stopped",
            "run", "--restart=on-failure:-1", "img");
        CHECK_ERROR(
            false,
            "Invalid --restart 'on-failure:x': expected no, on-failure[:N] (N a number of retries, 0 "
            "or more), always or unless-stopped",
            "create", "--restart", "on-failure:x", "img");
        CHECK_ERROR(true, "Conflicting options: --restart always and --rm", "run", "--rm", "--restart",
                    "always", "img");
        CHECK_ERROR(
            true, "Invalid container name 'my web': use [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 characters",
            "run", "--name", "my web", "img");
        CHECK_ERROR(true, "Invalid environment variable '=x': expected KEY=VALUE", "run", "-e", "=x", "img");
        CHECK_ERROR(true,
                    "Invalid volume 'data:/data': expected HOST:CONTAINER[:ro|rw], both absolute paths",
                    "run", "-v", "data:/data", "img");
        CHECK_ERROR(true, "Invalid volume '/a:/b:rx': expected HOST:CONTAINER[:ro|rw], both absolute paths",
                    "run", "-v", "/a:/b:rx", "img");
        CHECK_ERROR(true, "Invalid working directory 'srv': must be an absolute path", "run", "-w", "srv",
                    "img");
        CHECK_ERROR(true, "Invalid user 'a:b:c': expected USER[:GROUP] or UID[:GID]", "run", "-u", "a:b:c",
                    "img");
        CHECK_ERROR(true, "Invalid host name '-box'", "run", "--hostname", "-box", "img");
        CHECK_ERROR(true, "Invalid label '=x': expected KEY=VALUE", "run", "-l", "=x", "img");
        CHECK_ERROR(true, "Invalid --expose '70000': expected PORT[/tcp|udp|sctp]", "run", "--expose",
                    "70000", "img");
        CHECK_ERROR(true, "Invalid --pull 'sometimes': expected missing, always or never", "run", "--pull",
                    "sometimes", "img");
        CHECK_ERROR(true, "Invalid --stop-signal 'SIGNOPE': expected a signal name or number", "run",
                    "--stop-signal", "SIGNOPE", "img");
        CHECK_ERROR(
            true, "Invalid --memory '64x': expected bytes with an optional unit b, k, m, g or t (e.g. 64m)",
            "run", "--memory", "64x", "img");
        CHECK_ERROR(true, "Invalid --cpus '0': expected a number of CPUs from 0.01 to 1024 (e.g. 0.5)",
                    "run", "--cpus", "0", "img");
        CHECK_ERROR(true, "Invalid --pids-limit '0': expected a positive number, or -1 for unlimited", "run",
                    "--pids-limit", "0", "img");
        CHECK_ERROR(true, "Unknown capability 'NET_FLY'", "run", "--cap-add", "NET_FLY", "img");
        CHECK_ERROR(true, "Unknown network mode 'bridge': expected none or host", "run", "--network",
                    "bridge", "img");
        CHECK_ERROR(true, "Invalid image reference 'Alpine': expected NAME[:TAG] or an image id", "run",
                    "Alpine");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_everything),
            cmocka_unit_test(test_defaults_are_unset),
            cmocka_unit_test(test_stops_at_image),
            cmocka_unit_test(test_last_one_wins_and_duplicates),
            cmocka_unit_test(test_interactive_and_restart),
            cmocka_unit_test(test_help),
            cmocka_unit_test(test_usage_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
