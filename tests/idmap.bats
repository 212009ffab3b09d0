#!/usr/bin/env bats
# ID-mapped bind mounts: the idmap and ridmap options, mounts[].uidMappings/gidMappings,
# the refusals, and what features.json says.
#
# Direction: through a mount ID-mapped with containerID 0 -> hostID 100000, a file owned by
# 5 on disk belongs to 100005 as the host sees it, hence to 5 in a container whose user
# namespace maps 0 -> 100000 as well; what the container's root creates there is owned by
# 0 on disk.

load helpers/common

setup_file() {
	PROBE=$BATS_FILE_TMPDIR/idmap-probe
	${CC:-cc} -D_GNU_SOURCE -O2 -Wall -o "$PROBE" "$BATS_TEST_DIRNAME/helpers/idmap-probe.c"
	export PROBE
}

setup() {
	common_setup
	requires_containers
}

# What the test mounted on the host (host_mount), taken off before the common teardown
# looks for leftovers, deepest first.
teardown() {
	local mountpoint
	if [[ -s ${TEST_DIR:-/nonexistent}/host-mounts ]]; then
		# containers first: a running one would keep a lazily detached mount busy
		teardown_containers
		for mountpoint in $(sort -r "$TEST_DIR/host-mounts"); do
			umount "$mountpoint" 2>/dev/null || umount -l "$mountpoint"
		done
	fi
	common_teardown
}

# host_mount MOUNT-ARGS... MOUNTPOINT: mount on the host, recorded for teardown.
host_mount() {
	mount "$@" || return 1
	echo "${!#}" >>"$TEST_DIR/host-mounts"
}

# bind_mount DESTINATION SOURCE OPTIONS-JSON [EXTRA-JSON]: add a bind mount entry (its
# mount point made in the rootfs: a container root of uid 100000 may not).
bind_mount() {
	mkdir -p "$ROOTFS$1"
	add_mount "{\"destination\": \"$1\", \"type\": \"bind\", \"source\": \"$2\", \"options\": $3 ${4:+, $4}}"
}

# mappings HOSTID: uidMappings and gidMappings of one range 0 -> HOSTID, 65536 ids.
mappings() {
	echo "\"uidMappings\": [{\"containerID\": 0, \"hostID\": $1, \"size\": 65536}],
		\"gidMappings\": [{\"containerID\": 0, \"hostID\": $1, \"size\": 65536}]"
}

# owned_by_5 DIR: DIR with a file owned by 5:5 (DIR itself stays root's).
owned_by_5() {
	mkdir -p "$1"
	echo data >"$1/file"
	chown 5:5 "$1/file"
}

# requires_idmap PATH: skip unless this kernel can ID-map a bind of PATH (probe, not silo).
requires_idmap() {
	local why
	why=$("$PROBE" "$1" 2>&1) || skip "the kernel cannot ID-map ${2:-$1}: $why"
}

# The container shows the disk's owner (5) where it would otherwise see nobody, and its
# root writes files of uid 0 on disk.
check_same_mapping() {
	local dir=$1
	use_userns
	bind_mount /data "$dir" '["bind", "idmap"]'
	run_container -- 'stat -c %u:%g /data/file; echo x > /data/new && stat -c %u:%g /data/new'
	assert_success
	assert_line --index 0 5:5
	assert_line --index 1 0:0
	assert_equal "$(stat -c %u:%g "$dir/new")" 0:0
	assert_equal "$(stat -c %u:%g "$dir/file")" 5:5
}

@test "idmap: an ext4 directory, with the container's mapping" {
	[[ $(stat -f -c %T "$TEST_DIR") == ext2/ext3 ]] || skip "$TEST_DIR is not on ext4"
	owned_by_5 "$TEST_DIR/disk"
	check_same_mapping "$TEST_DIR/disk"
}

@test "idmap: a tmpfs, with the container's mapping" {
	mkdir "$TEST_DIR/tmpfs"
	host_mount -t tmpfs -o mode=755 tmpfs "$TEST_DIR/tmpfs"
	requires_idmap "$TEST_DIR/tmpfs" "a tmpfs (Linux 6.3 or later)"
	owned_by_5 "$TEST_DIR/tmpfs"
	check_same_mapping "$TEST_DIR/tmpfs"
}

