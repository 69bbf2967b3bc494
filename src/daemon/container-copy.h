/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <systemd/sd-bus.h>

/* Container.CopyFrom and Container.CopyTo (raind container cp): a forked helper enters the
 * container's root (its mount namespace when running, a private overlay mount when not) and chroots
 * there, so that every path, symlinks included, resolves inside the container. */
int method_copy_from(sd_bus_message *m, void *userdata, sd_bus_error *error);
int method_copy_to(sd_bus_message *m, void *userdata, sd_bus_error *error);
