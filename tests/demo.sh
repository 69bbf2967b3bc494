#!/bin/bash
# raind's main job, end to end, for a newcomer: install what is needed, build, install raind, start raindd,
# import a tiny busybox image, run a container that prints a line, and show that line in the journal and
# the container's scope in systemctl.
#
# Where systemd is not PID 1 (containers, CI machines) all of this happens inside the throwaway test
# sandbox (tests/sandbox), which boots a real systemd + D-Bus + polkit and is torn down at the end.
set -eu -o pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
[ "$(id -u)" -eq 0 ] || { echo "demo: run me as root (sudo $0)" >&2; exit 1; }

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

say "Installing build and runtime dependencies (apt)"
tests/deps.sh
say "Building raind (meson + ninja) and staging the install"
tests/build.sh

step_inside() {
        set -eu
        tests/lib/mkimage-busybox.sh /tmp/busybox.tar.gz
        echo '$ raind image import /tmp/busybox.tar.gz busybox:demo'
        raind image import /tmp/busybox.tar.gz busybox:demo
        echo '$ raind container run --name hello busybox:demo echo "Hello from a raind container"'
        raind container run --name hello busybox:demo echo "Hello from a raind container"
        echo '$ raind container run -d --name web busybox:demo sh -c "while :; do echo tick; sleep 1; done"'
        raind container run -d --name web busybox:demo sh -c 'while :; do echo tick; sleep 1; done'
        sleep 1.2
        echo '$ journalctl CONTAINER_NAME=hello'
        journalctl --no-pager CONTAINER_NAME=hello
        echo '$ systemctl status raind-web.scope'
        SYSTEMD_COLORS=0 systemctl --no-pager status raind-web.scope || true
        echo '$ raind container ls'
        raind container ls
        echo '$ raind container rm -f web hello'
        raind container rm -f web hello
}

if [ -d /run/systemd/system ] && [ "$(cat /proc/1/comm)" = systemd ]; then
        say "systemd is PID 1 here: installing raind on this machine"
        meson install -C build --quiet
        systemd-sysusers
        systemctl daemon-reload
        systemctl reload dbus 2>/dev/null || true
        # Started at boot, so that containers with a restart policy come back then.
        systemctl enable --now raindd
        step_inside
else
        say "systemd is not PID 1 on this machine: booting the test sandbox (tests/sandbox) and running there"
        export SANDBOX_NAME=raind-demo SANDBOX_BINDS=$top
        trap 'tests/sandbox/sandbox down >/dev/null 2>&1' EXIT
        tests/sandbox/sandbox down >/dev/null 2>&1 || true
        tests/sandbox/sandbox up --stage "$top/stage"
        tests/sandbox/sandbox run -- bash -c "$(declare -f step_inside); step_inside"
        say "Done; tearing the sandbox down"
fi
