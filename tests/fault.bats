#!/usr/bin/env bats
# silo's compiled-in kill points (configure --enable-fault-injection): with
# SILO_FAULT_AT=<stage> the process that reaches that stage SIGKILLs itself (or stops,
# with SILO_FAULT_ACTION=stop).  The command must then fail, the container must be where
# the dead command left it (a second kill, pause, update or delete -f finishes the work),
# and `delete -f` must clean up everything; the shared teardown proves it (no mount,
# cgroup, state entry or process left).

load helpers/common
load helpers/cgroups

setup() {
	common_setup
	requires_fault_injection
	set_args sleep 600
}

# fault_at STAGE: create dies at STAGE; delete -f cleans up.
fault_at() {
	SILO_FAULT_AT=$1 run --separate-stderr rt_create "$ID"
	assert_failure
	run --separate-stderr rt delete -f "$ID"
	assert_success
	run rt state "$ID"
	assert_failure
	run rt list -q
	assert_output ''
}

@test "fault: the runtime dies after writing the creating state" {
	SILO_FAULT_AT=create-after-state run --separate-stderr rt_create "$ID"
	assert_failure
	# The record survives the crash (creating is persisted), so that delete -f finds it.
	run rt list -q
	assert_output "$ID"
	run --separate-stderr rt delete -f "$ID"
	assert_success
	run rt list -q
	assert_output ''
}

@test "fault: the runtime dies after creating the cgroups" {
	fault_at create-after-cgroup
}

@test "fault: the runtime dies after cloning the child" {
	fault_at create-after-clone
}

@test "fault: the runtime dies after moving the child into its cgroups" {
	fault_at create-after-enter
}

@test "fault: the child dies as it starts" {
	fault_at child-start
}

@test "fault: the child dies after the mounts" {
	fault_at child-after-mounts
}

@test "fault: the child dies just before reporting created" {
	fault_at child-before-created
}

@test "fault: the runtime dies just before saving created" {
	fault_at create-before-created
}

# The init's pid reaches the state with "created"; until the parent answers that, the
# init dies with it: no process is ever left that the state does not name.
@test "fault: create dies after saving created, before releasing the init: the init goes too" {
	SILO_FAULT_AT=create-after-created run --separate-stderr rt_create "$ID"
	assert_failure
	wait_status "$ID" stopped
	run --separate-stderr rt delete "$ID"
	assert_success
	run rt list -q
	assert_output ''
}

@test "fault: run dies after saving created, before starting the init: the program never runs" {
	set_args sh -c 'echo ran'
	register_id "$ID"
	SILO_FAULT_AT=create-after-created run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	refute_output --partial ran
	wait_status "$ID" stopped
	run --separate-stderr rt delete -f "$ID"
	assert_success
	run rt list -q
	assert_output ''
}

@test "fault: a create held after the clone reads creating, refuses kill, then finishes" {
	stopped_at create-after-clone
	assert_equal "$(container_status "$ID")" creating
	run rt list
	assert_output --regexp "$ID +0 +creating"
	run --separate-stderr rt kill "$ID" KILL
	assert_one_line_error
	[[ $stderr == *creating* ]] || fail "kill: $stderr"
	kill -CONT "$CREATE_PID"
	wait "$CREATE_PID" || fail "create failed: $(cat "$TEST_DIR/err")"
	assert_equal "$(container_status "$ID")" created
	run --separate-stderr rt delete -f "$ID"
	assert_success
}

@test "fault: a failed create frees the id for the next one" {
	SILO_FAULT_AT=child-after-mounts run --separate-stderr rt_create "$ID"
	assert_failure
	run --separate-stderr rt delete -f "$ID"
	assert_success
	set_args sh -c 'echo second-life'
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	assert_output second-life
}

@test "fault: start dies after connecting, before releasing the init: the container stays created" {
	set_args sh -c 'echo started'
	rt_create "$ID" || fail "create failed"
	SILO_FAULT_AT=start-after-connect run --separate-stderr rt start "$ID"
	assert_failure
	assert_equal "$(container_status "$ID")" created
	# the init went back to waiting: a second start releases it
	run --separate-stderr rt start "$ID"
	assert_success
	wait_status "$ID" stopped
	run cat "$TEST_DIR/$ID.out"
	assert_output started
}

@test "fault: start dies after the init's execve: the status is running all the same" {
	rt_create "$ID" || fail "create failed"
	SILO_FAULT_AT=start-after-exec run --separate-stderr rt start "$ID"
	assert_failure
	# the state file still says not started; the init's executable says otherwise
	assert_equal "$(container_status "$ID")" running
	run --separate-stderr rt start "$ID"
	assert_one_line_error 'running, not created'
	run --separate-stderr rt delete "$ID"
	assert_failure
	run --separate-stderr rt delete -f "$ID"
	assert_success
}

