/* SPDX-License-Identifier: Apache-2.0 */
/* root/images/<id>.json: what raind knows about an image beyond its config blob:
 *   {"manifest":{"mediaType":…,"digest":…,"size":…}, "config":{…},
 *    "layers":[{"mediaType":…,"digest":…,"size":…,"diffID":"sha256:…"}, …],
 *    "size":<bytes unpacked>}
 * The config itself is the blob sha256:<id>, byte for byte as pulled, so that a push or a save hands on
 * exactly the image that came in. */

#include <fcntl.h>

#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/strv.h"

#include "image-internal.h"

#define MEDIA_TYPE_MAX  256
#define OTHER_BLOBS_MAX 4096

int image_record_format(const ImageRecord *rec, char **ret)
{
        _cleanup_json_ struct json_object *o = json_object_new_object(), *layers = json_object_new_array();
        int r;

        if (!o || !layers)
                return -ENOMEM;
        for (size_t k = 0; k < rec->n_layers; k++) {
                struct json_object *l = image_blob_to_json(&rec->layers[k]);
                char diff_id[BLOB_DIGEST_SIZE];

                if (!l)
                        return -ENOMEM;
                snprintf(diff_id, sizeof(diff_id), "sha256:%s", rec->diff_ids[k]);
                json_add_string(l, "diffID", diff_id);
                r = json_object_array_add(layers, l);
                if (r < 0) {
                        json_object_put(l);
                        return -ENOMEM;
                }
        }
        struct json_object *m = image_blob_to_json(&rec->manifest), *c = image_blob_to_json(&rec->config);
        if (!m || json_object_object_add(o, "manifest", m) < 0) {
                json_object_put(m);
                json_object_put(c);
                return -ENOMEM;
        }
        if (!c || json_object_object_add(o, "config", c) < 0) {
                json_object_put(c);
                return -ENOMEM;
        }
        if (!strv_isempty(rec->other_blobs)) {
                struct json_object *other = json_new_strv(rec->other_blobs);
                if (!other || json_object_object_add(o, "otherBlobs", other) < 0) {
                        json_object_put(other);
                        return -ENOMEM;
                }
        }
        if (json_object_object_add(o, "layers", TAKE_PTR(layers)) < 0 ||
            json_object_object_add(o, "size", json_object_new_int64((int64_t)rec->size)) < 0)
                return -ENOMEM;

        const char *s =
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s || !(*ret = strdup(s)))
                return -ENOMEM;
        return 0;
}

static int blob_from_json(struct json_object *o, ImageBlob *ret)
{
        const char *media_type = json_get_string(o, "mediaType"), *digest = json_get_string(o, "digest");
        int64_t size = json_get_int64(o, "size", -1);

        if (!media_type || strlen(media_type) > MEDIA_TYPE_MAX || !digest_hex(digest) || size < 0)
                return -EBADMSG;
        ret->media_type = strdup(media_type);
        ret->digest = strdup(digest);
        ret->size = (uint64_t)size;
        if (!ret->media_type || !ret->digest)
                return -ENOMEM;
        return 0;
}

int image_record_parse(const char *data, size_t size, Image *i)
{
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *m, *c, *layers;
        size_t n;
        int r;

        r = image_json_parse(data, size, &o);
        if (r < 0)
                return r;
        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "manifest", &m) ||
            !json_object_is_type(m, json_type_object) || !json_object_object_get_ex(o, "config", &c) ||
            !json_object_is_type(c, json_type_object) || !json_object_object_get_ex(o, "layers", &layers) ||
            !json_object_is_type(layers, json_type_array))
                return -EBADMSG;
        r = blob_from_json(m, &i->manifest);
        if (r < 0)
                return r;
        r = blob_from_json(c, &i->config);
        if (r < 0)
                return r;

        n = json_object_array_length(layers);
        if (n == 0 || n > IMAGE_LAYERS_MAX)
                return -EBADMSG;
        i->layers = new0(char *, n + 1);
        i->layer_blobs = new0(ImageBlob, n + 1);
        if (!i->layers || !i->layer_blobs)
                return -ENOMEM;
        for (size_t k = 0; k < n; k++) {
                struct json_object *l = json_object_array_get_idx(layers, k);
                const char *hex = digest_hex(json_get_string(l, "diffID"));

                /* Layer ids become path names: nothing but 64 hex digits. */
                if (!json_object_is_type(l, json_type_object) || !hex)
                        return -EBADMSG;
                if (!(i->layers[k] = strdup(hex)))
                        return -ENOMEM;
                r = blob_from_json(l, &i->layer_blobs[k]);
                if (r < 0)
                        return r;
        }
        struct json_object *other;
        if (json_object_object_get_ex(o, "otherBlobs", &other)) {
                if (json_get_strv(o, "otherBlobs", &i->other_blobs) < 0 ||
                    strv_length(i->other_blobs) > OTHER_BLOBS_MAX)
                        return -EBADMSG;
                STRV_FOREACH (d, i->other_blobs)
                        if (!digest_hex(*d))
                                return -EBADMSG;
        }
        int64_t sz = json_get_int64(o, "size", 0);
        i->size = sz > 0 ? (uint64_t)sz : 0;
        return 0;
}
