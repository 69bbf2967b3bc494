/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "raind/macro.h"

#include "cli-format.h"
#include "cli-progress.h"

#define SHORT_BLOB_LEN 12

const char *layer_state_text(const char *state, bool push)
{
        if (streq(state, "waiting"))
                return "Waiting";
        if (streq(state, "downloading"))
                return push ? "Pushing" : "Downloading";
        if (streq(state, "extracting"))
                return "Extracting";
        if (streq(state, "done"))
                return push ? "Pushed" : "Pull complete";
        if (streq(state, "exists"))
                return push ? "Layer already exists" : "Already exists";
        if (streq(state, "failed"))
                return "Failed";
        return NULL;
}

bool layer_state_has_bar(const char *state)
{
        return streq(state, "downloading");
}

int progress_bar_format(uint64_t done, uint64_t total, size_t width, char **ret)
{
        size_t inner, filled;
        char *bar;

        if (width < 3)
                return -EINVAL;
        inner = width - 2;
        if (total == 0)
                filled = 0;
        else if (done >= total)
                filled = inner;
        else
                /* In long double: done * inner would overflow for blobs beyond 2^58 bytes. */
                filled = (size_t)((long double)done * inner / total);

        bar = malloc(width + 1);
        if (!bar)
                return -ENOMEM;
        bar[0] = '[';
        memset(bar + 1, '=', filled);
        memset(bar + 1 + filled, ' ', inner - filled);
        /* The arrowhead sits in front of what is done, as long as something is left. */
        if (filled < inner && total > 0)
                bar[1 + filled] = '>';
        bar[width - 1] = ']';
        bar[width] = 0;
        *ret = bar;
        return 0;
}

static const char *short_blob(const char *digest)
{
        const char *hex = strchr(digest, ':');

        return hex ? hex + 1 : digest;
}

int progress_line_format(const char *digest, const char *state, uint64_t done, uint64_t total, bool push,
                         bool bars, size_t max_width, char **ret)
{
        _cleanup_free_ char *bar = NULL;
        char head[SHORT_BLOB_LEN + 64], sizes[2 * FORMAT_SIZE_MAX + 2], a[FORMAT_SIZE_MAX],
            b[FORMAT_SIZE_MAX];
        const char *text = layer_state_text(state, push) ?: state;
        char *line;
        int r;

        snprintf(head, sizeof(head), "%.*s: %s", SHORT_BLOB_LEN, short_blob(digest), text);

        if (bars && layer_state_has_bar(state) && total > 0) {
                size_t used, width = PROGRESS_BAR_WIDTH + 2;

                snprintf(sizes, sizeof(sizes), "%s/%s", format_size_human(a, MIN(done, total)),
                         format_size_human(b, total));
                /* "head [bar] sizes" */
                used = strlen(head) + 1 + 1 + strlen(sizes);
                if (max_width > 0 && used + width > max_width)
                        width = max_width > used ? max_width - used : 0;
                if (width >= PROGRESS_BAR_MIN_WIDTH + 2) {
                        r = progress_bar_format(done, total, width, &bar);
                        if (r < 0)
                                return r;
                }
                r = asprintf(&line, "%s %s%s%s", head, strempty(bar), bar ? " " : "", sizes);
        } else
                r = asprintf(&line, "%s", head);
        if (r < 0)
                return -ENOMEM;

        /* Only ASCII here (hex, our words, sizes), so bytes are columns. */
        if (max_width > 0 && strlen(line) > max_width)
                line[max_width] = 0;
        *ret = line;
        return 0;
}
