# The libFuzzer targets' build and run, in GNU make (pattern rules, dependency files).
# Not an automake fragment: `make fuzz` (tests/fuzz/local.mk) runs it with what configure
# found, e.g.
#   make -f tests/fuzz/fuzz.mk srcdir=. SILO_SOURCES="..." FUZZ_CPPFLAGS="..." \
#        FUZZ_LIBS="-lyajl -lseccomp -lcap" FUZZ_SECONDS=60 run
#
# Every source of libsilo and of the CLI is compiled again here, with clang, coverage
# and ASan + UBSan, into tests/fuzz/.build/ (libsilo.a is gcc's, without either).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

srcdir ?= .
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= config state mount-options seccomp sync cli
# Extra libFuzzer flags for every target ("-jobs=2", "-dict=FILE", ...).
FUZZ_FLAGS ?=

BUILD := tests/fuzz/.build
SANITIZE := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# configure's warnings, without -Werror: clang warns about other things than gcc does
# (OCI_SPEC_VERSION + 2 in libocispec is meant: the minor version).
CFLAGS_ALL := -g -O1 $(SANITIZE) $(filter-out -Werror,$(WARN_CFLAGS)) -Wno-string-plus-int \
  $(FUZZ_CPPFLAGS) -MMD -MP

LIB_OBJECTS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter %.c,$(SILO_SOURCES)))

all: $(FUZZ_TARGETS:%=$(BUILD)/%)

$(BUILD)/obj/%.o: $(srcdir)/%.c
	@mkdir -p $(@D)
	@echo "  FUZZCC   $<"
	@$(FUZZ_CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/libsilo-fuzz.a: $(LIB_OBJECTS)
	@rm -f $@
	@ar rcs $@ $^

# The CLI target includes src/silo.c, and reads no file for `update -r` (see cli.c).
$(BUILD)/cli: FUZZ_LDFLAGS = -Wl,--wrap=read_file_at

$(FUZZ_TARGETS:%=$(BUILD)/%): $(BUILD)/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/libsilo-fuzz.a
	@echo "  FUZZLD   $@"
	@$(FUZZ_CC) $(SANITIZE) $(FUZZ_LDFLAGS) -o $@ $< $(BUILD)/libsilo-fuzz.a $(FUZZ_LIBS)

# Each target runs on its own copy of its seed corpus (what it finds stays in .build),
# for FUZZ_SECONDS; crashes go to .build/crashes/<target>/.  Every target runs even when
# one crashes; the run fails at the end if any did.
run: all
	@failed=0; \
	for t in $(FUZZ_TARGETS); do \
	  corpus=$(BUILD)/corpus/$$t; crashes=$(BUILD)/crashes/$$t; log=$(BUILD)/$$t.log; \
	  mkdir -p $$corpus $$crashes; \
	  cp $(srcdir)/tests/fuzz/corpus/$$t/* $$corpus/; \
	  before=$$(ls $$crashes | wc -l); \
	  $(BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -close_fd_mask=3 \
	    -print_final_stats=1 -artifact_prefix=$$crashes/ $(FUZZ_FLAGS) $$corpus >$$log 2>&1; \
	  status=$$?; \
	  runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -n 1); \
	  found=$$(( $$(ls $$crashes | wc -l) - before )); \
	  printf 'fuzz %-14s %10s executions in %ss, %d crashes\n' $$t "$${runs:-?}" \
	    $(FUZZ_SECONDS) $$found; \
	  if test $$status -ne 0 || test $$found -ne 0; then \
	    failed=1; echo "  see $$log and $$crashes/"; \
	  fi; \
	done; \
	exit $$failed

# Minimise: what the runs grew, merged into the seed corpus (libFuzzer's -merge=1 keeps the
# seeds, named by hand, and adds the fewest grown inputs that reach new coverage) in
# tests/fuzz/corpus/<target>/, so that CI's short runs start from what the long ones reached.
merge: all
	@for t in $(FUZZ_TARGETS); do \
	  merged=$(BUILD)/merged/$$t; rm -rf $$merged; mkdir -p $$merged $(BUILD)/corpus/$$t; \
	  cp $(srcdir)/tests/fuzz/corpus/$$t/* $$merged/; \
	  $(BUILD)/$$t -merge=1 -timeout=10 -close_fd_mask=3 $$merged \
	    $(BUILD)/corpus/$$t >$(BUILD)/$$t.merge.log 2>&1 || \
	    { echo "merge of $$t failed: see $(BUILD)/$$t.merge.log"; exit 1; }; \
	  before=$$(ls $(srcdir)/tests/fuzz/corpus/$$t | wc -l); \
	  cp -n $$merged/* $(srcdir)/tests/fuzz/corpus/$$t/; \
	  printf 'fuzz %-14s corpus %d -> %d inputs\n' $$t $$before $$(ls $$merged | wc -l); \
	done

.PHONY: all run merge

-include $(LIB_OBJECTS:.o=.d) $(FUZZ_TARGETS:%=$(BUILD)/obj/tests/fuzz/%.d)
