/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

/* --debug start-path timings: "timing: <step> <usec since the shim started>" at debug level. */
void timing_start(void);
uint64_t timing_elapsed(void);
void timing_log(const char *step);
