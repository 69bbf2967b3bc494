/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/registry.h"

static void test_docker_hub(void **state)
{
        _cleanup_registry_challenge_free_ RegistryChallenge *c = NULL;

        assert_int_equal(registry_challenge_parse("Bearer realm=\"https://auth.docker.io/token\","
                                                  "service=\"registry.docker.io\","
                                                  "scope=\"repository:library/busybox:pull\"",
                                                  &c),
                         0);
        assert_string_equal(c->scheme, "Bearer");
        assert_string_equal(c->realm, "https://auth.docker.io/token");
        assert_string_equal(c->service, "registry.docker.io");
        assert_string_equal(c->scope, "repository:library/busybox:pull");
}

static void test_forms(void **state)
{
        _cleanup_registry_challenge_free_ RegistryChallenge *c = NULL, *d = NULL, *e = NULL;

        assert_int_equal(registry_challenge_parse("Basic realm=\"Registry Realm\"", &c), 0);
        assert_string_equal(c->scheme, "Basic");
        assert_string_equal(c->realm, "Registry Realm");
        assert_null(c->service);
        assert_null(c->scope);

        /* Unquoted values, spaces after commas, unknown keys, escapes. */
        assert_int_equal(registry_challenge_parse("Bearer  realm=http://127.0.0.1:5000/token, "
                                                  "error=\"insufficient_scope\", service=\"a\\\"b\"",
                                                  &d),
                         0);
        assert_string_equal(d->realm, "http://127.0.0.1:5000/token");
        assert_string_equal(d->service, "a\"b");

        assert_int_equal(registry_challenge_parse("Bearer", &e), 0);
        assert_null(e->realm);
}

static void test_invalid(void **state)
{
        RegistryChallenge *c = NULL;

        assert_int_equal(registry_challenge_parse("", &c), -EBADMSG);
        assert_int_equal(registry_challenge_parse(NULL, &c), -EBADMSG);
        assert_int_equal(registry_challenge_parse("Bearer realm=\"unterminated", &c), -EBADMSG);
        assert_int_equal(registry_challenge_parse("Bearer realm", &c), -EBADMSG);
        assert_int_equal(registry_challenge_parse("Bearer =x", &c), -EBADMSG);
        assert_int_equal(registry_challenge_parse("Bearer realm=\"a\"x", &c), -EBADMSG);
        assert_null(c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_docker_hub),
            cmocka_unit_test(test_forms),
            cmocka_unit_test(test_invalid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