@test "idmap: seen from the host through the mount, the file belongs to 100005" {
	local pid
	owned_by_5 "$TEST_DIR/disk"
	use_userns
	bind_mount /data "$TEST_DIR/disk" '["bind", "idmap"]'
	set_args sleep 600
	rt_run_detached "$ID"
	pid=$(state_field "$ID" pid)
	assert_equal "$(stat -c %u:%g "/proc/$pid/root/data/file")" 100005:100005
	assert_equal "$(stat -c %u:%g "$TEST_DIR/disk/file")" 5:5
	run rt delete -f "$ID"
	assert_success
}

@test "idmap: ridmap maps the mounts below the source, idmap only its top" {
	owned_by_5 "$TEST_DIR/tree"
	owned_by_5 "$TEST_DIR/inner"
	mkdir "$TEST_DIR/tree/sub"
	host_mount --bind "$TEST_DIR/inner" "$TEST_DIR/tree/sub"
	use_userns
	bind_mount /r "$TEST_DIR/tree" '["rbind", "ridmap"]'
	bind_mount /n "$TEST_DIR/tree" '["rbind", "idmap"]'
	run_container -- 'stat -c %u /r/file /r/sub/file /n/file /n/sub/file'
	assert_success
	assert_equal "$(echo $output)" "5 5 5 65534"
}

@test "idmap: mappings of the mount's own, other than the container's" {
	owned_by_5 "$TEST_DIR/disk"
	use_userns
	# mappings alone imply idmap
	bind_mount /own "$TEST_DIR/disk" '["bind"]' "$(mappings 101000)"
	bind_mount /opt "$TEST_DIR/disk" '["bind", "idmap"]' "$(mappings 102000)"
	bind_mount /same "$TEST_DIR/disk" '["bind", "idmap"]'
	run_container -- 'stat -c %u:%g /own/file /opt/file /same/file'
	assert_success
	assert_equal "$(echo $output)" "1005:1005 2005:2005 5:5"
}

@test "idmap: without mappings, a joined user namespace is the one borrowed" {
	local pid
	owned_by_5 "$TEST_DIR/disk"
	use_userns
	set_args sleep 600
	rt_run_detached "$ID"
	pid=$(state_field "$ID" pid)
	# the pid namespace joined too: a new one with a joined user namespace is another
	# layout (the init is forked), beside the point here
	cfg --arg ns "/proc/$pid/ns" 'del(.linux.uidMappings, .linux.gidMappings)
		| .linux.namespaces |= map(if .type == "user" or .type == "pid"
			then .path = "\($ns)/\(.type)" else . end)
		| .linux.cgroupsPath = "/'"$ID2"'"'
	bind_mount /data "$TEST_DIR/disk" '["bind", "idmap"]'
	set_args sh -c 'stat -c %u:%g /data/file; cat /proc/self/uid_map'
	register_id "$ID2"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID2" </dev/null
	assert_success
	assert_line --index 0 5:5
	assert_line --regexp '^ +0 +100000 +65536$'
	run rt delete -f "$ID"
	assert_success
}

@test "idmap: mappings on the mount, in a container without a user namespace" {
	owned_by_5 "$TEST_DIR/disk"
	bind_mount /data "$TEST_DIR/disk" '["bind", "idmap"]' "$(mappings 100000)"
	run_container -- 'stat -c %u:%g /data/file; cat /proc/self/uid_map'
	assert_success
	assert_line --index 0 100005:100005
	assert_line --regexp '^ +0 +0 +4294967295$'
}

@test "idmap: in a user namespace, what the host mounted below the source stays locked" {
	owned_by_5 "$TEST_DIR/tree"
	mkdir "$TEST_DIR/tree/covered" "$TEST_DIR/tree/ro" "$TEST_DIR/cover"
	echo hidden >"$TEST_DIR/tree/covered/secret"
	host_mount --bind "$TEST_DIR/cover" "$TEST_DIR/tree/covered"
	host_mount --bind -o ro "$TEST_DIR/cover" "$TEST_DIR/tree/ro"
	use_userns
	cfg '.process.capabilities |= map_values(. + ["CAP_SYS_ADMIN"])'
	bind_mount /t "$TEST_DIR/tree" '["rbind", "idmap"]'
	run_container -- 'umount /t/covered; cat /t/covered/secret; mount -o remount,bind,rw /t/ro; touch /t/ro/new; echo done'
	assert_success
	assert_output done
	[[ $stderr == *"can't unmount /t/covered: Invalid argument"* ]] || fail "unmounted: $stderr"
	[[ $stderr == *"cat: can't open '/t/covered/secret'"* ]] || fail "the covered file showed: $stderr"
	[[ $stderr == *"mount: permission denied"* ]] || fail "remounted read-write: $stderr"
	[[ $stderr == *"/t/ro/new: Read-only file system"* ]] || fail "wrote to a read-only mount: $stderr"
	[[ ! -e $TEST_DIR/cover/new ]] || fail "the container wrote through a read-only host mount"
}

