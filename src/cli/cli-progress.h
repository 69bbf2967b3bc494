/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The lines "raind image pull" and "push" show per layer, as "docker pull" does. Pure, no bus. */

/* Inner width of the bar between its brackets when the terminal is wide enough (Docker's). */
#define PROGRESS_BAR_WIDTH 50
/* A bar narrower than this is not worth showing. */
#define PROGRESS_BAR_MIN_WIDTH 10

/* What a Job's layer state ("waiting", "downloading", "extracting", "done", "exists", "failed") reads
 * as: "Waiting", "Downloading" / "Pushing", "Extracting", "Pull complete" / "Pushed", "Already
 * exists" / "Layer already exists", "Failed". NULL for a state we do not know. */
const char *layer_state_text(const char *state, bool push);

/* Whether the state is one where a bar of bytes done means something. */
bool layer_state_has_bar(const char *state);

/* "[=====>     ]": width columns, brackets included (at least 3). done beyond total counts as total;
 * total 0 draws an empty bar. */
int progress_bar_format(uint64_t done, uint64_t total, size_t width, char **ret);

/* One line of the display: "<12 hex of the blob>: Downloading [==>   ] 12.3MB/40.1MB". With bars
 * false, or in a state without a bar, the state alone. max_width 0 means no limit; otherwise the bar
 * narrows (and goes) so that the line fits, and a line still too long is cut. */
int progress_line_format(const char *digest, const char *state, uint64_t done, uint64_t total, bool push,
                         bool bars, size_t max_width, char **ret);
