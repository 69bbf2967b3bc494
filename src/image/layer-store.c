/* SPDX-License-Identifier: Apache-2.0 */
/* root/layers/<id>/{diff/,layer.json}: a layer is complete once layer.json is there, and it only
 * ever gets there through a rename of a finished directory out of root/tmp/. */

#include <fcntl.h>
#include <inttypes.h>

#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/strv.h"
#include "raind/util.h"

#include "image-internal.h"

bool layer_is_complete(ImageStore *s, const char *id)
{
        char path[SHA256_HEX_SIZE + sizeof("/" LAYER_JSON_FILE)];

        if (!image_id_is_valid(id))
                return false;
        snprintf(path, sizeof(path), "%s/" LAYER_JSON_FILE, id);
        return faccessat(s->layers_fd, path, F_OK, AT_SYMLINK_NOFOLLOW) >= 0;
}

static int layer_json_format(const char *id, uint64_t size, char **ret)
{
        _cleanup_json_ struct json_object *o = json_object_new_object();
        _cleanup_free_ char *digest = NULL;

        if (!o || asprintf(&digest, "sha256:%s", id) < 0)
                return -ENOMEM;
        json_add_string(o, "id", id);
        json_object_object_add(o, "size", json_object_new_int64((int64_t)size));
        json_add_string(o, "digest", digest);
        const char *s =
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s || !(*ret = strdup(s)))
                return -ENOMEM;
        return 0;
}

int layer_remove(ImageStore *s, const char *id)
{
        char trash[SHA256_HEX_SIZE];
        int r;

        if (!image_id_is_valid(id))
                return -EINVAL;
        r = random_id(trash);
        if (r < 0)
                return r;
        /* Out of layers/ in one step, so that no half-removed layer is ever taken for a layer. */
        if (renameat(s->layers_fd, id, s->tmp_fd, trash) < 0)
                return errno == ENOENT ? 0 : -errno;
        (void)fsync(s->layers_fd);
        return tree_remove_at(s->tmp_fd, trash);
}

int layer_commit(ImageStore *s, const char *work_name, const char *id, uint64_t size, bool *ret_created)
{
        _cleanup_free_ char *json = NULL;
        int r;

        if (layer_is_complete(s, id)) {
                r = tree_remove_at(s->tmp_fd, work_name);
                if (r < 0)
                        return r;
                *ret_created = false;
                return 0;
        }

        _cleanup_close_ int work_fd =
            openat(s->tmp_fd, work_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (work_fd < 0)
                return -errno;
        r = layer_json_format(id, size, &json);
        if (r < 0)
                return r;
        r = write_file_atomicat(work_fd, LAYER_JSON_FILE, json, strlen(json), 0600);
        if (r < 0)
                return r;
        /* The unpacked files must be on disk before the layer counts as complete. */
        if (syncfs(work_fd) < 0)
                return -errno;

        for (unsigned attempt = 0;; attempt++) {
                if (renameat(s->tmp_fd, work_name, s->layers_fd, id) >= 0)
                        break;
                if ((errno != EEXIST && errno != ENOTEMPTY) || attempt > 0)
                        return -errno;
                /* An incomplete leftover of an earlier attempt is in the way. */
                r = layer_remove(s, id);
                if (r < 0)
                        return r;
        }
        r = RET_NERRNO(fsync(s->layers_fd));
        if (r < 0)
                return r;
        *ret_created = true;
        return 0;
}

/* Calls f for every image that loads; -EBADMSG when one is damaged (what it uses is unknown). */
static int images_foreach(ImageStore *s, int (*f)(const Image *i, char ***acc), char ***acc)
{
        _cleanup_json_ struct json_object *repos = NULL;
        _cleanup_strv_free_ char **ids = NULL;
        int r;

        r = repositories_load(s, &repos);
        if (r < 0)
                return r;
        r = image_ids_list(s, &ids);
        if (r < 0)
                return r;
        STRV_FOREACH (id, ids) {
                _cleanup_image_free_ Image *i = NULL;
                r = image_load(s, repos, *id, &i);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;
                r = f(i, acc);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_unique(char ***l, const char *s)
{
        if (strv_contains(*l, s))
                return 0;
        return strv_extend(l, s);
}

static int collect_layers(const Image *i, char ***acc)
{
        STRV_FOREACH (l, i->layers)
                if (add_unique(acc, *l) < 0)
                        return -ENOMEM;
        return 0;
}

static int collect_blobs(const Image *i, char ***acc)
{
        if (add_unique(acc, i->manifest.digest) < 0 || add_unique(acc, i->config.digest) < 0)
                return -ENOMEM;
        for (size_t k = 0; i->layers[k]; k++)
                if (add_unique(acc, i->layer_blobs[k].digest) < 0)
                        return -ENOMEM;
        STRV_FOREACH (d, i->other_blobs)
                if (add_unique(acc, *d) < 0)
                        return -ENOMEM;
        return 0;
}

static int layers_in_use(ImageStore *s, char ***ret)
{
        _cleanup_strv_free_ char **used = NULL;
        int r;

        r = images_foreach(s, collect_layers, &used);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(used);
        return 0;
}

int image_blobs_in_use(ImageStore *s, char ***ret)
{
        _cleanup_strv_free_ char **used = NULL;
        int r;

        r = images_foreach(s, collect_blobs, &used);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(used);
        return 0;
}

static int layer_ids_list(ImageStore *s, char ***ret)
{
        _cleanup_strv_free_ char **names = NULL, **ids = NULL;
        int r;

        r = dir_read_names(s->layers_fd, &names);
        if (r < 0)
                return r;
        STRV_FOREACH (name, names)
                if (image_id_is_valid(*name) && strv_extend(&ids, *name) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(ids);
        return 0;
}

int layers_remove_unused(ImageStore *s, char *const *candidates)
{
        _cleanup_strv_free_ char **used = NULL, **all = NULL;
        int r;

        r = layers_in_use(s, &used);
        if (r < 0)
                return r;
        if (!candidates) {
                r = layer_ids_list(s, &all);
                if (r < 0)
                        return r;
                candidates = all;
        }
        STRV_FOREACH (id, candidates) {
                if (strv_contains(used, *id))
                        continue;
                r = layer_remove(s, *id);
                if (r < 0)
                        return r;
        }
        return 0;
}

int image_store_layer_dirs(ImageStore *s, const Image *i, char ***ret)
{
        _cleanup_strv_free_ char **dirs = NULL;
        size_t n = strv_length(i->layers);

        if (n == 0)
                return -EINVAL;
        for (size_t k = n; k > 0; k--) {
                const char *id = i->layers[k - 1];
                char *p;

                if (!layer_is_complete(s, id))
                        return -ENOENT;
                if (asprintf(&p, "%s/layers/%s/" LAYER_DIFF_DIR, s->root, id) < 0)
                        return -ENOMEM;
                if (strv_push(&dirs, p) < 0) {
                        free(p);
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(dirs);
        return 0;
}
