#!/usr/bin/env bats
# Namespaces: hostname/domainname, pid 1, loopback, isolation, joining by path, time
# namespace offsets, cgroup and user namespaces.

load helpers/common

setup() {
	common_setup
	requires_containers
}

@test "namespaces: hostname is set in the new uts namespace" {
	cfg '.hostname = "box-one"'
	local host_name
	host_name=$(hostname)
	run_container -- 'hostname'
	assert_success
	assert_output box-one
	assert_equal "$(hostname)" "$host_name"
}

@test "namespaces: domainname is set in the new uts namespace" {
	skip_on runc "1.1.5 ignores domainname (the field came with runtime-spec 1.1)"
	cfg '.domainname = "example.test"'
	local host_domain
	host_domain=$(cat /proc/sys/kernel/domainname)
	run_container -- 'cat /proc/sys/kernel/domainname'
	assert_success
	assert_output example.test
	assert_equal "$(cat /proc/sys/kernel/domainname)" "$host_domain"
}

@test "namespaces: a hostname without a uts namespace is refused" {
	cfg '.linux.namespaces |= map(select(.type != "uts"))'
	run --separate-stderr rt_create "$ID"
	assert_one_line_error 'hostname|uts'
}

@test "namespaces: the container process is pid 1 of a new pid namespace" {
	run_container -- 'echo $$; ls -d /proc/[0-9]* | wc -l'
	assert_success
	assert_equal "${lines[0]}" 1
	# sh, ls and wc at most: no host process is visible
	((lines[1] <= 3)) || fail "the container sees ${lines[1]} processes"
}

@test "namespaces: the new network namespace has only lo, up, with 127.0.0.1" {
	run_container -- 'ls /sys/class/net; ip -o addr show dev lo; ip -o link show dev lo'
	assert_success
	assert_equal "${lines[0]}" lo
	assert_line --regexp 'inet 127\.0\.0\.1/8'
	assert_line --regexp '<LOOPBACK,UP,LOWER_UP>'
}

@test "namespaces: each requested namespace is new, the others are the host's" {
	run_container -- 'for ns in pid net ipc uts mnt cgroup user; do readlink /proc/self/ns/$ns; done'
	assert_success
	local ns i=0
	for ns in pid net ipc uts mnt; do
		[[ ${lines[i]} != "$(readlink /proc/self/ns/$ns)" ]] || fail "$ns namespace is the host's"
		i=$((i + 1))
	done
	for ns in cgroup user; do
		assert_equal "${lines[i]}" "$(readlink /proc/self/ns/$ns)"
		i=$((i + 1))
	done
}

@test "namespaces: joining another container's namespaces by path" {
	cfg '.hostname = "first"'
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	local pid
	pid=$(state_field "$ID" pid)
	make_bundle2
	BUNDLE=$BUNDLE2 cfg --arg p "/proc/$pid/ns" 'del(.hostname) | .linux.namespaces = [
		{type: "pid"}, {type: "mount"},
		{type: "network", path: ($p + "/net")}, {type: "ipc", path: ($p + "/ipc")},
		{type: "uts", path: ($p + "/uts")}]'
	BUNDLE=$BUNDLE2 set_args sh -c 'for ns in net ipc uts pid; do readlink /proc/self/ns/$ns; done; hostname'
	register_id "$ID2"
	run --separate-stderr rt run --bundle "$BUNDLE2" "$ID2" </dev/null
	assert_success
	assert_equal "${lines[0]}" "$(readlink /proc/$pid/ns/net)"
	assert_equal "${lines[1]}" "$(readlink /proc/$pid/ns/ipc)"
	assert_equal "${lines[2]}" "$(readlink /proc/$pid/ns/uts)"
	[[ ${lines[3]} != "$(readlink /proc/$pid/ns/pid)" ]] || fail "the pid namespace was joined, not new"
	assert_equal "${lines[4]}" first
}

