/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "container-config.h"

/* Mount helpers for the container's init. Targets are O_PATH fds from open_in_root(), so a mount
 * never lands outside the rootfs. Errors are recorded with child_error(). */

#define PROC_FD_PATH_MAX 32
/* "/proc/self/fd/N": mount(2) follows it to exactly the file the fd refers to. */
const char *proc_fd_path(int fd, char buf[static PROC_FD_PATH_MAX]);

/* Bind-mounts the host path source onto targetfd, with the MS_* flags (read-only etc.) applied to
 * the new mount before it is attached. */
int bind_mount_fd(const char *source, int targetfd, bool recursive, unsigned long flags);
/* Puts a read-only bind mount of the file or directory at fd on top of it. */
int remount_readonly_fd(int fd, const char *what);

/* The spec's mounts, in order, below rootfd. */
int mounts_apply(const ContainerConfig *c, int rootfd);
