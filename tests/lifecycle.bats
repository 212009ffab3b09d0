#!/usr/bin/env bats
# create/start/state/kill/delete, run (foreground, -d, --keep), --pid-file, list, state.

load helpers/common

setup() {
	common_setup
	requires_containers
}

@test "lifecycle: create, start, kill, delete with the state at each step" {
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	[[ $(container_status "$ID") == created ]] || fail "after create: $(container_status "$ID")"
	local pid
	pid=$(state_field "$ID" pid)
	((pid > 0)) && kill -0 "$pid" || fail "the created container has no live pid ($pid)"
	# The user program must not run before start.
	run grep -q 'sleep' "/proc/$pid/cmdline"
	assert_failure

	run --separate-stderr rt start "$ID"
	assert_success
	[[ $(container_status "$ID") == running ]] || fail "after start: $(container_status "$ID")"
	[[ $(state_field "$ID" pid) == "$pid" ]] || fail "start changed the pid"
	wait_for grep -q '^sleep' "/proc/$pid/cmdline" || fail "the user program is not running"

	run --separate-stderr rt kill "$ID" KILL
	assert_success
	wait_status "$ID" stopped
	run --separate-stderr rt delete "$ID"
	assert_success
	run --separate-stderr rt state "$ID"
	assert_failure
	[[ ! -d /proc/$pid ]] || grep -q '^State:.*Z' "/proc/$pid/status" || fail "pid $pid survived delete"
}

@test "lifecycle: kill accepts a name, a SIG name and a number" {
	local signal n=0 id
	set_args sh -c 'trap "echo got-term; exit 0" TERM; while :; do sleep 0.1; done'
	for signal in TERM SIGTERM 15; do
		id=${TOKEN}k$((n++))
		run --separate-stderr rt_run_detached "$id"
		assert_success
		run --separate-stderr rt kill "$id" "$signal"
		assert_success
		wait_status "$id" stopped
		grep -q got-term "$TEST_DIR/$id.out" || fail "kill $signal did not deliver SIGTERM"
		run --separate-stderr rt delete "$id"
		assert_success
	done
}

@test "lifecycle: kill defaults to SIGTERM" {
	set_args sh -c 'trap "echo got-term; exit 0" TERM; while :; do sleep 0.1; done'
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	run --separate-stderr rt kill "$ID"
	assert_success
	wait_status "$ID" stopped
	grep -q got-term "$TEST_DIR/$ID.out" || fail "kill without a signal did not deliver SIGTERM"
}

@test "lifecycle: kill of a created container stops it" {
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	run --separate-stderr rt kill "$ID" KILL
	assert_success
	wait_status "$ID" stopped
	run --separate-stderr rt delete "$ID"
	assert_success
}

@test "lifecycle: delete of a created container works without -f" {
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	local pid
	pid=$(state_field "$ID" pid)
	run --separate-stderr rt delete "$ID"
	assert_success
	run rt state "$ID"
	assert_failure
	wait_for test ! -d "/proc/$pid" || fail "the container process $pid survived delete"
}

@test "lifecycle: delete -f of a running container kills it" {
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	local pid
	pid=$(state_field "$ID" pid)
	run --separate-stderr rt delete -f "$ID"
	assert_success
	run rt state "$ID"
	assert_failure
	wait_for test ! -d "/proc/$pid" || fail "the container process $pid survived delete -f"
}

@test "lifecycle: the status is derived live when the process dies behind the runtime" {
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	kill -9 "$(state_field "$ID" pid)"
	wait_status "$ID" stopped
	run --separate-stderr rt delete "$ID"
	assert_success
}

@test "lifecycle: kill -a signals every process of a container without a pid namespace" {
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	# Two children that would outlive the init if only the init were killed.
	set_args sh -c 'sleep 600 & sleep 600 & echo started; wait'
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	wait_for grep -q started "$TEST_DIR/$ID.out"
	local procs
	procs=$(cat "$(cgroup_dir "/$ID")/cgroup.procs")
	(($(wc -w <<<"$procs") == 3)) || fail "expected 3 processes in the container, got: $procs"
	run --separate-stderr rt kill -a "$ID" KILL
	assert_success
	wait_status "$ID" stopped
	local pid
	for pid in $procs; do
		wait_for test ! -d "/proc/$pid" || fail "process $pid survived kill -a"
	done
	run --separate-stderr rt delete "$ID"
	assert_success
}

