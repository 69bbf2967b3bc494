#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A tiny registry for the cases a real one will not produce: fake-registry.py PORTFILE DIR MODE
# serves DIR/manifest.json (with DIR/content-type) and DIR/blobs/<digest> for any repository and tag,
# asks for a bearer token first (realm on itself), and sends blobs through a redirect.
# MODE "good" serves blobs as they are, "corrupt" flips a byte of every layer blob, "long" appends one,
# "index" serves DIR/index.json for tags and the manifest only by its digest.
# It writes the port it listens on to PORTFILE once ready.
import hashlib
import http.server
import json
import os
import sys

portfile, root, mode = sys.argv[1], sys.argv[2], sys.argv[3]
TOKEN = "t0ken"
manifest = open(os.path.join(root, "manifest.json"), "rb").read()
content_type = open(os.path.join(root, "content-type")).read().strip()
config_digest = json.loads(manifest)["config"]["digest"]
manifest_digest = "sha256:" + hashlib.sha256(manifest).hexdigest()


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

    def do_GET(self):
        host = "http://127.0.0.1:%d" % self.server.server_port
        if self.path.startswith("/token?"):
            if "scope=repository%3Atest%2Fbusybox%3Apull" not in self.path:
                return self.send(400, b'{"errors":[{"code":"DENIED","message":"bad scope"}]}')
            return self.send(200, json.dumps({"token": TOKEN}).encode())
        if self.path.startswith("/cdn/"):
            digest = self.path[len("/cdn/"):]
            data = open(os.path.join(root, "blobs", digest), "rb").read()
            if digest != config_digest and mode == "corrupt":
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            elif digest != config_digest and mode == "long":
                data = data + b"x"
            return self.send(200, data, [("Content-Type", "application/octet-stream")])
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
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
            return self.send(200, manifest, [("Content-Type", content_type)])
        if "/blobs/" in self.path:
            digest = self.path.rsplit("/", 1)[1]
            if not os.path.exists(os.path.join(root, "blobs", digest)):
                return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')
            # Another path, as a CDN would be; the token must not be needed there.
            return self.send(307, b"", [("Location", "%s/cdn/%s" % (host, digest))])
        self.send(404)


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_port))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
