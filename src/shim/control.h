/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include "event.h"

#include "control-request.h"
#include "raind/macro.h"

/* The shim's control socket, DIR/control (SOCK_SEQPACKET, mode 0600, for root only). raindd connects,
 * sends one packet: a request (control-request.h) with exactly one fd attached by SCM_RIGHTS, the
 * shim's end of a new stream socketpair; the shim answers one packet, "ok" or "err <message>", and
 * raindd closes the connection. A connection that sends nothing for CONTROL_TIMEOUT_USEC is closed. */

#define CONTROL_SOCKET_NAME  "control"
#define CONTROL_TIMEOUT_USEC (5 * 1000 * 1000ULL)
#define CONTROL_PENDING_MAX  16

typedef struct ControlServer ControlServer;

/* Serves one request. Takes ownership of stream_fd whatever happens. Returns 0 to answer "ok", or a
 * negative errno with the reason in error_buf to answer "err <reason>". */
typedef int (*control_handler_t)(const ControlRequest *request, int stream_fd, char *error_buf,
                                 size_t error_size, void *userdata);

/* Binds and listens (before the container starts, so that it is there once raindd hears "ok"). */
int control_server_listen(const char *state_dir, ControlServer **ret);
int control_server_start(ControlServer *s, EventLoop *event, control_handler_t handler, void *userdata);
/* Leaves the event loop, closing connections in progress; the socket stays until freed. */
void control_server_stop(ControlServer *s);
/* Closes everything and removes the socket file (if it is still the one we made). */
ControlServer *control_server_free(ControlServer *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(ControlServer *, control_server_free);