@test "lifecycle: kill -a reaches processes that outlive a stopped container's init" {
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	# The init exits at once; its child stays in the container's cgroup.
	set_args sh -c 'sleep 600 & echo started'
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	wait_for grep -q started "$TEST_DIR/$ID.out"
	wait_status "$ID" stopped
	local procs
	procs=$(cat "$(cgroup_dir "/$ID")/cgroup.procs")
	[[ -n $procs ]] || fail "the child did not stay in the container's cgroup"
	run --separate-stderr rt kill "$ID" KILL
	assert_failure
	run --separate-stderr rt kill -a "$ID" KILL
	assert_success
	local pid
	for pid in $procs; do
		wait_for test ! -d "/proc/$pid" || fail "process $pid survived kill -a"
	done
	run --separate-stderr rt delete "$ID"
	assert_success
}

@test "run: the container's exit code is passed through" {
	run_container -- 'echo out; exit 3'
	assert_equal "$status" 3
	assert_output out
	run rt state "$ID"
	assert_failure
}

@test "run: a container killed by signal N exits 128+N" {
	set_args sleep 600
	register_id "$ID"
	(
		close_extra_fds
		exec "$RUNTIME" "${RT_GLOBAL[@]}" run --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	) &
	local runner=$!
	register_pid "$runner"
	wait_status "$ID" running
	run --separate-stderr rt kill "$ID" KILL
	assert_success
	local rc=0
	wait "$runner" || rc=$?
	assert_equal "$rc" 137
}

@test "run: signals sent to the runtime are forwarded to the container" {
	set_args sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.1; done'
	register_id "$ID"
	(
		close_extra_fds
		exec "$RUNTIME" "${RT_GLOBAL[@]}" run --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/out" 2>&1
	) &
	local runner=$!
	register_pid "$runner"
	wait_for grep -q ready "$TEST_DIR/out" || fail "the container never started: $(cat "$TEST_DIR/out")"
	kill -TERM "$runner"
	local rc=0
	wait "$runner" || rc=$?
	assert_equal "$rc" 42
}

@test "run: -d returns while the container runs" {
	set_args sh -c 'echo detached-output; sleep 600'
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	[[ $(container_status "$ID") == running ]] || fail "not running after run -d"
	wait_for grep -q detached-output "$TEST_DIR/$ID.out" || fail "the container's stdout is not the caller's"
	run --separate-stderr rt delete -f "$ID"
	assert_success
}

@test "run: --keep keeps the stopped container" {
	skip_on crun "1.8.1 has no run --keep"
	set_args true
	register_id "$ID"
	run --separate-stderr rt run --keep --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	[[ $(container_status "$ID") == stopped ]] || fail "status after run --keep: $(container_status "$ID")"
	run --separate-stderr rt delete "$ID"
	assert_success
}

@test "run: the bundle defaults to the current directory, relative -b is made absolute" {
	cd "$BUNDLE"
	register_id "$ID"
	set_args sleep 600
	rt run -d "$ID" </dev/null >"$TEST_DIR/out" 2>&1 || fail "run -d failed: $(cat "$TEST_DIR/out")"
	[[ $(state_field "$ID" bundle) == "$BUNDLE" ]] || fail "bundle: $(state_field "$ID" bundle)"
	cfg --arg cg "/$ID2" '.linux.cgroupsPath = $cg'
	cd "$TEST_DIR"
	register_id "$ID2"
	rt run -d -b bundle "$ID2" </dev/null >"$TEST_DIR/out" 2>&1 || fail "run -d -b failed: $(cat "$TEST_DIR/out")"
	[[ $(state_field "$ID2" bundle) == "$BUNDLE" ]] || fail "bundle: $(state_field "$ID2" bundle)"
	cd /
}

@test "run: -f/--config reads the configuration from another file" {
	skip_on runc "1.1.5 has no -f/--config option"
	set_args sh -c 'echo from-bundle-config'
	jq '.process.args = ["sh", "-c", "echo from-other-config"]' "$BUNDLE/config.json" >"$TEST_DIR/other.json"
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" -f "$TEST_DIR/other.json" "$ID" </dev/null
	assert_success
	assert_output from-other-config
	register_id "$ID2"
	run --separate-stderr rt run --bundle "$BUNDLE" --config "$TEST_DIR/other.json" "$ID2" </dev/null
	assert_success
	assert_output from-other-config
}

@test "run: --no-pivot and --no-new-keyring still run the container" {
	run_container --no-pivot --no-new-keyring -- 'echo ok; cat /proc/self/cgroup >/dev/null'
	assert_success
	assert_output ok
}

