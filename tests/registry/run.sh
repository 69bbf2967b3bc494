#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The registry client against a real registry: run.sh [BUILD_DIR] (as root; default BUILD_DIR: build).
# Starts Debian's docker-registry on 127.0.0.1 with a temporary store, pushes a busybox image with
# skopeo, pulls it with tests/unit/pull-check (built by meson) and compares digests; pushes it to
# another repository with tests/unit/push-check and checks with skopeo; does both again against a
# second docker-registry that wants htpasswd credentials (Basic auth; it takes them over plain http);
# then the cases a real registry will not produce (bearer token with and without credentials, token
# expiry, redirect, corrupt or long blob, dropped connections, 503s, resumed downloads) against
# fake-registry.py. Everything it starts is stopped by PID, everything it makes is removed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd) || exit 1
pull_check=$build/tests/unit/pull-check
push_check=$build/tests/unit/push-check

if [ "$(id -u)" -ne 0 ]; then
        echo "$0: must run as root (installs packages)" >&2
        exit 77
fi
if ! [ -x "$pull_check" ] || ! [ -x "$push_check" ]; then
        echo "$0: $pull_check or $push_check missing; build first (ninja -C $build)" >&2
        exit 1
fi
for pkg in docker-registry skopeo apache2-utils; do
        cmd=$pkg
        [ "$pkg" = apache2-utils ] && cmd=htpasswd
        command -v "$cmd" >/dev/null && continue
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

start_registry() { # start_registry NAME PORT [AUTH-YAML]: a docker-registry with its own store
        local name=$1 p=$2
        mkdir -p "$tmp/$name-storage"
        cat >"$tmp/$name.yml" <<EOC
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $tmp/$name-storage
http:
  addr: 127.0.0.1:$p
  secret: raind-test
${3:-}
EOC
        docker-registry serve "$tmp/$name.yml" >"$tmp/$name.log" 2>&1 &
        pids+=($!)
        if ! wait_http "http://127.0.0.1:$p/v2/"; then
                not_ok "docker-registry ($name) answers on 127.0.0.1:$p"
                sed 's/^/#   /' "$tmp/$name.log"
                echo "$passed passed, $failed failed"
                exit 1
        fi
        ok "docker-registry ($name) answers on 127.0.0.1:$p"
}

# --- a real registry ---
port=$(free_port)
mkdir -p "$tmp/out-1" "$tmp/out-oci" "$tmp/out-digest" "$tmp/fake/blobs"
start_registry plain "$port"

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

