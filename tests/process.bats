#!/usr/bin/env bats
# The container process: fds, user, umask, cwd, env, rlimits, noNewPrivileges,
# capabilities, oomScoreAdj, and linux.sysctl.

load helpers/common

setup() {
	common_setup
	requires_containers
}

# run_with_open_fds COMMAND...: run COMMAND with fds 3-20 open and inherited (no CLOEXEC).
run_with_open_fds() {
	(
		RT_KEEP_FDS=1
		close_extra_fds_for_real
		local fd
		for fd in $(seq 3 20); do
			eval "exec $fd</dev/null"
		done
		"$@"
	)
}

# The subshell above must start from a clean slate: bats' own fds would otherwise be
# inherited too and blur what the test opened.
close_extra_fds_for_real() {
	local fd
	for fd in /proc/self/fd/*; do
		fd=${fd##*/}
		((fd > 2)) && eval "exec $fd>&-"
	done
	return 0
}

@test "fds: only stdio reaches the container, whatever the caller leaves open" {
	set_args silo-probe fds
	register_id "$ID"
	run --separate-stderr run_with_open_fds rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	assert_output '0 1 2'
}

@test "fds: --preserve-fds N passes fds 3..3+N-1 and no others" {
	set_args silo-probe fds
	register_id "$ID"
	run --separate-stderr run_with_open_fds rt run --preserve-fds 2 --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	assert_output '0 1 2 3 4'
}

@test "fds: create + start leaks no fd into the container either" {
	set_args sh -c 'silo-probe fds'
	register_id "$ID"
	run_with_open_fds rt create --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/out" 2>&1 ||
		fail "create failed: $(cat "$TEST_DIR/out")"
	run --separate-stderr run_with_open_fds rt start "$ID"
	assert_success
	wait_status "$ID" stopped
	assert_equal "$(cat "$TEST_DIR/out")" '0 1 2'
}

@test "process: uid, gid and additionalGids" {
	cfg '.process.user = {uid: 1000, gid: 1001, additionalGids: [1002, 1003]}'
	run_container -- 'id -u; id -g; id -G'
	assert_success
	assert_equal "${lines[0]}" 1000
	assert_equal "${lines[1]}" 1001
	assert_equal "$(tr ' ' '\n' <<<"${lines[2]}" | sort -n | xargs)" '1001 1002 1003'
}

@test "process: umask" {
	cfg '.process.user.umask = 63'
	run_container -- 'umask'
	assert_success
	assert_output 0077
}

@test "process: cwd is entered" {
	mkdir -p "$ROOTFS/work/dir"
	cfg '.process.cwd = "/work/dir"'
	run_container -- 'pwd'
	assert_success
	assert_output /work/dir
}

@test "process: env" {
	cfg '.process.env += ["SILO_A=one", "SILO_B=two words"]'
	run_container -- 'echo "$SILO_A|$SILO_B|$PATH"'
	assert_success
	assert_output 'one|two words|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
}

@test "process: rlimits" {
	cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 123, hard: 456}]'
	run_container -- 'ulimit -n; ulimit -H -n'
	assert_success
	assert_equal "${lines[0]}" 123
	assert_equal "${lines[1]}" 456
}

# silo raises its own soft open-file limit (a create needs ~25 fds): a caller at 12 still
# gets its container, and the container and the hooks get the caller's 12, not silo's.
@test "process: a caller's low open-file limit: create works; container and hooks inherit it" {
	cfg 'del(.process.rlimits) | .hooks.prestart = [{path: "/bin/sh",
		args: ["sh", "-c", "ulimit -Sn > \($dir)/hook-nofile"]}]' --arg dir "$TEST_DIR"
	set_args sh -c 'ulimit -Sn'
	register_id "$ID"
	skip_on runc "runc 1.1.5 (Go) raises its own limit and hands the raised one to the container"
	run --separate-stderr bash -c 'ulimit -Sn 12 && exec "$@"' - \
		"$RUNTIME" "${RT_GLOBAL[@]}" run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	assert_output 12
	assert_equal "$(cat "$TEST_DIR/hook-nofile")" 12
	# process.rlimits still win
	cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 300, hard: 400}]'
	rt delete -f "$ID"
	run --separate-stderr bash -c 'ulimit -Sn 12 && exec "$@"' - \
		"$RUNTIME" "${RT_GLOBAL[@]}" run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	assert_output 300
}

