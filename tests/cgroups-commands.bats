#!/usr/bin/env bats
# cgroups: the commands that act on a container's cgroups: pause and resume (the
# freezer), update (flags, -r, ordering of memory and swap, errors, the stored config),
# events (--stats and the stream), ps (json, table, ps arguments) and kill --all.

load helpers/common
load helpers/cgroups

setup() {
	common_setup
	requires_containers
	set_args sleep 600
}

# stored-config.json under --root: silo's own copy of the config (linux.resources after update).
silo_stored_resources() {
	jq -c ".linux.resources$1" "$ROOT/$ID/stored-config.json"
}

# The container's pids, as `ps -f json` prints them, one a line.
container_pids() {
	rt ps -f json "$ID" </dev/null | jq -r '.[]?'
}

has_pids() { # has_pids N: the container has N processes
	[[ $(container_pids | wc -l) == "$1" ]]
}

# ---------------------------------------------------------------------------------------
# pause, resume

# Two loops (the init and a child) that each rewrite a counter file in the rootfs.
COUNTERS='count() { i=0; while :; do i=$((i + 1)); echo $i >/tmp/$1.new; mv /tmp/$1.new /tmp/$1; usleep 50000; done; }
count a & count b'

counter() {
	cat "$ROOTFS/tmp/$1" 2>/dev/null
}

counter_moved() { # counter_moved NAME FROM: the counter no longer reads FROM
	local now
	now=$(counter "$1")
	[[ -n $now && $now != "$2" ]]
}

@test "pause: pause freezes every process, resume thaws them" {
	set_args sh -c "$COUNTERS"
	rt_run_detached "$ID" || fail "run -d failed"
	wait_for counter_moved a "" && wait_for counter_moved b "" || fail "the counters never started"
	run --separate-stderr rt pause "$ID"
	assert_success
	assert_equal "$(container_status "$ID")" paused
	if [[ $(cg_layout freezer) == v1 ]]; then
		assert_equal "$(cg_value "$ID" freezer.state)" FROZEN
	else
		assert_equal "$(cg_counter "$ID" cgroup.events frozen)" 1
	fi
	local a b
	a=$(counter a) b=$(counter b)
	# frozen: the values stay what they were, however long one waits
	sleep 0.3
	assert_equal "$(counter a) $(counter b)" "$a $b"
	run --separate-stderr rt resume "$ID"
	assert_success
	assert_equal "$(container_status "$ID")" running
	wait_for counter_moved a "$a" || fail "counter a stays at $a after resume"
	wait_for counter_moved b "$b" || fail "counter b stays at $b after resume"
}

@test "pause: pausing a created container is an error" {
	skip_on runc "1.1.5 pauses a created container too"
	skip_on crun "1.8.1 pauses a created container too"
	rt_create "$ID" || fail "create failed"
	run --separate-stderr rt pause "$ID"
	assert_one_line_error 'created|not running'
	assert_equal "$(container_status "$ID")" created
}

@test "pause: pausing a stopped container and resuming a running one are errors" {
	skip_on crun "1.8.1 resumes a running container without an error"
	rt_run_detached "$ID" || fail "run -d failed"
	run --separate-stderr rt resume "$ID"
	assert_one_line_error 'running|not paused'
	assert_equal "$(container_status "$ID")" running
	run --separate-stderr rt kill "$ID" KILL
	assert_success
	wait_status "$ID" stopped
	run --separate-stderr rt pause "$ID"
	assert_one_line_error 'stopped|not running'
	run --separate-stderr rt resume "$ID"
	assert_one_line_error 'stopped|not paused'
}

@test "pause: delete -f of a paused container removes it and its cgroups" {
	set_args sh -c 'sleep 600 & exec sleep 600'
	rt_run_detached "$ID" || fail "run -d failed"
	run --separate-stderr rt pause "$ID"
	assert_success
	run --separate-stderr rt delete -f "$ID"
	# thaw what a failed delete left frozen, so that teardown can kill it
	((status == 0)) || cg_thaw "$ID"
	assert_success
	run rt state "$ID"
	assert_failure
	local hierarchy
	for hierarchy in $(hierarchies); do
		[[ ! -d $hierarchy/$ID ]] || fail "$hierarchy/$ID is left"
	done
}

