/* SPDX-License-Identifier: Apache-2.0 */
#include <sys/mount.h>
#include <sys/stat.h>

#include "child-report.h"
#include "masked-paths.h"
#include "mount.h"
#include "path-in-root.h"
#include "raind/strv.h"

static int mask_path(const char *path, int rootfd)
{
        char buf[PROC_FD_PATH_MAX];
        struct stat st;

        _cleanup_close_ int fd = open_in_root(rootfd, path, PATH_CREATE_NONE);
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return child_error(fd, 125, "Failed to open %s to mask it: %m", path);
        if (fstat(fd, &st) < 0)
                return child_error(errno, 125, "Failed to stat %s: %m", path);
        if (!S_ISDIR(st.st_mode))
                return bind_mount_fd("/dev/null", fd, false, 0);
        if (mount("tmpfs", proc_fd_path(fd, buf), "tmpfs", MS_RDONLY, NULL) < 0)
                return child_error(errno, 125, "Failed to mask %s: %m", path);
        return 0;
}

int paths_mask(char *const *paths, int rootfd)
{
        STRV_FOREACH (p, paths) {
                int r = mask_path(*p, rootfd);
                if (r < 0)
                        return r;
        }
        return 0;
}

int paths_make_readonly(char *const *paths, int rootfd)
{
        STRV_FOREACH (p, paths) {
                _cleanup_close_ int fd = open_in_root(rootfd, *p, PATH_CREATE_NONE);
                if (fd == -ENOENT)
                        continue;
                if (fd < 0)
                        return child_error(fd, 125, "Failed to open %s: %m", *p);
                int r = remount_readonly_fd(fd, *p);
                if (r < 0)
                        return r;
        }
        return 0;
}
