#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The registry client against a real registry: run.sh [BUILD_DIR] (as root; default BUILD_DIR: build).
# Starts Debian's docker-registry on 127.0.0.1 with a temporary store, pushes a busybox image with
# skopeo, pulls it with tests/unit/pull-check (built by meson) and compares digests; then the cases a
# real registry will not produce (bearer token, redirect, corrupt or long blob) against
# fake-registry.py. Everything it starts is stopped by PID, everything it makes is removed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd) || exit 1
pull_check=$build/tests/unit/pull-check

if [ "$(id -u)" -ne 0 ]; then
        echo "$0: must run as root (installs packages)" >&2
        exit 77
fi
if ! [ -x "$pull_check" ]; then
        echo "$0: $pull_check missing; build first (ninja -C $build)" >&2
        exit 1
fi
for pkg in docker-registry skopeo; do
        command -v "$pkg" >/dev/null && continue
        { DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" ||
                { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg"; }; } >&2 ||
                { echo "$0: cannot install $pkg" >&2; exit 77; }
done

tmp=$(mktemp -d /tmp/raind-registry.XXXXXX)
pids=()
cleanup() {
        for pid in "${pids[@]}"; do
                kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
        done
        rm -rf "$tmp"
}
trap cleanup EXIT

passed=0
failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
check() { # check DESCRIPTION COMMAND...
        local what=$1
        shift
        # Whatever the case printed (the error messages under test) follows as a comment.
        if "$@" >"$tmp/out" 2>&1; then ok "$what"; else not_ok "$what"; fi
        sed 's/^/#   /' "$tmp/out"
}
free_port() {
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_http() { # wait_http URL: until something answers, at most 10 s
        for _ in $(seq 100); do
                curl -s -o /dev/null "$1" && return 0
                sleep 0.1
        done
        return 1
}
json_get() { # json_get FILE PYTHON-EXPRESSION-ON-j
        python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($2)" "$1"
}

# --- a real registry ---
port=$(free_port)
mkdir -p "$tmp/storage" "$tmp/out-1" "$tmp/out-oci" "$tmp/out-digest" "$tmp/fake/blobs"
cat >"$tmp/config.yml" <<EOC
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $tmp/storage
http:
  addr: 127.0.0.1:$port
  secret: raind-test
EOC
docker-registry serve "$tmp/config.yml" >"$tmp/registry.log" 2>&1 &
pids+=($!)
if ! wait_http "http://127.0.0.1:$port/v2/"; then
        not_ok "docker-registry answers on 127.0.0.1:$port"
        sed 's/^/#   /' "$tmp/registry.log"
        echo "$passed passed, $failed failed"
        exit 1
fi
ok "docker-registry answers on 127.0.0.1:$port"

"$src/tests/lib/mkimage-busybox.sh" "$tmp/rootfs.tar.gz" >"$tmp/mkimage.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
        echo "# mkimage-busybox.sh failed ($rc); skipping"
        exit 77
fi
repo=127.0.0.1:$port/test/busybox
check "skopeo pushes a docker schema2 image" \
        skopeo copy -q --dest-tls-verify=false "tarball:$tmp/rootfs.tar.gz" "docker://$repo:1"
check "skopeo pushes an OCI image" \
        skopeo copy -q --dest-tls-verify=false --format oci "tarball:$tmp/rootfs.tar.gz" "docker://$repo:oci"

# pull-check REF DIR MANIFEST-COPY: pulls, then compares with what skopeo sees.
compare_pull() {
        local ref=$1 dir=$2 raw=$3
        "$pull_check" "$ref" "$dir" >"$dir.out" || return 1
        skopeo inspect --tls-verify=false --raw "docker://$ref" >"$raw" || return 1
        local want_layer want_config
        want_layer=$(json_get "$raw" 'j["layers"][0]["digest"]')
        want_config=$(json_get "$raw" 'j["config"]["digest"]')
        grep -qx "layer $want_layer [0-9]*" "$dir.out" || { echo "layer: want $want_layer"; cat "$dir.out"; return 1; }
        grep -q "^config $want_config " "$dir.out" || { echo "config: want $want_config"; cat "$dir.out"; return 1; }
        [ "$(grep -c '^layer ' "$dir.out")" = "$(json_get "$raw" 'len(j["layers"])')" ] || return 1
        # What landed on disk is what the digests say.
        for f in "$dir"/*; do
                [ "sha256:$(sha256sum <"$f" | cut -d' ' -f1)" = "sha256:$(basename "$f")" ] || return 1
        done
        [ -z "$(find "$dir" -name '.*partial')" ]
}
check "pull-check pulls a docker schema2 image, digests match skopeo inspect --raw" \
        compare_pull "$repo:1" "$tmp/out-1" "$tmp/raw-1.json"
check "pull-check pulls an OCI image, digests match skopeo inspect --raw" \
        compare_pull "$repo:oci" "$tmp/out-oci" "$tmp/raw-oci.json"

manifest_digest=$(sed -n 's/^manifest //p' "$tmp/out-1.out")
check "pull-check pulls by digest ($manifest_digest)" \
        "$pull_check" "$repo@$manifest_digest" "$tmp/out-digest"

missing() {
        ! "$pull_check" "$repo:nosuchtag" "$tmp/out-1" 2>"$tmp/err" && grep -q "404 MANIFEST_UNKNOWN" "$tmp/err" &&
                cat "$tmp/err"
}
check "a missing tag fails with the registry's own error" missing
refused() {
        local p
        p=$(free_port)
        ! "$pull_check" "127.0.0.1:$p/test/busybox:1" "$tmp/out-1" 2>"$tmp/err" && grep -q "Failed to GET" "$tmp/err"
}
check "a registry that is not there fails with curl's reason" refused

# --- the fake registry: token auth, redirects, corrupt blobs ---
cp "$tmp/raw-1.json" "$tmp/fake/manifest.json"
echo "application/vnd.docker.distribution.manifest.v2+json" >"$tmp/fake/content-type"
for d in $(json_get "$tmp/fake/manifest.json" '" ".join([j["config"]["digest"]] + [l["digest"] for l in j["layers"]])'); do
        curl -sf -o "$tmp/fake/blobs/$d" "http://127.0.0.1:$port/v2/test/busybox/blobs/$d"
done

start_fake() { # start_fake MODE: sets fake_port
        rm -f "$tmp/fake-port"
        python3 "$here/fake-registry.py" "$tmp/fake-port" "$tmp/fake" "$1" &
        pids+=($!)
        for _ in $(seq 100); do
                [ -s "$tmp/fake-port" ] && break
                sleep 0.1
        done
        fake_port=$(cat "$tmp/fake-port")
}
fake_pull() { # fake_pull MODE DIR: pull-check's exit status
        mkdir -p "$2"
        start_fake "$1"
        "$pull_check" "127.0.0.1:$fake_port/test/busybox:1" "$2" 2>"$tmp/err"
}

# An OCI index as buildkit writes them: an attestation first, another architecture, then ours.
case $(uname -m) in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
*) arch=$(uname -m) ;;
esac
python3 - "$tmp/fake" "$arch" <<'EOP'
import hashlib, json, sys
root, arch = sys.argv[1], sys.argv[2]
m = open(root + "/manifest.json", "rb").read()
d = "sha256:" + hashlib.sha256(m).hexdigest()
other = "sha256:" + "0" * 64
entry = lambda digest, platform: dict(mediaType="application/vnd.docker.distribution.manifest.v2+json",
                                      digest=digest, size=len(m), **({"platform": platform} if platform else {}))
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
    entry(other, None),
    entry(other, {"os": "linux", "architecture": "s390x" if arch != "s390x" else "ppc64le"}),
    entry(other, {"os": "windows", "architecture": arch}),
    entry(d, {"os": "linux", "architecture": arch})]}
json.dump(index, open(root + "/index.json", "w"))
EOP

good() { fake_pull good "$tmp/fake-good" >/dev/null && [ "$(ls "$tmp/fake-good" | wc -l)" = 2 ]; }
check "bearer token from the WWW-Authenticate realm, blobs through a redirect" good
index() {
        fake_pull index "$tmp/fake-index" >"$tmp/fake-index.out" &&
                grep -qx "manifest $(sed -n 's/^manifest //p' "$tmp/out-1.out")" "$tmp/fake-index.out" &&
                [ "$(ls "$tmp/fake-index" | wc -l)" = 2 ]
}
check "an OCI index: the linux/$arch entry is chosen and its manifest fetched by digest" index
corrupt() {
        fake_pull corrupt "$tmp/fake-corrupt" >/dev/null
        local rc=$?
        cat "$tmp/err"
        [ $rc = 3 ] && grep -q "arrived with digest" "$tmp/err" &&
                [ -z "$(ls -A "$tmp/fake-corrupt" | grep -v "$(json_get "$tmp/fake/manifest.json" 'j["config"]["digest"][7:]')")" ]
}
check "a corrupt layer blob is refused (EBADMSG) and nothing of it stays" corrupt
long() {
        fake_pull long "$tmp/fake-long" >/dev/null
        local rc=$?
        cat "$tmp/err"
        [ $rc = 3 ] && grep -q "more than the" "$tmp/err"
}
check "a blob longer than its descriptor is cut off (EBADMSG)" long

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
