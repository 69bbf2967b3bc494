#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Standalone tests of raind-shim: runs it directly on the host (as root, no systemd needed) on a
# busybox bundle and checks what the container sees. Prints "ok - …"/"not ok - …" per check, then
# "N passed, N failed", and some start-up figures unless --no-bench is given. Clients of the control
# socket and of streams (attach, exec, terminals, stdin) are played by stream-client.py.
#
#   tests/shim/run.sh [--no-bench]      (BUILD=<meson build dir>, default build)
set -u

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
SHIM=$BUILD/src/shim/raind-shim
MKSPEC=$BUILD/src/shim/raind-shim-mkspec
BENCH=1
[ "${1:-}" = "--no-bench" ] && BENCH=0

if [ "$(id -u)" != 0 ]; then
        echo "run.sh needs root (namespaces, mounts)" >&2
        exit 2
fi
ninja -C "$BUILD" src/shim/raind-shim src/shim/raind-shim-mkspec >/dev/null || exit 2
if [ ! -x /bin/busybox ] || ! file -L /bin/busybox 2>/dev/null | grep -q static; then
        apt-get install -y busybox-static >/dev/null || exit 2
fi

T=$(mktemp -d /tmp/raind-shim-test.XXXXXX)
cleanup() {
        # Nothing should be mounted on the host; if a test broke that, undo it before deleting.
        grep -F " $T" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
        rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE # so that the EXIT trap cleans up then too

PASSED=0
FAILED=0
ok() { echo "ok - $*"; PASSED=$((PASSED + 1)); }
not_ok() { echo "not ok - $*"; FAILED=$((FAILED + 1)); }
check() { # check DESCRIPTION COMMAND...
        local d=$1
        shift
        if "$@"; then ok "$d"; else not_ok "$d"; fi
}

ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
APPLETS="sh echo cat id hostname ls sleep true false mount wc ifconfig touch grep pwd kill printf mkdir rm readlink tty stty head"

make_rootfs() { # make_rootfs DIR
        mkdir -p "$1/bin" "$1/etc" "$1/mnt" "$1/proc" "$1/sys" "$1/dev" "$1/tmp"
        cp /bin/busybox "$1/bin/busybox"
        for a in $APPLETS; do ln -s busybox "$1/bin/$a"; done
        printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$1/etc/passwd"
        printf 'root:x:0:\nuser:x:1000:\n' >"$1/etc/group"
        echo "from the image" >"$1/etc/motd"
}

BUNDLE=$T/bundle
make_rootfs "$BUNDLE/rootfs"
mkdir -p "$T/state"

# spec [mkspec options] -- command...: writes $BUNDLE/config.json
spec() { "$MKSPEC" "$@" >"$BUNDLE/config.json" || { echo "mkspec failed" >&2; exit 2; }; }

# shim: runs the bundle, output in $OUT/$ERR, exit status in $RC
shim() {
        rm -f "$T/state/pid" "$T/state/exit"
        "$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --image busybox:latest --state-dir "$T/state" \
                --seccomp-cache-dir "$T/seccomp" --stdout-fd 1 --stderr-fd 2 >"$T/out" 2>"$T/err"
        RC=$?
        OUT=$(cat "$T/out")
        ERR=$(cat "$T/err")
}

# --- basics ---------------------------------------------------------------------------------------
spec -- echo hi
shim
check "echo hi prints hi and exits 0" test "$OUT" = hi -a $RC = 0

spec -- sh -c 'exit 7'
shim
check "exit status 7 is passed on" test $RC = 7


spec -- nosuchcmd
shim
check "missing command exits 127" test $RC = 127
check "missing command gives a clear message" grep -qF 'exec "nosuchcmd": executable file not found in $PATH' "$T/err"

spec -- /etc/motd
shim
check "non-executable command exits 126" test $RC = 126

spec -- sh -c 'echo to-stderr >&2; printf no-newline'
shim
check "stderr is copied to the client's stderr" test "$ERR" = to-stderr
check "a last line without newline is copied" test "$OUT" = no-newline

spec --hostname web-1 -- hostname
shim
check "hostname is set" test "$OUT" = web-1

spec --cwd /work/dir -- pwd
shim
check "a missing working directory is created" test "$OUT" = /work/dir

exec 7>"$T/leak"
spec -- ls /proc/self/fd
shim
exec 7>&-
check "no file descriptors leak into the container" test "$(echo $OUT)" = "0 1 2 3"

spec -- sh -c 'ls /dev; echo x >/dev/null && cat /dev/null'
shim
check "/dev has the standard devices" bash -c 'for d in null zero full random urandom tty fd stdin stdout stderr ptmx pts shm mqueue; do grep -qx $d <<<"$0" || exit 1; done' "$OUT"

# --- users, capabilities, seccomp -------------------------------------------------------------------
spec --user 1000:1000 -- id -u
shim
check "user 1000: id -u prints 1000" test "$OUT" = 1000

spec -- cat /proc/self/status
shim
check "root: CapEff is Docker's default set" grep -qP '^CapEff:\t00000000a80425fb$' "$T/out"
check "root: CapBnd is Docker's default set" grep -qP '^CapBnd:\t00000000a80425fb$' "$T/out"
check "root: NoNewPrivs is 1" grep -qP '^NoNewPrivs:\t1$' "$T/out"
check "root: Seccomp is 2 (filter)" grep -qP '^Seccomp:\t2$' "$T/out"

spec --user 1000:1000 -- cat /proc/self/status
shim
check "user 1000: CapEff is empty" grep -qP '^CapEff:\t0000000000000000$' "$T/out"
check "user 1000: CapPrm is empty" grep -qP '^CapPrm:\t0000000000000000$' "$T/out"
check "user 1000: Seccomp is 2" grep -qP '^Seccomp:\t2$' "$T/out"

spec --user 1000:1000 --new-privileges -- cat /proc/self/status
shim
check "user 1000 without no_new_privs: seccomp loaded before the user switch" \
        grep -qP '^Seccomp:\t2$' "$T/out"

spec --new-privileges -- cat /proc/self/status
shim
check "root without no_new_privs (Docker's default): CapEff, NoNewPrivs 0, Seccomp 2" \
        bash -c 'grep -qP "^CapEff:\t00000000a80425fb$" "$0" && grep -qP "^NoNewPrivs:\t0$" "$0" && grep -qP "^Seccomp:\t2$" "$0"' "$T/out"

spec -- mount -t tmpfs x /mnt
shim
check "mount -t tmpfs is refused" test $RC != 0

spec -- sh -c 'echo x > /proc/sys/kernel/hostname; grep " /proc/sys " /proc/self/mountinfo'
shim
check "writing to /proc/sys fails" grep -q "Read-only file system" "$T/err"
check "/proc/sys is a read-only mount" grep -q " /proc/sys ro," "$T/out"

# /proc/kcore is masked when the kernel has one; timer_list and /proc/acpi exist nearly everywhere.
for MASKED in /proc/kcore /proc/timer_list; do [ -e $MASKED ] && break; done
spec -- sh -c "wc -c $MASKED; ls -A /proc/acpi | wc -l"
shim
check "$MASKED is masked (reads as empty)" test "$(head -n1 "$T/out")" = "0 $MASKED"
check "/proc/acpi is masked (empty directory)" test "$(tail -n1 "$T/out")" = 0

spec -- sh -c 'touch /sys/kernel/x; grep " /sys " /proc/self/mountinfo'
shim
check "/sys is read-only" bash -c 'grep -q "Read-only file system" <<<"$0" && grep -q " ro," <<<"$1"' "$ERR" "$OUT"

spec -- sh -c 'touch /sys/fs/cgroup/x'
shim
check "/sys/fs/cgroup is read-only" grep -q "Read-only file system" "$T/err"

spec --readonly -- touch /x
shim
check "root.readonly makes / read-only" test $RC != 0

# --- networking -------------------------------------------------------------------------------------
spec --net -- ifconfig lo
shim
check "network namespace: lo is up" grep -q "UP LOOPBACK RUNNING" "$T/out"
spec --net -- cat /proc/net/dev
shim
check "network namespace: lo is the only interface" test "$(tail -n +3 "$T/out" | awk '{print $1}')" = "lo:"

touch "$T/netns"
unshare --net="$T/netns" true
spec --net-path "$T/netns" -- readlink /proc/self/ns/net
shim
check "a network namespace given by path is joined" test "$OUT" = "net:[$(stat -L -c %i "$T/netns")]"
umount "$T/netns"

# --- overlay ----------------------------------------------------------------------------------------
mkdir -p "$T/layer1" "$T/upper" "$T/work" "$BUNDLE/merged"
make_rootfs "$T/layer0"
echo layer1 >"$T/layer1/layer1-file"
spec --rootfs merged --lower "$T/layer1:$T/layer0" --upper "$T/upper" --work "$T/work" \
        -- sh -c 'cat /layer1-file; echo new >/newfile; rm /etc/motd; sleep 0.5'
"$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp" \
        --stdout-fd 1 --stderr-fd 2 >"$T/out" 2>"$T/err" &
SHIM_PID=$!
sleep 0.2
check "overlay: nothing is mounted on the host while the container runs" \
        bash -c '! grep -qF "$0" /proc/self/mountinfo' "$BUNDLE/merged"
wait $SHIM_PID
RC=$?
check "overlay: container sees the layers" test "$(cat "$T/out")" = layer1 -a $RC = 0
check "overlay: a new file lands in upperdir" test -f "$T/upper/newfile"
check "overlay: a removed file is a whiteout in upperdir" test -c "$T/upper/etc/motd"
check "overlay: the lower layers are untouched" test ! -e "$T/layer0/newfile" -a -f "$T/layer0/etc/motd"
check "overlay: no mount left on the host" bash -c '! grep -qF "$0" /proc/self/mountinfo' "$T"
check "overlay: merged dir stays empty on the host" test -z "$(ls -A "$BUNDLE/merged")"

# A deep image: the layer list no longer fits into mount(2)'s page of options (Linux >= 6.8 takes
# the layers one by one through fsconfig).
LAYERS=$T/layer0
for i in $(seq 60); do
        L=$T/deep/$(printf 'layer-%02d-%0100d' $i 0)
        mkdir -p "$L"
        LAYERS="$L:$LAYERS"
done
echo deep >"$T/deep/$(printf 'layer-%02d-%0100d' 60 0)/deep-file"
rm -rf "$T/upper" "$T/work"
mkdir -p "$T/upper" "$T/work"
spec --rootfs merged --lower "$LAYERS" --upper "$T/upper" --work "$T/work" -- cat /deep-file
shim
if [ "$(printf '%s\n' "$(uname -r)" 6.8 | sort -V | head -n1)" = 6.8 ]; then
        check "overlay with ${#LAYERS} bytes of lowerdir works" test "$OUT" = deep
else
        check "overlay with ${#LAYERS} bytes of lowerdir fails clearly on Linux < 6.8" grep -q "Too many image layers" "$T/err"
fi

# --- mount destinations stay in the rootfs ----------------------------------------------------------
mkdir -p "$T/src"
echo secret >"$T/src/data"
MARK=raind-shim-test-$$
ln -s /etc "$BUNDLE/rootfs/evil"
spec --mount "$T/src:/evil/$MARK" -- cat "/evil/$MARK/data"
shim
check "bind mount through a symlink to /etc works inside" test "$OUT" = secret
check "bind mount through a symlink to /etc does not touch the host's /etc" test ! -e "/etc/$MARK"
check "bind mount through a symlink lands in the rootfs' /etc" test -d "$BUNDLE/rootfs/etc/$MARK"
rm -rf "$BUNDLE/rootfs/evil" "$BUNDLE/rootfs/etc/$MARK"
ln -s ../../../../../../../tmp "$BUNDLE/rootfs/evil2"
spec --mount "$T/src:/evil2/$MARK" -- true
shim
check "bind mount through a ../ symlink does not touch the host's /tmp" test ! -e "/tmp/$MARK"
rm -rf "$BUNDLE/rootfs/evil2" "$BUNDLE/rootfs/tmp/$MARK"

echo file >"$T/single-file"
spec --mount "$T/single-file:/etc/single:ro" -- sh -c 'cat /etc/single; echo x >/etc/single'
shim
check "read-only bind mount of a file" test "$OUT" = file -a $RC != 0

# --- state files, signals ---------------------------------------------------------------------------
spec -- sh -c 'sleep 1; exit 5'
rm -f "$T/state/pid" "$T/state/exit"
"$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp" &
SHIM_PID=$!
for _ in $(seq 50); do [ -e "$T/state/pid" ] && break; sleep 0.02; done
PIDJSON=$(cat "$T/state/pid" 2>/dev/null)
CPID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["containerPid"])' "$PIDJSON" 2>/dev/null)
field22() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }
check "pid file: shimPid is the shim" python3 -c 'import json,sys; assert json.loads(sys.argv[1])["shimPid"] == int(sys.argv[2])' "$PIDJSON" $SHIM_PID
check "pid file: containerPid is a child of the shim" test "$(awk '{print $4}' "/proc/$CPID/stat" 2>/dev/null)" = $SHIM_PID
check "pid file: shimStartTime is /proc/PID/stat field 22" python3 -c 'import json,sys; assert json.loads(sys.argv[1])["shimStartTime"] == int(sys.argv[2])' "$PIDJSON" "$(field22 $SHIM_PID)" 2>/dev/null
check "pid file: containerStartTime is /proc/PID/stat field 22" python3 -c 'import json,sys; assert json.loads(sys.argv[1])["containerStartTime"] == int(sys.argv[2])' "$PIDJSON" "$(field22 "$CPID")" 2>/dev/null
check "pid file: startedAt is now" python3 -c 'import json,sys,time; assert abs(json.loads(sys.argv[1])["startedAt"] / 1e6 - time.time()) < 5' "$PIDJSON"
check "no exit file while running" test ! -e "$T/state/exit"
wait $SHIM_PID
RC=$?
check "exit file: exitStatus and finishedAt" python3 -c 'import json,sys,time; e = json.load(open(sys.argv[1])); assert e["exitStatus"] == 5 and abs(e["finishedAt"] / 1e6 - time.time()) < 5' "$T/state/exit"
check "no temporary files left in the state dir" test "$(ls -A "$T/state" | sort | tr '\n' ' ')" = "exit pid "

