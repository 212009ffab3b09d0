#!/usr/bin/env bats
# cgroups: linux.resources as the kernel shows them.  tests/cgroup-resources.tsv (also
# read by the unit tests of the conversions) drives the read-back: each row of the host's
# layout is checked in the container's cgroup after `create`, then after `update` to
# another value (see tests/helpers/cgroups.bash for how rows share containers).  Then the
# effects, asserted by the kernel's counters: the OOM killer, pids.max, the CPU quota.
# And the errors that must name the config field.

load helpers/common
load helpers/cgroups

setup_file() {
	cg_loop_setup
}

teardown_file() {
	cg_loop_teardown
}

setup() {
	common_setup
	requires_containers
}

# ---------------------------------------------------------------------------------------
# The table.

# check_file ID FILE EXPECTED WHEN: the file reads EXPECTED (or has it as a line); a
# mismatch is added to ERRORS.
check_file() {
	local text
	text=$(cat "$(cg_file "$1" "$2")" 2>&1)
	cg_has_line "$text" "$3" ||
		ERRORS+=("$4: $2 reads '$(paste -sd'|' <<<"$text")', expected '$3'")
}

# apply_update ID FLAGS|- RESOURCES-JSON: update with the flags when there are, else -r
# (the first -r of a test reads standard input, the others a file).  UPDATE_HOW says how,
# for messages.
apply_update() {
	local id=$1 flags=() resources=$3 status=0
	[[ $2 == - ]] || read -ra flags <<<"$2"
	if ((${#flags[@]})); then
		UPDATE_HOW="update ${flags[*]}"
		rt update "${flags[@]}" "$id" </dev/null >"$TEST_DIR/update.err" 2>&1 || status=$?
	elif [[ -z $STDIN_USED ]]; then
		STDIN_USED=1
		UPDATE_HOW="update -r - <<<'$resources'"
		rt update -r - "$id" <<<"$resources" >"$TEST_DIR/update.err" 2>&1 || status=$?
	else
		UPDATE_HOW="update -r FILE ($resources)"
		echo "$resources" >"$TEST_DIR/update.json"
		rt update -r "$TEST_DIR/update.json" "$id" </dev/null >"$TEST_DIR/update.err" 2>&1 || status=$?
	fi
	((status == 0)) || ERRORS+=("$UPDATE_HOW failed: $(cat "$TEST_DIR/update.err")")
	return $status
}

# create_group ID RESOURCES-JSON: create ID (cgroupsPath /ID) with those resources.
create_group() {
	write_base_config
	set_args sleep 600
	cfg --arg cg "/$1" --argjson r "$2" '.linux.cgroupsPath = $cg | .linux.resources += $r'
	rt_create "$1" 2>/dev/null && return 0
	ERRORS+=("create with $2 failed: $(cat "$TEST_DIR/$1.err")")
	return 1
}

# check_table LAYOUT: every row of the table for LAYOUT that this host can hold.  A row
# is checked after create, then each of its updates as soon as it is written; every
# mismatch is collected, and the test fails with all of them.
check_table() {
	local layout=$1 steps step a b c d id='' resources='' created=0 updated=0 containers=0
	ERRORS=() STDIN_USED=''
	steps=$(cg_steps "$layout") || fail "cannot plan the table's $layout rows"
	while IFS=$'\t' read -r step a b c d; do
		case $step in
		skip) echo "# $layout: $a skipped ($b): $c" >&3 ;;
		create)
			[[ -z $id ]] || rt delete -f "$id" </dev/null || ERRORS+=("delete -f $id failed")
			id=${TOKEN}$layout-$a resources=$b containers=$((containers + 1))
			create_group "$id" "$resources" || id=
			;;
		check)
			[[ -n $id ]] || continue
			check_file "$id" "$a" "$b" "$c after create with $resources"
			created=$((created + 1))
			;;
		update)
			[[ -n $id ]] && apply_update "$id" "$a" "$b" || continue
			check_file "$id" "$c" "$d" "$UPDATE_HOW"
			updated=$((updated + 1))
			;;
		esac
	done <<<"$steps"
	[[ -z $id ]] || rt delete -f "$id" </dev/null || ERRORS+=("delete -f $id failed")
	((containers > 0)) || skip "no $layout row of the table applies on this host"
	echo "# $layout: $created row(s) checked after create in $containers container(s), $updated update(s)" >&3
	((${#ERRORS[@]} == 0)) || fail "$(printf '%s\n' "${ERRORS[@]}")"
}

@test "resources: the table's cgroup v1 rows read back after create and after update" {
	skip_on crun "1.8.1 writes blkio.weight, which is absent when bfq serves the weights, and cannot write a cpu quota of -1 on v1"
	check_table v1
}

@test "resources: the table's cgroup2 rows read back after create and after update" {
	skip_on crun "1.8.1 refuses unified on a hybrid host ('cannot use unified on cgroup v1')"
	check_table v2
}

# ---------------------------------------------------------------------------------------
# Effects, by the kernel's counters.

# Memory limit $1 bytes, and no swap beyond it where the host has swap.
set_memory_limit() {
	cfg --argjson m "$1" '.linux.resources.memory = {limit: $m}'
	if (($(wc -l </proc/swaps) > 1)); then
		cfg --argjson m "$1" '.linux.resources.memory.swap = $m'
	fi
}

# The OOM kill counter of ID's memory cgroup.
oom_kills() {
	if [[ $(cg_layout memory) == v1 ]]; then
		cg_counter "$1" memory.oom_control oom_kill
	else
		cg_counter "$1" memory.events oom_kill
	fi
}

# busybox dd allocates its block (64 MiB) and fills it from /dev/zero.
ALLOCATE='dd if=/dev/zero of=/dev/null bs=64M count=1'

@test "resources: an allocation above the memory limit is OOM-killed: exit 137" {
	[[ -n $(cg_layout memory) ]] || skip "no memory controller"
	set_memory_limit 33554432
	run_container -- "exec $ALLOCATE"
	assert_equal "$status" 137
}

@test "resources: an OOM kill shows in the memory cgroup's oom_kill counter and as an events record" {
	skip_on crun "1.8.1 has no events command"
	[[ -n $(cg_layout memory) ]] || skip "no memory controller"
	set_memory_limit 33554432
	set_args sh -c "exec $ALLOCATE"
	rt_create "$ID" || fail "create failed"
	rt events --interval 100ms "$ID" </dev/null >"$TEST_DIR/events" 2>"$TEST_DIR/events.err" &
	local events=$!
	register_pid "$events"
	# the first stats line: events has read the counter it compares against
	wait_for grep -q '"type":"stats"' "$TEST_DIR/events" ||
		fail "events printed no stats line: $(cat "$TEST_DIR/events.err")"
	run --separate-stderr rt start "$ID"
	assert_success
	wait_status "$ID" stopped
	(($(oom_kills "$ID") >= 1)) || fail "oom_kill counter: $(oom_kills "$ID")"
	cg_events_ended "$ID" "$events" "$TEST_DIR/events.err"
	run jq -c 'select(.type == "oom")' "$TEST_DIR/events"
	assert_output "{\"type\":\"oom\",\"id\":\"$ID\"}"
}

@test "resources: a fork loop under pids.limit gets EAGAIN and pids.events counts it" {
	[[ -n $(cg_layout pids) ]] || skip "no pids controller"
	cfg '.linux.resources.pids = {limit: 10}'
	# busybox sh gives up at the first fork that fails: the container then stops
	set_args sh -c 'for i in $(seq 20); do sleep 600 & done; echo "all forked"'
	rt_run_detached "$ID" || fail "run -d failed"
	wait_status "$ID" stopped
	run cat "$TEST_DIR/$ID.out" "$TEST_DIR/$ID.err"
	assert_line "sh: can't fork: Resource temporarily unavailable"
	refute_line "all forked"
	(($(cg_counter "$ID" pids.events max) >= 1)) || fail "pids.events: $(cg_value "$ID" pids.events)"
}

@test "resources: a busy loop under a CPU quota is throttled (cpu.stat nr_throttled)" {
	[[ -n $(cg_layout cpu) ]] || skip "no cpu controller"
	cfg '.linux.resources.cpu = {quota: 10000, period: 100000}'
	set_args sh -c 'while :; do :; done'
	rt_run_detached "$ID" || fail "run -d failed"
	throttled() { (($(cg_counter "$ID" cpu.stat nr_throttled) > 0)); }
	wait_for throttled || fail "never throttled: $(cg_value "$ID" cpu.stat)"
}

# ---------------------------------------------------------------------------------------
# Errors that name the field.

# create_fails_naming REGEX: create fails with one line matching REGEX, and leaves no
# container behind.
create_fails_naming() {
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_one_line_error "$1"
	run rt state "$ID"
	assert_failure
}

@test "resources: network.classID without a net_cls controller is an error naming it" {
	skip_on runc "1.1.5 says 'cannot set net_cls limit', without the config field"
	skip_on crun "1.8.1 fails to open the missing net_cls hierarchy, without the config field"
	[[ -z $(cg_layout net_cls) ]] || skip "this host has net_cls"
	cfg '.linux.resources.network = {classID: 1048577}'
	create_fails_naming 'linux\.resources\.network\.classID'
}

@test "resources: rdma without an rdma controller is an error naming it" {
	skip_on runc "1.1.5 says 'cannot set rdma limit', without the config field"
	skip_on crun "1.8.1 ignores rdma where there is no rdma controller"
	[[ -z $(cg_layout rdma) ]] || skip "this host has an rdma controller"
	cfg '.linux.resources.rdma = {mlx5_1: {hcaHandles: 3}}'
	create_fails_naming 'linux\.resources\.rdma'
}

@test "resources: unified for a cgroup v1 controller is an error naming the key" {
	skip_on runc "1.1.5 says 'cannot use unified on cgroup v1', without the key"
	skip_on crun "1.8.1 says 'cannot use unified on cgroup v1', without the key"
	case $(cg_host_layout) in
	v2) skip "pure cgroup v2: unified applies" ;;
	v1) cfg '.linux.resources.unified = {"pids.max": "10"}'
		create_fails_naming 'linux\.resources\.unified' ;;
	hybrid)
		[[ $(cg_layout memory) == v1 ]] || skip "memory is not a v1 controller here"
		cfg '.linux.resources.unified = {"memory.high": "1048576"}'
		create_fails_naming 'linux\.resources\.unified\.memory\.high' ;;
	esac
}

@test "resources: blockIO.leafWeight is an error naming it" {
	skip_on runc "1.1.5 fails on the missing file blkio.leaf_weight, without the config field"
	skip_on crun "1.8.1 first fails on the missing blkio.weight (bfq serves the weights here), without the config field"
	cfg '.linux.resources.blockIO = {weight: 300, leafWeight: 300}'
	create_fails_naming 'linux\.resources\.blockIO\.leafWeight'
}
