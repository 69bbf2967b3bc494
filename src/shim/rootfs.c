/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include "child-report.h"
#include "rootfs.h"

/* mount(2) copies at most a page of options. */
#define MOUNT_DATA_MAX 4095

/* Deep images do not fit into a page of options; Linux ≥ 6.8 takes the layers one by one. */
static int mount_overlay_by_layer(const ContainerConfig *c)
{
        _cleanup_close_ int fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
        _cleanup_free_ char *layers = strdup(c->overlay_lowerdir);
        char *save = NULL;

        if (fsfd < 0)
                return child_error(errno, 125, "Failed to open overlay file system context: %m");
        if (!layers)
                return child_error(ENOMEM, 125, "Out of memory.");
        for (char *l = strtok_r(layers, ":", &save); l; l = strtok_r(NULL, ":", &save))
                if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", l, 0) < 0)
                        return child_error(errno, 125, "Too many image layers for this kernel (%s): %m", l);
        if (c->overlay_upperdir &&
            (fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", c->overlay_upperdir, 0) < 0 ||
             fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", c->overlay_workdir, 0) < 0))
                return child_error(errno, 125, "Failed to configure overlay upper directory: %m");
        if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return child_error(errno, 125, "Failed to create overlay file system: %m");

        _cleanup_close_ int mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
        if (mntfd < 0)
                return child_error(errno, 125, "Failed to mount overlay file system: %m");
        if (move_mount(mntfd, "", AT_FDCWD, c->rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return child_error(errno, 125, "Failed to attach overlay on %s: %m", c->rootfs);
        return 0;
}

static int mount_overlay(const ContainerConfig *c)
{
        char data[MOUNT_DATA_MAX + 2];
        int n;

        if (c->overlay_upperdir)
                n = snprintf(data, sizeof(data), "lowerdir=%s,upperdir=%s,workdir=%s", c->overlay_lowerdir,
                             c->overlay_upperdir, c->overlay_workdir);
        else
                n = snprintf(data, sizeof(data), "lowerdir=%s", c->overlay_lowerdir);
        if (n > MOUNT_DATA_MAX)
                return mount_overlay_by_layer(c);
        if (mount("overlay", c->rootfs, "overlay", 0, data) < 0)
                return child_error(errno, 125, "Failed to mount overlay on %s: %m", c->rootfs);
        return 0;
}

int rootfs_prepare(const ContainerConfig *c, int *ret_rootfd)
{
        int r;

        /* Nothing mounted from here on may propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return child_error(errno, 125, "Failed to make / private: %m");

        if (c->overlay_lowerdir)
                r = mount_overlay(c);
        else if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                r = child_error(errno, 125, "Failed to bind-mount rootfs %s: %m", c->rootfs);
        else
                r = 0;
        if (r < 0)
                return r;

        /* Opened after mounting, so that the fd is the root of the new mount. */
        int fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return child_error(errno, 125, "Failed to open rootfs %s: %m", c->rootfs);
        *ret_rootfd = fd;
        return 0;
}

int rootfs_pivot(int rootfd, bool readonly)
{
        if (fchdir(rootfd) < 0)
                return child_error(errno, 125, "Failed to enter rootfs: %m");
        /* Stack the old root on top of the new one, then detach it: no directory needed for it. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return child_error(errno, 125, "Failed to pivot_root: %m");
        if (umount2(".", MNT_DETACH) < 0)
                return child_error(errno, 125, "Failed to detach the old root: %m");
        if (chdir("/") < 0)
                return child_error(errno, 125, "Failed to change to new root: %m");
        if (!readonly)
                return 0;

        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof(attr)) < 0)
                return child_error(errno, 125, "Failed to make the root read-only: %m");
        return 0;
}
