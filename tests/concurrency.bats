#!/usr/bin/env bats
# Commands on the same containers at the same time: two creates of one id (exactly one
# wins), start racing delete, and churn: containers created, started, exec'd into,
# inspected, killed and deleted by parallel workers while `list` runs.  No corrupted
# state, no deadlock, nothing left.
#
# SILO_CHURN="CONTAINERS WORKERS" (default "24 4"; `make check-stress`: "200 8").
# SILO_LONG_RUN=N execs and states into one container (default 150; check-stress: 10000).
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

# sample OUT-VAR: what a leak would make grow, as one line: the init's fds, the
# container's processes, the host's mounts of its paths, the bytes in its state directory,
# and the median peak RSS (KiB) of five foreground `exec`s (GNU time's %M: silo and the
# process it waited for; one call alone varies by ~10% with the address layout).
sample() {
	local -n out=$1
	local fds procs mounts bytes rss i
	local -a all=()
	fds=$(ls "/proc/$INIT_PID/fd" | wc -l)
	procs=$(rt ps "$ID" | wc -l)
	mounts=$(grep -c -e "$TEST_DIR" -e "$ROOT" -e "$ID" /proc/self/mountinfo || true)
	bytes=$(du -sb "$ROOT/$ID" | cut -f1)
	for ((i = 0; i < 5; i++)); do
		rss=$(/usr/bin/time -f %M "$RUNTIME" "${RT_GLOBAL[@]}" exec "$ID" true 2>&1 >/dev/null) ||
			fail "exec failed while sampling: $rss"
		all+=("$rss")
	done
	rss=$(printf '%s\n' "${all[@]}" | sort -n | sed -n 3p)
	out="fds=$fds procs=$procs mounts=$mounts bytes=$bytes rss=$rss"
}

@test "concurrency: long run: execs and states into one container leave fds and memory flat" {
	local n rounds=${SILO_LONG_RUN:-150} first last f l fds_seen
	[[ -x /usr/bin/time ]] || skip "GNU time (/usr/bin/time) is not installed"
	set_args sleep 86400    # setup's 600 s end before 10,000 rounds on a busy machine
	rt_run_detached "$ID"
	INIT_PID=$(state_field "$ID" pid)
	sample first
	for ((n = 1; n <= rounds; n++)); do
		run --separate-stderr rt exec "$ID" true
		((status == 0)) || fail "exec $n of $rounds failed ($status): $stderr"
		run --separate-stderr rt state "$ID"
		((status == 0)) || fail "state $n of $rounds failed ($status): $stderr"
		if ((n % 50 == 0)); then
			fds_seen=$(rt exec "$ID" ls /proc/self/fd | tr '\n' ' ')
			[[ $fds_seen == "0 1 2 3 " ]] || fail "exec $n: the process got fds: $fds_seen"
		fi
	done
	sample last
	echo "# $rounds execs and $rounds states; first: $first; last: $last" >&3
	# everything but the RSS must be equal; a leak in silo itself would grow the RSS with
	# the rounds (10,000 in check-stress), far beyond a fifth
	[[ ${first% rss=*} == "${last% rss=*}" ]] || fail "grew: first $first, last $last"
	f=${first##*rss=} l=${last##*rss=}
	((l <= f + f / 5)) || fail "exec's peak RSS grew from $f to $l KiB"
	rt delete --force "$ID"
}
