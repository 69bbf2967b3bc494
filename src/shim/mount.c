/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "child-report.h"
#include "mount.h"
#include "path-in-root.h"

const char *proc_fd_path(int fd, char buf[static PROC_FD_PATH_MAX])
{
        snprintf(buf, PROC_FD_PATH_MAX, "/proc/self/fd/%d", fd);
        return buf;
}

static int attach_tree(int treefd, int targetfd, bool recursive, unsigned long flags, const char *what)
{
        uint64_t set, clr;

        mount_flags_to_attr(flags, &set, &clr);
        struct mount_attr attr = {.attr_set = set, .attr_clr = clr};
        if ((attr.attr_set || attr.attr_clr) &&
            mount_setattr(treefd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) <
                0)
                return child_error(errno, 125, "Failed to set mount attributes of %s: %m", what);
        if (move_mount(treefd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return child_error(errno, 125, "Failed to attach mount of %s: %m", what);
        return 0;
}

int bind_mount_fd(const char *source, int targetfd, bool recursive, unsigned long flags)
{
        _cleanup_close_ int treefd = open_tree(
            AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
        if (treefd < 0)
                return child_error(errno, 125, "Failed to clone mount of %s: %m", source);
        return attach_tree(treefd, targetfd, recursive, flags, source);
}

int remount_readonly_fd(int fd, const char *what)
{
        _cleanup_close_ int treefd =
            open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
        if (treefd < 0)
                return child_error(errno, 125, "Failed to clone mount of %s: %m", what);
        return attach_tree(treefd, fd, true, MS_RDONLY, what);
}

static int set_propagation(const MountSpec *m, int rootfd)
{
        char buf[PROC_FD_PATH_MAX];

        if (m->options.propagation == 0)
                return 0;
        /* Open again: the fd we mounted on still refers to the directory below the new mount. */
        _cleanup_close_ int fd = open_in_root(rootfd, m->destination, PATH_CREATE_NONE);
        if (fd < 0)
                return child_error(fd, 125, "Failed to open %s: %m", m->destination);
        if (mount(NULL, proc_fd_path(fd, buf), NULL, m->options.propagation, NULL) < 0)
                return child_error(errno, 125, "Failed to set propagation of %s: %m", m->destination);
        return 0;
}

static int mount_bind(const MountSpec *m, int rootfd)
{
        struct stat st;

        if (stat(m->source, &st) < 0)
                return child_error(errno, 125, "Failed to bind-mount %s: %m", m->source);
        _cleanup_close_ int fd = open_in_root(
            rootfd, m->destination, S_ISDIR(st.st_mode) ? PATH_CREATE_DIRECTORY : PATH_CREATE_FILE);
        if (fd < 0)
                return child_error(fd, 125, "Failed to create mount point %s: %m", m->destination);
        return bind_mount_fd(m->source, fd, m->options.recursive, m->options.flags);
}

static int mount_filesystem(const MountSpec *m, int rootfd)
{
        /* OCI says "cgroup"; raind supports the unified hierarchy only. */
        const char *type = streq(m->type, "cgroup") ? "cgroup2" : m->type;
        char buf[PROC_FD_PATH_MAX];

        _cleanup_close_ int fd = open_in_root(rootfd, m->destination, PATH_CREATE_DIRECTORY);
        if (fd < 0)
                return child_error(fd, 125, "Failed to create mount point %s: %m", m->destination);
        if (mount(m->source ?: type, proc_fd_path(fd, buf), type, m->options.flags, m->options.data) >= 0)
                return 0;

        /* Without a network namespace of its own the container may not mount a sysfs; show it the
         * host's, read-only, as runc does. */
        if (errno == EPERM && streq(type, "sysfs"))
                return bind_mount_fd("/sys", fd, true, m->options.flags | MS_RDONLY);
        return child_error(errno, 125, "Failed to mount %s on %s: %m", type, m->destination);
}

int mounts_apply(const ContainerConfig *c, int rootfd)
{
        int r;

        for (size_t i = 0; i < c->n_mounts; i++) {
                const MountSpec *m = &c->mounts[i];

                r = m->options.bind ? mount_bind(m, rootfd) : mount_filesystem(m, rootfd);
                if (r < 0)
                        return r;
                r = set_propagation(m, rootfd);
                if (r < 0)
                        return r;
        }
        return 0;
}
