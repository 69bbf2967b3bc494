# shellcheck shell=bash
# Interactive containers, driven from a pty: run -it, resize, detach and attach; exec.

ensure_test_image
remove_all_containers
PTY="python3 $TESTS_DIR/integration/pty-run.py"

# An interactive shell: runs commands, sees its own hostname, resizes, detaches and re-attaches.
out=$($PTY --rows 24 --cols 80 --timeout 15 \
        --expect '# ' --sendline 'hostname' --expect 'shellbox' \
        --sendline 'stty size' --expect '24 80' \
        --resize 40 120 --sleep 0.3 --sendline 'stty size' --expect '40 120' \
        --sendline 'echo $((6*7))' --expect '42' \
        --send '^P^Q' \
        -- raind container run -it --name shell --hostname shellbox "$RAIND_TEST_IMAGE" sh 2>&1)
rc=$?
check_match "run -it: the shell sees its hostname" "shellbox" "$out"
check_match "run -it: the window size reaches the container" "24 80" "$out"
check_match "run -it: a resize reaches the container" "40 120" "$out"
check_match "run -it: commands run" "42" "$out"
check_eq "Ctrl-P Ctrl-Q detaches with status 0" 0 "$rc"
check_eq "the container keeps running after the detach" "running" "$(container_prop shell State)"

out=$($PTY --timeout 15 --sendline '' --expect '# ' --sendline 'echo back-again' --expect 'back-again' \
        --sendline 'exit 5' -- raind container attach shell 2>&1)
rc=$?
check_match "attach: the shell answers again" "back-again" "$out"
check_eq "attach: the container's exit status comes back" 5 "$rc"
check_eq "the container exited with it" "exited" "$(container_prop shell State)"
journalctl --sync 2>/dev/null
check_match "a tty container's output still reaches the journal" "back-again" "$(journalctl -q -o cat CONTAINER_NAME=shell)"

# create -it, then start -a -i.
raind container create -it --name later-tty "$RAIND_TEST_IMAGE" sh >/dev/null
out=$($PTY --timeout 15 --expect '# ' --sendline 'echo started-$((1+1))' --expect 'started-2' --sendline 'exit 3' \
        -- raind container start -a -i later-tty 2>&1); rc=$?
check_match "create -it + start -a -i gives the shell" "started-2" "$out"
check_eq "start -a returns the container's exit status" 3 "$rc"
raind container rm later-tty >/dev/null

# Several attach at once.
raind container run -d --name ticker "$RAIND_TEST_IMAGE" sh -c 'i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done' >/dev/null
a1=$(timeout -s KILL 2 raind container attach --no-stdin ticker 2>&1 </dev/null)
check_match "attach to a running non-tty container streams its output" "tick [0-9]+" "$a1"
sh -c 'timeout -s KILL 2 raind container attach --no-stdin ticker >/tmp/att1 2>&1 </dev/null' 2>/dev/null &
sh -c 'timeout -s KILL 2 raind container attach --no-stdin ticker >/tmp/att2 2>&1 </dev/null' 2>/dev/null &
wait
check "two attaches at once both get output" sh -c "grep -q tick /tmp/att1 && grep -q tick /tmp/att2"
check_eq "detaching leaves the container running" "running" "$(container_prop ticker State)"

# exec
raind container run -d --name box "$RAIND_TEST_IMAGE" sleep 300 >/dev/null
out=$(raind container exec box cat /proc/self/cgroup | grep '^0::')
check_eq "exec: /proc/self/cgroup is the root of the container's cgroup namespace (its scope)" "0::/" "$out"
raind container exec box sleep 30 &
exec_client=$!
sleep 0.5
check "exec: the process lands in the container's scope (systemctl status lists it)" \
        sh -c "systemctl status raind-box.scope | grep -q 'sleep 30'"
check "exec: seen from the host, its cgroup is raind-box.scope" \
        sh -c "for p in \$(pgrep -f '^sleep 30\$'); do grep -q '^0::/raind.slice/raind-box.scope\$' /proc/\$p/cgroup && exit 0; done; exit 1"
kill "$exec_client" 2>/dev/null
check_eq "exec -u 1000 id -u prints 1000" "1000" "$(raind container exec -u 1000 box id -u)"
check_eq "exec -w sets the directory" "/tmp" "$(raind container exec -w /tmp box pwd)"
check_eq "exec -e adds to the environment" "bar" "$(raind container exec -e FOO=bar box sh -c 'echo $FOO')"
check_eq "exec returns the exit status" 9 "$(raind container exec box sh -c 'exit 9'; echo $?)"
out=$(raind container exec box python3 -c 'print(1)' 2>&1); rc=$?
check_eq "exec of a binary that exists only on the host fails with 127" 127 "$rc"
check_match "and says not found" 'python3.*(not found|No such file)' "$out"
st=$(raind container exec box cat /proc/self/status)
check_match "exec: the container's capability set" "CapEff:[[:space:]]+00000000a80425fb" "$st"
check_match "exec: seccomp" "Seccomp:[[:space:]]+2" "$st"
check_match "exec: no_new_privs" "NoNewPrivs:[[:space:]]+1" "$st"
check_eq "exec: in the container's pid namespace" "sleep" "$(raind container exec box cat /proc/1/comm)"
out=$($PTY --timeout 10 --expect '# ' --sendline 'tty' --expect '/dev/pts/[0-9]+' --sendline 'exit 4' \
        -- raind container exec -it box sh 2>&1); rc=$?
check_match "exec -it gets a terminal" "/dev/pts/[0-9]+" "$out"
check_eq "exec -it returns the exit status" 4 "$rc"
check_eq "exec -i passes stdin" "piped" "$(echo piped | raind container exec -i box cat)"
raind container stop -t 0 box >/dev/null
out=$(raind container exec box true 2>&1); rc=$?
check "exec into a stopped container fails" test "$rc" -ne 0
check_match "with a clear error" "not running" "$out"

# polkit: exec and attach need the exec action.
id -u alice >/dev/null 2>&1 || useradd -m alice
out=$(runuser -u alice -- raind container exec ticker true 2>&1)
check_match "an unprivileged user is refused exec" "permission denied.*org\.raind\.raind1\.exec" "$out"
out=$(runuser -u alice -- raind container attach --no-stdin ticker 2>&1 </dev/null)
check_match "an unprivileged user is refused attach" "permission denied.*org\.raind\.raind1\.exec" "$out"
id -u bob >/dev/null 2>&1 || useradd -m -G raind bob
check_eq "a raind group member may exec" "ok" "$(runuser -u bob -- raind container exec ticker echo ok)"

remove_all_containers
check_eq "nothing is left behind" "" "$(leftovers)"
