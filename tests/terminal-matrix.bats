#!/usr/bin/env bats
# The terminal matrix: run, run -d, create + start, exec and exec -d, each with and
# without a terminal (tests/terminal.bats has the basics: /dev/console, a socket that does
# not exist).
#
#  terminal, detached: the pty master goes over --console-socket (tests/helpers/recvtty.c
#    receives it, writes the input, keeps the output); the process has the slave on fds
#    0-2, owned by its uid, with consoleSize set before it runs.
#  terminal, foreground: silo relays the pty itself.  silo runs under script(1), so that
#    its stdio are a pty of their own (the "outer" pty); $TEST_DIR/outer.sh runs in that
#    pty: it sizes it, records its settings before, while and after silo runs, and resizes
#    it once the container says it is ready.  The input comes through script's stdin, a
#    fifo fed once the container asks for it.
#  no terminal: fds 0-2 of the process are the very open files silo was given: the
#    process reports readlink and device:inode of each (tests/helpers/stdio-probe.c), and so
#    does the caller just before it runs silo ($TEST_DIR/given.sh); both must be equal.
#    Two tests per cell: open files (stdin a pipe, stdout a socket, stderr a regular file
#    whose offset the process shares; then all three script's pty), and closed fds and
#    /dev/null (stdin closed, stdout /dev/null, stderr a pipe; then stdin a regular file,
#    stdout and stderr closed).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load helpers/common

setup() {
	common_setup
	requires_containers
	SOCKET=$TEST_DIR/console.sock
	cp "$CACHE/bin/stdio-probe" "$ROOTFS/bin/stdio-probe"
	write_given_sh
	write_outer_sh
}

# start_sleeping: $ID runs `sleep 600`, without a terminal, its stdio on files: for exec.
start_sleeping() {
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
}

# ---------------------------------------------------------------------------------------
# terminal, detached

# What the process does with the terminal it has: the window size first (consoleSize must
# be set before it runs), then which of fds 0-2 are a tty (and which), the slave's owner,
# and a line of input echoed back.
TTY_CHECK='echo "size:$(stty size)"
for n in 0 1 2; do [ -t $n ] && echo "fd$n:$(readlink /proc/$$/fd/$n)"; done
echo "owner:$(stat -L -c %u /proc/self/fd/0)"
read -t 30 line
echo "got:$line"'

# assert_tty_session SIZE UID: what TTY_CHECK printed through the master.
assert_tty_session() {
	run tr -d '\r' <"$TEST_DIR/tty.out"
	[[ -z $1 ]] || assert_line "size:$1"
	assert_line --regexp '^fd0:/dev/pts/[0-9]+$'
	local pts=${lines[$(grep -n '^fd0:' <<<"$output" | cut -d: -f1) - 1]#fd0:}
	assert_line "fd1:$pts"
	assert_line "fd2:$pts"
	assert_line "owner:$2"
	assert_line typed-text    # the pty's echo
	assert_line got:typed-text
}

@test "matrix: run -d, terminal: --console-socket gets the master; tty on 0-2, consoleSize, owner, input, output" {
	cfg '.process.terminal = true | .process.user = {uid: 1000, gid: 1000} |
		.process.consoleSize = {height: 27, width: 93}'
	set_args sh -c "$TTY_CHECK"
	start_recvtty $'typed-text\n'
	run --separate-stderr rt_run_detached "$ID" --console-socket "$SOCKET"
	assert_success
	wait_recvtty
	assert_tty_session '27 93' 1000
	# nothing of the session went to the runtime's own stdio
	assert_equal "$(cat "$TEST_DIR/$ID.out")" ""
}

@test "matrix: create + start, terminal: the master comes at create; tty on 0-2, consoleSize, owner, input, output" {
	cfg '.process.terminal = true | .process.user = {uid: 1000, gid: 1000} |
		.process.consoleSize = {height: 28, width: 94}'
	set_args sh -c "$TTY_CHECK"
	start_recvtty $'typed-text\n'
	run --separate-stderr rt_create "$ID" --console-socket "$SOCKET"
	assert_success
	# the master is taken (recvtty removes the socket once it has accepted) before start
	wait_for test ! -e "$SOCKET" || fail "create did not connect to --console-socket"
	run --separate-stderr rt start "$ID" </dev/null
	assert_success
	assert_output ""
	wait_recvtty
	assert_tty_session '28 94' 1000
}

# containerd's shim: terminal only in the process file, --console-socket and --detach.
@test "matrix: exec -d, terminal from --process: --console-socket gets the master; tty on 0-2, consoleSize, owner, input, output" {
	start_sleeping
	jq -n --arg script "$TTY_CHECK" '{terminal: true, consoleSize: {height: 29, width: 95},
		user: {uid: 1000, gid: 1000}, args: ["sh", "-c", $script], cwd: "/",
		env: ["PATH=/bin", "TERM=xterm"]}' >"$TEST_DIR/process.json"
	start_recvtty $'typed-text\n'
	rt exec --process "$TEST_DIR/process.json" --console-socket "$SOCKET" --detach \
		--pid-file "$TEST_DIR/exec.pid" "$ID" </dev/null >"$TEST_DIR/exec.out" 2>&1 ||
		fail "exec failed: $(cat "$TEST_DIR/exec.out")"
	assert_equal "$(cat "$TEST_DIR/exec.out")" ""
	wait_recvtty
	assert_tty_session '29 95' 1000
}

