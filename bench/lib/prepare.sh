#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Inside the sandbox: one busybox rootfs, given to all three runtimes.
#   raind:  `raind image import rootfs.tar bench:latest`
#   podman: skopeo turns the same tarball into an OCI archive (one layer: the tarball itself), `podman load`
#   crun:   the tarball unpacked as rootfs/ of a bundle whose config.json comes from `crun spec`
# Usage: prepare.sh WORKDIR
set -eu -o pipefail
work=${1:?usage: prepare.sh WORKDIR}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
podman=(podman --cgroup-manager=systemd)

mkdir -p "$work"

# podman's overlay storage cannot sit on the sandbox's overlay root: give it a tmpfs, as the sandbox
# gives raind one at /var/lib/raind. Its run root on /run is a tmpfs already; start it clean.
mkdir -p /var/lib/containers
mountpoint -q /var/lib/containers || mount -t tmpfs -o mode=0700 raind-bench-containers /var/lib/containers
rm -rf /run/containers /run/libpod

"$top/tests/lib/mkimage-busybox.sh" "$work/rootfs.tar" >/dev/null
raind image import "$work/rootfs.tar" bench:latest >/dev/null

rm -f "$work/rootfs-oci.tar"
skopeo copy -q "tarball:$work/rootfs.tar" "oci-archive:$work/rootfs-oci.tar:localhost/bench:latest"
"${podman[@]}" load -q -i "$work/rootfs-oci.tar" >/dev/null
# The same bytes: podman's only layer is the tarball raind imported.
layer=$("${podman[@]}" image inspect -f '{{index .RootFS.Layers 0}}' localhost/bench:latest)
tarsum=sha256:$(sha256sum "$work/rootfs.tar" | cut -d' ' -f1)
[ "$layer" = "$tarsum" ] || { echo "prepare: podman's layer $layer is not the tarball $tarsum" >&2; exit 1; }

# crun: `crun spec`, not a terminal, running `true`. A second config without linux.resources for
# `crun --systemd-cgroup`: crun 1.8 loads an eBPF device filter for them and raises RLIMIT_MEMLOCK
# first, which needs CAP_SYS_RESOURCE (not here).
bundle=$work/bundle
rm -rf "$bundle" "$work/bundle-systemd"
mkdir -p "$bundle/rootfs" "$work/bundle-systemd"
tar -xf "$work/rootfs.tar" -C "$bundle/rootfs"
(cd "$bundle" && crun spec)
python3 - "$bundle" "$work/bundle-systemd" <<'PY'
import json, os, sys
bundle, systemd_bundle = sys.argv[1], sys.argv[2]
with open(os.path.join(bundle, "config.json")) as f:
    c = json.load(f)
c["process"]["terminal"] = False
c["process"]["args"] = ["true"]
with open(os.path.join(bundle, "config.json"), "w") as f:
    json.dump(c, f, indent=1)
c["root"]["path"] = os.path.join(bundle, "rootfs")
c["linux"].pop("resources", None)
with open(os.path.join(systemd_bundle, "config.json"), "w") as f:
    json.dump(c, f, indent=1)
PY

# A member of group raind, for the runs that go through polkit.
id raind-bench >/dev/null 2>&1 || useradd --no-create-home --home-dir / -G raind raind-bench

# Every runtime once, so that a broken one fails here with its own message.
raind container run --rm bench:latest true
"${podman[@]}" run --rm --pull=never --network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --pids-limit=-1 \
        --runtime runc localhost/bench:latest true
systemd-run --scope -q -- crun --cgroup-manager=disabled run -b "$bundle" bench-prepare
echo "$tarsum"
