#!/usr/bin/env bats
# Commands on the same containers at the same time: two creates of one id (exactly one
# wins), start racing delete, and churn: containers created, started, exec'd into,
# inspected, killed and deleted by parallel workers while `list` runs.  No corrupted
# state, no deadlock, nothing left.
#
# SILO_CHURN="CONTAINERS WORKERS" (default "24 4"; `make check-stress`: "200 8").
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load helpers/common

setup() {
	common_setup
	requires_containers
	set_args sleep 600
}

# bg_rt OUT CMD...: `silo CMD` in the background, its status into OUT when it ends.
bg_rt() {
	local out=$1
	shift
	(
		close_extra_fds
		rc=0
		timeout -k 5 "$SILO_TEST_TIMEOUT" "$RUNTIME" "${RT_GLOBAL[@]}" "$@" </dev/null >/dev/null 2>&1 || rc=$?
		echo "$rc" >"$out"
	) &
}

@test "concurrency: two creates of one id: exactly one wins" {
	local n a b
	register_id "$ID"
	for ((n = 0; n < 10; n++)); do
		bg_rt "$TEST_DIR/a" create --bundle "$BUNDLE" "$ID"
		bg_rt "$TEST_DIR/b" create --bundle "$BUNDLE" "$ID"
		wait
		a=$(cat "$TEST_DIR/a") b=$(cat "$TEST_DIR/b")
		(((a == 0) + (b == 0) == 1)) || fail "round $n: the creates exited $a and $b"
		run rt state "$ID"
		assert_success
		run --separate-stderr rt delete --force "$ID"
		assert_success
	done
}

@test "concurrency: start racing delete --force: either wins, nothing is left" {
	local n id
	for ((n = 0; n < 10; n++)); do
		id=$ID-$n
		register_id "$id"
		rt create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 || fail "create $id failed"
		bg_rt "$TEST_DIR/start" start "$id"
		bg_rt "$TEST_DIR/delete" delete --force "$id"
		wait
		assert_equal "$(cat "$TEST_DIR/delete")" 0
		run rt state "$id"
		assert_failure
		[[ ! -e $ROOT/$id ]] || fail "round $n: the state of $id is left"
	done
}

# worker W COUNT: COUNT containers, one after the other: run -d, exec, ps, state, kill,
# delete; the first failure is written to $TEST_DIR/failed-W.
worker() {
	local w=$1 count=$2 i id
	for ((i = 0; i < count; i++)); do
		id=$ID-w$w-$i
		echo "$id" >>"$TEST_DIR/ids"
		{ rt run -d --bundle "$BUNDLE" "$id" &&
			rt exec "$id" true &&
			rt ps "$id" &&
			rt state "$id" &&
			rt kill "$id" KILL &&
			rt delete --force "$id"; } </dev/null >>"$TEST_DIR/worker-$w.out" 2>&1 ||
			{ echo "$id" >"$TEST_DIR/failed-$w"; return 1; }
	done
}

@test "concurrency: churn by parallel workers while list runs" {
	local containers workers w lists=0
	# each container in a cgroup of its own: silo's default path for its id
	cfg 'del(.linux.cgroupsPath)'
	read -r containers workers <<<"${SILO_CHURN:-24 4}"
	for ((w = 0; w < workers; w++)); do
		worker "$w" $((containers / workers)) &
	done
	while [[ -n $(jobs -r) ]]; do
		rt list --format json >/dev/null || fail "list failed while the workers ran"
		lists=$((lists + 1))
	done
	wait
	for ((w = 0; w < workers; w++)); do
		[[ ! -e $TEST_DIR/failed-$w ]] ||
			fail "worker $w failed on $(cat "$TEST_DIR/failed-$w"): $(tail -3 "$TEST_DIR/worker-$w.out")"
	done
	run rt list -q
	assert_output ''
	echo "# $containers containers by $workers workers, $lists lists meanwhile" >&3
}
