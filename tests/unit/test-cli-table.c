/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/macro.h"

#include "cli-table.h"

static void check_table(const Table *t, const char *expected)
{
        _cleanup_free_ char *s = NULL;

        assert_int_equal(table_format(t, &s), 0);
        assert_string_equal(s, expected);
}

static void test_header_only(void **state)
{
        static const char *const headers[] = {"CONTAINER ID", "IMAGE", "NAMES"};
        _cleanup_table_ Table *t = table_new(ELEMENTSOF(headers), headers);

        assert_non_null(t);
        assert_int_equal(table_get_rows(t), 0);
        check_table(t, "CONTAINER ID   IMAGE   NAMES\n");
}

static void test_widths_from_content(void **state)
{
        static const char *const headers[] = {"CONTAINER ID", "IMAGE", "COMMAND", "NAMES"};
        _cleanup_table_ Table *t = table_new(ELEMENTSOF(headers), headers);

        assert_non_null(t);
        assert_int_equal(
            table_add_row(t, (const char *const[]){"0123456789ab", "alpine:latest", "\"sh\"", "web"}), 0);
        assert_int_equal(table_add_row(t, (const char *const[]){"ba9876543210", "busybox", "\"sleep 1000\"",
                                                                "a-much-longer-name"}),
                         0);
        assert_int_equal(table_get_rows(t), 2);
        check_table(t, "CONTAINER ID   IMAGE           COMMAND        NAMES\n"
                       "0123456789ab   alpine:latest   \"sh\"           web\n"
                       "ba9876543210   busybox         \"sleep 1000\"   a-much-longer-name\n");
}

static void test_utf8_and_empty_cells(void **state)
{
        static const char *const headers[] = {"A", "B", "C"};
        _cleanup_table_ Table *t = table_new(ELEMENTSOF(headers), headers);

        assert_non_null(t);
        /* "…" is one column wide although three bytes long. */
        assert_int_equal(table_add_row(t, (const char *const[]){"x…", NULL, ""}), 0);
        assert_int_equal(table_add_row(t, (const char *const[]){"", "", "z"}), 0);
        assert_int_equal(table_add_row(t, (const char *const[]){"xyz", "b", "c"}), 0);
        check_table(t, "A     B   C\n"
                       "x…\n"
                       "          z\n"
                       "xyz   b   c\n");
}

static void test_print(void **state)
{
        static const char *const headers[] = {"REPOSITORY", "TAG"};
        _cleanup_table_ Table *t = table_new(ELEMENTSOF(headers), headers);
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        assert_non_null(t);
        assert_int_equal(table_add_row(t, (const char *const[]){"alpine", "3.19"}), 0);
        f = open_memstream(&buf, &size);
        assert_non_null(f);
        assert_int_equal(table_print(t, f), 0);
        fclose(f);
        assert_string_equal(buf, "REPOSITORY   TAG\nalpine       3.19\n");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_header_only),
            cmocka_unit_test(test_widths_from_content),
            cmocka_unit_test(test_utf8_and_empty_cells),
            cmocka_unit_test(test_print),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
