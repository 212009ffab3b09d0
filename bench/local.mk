# bench/: silo against runc, crun and a floor program (bench/README.md).  Nothing here is
# built by `make` or run by `make check`.
#
#   make bench                   the whole run (root, ~10 minutes): bench/out/report.{md,json}, PNGs
#   make bench BENCH_ARGS=...    e.g. --runtime crun127=/work/ext/crun/crun --rounds 10
#   make bench-check             bench/out/report.json against bench/last.json: fails when a
#                                silo/X ratio grew by more than BENCH_TOLERANCE (0.25 = 25 %)
#   make bench-limits            bench/limits.sh: do memory, CPU and pid limits hold?
#   make bench-v2                bench.py, shorter, in the cgroup v2 guest of tests/vm/ (crun runs
#                                there; emulated: ratios indicative only): bench/out-v2/
#
# SPDX-License-Identifier: LGPL-2.1-or-later

EXTRA_PROGRAMS = bench/floor bench/measure bench/hog
bench_floor_SOURCES = bench/floor.c
bench_floor_LDADD =
bench_measure_SOURCES = bench/measure.c
bench_measure_LDADD =
# static: it runs inside the busybox rootfs of bench/limits.sh
bench_hog_SOURCES = bench/hog.c
bench_hog_LDADD =
bench_hog_LDFLAGS = -static
CLEANFILES += $(EXTRA_PROGRAMS)

BENCH_ARGS =
BENCH_TOLERANCE = 0.25

bench: silo bench/floor bench/measure
	python3 $(top_srcdir)/bench/bench.py --silo $(abs_top_builddir)/silo --out $(abs_top_builddir)/bench/out $(BENCH_ARGS)

bench-check:
	python3 $(top_srcdir)/bench/check.py --tolerance $(BENCH_TOLERANCE) \
		$(abs_top_builddir)/bench/out/report.json $(top_srcdir)/bench/last.json

bench-limits: silo bench/hog
	SILO=$(abs_top_builddir)/silo HOG=$(abs_top_builddir)/bench/hog bash $(top_srcdir)/bench/limits.sh

bench-v2: silo bench/floor bench/measure bench/hog
	mkdir -p $(abs_top_builddir)/bench/out-v2
	echo '$(BENCH_ARGS)' > $(abs_top_builddir)/bench/out-v2/args
	SILO=$(abs_top_builddir)/silo SILO_VM_IDLE=1400 bash $(top_srcdir)/tests/vm/run.sh v2 bench/guest.bats

.PHONY: bench bench-check bench-limits bench-v2
