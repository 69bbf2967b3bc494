/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/types.h>

/* Like fork(), with the CLONE_* flags (new namespaces, CLONE_PARENT) and a pidfd for the child from
 * the start. Returns the pid (0 in the child) or -1 with errno set. */
pid_t clone_with_pidfd(unsigned long flags, int *ret_pidfd);
