#!/usr/bin/python3
"""`make bench-check`: a new bench report against silo's previous one, in ratios only.

  bench/check.py [--tolerance 0.25] NEW.json OLD.json

Fails (exit 1) when any silo/X ratio (X: runc, crun, floor...) of the old report grew by
more than the tolerance in the new one; absolute times are never compared (the machine and
its load change, the ratios of one interleaved run much less).

SPDX-License-Identifier: LGPL-2.1-or-later
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tolerance", type=float, default=0.25)
    ap.add_argument("new")
    ap.add_argument("old")
    a = ap.parse_args()
    compared, worse = report.check(a.new, a.old, a.tolerance)
    for line in worse:
        print(f"bench-check: worse: {line}")
    print(f"bench-check: {compared} ratios compared, {len(worse)} worse by more than {a.tolerance:.0%}")
    if compared == 0:
        print("bench-check: nothing in common to compare (other runtimes or configs?)")
        return 1
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
