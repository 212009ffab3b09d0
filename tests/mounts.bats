#!/usr/bin/env bats
# The root filesystem: bind and tmpfs mounts, tmpcopyup, the cgroup mount, maskedPaths,
# readonlyPaths, root.readonly, /dev nodes and links, linux.devices, unsafe targets.

load helpers/common

setup() {
	common_setup
	requires_containers
}

# mountinfo_line MOUNTPOINT: the container's /proc/self/mountinfo line for it.
mount_line_of() {
	printf 'awk -v m=%s '\''$5 == m'\'' /proc/self/mountinfo' "$1"
}

@test "mounts: a read-only bind mount can be read, not written" {
	mkdir "$TEST_DIR/data"
	echo host-data >"$TEST_DIR/data/file"
	add_mount "{\"destination\": \"/data\", \"type\": \"none\", \"source\": \"$TEST_DIR/data\", \"options\": [\"bind\", \"ro\"]}"
	run_container -- 'cat /data/file; echo changed > /data/file || echo write-refused'
	assert_line --index 0 host-data
	assert_line write-refused
	[[ $stderr == *"Read-only file system"* ]] || fail "unexpected error: $stderr"
	assert_equal "$(cat "$TEST_DIR/data/file")" host-data
}

@test "mounts: a read-write bind mount writes through to the host" {
	mkdir "$TEST_DIR/data"
	add_mount "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\", \"options\": [\"rbind\", \"rw\"]}"
	run_container -- 'echo from-container > /data/file'
	assert_success
	assert_equal "$(cat "$TEST_DIR/data/file")" from-container
}

@test "mounts: a file bind mount" {
	echo '10.1.2.3 silo-host' >"$TEST_DIR/hosts"
	add_mount "{\"destination\": \"/etc/hosts\", \"type\": \"bind\", \"source\": \"$TEST_DIR/hosts\", \"options\": [\"bind\", \"ro\"]}"
	run_container -- 'cat /etc/hosts'
	assert_success
	assert_output '10.1.2.3 silo-host'
}

@test "mounts: tmpfs with flags, mode and size" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
		"options": ["nosuid", "nodev", "noexec", "mode=1770", "size=1m"]}'
	run_container -- "$(mount_line_of /scratch); stat -c %a /scratch"
	assert_success
	assert_equal "${#lines[@]}" 2
	local line=${lines[0]}
	[[ $line == *" - tmpfs "* ]] || fail "not a tmpfs: $line"
	[[ $line =~ [\ ,]nosuid[\ ,] && $line =~ [\ ,]nodev[\ ,] && $line =~ [\ ,]noexec[\ ,] ]] ||
		fail "flags missing: $line"
	[[ $line == *size=1024k* && $line == *mode=1770* ]] || fail "size/mode missing: $line"
	assert_equal "${lines[1]}" 1770
}

@test "mounts: tmpcopyup copies the directory's content into the tmpfs" {
	mkdir -p "$ROOTFS/seed/sub"
	echo seeded >"$ROOTFS/seed/sub/file"
	add_mount '{"destination": "/seed", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}'
	run_container -- "cat /seed/sub/file; $(mount_line_of /seed); echo new > /seed/sub/file"
	assert_success
	assert_line --index 0 seeded
	[[ ${lines[1]} == *" - tmpfs "* ]] || fail "/seed is not a tmpfs: ${lines[1]}"
	assert_equal "$(cat "$ROOTFS/seed/sub/file")" seeded
}

# cgroup_mounts_inside: the container prints what is mounted on /sys/fs/cgroup, then the
# mount points below it.
cgroup_mount_script() {
	echo "$(mount_line_of /sys/fs/cgroup) | sed 's/.* - //'; awk '\$5 ~ \"^/sys/fs/cgroup/\" { print \$5 }' /proc/self/mountinfo"
}

add_cgroup_mount() {
	add_mount '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
		"options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}'
}

