/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

typedef struct Manager Manager;

/* Starts importing the tarball read from fd in a worker; request is answered when it ends. */
int image_import_start(Manager *m, sd_bus_message *request, int fd, const char *reference);
/* True when an import runs: call was queued and is dispatched again once it has ended. */
bool image_store_busy(Manager *m, sd_bus_message *call);
void image_imports_free(Manager *m);
