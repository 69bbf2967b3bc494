/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Splits a byte stream into log lines as Docker's journald driver does: a line is logged without
 * its newline; a line longer than LINE_PART_MAX is cut into parts, each but the last flagged partial;
 * a last line without newline at the end of the stream is flagged partial too. */

#define LINE_PART_MAX 16384

typedef void (*line_func_t)(const char *line, size_t len, bool partial, void *userdata);

typedef struct LineBuffer {
        size_t n;
        char data[LINE_PART_MAX];
} LineBuffer;

void line_buffer_feed(LineBuffer *b, const char *p, size_t n, line_func_t emit, void *userdata);
/* End of stream: emits what is left as a partial line. */
void line_buffer_finish(LineBuffer *b, line_func_t emit, void *userdata);
