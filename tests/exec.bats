#!/usr/bin/env bats
# exec: a new process in a created or running container, with runc's flags and the ways
# engines call it (podman/conmon: --process, --detach, --pid-file; containerd's shim:
# --process with terminal in the file).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load helpers/common

setup() {
	common_setup
	requires_containers
	set_args sleep 600
}

# start_container [FLAGS...]: $ID running `sleep 600` in the background.
start_container() {
	run --separate-stderr rt_run_detached "$ID" "$@"
	assert_success
	INIT_PID=$(state_field "$ID" pid)
}

@test "exec: runs a command in the container and returns its exit code" {
	start_container
	run --separate-stderr rt exec "$ID" sh -c 'echo out; echo err >&2; exit 3'
	assert_equal "$status" 3
	assert_output out
	assert_equal "$stderr" err
	run --separate-stderr rt exec "$ID" true
	assert_success
}

@test "exec: a process killed by signal N gives 128+N; SIGTERM to exec is passed on" {
	start_container
	run rt exec "$ID" sh -c 'kill -USR1 $$'
	assert_equal "$status" 138
	(
		close_extra_fds
		exec timeout --foreground 60 "$RUNTIME" "${RT_GLOBAL[@]}" exec "$ID" sh -c 'echo ready; sleep 30; echo not-killed'
	) >"$TEST_DIR/exec.out" 2>&1 &
	local pid=$!
	register_pid "$pid"
	wait_for grep -q ready "$TEST_DIR/exec.out" || fail "exec did not start: $(cat "$TEST_DIR/exec.out")"
	# the runtime under timeout: send TERM to the runtime itself
	kill -TERM "$(pgrep -P "$pid" -f "exec $ID" || echo "$pid")"
	wait "$pid" || status=$?
	assert_equal "${status:-0}" 143
	refute grep -q not-killed "$TEST_DIR/exec.out"
}

@test "exec: the process joins every namespace and the cgroup of the container" {
	start_container
	run --separate-stderr rt exec "$ID" sh -c 'for n in mnt pid net ipc uts cgroup; do readlink /proc/self/ns/$n; done; cat /proc/1/comm'
	assert_success
	local n want=""
	for n in mnt pid net ipc uts cgroup; do
		want+="$(readlink "/proc/$INIT_PID/ns/$n")"$'\n'
	done
	assert_output "${want}sleep"
	# seen from the host, in the init's cgroups (a detached process keeps the stdio it
	# was given: not bats' pipes, or `run` would wait for it)
	rt exec -d --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 30 </dev/null >/dev/null 2>&1 ||
		fail "exec -d failed"
	diff <(cut -d: -f1,3 "/proc/$INIT_PID/cgroup") <(cut -d: -f1,3 "/proc/$(cat "$TEST_DIR/exec.pid")/cgroup") ||
		fail "the exec'd process is not in the container's cgroups"
}

@test "exec: environment: the container's, then -e; PATH, HOME from /etc/passwd, TERM with a terminal" {
	cfg '.process.env = ["FROM_CONFIG=1", "KEEP=yes"]'
	start_container
	run --separate-stderr rt exec -e FROM_CONFIG=2 -e NEW=3 "$ID" env
	assert_success
	assert_line FROM_CONFIG=2
	assert_line KEEP=yes
	assert_line NEW=3
	assert_line --regexp '^PATH=/'
	assert_line HOME=/root
	refute_line --regexp '^TERM='
	run --separate-stderr rt exec -u 65534 "$ID" env
	assert_line HOME=/
}

