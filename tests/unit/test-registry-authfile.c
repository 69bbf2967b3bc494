/* SPDX-License-Identifier: Apache-2.0 */
/* The docker config.json "auths" file and the Basic Authorization header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <sys/stat.h>

#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/registry.h"

static char dir[] = "/tmp/test-registry-authfile.XXXXXX";

static int setup(void **state)
{
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
        return rm_rf(dir) < 0 ? -1 : 0;
}

static char *path_in_dir(const char *name)
{
        char *p;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static void write_text(const char *path, const char *text)
{
        assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
}

static void assert_credentials(const char *path, const char *registry, const char *user,
                               const char *password)
{
        _cleanup_free_ char *u = NULL, *p = NULL;

        assert_int_equal(registry_auth_load(path, registry, &u, &p), 0);
        assert_string_equal(u, user);
        assert_string_equal(p, password);
}

static void test_round_trip(void **state)
{
        _cleanup_free_ char *path = path_in_dir("new/deeper/config.json"), *parent = path_in_dir("new");
        _cleanup_free_ char *u = NULL, *p = NULL;
        struct stat st;

        assert_int_equal(registry_auth_load(path, "localhost:5000", &u, &p), -ENOENT);
        assert_int_equal(registry_auth_store(path, "localhost:5000", "alice", "s3cret:with colon"), 0);
        assert_credentials(path, "localhost:5000", "alice", "s3cret:with colon");

        /* Secrets: the file 0600, the directories made for it 0700. */
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(stat(parent, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);

        /* Another registry is another entry; changing one leaves the other. */
        assert_int_equal(registry_auth_store(path, "[::1]:5000", "bob", "pw"), 0);
        assert_int_equal(registry_auth_store(path, "localhost:5000", "alice", "new"), 0);
        assert_credentials(path, "localhost:5000", "alice", "new");
        assert_credentials(path, "[::1]:5000", "bob", "pw");
        assert_int_equal(registry_auth_load(path, "localhost:5001", &u, &p), -ENOENT);

        assert_int_equal(registry_auth_remove(path, "localhost:5000"), 0);
        assert_int_equal(registry_auth_load(path, "localhost:5000", &u, &p), -ENOENT);
        assert_int_equal(registry_auth_remove(path, "localhost:5000"), -ENOENT);
        assert_credentials(path, "[::1]:5000", "bob", "pw");
        assert_null(u);
        assert_null(p);
}

static void test_other_fields_kept(void **state)
{
        _cleanup_free_ char *path = path_in_dir("kept.json"), *data = NULL;
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *auths, *entry, *x;

        write_text(path,
                   "{\"credsStore\":\"desktop\",\"proxies\":{\"default\":{\"httpProxy\":\"http://p:3128\"}},"
                   "\"auths\":{\"quay.io\":{\"auth\":\"dTpw\"},"
                   "\"localhost:5000\":{\"auth\":\"b2xkOm9sZA==\",\"email\":\"a@b.c\"}}}");
        assert_int_equal(registry_auth_store(path, "localhost:5000", "alice", "pw"), 0);

        assert_int_equal(json_read_file(path, 1 << 20, &o), 0);
        assert_string_equal(json_get_string(o, "credsStore"), "desktop");
        assert_true(json_object_object_get_ex(o, "proxies", &x));
        assert_true(json_object_object_get_ex(o, "auths", &auths));
        assert_true(json_object_object_get_ex(auths, "quay.io", &entry));
        assert_string_equal(json_get_string(entry, "auth"), "dTpw");
        assert_true(json_object_object_get_ex(auths, "localhost:5000", &entry));
        assert_string_equal(json_get_string(entry, "email"), "a@b.c");
        assert_string_equal(json_get_string(entry, "auth"), "YWxpY2U6cHc="); /* alice:pw */
        assert_credentials(path, "quay.io", "u", "p");

        /* Written as docker does: slashes unescaped. */
        assert_int_equal(registry_auth_store(path, "docker.io", "d", "x"), 0);
        assert_int_equal(read_full_file(path, 1 << 20, &data, NULL), 0);
        assert_non_null(strstr(data, "\"https://index.docker.io/v1/\""));
}

