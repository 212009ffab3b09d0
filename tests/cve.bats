#!/usr/bin/env bats
# One attack per runc or crun CVE that applies to silo and that no other test already
# makes (docs/security.md, section 7, lists every CVE with the test that guards it).
# Each test builds the hostile image, volume or mount itself and checks the host after.
#
# Races are made deterministic.  Where an attack needs a second container that shares the
# rootfs or a volume to change a path at the right moment, the creation is stopped in that
# window (a createRuntime hook that waits, after the mounts; or strace delivering SIGSTOP
# after a given system call), the test shell makes the change the other container would
# make, and the creation goes on.  Where a race cannot be stopped in silo's own steps,
# a background loop swaps the path while containers start, and one run with the swap
# already made stands for a race always won.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load helpers/common

setup() {
	common_setup
	requires_containers
}

teardown() {
	# a test that failed while a creation was stopped lets it go before the cleanup
	[[ -z ${TEST_DIR:-} || ! -d $TEST_DIR ]] || touch "$TEST_DIR/resume"
	[[ -z ${CREATE_PID:-} ]] || wait "$CREATE_PID" 2>/dev/null
	common_teardown
}

# ---- helpers ------------------------------------------------------------------------

# pause_after_mounts: a createRuntime hook (it runs once the container's mounts and device
# nodes are made, before the pivot and the masked and read-only paths) that waits for
# $TEST_DIR/resume, at most 60 seconds.
pause_after_mounts() {
	cfg --arg dir "$TEST_DIR" '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c",
		"touch \($dir)/paused; n=0; while [ ! -e \($dir)/resume ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done"]}]'
}

# create_paused [FLAGS...]: `create` $ID in the background until the hook above stops it.
create_paused() {
	rm -f "$TEST_DIR/paused" "$TEST_DIR/resume"
	register_id "$ID"
	rt create --bundle "$BUNDLE" "$@" "$ID" </dev/null >"$TEST_DIR/create.out" 2>&1 &
	CREATE_PID=$!
	wait_for test -e "$TEST_DIR/paused" ||
		fail "the creation never reached the hook: $(cat "$TEST_DIR/create.out")"
}

# resume_create: let it go on; the status of `create`, its output in $CREATE_OUTPUT.
resume_create() {
	local rc=0
	touch "$TEST_DIR/resume"
	wait "$CREATE_PID" || rc=$?
	CREATE_PID=
	CREATE_OUTPUT=$(cat "$TEST_DIR/create.out")
	return $rc
}

# The container's /dev is the image's own directory, not a tmpfs: what a shared rootfs or
# volume could reach.
dev_from_image() {
	cfg '.mounts |= map(select(.destination != "/dev" and .destination != "/dev/shm"
		and .destination != "/dev/mqueue" and .destination != "/dev/pts"))'
}

# swapper PATH TARGET: in the background, turn PATH into a directory, then into a symlink
# to TARGET, again and again (bounded) until $TEST_DIR/stop exists; SWAPPER_PID.
swapper() {
	local path=$1 target=$2
	(
		k=0
		while [[ ! -e $TEST_DIR/stop ]] && ((k < 100000)); do
			rm -rf "$path"
			mkdir "$path"
			rm -rf "$path"
			ln -s "$target" "$path"
			k=$((k + 1))
		done
	) </dev/null >/dev/null 2>&1 &
	SWAPPER_PID=$!
	register_pid "$SWAPPER_PID"
}

stop_swapper() {
	touch "$TEST_DIR/stop"
	wait "$SWAPPER_PID" 2>/dev/null || true
}

stop_recvtty() {
	kill "$RECVTTY_PID" 2>/dev/null || true
	wait "$RECVTTY_PID" 2>/dev/null || true
}

# unprotected_procfs PID: every procfs mount of PID's mount namespace whose /sys is not a
# read-only mount or whose /keys is not masked (the config's readonlyPaths and
# maskedPaths; /keys only where the kernel has it), one line each; nothing when all are
# protected.
unprotected_procfs() {
	local keys=
	[[ ! -e /proc/keys ]] || keys=1
	awk -v keys="$keys" '{ split($0, halves, " - "); split(halves[2], after, " ") }
		after[1] == "proc" && $4 == "/" { procfs[$5] = 1 }
		{ options[$5] = $6 }
		END {
			for (p in procfs) {
				if (options[p "/sys"] !~ /^ro(,|$)/) print "writable " p "/sys"
				if (keys && !((p "/keys") in options)) print "unmasked " p "/keys"
			}
		}' "/proc/$1/mountinfo"
}

