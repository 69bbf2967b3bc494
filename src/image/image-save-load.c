/* SPDX-License-Identifier: Apache-2.0 */
/* `raind image save` and `raind image load`: images as docker-archive or oci-archive tarballs
 * (image-archive*.c knows the formats); this file moves them between the store and the archive. */

#include <fcntl.h>
#include <sys/stat.h>

#include "raind/fileio.h"
#include "raind/image-pull.h"
#include "raind/registry.h"
#include "raind/strv.h"
#include "raind/util.h"

#include "image-archive.h"
#include "image-internal.h"

static int open_store_blob(const char *digest, void *userdata)
{
        return blob_open(userdata, digest);
}

static void archive_image_done(ArchiveImage *a)
{
        free(a->manifest);
        free(a->manifest_digest);
        free(a->config_digest);
        for (size_t k = 0; k < a->n_layers; k++)
                archive_blob_done(&a->layers[k]);
        free(a->layers);
        strv_free(a->tags);
}

/* The tags to write: the one a reference named, or all of them when an id named the image. */
static int save_tags(const Image *i, const char *name, char ***ret)
{
        _cleanup_strv_free_ char **tags = NULL;
        _cleanup_free_ char *normalized = NULL;

        if (image_reference_normalize(name, &normalized) >= 0 && strv_contains(i->references, normalized)) {
                char *full;
                if (image_reference_full(normalized, &full) < 0 || strv_push(&tags, full) < 0)
                        return -ENOMEM;
        } else if (!startswith(i->id, startswith(name, "sha256:") ?: name) ||
                   (normalized && strv_contains(i->digests, normalized))) {
                /* A digest reference: no tag. */
        } else
                STRV_FOREACH (ref, i->references) {
                        char *full;
                        if (image_reference_full(*ref, &full) < 0 || strv_push(&tags, full) < 0)
                                return -ENOMEM;
                }
        *ret = TAKE_PTR(tags);
        return 0;
}

static int save_image(ImageStore *s, const char *name, ArchiveImage *ret, char **error)
{
        _cleanup_image_free_ Image *i = NULL;
        int r;

        r = image_store_lookup(s, name, &i);
        if (r == -ENOENT || r == -EINVAL)
                return image_error(error, -ENOENT, "no such image: %s", name);
        if (r == -ENOTUNIQ)
                return image_error(error, r, "image id prefix %s is ambiguous", name);
        if (r < 0)
                return image_error(error, r, "cannot read image %s: %m", name);

        r = blob_read(s, i->manifest.digest, REGISTRY_MANIFEST_SIZE_MAX, &ret->manifest,
                      &ret->manifest_size);
        if (r < 0)
                return image_error(error, r, "cannot read the manifest of %s: %m", name);
        ret->manifest_digest = strdup(i->manifest.digest);
        ret->config_digest = strdup(i->config.digest);
        ret->n_layers = strv_length(i->layers);
        ret->layers = new0(ArchiveBlob, ret->n_layers);
        if (!ret->manifest_digest || !ret->config_digest || !ret->layers)
                return -ENOMEM;
        for (size_t k = 0; k < ret->n_layers; k++) {
                ArchiveBlob *b = &ret->layers[k];
                b->digest = strdup(i->layer_blobs[k].digest);
                b->media_type = strdup(i->layer_blobs[k].media_type);
                b->size = i->layer_blobs[k].size;
                if (!b->digest || !b->media_type || asprintf(&b->diff_id, "sha256:%s", i->layers[k]) < 0)
                        return -ENOMEM;
        }
        return save_tags(i, name, &ret->tags);
}

int image_store_save(ImageStore *s, char *const *names, const char *format, int out_fd, char **ret_error)
{
        _cleanup_free_ char *error = NULL;
        ArchiveImage *images = NULL;
        ArchiveFormat f;
        size_t n = strv_length(names);
        int r;

        if (archive_format_from_string(format, &f) < 0)
                r = image_error(&error, -EINVAL,
                                "unknown archive format '%s', expected docker-archive or oci-archive",
                                format);
        else if (n == 0)
                r = image_error(&error, -EINVAL, "no image to save");
        else if (!(images = new0(ArchiveImage, n)))
                r = -ENOMEM;
        else {
                r = 0;
                for (size_t k = 0; r >= 0 && k < n; k++)
                        r = save_image(s, names[k], &images[k], &error);
                if (r >= 0)
                        r = image_archive_write(out_fd, f, images, n, open_store_blob, s, s->tmp_fd, &error);
        }
        for (size_t k = 0; images && k < n; k++)
                archive_image_done(&images[k]);
        free(images);
        if (r < 0 && ret_error)
                *ret_error = TAKE_PTR(error);
        return r;
}

/* ---- load ---- */

/* The layer file in the work directory, or the blob when an earlier image of the archive took it. */
static int open_layer_file(ImageStore *s, int work_fd, const char *path, const char *digest)
{
        int fd = openat(work_fd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && blob_exists(s, digest))
                return blob_open(s, digest);
        return fd < 0 ? -errno : fd;
}

