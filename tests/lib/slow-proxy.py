#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An HTTP reverse proxy on 127.0.0.1 in front of a registry that slows blob downloads down, so that a
test can kill a puller in the middle of a layer and see what it resumes:

  slow-proxy.py UPSTREAM PORT_FILE [--rate RATE] [--port PORT] [--log FILE]

UPSTREAM is host:port (or http://host:port) of the registry. Every request is passed through as it
came (method, path, headers with Host, Authorization and Range, body); every answer comes back as the
registry gave it (status, headers, body), redirects included: the proxy follows none itself. Only the
bodies of GET /v2/NAME/blobs/DIGEST answers are throttled to RATE bytes per second per answer (suffix
K, M or G: KiB, MiB, GiB; default 2M), so a pull that fetches several layers at once gets RATE for
each. Range requests pass through, so 206 answers are throttled the same way.

When it listens (PORT: 0 or none for a free one), it writes its port to PORT_FILE (atomically) and
runs until it gets SIGTERM or SIGINT. --log FILE: one line per request, written when the answer is
done: `METHOD PATH range=RANGE status=STATUS bytes=BODY_BYTES [aborted]` (range=- without one;
aborted when the client went away before the end of the body).
"""

import argparse
import http.client
import http.server
import os
import re
import signal
import socketserver
import sys
import threading
import time

BLOB_GET = re.compile(r"^/v2/.+/blobs/[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+(?:\?.*)?$")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade"}
PIECE = 16 << 10  # throttled bodies go out in pieces of this size
UNTHROTTLED_PIECE = 256 << 10


def parse_rate(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]?)(?:i?B)?(?:/s)?", text.strip(), re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"not a rate: {text}")
    rate = float(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2).upper()]
    if rate <= 0:
        raise argparse.ArgumentTypeError("the rate must be above 0")
    return rate


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "raind-slow-proxy"

    def log_message(self, fmt, *args):  # no access log on stderr; --log has its own
        pass

    def record(self, status, sent, aborted):
        log = self.server.log
        if log is None:
            return
        line = f"{self.command} {self.path} range={self.headers.get('Range', '-')} status={status} bytes={sent}" + \
            (" aborted" if aborted else "") + "\n"
        with self.server.log_lock:
            log.write(line)
            log.flush()

    def read_request_body(self):
        """The request body, de-chunked: forwarded with a Content-Length."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def forward(self):
        body = self.read_request_body()
        # A list, not a dict: clients repeat headers (Go sends one Accept line per manifest type).
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"content-length"}]
        if body is not None:
            headers.append(("Content-Length", str(len(body))))
        upstream = http.client.HTTPConnection(*self.server.upstream, timeout=300)
        try:
            try:
                upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for k, v in headers:
                    upstream.putheader(k, v)
                upstream.endheaders(body)
                resp = upstream.getresponse()
            except OSError as e:
                self.send_error(502, f"upstream: {e}")
                self.record(502, 0, False)
                return
            throttled = self.command == "GET" and BLOB_GET.match(self.path) and resp.status in (200, 206)
            self.send_response_only(resp.status, resp.reason)
            length = resp.getheader("Content-Length")
            for k, v in resp.getheaders():
                if k.lower() not in HOP_BY_HOP:
                    self.send_header(k, v)
            has_body = self.command != "HEAD" and resp.status not in (204, 304) and not 100 <= resp.status < 200
            chunked = has_body and length is None
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            sent, aborted = 0, False
            if has_body:
                try:
                    sent = self.copy_body(resp, chunked, self.server.rate if throttled else None)
                except (BrokenPipeError, ConnectionResetError):
                    aborted = True
                    self.close_connection = True
                    sent = self.sent
            self.record(resp.status, sent, aborted)
        finally:
            upstream.close()

    def copy_body(self, resp, chunked, rate):
        self.sent = 0
        start = time.monotonic()
        while True:
            piece = resp.read(PIECE if rate else UNTHROTTLED_PIECE)
            if not piece:
                break
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
            self.wfile.flush()
            self.sent += len(piece)
            if rate:
                ahead = self.sent / rate - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(ahead)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        return self.sent

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = do_OPTIONS = forward


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("upstream", help="the registry: host:port or http://host:port")
    p.add_argument("port_file")
    p.add_argument("--rate", type=parse_rate, default=parse_rate("2M"), help="bytes per second (K, M, G)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log")
    args = p.parse_args()

    m = re.fullmatch(r"(?:http://)?([^:/]+):(\d+)/?", args.upstream)
    if not m:
        p.error(f"UPSTREAM must be host:port, not {args.upstream}")
    server = Server(("127.0.0.1", args.port), Proxy)
    server.upstream = (m.group(1), int(m.group(2)))
    server.rate = args.rate
    server.log = open(args.log, "a") if args.log else None
    server.log_lock = threading.Lock()

    def stop(signum, frame):
        # shutdown() waits for serve_forever() to return: call it from another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    tmp = f"{args.port_file}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{server.server_address[1]}\n")
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        if server.log:
            server.log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