@test "process: an unknown rlimit is refused" {
	cfg '.process.rlimits = [{type: "RLIMIT_FROB", soft: 1, hard: 1}]'
	run --separate-stderr rt_create "$ID"
	assert_one_line_error 'RLIMIT_FROB'
}

@test "process: noNewPrivileges" {
	cfg '.process.noNewPrivileges = true'
	run_container -- 'grep NoNewPrivs /proc/self/status'
	assert_success
	assert_output --regexp '^NoNewPrivs:[[:space:]]+1$'
	cfg '.process.noNewPrivileges = false'
	run_container -- 'grep NoNewPrivs /proc/self/status'
	assert_success
	assert_output --regexp '^NoNewPrivs:[[:space:]]+0$'
}

@test "process: capabilities of root: the bounding set limits what exec gives" {
	cfg '.process.capabilities = {bounding: ["CAP_CHOWN", "CAP_KILL"],
		effective: ["CAP_CHOWN", "CAP_KILL"], permitted: ["CAP_CHOWN", "CAP_KILL"]}'
	run_container -- 'grep -E "^Cap(Eff|Prm|Bnd|Inh|Amb)" /proc/self/status'
	assert_success
	# CAP_CHOWN is bit 0, CAP_KILL bit 5.
	assert_line --regexp '^CapEff:[[:space:]]+0000000000000021$'
	assert_line --regexp '^CapPrm:[[:space:]]+0000000000000021$'
	assert_line --regexp '^CapBnd:[[:space:]]+0000000000000021$'
	assert_line --regexp '^CapInh:[[:space:]]+0000000000000000$'
	assert_line --regexp '^CapAmb:[[:space:]]+0000000000000000$'
}

@test "process: capabilities of a non-root user: ambient ones survive exec" {
	cfg '.process.user = {uid: 1000, gid: 1000}
		| .process.capabilities = {bounding: ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		effective: ["CAP_NET_BIND_SERVICE", "CAP_KILL"], permitted: ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		inheritable: ["CAP_NET_BIND_SERVICE"], ambient: ["CAP_NET_BIND_SERVICE"]}'
	run_container -- 'grep -E "^Cap(Eff|Prm|Bnd|Inh|Amb)" /proc/self/status'
	assert_success
	# CAP_NET_BIND_SERVICE is bit 10; CAP_KILL (bit 5) is not ambient, so exec drops it.
	assert_line --regexp '^CapEff:[[:space:]]+0000000000000400$'
	assert_line --regexp '^CapPrm:[[:space:]]+0000000000000400$'
	assert_line --regexp '^CapBnd:[[:space:]]+0000000000000420$'
	assert_line --regexp '^CapInh:[[:space:]]+0000000000000400$'
	assert_line --regexp '^CapAmb:[[:space:]]+0000000000000400$'
}

@test "process: an unknown capability is refused" {
	skip_on runc "1.1.5 ignores unknown capability names (a warning at most)"
	skip_on crun "1.8.1 ignores unknown capability names"
	cfg '.process.capabilities.bounding += ["CAP_FROB"]'
	run --separate-stderr rt_create "$ID"
	assert_one_line_error 'CAP_FROB'
}

@test "process: oomScoreAdj" {
	cfg '.process.oomScoreAdj = 500'
	run_container -- 'cat /proc/self/oom_score_adj'
	assert_success
	assert_output 500
}

