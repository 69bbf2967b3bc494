#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A client of raind-shim's streams (include/raind/stream-protocol.h), for tests/shim/run.sh.

  stream-client.py control DIR/control REQUEST-JSON [OP...]
      connects to the control socket, sends the request with one end of a new socketpair, then
      plays the client on the other end.
  stream-client.py spawn [OP...] -- SHIM [ARG...]
      runs the shim with --stream-fd (one end of a socketpair) and plays the client on the other.

OPs run in order: send:TEXT (STREAM_STDIN; \\n and \\r are escapes), send-bytes:N (N bytes "y" in
64 KiB packets, reading output meanwhile as a real client does), resize:ROWS:COLS, close-stdin,
wait:TEXT (until the output holds TEXT), sleep:SECONDS (reading), idle:SECONDS (not reading), detach
(close the stream and stop). Afterwards it reads until STREAM_EXIT, the end of the stream or --timeout, and prints one
JSON object: {"reply", "stdout", "stderr", "errors", "exit", "eof", "order", "shim"}; "order" lists
the packet types as they came ("stdout", "stderr", "error", "exit").
"""
import json
import select
import socket
import struct
import subprocess
import sys
import time

STDIN, STDOUT, STDERR, RESIZE, CLOSE_STDIN, EXIT, ERROR = 1, 2, 3, 4, 5, 6, 7
NAMES = {STDOUT: "stdout", STDERR: "stderr", ERROR: "error", EXIT: "exit"}


class Client:
    def __init__(self, sock, timeout):
        self.sock = sock
        self.deadline = time.monotonic() + timeout
        self.out = {"stdout": b"", "stderr": b"", "errors": [], "exit": None, "eof": False, "order": []}

    def send(self, kind, payload=b""):
        """False if the shim closed the stream already (what it sent before is still to be read)."""
        try:
            self.sock.send(bytes([kind]) + payload)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def read_one(self, until):
        """Reads one packet; False at the end of the stream or when time is up."""
        left = min(until, self.deadline) - time.monotonic()
        if left <= 0 or not select.select([self.sock], [], [], left)[0]:
            return False
        try:
            data = self.sock.recv(65537 + 16)
        except ConnectionResetError:
            # Reported once when the shim closed with our input unread; its last packets follow.
            return True
        if not data:
            self.out["eof"] = True
            return False
        kind, payload = data[0], data[1:]
        self.out["order"].append(NAMES.get(kind, str(kind)))
        if kind in (STDOUT, STDERR):
            self.out[NAMES[kind]] += payload
        elif kind == ERROR:
            self.out["errors"].append(payload.decode(errors="replace"))
        elif kind == EXIT:
            self.out["exit"] = struct.unpack("<i", payload)[0]
        return True

    def send_bulk(self, n):
        self.sock.setblocking(False)
        while n > 0 and time.monotonic() < self.deadline:
            readable, writable, _ = select.select([self.sock], [self.sock], [], 1)
            if readable:
                self.sock.setblocking(True)
                if not self.read_one(self.deadline):
                    break
                self.sock.setblocking(False)
            if writable:
                k = min(n, 65536)
                try:
                    if not self.send(STDIN, b"y" * k):
                        break
                    n -= k
                except BlockingIOError:
                    pass
        self.sock.setblocking(True)

    def run(self, ops):
        for op in ops:
            name, _, arg = op.partition(":")
            if name == "send":
                self.send(STDIN, arg.replace("\\n", "\n").replace("\\r", "\r").encode())
            elif name == "send-bytes":
                self.send_bulk(int(arg))
            elif name == "resize":
                rows, cols = arg.split(":")
                self.send(RESIZE, struct.pack("<HH", int(rows), int(cols)))
            elif name == "close-stdin":
                self.send(CLOSE_STDIN)
            elif name == "wait":
                while arg.encode() not in self.out["stdout"] + self.out["stderr"]:
                    if not self.read_one(self.deadline):
                        break
            elif name == "sleep":
                end = time.monotonic() + float(arg)
                while self.read_one(end):
                    pass
            elif name == "idle":
                time.sleep(float(arg))
            elif name == "detach":
                self.sock.close()
                return
            else:
                raise SystemExit(f"unknown op {op}")
        while self.out["exit"] is None and self.read_one(self.deadline):
            pass
        self.sock.close()

    def result(self, **extra):
        r = dict(self.out, **extra)
        r["stdout"] = r["stdout"].decode(errors="replace")
        r["stderr"] = r["stderr"].decode(errors="replace")
        return r


def control(path, request, ops, timeout):
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c.connect(path)
    socket.send_fds(c, [request.encode()], [theirs.fileno()])
    theirs.close()
    reply = c.recv(4096).decode()
    c.close()
    client = Client(mine, timeout)
    if reply == "ok":
        client.run(ops)
    return client.result(reply=reply)


def spawn(ops, command, timeout):
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    shim = subprocess.Popen(command + ["--stream-fd", str(theirs.fileno())], pass_fds=[theirs.fileno()])
    theirs.close()
    client = Client(mine, timeout)
    client.run(ops)
    try:
        rc = shim.wait(timeout=max(1, client.deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        shim.kill()
        rc = shim.wait()
    return client.result(reply=None, shim=rc)


def main():
    args = sys.argv[1:]
    timeout = 10.0
    if args[:1] == ["--timeout"]:
        timeout, args = float(args[1]), args[2:]
    if args[0] == "control":
        r = control(args[1], args[2], args[3:], timeout)
    elif args[0] == "spawn":
        sep = args.index("--")
        r = spawn(args[1:sep], args[sep + 1:], timeout)
    else:
        raise SystemExit(__doc__)
    print(json.dumps(r))


if __name__ == "__main__":
    main()
