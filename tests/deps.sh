#!/bin/bash
# Installs every Debian package raind needs to build, test and demo. Idempotent and quiet when all is there.
set -eu -o pipefail

PACKAGES=(
        # build (raind-shim links statically: the -dev packages bring the .a files)
        gcc libc6-dev meson ninja-build pkg-config clang-format
        libsystemd-dev libseccomp-dev libcap-dev libyaml-dev libjson-c-dev libcurl4-openssl-dev
        libarchive-dev libnftnl-dev libmnl-dev libcmocka-dev
        # sandbox and tests
        systemd dbus polkitd util-linux bsdutils iproute2 procps busybox-static python3 time
        # benchmarks (bench/): the runtimes raind is measured against
        podman crun runc conmon skopeo hyperfine
        # the registry client's tests and the pull bench: a real registry on loopback (tests/lib/registry.sh),
        # htpasswd (bcrypt) for its basic auth, curl to wait for it; openssl and the CA store for HTTPS;
        # jq for the integration tests' JSON checks
        docker-registry apache2-utils curl openssl ca-certificates jq
)

missing=()
for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        echo "deps: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
