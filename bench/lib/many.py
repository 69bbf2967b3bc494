# SPDX-License-Identifier: Apache-2.0
"""Scenario 2: N detached containers, started one after the other and by 8 clients at once; time until
all run, then time to stop and remove them all. raind against podman."""
from benchlib import (PODMAN, PODMAN_IMAGE, PODMAN_RUN_FLAGS, RAIND_IMAGE, BenchError, chunks, in_parallel,
                      memory_kib, mono_ns, pids_named, podman_ids, raind_leftovers, raind_names, say, stats_ms,
                      timed, wait_for, write_raw)

ENGINES = {
    "raind": {
        "start": lambda name: ["raind", "container", "run", "-d", "--name", name, RAIND_IMAGE, "sleep", "3600"],
        "remove": lambda names: ["raind", "container", "rm", "-f"] + names,
        "running": lambda: len(raind_names(all_=False)),
        "left": lambda: len(raind_names()) + len(raind_leftovers()),
        "monitor": "raind-shim",
    },
    "podman": {
        "start": lambda name: PODMAN + ["run", "-d", "--name", name] + PODMAN_RUN_FLAGS +
        [PODMAN_IMAGE, "sleep", "3600"],
        # -t 0: `sleep` as PID 1 ignores SIGTERM; without it podman waits 10 s per container.
        "remove": lambda names: PODMAN + ["rm", "-f", "-t", "0"] + names,
        "running": lambda: len(podman_ids(all_=False)),
        "left": lambda: len(podman_ids()) + len(pids_named("conmon")),
        "monitor": "conmon",
    },
}


def monitors_memory(name):
    """Summed memory of every shim or conmon: the per-container overhead when many run."""
    total = {"rss": 0, "pss": 0, "private": 0}
    pids = pids_named(name)
    for p in pids:
        for k, v in memory_kib(p).items():
            total[k] += v
    return {"count": len(pids), **{f"{k}_total": v for k, v in total.items()}}


def check_count(what, count, expected):
    """count() must reach expected soon: a monitor may take a moment to exit after its client returned."""
    actual = None

    def reached():
        nonlocal actual
        actual = count()
        return actual == expected

    if not wait_for(reached):
        raise BenchError(f"{what}: {actual}, expected {expected}")


def one_engine(engine, e, n, clients):
    r = {}
    names = [f"many-{i}" for i in range(n)]

    say(f"many: {engine}: {n} containers one after the other")
    t0 = mono_ns()
    per = [timed(e["start"](name)) for name in names]
    r["start_sequential"] = {"total_s": round((mono_ns() - t0) / 1e9, 3), "per_container": stats_ms(per)}
    check_count(f"{engine}: running after sequential start", e["running"], n)
    r["monitors_at_n"] = monitors_memory(e["monitor"])

    say(f"many: {engine}: removing them with one command")
    wall = timed(e["remove"](names))
    r["remove_one_client"] = {"total_s": round(wall, 3)}
    check_count(f"{engine}: left after removal", e["left"], 0)

    say(f"many: {engine}: {n} containers from {clients} clients at once")
    wall, per = in_parallel(clients, [e["start"](name) for name in names])
    r["start_concurrent"] = {"total_s": round(wall, 3), "clients": clients, "per_container": stats_ms(per)}
    check_count(f"{engine}: running after concurrent start", e["running"], n)

    say(f"many: {engine}: removing them from {clients} clients at once")
    wall, _ = in_parallel(clients, [e["remove"](c) for c in chunks(names, clients)])
    r["remove_concurrent"] = {"total_s": round(wall, 3), "clients": clients}
    check_count(f"{engine}: left after concurrent removal", e["left"], 0)
    return r


def run_scenario(params):
    n, clients = params["many"], params["clients"]
    result, errors = {"n": n, "clients": clients}, []
    for engine, e in ENGINES.items():
        try:
            result[engine] = one_engine(engine, e, n, clients)
        except Exception as ex:
            errors.append(f"many ({engine}): {ex}")
            result[engine] = {"error": str(ex)}
        finally:  # whatever happened, the next scenario starts from nothing
            names = raind_names() if engine == "raind" else podman_ids()
            if names:
                timed(e["remove"](names), check=False)
    write_raw("many", {**result, "errors": errors})
    return errors
