/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

/* Starts the container at path with StartInteractive and connects the stream to our stdio (see
 * stream_pump()): input copies our stdin to the container, tty is the container's Tty. Returns
 * the exit status for raind. If the start fails, the error is shown and 125, 126 or 127
 * returned; with remove_on_failure ("raind run") the container is removed first. */
int container_start_interactive(sd_bus *bus, const char *path, bool input, bool tty, bool remove_on_failure);
