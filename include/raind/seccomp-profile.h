/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

struct json_object;

/* Errno the default profile returns for syscalls it does not allow. */
#define SECCOMP_PROFILE_DEFAULT_ERRNO 1 /* EPERM */

/* Builds the OCI "linux.seccomp" object of raind's default profile: Docker's default profile, a
 * little stricter (no io_uring, time adjustment only with CAP_SYS_TIME). effective_caps is the
 * container's effective capability set as a bit mask (bit N = capability N); NULL means none.
 * Syscall groups gated by a capability are allowed only when that capability is in the mask. */
int seccomp_profile_default_json(const uint64_t *effective_caps, struct json_object **ret);
