/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "raind/macro.h"

#include "cli-format.h"
#include "cli-image-history.h"
#include "cli-since.h"
#include "cli-table.h"

#define IMAGE_ID_LEN 64

static const char *json_string_of(json_object *o, const char *key)
{
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static bool json_bool_of(json_object *o, const char *key)
{
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static int history_row(Table *t, json_object *entry, const char *image, uint64_t size, bool no_trunc,
                       uint64_t now)
{
        _cleanup_free_ char *created_by = NULL;
        const char *created = json_string_of(entry, "created");
        char ago[FORMAT_DURATION_MAX + 8], size_text[FORMAT_SIZE_MAX];
        uint64_t usec;

        if (created && parse_since(created, now, &usec) >= 0)
                format_time_ago(ago, usec, now);
        else
                snprintf(ago, sizeof(ago), "%s", created ? created : "<unknown>");

        /* Quoting is for commands typed by us; a Dockerfile line is shown as written, on one line. */
        created_by = strdup(json_string_of(entry, "created_by") ?: "");
        if (!created_by)
                return -ENOMEM;
        for (char *p = created_by; *p; p++)
                if ((unsigned char)*p < 0x20)
                        *p = ' ';
        if (!no_trunc && utf8_width(created_by) > HISTORY_CREATED_BY_MAX) {
                /* Cut at a character boundary, then the ellipsis. */
                size_t chars = 0, i = 0;
                char *cut;

                for (; created_by[i]; i++)
                        if (((unsigned char)created_by[i] & 0xc0) != 0x80 &&
                            ++chars == HISTORY_CREATED_BY_MAX)
                                break;
                if (asprintf(&cut, "%.*s…", (int)i, created_by) < 0)
                        return -ENOMEM;
                free(created_by);
                created_by = cut;
        }

        return table_add_row(t, (const char *const[]){image, ago, created_by,
                                                      format_size_human(size_text, size),
                                                      json_string_of(entry, "comment") ?: ""});
}

int image_history_format(json_object *image, bool no_trunc, bool quiet, uint64_t now, char **ret)
{
        static const char *const headers[] = {"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"};
        _cleanup_table_ Table *t = table_new(ELEMENTSOF(headers), headers);
        json_object *history, *blobs = NULL;
        const char *id = json_string_of(image, "Id");
        char short_id[IMAGE_ID_LEN + 1];
        size_t n, n_layers = 0, layer;
        int r;

        if (!t)
                return -ENOMEM;
        if (!id || !json_object_object_get_ex(image, "History", &history) ||
            !json_object_is_type(history, json_type_array))
                return -EBADMSG;
        if (json_object_object_get_ex(image, "LayerBlobs", &blobs) &&
            json_object_is_type(blobs, json_type_array))
                n_layers = json_object_array_length(blobs);
        id = startswith(id, "sha256:") ?: id;
        snprintf(short_id, sizeof(short_id), "%.*s", no_trunc ? IMAGE_ID_LEN : 12, id);

        n = json_object_array_length(history);
        /* Layers belong to the entries that are not empty_layer, bottom first: count them all, then
         * walk down from the top. */
        layer = 0;
        for (size_t i = 0; i < n; i++)
                if (!json_bool_of(json_object_array_get_idx(history, i), "empty_layer"))
                        layer++;
        for (size_t i = n; i-- > 0;) {
                json_object *entry = json_object_array_get_idx(history, i), *blob, *size;
                uint64_t bytes = 0;

                if (!json_bool_of(entry, "empty_layer")) {
                        layer--;
                        if (layer < n_layers) {
                                blob = json_object_array_get_idx(blobs, layer);
                                /* What the layer takes unpacked, as docker shows; else its blob. */
                                if (json_object_object_get_ex(blob, "unpackedSize", &size) ||
                                    json_object_object_get_ex(blob, "size", &size))
                                        bytes = (uint64_t)json_object_get_int64(size);
                        }
                }
                r = history_row(t, entry, i == n - 1 ? short_id : "<missing>", bytes, no_trunc, now);
                if (r < 0)
                        return r;
        }

        if (quiet) {
                _cleanup_free_ char *text = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&text, &size);

                if (!f)
                        return -ENOMEM;
                for (size_t i = n; i-- > 0;)
                        fprintf(f, "%s\n", i == n - 1 ? short_id : "<missing>");
                if (fclose(f) != 0)
                        return -ENOMEM;
                *ret = TAKE_PTR(text);
                return 0;
        }
        return table_format(t, ret);
}
