/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>

#include "container-config.h"

/* The last steps of every process the shim starts in a container, the init and each exec alike, once
 * its namespaces, root and stdio are in place: working directory, credentials, no_new_privs, the
 * command looked up inside the container, seccomp, execve(). create_cwd makes a missing working
 * directory (Docker does for the init, not for an exec). Returns only on failure, with the error
 * recorded by child_error(). */
int process_exec(const ProcessConfig *p, const struct sock_fprog *seccomp, bool create_cwd);