@test "process: a missing program is an error naming it" {
	set_args /no/such/program
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	grep -q '/no/such/program' <<<"$stderr" || fail "the error does not name the program: $stderr"
}

@test "sysctl: a net.* key is applied in a new network namespace" {
	cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net.ipv4.conf.all.log_martians": "1"}'
	run_container -- 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/all/log_martians'
	assert_success
	assert_equal "${lines[*]}" '1 1'
	# the host is untouched
	assert_equal "$(cat /proc/sys/net/ipv4/conf/all/log_martians)" 0
}

@test "sysctl: an ipc key is applied in a new ipc namespace" {
	cfg '.linux.sysctl = {"kernel.msgmax": "4321"}'
	run_container -- 'cat /proc/sys/kernel/msgmax'
	assert_success
	assert_output 4321
}

@test "sysctl: a net.* key without a network namespace is refused" {
	cfg '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	run --separate-stderr rt_create "$ID"
	assert_one_line_error 'net.ipv4.ip_forward'
}

@test "sysctl: a kernel.* key that is not namespaced is refused" {
	cfg '.linux.sysctl = {"kernel.pid_max": "65536"}'
	local before
	before=$(cat /proc/sys/kernel/pid_max)
	run --separate-stderr rt_create "$ID"
	assert_one_line_error 'kernel.pid_max'
	assert_equal "$(cat /proc/sys/kernel/pid_max)" "$before"
}

@test "sysctl: a key with a / is refused" {
	skip_on runc "1.1.5 accepts a /-separated key (it converts / to .)"
	skip_on crun "1.8.1 accepts net/ipv4/ip_forward"
	cfg '.linux.sysctl = {"net/ipv4/ip_forward": "1"}'
	run --separate-stderr rt_create "$ID"
	assert_one_line_error 'net/ipv4/ip_forward'
}

@test "sysctl: a key that climbs out of /proc/sys is refused" {
	local before
	before=$(cat /proc/sys/kernel/pid_max)
	cfg '.linux.sysctl = {"net.ipv4.conf.all/../../../kernel/pid_max": "65536"}'
	run --separate-stderr rt_create "$ID"
	assert_one_line_error 'pid_max'
	assert_equal "$(cat /proc/sys/kernel/pid_max)" "$before"
}

# runc and crun give the process its stdio (pipes, files), so that a non-root process can reopen
# /proc/self/fd/N; the caller's devices (/dev/null here) are left alone.
@test "process: stdio belongs to the process's user; /dev/null does not" {
	cfg '.process.user = {uid: 1000, gid: 1000}'
	set_args sh -c 'stat -L -c "%u:%g" /proc/self/fd/1; stat -L -c "%u" /proc/self/fd/0; echo reopened >/proc/self/fd/2'
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	assert_output $'1000:1000\n0'
	assert_equal "$stderr" reopened
	assert_equal "$(stat -c %u /dev/null)" 0
}

@test "process: a missing cwd is made, as runc and crun do" {
	cfg '.process.cwd = "/new/work/dir"'
	run_container -- 'pwd'
	assert_success
	assert_output /new/work/dir
	[[ -d $ROOTFS/new/work/dir ]] || fail "not made in the rootfs"
}

# /proc/self/stat: field 19 nice, 41 policy (0 other, 3 batch, 5 idle, 2 rr).
@test "process.scheduler: the policy and nice value the process runs with" {
	cfg '.process.scheduler = {policy: "SCHED_BATCH", nice: 7}'
	run_container -- 'cut -d" " -f19,41 /proc/self/stat'
	assert_success
	assert_output '7 3'
	cfg '.process.scheduler = {policy: "SCHED_RR", priority: 5}'
	# cgroup v1 realtime group scheduling gives a new cgroup no realtime time
	[[ ! -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]] ||
		cfg '.linux.resources.cpu.realtimePeriod = 1000000 | .linux.resources.cpu.realtimeRuntime = 10000'
	run_container -- 'cut -d" " -f18,41 /proc/self/stat'
	assert_success
	assert_output '-6 2'
}