# ---------------------------------------------------------------------------------------
# update

# The memory limit file and how it shows N bytes.
memory_limit() {
	if [[ $(cg_layout memory) == v1 ]]; then
		cg_value "$ID" memory.limit_in_bytes
	else
		cg_value "$ID" memory.max
	fi
}

@test "update: a running container's limits change, and the stored config follows" {
	skip_on crun "1.8.1 pastes update flag values into its JSON as they are: a size such as 128m is a JSON syntax error"
	[[ -n $(cg_layout memory) && -n $(cg_layout pids) ]] || skip "needs the memory and pids controllers"
	cfg '.linux.resources += {memory: {limit: 67108864}, pids: {limit: 50}}'
	rt_run_detached "$ID" || fail "run -d failed"
	run --separate-stderr rt update --memory 128m "$ID"
	assert_success
	assert_equal "$(memory_limit)" 134217728
	# A second update of another field: a runtime that writes its stored config back
	# (runc does) would undo the first one if that config had not followed.
	run --separate-stderr rt update --pids-limit 20 "$ID"
	assert_success
	assert_equal "$(cg_value "$ID" pids.max)" 20
	assert_equal "$(memory_limit)" 134217728
	if is_silo; then
		assert_equal "$(silo_stored_resources .memory.limit)" 134217728
		assert_equal "$(silo_stored_resources .pids.limit)" 20
	fi
	# -r: only the members given change
	echo '{"pids": {"limit": 30}}' >"$TEST_DIR/resources.json"
	run --separate-stderr rt update -r "$TEST_DIR/resources.json" "$ID"
	assert_success
	assert_equal "$(cg_value "$ID" pids.max)" 30
	assert_equal "$(memory_limit)" 134217728
}

@test "update: a paused container is updated and stays paused" {
	[[ -n $(cg_layout pids) ]] || skip "needs the pids controller"
	cfg '.linux.resources.pids = {limit: 50}'
	rt_run_detached "$ID" || fail "run -d failed"
	run --separate-stderr rt pause "$ID"
	assert_success
	run --separate-stderr rt update --pids-limit 40 "$ID"
	assert_success
	assert_equal "$(cg_value "$ID" pids.max)" 40
	assert_equal "$(container_status "$ID")" paused
	run --separate-stderr rt resume "$ID"
	assert_success
	assert_equal "$(container_status "$ID")" running
}

# The memory and swap files as "LIMIT SWAP", SWAP in the spec's terms (memory + swap).
memory_and_swap() {
	if [[ $(cg_layout memory) == v1 ]]; then
		echo "$(cg_value "$ID" memory.limit_in_bytes) $(cg_value "$ID" memory.memsw.limit_in_bytes)"
	else
		local limit swap
		limit=$(cg_value "$ID" memory.max) swap=$(cg_value "$ID" memory.swap.max)
		echo "$limit $((limit + swap))"
	fi
}

@test "update: --memory and --memory-swap together, raised and lowered" {
	skip_on crun "1.8.1 pastes update flag values into its JSON as they are: a size such as 256m is a JSON syntax error"
	case $(cg_layout memory) in
	v1) [[ -e ${CG_V1[memory]}/memory.memsw.limit_in_bytes ]] || skip "no swap accounting" ;;
	v2) ;;
	*) skip "no memory controller" ;;
	esac
	cfg '.linux.resources.memory = {limit: 67108864, swap: 134217728}'
	rt_run_detached "$ID" || fail "run -d failed"
	[[ -e $(cg_file "$ID" memory.swap.max) || $(cg_layout memory) == v1 ]] || skip "no swap accounting"
	assert_equal "$(memory_and_swap)" "67108864 134217728"
	# raising: the swap limit (v1: memory + swap) must go first
	run --separate-stderr rt update --memory 256m --memory-swap 512m "$ID"
	assert_success
	assert_equal "$(memory_and_swap)" "268435456 536870912"
	# lowering: the memory limit must go first
	run --separate-stderr rt update --memory 32m --memory-swap 48m "$ID"
	assert_success
	assert_equal "$(memory_and_swap)" "33554432 50331648"
}

