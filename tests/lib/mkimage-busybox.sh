#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds a tiny busybox rootfs tarball for tests: mkimage-busybox.sh OUT.tar[.gz]
# (.tar.gz/.tgz: gzip-compressed, anything else: plain tar).
#
# Content: /bin/busybox (Debian's busybox-static) and a symlink in /bin for every applet, the usual
# top-level directories, /tmp 1777, and minimal /etc/passwd, /etc/group, /etc/hosts with root,
# nobody and user 1000 "user". Owned by 0:0, timestamps fixed: the same busybox gives the same bytes,
# hence the same layer id.
set -euo pipefail

out=${1:?usage: $0 OUT.tar[.gz]}
busybox=/bin/busybox

# Exit status 77 (the usual "skipped" for test harnesses): no usable busybox here.
if ! [ -x "$busybox" ] || ! "$busybox" --list >/dev/null 2>&1; then
        if [ "$(id -u)" -ne 0 ]; then
                echo "$0: $busybox missing; install busybox-static" >&2
                exit 77
        fi
        { DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static ||
                { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static; }; } >&2 ||
                { echo "$0: cannot install busybox-static" >&2; exit 77; }
fi
# A dynamically linked busybox would not run inside the image.
if command -v file >/dev/null && ! file -L "$busybox" | grep -q 'statically linked'; then
        echo "$0: $busybox is not statically linked; install busybox-static" >&2
        exit 77
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/mkimage-busybox.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,etc,proc,sys,dev,root,home,var,usr/bin,tmp}
chmod 0755 "$root" "$root"/{bin,etc,proc,sys,dev,home,var,usr,usr/bin}
chmod 0700 "$root/root"
chmod 1777 "$root/tmp"
install -m 0755 "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
        [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done

cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
user:x:1000:1000:user:/home/user:/bin/sh
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
user:x:1000:
GROUP
cat >"$root/etc/hosts" <<'HOSTS'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
HOSTS
chmod 0644 "$root"/etc/{passwd,group,hosts}

tar_args=(--numeric-owner --owner=0 --group=0 --sort=name --mtime=@1700000000 --format=gnu -C "$root")
case "$out" in
*.tar.gz | *.tgz) tar "${tar_args[@]}" -cf - . | gzip -n -1 >"$out" ;;
*) tar "${tar_args[@]}" -cf "$out" . ;;
esac
