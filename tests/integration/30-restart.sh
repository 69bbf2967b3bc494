# shellcheck shell=bash
# Containers outlive raindd; systemd stopping a scope is noticed.

ensure_test_image
raind container run -d --name survivor "$RAIND_TEST_IMAGE" sh -c 'trap "exit 3" TERM; while :; do sleep 0.2; done' >/dev/null
pid=$(container_prop survivor MainPID)
check "systemctl restart raindd" systemctl restart raindd
check "the container's process survives the restart" kill -0 "$pid"
check_eq "after the restart State is still running" "running" "$(container_prop survivor State)"
check_eq "after the restart MainPID is the same" "$pid" "$(container_prop survivor MainPID)"
check "stop works on the adopted container" raind container stop -t 5 survivor
check_eq "the adopted container's exit status is recorded" "3" "$(container_prop survivor ExitStatus)"
check_fails "its process is gone" kill -0 "$pid"

# Kill raindd hard: still nothing is lost.
raind container run -d --name survivor2 "$RAIND_TEST_IMAGE" sleep 300 >/dev/null
pid=$(container_prop survivor2 MainPID)
systemctl kill -s KILL raindd
sleep 0.2
check "after SIGKILL to raindd the container runs on" kill -0 "$pid"
check_eq "raindd comes back (bus activation) and knows it" "running" "$(container_prop survivor2 State)"
check "kill works on it" raind container kill survivor2
check_eq "its exit status is 137" "137" "$(raind container wait survivor2)"

# systemctl stop on the scope.
raind container run -d --name victim "$RAIND_TEST_IMAGE" sh -c 'trap "exit 0" TERM; while :; do sleep 0.2; done' >/dev/null
check "systemctl stop raind-victim.scope" systemctl stop raind-victim.scope
wait_until 5 sh -c "[ \"\$(raind container inspect victim | grep -o '\"State\": *\"[a-z]*\"')\" != '\"State\": \"running\"' ]"
check_eq "the container's State turns to exited" "exited" "$(container_prop victim State)"

# A container whose exit happened while raindd was down.
raind container run -d --name brief "$RAIND_TEST_IMAGE" sh -c 'sleep 1; exit 4' >/dev/null
systemctl stop raindd
sleep 1.5
check_eq "an exit while raindd was down is found at restart" "4" "$(raind container wait brief)"

remove_all_containers
check_eq "nothing is left behind" "" "$(leftovers)"