@test "mounts: the cgroup mount is a tmpfs with one mount per v1 hierarchy" {
	grep -q ' - cgroup ' /proc/self/mountinfo || skip "no cgroup v1 hierarchy on this host"
	add_cgroup_mount
	run_container -- "$(cgroup_mount_script)"
	assert_success
	[[ ${lines[0]} == tmpfs* ]] || fail "/sys/fs/cgroup is not a tmpfs: ${lines[0]}"
	local host inside
	host=$(awk '$5 ~ "^/sys/fs/cgroup/" && $0 ~ " - cgroup " { print $5 }' /proc/self/mountinfo | sort)
	inside=$(printf '%s\n' "${lines[@]:1}" | grep -vx /sys/fs/cgroup/unified | sort)
	assert_equal "$inside" "$host"
}

@test "mounts: the cgroup mount includes the cgroup2 hierarchy of a hybrid host" {
	skip_on crun "on a hybrid host 1.8.1 mounts only the v1 hierarchies, not unified"
	grep -q ' /sys/fs/cgroup/unified .* - cgroup2 ' /proc/self/mountinfo || skip "not a hybrid host"
	skip_on runc "1.1.5 mounts only the v1 hierarchies of a hybrid host"
	add_cgroup_mount
	run_container -- "$(cgroup_mount_script)"
	assert_success
	assert_line /sys/fs/cgroup/unified
}

@test "mounts: maskedPaths hide files and directories; missing ones are ignored" {
	[[ -n $(head -c 1 /proc/timer_list 2>/dev/null) && -n $(ls -A /sys/firmware) ]] ||
		skip "needs /proc/timer_list and /sys/firmware with content"
	cfg '.linux.maskedPaths = ["/proc/timer_list", "/sys/firmware", "/no/such/path"]'
	run_container -- 'wc -c < /proc/timer_list; ls -A /sys/firmware | wc -l; touch /sys/firmware/x || echo refused'
	assert_success
	assert_equal "${lines[0]}" 0
	assert_equal "${lines[1]}" 0
	assert_line refused
	# control: unmasked, both have content
	cfg '.linux.maskedPaths = []'
	run_container -- 'wc -c < /proc/timer_list; ls -A /sys/firmware | wc -l'
	assert_success
	((lines[0] > 0 && lines[1] > 0)) || fail "unmasked, still empty: $output"
}

@test "mounts: readonlyPaths are read-only" {
	cfg '.linux.readonlyPaths = ["/proc/sys"]'
	run_container -- 'if echo 1234 > /proc/sys/kernel/msgmax; then echo written; fi'
	refute_output --partial written
	[[ $stderr == *"Read-only file system"* ]] || fail "unexpected error: $stderr"
	# control: without it the container may write its own ipc namespace's sysctl
	cfg '.linux.readonlyPaths = []'
	run_container -- 'echo 1234 > /proc/sys/kernel/msgmax && cat /proc/sys/kernel/msgmax'
	assert_success
	assert_output 1234
}

@test "mounts: root.readonly makes the rootfs read-only" {
	cfg '.root.readonly = true'
	run_container -- 'touch /newfile || echo refused; touch /dev/shm/ok && echo tmpfs-writable'
	assert_line refused
	assert_line tmpfs-writable
	[[ ! -e $ROOTFS/newfile ]] || fail "the container wrote into the read-only rootfs"
}

@test "dev: the default device nodes and links exist and work" {
	run_container -- '
		for d in null zero full random urandom tty; do echo "$d $(stat -c "%F %t:%T" /dev/$d)"; done
		for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done
		echo x > /dev/null && echo null-ok
		head -c 4 /dev/zero | wc -c; head -c 4 /dev/urandom | wc -c
		echo x > /dev/full || echo full-refused
		awk '\''$5 ~ "^/dev/" { for (i = 7; $i != "-"; i++) ; print $5, $(i + 1) }'\'' /proc/self/mountinfo'
	assert_line 'null character special file 1:3'
	assert_line 'zero character special file 1:5'
	assert_line 'full character special file 1:7'
	assert_line 'random character special file 1:8'
	assert_line 'urandom character special file 1:9'
	assert_line 'tty character special file 5:0'
	assert_line 'fd -> /proc/self/fd'
	assert_line 'stdin -> /proc/self/fd/0'
	assert_line 'stdout -> /proc/self/fd/1'
	assert_line 'stderr -> /proc/self/fd/2'
	assert_line 'ptmx -> pts/ptmx'
	assert_line null-ok
	assert_equal "$(grep -cx 4 <<<"$output")" 2
	assert_line full-refused
	assert_line '/dev/pts devpts'
	assert_line '/dev/shm tmpfs'
	assert_line '/dev/mqueue mqueue'
}

