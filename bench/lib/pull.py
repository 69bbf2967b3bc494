# SPDX-License-Identifier: Apache-2.0
"""Scenario 5: pulling one image from a registry on loopback, raind against podman and skopeo, each
from a clean state (hyperfine's --prepare removes what the previous run pulled)."""
import gzip
import hashlib
import json
import os
import re
import shlex

from benchlib import (PODMAN, RAW, TOP, WORK, BenchError, hyperfine, out, raindd_pid, run, say, stats_ms,
                      write_raw)

REPO_TAG = "bench/pull:1"
SKOPEO_DIR = os.path.join(WORK, "pull-skopeo")


def quiet(argv):
    """A --prepare command that may fail (nothing to remove on the first run): sh -c 'ARGV >/dev/null 2>&1; true',
    as one string for hyperfine."""
    return shlex.join(["sh", "-c", shlex.join(argv) + " >/dev/null 2>&1; true"])


def commands(ref):
    return [
        # key, label, command, prepare (as hyperfine takes it: one string, no shell unless it says so)
        ("raind", "raind image pull", ["raind", "image", "pull", "--tls-verify=false", ref],
         quiet(["raind", "image", "rm", ref])),
        ("podman", "podman pull", PODMAN + ["pull", "-q", "--tls-verify=false", ref],
         quiet(PODMAN + ["rmi", "-f", ref])),
        ("skopeo", "skopeo copy to dir: (download only, no unpacking)",
         ["skopeo", "copy", "-q", "--src-tls-verify=false", f"docker://{ref}", f"dir:{SKOPEO_DIR}"],
         shlex.join(["rm", "-rf", SKOPEO_DIR])),
    ]


def raind_can_pull():
    """Whether this build's CLI has `raind image pull` (the bench is ready before the command is)."""
    p = run(["raind", "image", "--help"], check=False)
    return re.search(r"^\s+pull\s", p.stdout, re.MULTILINE) is not None


def describe_image(layout):
    """Layers of the pushed image: compressed (what crosses the wire) and uncompressed sizes."""
    blobs = os.path.join(layout, "blobs", "sha256")
    with open(os.path.join(layout, "index.json")) as f:
        top = json.load(f)["manifests"][0]["digest"]
    with open(os.path.join(blobs, top[7:])) as f:
        manifest = json.load(f)
    layers = []
    for layer in manifest["layers"]:
        size = 0
        with gzip.open(os.path.join(blobs, layer["digest"][7:])) as g:
            while chunk := g.read(1 << 20):
                size += len(chunk)
        layers.append({"digest": layer["digest"], "compressed": layer["size"], "uncompressed": size})
    return {"manifest": top, "layers": layers, "compressed_total": sum(x["compressed"] for x in layers),
            "uncompressed_total": sum(x["uncompressed"] for x in layers)}


def verify(key, ref, digest):
    """What the last run left behind is the image that was pushed."""
    if key == "podman":
        got = out(PODMAN + ["image", "inspect", "-f", "{{.Digest}}", ref])
        if got != digest:
            raise BenchError(f"podman has {ref} as {got}, pushed was {digest}")
    elif key == "skopeo":
        with open(os.path.join(SKOPEO_DIR, "manifest.json"), "rb") as f:
            got = "sha256:" + hashlib.sha256(f.read()).hexdigest()
        if got != digest:
            raise BenchError(f"skopeo wrote a manifest with digest {got}, pushed was {digest}")
    elif key == "raind":
        listed = out(["raind", "image", "ls"])
        if "bench/pull" not in listed:
            raise BenchError(f"raind image ls does not list {ref} after the pull: {listed[-300:]}")