# ---- 2016 ---------------------------------------------------------------------------

# runc matched a numeric user against the names in the image's /etc/passwd: an entry
# named "1337" with uid 0 made `--user 1337` root.
@test "CVE-2016-3697: a numeric user is a uid, never a name from the image's /etc/passwd" {
	printf '1337:x:0:0:not uid 1337:/root:/bin/sh\n' >>"$ROOTFS/etc/passwd"
	printf '1337:x:0:\n' >>"$ROOTFS/etc/group"
	cfg '.process.user = {uid: 1337, gid: 1337}'
	run_container -- 'id -u; id -g; echo "$HOME"'
	assert_success
	assert_output $'1337\n1337\n/'
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID2"
	assert_success
	run --separate-stderr rt exec -u 1337 "$ID2" sh -c 'id -u; echo "$HOME"'
	assert_success
	assert_output $'1337\n/'
	run --separate-stderr rt exec -u 1337:1337 "$ID2" sh -c 'id -u; id -g'
	assert_success
	assert_output $'1337\n1337'
	# silo takes no names at all (runc looks them up, by name only since the fix)
	if is_silo; then
		run --separate-stderr rt exec -u root "$ID2" id -u
		assert_one_line_error '--user: `root` is not a number'
	fi
}

# A process that joined a running container (runc exec) stayed dumpable until it had
# dropped its privileges: a container process could ptrace it or read its fds.  The
# joining process is stopped once its credentials are set, just before its execve (strace
# delivers SIGSTOP as it calls sched_setaffinity for execCPUAffinity.final, the last
# thing silo does); the container (uid 0, the config's capabilities, no CAP_SYS_PTRACE)
# looks at it, then kills it.
@test "CVE-2016-9962: a process joining with exec cannot be inspected from the container" {
	skip_on runc "1.1.5 has no process.execCPUAffinity, which the test uses to hold the joining process"
	local exec_pid
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	jq -n '{args: ["true"], cwd: "/", user: {uid: 0, gid: 0}, env: ["PATH=/bin", "SECRET=in-environ"],
		execCPUAffinity: {final: "0"}}' >"$TEST_DIR/process.json"
	(
		close_extra_fds
		exec timeout -k 5 "$SILO_TEST_TIMEOUT" strace -f -qq -o /dev/null -e trace=sched_setaffinity \
			-e inject=sched_setaffinity:signal=SIGSTOP \
			"$RUNTIME" "${RT_GLOBAL[@]}" exec --process "$TEST_DIR/process.json" "$ID"
	) </dev/null >"$TEST_DIR/exec.out" 2>&1 &
	exec_pid=$!
	register_pid "$exec_pid"
	# held: stopped, with the empty capability sets of process.json (so past capset)
	run --separate-stderr rt exec "$ID" sh -c '
		n=0; p=
		while [ -z "$p" ] && [ $n -lt 200 ]; do
			for d in /proc/[0-9]*; do
				grep -q "^State:.*[Tt] (" $d/status 2>/dev/null &&
					grep -q "^CapEff:[[:space:]]*0*$" $d/status && p=${d#/proc/}
			done
			[ -n "$p" ] || { sleep 0.1; n=$((n + 1)); }
		done
		[ -n "$p" ] || { echo "no held process"; exit 1; }
		echo held
		readlink /proc/$p/exe && echo "exe readable"
		for f in /proc/$p/fd/*; do readlink $f && echo "fd readable"; done
		grep -q SECRET /proc/$p/environ && echo "environ readable"
		kill -9 $p
		echo done'
	wait "$exec_pid" || true
	assert_success
	assert_output $'held\ndone'
}

# ---- 2019 ---------------------------------------------------------------------------

# A volume over /proc (an image's VOLUME /proc) held fake attr files: the AppArmor label
# write went into a plain file and the container ran unconfined.  silo writes labels
# through a procfs instance of its own, never through the container's /proc.  On a host
# without AppArmor the label is refused by name; never is it written into the volume.
@test "CVE-2019-16884: a volume over /proc does not take the LSM label" {
	local fake=$TEST_DIR/fakeproc f
	for f in self/attr/exec self/attr/current self/attr/apparmor/exec self/attr/apparmor/current \
		thread-self/attr/exec thread-self/attr/current thread-self/attr/apparmor/exec \
		thread-self/attr/apparmor/current; do
		mkdir -p "$fake/$(dirname "$f")"
		echo untouched >"$fake/$f"
	done
	cfg --arg fake "$fake" '.mounts |= map(if .destination == "/proc"
		then {destination: "/proc", type: "bind", source: $fake, options: ["rbind", "rw"]} else . end)
		| .process.apparmorProfile = "unconfined"'
	run_container -- 'cat /proc/self/attr/current'
	if ((status != 0)) && is_silo; then
		assert_one_line_error 'apparmorProfile'
	fi
	run grep -rLx untouched "$fake"
	assert_output ''
}

# Two containers share a volume; the victim's /proc led into it, and the other container
# swapped directories so that procfs was mounted in one place and the read-only and
# masked paths applied in another.  silo refuses a /proc that is a symlink when it mounts
# procfs (tests/mounts.bats); here the other container (standing in: the test shell)
# shares the whole rootfs and makes the swap after the mount: it renames the directory
# procfs is mounted on and puts a symlink to a fake /proc in its place.
@test "CVE-2019-19921: /proc swapped for a symlink after procfs is mounted" {
	pause_after_mounts
	set_args sleep 600
	create_paused
	mv "$ROOTFS/proc" "$ROOTFS/realproc"
	mkdir -p "$ROOTFS/fakeproc/sys"
	touch "$ROOTFS/fakeproc/keys"
	ln -s /fakeproc "$ROOTFS/proc"
	if resume_create; then
		run unprotected_procfs "$(state_field "$ID" pid)"
		assert_output ''
	elif is_silo; then
		grep -qiE 'proc' <<<"$CREATE_OUTPUT" || fail "unclear error: $CREATE_OUTPUT"
	fi
}

# ---- 2021 ---------------------------------------------------------------------------

# A container sharing a volume swapped a mount destination for a symlink after runc had
# checked it: the mount landed on a host path in runc's namespace, and a later bind mount
# whose source was that path gave the container what the attacker chose.  silo resolves
# each destination once, inside the root, and mounts on that fd.  The link points at a
# host directory whose bind mount follows; it must still show the host's file.
@test "CVE-2021-30465: a mount destination swapped for a symlink stays inside the root" {
	local volume=$TEST_DIR/volume target=$TEST_DIR/host-target n ok=0
	mkdir -p "$volume" "$target"
	echo marker >"$target/marker"
	add_mount "{\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"$volume\", \"options\": [\"bind\", \"rw\"]}"
	add_mount '{"destination": "/vol/evil", "type": "tmpfs", "source": "tmpfs"}'
	add_mount "{\"destination\": \"/check\", \"type\": \"bind\", \"source\": \"$target\", \"options\": [\"bind\", \"ro\"]}"
	# the race always won: the link is there from the start
	ln -s "$target" "$volume/evil"
	run_container -- 'cat /check/marker'
	assert_success
	assert_output marker
	[[ -d $ROOTFS$target ]] || fail "the tmpfs was not mounted inside the root"
	# and swapped while containers start
	swapper "$volume/evil" "$target"
	for ((n = 0; n < 30; n++)); do
		register_id "$ID-$n"
		run --separate-stderr rt run --bundle "$BUNDLE" "$ID-$n" </dev/null
		if ((status == 0)); then
			assert_output marker
			ok=$((ok + 1))
		fi
		rt delete -f "$ID-$n" >/dev/null 2>&1
	done
	stop_swapper
	echo "# $ok of $n runs started" >&3
	run cat "$target/marker"
	assert_output marker
}

# ---- 2022 ---------------------------------------------------------------------------

# `runc exec --cap` put the capabilities in the inheritable set too, which a program with
# inheritable file capabilities turns into permitted ones at execve, even as a non-root
# user.  The image ships such a program (cat with cap_net_raw+ei).
@test "CVE-2022-29162: exec --cap leaves the inheritable set empty" {
	mkdir "$ROOTFS/capbin"
	cp "$ROOTFS/bin/busybox" "$ROOTFS/capbin/cat"
	setcap cap_net_raw+ei "$ROOTFS/capbin/cat" || skip "setcap failed: no file capabilities here"
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	run --separate-stderr rt exec -u 1000:1000 --cap CAP_NET_RAW "$ID" /capbin/cat /proc/self/status
	assert_success
	assert_line --regexp '^CapPrm:[[:space:]]+0+$'
	assert_line --regexp '^CapEff:[[:space:]]+0+$'
	assert_line --regexp '^CapInh:[[:space:]]+0+$'
	run --separate-stderr rt exec --cap CAP_NET_RAW "$ID" grep -E '^Cap(Inh|Amb)' /proc/self/status
	assert_success
	assert_line --regexp '^CapInh:[[:space:]]+0+$'
	assert_line --regexp '^CapAmb:[[:space:]]+0+$'
}

# The crun twin of CVE-2022-29162, in its other half: `crun spec` (and runc spec) wrote a
# default config whose process had inheritable capabilities.  silo spec writes none, and
# its process, as a non-root user, gains nothing from a program with inheritable file
# capabilities (cap_net_bind_service+ei, a capability of the default set).
@test "CVE-2022-27650: the default config from spec gives no inheritable capabilities" {
	local caps
	mkdir "$TEST_DIR/spec" "$ROOTFS/capbin"
	run --separate-stderr rt spec -b "$TEST_DIR/spec"
	assert_success
	cp "$ROOTFS/bin/busybox" "$ROOTFS/capbin/cat"
	setcap cap_net_bind_service+ei "$ROOTFS/capbin/cat" || skip "setcap failed: no file capabilities here"
	caps=$(jq -c '.process.capabilities' "$TEST_DIR/spec/config.json")
	cfg --argjson caps "$caps" '.process.capabilities = $caps | .process.user = {uid: 1000, gid: 1000}'
	set_args /capbin/cat /proc/self/status
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	assert_line --regexp '^CapPrm:[[:space:]]+0+$'
	assert_line --regexp '^CapEff:[[:space:]]+0+$'
	assert_line --regexp '^CapInh:[[:space:]]+0+$'
	run jq -c '.process.capabilities.inheritable // [] | length' "$TEST_DIR/spec/config.json"
	assert_output 0
}

# ---- 2023 ---------------------------------------------------------------------------

# Rootless runc left /sys/fs/cgroup writable in a user namespace without a cgroup
# namespace, or under a /sys bind-mounted "rbind, ro" (runc spec --rootless).  Here the
# container's root is the host's root (uid 0 mapped), so only the mounts stand between
# it and the host's cgroup files.
@test "CVE-2023-25809: cgroups under a rootless-style /sys are read-only" {
	skip_on runc "Debian's 1.1.5 leaves the cgroups writable under a rootless-style /sys here"
	local cgroupns
	cfg '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 0, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 0, size: 65536}]
		| .mounts |= map(if .destination == "/sys" then {destination: "/sys", type: "none",
		  source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
		| .mounts += [{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
		  options: ["nosuid", "noexec", "nodev", "relatime", "ro"]}]'
	for cgroupns in no yes; do
		[[ $cgroupns == no ]] || cfg '.linux.namespaces += [{type: "cgroup"}]'
		register_id "$ID-$cgroupns"
		# the last mount listed at a mount point is the one the container sees
		set_args sh -c "
			awk '{ options[\$5] = \$6 } END { for (p in options)
				if ((p == \"/sys/fs/cgroup\" || index(p, \"/sys/fs/cgroup/\") == 1) && options[p] !~ /^ro(,|\$)/)
					print \"writable: \" p }' /proc/self/mountinfo
			for d in /sys/fs/cgroup/*/; do mkdir \"\$d${TOKEN}made\" 2>/dev/null && echo \"made in \$d\"; done
			echo checked"
		run --separate-stderr rt run --bundle "$BUNDLE" "$ID-$cgroupns" </dev/null
		assert_success
		assert_output checked
	done
}