@test "dev: a linux.devices node is created with its type, numbers and mode" {
	cfg '.linux.devices = [{path: "/dev/testzero", type: "c", major: 1, minor: 5, fileMode: 416, uid: 0, gid: 0}]
		| .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 5, access: "rwm"}]'
	run_container -- 'stat -c "%F %t:%T %a" /dev/testzero; head -c 3 /dev/testzero | wc -c'
	assert_success
	assert_line --index 0 'character special file 1:5 640'
	assert_line --index 1 3
}

# podman puts the whole st_mode in fileMode (8624 = 0o20660: a character device, 0660).
@test "dev: a fileMode with the file type bits (as podman gives it) is accepted; the wrong type is refused" {
	cfg '.linux.devices = [{path: "/dev/testzero", type: "c", major: 1, minor: 5, fileMode: 8624}]
		| .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 5, access: "rwm"}]'
	run_container -- 'stat -c "%F %t:%T %a" /dev/testzero'
	assert_success
	assert_output 'character special file 1:5 660'
	# 0o60660: a block device's type bits on a "c" entry
	skip_on runc "runc 1.1.5 makes a character device and leaves fileMode's type bits unchecked"
	cfg '.linux.devices = [{path: "/dev/testzero", type: "c", major: 1, minor: 5, fileMode: 25008}]
		| .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 5, access: "rwm"}]'
	run --separate-stderr rt_create "$ID"
	assert_one_line_error 'fileMode'
	run rt state "$ID"
	assert_failure
}

@test "mounts: a /proc that is a symlink in the rootfs is refused" {
	rmdir "$ROOTFS/proc"
	mkdir "$ROOTFS/elsewhere"
	ln -s /elsewhere "$ROOTFS/proc"
	run --separate-stderr rt_create "$ID"
	MULTILINE_OK=runc assert_one_line_error 'proc|symlink'
	run rt state "$ID"
	assert_failure
}

# /evil -> /<token>escape exists in the rootfs, not on the host: a runtime that followed the
# link on the host would mount on (or create) the host's /<token>escape.
@test "mounts: a destination that is a symlink resolves inside the rootfs" {
	mkdir "$ROOTFS/${TOKEN}escape"
	ln -s "/${TOKEN}escape" "$ROOTFS/evil"
	add_mount '{"destination": "/evil", "type": "tmpfs", "source": "tmpfs"}'
	run_container -- "awk '\$5 == \"/${TOKEN}escape\" || \$5 == \"/evil\" { print \$5 }' /proc/self/mountinfo"
	assert_success
	assert_output "/${TOKEN}escape"
	[[ ! -e /${TOKEN}escape ]] || { rmdir "/${TOKEN}escape"; fail "the mount target escaped to the host"; }
}

# runc and crun make the target of a destination that is a symlink to nowhere, inside the
# rootfs (an image's /var/run -> /run with no /run, say).
@test "mounts: a destination through a dangling symlink is made inside the rootfs" {
	ln -s /made-here "$ROOTFS/dangling"
	add_mount '{"destination": "/dangling/sub", "type": "tmpfs", "source": "tmpfs"}'
	run_container -- 'grep -c " /made-here/sub " /proc/self/mountinfo'
	assert_success
	assert_output 1
	[[ -d $ROOTFS/made-here/sub ]] || fail "the target was not made in the rootfs"
	[[ ! -e /made-here ]] || fail "the target was made on the host"
}

# A read-only /dev still gets its device nodes and the mounts below it: silo mounts it
# read-write and makes it read-only once everything is in place.
@test "mounts: a read-only /dev tmpfs still gets its nodes, then is read-only" {
	cfg '.mounts |= map(if .destination == "/dev" then .options += ["ro"] else . end)'
	run_container -- 'test -c /dev/null && test -d /dev/pts && grep " /dev " /proc/self/mountinfo | grep -c " ro,"; touch /dev/x 2>/dev/null || echo read-only'
	assert_success
	assert_output $'1\nread-only'
}
