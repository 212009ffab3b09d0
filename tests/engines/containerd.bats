#!/usr/bin/env bats
# containerd: silo under the real containerd 1.6, its ctr client and its runc shim
# (containerd-shim-runc-v2, runtime io.containerd.runc.v2) with the shim's BinaryName
# pointing at silo, as contrib/containerd/config.toml registers it.
#
# The file starts a containerd of its own (root, state, socket and config under
# /tmp/silo-containerd-PID), imports a busybox image built here as an OCI archive, and
# runs every scenario in a private namespace, first with runc (for comparison: a runc
# failure is reported, never fatal; SILO_CTD_COMPARE=0 turns it off), then with the
# runtime under test, whose failures fail the test.  Every test leaves no task,
# container, snapshot, shim, cgroup, mount or state behind: teardown checks.
#
# The shim runs `RUNTIME --root $CTD_RUNC_ROOT/$CTD_NS --log BUNDLE/log.json
# --log-format json ...`; containerd shows the last "level":"error" line of that log.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load ../helpers/common
load ../helpers/oci-image
load ../helpers/containerd

CTD_SHIM=io.containerd.runc.v2
CTD_IMAGE=localhost/silo-bb:latest

# ---------------------------------------------------------------------------------------
# The private containerd

# bats 1.8 has no skip in setup_file: the reason goes to every test's setup.
setup_file() {
	export CTD_SKIP=
	[[ $EUID == 0 ]] || { CTD_SKIP="containerd: needs root"; return 0; }
	local tool
	for tool in containerd ctr containerd-shim-runc-v2 busybox jq sha256sum tar; do
		command -v "$tool" >/dev/null || { CTD_SKIP="containerd: $tool is not installed"; return 0; }
	done
	ROOT=/nonexistent detect_runtime
	export RUNTIME RUNTIME_KIND
	export CTD_DIR=/tmp/silo-containerd-$$
	export CTD_SOCK=$CTD_DIR/containerd.sock
	export CTD_NS=silo-test-$$
	export CTD_RUNC_ROOT=$CTD_DIR/runc-root
	export CTD_STATE_ROOT=$CTD_RUNC_ROOT/$CTD_NS
	export CTD_RUNC=
	if [[ ${SILO_CTD_COMPARE:-1} != 0 && $RUNTIME_KIND != runc ]]; then
		CTD_RUNC=$(command -v runc || true)
	fi
	# the shim keeps its socket under /run/containerd/s whatever the config says
	export CTD_RUN_DIR_EXISTED=
	[[ ! -d /run/containerd ]] || CTD_RUN_DIR_EXISTED=1

	rm -rf --one-file-system "$CTD_DIR"
	mkdir -p "$CTD_DIR"/{fifo,runc-root}
	cat >"$CTD_DIR/config.toml" <<-EOF
		version = 2
		root = "$CTD_DIR/root"
		state = "$CTD_DIR/state"
		# no CRI, no snapshotters but overlayfs, no /opt/containerd
		disabled_plugins = [
		  "io.containerd.grpc.v1.cri",
		  "io.containerd.internal.v1.opt",
		  "io.containerd.internal.v1.tracing",
		  "io.containerd.tracing.processor.v1.otlp",
		  "io.containerd.snapshotter.v1.aufs",
		  "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.native",
		  "io.containerd.snapshotter.v1.zfs",
		]
		[grpc]
		  address = "$CTD_SOCK"
		[debug]
		  level = "info"
	EOF
	start_containerd "$CTD_DIR"
	export CTD_PID=$CONTAINERD_PID
	wait_for ctr_ version >/dev/null 2>&1 ||
		fail "containerd did not start: $(tail -5 "$CTD_DIR/containerd.log")"
	build_image || fail "cannot build the test image"
	run ctr_ image import "$CTD_DIR/image.tar"
	assert_success
	assert_output --partial "$CTD_IMAGE"
}

