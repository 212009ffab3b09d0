#!/usr/bin/python3
"""bench/bench.py: silo against runc, crun and a floor program, in the same run (bench/README.md).

This process is the measuring harness and a child subreaper (PR_SET_CHILD_SUBREAPER): a
container's init that its runtime leaves behind is re-parented here, reaped here, and its
CPU time lands in RUSAGE_CHILDREN, which hyperfine and `perf stat` of the runtime alone miss.

SPDX-License-Identifier: LGPL-2.1-or-later
"""
import argparse
import ctypes
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bundles  # noqa: E402
import report   # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
PR_SET_CHILD_SUBREAPER = 36
MEASURE = os.path.join(HERE, "measure")


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("bench: prctl(PR_SET_CHILD_SUBREAPER) failed")


def children_cpu_ms():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r.ru_utime + r.ru_stime) * 1e3


def reap_orphans(wait_s=0.0):
    """Reap what was re-parented here; wait up to wait_s for the living ones."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid == 0:
            if time.monotonic() >= deadline:
                return len(living_children())
            time.sleep(0.002)


def living_children():
    kids = []
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/children") as f:
                kids += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return kids


class Runtime:
    def __init__(self, name, path, root):
        self.name, self.path, self.root = name, path, root
        self.refused = None
        self.version = ""

    def argv(self, *args):
        return [self.path, "--root", self.root] + list(args)


class Floor(Runtime):
    """The floor program: `run` only; create and the rest have no meaning for it."""
    def __init__(self, name, path, cgroups, rootfs):
        super().__init__(name, path, None)
        self.cgroups, self.rootfs = cgroups, rootfs

    def argv(self, *args):
        return [self.path] + (["-c"] if self.cgroups else []) + [self.rootfs, "/bin/true"]


def spawn_wait(argv, stdout=None, stderr=None, reap_ms=0):
    """argv under bench/measure: wall ms, CPU ms of it and all it reaped, peak RSS KiB,
    exit code, processes left alive (re-parented here when measure exits)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    rfd, wfd = os.pipe()
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 0),
               (os.POSIX_SPAWN_DUP2, stdout if stdout is not None else devnull, 1),
               (os.POSIX_SPAWN_DUP2, stderr if stderr is not None else devnull, 2),
               (os.POSIX_SPAWN_DUP2, wfd, 3)]
    pid = os.posix_spawn(MEASURE, [MEASURE, str(reap_ms)] + argv, os.environ, file_actions=actions)
    os.close(wfd)
    os.close(devnull)
    with os.fdopen(rfd) as f:
        line = f.read().split()
    os.waitpid(pid, 0)
    if len(line) != 5:
        return {"wall": 0, "cpu": 0, "rss_kb": 0, "rc": 125, "left": 0}
    return {"wall": float(line[0]), "cpu": float(line[1]), "rss_kb": int(line[2]), "rc": int(line[3]),
            "left": int(line[4])}


def measure(argv, reap_s=0.5, capture=False):
    """One command: wall, CPU of everything it started (orphans included), peak RSS."""
    if capture:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            m = spawn_wait(argv, out.fileno(), err.fileno(), reap_s * 1e3)
            out.seek(0)
            err.seek(0)
            m["out"], m["err"] = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    else:
        m = spawn_wait(argv, reap_ms=reap_s * 1e3)
        m["out"] = m["err"] = ""
    return m


def proc_memory(pid):
    vals = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    vals[key.lower() + "_kb"] = int(rest.split()[0])
        vals["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        pass
    return vals


def evict(paths):
    """Cold start: the page cache of these files dropped, with posix_fadvise (never drop_caches)."""
    for p in paths:
        try:
            fd = os.open(p, os.O_RDONLY)
        except OSError:
            continue
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)


def libraries(path):
    out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    return [w for line in out.splitlines() for w in line.split() if w.startswith("/")]


