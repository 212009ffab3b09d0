#!/usr/bin/env bats
# Hooks: every stage runs, in order, with the state on stdin; failure semantics of
# runtime-spec 1.3.0 (a failing prestart/createRuntime/createContainer/startContainer/
# poststart hook fails the operation and destroys the container; poststop only warns);
# args, env and timeout.

load helpers/common

setup() {
	common_setup
	requires_containers
	mkdir "$TEST_DIR/hooks"
	add_mount "{\"destination\": \"/hooks\", \"type\": \"bind\", \"source\": \"$TEST_DIR/hooks\", \"options\": [\"bind\", \"rw\"]}"
}

# recording_hook STAGE DIR: a hook that saves its stdin to DIR/STAGE.json and appends
# STAGE to DIR/order.  startContainer runs in the container, where the directory is /hooks.
recording_hook() {
	local stage=$1 dir=$2
	jq -nc --arg stage "$stage" --arg dir "$dir" \
		'{path: "/bin/sh", args: ["sh", "-c", "cat > \($dir)/\($stage).json; echo \($stage) >> \($dir)/order", "hook-\($stage)"]}'
}

add_hook() { # add_hook STAGE HOOK-JSON
	cfg --argjson hook "$2" ".hooks.$1 += [\$hook]"
}

add_all_recording_hooks() {
	local stage
	for stage in prestart createRuntime createContainer poststart poststop; do
		add_hook "$stage" "$(recording_hook "$stage" "$TEST_DIR/hooks")"
	done
	add_hook startContainer "$(recording_hook startContainer /hooks)"
}

# run_all_stages: create, start and delete $ID (sleep 600), so that every stage's hooks run.
run_all_stages() {
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	run --separate-stderr rt start "$ID"
	assert_success
	run --separate-stderr rt delete -f "$ID"
	assert_success
}

failing_hook() {
	jq -nc '{path: "/bin/sh", args: ["sh", "-c", "echo hook-says-no >&2; exit 3"]}'
}

# The state the container's hooks get crosses the parent/child socket: an annotation
# larger than one packet must reach them whole.
@test "hooks: a 300 KB annotation reaches every hook whole" {
	skip_on crun "1.8.1 gives startContainer hooks the bundle / and pid 0"
	add_all_recording_hooks
	head -c 300000 /dev/zero | tr '\0' x >"$TEST_DIR/big"
	cfg --rawfile big "$TEST_DIR/big" '.annotations.big = $big'
	run_all_stages
	local stage
	for stage in prestart createRuntime createContainer startContainer poststart poststop; do
		run jq -r '.annotations.big | length' "$TEST_DIR/hooks/$stage.json"
		assert_output 300000
	done
}

@test "hooks: every stage runs with the state on stdin" {
	skip_on crun "1.8.1 gives startContainer hooks the bundle / and pid 0"
	add_all_recording_hooks
	run_all_stages
	local stage
	for stage in prestart createRuntime createContainer startContainer poststart poststop; do
		run jq -e --arg id "$ID" --arg bundle "$BUNDLE" \
			'.id == $id and .bundle == $bundle and (.ociVersion | type == "string")' \
			"$TEST_DIR/hooks/$stage.json"
		assert_success
	done
	for stage in prestart createRuntime createContainer startContainer poststart; do
		run jq -e '.pid > 0' "$TEST_DIR/hooks/$stage.json"
		assert_success
	done
}

@test "hooks: the stages run in the spec's order" {
	skip_on runc "1.1.5 runs poststart hooks during create, before startContainer (fixed in runc 1.2)"
	skip_on crun "1.8.1 runs poststart hooks before the startContainer hooks"
	add_all_recording_hooks
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	[[ ! -e $TEST_DIR/hooks/poststart.json ]] || fail "poststart ran during create"
	run --separate-stderr rt start "$ID"
	assert_success
	run --separate-stderr rt delete -f "$ID"
	assert_success
	assert_equal "$(cat "$TEST_DIR/hooks/order" | xargs)" \
		"prestart createRuntime createContainer startContainer poststart poststop"
}

