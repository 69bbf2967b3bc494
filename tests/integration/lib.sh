# shellcheck shell=bash
# Helpers for integration tests. They run inside the sandbox (tests/sandbox/sandbox), as root,
# with raind installed. Every check prints one TAP-like line; the runner counts them.

RAIND_TEST_IMAGE=${RAIND_TEST_IMAGE:-busybox:test}
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${RESULTS:=/run/raind-test-results}"

_record() { # status description
        echo "$1 - ${T_NAME:-?}: $2"
        echo "$1" >>"$RESULTS"
}

ok() { _record ok "$1"; }
not_ok() {
        _record "not ok" "$1"
        shift
        [ $# -gt 0 ] && printf '    # %s\n' "$@"
        return 0
}

# check DESC CMD… — passes when CMD exits 0.
check() {
        local desc=$1 out
        shift
        if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc" "command: $*" "exit $?; output: ${out:0:800}"; fi
}

# check_fails DESC CMD… — passes when CMD exits non-zero.
check_fails() {
        local desc=$1 out
        shift
        if out=$("$@" 2>&1); then not_ok "$desc" "command: $*" "unexpectedly succeeded: ${out:0:800}"; else ok "$desc"; fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
        if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# check_match DESC REGEX ACTUAL
check_match() {
        if [[ "$3" =~ $2 ]]; then ok "$1"; else not_ok "$1" "expected to match: $2" "actual: ${3:0:800}"; fi
}

# check_no_match DESC REGEX ACTUAL
check_no_match() {
        if [[ "$3" =~ $2 ]]; then not_ok "$1" "must not match: $2" "actual: ${3:0:800}"; else ok "$1"; fi
}

# wait_until SECONDS CMD… — polls CMD every 50 ms.
wait_until() {
        local deadline=$((SECONDS + $1))
        shift
        until "$@" >/dev/null 2>&1; do
                [ $SECONDS -ge $deadline ] && return 1
                sleep 0.05
        done
}

container_prop() { # NAME PROPERTY
        local path
        path=$(busctl call org.raind.raind1 /org/raind/raind1 org.raind.raind1.Manager GetContainer s "$1" | awk '{print $2}' | tr -d '"')
        busctl get-property org.raind.raind1 "$path" org.raind.raind1.Container "$2" | cut -d' ' -f2- | tr -d '"'
}

# Imports the busybox test image once per sandbox.
ensure_test_image() {
        if ! raind image ls -q 2>/dev/null | grep -q . || ! raind image ls 2>/dev/null | grep -q "busybox *test"; then
                local tar=/tmp/busybox-test.tar.gz
                "$TESTS_DIR/lib/mkimage-busybox.sh" "$tar" >/dev/null
                raind image import "$tar" "$RAIND_TEST_IMAGE" >/dev/null
        fi
}

# Every trace a container leaves: scopes, shims, state directories. Empty when nothing is there.
leftovers() {
        local known
        known=$(raind container ls -a -q --no-trunc 2>/dev/null | sort)
        systemctl list-units --all --plain --no-legend 'raind-*.scope' | awk '{print "scope " $1}'
        pgrep -a raind-shim | sed 's/^/shim /'
        for d in /var/lib/raind/containers/* /run/raind/containers/*; do
                [ -e "$d" ] || continue
                grep -qx "$(basename "$d")" <<<"$known" || echo "dir $d"
        done
        ls -A /var/lib/raind/tmp 2>/dev/null | sed 's/^/tmp /'
        awk '$5 ~ "^/var/lib/raind/|^/run/raind/" {print "mount " $5}' /proc/self/mountinfo
}

# Removes every container (between tests).
remove_all_containers() {
        local ids
        ids=$(raind container ls -a -q 2>/dev/null)
        [ -n "$ids" ] && raind container rm -f $ids >/dev/null 2>&1
        wait_until 10 sh -c '! systemctl list-units --plain --no-legend "raind-*.scope" | grep -q .'
        return 0
}

# image_json IMAGE JQ-FILTER — a value from `raind image inspect IMAGE` (the filter sees the image's object).
image_json() {
        raind image inspect "$1" 2>/dev/null | jq -r ".[0] | $2"
}

# The image store's state at rest, one line per item: everything in blobs/ and layers/ that no image
# record names (orphan), everything a record names that is missing, and anything in downloads/ or tmp/.
# Empty when the store is clean.
store_orphans() {
        local root=/var/lib/raind owned f
        owned=$(cat /dev/null "$root"/images/*.json 2>/dev/null |
                jq -r '.manifest.digest, .config.digest, (.layers[] | .digest, .diffID), (.otherBlobs // [])[]' | sed 's/^sha256://' | sort -u)
        for f in "$root"/blobs/sha256/* "$root"/layers/*; do
                [ -e "$f" ] || continue
                grep -qx "${f##*/}" <<<"$owned" || echo "orphan ${f#"$root"/}"
        done
        while read -r f; do
                [ -n "$f" ] || continue
                [ -e "$root/blobs/sha256/$f" ] || [ -e "$root/layers/$f" ] || echo "missing $f"
        done < <(cat /dev/null "$root"/images/*.json 2>/dev/null | jq -r '.manifest.digest, (.layers[] | .diffID)' |
                sed 's/^sha256://')
        ls -A "$root/downloads" 2>/dev/null | sed 's/^/download /'
        ls -A "$root/tmp" 2>/dev/null | sed 's/^/tmp /'
}

# Image job workers (raindd forks one per pull, push, import, save, load): raindd's processes but its main one.
image_workers() {
        local main
        main=$(systemctl show -p MainPID --value raindd 2>/dev/null)
        pgrep -x raindd | grep -vx "${main:-0}" | sed 's/^/worker /'
}

# store_snapshot — what the image store holds: image records, blobs, layers, downloads, tmp (names only).
store_snapshot() {
        (cd /var/lib/raind && find images blobs/sha256 layers downloads tmp -mindepth 1 -maxdepth 1 | sort)
}

# store_changes SNAPSHOT — what differs from SNAPSHOT now ("+ added", "- gone"); empty when nothing.
store_changes() {
        diff <([ -n "$1" ] && echo "$1") <(store_snapshot) | sed -n 's/^> /+ /p; s/^< /- /p'
}
