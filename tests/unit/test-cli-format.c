/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/macro.h"
#include "raind/util.h"

#include "cli-format.h"

#define SEC    USEC_PER_SEC
#define MINUTE (60 * SEC)
#define HOUR   (60 * MINUTE)
#define DAY    (24 * HOUR)

static void check_duration(uint64_t usec, const char *expected)
{
        char buf[FORMAT_DURATION_MAX];

        assert_string_equal(format_duration_human(buf, usec), expected);
}

static void test_duration_human(void **state)
{
        check_duration(0, "Less than a second");
        check_duration(SEC - 1, "Less than a second");
        check_duration(SEC, "1 second");
        check_duration(5 * SEC, "5 seconds");
        check_duration(59 * SEC, "59 seconds");
        check_duration(60 * SEC, "About a minute");
        check_duration(119 * SEC, "About a minute");
        check_duration(2 * MINUTE, "2 minutes");
        check_duration(59 * MINUTE, "59 minutes");
        check_duration(60 * MINUTE, "About an hour");
        check_duration(89 * MINUTE, "About an hour");
        check_duration(90 * MINUTE, "2 hours");
        check_duration(47 * HOUR, "47 hours");
        check_duration(48 * HOUR, "2 days");
        check_duration(3 * DAY, "3 days");
        check_duration(13 * DAY, "13 days");
        check_duration(14 * DAY, "2 weeks");
        check_duration(59 * DAY, "8 weeks");
        check_duration(60 * DAY, "2 months");
        check_duration(729 * DAY, "24 months");
        check_duration(730 * DAY, "2 years");
}

static void test_time_ago(void **state)
{
        char buf[FORMAT_DURATION_MAX + 8];
        uint64_t now = 1700000000 * SEC;

        assert_string_equal(format_time_ago(buf, now - 5 * SEC, now), "5 seconds ago");
        assert_string_equal(format_time_ago(buf, now - 2 * MINUTE, now), "2 minutes ago");
        assert_string_equal(format_time_ago(buf, now - 65 * MINUTE, now), "About an hour ago");
        assert_string_equal(format_time_ago(buf, now - 3 * DAY, now), "3 days ago");
        /* A clock that is a little behind the daemon's must not underflow. */
        assert_string_equal(format_time_ago(buf, now + 10 * SEC, now), "Less than a second ago");
}

static void check_size(uint64_t bytes, const char *expected)
{
        char buf[FORMAT_SIZE_MAX];

        assert_string_equal(format_size_human(buf, bytes), expected);
}

static void test_size_human(void **state)
{
        check_size(0, "0B");
        check_size(999, "999B");
        check_size(1000, "1kB");
        check_size(1536, "1.536kB");
        check_size(4200000, "4.2MB");
        check_size(1234567, "1.235MB");
        check_size(123456789, "123.5MB");
        check_size(1000000000, "1GB");
        check_size(5300000000000ULL, "5.3TB");
        check_size(UINT64_MAX, "18.45EB");
}

static void test_timestamp_rfc3339(void **state)
{
        char buf[FORMAT_TIMESTAMP_MAX];

        assert_string_equal(format_timestamp_rfc3339(buf, 1), "1970-01-01T00:00:00.000001Z");
        assert_string_equal(format_timestamp_rfc3339(buf, 1700000000 * SEC), "2023-11-14T22:13:20Z");
        assert_string_equal(format_timestamp_rfc3339(buf, 1700000000 * SEC + 500000),
                            "2023-11-14T22:13:20.5Z");
        assert_string_equal(format_timestamp_rfc3339(buf, 1700000000 * SEC + 123450),
                            "2023-11-14T22:13:20.12345Z");
        assert_string_equal(format_timestamp_rfc3339(buf, 1714566896 * SEC + 999999),
                            "2024-05-01T12:34:56.999999Z");
}

static void check_status(const char *state, int exit_status, uint64_t started, uint64_t finished,
                         uint64_t now, const char *expected)
{
        _cleanup_free_ char *s = NULL;

        assert_int_equal(container_status_text(state, exit_status, started, finished, now, &s), 0);
        assert_string_equal(s, expected);
}

static void test_status_text(void **state)
{
        uint64_t now = 1700000000 * SEC;

        check_status("created", -1, 0, 0, now, "Created");
        check_status("starting", -1, 0, 0, now, "Starting");
        check_status("running", -1, now - 3 * SEC, 0, now, "Up 3 seconds");
        check_status("running", -1, now, 0, now, "Up Less than a second");
        check_status("running", 0, now - 2 * HOUR, now - 3 * HOUR, now, "Up 2 hours");
        check_status("stopping", -1, now - 10 * SEC, 0, now, "Stopping");
        check_status("exited", 7, now - 5 * MINUTE, now - 2 * MINUTE, now, "Exited (7) 2 minutes ago");
        check_status("exited", 0, now - DAY, now - 3 * DAY, now, "Exited (0) 3 days ago");
        check_status("exited", 137, now - 5 * SEC, now - 1 * SEC, now, "Exited (137) 1 second ago");
        check_status("exited", 3, 0, 0, now, "Exited (3)");
        check_status("exited", -1, 0, now - 5 * SEC, now, "Exited 5 seconds ago");
        check_status("paused", -1, 0, 0, now, "paused");
}

static void check_command(const char *command, size_t width, const char *expected)
{
        _cleanup_free_ char *s = NULL;

        assert_int_equal(command_abbreviate(command, width, &s), 0);
        assert_string_equal(s, expected);
}

static void test_state_is_active(void **state)
{
        assert_true(container_state_is_active("starting"));
        assert_true(container_state_is_active("running"));
        assert_true(container_state_is_active("stopping"));
        assert_false(container_state_is_active("created"));
        assert_false(container_state_is_active("exited"));
        assert_false(container_state_is_active(""));
}

static void test_command_abbreviate(void **state)
{
        check_command("sleep 1000", 20, "\"sleep 1000\"");
        check_command("", 20, "\"\"");
        check_command("12345678901234567890", 20, "\"12345678901234567890\"");
        check_command("123456789012345678901", 20, "\"1234567890123456789…\"");
        check_command("/bin/sh -c 'while true; do echo hi; sleep 1; done'", 20, "\"/bin/sh -c 'while t…\"");
        check_command("/bin/sh -c 'while true; do echo hi; sleep 1; done'", 0,
                      "\"/bin/sh -c 'while true; do echo hi; sleep 1; done'\"");
        /* Counted in characters, not bytes: a cut never splits a UTF-8 sequence. */
        check_command("äöüäöüäöüäöüäöüäöüäöüäöü", 20, "\"äöüäöüäöüäöüäöüäöüä…\"");
        /* Quotes, backslashes and control characters are escaped: one line per container. */
        check_command("echo \"a\\b\"\nx\ty\r\x01", 0, "\"echo \\\"a\\\\b\\\"\\nx\\ty\\r\\x01\"");
}

static void test_utf8_width(void **state)
{
        assert_int_equal(utf8_width(""), 0);
        assert_int_equal(utf8_width("abc"), 3);
        assert_int_equal(utf8_width("…"), 1);
        assert_int_equal(utf8_width("äb…"), 3);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_duration_human),     cmocka_unit_test(test_time_ago),
            cmocka_unit_test(test_size_human),         cmocka_unit_test(test_timestamp_rfc3339),
            cmocka_unit_test(test_status_text),        cmocka_unit_test(test_state_is_active),
            cmocka_unit_test(test_command_abbreviate), cmocka_unit_test(test_utf8_width),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