def cold_files(rt, bundle, rootfs):
    files = [rt.path] + libraries(rt.path) + [os.path.join(bundle, "config.json"),
                                              os.path.join(rootfs, "bin/busybox")]
    return files


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix="silo-bench.")
        self.seq = 0
        self.results = {"samples": {}, "created": {}, "stages": {}, "strace": {}, "scale": {},
                        "burst": {}, "refused": {}}
        self.rootfs, self.bundles = bundles.make_bundles(args.silo, self.work)
        self.runtimes = self.find_runtimes()

    def find_runtimes(self):
        specs = [("silo", self.args.silo)]
        for name in ("runc", "crun"):
            if shutil.which(name):
                specs.append((name, shutil.which(name)))
        specs += [tuple(s.split("=", 1)) for s in self.args.runtime]
        rts = [Runtime(n, os.path.abspath(p), os.path.join(self.work, "root-" + n)) for n, p in specs]
        floor = os.path.join(HERE, "floor")
        if os.access(floor, os.X_OK):
            rts += [Floor("floor", floor, False, self.rootfs), Floor("floor+cgroups", floor, True, self.rootfs)]
        for rt in rts:
            self.probe(rt)
        return rts

    def probe(self, rt):
        if not isinstance(rt, Floor):
            v = subprocess.run([rt.path, "--version"], capture_output=True, text=True)
            rt.version = (v.stdout.splitlines() or ["?"])[0]
        m = measure(self.run_argv(rt, "minimal"), capture=True)
        if m["rc"] != 0:
            lines = (m["err"] + m["out"]).strip().splitlines() or ["exit status %d" % m["rc"]]
            rt.refused = lines[-1][:200]
            self.results["refused"][rt.name] = rt.refused
            print(f"bench: {rt.name} refused this host: {rt.refused}", file=sys.stderr)

    def new_id(self):
        self.seq += 1
        return f"b{os.getpid()}-{self.seq}"

    def run_argv(self, rt, config):
        return rt.argv("run", "--bundle", self.bundles[config], self.new_id())

    def add(self, key, rt, value):
        self.results["samples"].setdefault(key, {}).setdefault(rt.name, []).append(value)

    # ---- one round ---------------------------------------------------------------------
    def round_run(self, rt, config):
        m = measure(self.run_argv(rt, config))
        if m["rc"] == 0:
            for k in ("wall", "cpu", "rss_kb", "left"):
                self.add(f"run/{config}/{k}", rt, m[k])

    def round_cold(self, rt, config):
        evict(cold_files(rt, self.bundles[config], self.rootfs))
        m = measure(self.run_argv(rt, config))
        if m["rc"] == 0:
            self.add(f"cold/{config}/wall", rt, m["wall"])
            self.add(f"cold/{config}/cpu", rt, m["cpu"])

    def init_pid(self, rt, cid):
        m = measure(rt.argv("state", cid), capture=True, reap_s=0)
        try:
            return m, json.loads(m["out"])["pid"]
        except (ValueError, KeyError):
            return m, None

    def round_lifecycle(self, rt, config):
        """create, state, (the created process), start, delete; then exec in a running one."""
        cid = self.new_id()
        c = measure(rt.argv("create", "--bundle", self.bundles[config], cid), reap_s=0)
        if c["rc"] != 0:
            return
        s, pid = self.init_pid(rt, cid)
        mem = proc_memory(pid) if pid else {}
        st = measure(rt.argv("start", cid), reap_s=0)
        # The init, re-parented here at create, is reaped once its program ended: its CPU
        # (setup at create, then /bin/true) is its own line, not start's.
        cpu0 = children_cpu_ms()
        reap_orphans(0.5)
        init = {"cpu": children_cpu_ms() - cpu0, "rc": 0}
        d = measure(rt.argv("delete", cid), reap_s=0)
        for op, m in (("create", c), ("state", s), ("start", st), ("delete", d), ("init", init)):
            if m["rc"] == 0:
                for k in ("wall", "cpu", "rss_kb"):
                    if k in m:
                        self.add(f"{op}/{config}/{k}", rt, m[k])
        for k, v in mem.items():
            self.add(f"created/{config}/{k}", rt, v)
        cid = self.new_id()
        if measure(rt.argv("create", "--bundle", self.bundles[config + "-sleep"], cid), reap_s=0)["rc"] == 0:
            measure(rt.argv("start", cid), reap_s=0)
            e = measure(rt.argv("exec", cid, "/bin/true"), reap_s=0.1)
            if e["rc"] == 0:
                for k in ("wall", "cpu", "rss_kb"):
                    self.add(f"exec/{config}/{k}", rt, e[k])
            measure(rt.argv("delete", "--force", cid), reap_s=0)
            reap_orphans(0.5)   # the killed init is ours: not to be counted in the next init

    def rounds(self):
        live = [rt for rt in self.runtimes if not rt.refused]
        full = [rt for rt in live if not isinstance(rt, Floor)]
        for r in range(self.args.rounds):
            order = live[r % len(live):] + live[:r % len(live)]
            print(f"bench: round {r + 1}/{self.args.rounds} ({' '.join(rt.name for rt in order)}), "
                  f"load {os.getloadavg()[0]:.2f}", file=sys.stderr)
            for rep in range(self.args.reps + (1 if r == 0 else 0)):
                warmup = r == 0 and rep == 0
                for rt in order:
                    for config in self.args.configs:
                        if warmup:
                            measure(self.run_argv(rt, config))
                        else:
                            self.round_run(rt, config)
                    if warmup:
                        continue
                    self.round_cold(rt, "spec")
                    if rt in full:
                        for config in self.args.lifecycle:
                            self.round_lifecycle(rt, config)

    # ---- once per runtime, interleaved -------------------------------------------------
    def stages(self):
        silo = self.runtimes[0]
        for config in self.args.configs:
            for mode in ("cold", "warm"):
                for _ in range(self.args.rounds):
                    if mode == "cold":
                        evict(cold_files(silo, self.bundles[config], self.rootfs))
                    m = measure([silo.path, "--debug", "--root", silo.root, "run", "--bundle",
                                 self.bundles[config], self.new_id()], capture=True)
                    stamps = report.parse_stages(m["err"])
                    if stamps:
                        self.results["stages"].setdefault(f"{config}/{mode}", []).append(stamps)

    def strace(self):
        if not shutil.which("strace"):
            return
        for rt in self.runtimes:
            if rt.refused:
                continue
            for config in self.args.configs:
                out = os.path.join(self.work, "strace.out")
                m = measure(["/usr/bin/strace", "-f", "-c", "-o", out] + self.run_argv(rt, config))
                if m["rc"] == 0:
                    self.results["strace"].setdefault(config, {})[rt.name] = report.parse_strace(out)

    def burst(self):
        """100 `run`s in sequence, then 100 at once: total wall and CPU."""
        n = self.args.burst
        for rt in [rt for rt in self.runtimes if not rt.refused]:
            t0 = time.perf_counter()
            cpu = sum(spawn_wait(self.run_argv(rt, "minimal"))["cpu"] for _ in range(n))
            seq = {"wall_ms": (time.perf_counter() - t0) * 1e3, "cpu_ms": cpu}
            cpu0, t0 = children_cpu_ms(), time.perf_counter()
            devnull = os.open(os.devnull, os.O_RDWR)
            errs = [tempfile.TemporaryFile() for _ in range(n)]
            pids = [os.posix_spawn(rt.argv()[0], self.run_argv(rt, "minimal"), os.environ,
                                   file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
                                                 (os.POSIX_SPAWN_DUP2, errs[i].fileno(), 2)])
                    for i in range(n)]
            failed = [i for i, p in enumerate(pids) if os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) != 0]
            os.close(devnull)
            reap_orphans(0.5)
            par = {"wall_ms": (time.perf_counter() - t0) * 1e3, "cpu_ms": children_cpu_ms() - cpu0,
                   "failed": len(failed)}
            for i in failed[:3]:
                errs[i].seek(0)
                self.results.setdefault("errors", []).append(
                    f"burst: a parallel {rt.name} run failed: {errs[i].read().decode(errors='replace').strip()[-300:]}")
            for f in errs:
                f.close()
            self.results["burst"][rt.name] = {"sequence": seq, "parallel": par}

    def scale(self):
        """`list` and `state` with N stopped containers in the state root."""
        rts = [rt for rt in self.runtimes if not rt.refused and not isinstance(rt, Floor)]
        made = {rt.name: [] for rt in rts}
        for n in self.args.scale:
            for rt in rts:
                root = rt.root + "-scale"
                while len(made[rt.name]) < n:
                    cid = self.new_id()
                    m = measure([rt.path, "--root", root, "create", "--bundle", self.bundles["minimal"], cid],
                                reap_s=0, capture=True)
                    if m["rc"] != 0:
                        self.results.setdefault("errors", []).append(
                            f"scale: {rt.name} create #{len(made[rt.name]) + 1}: {m['err'].strip()[-300:]}")
                        break
                    measure([rt.path, "--root", root, "start", cid], reap_s=0)
                    made[rt.name].append(cid)
                reap_orphans(1)
            for _ in range(self.args.rounds):
                for rt in [rt for rt in rts if len(made[rt.name]) >= n]:
                    root = rt.root + "-scale"
                    for op in ("list", "state"):
                        argv = [rt.path, "--root", root, "list"] if op == "list" else \
                            [rt.path, "--root", root, "state", made[rt.name][0]]
                        m = measure(argv, reap_s=0)
                        if m["rc"] == 0:
                            self.results["scale"].setdefault(f"{op}/{n}", {}).setdefault(rt.name, []).append(
                                {"wall": m["wall"], "cpu": m["cpu"]})
        for rt in rts:
            for cid in made[rt.name]:
                measure([rt.path, "--root", rt.root + "-scale", "delete", "--force", cid], reap_s=0)

    def cleanup(self):
        for rt in self.runtimes:
            if rt.root and os.path.isdir(rt.root):
                for cid in os.listdir(rt.root):
                    if cid.startswith("b"):
                        measure(rt.argv("delete", "--force", cid), reap_s=0)
        left = reap_orphans(1)
        self.results["left_at_end"] = left
        shutil.rmtree(self.work, ignore_errors=True)


