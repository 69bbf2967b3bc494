# SPDX-License-Identifier: Apache-2.0
"""Scenario 1: start-to-exit latency of `true`, every runtime side by side, timed by hyperfine."""
import os
import re
import time

from benchlib import (BENCH_USER, PODMAN, PODMAN_IMAGE, PODMAN_RUN_FLAGS, RAIND_IMAGE, WORK, BenchError,
                      hyperfine, out, say, stats_ms, write_raw)


IDLE = "sleep 0.1"  # before each run of the "after idle" rows: what a user who runs one container sees


def commands():
    bundle = os.path.join(WORK, "bundle")
    raind = ["raind", "container", "run", "--rm", RAIND_IMAGE, "true"]
    crun_scope = ["systemd-run", "--scope", "-q", "--", "crun", "--cgroup-manager=disabled", "run", "-b", bundle,
                  "bench-crun-scope"]
    return [
        # key, label, command, user, prepare
        ("raind", "raind container run --rm", raind, None, None),
        ("raind_polkit", "raind container run --rm, as a member of group raind (polkit)", raind, BENCH_USER, None),
        ("podman", "podman run --rm (runc, systemd cgroup manager)",
         PODMAN + ["run", "--rm"] + PODMAN_RUN_FLAGS + [PODMAN_IMAGE, "true"], None, None),
        ("crun_scope", "crun run inside systemd-run --scope", crun_scope, None, None),
        ("crun_systemd", "crun --systemd-cgroup run (crun asks systemd for a scope)",
         ["crun", "--systemd-cgroup", "run", "-b", os.path.join(WORK, "bundle-systemd"), "bench-crun-sd"], None,
         None),
        ("crun", "crun run, no scope",
         ["crun", "--cgroup-manager=disabled", "run", "-b", bundle, "bench-crun-bare"], None, None),
        ("systemd_run", "systemd-run --scope true", ["systemd-run", "--scope", "-q", "true"], None, None),
        ("unshare", "unshare --pid --fork --mount --net --uts --ipc true (floor)",
         ["unshare", "--pid", "--fork", "--mount", "--net", "--uts", "--ipc", "true"], None, None),
        ("raind_idle", "raind container run --rm, each run after 100 ms idle", raind, None, IDLE),
        ("crun_scope_idle", "crun run inside systemd-run --scope, each run after 100 ms idle", crun_scope, None,
         IDLE),
    ]


# raindd's words for a start that failed because the scope of a container that was just removed under
# the same name was still there (see bench/README.md, "Found while measuring").
NAME_REUSE = re.compile(r"Failed to start container (\S+): systemd refused to create \S+: Unit \S+ was "
                        r"already loaded")


def failed_starts(since):
    """raindd's 'Failed to start container' lines since a CLOCK_REALTIME second."""
    text = out(["journalctl", "-u", "raindd", f"--since=@{since}", "-o", "cat", "--no-pager"], check=False)
    return [line for line in text.splitlines() if line.startswith("Failed to start container")]


def run_scenario(params):
    rows, errors, findings = [], [], []
    for key, label, argv, user, prepare in commands():
        say(f"latency: {label}")
        since = int(time.time())
        try:
            times, failed = hyperfine(label, argv, params["runs"], params["warmup"], user=user, prepare=prepare)
            row = {"key": key, "label": label, "command": " ".join(argv), "user": user or "root",
                   **stats_ms(times)}
            if not times:
                raise BenchError(f"every run failed ({failed})" + (": " + " | ".join(failed_starts(since)[:3])
                                                                  if argv[0] == "raind" else ""))
            if failed:
                row["failed_runs"] = failed
                lines = failed_starts(since) if argv[0] == "raind" else []
                reused = [line for line in lines if NAME_REUSE.match(line)]
                if lines and len(reused) == len(lines) and len(reused) >= failed:
                    findings.append(f"{label}: {failed} of {failed + len(times)} runs failed because raindd gave "
                                    "a new container the generated name of one removed moments before, whose "
                                    "scope systemd had not yet collected (\"" + reused[0] + "\"); the median is "
                                    "of the other runs")
                else:
                    raise BenchError(f"{failed} of {failed + len(times)} runs failed" +
                                     (": " + " | ".join(lines[:3]) if lines else ""))
            rows.append(row)
        except Exception as e:  # one runtime failing must not hide the others
            errors.append(f"latency: {label}: {e}")
            rows.append({"key": key, "label": label, "command": " ".join(argv), "error": str(e)})
    by = {r["key"]: r.get("median") for r in rows}
    raind = by.get("raind")
    for r in rows:
        if raind and r.get("median"):
            r["x_raind"] = round(r["median"] / raind, 3)
    ratios = {}
    if raind and by.get("podman"):
        ratios["raind/podman"] = round(raind / by["podman"], 4)
    if raind and by.get("crun_scope"):
        ratios["raind/crun_scope"] = round(raind / by["crun_scope"], 3)
    if raind and by.get("unshare"):
        ratios["raind/unshare"] = round(raind / by["unshare"], 3)
    write_raw("latency", {"rows": rows, "ratios": ratios, "findings": findings, "errors": errors})
    return errors
