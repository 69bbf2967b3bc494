#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes malicious or broken tarballs for import tests: mktar-evil.py OUT_DIR

Every one of them must be refused by an import with a message naming the problem, leave nothing
behind in the store and nothing outside it. OUT_DIR gets:

  dotdot.tar              entry "../evil": a path that climbs out of the root. Also "ok/../../evil2"
                          after it, in case ".." is only checked at the start.
  abs-symlink-escape.tar  "a" -> /tmp/raind-evil-target (an absolute symlink to a host directory),
                          then the regular file "a/pwned": unpacked by following "a", it would land
                          in /tmp/raind-evil-target/pwned on the host.
  rel-symlink-escape.tar  the same through a relative symlink "b" -> ../../../../../../tmp/raind-evil-target.
  hardlink-out.tar        hardlinks "h1" -> "../../etc/passwd" (climbs out) and "h2" -> "/etc/passwd"
                          (absolute: inside the root that is etc/passwd, which the archive lacks); a
                          careless unpacker links the host's /etc/passwd into the image.
  whiteout-escape.tar     "w" -> /tmp/raind-evil-target, then the OCI whiteout "w/.wh.victim": turned into
                          a whiteout device by following "w", it would land in /tmp/raind-evil-target/victim.
  bad-whiteout.tar        ".wh..wh.plnk": a whiteout meta name the OCI layer spec does not define.
  corrupt.tar.gz          a valid gzip-compressed tarball cut in half: truncated gzip input.
  notatar.bin             4 KiB of random bytes.
"""

import io
import os
import sys
import tarfile

EVIL_TARGET = "/tmp/raind-evil-target"


def file_info(name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    return info, io.BytesIO(data)


def write_tar(path, members, mode="w"):
    with tarfile.open(path, mode, format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, data)


def symlink_info(name, target):
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info, None


def hardlink_info(name, target):
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE
    info.linkname = target
    return info, None


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    write_tar(os.path.join(out, "dotdot.tar"), [
        file_info("ok", b"fine\n"),
        file_info("../evil", b"escaped\n"),
        file_info("ok/../../evil2", b"escaped\n"),
    ])

    write_tar(os.path.join(out, "abs-symlink-escape.tar"), [
        symlink_info("a", EVIL_TARGET),
        file_info("a/pwned", b"pwned\n"),
    ])

    write_tar(os.path.join(out, "rel-symlink-escape.tar"), [
        symlink_info("b", "../../../../../../" + EVIL_TARGET.lstrip("/")),
        file_info("b/pwned", b"pwned\n"),
    ])

    write_tar(os.path.join(out, "hardlink-out.tar"), [
        file_info("ok", b"fine\n"),
        hardlink_info("h1", "../../etc/passwd"),
        hardlink_info("h2", "/etc/passwd"),
    ])

    write_tar(os.path.join(out, "whiteout-escape.tar"), [
        symlink_info("w", EVIL_TARGET),
        file_info("w/.wh.victim", b""),
    ])

    write_tar(os.path.join(out, "bad-whiteout.tar"), [
        file_info("ok", b"fine\n"),
        file_info(".wh..wh.plnk", b""),
    ])

    good = io.BytesIO()
    with tarfile.open(fileobj=good, mode="w:gz") as tar:
        for i in range(8):
            info, data = file_info(f"file{i}", os.urandom(16384))
            tar.addfile(info, data)
    blob = good.getvalue()
    with open(os.path.join(out, "corrupt.tar.gz"), "wb") as f:
        f.write(blob[: len(blob) // 2])

    with open(os.path.join(out, "notatar.bin"), "wb") as f:
        f.write(os.urandom(4096))


if __name__ == "__main__":
    main()
