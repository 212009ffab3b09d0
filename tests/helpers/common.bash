# Shared setup and teardown for silo's integration tests (bats-core >= 1.5).
#
# Interface for the .bats files (each does `load helpers/common`):
#   RUNTIME        the runtime under test (path or name; default: $BUILD_DIR/silo)
#   RUNTIME_KIND   silo | runc | crun | unknown (from `--version`)
#   ID, ID2        container ids unique to this test (they share the prefix $TOKEN)
#   ROOT           the state root passed as --root (/run/silo-test-$$-N)
#   TEST_DIR       /tmp/silo-bats-$$-N: scratch space, removed by teardown
#   SENTINEL       /tmp/silo-bats-$$-N.sentinel: a host file, writable by anyone, outside
#                  every bundle; no container may ever reach it (teardown checks it)
#   BUNDLE ROOTFS  $TEST_DIR/bundle with config.json and a busybox rootfs
#   rt ARGS...     the runtime with --root (and global flags); use with `run`
#   rt_create ID [FLAGS...], rt_run_detached ID [FLAGS...]
#                  create / run -d with the container's stdio on $TEST_DIR/ID.out|.err
#   run_container [FLAGS...] -- SHELL-COMMAND
#                  `run` the container in the foreground with args sh -c COMMAND
#   cfg [JQ-OPTIONS...] FILTER   edit $BUNDLE/config.json in place
#   set_args ARG...              process.args
#   the other helpers are documented where they are defined.
#
# The teardown contract (docs/testing.md): teardown deletes (-f) every container the test
# made, then looks for anything left behind: mounts of the test's paths, cgroups named
# after the test's ids in any hierarchy, entries under --root, processes rooted in or
# working in the bundle (or recorded by the test), and fds the test shell gained.  What it
# has to clean up itself is reported, and the test fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC_DIR=$(dirname "$TESTS_DIR")
: "${BUILD_DIR:=$SRC_DIR}"
: "${RUNTIME:=$BUILD_DIR/silo}"
: "${SILO_TEST_CACHE:=$TESTS_DIR/.cache}"
: "${SILO_TEST_TIMEOUT:=60}"     # seconds any one runtime command may take (a hang guard)
CACHE=$SILO_TEST_CACHE
CGROUP_MOUNT=/sys/fs/cgroup
# Never read, write or remove anything below this one (another tenant's cgroup).
CGROUP_FORBIDDEN=$CGROUP_MOUNT/memory/process_api

# ---------------------------------------------------------------------------------------
# Cache: the busybox rootfs and the helper programs, built once per run.

build_helpers() {
	local cc=${CC:-cc}
	mkdir -p "$CACHE/bin"
	if [[ ! $CACHE/bin/recvtty -nt $TESTS_DIR/helpers/recvtty.c ]]; then
		$cc -D_GNU_SOURCE -O2 -Wall -o "$CACHE/bin/recvtty.tmp" "$TESTS_DIR/helpers/recvtty.c" &&
			mv "$CACHE/bin/recvtty.tmp" "$CACHE/bin/recvtty" || return 1
	fi
	if [[ ! $CACHE/bin/subreaper -nt $TESTS_DIR/helpers/subreaper.c ]]; then
		$cc -D_GNU_SOURCE -O2 -Wall -o "$CACHE/bin/subreaper.tmp" "$TESTS_DIR/helpers/subreaper.c" &&
			mv "$CACHE/bin/subreaper.tmp" "$CACHE/bin/subreaper" || return 1
	fi
	if [[ ! $CACHE/bin/seccomp-agent -nt $TESTS_DIR/helpers/seccomp-agent.c ]]; then
		$cc -D_GNU_SOURCE -O2 -Wall -o "$CACHE/bin/seccomp-agent.tmp" "$TESTS_DIR/helpers/seccomp-agent.c" &&
			mv "$CACHE/bin/seccomp-agent.tmp" "$CACHE/bin/seccomp-agent" || return 1
	fi
	if [[ ! $CACHE/bin/silo-probe -nt $TESTS_DIR/helpers/silo-probe.c ]]; then
		$cc -D_GNU_SOURCE -O2 -Wall -static -o "$CACHE/bin/silo-probe.tmp" \
			"$TESTS_DIR/helpers/silo-probe.c" &&
			mv "$CACHE/bin/silo-probe.tmp" "$CACHE/bin/silo-probe" || return 1
	fi
	if [[ ! $CACHE/bin/stdio-probe -nt $TESTS_DIR/helpers/stdio-probe.c ]]; then
		$cc -D_GNU_SOURCE -O2 -Wall -static -o "$CACHE/bin/stdio-probe.tmp" \
			"$TESTS_DIR/helpers/stdio-probe.c" &&
			mv "$CACHE/bin/stdio-probe.tmp" "$CACHE/bin/stdio-probe" || return 1
	fi
}

