#!/usr/bin/env bats
# podman: silo under the real podman (4.3 here), its conmon and its netavark network, as
# contrib/podman/containers.conf registers it.
#
# The file runs a podman of its own: storage (graphroot, runroot), tmp_dir, locks, events,
# volumes and network configs all live under /tmp/silo-podman-PID, named by the
# CONTAINERS_CONF and CONTAINERS_STORAGE_CONF it generates; the host's /etc/containers and
# /var/lib/containers are never used.  The image, localhost/silo-bb, is a busybox-static
# rootfs built here and brought in with `podman import`.
#
# Every scenario runs with the runtime under test ($RUNTIME, registered under its kind:
# "silo") and then with crun, the reference, when crun is installed and can run a
# container on this host (SILO_PODMAN_REFERENCE=runc picks another one, "" none).  A
# failure of either fails the test; the output says which runtime it was.
#
# What podman does to the host beyond that folder, by design: netavark keeps its IPAM
# database in /run/containers/networks (shared by every rootful podman), adds its
# NETAVARK_* iptables chains and a podman0 bridge while a container is on the default
# network, and the cgroupfs manager makes /libpod_parent in each hierarchy (removed at
# the end when this file made it, as are the plain directories it makes in /sys/fs/cgroup
# for controllers that are not mounted).  Containers' runtime state lives in the
# runtime's default root (/run/silo): podman passes no --root.  Each test removes its
# containers and fails if a runtime still holds one; teardown_file looks for conmons,
# mounts, network namespaces, cgroups and state left, and fails if it finds any.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load ../helpers/common

# Tags, for bats --filter-tags (tests/vm/run.sh's SILO_VM_FILTER_TAGS): podman, every
# test; cgroup, the scenarios that touch the container's cgroup (limits, stats, pause,
# update, OOM, --cgroups=disabled, what run --rm leaves), which `make check-podman-v2`
# runs in the pure cgroup2 guest; reference, whether the reference runtime runs here;
# vm-smoke, the one scenario CI's cgroup v2 guest adds to its files; systemd, podman's
# systemd cgroup manager, which needs systemd as PID 1 (tests/vm/run.sh systemd runs
# them; they skip elsewhere).
# bats file_tags=podman

PODMAN_IMAGE=localhost/silo-bb

# ---------------------------------------------------------------------------------------
# The private podman

# pm ARGS...: podman with this file's configuration and --runtime $RT, under a hang guard,
# from $PM_CWD (default: a scratch folder; conmon writes its "oom" marker into its working
# directory, which it inherits from podman: never the source tree).
pm() {
	(
		close_extra_fds
		cd "${PM_CWD:-$PODMAN_DIR/cwd}" || exit 1
		exec timeout --foreground -k 5 "$SILO_TEST_TIMEOUT" podman --runtime "$RT" "$@"
	)
}

# pm_line: the same as one shell command line, for script(1) and unshare(1).
pm_line() {
	printf 'cd %q && exec timeout --foreground -k 5 %q podman --runtime %q' \
		"$PODMAN_DIR/cwd" "$SILO_TEST_TIMEOUT" "$RT"
}

# in_pty COMMAND-LINE: run it with a terminal (script(1)), stdin to it as typed input.
# script starts the command with $SHELL: bash, since CI's /bin/sh is not.
in_pty() {
	SHELL=/bin/bash script -qec "$1" /dev/null
}

inspect() { # inspect CONTAINER GO-TEMPLATE
	pm inspect --format "$2" "$1"
}

logs_have() { # logs_have CONTAINER TEXT
	pm logs "$1" 2>&1 | grep -q -- "$2"
}

status_of() {
	inspect "$1" '{{.State.Status}}'
}

has_status() { # has_status CONTAINER STATUS
	[[ $(status_of "$1") == "$2" ]]
}

runtime_path() {
	[[ $1 == "$PODMAN_RT" ]] && echo "$RUNTIME" || echo "$PODMAN_REF_PATH"
}

# Shell snippets, run inside a container, that print a limit from its own cgroup (v1 or v2).
IN_MEMORY_LIMIT='cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
IN_CPU_LIMIT='if [ -f /sys/fs/cgroup/cpu.max ]; then cat /sys/fs/cgroup/cpu.max; else
	echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us); fi'
IN_PIDS_LIMIT='cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'

# freezer_state CGROUP: FROZEN or THAWED, from the host (v1 freezer or cgroup2).
freezer_state() {
	if [[ -f $CGROUP_MOUNT/freezer$1/freezer.state ]]; then
		cat "$CGROUP_MOUNT/freezer$1/freezer.state"
	elif [[ -f $CGROUP_MOUNT$1/cgroup.freeze ]]; then
		[[ $(cat "$CGROUP_MOUNT$1/cgroup.freeze") == 1 ]] && echo FROZEN || echo THAWED
	fi
}

# cgroups_named TEXT: cgroup directories whose name contains TEXT, in any hierarchy.
cgroups_named() {
	find "$CGROUP_MOUNT"/ -mindepth 2 -maxdepth 4 -path "$CGROUP_FORBIDDEN" -prune -o \
		-type d -name "*$1*" -print 2>/dev/null
}

# A hard limit, capped at $2: podman's defaults (1048576) are above this host's hard
# limits and root has no CAP_SYS_RESOURCE to raise them.
ulimit_below_hard() { # OPTION CAP
	local hard
	hard=$(ulimit -H "$1")
	[[ $hard != unlimited ]] && ((hard < $2)) && echo "$hard" || echo "$2"
}

build_image() {
	local rootfs=$PODMAN_DIR/image/rootfs busybox
	busybox=$(command -v busybox) || { echo "busybox (static) is not installed" >&2; return 1; }
	mkdir -p "$rootfs"/{bin,dev,etc,home/user,proc,root,run,sys,tmp,var/tmp}
	cp "$busybox" "$rootfs/bin/busybox"
	# one process for the applets' links (a loop of ln is seconds in the tests/vm guest)
	chroot "$rootfs" /bin/busybox --install -s /bin || return 1
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'user:x:1000:1000:user:/home/user:/bin/sh' \
		'nobody:x:65534:65534:nobody:/:/bin/false' >"$rootfs/etc/passwd"
	printf '%s\n' 'root:x:0:' 'user:x:1000:' 'nogroup:x:65534:' >"$rootfs/etc/group"
	chown 1000:1000 "$rootfs/home/user"
	chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
	tar -C "$rootfs" --numeric-owner -cf "$PODMAN_DIR/image/rootfs.tar" .
	# `podman import` (c/image) writes its blob-info cache to /var/lib/containers/cache
	# as root whatever the storage root: give it a private, empty /var/lib to write in.
	unshare -m --propagation private sh -c \
		'mount -t tmpfs -o size=4m,mode=0700 tmpfs /var/lib && exec "$@"' sh \
		timeout 60 podman import -q "$PODMAN_DIR/image/rootfs.tar" "$PODMAN_IMAGE" >/dev/null
}