@test "fault: delete dies after killing the init, and after removing the cgroups: delete -f finishes" {
	local stage
	for stage in delete-after-kill delete-after-cgroups; do
		rt_run_detached "$ID" || fail "run -d failed"
		SILO_FAULT_AT=$stage run --separate-stderr rt delete -f "$ID"
		assert_failure
		# the record stays until the end: state answers, and a second delete finishes
		run --separate-stderr rt state "$ID"
		assert_success
		assert_equal "$(container_status "$ID")" stopped
		run --separate-stderr rt delete -f "$ID"
		assert_success
		run rt list -q
		assert_output ''
	done
}

@test "fault: kill dies before signalling: the container runs on, and kill works" {
	rt_run_detached "$ID" || fail "run -d failed"
	SILO_FAULT_AT=kill-before-signal run --separate-stderr rt kill "$ID" KILL
	assert_failure
	assert_equal "$(container_status "$ID")" running
	run --separate-stderr rt kill "$ID" KILL
	assert_success
	wait_status "$ID" stopped
}

@test "fault: pause and resume die before the freezer: the status is unchanged, and they work" {
	rt_run_detached "$ID" || fail "run -d failed"
	SILO_FAULT_AT=pause-before-freeze run --separate-stderr rt pause "$ID"
	assert_failure
	assert_equal "$(container_status "$ID")" running
	run --separate-stderr rt pause "$ID"
	assert_success
	assert_equal "$(container_status "$ID")" paused
	SILO_FAULT_AT=resume-before-thaw run --separate-stderr rt resume "$ID"
	assert_failure
	assert_equal "$(container_status "$ID")" paused
	run --separate-stderr rt resume "$ID"
	assert_success
	assert_equal "$(container_status "$ID")" running
}

@test "fault: update dies after writing the cgroup, before saving the config: a second update saves it" {
	[[ -n $(cg_layout pids) ]] || skip "no pids controller on this host"
	cfg '.linux.resources.pids = {limit: 100} | .linux.cgroupsPath = "/'"$ID"'"'
	rt_run_detached "$ID" || fail "run -d failed"
	SILO_FAULT_AT=update-after-cgroup run --separate-stderr rt update --pids-limit 50 "$ID"
	assert_failure
	assert_equal "$(cg_value "$ID" pids.max)" 50
	run --separate-stderr rt state "$ID"
	assert_success
	run --separate-stderr rt update --pids-limit 60 "$ID"
	assert_success
	assert_equal "$(cg_value "$ID" pids.max)" 60
	run --separate-stderr rt delete -f "$ID"
	assert_success
}

# stopped_at STAGE: create stops itself at STAGE (SILO_FAULT_ACTION=stop) in the
# background; $CREATE_PID is that process.
stopped_at() {
	local i
	SILO_FAULT_AT=$1 SILO_FAULT_ACTION=stop \
		"$RUNTIME" "${RT_GLOBAL[@]}" create --bundle "$BUNDLE" "$ID" \
		</dev/null >"$TEST_DIR/out" 2>"$TEST_DIR/err" &
	CREATE_PID=$!
	register_id "$ID"
	register_pid "$CREATE_PID"
	for ((i = 0; i < 200; i++)); do
		[[ $(awk '{print $3}' "/proc/$CREATE_PID/stat" 2>/dev/null) == T ]] && break
		sleep 0.05
	done
	[[ $(awk '{print $3}' "/proc/$CREATE_PID/stat" 2>/dev/null) == T ]] || fail "create never reached $1"
}

# removed_at STAGE: create stops itself at STAGE, the rootfs goes away under it, then it
# goes on.  Either it fails with one line naming the rootfs, or (the rootfs was already
# held by an fd) the container works; either way delete -f leaves nothing.
removed_at() {
	stopped_at "$1"
	mv "$ROOTFS" "$ROOTFS.gone"
	kill -CONT "$CREATE_PID"
	if wait "$CREATE_PID"; then
		run rt start "$ID"
		echo "# $1: the rootfs was already held; the container started (status $status)" >&3
	else
		run cat "$TEST_DIR/err"
		assert_equal "${#lines[@]}" 1
		assert_output --partial "rootfs"
		echo "# $1: ${lines[0]}" >&3
	fi
	run --separate-stderr rt delete -f "$ID"
	assert_success
	run rt list -q
	assert_output ''
	mv "$ROOTFS.gone" "$ROOTFS"
}

@test "fault: the rootfs removed after the creating state: a clear error, nothing left" {
	removed_at create-after-state
}

@test "fault: the rootfs removed after the cgroups: a clear error, nothing left" {
	removed_at create-after-cgroup
}

@test "fault: the rootfs removed after the clone: a clear error or a working container, nothing left" {
	removed_at create-after-clone
}
