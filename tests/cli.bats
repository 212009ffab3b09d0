#!/usr/bin/env bats
# The command line: global options, usage errors, --log/--log-format, spec, features.

load helpers/common

@test "cli: --version names the runtime and the spec version" {
	run --separate-stderr rt --version
	assert_success
	assert_line --index 0 --regexp '^(silo|runc|crun) version [0-9]'
	assert_line --regexp '^spec: 1\.[0-9]+\.[0-9]+'
	if is_silo; then
		assert_line 'spec: 1.3.0'
	fi
}

@test "cli: --help lists every command and exits 0" {
	skip_on crun "1.8.1 has no events and no features command"
	run --separate-stderr rt --help
	assert_success
	local command
	for command in create start run state kill delete list pause resume update events ps spec features; do
		assert_line --regexp "^ *$command\\b"
	done
}

@test "cli: an unknown command is a one-line error" {
	run --separate-stderr rt frobnicate
	assert_one_line_error 'frobnicate'
}

@test "cli: an unknown global flag is a one-line error" {
	run --separate-stderr rt --frobnicate list
	MULTILINE_OK=crun assert_one_line_error 'frobnicate'
}

@test "cli: an unknown command flag is a one-line error" {
	local command
	for command in create start run state kill delete list pause resume update events ps spec; do
		# crun 1.8.1 has no events command (listed in docs/testing.md)
		[[ $RUNTIME_KIND != crun || $command != events ]] || continue
		run --separate-stderr rt "$command" --frobnicate "$ID"
		MULTILINE_OK=crun assert_one_line_error 'frobnicate'
	done
	# Nothing was created by any of them (teardown checks the rest).
	run rt list -q
	assert_output ''
}

@test "cli: a missing argument is a one-line error" {
	local command
	for command in create start run state kill delete; do
		run --separate-stderr rt "$command"
		assert_one_line_error
	done
}

@test "cli: --log --log-format json writes errors as JSON lines and to stderr" {
	run --separate-stderr rt --log "$TEST_DIR/log.json" --log-format json state "$ID"
	assert_one_line_error "$ID|does not exist|not exist|no such"
	[[ -s $TEST_DIR/log.json ]] || fail "nothing was written to the --log file"
	# Every line is a JSON object; the error is one of them with level, msg and time.
	run jq -e -s 'all(.[]; type == "object")' "$TEST_DIR/log.json"
	assert_success
	run jq -r -s '.[] | select(.level == "error") | [.msg, .time] | @tsv' "$TEST_DIR/log.json"
	assert_success
	assert_output --regexp ".+	[0-9]{4}-[0-9]{2}-[0-9]{2}T"
}

@test "cli: --log in text format receives the error too" {
	run --separate-stderr rt --log "$TEST_DIR/log.txt" state "$ID"
	assert_failure
	[[ -n $stderr ]] || fail "no error on stderr"
	run grep -ci 'error' "$TEST_DIR/log.txt"
	assert_success
}

@test "cli: a create error goes to stderr and, as JSON, to the --log file" {
	must_skip_on crun "1.8.1 accepts a string for process.args, and its created container then holds the test's output pipe open: the test would hang"
	requires_containers
	cfg '.process.args = "sh"'
	register_id "$ID"
	run --separate-stderr rt --log "$TEST_DIR/log.json" --log-format json create --bundle "$BUNDLE" "$ID" </dev/null
	assert_one_line_error 'args'
	run jq -r 'select(.level == "error") | .msg' "$TEST_DIR/log.json"
	assert_success
	grep -q 'args' <<<"$output" || fail "the log has no error about args: $(cat "$TEST_DIR/log.json")"
}

@test "cli: --root holds the state, not the default root" {
	requires_containers
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	run ls "$ROOT"
	assert_output --partial "$ID"
	local default
	for default in /run/silo /run/runc /run/crun; do
		[[ ! -e $default/$ID ]] || fail "state written to the default root $default"
	done
}

@test "cli: --log-format with an unknown value is an error" {
	run --separate-stderr rt --log-format yaml list
	assert_one_line_error 'yaml|format'
}

@test "cli: --debug writes debug lines to the log" {
	skip_on crun "1.8.1 writes no debug line to --log"
	requires_containers
	run --separate-stderr rt --debug --log "$TEST_DIR/log.json" --log-format json \
		run --bundle "$BUNDLE" "$ID"
	assert_success
	run jq -r 'select(.level == "debug") | .msg' "$TEST_DIR/log.json"
	assert_success
	[[ -n $output ]] || fail "--debug logged no debug line: $(cat "$TEST_DIR/log.json")"
}

@test "cli: --debug stage clock: create, the container's init and start, in time order" {
	is_silo || skip "$RUNTIME_KIND: the stage clock is silo's (bench/ reads it)"
	requires_containers
	# The init keeps create's stdio: files, not bats' pipes.
	register_id "$ID"
	rt --debug create --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/create.out" 2>"$TEST_DIR/create.err" ||
		fail "create: $(cat "$TEST_DIR/create.err")"
	local create
	create=$(cat "$TEST_DIR/create.err")
	run --separate-stderr rt --debug start "$ID"
	assert_success
	# "stage NAME T ms  at M": the init's lines come over the sync socket, prefixed.
	local all stages
	all=$(printf '%s\n%s\n' "$create" "$stderr" | sed -n 's/.*debug: \(container: \)\{0,1\}stage \([a-z-]*\) .* at \([0-9.]*\)$/\3 \2/p')
	stages=$(sort -n <<<"$all" | awk '{printf "%s ", $2}')
	for s in start parse validate state cgroups namespaces mounts pivot-root process created start-connected start-received exec started; do
		[[ " $stages" == *" $s "* ]] || fail "no stage '$s' in: $stages"
	done
	[[ $stages == start\ *parse\ *namespaces\ *mounts\ *pivot-root\ *process\ *created\ *start-connected\ *start-received\ *exec\ *started\  ]] ||
		fail "stages out of order: $stages"
}

