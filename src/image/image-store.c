/* SPDX-License-Identifier: Apache-2.0 */
/* Opening the store, and finishing there whatever a crash interrupted. */

#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
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
        safe_close(s->blobs_fd);
        safe_close(s->downloads_fd);
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

/* A download whose blob is complete is no longer needed. Others stay for the next pull to resume. */
static int remove_finished_download(ImageStore *s, int dir_fd, const char *name)
{
        char digest[BLOB_DIGEST_SIZE];

        snprintf(digest, sizeof(digest), "sha256:%.64s", name);
        if (image_id_is_valid(name) && !blob_exists(s, digest))
                return 0;
        if (unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int image_store_lock(ImageStore *s)
{
        _cleanup_close_ int fd =
            openat(s->root_fd, LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0)
                return -errno;
        return TAKE_FD(fd);
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
        r = dir_foreach(s->downloads_fd, remove_finished_download, s);
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
        r = blobs_remove_unused(s, NULL);
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
        s->root_fd = s->images_fd = s->layers_fd = s->blobs_fd = s->downloads_fd = s->tmp_fd = -EBADF;
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
        _cleanup_close_ int blobs_fd = open_subdir(s->root_fd, "blobs");
        if (blobs_fd < 0)
                return blobs_fd;
        s->blobs_fd = open_subdir(blobs_fd, "sha256");
        if (s->blobs_fd < 0)
                return s->blobs_fd;
        s->downloads_fd = open_subdir(s->root_fd, DOWNLOADS_DIR);
        if (s->downloads_fd < 0)
                return s->downloads_fd;

        r = image_store_recover(s);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}

static bool work_dir_name_is_valid(const char *name)
{
        return !isempty(name) && !strchr(name, '/') && !streq(name, ".") && !streq(name, "..") &&
               strlen(name) <= NAME_MAX;
}

int image_store_use_work_dir(ImageStore *s, const char *name)
{
        if (!work_dir_name_is_valid(name))
                return -EINVAL;
        int fd = open_subdir(s->tmp_fd, name);
        if (fd < 0)
                return fd;
        safe_close(s->tmp_fd);
        s->tmp_fd = fd;
        return 0;
}

int image_store_remove_work_dir(ImageStore *s, const char *name)
{
        if (!work_dir_name_is_valid(name))
                return -EINVAL;
        return tree_remove_at(s->tmp_fd, name);
}
