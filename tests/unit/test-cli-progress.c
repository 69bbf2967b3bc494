/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/macro.h"

#include "cli-progress.h"

#define BLOB "sha256:782d98c45017d45984c8479b9b8baa6de1bb078315c35475ed34f72ca6c98542"

static void check_bar(uint64_t done, uint64_t total, size_t width, const char *expected)
{
        _cleanup_free_ char *bar = NULL;

        assert_int_equal(progress_bar_format(done, total, width, &bar), 0);
        assert_string_equal(bar, expected);
        assert_int_equal(strlen(bar), width);
}

static void test_bar(void **state)
{
        _cleanup_free_ char *bar = NULL;

        check_bar(0, 100, 12, "[>         ]");
        check_bar(50, 100, 12, "[=====>    ]");
        check_bar(99, 100, 12, "[=========>]");
        check_bar(100, 100, 12, "[==========]");
        check_bar(250, 100, 12, "[==========]");
        check_bar(5, 0, 12, "[          ]");
        check_bar(1, 2, 3, "[>]");
        /* No overflow for huge sizes. */
        check_bar(UINT64_MAX / 2, UINT64_MAX, 12, "[=====>    ]");
        assert_int_equal(progress_bar_format(1, 2, 2, &bar), -EINVAL);
}

static void test_state_text(void **state)
{
        assert_string_equal(layer_state_text("waiting", false), "Waiting");
        assert_string_equal(layer_state_text("downloading", false), "Downloading");
        assert_string_equal(layer_state_text("downloading", true), "Pushing");
        assert_string_equal(layer_state_text("extracting", false), "Extracting");
        assert_string_equal(layer_state_text("done", false), "Pull complete");
        assert_string_equal(layer_state_text("done", true), "Pushed");
        assert_string_equal(layer_state_text("exists", false), "Already exists");
        assert_string_equal(layer_state_text("exists", true), "Layer already exists");
        assert_string_equal(layer_state_text("failed", false), "Failed");
        assert_null(layer_state_text("bogus", false));
        assert_true(layer_state_has_bar("downloading"));
        assert_false(layer_state_has_bar("extracting"));
}

static void check_line(const char *state, uint64_t done, uint64_t total, bool push, bool bars, size_t max,
                       const char *expected)
{
        _cleanup_free_ char *line = NULL;

        assert_int_equal(progress_line_format(BLOB, state, done, total, push, bars, max, &line), 0);
        assert_string_equal(line, expected);
}

static void test_line(void **state)
{
        check_line("waiting", 0, 0, false, true, 0, "782d98c45017: Waiting");
        check_line("done", 40100000, 40100000, false, true, 0, "782d98c45017: Pull complete");
        check_line("exists", 0, 0, false, true, 80, "782d98c45017: Already exists");
        /* Full width: a 50 column bar, as docker draws it. */
        check_line("downloading", 12300000, 40100000, false, true, 0,
                   "782d98c45017: Downloading [===============>                                  ] "
                   "12.3MB/40.1MB");
        /* Not a terminal: no bar, no sizes. */
        check_line("downloading", 12300000, 40100000, false, false, 0, "782d98c45017: Downloading");
        /* A total not known yet: nothing to draw. */
        check_line("downloading", 5, 0, false, true, 0, "782d98c45017: Downloading");
        /* Narrow terminal: the bar shrinks to fit … */
        check_line("downloading", 500, 1000, true, true, 50,
                   "782d98c45017: Pushing [========>        ] 500B/1kB");
        /* … and goes when it would be too small, then the line is cut. */
        check_line("downloading", 500, 1000, false, true, 40, "782d98c45017: Downloading 500B/1kB");
        check_line("downloading", 500, 1000, false, true, 20, "782d98c45017: Downlo");
        /* Done beyond total (a server that lied) shows as total. */
        check_line("downloading", 2000, 1000, false, true, 0,
                   "782d98c45017: Downloading [==================================================] 1kB/1kB");
        /* A digest without algorithm, a state we do not know: shown as they are. */
        {
                _cleanup_free_ char *line = NULL;

                assert_int_equal(progress_line_format("abcdef", "verifying", 0, 0, false, true, 0, &line),
                                 0);
                assert_string_equal(line, "abcdef: verifying");
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_bar),
            cmocka_unit_test(test_state_text),
            cmocka_unit_test(test_line),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