write_podman_config() {
	local nofile nproc path network_backend="" init_path="" netns=""
	nofile=$(ulimit_below_hard -n 4096)
	nproc=$(ulimit_below_hard -u 4096)
	for path in /usr/libexec/podman/netavark /usr/lib/podman/netavark \
		/usr/local/libexec/podman/netavark /usr/local/lib/podman/netavark; do
		[[ -x $path ]] && network_backend='network_backend = "netavark"' && break
	done
	for path in /usr/libexec/podman/catatonit /usr/bin/catatonit /usr/libexec/catatonit/catatonit; do
		[[ -x $path ]] && init_path="init_path = \"$path\"" && break
	done
	# The tests/vm guest's kernel has only the modules tests/vm/run.sh loads (no bridge,
	# veth or NAT, and no modprobe): no network but the container's own loopback there.
	[[ ${SILO_TEST_VM:-} != 1 ]] || netns='netns = "none"'
	cat >"$CONTAINERS_STORAGE_CONF" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$PODMAN_DIR/graph"
		runroot = "$PODMAN_DIR/run"
	EOF
	cat >"$CONTAINERS_CONF" <<-EOF
		[containers]
		default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
		$init_path
		$netns

		[network]
		$network_backend
		network_config_dir = "$PODMAN_DIR/networks"

		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PODMAN_DIR/events/events.log"
		tmp_dir = "$PODMAN_DIR/tmp"
		volume_path = "$PODMAN_DIR/volumes"
		# file locks under tmp_dir, not the host-wide /dev/shm/libpod_lock
		lock_type = "file"
		runtime = "$PODMAN_RT"
		runtime_supports_json = ["$PODMAN_RT", "crun", "runc"]
		# podman 4.3 reads the singular spelling
		runtime_supports_nocgroup = ["$PODMAN_RT", "crun"]

		[engine.runtimes]
		$PODMAN_RT = ["$RUNTIME"]
	EOF
	if [[ -n $PODMAN_REF_PATH ]]; then
		echo "$PODMAN_REF = [\"$PODMAN_REF_PATH\"]" >>"$CONTAINERS_CONF"
	fi
}

setup_file() {
	# bats 1.8 cannot skip from setup_file: setup() skips every test with this reason
	export PODMAN_SKIP=""
	[[ $EUID == 0 ]] || { PODMAN_SKIP="podman: the engine tests need root"; return 0; }
	command -v podman >/dev/null || { PODMAN_SKIP="podman: not installed"; return 0; }
	ROOT=/nonexistent detect_runtime
	export RUNTIME RUNTIME_KIND
	export PODMAN_RT=$RUNTIME_KIND
	[[ $PODMAN_RT != unknown ]] || PODMAN_RT=runtime-under-test
	export PODMAN_DIR=/tmp/silo-podman-$$
	export CONTAINERS_CONF=$PODMAN_DIR/containers.conf
	export CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf
	export PODMAN_REF=${SILO_PODMAN_REFERENCE-crun} PODMAN_REF_PATH="" PODMAN_REF_SKIP=""
	[[ $PODMAN_REF != "$PODMAN_RT" ]] || PODMAN_REF=""
	if [[ -z $PODMAN_REF ]]; then
		PODMAN_REF_SKIP="no reference runtime (SILO_PODMAN_REFERENCE is empty or the runtime under test)"
	elif ! PODMAN_REF_PATH=$(command -v "$PODMAN_REF"); then
		PODMAN_REF_SKIP="$PODMAN_REF: not installed"
	fi
	# what the host had before, so that teardown_file removes only what this file made
	export PODMAN_NETNS_BEFORE PODMAN_CGROUPS_BEFORE
	PODMAN_NETNS_BEFORE=$(ls /run/netns 2>/dev/null | tr '\n' ' ')
	PODMAN_CGROUPS_BEFORE=$(echo "$CGROUP_MOUNT"/* "$CGROUP_MOUNT"/*/libpod_parent)
	# podman passes no --root: the runtime's default root (/run/silo) and what the runtime
	# keeps there (silo's seccomp cache) are this file's to remove when it made them
	export PODMAN_RUN_ROOT_BEFORE=
	[[ ! -e /run/$PODMAN_RT ]] || PODMAN_RUN_ROOT_BEFORE=1

	rm -rf --one-file-system "$PODMAN_DIR"
	mkdir -p "$PODMAN_DIR"/{cwd,events,image,networks,tmp,volumes}
	write_podman_config
	build_image || fail "cannot build and import $PODMAN_IMAGE"

	export PODMAN_RUNTIMES=$PODMAN_RT
	if [[ -z $PODMAN_REF_SKIP ]]; then
		if RT=$PODMAN_REF pm run --rm --network none "$PODMAN_IMAGE" true \
			>"$PODMAN_DIR/reference.err" 2>&1; then
			PODMAN_RUNTIMES+=" $PODMAN_REF"
		else
			PODMAN_REF_SKIP="$PODMAN_REF $("$PODMAN_REF_PATH" --version | head -1 | grep -o '[0-9][0-9.]*' | head -1) cannot run a container on this host: $(grep -m1 . "$PODMAN_DIR/reference.err")"
		fi
	fi
	# The runtimes the systemd scenarios run with: the runtime under test and the
	# reference, both with a systemd cgroup driver; SILO_TEST_PODMAN_SYSTEMD_RUNTIMES="crun"
	# picks others.
	export PODMAN_SYSTEMD_RUNTIMES=${SILO_TEST_PODMAN_SYSTEMD_RUNTIMES-$PODMAN_RUNTIMES}
}

# podman's cgroupfs manager makes /libpod_parent and /libpod_parent/conmon with mkdir -p in
# every controller /proc/cgroups lists: where a v1 controller is not mounted (hugetlb,
# net_cls, ... here), those are plain directories in /sys/fs/cgroup's tmpfs.  Remove what
# is not in BEFORE (setup_file's listing); a real cgroup only when empty (problems+=).
rmdir_cgroup_parent() {
	rmdir "$1/conmon" 2>/dev/null
	rmdir "$1" 2>/dev/null || [[ ! -e $1 ]]
}

