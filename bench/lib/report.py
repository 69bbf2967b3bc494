# SPDX-License-Identifier: Apache-2.0
"""Turns raw/*.json into results.json (everything, machine-readable) and results.md (the tables)."""
import json
import os

from benchlib import OUT, read_raw

TARGETS_TEXT = {
    "vs_podman": "raind ≤ 1/10 of podman (`run --rm true`)",
    "vs_crun": "raind ≤ 1.5 × crun inside `systemd-run --scope`",
    "shim_rss": "raind-shim RSS ≤ 1 MiB",
    "raindd_rss": "raindd RSS ≤ 16 MiB at 1000 containers",
    "ls": "`raind container ls` ≤ 50 ms at 1000 containers",
}


def fmt(v, digits=1):
    return "–" if v is None else f"{v:.{digits}f}"


def mib(kib):
    return None if kib is None else kib / 1024


def targets(lat, ovh, scl):
    t = []

    def add(key, measured, met, why=None):
        t.append({"key": key, "target": TARGETS_TEXT[key], "measured": measured,
                  "met": met, **({"why": why} if why else {})})

    rows = {r["key"]: r for r in (lat or {}).get("rows", [])}
    raind = rows.get("raind", {}).get("median")
    podman = rows.get("podman", {}).get("median")
    crun = rows.get("crun_scope", {}).get("median")
    if raind and podman:
        add("vs_podman", f"{raind:.1f} ms vs {podman:.1f} ms: 1/{podman / raind:.1f}", raind <= podman / 10)
    else:
        add("vs_podman", "not measured", None)
    if raind and crun:
        add("vs_crun", f"{raind:.1f} ms vs {crun:.1f} ms: {raind / crun:.2f} ×", raind <= 1.5 * crun)
    else:
        add("vs_crun", "not measured", None)

    shim = (ovh or {}).get("raind_shim")
    if shim:
        add("shim_rss", f"{shim['rss']} KiB (PSS {shim['pss']}, private {shim['private']})", shim["rss"] <= 1024)
    else:
        add("shim_rss", "not measured", None)

    points = (scl or {}).get("points", [])
    top = max((p["containers"] for p in points), default=0)
    at_top = [p for p in points if p["containers"] == top and top > 0]
    note = "" if top == 1000 else f" (at {top}, not 1000: smoke run)" if at_top else ""
    if at_top:
        rss = max(p["raindd"]["rss"] for p in at_top)
        ls = max(p["ls"]["median"] for p in at_top)
        add("raindd_rss", f"{rss / 1024:.1f} MiB{note}", rss <= 16 * 1024)
        add("ls", f"{ls:.1f} ms{note}", ls <= 50)
    else:
        add("raindd_rss", "not measured", None)
        add("ls", "not measured", None)
    return t


def explain(t, lat, ovh, scl, bd):
    """One line per missed target, from the numbers: what dominates."""
    root = (bd or {}).get("root")
    for target in t:
        if target["met"] is not False:
            continue
        if target["key"] in ("vs_podman", "vs_crun") and root:
            top = sorted(root["phases"], key=lambda p: -(p.get("median") or 0))[:3]
            target["why"] = "largest phases of raind's start path: " + ", ".join(
                f"{p['phase']} {p['median']:.1f} ms" for p in top)
        elif target["key"] == "shim_rss" and ovh and ovh.get("raind_shim"):
            shim = ovh["raind_shim"]
            libs = [m for m in shim["mappings"] if ".so" in m[0]]
            target["why"] = (f"{sum(m[1] for m in libs)} KiB of the RSS are pages of {len(libs)} shared "
                             "libraries (" + ", ".join(f"{n} {rss}" for n, rss, _ in shim["mappings"][:4]) +
                             f" KiB); {shim['private']} KiB are the shim's own")
        elif target["key"] in ("raindd_rss", "ls") and scl and scl.get("points"):
            pts = scl["points"]
            zero = next((p for p in pts if p["containers"] == 0), None)
            big = max(pts, key=lambda p: (p["containers"], p["raindd"]["rss"]))
            if target["key"] == "raindd_rss" and zero and big["containers"]:
                per = (big["raindd"]["rss"] - zero["raindd"]["rss"]) / big["containers"]
                target["why"] = f"raindd grows by {per:.1f} KiB per container ({big['state']})"
            elif target["key"] == "ls":
                target["why"] = (f"ls {big['ls']['median']:.1f} ms = ListContainers "
                                 f"{big['list_containers']['median']:.1f} ms (a bare call: "
                                 f"{big['ping']['median']:.1f} ms) + the client's own work")


