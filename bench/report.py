"""bench/: from the raw samples to report.json, report.md and the PNG plots; and the
regression gate of `make bench-check` (ratios only, never absolute times).

SPDX-License-Identifier: LGPL-2.1-or-later
"""
import json
import os
import re
import shutil
import subprocess

# The educational seed's page: start-up time per stage, in ms.
SEED_STAGES = [("parse", 5), ("namespaces", 10), ("cgroups", 15), ("overlay", 20), ("seccomp", 5),
               ("caps", 2), ("exec", 3)]
SEED_TOTAL = {"cold": 60, "warm": 40}
# Which of silo's stamps do the work of each of the seed's stages.  silo has no overlay: the
# rootfs is bound, then pivot_root; its "clone" stamp comes after the parent put the child
# in its cgroups (the v1 cgroup.procs writes wait for an RCU grace period).
SEED_MAP = [("parse", ["parse", "validate-process", "validate"]),
            ("namespaces", ["clone", "namespaces"]), ("cgroups", ["cgroups"]),
            ("overlay", ["mounts", "pivot-root"]), ("seccomp", ["seccomp-compile", "seccomp-install"]),
            ("caps", ["process"]), ("exec", ["start-connected", "start-received", "exec"]),
            ("(state, handshakes)", ["state", "child-setup", "created", "started"])]

STAGE_RE = re.compile(r"debug: (?:container: )?stage (\S+)\s+[0-9.]+ ms\s+at ([0-9.]+)")


def parse_stages(stderr):
    """[(stage, ms since the first stamp)], in time order (create's, the init's, start's)."""
    stamps = sorted((float(at), name) for name, at in STAGE_RE.findall(stderr))
    if not stamps:
        return []
    t0 = stamps[0][0]
    return [(name, at - t0) for at, name in stamps]


def parse_strace(path):
    calls = errors = 0
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 5 and w[-1] == "total":
                calls = int(w[3])
                errors = int(w[4]) if len(w) >= 6 else 0
    return {"calls": calls, "errors": errors}


def quantiles(xs):
    xs = sorted(xs)
    if not xs:
        return None

    def q(p):
        i = (len(xs) - 1) * p
        lo = int(i)
        hi = min(lo + 1, len(xs) - 1)
        return xs[lo] + (xs[hi] - xs[lo]) * (i - lo)
    return {"median": q(0.5), "p25": q(0.25), "p75": q(0.75), "n": len(xs)}


def summarize(results):
    s = {}
    for key, per in results["samples"].items():
        s[key] = {rt: quantiles(v) for rt, v in per.items() if v}
    for key, per in results["scale"].items():
        for metric in ("wall", "cpu"):
            s[f"{key}/{metric}"] = {rt: quantiles([x[metric] for x in v]) for rt, v in per.items()}
    return s


def stage_durations(runs):
    """Median duration of each stage (the time from the previous stamp), in stamp order."""
    per = {}
    order = []
    for stamps in runs:
        prev = 0.0
        for name, at in stamps:
            if name not in per:
                order.append(name)
            per.setdefault(name, []).append(at - prev)
            prev = at
    return [(name, quantiles(per[name])["median"]) for name in order]


def ratios(summary, base="silo"):
    """{key: {other: silo median / other median}} for every key both have."""
    out = {}
    for key, per in summary.items():
        if base not in per or per[base] is None:
            continue
        for other, q in per.items():
            if other != base and q and q["median"] > 0:
                out.setdefault(key, {})[other] = per[base]["median"] / q["median"]
    return out


def fmt(q, digits=1):
    if not q:
        return "–"
    return f"{q['median']:.{digits}f} [{q['p25']:.{digits}f}–{q['p75']:.{digits}f}]"


def table(summary, keys, rts, ratio_to, digits=1):
    head = "| | " + " | ".join(rts) + " | " + " | ".join(f"silo/{r}" for r in ratio_to) + " |"
    lines = [head, "|" + "---|" * (1 + len(rts) + len(ratio_to))]
    for label, key in keys:
        per = summary.get(key, {})
        if not per:
            continue
        cells = [fmt(per.get(rt), digits) for rt in rts]
        rs = []
        for r in ratio_to:
            a, b = per.get("silo"), per.get(r)
            rs.append(f"{a['median'] / b['median']:.2f}" if a and b and b["median"] > 0 else "–")
        lines.append(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(rs) + " |")
    return lines


