/* SPDX-License-Identifier: Apache-2.0 */
/* Making an image out of blobs and layers that are in the store already, and tagging it.
 *
 * Order on disk, each step crash-safe: manifest and config blobs; images/<id>.json (atomic);
 * repositories.json (atomic), under the store's lock. A crash leaves at worst blobs and layers no
 * image uses (removed by image_store_open()) or an untagged image. */

#include <fcntl.h>
#include <inttypes.h>

#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/strv.h"

#include "image-internal.h"

int image_store_layer_size(ImageStore *s, const char *id, uint64_t *ret)
{
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_free_ char *data = NULL;
        char path[SHA256_HEX_SIZE + sizeof("/" LAYER_JSON_FILE)];
        size_t size;
        int r;

        if (!image_id_is_valid(id))
                return -EINVAL;
        snprintf(path, sizeof(path), "%s/" LAYER_JSON_FILE, id);
        _cleanup_close_ int fd = openat(s->layers_fd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = read_full_fd(fd, 64 * 1024, &data, &size);
        if (r < 0)
                return r;
        r = image_json_parse(data, size, &o);
        if (r < 0)
                return r;
        int64_t v = json_get_int64(o, "size", -1);
        if (v < 0)
                return -EBADMSG;
        *ret = (uint64_t)v;
        return 0;
}

/* Points each reference at id; images they pointed at before stay, untagged. Takes the lock. */
static int tag_references(ImageStore *s, char *const *references, const char *id)
{
        _cleanup_json_ struct json_object *repos = NULL;
        int r;

        r = repositories_load(s, &repos);
        if (r < 0)
                return r;
        STRV_FOREACH (ref, references) {
                struct json_object *v = json_object_new_string(id);
                if (!v || json_object_object_add(repos, *ref, v) < 0) {
                        json_object_put(v);
                        return -ENOMEM;
                }
        }
        return repositories_save(s, repos);
}

static bool record_names_blob(const ImageRecord *rec, const char *digest)
{
        if (streq(rec->manifest.digest, digest) || streq(rec->config.digest, digest))
                return true;
        for (size_t k = 0; k < rec->n_layers; k++)
                if (streq(rec->layers[k].digest, digest))
                        return true;
        return false;
}

static int other_manifest_blobs(ImageStore *s, const char *id, const ImageRecord *rec, char ***ret)
{
        _cleanup_image_free_ Image *old = new0(Image, 1);
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *data = NULL;
        char name[SHA256_HEX_SIZE + sizeof(".json")];
        size_t size;
        int r;

        if (!old)
                return -ENOMEM;
        snprintf(name, sizeof(name), "%s.json", id);
        _cleanup_close_ int fd = openat(s->images_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                *ret = NULL;
                return errno == ENOENT ? 0 : -errno;
        }
        r = read_full_fd(fd, IMAGE_CONFIG_SIZE_MAX, &data, &size);
        if (r < 0)
                return r;
        if (image_record_parse(data, size, old) < 0) {
                *ret = NULL; /* damaged: replaced */
                return 0;
        }
        char **candidates[] = {old->other_blobs, (char *[]){old->manifest.digest, NULL}};
        for (size_t c = 0; c < ELEMENTSOF(candidates); c++)
                STRV_FOREACH (d, candidates[c])
                        if (!record_names_blob(rec, *d) && !strv_contains(l, *d) && strv_extend(&l, *d) < 0)
                                return -ENOMEM;
        for (size_t k = 0; old->layers[k]; k++) {
                const char *d = old->layer_blobs[k].digest;
                if (!record_names_blob(rec, d) && !strv_contains(l, d) && strv_extend(&l, d) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int image_store_commit(ImageStore *s, const ImageCommit *c, char ret_id[SHA256_HEX_SIZE], char **error)
{
        char manifest_digest[BLOB_DIGEST_SIZE], config_digest[BLOB_DIGEST_SIZE];
        uint64_t total = 0;
        int r;

        if (c->n_layers == 0 || c->n_layers > IMAGE_LAYERS_MAX)
                return image_error(error, -EINVAL, "an image needs 1 to %d layers", IMAGE_LAYERS_MAX);
        for (size_t k = 0; k < c->n_layers; k++) {
                uint64_t size;

                if (!blob_exists(s, c->layers[k].digest))
                        return image_error(error, -ENOENT, "layer blob %s is missing", c->layers[k].digest);
                r = image_store_layer_size(s, c->diff_ids[k], &size);
                if (r < 0)
                        return image_error(error, r, "layer sha256:%s is missing: %m", c->diff_ids[k]);
                total += size;
        }

        /* The config must describe exactly these layers. */
        _cleanup_image_free_ Image *check = new0(Image, 1);
        if (!check)
                return -ENOMEM;
        check->layers = strv_copy(c->diff_ids);
        if (!check->layers)
                return -ENOMEM;
        r = image_config_parse(c->config, c->config_size, check);
        if (r == -EBADMSG)
                return image_error(error, r,
                                   "the image config is malformed or its rootfs.diff_ids do not "
                                   "match the layers");
        if (r < 0)
                return image_error(error, r, "cannot read the image config: %m");

        r = blob_write(s, c->manifest, c->manifest_size, manifest_digest);
        if (r >= 0)
                r = blob_write(s, c->config, c->config_size, config_digest);
        if (r < 0)
                return image_error(error, r, "cannot store the manifest and config: %m");

        ImageRecord rec = {
            .manifest = {.digest = manifest_digest,
                         .media_type = (char *)c->manifest_media_type,
                         .size = c->manifest_size},
            .config = {.digest = config_digest,
                       .media_type = (char *)c->config_media_type,
                       .size = c->config_size},
            .layers = c->layers,
            .diff_ids = c->diff_ids,
            .n_layers = c->n_layers,
            .size = total,
        };
        const char *id = digest_hex(config_digest);

        _cleanup_close_ int lock = image_store_lock(s);
        if (lock < 0)
                return image_error(error, lock, "cannot lock the image store: %m");
        /* The same config reached through another manifest (a registry that converted it, another
         * compression): the earlier manifest and its blobs stay, for the digest references naming it. */
        _cleanup_strv_free_ char **other = NULL;
        r = other_manifest_blobs(s, id, &rec, &other);
        if (r < 0)
                return image_error(error, r, "cannot read the earlier record of the image: %m");
        rec.other_blobs = other;
        r = image_write_record(s, id, &rec);
        if (r < 0)
                return image_error(error, r, "cannot write the image record: %m");
        r = tag_references(s, c->references, id);
        if (r < 0)
                return image_error(error, r, "cannot tag the image: %m");
        memcpy(ret_id, id, SHA256_HEX_SIZE);
        return 0;
}

int image_store_tag(ImageStore *s, const char *ref_or_id, const char *reference, char **ret_error)
{
        _cleanup_json_ struct json_object *repos = NULL;
        _cleanup_free_ char *id = NULL, *ref = NULL, *normalized = NULL;
        int r;

        r = image_reference_normalize(reference, &normalized);
        if (r < 0 || strchr(normalized, '@'))
                return image_error(ret_error, -EINVAL, "invalid target reference '%s', expected NAME[:TAG]",
                                   reference);
        _cleanup_close_ int lock = image_store_lock(s);
        if (lock < 0)
                return image_error(ret_error, lock, "cannot lock the image store: %m");
        r = repositories_load(s, &repos);
        if (r < 0)
                return image_error(ret_error, r, "cannot read the image references: %m");
        r = image_resolve(s, repos, ref_or_id, &id, &ref);
        if (r == -ENOENT)
                return image_error(ret_error, r, "no such image: %s", ref_or_id);
        if (r == -ENOTUNIQ)
                return image_error(ret_error, r, "image id prefix %s is ambiguous", ref_or_id);
        if (r < 0)
                return image_error(ret_error, r, "cannot look up %s: %m", ref_or_id);
        char *refs[] = {normalized, NULL};
        r = tag_references(s, refs, id);
        if (r < 0)
                return image_error(ret_error, r, "cannot tag the image: %m");
        return 0;
}