remove_cgroup_parents() {
	local before=" $1 " entry
	for entry in "$CGROUP_MOUNT"/*/libpod_parent "$CGROUP_MOUNT"/*; do
		[[ -e $entry && $before != *" $entry "* ]] || continue
		# machine.slice, made by systemd for the systemd scenarios' scopes: systemd's own
		[[ $entry != *.slice ]] || continue
		if mountpoint -q "$(dirname "$entry")"; then
			# conmon and podman's cleanup may still be leaving them
			wait_for rmdir_cgroup_parent "$entry" || problems+=("cgroup $entry not empty")
		elif ! mountpoint -q "$entry"; then
			rm -rf --one-file-system "$entry"
		fi
	done
}

# Whatever the file leaves is reported, cleaned up, and fails it.
teardown_file() {
	[[ -n ${PODMAN_DIR:-} && -d $PODMAN_DIR ]] || return 0
	local problems=() line dir
	cd /
	RT=$PODMAN_RT pm rm -af -t 0 >/dev/null 2>&1
	# images, containers, storage (it unmounts what is mounted), networks, volumes
	RT=$PODMAN_RT pm system reset -f >/dev/null 2>"$PODMAN_DIR/reset.err" ||
		problems+=("podman system reset failed: $(head -c 500 "$PODMAN_DIR/reset.err")")
	for line in $(pgrep -f "conmon .*$PODMAN_DIR"); do
		problems+=("conmon $line left running: $(tr '\0' ' ' </proc/$line/cmdline 2>/dev/null | head -c 300)")
		kill -KILL "$line" 2>/dev/null
	done
	for line in $(awk -v d="$PODMAN_DIR" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		problems+=("mount left on $line")
		umount -l "$line" 2>/dev/null
	done
	for line in /run/netns/*; do
		line=${line##*/}
		[[ $line != "*" && " $PODMAN_NETNS_BEFORE " != *" $line "* ]] || continue
		problems+=("network namespace /run/netns/$line left")
		ip netns delete "$line" 2>/dev/null
	done
	for line in $(runtime_leftovers); do
		problems+=("runtime state left: ${line/:/ }")
		"$(runtime_path "${line%%:*}")" delete -f "${line#*:}" >/dev/null 2>&1
	done
	for dir in $(cgroups_named libpod- | sort -r); do
		problems+=("cgroup $dir left")
		rmdir "$dir" 2>/dev/null
	done
	remove_cgroup_parents "$PODMAN_CGROUPS_BEFORE"
	if [[ -z $PODMAN_RUN_ROOT_BEFORE && $PODMAN_RT == silo && -d /run/silo ]]; then
		rm -rf --one-file-system /run/silo/.seccomp-cache
		rmdir /run/silo 2>/dev/null || problems+=("/run/silo is not empty: $(ls -A /run/silo | head -5)")
	fi
	rm -rf --one-file-system "$PODMAN_DIR" || problems+=("cannot remove $PODMAN_DIR")
	if ((${#problems[@]})); then
		printf '# teardown_file: %s\n' "${problems[@]}"
		return 1
	fi
}

setup() {
	[[ -z ${PODMAN_SKIP:-} ]] || skip "$PODMAN_SKIP"
	TEST_DIR=$PODMAN_DIR/test-$BATS_TEST_NUMBER
	mkdir -p "$TEST_DIR"
}

# RUNTIME:ID for each container a runtime still holds whose bundle is in this file's
# storage (podman removes the runtime's state with the container).
runtime_leftovers() {
	local rt
	for rt in $PODMAN_RUNTIMES; do
		"$(runtime_path "$rt")" list --format json 2>/dev/null |
			jq -r --arg dir "$PODMAN_DIR/" --arg rt "$rt" \
				'.[]? | select(.bundle | startswith($dir)) | "\($rt):\(.id)"'
	done
}

# Each test removes its containers, and fails if a runtime still holds one afterwards.
teardown() {
	[[ -z ${PODMAN_SKIP:-} && -n ${PODMAN_DIR:-} ]] || return 0
	local line left=()
	# bats-assert does not print the last command's stderr: show it for a failed test
	[[ -n ${BATS_TEST_COMPLETED:-} || -z ${stderr:-} ]] || printf '# last stderr: %s\n' "$stderr"
	[[ -z $(RT=$PODMAN_RT pm ps -aq 2>/dev/null) ]] || RT=$PODMAN_RT pm rm -af -t 0 >/dev/null 2>&1
	for line in $(runtime_leftovers); do
		left+=("${line/:/ }")
		"$(runtime_path "${line%%:*}")" delete -f "${line#*:}" >/dev/null 2>&1
	done
	((${#left[@]} == 0)) || { printf '# teardown: runtime state left: %s\n' "${left[@]}"; return 1; }
}

# ---------------------------------------------------------------------------------------
# Registration

@test "podman: the runtime under test is registered under its name, with its path" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}} {{.Host.CgroupManager}} {{.Store.GraphRoot}}'
		assert_success
		assert_output "$RT $(runtime_path "$RT") cgroupfs $PODMAN_DIR/graph"
	done
}

# bats test_tags=reference
@test "podman: the reference runtime runs containers on this host" {
	[[ -z $PODMAN_REF_SKIP ]] || skip "$PODMAN_REF_SKIP"
	[[ " $PODMAN_RUNTIMES " == *" $PODMAN_REF "* ]]
}

# ---------------------------------------------------------------------------------------
# run

@test "run --rm: the command's output comes back and the container is gone" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --name "$RT-rm" "$PODMAN_IMAGE" echo hello from "$RT"
		assert_success
		assert_output "hello from $RT"
		run --separate-stderr pm ps -aq --filter "name=$RT-rm"
		assert_success
		assert_output ""
	done
}

@test "run: exit codes: 3, 137 for SIGKILL, 126 not executable, 127 no such command" {
	local pid rc
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run pm run --rm "$PODMAN_IMAGE" sh -c 'exit 3'
		assert_equal "$status" 3
		# a foreground run whose container is killed from outside
		pm run --rm --name "$RT-killed" "$PODMAN_IMAGE" sleep 100 >/dev/null 2>&1 &
		pid=$!
		wait_for has_status "$RT-killed" running || fail "the container never ran"
		pm kill "$RT-killed" >/dev/null
		rc=0
		wait "$pid" || rc=$?
		assert_equal "$rc" 137
		run --separate-stderr pm run --rm "$PODMAN_IMAGE" /etc/passwd
		assert_equal "$status" 126
		assert_equal "$(grep -c /etc/passwd <<<"$stderr")" 1
		run -127 --separate-stderr pm run --rm "$PODMAN_IMAGE" /no/such/command
		assert_equal "$status" 127
		assert_equal "$(grep -c /no/such/command <<<"$stderr")" 1
	done
}

@test "run: the container's stdout and stderr stay apart" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm "$PODMAN_IMAGE" sh -c 'echo to-stdout; echo to-stderr >&2; echo more-stdout'
		assert_success
		assert_output $'to-stdout\nmore-stdout'
		assert_equal "$stderr" to-stderr
	done
}

@test "run -i: piped stdin reaches the container, and its end ends the input" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm -i "$PODMAN_IMAGE" sh -c 'cat; echo end' <<<$'line one\nline two'
		assert_success
		assert_output $'line one\nline two\nend'
		# without -i, the container's stdin is not the pipe
		run --separate-stderr pm run --rm "$PODMAN_IMAGE" sh -c 'cat; echo end' <<<'not read'
		assert_success
		assert_output end
	done
}

@test "run -it: a terminal: tty, typed input, and the shell's exit code" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run in_pty "$(pm_line) run --rm -it $PODMAN_IMAGE sh" <<<$'tty; echo TERM=$TERM\necho typed-$((6*7))\nexit 5'
		assert_equal "$status" 5
		assert_output --regexp $'/dev/pts/[0-9]+\r\nTERM=xterm'
		assert_output --partial $'\r\ntyped-42\r\n'
	done
}