# A regression brought CVE-2019-19921 back: /proc or /sys could again be a symlink when
# runc mounted them.  silo refuses both (the /proc case is in tests/mounts.bats).
@test "CVE-2023-27561: a /sys that is a symlink in the rootfs is refused" {
	rmdir "$ROOTFS/sys"
	mkdir "$ROOTFS/elsewhere"
	ln -s /elsewhere "$ROOTFS/sys"
	run --separate-stderr rt_create "$ID"
	assert_failure
	if is_silo; then
		assert_one_line_error 'sys.*symlink'
	fi
	run rt state "$ID"
	assert_failure
	run ls -A "$ROOTFS/elsewhere"
	assert_output ''
}

# ---- 2024 ---------------------------------------------------------------------------

# A container sharing a volume raced runc's MkdirAll (and the open(O_CREAT) of file bind
# targets), which followed symlinks: runc created empty directories and files on the
# host.  silo makes each component under a directory fd resolved inside the root, and the
# file with O_EXCL|O_NOFOLLOW.
@test "CVE-2024-45310: mount targets made through a swapped symlink stay inside the root" {
	local volume=$TEST_DIR/volume host=$TEST_DIR/host-dir n ok=0
	mkdir -p "$volume" "$host"
	echo file >"$TEST_DIR/file"
	add_mount "{\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"$volume\", \"options\": [\"bind\", \"rw\"]}"
	add_mount '{"destination": "/vol/link/newdir/sub", "type": "tmpfs", "source": "tmpfs"}'
	add_mount "{\"destination\": \"/vol/link/newfile\", \"type\": \"bind\", \"source\": \"$TEST_DIR/file\", \"options\": [\"bind\", \"ro\"]}"
	set_args true
	ln -s "$host" "$volume/link"
	run_container -- 'cat /vol/link/newfile'
	[[ -z $(ls -A "$host") ]] || fail "made on the host: $(ls -A "$host")"
	assert_success
	assert_output file
	swapper "$volume/link" "$host"
	for ((n = 0; n < 30; n++)); do
		register_id "$ID-$n"
		run --separate-stderr rt run --bundle "$BUNDLE" "$ID-$n" </dev/null
		((status != 0)) || ok=$((ok + 1))
		rt delete -f "$ID-$n" >/dev/null 2>&1
	done
	stop_swapper
	echo "# $ok of $n runs started" >&3
	run ls -A "$host"
	assert_output ''
}

