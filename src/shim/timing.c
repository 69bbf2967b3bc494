/* SPDX-License-Identifier: Apache-2.0 */
#include "raind/log.h"
#include "raind/util.h"
#include "timing.h"

static uint64_t start_usec;

void timing_start(void)
{
        start_usec = now_usec(CLOCK_MONOTONIC);
}

uint64_t timing_elapsed(void)
{
        return now_usec(CLOCK_MONOTONIC) - start_usec;
}

/* The absolute time lets a reader line these steps up with raindd's (same clock, same boot). */
void timing_log(const char *step)
{
        if (log_get_max_level() >= LOG_DEBUG) {
                uint64_t now = now_usec(CLOCK_MONOTONIC);
                log_debug("timing: %s %llu mono=%llu", step, (unsigned long long)(now - start_usec),
                          (unsigned long long)now);
        }
}
