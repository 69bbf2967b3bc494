/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "raind/macro.h"
#include "raind/registry.h"
#include "raind/strv.h"

#include "cli-registry-options.h"

static int parse(bool push, char **ret_error, TransferOptions **ret, char *const *args)
{
        _cleanup_strv_free_ char **argv = strv_copy(args);

        assert_non_null(argv);
        *ret = NULL;
        return transfer_options_parse((int)strv_length(argv), argv, push, ret, ret_error);
}

static void check_error(bool push, const char *expected, char *const *args)
{
        _cleanup_(transfer_options_freep) TransferOptions *o = NULL;
        _cleanup_free_ char *e = NULL;

        assert_int_equal(parse(push, &e, &o, args), -EINVAL);
        assert_null(o);
        assert_non_null(e);
        assert_string_equal(e, expected);
}
#define CHECK_ERROR(push, expected, ...) check_error(push, expected, (char *const[]){__VA_ARGS__, NULL})

static void test_pull(void **state)
{
        _cleanup_(transfer_options_freep) TransferOptions *o = NULL, *d = NULL;
        _cleanup_free_ char *e = NULL;

        assert_int_equal(parse(false, &e, &o,
                               (char *const[]){"pull", "-q", "--platform", "linux/arm64/v8",
                                               "--tls-verify=false", "--creds", "alice:pa:ss", "--authfile",
                                               "/tmp/a.json", "localhost:5000/x:1", NULL}),
                         TRANSFER_OPTIONS_PARSED);
        assert_true(o->quiet);
        assert_false(o->tls_verify);
        assert_string_equal(o->platform, "linux/arm64/v8");
        assert_string_equal(o->username, "alice");
        assert_string_equal(o->password, "pa:ss");
        assert_string_equal(o->authfile, "/tmp/a.json");
        assert_string_equal(o->image, "localhost:5000/x:1");
        assert_null(o->destination);

        assert_int_equal(parse(false, &e, &d, (char *const[]){"pull", "--tls-verify", "busybox", NULL}),
                         TRANSFER_OPTIONS_PARSED);
        assert_true(d->tls_verify);
        assert_false(d->quiet);
        assert_null(d->platform);
        assert_null(d->username);
        assert_null(d->password);
        assert_null(d->authfile);
}

static void test_push(void **state)
{
        _cleanup_(transfer_options_freep) TransferOptions *o = NULL, *p = NULL;
        _cleanup_free_ char *e = NULL;

        assert_int_equal(
            parse(true, &e, &o, (char *const[]){"push", "--creds", "bob", "web:1", "reg:5000/web:2", NULL}),
            TRANSFER_OPTIONS_PARSED);
        assert_string_equal(o->image, "web:1");
        assert_string_equal(o->destination, "reg:5000/web:2");
        assert_string_equal(o->username, "bob");
        assert_null(o->password);
        /* An id works as the image to push. */
        assert_int_equal(
            parse(true, &e, &p, (char *const[]){"push", "37285f10cfc4", "reg:5000/web:2", NULL}),
            TRANSFER_OPTIONS_PARSED);
        assert_string_equal(p->image, "37285f10cfc4");
}

static void test_help_and_errors(void **state)
{
        _cleanup_(transfer_options_freep) TransferOptions *o = NULL;
        _cleanup_free_ char *e = NULL;

        assert_int_equal(parse(false, &e, &o, (char *const[]){"pull", "-h", NULL}), TRANSFER_OPTIONS_HELP);
        assert_null(o);

        CHECK_ERROR(false, "Missing image reference", "pull");
        CHECK_ERROR(false, "Missing image reference", "pull", "-q");
        CHECK_ERROR(false, "Unexpected argument 'b'", "pull", "a", "b");
        CHECK_ERROR(true, "Unexpected argument 'c'", "push", "a", "b", "c");
        CHECK_ERROR(false, "Invalid image reference 'Busybox'", "pull", "Busybox");
        CHECK_ERROR(false, "Invalid --platform 'linux': expected OS/ARCH[/VARIANT]", "pull", "--platform",
                    "linux", "busybox");
        CHECK_ERROR(false, "Invalid --platform 'linux/': expected OS/ARCH[/VARIANT]", "pull", "--platform",
                    "linux/", "busybox");
        CHECK_ERROR(false, "Invalid --platform 'a/b/c/d': expected OS/ARCH[/VARIANT]", "pull", "--platform",
                    "a/b/c/d", "busybox");
        CHECK_ERROR(true, "--platform is for pull only", "push", "--platform", "linux/amd64", "busybox");
        CHECK_ERROR(false, "Invalid --tls-verify 'maybe': expected true or false", "pull",
                    "--tls-verify=maybe", "busybox");
        CHECK_ERROR(false, "Invalid --creds: expected USER[:PASSWORD]", "pull", "--creds", ":pw", "busybox");
        CHECK_ERROR(false, "Invalid --authfile: empty", "pull", "--authfile", "", "busybox");
        CHECK_ERROR(false, "Option '--creds' needs an argument", "pull", "--creds");
}

