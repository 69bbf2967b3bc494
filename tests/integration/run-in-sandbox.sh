#!/bin/bash
# Runs the integration tests inside an already booted sandbox. Usage: run-in-sandbox.sh [TEST.sh…]
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export RESULTS=/run/raind-test-results
: >"$RESULTS"

tests=("$@")
[ ${#tests[@]} -eq 0 ] && tests=("$here"/[0-9]*.sh)

for t in "${tests[@]}"; do
        echo "# ${t##*/}"
        (
                T_NAME=$(basename "$t" .sh)
                export T_NAME
                # shellcheck source=lib.sh
                . "$here/lib.sh"
                . "$t"
        )
        rc=$?
        if [ $rc -ne 0 ]; then
                echo "not ok - ${t##*/}: the test script itself failed (exit $rc)"
                echo "not ok" >>"$RESULTS"
        fi
done
