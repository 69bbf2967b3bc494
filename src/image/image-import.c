/* SPDX-License-Identifier: Apache-2.0 */
/* `docker import`: a rootfs tarball becomes a one-layer image.
 *
 * Order on disk, each step crash-safe: unpack into tmp/<random>/diff; layer.json, syncfs, rename to
 * layers/<digest> (or drop it when that layer exists); images/<id>.json (atomic); repositories.json
 * (atomic). A crash leaves at worst a leftover in tmp/ or a layer no image uses, both removed by
 * image_store_open(), or an untagged image. */

#include <fcntl.h>
#include <sys/stat.h>

#include "raind/json-util.h"
#include "raind/registry.h"
#include "raind/strv.h"
#include "raind/util.h"

#include "image-internal.h"

#define IMPORT_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Creates tmp/<work>/diff and returns an fd for diff. */
static int work_dir_create(ImageStore *s, const char *work)
{
        if (mkdirat(s->tmp_fd, work, 0700) < 0)
                return -errno;
        _cleanup_close_ int work_fd =
            openat(s->tmp_fd, work, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (work_fd < 0)
                return -errno;
        if (mkdirat(work_fd, LAYER_DIFF_DIR, 0755) < 0)
                return -errno;
        _cleanup_close_ int diff_fd =
            openat(work_fd, LAYER_DIFF_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (diff_fd < 0)
                return -errno;
        /* 0755 whatever the umask; the archive's own "./" entry may change it. */
        if (fchmod(diff_fd, 0755) < 0)
                return -errno;
        return TAKE_FD(diff_fd);
}

int layer_import(ImageStore *s, int fd, int tee_fd, LayerUnpackResult *ret, bool *ret_created, char **error)
{
        LayerUnpackResult result = {};
        char work[SHA256_HEX_SIZE];
        int r;

        r = random_id(work);
        if (r < 0)
                return image_error(error, r, "cannot name a work directory: %m");

        int diff_fd = work_dir_create(s, work);
        if (diff_fd < 0)
                r = image_error(error, diff_fd, "cannot create a work directory in %s/tmp: %m", s->root);
        else {
                LayerUnpackOptions o = {
                    .max_entries = s->max_entries,
                    .max_size = s->max_size,
                    .tee_fd = tee_fd,
                };
                r = layer_unpack(fd, diff_fd, &o, &result, error);
                safe_close(diff_fd);
        }
        if (r >= 0) {
                r = layer_commit(s, work, result.diff_id, result.size, ret_created);
                if (r < 0)
                        r = image_error(error, r, "cannot store layer sha256:%s: %m", result.diff_id);
        }
        if (r < 0) {
                /* Whatever made it into the work directory goes (a failed commit leaves it there too). */
                (void)tree_remove_at(s->tmp_fd, work);
                return r;
        }
        *ret = result;
        return 0;
}

/* The layer, and its uncompressed tar as its blob (what a push or save hands on). */
static int import_layer(ImageStore *s, int fd, LayerUnpackResult *ret, uint64_t *ret_blob_size,
                        bool *ret_created, char **error)
{
        char tee[SHA256_HEX_SIZE], digest[BLOB_DIGEST_SIZE];
        struct stat st;
        int r;

        r = random_id(tee);
        if (r < 0)
                return image_error(error, r, "cannot name a temporary file: %m");
        _cleanup_close_ int tee_fd = openat(s->tmp_fd, tee, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (tee_fd < 0)
                return image_error(error, -errno, "cannot create a file in %s/tmp: %m", s->root);
        r = layer_import(s, fd, tee_fd, ret, ret_created, error);
        if (r >= 0 && fstat(tee_fd, &st) < 0)
                r = image_error(error, -errno, "cannot stat the layer tarball: %m");
        if (r >= 0) {
                snprintf(digest, sizeof(digest), "sha256:%s", ret->diff_id);
                r = blob_commit_file(s, s->tmp_fd, tee, digest);
                if (r < 0)
                        r = image_error(error, r, "cannot store the layer blob: %m");
        }
        if (r < 0) {
                (void)unlinkat(s->tmp_fd, tee, 0);
                return r;
        }
        *ret_blob_size = (uint64_t)st.st_size;
        return 0;
}

static int import_config(const char *layer_id, char **ret)
{
        Image i = {
            .created = (int64_t)now_usec(CLOCK_REALTIME),
        };
        char *layers[] = {(char *)layer_id, NULL};
        char *env[] = {(char *)IMPORT_DEFAULT_PATH, NULL};

        i.layers = layers;
        i.env = env;
        return image_config_format(&i, "raind image import", ret);
}

static int import_image(ImageStore *s, int fd, const char *reference, char ret_id[SHA256_HEX_SIZE],
                        char **error)
{
        _cleanup_free_ char *config = NULL, *manifest = NULL;
        char layer_digest[BLOB_DIGEST_SIZE], config_digest[BLOB_DIGEST_SIZE];
        LayerUnpackResult result = {};
        uint64_t blob_size = 0;
        bool created = false;
        int r;

        r = import_layer(s, fd, &result, &blob_size, &created, error);
        if (r < 0)
                return r;

        snprintf(layer_digest, sizeof(layer_digest), "sha256:%s", result.diff_id);
        ImageBlob layer = {
            .digest = layer_digest,
            .media_type = (char *)MEDIA_TYPE_OCI_LAYER_TAR,
            .size = blob_size,
        };
        r = import_config(result.diff_id, &config);
        if (r < 0)
                return image_error(error, r, "cannot make the image config: %m");
        char hex[SHA256_HEX_SIZE];
        sha256_hex(config, strlen(config), hex);
        snprintf(config_digest, sizeof(config_digest), "sha256:%s", hex);
        ImageBlob cfg = {
            .digest = config_digest,
            .media_type = (char *)MEDIA_TYPE_OCI_CONFIG,
            .size = strlen(config),
        };
        r = image_manifest_format(&cfg, &layer, 1, &manifest);
        if (r < 0)
                return image_error(error, r, "cannot make the image manifest: %m");

        char *diff_ids[] = {result.diff_id, NULL};
        char *refs[] = {(char *)reference, NULL};
        ImageCommit c = {
            .manifest = manifest,
            .manifest_size = strlen(manifest),
            .manifest_media_type = MEDIA_TYPE_OCI_MANIFEST,
            .config = config,
            .config_size = strlen(config),
            .config_media_type = MEDIA_TYPE_OCI_CONFIG,
            .layers = &layer,
            .diff_ids = diff_ids,
            .n_layers = 1,
            .references = reference ? refs : NULL,
        };
        r = image_store_commit(s, &c, ret_id, error);
        if (r < 0) {
                char *blobs[] = {layer_digest, NULL};
                image_store_undo(s, created ? diff_ids : NULL, blobs);
        }
        return r;
}

int image_store_import(ImageStore *s, int fd, const char *reference, char **ret_id, char **ret_error)
{
        _cleanup_free_ char *ref = NULL, *id = NULL, *error = NULL;
        int r;

        /* Allocated up front: once imported, running out of memory must not turn into a failure. */
        id = malloc(SHA256_HEX_SIZE);
        if (!id)
                return -ENOMEM;

        if (reference && image_reference_normalize(reference, &ref) < 0) {
                _cleanup_free_ char *q = image_error_quote(reference);
                r = image_error(&error, -EINVAL, "invalid image reference '%s'", strempty(q));
        } else
                r = import_image(s, fd, ref, id, &error);
        if (r < 0) {
                if (ret_error) {
                        if (!error)
                                (void)image_error(&error, r, "import failed: %m");
                        *ret_error = TAKE_PTR(error);
                }
                return r;
        }
        if (ret_id)
                *ret_id = TAKE_PTR(id);
        return 0;
}