# ---- 2025 ---------------------------------------------------------------------------

# maskedPaths bind-mount /dev/null over each file; runc did not check what /dev/null was.
# Replaced by a symlink to /proc/sys/kernel/core_pattern, it gave the container a
# writable core_pattern.  The swap comes after silo made the node, before the masking.
@test "CVE-2025-31133: a /dev/null swapped before maskedPaths is refused" {
	skip_on runc "1.1.5 has this weakness (fixed in runc 1.2.8)"
	local variant
	dev_from_image
	pause_after_mounts
	set_args sleep 600
	for variant in symlink zero; do
		create_paused
		rm -f "$ROOTFS/dev/null"
		if [[ $variant == symlink ]]; then
			ln -s /proc/sys/kernel/core_pattern "$ROOTFS/dev/null"
		else
			mknod "$ROOTFS/dev/null" c 1 5
		fi
		if resume_create; then
			fail "$variant: created; /proc/keys is $(stat -c '%F %t:%T' "/proc/$(state_field "$ID" pid)/root/proc/keys")"
		fi
		! is_silo || grep -q '/dev/null' <<<"$CREATE_OUTPUT" || fail "$variant: unclear error: $CREATE_OUTPUT"
		rt delete -f "$ID" >/dev/null 2>&1
		rm -f "$ROOTFS/dev/null"
	done
}