spec -- sleep 10
rm -f "$T/state/pid"
"$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp" &
SHIM_PID=$!
for _ in $(seq 50); do [ -e "$T/state/pid" ] && break; sleep 0.02; done
kill -KILL "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["containerPid"])' "$T/state/pid")"
wait $SHIM_PID
RC=$?
check "a container killed by SIGKILL exits 137" test $RC = 137

spec -- sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done'
rm -f "$T/state/pid"
"$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp" &
SHIM_PID=$!
for _ in $(seq 50); do [ -e "$T/state/pid" ] && break; sleep 0.02; done
sleep 0.2
kill -TERM $SHIM_PID
wait $SHIM_PID
RC=$?
check "SIGTERM to the shim reaches the container (exit 3)" test $RC = 3

# --- client fds -------------------------------------------------------------------------------------
spec -- sh -c 'i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i + 1)); done'
"$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp" \
        --stdout-fd 1 | head -n 1 >"$T/out"
RC=${PIPESTATUS[0]}
check "a client that goes away does not stop the container" test $RC = 0 -a "$(cat "$T/out")" = "line 0"

mkfifo "$T/fifo"
exec 8<>"$T/fifo" # a reader that never reads: the pipe fills up
spec -- sh -c 'i=0; while [ $i -lt 20000 ]; do echo line line line line line line $i; i=$((i + 1)); done'
START=$(date +%s%N)
timeout 10 "$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --state-dir "$T/state" \
        --seccomp-cache-dir "$T/seccomp" --stdout-fd 8 2>"$T/err"