@test "create: --pid-file holds the container's pid" {
	set_args sleep 600
	run --separate-stderr rt_create "$ID" --pid-file "$TEST_DIR/pid"
	assert_success
	[[ -s $TEST_DIR/pid ]] || fail "no pid file"
	assert_equal "$(cat "$TEST_DIR/pid")" "$(state_field "$ID" pid)"
	cfg --arg cg "/$ID2" '.linux.cgroupsPath = $cg'
	run --separate-stderr rt_run_detached "$ID2" --pid-file "$TEST_DIR/pid2"
	assert_success
	assert_equal "$(cat "$TEST_DIR/pid2")" "$(state_field "$ID2" pid)"
}

@test "state: prints every field of the runtime state" {
	skip_on crun "1.8.1's state gives rootfs as config.json has it (relative), not as an absolute path"
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	run --separate-stderr rt state "$ID"
	assert_success
	echo "$output" >"$TEST_DIR/state.json"
	run jq -e --arg id "$ID" --arg bundle "$BUNDLE" --arg rootfs "$ROOTFS" '
		(.ociVersion | type == "string") and .id == $id and (.pid | type == "number")
		and .pid > 0 and .status == "created" and .bundle == $bundle and .rootfs == $rootfs
		and (.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")) and (.owner | type == "string")' \
		"$TEST_DIR/state.json"
	assert_success
	# runc 1.1.5 prints "owner": "" in state (only list fills it in); silo says who.
	if is_silo; then
		run jq -r .owner "$TEST_DIR/state.json"
		assert_output root
	fi
}

@test "state: two concurrent creates of one id: exactly one wins" {
	set_args sleep 600
	register_id "$ID"
	local a b rc_a=0 rc_b=0
	rt create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>"$TEST_DIR/a.err" &
	a=$!
	rt create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>"$TEST_DIR/b.err" &
	b=$!
	wait "$a" || rc_a=$?
	wait "$b" || rc_b=$?
	if ! (((rc_a == 0) != (rc_b == 0))); then
		fail "exit codes $rc_a and $rc_b: $(cat "$TEST_DIR/a.err" "$TEST_DIR/b.err")"
	fi
	[[ $(container_status "$ID") == created ]] || fail "status: $(container_status "$ID")"
}

@test "list: table, -q and --format json" {
	skip_on crun "1.8.1's list header reads NAME ... BUNDLE PATH"
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	cfg --arg cg "/$ID2" '.linux.cgroupsPath = $cg'
	run --separate-stderr rt_run_detached "$ID2"
	assert_success

	run --separate-stderr rt list
	assert_success
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER *$'
	assert_line --regexp "^$ID +[0-9]+ +created +$BUNDLE +[0-9]{4}-.* +root *\$"
	assert_line --regexp "^$ID2 +[0-9]+ +running +$BUNDLE +[0-9]{4}-.* +root *\$"
	assert_equal "${#lines[@]}" 3

	run --separate-stderr rt list -q
	assert_success
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' "$ID" "$ID2" | sort)"

	run --separate-stderr rt list --format json
	assert_success
	echo "$output" >"$TEST_DIR/list.json"
	run jq -e --arg a "$ID" --arg b "$ID2" --arg bundle "$BUNDLE" '
		length == 2 and (map(.id) | sort) == ([$a, $b] | sort)
		and all(.[]; .bundle == $bundle and .pid > 0 and .owner == "root"
		        and (.created | type == "string"))
		and (map(select(.id == $a))[0].status == "created")
		and (map(select(.id == $b))[0].status == "running")' "$TEST_DIR/list.json"
	assert_success

	run --separate-stderr rt list -f json
	assert_success
}

@test "lifecycle: two containers cannot share a cgroupsPath" {
	skip_on runc "1.1.5 only warns and joins the occupied cgroup"
	skip_on crun "1.8.1 puts both containers in one cgroup"
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	run --separate-stderr rt_create "$ID2"
	assert_one_line_error "/$ID"
	run rt state "$ID2"
	assert_failure
	[[ $(container_status "$ID") == running ]] || fail "the first container was disturbed"
}

@test "list: an empty root prints only the header" {
	skip_on crun "1.8.1's list header reads NAME ... BUNDLE PATH"
	run --separate-stderr rt list
	assert_success
	assert_output --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER *$'
	run --separate-stderr rt list -q
	assert_success
	assert_output ''
}
