/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "container-config.h"

/* In the container's new mount namespace: stops propagation to the host, mounts the overlay from
 * the org.raind.overlay.* annotations on the rootfs (or bind-mounts the rootfs onto itself) and
 * returns an O_PATH fd of its root. */
int rootfs_prepare(const ContainerConfig *c, int *ret_rootfd);
/* Makes rootfd the root and detaches the old one; read-only if asked. */
int rootfs_pivot(int rootfd, bool readonly);