# runc bind-mounted /dev/pts/$n onto /dev/console, both by path: swapped for symlinks,
# they gave the container a writable procfs file at /dev/console.  silo takes the pty's
# peer by fd (TIOCGPTPEER) and refuses a /dev/console or /dev/pts that became a symlink.
@test "CVE-2025-52565: /dev/console and /dev/pts swapped for symlinks are refused" {
	skip_on runc "1.1.5 has this weakness (fixed in runc 1.2.8)"
	local variant
	dev_from_image
	cfg '.process.terminal = true | .mounts += [{destination: "/dev/pts", type: "devpts",
		source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]}]'
	pause_after_mounts
	set_args sleep 600
	SOCKET=$TEST_DIR/console.sock
	start_recvtty
	for variant in console pts; do
		create_paused --console-socket "$SOCKET"
		if [[ $variant == console ]]; then
			rm -f "$ROOTFS/dev/console"
			ln -s /proc/sys/kernel/core_pattern "$ROOTFS/dev/console"
		else
			mv "$ROOTFS/dev/pts" "$ROOTFS/dev/pts.real"
			mkdir "$ROOTFS/fakepts"
			ln -s /proc/sys/kernel/core_pattern "$ROOTFS/fakepts/ptmx"
			ln -s /proc/sys/kernel/core_pattern "$ROOTFS/fakepts/0"
			ln -s /fakepts "$ROOTFS/dev/pts"
		fi
		if resume_create; then
			fail "$variant: created: $(grep ' /dev/console ' "/proc/$(state_field "$ID" pid)/mountinfo")"
		fi
		! is_silo || grep -qE '/dev/console|ptmx' <<<"$CREATE_OUTPUT" ||
			fail "$variant: unclear error: $CREATE_OUTPUT"
		rt delete -f "$ID" >/dev/null 2>&1
		rm -rf "$ROOTFS/dev/console" "$ROOTFS/dev/pts" "$ROOTFS/fakepts"
		[[ ! -d $ROOTFS/dev/pts.real ]] || mv "$ROOTFS/dev/pts.real" "$ROOTFS/dev/pts"
	done
	stop_recvtty
}

