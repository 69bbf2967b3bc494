# SPDX-License-Identifier: Apache-2.0
"""Where raind's start path spends its time. `raind container run --rm IMG true` a number of times with
raindd at debug level (RAIND_DEBUG=1, which also passes --debug to raind-shim); the client's own
CLOCK_MONOTONIC before and after each run, and the `timing:` journal lines of raindd and the shim (same
clock: one kernel, no time namespace), are lined up per container into one chain of phases."""
import json
import os
import re
import subprocess
import time

from benchlib import BENCH_USER, RAIND_IMAGE, BenchError, mono_ns, raindd_dropin, run, say, stats_ms, write_raw

# The critical path, in order: (event that ends the phase, phase name). Events are
# "client:…" (the bench), "raindd:…" and "shim:…" (journal lines).
CHAIN = [
    ("raindd:create requested", "client exec, bus connect, CreateContainer sent"),
    ("raindd:create authorized", "polkit"),
    ("raindd:created", "spec generation (image lookup, bundle, config.json)"),
    ("raindd:start requested", "Create reply to client, Start call back (not as root: polkit again)"),
    ("raindd:shim spawned", "shim spawn (fork + exec in raindd)"),
    ("raindd:scope ready", "transient unit job (StartTransientUnit until JobRemoved)"),
    ("shim:sync received", "go signal to the shim"),
    ("shim:clone done", "namespaces (clone3)"),
    ("shim:rootfs mounted", "mount setup (overlay, /proc, /dev, masks, pivot_root)"),
    ("shim:exec done", "exec (credentials, seccomp, execve, report)"),
    ("shim:exit seen", "`true` runs; meanwhile the shim records the pid, reports, sets up its monitor; reaps"),
    ("raindd:exit seen", "exit notification (shim drains, exits, raindd sees it)"),
    ("client:exit", "teardown (Wait reply, client exits)"),
]
# Off the critical path, each measured from the event it hangs on.
SIDE = [
    ("raindd:shim spawned", "shim:start", "shim binary exec and dynamic linking"),
    ("shim:start", "shim:config parsed", "shim parses config.json, compiles seccomp (overlaps the unit job)"),
    ("shim:exec done", "raindd:started", "start reported to raindd"),
    ("raindd:exit seen", "raindd:removed", "AutoRemove after the client has its answer (journal receipt time)"),
]

RAINDD_RE = re.compile(r"^timing: (.+) container=(\S*) mono=(\d+)$")
SHIM_RE = re.compile(r"^timing: (.+?) (\d+)(?: mono=(\d+))?$")
REMOVED_RE = re.compile(r"^Removed container (\S+)\.$")


def set_debug(on):
    raindd_dropin("debug", "Environment=RAIND_DEBUG=1" if on else None)


def journal_events(since_usec):
    """{container name: {event: mono usec}} from raindd's and the shims' journal lines."""
    run(["journalctl", "--sync"], check=False)
    p = subprocess.run(["journalctl", "-b", "-o", "json", "--no-pager", "SYSLOG_IDENTIFIER=raindd", "+",
                        "SYSLOG_IDENTIFIER=raind-shim"], stdout=subprocess.PIPE, text=True, check=True)
    events, shim_lines = {}, []
    for line in p.stdout.splitlines():
        e = json.loads(line)
        if int(e.get("__MONOTONIC_TIMESTAMP", 0)) < since_usec:
            continue
        msg = e.get("MESSAGE")
        if not isinstance(msg, str):
            continue
        if e.get("SYSLOG_IDENTIFIER") == "raindd":
            m = RAINDD_RE.match(msg)
            if m:  # the first one: a call that waits for polkit is dispatched (and logged) again
                events.setdefault(m.group(2), {}).setdefault("raindd:" + m.group(1), int(m.group(3)))
            m = REMOVED_RE.match(msg)
            if m:
                events.setdefault(m.group(1), {})["raindd:removed"] = int(e["__MONOTONIC_TIMESTAMP"])
        else:
            m = SHIM_RE.match(msg)
            if m:
                shim_lines.append((e.get("_PID"), m.group(1), int(m.group(2)), m.group(3)))

    # Whose shim is it? journald cannot always tell (_SYSTEMD_UNIT is missing when the shim has exited
    # before journald reads its cgroup), but the runs are sequential: a shim belongs to the container whose
    # start (raindd's "start requested" .. "exit seen") its own start falls in. A shim's start is
    # mono - elapsed of any of its lines; lines the child reports through it carry only the elapsed time.
    start = {}
    for pid, _, elapsed, mono in shim_lines:
        if mono is not None:
            start.setdefault(pid, int(mono) - elapsed)
    windows = [(ev["raindd:start requested"], ev["raindd:exit seen"], name) for name, ev in events.items()
               if "raindd:start requested" in ev and "raindd:exit seen" in ev]
    owner = {}
    for pid, t in start.items():
        for lo, hi, name in windows:
            if lo <= t <= hi:
                owner[pid] = name
    for pid, step, elapsed, mono in shim_lines:
        name = owner.get(pid)
        if name is None:
            continue
        ev = events[name]
        ev.setdefault("shim:" + step, int(mono) if mono is not None else start[pid] + elapsed)
        ev["shim:start"] = start[pid]
    return events


