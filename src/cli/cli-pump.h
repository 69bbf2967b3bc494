/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

/* Copies a stream (include/raind/stream-protocol.h) to and from the client's stdio until the
 * process at the other end exits or the user detaches. */
typedef struct PumpOptions {
        bool input; /* copy stdin into the stream; its end becomes STREAM_CLOSE_STDIN */
        bool tty;   /* the process has a pseudo-terminal: with input from a terminal, raw mode;
                     * the window size is sent at once and on every SIGWINCH */
        /* The container whose stream this is. Signals received are passed on to it with Kill
         * (docker's sig-proxy) unless the terminal is in raw mode, where keys are input; and
         * when the stream ends without STREAM_EXIT its status is asked with Wait. NULL (exec):
         * signals end raind, the process keeps running. */
        sd_bus *bus;
        const char *container_path;
} PumpOptions;

/* Takes the stream fd. Returns the exit status for raind: STREAM_EXIT's, 0 after Ctrl-P Ctrl-Q
 * (the container keeps running), 128+N after signal N (when not passed on), 125 for a failure.
 * STREAM_ERROR text is printed as "raind: <text>". The terminal is restored on every path. */
int stream_pump(int fd, const PumpOptions *o);
