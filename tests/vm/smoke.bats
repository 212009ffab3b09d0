#!/usr/bin/env bats
# The test guest's own check (tests/vm/run.sh runs it before the cgroup files): the
# cgroup layout is the pure one asked for (SILO_TEST_CGROUP_MODE=v2|v1, set by the guest),
# and a container lands in the cgroup of its cgroupsPath in every hierarchy; and the
# kernel-dependent security checks on the guest's older kernel.  Outside the guest every
# test skips.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load ../helpers/common

setup() {
	[[ -n ${SILO_TEST_CGROUP_MODE:-} ]] || skip "runs inside the test guest (tests/vm/run.sh v2|v1)"
	common_setup
}

# "FSTYPE MOUNTPOINT SUPER-OPTIONS" for every cgroup or cgroup2 mount, anywhere.
cgroup_mounts() {
	awk '{ split($0, halves, " - "); split(halves[2], tail, " ") }
		tail[1] == "cgroup" || tail[1] == "cgroup2" { print tail[1], $5, tail[3] }' /proc/self/mountinfo
}

@test "vm: the cgroup layout is pure v2 or pure v1 as asked" {
	run cgroup_mounts
	echo "$output"
	if [[ $SILO_TEST_CGROUP_MODE == v2 ]]; then
		assert_output --regexp '^cgroup2 /sys/fs/cgroup [^ ]*$'
		for controller in cpu cpuset io memory pids; do
			grep -qw "$controller" /sys/fs/cgroup/cgroup.subtree_control ||
				fail "$controller is not enabled in /sys/fs/cgroup/cgroup.subtree_control"
		done
	else
		refute_line --regexp '^cgroup2 '
		for controller in cpu cpuacct cpuset blkio memory pids devices freezer name=systemd; do
			assert_line --regexp "^cgroup /sys/fs/cgroup/${controller#name=} .*[,=]$controller(,|\$)"
		done
		[[ $(stat -f -c %T /sys/fs/cgroup) == tmpfs ]] || fail "/sys/fs/cgroup is not a tmpfs"
	fi
}

@test "vm: a container's /proc/self/cgroup names its cgroupsPath in every hierarchy" {
	run_container -- 'cat /proc/self/cgroup'
	assert_success
	if [[ $SILO_TEST_CGROUP_MODE == v2 ]]; then
		assert_output "0::/$ID"
	else
		refute_line --regexp '^0::'
		local lines hierarchies
		lines=$(grep -c ":/$ID\$" <<<"$output")
		hierarchies=$(cgroup_mounts | grep -c '^cgroup ')
		((lines == hierarchies)) ||
			fail "$lines of $hierarchies hierarchies place the container in /$ID: $output"
		((lines == $(wc -l <<<"$output"))) || fail "a line does not name /$ID: $output"
	fi
}

@test "vm: the container's cgroup exists while it runs and is gone after delete" {
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	local pid
	pid=$(state_field "$ID" pid)
	if [[ $SILO_TEST_CGROUP_MODE == v2 ]]; then
		grep -qx "$pid" "/sys/fs/cgroup/$ID/cgroup.procs"
	else
		grep -qx "$pid" "/sys/fs/cgroup/memory/$ID/cgroup.procs"
		grep -qx "$pid" "/sys/fs/cgroup/systemd/$ID/cgroup.procs"
	fi
	run --separate-stderr rt delete -f "$ID"
	assert_success
	[[ ! -e /sys/fs/cgroup/$ID && ! -e /sys/fs/cgroup/memory/$ID ]]
}

# The security issue's checks that depend on the kernel (this guest runs Debian 12's 6.1,
# the host a newer one): the process name after an exec by path, and silo's binary out
# of a container's reach.
@test "vm: the container's process is named after what was executed" {
	run_container -- 'cat /proc/1/comm; :'
	assert_success
	assert_output sh
}

@test "vm: a created container's init runs silo from a binary nobody can open for writing" {
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	local pid
	pid=$(state_field "$ID" pid)
	"$CACHE/bin/silo-probe" path-reopen "/proc/$pid/exe" "$TEST_DIR/go" >"$TEST_DIR/probe.out" 2>&1 &
	register_pid $!
	wait_for grep -q opened "$TEST_DIR/probe.out" || fail "probe: $(cat "$TEST_DIR/probe.out")"
	run --separate-stderr rt start "$ID"
	assert_success
	touch "$TEST_DIR/go"
	wait
	run cat "$TEST_DIR/probe.out"
	assert_line 'denied: reopen for writing: Read-only file system'
}

@test "vm: process.cwd through /proc/self/fd/N is refused" {
	ln -s /proc/self/fd/3/../../../.. "$ROOTFS/app"
	cfg '.process.cwd = "/app"'
	run_container -- 'pwd'
	assert_one_line_error 'process.cwd `/app`'
}
