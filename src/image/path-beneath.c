/* SPDX-License-Identifier: Apache-2.0 */
/* Paths from an archive, and opening them inside the root one component at a time without following
 * symlinks: whatever the archive made earlier, nothing below it leads out. */

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "image-internal.h"
#include "unpack.h"

/* Drops leading '/', empty and "." components; refuses "..". "" is the root itself. */
int entry_path_normalize(const char *p, char **ret, unsigned *ret_depth)
{
        _cleanup_free_ char *n = malloc(strlen(p) + 1);
        unsigned depth = 0;
        char *o;

        if (!n)
                return -ENOMEM;
        o = n;
        while (*p) {
                const char *e = strchrnul(p, '/');
                size_t l = (size_t)(e - p);

                if (l == 2 && p[0] == '.' && p[1] == '.')
                        return -EBADMSG;
                if (l > NAME_MAX)
                        return -ENAMETOOLONG;
                if (l > 0 && !(l == 1 && p[0] == '.')) {
                        if (o != n)
                                *o++ = '/';
                        memcpy(o, p, l);
                        o += l;
                        depth++;
                }
                p = *e ? e + 1 : e;
        }
        *o = 0;
        if (o - n >= PATH_MAX)
                return -ENAMETOOLONG;
        if (depth > IMPORT_DEPTH_MAX)
                return -ENAMETOOLONG;
        *ret = TAKE_PTR(n);
        if (ret_depth)
                *ret_depth = depth;
        return 0;
}

void dir_cache_forget(DirCache *c)
{
        c->fd = safe_close(c->fd);
        free(c->path);
        c->path = NULL;
}

/* Opens directory path (normalized, relative to the root) one component at a time, never following a
 * symlink: -ELOOP when a component is one, -ENOTDIR when it is something else. Missing directories are
 * created 0755 when create is set. Returns a new fd. */
int open_dir_beneath(int root_fd, DirCache *cache, const char *path, bool create)
{
        const char *rest = path;
        _cleanup_close_ int fd = -EBADF;

        if (isempty(path))
                return RET_NERRNO(fcntl(root_fd, F_DUPFD_CLOEXEC, 3));

        if (cache && cache->path) {
                const char *k = startswith(path, cache->path);
                if (k && (*k == 0 || *k == '/')) {
                        if (*k == 0)
                                return RET_NERRNO(fcntl(cache->fd, F_DUPFD_CLOEXEC, 3));
                        rest = k + 1;
                        fd = fcntl(cache->fd, F_DUPFD_CLOEXEC, 3);
                        if (fd < 0)
                                return -errno;
                }
        }
        if (fd < 0) {
                fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return -errno;
        }

        while (*rest) {
                const char *e = strchrnul(rest, '/');
                char name[NAME_MAX + 1];
                size_t l = (size_t)(e - rest);

                if (l > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(name, rest, l);
                name[l] = 0;

                int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0 && errno == ENOENT && create) {
                        if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        /* Made implicitly: 0755 whatever the umask, like other unpackers do. */
                        if (sub >= 0 && fchmod(sub, 0755) < 0) {
                                safe_close(sub);
                                return -errno;
                        }
                }
                if (sub < 0) {
                        struct stat st;
                        /* O_NOFOLLOW|O_DIRECTORY says ENOTDIR for a symlink: tell the two apart. */
                        if (errno == ENOTDIR && fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0 &&
                            S_ISLNK(st.st_mode))
                                return -ELOOP;
                        return -errno;
                }
                safe_close(fd);
                fd = sub;
                rest = *e ? e + 1 : e;
        }

        if (create && cache) {
                /* Remember the directory for the next entries. */
                int c = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                char *p = strdup(path);
                if (c < 0 || !p) {
                        safe_close(c);
                        free(p);
                } else {
                        dir_cache_forget(cache);
                        cache->fd = c;
                        cache->path = p;
                }
        }
        return TAKE_FD(fd);
}
