#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for journald in tests: receives native-protocol datagrams on SOCKET and writes one JSON
object per entry to OUT until an entry with MESSAGE=raind-test-stop arrives. Run it in a private
mount namespace with a tmpfs on /run so that the host's journal is not involved."""
import json
import os
import socket
import struct
import sys


def parse(data):
    fields = {}
    while data:
        nl = data.index(b"\n")
        line, data = data[:nl], data[nl + 1:]
        if b"=" in line:
            key, value = line.split(b"=", 1)
        else:  # binary-safe form: NAME\n<le64 size><data>\n
            key, (size,) = line, struct.unpack("<Q", data[:8])
            value, data = data[8:8 + size], data[8 + size + 1:]
        fields[key.decode()] = value.decode(errors="replace")
    return fields


def main():
    sock_path, out_path = sys.argv[1:3]
    os.makedirs(os.path.dirname(sock_path), exist_ok=True)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(sock_path)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    open(out_path + ".ready", "w").close()
    with open(out_path, "w") as out:
        while True:
            msg, ancillary, _, _ = s.recvmsg(1 << 20, socket.CMSG_SPACE(16))
            for _, _, data in ancillary:  # large entries arrive as a memfd
                fd = struct.unpack("i", data[:4])[0]
                msg = os.pread(fd, 1 << 22, 0)
                os.close(fd)
            fields = parse(msg)
            if fields.get("MESSAGE") == "raind-test-stop":
                return
            out.write(json.dumps(fields) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