@test "hooks: the status each stage sees is the spec's" {
	skip_on runc "1.1.5 passes status \"created\" to poststart (it runs during create)"
	skip_on crun "1.8.1 gives prestart hooks the status created, not creating"
	add_all_recording_hooks
	run_all_stages
	local stage expected
	for stage in prestart:creating createRuntime:creating createContainer:creating \
		startContainer:created poststart:running poststop:stopped; do
		expected=${stage#*:}
		stage=${stage%:*}
		assert_equal "$stage $(jq -r .status "$TEST_DIR/hooks/$stage.json")" "$stage $expected"
	done
}

@test "hooks: createContainer runs in the container's namespaces, createRuntime in the runtime's" {
	add_hook createRuntime "$(jq -nc --arg d "$TEST_DIR/hooks" \
		'{path: "/bin/sh", args: ["sh", "-c", "readlink /proc/self/ns/mnt > \($d)/createRuntime.mnt; readlink /proc/self/ns/net > \($d)/createRuntime.net"]}')"
	add_hook createContainer "$(jq -nc --arg d "$TEST_DIR/hooks" \
		'{path: "/bin/sh", args: ["sh", "-c", "readlink /proc/self/ns/mnt > \($d)/createContainer.mnt; readlink /proc/self/ns/net > \($d)/createContainer.net"]}')"
	set_args sh -c 'readlink /proc/self/ns/mnt; readlink /proc/self/ns/net'
	run_container -- 'readlink /proc/self/ns/mnt; readlink /proc/self/ns/net'
	assert_success
	assert_equal "$(cat "$TEST_DIR/hooks/createRuntime.mnt")" "$(readlink /proc/self/ns/mnt)"
	assert_equal "$(cat "$TEST_DIR/hooks/createRuntime.net")" "$(readlink /proc/self/ns/net)"
	assert_equal "$(cat "$TEST_DIR/hooks/createContainer.mnt")" "${lines[0]}"
	assert_equal "$(cat "$TEST_DIR/hooks/createContainer.net")" "${lines[1]}"
}

@test "hooks: a createContainer hook starts in the rootfs" {
	add_hook createContainer "$(jq -nc --arg d "$TEST_DIR/hooks" \
		'{path: "/bin/sh", args: ["sh", "-c", "pwd -P > \($d)/cwd; touch ./made-by-hook"]}')"
	run_container -- 'test -e /made-by-hook && echo seen'
	assert_success
	assert_output seen
	assert_equal "$(cat "$TEST_DIR/hooks/cwd")" "$(cd "$ROOTFS" && pwd -P)"
}

@test "hooks: a startContainer hook runs under the container's seccomp profile" {
	add_hook startContainer '{"path": "/bin/mkdir", "args": ["mkdir", "/tmp/from-hook"]}'
	cfg '.process.noNewPrivileges = true | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
	set_args true
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	[[ $stderr == *startContainer* ]] || fail "stderr: $stderr"
}

@test "hooks: args and env are passed as given, and only them" {
	add_hook prestart "$(jq -nc --arg d "$TEST_DIR/hooks" \
		'{path: "/bin/sh", args: ["my-argv0", "-c", "echo \"$(head -c 8 /proc/$$/cmdline)|$0|$1|$SILO_HOOK|${HOME:-unset}\" > \($d)/out", "zeroth", "first"],
		  env: ["SILO_HOOK=hook-env"]}')"
	run_container -- 'true'
	assert_success
	assert_equal "$(cat "$TEST_DIR/hooks/out")" "my-argv0|zeroth|first|hook-env|unset"
}

@test "hooks: a failing prestart, createRuntime or createContainer hook fails create and leaves nothing" {
	local stage
	for stage in prestart createRuntime createContainer; do
		write_base_config
		add_hook "$stage" "$(failing_hook)"
		set_args sleep 600
		run --separate-stderr rt_create "$ID"
		assert_failure
		run rt state "$ID"
		assert_failure
		run rt list -q
		assert_output ''
	done
}