@test "run -d: ps lists the container; logs has its stdout and its stderr apart" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run -d --name "$RT-d" "$PODMAN_IMAGE" sh -c 'echo to-stdout; echo to-stderr >&2; exec sleep 100'
		assert_success
		assert_output --regexp '^[0-9a-f]{64}$'
		run --separate-stderr pm ps --filter status=running --format '{{.Names}} {{.Command}}'
		assert_success
		assert_line --regexp "^$RT-d sh -c echo"
		wait_for logs_have "$RT-d" to-stderr || fail "no logs: $(pm logs "$RT-d" 2>&1)"
		run --separate-stderr pm logs "$RT-d"
		assert_success
		assert_output to-stdout
		assert_equal "$stderr" to-stderr
		pm rm -f -t 0 "$RT-d" >/dev/null
	done
}

# ---------------------------------------------------------------------------------------
# exec

@test "exec: exit code, stderr apart, --user, -w, -e, and -it under a terminal" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		pm run -d --name "$RT-exec" -e FROM_RUN=1 "$PODMAN_IMAGE" sleep 100 >/dev/null
		run --separate-stderr pm exec "$RT-exec" sh -c 'echo out; echo err >&2; exit 7'
		assert_equal "$status" 7
		assert_output out
		assert_equal "$stderr" err
		run --separate-stderr pm exec --user 1000 -w /tmp -e FROM_EXEC=2 "$RT-exec" \
			sh -c 'id -u; id -g; pwd; echo $FROM_RUN $FROM_EXEC; cat /proc/1/comm'
		assert_success
		assert_output $'1000\n1000\n/tmp\n1 2\nsleep'
		run in_pty "$(pm_line) exec -it $RT-exec sh -c 'tty; exit 4'" </dev/null
		assert_equal "$status" 4
		assert_output --regexp '/dev/pts/[0-9]+'
		pm rm -f -t 0 "$RT-exec" >/dev/null
	done
}

has_exec_died() { # has_exec_died CONTAINER EXIT-CODE
	pm events --stream=false --filter "container=$1" --filter event=exec_died \
		--format '{{.ContainerExitCode}}' 2>/dev/null | grep -qx "$2"
}

@test "exec -d: the detached process runs, and its exit status is in the exec_died event" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		pm run -d --name "$RT-execd" "$PODMAN_IMAGE" sleep 100 >/dev/null
		run --separate-stderr pm exec -d "$RT-execd" sh -c 'echo ran > /tmp/detached; exit 9'
		assert_success
		assert_output --regexp '^[0-9a-f]{64}$'
		wait_for has_exec_died "$RT-execd" 9 || fail "no exec_died event with exit code 9"
		run --separate-stderr pm exec "$RT-execd" cat /tmp/detached
		assert_output ran
		pm rm -f -t 0 "$RT-execd" >/dev/null
	done
}

@test "healthcheck run: a passing and a failing --health-cmd" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		# no interval: podman would make a systemd timer for it
		pm run -d --name "$RT-health" --health-cmd 'test -e /tmp/healthy' --health-interval disable \
			"$PODMAN_IMAGE" sleep 100 >/dev/null
		run --separate-stderr pm healthcheck run "$RT-health"
		assert_failure
		assert_output unhealthy
		pm exec "$RT-health" touch /tmp/healthy
		run --separate-stderr pm healthcheck run "$RT-health"
		assert_success
		run inspect "$RT-health" '{{.State.Health.Status}}'
		assert_output healthy
		pm rm -f -t 0 "$RT-health" >/dev/null
	done
}

# ---------------------------------------------------------------------------------------
# The container's processes, from the host

@test "top: the process names are the commands (sleep, sh), not busybox" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		pm run -d --name "$RT-top" "$PODMAN_IMAGE" sh -c 'sleep 100 & wait' >/dev/null
		wait_for eval "pm top $RT-top comm | grep -qx 'sleep *'" || fail "no sleep process: $(pm top "$RT-top" 2>&1)"
		run --separate-stderr pm top "$RT-top" pid comm args
		assert_success
		assert_line --regexp '^1 +sh +sh -c sleep 100 & wait *$'
		assert_line --regexp '^[0-9]+ +sleep +sleep 100 *$'
		refute_output --partial busybox
		pm rm -f -t 0 "$RT-top" >/dev/null
	done
}

# bats test_tags=cgroup
@test "stats --no-stream: the container's pids and memory, from its cgroup" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		pm run -d --name "$RT-stats" --memory 64m "$PODMAN_IMAGE" sh -c 'sleep 100 & sleep 100 & wait' >/dev/null
		wait_for eval "pm top $RT-stats comm | grep -c sleep | grep -qx 2" || fail "the sleeps did not start"
		run --separate-stderr pm stats --no-stream --format '{{.Name}} {{.PIDs}} {{.MemUsage}}' "$RT-stats"
		assert_success
		assert_output --regexp "^$RT-stats 3 [0-9.]+[kM]?B / 67.11MB$"
		pm rm -f -t 0 "$RT-stats" >/dev/null
	done
}

# ---------------------------------------------------------------------------------------
# Lifecycle

@test "stop: SIGTERM stops a process that handles it; one that ignores it is killed after -t 1 (137)" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		pm run -d --name "$RT-term" "$PODMAN_IMAGE" \
			sh -c 'trap "echo got TERM; exit 0" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
		wait_for logs_have "$RT-term" ready || fail "the container never got ready"
		run --separate-stderr pm stop -t 30 "$RT-term"
		assert_success
		run inspect "$RT-term" '{{.State.Status}} {{.State.ExitCode}}'
		assert_output "exited 0"
		wait_for logs_have "$RT-term" "got TERM" || fail "no trace of TERM: $(pm logs "$RT-term" 2>&1)"
		# PID 1 with no handler: TERM is ignored
		pm run -d --name "$RT-ignores" "$PODMAN_IMAGE" sleep 100 >/dev/null
		run --separate-stderr pm stop -t 1 "$RT-ignores"
		assert_success
		run inspect "$RT-ignores" '{{.State.Status}} {{.State.ExitCode}}'
		assert_output "exited 137"
		pm rm -f -t 0 "$RT-term" "$RT-ignores" >/dev/null
	done
}

@test "kill -s: the signal reaches the process; a plain kill gives 137" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		pm run -d --name "$RT-kill" "$PODMAN_IMAGE" \
			sh -c 'trap "echo got USR1" USR1; echo ready; while :; do sleep 0.1; done' >/dev/null
		wait_for logs_have "$RT-kill" ready || fail "the container never got ready"
		run --separate-stderr pm kill -s USR1 "$RT-kill"
		assert_success
		wait_for logs_have "$RT-kill" "got USR1" || fail "no trace of USR1: $(pm logs "$RT-kill" 2>&1)"
		run has_status "$RT-kill" running
		assert_success
		pm kill "$RT-kill" >/dev/null
		run --separate-stderr pm wait "$RT-kill"
		assert_output 137
		pm rm -f -t 0 "$RT-kill" >/dev/null
	done
}

