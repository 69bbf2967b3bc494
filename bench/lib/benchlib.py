# SPDX-License-Identifier: Apache-2.0
"""What every scenario of the bench shares: the commands under test, how they are timed, statistics,
memory of a process. Everything here runs inside the sandbox, as root."""
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import time

WORK = "/tmp/raind-bench/work"  # images, bundles (tmpfs)
OUT = "/tmp/raind-bench/out"  # what run.sh copies out: results.md, results.json, raw/
RAW = os.path.join(OUT, "raw")
TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

RAIND_IMAGE = "bench:latest"
PODMAN_IMAGE = "localhost/bench:latest"
BENCH_USER = "raind-bench"  # a member of group raind: goes through polkit

# What podman needs on this kind of machine (README: "What podman needs here").
PODMAN = ["podman", "--cgroup-manager=systemd"]
PODMAN_RUN_FLAGS = [
    "--pull=never",  # the image is local; never reach for a registry
    "--network=none",
    "--ulimit", "nofile=1024:1024",
    "--ulimit", "nproc=1024:1024",
    "--pids-limit=-1",
    "--runtime", "runc",
]

# Counts and repetitions: the full run, and the smoke run that only proves every scenario works.
PARAMS = {
    "full": {"runs": 60, "warmup": 3, "many": 100, "clients": 8, "scale": [0, 100, 1000],
             "ls_runs": 20, "breakdown_runs": 20, "pull_mb": 60, "pull_runs": 10, "pull_warmup": 1,
             "pull_rss_runs": 3},
    "smoke": {"runs": 2, "warmup": 0, "many": 3, "clients": 8, "scale": [0, 3],
              "ls_runs": 1, "breakdown_runs": 1, "pull_mb": 12, "pull_runs": 1, "pull_warmup": 0,
              "pull_rss_runs": 1},
}


class BenchError(Exception):
    pass


