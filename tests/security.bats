#!/usr/bin/env bats
# CVE-2019-5736 (overwriting the runtime binary from a container), the runtime's process
# in the container being non-dumpable, and the process tree of `run` under strace.

load helpers/common

setup() {
	common_setup
	requires_containers
	RUNTIME_SUM=$(sha256sum <"$RUNTIME")
}

assert_runtime_unchanged() {
	assert_equal "$(sha256sum <"$RUNTIME")" "$RUNTIME_SUM"
}

@test "CVE-2019-5736: a container cannot exec the runtime through /proc/self/exe" {
	set_args /proc/self/exe
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	assert_runtime_unchanged
	# the same through a shell script's interpreter line
	printf '#!/proc/self/exe\n' >"$ROOTFS/bin/evil"
	chmod +x "$ROOTFS/bin/evil"
	set_args /bin/evil
	register_id "$ID2"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID2" </dev/null
	assert_failure
	assert_runtime_unchanged
}

# join_pid_namespace_of PID: make $BUNDLE2 (same rootfs) a container in PID's pid namespace.
join_pid_namespace_of() {
	make_bundle2
	BUNDLE=$BUNDLE2 cfg --arg ns "/proc/$1/ns/pid" \
		'.linux.namespaces |= map(if .type == "pid" then .path = $ns else . end)'
}

# A created container's pid 1 is still the runtime's own process.  A second container in
# the same pid namespace tries what the CVE-2019-5736 exploit did: take /proc/1/exe as an
# O_PATH fd while the runtime runs and reopen it for writing once the runtime has exec'd
# the user program.  Whatever it manages to open must not be the runtime's binary (runc
# runs from a sealed memfd copy; silo is non-dumpable, so the open itself fails).
@test "CVE-2019-5736: the runtime binary cannot be opened for writing from inside" {
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	join_pid_namespace_of "$(state_field "$ID" pid)"
	BUNDLE=$BUNDLE2 set_args sh -c '
		silo-probe open-write /proc/1/exe
		silo-probe path-reopen /proc/1/exe /started'
	RT_BUNDLE=$BUNDLE2 run --separate-stderr rt_run_detached "$ID2"
	assert_success
	wait_for grep -qE '^(opened|denied: open O_PATH)' "$TEST_DIR/$ID2.out" ||
		fail "the probe did not report: $(cat "$TEST_DIR/$ID2.out" "$TEST_DIR/$ID2.err")"
	run --separate-stderr rt start "$ID"
	assert_success
	touch "$ROOTFS/started"
	wait_status "$ID2" stopped
	run cat "$TEST_DIR/$ID2.out"
	refute_line "ok $(stat -L -c %d:%i "$RUNTIME")"
	if is_silo; then
		refute_line --regexp '^ok'
	fi
	assert_runtime_unchanged
}

@test "the runtime's process in a created container is not dumpable" {
	skip_on runc "1.1.5's init is dumpable while created (it relies on running from a sealed memfd copy)"
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	# A non-dumpable process's /proc/PID/exe, environ and fd are refused to a process
	# without CAP_SYS_PTRACE: ask from a container that lacks it and shares the pid ns.
	join_pid_namespace_of "$(state_field "$ID" pid)"
	BUNDLE=$BUNDLE2 set_args sh -c '
		readlink /proc/1/exe && echo exe-readable
		cat /proc/1/environ >/dev/null && echo environ-readable
		readlink /proc/1/fd/0 && echo fd-readable
		echo done'
	register_id "$ID2"
	run --separate-stderr rt run --bundle "$BUNDLE2" "$ID2" </dev/null
	assert_success
	assert_output 'done'
}

# strace_run NAME: run $ID under strace -ff; the per-process traces are $TEST_DIR/NAME.*
strace_run() {
	register_id "$ID"
	(
		close_extra_fds
		exec timeout --foreground "$SILO_TEST_TIMEOUT" strace -ff -qq -o "$TEST_DIR/$1" \
			-e trace=clone,clone3,fork,vfork,execve,execveat "$RUNTIME" "${RT_GLOBAL[@]}" run --bundle "$BUNDLE" "$ID"
	) </dev/null >"$TEST_DIR/strace.out" 2>&1 || fail "run under strace failed: $(cat "$TEST_DIR/strace.out")"
}

# count_calls NAME REGEX: successful calls matching REGEX in all the traces.  (A runtime
# may exec with execveat(fd, "", ..., AT_EMPTY_PATH): that counts as an execve.)
count_calls() {
	cat "$TEST_DIR/$1".* | grep -E "^($2)\\(" | grep -vcE '= -1 [A-Z]+'
}

@test "run under strace: one clone for the init and one execve of the container program" {
	skip_on runc "re-execs itself (runc init) by design, and its Go runtime clones threads"
	skip_on crun "not part of crun's design contract"
	set_args /bin/true
	strace_run plain
	assert_equal "clones: $(count_calls plain 'clone|clone3|fork|vfork')" "clones: 1"
	# the runtime itself (started by strace) and the container program
	assert_equal "execs: $(count_calls plain 'execve|execveat')" "execs: 2"
	run grep -hE '^execve(at)?\(.*\["/bin/true"\]' "$TEST_DIR"/plain.*
	assert_success
}

@test "run under strace: each hook adds one clone and one execve" {
	skip_on runc "re-execs itself (runc init) by design, and its Go runtime clones threads"
	skip_on crun "not part of crun's design contract"
	set_args /bin/true
	cfg '.hooks.prestart = [{path: "/bin/true"}] | .hooks.poststop = [{path: "/bin/true"}]'
	strace_run hooks
	assert_equal "clones: $(count_calls hooks 'clone|clone3|fork|vfork')" "clones: 3"
	assert_equal "execs: $(count_calls hooks 'execve|execveat')" "execs: 4"
}
