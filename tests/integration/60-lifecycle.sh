# shellcheck shell=bash
# Restart policies, events, rename, prune, cp, stats and top.

ensure_test_image
remove_all_containers
RESTART_ID=84582f7905824de8b1f87f62d7ddfb0f
START_ID=b1dd7c05ef684c5fba84f03c909593f0

# on-failure:3 restarts exactly three times, with growing delays.
raind container run -d --name flaky --restart on-failure:3 "$RAIND_TEST_IMAGE" sh -c 'exit 1' >/dev/null
wait_until 15 sh -c "[ \"\$(raind container inspect flaky | grep -o '\"RestartCount\": *[0-9]*' | grep -o '[0-9]*$')\" = 3 ] && [ \"\$(raind container inspect flaky | grep -o '\"State\": *\"[a-z]*\"' | cut -d'\"' -f4)\" = exited ]"
check_eq "on-failure:3 restarts exactly 3 times" "3" "$(container_prop flaky RestartCount)"
sleep 1
check_eq "and then stays exited" "exited" "$(container_prop flaky State)"
check_eq "with the last exit status" "1" "$(container_prop flaky ExitStatus)"
journalctl --sync 2>/dev/null
check_eq "three restart events in the journal" 3 "$(journalctl -q -o cat MESSAGE_ID=$RESTART_ID RAIND_CONTAINER_NAME=flaky | wc -l)"
mapfile -t starts < <(journalctl -q -o json MESSAGE_ID=$START_ID RAIND_CONTAINER_NAME=flaky |
        python3 -c 'import sys,json; [print(json.loads(l)["__MONOTONIC_TIMESTAMP"]) for l in sys.stdin]')
