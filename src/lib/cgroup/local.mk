# cgroup drivers
libsilo_a_SOURCES += \
	src/lib/cgroup/cgroup.h src/lib/cgroup/cgroup-internal.h \
	src/lib/cgroup/files.c src/lib/cgroup/layout.c src/lib/cgroup/cgroup.c src/lib/cgroup/lifecycle.c \
	src/lib/cgroup/freeze.c src/lib/cgroup/validate.c \
	src/lib/cgroup/resources-convert.c src/lib/cgroup/resources.c \
	src/lib/cgroup/v1.c src/lib/cgroup/v2.c \
	src/lib/cgroup/devices-v1.c src/lib/cgroup/devices-ebpf.c \
	src/lib/cgroup/stats.c src/lib/cgroup/container-mount.c src/lib/cgroup/exec.c \
	src/lib/cgroup/systemd.h src/lib/cgroup/systemd.c src/lib/cgroup/systemd-bus.c

# Pure logic: mountinfo layouts, cgroupsPath, device rules and their eBPF program,
# validation, layout checks, statistics parsers and JSON.
check_PROGRAMS += tests/unit/cgroup.test
tests_unit_cgroup_test_SOURCES = tests/unit/cgroup.c tests/unit/tap.h
TESTS += tests/unit/cgroup.test

# The conversions, driven by tests/cgroup-resources.tsv (the bats suite reads it too).
# libm only here: to check silo's own shares -> weight arithmetic against it.
check_PROGRAMS += tests/unit/cgroup-table.test
tests_unit_cgroup_table_test_SOURCES = tests/unit/cgroup-table.c tests/unit/tap.h tests/unit/cgroup-tsv.h
tests_unit_cgroup_table_test_CPPFLAGS = $(AM_CPPFLAGS) -DSILO_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_cgroup_table_test_LDADD = $(LDADD) -lm
TESTS += tests/unit/cgroup-table.test

# Real cgroups on this kernel (root; skips otherwise).  Cleans up after itself.
check_PROGRAMS += tests/unit/cgroup-live.test
tests_unit_cgroup_live_test_SOURCES = tests/unit/cgroup-live.c tests/unit/tap.h \
	tests/unit/cgroup-fixture.c tests/unit/cgroup-fixture.h
TESTS += tests/unit/cgroup-live.test

# Resources, update order, freezing, statistics and the eBPF device filter on real
# cgroups (root; skips otherwise); loop devices with bfq for the block I/O weights.
check_PROGRAMS += tests/unit/cgroup-resources-live.test
tests_unit_cgroup_resources_live_test_SOURCES = tests/unit/cgroup-resources-live.c tests/unit/tap.h \
	tests/unit/cgroup-tsv.h tests/unit/cgroup-fixture.c tests/unit/cgroup-fixture.h
tests_unit_cgroup_resources_live_test_CPPFLAGS = $(AM_CPPFLAGS) -DSILO_TOP_SRCDIR='"$(abs_top_srcdir)"'
TESTS += tests/unit/cgroup-resources-live.test

# The systemd driver's pure parts: cgroupsPath to unit and slice, resources to properties.
check_PROGRAMS += tests/unit/cgroup-systemd.test
tests_unit_cgroup_systemd_test_SOURCES = tests/unit/cgroup-systemd.c tests/unit/tap.h
TESTS += tests/unit/cgroup-systemd.test
