#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs a command on a pseudo-terminal and drives it like a user at a keyboard.

    pty-run.py [--rows N] [--cols N] [--timeout SEC] STEP... -- COMMAND [ARG...]

Steps run in the order given:
    --expect REGEX     wait until the output since the last match matches REGEX (Python re)
    --send TEXT        type TEXT; escapes: \\r \\n \\t \\e \\xNN \\\\ and ^X for Ctrl-X (^P^Q,
                       ^C, ^D, ^[; \\^ is a literal ^)
    --sendline TEXT    type TEXT and Enter (\\r)
    --resize ROWS COLS set the window size (TIOCSWINSZ); the command gets SIGWINCH
    --sleep SEC        wait, reading output meanwhile
    --kill SIGNAL      send SIGNAL (TERM, SIGHUP, 15 …) to the terminal's foreground process
                       group, as a key like ^C would (the command, unless it runs others there)
    --close            hang up: close our side of the terminal
    --timeout SEC      time limit of the following --expect steps and of the final wait

After the steps pty-run waits for the command to exit. It writes everything the command
printed (the transcript, as is) to stdout, then a line "[pty-run: exit status N]" (128+N when
killed by signal N) and exits with N. When an --expect times out or the command does not exit
in time it says why on stderr, kills the command and exits with 124; usage errors exit with 2.
Standard library only.
"""

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

EXIT_TIMEOUT = 124


class StepAction(argparse.Action):
    """Appends (step, values) to namespace.steps, keeping the order of the command line."""

    def __call__(self, parser, namespace, values, option_string=None):
        steps = getattr(namespace, "steps", None) or []
        steps.append((self.dest, values))
        namespace.steps = steps


def unescape(text):
    """Turns the escapes of --send into bytes."""
    out = bytearray()
    i = 0
    raw = text.encode()
    while i < len(raw):
        c = raw[i : i + 1]
        nxt = raw[i + 1 : i + 2]
        if c == b"\\" and nxt:
            simple = {b"r": b"\r", b"n": b"\n", b"t": b"\t", b"e": b"\x1b", b"\\": b"\\", b"^": b"^"}
            if nxt in simple:
                out += simple[nxt]
                i += 2
                continue
            if nxt == b"x" and re.fullmatch(rb"[0-9a-fA-F]{2}", raw[i + 2 : i + 4]):
                out.append(int(raw[i + 2 : i + 4], 16))
                i += 4
                continue
            raise ValueError(f"unknown escape \\{nxt.decode()} in {text!r}")
        if c == b"^" and nxt:
            key = nxt.upper()
            if key == b"?":
                out.append(0x7F)
            elif b"@" <= key <= b"_":
                out.append(key[0] - 0x40)
            else:
                raise ValueError(f"unknown control key ^{nxt.decode()} in {text!r}")
            i += 2
            continue
        out += c
        i += 1
    return bytes(out)


def signal_number(name):
    if name.isdigit():
        return int(name)
    name = name.upper()
    try:
        return signal.Signals[name if name.startswith("SIG") else "SIG" + name].value
    except KeyError:
        raise ValueError(f"unknown signal {name}") from None


def set_window_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Session:
    def __init__(self, argv, rows, cols):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                set_window_size(sys.stdin.fileno(), rows, cols)
                os.execvp(argv[0], argv)
            except OSError as e:
                os.write(2, f"pty-run: cannot run {argv[0]}: {e.strerror}\n".encode())
            os._exit(127)
        self.pending = b""  # output not yet consumed by an --expect
        self.status = None
        self.eof = False

    def read(self, timeout):
        """Reads what is there within timeout seconds; copies it to stdout."""
        if self.eof:
            if timeout > 0:
                time.sleep(min(timeout, 0.05))
            return
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: every copy of the other side is closed
            data = b""
        if not data:
            self.eof = True
            return
        self.pending += data
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

    def poll_exit(self):
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.status = os.waitstatus_to_exitcode(status)
                if self.status < 0:
                    self.status = 128 - self.status
        return self.status

    def expect(self, pattern, timeout):
        regex = re.compile(pattern.encode(), re.MULTILINE)
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.pending)
            if m:
                self.pending = self.pending[m.end() :]
                return True
            left = deadline - time.monotonic()
            if left <= 0 or (self.eof and self.poll_exit() is not None):
                return False
            self.read(min(left, 0.1))

    def send(self, data):
        while data:
            n = os.write(self.fd, data)
            data = data[n:]

    def sleep(self, seconds):
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.read(min(left, 0.1))

    def signal(self, sig):
        try:
            os.killpg(os.tcgetpgrp(self.fd), sig)
        except OSError:
            os.kill(self.pid, sig)

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
            self.eof = True

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while self.poll_exit() is None:
            if time.monotonic() > deadline:
                return False
            self.read(0.1)
        # Take what is left, without waiting for processes it left behind that keep the pty.
        deadline = time.monotonic() + 0.5
        while not self.eof and time.monotonic() < deadline:
            self.read(0.05)
        return True

    def kill(self):
        if self.poll_exit() is not None:
            return
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def main():
    parser = argparse.ArgumentParser(
        prog="pty-run.py",
        usage="%(prog)s [--rows N] [--cols N] [--timeout SEC] STEP... -- COMMAND [ARG...]",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rows", type=int, default=24)
    parser.add_argument("--cols", type=int, default=80)
    for name in ("expect", "send", "sendline"):
        parser.add_argument(f"--{name}", action=StepAction, metavar="TEXT")
    parser.add_argument("--resize", action=StepAction, nargs=2, type=int, metavar=("ROWS", "COLS"))
    parser.add_argument("--sleep", action=StepAction, type=float, metavar="SEC")
    parser.add_argument("--kill", action=StepAction, metavar="SIGNAL")
    parser.add_argument("--close", action=StepAction, nargs=0)
    parser.add_argument("--timeout", action=StepAction, type=float, metavar="SEC")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("missing COMMAND (after --)")
    steps = getattr(args, "steps", None) or []
    try:
        steps = [(k, unescape(v) if k in ("send", "sendline") else signal_number(v) if k == "kill" else v)
                 for k, v in steps]
    except ValueError as e:
        parser.error(str(e))

    timeout = 10.0
    session = Session(command, args.rows, args.cols)
    for kind, value in steps:
        if kind == "timeout":
            timeout = value
        elif kind == "expect":
            if not session.expect(value, timeout):
                sys.stdout.flush()
                why = "the command exited" if session.status is not None else f"{timeout:g} s passed"
                print(f"\npty-run: {why} before the output matched /{value}/", file=sys.stderr)
                session.kill()
                return EXIT_TIMEOUT
        elif kind == "send":
            session.send(value)
        elif kind == "sendline":
            session.send(value + b"\r")
        elif kind == "resize":
            set_window_size(session.fd, *value)
        elif kind == "sleep":
            session.sleep(value)
        elif kind == "kill":
            session.signal(value)
        elif kind == "close":
            session.close()

    if not session.wait(timeout):
        print(f"\npty-run: the command did not exit within {timeout:g} s", file=sys.stderr)
        session.kill()
        return EXIT_TIMEOUT
    session.close()
    print(f"\n[pty-run: exit status {session.status}]")
    return session.status


if __name__ == "__main__":
    sys.exit(main())