static void test_docker_hub_aliases(void **state)
{
        _cleanup_free_ char *path = path_in_dir("hub.json"), *u = NULL, *p = NULL;

        /* docker login writes the v1 URL. */
        write_text(path, "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"aHViOmh1YnB3\"}}}");
        assert_credentials(path, "docker.io", "hub", "hubpw");
        /* Storing updates that entry instead of adding a second one; removing drops every alias. */
        assert_int_equal(registry_auth_store(path, "docker.io", "hub2", "pw2"), 0);
        assert_credentials(path, "docker.io", "hub2", "pw2");
        write_text(path, "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"aHViOmh1YnB3\"},"
                         "\"docker.io\":{\"username\":\"plain\",\"password\":\"text\"}}}");
        /* The exact name wins over an alias; username and password fields are read too. */
        assert_credentials(path, "docker.io", "plain", "text");
        assert_int_equal(registry_auth_remove(path, "docker.io"), 0);
        assert_int_equal(registry_auth_load(path, "docker.io", &u, &p), -ENOENT);

        /* URL keys of other registries match their host. */
        write_text(path, "{\"auths\":{\"http://localhost:5000/v2/\":{\"auth\":\"bDpw\"}}}");
        assert_credentials(path, "localhost:5000", "l", "p");
        assert_int_equal(registry_auth_load(path, "localhost", &u, &p), -ENOENT);
        assert_int_equal(registry_auth_load(path, "docker.io", &u, &p), -ENOENT);
}

static void test_malformed(void **state)
{
        _cleanup_free_ char *path = path_in_dir("bad.json"), *u = NULL, *p = NULL, *data = NULL;

        write_text(path, "{\"auths\":{\"a.io\":{\"auth\":\"!!!\"},\"b.io\":{\"auth\":\"bm9jb2xvbg==\"},"
                         "\"c.io\":{}}}");
        assert_int_equal(registry_auth_load(path, "a.io", &u, &p), -EBADMSG);
        assert_int_equal(registry_auth_load(path, "b.io", &u, &p), -EBADMSG); /* "nocolon" */
        assert_int_equal(registry_auth_load(path, "c.io", &u, &p), -ENOENT);  /* a credential helper's */

        /* A file that is not JSON is not overwritten. */
        write_text(path, "{not json");
        assert_int_equal(registry_auth_store(path, "a.io", "u", "p"), -EBADMSG);
        assert_int_equal(read_full_file(path, 1 << 20, &data, NULL), 0);
        assert_string_equal(data, "{not json");

        assert_int_equal(registry_auth_store(path, "a.io", "u:x", "p"), -EINVAL);
        assert_int_equal(registry_auth_store(path, "a.io", "u", "p\nq"), -EINVAL);
        assert_int_equal(registry_auth_store(path, "not a host", "u", "p"), -EINVAL);
        assert_null(u);
        assert_null(p);
}

static void test_basic_header(void **state)
{
        _cleanup_free_ char *h = NULL, *h2 = NULL;
        char *x = NULL;

        /* RFC 7617 §2. */
        assert_int_equal(registry_basic_authorization("Aladdin", "open sesame", &h), 0);
        assert_string_equal(h, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_int_equal(registry_basic_authorization("u", "", &h2), 0);
        assert_string_equal(h2, "Basic dTo=");

        assert_int_equal(registry_basic_authorization("a:b", "c", &x), -EINVAL);
        assert_int_equal(registry_basic_authorization("", "c", &x), -EINVAL);
        assert_int_equal(registry_basic_authorization("a", "c\r\nX-Evil: 1", &x), -EINVAL);
        assert_null(x);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_round_trip),         cmocka_unit_test(test_other_fields_kept),
            cmocka_unit_test(test_docker_hub_aliases), cmocka_unit_test(test_malformed),
            cmocka_unit_test(test_basic_header),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
