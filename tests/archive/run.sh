#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Image archives against the real tools: run.sh [BUILD_DIR] (as root; default BUILD_DIR: build).
# Makes a busybox image, has skopeo (and podman, with a throwaway store, when it works here) write
# docker-archive and oci-archive files and reads them with tests/unit/archive-check (built by meson),
# comparing digests with `skopeo inspect --raw`; then writes archives with archive-check from skopeo
# dir: layouts and has skopeo and podman read them. Everything it makes is removed; podman runs only
# as short-lived commands on a store under the temporary directory.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd) || exit 1
check_bin=$build/tests/unit/archive-check

if [ "$(id -u)" -ne 0 ]; then
        echo "$0: must run as root (installs packages)" >&2
        exit 77
fi
if ! [ -x "$check_bin" ]; then
        echo "$0: $check_bin missing; build first (ninja -C $build)" >&2
        exit 1
fi
for pkg in skopeo podman; do
        command -v "$pkg" >/dev/null && continue
        { DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" ||
                { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg"; }; } >&2 ||
                { echo "$0: cannot install $pkg" >&2; exit 77; }
done

tmp=$(mktemp -d /tmp/raind-archive.XXXXXX)
cleanup() {
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
json_get() { # json_get FILE PYTHON-EXPRESSION-ON-j
        python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($2)" "$1"
}
# podman with a store of its own under $tmp; nothing of the host's containers is touched.
podman_tmp() {
        podman --root "$tmp/podman/root" --runroot "$tmp/podman/run" --tmpdir "$tmp/podman/tmp" \
                --storage-driver vfs --cgroup-manager cgroupfs --events-backend file "$@"
}

"$src/tests/lib/mkimage-busybox.sh" "$tmp/rootfs.tar.gz" >"$tmp/mkimage.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
        echo "# mkimage-busybox.sh failed ($rc); skipping"
        exit 77
fi
ref=example.com/test/busybox:1

# read_and_compare TRANSPORT:ARCHIVE WORK_DIR: archive-check reads the archive; config, layers and
# (OCI) manifest digest are the ones skopeo sees, the tag is $ref, and the spilled files are what
# their names say.
read_and_compare() {
        local archive=$1 work=$2 raw=$2.raw out=$2.out
        mkdir -p "$work"
        "$check_bin" read "${archive#*:}" "$work" >"$out" || return 1
        cat "$out"
        skopeo inspect --raw "$archive" >"$raw" || return 1
        grep -q "^config $(json_get "$raw" 'j["config"]["digest"]') " "$out" || { echo "config differs"; return 1; }
        [ "$(sed -n 's/^layer \([^ ]*\) .*/\1/p' "$out")" = "$(json_get "$raw" '"\n".join(l["digest"] for l in j["layers"])')" ] ||
                { echo "layers differ"; return 1; }
        grep -qx "tag $ref" "$out" || { echo "tag $ref missing"; return 1; }
        case $archive in
        oci-archive:*)
                grep -qx "manifest sha256:$(sha256sum <"$raw" | cut -d' ' -f1)" "$out" ||
                        { echo "manifest digest differs"; return 1; }
                grep -qx "format oci-archive" "$out"
                ;;
        *) grep -qx "format docker-archive" "$out" ;;
        esac || return 1
        for f in "$work"/*; do
                [ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || { echo "$f: wrong content"; return 1; }
        done
}

# --- reading what skopeo writes ---
check "skopeo writes a docker-archive" skopeo copy -q "tarball:$tmp/rootfs.tar.gz" "docker-archive:$tmp/sk-docker.tar:$ref"
check "skopeo writes an oci-archive" skopeo copy -q "tarball:$tmp/rootfs.tar.gz" "oci-archive:$tmp/sk-oci.tar:$ref"
check "archive-check reads skopeo's docker-archive (legacy symlinks too), digests match skopeo inspect" \
        read_and_compare "docker-archive:$tmp/sk-docker.tar" "$tmp/r-sk-docker"
check "archive-check reads skopeo's oci-archive, digests match skopeo inspect" \
        read_and_compare "oci-archive:$tmp/sk-oci.tar" "$tmp/r-sk-oci"
compressed() {
        mkdir -p "$tmp/r-gz" && gzip -c "$tmp/sk-docker.tar" | "$check_bin" read - "$tmp/r-gz" >"$tmp/r-gz.out" &&
                cat "$tmp/r-gz.out" && diff <(grep -v '^layer\|^config' "$tmp/r-gz.out") <(grep -v '^layer\|^config' "$tmp/r-sk-docker.out") &&
                diff <(sed 's/ [^ ]*$//' "$tmp/r-gz.out") <(sed 's/ [^ ]*$//' "$tmp/r-sk-docker.out")
}
check "a gzip-compressed docker-archive read from a pipe gives the same images" compressed

corrupt() {
        # The layer blob of skopeo's oci-archive, replaced by other bytes of the same size.
        python3 - "$tmp/sk-oci.tar" "$tmp/corrupt.tar" "$(json_get "$tmp/r-sk-oci.raw" 'j["layers"][0]["digest"][7:]')" <<'EOP' || return 1
import io, sys, tarfile
src, dst, hex = sys.argv[1:]
with tarfile.open(src) as i, tarfile.open(dst, "w") as o:
    for m in i.getmembers():
        data = i.extractfile(m).read() if m.isfile() else None
        if m.name.endswith(hex):
            data = bytes(len(data))
        o.addfile(m, io.BytesIO(data) if data is not None else None)
EOP
        mkdir -p "$tmp/r-corrupt"
        "$check_bin" read "$tmp/corrupt.tar" "$tmp/r-corrupt"
        local rc=$?
        [ $rc = 3 ] && [ -z "$(ls -A "$tmp/r-corrupt")" ]
}
check "an oci-archive with a blob that does not match its name is refused, nothing stays" corrupt

# --- writing from skopeo dir: layouts ---
check "skopeo copies the image to a dir: layout (Docker schema2)" \
        skopeo copy -q --format v2s2 "tarball:$tmp/rootfs.tar.gz" "dir:$tmp/dir-v2s2"
check "skopeo copies the image to a dir: layout (OCI)" \
        skopeo copy -q --format oci "tarball:$tmp/rootfs.tar.gz" "dir:$tmp/dir-oci"
config_digest=$(json_get "$tmp/dir-oci/manifest.json" 'j["config"]["digest"]')
layer_digest=$(json_get "$tmp/dir-oci/manifest.json" 'j["layers"][0]["digest"]')
diff_id=$(json_get "$tmp/dir-oci/$(json_get "$tmp/dir-oci/manifest.json" 'j["config"]["digest"][7:]')" 'j["rootfs"]["diff_ids"][0]')

check "archive-check writes a docker-archive of two images" \
        "$check_bin" write docker-archive "$tmp/w-docker.tar" "$tmp/dir-v2s2=example.com/raind/a:1,example.com/raind/a:2" \
        "$tmp/dir-oci=example.com/raind/b:1"
inspect_docker() { # the layer is the uncompressed tar: its digest is the diff_id
        local t
        for t in example.com/raind/a:1 example.com/raind/a:2 example.com/raind/b:1; do
                skopeo inspect --raw "docker-archive:$tmp/w-docker.tar:$t" >"$tmp/w-docker.raw" || return 1
                cat "$tmp/w-docker.raw"
                echo
                [ "$(json_get "$tmp/w-docker.raw" 'j["config"]["digest"]')" = "$config_digest" ] || return 1
                [ "$(json_get "$tmp/w-docker.raw" '[l["digest"] for l in j["layers"]]')" = "['$diff_id']" ] || return 1
        done
}
check "skopeo inspect reads it: each tag, config digest and the layer's diff_id" inspect_docker
copy_docker() {
        skopeo copy -q "docker-archive:$tmp/w-docker.tar:example.com/raind/b:1" "dir:$tmp/c-docker" &&
                [ -f "$tmp/c-docker/${config_digest#sha256:}" ] && [ -f "$tmp/c-docker/${diff_id#sha256:}" ]
}
check "skopeo copies an image out of it" copy_docker

check "archive-check writes an oci-archive of two images (one Docker schema2)" \
        "$check_bin" write oci-archive "$tmp/w-oci.tar" "$tmp/dir-oci=example.com/raind/b:1,example.com/raind/b:2" \
        "$tmp/dir-v2s2=example.com/raind/a:1"
copy_oci() {
        local t
        for t in example.com/raind/b:1 example.com/raind/b:2 example.com/raind/a:1; do
                rm -rf "$tmp/c-oci"
                skopeo copy -q "oci-archive:$tmp/w-oci.tar:$t" "dir:$tmp/c-oci" || return 1
                [ "$(json_get "$tmp/c-oci/manifest.json" 'j["config"]["digest"]')" = "$config_digest" ] || return 1
                [ "$(json_get "$tmp/c-oci/manifest.json" '[l["digest"] for l in j["layers"]]')" = "['$layer_digest']" ] ||
                        return 1
                sha256sum "$tmp/c-oci"/* | sed "s|$tmp/c-oci/||"
        done
        # The OCI manifest went in verbatim.
        cmp "$tmp/dir-oci/manifest.json" <(skopeo inspect --raw "oci-archive:$tmp/w-oci.tar:example.com/raind/b:1")
}
check "skopeo copy oci-archive:… dir: gets each tag with the same config and layer digests" copy_oci
own() {
        mkdir -p "$tmp/r-w-docker" "$tmp/r-w-oci" &&
                "$check_bin" read "$tmp/w-docker.tar" "$tmp/r-w-docker" && "$check_bin" read "$tmp/w-oci.tar" "$tmp/r-w-oci"
}
check "archive-check reads back what it wrote" own

# --- podman, when it runs here without systemd ---
mkdir -p "$tmp/podman/root" "$tmp/podman/run" "$tmp/podman/tmp"
if ! podman_tmp info >"$tmp/podman-info" 2>&1; then
        echo "# podman does not work here; its checks are left out:"
        sed 's/^/#   /' "$tmp/podman-info"
else
        check "podman loads skopeo's docker-archive" podman_tmp load -q -i "$tmp/sk-docker.tar"
        check "podman save --format docker-archive" podman_tmp save -q --format docker-archive -o "$tmp/pd-docker.tar" "$ref"
        check "podman save --format oci-archive" podman_tmp save -q --format oci-archive -o "$tmp/pd-oci.tar" "$ref"
        check "archive-check reads podman's docker-archive, digests match skopeo inspect" \
                read_and_compare "docker-archive:$tmp/pd-docker.tar" "$tmp/r-pd-docker"
        check "archive-check reads podman's oci-archive, digests match skopeo inspect" \
                read_and_compare "oci-archive:$tmp/pd-oci.tar" "$tmp/r-pd-oci"

        check "podman removes its images" podman_tmp rmi -a -f
        podman_images() { # podman_images ARCHIVE TAG...: loads, then every tag is the image with our config
                podman_tmp load -i "$1" || return 1
                shift
                local t
                for t in "$@"; do
                        [ "$(podman_tmp image inspect --format '{{.Id}}' "$t")" = "${config_digest#sha256:}" ] ||
                                { echo "$t: not loaded"; return 1; }
                done
        }
        check "podman load reads archive-check's docker-archive: all three tags" \
                podman_images "$tmp/w-docker.tar" example.com/raind/a:1 example.com/raind/a:2 example.com/raind/b:1
        # podman 4.3 loads an oci-archive only with one index entry.
        check "archive-check writes a one-tag oci-archive" \
                "$check_bin" write oci-archive "$tmp/w-oci-1.tar" "$tmp/dir-v2s2=example.com/raind/c:1"
        check "podman load reads archive-check's oci-archive" podman_images "$tmp/w-oci-1.tar" example.com/raind/c:1
        check "podman removes its images" podman_tmp rmi -a -f
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