/* Tags as the archive has them; a bare OCI ref.name ("latest") names no repository and is left out. */
static int load_references(const ArchiveReadImage *a, char ***ret, char **error)
{
        _cleanup_strv_free_ char **refs = NULL;

        STRV_FOREACH (t, a->tags) {
                char *n;
                if (!strchr(*t, '/') && !strchr(*t, ':'))
                        continue;
                if (image_reference_normalize(*t, &n) < 0) {
                        _cleanup_free_ char *q = image_error_quote(*t);
                        return image_error(error, -EBADMSG,
                                           "the archive tags an image as '%s', not a valid reference",
                                           strempty(q));
                }
                if (strv_push(&refs, n) < 0) {
                        free(n);
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(refs);
        return 0;
}

typedef struct LoadCreated {
        char **layers;
        char **blobs;
} LoadCreated;

static int load_image(ImageStore *s, int work_fd, const ArchiveReadImage *a, char ***refs_out,
                      LoadCreated *created_out, char **error)
{
        _cleanup_free_ char *config = NULL, *manifest = NULL;
        _cleanup_free_ ImageBlob *layers = NULL;
        _cleanup_strv_free_ char **diff_ids = NULL, **refs = NULL;
        char id[SHA256_HEX_SIZE], hex[SHA256_HEX_SIZE];
        size_t config_size;
        int r;

        r = load_references(a, &refs, error);
        if (r < 0)
                return r;
        _cleanup_close_ int cfd = openat(work_fd, a->config_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (cfd < 0)
                return image_error(error, -errno, "cannot open the image config: %m");
        r = read_full_fd(cfd, IMAGE_CONFIG_SIZE_MAX, &config, &config_size);
        if (r < 0)
                return image_error(error, r, "cannot read the image config: %m");
        sha256_hex(config, config_size, hex);
        if (!streq_ptr(digest_hex(a->config_digest), hex))
                return image_error(error, -EBADMSG, "the image config does not match its digest %s",
                                   strempty(a->config_digest));

        layers = new0(ImageBlob, a->n_layers);
        if (!layers)
                return -ENOMEM;
        for (size_t k = 0; k < a->n_layers; k++) {
                const ArchiveBlob *b = &a->layers[k];
                LayerUnpackResult result = {};
                bool created;

                _cleanup_close_ int fd = open_layer_file(s, work_fd, a->layer_paths[k], b->digest);
                if (fd < 0)
                        return image_error(error, fd, "cannot open layer %s: %m", b->digest);
                r = layer_import(s, fd, -EBADF, &result, &created, error);
                if (r < 0)
                        return r;
                if (created && strv_extend(&created_out->layers, result.diff_id) < 0)
                        return -ENOMEM;
                if (!streq_ptr(digest_hex(b->digest), result.digest))
                        return image_error(error, -EBADMSG, "layer %s does not match its digest", b->digest);
                if (!blob_exists(s, b->digest)) {
                        r = blob_commit_file(s, work_fd, a->layer_paths[k], b->digest);
                        if (r < 0)
                                return image_error(error, r, "cannot store layer blob %s: %m", b->digest);
                        if (strv_extend(&created_out->blobs, b->digest) < 0)
                                return -ENOMEM;
                }
                char *d = strdup(result.diff_id);
                if (!d || strv_push(&diff_ids, d) < 0) {
                        free(d);
                        return -ENOMEM;
                }
                layers[k] = (ImageBlob){.digest = b->digest, .media_type = b->media_type, .size = b->size};
        }

        /* docker-archive has no manifest: an OCI one for what it holds. */
        ImageBlob cfg = {
            .digest = a->config_digest, .media_type = (char *)MEDIA_TYPE_OCI_CONFIG, .size = config_size};
        const char *m = a->manifest, *media_type = MEDIA_TYPE_OCI_MANIFEST;
        size_t m_size = a->manifest_size;
        _cleanup_registry_manifest_free_ RegistryManifest *parsed = NULL;
        if (m) {
                r = registry_manifest_parse(m, m_size, &parsed, error);
                if (r < 0)
                        return r;
                if (parsed->media_type)
                        media_type = parsed->media_type;
        } else {
                r = image_manifest_format(&cfg, layers, a->n_layers, &manifest);
                if (r < 0)
                        return r;
                m = manifest;
                m_size = strlen(manifest);
        }
        ImageCommit c = {
            .manifest = m,
            .manifest_size = m_size,
            .manifest_media_type = media_type,
            .config = config,
            .config_size = config_size,
            .config_media_type = MEDIA_TYPE_OCI_CONFIG,
            .layers = layers,
            .diff_ids = diff_ids,
            .n_layers = a->n_layers,
            .references = refs,
        };
        r = image_store_commit(s, &c, id, error);
        if (r < 0)
                return r;
        if (strv_isempty(refs)) {
                char *n;
                if (asprintf(&n, "sha256:%s", id) < 0 || strv_push(refs_out, n) < 0)
                        return -ENOMEM;
        } else
                STRV_FOREACH (ref, refs)
                        if (strv_extend(refs_out, *ref) < 0)
                                return -ENOMEM;
        return 0;
}

int image_store_load(ImageStore *s, int in_fd, char ***ret_refs, char **ret_error)
{
        _cleanup_archive_contents_free_ ArchiveContents *contents = NULL;
        _cleanup_strv_free_ char **refs = NULL;
        _cleanup_free_ char *error = NULL;
        char work[SHA256_HEX_SIZE];
        int r;

        r = random_id(work);
        if (r < 0)
                return r;
        if (mkdirat(s->tmp_fd, work, 0700) < 0)
                return image_error(ret_error, -errno, "cannot create a work directory: %m");
        int work_fd = openat(s->tmp_fd, work, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (work_fd < 0)
                r = image_error(&error, -errno, "cannot open the work directory: %m");
        else
                r = image_archive_read(in_fd, work_fd, &contents, &error);
        LoadCreated created = {};
        for (size_t k = 0; r >= 0 && k < contents->n_images; k++)
                r = load_image(s, work_fd, &contents->images[k], &refs, &created, &error);
        safe_close(work_fd);
        (void)tree_remove_at(s->tmp_fd, work);
        /* Images loaded before a failure stay; what no image uses goes. */
        if (r < 0)
                image_store_undo(s, created.layers, created.blobs);
        strv_free(created.layers);
        strv_free(created.blobs);
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(error);
                return r;
        }
        *ret_refs = TAKE_PTR(refs);
        return 0;
}