# A racing container redirected runc's writes to /proc (LSM labels, sysctls) to another
# real procfs file, which an "is it procfs?" check cannot tell.  In the mount namespace
# silo runs in, /proc/sys/kernel/domainname is covered by another procfs file (the
# oom_score_adj of a process the test owns): the sysctl must still set the container's
# domainname and leave that process alone.
@test "CVE-2025-52881: a sysctl write is not redirected by a mount over /proc/sys" {
	cfg '.linux.sysctl = {"kernel.domainname": "100"}'
	set_args cat /proc/sys/kernel/domainname
	register_id "$ID"
	run --separate-stderr unshare -m --propagation private sh -c '
		sleep 600 </dev/null >/dev/null 2>&1 &
		decoy=$!
		mount --bind /proc/$decoy/oom_score_adj /proc/sys/kernel/domainname || { kill $decoy; exit 90; }
		shift
		timeout -k 5 60 "$@" </dev/null
		rc=$?
		cat /proc/$decoy/oom_score_adj >&2
		kill $decoy
		exit $rc' sh - "$RUNTIME" "${RT_GLOBAL[@]}" run --bundle "$BUNDLE" "$ID"
	assert_equal "decoy's oom_score_adj: $stderr" "decoy's oom_score_adj: 0"
	assert_success
	assert_output 100
}

# ---- 2026 ---------------------------------------------------------------------------

# crun's `exec --user` read a bare number such as "1" as uid 0 and gid 0.
@test "CVE-2026-30892: exec --user with a bare number runs as that uid" {
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	run --separate-stderr rt exec -u 1 "$ID" id -u
	assert_success
	assert_output 1
	run --separate-stderr rt exec --user 1:1 "$ID" sh -c 'id -u; id -g'
	assert_success
	assert_output $'1\n1'
	run --separate-stderr rt exec -u 65534 "$ID" id -u
	assert_success
	assert_output 65534
	jq -n '{args: ["sh", "-c", "id -u; id -g"], cwd: "/", user: {uid: 1, gid: 1}, env: ["PATH=/bin"]}' \
		>"$TEST_DIR/process.json"
	run --separate-stderr rt exec --process "$TEST_DIR/process.json" "$ID"
	assert_success
	assert_output $'1\n1'
}

