/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sys/stat.h>

#include "raind/strv.h"

#include "image-internal.h"

static int tree_remove_children(int fd, dev_t dev)
{
        _cleanup_strv_free_ char **names = NULL;
        int r = dir_read_names(fd, &names);
        if (r < 0)
                return r;

        STRV_FOREACH (name, names) {
                struct stat st;

                if (fstatat(fd, *name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                if (!S_ISDIR(st.st_mode)) {
                        if (unlinkat(fd, *name, 0) < 0 && errno != ENOENT)
                                return -errno;
                        continue;
                }
                /* A mount point: never descend into somebody else's file system. */
                if (st.st_dev != dev)
                        return -EBUSY;
                /* We own what we unpacked; a directory without rwx for us is one the archive made so. The
                 * path was just checked to be a directory and our tree is not writable by others. */
                if ((st.st_mode & S_IRWXU) != S_IRWXU && fchmodat(fd, *name, 0700, 0) < 0)
                        return -errno;
                _cleanup_close_ int sub = openat(fd, *name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0)
                        return -errno;
                r = tree_remove_children(sub, dev);
                if (r < 0)
                        return r;
                if (unlinkat(fd, *name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                        return -errno;
        }
        return 0;
}

int tree_remove_at(int dirfd, const char *name)
{
        struct stat st;
        int r;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return RET_NERRNO(unlinkat(dirfd, name, 0));
        if ((st.st_mode & S_IRWXU) != S_IRWXU && fchmodat(dirfd, name, 0700, 0) < 0)
                return -errno;
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = tree_remove_children(fd, st.st_dev);
        if (r < 0)
                return r;
        if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}
