/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "raind/util.h"

#define RAIND_BUS_NAME            "org.raind.raind1"
#define RAIND_MANAGER_PATH        "/org/raind/raind1"
#define RAIND_MANAGER_INTERFACE   "org.raind.raind1.Manager"
#define RAIND_CONTAINER_INTERFACE "org.raind.raind1.Container"

#define POLKIT_MANAGE_CONTAINERS "org.raind.raind1.manage-containers"
#define POLKIT_MANAGE_IMAGES     "org.raind.raind1.manage-images"
#define POLKIT_EXEC              "org.raind.raind1.exec"

/* Calls that change something may wait for polkit to ask for a password: give the user time. */
#define CLI_CALL_TIMEOUT_USEC (120 * USEC_PER_SEC)
/* Wait and ImportImage take as long as they take. */
#define CLI_CALL_NO_TIMEOUT UINT64_MAX

/* Connects to the system bus, allowing interactive authorization when stdin is a terminal. On
 * failure says in one line that raindd cannot be reached and returns the negative errno. */
int cli_bus_open(sd_bus **ret);

/* Calls a method of raindd (path, interface, member) with the arguments given by types; 0 as
 * timeout means sd-bus' default. */
int cli_call(sd_bus *bus, const char *path, const char *interface, const char *member, uint64_t timeout,
             sd_bus_error *error, sd_bus_message **ret_reply, const char *types, ...);

/* Prints the one line for a failed call, "raind: [prefix: ]text", and returns the exit status for it.
 * what/polkit_action describe the authorization the call needed (see bus_error_explain()). */
int cli_log_bus_error(const sd_bus_error *error, int r, const char *prefix, const char *what,
                      const char *polkit_action);

/* Manager.GetContainer(): the object path of a container by name, id or unique id prefix. A name
 * that cannot be valid is refused here, in error, without asking. */
int container_lookup(sd_bus *bus, const char *name_or_id, sd_bus_error *error, char **ret_path);

/* Reads one property of a container. */
int container_get_string(sd_bus *bus, const char *path, const char *property, sd_bus_error *error,
                         char **ret);
int container_get_bool(sd_bus *bus, const char *path, const char *property, sd_bus_error *error, bool *ret);

/* Takes the file descriptor out of a reply ("h" at the current position): a copy of our own, with
 * O_CLOEXEC, that outlives the message. */
int bus_reply_take_fd(sd_bus_message *reply, int *ret_fd);