# runc's flags: -t -d, the user from -u.
@test "matrix: exec -t -d -u: --console-socket gets the master; tty on 0-2, owner, input, output" {
	start_sleeping
	start_recvtty $'typed-text\n'
	rt exec -t -d -u 1000:1000 --console-socket "$SOCKET" "$ID" sh -c "$TTY_CHECK" \
		</dev/null >"$TEST_DIR/exec.out" 2>&1 || fail "exec failed: $(cat "$TEST_DIR/exec.out")"
	wait_recvtty
	assert_tty_session '' 1000
}

# ---------------------------------------------------------------------------------------
# terminal, foreground

# outer.sh RUNTIME-ARGS...: in script's pty.  The size is set before the runtime starts
# (31x97) and changed once the container has touched /tmp/ready (42x111).
write_outer_sh() {
	cat >"$TEST_DIR/outer.sh" <<-EOF
		#!/bin/bash
		d=$(printf %q "$TEST_DIR") ready=$(printf %q "$ROOTFS/tmp/ready")
		stty rows 31 cols 97 || exit 125
		stty -g >"\$d/stty.before"
		(
		    for ((n = 0; n < 300; n++)); do
		        [[ -e \$d/runtime.done ]] && exit 0
		        [[ -e \$ready ]] && break
		        sleep 0.1
		    done
		    stty -a >"\$d/stty.during"
		    stty rows 42 cols 111
		) </dev/tty &
		timeout --foreground -k 5 $SILO_TEST_TIMEOUT $(printf '%q ' "$RUNTIME" "${RT_GLOBAL[@]}") "\$@"
		rc=\$?
		touch "\$d/runtime.done"
		wait
		stty -g >"\$d/stty.after"
		echo \$rc >"\$d/rc"
		exit \$rc
	EOF
	chmod +x "$TEST_DIR/outer.sh"
}

