#!/usr/bin/env bats
# linux.seccomp on real containers: notify with an agent at listenerPath, the filter
# flags, ENOSYS for calls newer than the profile, architectures libseccomp does not know,
# and silo's cache of compiled programs.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load helpers/common

setup() {
	common_setup
	requires_containers
}

# start_agent ERRNO: a seccomp agent on $TEST_DIR/agent.sock that answers every notified
# call with -ERRNO and records each state it gets in $TEST_DIR/agent.json.
start_agent() {
	"$CACHE/bin/seccomp-agent" "$TEST_DIR/agent.sock" "$TEST_DIR/agent.json" "$1" &
	AGENT_PID=$!
	register_pid "$AGENT_PID"
	wait_for test -S "$TEST_DIR/agent.sock" || fail "the seccomp agent did not start"
}

stop_agent() {
	kill "$AGENT_PID" 2>/dev/null || true
	wait "$AGENT_PID" 2>/dev/null || true
}

notify_profile() {
	cfg --arg path "$TEST_DIR/agent.sock" --argjson nnp "$1" '.process.noNewPrivileges = $nnp
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $path,
		  listenerMetadata: "from-the-test", syscalls: [{names: ["mkdir", "mkdirat"],
		  action: "SCMP_ACT_NOTIFY"}]}'
}

@test "seccomp notify: the agent gets the state and the listener before the process runs, and answers for it" {
	skip_on crun "1.8.1 sends the listener only when built with the agent support"
	local nnp n=0
	start_agent 123    # ENOMEDIUM
	for nnp in false true; do
		notify_profile "$nnp"
		run_container -- 'mkdir /tmp/made 2>&1; echo "status $?"; test -d /tmp/made || echo absent'
		assert_success
		assert_line 'status 1'
		assert_line 'absent'
		assert_output --partial 'No medium found'
		n=$((n + 1))
		run wc -l <"$TEST_DIR/agent.json"
		assert_output "$n"
		run jq -c '[.fds, .metadata, .state.id, .state.status, (.pid > 0), (.state.pid == .pid)]' \
			<<<"$(tail -1 "$TEST_DIR/agent.json")"
		assert_output --regexp "^\[\[\"seccompFd\"\],\"from-the-test\",\"$ID\",\"(creating|created)\",true,true\]$"
		rt delete -f "$ID" >/dev/null 2>&1
	done
	stop_agent
}

@test "seccomp notify: an exec'd process sends its own listener, with its own pid" {
	skip_on crun "1.8.1 sends the listener only when built with the agent support"
	start_agent 123    # ENOMEDIUM
	notify_profile true
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	wait_for test -s "$TEST_DIR/agent.json" || fail "the agent got nothing for the init"
	run --separate-stderr rt exec "$ID" sh -c 'mkdir /tmp/made 2>&1; echo "status $?"'
	assert_success
	assert_line 'status 1'
	assert_output --partial 'No medium found'
	run wc -l <"$TEST_DIR/agent.json"
	assert_output 2
	run jq -c '[.fds, .metadata, .state.id, (.pid > 0)]' <<<"$(tail -1 "$TEST_DIR/agent.json")"
	assert_output "[[\"seccompFd\"],\"from-the-test\",\"$ID\",true]"
	[[ $(jq -r .pid <<<"$(tail -1 "$TEST_DIR/agent.json")") != "$(state_field "$ID" pid)" ]] ||
		fail "the exec'd process's listener came with the init's pid"
	stop_agent
}

@test "seccomp notify: the connection to the agent is closed once the listener is sent" {
	skip_on crun "1.8.1 sends the listener only when built with the agent support"
	start_agent 123
	# noNewPrivileges false: the filter (and the send) comes before `created`, long before
	# the exec that would close a forgotten fd anyway
	notify_profile false
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	wait_for test -s "$TEST_DIR/agent.json.eof" || fail "the agent saw no EOF while the container was created"
	assert_equal "$(container_status "$ID")" created
	stop_agent
}

@test "seccomp notify: listenerMetadata without listenerPath is refused by name" {
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerMetadata: "x",
		syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO"}]}'
	set_args true
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	if is_silo; then
		assert_one_line_error "linux.seccomp.listenerMetadata: set without listenerPath"
	fi
}

@test "seccomp notify: no agent at listenerPath fails create and leaves nothing" {
	notify_profile false
	set_args true
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	if is_silo; then
		assert_one_line_error "listenerPath: failed to connect with seccomp agent at"
	fi
}

@test "seccomp notify: a notified close (not needed before the listener is sent) is accepted" {
	skip_on crun "1.8.1 sends the listener only when built with the agent support"
	start_agent 123
	cfg --arg path "$TEST_DIR/agent.sock" '.process.noNewPrivileges = false
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $path,
		  syscalls: [{names: ["close", "mkdir"], action: "SCMP_ACT_NOTIFY"}]}'
	run_container -- 'mkdir /tmp/x 2>/dev/null || echo refused-by-agent'
	assert_success
	assert_output refused-by-agent
	stop_agent
}

@test "seccomp notify: refused as the default action and on write" {
	skip_on runc "1.1.5 accepts both and deadlocks on write"
	skip_on crun "1.8.1 accepts both"
	set_args true
	register_id "$ID"
	cfg --arg path "$TEST_DIR/agent.sock" '.linux.seccomp = {defaultAction: "SCMP_ACT_NOTIFY", listenerPath: $path}'
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_one_line_error 'defaultAction: SCMP_ACT_NOTIFY cannot be the default action'
	cfg '.linux.seccomp.defaultAction = "SCMP_ACT_ALLOW" | .linux.seccomp.syscalls = [{names: ["write"], action: "SCMP_ACT_NOTIFY"}]'
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_one_line_error 'SCMP_ACT_NOTIFY cannot be used for the write syscall'
}