RC=$?
ELAPSED=$((($(date +%s%N) - START) / 1000000))
exec 8>&-
check "a stuck client does not block the shim (${ELAPSED} ms)" test $RC = 0
check "a stuck client is dropped with a warning" grep -q "Client did not take the rest" "$T/err"

# --- sync protocol ----------------------------------------------------------------------------------
spec -- true
rm -f "$T/state/pid" "$T/state/exit"
R=$(python3 "$SRC/tests/shim/sync-client.py" "$SHIM" "$BUNDLE" "$ID" "$T/state" "$T/seccomp" go 2>&1)
check "sync: waits for go, then answers ok <pid>" grep -qE '^ok [0-9]+$' <<<"$R"
check "sync: shim exits with the container's status" test "$(tail -n1 <<<"$R")" = 0

spec -- nosuchcmd
rm -f "$T/state/pid" "$T/state/exit"
R=$(python3 "$SRC/tests/shim/sync-client.py" "$SHIM" "$BUNDLE" "$ID" "$T/state" "$T/seccomp" go 2>&1)
check "sync: a failed exec answers err 2 127 <message>" \
        grep -qxF 'err 2 127 exec "nosuchcmd": executable file not found in $PATH' <<<"$R"
check "sync: a failed exec exits 127" test "$(tail -n1 <<<"$R")" = 127