# image_dev_points_at_host: the image's /dev is a symlink to a host directory ($HOSTDEV,
# which holds a file named ptmx), and the container's /dev is not a tmpfs.
image_dev_points_at_host() {
	HOSTDEV=$TEST_DIR/host-dev
	mkdir -p "$HOSTDEV"
	echo keep >"$HOSTDEV/ptmx"
	rmdir "$ROOTFS/dev"
	ln -s "$HOSTDEV" "$ROOTFS/dev"
	dev_from_image
}

# runc set up /dev/ptmx and the /dev/fd, stdin... symlinks by path before the pivot: an
# image whose /dev is a symlink made it delete a host file named ptmx and create symlinks
# in a host directory.
@test "CVE-2026-41579: an image /dev that is a symlink to a host directory" {
	skip_on runc "1.1.5 has this weakness (fixed in runc 1.3.6)"
	image_dev_points_at_host
	run_container -- 'test -c /dev/null && echo ok'
	run ls -A "$HOSTDEV"
	assert_output ptmx
	assert_equal "$(cat "$HOSTDEV/ptmx")" keep
}

# crun followed the image's /dev symlink while making the default and configured device
# nodes.
@test "CVE-2026-47766: device nodes are not made through an image /dev symlink" {
	skip_on runc "1.1.5 follows the image's /dev symlink too (the weakness crun fixed in 1.28)"
	image_dev_points_at_host
	cfg '.linux.devices = [{path: "/dev/cve-node", type: "c", major: 1, minor: 3, fileMode: 438}]'
	run_container -- 'test -c /dev/cve-node && echo ok'
	run ls -A "$HOSTDEV"
	assert_output ptmx
}

# crun created /dev/console before the pivot by following the image's symlink: a
# root-owned file at a host path the image chose.
@test "CVE-2026-88264: an image /dev/console symlink makes nothing on the host" {
	dev_from_image
	cfg '.process.terminal = true | .mounts += [{destination: "/dev/pts", type: "devpts",
		source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]}]'
	ln -s "$TEST_DIR/made-by-console" "$ROOTFS/dev/console"
	SOCKET=$TEST_DIR/console.sock
	start_recvtty
	run --separate-stderr rt_create "$ID" --console-socket "$SOCKET"
	stop_recvtty
	[[ ! -e $TEST_DIR/made-by-console ]] || fail "a file was made on the host"
	[[ ! -e $ROOTFS$TEST_DIR/made-by-console ]] || fail "a file was made through the symlink"
	if is_silo; then
		assert_one_line_error '/dev/console.*symlink'
	fi
}

# crun reopened /dev/null by path for the process's stdio and chowned it to the process's
# user: an image /dev/null that was a symlink to a host file bind-mounted into the
# container gave that file away.
@test "CVE-2026-88265: an image /dev/null symlink to a host file is not used or chowned" {
	skip_on runc "1.1.5 uses the image's /dev/null symlink too (the weakness crun fixed in 1.30)"
	mkdir "$TEST_DIR/data"
	echo untouched >"$TEST_DIR/data/hostfile"
	dev_from_image
	add_mount "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\", \"options\": [\"bind\", \"rw\"]}"
	rm -f "$ROOTFS/dev/null"
	ln -s /data/hostfile "$ROOTFS/dev/null"
	# no masked files: maskedPaths would refuse this /dev/null on their own
	cfg '.process.user = {uid: 1000, gid: 1000} | .linux.maskedPaths = []'
	run_container -- 'echo written >/dev/null'
	assert_equal "$(stat -c '%u:%g' "$TEST_DIR/data/hostfile")" 0:0
	assert_equal "$(cat "$TEST_DIR/data/hostfile")" untouched
	if ((status != 0)) && is_silo; then
		assert_one_line_error '/dev/null'
	fi
}

