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

# last_open_is ID TEXT: the container's loop (below) last saw /dev/fake's open end in TEXT.
fake_last_open() { tail -n 1 "$TEST_DIR/$1.out"; }
last_open_is() { [[ $(fake_last_open "$1") == *"$2" ]]; }

# A loop in the container opens /dev/fake ten times a second and prints what happened.
fake_device_loop() {
	add_fake_device
	set_args sh -c 'while :; do silo-probe open-write /dev/fake; sleep 0.1; done'
	rt_run_detached "$ID" || fail "run -d failed"
}

# update_devices ID RULES-JSON: update -r with those device rules (the default deny first).
update_devices() {
	jq -n --argjson rules "$2" '{devices: ([{allow: false, access: "rwm"}] + $rules)}' >"$TEST_DIR/devices.json"
	run --separate-stderr rt update -r "$TEST_DIR/devices.json" "$1"
	assert_success
}

@test "cgroups: devices: update replaces the rules of a running container" {
	skip_on runc "1.1.5's update leaves the device rules as they are"
	fake_device_loop
	wait_for grep -q 'Operation not permitted' "$TEST_DIR/$ID.out" || fail "$(cat "$TEST_DIR/$ID.out")"
	update_devices "$ID" '[{"allow": true, "type": "c", "major": 241, "minor": 7, "access": "rw"}]'
	wait_for last_open_is "$ID" "No such device or address" || fail "still: $(fake_last_open "$ID")"
	update_devices "$ID" '[]'
	wait_for last_open_is "$ID" "Operation not permitted" || fail "still: $(fake_last_open "$ID")"
	# the same rules as in place: nothing to write
	update_devices "$ID" '[]'
	last_open_is "$ID" "Operation not permitted"
}

# sorted_device_list ID: the container's v1 devices.list, one exception a line, sorted.
sorted_device_list() {
	sort "/sys/fs/cgroup/devices/$1/devices.list"
}

@test "cgroups: v1 devices: update leaves the list that create gives for the same rules" {
	skip_on runc "1.1.5's update leaves the device rules as they are"
	[[ -d /sys/fs/cgroup/devices ]] || skip "no v1 devices hierarchy"
	# before: an extra block rule; after: /dev/fake without w, and a wildcard minor
	local before='[{"allow": true, "type": "b", "major": 7, "access": "rw"},
		{"allow": true, "type": "c", "major": 241, "minor": 7, "access": "rwm"}]'
	local after='[{"allow": true, "type": "c", "major": 241, "minor": 7, "access": "rwm"},
		{"allow": false, "type": "c", "major": 241, "minor": 7, "access": "w"},
		{"allow": true, "type": "c", "major": 242, "access": "r"}]'
	set_args sleep 600
	cfg --arg cg "/$ID2" --argjson r "$after" '.linux.cgroupsPath = $cg | .linux.resources.devices += $r'
	rt_create "$ID2" || fail "create $ID2 failed"
	cfg --arg cg "/$ID" --argjson r "$before" \
		'.linux.cgroupsPath = $cg | .linux.resources.devices = [{"allow": false, "access": "rwm"}] + $r'
	rt_create "$ID" || fail "create $ID failed"
	run sorted_device_list "$ID"
	assert_line 'b 7:* rw'
	update_devices "$ID" "$after"
	assert_equal "$(sorted_device_list "$ID")" "$(sorted_device_list "$ID2")"
	run sorted_device_list "$ID"
	assert_line 'c 241:7 rm'
	assert_line 'c 242:* r'
	refute_line --partial 'b 7:'
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

# linux.intelRdt needs a mounted resctrl filesystem (Intel RDT, AMD PQoS): the spec wants
# an error without one.  The layout silo writes is checked in tests/unit/resctrl.c.
@test "linux.intelRdt: a host without resctrl gets a clear error and nothing is left" {
	! grep -q ' - resctrl ' /proc/self/mountinfo || skip "this host has resctrl mounted"
	cfg '.linux.intelRdt = {closID: "guaranteed", l3CacheSchema: "L3:0=7f0"}'
	run_container -- 'true'
	if is_silo; then
		assert_one_line_error 'linux.intelRdt: no resctrl filesystem is mounted'
	else
		assert_failure
	fi
}
