# SPDX-License-Identifier: Apache-2.0
"""Scenario 3: how raindd carries many containers: its memory, `raind container ls` and D-Bus
ListContainers latency with 0, 100 and 1000 containers, first created, then running `sleep`."""
import concurrent.futures
import os
import resource
import time

from benchlib import (RAIND_IMAGE, BenchError, attempt, chunks, hyperfine_ok, in_parallel, memory_kib, mono_ns,
                      out, raind_leftovers, raind_names, raindd_dropin, raindd_pid, run, say, stats_ms,
                      write_raw)

BUSCTL = ["busctl", "call", "org.raind.raind1", "/org/raind/raind1"]


def measure(state, n, params):
    count = len(raind_names())
    if count != n:
        raise BenchError(f"{state} {n}: raind lists {count} containers")
    runs = params["ls_runs"]
    point = {"state": state, "containers": n, "raindd": memory_kib(raindd_pid()), "systemd": memory_kib(1)}
    point["ls"] = stats_ms(hyperfine_ok(f"ls -a, {n} {state}", ["raind", "container", "ls", "-a"], runs, 1))
    point["list_containers"] = stats_ms(hyperfine_ok(f"ListContainers, {n} {state}",
                                                  BUSCTL + ["org.raind.raind1.Manager", "ListContainers"], runs, 1))
    # The same busctl with a call that does nothing: what is left is ListContainers' own cost.
    point["ping"] = stats_ms(hyperfine_ok(f"Ping, {n} {state}", BUSCTL + ["org.freedesktop.DBus.Peer", "Ping"],
                                          runs, 1))
    say(f"scale: {n} {state}: raindd RSS {point['raindd']['rss']} KiB, ls {point['ls']['median']:.1f} ms, "
        f"ListContainers {point['list_containers']['median']:.1f} ms")
    return point


def remove_all(clients, findings):
    names = raind_names()
    wall = in_parallel(clients, [["raind", "container", "rm", "-f"] + c for c in chunks(names, clients)])[0] \
        if names else 0.0
    # A scope whose container is gone is raind's leftover: say so, then clear it for the next step.
    strays = [u for u in raind_leftovers() if u.endswith(".scope")]
    if strays:
        findings.append(f"{len(strays)} scope(s) stayed active after their containers were removed (empty, "
                        f"left by failed starts), e.g. {', '.join(strays[:3])}; the bench stopped them")
        run(["systemctl", "stop"] + strays, check=False)
    left = raind_leftovers() + raind_names()
    if left:
        raise BenchError(f"left after removing every container: {left[:5]}")
    return wall


def start_all(names, clients):
    """Starts the containers from `clients` clients; returns (seconds, error lines of the failed ones)."""
    t0 = mono_ns()
    with concurrent.futures.ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(attempt, [["raind", "container", "start"] + c for c in chunks(names, clients)]))
    wall = (mono_ns() - t0) / 1e9
    return wall, [line for _, rc, err in results if rc != 0 for line in err.splitlines() if line.strip()]


def raindd_fds():
    pid = raindd_pid()
    with open(f"/proc/{pid}/limits") as f:
        soft = next(line.split()[3] for line in f if line.startswith("Max open files"))
    return len(os.listdir(f"/proc/{pid}/fd")), soft


def set_nofile(limit):
    raindd_dropin("nofile", f"LimitNOFILE={limit}" if limit else None)


def fill(n, params, points, steps, suffix="", measure_created=True):
    """n containers, created then started, measured in both states. None, or what went wrong."""
    clients = params["clients"]
    names = [f"scale-{i}" for i in range(n)]
    say(f"scale: creating {n} containers ({clients} clients){suffix}")
    wall, per = in_parallel(clients, [["raind", "container", "create", "--name", name, RAIND_IMAGE,
                                       "sleep", "3600"] for name in names])
    steps.append({"step": f"create {n}{suffix}", "total_s": round(wall, 3), "per_container": stats_ms(per)})
    if measure_created:
        points.append(measure("created" + suffix, n, params))

    say(f"scale: starting them ({clients} clients){suffix}")
    since = time.time()
    wall, failures = start_all(names, clients)
    running = len(raind_names(all_=False))
    if running != n or failures:
        fds, soft = raindd_fds()
        journal = out(["journalctl", "-u", "raindd", f"--since=@{int(since)}", "-o", "cat", "--no-pager"],
                      check=False)
        return {"running": running, "failures": failures[:5], "fds": fds, "soft_limit": soft,
                "emfile": "Too many open files" in journal or any("Too many open files" in f for f in failures)}
    steps.append({"step": f"start {n}{suffix}", "total_s": round(wall, 3)})
    points.append(measure("running" + suffix, n, params))
    return None


def run_scenario(params):
    clients = params["clients"]
    points, steps, errors, findings = [], [], [], []
    try:
        remove_all(clients, findings)
        for n in params["scale"]:
            if n == 0:
                points.append(measure("created", 0, params))
                continue
            failed = fill(n, params, points, steps)
            say(f"scale: removing them ({clients} clients)")
            steps.append({"step": f"remove {n}", "total_s": round(remove_all(clients, findings), 3)})
            if not failed:
                continue
            if not failed["emfile"]:
                raise BenchError(f"only {failed['running']} of {n} containers started: {failed['failures']}")
            # raindd keeps two descriptors per running container (pidfds of shim and payload).
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            findings.append(f"raindd ran out of file descriptors: only {failed['running']} of {n} containers "
                            f"started (raindd held {failed['fds']} descriptors, LimitNOFILE soft limit "
                            f"{failed['soft_limit']}); measured again with LimitNOFILE={hard} from a drop-in "
                            "of the bench")
            say(f"scale: raindd ran out of file descriptors at {failed['running']} running; again with "
                f"LimitNOFILE={hard}")
            set_nofile(hard)
            try:
                again = fill(n, params, points, steps, suffix=", LimitNOFILE raised", measure_created=False)
                steps.append({"step": f"remove {n}, LimitNOFILE raised",
                              "total_s": round(remove_all(clients, findings), 3)})
            finally:
                set_nofile(None)
            if again:
                raise BenchError(f"with LimitNOFILE={hard}, only {again['running']} of {n} containers started: "
                                 f"{again['failures']}")
    except Exception as e:
        errors.append(f"scale: {e}")
        try:
            remove_all(clients, findings)
        except Exception as e2:
            errors.append(f"scale: cleanup: {e2}")
    write_raw("scale", {"points": points, "steps": steps, "findings": findings, "errors": errors})
    return errors
