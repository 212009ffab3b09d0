# The cgroup tests inside a QEMU guest whose cgroups are pure cgroup2 (check-cgroupv2) or
# pure cgroup v1 (check-cgroupv1): see tests/vm/README.md.  Each prints the TAP and ends
# with "cgroupv2: N passed, M failed, K skipped" (resp. cgroupv1).
# CGROUP_VM_TESTS=FILES runs other bats files of the checkout instead of the default set.
# check-podman-v2: the podman scenarios that touch cgroups (tests/engines/podman.bats,
# tag "cgroup") in the cgroup v2 guest, with the reference runtime's probe.
# check-systemd: the guest whose PID 1 is systemd (pure cgroup2): its smoke test,
# tests/cgroups-systemd.bats when present, and podman's --cgroup-manager=systemd
# scenarios (tag "systemd"); CGROUP_VM_TESTS=FILES runs other files there.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

CGROUP_VM_TESTS =

check-cgroupv2: silo
	SILO=$(abs_top_builddir)/silo bash $(top_srcdir)/tests/vm/run.sh v2 $(CGROUP_VM_TESTS)

check-cgroupv1: silo
	SILO=$(abs_top_builddir)/silo bash $(top_srcdir)/tests/vm/run.sh v1 $(CGROUP_VM_TESTS)

check-podman-v2: silo
	SILO=$(abs_top_builddir)/silo SILO_VM_FILTER_TAGS="cgroup reference" \
		bash $(top_srcdir)/tests/vm/run.sh v2 tests/engines/podman.bats

check-systemd: silo
	SILO=$(abs_top_builddir)/silo bash $(top_srcdir)/tests/vm/run.sh systemd $(CGROUP_VM_TESTS)

.PHONY: check-cgroupv2 check-cgroupv1 check-podman-v2 check-systemd