@test "process.scheduler: what the kernel would refuse is refused with the field" {
	local bad
	for bad in '{policy: "SCHED_FIFO"}' '{policy: "SCHED_OTHER", priority: 3}' '{policy: "SCHED_ISO"}' \
		'{policy: "SCHED_DEADLINE", runtime: 2000000, deadline: 1000000, period: 3000000}' \
		'{policy: "SCHED_BATCH", nice: 30}'; do
		cfg ".process.scheduler = $bad"
		run_container -- 'true'
		assert_failure
		if is_silo; then
			assert_one_line_error 'process\.scheduler'
		fi
	done
}

@test "process.ioPriority: ionice shows the class and level" {
	cfg '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0}'
	run_container -- 'ionice -p $$'
	assert_success
	assert_output --regexp 'idle'
	cfg '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 6}'
	run_container -- 'ionice -p $$'
	assert_output --regexp 'best.effort.*6|be.*6'
}

@test "linux.personality: LINUX32 makes uname report a 32-bit machine" {
	[[ $(uname -m) == x86_64 ]] || skip "the 32-bit name checked here is x86's"
	cfg '.linux.personality = {domain: "LINUX32"}'
	run_container -- 'uname -m'
	assert_success
	assert_output i686
}

@test "linux.memoryPolicy: the mode and nodes the process's memory follows" {
	[[ -r /proc/self/numa_maps && -d /sys/devices/system/node/node0 ]] || skip "no NUMA support in this kernel"
	cfg '.linux.memoryPolicy = {mode: "MPOL_INTERLEAVE", nodes: "0"}'
	run_container -- 'grep -c "interleave:0" /proc/self/numa_maps'
	assert_success
	[[ $output -gt 0 ]] || fail "no mapping follows the policy: $output"
	cfg '.linux.memoryPolicy = {mode: "MPOL_BIND"}'
	run_container -- 'true'
	assert_one_line_error 'memoryPolicy.nodes: MPOL_BIND needs nodes'
	cfg '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "4000"}'
	run_container -- 'true'
	assert_one_line_error 'memoryPolicy'
}

# docs/conformance.md: a label for a security module the host does not run is an error
# naming the field (runc 1.1.5 fails too; crun ignores a mount label).
@test "LSM labels: refused by name on a host without AppArmor or SELinux" {
	[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) != Y* ]] || skip "this host runs AppArmor"
	[[ $(stat -f -c %T /sys/fs/selinux 2>/dev/null) != selinux* ]] || skip "this host runs SELinux"
	skip_on crun "1.8.1 ignores linux.mountLabel"
	local field
	for field in '.process.apparmorProfile = "silo-test"' \
		'.process.selinuxLabel = "system_u:system_r:container_t:s0"' \
		'.linux.mountLabel = "system_u:object_r:container_file_t:s0"'; do
		write_base_config
		cfg "$field"
		run_container -- 'true'
		assert_failure
		if is_silo; then
			assert_one_line_error "$(sed -E "s/^\\.//; s/ =.*//" <<<"$field"): .* is not enabled on this host"
		fi
	done
}

@test "process.env: HOME comes from the container's /etc/passwd when env lacks it, else /" {
	echo 'app:x:1234:1234::/srv/app:/bin/sh' >>"$ROOTFS/etc/passwd"
	cfg '.process.env = ["PATH=/bin"] | .process.user = {uid: 1234, gid: 1234}'
	run_container -- 'echo "$HOME"'
	assert_success
	assert_output /srv/app
	cfg '.process.user = {uid: 4321, gid: 4321}'
	run_container -- 'echo "$HOME"'
	assert_success
	assert_output /
	cfg '.process.env = ["PATH=/bin", "HOME=/given"]'
	run_container -- 'echo "$HOME"'
	assert_success
	assert_output /given
}