def markdown(results, summary):
    m = results["machine"]
    order = results.get("runtime_order") or list(results["runtimes"])
    rts = [n for n in order if not results["runtimes"][n]["refused"]]
    full = [n for n in rts if not n.startswith("floor")]
    others = [n for n in rts if n != "silo"]
    a = results["args"]
    out = ["# silo benchmark report", "",
           f"- machine: {m['cpu']}, {m['cpus']} CPUs, {m['mem_mib']} MiB, kernel {m['kernel']}, cgroups {m['cgroups']}",
           f"- silo commit {m['silo_commit']}, {m['date']}; {a['rounds']} interleaved rounds × {a['reps']} samples "
           f"(+1 warm-up round), {results.get('duration_s', 0):.0f} s",
           f"- load average (1, 5, 15 min) before {tuple(round(x, 2) for x in results['load_before'])}, "
           f"after {tuple(round(x, 2) for x in results['load_after'])}: the machine is shared, "
           "read ratios, not absolute times",
           "- cells: median [p25–p75]; CPU = user+system of the runtime and everything it started, "
           "the orphaned init included (subreaper, RUSAGE_CHILDREN)", ""]
    out += ["| runtime | version | path |", "|---|---|---|"]
    for n in order:
        r = results["runtimes"][n]
        out.append(f"| {n} | {r['version'] or '(bench/floor.c)'} | {r['path']}"
                   + (f" — **refused**: {r['refused']}" if r["refused"] else "") + " |")
    for metric, unit, digits in (("cpu", "CPU ms", 1), ("wall", "wall ms", 1), ("rss_kb", "peak RSS KiB", 0)):
        out += ["", f"## `run` of /bin/true: {unit}", ""]
        out += table(summary, [(c, f"run/{c}/{metric}") for c in a["configs"]], rts, others, digits)
    out += ["", "## Cold start (binary, libraries and bundle evicted with posix_fadvise DONTNEED), spec config", ""]
    out += table(summary, [("wall ms", "cold/spec/wall"), ("CPU ms", "cold/spec/cpu")], rts, others)
    for config in a["lifecycle"]:
        out += ["", f"## Commands one by one, {config} config", ""]
        keys = []
        for op in ("create", "start", "state", "exec", "delete"):
            keys += [(f"{op} CPU ms", f"{op}/{config}/cpu"), (f"{op} wall ms", f"{op}/{config}/wall")]
        keys += [("init CPU ms (reaped after start)", f"init/{config}/cpu"),
                 ("create peak RSS KiB", f"create/{config}/rss_kb")]
        fo = [n for n in others if not n.startswith("floor")]
        out += table(summary, keys, full, fo)
        out += ["", f"The process alive while `created` ({config}):", ""]
        out += table(summary, [("RSS KiB", f"created/{config}/rss_kb"), ("PSS KiB", f"created/{config}/pss_kb"),
                               ("fds", f"created/{config}/fds")], full, fo, 0)
    out += ["", "## Syscalls per `run` (strace -f -c)", "", "| config | " + " | ".join(rts) + " |",
            "|---|" + "---|" * len(rts)]
    for config in [c for c in a["configs"] if c in results["strace"]]:
        per = results["strace"][config]
        out.append(f"| {config} | " + " | ".join(str(per.get(n, {}).get("calls", "–")) for n in rts) + " |")
    out += ["", f"## {a['burst']} `run`s of the minimal config", "",
            "| | " + " | ".join(f"{k} {w}" for k in ("sequence", "parallel") for w in ("wall ms", "CPU ms")) + " |",
            "|---|---|---|---|---|"]
    for n in [n for n in rts if n in results["burst"]]:
        b = results["burst"][n]
        failed = f" ({b['parallel']['failed']} failed)" if b["parallel"]["failed"] else ""
        out.append(f"| {n} | {b['sequence']['wall_ms']:.0f} | {b['sequence']['cpu_ms']:.0f} | "
                   f"{b['parallel']['wall_ms']:.0f}{failed} | {b['parallel']['cpu_ms']:.0f} |")
    out += ["", "## `list` and `state` with N stopped containers (CPU ms)", ""]
    keys = [(f"{op} {n}", f"{op}/{n}/cpu") for op in ("list", "state") for n in a["scale"]]
    out += table(summary, keys, full, [n for n in others if not n.startswith("floor")])
    left = results["samples"].get("run/minimal/left", {})
    left = ", ".join(f"{n} {max(left[n])}" for n in rts if n in left)
    out += ["", f"Processes left behind after a `run` (most seen): {left or '–'}; "
            f"after the whole bench: {results.get('left_at_end', '?')}."]
    out += stage_markdown(results)
    if results.get("errors"):
        out += ["", "## Errors during the run", ""] + [f"- {e}" for e in results["errors"]]
    return "\n".join(out) + "\n"


