#!/usr/bin/env bats
# pause/resume (the freezer), ps and events --stats.  (linux.resources themselves, as
# create and update write them, are in cgroups-resources.bats.)

load helpers/common

setup() {
	common_setup
	requires_containers
	[[ -d /sys/fs/cgroup/freezer && -d /sys/fs/cgroup/pids ]] || skip "needs v1 freezer and pids hierarchies"
	set_args sleep 600
}

# v1 CONTROLLER FILE: the value of a v1 controller file of $ID's cgroup.
v1() {
	cat "/sys/fs/cgroup/$1/$ID/$2"
}

@test "pause: pause and resume freeze and thaw the container" {
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	run --separate-stderr rt pause "$ID"
	assert_success
	[[ $(container_status "$ID") == paused ]] || fail "status after pause: $(container_status "$ID")"
	assert_equal "$(v1 freezer freezer.state)" FROZEN
	run --separate-stderr rt resume "$ID"
	assert_success
	[[ $(container_status "$ID") == running ]] || fail "status after resume: $(container_status "$ID")"
	assert_equal "$(v1 freezer freezer.state)" THAWED
}

@test "pause: a paused container is refused by delete, not by delete -f" {
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	run --separate-stderr rt pause "$ID"
	assert_success
	run --separate-stderr rt delete "$ID"
	assert_one_line_error 'paused|running|force|-f'
	run --separate-stderr rt delete -f "$ID"
	assert_success
	run rt state "$ID"
	assert_failure
}

@test "pause: pause of a stopped container and resume of a running one are errors" {
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	run --separate-stderr rt resume "$ID"
	assert_one_line_error 'paused|running|not'
	run --separate-stderr rt kill "$ID" KILL
	assert_success
	wait_status "$ID" stopped
	run --separate-stderr rt pause "$ID"
	assert_one_line_error 'stopped|running|not'
}

@test "ps: --format json lists the container's processes" {
	set_args sh -c 'sleep 600 & exec sleep 601'
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	local pid
	pid=$(state_field "$ID" pid)
	wait_for test "$(wc -w <"/sys/fs/cgroup/pids/$ID/cgroup.procs")" -eq 2
	run --separate-stderr rt ps --format json "$ID"
	assert_success
	run jq -e --argjson pid "$pid" 'length == 2 and index($pid) != null' <<<"$output"
	assert_success
}

@test "events: --stats prints one stats record as JSON" {
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	run --separate-stderr rt events --stats "$ID"
	assert_success
	run jq -e --arg id "$ID" '.type == "stats" and .id == $id and .data.pids.current >= 1
		and (.data.memory | type == "object")' <<<"$output"
	assert_success
}
