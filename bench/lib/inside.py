#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The bench inside the sandbox: prepare the image for all runtimes, run every scenario, write the
report. Usage: inside.py full|smoke. Exit status 1 if any scenario broke."""
import datetime
import os
import platform
import re
import shutil
import sys
import time

import breakdown
import latency
import many
import overhead
import pull
import report
import scale
from benchlib import OUT, PARAMS, RAW, TOP, WORK, out, run, say, settle, write_raw


def first_line(argv):
    try:
        return out(argv, check=False).splitlines()[0]
    except (IndexError, OSError):
        return "not found"


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        ram_kib = int(f.readline().split()[1])
    with open("/sys/fs/cgroup/cgroup.controllers") as f:
        controllers = f.read().split()
    with open("/proc/loadavg") as f:
        loadavg = " ".join(f.read().split()[:3])
    debian = open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else "?"
    return {
        "kernel": platform.release(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram_kib / 1024 / 1024, 1),
        "os": f"Debian {debian}",
        "loadavg": loadavg,
        "cgroup": "v2, controllers: " + (" ".join(controllers) if controllers else "none"),
        "systemd": "not PID 1 on the host; the bench runs in tests/sandbox (real systemd, dbus, polkit "
                   "in namespaces)",
    }


def versions():
    return {
        "raind": first_line(["raind", "--version"]),
        "systemd": first_line(["systemctl", "--version"]),
        "podman": first_line(["podman", "--version"]),
        "conmon": first_line(["conmon", "--version"]),
        "runc": first_line(["runc", "--version"]),
        "crun": first_line(["crun", "--version"]),
        "skopeo": first_line(["skopeo", "--version"]),
        "docker-registry": first_line(["docker-registry", "--version"]),
        "hyperfine": first_line(["hyperfine", "--version"]),
    }


def raindd_warnings():
    """What raindd complained about during the whole run (warnings and worse), names and numbers
    folded so that the same complaint counts once."""
    text = out(["journalctl", "-u", "raindd", "-p", "warning", "-o", "cat", "--no-pager"], check=False)
    counts = {}
    for line in text.splitlines():
        line = re.sub(r"\b(?:many|scale|bd-root|bd-user)-\d+\b|\b[a-z]+_[a-z]+\d*\b|\bovh\b", "NAME", line)
        line = re.sub(r"\d+", "N", line)
        counts[line] = counts.get(line, 0) + 1
    return sorted(([k, v] for k, v in counts.items()), key=lambda kv: -kv[1])


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "full"
    params = PARAMS[mode]
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(RAW)
    started = time.monotonic()
    errors = []

    setup = {"mode": mode, "params": params, "machine": machine(), "versions": versions(),
             "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    say(f"{mode} run; preparing one busybox image for raind, podman and crun")
    p = run([os.path.join(TOP, "bench/lib/prepare.sh"), WORK], check=False)
    setup["image_layer"] = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else None
    if p.returncode != 0:
        errors.append(f"prepare: {p.stderr.strip()[-1500:]}")
    else:
        # The breakdown right after the latency runs: both on a quiet machine, comparable.
        # The pull last: its registry and layers come and go without touching the others' numbers.
        for scenario in (latency.run_scenario, breakdown.run_scenario, overhead.run_scenario, many.run_scenario,
                         scale.run_scenario, pull.run_scenario):
            try:
                settle()
                errors += scenario(params)
            except Exception as e:  # a bug in the bench itself: still report what there is
                errors.append(f"{scenario.__module__}: {type(e).__name__}: {e}")
    setup["raindd_warnings"] = raindd_warnings()
    setup["duration_s"] = round(time.monotonic() - started, 1)
    setup["errors"] = errors
    write_raw("setup", setup)
    report.write()
    for e in errors:
        print(f"bench: FAILED: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