# --- push to another repository of the same registry ---
pushed() { # pushed SRC DST [OPTIONS…]: push-check, then skopeo sees the same manifest and can copy it
        local src=$1 dst=$2 creds=()
        shift 2
        [ $# -gt 0 ] && creds=(--creds "alice:secret")
        "$push_check" "$@" "$src" "$dst" >"$tmp/push.out" || return 1
        cat "$tmp/push.out"
        skopeo inspect --tls-verify=false "${creds[@]}" --raw "docker://$src" >"$tmp/push-src.json" &&
                skopeo inspect --tls-verify=false "${creds[@]}" --raw "docker://$dst" >"$tmp/push-dst.json" || return 1
        local want
        want=sha256:$(sha256sum <"$tmp/push-src.json" | cut -d' ' -f1)
        [ "sha256:$(sha256sum <"$tmp/push-dst.json" | cut -d' ' -f1)" = "$want" ] || { echo "digest differs"; return 1; }
        grep -qx "manifest $want" "$tmp/push.out" || return 1
        [ "$(grep -c '^exists ' "$tmp/push.out")" = "$(json_get "$tmp/push-dst.json" 'len(j["layers"]) + 1')" ] || return 1
        rm -rf "$tmp/copy-dir"
        skopeo copy -q --src-tls-verify=false "${creds[@]/--creds/--src-creds}" "docker://$dst" "dir:$tmp/copy-dir" &&
                [ -s "$tmp/copy-dir/manifest.json" ]
}
check "push-check pushes a docker schema2 image to another repository; skopeo inspect and copy agree" \
        pushed "$repo:1" "127.0.0.1:$port/copy/busybox:pushed"
check "push-check pushes an OCI image; skopeo inspect and copy agree" \
        pushed "$repo:oci" "127.0.0.1:$port/copy/busybox:pushed-oci"
again() { # blobs are there already: skipped, the manifest goes under a second tag
        "$push_check" "$repo:1" "127.0.0.1:$port/copy/busybox:again" &&
                [ "$(skopeo inspect --tls-verify=false --raw "docker://127.0.0.1:$port/copy/busybox:again" | sha256sum)" = \
                        "$(sha256sum <"$tmp/raw-1.json")" ]
}
check "pushing blobs the registry has already skips them and tags the manifest" again

# --- a registry that wants credentials (htpasswd, bcrypt) ---
auth_port=$(free_port)
htpasswd -Bbc "$tmp/htpasswd" alice secret 2>/dev/null
start_registry auth "$auth_port" "auth:
  htpasswd:
    realm: raind-test
    path: $tmp/htpasswd"
auth_repo=127.0.0.1:$auth_port/test/busybox
check "skopeo pushes to the htpasswd registry with credentials" \
        skopeo copy -q --dest-tls-verify=false --dest-creds alice:secret "tarball:$tmp/rootfs.tar.gz" "docker://$auth_repo:1"
anonymous() {
        mkdir -p "$tmp/auth-anon"
        "$pull_check" "$auth_repo:1" "$tmp/auth-anon" 2>"$tmp/err"
        local rc=$?
        cat "$tmp/err"
        [ $rc = 4 ] && grep -q "authentication required" "$tmp/err"
}
check "an anonymous pull from the htpasswd registry fails: authentication required" anonymous
auth_pull() {
        mkdir -p "$tmp/auth-pull"
        "$pull_check" --user alice --password secret "$auth_repo:1" "$tmp/auth-pull" >"$tmp/auth-pull.out" &&
                [ "$(grep -c '^layer \|^config ' "$tmp/auth-pull.out")" = "$(ls "$tmp/auth-pull" | wc -l)" ] &&
                [ "$(ls "$tmp/auth-pull" | wc -l)" -ge 2 ]
}
check "a pull with credentials works (Basic auth)" auth_pull
auth_file_pull() { # credentials from a docker config.json, as "docker login" writes it
        mkdir -p "$tmp/auth-file-pull"
        python3 -c 'import base64, json, sys; json.dump({"auths": {sys.argv[1]: {"auth": base64.b64encode(b"alice:secret").decode()}}, "credsStore": "none"}, open(sys.argv[2], "w"))' \
                "http://127.0.0.1:$auth_port/" "$tmp/config.json"
        "$pull_check" --auth-file "$tmp/config.json" "$auth_repo:1" "$tmp/auth-file-pull" >/dev/null
}
check "a pull with credentials from a docker config.json works" auth_file_pull
check "check_login: good credentials" "$pull_check" --login --user alice --password secret "$auth_repo:1"
bad_login() {
        "$pull_check" --login --user alice --password wrong "$auth_repo:1" 2>"$tmp/err"
        local rc=$?
        cat "$tmp/err"
        [ $rc = 4 ] && grep -q "unauthorized: " "$tmp/err"
}
check "check_login: a wrong password is refused (EACCES)" bad_login
check "push-check with credentials copies between repositories of the htpasswd registry" \
        pushed "$auth_repo:1" "127.0.0.1:$auth_port/copy/busybox:pushed" --user alice --password secret
anonymous_push() { # from the open registry to the htpasswd one: only the push needs credentials
        ! "$push_check" "$repo:1" "127.0.0.1:$auth_port/copy/busybox:anon" 2>"$tmp/err" &&
                grep -q "authentication required" "$tmp/err" && cat "$tmp/err"
}
check "a push without credentials fails: authentication required" anonymous_push

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
fake_pull() { # fake_pull MODE DIR [OPTIONS…]: pull-check's exit status
        local mode=$1 dir=$2
        shift 2
        mkdir -p "$dir"
        rm -f "$tmp/fake/requests.log"
        start_fake "$mode"
        "$pull_check" "$@" "127.0.0.1:$fake_port/test/busybox:1" "$dir" 2>"$tmp/err"
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

layer_digest=$(json_get "$tmp/fake/manifest.json" 'j["layers"][0]["digest"]')
layer_file=$tmp/fake/blobs/$layer_digest
layer_size=$(stat -c %s "$layer_file")
drop() {
        fake_pull drop "$tmp/fake-drop" >/dev/null || { cat "$tmp/err"; return 1; }
        cat "$tmp/fake/requests.log"
        [ "$(ls "$tmp/fake-drop" | wc -l)" = 2 ] && grep -q "^$layer_digest bytes=[1-9][0-9]*-\$" "$tmp/fake/requests.log"
}
check "a connection dropped halfway through a blob: resumed with a Range request, answered 206" drop
flaky() {
        fake_pull flaky "$tmp/fake-flaky" >/dev/null || { cat "$tmp/err"; return 1; }
        [ "$(ls "$tmp/fake-flaky" | wc -l)" = 2 ] && [ "$(grep -c "^$layer_digest " "$tmp/fake/requests.log")" = 3 ]
}
check "503 twice, then the blob: retried and pulled" flaky
too_flaky() {
        ! fake_pull flaky "$tmp/fake-too-flaky" --retries 1 >/dev/null && grep -q "503 UNAVAILABLE" "$tmp/err" && cat "$tmp/err"
}
check "503 more often than retries allow: the registry's error" too_flaky
resume() { # half the layer is there from an earlier, killed pull
        mkdir -p "$tmp/fake-resume"
        head -c $((layer_size / 2)) "$layer_file" >"$tmp/fake-resume/.${layer_digest#sha256:}.partial"
        fake_pull good "$tmp/fake-resume" >/dev/null || { cat "$tmp/err"; return 1; }
        cat "$tmp/fake/requests.log"
        grep -qx "$layer_digest bytes=$((layer_size / 2))-" "$tmp/fake/requests.log" &&
                [ "$(grep -c "^$layer_digest " "$tmp/fake/requests.log")" = 1 ] &&
                cmp "$layer_file" "$tmp/fake-resume/${layer_digest#sha256:}"
}
check "a partially downloaded blob is resumed from where it stopped" resume
norange() { # a registry that ignores Range: the prefix is dropped, the blob comes whole
        mkdir -p "$tmp/fake-norange"
        head -c 1000 /dev/urandom >"$tmp/fake-norange/.${layer_digest#sha256:}.partial"
        fake_pull norange "$tmp/fake-norange" >/dev/null || { cat "$tmp/err"; return 1; }
        grep -qx "$layer_digest bytes=1000-" "$tmp/fake/requests.log" &&
                cmp "$layer_file" "$tmp/fake-norange/${layer_digest#sha256:}"
}
check "a registry ignoring Range answers 200: the download starts over" norange
oversized() { # a leftover longer than the blob cannot be a prefix of it
        mkdir -p "$tmp/fake-oversized"
        head -c $((layer_size + 10)) /dev/zero >"$tmp/fake-oversized/.${layer_digest#sha256:}.partial"
        fake_pull good "$tmp/fake-oversized" >/dev/null || { cat "$tmp/err"; return 1; }
        grep -qx "$layer_digest -" "$tmp/fake/requests.log" && cmp "$layer_file" "$tmp/fake-oversized/${layer_digest#sha256:}"
}
check "a leftover longer than the blob is dropped" oversized
token_credentials() {
        fake_pull credentials "$tmp/fake-cred-anon" >/dev/null
        local rc=$?
        cat "$tmp/err"
        [ $rc = 4 ] && grep -q "authentication required" "$tmp/err" || return 1
        fake_pull credentials "$tmp/fake-cred-bad" --user alice --password wrong >/dev/null
        rc=$?
        cat "$tmp/err"
        [ $rc = 4 ] && grep -q "unauthorized: incorrect username or password" "$tmp/err" || return 1
        fake_pull credentials "$tmp/fake-cred" --user alice --password secret >/dev/null &&
                [ "$(ls "$tmp/fake-cred" | wc -l)" = 2 ]
}
check "a token service that wants credentials: none, wrong, right" token_credentials
expire() { # each token is good for two requests: the pull needs a second one
        fake_pull expire "$tmp/fake-expire" >/dev/null && [ "$(ls "$tmp/fake-expire" | wc -l)" = 2 ] &&
                [ "$(grep -c '^token ' "$tmp/fake/requests.log")" -ge 2 ]
}
check "an expired token is fetched anew (access_token)" expire
baddigest() {
        fake_pull baddigest "$tmp/fake-baddigest" >/dev/null
        local rc=$?
        cat "$tmp/err"
        [ $rc = 3 ] && grep -q "the registry says" "$tmp/err"
}
check "a manifest whose Docker-Content-Digest does not match is refused (EBADMSG)" baddigest

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