# A joined user namespace with a new pid namespace: silo's child unshares the pid namespace
# after joining, forks the real init into it and exits.  The init must survive that exit
# (it used to die by its parent-death signal in most runs) and become silo's.
@test "namespaces: a joined user namespace with a new pid namespace, created and run again and again" {
	use_userns
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	local pid n
	pid=$(state_field "$ID" pid)
	make_bundle2
	BUNDLE=$BUNDLE2 cfg --arg p "/proc/$pid/ns" 'del(.linux.uidMappings, .linux.gidMappings, .hostname)
		| .linux.namespaces = [{type: "user", path: ($p + "/user")}, {type: "pid"}, {type: "mount"},
			{type: "ipc"}, {type: "uts"}, {type: "network"}]'
	BUNDLE=$BUNDLE2 set_args sh -c 'echo "$$ $(readlink /proc/self/ns/user)"'
	register_id "$ID2"
	for n in 1 2 3 4 5 6 7 8; do
		run --separate-stderr rt run --bundle "$BUNDLE2" "$ID2" </dev/null
		assert_success
		assert_output "1 $(readlink "/proc/$pid/ns/user")"
	done
	# create + start: the state holds the real init, alive until start
	run --separate-stderr rt_create "$ID2" --bundle "$BUNDLE2"
	assert_success
	assert_equal "$(container_status "$ID2")" created
	run --separate-stderr rt start "$ID2"
	assert_success
}

@test "namespaces: a namespace path that is not a namespace is refused" {
	cfg --arg p "$TEST_DIR" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	run --separate-stderr rt_create "$ID"
	MULTILINE_OK=runc assert_one_line_error "$TEST_DIR|namespace|network"
}

@test "namespaces: time namespace offsets" {
	skip_on crun "1.8.1 fails to create a time namespace with offsets ('write to sync socket: Broken pipe')"
	[[ -e /proc/self/ns/time ]] || skip "the kernel has no time namespaces"
	skip_on runc "1.1.5 does not support the time namespace (added in runc 1.2)"
	cfg '.linux.namespaces += [{type: "time"}]
		| .linux.timeOffsets = {monotonic: {secs: 86400000, nanosecs: 0}, boottime: {secs: 172800000, nanosecs: 0}}'
	run_container -- 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
	assert_success
	assert_line --regexp '^monotonic +86400000 +0$'
	assert_line --regexp '^boottime +172800000 +0$'
	((lines[2] >= 172800000)) || fail "uptime ${lines[2]} does not include the boottime offset"
}

@test "namespaces: a cgroup namespace roots /proc/self/cgroup at the container" {
	cfg '.linux.namespaces += [{type: "cgroup"}]'
	run_container -- 'cat /proc/self/cgroup'
	assert_success
	refute_output --partial "$ID"
	run grep -vc ':/$' <<<"$output"
	assert_output 0
}

@test "namespaces: a user namespace maps ids" {
	use_userns
	run_container -- 'id -u; cat /proc/self/uid_map /proc/self/gid_map'
	assert_success
	assert_equal "${lines[0]}" 0
	assert_line --regexp '^ +0 +100000 +65536$'
	assert_equal "$(grep -cE '^ +0 +100000 +65536$' <<<"$output")" 2
}

