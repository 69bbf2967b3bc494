/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "cli-format.h"

/* The numbers of "raind container stats" and how they are shown, as "docker stats" shows them.
 * systemd reports a counter it does not have (accounting off, no such controller) as UINT64_MAX;
 * so does this code, and such a value is shown as "--". Pure: no bus, so it can be tested. */

#define STATS_UNKNOWN UINT64_MAX

typedef struct StatsSample {
        uint64_t timestamp_usec; /* CLOCK_MONOTONIC, when the sample was taken */
        uint64_t cpu_usage_nsec;
        uint64_t memory_current;
        uint64_t memory_limit; /* MemoryMax, or the host's memory when there is none */
        uint64_t tasks_current;
        uint64_t io_read_bytes, io_write_bytes;
        uint64_t net_rx_bytes, net_tx_bytes;        /* the NET I/O column */
        uint64_t ip_ingress_bytes, ip_egress_bytes; /* systemd's IP accounting */
} StatsSample;

#define STATS_SAMPLE_UNKNOWN                                                                      \
        ((StatsSample){STATS_UNKNOWN, STATS_UNKNOWN, STATS_UNKNOWN, STATS_UNKNOWN, STATS_UNKNOWN, \
                       STATS_UNKNOWN, STATS_UNKNOWN, STATS_UNKNOWN, STATS_UNKNOWN, STATS_UNKNOWN, \
                       STATS_UNKNOWN})

/* CPU time used between two samples over the time between them, in percent: 100 for each CPU
 * kept busy. -ENODATA when a sample has no CPU usage, or time did not advance. */
int stats_cpu_percent(const StatsSample *prev, const StatsSample *cur, double *ret);

/* Memory in use over the limit, in percent; -ENODATA when either is unknown (or the limit 0). */
int stats_memory_percent(const StatsSample *s, double *ret);

/* Binary units with four significant digits: "976.6KiB", "12.3MiB" (Docker's units.BytesSize). */
const char *format_size_binary(char buf[static FORMAT_SIZE_MAX], uint64_t bytes);

/* Decimal units with three significant digits: "648B", "1.45kB" (Docker's HumanSizeWithPrecision(3)). */
const char *format_size_short(char buf[static FORMAT_SIZE_MAX], uint64_t bytes);

#define STATS_CELL_MAX (2 * FORMAT_SIZE_MAX + 4)

/* The cells of one table row after the id and the name. prev may be NULL (no CPU % yet). */
typedef struct StatsRow {
        char cpu_percent[STATS_CELL_MAX];
        char mem_usage[STATS_CELL_MAX]; /* "12.3MiB / 64MiB" */
        char mem_percent[STATS_CELL_MAX];
        char net_io[STATS_CELL_MAX];   /* "1.45kB / 648B" */
        char block_io[STATS_CELL_MAX]; /* "4.1MB / 0B" */
        char pids[STATS_CELL_MAX];
} StatsRow;

void stats_format_row(const StatsSample *prev, const StatsSample *cur, StatsRow *ret);

/* One element of the --json array: Id, Name, CPUPercent and MemoryPercent (numbers, null when
 * unknown) and the raw counters (null when unknown). */
int stats_to_json(const char *id, const char *name, const StatsSample *prev, const StatsSample *cur,
                  json_object **ret);