@test "cli: --systemd-cgroup without systemd as the init is a clear error that leaves nothing" {
	skip_on crun "1.8.1 has a systemd cgroup driver; here it fails with 'cannot open sd-bus'"
	requires_containers
	[[ ! -d /run/systemd/system ]] || skip "systemd runs here: cgroups-systemd.bats tests the driver"
	run --separate-stderr rt --systemd-cgroup create --bundle "$BUNDLE" "$ID" </dev/null
	assert_one_line_error 'systemd|cgroupsPath'
	run rt state "$ID"
	assert_failure
}

@test "cli: --cgroup-manager systemd without systemd as the init is a clear error, cgroupfs works" {
	skip_on crun "1.8.1 has a systemd cgroup driver; here it fails with 'cannot open sd-bus'"
	requires_containers
	[[ ! -d /run/systemd/system ]] || skip "systemd runs here: cgroups-systemd.bats tests the driver"
	skip_on runc "1.1.5 has no --cgroup-manager option"
	run --separate-stderr rt --cgroup-manager systemd create --bundle "$BUNDLE" "$ID" </dev/null
	assert_one_line_error 'systemd'
	run rt state "$ID"
	assert_failure
	register_id "$ID"
	run --separate-stderr rt --cgroup-manager cgroupfs run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
}

@test "cli: --cgroup-manager disabled creates no cgroup" {
	requires_containers
	skip_on runc "1.1.5 has no --cgroup-manager option"
	set_args cat /proc/self/cgroup
	register_id "$ID"
	run --separate-stderr rt --cgroup-manager disabled run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	refute_output --partial "$ID"
}

# podman --cgroups=disabled: its config has a cgroup mount all the same.
@test "cli: --cgroup-manager disabled: a cgroup mount shows the host's hierarchies, read-only" {
	requires_containers
	skip_on runc "1.1.5 has no --cgroup-manager option"
	add_mount '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
		"options": ["nosuid", "noexec", "nodev", "relatime", "rw"]}'
	set_args sh -c 'ls /sys/fs/cgroup | grep -c . ; mkdir /sys/fs/cgroup/x 2>&1 || true'
	register_id "$ID"
	run --separate-stderr rt --cgroup-manager disabled run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	((${lines[0]} > 0)) || fail "no hierarchy under /sys/fs/cgroup: $output"
	assert_line --partial "Read-only file system"
	run rt delete -f "$ID"
	cfg '.linux.resources.pids = {limit: 10}'
	run --separate-stderr rt --cgroup-manager disabled run --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	[[ $stderr == *linux.resources* ]] || fail "the error does not name linux.resources: $stderr"
}

@test "cli: --rootless false is accepted" {
	run --separate-stderr rt --rootless false list -q
	assert_success
	assert_output ''
}

@test "spec: -b writes a valid default config.json" {
	mkdir "$TEST_DIR/spec"
	run --separate-stderr rt spec -b "$TEST_DIR/spec"
	assert_success
	run jq -e '(.ociVersion | type == "string") and (.process.args | length > 0)
		and .root.path == "rootfs" and (.linux.namespaces | map(.type) | index("mount") != null)' \
		"$TEST_DIR/spec/config.json"
	assert_success
}

@test "spec: writes into the current directory and refuses to overwrite" {
	mkdir "$TEST_DIR/spec"
	cd "$TEST_DIR/spec"
	run --separate-stderr rt spec
	assert_success
	[[ -s config.json ]] || fail "no config.json in the current directory"
	echo '{"keep": true}' >config.json
	run --separate-stderr rt spec
	assert_one_line_error 'exist'
	run jq -e '.keep' config.json
	assert_success
}

@test "spec: --rootless adds a user namespace with mappings" {
	skip_on crun "1.8.1 leaves the mappings out of the file (it fills them in at create)"
	mkdir "$TEST_DIR/spec"
	run --separate-stderr rt spec --rootless -b "$TEST_DIR/spec"
	assert_success
	run jq -e '(.linux.namespaces | map(.type) | index("user") != null)
		and (.linux.uidMappings | length > 0) and (.linux.gidMappings | length > 0)' \
		"$TEST_DIR/spec/config.json"
	assert_success
}

@test "features: prints features.json" {
	skip_on crun "1.8.1 has no features command"
	run --separate-stderr rt features
	assert_success
	echo "$output" >"$TEST_DIR/features.json"
	run jq -e '(.ociVersionMin | type == "string") and (.ociVersionMax | type == "string")
		and (.hooks | index("createRuntime") != null) and (.mountOptions | index("bind") != null)' \
		"$TEST_DIR/features.json"
	assert_success
	if is_silo; then
		run jq -r '.ociVersionMax' "$TEST_DIR/features.json"
		assert_output '1.3.0'
	fi
}