# bats test_tags=cgroup
@test "pause, unpause: the cgroup freezes and thaws; rm -f removes a paused container" {
	local cgroup pid
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		pm run -d --name "$RT-pause" "$PODMAN_IMAGE" sleep 100 >/dev/null
		cgroup=$(inspect "$RT-pause" '{{.State.CgroupPath}}')
		pid=$(inspect "$RT-pause" '{{.State.Pid}}')
		run --separate-stderr pm pause "$RT-pause"
		assert_success
		run status_of "$RT-pause"
		assert_output paused
		run freezer_state "$cgroup"
		assert_output FROZEN
		run --separate-stderr pm unpause "$RT-pause"
		assert_success
		run status_of "$RT-pause"
		assert_output running
		run freezer_state "$cgroup"
		assert_output THAWED
		run --separate-stderr pm exec "$RT-pause" echo alive
		assert_output alive
		pm pause "$RT-pause" >/dev/null
		run --separate-stderr pm rm -f -t 0 "$RT-pause"
		assert_success
		run --separate-stderr pm ps -aq --filter "name=$RT-pause"
		assert_output ""
		wait_for test ! -e "/proc/$pid" || fail "the paused container's process $pid is still there"
		run cgroups_named "$(basename "$cgroup")"
		assert_output ""
	done
}

@test "start, restart: a created container starts; restart runs a new process" {
	local pid
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		pm create --name "$RT-start" "$PODMAN_IMAGE" sh -c 'echo started; exec sleep 100' >/dev/null
		run status_of "$RT-start"
		assert_output created
		run --separate-stderr pm start "$RT-start"
		assert_success
		run status_of "$RT-start"
		assert_output running
		pid=$(inspect "$RT-start" '{{.State.Pid}}')
		run --separate-stderr pm restart -t 0 "$RT-start"
		assert_success
		run inspect "$RT-start" '{{.State.Status}} {{ne .State.Pid '"$pid"'}}'
		assert_output "running true"
		wait_for eval "[[ \$(pm logs $RT-start | grep -c started) == 2 ]]" ||
			fail "the command did not run twice: $(pm logs "$RT-start" 2>&1)"
		pm rm -f -t 0 "$RT-start" >/dev/null
	done
}

restarted_twice() {
	[[ $(inspect "$1" '{{.RestartCount}} {{.State.Status}}') == "2 exited" ]]
}

@test "--restart=on-failure:2: a failing container is restarted twice, then stays exited" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		pm run -d --name "$RT-restart" --restart on-failure:2 "$PODMAN_IMAGE" sh -c 'echo attempt; exit 3' >/dev/null
		wait_for restarted_twice "$RT-restart" ||
			fail "not restarted twice: $(inspect "$RT-restart" '{{.RestartCount}} {{.State.Status}}')"
		run inspect "$RT-restart" '{{.State.ExitCode}}'
		assert_output 3
		run --separate-stderr pm logs "$RT-restart"
		assert_output $'attempt\nattempt\nattempt'
		pm rm -f -t 0 "$RT-restart" >/dev/null
	done
}

@test "wait: the exit code of a running container, and of one that has exited" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		pm run -d --name "$RT-wait" "$PODMAN_IMAGE" sh -c 'sleep 1; exit 42' >/dev/null
		run --separate-stderr pm wait "$RT-wait"
		assert_success
		assert_output 42
		run --separate-stderr pm wait "$RT-wait"
		assert_output 42
		pm rm -f -t 0 "$RT-wait" >/dev/null
	done
}

# bats test_tags=cgroup
@test "update --memory --cpus: the new limits are read back inside the container" {
	pm_has_update || skip "podman $(podman --version | awk '{ print $3 }') has no update command"
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		pm run -d --name "$RT-update" --memory 64m --cpus 0.5 "$PODMAN_IMAGE" sleep 100 >/dev/null
		run --separate-stderr pm exec "$RT-update" sh -c "$IN_MEMORY_LIMIT; $IN_CPU_LIMIT"
		assert_output $'67108864\n50000 100000'
		run --separate-stderr pm update --memory 128m --cpus 1.5 "$RT-update"
		assert_success
		run --separate-stderr pm exec "$RT-update" sh -c "$IN_MEMORY_LIMIT; $IN_CPU_LIMIT"
		assert_output $'134217728\n150000 100000'
		pm rm -f -t 0 "$RT-update" >/dev/null
	done
}

pm_has_update() {
	RT=$PODMAN_RT pm update --help >/dev/null 2>&1
}

# ---------------------------------------------------------------------------------------
# Resources

# bats test_tags=cgroup, vm-smoke
@test "--memory: an OOM kill exits 137, and inspect says OOMKilled" {
	local bundle
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		pm create --name "$RT-oom" --memory 32m "$PODMAN_IMAGE" tail /dev/zero >/dev/null
		# conmon 2.1 writes its "oom" marker into its working directory, podman 4.3 reads
		# it from the bundle: start from there so that the two meet
		bundle=$(inspect "$RT-oom" '{{.StaticDir}}')
		PM_CWD=$bundle run --separate-stderr pm start -a "$RT-oom"
		assert_equal "$status" 137
		run inspect "$RT-oom" '{{.State.ExitCode}} {{.State.OOMKilled}}'
		assert_output "137 true"
		pm rm -f -t 0 "$RT-oom" >/dev/null
	done
}

# bats test_tags=cgroup
@test "--pids-limit: pids.max inside, and a fork past it fails" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --pids-limit 12 "$PODMAN_IMAGE" sh -c \
			"$IN_PIDS_LIMIT; (i=0; while [ \$i -lt 20 ]; do sleep 10 & i=\$((i+1)); done); echo survived"
		assert_line --index 0 12
		assert_line survived
		[[ $stderr == *"can't fork"* ]] || fail "every fork worked: $stderr"
	done
}

# bats test_tags=cgroup
@test "--cpus: the CFS quota and period, read inside the container" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --cpus 0.25 "$PODMAN_IMAGE" sh -c "$IN_CPU_LIMIT"
		assert_success
		assert_output '25000 100000'
		run --separate-stderr pm run --rm --cpu-period 50000 --cpu-quota 75000 "$PODMAN_IMAGE" sh -c "$IN_CPU_LIMIT"
		assert_success
		assert_output '75000 50000'
	done
}

# ---------------------------------------------------------------------------------------
# The process

@test "--user, --group-add: uid, gid and groups inside; a user by name" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --user 1000:1000 --group-add 27 --group-add 65534 "$PODMAN_IMAGE" \
			sh -c 'id -u; id -g; id -G | tr " " "\n" | sort -n | tr "\n" " "'
		assert_success
		assert_output $'1000\n1000\n27 1000 65534 '
		run --separate-stderr pm run --rm --user user "$PODMAN_IMAGE" sh -c 'id; echo $HOME'
		assert_success
		assert_output $'uid=1000(user) gid=1000(user) groups=1000(user)\n/home/user'
	done
}

