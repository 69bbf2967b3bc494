/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <systemd/sd-bus.h>

typedef struct Manager Manager;
typedef struct Container Container;

/* Subscribes to systemd's job signals; call once at startup. */
int scope_setup(Manager *m);
/* Starts raind-<name>.scope holding pid. done() is called once systemd's job finished, with 0 on
 * success or a negative error and a message. */
typedef void (*scope_done_t)(Container *c, int r, const char *message);
int scope_start(Container *c, pid_t pid, scope_done_t done);
void scope_cancel(Container *c);
void scope_stop(Container *c);
void job_waiters_free(Manager *m);