rm -f "$T/state/pid" "$T/state/exit"
R=$(python3 "$SRC/tests/shim/sync-client.py" "$SHIM" "$BUNDLE" "$ID" "$T/state" "$T/seccomp" abort 2>&1)
check "sync: EOF instead of go aborts quietly with 1" test "$R" = aborted

# --- streams: attach, terminal, stdin, exec ----------------------------------------------------------
SC="$SRC/tests/shim/stream-client.py"
CTL=$T/state/control
# rcheck DESCRIPTION JSON PYTHON-EXPRESSION: r is stream-client.py's result
rcheck() {
        check "$1" python3 -c "import json, sys; r = json.loads(sys.argv[1]); assert $3, r" "$2"
}
# bg_start [shim options]: runs the shim on $BUNDLE in the background until its pid file is there
bg_start() {
        rm -f "$T/state/pid" "$T/state/exit"
        "$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp" \
                "$@" >"$T/bg-out" 2>"$T/bg-err" &
        SHIM_PID=$!
        for _ in $(seq 250); do [ -e "$T/state/pid" ] && break; sleep 0.02; done
        CPID=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["containerPid"])' "$T/state/pid")
}
bg_stop() {
        kill -KILL "$CPID" 2>/dev/null
        wait $SHIM_PID
        RC=$?
}
children() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep . | sort; }

spec -- sh -c 'while :; do echo tick; sleep 0.2; done'
bg_start
check "control: the socket is there, mode 0600, once the pid file is" \
        test "$(stat -c '%F %a' "$CTL" 2>/dev/null)" = "socket 600"
R=$(python3 "$SC" control "$CTL" '{"type":"attach","stdin":false}' wait:tick detach)
rcheck "attach: receives the container's output" "$R" 'r["reply"] == "ok" and "tick" in r["stdout"]'
sleep 0.3
check "attach: after the client detached the container runs on" test -d /proc/"$CPID"
R=$(python3 "$SC" control "$CTL" '{"type":"attach"}' wait:tick wait:tick detach)
rcheck "attach: a second attach receives more" "$R" 'r["reply"] == "ok" and r["stdout"].count("tick") >= 1'
python3 "$SC" control "$CTL" '{"type":"attach"}' wait:tick sleep:0.5 detach >"$T/attach1" &
A1=$!
python3 "$SC" control "$CTL" '{"type":"attach"}' wait:tick sleep:0.5 detach >"$T/attach2" &
A2=$!
wait $A1 $A2
check "attach: two clients at once both receive" \
        bash -c 'grep -q tick "$0" && grep -q tick "$1"' "$T/attach1" "$T/attach2"
FDS_BEFORE=$(($(ls /proc/$SHIM_PID/fd | wc -l) + 1)) # and the stream of this client:
python3 "$SC" --timeout 120 control "$CTL" '{"type":"attach"}' >"$T/attach-exit" &
A1=$!
for _ in $(seq 100); do [ "$(ls /proc/$SHIM_PID/fd | wc -l)" = "$FDS_BEFORE" ] && break; sleep 0.02; done