@test "--cap-add, --cap-drop: CapEff inside" {
	local default
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm "$PODMAN_IMAGE" sh -c 'grep -E "^Cap(Prm|Eff|Bnd)" /proc/self/status'
		assert_success
		default=$(awk '/^CapEff/ { print $2 }' <<<"$output")
		assert_output "$(printf 'CapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s' "$default" "$default" "$default")"
		# CAP_NET_ADMIN (12), CAP_SYS_TIME (25)
		run --separate-stderr pm run --rm --cap-drop all --cap-add NET_ADMIN --cap-add SYS_TIME "$PODMAN_IMAGE" \
			sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/self/status'
		assert_output "$(printf 'CapEff:\t%016x\nCapBnd:\t%016x' $(((1 << 12) | (1 << 25))) $(((1 << 12) | (1 << 25))))"
		# CAP_CHOWN (0) off the default set
		run --separate-stderr pm run --rm --cap-drop CHOWN "$PODMAN_IMAGE" awk '/^CapEff/ { print $2 }' /proc/self/status
		assert_output "$(printf '%016x' $((0x$default & ~1)))"
	done
}

@test "--ulimit: limits under the hard ones; the configured defaults otherwise" {
	local nofile
	nofile=$(ulimit_below_hard -n 4096)
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --ulimit nofile=100:200 --ulimit nproc=50:60 "$PODMAN_IMAGE" \
			sh -c 'echo $(ulimit -Sn) $(ulimit -Hn) $(ulimit -Su) $(ulimit -Hu)'
		assert_success
		assert_output '100 200 50 60'
		run --separate-stderr pm run --rm "$PODMAN_IMAGE" sh -c 'echo $(ulimit -Sn) $(ulimit -Hn)'
		assert_output "$nofile $nofile"
	done
}

@test "--init: podman-init is PID 1, runs the command as its child and passes its exit code" {
	[[ $(grep -c '^init_path' "$CONTAINERS_CONF") == 1 ]] || skip "catatonit (podman's --init) is not installed"
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --init "$PODMAN_IMAGE" sh -c 'cat /proc/1/comm; echo $PPID; exit 5'
		assert_equal "$status" 5
		assert_output $'podman-init\n1'
	done
}

# ---------------------------------------------------------------------------------------
# Mounts

@test "--read-only: the root is read-only; /tmp, /var/tmp, /run are writable tmpfs" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --read-only "$PODMAN_IMAGE" sh -c \
			'touch /file || echo root-ro; for d in /tmp /var/tmp /run; do touch $d/f && echo $d-rw; done
			 awk "\$2 == \"/\" { split(\$4, o, \",\"); print \$2, o[1] } \$2 ~ /^\/(tmp|var\/tmp|run)$/ { print \$2, \$3 }" /proc/mounts | sort'
		assert_success
		# podman orders these mounts differently from one run to the next: sorted
		assert_output $'root-ro\n/tmp-rw\n/var/tmp-rw\n/run-rw\n/ ro\n/run tmpfs\n/tmp tmpfs\n/var/tmp tmpfs'
		assert_equal "$stderr" "touch: /file: Read-only file system"
	done
}

@test "--tmpfs: a tmpfs with the size and mode asked" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --tmpfs /scratch:rw,size=1m,mode=1770 "$PODMAN_IMAGE" sh -c \
			'awk "\$2 == \"/scratch\" { print \$3 }" /proc/mounts; stat -c %a /scratch; df -k /scratch | awk "NR == 2 { print \$2 }"'
		assert_success
		assert_output $'tmpfs\n1770\n1024'
	done
}

@test "-v: a read-write directory, a read-only one, and one file" {
	local host=$TEST_DIR/volume
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		rm -rf "$host"
		mkdir -p "$host/dir"
		echo from-host >"$host/dir/file"
		echo single >"$host/single"
		run --separate-stderr pm run --rm -v "$host/dir:/rw" -v "$host/dir:/ro:ro" -v "$host/single:/etc/single" \
			"$PODMAN_IMAGE" sh -c 'cat /rw/file; echo from-container > /rw/new; touch /ro/x || echo ro-refused
				cat /etc/single; echo changed > /etc/single'
		assert_success
		assert_output $'from-host\nro-refused\nsingle'
		assert_equal "$(cat "$host/dir/new")" from-container
		assert_equal "$(cat "$host/single")" changed
		[[ ! -e $host/dir/x ]] || fail "the read-only volume was written"
	done
}

@test "--shm-size: /dev/shm has the size asked" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --shm-size 16m "$PODMAN_IMAGE" sh -c \
			'awk "\$2 == \"/dev/shm\" { print \$3 }" /proc/mounts; df -k /dev/shm | awk "NR == 2 { print \$2 }"'
		assert_success
		assert_output $'tmpfs\n16384'
	done
}

# ---------------------------------------------------------------------------------------
# Devices and security

@test "--device: /dev/zero as /dev/mydev; a device given r only cannot be opened for writing" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --device /dev/zero:/dev/mydev "$PODMAN_IMAGE" sh -c \
			'stat -c "%F %t:%T" /dev/mydev; head -c 4 /dev/mydev | od -An -tx1; echo x > /dev/mydev && echo written'
		assert_success
		assert_output $'character special file 1:5\n 00 00 00 00\nwritten'
		[[ -c /dev/fuse ]] || continue
		run --separate-stderr pm run --rm --device /dev/fuse:/dev/myfuse:r "$PODMAN_IMAGE" sh -c \
			'exec 3</dev/myfuse && echo read-open; exec 4>/dev/myfuse && echo write-open'
		assert_failure
		assert_output read-open
		assert_equal "$stderr" "sh: can't create /dev/myfuse: Operation not permitted"
	done
}

@test "--privileged: every capability podman has, the host's devices, no seccomp" {
	local bounding block
	bounding=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	block=$(find /dev -maxdepth 1 -type b -print -quit)
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --privileged "$PODMAN_IMAGE" sh -c \
			"awk '/^(CapEff|Seccomp):/ { print \$2 }' /proc/self/status; [ -z '$block' ] || [ -b '$block' ] && echo host-devices"
		assert_success
		assert_output "$bounding"$'\n0\nhost-devices'
	done
}

@test "seccomp: the default filter; a profile that denies mkdir (EPERM); unconfined" {
	local profile=$TEST_DIR/deny-mkdir.json
	cat >"$profile" <<-'EOF'
		{ "defaultAction": "SCMP_ACT_ALLOW",
		  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }
	EOF
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm "$PODMAN_IMAGE" sh -c 'grep "^Seccomp:" /proc/self/status; mkdir /tmp/d && echo made'
		assert_success
		assert_output $'Seccomp:\t2\nmade'
		run --separate-stderr pm run --rm --security-opt "seccomp=$profile" "$PODMAN_IMAGE" sh -c 'mkdir /tmp/d || echo refused; touch /tmp/f && echo touched'
		assert_success
		assert_output $'refused\ntouched'
		assert_equal "$stderr" "mkdir: can't create directory '/tmp/d': Operation not permitted"
		run --separate-stderr pm run --rm --security-opt seccomp=unconfined "$PODMAN_IMAGE" grep "^Seccomp:" /proc/self/status
		assert_output $'Seccomp:\t0'
	done
}

