/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <systemd/sd-bus.h>

/* Reads an a{sv} that must be empty (options reserved for later): an unknown key is InvalidArgs. */
int bus_message_skip_options(sd_bus_message *m, sd_bus_error *error);
