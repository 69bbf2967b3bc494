/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/types.h>

/* The --sync-fd protocol with raindd (a SOCK_SEQPACKET socket): raindd sends "g" once it moved
 * the shim into the container's scope; the shim answers with one message, "ok <pid>" or
 * "err <errno> <exit code> <message>". */

/* Blocks for raindd's message: 1 for go, 0 for anything else (EOF included): abort. */
int sync_wait_for_go(int fd);
/* Both ignore a peer that went away: raindd may restart, the container keeps running. */
void sync_send_ok(int fd, pid_t pid);
void sync_send_error(int fd, int error, int exit_code, const char *message);