# crun found the targets of its deferred read-only remounts through /proc/self/fd inside
# the container, which an image without a proc mount fakes: the rootfs stayed writable.
# The image's /proc/self/fd/N all lead to a writable tmpfs.
@test "CVE-2026-115521: the read-only rootfs and /dev stay read-only with a fake /proc/self/fd" {
	local n
	mkdir -p "$ROOTFS/proc/self/fd" "$ROOTFS/scratch"
	for ((n = 0; n < 64; n++)); do
		ln -s /scratch "$ROOTFS/proc/self/fd/$n"
	done
	cfg '.root.readonly = true
		| .mounts |= map(select(.destination != "/proc"))
		| .mounts |= map(if .destination == "/dev" then .options += ["ro"] else . end)
		| .mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs"}]'
	run_container -- 'touch /new 2>/dev/null && echo "root writable"
		touch /dev/new 2>/dev/null && echo "dev writable"
		touch /scratch/new && echo "scratch writable"'
	# refusing the fake /proc would do too (runc does); silo runs the container
	if is_silo || ((status == 0)); then
		assert_success
		assert_output 'scratch writable'
	fi
}

# crun copied a tmpcopyup mount's content to destinations it looked up a second time by
# name: a container sharing the volume swapped the path in between, and crun copied the
# image's files onto host files.  Here the other container is the test shell, and strace
# times it: the init stops after each mount(2) and move_mount(2) and after its first
# fchownat(2).  Once the tmpfs is on the destination, the destination is renamed away and
# a directory of the attacker's takes its place; once a copied file shows up there, it is
# swapped for a symlink to a host file (before the chmod that follows the chown).  The copy must go into the new tmpfs only, and no
# host file may take the image file's mode.
@test "CVE-2026-133553: tmpcopyup copies into the new tmpfs, not a directory swapped in" {
	skip_on runc "the test holds silo's own steps (its syscalls) with strace to make the swap"
	local volume=$TEST_DIR/volume victim=$TEST_DIR/victim run_pid held n stops=0 swapped=
	mkdir -p "$volume/seed"
	echo from-image >"$volume/seed/payload"
	chmod 0757 "$volume/seed/payload"
	echo host >"$victim"
	chmod 0600 "$victim"
	cfg --arg v "$volume" '.mounts = [{destination: "/vol", type: "bind", source: $v, options: ["bind", "rw"]},
		{destination: "/vol/seed", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup"]}] + .mounts'
	set_args sh -c 'ls -A /vol/seed'
	register_id "$ID"
	(
		close_extra_fds
		exec timeout -k 5 "$SILO_TEST_TIMEOUT" strace -f -qq -o "$TEST_DIR/strace.out" \
			-e trace=mount,move_mount,fchownat -e inject=mount,move_mount:signal=SIGSTOP \
			-e inject=fchownat:signal=SIGSTOP:when=1 \
			"$RUNTIME" "${RT_GLOBAL[@]}" run --bundle "$BUNDLE" "$ID"
	) </dev/null >"$TEST_DIR/run.out" 2>&1 &
	run_pid=$!
	register_pid "$run_pid"
	for ((n = 0; n < 1000; n++)); do
		held=$(awk '/stopped by SIGSTOP/ { print $1 }' "$TEST_DIR/strace.out" 2>/dev/null | sed -n "$((stops + 1))p")
		if [[ -z $held ]]; then
			[[ -d /proc/$run_pid ]] || break
			sleep 0.1
			continue
		fi
		# the tmpfs is on the destination (the init's /proc/PID/root is still the host's)
		if [[ -z $swapped && $(stat -f -c %T "/proc/$held/root$ROOTFS/vol/seed" 2>/dev/null) == tmpfs ]]; then
			mv "$volume/seed" "$volume/seed.mounted"
			mkdir "$volume/seed"
			swapped=1
		fi
		# a file copied into the attacker's directory
		if [[ -n $swapped && -f $volume/seed/payload && ! -L $volume/seed/payload ]]; then
			rm "$volume/seed/payload"
			ln -s "$victim" "$volume/seed/payload"
		fi
		stops=$((stops + 1))
		kill -CONT "$held"
	done
	wait "$run_pid" || true
	[[ -n $swapped ]] || fail "the tmpfs was never seen on the destination: $(cat "$TEST_DIR/run.out")"
	assert_equal "$(stat -c %a "$victim")" 600
	run ls -A "$volume/seed"
	assert_output ''
}