gaps=""
for ((i = 1; i < ${#starts[@]}; i++)); do
        gaps="$gaps $(( (starts[i] - starts[i-1]) / 1000 ))"
done
check_eq "four starts (1 + 3 restarts)" 4 "${#starts[@]}"
read -r g1 g2 g3 <<<"$gaps"
if [ -n "$g3" ] && [ "$g1" -lt "$g2" ] && [ "$g2" -lt "$g3" ]; then ok "the delays between restarts grow ($gaps ms)"; else not_ok "the delays between restarts grow" "gaps (ms): $gaps"; fi
check "a restart policy with --rm is refused" sh -c "! raind container run --rm --restart always $RAIND_TEST_IMAGE true 2>/dev/null"
check_fails "an invalid restart policy is refused" raind container create --restart sometimes "$RAIND_TEST_IMAGE" true

# always survives a raindd restart, and comes back when raindd starts.
raind container run -d --name forever --restart always "$RAIND_TEST_IMAGE" sh -c 'sleep 0.3; exit 2' >/dev/null
wait_until 10 sh -c "[ \"\$(raind container inspect forever | grep -o '\"RestartCount\": *[0-9]*' | grep -o '[0-9]*$')\" -ge 1 ]"
before=$(container_prop forever RestartCount)
check "systemctl restart raindd" systemctl restart raindd
wait_until 10 sh -c "[ \"\$(raind container inspect forever | grep -o '\"RestartCount\": *[0-9]*' | grep -o '[0-9]*$')\" -gt $before ]"
check "always keeps restarting after systemctl restart raindd" test "$(container_prop forever RestartCount)" -gt "$before"
raind container stop -t 1 forever >/dev/null
sleep 0.5
check_eq "an explicit stop ends the restarts" "exited" "$(container_prop forever State)"

raind container run -d --name back --restart always "$RAIND_TEST_IMAGE" sleep 300 >/dev/null
raind container run -d --name staydown --restart unless-stopped "$RAIND_TEST_IMAGE" sleep 300 >/dev/null
raind container stop -t 0 staydown >/dev/null
pid=$(container_prop back MainPID)
systemctl stop raindd
kill -9 "$pid"
sleep 0.3
busctl call org.raind.raind1 /org/raind/raind1 org.freedesktop.DBus.Peer Ping >/dev/null   # bus activation
wait_until 10 sh -c "[ \"\$(raind container inspect back | grep -o '\"State\": *\"[a-z]*\"' | cut -d'\"' -f4)\" = running ]"
check_eq "an always container that died while raindd was down runs again after it starts" "running" "$(container_prop back State)"
check_eq "an explicitly stopped unless-stopped container stays stopped" "exited" "$(container_prop staydown State)"
raind container rm -f back staydown forever flaky >/dev/null

# Events.
since=$(date '+%Y-%m-%d %H:%M:%S')
sleep 1
raind container run --name evented "$RAIND_TEST_IMAGE" sh -c 'exit 3' >/dev/null 2>&1
raind container rename evented evented2
raind container rm evented2 >/dev/null
journalctl --sync 2>/dev/null
ev=$(raind events --since "$since" --until "$(date -d '+1 sec' '+%Y-%m-%d %H:%M:%S')" 2>&1)
for e in create start die rename remove; do
        check_match "raind events shows $e" "container $e" "$ev"
done
check_match "the die event carries the exit status" "die .*exitCode=3" "$ev"
evj=$(raind events --since "$since" --until "$(date -d '+1 sec' '+%Y-%m-%d %H:%M:%S')" --json 2>&1 | head -1)
check "raind events --json prints JSON" python3 -c "import json,sys; json.loads(sys.argv[1])" "$evj"
check_eq "events are not container output" "" "$(journalctl -q -o cat CONTAINER_NAME=evented2)"

# Rename: the next run uses the new scope.
raind container create --name before "$RAIND_TEST_IMAGE" sleep 300 >/dev/null
check "rename" raind container rename before after
check_fails "the old name is gone" raind container inspect before
raind container start after >/dev/null
check_eq "the renamed container runs in raind-after.scope" "raind-after.scope" "$(container_prop after Unit)"
check "systemctl knows the scope" systemctl is-active -q raind-after.scope
raind container create --name taken "$RAIND_TEST_IMAGE" true >/dev/null
check_fails "renaming to a name in use is refused" raind container rename after taken

# top and stats.
check_match "top lists the container's process" "sleep 300" "$(raind container top after)"
st=$(raind container stats --no-stream after)
check_match "stats --no-stream has a row for the container" "after" "$st"
stj=$(raind container stats --no-stream --json after)
check "stats --json is JSON" python3 -c "import json,sys; json.loads(sys.argv[1])" "$stj"

# cp, both ways, and never through a symlink to the host.
check "exec prepares files" raind container exec after sh -c 'echo container-secret >/etc/shadow; ln -s /etc/shadow /link; mkdir -p /data; echo in-ctr >/data/f'
out=/tmp/cp-test; rm -rf "$out"; mkdir -p "$out"
check "cp from a running container" raind container cp after:/data/f "$out/f"
check_eq "the copied file has the container's content" "in-ctr" "$(cat "$out/f" 2>/dev/null)"
check "cp of a symlink to /etc/shadow" raind container cp after:/link "$out/shadow"
check_eq "copies the container's file, not the host's" "container-secret" "$(cat "$out/shadow" 2>/dev/null)"
echo from-host >"$out/up"
check "cp into a running container" raind container cp "$out/up" after:/data/
check_eq "the file arrived inside" "from-host" "$(raind container exec after cat /data/up 2>&1)"
raind container stop -t 0 after >/dev/null
check "cp from a stopped container" raind container cp after:/data/up "$out/up2"
check_eq "with the right content" "from-host" "$(cat "$out/up2" 2>/dev/null)"
check_fails "cp of a missing path fails" raind container cp after:/no/such "$out/x"

# prune
raind container run -d --name running-one "$RAIND_TEST_IMAGE" sleep 300 >/dev/null
check "container prune -f" raind container prune -f
check_fails "prune removed stopped containers" raind container inspect after
check_eq "prune kept the running one" "running" "$(container_prop running-one State)"

remove_all_containers
check_eq "nothing is left behind" "" "$(leftovers)"