def md_latency(lat):
    lines = ["## 1. Start-to-exit latency of `true`", "",
             "| runtime | median ms | p25–p75 ms | min ms | × raind | runs |", "|---|---:|---:|---:|---:|---:|"]
    for r in lat.get("rows", []):
        if "error" in r:
            lines.append(f"| {r['label']} | failed | | | | |")
            continue
        failed = f" ({r['failed_runs']} failed)" if r.get("failed_runs") else ""
        lines.append(f"| {r['label']} | {fmt(r['median'])} | {fmt(r['p25'])}–{fmt(r['p75'])} | {fmt(r['min'])} | "
                     f"{fmt(r.get('x_raind'), 2)} | {r['n']}{failed} |")
    ratios = lat.get("ratios", {})
    if ratios:
        lines += ["", "Ratios of medians: " + ", ".join(f"{k} = {v:.3g}" for k, v in ratios.items()) + "."]
    return lines


def md_many(m):
    n = m.get("n")
    lines = [f"## 2. {n} detached containers (`sleep 3600`)", "",
             "| | raind | podman | podman / raind |", "|---|---:|---:|---:|"]
    r, p = m.get("raind", {}), m.get("podman", {})

    def row(label, get, digits=2):
        try:
            a = get(r)
        except (KeyError, TypeError):
            a = None
        try:
            b = get(p)
        except (KeyError, TypeError):
            b = None
        ratio = fmt(b / a, 1) if a and b else "–"
        lines.append(f"| {label} | {fmt(a, digits)} | {fmt(b, digits)} | {ratio} |")

    row(f"start {n}, one client, until all run (s)", lambda e: e["start_sequential"]["total_s"])
    row("… per `run -d`, median (ms)", lambda e: e["start_sequential"]["per_container"]["median"], 1)
    row(f"start {n}, {m.get('clients')} clients at once, until all run (s)", lambda e: e["start_concurrent"]["total_s"])
    row(f"stop and remove {n}, one command (s)", lambda e: e["remove_one_client"]["total_s"])
    row(f"stop and remove {n}, {m.get('clients')} clients at once (s)", lambda e: e["remove_concurrent"]["total_s"])
    row(f"raind-shim / conmon: total PSS with {n} running (MiB)", lambda e: mib(e["monitors_at_n"]["pss_total"]))
    row("… per container, PSS (KiB)", lambda e: e["monitors_at_n"]["pss_total"] / e["monitors_at_n"]["count"], 0)
    row("… per container, private (KiB)",
        lambda e: e["monitors_at_n"]["private_total"] / e["monitors_at_n"]["count"], 0)
    for e in ("raind", "podman"):
        if "error" in m.get(e, {}):
            lines.append(f"\n{e} failed: {m[e]['error']}")
    return lines


def md_scale(s):
    lines = ["## 3. Scale: raindd with many containers", "",
             "| containers | raindd RSS MiB | raindd PSS MiB | systemd (PID 1) RSS MiB | `ls -a` ms | "
             "ListContainers ms | Ping ms |", "|---|---:|---:|---:|---:|---:|---:|"]
    for p in s.get("points", []):
        lines.append(f"| {p['containers']} {p['state']} | {fmt(mib(p['raindd']['rss']))} | "
                     f"{fmt(mib(p['raindd']['pss']))} | {fmt(mib(p['systemd']['rss']))} | "
                     f"{fmt(p['ls']['median'])} | {fmt(p['list_containers']['median'])} | {fmt(p['ping']['median'])} |")
    if s.get("steps"):
        lines += ["", "Getting there (8 clients): " + "; ".join(f"{st['step']} in {st['total_s']:.1f} s"
                                                           for st in s["steps"]) + "."]
    return lines


def md_overhead(o):
    lines = ["## 4. Per-container overhead: the runtime's monitor of one running container", "",
             "| process | RSS KiB | PSS KiB | private KiB | largest parts: RSS / private KiB |",
             "|---|---:|---:|---:|---|"]
    for key, label in (("raind_shim", "raind-shim"), ("conmon", "conmon")):
        m = o.get(key)
        if m:
            top = ", ".join(f"{n} {rss}/{priv}" for n, rss, priv in m["mappings"][:5])
            lines.append(f"| {label} | {m['rss']} | {m['pss']} | {m['private']} | {top} |")
    for key, label in (("raind_container", "the container (busybox sleep) under raind"),
                       ("podman_container", "the container (busybox sleep) under podman")):
        m = o.get(key)
        if m:
            lines.append(f"| {label} | {m['rss']} | {m['pss']} | {m['private']} | |")
    return lines