def one_series(label, runs, user):
    say(f"breakdown: {runs} runs, {label}")
    clients = {}
    kw = {"user": user, "group": user, "extra_groups": ["raind"]} if user else {}
    prefix = "bd-" + ("user" if user else "root")
    for i in range(runs):
        name = f"{prefix}-{i}"
        t0 = mono_ns()
        p = subprocess.run(["raind", "container", "run", "--rm", "--name", name, RAIND_IMAGE, "true"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kw)
        t1 = mono_ns()
        if p.returncode != 0:
            raise BenchError(f"{label}: raind container run failed: {p.stderr.strip()}")
        clients[name] = (t0 // 1000, t1 // 1000)
    return clients


def analyse(clients, events):
    phases = {name: [] for _, name in CHAIN}
    side = {name: [] for _, _, name in SIDE}
    totals, incomplete, per_run = [], [], []
    for name, (t0, t1) in clients.items():
        ev = dict(events.get(name, {}))
        ev["client:start"], ev["client:exit"] = t0, t1
        missing = [e for e, _ in CHAIN if e not in ev]
        if missing:
            incomplete.append(f"{name}: no {', '.join(missing)}")
            continue
        prev = "client:start"
        for event, phase in CHAIN:
            phases[phase].append((ev[event] - ev[prev]) / 1e6)
            prev = event
        per_run.append({"container": name, **{k: v - t0 for k, v in sorted(ev.items(), key=lambda kv: kv[1])}})
        for a, b, label in SIDE:
            if a in ev and b in ev:
                side[label].append((ev[b] - ev[a]) / 1e6)
        totals.append((t1 - t0) / 1e6)
    if not totals:
        raise BenchError("no run has a complete set of timing lines: " + "; ".join(incomplete[:3]))
    return {
        "runs": len(totals),
        "incomplete": incomplete,
        "total": stats_ms(totals),
        "phases": [{"phase": p, **stats_ms(phases[p])} for _, p in CHAIN],
        "side": [{"phase": p, "from": a, "to": b, **stats_ms(side[p])} for a, b, p in SIDE],
        "per_run_usec": per_run,
    }


def spawn_floor(runs):
    """What starting a process costs the bench itself: part of the first and the last phase."""
    times = []
    for _ in range(max(runs, 5)):
        t0 = mono_ns()
        subprocess.run(["true"], check=True)
        times.append((mono_ns() - t0) / 1e9)
    return stats_ms(times)


def cgroup_migration(runs):
    """What moving a process into a new cgroup costs (systemd does it for every scope it starts), right
    after the previous move and 30 ms after it. The kernel's cgroup_threadgroup_rwsem needs an RCU grace
    period for a writer once it has gone idle (cgroup2's favordynmods mount option avoids that)."""
    base = "/sys/fs/cgroup/raind-bench-calibration"
    result = {}
    os.makedirs(base, exist_ok=True)
    try:
        for label, gap in (("back_to_back", 0.0), ("after_30ms", 0.03)):
            times = []
            for i in range(max(runs, 5)):
                child = subprocess.Popen(["sleep", "10"])
                path = os.path.join(base, f"c{i}")
                os.mkdir(path)
                time.sleep(gap)
                t0 = mono_ns()
                with open(os.path.join(path, "cgroup.procs"), "w") as f:
                    f.write(str(child.pid))
                times.append((mono_ns() - t0) / 1e9)
                child.kill()
                child.wait()
                wait_rmdir(path)
            result[label] = stats_ms(times)
    finally:
        wait_rmdir(base)
    return result


def wait_rmdir(path):
    for _ in range(100):  # a cgroup whose last process just died may stay busy for a moment
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.01)


def run_scenario(params):
    result, errors = {}, []
    runs = params["breakdown_runs"]
    try:
        result["spawn_floor"] = spawn_floor(runs)
        result["cgroup_migration"] = cgroup_migration(runs)
        set_debug(True)
        since = mono_ns() // 1000
        series = {"root": one_series("as root", runs, None),
                  "polkit": one_series(f"as {BENCH_USER} (group raind, polkit)", runs, BENCH_USER)}
        time.sleep(0.3)  # the last removal's line
        events = journal_events(since)
        for key, clients in series.items():
            result[key] = analyse(clients, events)
    except Exception as e:
        errors.append(f"breakdown: {e}")
    finally:
        try:
            set_debug(False)
        except Exception as e:
            errors.append(f"breakdown: turning debug off again: {e}")
    write_raw("breakdown", {**result, "errors": errors})
    return errors
