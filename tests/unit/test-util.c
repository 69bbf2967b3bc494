/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/fileio.h"
#include "raind/macro.h"
#include "raind/util.h"
#include "raind/validate.h"

static void test_process_start_time(void **state)
{
        _cleanup_free_ char *stat = NULL;
        unsigned long long expected = 0;
        uint64_t t;

        assert_int_equal(read_full_file("/proc/self/stat", 4096, &stat, NULL), 0);
        /* Field 22 is the 20th after the command name's closing parenthesis. */
        char *p = strrchr(stat, ')') + 2;
        for (int i = 3; i < 22; i++)
                p = strchr(p, ' ') + 1;
        assert_int_equal(sscanf(p, "%llu", &expected), 1);

        assert_int_equal(process_start_time(getpid(), &t), 0);
        assert_int_equal(t, expected);
        assert_int_equal(process_start_time(0x7ffffff0, &t), -ENOENT);
}

static void test_random_id(void **state)
{
        char a[65], b[65];
        assert_int_equal(random_id(a), 0);
        assert_int_equal(random_id(b), 0);
        assert_true(container_id_is_valid(a));
        assert_string_not_equal(a, b);
}

static void test_free_and_strdup(void **state)
{
        _cleanup_free_ char *p = NULL;
        assert_int_equal(free_and_strdup(&p, "a"), 0);
        assert_string_equal(p, "a");
        assert_int_equal(free_and_strdup(&p, "bc"), 0);
        assert_string_equal(p, "bc");
        assert_int_equal(free_and_strdup(&p, NULL), 0);
        assert_null(p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_process_start_time),
            cmocka_unit_test(test_random_id),
            cmocka_unit_test(test_free_and_strdup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
