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

/* Unpacks into a fresh work directory in tmp/ and makes it a layer. */
static int import_layer(ImageStore *s, int fd, char ret_id[SHA256_HEX_SIZE], uint64_t *ret_size,
                        bool *ret_created, char **error)
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
                LayerUnpackOptions o = {s->max_entries, s->max_size, -EBADF};
                r = layer_unpack(fd, diff_fd, &o, &result, error);
                safe_close(diff_fd);
        }
        if (r >= 0) {
                r = layer_commit(s, work, result.digest, result.size, ret_created);
                if (r < 0)
                        r = image_error(error, r, "cannot store layer %s: %m", result.digest);
        }
        if (r < 0) {
                /* Whatever made it into the work directory goes (a failed commit leaves it there too). */
                (void)tree_remove_at(s->tmp_fd, work);
                return r;
        }
        memcpy(ret_id, result.digest, SHA256_HEX_SIZE);
        *ret_size = result.size;
        return 0;
}

static int import_config(const char *layer_id, uint64_t size, char **ret)
{
        Image i = {
            .created = (int64_t)now_usec(CLOCK_REALTIME),
            .size = size,
        };
        char *layers[] = {(char *)layer_id, NULL};
        char *env[] = {(char *)IMPORT_DEFAULT_PATH, NULL};

        i.layers = layers;
        i.env = env;
        return image_config_format(&i, ret);
}

/* Points reference at id; the image it pointed at before stays, untagged. */
static int import_tag(ImageStore *s, const char *reference, const char *id)
{
        _cleanup_json_ struct json_object *repos = NULL;
        struct json_object *v;
        int r;

        r = repositories_load(s, &repos);
        if (r < 0)
                return r;
        v = json_object_new_string(id);
        if (!v || json_object_object_add(repos, reference, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return repositories_save(s, repos);
}

/* Undoes a failed import's layer, if it made it. */
static void import_rollback_layer(ImageStore *s, const char *layer, bool created)
{
        if (created)
                (void)layer_remove(s, layer);
}

static int import_image(ImageStore *s, int fd, const char *reference, char ret_id[SHA256_HEX_SIZE],
                        char **error)
{
        _cleanup_free_ char *config = NULL;
        char layer[SHA256_HEX_SIZE], id[SHA256_HEX_SIZE];
        bool created = false;
        uint64_t size = 0;
        int r;

        r = import_layer(s, fd, layer, &size, &created, error);
        if (r < 0)
                return r;

        r = import_config(layer, size, &config);
        if (r >= 0)
                r = image_write_config(s, config, id);
        if (r < 0) {
                import_rollback_layer(s, layer, created);
                return image_error(error, r, "cannot write the image config: %m");
        }
        if (reference) {
                r = import_tag(s, reference, id);
                if (r < 0) {
                        char name[SHA256_HEX_SIZE + sizeof(".json")];
                        snprintf(name, sizeof(name), "%s.json", id);
                        (void)unlinkat(s->images_fd, name, 0);
                        import_rollback_layer(s, layer, created);
                        return image_error(error, r, "cannot tag the image as %s: %m", reference);
                }
        }
        memcpy(ret_id, id, SHA256_HEX_SIZE);
        return 0;
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