@test "idmap: the trees are closed in the parent after the clone, in the init after its mounts" {
	owned_by_5 "$TEST_DIR/disk"
	use_userns
	bind_mount /data "$TEST_DIR/disk" '["bind", "idmap"]'
	bind_mount /more "$TEST_DIR/disk" '["bind"]' "$(mappings 101000)"
	# prestart hooks run in the parent (their parent process) while the init waits, its
	# mounts done: neither may hold a tree any more
	cfg --arg out "$TEST_DIR/fds" '.hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c",
		"pid=$(/usr/bin/jq .pid); /bin/ls -l /proc/$pid/fd/ /proc/$PPID/fd/ > \($out) 2>&1"]}]'
	run_container -- 'ls /proc/self/fd'
	assert_success
	# 0-2 and the directory ls reads
	assert_equal "$(echo $output)" "0 1 2 3"
	grep -q rootfs "$TEST_DIR/fds" || fail "the hook saw no fd of the init: $(cat "$TEST_DIR/fds")"
	run grep -E '/data|/more|/disk' "$TEST_DIR/fds"
	assert_failure
}

@test "idmap: idmap without mappings needs a user namespace" {
	owned_by_5 "$TEST_DIR/disk"
	bind_mount /data "$TEST_DIR/disk" '["bind", "idmap"]'
	run_container -- 'true'
	assert_one_line_error 'mounts\[6\]\.options: "idmap" without uidMappings and gidMappings .* linux\.namespaces has none'
}

@test "idmap: mappings on a tmpfs mount are refused, naming the field" {
	use_userns
	add_mount "{\"destination\": \"/scratch\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",
		\"options\": [\"idmap\"], $(mappings 100000)}"
	run_container -- 'true'
	assert_one_line_error 'mounts\[6\]\.uidMappings: only bind mounts can be ID-mapped, and this is a tmpfs mount'
}

@test "idmap: uidMappings without gidMappings is refused" {
	owned_by_5 "$TEST_DIR/disk"
	use_userns
	bind_mount /data "$TEST_DIR/disk" '["bind", "idmap"]' \
		'"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	run_container -- 'true'
	assert_one_line_error 'mounts\[6\]\.gidMappings: required together with uidMappings'
}

@test "idmap: an overlayfs source is refused with a clear error" {
	mkdir -p "$TEST_DIR"/{lower,upper,work,overlay}
	owned_by_5 "$TEST_DIR/lower"
	host_mount -t overlay overlay -o "lowerdir=$TEST_DIR/lower,upperdir=$TEST_DIR/upper,workdir=$TEST_DIR/work" \
		"$TEST_DIR/overlay" 2>/dev/null || skip "overlayfs is not available"
	! "$PROBE" "$TEST_DIR/overlay" 2>/dev/null || skip "this kernel can ID-map overlayfs"
	use_userns
	bind_mount /data "$TEST_DIR/overlay" '["bind", "idmap"]'
	run_container -- 'true'
	assert_one_line_error "mounts\[6\] \(/data\): the filesystem of \`$TEST_DIR/overlay\` \(overlay\) does not support ID-mapped mounts"
}

@test "idmap: features.json says idmap is enabled, with idmap and ridmap" {
	is_silo || skip "$RUNTIME_KIND: another runtime's feature list"
	run --separate-stderr rt features
	assert_success
	assert_equal "$(jq -r '.linux.mountExtensions.idmap.enabled' <<<"$output")" true
	assert_equal "$(jq -r '[.mountOptions[] | select(. == "idmap" or . == "ridmap")] | join(" ")' <<<"$output")" \
		"idmap ridmap"
}