# A new user namespace with no maps at all (crun accepts it): every process in it is the
# overflow user, nobody.  The kernel lets nothing create a file on a filesystem mounted
# inside such a namespace, so a tmpfs /dev cannot be filled: a clear error says so.
@test "namespaces: a user namespace without mappings runs the process as nobody" {
	skip_on runc "1.1.5 refuses a user namespace without mappings"
	cfg '.linux.namespaces += [{type: "user"}] | del(.linux.uidMappings, .linux.gidMappings)
		| .mounts |= map(select(.destination | startswith("/dev") | not))
		| .mounts |= map(if .type == "sysfs" then {destination: "/sys", type: "none", source: "/sys",
			options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)'
	run_container -- 'id -u; id -g; wc -l </proc/self/uid_map; test -c /dev/null && echo null-ok'
	assert_success
	assert_equal "$(echo $output)" "65534 65534 0 null-ok"
}

@test "namespaces: without mappings, a tmpfs /dev or a non-zero process.user is refused clearly" {
	skip_on runc "1.1.5 refuses a user namespace without mappings"
	cfg '.linux.namespaces += [{type: "user"}] | del(.linux.uidMappings, .linux.gidMappings)
		| .mounts |= map(if .type == "sysfs" then {destination: "/sys", type: "none", source: "/sys",
			options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)'
	run_container -- 'true'
	assert_failure
	if is_silo; then
		assert_one_line_error "without uidMappings and gidMappings nothing can create a file"
	fi
	cfg '.mounts |= map(select(.destination | startswith("/dev") | not)) | .process.user = {uid: 1000, gid: 1000}'
	run_container -- 'true'
	assert_failure
	if is_silo; then
		assert_one_line_error "process.user: the user namespace has no uidMappings and gidMappings"
	fi
	cfg '.process.user = {uid: 0, gid: 0} | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 10}]'
	run_container -- 'true'
	assert_failure
	if is_silo; then
		assert_one_line_error "linux.uidMappings: given without linux.gidMappings"
	fi
}

@test "namespaces: in a user namespace a device is the host's node, bound; one the host lacks is refused by name" {
	use_userns
	cfg '.linux.devices = [{path: "/dev/zero", type: "c", major: 1, minor: 5}]'
	run_container -- 'head -c 3 /dev/zero | od -An -tx1; grep -c " /dev/zero " /proc/self/mountinfo'
	assert_success
	assert_equal "$(echo $output)" "00 00 00 1"
	[[ ! -e /dev/silo-test-absent ]] || skip "the host has /dev/silo-test-absent"
	cfg '.linux.devices = [{path: "/dev/silo-test-absent", type: "c", major: 1, minor: 5}]'
	run_container -- 'true'
	assert_failure
	if is_silo; then
		assert_one_line_error '`/dev/silo-test-absent`: a user namespace may not mknod, and the host has no device 1:5'
	fi
}

@test "namespaces: a bind source the container's ids cannot reach is opened by silo before the user namespace" {
	mkdir -m 0700 "$TEST_DIR/private"
	mkdir -m 0755 "$TEST_DIR/private/data"
	echo secret-but-bound >"$TEST_DIR/private/data/file"
	mkdir "$ROOTFS/data"
	chmod 0644 "$TEST_DIR/private/data/file"
	use_userns
	cfg --arg src "$TEST_DIR/private/data" '.mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind", "ro"]}]'
	run_container -- 'cat /data/file; grep -c " /data " /proc/self/mountinfo'
	assert_success
	assert_equal "$(echo $output)" "secret-but-bound 1"
}

# runtime-spec: a namespace type that linux.namespaces does not list is the runtime's.
# Without a mount namespace silo mounts nothing (the host's table must not change) and
# enters the rootfs with chroot.
@test "namespaces: a type not listed is inherited from the runtime, the mount namespace too" {
	local ns pid before
	cfg '.linux.namespaces = [] | del(.hostname)'
	set_args sleep 600
	before=$(grep -c . /proc/self/mountinfo)
	run --separate-stderr rt_create "$ID"
	assert_success
	if is_silo; then
		grep -q 'no mount namespace' <<<"$stderr" || fail "no warning about the mounts: $stderr"
	fi
	pid=$(state_field "$ID" pid)
	for ns in cgroup ipc mnt net pid user uts; do
		assert_equal "$ns: $(readlink "/proc/$pid/ns/$ns")" "$ns: $(readlink "/proc/self/ns/$ns")"
	done
	assert_equal "$(grep -c . /proc/self/mountinfo)" "$before"
	[[ $(stat -L -c %d:%i "/proc/$pid/root") == $(stat -c %d:%i "$ROOTFS") ]] ||
		fail "the container's root is not its rootfs"
}

# linux.netDevices: a host interface moved into the container's network namespace and
# renamed there.  A veth pair (the kernel may lack the dummy driver); when the
# container's namespace goes, the kernel destroys the pair.
@test "linux.netDevices: a host interface moves into the container under its new name" {
	command -v ip >/dev/null || skip "no ip(8) to make a veth pair"
	local host=sv${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}x$$ peer
	host=${host:0:12}
	peer=${host}p
	ip link add "$host" type veth peer name "$peer" 2>/dev/null || skip "this kernel cannot make a veth pair"
	cfg --arg dev "$host" '.linux.netDevices = {($dev): {name: "ctr0"}}'
	run_container -- 'ls /sys/class/net'
	assert_success
	assert_output $'ctr0\nlo'
	run ip link show "$host"
	assert_failure
	ip link del "$peer" 2>/dev/null || true
	# refused: a device the host does not have; no network namespace of its own
	cfg '.linux.netDevices = {"no-such-dev0": {}}'
	run_container -- 'true'
	assert_one_line_error 'no network device `no-such-dev0`'
	cfg --arg dev lo '.linux.netDevices = {($dev): {}} | .linux.namespaces |= map(select(.type != "network"))'
	run_container -- 'true'
	assert_one_line_error 'netDevices: needs a network namespace'
}
