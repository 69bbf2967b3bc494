/* SPDX-License-Identifier: Apache-2.0 */
/* root/blobs/sha256/<hex>: manifests, configs and layer blobs by digest, as they came. A blob only
 * ever gets there through a rename of a complete file whose digest was checked, so a blob that is
 * there is whole. root/downloads/<hex> holds downloads in progress; they survive a crash and the next
 * pull of the same blob resumes them. */

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "raind/fileio.h"
#include "raind/strv.h"
#include "raind/util.h"

#include "image-internal.h"

#define DIGEST_PREFIX "sha256:"

const char *digest_hex(const char *digest)
{
        const char *hex = startswith(digest ?: "", DIGEST_PREFIX);

        return hex && image_id_is_valid(hex) ? hex : NULL;
}

bool blob_exists(ImageStore *s, const char *digest)
{
        const char *hex = digest_hex(digest);

        return hex && faccessat(s->blobs_fd, hex, F_OK, AT_SYMLINK_NOFOLLOW) >= 0;
}

int blob_open(ImageStore *s, const char *digest)
{
        const char *hex = digest_hex(digest);

        if (!hex)
                return -EINVAL;
        return RET_NERRNO(openat(s->blobs_fd, hex, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
}

int blob_read(ImageStore *s, const char *digest, size_t max, char **ret, size_t *ret_size)
{
        _cleanup_free_ char *data = NULL;
        char hex[SHA256_HEX_SIZE];
        size_t size;
        int r;

        _cleanup_close_ int fd = blob_open(s, digest);
        if (fd < 0)
                return fd;
        r = read_full_fd(fd, max, &data, &size);
        if (r < 0)
                return r;
        /* Small blobs (manifests, configs) are checked on every read: a damaged file is no image. */
        sha256_hex(data, size, hex);
        if (!streq(hex, digest_hex(digest)))
                return -EBADMSG;
        *ret = TAKE_PTR(data);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int blob_commit_file(ImageStore *s, int dir_fd, const char *name, const char *digest)
{
        const char *hex = digest_hex(digest);

        if (!hex)
                return -EINVAL;
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fchmod(fd, 0600) < 0 || fsync(fd) < 0)
                return -errno;
        /* Blobs are immutable: one that is there already is the same bytes. */
        if (blob_exists(s, digest))
                return RET_NERRNO(unlinkat(dir_fd, name, 0));
        if (renameat(dir_fd, name, s->blobs_fd, hex) < 0)
                return -errno;
        return RET_NERRNO(fsync(s->blobs_fd));
}

int blob_write(ImageStore *s, const void *data, size_t size, char ret_digest[BLOB_DIGEST_SIZE])
{
        char hex[SHA256_HEX_SIZE], digest[BLOB_DIGEST_SIZE], tmp[SHA256_HEX_SIZE];
        int r;

        sha256_hex(data, size, hex);
        snprintf(digest, sizeof(digest), DIGEST_PREFIX "%s", hex);
        if (!blob_exists(s, digest)) {
                r = random_id(tmp);
                if (r < 0)
                        return r;
                _cleanup_close_ int fd =
                    openat(s->tmp_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (fd < 0)
                        return -errno;
                r = loop_write(fd, data, size);
                if (r >= 0)
                        r = blob_commit_file(s, s->tmp_fd, tmp, digest);
                if (r < 0) {
                        (void)unlinkat(s->tmp_fd, tmp, 0);
                        return r;
                }
        }
        if (ret_digest)
                memcpy(ret_digest, digest, BLOB_DIGEST_SIZE);
        return 0;
}

int blob_download_open(ImageStore *s, const char *digest)
{
        const char *hex = digest_hex(digest);

        if (!hex)
                return -EINVAL;
        _cleanup_close_ int fd =
            openat(s->downloads_fd, hex, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        /* One download of a blob at a time, across concurrent pulls; the next one finds the blob. The
         * lock goes with the process, however it ends. */
        if (flock(fd, LOCK_EX) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int blob_download_commit(ImageStore *s, const char *digest)
{
        return blob_commit_file(s, s->downloads_fd, digest_hex(digest), digest);
}

int blob_download_discard(ImageStore *s, const char *digest)
{
        const char *hex = digest_hex(digest);

        if (!hex)
                return -EINVAL;
        if (unlinkat(s->downloads_fd, hex, 0) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int blobs_remove_unused(ImageStore *s, char *const *candidates)
{
        _cleanup_strv_free_ char **used = NULL, **names = NULL;
        int r;

        r = image_blobs_in_use(s, &used);
        if (r < 0)
                return r;
        r = dir_read_names(s->blobs_fd, &names);
        if (r < 0)
                return r;
        STRV_FOREACH (name, names) {
                char digest[BLOB_DIGEST_SIZE];

                if (!image_id_is_valid(*name)) {
                        /* Not ours to keep: a temporary file or junk. */
                        if (startswith(*name, ".#"))
                                (void)unlinkat(s->blobs_fd, *name, 0);
                        continue;
                }
                snprintf(digest, sizeof(digest), DIGEST_PREFIX "%s", *name);
                if (strv_contains(used, digest) || (candidates && !strv_contains(candidates, digest)))
                        continue;
                if (unlinkat(s->blobs_fd, *name, 0) < 0 && errno != ENOENT)
                        return -errno;
        }
        return 0;
}

void image_store_undo(ImageStore *s, char *const *layers, char *const *blobs)
{
        if (strv_isempty(layers) && strv_isempty(blobs))
                return;
        _cleanup_close_ int lock = image_store_lock(s);
        if (!strv_isempty(layers))
                (void)layers_remove_unused(s, layers);
        if (!strv_isempty(blobs))
                (void)blobs_remove_unused(s, blobs);
}

int image_store_prune_downloads(ImageStore *s, uint64_t *ret_bytes)
{
        _cleanup_strv_free_ char **names = NULL;
        uint64_t bytes = 0;
        int r;

        r = dir_read_names(s->downloads_fd, &names);
        if (r < 0)
                return r;
        STRV_FOREACH (name, names) {
                _cleanup_close_ int fd = openat(s->downloads_fd, *name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                struct stat st;

                if (fd < 0)
                        continue;
                /* One a pull is writing right now stays. */
                if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                        continue;
                if (fstat(fd, &st) >= 0)
                        bytes += (uint64_t)st.st_size;
                if (unlinkat(s->downloads_fd, *name, 0) < 0 && errno != ENOENT)
                        return -errno;
        }
        if (ret_bytes)
                *ret_bytes = bytes;
        return 0;
}
