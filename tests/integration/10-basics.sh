# shellcheck shell=bash
# The spine: run, exit status, journal, scope, D-Bus objects, properties, logs, lifecycle verbs.

ensure_test_image
remove_all_containers
check "test image is listed" sh -c "raind image ls | grep -q 'busybox *test'"

out=$(raind container run --name hello "$RAIND_TEST_IMAGE" echo hi 2>&1); rc=$?
check_eq "run echo hi prints hi" "hi" "$out"
check_eq "run echo hi exits 0" 0 "$rc"

raind container run "$RAIND_TEST_IMAGE" sh -c 'exit 7' >/dev/null 2>&1; rc=$?
check_eq "run sh -c 'exit 7' exits 7" 7 "$rc"

raind container run -d --name killed "$RAIND_TEST_IMAGE" sleep 60 >/dev/null
raind container kill killed >/dev/null
check_eq "a container killed with SIGKILL exits 137" 137 "$(raind container wait killed)"
raind container rm killed >/dev/null

out=$(raind container run "$RAIND_TEST_IMAGE" sh -c 'echo out; echo err >&2' 2>/dev/null)
check_eq "stdout reaches the client's stdout only" "out" "$out"
out=$(raind container run "$RAIND_TEST_IMAGE" sh -c 'echo out; echo err >&2' 2>&1 >/dev/null)
check_eq "stderr reaches the client's stderr only" "err" "$out"

journalctl --sync 2>/dev/null
out=$(journalctl -q -o cat CONTAINER_NAME=hello)
check_eq "journalctl CONTAINER_NAME=hello has the line" "hi" "$out"
id=$(container_prop hello Id)
j=$(journalctl -q -o export CONTAINER_NAME=hello)
check_match "journal entry has CONTAINER_ID_FULL" "CONTAINER_ID_FULL=$id" "$j"
check_match "journal entry has CONTAINER_ID (12)" "CONTAINER_ID=${id:0:12}" "$j"
check_match "journal entry has IMAGE_NAME" "IMAGE_NAME=$RAIND_TEST_IMAGE" "$j"
check_match "journal entry has SYSLOG_IDENTIFIER" "SYSLOG_IDENTIFIER=hello" "$j"
check_match "journal entry has PRIORITY=6 for stdout" "PRIORITY=6" "$j"
check_match "journal entry comes from the container's scope" "_SYSTEMD_UNIT=raind-hello.scope" "$j"
out=$(raind container logs hello)
check_eq "raind container logs shows the line" "hi" "$out"

raind container run --name errs "$RAIND_TEST_IMAGE" sh -c 'echo bad >&2; printf partial' >/dev/null 2>&1
journalctl --sync 2>/dev/null
check_match "stderr is logged with PRIORITY=3" "PRIORITY=3" "$(journalctl -q -o export CONTAINER_NAME=errs MESSAGE=bad)"
check_match "a line without newline is CONTAINER_PARTIAL_MESSAGE" "CONTAINER_PARTIAL_MESSAGE=true" \
        "$(journalctl -q -o export CONTAINER_NAME=errs MESSAGE=partial)"

# Detached containers live in a scope under raind.slice.
id=$(raind container run -d --name web --memory 64m --cpus 0.5 --pids-limit 100 "$RAIND_TEST_IMAGE" \
        sh -c 'trap "exit 0" TERM; echo started; while :; do sleep 0.2; done')
check_match "run -d prints the full id" '^[0-9a-f]{64}$' "$id"
check "raind-web.scope is active in systemctl list-units" \
        sh -c "systemctl list-units --plain --no-legend raind-web.scope | grep -q 'active *running'"
check_eq "the scope is in raind.slice" "raind.slice" "$(systemctl show -P Slice raind-web.scope)"
check_eq "--memory 64m becomes MemoryMax" "67108864" "$(systemctl show -P MemoryMax raind-web.scope)"
check_eq "--cpus 0.5 becomes CPUQuotaPerSecUSec" "500ms" "$(systemctl show -P CPUQuotaPerSecUSec raind-web.scope)"
check_eq "--pids-limit becomes TasksMax" "100" "$(systemctl show -P TasksMax raind-web.scope)"
check_eq "the scope delegates its cgroup" "yes" "$(systemctl show -P Delegate raind-web.scope)"
check_eq "State is running" "running" "$(container_prop web State)"
main_pid=$(container_prop web MainPID)
check "MainPID is a live process in the scope" sh -c "grep -q raind-web.scope /proc/$main_pid/cgroup"
check_eq "ls shows the running container" "web" "$(raind container ls | awk 'NR>1 {print $NF}')"
check_match "inspect prints JSON with the id" "\"Id\": *\"$id\"" "$(raind container inspect web)"
check_eq "inspect --format renders a template per container" "web running" \
        "$(raind container inspect --format '{{.Name}} {{.State}}' web)"
