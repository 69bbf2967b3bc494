/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "path-in-root.h"
#include "raind/macro.h"

static int openat2_in_root(int rootfd, const char *path)
{
        struct open_how how = {
            .flags = O_PATH | O_CLOEXEC,
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        return fd < 0 ? -errno : fd;
}

static int create_entry(int parentfd, const char *name, bool file)
{
        if (file) {
                int fd = openat(parentfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (fd < 0)
                        return -errno;
                safe_close(fd);
                return 0;
        }
        return mkdirat(parentfd, name, 0755) < 0 ? -errno : 0;
}

int open_in_root(int rootfd, const char *path, PathCreate create)
{
        int fd = openat2_in_root(rootfd, path);
        if (fd != -ENOENT || create == PATH_CREATE_NONE)
                return fd;

        /* Walk down from the root, creating what is missing. Each prefix is resolved from the root
         * again, so a symlink met on the way is followed inside the root as well; what gets created
         * always lands in the directory a prefix really resolved to. */
        _cleanup_free_ char *prefix = strdup(path);
        _cleanup_close_ int parentfd = -EBADF;
        if (!prefix)
                return -ENOMEM;
        parentfd = openat2_in_root(rootfd, "/");
        if (parentfd < 0)
                return parentfd;

        for (char *p = prefix;;) {
                p += strspn(p, "/");
                if (!*p)
                        return TAKE_FD(parentfd);
                char *end = strchrnul(p, '/');
                bool last = end[strspn(end, "/")] == 0;
                char saved = *end;
                *end = 0;

                fd = openat2_in_root(rootfd, prefix);
                if (fd == -ENOENT) {
                        int r = create_entry(parentfd, p, last && create == PATH_CREATE_FILE);
                        if (r < 0 && r != -EEXIST)
                                return r;
                        fd = openat2_in_root(rootfd, prefix);
                }
                if (fd < 0)
                        return fd;
                safe_close(parentfd);
                parentfd = fd;
                *end = saved;
                p = end;
        }
}