R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["sh","-c","cat /proc/self/cgroup; echo ---; cat /proc/1/cgroup"]}')
rcheck "exec: /proc/self/cgroup is the init's" "$R" \
        'r["exit"] == 0 and r["stdout"].split("---\n")[0] == r["stdout"].split("---\n")[1] != ""'
python3 "$SC" control "$CTL" '{"type":"exec","args":["sleep","2"]}' >/dev/null &
E1=$!
EXEC_PID=
for _ in $(seq 100); do
        EXEC_PID=$(children $SHIM_PID | grep -vx "$CPID" | head -n1)
        [ -n "$EXEC_PID" ] && [ "$(readlink /proc/"$EXEC_PID"/exe)" = /bin/busybox ] && break
        sleep 0.02
done
check "exec: the process is a child of the shim, in the shim's cgroup" \
        bash -c '[ -n "$0" ] && [ "$(cat /proc/$0/cgroup)" = "$(cat /proc/$1/cgroup)" ]' "$EXEC_PID" $SHIM_PID
check "exec: the process is in every namespace of the init" bash -c 'for ns in mnt pid uts ipc net cgroup; do
        [ "$(readlink /proc/$0/ns/$ns)" = "$(readlink /proc/$1/ns/$ns)" ] || exit 1; done' "$EXEC_PID" "$CPID"
check "exec: the process has the init's root" \
        test "$(stat -L -c %d:%i /proc/"$EXEC_PID"/root)" = "$(stat -L -c %d:%i /proc/"$CPID"/root)"
wait $E1
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["id","-u"],"user":"1000"}')
rcheck "exec: user 1000 runs as 1000" "$R" 'r["stdout"] == "1000\n" and r["exit"] == 0'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["pwd"],"cwd":"/tmp"}')
rcheck "exec: cwd /tmp" "$R" 'r["stdout"] == "/tmp\n"'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["readlink","/proc/1/exe"]}')
rcheck "exec: same pid namespace, pid 1 is the container's init" "$R" 'r["stdout"] == "/bin/busybox\n"'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["hostname"],"env":["A=1"]}')
rcheck "exec: same uts namespace" "$R" 'r["stdout"] == "raind-test\n"'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["sh","-c","echo $A $PATH; echo err >&2"],"env":["A=x","PATH=/bin"]}')
rcheck "exec: env entries are added, and override by key; stderr is its own" "$R" \
        'r["stdout"] == "x /bin\n" and r["stderr"] == "err\n"'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["sh","-c","grep -E \"^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):\" /proc/self/status; echo ---; grep -E \"^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):\" /proc/1/status"]}')
rcheck "exec: capability sets, NoNewPrivs 1 and Seccomp 2 are the init's" "$R" \
        'r["stdout"].split("---\n")[0] == r["stdout"].split("---\n")[1] and "CapEff:\t00000000a80425fb" in r["stdout"] and "NoNewPrivs:\t1" in r["stdout"] and "Seccomp:\t2" in r["stdout"]'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["/usr/bin/python3"]}')
rcheck "exec: a binary only the host has: STREAM_ERROR naming it, then STREAM_EXIT 127" "$R" \
        'r["order"] == ["error", "exit"] and "/usr/bin/python3" in r["errors"][0] and r["exit"] == 127'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["nosuch"]}')
rcheck "exec: not in \$PATH: a clear line and 127" "$R" \
        'r["errors"] == ["exec \"nosuch\": executable file not found in $PATH"] and r["exit"] == 127'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["/etc/motd"]}')
rcheck "exec: not executable: 126" "$R" 'len(r["errors"]) == 1 and r["exit"] == 126'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["pwd"],"cwd":"/nonexistent"}')
rcheck "exec: a missing cwd: a clear line and 125" "$R" \
        'r["exit"] == 125 and "/nonexistent" in r["errors"][0] and not r["stdout"]'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["sh","-c","kill -9 $$"]}')
rcheck "exec: killed by SIGKILL exits 137" "$R" 'r["exit"] == 137'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["tty"],"tty":true}')
rcheck "exec: with tty, tty prints /dev/pts/N" "$R" \
        '__import__("re").fullmatch(r"/dev/pts/[0-9]+\r\n", r["stdout"]) and r["exit"] == 0'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["sh"],"tty":true,"stdin":true}' \
        resize:30:100 'send:stty size; tty; exit 4\n')
rcheck "exec: with tty and stdin, RESIZE and input reach the pty" "$R" \
        '"30 100\r\n/dev/pts/" in r["stdout"] and r["exit"] == 4'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["cat"],"stdin":true}' 'send:hello\n' wait:hello close-stdin)