teardown_file() {
	[[ -n ${CTD_DIR:-} && -d $CTD_DIR ]] || return 0
	local problems=() line dir
	sweep_namespace >"$CTD_DIR/sweep.txt"
	[[ ! -s $CTD_DIR/sweep.txt ]] || problems+=("$(cat "$CTD_DIR/sweep.txt")")
	if [[ -n ${CTD_PID:-} ]] && pid_alive "$CTD_PID"; then
		ctr_ image rm --sync "$CTD_IMAGE" >/dev/null 2>&1 || problems+=("cannot remove the image")
		# the namespace goes only when it is empty: no image, content, snapshot, container
		ctr_ namespaces rm "$CTD_NS" >/dev/null 2>"$CTD_DIR/ns.err" ||
			problems+=("namespace $CTD_NS not empty: $(cat "$CTD_DIR/ns.err")")
	fi
	while read -r line; do
		problems+=("$line")
	done < <(stop_containerd "${CTD_PID:-}" "$CTD_SOCK")
	# overlay snapshots and rootfs mounts, deepest first
	for line in $(awk -v d="$CTD_DIR" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		problems+=("mount left on $line")
		umount -l "$line" 2>/dev/null
	done
	# the namespace's parent cgroup (/NS), made by the runtime for cgroupsPath /NS/ID
	for dir in $(hierarchies); do
		[[ -d $dir/$CTD_NS ]] || continue
		rmdir "$dir/$CTD_NS" 2>/dev/null || problems+=("cgroup $dir/$CTD_NS not empty")
	done
	rm -rf --one-file-system "$CTD_DIR" || problems+=("cannot remove $CTD_DIR")
	if [[ -z $CTD_RUN_DIR_EXISTED ]]; then
		rmdir /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null || true
	fi
	if ((${#problems[@]})); then
		printf '# teardown_file: %s\n' "${problems[@]}"
		return 1
	fi
}

ctr_() {
	(
		close_extra_fds
		exec timeout --foreground -k 5 "$SILO_TEST_TIMEOUT" ctr --address "$CTD_SOCK" -n "$CTD_NS" "$@" </dev/null
	)
}

# The test image: static busybox as an OCI archive (tests/helpers/oci-image.bash).
build_image() {
	busybox_rootfs "$CTD_DIR/image/rootfs" &&
		oci_archive "$CTD_DIR/image/rootfs" "$CTD_IMAGE" "$CTD_DIR/image.tar"
}

# ---------------------------------------------------------------------------------------
# Per test

setup() {
	[[ -z $CTD_SKIP ]] || skip "$CTD_SKIP"
	T=t$BATS_TEST_NUMBER
	CTD_TEST_DIR=$CTD_DIR/$T
	rm -rf "$CTD_TEST_DIR"
	mkdir -p "$CTD_TEST_DIR"
	: >"$CTD_TEST_DIR/pids"
}

teardown() {
	local leftovers
	[[ -n ${CTD_TEST_DIR:-} ]] || return 0
	[[ -n ${BATS_TEST_COMPLETED:-} || -z ${stderr:-} ]] || printf '# last stderr: %s\n' "$stderr"
	leftovers=$(sweep_namespace)
	rm -rf "$CTD_TEST_DIR"
	if [[ -n $leftovers ]]; then
		printf '# teardown: %s\n' "$leftovers"
		return 1
	fi
}

# sweep_namespace: remove whatever a scenario left in the namespace and print one line
# per thing it had to remove: background processes, tasks, containers, snapshots, shims,
# state under the shim's root, cgroups, mounts.
sweep_namespace() {
	local id pid dir line kind
	if [[ -f ${CTD_TEST_DIR:-/nonexistent}/pids ]]; then
		for pid in $(cat "$CTD_TEST_DIR/pids"); do
			pid_alive "$pid" || continue
			echo "process $pid left running: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
			kill -KILL "$pid" 2>/dev/null
		done
		: >"$CTD_TEST_DIR/pids"
	fi
	for id in $(ctr_ task ls -q 2>/dev/null); do
		echo "task $id left"
		[[ $(task_status "$id") != PAUSED ]] || ctr_ task resume "$id" >/dev/null 2>&1
		ctr_ task kill --all -s KILL "$id" >/dev/null 2>&1
		wait_for task_status_is "$id" STOPPED
		ctr_ task rm -f "$id" >/dev/null 2>&1 || echo "cannot delete task $id"
	done
	for id in $(ctr_ containers ls -q 2>/dev/null); do
		echo "container $id left"
		ctr_ containers rm "$id" >/dev/null 2>&1 || echo "cannot remove container $id"
	done
	while read -r id _ kind; do
		[[ $kind == Active ]] || continue
		echo "snapshot $id left"
		ctr_ snapshots rm "$id" >/dev/null 2>&1
	done < <(ctr_ snapshots ls 2>/dev/null | tail -n +2)
	# a shim exits once its task is deleted
	wait_for eval '[[ -z $(shim_pids "$CTD_SOCK") ]]' || for pid in $(shim_pids "$CTD_SOCK"); do
		echo "shim $pid left running"
		kill -KILL "$pid"
	done
	# .seccomp-cache: silo's compiled seccomp programs, kept on purpose
	for id in $(ls -A "$CTD_STATE_ROOT" 2>/dev/null | grep -vx .seccomp-cache); do
		echo "state left under the shim's root: $CTD_STATE_ROOT/$id"
		"$RUNTIME" --root "$CTD_STATE_ROOT" delete --force "$id" >/dev/null 2>&1
		rm -rf "${CTD_STATE_ROOT:?}/$id"
	done
	for dir in $(find "$CGROUP_MOUNT"/*/"$CTD_NS" -mindepth 1 -maxdepth 2 -type d 2>/dev/null | sort -r); do
		echo "cgroup left: $dir"
		[[ ! -f $dir/freezer.state ]] || echo THAWED >"$dir/freezer.state" 2>/dev/null
		xargs -r kill -KILL <"$dir/cgroup.procs" 2>/dev/null
		wait_for rmdir "$dir" 2>/dev/null || echo "cannot remove $dir"
	done
	# the container's rootfs, mounted by the shim in the bundle (image layers are no mounts)
	for line in $(awk -v d="$CTD_DIR/state" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		echo "mount left on $line"
		umount -l "$line" 2>/dev/null
	done
	return 0
}

register_pid() {
	echo "$1" >>"$CTD_TEST_DIR/pids"
}

task_status() {
	ctr_ task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}
task_status_is() { [[ $(task_status "$1") == "$2" ]]; }
wait_task_status() {
	wait_for task_status_is "$1" "$2" || fail "task $1 never reached $2 (now: $(task_status "$1"))"
}

# each_runtime SCENARIO [ARGS...]: run SCENARIO with RT=runc (when installed: a failure is
# shown, not fatal) and then with RT=$RUNTIME, whose failure fails the test.  RT_NAME
# is runc or silo, for ids.
each_runtime() {
	local rc=0 leftovers
	if [[ -n $CTD_RUNC ]]; then
		(
			RT=$CTD_RUNC RT_NAME=runc
			"$@"
		) >"$CTD_TEST_DIR/runc.log" 2>&1 &
		wait $! || rc=$?
		leftovers=$(sweep_namespace)
		if ((rc)) || [[ -n $leftovers ]]; then
			{
				echo "# runc (for comparison) fails this scenario (exit $rc):"
				{ cat "$CTD_TEST_DIR/runc.log"; [[ -z $leftovers ]] || echo "$leftovers"; } | sed 's/^/#   /'
			} >&3
		else
			echo "runc (for comparison): passes"
		fi
	fi
	RT=$RUNTIME RT_NAME=silo "$@"
}

# ctr_run ID [CTR-RUN-FLAGS...] -- COMMAND...: `ctr run` of the test image with RT as the
# shim's binary.
ctr_run() {
	local id=$1 flags=()
	shift
	while (($#)) && [[ $1 != -- ]]; do
		flags+=("$1")
		shift
	done
	shift
	ctr_ run --runtime "$CTD_SHIM" --runc-binary "$RT" --runc-root "$CTD_RUNC_ROOT" \
		--fifo-dir "$CTD_DIR/fifo" "${flags[@]}" "$CTD_IMAGE" "$id" "$@"
}

# ctr_run_bg ID [FLAGS...] -- COMMAND...: ctr_run --rm in the background, its output in
# $CTD_TEST_DIR/ID.out; BG_PID is ctr's pid.
ctr_run_bg() {
	local id=$1
	shift
	ctr_run "$id" --rm "$@" >"$CTD_TEST_DIR/$id.out" 2>&1 &
	BG_PID=$!
	register_pid "$BG_PID"
}

# in_pty COMMAND...: COMMAND under script(1)'s pty; output without CRs and NULs.
in_pty() {
	local cmd
	printf -v cmd '%q ' timeout --foreground -k 5 "$SILO_TEST_TIMEOUT" "$@"
	(
		close_extra_fds
		# script runs its command with $SHELL, /bin/sh in CI
		SHELL=/bin/bash exec script -qec "$cmd" /dev/null </dev/null
	) | tr -d '\r\0' | sed 's/\^@//g'
	return "${PIPESTATUS[0]}"
}

# The runtime itself on the shim's state root.
rt_() {
	(
		close_extra_fds
		exec timeout --foreground -k 5 "$SILO_TEST_TIMEOUT" "$RT" --root "$CTD_STATE_ROOT" "$@" </dev/null
	)
}

# A device node of the host outside ctr's default set, for --device and --privileged.
host_device() {
	local dev
	for dev in /dev/fuse /dev/net/tun /dev/loop-control /dev/kvm; do
		[[ -c $dev ]] && { echo "$dev"; return 0; }
	done
	return 1
}

CGROUP_MOUNT_FLAG=(--mount type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:nodev:noexec)

# ---------------------------------------------------------------------------------------
# Scenarios (RT, RT_NAME set by each_runtime)

sc_run_output() {
	local id=$T-$RT_NAME
	run --separate-stderr ctr_run "$id" --rm --cwd /tmp --env FOO=bar -- \
		sh -c 'echo out; echo err >&2; echo "cwd=$(pwd) FOO=$FOO"; exit 3'
	assert_equal "$status" 3
	assert_output "out"$'\n'"cwd=/tmp FOO=bar"
	assert_equal "$stderr" err
	run --separate-stderr ctr_run "$id" --rm -- true
	assert_success
	assert_output ""
	run ctr_ containers ls -q
	assert_output ""
}

sc_run_killed() {
	local id=$T-$RT_NAME rc=0
	# SIGTERM, the default of `task kill`, to an init that handles it
	ctr_run_bg "$id" -- sh -c 'trap "echo got-term; exit 7" TERM; sleep 600 & echo ready; wait'
	wait_for grep -q ready "$CTD_TEST_DIR/$id.out" || fail "no start: $(cat "$CTD_TEST_DIR/$id.out")"
	ctr_ task kill "$id"
	wait "$BG_PID" || rc=$?
	assert_equal "exit $rc: $(cat "$CTD_TEST_DIR/$id.out")" "exit 7: ready"$'\n'"got-term"
	# SIGKILL: 128 + 9
	rc=0
	ctr_run_bg "$id" -- sh -c 'echo ready; exec sleep 600'
	wait_for grep -q ready "$CTD_TEST_DIR/$id.out" || fail "no start: $(cat "$CTD_TEST_DIR/$id.out")"
	wait_task_status "$id" RUNNING
	ctr_ task kill -s KILL "$id"
	wait "$BG_PID" || rc=$?
	assert_equal "exit $rc" "exit 137"
}

sc_run_tty() {
	local id=$T-$RT_NAME
	run in_pty ctr --address "$CTD_SOCK" -n "$CTD_NS" run --rm -t --runtime "$CTD_SHIM" \
		--runc-binary "$RT" --runc-root "$CTD_RUNC_ROOT" --fifo-dir "$CTD_DIR/fifo" \
		"$CTD_IMAGE" "$id" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys; exit 6'
	assert_equal "$status" 6
	assert_line /dev/pts/0
	assert_line all-ttys
}

sc_exec() {
	local id=$T-$RT_NAME
	run ctr_run "$id" -d -- sleep 600
	assert_success
	wait_task_status "$id" RUNNING
	run --separate-stderr ctr_ task exec --exec-id e1 "$id" sh -c 'echo out; echo err >&2; exit 4'
	assert_equal "$status" 4
	assert_output out
	assert_equal "$stderr" err
	run ctr_ task exec --exec-id e2 --user 1000 "$id" id
	assert_success
	assert_output "uid=1000(user) gid=1000(user) groups=1000(user)"
	run ctr_ task exec --exec-id e3 --user user --cwd /home/user "$id" sh -c 'id -un; pwd'
	assert_success
	assert_output "user"$'\n'"/home/user"
	# the exec'd process is in the init's namespaces
	run ctr_ task exec --exec-id e4 "$id" sh -c 'cat /proc/1/comm; [ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/1/ns/mnt)" ] && echo same-mntns'
	assert_success
	assert_output "sleep"$'\n'"same-mntns"
	if command -v script >/dev/null; then
		run in_pty ctr --address "$CTD_SOCK" -n "$CTD_NS" task exec -t --exec-id e5 "$id" \
			sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo all-ttys; exit 5'
		assert_equal "$status" 5
		assert_line --regexp '^/dev/pts/[0-9]+$'
		assert_line all-ttys
	fi
	# an exec that cannot start: the error reaches ctr, the task keeps running
	run ctr_ task exec --exec-id e6 "$id" /no/such/binary
	assert_failure
	assert_output --partial /no/such/binary
	assert_equal "$(task_status "$id")" RUNNING
	kill_and_remove "$id"
}

# kill_and_remove ID: SIGKILL the task, wait for it to stop, remove task and container.
kill_and_remove() {
	ctr_ task kill -s KILL "$1"
	wait_task_status "$1" STOPPED
	run ctr_ task rm "$1"
	assert_success
	run ctr_ containers rm "$1"
	assert_success
}

sc_ps_metrics() {
	local id=$T-$RT_NAME init
	run ctr_run "$id" -d -- sh -c 'sleep 600 & exec sleep 601'
	assert_success
	wait_task_status "$id" RUNNING
	init=$(ctr_ task ls | awk -v id="$id" '$1 == id { print $2 }')
	wait_for eval '[[ $(pgrep -P '"$init"' | wc -l) == 1 ]]' || fail "the child sleep did not start"
	# `ps --format json` is a bare array of host pids
	run rt_ ps --format json "$id"
	assert_success
	jq -e 'type == "array" and length == 2 and all(.[]; type == "number")' <<<"$output" >/dev/null ||
		fail "ps --format json: $output"
	assert_equal "$(jq -r 'sort | join(" ")' <<<"$output")" "$(echo $( (echo "$init"; pgrep -P "$init") | sort -n))"
	run ctr_ task ps "$id"
	assert_success
	assert_equal "$(tail -n +2 <<<"$output" | awk '{ print $1 }' | sort -n | xargs)" \
		"$(echo $( (echo "$init"; pgrep -P "$init") | sort -n))"
	# metrics: containerd reads the cgroup the runtime put the task in
	run ctr_ task metrics --format json "$id"
	assert_success
	local pids
	pids=$(jq -r '.Data.pids.current // .pids.current // empty' <<<"$output")
	assert_equal "pids.current=$pids" "pids.current=2"
	jq -e '(.Data.memory.usage.usage // .memory.usage.usage // 0) > 0' <<<"$output" >/dev/null ||
		fail "no memory usage in metrics: $output"
	ctr_ task kill -s KILL "$id"
	wait_task_status "$id" STOPPED
	ctr_ task rm "$id" >/dev/null 2>&1
	ctr_ containers rm "$id"
}

sc_pause_resume() {
	local id=$T-$RT_NAME
	run ctr_run "$id" -d -- sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/tick; sleep 0.05; done'
	assert_success
	wait_task_status "$id" RUNNING
	run ctr_ task pause "$id"
	assert_success
	assert_equal "$(task_status "$id")" PAUSED
	assert_equal "$(rt_ state "$id" | jq -r .status)" paused
	local dir
	for dir in $(hierarchies); do
		[[ -f $dir/$CTD_NS/$id/freezer.state ]] && assert_equal "$(cat "$dir/$CTD_NS/$id/freezer.state")" FROZEN
		[[ -f $dir/$CTD_NS/$id/cgroup.freeze && ! -f $CGROUP_MOUNT/freezer/$CTD_NS/$id/freezer.state ]] &&
			assert_equal "$(cat "$dir/$CTD_NS/$id/cgroup.freeze")" 1
	done
	run ctr_ task resume "$id"
	assert_success
	assert_equal "$(task_status "$id")" RUNNING
	assert_equal "$(rt_ state "$id" | jq -r .status)" running
	run ctr_ task exec --exec-id e1 "$id" sh -c 'a=$(cat /tmp/tick); sleep 0.3; b=$(cat /tmp/tick); [ "$a" != "$b" ] && echo ticking'
	assert_output ticking
	ctr_ task kill -s KILL "$id"
	wait_task_status "$id" STOPPED
	ctr_ task rm "$id" >/dev/null 2>&1
	ctr_ containers rm "$id"
}

sc_kill_all() {
	local id=$T-$RT_NAME rc=0 pids pid
	ctr_run_bg "$id" -- sh -c 'sleep 600 & sleep 601 & echo ready; wait'
	wait_for grep -q ready "$CTD_TEST_DIR/$id.out" || fail "no start: $(cat "$CTD_TEST_DIR/$id.out")"
	pids=$(rt_ ps --format json "$id" | jq -r '.[]')
	assert_equal "$(wc -w <<<"$pids")" 3
	run ctr_ task kill --all -s KILL "$id"
	assert_success
	wait "$BG_PID" || rc=$?
	assert_equal "exit $rc" "exit 137"
	for pid in $pids; do
		pid_gone "$pid" || fail "process $pid survived kill --all"
	done
}

# The shim deletes with `delete` (a "does not exist" error on stderr counts as done) and
# cleans up after a lost shim with `delete --force`: both on an id the runtime no longer
# has.
sc_delete_gone() {
	local id=$T-$RT_NAME bundle=$CTD_DIR/state/io.containerd.runtime.v2.task/$CTD_NS/$T-$RT_NAME
	run ctr_run "$id" -d -- sleep 600
	assert_success
	wait_task_status "$id" RUNNING
	# the container goes behind containerd's back
	run rt_ delete --force "$id"
	assert_success
	wait_task_status "$id" STOPPED
	[[ ! -e $CTD_STATE_ROOT/$id ]] || fail "delete --force left $CTD_STATE_ROOT/$id"
	# `delete --force` of the gone id, as the shim's cleanup runs it
	: >"$bundle/log.json"
	run --separate-stderr rt_ --log "$bundle/log.json" --log-format json delete --force "$id"
	assert_success
	assert_equal "$(cat "$bundle/log.json")" ""
	# the cleanup itself (what containerd runs once a shim is gone; it only warns, and its
	# reaper sometimes loses the runtime's exit status, as "exit status 255: ", for runc too)
	run --separate-stderr bash -c 'cd "$1" && exec containerd-shim-runc-v2 -namespace "$2" -id "$3" -address "$4" delete' \
		_ "$bundle" "$CTD_NS" "$id" "$CTD_SOCK"
	assert_success
	if [[ $stderr == *"failed to remove runc container"* && $stderr != *"exit status 255: \""* ]]; then
		fail "shim cleanup: $stderr"
	fi
	# the shim's own delete: `RUNTIME delete ID` fails with "does not exist", which it accepts
	run ctr_ task rm "$id"
	assert_success
	run ctr_ containers rm "$id"
	assert_success
}

sc_resources() {
	local id=$T-$RT_NAME
	local show='if [ -d /sys/fs/cgroup/memory ]; then
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us \
			/sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.shares
	else
		cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight
	fi'
	run --separate-stderr ctr_run "$id" --rm --memory-limit 33554432 --cpus 0.5 --cpu-shares 512 \
		"${CGROUP_MOUNT_FLAG[@]}" -- sh -c "$show"
	assert_success
	if [[ -d $CGROUP_MOUNT/memory ]]; then
		assert_output $'33554432\n50000\n100000\n512'
	else
		assert_output --regexp $'^33554432\n50000 100000\n[0-9]+$'
	fi
	run --separate-stderr ctr_run "$id" --rm --cpu-quota 20000 --cpu-period 40000 \
		"${CGROUP_MOUNT_FLAG[@]}" -- sh -c "$show"
	assert_success
	if [[ -d $CGROUP_MOUNT/memory ]]; then
		assert_output $'9223372036854771712\n20000\n40000\n1024'
	else
		assert_output --regexp $'^max\n20000 40000\n[0-9]+$'
	fi
}

sc_seccomp() {
	local id=$T-$RT_NAME
	run ctr_run "$id" --rm -- sh -c 'grep "^Seccomp:" /proc/self/status'
	assert_success
	assert_output --regexp $'^Seccomp:\t0$'
	run ctr_run "$id" --rm --seccomp -- sh -c 'grep "^Seccomp:" /proc/self/status; unshare -U true 2>&1; echo unshare=$?'
	assert_success
	assert_line --regexp $'^Seccomp:\t2$'
	assert_line --partial "Operation not permitted"
	assert_line unshare=1
}

sc_read_only() {
	local id=$T-$RT_NAME
	run ctr_run "$id" --rm --read-only -- sh -c 'touch /x 2>&1; echo touch=$?; awk '\''$2 == "/" { print $4 }'\'' /proc/mounts | cut -d, -f1; touch /dev/shm/y && echo shm-rw'
	assert_success
	assert_output --partial "Read-only file system"
	assert_line touch=1
	assert_line ro
	assert_line shm-rw
}

sc_privileged() {
	local id=$T-$RT_NAME dev bounding masked=
	dev=$(host_device)
	bounding=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
	# a file of ctr's default maskedPaths that this kernel has (masked: /dev/null on it)
	for masked in /proc/keys /proc/timer_list /proc/kcore ""; do
		[[ ! -f $masked ]] || break
	done
	local probe="
		[ -c $dev ] && echo has-device
		awk '\$2 == \"/sys\" { print \"sys-\" substr(\$4, 1, 2) }' /proc/mounts
		if [ -n '$masked' ]; then [ -c '$masked' ] && echo masked || echo unmasked; fi"
	run ctr_run "$id" --rm --privileged -- sh -c "awk '\$1 == \"CapEff:\" { print \$2 }' /proc/self/status; $probe"
	assert_success
	assert_line "$bounding"
	assert_line has-device
	assert_line sys-rw
	[[ -z $masked ]] || assert_line unmasked
	run ctr_run "$id" --rm -- sh -c "$probe"
	assert_success
	refute_line has-device
	assert_line sys-ro
	[[ -z $masked ]] || assert_line masked
}

sc_device() {
	local id=$T-$RT_NAME dev want
	dev=$(host_device)
	want=$(stat -c '%F %t:%T' "$dev")
	run ctr_run "$id" --rm --device "$dev" -- sh -c "stat -c '%F %t:%T' $dev; head -c0 <$dev && echo opened"
	assert_success
	assert_output "$want"$'\nopened'
	# without it, the device cgroup refuses a node made by hand
	run ctr_run "$id" --rm -- sh -c "mknod /tmp/dev c $((0x$(stat -c %t "$dev"))) $((0x$(stat -c %T "$dev"))) && { head -c0 </tmp/dev; } 2>&1; echo open=\$?"
	assert_success
	assert_output --partial "Operation not permitted"
	assert_line open=1
}

sc_bind_mounts() {
	local id=$T-$RT_NAME src=$CTD_TEST_DIR/$RT_NAME-bind
	mkdir -p "$src/ro" "$src/rw"
	echo from-host >"$src/ro/file"
	run ctr_run "$id" --rm \
		--mount "type=bind,src=$src/ro,dst=/mnt/ro,options=rbind:ro" \
		--mount "type=bind,src=$src/rw,dst=/mnt/rw,options=rbind:rw" -- \
		sh -c 'cat /mnt/ro/file; touch /mnt/ro/new 2>&1; echo from-container >/mnt/rw/file'
	assert_success
	assert_line from-host
	assert_line --partial "Read-only file system"
	assert_equal "$(cat "$src/rw/file")" from-container
	[[ ! -e $src/ro/new ]] || fail "the read-only bind was written"
}

# containerd shows the last "level":"error" line of the runtime's log.json, not stderr.
sc_create_error() {
	local id=$T-$RT_NAME missing=$CTD_TEST_DIR/no-such-dir
	run ctr_run "$id" --rm --mount "type=bind,src=$missing,dst=/mnt,options=rbind:ro" -- true
	assert_failure
	# one line: "ctr: failed to create shim task: OCI runtime create failed: MESSAGE: unknown"
	assert_equal "$(grep -c . <<<"$output")" 1
	assert_output --partial "OCI runtime create failed"
	assert_output --partial "$missing"
	assert_output --regexp '[Nn]o such file or directory'
	run ctr_run "$id" --rm --mount "type=nosuchfs,src=none,dst=/mnt" -- true
	assert_failure
	assert_output --partial "OCI runtime create failed"
	assert_output --regexp '[Nn]o such device'
	run ctr_ containers ls -q
	assert_output ""
}

# The shim's --root holds what other tools left (another runtime's state, a crashed
# create's directory, a file): list and delete still work.
sc_stray_state() {
	local id=$T-$RT_NAME
	mkdir -p "$CTD_STATE_ROOT/$T-stray-dir"
	touch "$CTD_STATE_ROOT/$T-stray-file"
	run ctr_run "$id" -d -- sleep 600
	assert_success
	wait_task_status "$id" RUNNING
	run --separate-stderr rt_ list -q
	assert_success
	assert_line "$id"
	[[ $'\n'$output$'\n' != *$'\n'$T-stray-* ]] || fail "list shows a stray entry: $output"
	run --separate-stderr rt_ list --format json
	assert_success
	assert_equal "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .status' <<<"$output")" running
	kill_and_remove "$id"
	[[ ! -e $CTD_STATE_ROOT/$id ]] || fail "state of $id left"
	run --separate-stderr rt_ list -q
	assert_success
	[[ $'\n'$output$'\n' != *$'\n'$id$'\n'* ]] || fail "list still shows $id: $output"
	# the stray directory (no state.json) goes with --force, as runc does
	run --separate-stderr rt_ delete --force "$T-stray-dir"
	assert_success
	[[ ! -e $CTD_STATE_ROOT/$T-stray-dir ]] || fail "delete --force kept $T-stray-dir"
	rm -f "$CTD_STATE_ROOT/$T-stray-file"
}

sc_oom() {
	local id=$T-$RT_NAME events_pid
	(
		close_extra_fds
		exec timeout -k 5 "$SILO_TEST_TIMEOUT" ctr --address "$CTD_SOCK" -n "$CTD_NS" events </dev/null
	) >"$CTD_TEST_DIR/$id.events" 2>&1 &
	events_pid=$!
	register_pid "$events_pid"
	sleep 0.3 # subscribed
	run ctr_run "$id" --rm --memory-limit 16777216 -- sh -c 'x=0123456789; while :; do x=$x$x; done'
	assert_equal "$status" 137
	wait_for grep -q '/tasks/delete.*"container_id":"'"$id"'"' "$CTD_TEST_DIR/$id.events" ||
		fail "no delete event: $(cat "$CTD_TEST_DIR/$id.events")"
	kill "$events_pid"
	wait "$events_pid" || true
	grep -q '/tasks/oom {"container_id":"'"$id"'"}' "$CTD_TEST_DIR/$id.events" ||
		fail "no /tasks/oom event: $(cat "$CTD_TEST_DIR/$id.events")"
	grep -q '/tasks/exit {"container_id":"'"$id"'".*"exit_status":137' "$CTD_TEST_DIR/$id.events" ||
		fail "no exit event with status 137: $(cat "$CTD_TEST_DIR/$id.events")"
}

# ---------------------------------------------------------------------------------------

@test "containerd: contrib/containerd/config.toml registers silo as an io.containerd.runc.v2 runtime" {
	run --separate-stderr containerd --config "$SRC_DIR/contrib/containerd/config.toml" config dump
	assert_success
	local section
	section=$(awk '/^ *\[/ { on = ($0 ~ /runtimes\.silo(\.options)?\]/) } on' <<<"$output")
	grep -q 'runtime_type = "io.containerd.runc.v2"' <<<"$section" || fail "no runtime_type: $section"
	grep -qE 'BinaryName = "/[^"]*silo"' <<<"$section" || fail "no BinaryName: $section"
}

@test "containerd: ctr run --rm: stdout, stderr, cwd, env and the exit code" {
	each_runtime sc_run_output
}

@test "containerd: task kill: SIGTERM to a handling init, SIGKILL gives 137" {
	each_runtime sc_run_killed
}

@test "containerd: ctr run -t under a pty" {
	command -v script >/dev/null || skip "script(1) is not installed"
	each_runtime sc_run_tty
}

@test "containerd: run -d, task exec: exit code, stdio, --user, --cwd, -t, a failed exec" {
	each_runtime sc_exec
}

@test "containerd: task ps (ps --format json) and task metrics" {
	each_runtime sc_ps_metrics
}

@test "containerd: task pause and resume" {
	each_runtime sc_pause_resume
}

@test "containerd: task kill --all -s KILL kills every process" {
	each_runtime sc_kill_all
}

@test "containerd: task delete and the shim's cleanup after the runtime's state is gone" {
	each_runtime sc_delete_gone
}

@test "containerd: --memory-limit, --cpus, --cpu-shares, --cpu-quota/--cpu-period in the cgroup" {
	each_runtime sc_resources
}

@test "containerd: --seccomp (the default profile)" {
	each_runtime sc_seccomp
}

@test "containerd: --read-only" {
	each_runtime sc_read_only
}

@test "containerd: --privileged" {
	host_device >/dev/null || skip "no device node of the host (fuse, tun, loop-control, kvm) to look for"
	each_runtime sc_privileged
}

@test "containerd: --device" {
	host_device >/dev/null || skip "no device node of the host (fuse, tun, loop-control, kvm) to pass"
	each_runtime sc_device
}

@test "containerd: --mount type=bind, rbind:ro and rbind:rw" {
	each_runtime sc_bind_mounts
}

@test "containerd: a failed create shows the runtime's error (log.json) in ctr" {
	each_runtime sc_create_error
}

@test "containerd: list and delete under the shim's --root tolerate entries of others" {
	each_runtime sc_stray_state
}

@test "containerd: an OOM-killed task: /tasks/oom event and exit status 137" {
	each_runtime sc_oom
}
