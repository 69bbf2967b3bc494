#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# with-journal.sh OUT COMMAND...: runs COMMAND with journal-listener.py standing in for journald,
# entries in OUT (one JSON object per line). Needs root; the host's /run is not touched.
set -eu
if [ "${RAIND_WITH_JOURNAL_INNER:-}" != 1 ]; then
        RAIND_WITH_JOURNAL_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi
OUT=$1
shift
SOCK=/run/systemd/journal/socket
mount -t tmpfs tmpfs /run
rm -f "$OUT" "$OUT.ready"
python3 "$(dirname "$0")/journal-listener.py" $SOCK "$OUT" &
LISTENER=$!
for _ in $(seq 500); do [ -e "$OUT.ready" ] && break; sleep 0.01; done
[ -e "$OUT.ready" ] || { kill $LISTENER; exit 1; }
"$@" || true
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"MESSAGE=raind-test-stop\n", sys.argv[1])' $SOCK
wait $LISTENER
rm -f "$OUT.ready"