build_rootfs() {
	local rootfs=$CACHE/rootfs busybox applet
	busybox=$(command -v busybox) || { echo "busybox (static) is not installed" >&2; return 1; }
	[[ -f $rootfs/.stamp && $rootfs/.stamp -nt $busybox && $rootfs/.stamp -nt $CACHE/bin/silo-probe ]] &&
		return 0
	rm -rf --one-file-system "$rootfs.tmp"
	mkdir -p "$rootfs.tmp"/{bin,dev,etc,proc,root,run,sys,tmp,var}
	cp "$busybox" "$rootfs.tmp/bin/busybox"
	for applet in $("$busybox" --list); do
		[[ $applet == busybox ]] || ln -s busybox "$rootfs.tmp/bin/$applet"
	done
	cp "$CACHE/bin/silo-probe" "$rootfs.tmp/bin/silo-probe"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs.tmp/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs.tmp/etc/group"
	chmod 1777 "$rootfs.tmp/tmp"
	touch "$rootfs.tmp/.stamp"
	rm -rf --one-file-system "$rootfs"
	mv "$rootfs.tmp" "$rootfs"
}

prepare_cache() {
	# the common case, without a lock: everything is built and newer than its sources
	[[ $CACHE/bin/recvtty -nt $TESTS_DIR/helpers/recvtty.c &&
		$CACHE/bin/seccomp-agent -nt $TESTS_DIR/helpers/seccomp-agent.c &&
		$CACHE/bin/subreaper -nt $TESTS_DIR/helpers/subreaper.c &&
		$CACHE/bin/silo-probe -nt $TESTS_DIR/helpers/silo-probe.c &&
		$CACHE/bin/stdio-probe -nt $TESTS_DIR/helpers/stdio-probe.c &&
		$CACHE/rootfs/.stamp -nt $CACHE/bin/silo-probe ]] && return 0
	mkdir -p "$CACHE"
	(
		flock 9
		build_helpers && build_rootfs
	) 9>"$CACHE/.lock"
}

# ---------------------------------------------------------------------------------------
# The runtime under test.

