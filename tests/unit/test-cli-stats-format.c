/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raind/json-util.h"
#include "raind/macro.h"
#include "raind/util.h"

#include "cli-stats-format.h"

#define MIB (1024ULL * 1024)

static StatsSample sample(uint64_t t_usec, uint64_t cpu_nsec)
{
        StatsSample s = STATS_SAMPLE_UNKNOWN;

        s.timestamp_usec = t_usec;
        s.cpu_usage_nsec = cpu_nsec;
        return s;
}

static void test_cpu_percent(void **state)
{
        StatsSample a = sample(10 * USEC_PER_SEC, 1000000000ULL),
                    b = sample(11 * USEC_PER_SEC, 1250000000ULL);
        double p = -1;

        /* A quarter of a second of CPU time in a second. */
        assert_int_equal(stats_cpu_percent(&a, &b, &p), 0);
        assert_true(p > 24.999 && p < 25.001);

        /* Two CPUs busy for half a second: 200 %. */
        b = sample(10 * USEC_PER_SEC + USEC_PER_SEC / 2, 2000000000ULL);
        assert_int_equal(stats_cpu_percent(&a, &b, &p), 0);
        assert_true(p > 199.999 && p < 200.001);

        /* No first sample, no time between them, no accounting. */
        assert_int_equal(stats_cpu_percent(NULL, &b, &p), -ENODATA);
        assert_int_equal(stats_cpu_percent(&a, &a, &p), -ENODATA);
        b = sample(11 * USEC_PER_SEC, STATS_UNKNOWN);
        assert_int_equal(stats_cpu_percent(&a, &b, &p), -ENODATA);
        assert_int_equal(stats_cpu_percent(&b, &a, &p), -ENODATA);

        /* A restarted container's counter starts again at 0. */
        b = sample(11 * USEC_PER_SEC, 5);
        assert_int_equal(stats_cpu_percent(&a, &b, &p), 0);
        assert_true(p == 0);
}

static void test_sizes(void **state)
{
        char buf[FORMAT_SIZE_MAX];

        assert_string_equal(format_size_binary(buf, 0), "0B");
        assert_string_equal(format_size_binary(buf, 1023), "1023B");
        assert_string_equal(format_size_binary(buf, 1024), "1KiB");
        assert_string_equal(format_size_binary(buf, 12897484), "12.3MiB");
        assert_string_equal(format_size_binary(buf, 64 * MIB), "64MiB");
        assert_string_equal(format_size_binary(buf, 8ULL << 30), "8GiB");

        assert_string_equal(format_size_short(buf, 648), "648B");
        assert_string_equal(format_size_short(buf, 1450), "1.45kB");
        assert_string_equal(format_size_short(buf, 4123456), "4.12MB");
        assert_string_equal(format_size_short(buf, 0), "0B");
}

static void test_row(void **state)
{
        StatsSample a = sample(10 * USEC_PER_SEC, 0), b = sample(11 * USEC_PER_SEC, 5200000);
        StatsRow row;

        b.memory_current = 12897484;
        b.memory_limit = 64 * MIB;
        b.tasks_current = 3;
        b.io_read_bytes = 4100000;
        b.io_write_bytes = 0;
        b.net_rx_bytes = 1450;
        b.net_tx_bytes = 648;

        stats_format_row(&a, &b, &row);
        assert_string_equal(row.cpu_percent, "0.52%");
        assert_string_equal(row.mem_usage, "12.3MiB / 64MiB");
        assert_string_equal(row.mem_percent, "19.22%");
        assert_string_equal(row.net_io, "1.45kB / 648B");
        assert_string_equal(row.block_io, "4.1MB / 0B");
        assert_string_equal(row.pids, "3");

        /* The first sample has no CPU % yet. */
        stats_format_row(NULL, &b, &row);
        assert_string_equal(row.cpu_percent, "--");
}

static void test_row_unknown(void **state)
{
        StatsSample s = STATS_SAMPLE_UNKNOWN;
        StatsRow row;

        /* What systemd says on a machine without cgroup controllers. */
        s.timestamp_usec = 1;
        stats_format_row(NULL, &s, &row);
        assert_string_equal(row.cpu_percent, "--");
        assert_string_equal(row.mem_usage, "--");
        assert_string_equal(row.mem_percent, "--");
        assert_string_equal(row.net_io, "--");
        assert_string_equal(row.block_io, "--");
        assert_string_equal(row.pids, "--");

        /* A limit without usage says nothing; usage without a limit does. */
        s.memory_limit = 64 * MIB;
        stats_format_row(NULL, &s, &row);
        assert_string_equal(row.mem_usage, "--");
        s.memory_current = 2 * MIB;
        s.memory_limit = STATS_UNKNOWN;
        stats_format_row(NULL, &s, &row);
        assert_string_equal(row.mem_usage, "2MiB / --");
        assert_string_equal(row.mem_percent, "--");

        /* One side of a pair known. */
        s.io_read_bytes = 1000;
        stats_format_row(NULL, &s, &row);
        assert_string_equal(row.block_io, "1kB / --");
}

static void test_json(void **state)
{
        StatsSample a = sample(10 * USEC_PER_SEC, 0), b = sample(11 * USEC_PER_SEC, 5200000);
        _cleanup_json_ json_object *o = NULL;

        b.memory_current = 2 * MIB;
        b.memory_limit = 8 * MIB;
        assert_int_equal(stats_to_json("0123456789ab", "web", &a, &b, &o), 0);
        assert_string_equal(
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
            "{\"Id\":\"0123456789ab\",\"Name\":\"web\",\"CPUPercent\":0.52,\"CPUUsageNSec\":5200000,"
            "\"MemoryCurrent\":2097152,\"MemoryLimit\":8388608,\"MemoryPercent\":25.00,"
            "\"TasksCurrent\":null,\"IOReadBytes\":null,\"IOWriteBytes\":null,\"NetRxBytes\":null,"
            "\"NetTxBytes\":null,\"IPIngressBytes\":null,\"IPEgressBytes\":null}");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_cpu_percent), cmocka_unit_test(test_sizes), cmocka_unit_test(test_row),
            cmocka_unit_test(test_row_unknown), cmocka_unit_test(test_json),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