static void test_platform_boolean(void **state)
{
        bool b;

        assert_true(platform_is_valid("linux/amd64"));
        assert_true(platform_is_valid("linux/arm/v7"));
        assert_false(platform_is_valid("Linux/amd64"));
        assert_false(platform_is_valid("/amd64"));
        assert_false(platform_is_valid(""));
        assert_int_equal(parse_boolean("false", &b), 0);
        assert_false(b);
        assert_int_equal(parse_boolean("yes", &b), 0);
        assert_true(b);
        assert_int_equal(parse_boolean("", &b), -EINVAL);
}

static void test_paths(void **state)
{
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

        setenv("HOME", "/home/u", 1);
        unsetenv("XDG_CONFIG_HOME");
        unsetenv("REGISTRY_AUTH_FILE");
        unsetenv("DOCKER_CONFIG");
        assert_int_equal(auth_file_path(NULL, &a), 0);
        assert_string_equal(a, "/home/u/.config/raind/auth.json");
        setenv("XDG_CONFIG_HOME", "/xdg", 1);
        assert_int_equal(auth_file_path(NULL, &b), 0);
        assert_string_equal(b, "/xdg/raind/auth.json");
        setenv("REGISTRY_AUTH_FILE", "/env/auth.json", 1);
        assert_int_equal(auth_file_path(NULL, &c), 0);
        assert_string_equal(c, "/env/auth.json");
        assert_int_equal(auth_file_path("/opt/a.json", &d), 0);
        assert_string_equal(d, "/opt/a.json");
        assert_int_equal(docker_config_path(&e), 0);
        assert_string_equal(e, "/home/u/.docker/config.json");
        unsetenv("REGISTRY_AUTH_FILE");
        unsetenv("XDG_CONFIG_HOME");
}

static void check_registry(const char *name, const char *expected)
{
        _cleanup_free_ char *r = NULL;

        assert_int_equal(login_registry_normalize(name, &r), 0);
        assert_string_equal(r, expected);
}

static void test_registries(void **state)
{
        _cleanup_free_ char *r = NULL, *s = NULL, *t = NULL;

        check_registry(NULL, "docker.io");
        check_registry("https://index.docker.io/v1/", "docker.io");
        check_registry("registry-1.docker.io", "docker.io");
        check_registry("http://localhost:5000/some/path", "localhost:5000");
        check_registry("quay.io", "quay.io");
        assert_int_equal(login_registry_normalize("", &r), -EINVAL);
        assert_int_equal(login_registry_normalize("not a host", &r), -EINVAL);

        assert_int_equal(reference_registry("busybox", &s), 0);
        assert_string_equal(s, "docker.io");
        assert_int_equal(reference_registry("127.0.0.1:5000/x/y:1", &t), 0);
        assert_string_equal(t, "127.0.0.1:5000");
}

static void test_credentials(void **state)
{
        char dir[] = "/tmp/test-cli-registry-options.XXXXXX";
        _cleanup_free_ char *authfile = NULL, *docker_dir = NULL, *docker = NULL;
        _cleanup_free_ char *u = NULL, *p = NULL, *u2 = NULL, *p2 = NULL;
        FILE *f;

        assert_non_null(mkdtemp(dir));
        assert_true(asprintf(&authfile, "%s/auth.json", dir) > 0);
        assert_true(asprintf(&docker_dir, "%s/docker", dir) > 0);
        assert_true(asprintf(&docker, "%s/config.json", docker_dir) > 0);
        setenv("REGISTRY_AUTH_FILE", authfile, 1);
        setenv("DOCKER_CONFIG", docker_dir, 1);

        /* Nothing anywhere. */
        assert_int_equal(registry_credentials_find(NULL, "localhost:5000", &u, &p), -ENOENT);

        /* Docker's file only: found without --authfile, not with it. */
        assert_int_equal(mkdir(docker_dir, 0700), 0);
        f = fopen(docker, "we");
        assert_non_null(f);
        /* "bob:hunter2" */
        fputs("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"Ym9iOmh1bnRlcjI=\"}}}", f);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(registry_credentials_find(NULL, "docker.io", &u, &p), 0);
        assert_string_equal(u, "bob");
        assert_string_equal(p, "hunter2");
        assert_int_equal(registry_credentials_find(authfile, "docker.io", &u2, &p2), -ENOENT);

        /* Ours wins over docker's. */
        assert_int_equal(registry_auth_store(authfile, "docker.io", "alice", "s3cret"), 0);
        assert_int_equal(registry_credentials_find(NULL, "docker.io", &u2, &p2), 0);
        assert_string_equal(u2, "alice");
        assert_string_equal(p2, "s3cret");

        assert_int_equal(unlink(authfile), 0);
        assert_int_equal(unlink(docker), 0);
        assert_int_equal(rmdir(docker_dir), 0);
        assert_int_equal(rmdir(dir), 0);
        unsetenv("REGISTRY_AUTH_FILE");
        unsetenv("DOCKER_CONFIG");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_pull),
            cmocka_unit_test(test_push),
            cmocka_unit_test(test_help_and_errors),
            cmocka_unit_test(test_platform_boolean),
            cmocka_unit_test(test_paths),
            cmocka_unit_test(test_registries),
            cmocka_unit_test(test_credentials),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