rcheck "exec: stdin through a pipe, closed by STREAM_CLOSE_STDIN" "$R" 'r["stdout"] == "hello\n" and r["exit"] == 0'
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["cat"]}' 'send:ignored\n')
rcheck "exec: without stdin, stdin is /dev/null" "$R" 'r["stdout"] == "" and r["exit"] == 0'
python3 "$SC" control "$CTL" '{"type":"exec","args":["sh","-c","head -c 3000000 /dev/zero | tr \"\\\\0\" x"]}' sleep:1 \
        >"$T/big.json"
check "exec: 3 MB to a client that reads late arrive whole (flow control)" python3 -c '
import json, sys; r = json.load(open(sys.argv[1])); assert r["stdout"] == "x" * 3000000 and r["exit"] == 0' "$T/big.json"
python3 "$SC" control "$CTL" '{"type":"exec","args":["sh","-c","sleep 1; cat"],"stdin":true}' send-bytes:3000000 \
        close-stdin >"$T/big.json"
check "exec: 3 MB of input to a process that reads late arrive whole, and back (flow control both ways)" python3 -c '
import json, sys; r = json.load(open(sys.argv[1])); assert r["stdout"] == "y" * 3000000 and r["exit"] == 0' "$T/big.json"
# More output than the socket holds: STREAM_EXIT waits in the shim while the client sends on.
python3 "$SC" control "$CTL" '{"type":"exec","args":["head","-c","240000","/dev/zero"]}' idle:1 send:late \
        >"$T/late.json"
check "exec: input the shim did not read when it closes the stream does not cost the client STREAM_EXIT" \
        python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert len(r["stdout"]) == 240000 and r["exit"] == 0, r["exit"]' "$T/late.json"
python3 "$SC" control "$CTL" '{"type":"exec","args":["sh","-c","trap \"echo hup >/tmp/hup\" HUP; sleep 5 & wait"],"tty":true}' \
        sleep:0.5 detach >/dev/null
wait_for_file() { for _ in $(seq 150); do [ -s "$1" ] && return 0; sleep 0.02; done; return 1; }
wait_for_file "$BUNDLE/rootfs/tmp/hup"
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["cat","/tmp/hup"]}')
rcheck "exec: with tty, a client going away hangs up the terminal (SIGHUP)" "$R" 'r["stdout"] == "hup\n"'
python3 "$SC" control "$CTL" '{"type":"exec","args":["sh","-c","sleep 0.5; echo done >/tmp/detached"]}' detach >/dev/null
wait_for_file "$BUNDLE/rootfs/tmp/detached"
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["cat","/tmp/detached"]}')
rcheck "exec: without tty, a client going away does not stop the process" "$R" 'r["stdout"] == "done\n"'
for req in '{"type":"bogus"}' 'not json' '{"type":"exec","args":[]}' '{"type":"exec","args":["x"],"user":"nobody"}' \
        '{"type":"exec","args":["x"],"cwd":"rel"}' '{"type":"exec","args":["x"],"env":["NOEQUALS"]}' \
        '{"type":"attach","stdin":"yes"}' '{"type":"attach","extra":1}'; do
        R=$(python3 "$SC" control "$CTL" "$req")
        rcheck "control: $req is refused with err" "$R" 'r["reply"].startswith("err ")'
done
check "control: a request without a stream fd is refused" python3 -c '
import socket, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); c.connect(sys.argv[1])
c.send(b"{\"type\":\"attach\"}"); assert c.recv(100).startswith(b"err ")' "$CTL"
check "control: a request larger than 64 KiB is refused" python3 -c '
import socket, sys
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); c.connect(sys.argv[1])
socket.send_fds(c, [b"{\"type\":\"attach\"}" + b" " * 70000], [b.fileno()]); assert c.recv(100).startswith(b"err ")' "$CTL"
check "control: a stream that is not SOCK_SEQPACKET is refused" python3 -c '
import socket, sys
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); c.connect(sys.argv[1])
socket.send_fds(c, [b"{\"type\":\"attach\"}"], [b.fileno()]); assert c.recv(100).startswith(b"err ")' "$CTL"
check "control: at most 64 streams at once" python3 -c '
import socket, sys
keep, replies = [], []
for i in range(70):
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); c.connect(sys.argv[1])
    socket.send_fds(c, [b"{\"type\":\"attach\"}"], [b.fileno()]); replies.append(c.recv(100)); keep.append(a)
assert replies.count(b"ok") == 63 and all(r.startswith(b"err too many") for r in replies[63:]), replies' "$CTL"
for _ in $(seq 100); do [ "$(ls /proc/$SHIM_PID/fd | wc -l)" = "$FDS_BEFORE" ] && break; sleep 0.02; done
check "nothing leaks: the shim holds as many fds as before the execs and attaches" \
        test "$(ls /proc/$SHIM_PID/fd | wc -l)" = "$FDS_BEFORE"
check "nothing leaks: only the init is left as the shim's child" test "$(children $SHIM_PID)" = "$CPID"
PIDNS=$(readlink /proc/"$CPID"/ns/pid)
python3 "$SC" control "$CTL" '{"type":"exec","args":["sleep","100"],"tty":true}' detach >/dev/null
python3 "$SC" control "$CTL" '{"type":"exec","args":["sleep","100"]}' >/dev/null &
E1=$!
sleep 0.3
bg_stop
wait $E1
check "nothing leaks: no process is left in the container's pid namespace (execs included)" \
        bash -c 'for ns in /proc/[0-9]*/ns/pid; do [ "$(readlink $ns 2>/dev/null)" != "$0" ] || exit 1; done' "$PIDNS"