# The container's side: its tty and the slave's owner; once the caller's size has arrived
# (31x97: a change of size is a SIGWINCH, so it must be there before the trap is set), it
# says it is ready and waits for the SIGWINCH of the resize, prints the size then, asks
# for input, echoes it and exits 7.
FG_SCRIPT='for n in 0 1 2; do [ -t $n ] && echo "tty$n"; done
echo "owner:$(stat -L -c %u /proc/self/fd/0)"
n=0
until [ "$(stty size 2>/dev/null)" = "31 97" ] || [ $n -ge 300 ]; do sleep 0.1; n=$((n + 1)); done
echo "initial:$(stty size)"
trap "winched=\$((winched + 1))" WINCH
touch /tmp/ready
n=0
while [ -z "$winched" ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
echo "winch:$winched size:$(stty size)"
touch /tmp/want-input
read -t 30 line
echo "got:$line"
exit 7'

# run_outer RUNTIME-ARGS...: outer.sh under script; OUTER_STATUS is the exit status of
# script (-e: that of outer.sh, the runtime's), $output and $lines what came out of the
# outer pty.  Once the container touches /tmp/want-input, a line is typed.
# script runs the command with $SHELL and it is quoted for bash ($'...' keeps newlines):
# under a $SHELL of /bin/sh (as in CI) that quoting would reach the container mangled.
run_outer() {
	rm -f "$TEST_DIR/in" "$TEST_DIR/rc" "$TEST_DIR/runtime.done" "$ROOTFS/tmp/ready" \
		"$ROOTFS/tmp/want-input"
	mkfifo "$TEST_DIR/in"
	(
		close_extra_fds
		for ((n = 0; n < 900; n++)); do
			[[ -e $ROOTFS/tmp/want-input ]] && { printf 'typed-line\n'; break; }
			[[ -e $TEST_DIR/rc ]] && break
			sleep 0.1
		done
		# script's stdin stays open until the runtime has returned
		for ((n = 0; n < 900; n++)); do [[ -e $TEST_DIR/rc ]] && break; sleep 0.1; done
	) </dev/null >"$TEST_DIR/in" 2>/dev/null &
	local feeder=$! command
	register_pid "$feeder"
	command=$(printf '%q ' "$TEST_DIR/outer.sh" "$@")
	OUTER_STATUS=0
	(
		close_extra_fds
		exec env SHELL=/bin/bash timeout -k 5 $((SILO_TEST_TIMEOUT + 30)) script -qec "$command" /dev/null
	) <"$TEST_DIR/in" >"$TEST_DIR/outer.out" 2>&1 || OUTER_STATUS=$?
	wait "$feeder" || true
	run tr -d '\r' <"$TEST_DIR/outer.out"
}

# assert_outer_session UID: the relayed session, the exit status, the outer pty's modes.
assert_outer_session() {
	assert_equal "$OUTER_STATUS" 7
	assert_equal "$(cat "$TEST_DIR/rc")" 7
	assert_line --partial tty0
	assert_line tty1
	assert_line tty2
	assert_line "owner:$1"
	assert_line "initial:31 97"
	# the resize of the outer pty reached the container's as a SIGWINCH
	assert_line --regexp '^winch:[1-9][0-9]* size:42 111$'
	assert_line got:typed-line
	# raw while the runtime relayed, as it was before once it is done
	grep -qE '(^|[ ;])-icanon( |;|$)' "$TEST_DIR/stty.during" ||
		fail "the outer pty was not raw while the runtime relayed: $(cat "$TEST_DIR/stty.during")"
	grep -qE '(^|[ ;])-echo( |;|$)' "$TEST_DIR/stty.during" ||
		fail "the outer pty echoed while the runtime relayed: $(cat "$TEST_DIR/stty.during")"
	assert_equal "$(cat "$TEST_DIR/stty.after")" "$(cat "$TEST_DIR/stty.before")"
}

@test "matrix: run, terminal, under a pty: relayed in raw mode, SIGWINCH, input, exit code, modes restored" {
	cfg '.process.terminal = true | .process.user = {uid: 1000, gid: 1000}'
	set_args sh -c "$FG_SCRIPT"
	register_id "$ID"
	run_outer run --bundle "$BUNDLE" "$ID"
	assert_outer_session 1000
	run rt state "$ID"
	assert_failure
}

@test "matrix: exec -t, under a pty: relayed in raw mode, SIGWINCH, input, exit code, modes restored" {
	start_sleeping
	run_outer exec -t -u 1000:1000 "$ID" sh -c "$FG_SCRIPT"
	assert_outer_session 1000
}

# The caller's window size is the process's from its first instruction: the runtime must
# size the container's pty before the process runs, not once it runs.  A poststart hook
# holds the runtime after the process's execve until the process has looked, so that a
# runtime that sizes the pty only after that cannot win.
@test "matrix: run, terminal, under a pty: the process starts with the caller's window size" {
	skip_on runc "runc 1.1.5 sizes the pty after the process has started (a race it often loses)"
	local hold
	hold="for n in \$(seq 200); do [ -e $ROOTFS/tmp/size ] && exit 0; sleep 0.1; done"
	cfg --arg hold "$hold" '.process.terminal = true |
		.hooks.poststart = [{path: "/bin/sh", args: ["sh", "-c", $hold]}]'
	set_args sh -c 'stty size >/tmp/size.tmp 2>&1; mv /tmp/size.tmp /tmp/size'
	register_id "$ID"
	run_outer run --bundle "$BUNDLE" "$ID"
	assert_equal "$OUTER_STATUS" 0
	assert_equal "$(cat "$ROOTFS/tmp/size")" "31 97"
}

# exec has no hook between the execve and the relay: 20 tries (a runtime that sizes the
# pty only after the execve loses some of them).
@test "matrix: exec -t, under a pty: the process starts with the caller's window size" {
	skip_on runc "runc 1.1.5 sizes the pty after the process has started (a race it often loses)"
	start_sleeping
	local k
	for ((k = 0; k < 20; k++)); do
		run_outer exec -t "$ID" sh -c "stty size >/tmp/size-$k 2>&1"
		assert_equal "$OUTER_STATUS" 0
		assert_equal "try $k: $(cat "$ROOTFS/tmp/size-$k")" "try $k: 31 97"
	done
}

# Foreground, terminal, but the caller's stdio are no tty: the relay goes through pipes,
# consoleSize stays, and the caller's stdin is typed into the pty.
typed_into_run() {
	printf 'typed-line\n' | rt run --bundle "$BUNDLE" "$ID"
}

@test "matrix: run, terminal, stdio pipes: input and output relayed, consoleSize kept, exit code" {
	skip_on runc "runc 1.1.5 refuses a foreground terminal:true run without a terminal of its own (open /dev/tty)"
	cfg '.process.terminal = true | .process.consoleSize = {height: 26, width: 92}'
	set_args sh -c 'echo "size:$(stty size)"; [ -t 0 ] && [ -t 1 ] && echo is-a-tty; read -t 30 line; echo "got:$line"; exit 6'
	register_id "$ID"
	run --separate-stderr typed_into_run
	assert_equal "$status" 6
	run tr -d '\r' <<<"$output"
	assert_line 'size:26 92'
	assert_line is-a-tty
	assert_line got:typed-line
}

# ---------------------------------------------------------------------------------------
# no terminal

# given.sh TAG MODE: run the runtime in MODE with this script's fds 0-2, recorded in
# $TEST_DIR/TAG.outside first; the process (stdio-probe report) writes
# $ROOTFS/tmp/TAG.report, which given.sh waits for (bounded) before it exits with the
# runtime's status.  Container ids: ${TOKEN}TAG; exec goes into $ID.
write_given_sh() {
	cat >"$TEST_DIR/given.sh" <<-EOF
		#!/bin/bash
		tag=\$1 mode=\$2
		$(printf %q "$CACHE/bin/stdio-probe") outside $(printf %q "$TEST_DIR")/\$tag.outside || exit 125
		rt() { timeout --foreground -k 5 $SILO_TEST_TIMEOUT $(printf '%q ' "$RUNTIME" "${RT_GLOBAL[@]}") "\$@"; }
		bundle=$(printf %q "$BUNDLE") token=$(printf %q "$TOKEN") id=$(printf %q "$ID")
		report=(stdio-probe report /tmp/\$tag.report \$tag)
		case \$mode in
		run) rt run --bundle "\$bundle" "\$token\$tag" ;;
		run-d) rt run -d --bundle "\$bundle" "\$token\$tag" ;;
		create) rt create --bundle "\$bundle" "\$token\$tag" &&
		    rt start "\$token\$tag" </dev/null >/dev/null 2>&1 ;;
		exec) rt exec "\$id" "\${report[@]}" ;;
		exec-d) rt exec -d "\$id" "\${report[@]}" ;;
		*) exit 125 ;;
		esac
		rc=\$?
		for ((n = 0; n < 200; n++)); do [[ -e $(printf %q "$ROOTFS")/tmp/\$tag.report ]] && break; sleep 0.1; done
		exit \$rc
	EOF
	chmod +x "$TEST_DIR/given.sh"
}

