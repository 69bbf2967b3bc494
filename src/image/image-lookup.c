/* SPDX-License-Identifier: Apache-2.0 */
/* Reading images back: by reference, id or id prefix, and all of them. */

#include <fcntl.h>

#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/strv.h"

#include "image-internal.h"

#define IMAGE_FILE_SUFFIX ".json"

int image_write_record(ImageStore *s, const char *id, const ImageRecord *rec)
{
        char name[SHA256_HEX_SIZE + sizeof(IMAGE_FILE_SUFFIX)];
        _cleanup_free_ char *data = NULL;
        int r;

        r = image_record_format(rec, &data);
        if (r < 0)
                return r;
        snprintf(name, sizeof(name), "%s" IMAGE_FILE_SUFFIX, id);
        r = write_file_atomicat(s->images_fd, name, data, strlen(data), 0600);
        if (r < 0)
                return r;
        return RET_NERRNO(fsync(s->images_fd));
}

static int split_references(char **all, char ***ret_tags, char ***ret_digests)
{
        _cleanup_strv_free_ char **tags = NULL, **digests = NULL;

        STRV_FOREACH (ref, all)
                if (strv_extend(strchr(*ref, '@') ? &digests : &tags, *ref) < 0)
                        return -ENOMEM;
        *ret_tags = TAKE_PTR(tags);
        *ret_digests = TAKE_PTR(digests);
        return 0;
}