@test "update: --kernel-memory-tcp sets memory.kernelTCP where cgroup v1 has it" {
	skip_on runc "1.1.5 ignores --kernel-memory-tcp"
	skip_on crun "1.8.1 pastes update flag values into its JSON as they are"
	[[ $(cg_layout memory) == v1 ]] || skip "memory is not on cgroup v1: no TCP buffer limit there"
	[[ -e ${CG_V1[memory]}/memory.kmem.tcp.limit_in_bytes ]] || skip "this kernel has no memory.kmem.tcp.limit_in_bytes"
	set_args sleep 600
	rt_run_detached "$ID" || fail "run -d failed"
	run --separate-stderr rt update "$ID" --kernel-memory-tcp 64m
	assert_success
	assert_equal "$(cat "$(cg_file "$ID" memory.kmem.tcp.limit_in_bytes)")" 67108864
}

@test "update: values that are not numbers or sizes are one-line errors naming the flag" {
	skip_on crun "1.8.1 pastes update flag values into its JSON as they are: the error is yajl's, in four lines, without the flag"
	[[ -n $(cg_layout pids) ]] || skip "needs the pids controller"
	cfg '.linux.resources.pids = {limit: 50}'
	rt_run_detached "$ID" || fail "run -d failed"
	local flag name
	for flag in --memory=10x --memory-swap=lots --cpu-share=abc --cpu-quota=1.5 --pids-limit=x; do
		name=${flag%%=*}
		run --separate-stderr rt update "$flag" "$ID"
		assert_one_line_error "${name#--}"
	done
	echo '{"pids": {"limit": "x"}}' >"$TEST_DIR/resources.json"
	run --separate-stderr rt update -r "$TEST_DIR/resources.json" "$ID"
	assert_one_line_error 'pids.limit'
	run --separate-stderr rt update -r "$TEST_DIR/missing.json" "$ID"
	assert_one_line_error 'missing\.json'
	assert_equal "$(cg_value "$ID" pids.max)" 50
}

@test "update: values the kernel refuses are one-line errors naming the field" {
	skip_on runc "1.1.5 accepts --blkio-weight 5, and names the cgroup file (in two lines) for a swap limit below the memory limit"
	skip_on crun "1.8.1 pastes update flag values into its JSON as they are: a size such as 32m is a JSON syntax error"
	[[ -n $(cg_layout memory) ]] || skip "no memory controller"
	cfg '.linux.resources.memory = {limit: 67108864}'
	rt_run_detached "$ID" || fail "run -d failed"
	run --separate-stderr rt update --memory-swap 32m "$ID"
	assert_one_line_error 'memory\.swap'
	# the stored limit is named before the kernel answers a bare EINVAL
	! is_silo || assert_one_line_error 'memory\.swap: 33554432 is below the memory limit 67108864'
	run --separate-stderr rt update --memory 128m "$ID"
	assert_success
	run --separate-stderr rt update --memory-swap 96m "$ID"
	! is_silo || assert_one_line_error 'below the memory limit 134217728'
	run --separate-stderr rt update --blkio-weight 5 "$ID"
	assert_one_line_error 'blkio-weight'
	assert_equal "$(memory_limit)" 134217728
}

@test "update: a stopped container cannot be updated" {
	skip_on crun "1.8.1 updates a stopped container without an error"
	set_args true
	rt_run_detached "$ID" || fail "run -d failed"
	wait_status "$ID" stopped
	run --separate-stderr rt update --pids-limit 10 "$ID"
	assert_one_line_error 'stopped|not running'
}

# ---------------------------------------------------------------------------------------
# events

@test "events: --stats prints one stats line with the cpu, memory and pids statistics" {
	skip_on crun "1.8.1 has no events command"
	rt_run_detached "$ID" || fail "run -d failed"
	run --separate-stderr rt events --stats "$ID"
	assert_success
	assert_equal "${#lines[@]}" 1
	run jq -c --arg id "$ID" '[.type == "stats", .id == $id,
		(.data | has("cpu"), has("memory"), has("pids")), .data.pids.current >= 1]' <<<"$output"
	assert_output '[true,true,true,true,true,true]'
}