@test "--sysctl: net.ipv4.ip_forward=1 and others in the container's own namespaces" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --network none --sysctl net.ipv4.ip_forward=1 \
			--sysctl net.ipv4.ip_default_ttl=42 --sysctl kernel.msgmax=12345 "$PODMAN_IMAGE" \
			cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/ip_default_ttl /proc/sys/kernel/msgmax
		assert_success
		assert_output $'1\n42\n12345'
	done
	# the host's own values did not move
	[[ $(cat /proc/sys/net/ipv4/ip_default_ttl) != 42 && $(cat /proc/sys/kernel/msgmax) != 12345 ]]
}

# ---------------------------------------------------------------------------------------
# User namespaces

@test "--uidmap, --gidmap: the mappings; root's files stay root's inside" {
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm --uidmap 0:200000:65536 --gidmap 0:200000:65536 "$PODMAN_IMAGE" sh -c \
			'cat /proc/self/uid_map /proc/self/gid_map | tr -s " " | sed "s/^ //"; stat -c %u:%g /bin/busybox; touch /tmp/f && echo touched'
		assert_success
		assert_output $'0 200000 65536\n0 200000 65536\n0:0\ntouched'
	done
}

@test "--userns=auto: a range from the containers entries of /etc/subuid and /etc/subgid" {
	local subid=$TEST_DIR/subid
	# The host's /etc/subuid has no "containers" user: a private mount namespace binds a
	# file over both (podman and conmon stay in it, --rm undoes the rest).  No network:
	# podman's netns file, made in that namespace, would outlive it.
	echo containers:300000:131072 >"$subid"
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr unshare -m --propagation private sh -c \
			'mount --bind "$1" /etc/subuid && mount --bind "$1" /etc/subgid && shift && eval "$@"' sh \
			"$subid" "$(pm_line) run --rm --network none --userns=auto $PODMAN_IMAGE sh -c 'cat /proc/self/uid_map /proc/self/gid_map | tr -s \" \" | sed \"s/^ //\"; stat -c %u /bin/busybox'"
		assert_success
		assert_line --index 0 --regexp '^0 300000 [0-9]+$'
		assert_line --index 1 --regexp '^0 300000 [0-9]+$'
		assert_line --index 2 0
	done
}

# ---------------------------------------------------------------------------------------
# Cgroups

# bats test_tags=cgroup
@test "--cgroups=disabled: the container runs, and no cgroup is made for it" {
	local id
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		# podman refuses --cgroups=disabled for a runtime not in runtime_supports_nocgroup (runc)
		grep '^runtime_supports_nocgroup' "$CONTAINERS_CONF" | grep -qF "\"$RT\"" || continue
		pm run -d --name "$RT-nocg" --cgroups=disabled "$PODMAN_IMAGE" sh -c 'cat /proc/self/cgroup; exec sleep 100' \
			>"$TEST_DIR/id" 2>"$TEST_DIR/err" || fail "$(cat "$TEST_DIR/err")"
		id=$(cat "$TEST_DIR/id")
		wait_for logs_have "$RT-nocg" : || fail "no output"
		run --separate-stderr pm logs "$RT-nocg"
		refute_output --partial "$id"
		run cgroups_named "$id"
		assert_output ""
		pm rm -f -t 0 "$RT-nocg" >/dev/null
	done
}

# ---------------------------------------------------------------------------------------
# The systemd cgroup manager (tag systemd): podman asks the runtime for a scope of
# machine.slice (cgroupsPath "machine.slice:libpod:ID"), which the runtime makes through
# systemd's D-Bus API.  Each scenario is a function run once per runtime of
# PODMAN_SYSTEMD_RUNTIMES (setup_file), with RT set to it.

# pm_sd ARGS...: pm with podman's systemd cgroup manager (the file's containers.conf
# says cgroupfs).
pm_sd() {
	pm --cgroup-manager=systemd "$@"
}

systemd_runtimes_or_skip() {
	[[ ${SILO_TEST_SYSTEMD:-} == 1 ]] ||
		skip "podman's systemd cgroup manager needs systemd as PID 1: tests/vm/run.sh systemd"
	[[ -n $PODMAN_SYSTEMD_RUNTIMES ]] ||
		skip "no runtime for the systemd scenarios (SILO_TEST_PODMAN_SYSTEMD_RUNTIMES is empty)"
}

# unit_property UNIT PROPERTY: systemd's value for it (systemctl show --value).
unit_property() {
	systemctl show --value -p "$2" "$1"
}

# process_cgroup PID: its cgroup2 path, from the host's view.
process_cgroup() {
	sed -n 's/^0:://p' "/proc/$1/cgroup"
}

# assert_scope_limits SCOPE CGROUP FILE:VALUE...: each FILE has VALUE in the scope's
# cgroup or in CGROUP, the container's own (the scope itself, or a cgroup below it).  A
# runtime may write the limits on the scope (runc: as unit properties) or on a cgroup
# it makes below the delegated scope (crun 1.8: "container", the scope unlimited).
assert_scope_limits() {
	local scope=$CGROUP_MOUNT/machine.slice/$1 cgroup=$CGROUP_MOUNT$2 limit
	shift 2
	for limit; do
		run cat "$cgroup/${limit%%:*}" "$scope/${limit%%:*}"
		assert_line "${limit#*:}"
	done
}

# The container's scope (Delegate=yes, active), the limits inside it, and nothing left
# after rm (no unit, no cgroup named after the container).
systemd_scope_scenario() {
	local id scope pid cgroup
	run --separate-stderr pm_sd info --format '{{.Host.CgroupManager}}'
	assert_output systemd
	id=$(pm_sd run -d --name "$RT-sd" --memory 64m --pids-limit 32 --cpus 0.5 "$PODMAN_IMAGE" sleep 100) ||
		fail "podman run failed"
	scope=libpod-$id.scope
	run pm_sd inspect --format '{{.State.CgroupPath}}' "$RT-sd"
	assert_output "/machine.slice/$scope"
	pid=$(pm_sd inspect --format '{{.State.Pid}}' "$RT-sd")
	# the scope itself (runc) or a cgroup of its own below it (crun)
	cgroup=$(process_cgroup "$pid")
	[[ $cgroup =~ ^/machine.slice/$scope(/[^/]+)?$ ]] || fail "process $pid is in $cgroup, not in $scope"
	run systemctl show -p ActiveState -p Delegate -p MemoryMax -p TasksMax -p CPUQuotaPerSecUSec "$scope"
	echo "$output" | sed 's/^/# /'
	assert_line ActiveState=active
	assert_line Delegate=yes
	assert_scope_limits "$scope" "$cgroup" memory.max:67108864 pids.max:32 "cpu.max:50000 100000"
	run --separate-stderr pm_sd rm -f -t 0 "$RT-sd"
	assert_success
	wait_for test ! -e "$CGROUP_MOUNT/machine.slice/$scope" || fail "$scope's cgroup is still there"
	run unit_property "$scope" ActiveState
	assert_output inactive
	run systemctl list-units --all --no-legend --plain "*$id*"
	assert_output ""
	run cgroups_named "$id"
	assert_output ""
}

