/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/macro.h"
#include "raind/strv.h"

#include "cli-exec-options.h"

static int parse(char **ret_error, ExecOptions **ret, char *const *args)
{
        _cleanup_strv_free_ char **argv = strv_copy(args);

        assert_non_null(argv);
        *ret = NULL;
        return exec_options_parse((int)strv_length(argv), argv, ret, ret_error);
}

static void check_error(const char *expected, char *const *args)
{
        _cleanup_(exec_options_freep) ExecOptions *o = NULL;
        _cleanup_free_ char *e = NULL;

        assert_int_equal(parse(&e, &o, args), -EINVAL);
        assert_null(o);
        assert_non_null(e);
        assert_string_equal(e, expected);
}
#define CHECK_ERROR(expected, ...) check_error(expected, (char *const[]){__VA_ARGS__, NULL})

static void test_options(void **state)
{
        _cleanup_(exec_options_freep) ExecOptions *o = NULL;
        _cleanup_free_ char *e = NULL;

        setenv("RAIND_TEST_EXEC", "passed", 1);
        assert_int_equal(
            parse(&e, &o,
                  (char *const[]){"exec", "-it", "-e", "A=1", "--env", "RAIND_TEST_EXEC", "-u", "1000:100",
                                  "-w", "/srv", "web", "ls", "-l", "-e", "x", NULL}),
            EXEC_OPTIONS_PARSED);
        assert_true(o->interactive);
        assert_true(o->tty);
        assert_int_equal(strv_length(o->env), 2);
        assert_string_equal(o->env[0], "A=1");
        assert_string_equal(o->env[1], "RAIND_TEST_EXEC=passed");
        assert_string_equal(o->user, "1000:100");
        assert_string_equal(o->working_dir, "/srv");
        assert_string_equal(o->container, "web");
        /* Parsing stops at the container: the rest is the command's. */
        assert_int_equal(strv_length(o->command), 4);
        assert_string_equal(o->command[0], "ls");
        assert_string_equal(o->command[1], "-l");
        assert_string_equal(o->command[2], "-e");
        assert_string_equal(o->command[3], "x");
}

static void test_defaults(void **state)
{
        _cleanup_(exec_options_freep) ExecOptions *o = NULL;
        _cleanup_free_ char *e = NULL;

        assert_int_equal(parse(&e, &o, (char *const[]){"exec", "web", "true", NULL}), EXEC_OPTIONS_PARSED);
        assert_false(o->interactive);
        assert_false(o->tty);
        assert_null(o->env);
        assert_null(o->user);
        assert_null(o->working_dir);
}

static void test_help(void **state)
{
        _cleanup_(exec_options_freep) ExecOptions *o = NULL;
        _cleanup_free_ char *e = NULL;

        assert_int_equal(parse(&e, &o, (char *const[]){"exec", "--help", NULL}), EXEC_OPTIONS_HELP);
        assert_null(o);
}

static void test_errors(void **state)
{
        CHECK_ERROR("Missing container name", "exec");
        CHECK_ERROR("Missing container name", "exec", "-i");
        CHECK_ERROR("Missing COMMAND", "exec", "web");
        CHECK_ERROR("Unknown option '-d'", "exec", "-d", "web", "sh");
        CHECK_ERROR("Option '-u' needs an argument", "exec", "-u");
        CHECK_ERROR("Invalid user 'root': expected UID[:GID], numeric", "exec", "-u", "root", "web", "id");
        CHECK_ERROR("Invalid working directory 'tmp': must be an absolute path", "exec", "-w", "tmp", "web",
                    "pwd");
        CHECK_ERROR("Invalid environment variable '=1': expected KEY=VALUE", "exec", "-e", "=1", "web",
                    "env");
        CHECK_ERROR("Invalid container name or id 'my web'", "exec", "my web", "sh");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_options),
            cmocka_unit_test(test_defaults),
            cmocka_unit_test(test_help),
            cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