@test "events: the stream prints a stats line every --interval and ends when the container stops" {
	skip_on crun "1.8.1 has no events command"
	rt_run_detached "$ID" || fail "run -d failed"
	rt events --interval 100ms "$ID" </dev/null >"$TEST_DIR/events" 2>"$TEST_DIR/events.err" &
	local events=$!
	register_pid "$events"
	lines_at_least() { (($(wc -l <"$TEST_DIR/events") >= $1)); }
	wait_for lines_at_least 3 || fail "fewer than 3 lines: $(cat "$TEST_DIR/events" "$TEST_DIR/events.err")"
	run --separate-stderr rt kill "$ID" KILL
	assert_success
	wait_status "$ID" stopped
	cg_events_ended "$ID" "$events" "$TEST_DIR/events.err"
	run jq -sc --arg id "$ID" 'map(.type == "stats" and .id == $id) | unique' "$TEST_DIR/events"
	assert_output '[true]'
}

# ---------------------------------------------------------------------------------------
# ps

@test "ps: -f json is a bare array of the container's pids, the init's among them" {
	set_args sh -c 'sleep 600 & exec sleep 700'
	rt_run_detached "$ID" || fail "run -d failed"
	wait_for has_pids 2 || fail "pids: $(container_pids)"
	run --separate-stderr rt ps -f json "$ID"
	assert_success
	run jq -c --argjson pid "$(state_field "$ID" pid)" \
		'[type == "array", length, all(.[]; type == "number"), any(.[]; . == $pid)]' <<<"$output"
	assert_output '[true,2,true,true]'
}

@test "ps: the table is ps's header and the container's processes only" {
	set_args sh -c 'sleep 600 & exec sleep 700'
	rt_run_detached "$ID" || fail "run -d failed"
	wait_for has_pids 2 || fail "pids: $(container_pids)"
	local pids column
	pids=$(container_pids | sort -n | paste -sd' ')
	run --separate-stderr rt ps "$ID"
	assert_success
	column=$(awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "PID") print i }' <<<"$output")
	[[ -n $column ]] || fail "no PID column in the header: ${lines[0]}"
	assert_equal "$(awk -v c="$column" 'NR > 1 { print $c }' <<<"$output" | sort -n | paste -sd' ')" "$pids"
}

@test "ps: arguments after the id are passed to ps" {
	skip_on crun "1.8.1's ps takes no arguments after the id"
	set_args sh -c 'sleep 600 & exec sleep 700'
	rt_run_detached "$ID" || fail "run -d failed"
	wait_for has_pids 2 || fail "pids: $(container_pids)"
	run --separate-stderr rt ps "$ID" -o pid,comm
	assert_success
	assert_equal "$(echo ${lines[0]})" "PID COMMAND"
	assert_equal "${#lines[@]}" 3
	assert_equal "$(awk 'NR > 1 { print $2 }' <<<"$output" | sort -u)" sleep
}

# ---------------------------------------------------------------------------------------
# kill --all

@test "kill --all ID 9 kills every process of the container, not only its init" {
	# no pid namespace: the init's death alone would not take its child with it
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'sleep 600 & exec sleep 700'
	rt_run_detached "$ID" || fail "run -d failed"
	wait_for has_pids 2 || fail "pids: $(container_pids)"
	local pids pid
	pids=$(container_pids)
	for pid in $pids; do register_pid "$pid"; done
	run --separate-stderr rt kill --all "$ID" 9
	assert_success
	wait_status "$ID" stopped
	gone() { [[ ! -d /proc/$1 ]] || grep -q '^State:.*Z' "/proc/$1/status"; }
	for pid in $pids; do
		wait_for gone "$pid" || fail "process $pid survived kill --all"
	done
	[[ $(container_pids) == "" ]] || fail "the cgroup still has $(container_pids)"
}
