/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <time.h>

#include "raind/macro.h"
#include "raind/util.h"

#include "cli-since.h"

#define SEC    USEC_PER_SEC
#define MINUTE (60 * SEC)
#define HOUR   (60 * MINUTE)
#define DAY    (24 * HOUR)

/* 2024-05-01T12:34:56Z */
#define NOW (1714566896 * SEC)

static void set_timezone(const char *tz)
{
        setenv("TZ", tz, 1);
        tzset();
}

static uint64_t since(const char *s)
{
        uint64_t t = 0;

        assert_int_equal(parse_since(s, NOW, &t), 0);
        return t;
}

static void test_durations(void **state)
{
        assert_int_equal(since("10s"), NOW - 10 * SEC);
        assert_int_equal(since("5m"), NOW - 5 * MINUTE);
        assert_int_equal(since("2h"), NOW - 2 * HOUR);
        assert_int_equal(since("1d"), NOW - DAY);
        assert_int_equal(since("1w"), NOW - 7 * DAY);
        assert_int_equal(since("1h30m"), NOW - 90 * MINUTE);
        assert_int_equal(since("1.5h"), NOW - 90 * MINUTE);
        assert_int_equal(since("500ms"), NOW - 500000);
        assert_int_equal(since("250us"), NOW - 250);
        assert_int_equal(since("0s"), NOW);
}

static void test_parse_duration(void **state)
{
        uint64_t d;

        assert_int_equal(parse_duration("2m30s", &d), 0);
        assert_int_equal(d, 150 * SEC);
        assert_int_equal(parse_duration(".5s", &d), 0);
        assert_int_equal(d, SEC / 2);
        assert_int_equal(parse_duration("", &d), -EINVAL);
        assert_int_equal(parse_duration("s", &d), -EINVAL);
        assert_int_equal(parse_duration("10", &d), -EINVAL);
        assert_int_equal(parse_duration("10x", &d), -EINVAL);
        assert_int_equal(parse_duration("10s5", &d), -EINVAL);
        assert_int_equal(parse_duration("-10s", &d), -EINVAL);
        assert_int_equal(parse_duration("99999999999999999999s", &d), -ERANGE);
        assert_int_equal(parse_duration("999999999999999w", &d), -ERANGE);
}

static void test_unix_timestamps(void **state)
{
        assert_int_equal(since("1700000000"), 1700000000 * SEC);
        assert_int_equal(since("1700000000.25"), 1700000000 * SEC + 250000);
        assert_int_equal(since("1700000000.123456789"), 1700000000 * SEC + 123456);
        assert_int_equal(since("0"), 0);
}

static void test_dates_utc(void **state)
{
        set_timezone("UTC");
        assert_int_equal(since("2024-05-01"), 1714521600 * SEC);
        assert_int_equal(since("2024-05-01 12:34"), 1714566840 * SEC);
        assert_int_equal(since("2024-05-01T12:34"), 1714566840 * SEC);
        assert_int_equal(since("2024-05-01 12:34:56"), 1714566896 * SEC);
        assert_int_equal(since("2024-02-29"), 1709164800 * SEC);
}

static void test_dates_local(void **state)
{
        /* One hour east of UTC, no daylight saving time: needs no time zone database. */
        set_timezone("XYZ-1");
        assert_int_equal(since("2024-05-01"), (1714521600 - 3600) * SEC);
        assert_int_equal(since("2024-05-01 12:34:56"), (1714566896 - 3600) * SEC);
        /* An explicit zone wins over the local one. */
        assert_int_equal(since("2024-05-01T12:34:56Z"), 1714566896 * SEC);
        set_timezone("UTC");
}

static void test_rfc3339(void **state)
{
        assert_int_equal(since("2024-05-01T12:34:56Z"), 1714566896 * SEC);
        assert_int_equal(since("2024-05-01t12:34:56z"), 1714566896 * SEC);
        assert_int_equal(since("2024-05-01T12:34:56.5Z"), 1714566896 * SEC + 500000);
        assert_int_equal(since("2024-05-01T12:34:56.123456789Z"), 1714566896 * SEC + 123456);
        assert_int_equal(since("2024-05-01T14:34:56+02:00"), 1714566896 * SEC);
        assert_int_equal(since("2024-05-01T11:04:56-01:30"), 1714566896 * SEC);
        assert_int_equal(since("2024-05-01T11:04:56-0130"), 1714566896 * SEC);
}

static void test_invalid(void **state)
{
        static const char *const bad[] = {
            "",
            "yesterday",
            "10x",
            "-5m",
            "2024-13-01",
            "2024-00-10",
            "2024-02-30",
            "2023-02-29",
            "2024-05-01 25:00",
            "2024-05-01 12:60",
            "2024-05-01 12",
            "2024-05-01T12:34:56+",
            "2024-05-01T12:34:56+2",
            "2024-05-01T12:34:56Zjunk",
            "2024-5-1",
            "1.2.3",
            ".",
        };
        uint64_t t;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (parse_since(bad[i], NOW, &t) != -EINVAL)
                        fail_msg("'%s' was accepted", bad[i]);
}

static void test_out_of_range(void **state)
{
        uint64_t t;

        set_timezone("UTC");
        assert_int_equal(parse_since("1969-12-31", NOW, &t), -ERANGE);
        assert_int_equal(parse_since("2d", DAY, &t), -ERANGE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_durations),       cmocka_unit_test(test_parse_duration),
            cmocka_unit_test(test_unix_timestamps), cmocka_unit_test(test_dates_utc),
            cmocka_unit_test(test_dates_local),     cmocka_unit_test(test_rfc3339),
            cmocka_unit_test(test_invalid),         cmocka_unit_test(test_out_of_range),
        };

        set_timezone("UTC");
        return cmocka_run_group_tests(tests, NULL, NULL);
}