detect_runtime() {
	if [[ $RUNTIME != */* ]]; then
		RUNTIME=$(command -v "$RUNTIME") || fail "RUNTIME=$RUNTIME: not found in PATH"
	fi
	[[ -x $RUNTIME ]] ||
		fail "RUNTIME=$RUNTIME is not an executable: build silo (make) or set RUNTIME"
	# once per bats run: it does not change under the suite's feet
	local cached=${BATS_RUN_TMPDIR:-/nonexistent}/runtime-version
	if [[ -f $cached ]] && [[ $(head -1 "$cached") == "$RUNTIME" ]]; then
		RUNTIME_VERSION=$(tail -n +2 "$cached")
	else
		RUNTIME_VERSION=$("$RUNTIME" --version 2>&1)
		[[ ! -d ${BATS_RUN_TMPDIR:-} ]] || printf '%s\n%s\n' "$RUNTIME" "$RUNTIME_VERSION" >"$cached"
	fi
	case "${RUNTIME_VERSION%%$'\n'*}" in
	silo*) RUNTIME_KIND=silo ;;
	runc*) RUNTIME_KIND=runc ;;
	crun*) RUNTIME_KIND=crun ;;
	*) RUNTIME_KIND=unknown ;;
	esac
	RT_GLOBAL=(--root "$ROOT")
}

is_silo() { [[ $RUNTIME_KIND == silo ]]; }

# skip_on KIND REASON: skip this test for that runtime; every use is listed in
# docs/testing.md under "Differences".  SILO_TEST_STRICT=1 runs the test anyway (to see
# the difference for yourself).
skip_on() {
	[[ $RUNTIME_KIND != "$1" || -n ${SILO_TEST_STRICT:-} ]] || skip "$1: $2"
}

# must_skip_on KIND REASON: as skip_on, also under SILO_TEST_STRICT: for a difference that
# would make the runtime touch what the suite must not (another tenant's cgroup) or hang it.
must_skip_on() {
	[[ $RUNTIME_KIND != "$1" ]] || skip "$1: $2"
}

# Tests that run a container call this: crun 1.8.1 refuses this host's hybrid layout.
requires_containers() {
	[[ $RUNTIME_KIND != crun ]] || ! grep -q . $CGROUP_MOUNT/unified/cgroup.controllers 2>/dev/null ||
		skip "crun: 1.8.1 refuses hybrid hosts whose cgroup2 has controllers (hugetlb here)"
}

requires_fault_injection() {
	is_silo || skip "$RUNTIME_KIND: has no SILO_FAULT_AT kill points"
	[[ $RUNTIME_VERSION == *+FAULT-INJECTION* ]] ||
		skip "silo built without --enable-fault-injection"
}

# Close every fd above 2 in this (sub)shell: a runtime or container that inherited bats'
# own pipes would hold the TAP stream open.  RT_KEEP_FDS=1 keeps them (the fd tests).
close_extra_fds() {
	[[ -z ${RT_KEEP_FDS:-} ]] || return 0
	local fd
	for fd in /proc/self/fd/*; do
		fd=${fd##*/}
		((fd > 2)) && eval "exec $fd>&-"
	done
	return 0
}

rt() {
	(
		close_extra_fds
		exec timeout --foreground -k 5 "$SILO_TEST_TIMEOUT" "$RUNTIME" "${RT_GLOBAL[@]}" "$@"
	)
}

register_id() {
	echo "$1" >>"$TEST_DIR/ids"
}

# Record a process the test started, so that teardown finds it if it is still alive.
register_pid() {
	echo "$1" >>"$TEST_DIR/pids"
}

# rt_lifecycle COMMAND ID [FLAGS...]: `create` or `run -d` with --bundle $BUNDLE; the
# container inherits stdio, so it goes to files ($TEST_DIR/ID.out, ID.err), and the
# runtime's own stderr is printed back afterwards for `run --separate-stderr`.
rt_lifecycle() {
	local command=$1 id=$2 rc
	shift 2
	register_id "$id"
	rt "$command" --bundle "${RT_BUNDLE:-$BUNDLE}" "$@" "$id" \
		</dev/null >>"$TEST_DIR/$id.out" 2>"$TEST_DIR/$id.err"
	rc=$?
	cat "$TEST_DIR/$id.err" >&2
	return $rc
}
rt_create() { rt_lifecycle create "$@"; }
rt_run_detached() { rt_lifecycle run "$1" -d "${@:2}"; }

# run_container [RUNTIME-FLAGS...] -- COMMAND: run $ID in the foreground with args
# `sh -c COMMAND`; bats' $status, $output, $stderr hold the result.
run_container() {
	local flags=()
	while (($#)) && [[ $1 != -- ]]; do
		flags+=("$1")
		shift
	done
	shift
	set_args sh -c "$1"
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "${flags[@]}" "$ID" </dev/null
}

# start_recvtty [INPUT]: take the pty master sent to $SOCKET (tests/helpers/recvtty.c),
# type INPUT at it; what the container prints goes to $TEST_DIR/tty.out.
start_recvtty() {
	(
		close_extra_fds
		exec "$CACHE/bin/recvtty" "$SOCKET" "$TEST_DIR/tty.out" "$@" </dev/null >"$TEST_DIR/recvtty.log" 2>&1
	) &
	RECVTTY_PID=$!
	register_pid "$RECVTTY_PID"
	wait_for test -S "$SOCKET" || fail "recvtty did not start: $(cat "$TEST_DIR/recvtty.log")"
}

# wait_recvtty: recvtty exits once every holder of the pty slave has closed it.
wait_recvtty() {
	local rc=0
	wait "$RECVTTY_PID" || rc=$?
	assert_equal "recvtty exit $rc $(cat "$TEST_DIR/recvtty.log")" "recvtty exit 0 "
}

# use_userns: the container in a user namespace, 0 -> 100000 (65536 ids), the rootfs
# readable by it, and /sys a read-only bind of the host's (a new sysfs needs a network
# namespace the user namespace owns).
use_userns() {
	chmod -R a+rX "$BUNDLE"
	cfg '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .mounts |= map(if .type == "sysfs" then {destination: "/sys", type: "none", source: "/sys",
			options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)'
}

state_field() {
	rt state "$1" 2>/dev/null | jq -r ".$2"
}

container_status() {
	state_field "$1" status
}

# wait_for COMMAND...: poll (up to 20s) until COMMAND succeeds; never asserts a duration.
wait_for() {
	local i
	for ((i = 0; i < 200; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

status_is() { [[ $(container_status "$1") == "$2" ]]; }

wait_status() {
	wait_for status_is "$1" "$2" || fail "container $1 never reached status $2 (now: $(container_status "$1"))"
}

# Assert the last `run` failed with exactly one line on stderr (a clear error) matching
# the extended regex $1 (case-insensitive).
assert_one_line_error() {
	assert_failure
	local text=${stderr-$output}
	[[ -n $text ]] || fail "no error message on stderr"
	local lines
	lines=$(printf '%s\n' "$text" | grep -c .)
	# runc's C stage (nsexec) prints its own fatal lines before runc's error, and crun's
	# option parser adds a "Try --help" line: MULTILINE_OK="runc crun" lets a test accept
	# that for those runtimes (each use is listed in docs/testing.md).
	[[ " ${MULTILINE_OK:-} " == *" $RUNTIME_KIND "* ]] || ((lines == 1)) ||
		fail "expected a one-line error, got $lines lines:"$'\n'"$text"
	[[ -z ${1:-} ]] || grep -qiE -- "$1" <<<"$text" || fail "error does not match /$1/: $text"
}

# hierarchies: every cgroup mount (v1 controllers and cgroup2) at or under /sys/fs/cgroup.
hierarchies() {
	awk -v m="$CGROUP_MOUNT" '($5 == m || index($5, m "/") == 1) && ($0 ~ / - cgroup2? /) { print $5 }' \
		/proc/self/mountinfo
}

# cgroup_dir CGROUP: the directory of CGROUP (as in cgroupsPath) in the first hierarchy
# that has it; empty when none does.
cgroup_dir() {
	local hierarchy
	for hierarchy in $(hierarchies); do
		[[ -d $hierarchy$1 ]] && { echo "$hierarchy$1"; return 0; }
	done
}

# ---------------------------------------------------------------------------------------
# The bundle.

write_base_config() {
	# crun 1.8.1 refuses any ociVersion after 1.1 ("unknown version specified")
	local version=1.2.0
	[[ $RUNTIME_KIND != crun ]] || version=1.1.0
	jq -n --arg hostname silo-test --arg cgroups "/$ID" --arg version "$version" '{
	ociVersion: $version,
	process: {
		terminal: false,
		user: { uid: 0, gid: 0 },
		args: [ "true" ],
		env: [ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm" ],
		cwd: "/",
		capabilities: {
			bounding: [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
			effective: [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
			permitted: [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
		},
		rlimits: [ { type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 } ],
		noNewPrivileges: false
	},
	root: { path: "rootfs", readonly: false },
	hostname: $hostname,
	mounts: [
		{ destination: "/proc", type: "proc", source: "proc" },
		{ destination: "/dev", type: "tmpfs", source: "tmpfs",
		  options: [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
		{ destination: "/dev/pts", type: "devpts", source: "devpts",
		  options: [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
		{ destination: "/dev/shm", type: "tmpfs", source: "shm",
		  options: [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
		{ destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
		  options: [ "nosuid", "noexec", "nodev" ] },
		{ destination: "/sys", type: "sysfs", source: "sysfs",
		  options: [ "nosuid", "noexec", "nodev", "ro" ] }
	],
	linux: {
		cgroupsPath: $cgroups,
		resources: { devices: [ { allow: false, access: "rwm" } ] },
		namespaces: [ { type: "pid" }, { type: "network" }, { type: "ipc" },
		              { type: "uts" }, { type: "mount" } ],
		maskedPaths: [ "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		               "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
		               "/sys/firmware", "/proc/scsi" ],
		readonlyPaths: [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
		                 "/proc/sysrq-trigger" ]
	}
}' >"$BUNDLE/config.json"
}

cfg() {
	jq "$@" "$BUNDLE/config.json" >"$BUNDLE/config.json.tmp" &&
		mv "$BUNDLE/config.json.tmp" "$BUNDLE/config.json"
}

set_args() {
	local args
	args=$(jq -nc '$ARGS.positional' --args -- "$@")
	cfg --argjson args "$args" '.process.args = $args'
}

add_mount() { # add_mount JSON-OBJECT
	cfg ".mounts += [$1]"
}

# A second bundle that shares $ROOTFS (root.path absolute) with a copy of the config;
# edit it with RT_BUNDLE/BUNDLE pointing at it.
make_bundle2() {
	BUNDLE2=$TEST_DIR/bundle2
	mkdir -p "$BUNDLE2"
	jq --arg root "$ROOTFS" --arg cg "/$ID2" '.root.path = $root | .linux.cgroupsPath = $cg' \
		"$BUNDLE/config.json" >"$BUNDLE2/config.json"
}

# ---------------------------------------------------------------------------------------
# setup / teardown

common_setup() {
	local n=${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}
	TOKEN="bats$$-$n-"
	ID=${TOKEN}a
	ID2=${TOKEN}b
	ROOT=/run/silo-test-$$-$n
	TEST_DIR=/tmp/silo-bats-$$-$n
	SENTINEL=$TEST_DIR.sentinel
	BUNDLE=$TEST_DIR/bundle
	ROOTFS=$BUNDLE/rootfs
	detect_runtime
	prepare_cache || fail "cannot build the test rootfs/helpers in $CACHE"
	rm -rf --one-file-system "$TEST_DIR"
	mkdir -p "$BUNDLE" "$ROOT"
	chmod 0700 "$ROOT"
	: >"$TEST_DIR/ids"
	: >"$TEST_DIR/pids"
	# Hard links for speed; the few files a test might edit in place are real copies.
	cp -al "$CACHE/rootfs" "$ROOTFS"
	cp --remove-destination -p "$CACHE/rootfs/etc/passwd" "$CACHE/rootfs/etc/group" "$ROOTFS/etc/"
	write_base_config
	echo untouched >"$SENTINEL"
	chmod 0666 "$SENTINEL"
	SHELL_PID=$BASHPID
	FDS_BEFORE=$(list_shell_fds "$SHELL_PID")
}

setup() {
	common_setup
}

# Teardown helpers append to LEFTOVERS; each entry is one line of the failure report.
leftover() {
	LEFTOVERS+=("$*")
}

teardown_containers() {
	local id ids
	ids=$(cat "$TEST_DIR/ids" 2>/dev/null; ls "$ROOT" 2>/dev/null)
	[[ -n $ids ]] || return 0
	# also whatever the runtime itself lists (in case its state lives elsewhere under --root)
	ids=$({ echo "$ids"; rt list -q 2>/dev/null </dev/null; } | sort -u)
	for id in $ids; do
		[[ $id == "$TOKEN"* ]] || continue
		rt delete -f "$id" >/dev/null 2>"$TEST_DIR/teardown.err" </dev/null ||
			leftover "delete -f $id failed: $(head -c 500 "$TEST_DIR/teardown.err")"
	done
}

# Processes whose root is the test's rootfs (inside or outside a mount namespace: compare
# the directory's identity), whose cwd is under TEST_DIR, or that the test recorded.
teardown_processes() {
	local rootfs_id pids pid
	rootfs_id=$(stat -L -c %d:%i "$ROOTFS" 2>/dev/null) || rootfs_id=none
	pids=$(
		stat -L -c '%n %d:%i' /proc/[0-9]*/root 2>/dev/null | awk -v id="$rootfs_id" '$2 == id { split($1, p, "/"); print p[3] }'
		find /proc/[0-9]*/cwd -maxdepth 0 -lname "$TEST_DIR*" 2>/dev/null | cut -d/ -f3
		cat "$TEST_DIR/pids" 2>/dev/null
	)
	for pid in $(sort -un <<<"$pids"); do
		((pid != $$ && pid != BASHPID)) || continue
		[[ -d /proc/$pid ]] && ! grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null || continue
		leftover "process $pid left running: $(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null)"
		kill -9 "$pid" 2>/dev/null
	done
}

teardown_mounts() {
	local line fields mountpoints=()
	while read -r line; do
		read -ra fields <<<"$line"
		# field 5 is the mount point
		[[ ${fields[4]} == "$TEST_DIR" || ${fields[4]} == "$TEST_DIR"/* ||
			${fields[4]} == "$ROOT" || ${fields[4]} == "$ROOT"/* ]] && mountpoints+=("${fields[4]}")
	done </proc/self/mountinfo
	((${#mountpoints[@]})) || return 0
	# deepest first, so that nested mounts come off in order
	for line in $(printf '%s\n' "${mountpoints[@]}" | sort -r); do
		leftover "mount left on $line"
		umount -l "$line" 2>/dev/null
	done
}

teardown_cgroups() {
	local hierarchy dir dirs
	dirs=$(find "$CGROUP_MOUNT"/*/ -maxdepth 4 -path "$CGROUP_FORBIDDEN" -prune -o \
		-type d -name "*$TOKEN*" -print 2>/dev/null | sort -r)
	if [[ -n $dirs ]]; then
		# A frozen process cannot die, and it is frozen in one hierarchy while it sits in
		# all of them: thaw everything first (v1 freezer, cgroup2), then kill, then remove.
		for dir in $dirs; do
			leftover "cgroup left: $dir"
			[[ ! -f $dir/freezer.state ]] || echo THAWED >"$dir/freezer.state" 2>/dev/null
			[[ ! -f $dir/cgroup.freeze ]] || echo 0 >"$dir/cgroup.freeze" 2>/dev/null
		done
		for dir in $dirs; do
			xargs -r kill -9 <"$dir/cgroup.procs" 2>/dev/null
		done
		for dir in $dirs; do
			wait_for rmdir "$dir" 2>/dev/null || leftover "cannot remove $dir"
		done
	fi
	# Parents a test created for a nested cgroupsPath (see register_cgroup_parent).
	[[ -s $TEST_DIR/cgroup-parents ]] || return 0
	for dir in $(sort -ru "$TEST_DIR/cgroup-parents"); do
		for hierarchy in $(hierarchies); do
			[[ -d $hierarchy$dir ]] && rmdir "$hierarchy$dir" 2>/dev/null
		done
	done
	return 0
}

# A test whose cgroupsPath has parents that are not named after $TOKEN lists them here
# (absolute, as in cgroupsPath) so that teardown removes them once empty.
register_cgroup_parent() {
	echo "$1" >>"$TEST_DIR/cgroup-parents"
}

# A container that got out of its root could write the host's files: the sentinel shows it.
teardown_sentinel() {
	[[ $(cat "$SENTINEL" 2>/dev/null) == untouched ]] ||
		leftover "the host sentinel $SENTINEL was changed or removed: a container escaped"
	rm -f "$SENTINEL"
}

teardown_state_root() {
	local entries
	# .seccomp-cache: silo's compiled seccomp programs, kept on purpose (not a container)
	entries=$(ls -A "$ROOT" 2>/dev/null | grep -vx .seccomp-cache)
	if [[ -n $entries ]]; then
		leftover "state left under --root $ROOT: $(echo $entries)"
	fi
	rm -rf --one-file-system "$ROOT"
}

# "fd target" lines for the test shell ($1), run inside $(...): leaves out the pipe of that
# command substitution and bats' own fds (0-4 and its files: bats switches them between
# the test and teardown).
list_shell_fds() {
	local substitution=$BASHPID
	{
		find /proc/$substitution/fd/1 -maxdepth 0 -printf 'self %l\n'
		find /proc/$1/fd -mindepth 1 -printf '%f %l\n'
	} 2>/dev/null | awk -v bats="${BATS_RUN_TMPDIR:-/nonexistent}/" '
		$1 == "self" { self = $2; next }
		$1 > 4 && $2 != self && index($2, bats) != 1' | sort
}

# A leak is an fd open now that was not open (or pointed elsewhere) at setup.
teardown_fds() {
	local now new
	now=$(list_shell_fds "$SHELL_PID")
	new=$(comm -13 <(echo "$FDS_BEFORE") <(echo "$now"))
	[[ -z $new ]] || leftover "the test shell gained fds: $(echo $new)"
}

common_teardown() {
	LEFTOVERS=()
	cd /
	# A failed test shows its output: add the last command's stderr, which bats-assert
	# does not print.
	[[ -n ${BATS_TEST_COMPLETED:-} || -z ${stderr:-} ]] || printf '# last stderr: %s\n' "$stderr"
	[[ -n ${TEST_DIR:-} && -d $TEST_DIR ]] || return 0
	teardown_containers
	teardown_processes
	teardown_mounts
	teardown_cgroups
	teardown_state_root
	teardown_sentinel
	teardown_fds
	rm -rf --one-file-system "$TEST_DIR" ||
		leftover "cannot remove $TEST_DIR"
	if ((${#LEFTOVERS[@]})); then
		printf '# teardown: %s\n' "${LEFTOVERS[@]}"
		return 1
	fi
}

teardown() {
	common_teardown
}
