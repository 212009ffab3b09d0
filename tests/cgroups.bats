#!/usr/bin/env bats
# cgroups: placement in every hierarchy (v1 controllers and the cgroup2 mount) by the
# cgroupsPath rules, removal on delete, and the device rules (the v1 devices controller,
# or on cgroup2 the eBPF program).  The other resources are in cgroups-resources.bats.

load helpers/common

setup() {
	common_setup
	requires_containers
}

# assert_placed ID CGROUP: the container's init is in CGROUP (relative to each hierarchy
# root) in every hierarchy, and /proc/PID/cgroup says so.
assert_placed() {
	local id=$1 cgroup=$2 pid hierarchy
	pid=$(state_field "$id" pid)
	for hierarchy in $(hierarchies); do
		[[ -d $hierarchy$cgroup ]] || fail "no cgroup $hierarchy$cgroup"
		grep -qx "$pid" "$hierarchy$cgroup/cgroup.procs" ||
			fail "pid $pid is not in $hierarchy$cgroup"
	done
	run grep -v ":$cgroup\$" "/proc/$pid/cgroup"
	assert_output ''
}

assert_removed() {
	local cgroup=$1 hierarchy
	for hierarchy in $(hierarchies); do
		[[ ! -d $hierarchy$cgroup ]] || fail "$hierarchy$cgroup is left after delete"
	done
}

@test "cgroups: an absolute cgroupsPath is used as given in every hierarchy" {
	local parent=/parent-${TOKEN%-}
	register_cgroup_parent "$parent"
	cfg --arg p "$parent/$ID" '.linux.cgroupsPath = $p'
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	assert_placed "$ID" "$parent/$ID"
	run --separate-stderr rt delete -f "$ID"
	assert_success
	assert_removed "$parent/$ID"
}

@test "cgroups: an empty cgroupsPath means /<id>" {
	must_skip_on runc "1.1.5 puts an empty cgroupsPath under the caller's own cgroup, here inside a cgroup this suite must not touch"
	cfg 'del(.linux.cgroupsPath)'
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	assert_placed "$ID" "/$ID"
	run --separate-stderr rt delete -f "$ID"
	assert_success
	assert_removed "/$ID"
}

@test "cgroups: a relative cgroupsPath is under each hierarchy's root" {
	must_skip_on runc "1.1.5 puts a relative cgroupsPath under the caller's own cgroup, here inside a cgroup this suite must not touch"
	cfg --arg p "rel-${TOKEN%-}/$ID" '.linux.cgroupsPath = $p'
	register_cgroup_parent "/rel-${TOKEN%-}"
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	assert_placed "$ID" "/rel-${TOKEN%-}/$ID"
	run --separate-stderr rt delete -f "$ID"
	assert_success
	assert_removed "/rel-${TOKEN%-}/$ID"
}

@test "cgroups: the cgroups are removed when a stopped container is deleted" {
	set_args true
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	wait_status "$ID" stopped
	[[ -n $(cgroup_dir "/$ID") ]] || fail "the stopped container has no cgroup"
	run --separate-stderr rt delete "$ID"
	assert_success
	assert_removed "/$ID"
}

# A character device with an unassigned major number (240-254 are for local use): open()
# fails with EPERM when the devices cgroup refuses it, with ENXIO when it lets it through
# to the (missing) driver.
add_fake_device() {
	cfg '.linux.devices = [{path: "/dev/fake", type: "c", major: 241, minor: 7, fileMode: 438}]'
}

@test "cgroups: devices: a device that is not allowed cannot be opened" {
	add_fake_device
	run_container -- 'silo-probe open-write /dev/fake; echo x > /dev/null && echo null-ok'
	assert_line 'denied: open for writing: Operation not permitted'
	assert_line null-ok
}

@test "cgroups: devices: an allowed device reaches its driver" {
	add_fake_device
	cfg '.linux.resources.devices += [{allow: true, type: "c", major: 241, minor: 7, access: "rw"}]'
	run_container -- 'silo-probe open-write /dev/fake'
	assert_output 'denied: open for writing: No such device or address'
}

@test "cgroups: devices: mknod of a device allowed with m works" {
	cfg '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]
		| .linux.resources.devices += [{allow: true, type: "c", major: 241, minor: 7, access: "m"}]'
	run_container -- 'mknod /tmp/allowed c 241 7 && echo allowed-ok; silo-probe open-write /tmp/allowed'
	assert_line allowed-ok
	# m alone does not allow opening it
	assert_line 'denied: open for writing: Operation not permitted'
}

@test "cgroups: v1 devices: the container's list is not allow-all" {
	[[ -d /sys/fs/cgroup/devices ]] || skip "no v1 devices hierarchy"
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	run cat "/sys/fs/cgroup/devices/$ID/devices.list"
	assert_success
	refute_line 'a *:* rwm'
	assert_line 'c 1:3 rwm'
}
