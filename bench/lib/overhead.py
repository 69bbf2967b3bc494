# SPDX-License-Identifier: Apache-2.0
"""Scenario 4: what one running container costs besides itself: raind-shim against conmon."""
import time

from benchlib import (PODMAN, PODMAN_IMAGE, PODMAN_RUN_FLAGS, RAIND_IMAGE, BenchError, comm, memory_kib, out,
                      rss_by_mapping, run, say, unit_pids, write_raw)

SETTLE_S = 0.5  # the shim trims its heap once the container runs; measure after that


def run_scenario(params):
    say("per-container overhead: one raind-shim, one conmon")
    result, errors = {}, []
    try:
        run(["raind", "container", "run", "-d", "--name", "ovh", RAIND_IMAGE, "sleep", "3600"])
        run(PODMAN + ["run", "-d", "--name", "ovh"] + PODMAN_RUN_FLAGS + [PODMAN_IMAGE, "sleep", "3600"])
        time.sleep(SETTLE_S)

        pids = unit_pids("raind-ovh.scope")
        shim = [p for p in pids if comm(p) == "raind-shim"]
        payload = [p for p in pids if comm(p) != "raind-shim"]
        if len(shim) != 1 or len(payload) != 1:
            raise BenchError(f"raind-ovh.scope holds {pids}: expected one raind-shim and the container")
        conmon = int(out(PODMAN + ["inspect", "-f", "{{.State.ConmonPid}}", "ovh"]))
        podman_payload = int(out(PODMAN + ["inspect", "-f", "{{.State.Pid}}", "ovh"]))
        if comm(conmon) != "conmon":
            raise BenchError(f"podman's ConmonPid {conmon} is {comm(conmon)}, not conmon")

        result = {
            "raind_shim": {**memory_kib(shim[0]), "mappings": rss_by_mapping(shim[0])},
            "conmon": {**memory_kib(conmon), "mappings": rss_by_mapping(conmon)},
            "raind_container": memory_kib(payload[0]),
            "podman_container": memory_kib(podman_payload),
        }
    except Exception as e:
        errors.append(f"per-container overhead: {e}")
    finally:
        run(["raind", "container", "rm", "-f", "ovh"], check=False)
        run(PODMAN + ["rm", "-f", "-t", "0", "ovh"], check=False)
    write_raw("overhead", {**result, "errors": errors})
    return errors
