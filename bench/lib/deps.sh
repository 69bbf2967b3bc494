#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Installs what the bench needs on top of tests/deps.sh: the runtimes raind is compared with and the
# tools that measure them. Idempotent and quiet when all is there.
set -eu -o pipefail

PACKAGES=(podman crun runc conmon skopeo hyperfine)

missing=()
for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        echo "bench: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