wait $A1
R=$(cat "$T/attach-exit")
rcheck "attach: an attached client gets STREAM_EXIT with the container's status (137)" "$R" 'r["exit"] == 137'
check "control: the socket is removed when the shim exits" test ! -e "$CTL"
check "nothing leaks: no mounts on the host" bash -c '! grep -qF "$0" /proc/self/mountinfo' "$T"

# After the init exited the shim lives on until its clients took the output (here: one never does).
spec -- sh -c 'i=0; while [ $i -lt 20000 ]; do echo line line line line line line $i; i=$((i + 1)); done'
exec 8<>"$T/fifo"
bg_start --stdout-fd 8
for _ in $(seq 100); do [ -d /proc/"$CPID" ] || break; sleep 0.02; done
R=$(python3 "$SC" control "$CTL" '{"type":"exec","args":["true"]}')
rcheck "exec after the container exited: err container is not running" "$R" \
        'r["reply"] == "err container is not running"'
wait $SHIM_PID
exec 8>&-

spec --terminal --stdin-open -- sh
R=$(python3 "$SC" spawn 'send:hostname\n' resize:30:100 'send:stty size; tty\n' 'send:exit 3\n' -- \
        "$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp")
rcheck "terminal: input reaches sh, its output the client" "$R" '"\r\nraind-test\r\n" in r["stdout"]'
rcheck "terminal: the container's tty is /dev/pts/0" "$R" '"\r\n/dev/pts/0\r\n" in r["stdout"]'
rcheck "terminal: RESIZE 30 100 sets the size" "$R" '"\r\n30 100\r\n" in r["stdout"]'
rcheck "terminal: STREAM_EXIT 3, the shim exits 3" "$R" 'r["exit"] == 3 and r["shim"] == 3 and r["order"][-1] == "exit"'

spec --terminal -- sh -c 'stty size; read -t 1 x; echo "read: $x"'
R=$(python3 "$SC" spawn 'send:ignored\n' -- \
        "$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp")
rcheck "terminal without stdin-open: 24x80, client input is not passed on" "$R" \
        'r["stdout"] == "24 80\r\nread: \r\n" and r["exit"] == 0'

spec --stdin-open -- cat
R=$(python3 "$SC" spawn 'send:hello\n' wait:hello 'send:world\n' wait:world close-stdin -- \
        "$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp")
rcheck "stdin-open: cat echoes STREAM_STDIN, STREAM_CLOSE_STDIN makes it exit 0" "$R" \
        'r["stdout"] == "hello\nworld\n" and r["exit"] == 0 and r["shim"] == 0'

bg_start
R=$(python3 "$SC" control "$CTL" '{"type":"attach","stdin":true}' 'send:via attach\n' 'wait:via attach' close-stdin)
rcheck "stdin-open: attach with stdin feeds the container; STREAM_CLOSE_STDIN ends it, STREAM_EXIT 0" "$R" \
        'r["reply"] == "ok" and r["stdout"] == "via attach\n" and r["exit"] == 0'
wait $SHIM_PID

spec -- cat
R=$(python3 "$SC" spawn 'send:hello\n' -- \
        "$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp")
rcheck "no stdin-open: stdin is /dev/null, cat exits at once" "$R" 'r["stdout"] == "" and r["exit"] == 0'

