#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes OCI image layouts (oci-layout, index.json, blobs/sha256/…) for the registry tests and the pull
bench, ready for `skopeo copy oci:DIR:TAG docker://…`. Python's standard library only.

  mkimage-layers.py multilayer BUSYBOX_TAR OUT_DIR
      layer 1: the busybox rootfs (tests/lib/mkimage-busybox.sh's tarball, .tar or .tar.gz);
      layer 2: /data (owned 1000:1000) with /data/a and /data/b, /keep with old and sub/deep;
      layer 3: /data/.wh.a (whiteout: /data/a is gone), /keep/.wh..wh..opq (opaque: old and sub are
               gone) and /keep/new.
      Config: Env PATH and FOO=bar, Entrypoint ["/bin/sh","-c"], Cmd ["echo hello from config"],
      WorkingDir /data, User 1000:1000, ExposedPorts 8080/tcp, Labels org.raind.test=yes, StopSignal
      SIGUSR1, a history with one entry per layer and one empty_layer entry (ENV).
  mkimage-layers.py multiarch BUSYBOX_TAR OUT_DIR
      An image index with linux/amd64, linux/arm64/v8 and linux/s390x images; each has a layer with
      /arch holding its GOARCH name ("amd64\\n" …); the host's architecture also gets busybox below it,
      so it runs. Push it with `skopeo copy --all`.
  mkimage-layers.py evil KIND OUT_DIR [--base BUSYBOX_TAR]
      One layer a careful unpacker must refuse, KIND one of:
        dotdot        entry "../../escaped"
        abs-symlink   symlink "etc2" -> "/etc", then the file "etc2/evil"
        hardlink-out  hardlink "passwd-link" -> "../../../etc/passwd"
  mkimage-layers.py big SIZE_MB OUT_DIR [--base BUSYBOX_TAR]
      One layer with /big: SIZE_MB MiB of pseudo-random bytes, stored without compression (gzip level 0)
      so that the blob is as large as the data: for interrupted and resumed pulls.
  mkimage-layers.py mixed BUSYBOX_TAR OUT_DIR [--mb TOTAL_MB]
      The pull bench's image: busybox (with /etc/raind-image added, so that it shares no layer with an
      image of the bare tarball) plus three layers of about TOTAL_MB/3 MiB each (default 60 in all):
      incompressible binaries, many small compressible text files, and a mix of both.

Common options: --tag TAG (default "latest"; the name in index.json, as in oci:OUT_DIR:TAG). Content,
timestamps and owners are fixed, so the same arguments give the same digests. OUT_DIR is created; an
existing layout there is replaced. The last line printed is the digest of what index.json points at.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import platform
import random
import shutil
import sys
import tarfile
import tempfile

MTIME = 1700000000
CREATED = "2023-11-14T22:13:20Z"  # MTIME as RFC 3339
PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"

# platform.machine() -> (GOARCH, variant)
HOST_ARCH = {"x86_64": ("amd64", None), "aarch64": ("arm64", "v8"), "arm64": ("arm64", "v8"),
             "s390x": ("s390x", None), "ppc64le": ("ppc64le", None), "riscv64": ("riscv64", None)}
MULTIARCH = [("amd64", None), ("arm64", "v8"), ("s390x", None)]
CHUNK = 1 << 20


class HashingWriter(io.RawIOBase):
    """A write-only file that hashes and counts what passes through to `target` (or nowhere)."""

    def __init__(self, target=None):
        super().__init__()
        self.target = target
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self):
        return True

    def write(self, b):
        self.sha.update(b)
        self.size += len(b)
        if self.target is not None:
            self.target.write(b)
        return len(b)

    def digest(self):
        return "sha256:" + self.sha.hexdigest()