# bats test_tags=systemd
@test "--cgroup-manager=systemd: a libpod-ID.scope in machine.slice holds the limits; rm removes it" {
	systemd_runtimes_or_skip
	for RT in $PODMAN_SYSTEMD_RUNTIMES; do
		echo "# --runtime $RT"
		systemd_scope_scenario
	done
}

# pause freezes the container's cgroup in its scope; update changes the limits there;
# run --rm leaves no unit or cgroup.
systemd_lifecycle_scenario() {
	local id cgroup
	pm_sd run -d --name "$RT-sdp" --memory 64m --cpus 0.5 "$PODMAN_IMAGE" sleep 100 >"$TEST_DIR/id" ||
		fail "podman run failed"
	id=$(cat "$TEST_DIR/id")
	cgroup=$(process_cgroup "$(pm_sd inspect --format '{{.State.Pid}}' "$RT-sdp")")
	[[ $cgroup == "/machine.slice/libpod-$id.scope"* ]] || fail "not in the container's scope: $cgroup"
	run --separate-stderr pm_sd pause "$RT-sdp"
	assert_success
	run grep -x 'frozen 1' "$CGROUP_MOUNT$cgroup/cgroup.events"
	assert_success
	run --separate-stderr pm_sd unpause "$RT-sdp"
	assert_success
	run grep -x 'frozen 0' "$CGROUP_MOUNT$cgroup/cgroup.events"
	assert_success
	if pm_has_update; then
		run --separate-stderr pm_sd update --memory 128m --cpus 1.5 "$RT-sdp"
		assert_success
		assert_scope_limits "libpod-$id.scope" "$cgroup" memory.max:134217728 "cpu.max:150000 100000"
	fi
	run --separate-stderr pm_sd rm -f -t 0 "$RT-sdp"
	assert_success
	rm -f "$TEST_DIR/cid"
	run --separate-stderr pm_sd run --rm --cidfile "$TEST_DIR/cid" "$PODMAN_IMAGE" cat /proc/self/cgroup
	assert_success
	id=$(cat "$TEST_DIR/cid")
	wait_for eval "[[ -z \$(systemctl list-units --all --no-legend --plain 'libpod-*$id*') ]]" ||
		fail "units left: $(systemctl list-units --all --no-legend --plain "libpod-*$id*")"
	run cgroups_named "$id"
	assert_output ""
}

# bats test_tags=systemd
@test "--cgroup-manager=systemd: pause freezes the container, update changes its limits; run --rm leaves no unit" {
	systemd_runtimes_or_skip
	for RT in $PODMAN_SYSTEMD_RUNTIMES; do
		echo "# --runtime $RT"
		systemd_lifecycle_scenario
	done
}

# ---------------------------------------------------------------------------------------
# Network

@test "network: the default network gives eth0 an address and a route to its gateway; none has only lo" {
	local backend
	[[ ${SILO_TEST_VM:-} != 1 ]] || skip "the tests/vm guest's kernel has no bridge or veth module (podman runs with netns none there)"
	backend=$(RT=$PODMAN_RT pm info --format '{{.Host.NetworkBackend}}')
	if [[ $backend == cni ]] && ! ls /usr/lib/cni/bridge /usr/libexec/cni/bridge /opt/cni/bin/bridge >/dev/null 2>&1; then
		skip "neither netavark nor the CNI bridge plugin is installed"
	fi
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		run --separate-stderr pm run --rm "$PODMAN_IMAGE" sh -c \
			'ip -4 -o addr show eth0 | awk "{ print \$4 }"; gw=$(ip route | awk "/^default/ { print \$3 }"); echo gw=$gw; ping -c 1 -W 5 $gw >/dev/null && echo reached'
		assert_success
		assert_line --index 0 --regexp '^[0-9.]+/[0-9]+$'
		assert_line --regexp '^gw=[0-9.]+$'
		assert_line reached
		run --separate-stderr pm run --rm --network none "$PODMAN_IMAGE" sh -c \
			'ls /sys/class/net; readlink /proc/self/ns/net'
		assert_success
		assert_line --index 0 lo
		assert_equal "${#lines[@]}" 2
		[[ ${lines[1]} != "$(readlink /proc/self/ns/net)" ]] || fail "--network none shares the host's netns"
	done
}

# ---------------------------------------------------------------------------------------
# Errors and what is left behind

@test "a failing create: the runtime's message reaches podman's error, through the --log json file" {
	local id log
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		id=$(pm create --name "$RT-fail" --network none --sysctl net.ipv4.silo_no_such_sysctl=1 "$PODMAN_IMAGE" true)
		run --separate-stderr pm start "$RT-fail"
		assert_failure
		assert_equal "$(grep -c 'silo_no_such_sysctl' <<<"$stderr")" 1
		[[ $RT != silo ]] || assert_equal "$(grep -c 'linux.sysctl.net.ipv4.silo_no_such_sysctl' <<<"$stderr")" 1
		# podman runs the runtime with --log-format=json --log RUNROOT/.../userdata/oci-log
		log=$PODMAN_DIR/run/overlay-containers/$id/userdata/oci-log
		[[ -s $log ]] || fail "no runtime log at $log"
		jq -e 'has("level") and has("msg") and has("time")' "$log" >/dev/null || fail "not JSON lines: $(cat "$log")"
		run jq -r 'select(.level == "error") | .msg' "$log"
		assert_success
		[[ -n $output && $stderr == *"$output"* ]] || fail "podman's error does not carry the log's: $output"
		pm rm -f -t 0 "$RT-fail" >/dev/null
	done
}

# bats test_tags=cgroup
@test "run --rm leaves no state: no runtime state, cgroup, mount, netns or conmon" {
	local id netns_before
	for RT in $PODMAN_RUNTIMES; do
		echo "# --runtime $RT"
		netns_before=$(ls /run/netns 2>/dev/null || true)
		rm -f "$TEST_DIR/cid"
		run --separate-stderr pm run --rm --cidfile "$TEST_DIR/cid" "$PODMAN_IMAGE" true
		assert_success
		id=$(cat "$TEST_DIR/cid")
		[[ $id =~ ^[0-9a-f]{64}$ ]] || fail "no container id in the cidfile: $id"
		run --separate-stderr pm ps -aq --no-trunc
		refute_output --partial "$id"
		wait_for eval "! pgrep -f 'conmon .*-c $id' >/dev/null" || fail "conmon for $id still runs"
		# podman passes no --root: the runtime's default one
		run "$(runtime_path "$RT")" state "$id"
		assert_failure
		run cgroups_named "$id"
		assert_output ""
		run grep -F -e "$id" -e "$PODMAN_DIR/graph/overlay/" /proc/self/mountinfo
		assert_output ""
		assert_equal "$(ls /run/netns 2>/dev/null)" "$netns_before"
		run pgrep -f "$id"
		assert_output ""
	done
}