spec -- nosuchcmd
R=$(python3 "$SC" spawn -- \
        "$SHIM" --bundle "$BUNDLE" --id "$ID" --name test --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp" 2>/dev/null)
rcheck "--stream-fd: a failed start sends STREAM_ERROR and STREAM_EXIT 127" "$R" \
        'r["order"] == ["error", "exit"] and "nosuchcmd" in r["errors"][0] and r["exit"] == 127'

# --- journal ----------------------------------------------------------------------------------------
J=$T/journal.json
jcheck() { # jcheck DESCRIPTION PYTHON-EXPRESSION: e is the list of journal entries, id the container id
        check "$1" python3 -c "import json, sys; id = sys.argv[2]; e = [json.loads(l) for l in open(sys.argv[1])]; assert $2" "$J" "$ID" 2>/dev/null
}
spec -- sh -c 'echo out-line; echo err-line >&2; i=0; while [ $i -lt 40000 ]; do printf x; i=$((i + 1)); done; echo; printf tail'
"$SRC/tests/shim/with-journal.sh" "$J" "$SHIM" --bundle "$BUNDLE" --id "$ID" --name web --image busybox:latest \
        --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp"
jcheck "journal: a stdout line carries PRIORITY=6 and the container fields" \
        'any(x["MESSAGE"] == "out-line" and x["PRIORITY"] == "6" and x["CONTAINER_ID"] == id[:12] and x["CONTAINER_ID_FULL"] == id and x["CONTAINER_NAME"] == "web" and x["IMAGE_NAME"] == "busybox:latest" and x["SYSLOG_IDENTIFIER"] == "web" and "CONTAINER_PARTIAL_MESSAGE" not in x for x in e)'
jcheck "journal: a stderr line carries PRIORITY=3" 'any(x["MESSAGE"] == "err-line" and x["PRIORITY"] == "3" for x in e)'
jcheck "journal: a 40000 byte line comes in 16 KiB parts, all but the last partial" \
        '[(len(x["MESSAGE"]), x.get("CONTAINER_PARTIAL_MESSAGE")) for x in e if x["MESSAGE"].startswith("xxx")] == [(16384, "true"), (16384, "true"), (7232, None)]'
jcheck "journal: a last line without newline is partial" \
        'any(x["MESSAGE"] == "tail" and x.get("CONTAINER_PARTIAL_MESSAGE") == "true" for x in e)'

spec --terminal -- sh -c 'echo one; echo; printf "two\r\n"; printf three'
"$SRC/tests/shim/with-journal.sh" "$J" "$SHIM" --bundle "$BUNDLE" --id "$ID" --name web \
        --state-dir "$T/state" --seccomp-cache-dir "$T/seccomp"
jcheck "journal: with a terminal, lines end at \\r\\n without a trailing \\r or extra empty lines" \
        '[(x["MESSAGE"], x.get("CONTAINER_PARTIAL_MESSAGE")) for x in e if x.get("CONTAINER_NAME") == "web"] == [("one", None), ("", None), ("two", None), ("three", "true")]'

spec -- nosuchcmd
rm -f "$T/state/pid" "$T/state/exit"
"$SRC/tests/shim/with-journal.sh" "$J" python3 "$SRC/tests/shim/sync-client.py" "$SHIM" "$BUNDLE" "$ID" \
        "$T/state" "$T/seccomp" go >/dev/null
jcheck "journal: with --sync-fd the shim's own errors go to the journal as raind-shim" \
        'any(x["SYSLOG_IDENTIFIER"] == "raind-shim" and "executable file not found" in x["MESSAGE"] and x["PRIORITY"] == "3" for x in e)'

# --- invalid input ----------------------------------------------------------------------------------
echo '{"process": {"args": "not-an-array"}}' >"$BUNDLE/config.json"
shim
check "an invalid config.json is refused with 125" test $RC = 125
check "an invalid config.json names the bad field" grep -qF "process.args must be an array" "$T/err"

echo "$PASSED passed, $FAILED failed"

# --- figures ----------------------------------------------------------------------------------------
if [ $BENCH = 1 ]; then
        N=100
        STATE=$(mktemp -d /dev/shm/raind-shim-bench.XXXXXX) # tmpfs, like /run
        spec -- true
        "$SHIM" --bundle "$BUNDLE" --id "$ID" --name bench --state-dir "$STATE" \
                --seccomp-cache-dir "$T/seccomp" >/dev/null 2>&1 # warm the filter cache
        SHIM_CMD="$SHIM --bundle $BUNDLE --id $ID --name bench --state-dir $STATE --seccomp-cache-dir $T/seccomp"
        cp "$BUNDLE/config.json" "$T/bench-plain.json"
        mkdir -p "$T/bench-net"
        spec --rootfs "$BUNDLE/rootfs" --net -- true
        mv "$BUNDLE/config.json" "$T/bench-net/config.json"
        cp "$T/bench-plain.json" "$BUNDLE/config.json"
        UNSHARE_CMD="unshare --pid --fork --mount --net --uts --ipc true"
        SHIM_NET_CMD=${SHIM_CMD/--bundle $BUNDLE/--bundle $T/bench-net}
        if command -v hyperfine >/dev/null; then
                hyperfine -N -w 5 -r $N "$UNSHARE_CMD" "$SHIM_CMD" "$SHIM_NET_CMD"
        else
                echo "# start and exit of 'true', wall time per run (no hyperfine here):"
                python3 "$SRC/tests/shim/bench.py" $N "/bin/true (the measuring loop itself)=/bin/true" \
                        "$UNSHARE_CMD=$UNSHARE_CMD" \
                        "raind-shim (pid, ipc, uts, mount, cgroup ns; 7 mounts, 6 devices, masks, seccomp)=$SHIM_CMD" \
                        "raind-shim with a network namespace too=$SHIM_NET_CMD"
        fi
        spec -- true
        if [ -x /usr/bin/time ]; then
                RSS=$(/usr/bin/time -v "$SHIM" --bundle "$BUNDLE" --id "$ID" --name bench --state-dir "$STATE" \
                        --seccomp-cache-dir "$T/seccomp" 2>&1 | awk -F': ' '/Maximum resident/ {print $2}')
                echo "# raind-shim max RSS: $RSS KiB"
        fi
        "$SHIM" --bundle "$BUNDLE" --id "$ID" --name bench --state-dir "$STATE" --seccomp-cache-dir "$T/seccomp" \
                --debug 2>&1 | grep timing | sed 's/^/# /'
        rm -rf "$STATE"
fi

[ $FAILED = 0 ]
