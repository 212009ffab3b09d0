#!/usr/bin/env bats
# The container's lock never keeps it from being killed: `start` lets the lock go while
# the container decides how long it takes (startContainer hooks, an init held by a
# debugger), `kill` needs no lock, and a wait on a hung holder is bounded and names it.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load helpers/common

setup() {
	common_setup
	requires_containers
	set_args sleep 600
}

# start_in_background: `start $ID` in the background; START_PID, its output in start.out.
start_in_background() {
	(
		close_extra_fds
		exec timeout -k 5 "$SILO_TEST_TIMEOUT" "$RUNTIME" "${RT_GLOBAL[@]}" start "$ID"
	) </dev/null >"$TEST_DIR/start.out" 2>&1 &
	START_PID=$!
	register_pid "$START_PID"
}

# quickly COMMAND...: run it with 10 s at most (a blocked lock would take 30 s or more).
quickly() {
	run timeout 10 "$@"
}

# signal_created_init SIGNAL: create $ID and send its init SIGNAL.
signal_created_init() {
	run --separate-stderr rt_create "$ID"
	assert_success
	kill -"$1" "$(state_field "$ID" pid)"
}

# A startContainer hook that never returns: the container waits in `start`.
hang_in_start() {
	cfg '.hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "touch /tmp/in-hook; exec sleep 1000"]}]'
	run --separate-stderr rt_create "$ID"
	assert_success
	start_in_background
	wait_for test -e "$ROOTFS/tmp/in-hook" || fail "the startContainer hook did not run: $(cat "$TEST_DIR/start.out")"
}

@test "lock: a startContainer hook that never returns: kill works at once, and start then fails" {
	hang_in_start
	quickly "$RUNTIME" "${RT_GLOBAL[@]}" kill "$ID" KILL
	assert_success
	local rc=0
	wait "$START_PID" || rc=$?
	((rc == 1)) || fail "start exited $rc: $(cat "$TEST_DIR/start.out")"
	# a failed start destroys the container (runtime-spec 1.3.0)
	is_silo && grep -q "died before its program ran" "$TEST_DIR/start.out"
	run rt state "$ID"
	assert_failure
}

@test "lock: a startContainer hook that never returns: delete --force works at once" {
	hang_in_start
	quickly "$RUNTIME" "${RT_GLOBAL[@]}" delete --force "$ID"
	assert_success
	run rt state "$ID"
	assert_failure
	local rc=0
	wait "$START_PID" || rc=$?
	((rc != 0)) || fail "start succeeded on a container deleted under it"
	is_silo && grep -qE "deleted while it started|died before" "$TEST_DIR/start.out"
}

@test "lock: an init stopped before start (a debugger): start waits, kill and delete --force do not" {
	signal_created_init STOP
	start_in_background
	sleep 0.5
	quickly "$RUNTIME" "${RT_GLOBAL[@]}" state "$ID"
	assert_success
	assert_output --partial '"status": "created"'
	quickly "$RUNTIME" "${RT_GLOBAL[@]}" kill "$ID" TERM
	assert_success
	quickly "$RUNTIME" "${RT_GLOBAL[@]}" delete --force "$ID"
	assert_success
	wait "$START_PID" && fail "start succeeded on a container deleted under it"
	run rt state "$ID"
	assert_failure
}

@test "lock: the init killed while created: start says so and leaves nothing" {
	signal_created_init KILL
	run --separate-stderr rt start "$ID"
	assert_failure
	run rt delete --force "$ID"
	assert_success
}

@test "lock: a hung holder of the lock: kill still works; delete waits SILO_LOCK_TIMEOUT and names it" {
	must_skip_on runc "runc 1.1.5 waits on its lock without a bound"
	must_skip_on crun "crun 1.8.1 waits on its lock without a bound"
	command -v python3 >/dev/null || skip "python3 (the lock holder here) is not installed"
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	# one process that takes the lock and keeps it (flock(1) would leave it to a child)
	(
		close_extra_fds
		exec python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
time.sleep(600)' "$ROOT/$ID"
	) </dev/null >/dev/null 2>&1 &
	local holder=$!
	register_pid "$holder"
	wait_for bash -c "! flock -n '$ROOT/$ID' true"
	quickly "$RUNTIME" "${RT_GLOBAL[@]}" kill "$ID" KILL
	assert_success
	run --separate-stderr env SILO_LOCK_TIMEOUT=1 timeout 10 "$RUNTIME" "${RT_GLOBAL[@]}" delete --force "$ID"
	assert_failure
	assert_output ""
	assert_equal "$(wc -l <<<"$stderr")" 1
	[[ $stderr == *"is locked by pid $holder ("*"python3 -c import fcntl"*"waited 1 s"* ]] || fail "unexpected message: $stderr"
	run --separate-stderr env SILO_LOCK_TIMEOUT=soon "$RUNTIME" "${RT_GLOBAL[@]}" delete --force "$ID"
	assert_failure
	[[ $stderr == *"SILO_LOCK_TIMEOUT"* ]] || fail "unexpected message: $stderr"
	kill "$holder"
	wait "$holder" || true
	run rt delete --force "$ID"
	assert_success
}