def stage_markdown(results):
    out = ["", "## silo's start-up, stage by stage (`silo --debug run`, ms; median of the rounds)", "",
           "Each stage is the time since the previous stamp; `container:` stamps come from the init "
           "over the sync socket.", ""]
    cols = sorted(results["stages"])
    if not cols:
        return out + ["(no stage stamps: a silo without the stage clock?)"]
    durs = {k: dict(stage_durations(results["stages"][k])) for k in cols}
    names = stage_names(results)
    out += ["| stage | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for n in names:
        out.append(f"| {n} | " + " | ".join(f"{durs[k][n]:.2f}" if n in durs[k] else "" for k in cols) + " |")
    totals = {k: quantiles([st[-1][1] for st in results["stages"][k]]) for k in cols}
    out.append("| **total** (median of the runs) | " + " | ".join(f"**{totals[k]['median']:.1f}**" for k in cols) + " |")
    seed = dict(SEED_STAGES)
    shown = [k for k in cols if k.startswith(("spec/", "default/"))] or cols
    out += ["", "Next to the educational seed's table (its page: ~60 ms cold, ~40 warm); silo's stamps "
            "grouped by the work the seed named:", "",
            "| seed stage | seed ms | silo stamps | " + " | ".join(shown) + " |", "|---|---|---|" + "---|" * len(shown)]
    for stage, stamps in SEED_MAP:
        cells = [f"{sum(durs[k].get(n, 0) for n in stamps):.2f}" for k in shown]
        out.append(f"| {stage} | {seed.get(stage, '–')} | {', '.join(stamps)} | " + " | ".join(cells) + " |")
    out.append(f"| total | ~{SEED_TOTAL['cold']} cold / ~{SEED_TOTAL['warm']} warm | | "
               + " | ".join(f"{totals[k]['median']:.1f}" for k in shown) + " |")
    return out


def gnuplot(script, out_dir):
    if not shutil.which("gnuplot"):
        return
    subprocess.run(["gnuplot"], input=script, text=True, cwd=out_dir, check=False)


def plots(results, summary, out_dir):
    # start-up distribution: the sorted samples of `run` wall time, per runtime, spec config
    per = results["samples"].get("run/spec/wall") or results["samples"].get("run/minimal/wall", {})
    curves = []
    for n, xs in per.items():
        path = f"dist-{n}.dat"
        with open(os.path.join(out_dir, path), "w") as f:
            xs = sorted(xs)
            for i, x in enumerate(xs):
                f.write(f"{x} {(i + 1) / len(xs)}\n")
        curves.append(f"'{path}' using 1:2 with steps title '{n}'")
    if curves:
        gnuplot("set terminal png size 900,500\nset output 'startup.png'\nset xlabel '`run` wall ms'\n"
                "set ylabel 'fraction of runs'\nset key bottom right\nset title 'start-up distribution'\n"
                "plot " + ", ".join(curves) + "\n", out_dir)
    # the stage breakdown as a stacked bar, one bar per config and mode
    cols = sorted(results["stages"])
    if cols:
        gnuplot(stacked_script(len(stage_names(results))), out_dir)


def stage_names(results):
    names = []
    for k in sorted(results["stages"]):
        for n, _ in stage_durations(results["stages"][k]):
            if n not in names:
                names.append(n)
    return names


def stacked_script(n_stages):
    return ("set terminal png size 1000,550\nset output 'stages.png'\nset style data histograms\n"
            "set style histogram rowstacked\nset style fill solid border -1\nset key outside right\n"
            "set boxwidth 0.6\nset ylabel 'ms'\nset title 'silo start-up by stage (median)'\n"
            "set xtics rotate by -20\nset palette rgbformulae 33,13,10\nunset colorbox\n"
            f"plot for [i=2:{n_stages + 1}] 'stages-t.dat' using i:xtic(1) title columnheader(i) "
            f"lc palette frac (i - 2.0) / {max(n_stages - 1, 1)}\n")


def write_transposed(results, out_dir):
    cols = sorted(results["stages"])
    names = stage_names(results)
    with open(os.path.join(out_dir, "stages-t.dat"), "w") as f:
        f.write("run " + " ".join(names) + "\n")
        for k in cols:
            d = dict(stage_durations(results["stages"][k]))
            f.write(k.replace(" ", "_") + " " + " ".join(f"{d.get(n, 0):.3f}" for n in names) + "\n")


def write_all(results, out_dir):
    summary = summarize(results)
    results["summary"] = summary
    results["ratios"] = ratios(summary)
    with open(os.path.join(out_dir, "report.json"), "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write(markdown(results, summary))
    if results["stages"]:
        write_transposed(results, out_dir)
    plots(results, summary, out_dir)


# ---- make bench-check ------------------------------------------------------------------

GATED = ("run/", "create/", "start/", "delete/", "exec/", "init/", "list/", "created/")
# Wall time on a shared 2-core machine spreads too much for a gate (p25-p75 often +-30 %):
# CPU time, memory and fds are gated.
GATED_METRICS = ("/cpu", "/rss_kb", "/pss_kb", "/fds")


def check(new_path, old_path, tolerance):
    """Every gated silo/X ratio of the old report that the new one has: fail when it grew by
    more than `tolerance` (0.25: 25 %).  Ratios to the same runtime name only."""
    with open(new_path) as f:
        new = json.load(f)["ratios"]
    with open(old_path) as f:
        old = json.load(f)["ratios"]
    worse, compared = [], 0
    for key, per in old.items():
        if not key.startswith(GATED) or not key.endswith(GATED_METRICS):
            continue
        for rt, r_old in per.items():
            r_new = new.get(key, {}).get(rt)
            if r_new is None:
                continue
            compared += 1
            if r_new > r_old * (1 + tolerance):
                worse.append(f"{key} silo/{rt}: {r_old:.2f} -> {r_new:.2f}")
    return compared, worse
