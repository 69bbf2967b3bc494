/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"

/* One client's stream (include/raind/stream-protocol.h): a SOCK_SEQPACKET socket, one packet per
 * message. Sending never blocks the shim: what the client does not take at once is queued and written
 * when the socket is writable. A stream either drops its client when it falls STREAM_PENDING_MAX
 * behind (attached to the container: the journal has everything, and one stuck client must not stall
 * the others) or lets its owner hold the producer back (an exec: output is never lost).
 *
 * A stream that ends (the client closed it, an error, dropped, or STREAM_EXIT sent and flushed) only
 * marks itself dead and disables itself; its owner frees it (stream_is_dead()), so that a stream never
 * goes away under a caller's feet. */

#define STREAM_PENDING_MAX  (1024U * 1024U)
#define STREAM_PENDING_HIGH (256U * 1024U) /* stream_is_congested() above this */

typedef struct Stream Stream;

/* Called for each packet the client sends; data is valid during the call only. */
typedef void (*stream_packet_handler_t)(Stream *s, uint8_t type, const uint8_t *data, size_t size,
                                        void *userdata);

/* Takes ownership of fd, which must be a SOCK_SEQPACKET socket. */
int stream_new(EventLoop *event, int fd, bool drop_when_behind, stream_packet_handler_t handler,
               void *userdata, Stream **ret);
Stream *stream_free(Stream *s);

/* Output, split into packets of at most STREAM_PAYLOAD_MAX bytes. */
void stream_send(Stream *s, uint8_t type, const void *data, size_t size);
/* STREAM_ERROR with one line. */
void stream_send_error(Stream *s, const char *line);
/* STREAM_EXIT, the last packet: the stream closes once it has been sent. */
void stream_send_exit(Stream *s, int status);

/* Reading the client's packets can be paused, to hold a client back whose input cannot be written. */
void stream_set_reading(Stream *s, bool reading);
bool stream_is_congested(const Stream *s);
bool stream_is_dead(const Stream *s);
/* Without an event loop, on a stream the shim gives up on (the container could not start): STREAM_ERROR
 * with message and STREAM_EXIT, as far as the socket takes them. */
void stream_fd_send_failure(int fd, int exit_code, const char *message);

/* Whether input packets from it go to the process's stdin. */
bool stream_has_stdin(const Stream *s);
void stream_set_stdin(Stream *s, bool b);