int image_load(ImageStore *s, struct json_object *repos, const char *id, Image **ret)
{
        char name[SHA256_HEX_SIZE + sizeof(IMAGE_FILE_SUFFIX)];
        _cleanup_image_free_ Image *i = NULL;
        _cleanup_free_ char *data = NULL, *config = NULL;
        _cleanup_strv_free_ char **refs = NULL;
        size_t size;
        int r;

        if (!image_id_is_valid(id))
                return -EINVAL;
        snprintf(name, sizeof(name), "%s" IMAGE_FILE_SUFFIX, id);
        _cleanup_close_ int fd = openat(s->images_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        r = read_full_fd(fd, IMAGE_CONFIG_SIZE_MAX, &data, &size);
        if (r < 0)
                return r;

        i = new0(Image, 1);
        if (!i)
                return -ENOMEM;
        i->id = strdup(id);
        if (!i->id)
                return -ENOMEM;
        r = image_record_parse(data, size, i);
        if (r < 0)
                return r;
        /* The id is the config's digest: a record naming another config is damaged. */
        if (!streq_ptr(digest_hex(i->config.digest), id))
                return -EBADMSG;
        r = blob_read(s, i->config.digest, IMAGE_CONFIG_SIZE_MAX, &config, &size);
        if (r == -ENOENT)
                return -EBADMSG;
        if (r < 0)
                return r;
        r = image_config_parse(config, size, i);
        if (r < 0)
                return r;
        r = repositories_references_of(repos, id, &refs);
        if (r < 0)
                return r;
        r = split_references(refs, &i->references, &i->digests);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(i);
        return 0;
}

int image_ids_list(ImageStore *s, char ***ret)
{
        _cleanup_strv_free_ char **names = NULL, **ids = NULL;
        int r;

        r = dir_read_names(s->images_fd, &names);
        if (r < 0)
                return r;
        STRV_FOREACH (name, names) {
                char *dot = strchr(*name, '.');
                if (!dot || !streq(dot, IMAGE_FILE_SUFFIX))
                        continue;
                *dot = 0;
                if (image_id_is_valid(*name) && strv_extend(&ids, *name) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(ids);
        return 0;
}

static bool image_exists(ImageStore *s, const char *id)
{
        char name[SHA256_HEX_SIZE + sizeof(IMAGE_FILE_SUFFIX)];

        snprintf(name, sizeof(name), "%s" IMAGE_FILE_SUFFIX, id);
        return faccessat(s->images_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) >= 0;
}

static int resolve_id_prefix(ImageStore *s, const char *prefix, char **ret_id)
{
        _cleanup_strv_free_ char **ids = NULL;
        _cleanup_free_ char *found = NULL;
        int r;

        if (strlen(prefix) == SHA256_HEX_SIZE - 1) {
                if (!image_exists(s, prefix))
                        return -ENOENT;
                return (*ret_id = strdup(prefix)) ? 0 : -ENOMEM;
        }
        r = image_ids_list(s, &ids);
        if (r < 0)
                return r;
        STRV_FOREACH (id, ids) {
                if (!startswith(*id, prefix))
                        continue;
                if (found)
                        return -ENOTUNIQ;
                found = strdup(*id);
                if (!found)
                        return -ENOMEM;
        }
        if (!found)
                return -ENOENT;
        *ret_id = TAKE_PTR(found);
        return 0;
}

int image_resolve(ImageStore *s, struct json_object *repos, const char *ref_or_id, char **ret_id,
                  char **ret_reference)
{
        _cleanup_free_ char *ref = NULL, *id = NULL;
        struct json_object *v;
        const char *hex;
        int r;

        if (isempty(ref_or_id))
                return -EINVAL;

        /* A reference first, as Docker does: "abc" may be both a name and an id prefix. */
        if (image_reference_normalize(ref_or_id, &ref) >= 0 && json_object_object_get_ex(repos, ref, &v) &&
            image_exists(s, json_object_get_string(v))) {
                id = strdup(json_object_get_string(v));
                if (!id)
                        return -ENOMEM;
                *ret_id = TAKE_PTR(id);
                *ret_reference = TAKE_PTR(ref);
                return 0;
        }

        hex = startswith(ref_or_id, "sha256:") ?: ref_or_id;
        if (!id_prefix_is_valid(hex))
                return -ENOENT;
        r = resolve_id_prefix(s, hex, &id);
        if (r < 0)
                return r;
        *ret_id = TAKE_PTR(id);
        *ret_reference = NULL;
        return 0;
}

int image_store_lookup(ImageStore *s, const char *ref_or_id, Image **ret)
{
        _cleanup_json_ struct json_object *repos = NULL;
        _cleanup_free_ char *id = NULL, *ref = NULL;
        int r;

        r = repositories_load(s, &repos);
        if (r < 0)
                return r;
        r = image_resolve(s, repos, ref_or_id, &id, &ref);
        if (r < 0)
                return r;
        return image_load(s, repos, id, ret);
}

static int image_compare(const void *a, const void *b)
{
        const Image *x = *(Image *const *)a, *y = *(Image *const *)b;

        if (x->created != y->created)
                return x->created > y->created ? -1 : 1;
        return strcmp(x->id, y->id);
}

int image_store_list(ImageStore *s, Image ***ret, size_t *ret_n)
{
        _cleanup_json_ struct json_object *repos = NULL;
        _cleanup_strv_free_ char **ids = NULL;
        _cleanup_image_list_free_ Image **l = NULL;
        size_t n = 0;
        int r;

        r = repositories_load(s, &repos);
        if (r < 0)
                return r;
        r = image_ids_list(s, &ids);
        if (r < 0)
                return r;
        l = calloc(strv_length(ids) + 1, sizeof(Image *));
        if (!l)
                return -ENOMEM;
        STRV_FOREACH (id, ids) {
                r = image_load(s, repos, *id, &l[n]);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0)
                        n++;
                /* Otherwise damaged or gone meanwhile: left out, the rest still lists. */
        }
        qsort(l, n, sizeof(Image *), image_compare);
        *ret = TAKE_PTR(l);
        if (ret_n)
                *ret_n = n;
        return 0;
}

int image_store_read_config(ImageStore *s, const Image *i, char **ret, size_t *ret_size)
{
        return blob_read(s, i->config.digest, IMAGE_CONFIG_SIZE_MAX, ret, ret_size);
}
