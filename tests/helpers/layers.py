#!/usr/bin/env python3
"""Who calls whom between silo's C files (docs/design.md, "Layers").

A file depends on another when it calls a non-static function defined there (found by
name: silo's definitions put the type on its own line, the name at the start of the next).
Checks, printing one line per breach and exiting 1 when there is any:
  - the floor (error.c, util.c, log.c) calls nothing above it;
  - libocispec calls only the floor;
  - the cgroup drivers (cgroup/) call only the floor and libocispec;
  - no circle between files, except among the lifecycle's own (container*.c), one module
    split in four files.

SPDX-License-Identifier: LGPL-2.1-or-later
"""
import glob
import os
import re
import sys

FLOOR = {"src/lib/error.c", "src/lib/util.c", "src/lib/log.c"}


def sources():
    return sorted(glob.glob("src/lib/*.c") + glob.glob("src/lib/cgroup/*.c") + glob.glob("libocispec/*.c"))


def graph(files):
    defined = {}
    for f in files:
        for m in re.finditer(r"^(?!static)[a-z][a-z_ *0-9]*\n([a-z_][a-z_0-9]*) \(", open(f).read(), re.M):
            defined[m.group(1)] = f
    deps = {}
    for f in files:
        text = re.sub(r"/\*.*?\*/", "", open(f).read(), flags=re.S)
        called = set(re.findall(r"\b([a-z_][a-z_0-9]*) \(", text))
        deps[f] = {defined[n] for n in called if n in defined and defined[n] != f}
    return deps


def circles(deps):
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in deps[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in deps:
        if v not in index:
            visit(v)
    return found


def main():
    os.chdir(sys.argv[1] if len(sys.argv) > 1 else ".")
    deps = graph(sources())
    breaches = []
    allowed = {
        "floor": FLOOR,
        "libocispec": FLOOR,
        "cgroup": FLOOR | set(glob.glob("libocispec/*.c")),
    }
    for f, ds in deps.items():
        layer = "floor" if f in FLOOR else "libocispec" if f.startswith("libocispec/") else \
            "cgroup" if f.startswith("src/lib/cgroup/") else None
        if layer is None:
            continue
        own = os.path.dirname(f) + "/"
        for d in sorted(ds):
            if d not in allowed[layer] and not (layer != "floor" and d.startswith(own)):
                breaches.append(f"{f} ({layer}) calls {d}")
    for comp in circles(deps):
        if not all(re.match(r"src/lib/container[a-z-]*\.c$", f) for f in comp):
            breaches.append("circle: " + " <-> ".join(comp))
    for b in breaches:
        print(b)
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