def md_pull(pl):
    image = pl.get("image") or {}
    lines = ["## 5. Image pull from a registry on loopback", ""]
    if image:
        layers = image["layers"]
        lines += [f"`{pl.get('ref')}` ({pl.get('digest')}), pushed with skopeo to Debian's docker-registry on "
                  f"127.0.0.1 in the sandbox: {len(layers)} gzip layers, {mib(image['compressed_total'] / 1024):.1f} "
                  f"MiB compressed, {mib(image['uncompressed_total'] / 1024):.1f} MiB unpacked (busybox; "
                  "incompressible binaries; many small text files; half and half). Every run starts clean: "
                  "hyperfine's prepare removes the image (`raind image rm`, `podman rmi -f`, `rm -rf DIR`).", ""]
    lines += ["| tool | median ms | p25–p75 ms | min ms | MiB/s (compressed) | × raind | peak RSS KiB | runs |",
              "|---|---:|---:|---:|---:|---:|---|---:|"]
    for r in pl.get("rows", []):
        if "skipped" in r or "error" in r:
            lines.append(f"| {r['label']} | {'not measured' if 'skipped' in r else 'failed'} | | | | | | |")
            continue
        mem = r.get("memory_kib") or []
        clients = max((m["client"] for m in mem), default=None)
        peak = f"{clients}" if clients is not None else "–"
        if r["key"] == "raind":
            daemon = max((m.get("raindd_peak") or 0 for m in mem), default=0)
            before = max((m.get("raindd_before") or 0 for m in mem), default=0)
            peak = f"raindd {daemon} (before: {before}), CLI {clients}" if daemon else f"CLI {clients} (raindd: –)"
        lines.append(f"| {r['label']} | {fmt(r['median'])} | {fmt(r['p25'])}–{fmt(r['p75'])} | {fmt(r['min'])} | "
                     f"{fmt(r.get('mib_per_s'))} | {fmt(r.get('x_raind'), 2)} | {peak} | {r['n']} |")
    ratios = pl.get("ratios", {})
    if ratios:
        lines += ["", "Ratios of medians: " + ", ".join(f"{k} = {v:.3g}" for k, v in ratios.items()) + "."]
    lines += ["", "Peak RSS: the largest of the separate pulls under GNU time (the client's maximum RSS); for raind "
              "also raindd's VmHWM, reset just before the pull. skopeo only downloads the blobs into a directory; "
              "raind and podman also decompress and unpack every layer into their stores."]
    for r in pl.get("rows", []):
        if "error" in r:
            lines.append(f"\n{r['label']} failed: {r['error']}")
        elif "skipped" in r:
            lines.append(f"\n{r['label']}: not measured: {r['skipped']}.")
    return lines


def md_breakdown(bd):
    lines = ["## Where raind's start path spends its time", ""]
    root = bd.get("root")
    if not root:
        return lines + ["Not measured."]
    total = root["total"]["median"]
    lines += [f"`raind container run --rm IMG true`, {root['runs']} runs with raindd and the shim at debug level "
              f"(median total {total:.1f} ms; debug logging itself costs a little). Phases on the critical path, "
              "medians (they need not add up to the median total exactly):", "",
              "| phase | median ms | p25–p75 ms | share |", "|---|---:|---:|---:|"]
    for p in root["phases"]:
        share = 100 * p["median"] / total if total else 0
        spread = f"{fmt(p['p25'], 2)}–{fmt(p['p75'], 2)}"
        lines.append(f"| {p['phase']} | {fmt(p['median'], 2)} | {spread} | {share:.0f} % |")
    if bd.get("spawn_floor"):
        lines += ["", f"The first and the last phase include {bd['spawn_floor']['median']:.2f} ms that the bench "
                  "itself needs to start a process and see it end (`true`, median)."]
    mig = bd.get("cgroup_migration")
    if mig and mig.get("back_to_back") and mig.get("after_30ms"):
        lines += ["", f"Moving a process into a new cgroup, which systemd does for every scope it starts, takes "
                  f"{mig['back_to_back']['median']:.2f} ms right after the previous move and "
                  f"{mig['after_30ms']['median']:.2f} ms when the previous one was 30 ms earlier (medians; the "
                  "kernel waits for an RCU grace period once its cgroup_threadgroup_rwsem has gone idle). That is "
                  "why the transient unit job is sometimes ~2 ms and sometimes ~10 ms, and why every runtime "
                  "that uses a scope is slower after idle (section 1)."]
    lines += ["", "Off the critical path:", "", "| step | median ms |", "|---|---:|"]
    for p in root["side"]:
        lines.append(f"| {p['phase']} | {fmt(p.get('median'), 2)} |")
    pk = bd.get("polkit")
    if pk:
        ph = {p["phase"].split(" (")[0]: p for p in pk["phases"]}
        rph = {p["phase"].split(" (")[0]: p for p in root["phases"]}
        create = ph["polkit"]["median"]
        start = ph["Create reply to client, Start call back"]["median"] - \
            rph["Create reply to client, Start call back"]["median"]
        unit = "transient unit job"
        slower_job = ph[unit]["median"] - rph[unit]["median"] > 2
        # raindd remembers polkit's yes for the connection a few seconds: Start then costs no round trip.
        start_text = (f"the one for Start about {start:.1f} ms more" if start >= 0.5 else
                      "Start is answered from raindd's memory of that yes, without a second round trip")
        lines += ["", f"As a member of group raind (not root) the same run takes {pk['total']['median']:.1f} ms "
                  f"(median of {pk['runs']}): polkit's CheckAuthorization for CreateContainer takes "
                  f"{create:.1f} ms and {start_text} (root skips both)" +
                  (f"; the transient unit job goes from {rph[unit]['median']:.1f} to {ph[unit]['median']:.1f} ms, "
                   f"as {'those round trips leave' if start >= 0.5 else 'that round trip leaves'} more time since "
                   "the previous cgroup move." if slower_job else ".")]
    return lines


