#!/usr/bin/env bats
# The systemd test guest's own check (tests/vm/run.sh systemd runs it first): systemd is
# PID 1 on pure cgroup2, the system bus works (busctl, systemctl, systemd-run --scope),
# and none of the host's enabled units started.  Outside that guest every test skips
# (SILO_TEST_SYSTEMD=1 is set by the guest's test service).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

# bats file_tags=systemd

load ../helpers/common

setup() {
	[[ ${SILO_TEST_SYSTEMD:-} == 1 ]] || skip "runs inside the systemd test guest (tests/vm/run.sh systemd)"
}

@test "systemd guest: PID 1 is systemd, on cgroup2 alone" {
	run readlink /proc/1/exe
	assert_output /usr/lib/systemd/systemd
	run stat -f -c %T /sys/fs/cgroup
	assert_output cgroup2fs
	run awk '$3 == "cgroup" || $3 == "cgroup2" { print $3, $2 }' /proc/mounts
	assert_output "cgroup2 /sys/fs/cgroup"
	# the tests run in their service's cgroup, which systemd made
	run cat /proc/self/cgroup
	assert_output "0::/system.slice/silo-test.service"
}

# degraded is acceptable: the output names the failed units
@test "systemd guest: systemctl is-system-running answers; the failed units are listed" {
	run systemctl is-system-running
	echo "# is-system-running: $output"
	assert_output --regexp '^(running|degraded|starting)$'
	run systemctl --no-pager --no-legend --state=failed list-units
	echo "# failed units: ${output:-none}"
	assert_success
}

@test "systemd guest: busctl calls systemd's Manager.GetUnit on the system bus" {
	run busctl --system call org.freedesktop.systemd1 /org/freedesktop/systemd1 \
		org.freedesktop.systemd1.Manager GetUnit s silo-test.service
	assert_success
	assert_output 'o "/org/freedesktop/systemd1/unit/silo_2dtest_2eservice"'
	run busctl --system get-property org.freedesktop.systemd1 \
		/org/freedesktop/systemd1/unit/silo_2dtest_2eservice org.freedesktop.systemd1.Unit ActiveState
	assert_output 's "active"'
}

@test "systemd guest: systemd-run --scope runs a command in a scope of system.slice that goes after" {
	local unit=silo-smoke-$$
	run systemd-run --quiet --scope --unit="$unit" cat /proc/self/cgroup
	assert_success
	assert_output "0::/system.slice/$unit.scope"
	# in a slice of its own: systemd makes the slice too
	run systemd-run --quiet --scope --unit="$unit-b" --slice=silo-smoke.slice cat /proc/self/cgroup
	assert_success
	assert_output "0::/silo.slice/silo-smoke.slice/$unit-b.scope"
	wait_for test ! -e "/sys/fs/cgroup/system.slice/$unit.scope" || fail "the scope's cgroup is still there"
	wait_for test ! -e "/sys/fs/cgroup/silo.slice/silo-smoke.slice/$unit-b.scope" ||
		fail "the second scope's cgroup is still there"
	run systemctl is-active "$unit.scope"
	assert_output inactive
	systemctl stop silo.slice
}

# The host's /etc/systemd/system/*.wants links are in the guest's lower layer: none of
# the units they name may have started (containerd, databases, getty, timers...).
@test "systemd guest: none of the host's enabled units is active" {
	local link unit units=() active=()
	for link in /etc/systemd/system/*.wants/*; do
		[[ -e $link || -L $link ]] || continue
		units+=("${link##*/}")
	done
	((${#units[@]} > 0)) || skip "the host enables no unit in /etc/systemd/system/*.wants"
	echo "# host units checked: ${units[*]}"
	for unit in "${units[@]}"; do
		[[ $(systemctl is-active "$unit") != active ]] || active+=("$unit")
	done
	((${#active[@]} == 0)) || fail "active in the guest: ${active[*]}"
	# nor any target beyond the guest's own
	run systemctl --no-pager --no-legend --plain list-units --type=target --state=active
	echo "$output"
	refute_line --regexp '^(multi-user|default|graphical|sysinit|basic|getty|timers)\.target'
	run systemctl --no-pager --no-legend --plain list-units --state=active
	echo "# active units:"
	echo "$output" | sed 's/^/#   /'
}
