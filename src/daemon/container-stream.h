/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <systemd/sd-bus.h>

/* Container.Attach and Container.Exec: hand the client a stream served by the container's shim. */
int method_attach(sd_bus_message *m, void *userdata, sd_bus_error *error);
int method_exec(sd_bus_message *m, void *userdata, sd_bus_error *error);
