#!/usr/bin/env bats
# Every error: non-zero exit, one clear line on stderr, and nothing left behind (teardown).

load helpers/common

# create_must_fail REGEX [FLAGS...]: create $ID must fail with a one-line error matching
# REGEX, and leave no state.
create_must_fail() {
	local regex=$1
	shift
	run --separate-stderr rt_create "$ID" "$@"
	assert_one_line_error "$regex"
	run rt state "$ID"
	assert_failure
}

@test "errors: invalid container ids are refused" {
	requires_containers
	local id long
	long=${TOKEN}$(printf 'x%.0s' {1..1025})
	for id in "../${TOKEN}x" "${TOKEN}a/b" "" "-${TOKEN}x" "$long"; do
		run --separate-stderr rt create --bundle "$BUNDLE" "$id" </dev/null
		assert_one_line_error
		# nothing outside or inside the state root (teardown checks inside)
		[[ ! -e /run/${TOKEN}x && ! -e $ROOT/${TOKEN}a ]] || fail "id '$id' created state"
	done
	for id in "../${TOKEN}x" "${TOKEN}a/b" ""; do
		local command
		for command in state start delete "kill"; do
			run --separate-stderr rt "$command" "$id"
			assert_one_line_error
		done
	done
}

@test "errors: a duplicate id is refused and the first container is intact" {
	requires_containers
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	local pid
	pid=$(state_field "$ID" pid)
	run --separate-stderr rt_create "$ID"
	assert_one_line_error 'exist|in use|already'
	[[ $(container_status "$ID") == created ]] || fail "the first container changed state"
	[[ $(state_field "$ID" pid) == "$pid" ]] || fail "the first container's pid changed"
	kill -0 "$pid"
}

@test "errors: a missing bundle is refused" {
	requires_containers
	RT_BUNDLE=$TEST_DIR/no-such-bundle create_must_fail 'no-such-bundle|no such file|not exist'
}

@test "errors: a missing rootfs is refused" {
	requires_containers
	rm -rf "$ROOTFS"
	create_must_fail 'rootfs|no such file|not exist'
}

@test "errors: a config.json that is not JSON is refused" {
	requires_containers
	echo '{"ociVersion": "1.2.0", "process": {' >"$BUNDLE/config.json"
	create_must_fail 'json|config|parse|unexpected|invalid'
}

@test "errors: a missing config.json is refused" {
	requires_containers
	rm "$BUNDLE/config.json"
	create_must_fail 'config.json'
}

@test "errors: a field of the wrong type is refused, naming its JSON path" {
	skip_on crun "1.8.1 accepts a string for process.args"
	requires_containers
	cfg '.process.args = "sh"'
	create_must_fail 'args'
	if is_silo; then
		grep -q 'process\.args' <<<"$stderr" || fail "the error does not name process.args: $stderr"
	fi
	write_base_config
	cfg '.process.user.uid = "zero"'
	create_must_fail 'uid|unmarshal|type'
	if is_silo; then
		grep -q 'process\.user\.uid' <<<"$stderr" || fail "the error does not name process.user.uid: $stderr"
	fi
	write_base_config
	cfg '.linux.namespaces[1].type = 7'
	create_must_fail 'type|namespace|unmarshal'
	if is_silo; then
		grep -q 'linux\.namespaces\[1\]\.type' <<<"$stderr" ||
			fail "the error does not name linux.namespaces[1].type: $stderr"
	fi
}

@test "errors: a terminal without --console-socket is refused for a detached container" {
	requires_containers
	cfg '.process.terminal = true'
	create_must_fail 'console|tty|terminal'
	run --separate-stderr rt_run_detached "$ID"
	assert_one_line_error 'console|tty|terminal'
}

@test "errors: starting a container twice is refused and leaves it running" {
	requires_containers
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	run --separate-stderr rt start "$ID"
	assert_success
	run --separate-stderr rt start "$ID"
	assert_one_line_error 'running|state|created|not'
	[[ $(container_status "$ID") == running ]] || fail "second start changed the state"
}

@test "errors: delete of a running container is refused without -f" {
	skip_on crun "1.8.1's message names the states delete accepts ('not in created or stopped state')"
	requires_containers
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	run --separate-stderr rt delete "$ID"
	assert_one_line_error 'running|force|-f'
	[[ $(container_status "$ID") == running ]] || fail "delete changed the state"
	run --separate-stderr rt delete -f "$ID"
	assert_success
	run rt state "$ID"
	assert_failure
}

@test "errors: kill of a stopped container is refused" {
	skip_on crun "1.8.1 says 'kill container: No such process'"
	requires_containers
	set_args true
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	wait_status "$ID" stopped
	run --separate-stderr rt kill "$ID" KILL
	assert_one_line_error 'not running|stopped|running'
	run --separate-stderr rt delete "$ID"
	assert_success
}

@test "errors: state, start, kill and delete of an unknown id are errors" {
	local command
	for command in state start "kill" delete; do
		run --separate-stderr rt "$command" "$ID"
		assert_one_line_error "$ID|not exist|no such"
	done
}

@test "errors: update, pause, resume, ps and events of an unknown id are errors" {
	local command commands=("update --pids-limit 20" pause resume ps "events --stats")
	# crun 1.8.1 has no events command
	[[ $RUNTIME_KIND != crun ]] || unset 'commands[4]'
	for command in "${commands[@]}"; do
		# shellcheck disable=SC2086 # the command and its flags split into words
		run --separate-stderr rt $command "$ID"
		assert_one_line_error "$ID|not exist|no such"
	done
}

@test "errors: delete -f of an unknown id succeeds" {
	run --separate-stderr rt delete -f "$ID"
	assert_success
	assert_output ''
}

@test "errors: an unknown signal is refused" {
	skip_on crun "1.8.1 accepts the signal name SIGFROB"
	requires_containers
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	run --separate-stderr rt kill "$ID" SIGFROB
	assert_one_line_error 'FROB|signal'
	[[ $(container_status "$ID") == running ]] || fail "the container was signalled"
}
