/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "container-config.h"

/* Switches a container process (the init or an exec) to process.user and process.capabilities, as
 * runc does: bounding set first (while still privileged), then the user with the permitted set kept
 * across setuid, then effective/permitted/inheritable and ambient from the spec. For a non-root user
 * execve() then clears what no file capability or ambient set grants, which gives Docker's behaviour. */
int credentials_apply(const ProcessConfig *c);