@test "exec: --user, --additional-gids, --cwd, --cap, --no-new-privs" {
	start_container
	run --separate-stderr rt exec -u 1000:1001 -g 5 -g 6 --cwd /tmp "$ID" sh -c 'id -u; id -g; id -G; pwd'
	assert_success
	assert_output $'1000\n1001\n1001 5 6\n/tmp'
	run --separate-stderr rt exec --cap CAP_SYS_ADMIN "$ID" sh -c 'grep CapEff /proc/self/status'
	assert_success
	[[ $((16#${output##*[[:space:]]} >> 21 & 1)) == 1 ]] || fail "CAP_SYS_ADMIN not effective: $output"
	run --separate-stderr rt exec "$ID" sh -c 'grep CapEff /proc/self/status'
	[[ $((16#${output##*[[:space:]]} >> 21 & 1)) == 0 ]] || fail "CAP_SYS_ADMIN granted without --cap: $output"
	run --separate-stderr rt exec --no-new-privs "$ID" grep NoNewPrivs /proc/self/status
	assert_output --regexp '1$'
}

@test "exec: --process FILE as conmon and containerd's shim send it" {
	start_container
	jq -n '{args: ["sh", "-c", "echo $FOO; pwd; id -u"], cwd: "/tmp", env: ["FOO=from-file", "PATH=/bin"],
		user: {uid: 1000, gid: 1000}, terminal: false}' >"$TEST_DIR/process.json"
	run --separate-stderr rt exec --process "$TEST_DIR/process.json" "$ID"
	assert_success
	assert_output $'from-file\n/tmp\n1000'
	# containerd's form: global json log, --detach, --pid-file
	rt --log "$TEST_DIR/log.json" --log-format json exec --process "$TEST_DIR/process.json" \
		--detach --pid-file "$TEST_DIR/p.pid" "$ID" </dev/null >/dev/null 2>&1 || fail "exec --detach failed"
	[[ -s $TEST_DIR/p.pid ]] || fail "no pid file"
}

@test "exec: --detach returns once the process runs; its pid file names it on the host" {
	start_container
	rt exec -d --pid-file "$TEST_DIR/exec.pid" "$ID" sh -c 'echo started >/tmp/mark; sleep 30; :' \
		</dev/null >"$TEST_DIR/exec.out" 2>&1 || fail "exec -d failed: $(cat "$TEST_DIR/exec.out")"
	local pid
	pid=$(cat "$TEST_DIR/exec.pid")
	[[ -d /proc/$pid ]] || fail "process $pid is not running"
	wait_for test -e "$ROOTFS/tmp/mark" || fail "the detached process did not run"
	run cat "/proc/$pid/comm"
	assert_output sh
}

@test "exec: only stdio and the preserved fds reach the process" {
	start_container
	run --separate-stderr rt exec "$ID" silo-probe fds
	assert_success
	assert_output '0 1 2'
	(
		exec 3</dev/null 4</dev/null
		exec "$RUNTIME" "${RT_GLOBAL[@]}" exec --preserve-fds 2 "$ID" silo-probe fds
	) >"$TEST_DIR/fds.out" 2>&1 </dev/null
	assert_equal "$(cat "$TEST_DIR/fds.out")" '0 1 2 3 4'
}

@test "exec: into a stopped container fails; into a paused one only with --ignore-paused" {
	start_container
	rt pause "$ID"
	run --separate-stderr rt exec "$ID" true
	assert_one_line_error 'cannot exec in a paused container'
	# exec's own status is the process's: a failure of the runtime is 255, as with runc
	assert_equal "$status" 255
	# the process joins the frozen cgroup before it runs anything: exec waits with it
	rt exec --ignore-paused "$ID" sh -c 'echo ran >/tmp/ran' >"$TEST_DIR/exec.out" 2>&1 &
	local exec_pid=$!
	register_pid "$exec_pid"
	sleep 1
	[[ ! -e $ROOTFS/tmp/ran ]] || fail "the process ran while the container was paused"
	rt resume "$ID"
	wait "$exec_pid" || fail "exec failed after resume: $(cat "$TEST_DIR/exec.out")"
	[[ -e $ROOTFS/tmp/ran ]] || fail "the process did not run after resume"
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	run --separate-stderr rt exec "$ID" true
	assert_one_line_error 'stopped'
	run --separate-stderr rt exec nonexistent-id true
	assert_one_line_error 'does not exist'
}

@test "exec: into a created container" {
	run --separate-stderr rt_create "$ID"
	assert_success
	run --separate-stderr rt exec "$ID" sh -c 'cat /proc/1/comm; echo ok'
	assert_success
	assert_line ok
	assert_equal "$(container_status "$ID")" created
}

@test "exec: the container's seccomp filter applies to the process" {
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 95}]}'
	start_container
	run --separate-stderr rt exec "$ID" sh -c 'mkdir /tmp/x 2>&1; echo status $?'
	assert_output --partial 'not supported'
	assert_line 'status 1'
}

@test "exec: --cwd and the program through /proc/self/fd/N never lead out (CVE-2024-21626)" {
	local n
	start_container
	for ((n = 3; n <= 20; n++)); do
		ln -sfn "/proc/self/fd/$n/../../../../../../.." "$ROOTFS/app"
		run --separate-stderr rt exec --cwd /app "$ID" sh -c "echo escaped >${SENTINEL#/}"
		assert_failure
		run --separate-stderr rt exec "$ID" /app/bin/sh -c "echo escaped >$SENTINEL"
		assert_failure
	done
	run --separate-stderr rt exec --cwd /proc/self/fd/3 "$ID" pwd
	assert_one_line_error 'magic link'
}

@test "exec: process.execCPUAffinity final is applied; create accepts the field" {
	cfg '.process.execCPUAffinity = {initial: "0", final: "0"}'
	start_container
	jq '.process | .args = ["sh", "-c", "grep Cpus_allowed_list /proc/self/status"]' \
		"$BUNDLE/config.json" >"$TEST_DIR/process.json"
	run --separate-stderr rt exec --process "$TEST_DIR/process.json" "$ID"
	assert_success
	assert_output --regexp 'Cpus_allowed_list:[[:space:]]+0$'
}

@test "exec: --cgroup puts the process in a sub-cgroup of the container" {
	start_container
	local dir
	dir=$(cgroup_dir "/$ID")
	[[ $dir == */pids/* || -n $(find /sys/fs/cgroup/pids -maxdepth 1 -name "$ID") ]] ||
		skip "no v1 pids hierarchy here"
	mkdir "/sys/fs/cgroup/pids/$ID/sub"
	run --separate-stderr rt exec --cgroup pids:sub "$ID" grep pids /proc/self/cgroup
	assert_success
	assert_output --regexp ":pids:/$ID/sub\$"
	run --separate-stderr rt exec --cgroup pids:missing "$ID" true
	assert_failure
}

@test "exec -t --detach sends the pty master to --console-socket" {
	start_container
	"$CACHE/bin/recvtty" "$TEST_DIR/console.sock" "$TEST_DIR/tty.out" &
	register_pid $!
	local recv=$!
	wait_for test -S "$TEST_DIR/console.sock"
	run --separate-stderr rt exec -t -d --console-socket "$TEST_DIR/console.sock" "$ID" sh -c 'tty; stat -c %u $(tty); echo $TERM'
	assert_success
	wait "$recv"
	run cat "$TEST_DIR/tty.out"
	assert_output --regexp '/dev/pts/[0-9]+'
	assert_output --partial xterm
}

@test "exec: 100 in parallel all succeed and leave no zombie and no fd behind" {
	start_container
	cat >"$TEST_DIR/many.sh" <<-EOF
		#!/bin/bash
		for i in \$(seq 100); do
			"$RUNTIME" --root "$ROOT" exec "$ID" sh -c 'echo \$\$' >"$TEST_DIR/out.\$i" 2>&1 &
		done
		wait
	EOF
	chmod +x "$TEST_DIR/many.sh"
	run --separate-stderr "$CACHE/bin/subreaper" "$TEST_DIR/many.sh"
	assert_success
	assert_equal "$stderr" "orphans: 0"
	run bash -c "cat '$TEST_DIR'/out.* | grep -c '^[0-9][0-9]*\$'"
	assert_output 100
	# no process of ours left in the container but its init
	run rt ps "$ID"
	assert_success
	assert_equal "$(grep -vc PID <<<"$output")" 1
	run ls "/proc/$INIT_PID/fd"
	assert_output $'0\n1\n2'
}
