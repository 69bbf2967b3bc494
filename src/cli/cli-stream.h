/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "raind/stream-protocol.h"

/* The client's side of include/raind/stream-protocol.h: packets on a SOCK_SEQPACKET socket, one
 * type byte and its payload each. Decoding is pure, so it can be tested without a shim. */

/* Room for the largest packet, type byte included. */
#define STREAM_PACKET_MAX (1 + STREAM_PAYLOAD_MAX)

typedef struct StreamPacket {
        uint8_t type;
        const uint8_t *payload; /* points into the received buffer */
        size_t size;
} StreamPacket;

/* Splits a received packet into type and payload and checks what can be checked: not empty, not
 * longer than STREAM_PACKET_MAX, the fixed sizes of STREAM_RESIZE (4), STREAM_EXIT (4) and
 * STREAM_CLOSE_STDIN (0). Unknown types pass, for the caller to skip. -EBADMSG otherwise. */
int stream_packet_parse(const void *buf, size_t size, StreamPacket *ret);

/* The payload of STREAM_RESIZE: uint16 rows, uint16 cols, little-endian. */
void stream_resize_encode(uint16_t rows, uint16_t cols, uint8_t ret[static 4]);
int stream_resize_decode(const StreamPacket *p, uint16_t *ret_rows, uint16_t *ret_cols);

/* The payload of STREAM_EXIT: int32, little-endian. */
void stream_exit_encode(int32_t status, uint8_t ret[static 4]);
int stream_exit_decode(const StreamPacket *p, int *ret_status);

/* The text of STREAM_ERROR as one printable line: control characters become spaces, a trailing
 * newline goes. */
int stream_error_text(const StreamPacket *p, char **ret);

/* Sends one packet without blocking (MSG_DONTWAIT) and without SIGPIPE: 0, -EAGAIN when the
 * socket is full, -EMSGSIZE for a payload over STREAM_PAYLOAD_MAX, or another negative errno. */
int stream_send(int fd, uint8_t type, const void *payload, size_t size);

/* Receives one packet into buf (STREAM_PACKET_MAX bytes) without blocking: its size, 0 at the end
 * of the stream, -EAGAIN when there is none yet, -EBADMSG for a truncated one. */
ssize_t stream_receive(int fd, uint8_t buf[static STREAM_PACKET_MAX]);