def say(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def run(argv, check=True, timeout=600, **kw):
    """Runs argv; output captured; a failure raises BenchError with the command and its stderr."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise BenchError(f"{short(argv)} exited {p.returncode}: {p.stderr.strip()[-600:]}")
    return p


def short(argv, limit=120):
    s = shlex.join(argv)
    return s if len(s) <= limit else s[:limit] + f" … ({len(argv)} arguments)"


def attempt(argv):
    """Like timed(), but a failure is returned, not raised: (seconds, exit status, stderr)."""
    t0 = mono_ns()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=600)
    return (mono_ns() - t0) / 1e9, p.returncode, p.stderr


def settle():
    """Waits until systemd has no jobs left and journald has caught up: each scenario starts quiet."""
    deadline = time.monotonic() + 30
    while out(["systemctl", "list-jobs", "--no-legend"], check=False) and time.monotonic() < deadline:
        time.sleep(0.1)
    run(["journalctl", "--sync"], check=False)
    time.sleep(0.5)


def wait_for(predicate, timeout_s=10.0):
    """Polls predicate() every 50 ms until it is true or the time is up; returns its last value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(0.05)


def out(argv, **kw):
    return run(argv, **kw).stdout.strip()


def mono_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def timed(argv, **kw):
    """Wall time of one command in seconds (CLOCK_MONOTONIC around it); raises if it fails."""
    t0 = mono_ns()
    run(argv, **kw)
    return (mono_ns() - t0) / 1e9


def in_parallel(clients, jobs):
    """Runs the argv lists in jobs with `clients` at a time; returns (wall seconds, per-job seconds)."""
    t0 = mono_ns()
    with concurrent.futures.ThreadPoolExecutor(max_workers=clients) as pool:
        times = list(pool.map(timed, jobs))
    return (mono_ns() - t0) / 1e9, times


def chunks(items, n):
    """items dealt round-robin into at most n non-empty lists (one per client)."""
    return [items[i::n] for i in range(n) if items[i::n]]


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def stats_ms(seconds):
    """Median, quartiles, extremes of a list of durations in seconds, in milliseconds."""
    v = sorted(s * 1000.0 for s in seconds)
    if not v:
        return {"n": 0}
    mean = sum(v) / len(v)
    sd = (sum((x - mean) ** 2 for x in v) / (len(v) - 1)) ** 0.5 if len(v) > 1 else 0.0
    r = lambda x: round(x, 3)
    return {"n": len(v), "median": r(percentile(v, 0.5)), "p25": r(percentile(v, 0.25)),
            "p75": r(percentile(v, 0.75)), "min": r(v[0]), "max": r(v[-1]), "mean": r(mean), "stddev": r(sd)}


def hyperfine(name, argv, runs, warmup, user=None, prepare=None):
    """Times argv with hyperfine (no shell in between). Returns the times of the runs that succeeded,
    in seconds, and how many failed; the caller decides what a failure means."""
    os.makedirs(RAW, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    export = os.path.join(RAW, f"hyperfine-{slug}.json")
    cmd = ["hyperfine", "-N", "--ignore-failure", "--style", "basic", "--runs", str(runs), "--warmup",
           str(warmup), "--export-json", export, "-n", name] + (["--prepare", prepare] if prepare else []) + \
        [shlex.join(argv)]
    if user:  # hyperfine itself runs as the user, so the timed command starts as it would for them
        userdir = os.path.join(WORK, "user")
        os.makedirs(userdir, exist_ok=True)
        os.chmod(userdir, 0o1777)
        tmp = os.path.join(userdir, f"hyperfine-{slug}.json")
        cmd[cmd.index(export)] = tmp
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--reset-env"] + cmd
        if os.path.exists(tmp):
            os.unlink(tmp)
    p = run(cmd, check=False, cwd=WORK)
    with open(os.path.join(RAW, f"hyperfine-{slug}.log"), "w") as f:
        f.write(p.stdout + p.stderr)
    if p.returncode != 0:
        raise BenchError(f"{name}: hyperfine failed on {short(argv)}: {p.stderr.strip()[-600:]}")
    if user:
        os.replace(tmp, export)
    with open(export) as f:
        result = json.load(f)["results"][0]
    codes = result.get("exit_codes") or [0] * len(result["times"])
    ok = [t for t, c in zip(result["times"], codes) if c == 0]
    return ok, len(codes) - len(ok)


def hyperfine_ok(name, argv, runs, warmup, user=None):
    """hyperfine() for commands that must not fail."""
    times, failed = hyperfine(name, argv, runs, warmup, user)
    if failed:
        raise BenchError(f"{name}: {failed} of {failed + len(times)} runs of {short(argv)} failed")
    return times


def write_raw(name, data):
    os.makedirs(RAW, exist_ok=True)
    with open(os.path.join(RAW, name + ".json"), "w") as f:
        json.dump(data, f, indent=1)


def read_raw(name):
    try:
        with open(os.path.join(RAW, name + ".json")) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


# --- memory ---------------------------------------------------------------------------------------

def memory_kib(pid):
    """RSS (what `ps` shows), PSS (shared pages split among their users) and private (only this
    process's pages: what one more of it costs), in KiB."""
    m = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                m["rss"] = int(line.split()[1])
    with open(f"/proc/{pid}/smaps_rollup") as f:
        fields = {}
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                fields[parts[0][:-1]] = int(parts[1])
    m["pss"] = fields.get("Pss", 0)
    m["private"] = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return m


def rss_by_mapping(pid):
    """Where a process's memory is: [name, RSS KiB, private KiB] per mapped file (or [heap], [stack],
    [anonymous]), largest RSS first."""
    sizes = {}
    name = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                name = os.path.basename(parts[5]) if len(parts) >= 6 else "[anonymous]"
                sizes.setdefault(name, [0, 0])
            elif parts and parts[0] == "Rss:":
                sizes[name][0] += int(parts[1])
            elif parts and parts[0] in ("Private_Clean:", "Private_Dirty:"):
                sizes[name][1] += int(parts[1])
    return sorted(([k, *v] for k, v in sizes.items() if v[0] > 0), key=lambda x: -x[1])


def unit_pids(unit):
    """PIDs in a unit's cgroup (no controllers needed: cgroup.procs is always there)."""
    path = out(["systemctl", "show", "-P", "ControlGroup", unit])
    try:
        with open(f"/sys/fs/cgroup{path}/cgroup.procs") as f:
            return [int(x) for x in f.read().split()]
    except (FileNotFoundError, ValueError):
        return []


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def pids_named(name):
    return [int(d) for d in os.listdir("/proc") if d.isdigit() and comm(d) == name]


def raindd_dropin(name, text):
    """Writes (text) or removes (None) a runtime drop-in for raindd.service, then restarts raindd."""
    directory = "/run/systemd/system/raindd.service.d"
    path = os.path.join(directory, f"50-raind-bench-{name}.conf")
    if text:
        os.makedirs(directory, exist_ok=True)
        with open(path, "w") as f:
            f.write("[Service]\n" + text + "\n")
    elif os.path.exists(path):
        os.unlink(path)
    run(["systemctl", "daemon-reload"])
    run(["systemctl", "restart", "raindd.service"])
    run(["raind", "image", "ls"])  # answers again


def raindd_pid():
    pid = int(out(["systemctl", "show", "-P", "MainPID", "raindd.service"]) or 0)
    if pid <= 0:
        raise BenchError("raindd is not running")
    return pid


# --- the engines -----------------------------------------------------------------------------------

def raind_names(all_=True):
    return out(["raind", "container", "ls", "-q", "--no-trunc"] + (["-a"] if all_ else [])).split()


def raind_leftovers():
    """Scopes and shims that outlived their containers: must be none after a removal."""
    scopes = out(["systemctl", "list-units", "--all", "--plain", "--no-legend", "raind-*.scope"])
    return [line.split()[0] for line in scopes.splitlines() if line.strip()] + \
        [f"raind-shim {p}" for p in pids_named("raind-shim")]


def podman_ids(all_=True):
    return out(PODMAN + ["ps", "-q"] + (["-a"] if all_ else [])).split()