def machine():
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024
    commit = subprocess.run(["git", "-C", TOP, "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip()
    return {"cpu": model, "cpus": os.cpu_count(), "mem_mib": mem, "kernel": os.uname().release,
            "cgroups": "hybrid (cgroup2 at /sys/fs/cgroup/unified)" if os.path.isdir("/sys/fs/cgroup/unified")
            else ("v2" if os.path.exists("/sys/fs/cgroup/cgroup.controllers") else "v1"),
            "silo_commit": commit, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


HIDE_MARK = "SILO_BENCH_CGROUP2_HIDDEN"


def hide_cgroup2_controllers():
    """Re-run this script in a private mount namespace where the hybrid host's cgroup2 mount
    lists no controllers: an empty file bound over its cgroup.controllers.  crun refuses a
    hybrid host whose cgroup2 holds a controller (hugetlb here); every runtime then sees the
    same view.  Nothing changes outside that namespace, and it ends with this process."""
    controllers = "/sys/fs/cgroup/unified/cgroup.controllers"
    if os.environ.get(HIDE_MARK) == "1":
        return
    if not os.path.exists(controllers):
        sys.exit(f"bench: --hide-cgroup2-controllers: no {controllers} (not a hybrid host)")
    empty = tempfile.NamedTemporaryFile(prefix="silo-bench-empty-", delete=False)
    empty.close()
    script = f'mount --bind "$1" {controllers} && shift && exec "$@"'
    env = dict(os.environ, **{HIDE_MARK: "1"})
    argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", empty.name,
            sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    try:
        rc = subprocess.call(argv, env=env)
    finally:
        os.unlink(empty.name)
    sys.exit(rc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--silo", default=os.path.join(TOP, "silo"))
    ap.add_argument("--runtime", action="append", default=[], metavar="NAME=PATH",
                    help="one more runtime to measure (crun127=/work/ext/crun/crun)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--reps", type=int, default=3, help="samples per round")
    ap.add_argument("--configs", default=",".join(bundles.CONFIGS))
    ap.add_argument("--lifecycle", default="spec,default", help="configs for create/start/delete/exec")
    ap.add_argument("--scale", default="10,100,1000")
    ap.add_argument("--burst", type=int, default=100)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--quick", action="store_true", help="smoke: 1 round, 1 rep, minimal only")
    ap.add_argument("--hide-cgroup2-controllers", action="store_true",
                    help="hybrid host: run in a private mount namespace whose cgroup2 lists no "
                         "controllers, so that crun accepts the host (bench/README.md)")
    args = ap.parse_args()
    if args.hide_cgroup2_controllers:
        hide_cgroup2_controllers()
    args.silo = os.path.abspath(args.silo)
    if args.quick:
        args.rounds, args.reps, args.configs, args.lifecycle, args.scale, args.burst = 1, 1, "minimal", "minimal", "10", 5
    args.configs = args.configs.split(",")
    args.lifecycle = [c for c in args.lifecycle.split(",") if c]
    args.scale = [int(n) for n in args.scale.split(",") if n]
    if os.geteuid() != 0:
        sys.exit("bench: run as root")
    become_subreaper()
    b = Bench(args)
    b.results["machine"] = machine()
    if args.hide_cgroup2_controllers:
        b.results["machine"]["cgroups"] += ", cgroup2's controllers hidden (--hide-cgroup2-controllers)"
    b.results["load_before"] = os.getloadavg()
    b.results["runtime_order"] = [rt.name for rt in b.runtimes]
    b.results["runtimes"] = {rt.name: {"path": rt.path, "version": rt.version, "refused": rt.refused}
                             for rt in b.runtimes}
    try:
        t0 = time.time()
        for phase in (b.rounds, b.stages, b.strace, b.burst, b.scale):
            print(f"bench: {phase.__name__}, load {os.getloadavg()[0]:.2f}", file=sys.stderr)
            try:
                phase()
            except Exception as e:  # the other phases' figures are still worth a report
                b.results.setdefault("errors", []).append(f"{phase.__name__}: {e!r}")
                print(f"bench: {phase.__name__} failed: {e!r}", file=sys.stderr)
        b.results["duration_s"] = time.time() - t0
    finally:
        b.cleanup()
    b.results["load_after"] = os.getloadavg()
    b.results["args"] = {"rounds": args.rounds, "reps": args.reps, "configs": args.configs,
                         "lifecycle": args.lifecycle, "scale": args.scale, "burst": args.burst}
    os.makedirs(args.out, exist_ok=True)
    report.write_all(b.results, args.out)
    print(f"bench: report in {args.out}/report.md", file=sys.stderr)


if __name__ == "__main__":
    main()
