/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>

#include "raind/json-util.h"
#include "raind/macro.h"
#include "raind/util.h"

#include "cli-json.h"
#include "cli-stats-format.h"

int stats_cpu_percent(const StatsSample *prev, const StatsSample *cur, double *ret)
{
        uint64_t wall_usec;

        if (!prev || prev->cpu_usage_nsec == STATS_UNKNOWN || cur->cpu_usage_nsec == STATS_UNKNOWN ||
            cur->timestamp_usec <= prev->timestamp_usec)
                return -ENODATA;
        wall_usec = cur->timestamp_usec - prev->timestamp_usec;
        /* A counter that went backwards belongs to a new run of the container. */
        if (cur->cpu_usage_nsec < prev->cpu_usage_nsec) {
                *ret = 0;
                return 0;
        }
        *ret = (double)(cur->cpu_usage_nsec - prev->cpu_usage_nsec) / (double)(wall_usec * NSEC_PER_USEC) *
               100.0;
        return 0;
}

int stats_memory_percent(const StatsSample *s, double *ret)
{
        if (s->memory_current == STATS_UNKNOWN || s->memory_limit == STATS_UNKNOWN || s->memory_limit == 0)
                return -ENODATA;
        *ret = (double)s->memory_current / (double)s->memory_limit * 100.0;
        return 0;
}

static const char *format_size_units(char buf[static FORMAT_SIZE_MAX], uint64_t bytes, double base,
                                     int precision, const char *const *units, size_t n_units)
{
        double size = (double)bytes;
        size_t i = 0;

        while (size >= base && i + 1 < n_units) {
                size /= base;
                i++;
        }
        snprintf(buf, FORMAT_SIZE_MAX, "%.*g%s", precision, size, units[i]);
        return buf;
}

const char *format_size_binary(char buf[static FORMAT_SIZE_MAX], uint64_t bytes)
{
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

        return format_size_units(buf, bytes, 1024, 4, units, ELEMENTSOF(units));
}

const char *format_size_short(char buf[static FORMAT_SIZE_MAX], uint64_t bytes)
{
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

        return format_size_units(buf, bytes, 1000, 3, units, ELEMENTSOF(units));
}

/* "a / b", each side "--" when unknown; just "--" when both are. */
static void format_pair(char buf[static STATS_CELL_MAX], uint64_t a, uint64_t b,
                        const char *(*format)(char[static FORMAT_SIZE_MAX], uint64_t))
{
        char x[FORMAT_SIZE_MAX], y[FORMAT_SIZE_MAX];

        if (a == STATS_UNKNOWN && b == STATS_UNKNOWN) {
                snprintf(buf, STATS_CELL_MAX, "--");
                return;
        }
        snprintf(buf, STATS_CELL_MAX, "%s / %s", a == STATS_UNKNOWN ? "--" : format(x, a),
                 b == STATS_UNKNOWN ? "--" : format(y, b));
}

static void format_percent(char buf[static STATS_CELL_MAX], int r, double percent)
{
        if (r < 0)
                snprintf(buf, STATS_CELL_MAX, "--");
        else
                snprintf(buf, STATS_CELL_MAX, "%.2f%%", percent);
}

void stats_format_row(const StatsSample *prev, const StatsSample *cur, StatsRow *ret)
{
        double percent = 0;
        int r;

        r = stats_cpu_percent(prev, cur, &percent);
        format_percent(ret->cpu_percent, r, percent);

        if (cur->memory_current == STATS_UNKNOWN)
                /* A limit alone says nothing about the container. */
                snprintf(ret->mem_usage, STATS_CELL_MAX, "--");
        else
                format_pair(ret->mem_usage, cur->memory_current, cur->memory_limit, format_size_binary);
        r = stats_memory_percent(cur, &percent);
        format_percent(ret->mem_percent, r, percent);

        format_pair(ret->net_io, cur->net_rx_bytes, cur->net_tx_bytes, format_size_short);
        format_pair(ret->block_io, cur->io_read_bytes, cur->io_write_bytes, format_size_short);

        if (cur->tasks_current == STATS_UNKNOWN)
                snprintf(ret->pids, STATS_CELL_MAX, "--");
        else
                snprintf(ret->pids, STATS_CELL_MAX, "%" PRIu64, cur->tasks_current);
}

static int add_counter(json_object *o, const char *key, uint64_t value)
{
        if (value == STATS_UNKNOWN)
                return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
        return json_add_new(o, key, json_object_new_uint64(value));
}

static int add_percent(json_object *o, const char *key, int r, double percent)
{
        char s[32];

        if (r < 0)
                return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
        /* Two decimals, as in the table, without binary noise ("0.52", not "0.52000000000000002"). */
        snprintf(s, sizeof(s), "%.2f", percent);
        return json_add_new(o, key, json_object_new_double_s(strtod(s, NULL), s));
}

int stats_to_json(const char *id, const char *name, const StatsSample *prev, const StatsSample *cur,
                  json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        double percent = 0;
        int r;

        if (!o)
                return -ENOMEM;
        r = json_add_new(o, "Id", json_object_new_string(id));
        if (r >= 0)
                r = json_add_new(o, "Name", json_object_new_string(name));
        if (r >= 0) {
                int k = stats_cpu_percent(prev, cur, &percent);
                r = add_percent(o, "CPUPercent", k, percent);
        }
        if (r >= 0)
                r = add_counter(o, "CPUUsageNSec", cur->cpu_usage_nsec);
        if (r >= 0)
                r = add_counter(o, "MemoryCurrent", cur->memory_current);
        if (r >= 0)
                r = add_counter(o, "MemoryLimit", cur->memory_limit);
        if (r >= 0) {
                int k = stats_memory_percent(cur, &percent);
                r = add_percent(o, "MemoryPercent", k, percent);
        }
        if (r >= 0)
                r = add_counter(o, "TasksCurrent", cur->tasks_current);
        if (r >= 0)
                r = add_counter(o, "IOReadBytes", cur->io_read_bytes);
        if (r >= 0)
                r = add_counter(o, "IOWriteBytes", cur->io_write_bytes);
        if (r >= 0)
                r = add_counter(o, "NetRxBytes", cur->net_rx_bytes);
        if (r >= 0)
                r = add_counter(o, "NetTxBytes", cur->net_tx_bytes);
        if (r >= 0)
                r = add_counter(o, "IPIngressBytes", cur->ip_ingress_bytes);
        if (r >= 0)
                r = add_counter(o, "IPEgressBytes", cur->ip_egress_bytes);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(o);
        return 0;
}
