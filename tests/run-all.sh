#!/bin/bash
# Runs every test: unit tests (cmocka, via meson) and integration tests in a throwaway systemd sandbox.
# Usage: sudo tests/run-all.sh [INTEGRATION-TEST.sh…]     Ends with "N passed, N failed, N skipped".
set -u -o pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

[ "$(id -u)" -eq 0 ] || { echo "run-all: must run as root (it boots a sandbox with namespaces)" >&2; exit 1; }
tests/deps.sh || exit 1
tests/build.sh || { echo "run-all: build failed" >&2; exit 1; }

passed=0 failed=0 skipped=0
log=$(mktemp -d /tmp/raind-tests.XXXXXX)

# 1. Style.
if git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror >"$log/format" 2>&1; then
        echo "ok - clang-format: every C file is formatted"
        passed=$((passed + 1))
else
        echo "not ok - clang-format: files need formatting:"
        grep -oE '^[^: ]+\.[ch]:' "$log/format" | sort -u | sed 's/^/    # /'
        failed=$((failed + 1))
fi

# 2. Unit tests.
meson test -C build --suite unit --print-errorlogs >"$log/unit" 2>&1
while read -r status name; do
        case $status in
        OK) echo "ok - unit: $name"; passed=$((passed + 1)) ;;
        SKIP) echo "skip - unit: $name"; skipped=$((skipped + 1)) ;;
        *) echo "not ok - unit: $name"; failed=$((failed + 1)) ;;
        esac
done < <(sed -nE 's/^ *[0-9]+\/[0-9]+ +(raind:unit \/ )?([^ ]+) +([A-Z]+) .*/\3 \2/p' "$log/unit")
if ! grep -qE '^Ok: +[1-9]' "$log/unit"; then
        echo "not ok - unit: meson test ran no unit test"
        cat "$log/unit"
        failed=$((failed + 1))
fi
grep -q 'FAIL' "$log/unit" && sed -n '/stdout:/,/^===/p' "$log/unit" | head -50

# 3. Shim tests on the host (the bare runtime, no systemd needed).
if [ -x tests/shim/run.sh ]; then
        BUILD="$top/build" tests/shim/run.sh --no-bench >"$log/shim" 2>&1
        grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$log/shim" # only the final line of the run counts
        passed=$((passed + $(grep -c '^ok - ' "$log/shim"))); failed=$((failed + $(grep -c '^not ok - ' "$log/shim")))
fi

# 3b/3c. Against real tools on the host: the registry client against Debian's docker-registry on
# loopback (fed by skopeo), and the image archives against skopeo and podman.
for part in registry archive; do
        [ -x "tests/$part/run.sh" ] || continue
        "tests/$part/run.sh" "$top/build" >"$log/$part" 2>&1
        grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$log/$part"
        passed=$((passed + $(grep -c '^ok - ' "$log/$part"))); failed=$((failed + $(grep -c '^not ok - ' "$log/$part")))
        if ! grep -q '^ok - ' "$log/$part"; then
                echo "not ok - $part: tests/$part/run.sh ran no check"
                failed=$((failed + 1))
        fi
done

# 4. Integration tests in the sandbox.
sb=tests/sandbox/sandbox
export SANDBOX_NAME=raind-test-$$
export SANDBOX_BINDS=$top   # the checkout may live under /tmp, which the sandbox replaces
trap '$sb down >/dev/null 2>&1; rm -rf "$log"' EXIT
if $sb up --stage "$top/stage" 2>"$log/up"; then
        $sb run -- "$top/tests/integration/run-in-sandbox.sh" "$@" 2>&1 | tee "$log/integration"
        rc=${PIPESTATUS[0]}
        passed=$((passed + $(grep -c '^ok - ' "$log/integration")))
        failed=$((failed + $(grep -c '^not ok - ' "$log/integration")))
        if [ "$rc" -ne 0 ] || ! grep -q '^ok - ' "$log/integration"; then
                echo "not ok - integration: the test runner in the sandbox failed (exit $rc) or ran no test"
                failed=$((failed + 1))
        fi
else
        cat "$log/up" >&2
        echo "not ok - sandbox: could not boot the test sandbox"
        failed=$((failed + 1))
fi
$sb down >/dev/null 2>&1

# 5. The benchmark's smoke mode: every scenario once, side by side with podman and crun, so it never rots.
if [ $# -eq 0 ]; then
        if bench/run.sh --smoke --out "$log/bench" >"$log/bench.out" 2>&1; then
                echo "ok - bench: smoke run of every scenario (bench/run.sh --smoke)"
                passed=$((passed + 1))
        else
                echo "not ok - bench: smoke run failed (bench/run.sh --smoke)"
                tail -20 "$log/bench.out" | sed 's/^/    # /'
                failed=$((failed + 1))
        fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
