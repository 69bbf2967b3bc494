#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Inside the sandbox: the pull scenario's registry and image. Makes the bench image (busybox plus three
# layers of mixed compressible and incompressible files, TOTAL_MB uncompressed, tests/lib/mkimage-layers.py
# mixed), starts Debian's docker-registry on 127.0.0.1 (tests/lib/registry.sh), pushes the image with
# skopeo as bench/pull:1 and checks that the registry serves the same manifest digest.
# Usage: pull-prepare.sh WORKDIR TOTAL_MB
# Prints "PORT PID MANIFEST_DIGEST"; the caller stops the registry by PID. Nothing left running on failure.
set -eu -o pipefail
work=${1:?usage: pull-prepare.sh WORKDIR TOTAL_MB}
mb=${2:?usage: pull-prepare.sh WORKDIR TOTAL_MB}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/lib/registry.sh
. "$top/tests/lib/registry.sh"

rm -rf "$work/pull-layout" "$work/pull-registry"
[ -f "$work/rootfs.tar" ] || "$top/tests/lib/mkimage-busybox.sh" "$work/rootfs.tar" >/dev/null
want=$(python3 -B "$top/tests/lib/mkimage-layers.py" --tag 1 mixed "$work/rootfs.tar" "$work/pull-layout" --mb "$mb" |
        tail -n 1)

registry_start "$work/pull-registry"
trap 'registry_stop' ERR
registry_push_layout "$work/pull-layout" 1 "$REGISTRY/bench/pull:1"
got=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REGISTRY/bench/pull:1")
if [ "$got" != "$want" ]; then
        echo "pull-prepare: the registry serves bench/pull:1 as $got, pushed was $want" >&2
        registry_stop
        exit 1
fi
echo "$REGISTRY_PORT $REGISTRY_PID $got"
