/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>

#include "child-report.h"
#include "devices.h"
#include "mount.h"
#include "path-in-root.h"

static const char *const device_names[] = {"null", "zero", "full", "random", "urandom", "tty"};

static const struct {
        const char *name;
        const char *target;
} device_links[] = {
    {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"},
};

static int bind_device(int rootfd, const char *name)
{
        char path[64];

        /* The same path on the host (we have not pivoted yet) and, below rootfd, in the container. */
        snprintf(path, sizeof(path), "/dev/%s", name);
        _cleanup_close_ int fd = open_in_root(rootfd, path, PATH_CREATE_FILE);
        if (fd < 0)
                return child_error(fd, 125, "Failed to create %s in the container: %m", path);
        return bind_mount_fd(path, fd, false, 0);
}

int devices_setup(int rootfd)
{
        int r;

        _cleanup_close_ int devfd = open_in_root(rootfd, "/dev", PATH_CREATE_DIRECTORY);
        if (devfd < 0)
                return child_error(devfd, 125, "Failed to create /dev in the container: %m");

        for (size_t i = 0; i < ELEMENTSOF(device_names); i++) {
                r = bind_device(rootfd, device_names[i]);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(device_links); i++)
                if (symlinkat(device_links[i].target, devfd, device_links[i].name) < 0 && errno != EEXIST)
                        return child_error(errno, 125, "Failed to create /dev/%s: %m", device_links[i].name);
        return 0;
}
