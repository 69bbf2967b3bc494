/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

/* The stream between a client (raind attach/exec/run -it) and raind-shim. raindd makes a
 * SOCK_SEQPACKET socketpair, hands one end to the shim (over the shim's control socket, or at spawn
 * time) and the other to the client as the D-Bus 'h' reply of Attach/Exec/StartInteractive; raindd
 * never sees the bytes. Every packet is one type byte followed by its payload (at most
 * STREAM_PAYLOAD_MAX bytes); integers are little-endian. */

#define STREAM_PAYLOAD_MAX 65536

enum {
        STREAM_STDIN = 0x01,       /* client → shim: bytes for the process's stdin (or the pty) */
        STREAM_STDOUT = 0x02,      /* shim → client: bytes the process wrote to stdout (or the pty) */
        STREAM_STDERR = 0x03,      /* shim → client: bytes written to stderr (never with a tty) */
        STREAM_RESIZE = 0x04,      /* client → shim: uint16 rows, uint16 cols */
        STREAM_CLOSE_STDIN = 0x05, /* client → shim: end of input (Ctrl-D on a pipe) */
        STREAM_EXIT = 0x06,        /* shim → client: int32 exit status; the last packet */
        STREAM_ERROR = 0x07,       /* shim → client: one line of text, why the process could not run;
                                    * followed by STREAM_EXIT (125, 126 or 127) */
};
