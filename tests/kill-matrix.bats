#!/usr/bin/env bats
# silo SIGKILLed at random moments: each command is started, killed after a random
# 0-30 ms, and then `state` and `list` must still answer (no crash, one clear line at
# worst), and `delete --force` must leave nothing: no state entry, no cgroup in any
# hierarchy, no process of the container, no mount under the rootfs.
#
# SILO_KILL_ROUNDS rounds per command (default 6 here; `make check-stress` runs 100).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load helpers/common

setup() {
	common_setup
	requires_containers
	must_skip_on runc "a matrix of silo's own commands and state"
	must_skip_on crun "a matrix of silo's own commands and state"
	set_args sleep 600
	ROUNDS=${SILO_KILL_ROUNDS:-6}
	KILLS=0
}

# kill_after_random CMD...: run `silo CMD`, SIGKILL it after 0-30 ms (if still running).
kill_after_random() {
	(
		close_extra_fds
		exec "$RUNTIME" "${RT_GLOBAL[@]}" "$@"
	) </dev/null >/dev/null 2>&1 &
	local pid=$!
	sleep "0.0$(printf '%02d' $((RANDOM % 31)))"
	kill -KILL "$pid" 2>/dev/null && KILLS=$((KILLS + 1))
	wait "$pid" 2>/dev/null || true
}

# answers CMD...: silo answers CMD with a status of 0 or 1 and at most one line of error.
answers() {
	run --separate-stderr rt "$@"
	((status <= 1)) || fail "\`$*\` exited $status after a kill: $stderr"
	(($(wc -l <<<"$stderr") <= 1)) || fail "\`$*\` said more than one line: $stderr"
}

# nothing_left ID [PID]: after `delete --force`, no trace of ID.
nothing_left() {
	local id=$1 pid=${2:-} dir
	[[ ! -e $ROOT/$id ]] || fail "state entry $ROOT/$id left"
	for dir in $(hierarchies); do
		[[ ! -d $dir/$id ]] || fail "cgroup $dir/$id left"
	done
	if [[ -n $pid ]] && [[ -e /proc/$pid/stat ]] &&
		[[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) != Z ]] &&
		grep -q "$id" "/proc/$pid/cgroup" 2>/dev/null; then
		fail "the init $pid of $id still runs"
	fi
	! grep -qF " $ROOTFS/" /proc/self/mountinfo || fail "a mount under the rootfs is left"
}

# round N PREPARE CMD...: make id $ID-N ready with PREPARE (none, created, running,
# paused), kill `silo CMD... ID-N` at random (@ID@ in CMD puts the id elsewhere), then
# check and clean.
round() {
	local id=${ID}-$1 prepare=$2 pid=
	shift 2
	register_id "$id"
	case $prepare in
	created | running | paused)
		rt create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 || fail "create $id failed"
		[[ $prepare == created ]] || rt start "$id" || fail "start $id failed"
		[[ $prepare != paused ]] || rt pause "$id" || fail "pause $id failed"
		pid=$(state_field "$id" pid)
		;;
	esac
	local args=() arg
	for arg in "$@"; do args+=("${arg//@ID@/$id}"); done
	[[ " $* " == *" @ID@ "* ]] || args+=("$id")
	kill_after_random "${args[@]}"
	answers state "$id"
	answers list
	run --separate-stderr rt delete --force "$id"
	assert_success
	nothing_left "$id" "$pid"
}

# matrix PREPARE CMD...: ROUNDS rounds; says how many kills landed.
matrix() {
	local n
	for ((n = 0; n < ROUNDS; n++)); do
		round "$n" "$@"
	done
	echo "# $*: $ROUNDS rounds, $KILLS killed before they ended" >&3
}

@test "kill matrix: create" {
	matrix none create --bundle "$BUNDLE"
}

@test "kill matrix: run -d" {
	matrix none run -d --bundle "$BUNDLE"
}

@test "kill matrix: start" {
	matrix created start
}

@test "kill matrix: kill" {
	matrix running kill KILL
}

@test "kill matrix: delete --force of a running container" {
	matrix running delete --force
}

@test "kill matrix: pause, resume" {
	matrix running pause
	matrix paused resume
}

@test "kill matrix: update" {
	matrix running update --pids-limit 50
}

@test "kill matrix: exec" {
	matrix running exec @ID@ sleep 1
}
