/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#define UNIT_NAME_MAX 256

/* Escapes s so that it is usable inside a unit name: every byte outside [A-Za-z0-9:_.-] (and a
 * leading '.') becomes \xNN, as systemd-escape does. */
char *unit_name_escape(const char *s);
/* "raind-<escaped name>.scope", or NULL if it would be longer than UNIT_NAME_MAX. */
char *container_scope_name(const char *container_name);