# prepare TAG MODE: for run, run -d and create, the container's args and id.
prepare() {
	[[ $2 == run* || $2 == create ]] || return 0
	set_args stdio-probe report "/tmp/$1.report" "$1"
	register_id "$TOKEN$1"
}

# given TAG MODE: given.sh with this shell's fds 0-2 (redirect them at the call) and no
# other.
given() {
	(
		close_extra_fds
		exec "$TEST_DIR/given.sh" "$@"
	)
}

# assert_same_stdio TAG: the process's fds 0-2 are what the caller had.
assert_same_stdio() {
	[[ -s $ROOTFS/tmp/$1.report ]] || fail "$1: the process wrote no report"
	assert_equal "$1 inside:"$'\n'"$(cat "$ROOTFS/tmp/$1.report")" \
		"$1 inside:"$'\n'"$(cat "$TEST_DIR/$1.outside")"
}

# stdio_open MODE: fds that are open files of the caller's, in MODE.
stdio_open() {
	local mode=$1 rc=0
	# stdin a pipe, stdout a socket, stderr a file (the same open file: its offset is
	# shared, so the process's line lands between the caller's two)
	prepare P "$mode"
	{
		echo before >&2
		printf 'input\n' | (
			close_extra_fds
			exec "$CACHE/bin/stdio-probe" socket-stdout "$TEST_DIR/given.sh" P "$mode"
		) >"$TEST_DIR/P.out" || rc=$?
		echo after >&2
	} 2>"$TEST_DIR/P.err"
	assert_equal "P exit $rc" "P exit 0"
	run cat "$TEST_DIR/P.outside"
	assert_line --index 0 --regexp '^0 pipe:\[[0-9]+\] '
	assert_line --index 1 --regexp '^1 socket:\[[0-9]+\] '
	assert_line --index 2 --regexp "^2 $TEST_DIR/P.err [0-9]+:[0-9]+\$"
	assert_same_stdio P
	assert_equal "$(cat "$TEST_DIR/P.out")" P-out
	assert_equal "$(cat "$TEST_DIR/P.err")" $'before\nP-err\nafter'

	# all three the pty of script(1)
	prepare T "$mode"
	rc=0
	(
		close_extra_fds
		exec env SHELL=/bin/bash timeout -k 5 $((SILO_TEST_TIMEOUT + 30)) script -qec "$TEST_DIR/given.sh T $mode" /dev/null
	) </dev/null >"$TEST_DIR/T.out" 2>&1 || rc=$?
	assert_equal "T exit $rc" "T exit 0"
	run cat "$TEST_DIR/T.outside"
	assert_line --index 0 --regexp '^0 /dev/pts/[0-9]+ '
	assert_same_stdio T
	run tr -d '\r' <"$TEST_DIR/T.out"
	assert_line --partial T-out
	assert_line T-err
}