class Layout:
    """An OCI image layout being written: blobs go in by content, index.json comes last."""

    def __init__(self, root):
        self.root = root
        if os.path.exists(root):
            shutil.rmtree(root)
        self.blobs = os.path.join(root, "blobs", "sha256")
        os.makedirs(self.blobs)
        with open(os.path.join(root, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)

    def put_bytes(self, data, media_type, **extra):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.blobs, digest[7:]), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": digest, "size": len(data), **extra}

    def put_json(self, obj, media_type, **extra):
        return self.put_bytes(json.dumps(obj, indent=1, sort_keys=True).encode(), media_type, **extra)

    def put_layer(self, fill, level=6):
        """Writes one gzip layer: fill(tarfile) adds the entries. Returns (descriptor, diff_id); the tar
        and the gzip stream are hashed on the way, so large layers never sit in memory."""
        fd, tmp = tempfile.mkstemp(dir=self.blobs, prefix=".layer-")
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as f:
            compressed = HashingWriter(f)
            with gzip.GzipFile(fileobj=compressed, mode="wb", compresslevel=level, mtime=0) as gz:
                plain = HashingWriter(gz)
                with tarfile.open(fileobj=plain, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    fill(tar)
        os.rename(tmp, os.path.join(self.blobs, compressed.digest()[7:]))
        return {"mediaType": MT_LAYER, "digest": compressed.digest(), "size": compressed.size}, plain.digest()

    def put_tarball_layer(self, path):
        """The busybox rootfs tarball as a layer: its uncompressed bytes, gzip-compressed afresh."""
        with open(path, "rb") as f:
            data = f.read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        diff_id = "sha256:" + hashlib.sha256(data).hexdigest()
        return self.put_bytes(gzip.compress(data, compresslevel=6, mtime=0), MT_LAYER), diff_id

    def put_image(self, layers, config_extra=None, history=None, arch=None, variant=None):
        """Config and manifest for `layers` [(descriptor, diff_id)]; returns the manifest's descriptor."""
        goarch, goarch_variant = host_arch() if arch is None else (arch, variant)
        config = {
            "created": CREATED,
            "architecture": goarch,
            "os": "linux",
            "config": config_extra or {"Env": [PATH]},
            "rootfs": {"type": "layers", "diff_ids": [d for _, d in layers]},
            "history": history or [{"created": CREATED, "created_by": f"layer {i + 1}"} for i in range(len(layers))],
        }
        if goarch_variant:
            config["variant"] = goarch_variant
        manifest = {
            "schemaVersion": 2,
            "mediaType": MT_MANIFEST,
            "config": self.put_json(config, MT_CONFIG),
            "layers": [desc for desc, _ in layers],
        }
        platform_ = {"architecture": goarch, "os": "linux", **({"variant": goarch_variant} if goarch_variant else {})}
        return self.put_json(manifest, MT_MANIFEST, platform=platform_)

    def finish(self, top, tag):
        """index.json naming `top` (a manifest or an index) as `tag`."""
        top = dict(top, annotations={"org.opencontainers.image.ref.name": tag})
        if top["mediaType"] == MT_INDEX:
            top.pop("platform", None)
        with open(os.path.join(self.root, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [top]}, f, indent=1)
        print(top["digest"])


def host_arch():
    machine = platform.machine()
    if machine not in HOST_ARCH:
        sys.exit(f"mkimage-layers: unknown host architecture {machine}")
    return HOST_ARCH[machine]


def tar_info(name, kind=tarfile.REGTYPE, mode=0o644, uid=0, gid=0, size=0, link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.uid, info.gid = uid, gid
    info.uname = info.gname = ""
    info.mtime = MTIME
    info.size = size
    info.linkname = link
    return info


def add_dir(tar, name, mode=0o755, uid=0, gid=0):
    tar.addfile(tar_info(name, tarfile.DIRTYPE, mode, uid, gid))


def add_file(tar, name, data, mode=0o644, uid=0, gid=0):
    tar.addfile(tar_info(name, mode=mode, uid=uid, gid=gid, size=len(data)), io.BytesIO(data))


def add_stream(tar, name, size, chunks, mode=0o644):
    """A regular file of `size` bytes from the iterator `chunks`, without holding it in memory."""

    class Reader(io.RawIOBase):
        def __init__(self):
            super().__init__()
            self.buf = b""

        def readable(self):
            return True

        def readinto(self, b):
            while len(self.buf) < len(b):
                more = next(chunks, b"")
                if not more:
                    break
                self.buf += more
            n = min(len(b), len(self.buf))
            b[:n] = self.buf[:n]
            self.buf = self.buf[n:]
            return n

    tar.addfile(tar_info(name, mode=mode, size=size), io.BufferedReader(Reader(), CHUNK))


def random_chunks(seed, size):
    rng = random.Random(seed)
    left = size
    while left > 0:
        n = min(CHUNK, left)
        yield rng.randbytes(n)
        left -= n


WORDS = ("container runtime systemd scope slice journal layer manifest digest registry blob config pull "
         "overlay whiteout namespace cgroup polkit bus object path signal unit socket image index tag "
         "the a of to in is for on with and that this by from error warning info debug").split()


def text_bytes(rng, size):
    """Log-like text: compresses about 3-4 to 1 with gzip, as documentation and scripts do."""
    out = []
    n = 0
    while n < size:
        line = f"{rng.randrange(1 << 32):08x} " + " ".join(rng.choices(WORDS, k=12)) + "\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()[:size]


# --- the images ------------------------------------------------------------------------------------


def image_multilayer(layout, args):
    base = layout.put_tarball_layer(args.busybox)

    def layer2(tar):
        add_dir(tar, "data", 0o755, 1000, 1000)
        add_file(tar, "data/a", b"a\n", uid=1000, gid=1000)
        add_file(tar, "data/b", b"b\n", uid=1000, gid=1000)
        add_dir(tar, "keep")
        add_file(tar, "keep/old", b"old\n")
        add_dir(tar, "keep/sub")
        add_file(tar, "keep/sub/deep", b"deep\n")

    def layer3(tar):
        add_dir(tar, "data", 0o755, 1000, 1000)
        add_file(tar, "data/.wh.a", b"")
        add_dir(tar, "keep")
        add_file(tar, "keep/.wh..wh..opq", b"")
        add_file(tar, "keep/new", b"new\n")

    layers = [base, layout.put_layer(layer2), layout.put_layer(layer3)]
    config = {
        "Env": [PATH, "FOO=bar"],
        "Entrypoint": ["/bin/sh", "-c"],
        "Cmd": ["echo hello from config"],
        "WorkingDir": "/data",
        "User": "1000:1000",
        "ExposedPorts": {"8080/tcp": {}},
        "Labels": {"org.raind.test": "yes"},
        "StopSignal": "SIGUSR1",
    }
    history = [
        {"created": CREATED, "created_by": "/bin/sh -c #(nop) ADD file:busybox-rootfs in / "},
        {"created": CREATED, "created_by": "/bin/sh -c #(nop) ENV FOO=bar", "empty_layer": True},
        {"created": CREATED, "created_by": "/bin/sh -c mkdir /data /keep && echo a >/data/a && echo b >/data/b"},
        {"created": CREATED, "created_by": "/bin/sh -c rm /data/a && rm -r /keep/* && echo new >/keep/new",
         "comment": "whiteout and opaque directory"},
    ]
    return layout.put_image(layers, config, history)


def image_multiarch(layout, args):
    host = host_arch()
    base = None
    manifests = []
    for goarch, variant in MULTIARCH:
        layers = []
        if (goarch, variant) == host or (goarch == host[0] and not variant):
            if base is None:
                base = layout.put_tarball_layer(args.busybox)
            layers.append(base)
        layers.append(layout.put_layer(lambda tar, a=goarch: add_file(tar, "arch", f"{a}\n".encode())))
        config = {"Env": [PATH], "Cmd": ["cat", "/arch"]}
        manifests.append(layout.put_image(layers, config, arch=goarch, variant=variant))
    if base is None:
        sys.exit(f"mkimage-layers: the host's architecture {host[0]} is none of the index's")
    return layout.put_json({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": manifests}, MT_INDEX)


def base_layers(layout, args):
    return [layout.put_tarball_layer(args.base)] if args.base else []


def image_evil(layout, args):
    def fill(tar):
        if args.kind == "dotdot":
            add_file(tar, "ok", b"fine\n")
            add_file(tar, "../../escaped", b"escaped\n")
        elif args.kind == "abs-symlink":
            tar.addfile(tar_info("etc2", tarfile.SYMTYPE, 0o777, link="/etc"))
            add_file(tar, "etc2/evil", b"evil\n")
        else:  # hardlink-out
            add_file(tar, "ok", b"fine\n")
            tar.addfile(tar_info("passwd-link", tarfile.LNKTYPE, link="../../../etc/passwd"))

    layers = base_layers(layout, args) + [layout.put_layer(fill)]
    return layout.put_image(layers, {"Env": [PATH], "Cmd": ["/bin/sh"]})


def image_big(layout, args):
    size = args.size_mb << 20
    layer = layout.put_layer(lambda tar: add_stream(tar, "big", size, random_chunks(args.size_mb, size)), level=0)
    layers = base_layers(layout, args) + [layer]
    return layout.put_image(layers, {"Env": [PATH], "Cmd": ["/bin/sh"]})


def image_mixed(layout, args):
    third = max(1, args.mb * (1 << 20) // 3)
    rng = random.Random(42)

    def binaries(tar):  # incompressible: a few large files
        add_dir(tar, "opt")
        add_dir(tar, "opt/app")
        n = 8
        for i in range(n):
            add_stream(tar, f"opt/app/lib{i}.so", third // n, random_chunks(100 + i, third // n), 0o755)

    def docs(tar):  # compressible: many small files
        add_dir(tar, "usr/share")
        add_dir(tar, "usr/share/doc")
        per = 32 << 10
        for i in range(max(1, third // per)):
            if i % 50 == 0:
                add_dir(tar, f"usr/share/doc/pkg{i // 50}")
            add_file(tar, f"usr/share/doc/pkg{i // 50}/file{i}.txt", text_bytes(rng, per))

    def mixed(tar):  # half and half, medium files
        add_dir(tar, "srv")
        n = 16
        for i in range(n):
            if i % 2:
                add_stream(tar, f"srv/blob{i}.bin", third // n, random_chunks(200 + i, third // n))
            else:
                add_file(tar, f"srv/data{i}.txt", text_bytes(rng, third // n))

    def base(tar):  # busybox plus a name: no layer in common with an image made from the bare tarball
        with tarfile.open(args.busybox, "r:*") as src:
            for member in src:
                tar.addfile(member, src.extractfile(member) if member.isreg() else None)
        add_file(tar, "etc/raind-image", b"mixed\n")

    layers = [layout.put_layer(f) for f in (base, binaries, docs, mixed)]
    return layout.put_image(layers, {"Env": [PATH], "Cmd": ["/bin/sh"]})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tag", default="latest")
    sub = p.add_subparsers(dest="image", required=True)
    for name in ("multilayer", "multiarch", "mixed"):
        s = sub.add_parser(name)
        s.add_argument("busybox")
        s.add_argument("out")
        s.add_argument("--tag", default=argparse.SUPPRESS)
        if name == "mixed":
            s.add_argument("--mb", type=int, default=60)
    s = sub.add_parser("evil")
    s.add_argument("kind", choices=("dotdot", "abs-symlink", "hardlink-out"))
    s.add_argument("out")
    s.add_argument("--base")
    s.add_argument("--tag", default=argparse.SUPPRESS)
    s = sub.add_parser("big")
    s.add_argument("size_mb", type=int)
    s.add_argument("out")
    s.add_argument("--base")
    s.add_argument("--tag", default=argparse.SUPPRESS)
    args = p.parse_args()
    if args.image == "big" and not 0 < args.size_mb <= 65536:
        p.error("SIZE_MB must be between 1 and 65536")

    layout = Layout(args.out)
    top = {"multilayer": image_multilayer, "multiarch": image_multiarch, "evil": image_evil, "big": image_big,
           "mixed": image_mixed}[args.image](layout, args)
    layout.finish(top, args.tag)


if __name__ == "__main__":
    main()
