/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <systemd/sd-bus.h>

/* What the client asks systemd itself, on the same system bus: the containers' scopes. */
#define SYSTEMD_BUS_NAME          "org.freedesktop.systemd1"
#define SYSTEMD_MANAGER_PATH      "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER_INTERFACE "org.freedesktop.systemd1.Manager"
#define SYSTEMD_SCOPE_INTERFACE   "org.freedesktop.systemd1.Scope"

/* Calls a method of org.freedesktop.systemd1.Manager. */
int systemd_call(sd_bus *bus, const char *member, sd_bus_error *error, sd_bus_message **ret_reply,
                 const char *types, ...);

/* GetUnit(): the object path of a loaded unit; org.freedesktop.systemd1.NoSuchUnit when it is not. */
int systemd_get_unit_path(sd_bus *bus, const char *unit, sd_bus_error *error, char **ret_path);
