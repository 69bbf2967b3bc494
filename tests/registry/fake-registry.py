#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A tiny registry for the cases a real one will not produce: fake-registry.py PORTFILE DIR MODE
# serves DIR/manifest.json (with DIR/content-type) and DIR/blobs/<digest> for any repository and tag,
# asks for a bearer token first (realm on itself), and sends blobs through a redirect, honouring
# "Range: bytes=N-" with a 206. Every blob request is logged to DIR/requests.log as "<digest> <range>",
# every token it gives out as "token <token>".
# MODE "good" serves blobs as they are, "corrupt" flips a byte of every layer blob, "long" appends one,
# "index" serves DIR/index.json for tags and the manifest only by its digest, "drop" cuts the connection
# halfway through each layer blob the first time, "flaky" answers 503 to the first two requests for
# each blob, "norange" ignores Range, "credentials" gives tokens only for Basic alice:secret,
# "expire" takes each token for two requests only, "baddigest" sends a wrong Docker-Content-Digest.
# It writes the port it listens on to PORTFILE once ready.
import base64
import hashlib
import http.server
import json
import os
import re
import socket
import sys
import threading

portfile, root, mode = sys.argv[1], sys.argv[2], sys.argv[3]
manifest = open(os.path.join(root, "manifest.json"), "rb").read()
content_type = open(os.path.join(root, "content-type")).read().strip()
config_digest = json.loads(manifest)["config"]["digest"]
manifest_digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
lock = threading.Lock()
seen = {}  # blob digest -> requests so far
tokens = {}  # token -> requests it may still make
issued = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def token_ok(self):
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            return False
        with lock:
            left = tokens.get(auth[len("Bearer "):], 0)
            if left <= 0:
                return False
            if mode == "expire":
                tokens[auth[len("Bearer "):]] = left - 1
            return True

    def do_GET(self):
        host = "http://127.0.0.1:%d" % self.server.server_port
        if self.path.startswith("/token?"):
            if "scope=repository%3Atest%2Fbusybox%3Apull" not in self.path:
                return self.send(400, b'{"errors":[{"code":"DENIED","message":"bad scope"}]}')
            if mode == "credentials":
                want = "Basic " + base64.b64encode(b"alice:secret").decode()
                if self.headers.get("Authorization") != want:
                    return self.send(401, b'{"details":"incorrect username or password"}')
            with lock:
                issued[0] += 1
                token = "t0ken-%d" % issued[0]
                with open(os.path.join(root, "requests.log"), "a") as log:
                    log.write("token %s\n" % token)
                tokens[token] = 2 if mode == "expire" else 1 << 30
            return self.send(200, json.dumps({"access_token" if mode == "expire" else "token": token}).encode())
        if self.path.startswith("/cdn/"):
            digest = self.path[len("/cdn/"):]
            data = open(os.path.join(root, "blobs", digest), "rb").read()
            layer = digest != config_digest
            if layer and mode == "corrupt":
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            elif layer and mode == "long":
                data = data + b"x"
            range_header = self.headers.get("Range") or "-"
            with lock:
                n = seen[digest] = seen.get(digest, 0) + 1
                with open(os.path.join(root, "requests.log"), "a") as log:
                    log.write("%s %s\n" % (digest, range_header))
            if mode == "flaky" and n <= 2:
                return self.send(503, b'{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}',
                                 [("Retry-After", "0")])
            m = re.fullmatch(r"bytes=(\d+)-", range_header)
            if m and mode != "norange":
                start = int(m.group(1))
                if start >= len(data):
                    return self.send(416, b"", [("Content-Range", "bytes */%d" % len(data))])
                return self.send(206, data[start:], [("Content-Type", "application/octet-stream"),
                                                     ("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))])
            if mode == "drop" and layer and n == 1:
                # All headers, half the body, then the connection is gone.
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[:len(data) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            return self.send(200, data, [("Content-Type", "application/octet-stream")])
        if not self.token_ok():
            challenge = 'Bearer realm="%s/token",service="fake",scope="repository:test/busybox:pull"' % host
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                             [("WWW-Authenticate", challenge)])
        if "/manifests/" in self.path:
            reference = self.path.rsplit("/", 1)[1]
            if mode == "index" and not reference.startswith("sha256:"):
                index = open(os.path.join(root, "index.json"), "rb").read()
                return self.send(200, index, [("Content-Type", "application/vnd.oci.image.index.v1+json")])
            if mode == "index" and reference != manifest_digest:
                return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
            digest = "sha256:" + "1" * 64 if mode == "baddigest" else manifest_digest
            return self.send(200, manifest, [("Content-Type", content_type), ("Docker-Content-Digest", digest)])
        if "/blobs/" in self.path:
            digest = self.path.rsplit("/", 1)[1]
            if not os.path.exists(os.path.join(root, "blobs", digest)):
                return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')
            # Another path, as a CDN would be; the token must not be needed there.
            return self.send(307, b"", [("Location", "%s/cdn/%s" % (host, digest))])
        self.send(404)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_port))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
