# cgroup drivers
libsilo_a_SOURCES += \
	src/lib/cgroup/cgroup.h src/lib/cgroup/cgroup-internal.h \
	src/lib/cgroup/layout.c src/lib/cgroup/cgroup.c src/lib/cgroup/lifecycle.c \
	src/lib/cgroup/validate.c src/lib/cgroup/v1.c src/lib/cgroup/v2.c \
	src/lib/cgroup/devices-v1.c src/lib/cgroup/container-mount.c

# Pure logic: mountinfo layouts, cgroupsPath, device rules, validation.
check_PROGRAMS += tests/unit/cgroup.test
tests_unit_cgroup_test_SOURCES = tests/unit/cgroup.c tests/unit/tap.h
TESTS += tests/unit/cgroup.test

# Real cgroups on this kernel (root; skips otherwise).  Cleans up after itself.
check_PROGRAMS += tests/unit/cgroup-live.test
tests_unit_cgroup_live_test_SOURCES = tests/unit/cgroup-live.c tests/unit/tap.h
TESTS += tests/unit/cgroup-live.test