def clear_peak_rss(pid):
    """Resets the kernel's peak RSS of pid (VmHWM) to its current RSS; False where not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def peak_rss(key, argv, prepare):
    """One more pull, from a clean state, under GNU time: the client's peak RSS in KiB, and for raind
    raindd's peak RSS during the pull (VmHWM, reset just before)."""
    run(shlex.split(prepare), check=False)
    m = {}
    pid = None
    if key == "raind":
        pid = raindd_pid()
        m["raindd_before"] = status_kib(pid, "VmRSS")
        if not clear_peak_rss(pid):
            pid = None  # its peak since start would say nothing about the pull
    p = run(["/usr/bin/time", "-f", "maxrss=%M"] + argv, check=False)
    if p.returncode != 0:
        raise BenchError(f"{shlex.join(argv)} exited {p.returncode}: {p.stderr.strip()[-400:]}")
    m["client"] = int(re.findall(r"^maxrss=(\d+)$", p.stderr, re.MULTILINE)[-1])
    if pid:
        m["raindd_peak"] = status_kib(pid, "VmHWM")
    return m


def run_scenario(params):
    errors, findings, rows = [], [], []
    result = {"runs": params["pull_runs"], "warmup": params["pull_warmup"]}
    say(f"pull: pushing a {params['pull_mb']} MiB image to docker-registry on loopback")
    p = run([os.path.join(TOP, "bench/lib/pull-prepare.sh"), WORK, str(params["pull_mb"])], check=False)
    if p.returncode != 0:
        errors.append(f"pull: prepare: {p.stderr.strip()[-1500:]}")
        write_raw("pull", {**result, "errors": errors})
        return errors
    port, registry_pid, digest = p.stdout.split()[-3:]
    ref = f"127.0.0.1:{port}/{REPO_TAG}"
    result.update({"ref": ref, "digest": digest})
    try:
        result["image"] = describe_image(os.path.join(WORK, "pull-layout"))
        for key, label, argv, prepare in commands(ref):
            row = {"key": key, "label": label, "command": shlex.join(argv), "prepare": prepare}
            if key == "raind" and not raind_can_pull():
                row["skipped"] = "this raind has no `raind image pull` yet"
                findings.append(f"pull: raind not measured: {row['skipped']} (podman and skopeo were)")
                rows.append(row)
                continue
            say(f"pull: {label}")
            try:
                times, failed = hyperfine(f"pull: {label}", argv, params["pull_runs"], params["pull_warmup"],
                                          prepare=prepare)
                if failed or not times:
                    log = os.path.join(RAW, "hyperfine-pull-" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-"))
                    raise BenchError(f"{failed} of {failed + len(times)} runs failed (see {log}.log; run "
                                     f"`{shlex.join(argv)}` by hand)")
                verify(key, ref, digest)
                row.update(stats_ms(times))
                row["mib_per_s"] = round(result["image"]["compressed_total"] / (1 << 20) / (row["median"] / 1000), 1)
                row["memory_kib"] = [peak_rss(key, argv, prepare) for _ in range(params["pull_rss_runs"])]
            except Exception as e:  # one tool failing must not hide the others
                errors.append(f"pull: {label}: {e}")
                row["error"] = str(e)
            rows.append(row)
    finally:
        run(["kill", registry_pid], check=False)
        run(["sh", "-c", f"while kill -0 {int(registry_pid)} 2>/dev/null; do sleep 0.05; done"], check=False,
            timeout=10)
        if any(r["key"] == "raind" and "skipped" not in r for r in rows):
            run(shlex.split(quiet(["raind", "image", "rm", ref])), check=False)
        run(shlex.split(quiet(PODMAN + ["rmi", "-f", ref])), check=False)
        run(["rm", "-rf", SKOPEO_DIR, os.path.join(WORK, "pull-registry"), os.path.join(WORK, "pull-layout")],
            check=False)

    by = {r["key"]: r.get("median") for r in rows}
    ratios = {}
    for other in ("podman", "skopeo"):
        if by.get("raind") and by.get(other):
            ratios[f"raind/{other}"] = round(by["raind"] / by[other], 3)
    for r in rows:
        if by.get("raind") and r.get("median"):
            r["x_raind"] = round(r["median"] / by["raind"], 3)
    write_raw("pull", {**result, "rows": rows, "ratios": ratios, "findings": findings, "errors": errors})
    return errors
