/* SPDX-License-Identifier: Apache-2.0 */
/* root/repositories.json: {"name:tag": "<image id>", …}, rewritten atomically on every change. */

#include <fcntl.h>

#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/strv.h"

#include "image-internal.h"

int repositories_load(ImageStore *s, struct json_object **ret)
{
        _cleanup_json_ struct json_object *parsed = NULL, *repos = NULL;
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        repos = json_object_new_object();
        if (!repos)
                return -ENOMEM;

        _cleanup_close_ int fd = openat(s->root_fd, REPOSITORIES_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno != ENOENT)
                        return -errno;
                *ret = TAKE_PTR(repos);
                return 0;
        }
        r = read_full_fd(fd, REPOSITORIES_SIZE_MAX, &data, &size);
        if (r < 0)
                return r;
        r = image_json_parse(data, size, &parsed);
        if (r < 0)
                return r;
        if (!json_object_is_type(parsed, json_type_object))
                return -EBADMSG;

        /* Copy what validates: a damaged entry must not make every image unreachable. */
        json_object_object_foreach(parsed, key, value)
        {
                _cleanup_free_ char *ref = NULL;
                if (!json_object_is_type(value, json_type_string) ||
                    !image_id_is_valid(json_object_get_string(value)))
                        continue;
                if (image_reference_normalize(key, &ref) < 0 || !streq(ref, key))
                        continue;
                if (json_object_object_add(repos, key, json_object_get(value)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(repos);
        return 0;
}

int repositories_save(ImageStore *s, struct json_object *repos)
{
        const char *data = json_object_to_json_string_ext(
            repos, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
        int r;

        if (!data)
                return -ENOMEM;
        r = write_file_atomicat(s->root_fd, REPOSITORIES_FILE, data, strlen(data), 0600);
        if (r < 0)
                return r;
        return RET_NERRNO(fsync(s->root_fd));
}

static int strcmp_ptr(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int repositories_references_of(struct json_object *repos, const char *id, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;

        json_object_object_foreach(repos, key, value)
        {
                if (!streq(json_object_get_string(value), id))
                        continue;
                if (strv_extend(&l, key) < 0)
                        return -ENOMEM;
        }
        if (l)
                qsort(l, strv_length(l), sizeof(char *), strcmp_ptr);
        *ret = TAKE_PTR(l);
        return 0;
}

unsigned repositories_drop_image(struct json_object *repos, const char *id)
{
        unsigned n = 0;

        /* Deleting while iterating is not allowed: restart after each. */
        for (bool again = true; again;) {
                again = false;
                json_object_object_foreach(repos, key, value)
                {
                        if (streq(json_object_get_string(value), id)) {
                                json_object_object_del(repos, key);
                                n++;
                                again = true;
                                break;
                        }
                }
        }
        return n;
}
