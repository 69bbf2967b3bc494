/* SPDX-License-Identifier: Apache-2.0 */
/* Opening the store, and finishing there whatever a crash interrupted. */

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/strv.h"

#include "image-internal.h"

ImageStore *image_store_free(ImageStore *s)
{
        if (!s)
                return NULL;
        safe_close(s->root_fd);
        safe_close(s->images_fd);
        safe_close(s->layers_fd);
        safe_close(s->tmp_fd);
        free(s->root);
        free(s);
        return NULL;
}

const char *image_store_root(ImageStore *s)
{
        return s->root;
}

static int open_subdir(int root_fd, const char *name)
{
        if (mkdirat(root_fd, name, 0700) < 0 && errno != EEXIST)
                return -errno;
        return RET_NERRNO(openat(root_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

/* Calls f(s, dir_fd, name) for every entry of dir_fd. */
static int dir_foreach(int dir_fd, int (*f)(ImageStore *s, int dir_fd, const char *name), ImageStore *s)
{
        _cleanup_strv_free_ char **names = NULL;
        int r;

        r = dir_read_names(dir_fd, &names);
        if (r < 0)
                return r;
        STRV_FOREACH (name, names) {
                r = f(s, dir_fd, *name);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int remove_entry(ImageStore *s, int dir_fd, const char *name)
{
        return tree_remove_at(dir_fd, name);
}

/* write_file_atomicat() writes ".#<name>.<random>" first; one a crash left behind is removed. The root
 * is shared with the daemon's own state: only our files there. */
static int remove_temporary_file(ImageStore *s, int dir_fd, const char *name)
{
        const char *rest = startswith(name, ".#");

        if (!rest)
                return 0;
        if (dir_fd == s->root_fd && !startswith(rest, REPOSITORIES_FILE "."))
                return 0;
        if (unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

static int remove_incomplete_layer(ImageStore *s, int dir_fd, const char *name)
{
        if (!image_id_is_valid(name) || layer_is_complete(s, name))
                return 0;
        return layer_remove(s, name);
}

/* References to images that are gone: what a crash between removing the image file and rewriting
 * repositories.json (in an older order, or by hand) would leave. */
static int drop_dangling_references(ImageStore *s)
{
        _cleanup_json_ struct json_object *repos = NULL;
        _cleanup_strv_free_ char **ids = NULL, **dangling = NULL;
        int r;

        r = repositories_load(s, &repos);
        if (r < 0)
                return r;
        r = image_ids_list(s, &ids);
        if (r < 0)
                return r;
        json_object_object_foreach(repos, key, value)
        {
                if (!strv_contains(ids, json_object_get_string(value)) && strv_extend(&dangling, key) < 0)
                        return -ENOMEM;
        }
        if (!dangling)
                return 0;
        STRV_FOREACH (ref, dangling)
                json_object_object_del(repos, *ref);
        return repositories_save(s, repos);
}

static int image_store_recover(ImageStore *s)
{
        int r;

        r = dir_foreach(s->tmp_fd, remove_entry, s);
        if (r < 0)
                return r;
        r = dir_foreach(s->root_fd, remove_temporary_file, s);
        if (r < 0)
                return r;
        r = dir_foreach(s->images_fd, remove_temporary_file, s);
        if (r < 0)
                return r;
        r = dir_foreach(s->layers_fd, remove_incomplete_layer, s);
        if (r < 0)
                return r;
        r = drop_dangling_references(s);
        if (r < 0)
                return r;
        /* Layers of an import or removal that stopped half way. With a damaged image file its layers
         * are unknown: then all are kept. */
        r = layers_remove_unused(s, NULL);
        if (r < 0 && r != -EBADMSG)
                return r;
        return 0;
}

int image_store_open(const char *root, ImageStore **ret)
{
        _cleanup_(image_store_freep) ImageStore *s = NULL;
        char *p;
        int r;

        if (isempty(root) || strlen(root) >= PATH_MAX)
                return -EINVAL;

        s = calloc(1, sizeof(ImageStore));
        if (!s)
                return -ENOMEM;
        s->root_fd = s->images_fd = s->layers_fd = s->tmp_fd = -EBADF;
        s->max_entries = IMPORT_ENTRIES_MAX;
        s->max_size = IMPORT_SIZE_MAX;

        r = mkdir_p(root, 0700);
        if (r < 0)
                return r;
        /* Layer paths are handed to overlayfs: absolute. */
        p = realpath(root, NULL);
        if (!p)
                return -errno;
        s->root = p;

        s->root_fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->root_fd < 0)
                return -errno;
        s->images_fd = open_subdir(s->root_fd, "images");
        if (s->images_fd < 0)
                return s->images_fd;
        s->layers_fd = open_subdir(s->root_fd, "layers");
        if (s->layers_fd < 0)
                return s->layers_fd;
        s->tmp_fd = open_subdir(s->root_fd, "tmp");
        if (s->tmp_fd < 0)
                return s->tmp_fd;

        r = image_store_recover(s);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}
