/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

/* Starts the container at path with its output on our stdout/stderr (StartAttached), waits for it
 * to exit and returns its exit status. Signals the client receives are passed on to the container,
 * as docker's sig-proxy does; a second SIGINT within a second leaves the container and exits.
 * If the start fails, the error is shown and 125, 126 or 127 returned; with remove_on_failure
 * ("raind run") the container is removed first, so that nothing is left behind. */
int container_attach(sd_bus *bus, const char *path, bool remove_on_failure);

/* Removes a container that could not be started ("raind run" leaves nothing behind); says why
 * when that fails too, unless it is gone already. */
void container_remove_after_failure(sd_bus *bus, const char *path);
