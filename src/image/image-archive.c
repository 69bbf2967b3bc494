/* SPDX-License-Identifier: Apache-2.0 */
/* Image archives: the names of the formats and what read and write share. */

#include <ctype.h>
#include <fcntl.h>

#include "archive-internal.h"
#include "raind/json-util.h"
#include "raind/registry.h"
#include "raind/strv.h"
#include "raind/util.h"

static const char *const format_names[] = {
    [ARCHIVE_FORMAT_DOCKER] = "docker-archive",
    [ARCHIVE_FORMAT_OCI] = "oci-archive",
};

int archive_format_from_string(const char *s, ArchiveFormat *ret)
{
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(format_names); i++)
                if (streq(s, format_names[i])) {
                        *ret = (ArchiveFormat)i;
                        return 0;
                }
        return -EINVAL;
}

const char *archive_format_to_string(ArchiveFormat f)
{
        return (size_t)f < ELEMENTSOF(format_names) ? format_names[f] : NULL;
}

void archive_blob_done(ArchiveBlob *b)
{
        if (!b)
                return;
        free(b->digest);
        free(b->media_type);
        free(b->diff_id);
        *b = (ArchiveBlob){};
}

static void archive_read_image_done(ArchiveReadImage *i)
{
        free(i->config_path);
        free(i->config_digest);
        strv_free(i->layer_paths);
        for (size_t j = 0; j < i->n_layers; j++)
                archive_blob_done(&i->layers[j]);
        free(i->layers);
        free(i->manifest);
        free(i->manifest_digest);
        strv_free(i->tags);
}

ArchiveContents *archive_contents_free(ArchiveContents *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_images; i++)
                archive_read_image_done(&c->images[i]);
        free(c->images);
        free(c);
        return NULL;
}

int archive_tmpfile(int dir_fd)
{
        int fd = openat(dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

        if (fd >= 0)
                return fd;
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
                return -errno;

        /* File systems without O_TMPFILE: a random name, gone before anyone could use it. */
        for (unsigned attempt = 0; attempt < 16; attempt++) {
                char id[65], name[80];
                int r = random_id(id);

                if (r < 0)
                        return r;
                snprintf(name, sizeof(name), ".raind-archive-%.16s", id);
                fd = openat(dir_fd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0) {
                        if (errno == EEXIST)
                                continue;
                        return -errno;
                }
                if (unlinkat(dir_fd, name, 0) < 0) {
                        r = -errno;
                        safe_close(fd);
                        return r;
                }
                return fd;
        }
        return -EEXIST;
}

const char *archive_digest_hex(const char *digest)
{
        return registry_digest_is_valid(digest) ? digest + strlen("sha256:") : NULL;
}

int archive_json_parse(const char *data, size_t size, struct json_object **ret)
{
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        _cleanup_json_ struct json_object *o = NULL;

        if (size == 0 || size > INT32_MAX || memchr(data, '\0', size))
                return -EBADMSG;
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, data, (int)size);
        if (!o || json_tokener_get_error(tok) != json_tokener_success)
                return -EBADMSG;
        for (size_t i = tok->char_offset; i < size; i++)
                if (!isspace((unsigned char)data[i]))
                        return -EBADMSG;
        *ret = TAKE_PTR(o);
        return 0;
}