@test "seccomp: the filter flags are passed to the kernel" {
	local flag
	for flag in SECCOMP_FILTER_FLAG_LOG SECCOMP_FILTER_FLAG_SPEC_ALLOW SECCOMP_FILTER_FLAG_TSYNC; do
		cfg --arg f "$flag" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", flags: [$f],
			syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 95}]}'
		run_container -- 'mkdir /tmp/x 2>/dev/null || echo denied'
		assert_success
		assert_output denied
	done
	# /proc/PID/status of a created container's init shows the filter and its mode
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"]}
		| .process.noNewPrivileges = false'
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	run grep -E '^(Seccomp|Seccomp_filters|Speculation_Store_Bypass):' "/proc/$(state_field "$ID" pid)/status"
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
}

@test "seccomp: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV with a notify rule" {
	skip_on crun "1.8.1 does not know the flag"
	skip_on runc "1.1.5 does not know the flag"
	start_agent 123
	notify_profile false
	cfg '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
	run_container -- 'mkdir /tmp/made 2>&1; :'
	assert_success
	assert_output --partial 'No medium found'
	stop_agent
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}'
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_one_line_error 'WAIT_KILLABLE_RECV needs SCMP_ACT_NOTIFY rules'
}

# runc's rule: with a denying default, a call numbered above every call the profile names
# returns ENOSYS (a newer libc falls back as on an older kernel); below it the default
# applies.  silo-probe's `syscall NR` prints the errno name.
@test "seccomp: calls newer than the profile get ENOSYS, not the default errno" {
	skip_on crun "1.8.1 applies the default action"
	local names
	names=$(jq -nc '["read","write","exit","exit_group","brk","arch_prctl","set_tid_address",
		"set_robust_list","rseq","prlimit64","mprotect","mmap","munmap","readlinkat","getrandom",
		"uname","execve","openat","close","fstat","newfstatat","ioctl","rt_sigaction",
		"rt_sigprocmask","getpid","getppid","poll","fcntl","futex","sysinfo","getuid","geteuid",
		"getgid","getegid","access","dup2","wait4","clone","vfork","fork","getcwd","chdir",
		"lseek","statx","stat","lstat","prctl","sigaltstack","madvise","gettid","tgkill"]')
	# noNewPrivileges: the filter is installed just before the exec, so that the profile
	# need not allow what silo does after loading it (the conformance tests cover that)
	cfg --argjson names "$names" '.process.noNewPrivileges = true
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
		  syscalls: [{names: $names, action: "SCMP_ACT_ALLOW"}]}'
	set_args silo-probe syscall 440 syscall 165
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	assert_line 'syscall 440: ENOSYS'
	assert_line 'syscall 165: EPERM'
}

# What silo itself may call once the filter is loaded (noNewPrivileges false loads it
# before the credentials and the wait for start): the list of docs/design.md, "After the
# seccomp filter".  Each of these is in the default profile of runtime-tools' generator
# (2017), so its conformance programs can run; openat2, faccessat2, close_range, clone3 and
# the pidfd calls are not, and silo must not need them here.
SILO_AFTER_FILTER='["prctl","capget","capset","setgroups","setresgid","setresuid","umask",
	"sendmsg","recvmsg","accept4","poll","close","rt_sigaction","rt_sigprocmask","write",
	"execve","exit_group"]'
# What busybox needs to run `echo` (static binary: no loader, no libraries)
BUSYBOX_ECHO='["brk","arch_prctl","set_tid_address","set_robust_list","rseq","prlimit64",
	"readlink","getrandom","mprotect","getuid","write","exit_group"]'

@test "seccomp: silo needs nothing after loading the filter but its documented list (noNewPrivileges false and true)" {
	local nnp
	for nnp in false true; do
		cfg --argjson nnp "$nnp" --argjson silo "$SILO_AFTER_FILTER" --argjson prog "$BUSYBOX_ECHO" '
			.process.noNewPrivileges = $nnp
			| .linux.seccomp = {defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
			  syscalls: [{names: ($silo + $prog | unique), action: "SCMP_ACT_ALLOW"}]}'
		set_args echo "ran with noNewPrivileges $nnp"
		register_id "$ID"
		run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
		assert_success
		assert_output "ran with noNewPrivileges $nnp"
	done
}

@test "seccomp: an architecture libseccomp does not know is skipped with one warning" {
	skip_on runc "1.1.5 refuses it"
	skip_on crun "1.8.1 refuses it"
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_LOONGARCH64"]}'
	run_container -- 'echo ran'
	assert_success
	assert_output ran
	run grep -c 'does not know SCMP_ARCH_LOONGARCH64; skipped' <<<"$stderr"
	assert_output 1
}

@test "seccomp: a compiled program is cached under the state root, 0700, and used again" {
	is_silo || skip "$RUNTIME_KIND: silo's own cache"
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 95}]}'
	run_container -- 'mkdir /tmp/x 2>/dev/null || echo denied'
	assert_output denied
	run stat -c '%a %U' "$ROOT/.seccomp-cache"
	assert_output '700 root'
	run ls "$ROOT/.seccomp-cache"
	assert_output --regexp '^[0-9a-f]{64}$'
	local entry=$ROOT/.seccomp-cache/$output
	touch -d '2000-01-01' "$entry"
	run_container -- 'mkdir /tmp/x 2>/dev/null || echo denied'
	assert_output denied
	# read, not rewritten
	assert_equal "$(stat -c %Y "$entry")" "$(date -d '2000-01-01' +%s)"
}
