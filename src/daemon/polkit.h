/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <systemd/sd-bus.h>

typedef struct Manager Manager;

#define POLKIT_ACTION_MANAGE_CONTAINERS "org.raind.raind1.manage-containers"
#define POLKIT_ACTION_MANAGE_IMAGES     "org.raind.raind1.manage-images"
#define POLKIT_ACTION_EXEC              "org.raind.raind1.exec"

/* Checks whether the sender of call may do action. Returns 1 when authorized, 0 when the check is
 * under way (the handler returns 1 and is called again with the same message once polkit answered),
 * or a negative error with error set (AccessDenied, InteractiveAuthorizationRequired). */
int polkit_verify_async(Manager *m, sd_bus_message *call, const char *action, sd_bus_error *error);
void polkit_queries_free(Manager *m);
