#!/bin/bash
# Builds raind into build/ and installs it into stage/ (a DESTDIR tree the sandbox copies over its root).
set -eu -o pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

if [ ! -f build/build.ninja ]; then
        meson setup build -Dwerror=true >/dev/null
fi
ninja -C build >/dev/null
rm -rf stage
DESTDIR="$top/stage" meson install -C build --quiet >/dev/null