check_fails "inspect --format refuses a broken template before asking raindd" \
        raind container inspect --format '{{.Name' web
wait_until 5 sh -c "raind container logs web | grep -q started"
check_eq "logs of a detached container" "started" "$(raind container logs web)"

# D-Bus surface.
check_match "busctl introspect lists the Manager interface" "org.raind.raind1.Manager" \
        "$(busctl introspect org.raind.raind1 /org/raind/raind1)"
path=$(busctl call org.raind.raind1 /org/raind/raind1 org.raind.raind1.Manager GetContainer s web | awk '{print $2}' | tr -d '"')
check "busctl tree lists the container object" sh -c "busctl tree --list org.raind.raind1 | grep -qx '$path'"
if [[ $id =~ ^[0-9] ]]; then expected="_3$id"; else expected="$id"; fi  # a leading digit is escaped
check_eq "the object path is the bus-label-escaped id" "/org/raind/raind1/container/$expected" "$path"
check_eq "busctl get-property Unit" 's "raind-web.scope"' "$(busctl get-property org.raind.raind1 "$path" org.raind.raind1.Container Unit)"

# Stop with a timeout, then the state follows.
check "raind container stop web" raind container stop -t 5 web
check_eq "State is exited after stop" "exited" "$(container_prop web State)"
check_eq "ExitStatus after a clean stop is 0" "0" "$(container_prop web ExitStatus)"
check "the scope is gone after stop" sh -c "! systemctl list-units --plain --no-legend raind-web.scope | grep -q active"
check "a stopped container can be started again" raind container start web
check_eq "State is running again" "running" "$(container_prop web State)"
check "kill -s TERM" raind container kill -s TERM web
check_eq "wait returns the exit status" "0" "$(raind container wait web)"
check_fails "rm of a running container is refused" sh -c "raind container start web && raind container rm web"
check "rm -f removes a running container" raind container rm -f web
check_fails "the removed container is gone" raind container inspect web

# create + start, --rm
id=$(raind container create --name later "$RAIND_TEST_IMAGE" echo later)
check_eq "create leaves the container created" "created" "$(container_prop later State)"
check "start -a runs it attached" sh -c "[ \"\$(raind container start -a later)\" = later ]"
raind container run --rm --name gone "$RAIND_TEST_IMAGE" true
check_fails "--rm removes the container after it exits" raind container inspect gone

# Options reach the container.
out=$(raind container run --rm --hostname box -e FOO=bar -w /tmp -u 1000:1000 "$RAIND_TEST_IMAGE" \
        sh -c 'echo $(hostname) $FOO $(pwd) $(id -u):$(id -g)')
check_eq "hostname, env, workdir and user are applied" "box bar /tmp 1000:1000" "$out"
mkdir -p /tmp/vol && echo from-host >/tmp/vol/f
check_eq "-v binds a host directory" "from-host" "$(raind container run --rm -v /tmp/vol:/data:ro "$RAIND_TEST_IMAGE" cat /data/f)"
check_fails "a :ro volume is read-only" raind container run --rm -v /tmp/vol:/data:ro "$RAIND_TEST_IMAGE" touch /data/x
check_fails "--read-only makes / read-only" raind container run --rm --read-only "$RAIND_TEST_IMAGE" touch /x
status=$(raind container run --rm "$RAIND_TEST_IMAGE" cat /proc/self/status)
check_match "default capability set (Docker's)" "CapEff:[[:space:]]+00000000a80425fb" "$status"
check_match "no_new_privs is set" "NoNewPrivs:[[:space:]]+1" "$status"
check_match "seccomp filter is on" "Seccomp:[[:space:]]+2" "$status"
check_match "--cap-drop removes a capability" "CapEff:[[:space:]]+00000000a80425fa" \
        "$(raind container run --rm --cap-drop CHOWN "$RAIND_TEST_IMAGE" cat /proc/self/status)"
check_eq "own network namespace has only lo" "lo" \
        "$(raind container run --rm "$RAIND_TEST_IMAGE" sh -c 'ls /sys/class/net')"
check_fails "mount is refused inside" raind container run --rm "$RAIND_TEST_IMAGE" mount -t tmpfs t /mnt
check_eq "the container is PID 1 of its own namespace" "1" "$(raind container run --rm "$RAIND_TEST_IMAGE" sh -c 'echo $$')"

remove_all_containers
check_eq "nothing is left behind" "" "$(leftovers)"