# stdio_closed_null MODE: closed fds and /dev/null, in MODE.
stdio_closed_null() {
	local mode=$1
	# stdin closed, stdout /dev/null, stderr a pipe
	prepare N "$mode"
	{
		{
			given N "$mode" <&- 2>&1 >/dev/null
			echo "$?" >"$TEST_DIR/N.rc"
		} | cat >"$TEST_DIR/N.err"
	} <&-
	assert_equal "N exit $(cat "$TEST_DIR/N.rc")" "N exit 0"
	run cat "$TEST_DIR/N.outside"
	assert_line --index 0 "0 closed"
	assert_line --index 1 --regexp '^1 /dev/null '
	assert_line --index 2 --regexp '^2 pipe:\[[0-9]+\] '
	assert_same_stdio N
	assert_equal "$(cat "$TEST_DIR/N.err")" N-err

	# stdin a file, stdout and stderr closed
	prepare D "$mode"
	echo input >"$TEST_DIR/D.in"
	given D "$mode" <"$TEST_DIR/D.in" >&- 2>&- || fail "D: exit $?"
	run cat "$TEST_DIR/D.outside"
	assert_line --index 0 --regexp "^0 $TEST_DIR/D.in "
	assert_line --index 1 "1 closed"
	assert_line --index 2 "2 closed"
	assert_same_stdio D
}

# runc's differences, for the tests of closed fds and /dev/null.
RUNC_FG_PIPES="runc in the foreground gives the process pipes of its own and copies them"
RUNC_CLOSED_NULL="runc 1.1.5 replaces a /dev/null stdio by the container's /dev/null, and a closed stdio fd by a file it opened itself (/sys/fs/cgroup as fd 0)"

@test "matrix: run, no terminal: pipes, a socket, files, a tty are the process's stdio as given" {
	skip_on runc "$RUNC_FG_PIPES"
	stdio_open run
}

@test "matrix: run, no terminal: closed fds and /dev/null are the process's stdio as given" {
	skip_on runc "$RUNC_FG_PIPES"
	stdio_closed_null run
}

@test "matrix: run -d, no terminal: pipes, a socket, files, a tty are the process's stdio as given" {
	stdio_open run-d
}

@test "matrix: run -d, no terminal: closed fds and /dev/null are the process's stdio as given" {
	skip_on runc "$RUNC_CLOSED_NULL"
	stdio_closed_null run-d
}

@test "matrix: create + start, no terminal: pipes, a socket, files, a tty given to create are the process's stdio" {
	stdio_open create
}

@test "matrix: create + start, no terminal: closed fds and /dev/null given to create are the process's stdio" {
	skip_on runc "$RUNC_CLOSED_NULL"
	stdio_closed_null create
}

@test "matrix: exec, no terminal: pipes, a socket, files, a tty are the process's stdio as given" {
	skip_on runc "$RUNC_FG_PIPES"
	start_sleeping
	stdio_open exec
}

@test "matrix: exec, no terminal: closed fds and /dev/null are the process's stdio as given" {
	skip_on runc "$RUNC_FG_PIPES"
	start_sleeping
	stdio_closed_null exec
}

@test "matrix: exec -d, no terminal: pipes, a socket, files, a tty are the process's stdio as given" {
	start_sleeping
	stdio_open exec-d
}

@test "matrix: exec -d, no terminal: closed fds and /dev/null are the process's stdio as given" {
	skip_on runc "$RUNC_CLOSED_NULL"
	start_sleeping
	stdio_closed_null exec-d
}
