#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# raind against podman and crun, side by side (see bench/README.md).
#
#   sudo bench/run.sh [--smoke] [--out DIR]
#
# Installs what it needs (apt), builds raind (tests/build.sh), boots a throwaway sandbox of its own
# (tests/sandbox, unique name, always torn down), runs every scenario in it and writes DIR/results.md,
# DIR/results.json and DIR/raw/ (default DIR: bench/results). --smoke runs every scenario once with small
# counts (under 2 minutes). Exit status: 0, or 1 if any scenario broke.
set -u -o pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

mode=full
out=$top/bench/results
usage() { echo "usage: $0 [--smoke] [--out DIR]" >&2; exit 2; }
while [ $# -gt 0 ]; do
        case $1 in
        --smoke) mode=smoke; shift ;;
        --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        --out=*) out=${1#--out=}; shift ;;
        -h | --help) sed -n '3,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) usage ;;
        esac
done
if ! mkdir -p "$out" || ! out=$(cd "$out" && pwd); then
        echo "bench: cannot create $out" >&2
        exit 1
fi
cd "$top" || exit 1
[ "$(id -u)" -eq 0 ] || { echo "bench: run me as root (sudo $0); I boot a sandbox with namespaces" >&2; exit 1; }

tests/deps.sh || exit 1
bench/lib/deps.sh || exit 1
tests/build.sh || { echo "bench: build failed" >&2; exit 1; }

sb=$top/tests/sandbox/sandbox
export SANDBOX_NAME=raind-bench-$$
export SANDBOX_BINDS=$top # the checkout may live under /tmp, which the sandbox replaces with a tmpfs
work=$(mktemp -d /tmp/raind-bench-stage.XXXXXX)
# shellcheck disable=SC2317 # called by the trap
cleanup() {
        "$sb" down >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The staged install, plus podman's own units masked: they would start at boot against the sandbox's
# overlay root, which podman's storage cannot use, and leave the sandbox degraded.
cp -a stage "$work/stage"
mkdir -p "$work/stage/etc/systemd/system"
for unit in /lib/systemd/system/podman*; do
        [ -e "$unit" ] && ln -sfn /dev/null "$work/stage/etc/systemd/system/${unit##*/}"
done

rm -rf "$out/raw" "$out/results.md" "$out/results.json"
"$sb" up --stage "$work/stage" || { echo "bench: the sandbox did not boot" >&2; exit 1; }
"$sb" run -- python3 -B "$top/bench/lib/inside.py" "$mode" # -B: nothing written into the checkout
rc=$?

# The results live on the sandbox's tmpfs: copy them out before it goes.
if ! "$sb" run -- tar -C /tmp/raind-bench/out -cf - . | tar -C "$out" -xf -; then
        echo "bench: could not copy the results out of the sandbox" >&2
        exit 1
fi
[ -f "$out/results.md" ] && cat "$out/results.md"
echo "bench: results in $out/results.md and $out/results.json"
exit $rc