@test "hooks: the error of a failing hook is one clear line" {
	# (a hook that prints says more than that line: what it prints is its own)
	add_hook prestart '{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}'
	run --separate-stderr rt_create "$ID"
	assert_one_line_error 'hook|prestart'
}

@test "hooks: what a failing hook prints reaches the caller" {
	skip_on crun "1.8.1 reports a failing hook's exit code, not what it printed"
	add_hook prestart "$(failing_hook)"
	run --separate-stderr rt_create "$ID"
	assert_failure
	grep -q hook-says-no <<<"$stderr" || fail "the hook's message was lost: $stderr"
}

# runtime-spec 1.3.0, lifecycle steps 7 and 9: the runtime generates an error, stops the
# container and goes on at step 12: the container is destroyed and the poststop hooks run.
# failed_start_destroys STAGE
failed_start_destroys() {
	add_hook "$1" "$(failing_hook)"
	add_hook poststop "$(recording_hook poststop "$TEST_DIR/hooks")"
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	local pid
	pid=$(state_field "$ID" pid)
	run --separate-stderr rt start "$ID"
	assert_failure
	# gone, or a zombie that the host's pid 1 has not reaped yet
	[[ ! -d /proc/$pid ]] || grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null ||
		fail "the container process $pid survived the failed start"
	run --separate-stderr rt state "$ID"
	assert_failure
	[[ -s $TEST_DIR/hooks/poststop.json ]] || fail "the poststop hooks did not run"
}

@test "hooks: a failing startContainer hook fails start; the container is destroyed, poststop runs (1.3.0)" {
	skip_on runc "1.1.5 runs startContainer hooks in its init after start has returned: start succeeds"
	skip_on crun "1.8.1's start succeeds when a startContainer hook fails"
	failed_start_destroys startContainer
}

@test "hooks: a failing poststart hook fails start; the container is destroyed, poststop runs (1.3.0)" {
	skip_on runc "1.1.5 runs poststart hooks during create, so create fails instead"
	skip_on crun "1.8.1's start succeeds when a poststart hook fails (runtime-spec 1.3.0 makes it fatal)"
	failed_start_destroys poststart
}

@test "hooks: a failing poststop hook does not fail delete" {
	add_hook poststop "$(failing_hook)"
	set_args true
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	wait_status "$ID" stopped
	run --separate-stderr rt delete "$ID"
	assert_success
	run rt state "$ID"
	assert_failure
}

@test "hooks: the poststop hooks after a failing one still run" {
	skip_on runc "1.1.5 stops at the first failing poststop hook"
	add_hook poststop "$(failing_hook)"
	add_hook poststop "$(recording_hook poststop-second "$TEST_DIR/hooks")"
	set_args true
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	wait_status "$ID" stopped
	run --separate-stderr rt delete "$ID"
	assert_success
	[[ -s $TEST_DIR/hooks/poststop-second.json ]] || fail "the hook after the failing one did not run"
}

@test "hooks: a hook that outlives its timeout is killed and fails create" {
	add_hook prestart "$(jq -nc --arg pids "$TEST_DIR/pids" \
		'{path: "/bin/sh", args: ["sh", "-c", "echo $$ >> \($pids); exec sleep 600"], timeout: 1}')"
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_failure
	grep -qiE 'timeout|timed out|killed' <<<"$stderr" || fail "the error does not say why: $stderr"
	local pid
	pid=$(tail -1 "$TEST_DIR/pids")
	wait_for test ! -d "/proc/$pid" || fail "the timed-out hook $pid is still running"
	run rt state "$ID"
	assert_failure
}

@test "hooks: a hook path that does not exist fails create" {
	add_hook createRuntime '{"path": "/no/such/hook"}'
	run --separate-stderr rt_create "$ID"
	assert_failure
	grep -q '/no/such/hook' <<<"$stderr" || fail "the error does not name the hook: $stderr"
}