def write():
    setup = read_raw("setup") or {}
    lat, ovh, mny, scl, bd, pl = (read_raw(n) for n in ("latency", "overhead", "many", "scale", "breakdown", "pull"))
    t = targets(lat, ovh, scl)
    if setup.get("mode") == "smoke":  # a sample or two proves the bench works, not the targets
        for x in t:
            x["met"] = None
    explain(t, lat, ovh, scl, bd)
    result = {k: setup.get(k) for k in ("date", "mode", "machine", "versions", "params", "image_layer",
                                        "duration_s")}
    findings = [f for raw in (lat, ovh, mny, scl, bd, pl) if raw for f in raw.get("findings", [])]
    warnings = setup.get("raindd_warnings") or []
    if warnings:
        findings.append("raindd logged warnings or errors: " + "; ".join(f"\"{w}\" × {n}" for w, n in warnings[:6]))
    result.update({"start_to_exit": lat, "per_container": ovh, "many": mny, "scale": scl, "breakdown": bd,
                   "pull": pl, "targets": t, "findings": findings, "errors": setup.get("errors", [])})
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(result, f, indent=1)

    m, v = setup.get("machine", {}), setup.get("versions", {})
    cmd = "sudo bench/run.sh" + (" --smoke" if setup.get("mode") == "smoke" else "")
    lines = [f"# raind benchmark ({setup.get('mode')} run)", "",
             f"* Date: {setup.get('date')}; took {setup.get('duration_s')} s. Redo: `{cmd}`",
             f"* Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('ram_gib')} GiB RAM; kernel "
             f"{m.get('kernel')}; {m.get('os')}; cgroup {m.get('cgroup')}",
             f"* systemd: {m.get('systemd')}; load average before the run: {m.get('loadavg')}",
             "* Versions: " + "; ".join(f"{k} {val}" for k, val in v.items()),
             f"* One image for all: busybox rootfs tarball {setup.get('image_layer')} (raind: image import; "
             "podman: skopeo oci-archive + podman load; crun: unpacked bundle from `crun spec`)", ""]
    if setup.get("mode") == "smoke":
        lines += ["**Smoke run**: every scenario once or twice, with small counts, to prove that the bench works. "
                  "The numbers are single samples; targets are not judged on them. The measurement is "
                  "`sudo bench/run.sh`.", ""]
    lines += ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for x in t:
        met = {True: "yes", False: "**no**", None: "–"}[x["met"]]
        lines.append(f"| {x['target']} | {x['measured']} | {met} |")
    whys = [x for x in t if x.get("why")]
    if whys:
        lines += [""] + [f"* Missed, {x['target']}: {x['why']}." for x in whys]
    lines.append("")
    if lat:
        lines += md_latency(lat) + [""]
    if mny:
        lines += md_many(mny) + [""]
    if scl:
        lines += md_scale(scl) + [""]
    if ovh:
        lines += md_overhead(ovh) + [""]
    if pl:
        lines += md_pull(pl) + [""]
    if bd:
        lines += md_breakdown(bd) + [""]
    if findings:
        lines += ["## Found while measuring", ""] + [f"* {f}" + ("" if f.endswith(".") else ".")
                                                     for f in findings] + [""]
    if setup.get("errors"):
        lines += ["## Errors", ""] + [f"* {e}" for e in setup["errors"]] + [""]
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write("\n".join(lines))
