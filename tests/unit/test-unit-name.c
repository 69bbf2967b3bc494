/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/macro.h"
#include "raind/unit-name.h"

static void test_scope_name(void **state)
{
        _cleanup_free_ char *a = container_scope_name("web");
        assert_string_equal(a, "raind-web.scope");
        _cleanup_free_ char *b = container_scope_name("my-web_1.x");
        assert_string_equal(b, "raind-my-web_1.x.scope");
}

static void test_escape(void **state)
{
        _cleanup_free_ char *a = unit_name_escape("a b/c");
        assert_string_equal(a, "a\\x20b\\x2fc");
        _cleanup_free_ char *b = unit_name_escape(".hidden");
        assert_string_equal(b, "\\x2ehidden");
        _cleanup_free_ char *c = unit_name_escape("ä");
        assert_string_equal(c, "\\xc3\\xa4");
}

static void test_too_long(void **state)
{
        char name[300];
        memset(name, 'a', sizeof(name) - 1);
        name[sizeof(name) - 1] = 0;
        assert_null(container_scope_name(name));
        name[256 - strlen("raind-.scope")] = 0;
        _cleanup_free_ char *ok = container_scope_name(name);
        assert_non_null(ok);
        assert_int_equal(strlen(ok), 256);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_scope_name),
            cmocka_unit_test(test_escape),
            cmocka_unit_test(test_too_long),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
