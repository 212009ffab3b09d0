# libFuzzer targets (tests/fuzz/<target>.c): `make fuzz` builds them with clang, ASan and
# UBSan, and runs each for FUZZ_SECONDS (default 60) on a copy of its seed corpus
# (tests/fuzz/corpus/<target>/), printing the executions and crashes of each.  Not part
# of `make check`.  The build, the grown corpora and the crashes are in tests/fuzz/.build/.
#
#   make fuzz                                 all targets, 60 s each
#   make fuzz FUZZ_SECONDS=10 FUZZ_TARGETS="sync cli"
#   tests/fuzz/.build/config CRASH-FILE       replay one input
#   make fuzz-merge                           minimise seeds + grown corpora into the seeds
#
# The rules are GNU make's, in tests/fuzz/fuzz.mk; the sources and flags come from here.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

FUZZ_SECONDS = 60
FUZZ_TARGETS = config state mount-options seccomp sync cli
FUZZ_CC = clang
FUZZ_FLAGS =

FUZZ_MAKE = $(MAKE) -f $(srcdir)/tests/fuzz/fuzz.mk srcdir='$(srcdir)' FUZZ_CC='$(FUZZ_CC)' \
	  SILO_SOURCES='$(libsilo_a_SOURCES) $(SILO_CMD_SOURCES)' \
	  FUZZ_CPPFLAGS='$(AM_CPPFLAGS) $(YAJL_CFLAGS) $(SECCOMP_CFLAGS) $(CAP_CFLAGS) $(CRIU_CFLAGS)' \
	  WARN_CFLAGS='$(WARN_CFLAGS)' \
	  FUZZ_LIBS='$(YAJL_LIBS) $(SECCOMP_LIBS) $(CAP_LIBS) $(DLOPEN_LIBS)' \
	  FUZZ_TARGETS='$(FUZZ_TARGETS)'

fuzz: config.h
	@$(FUZZ_MAKE) FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_FLAGS='$(FUZZ_FLAGS)' run

fuzz-merge: config.h
	@$(FUZZ_MAKE) merge

fuzz-clean:
	rm -rf tests/fuzz/.build

.PHONY: fuzz fuzz-merge fuzz-clean

# `make dist` takes tests/ whole: not the fuzzers' build.
dist-hook: fuzz-dist-hook
fuzz-dist-hook:
	rm -rf $(distdir)/tests/fuzz/.build

.PHONY: fuzz-dist-hook
