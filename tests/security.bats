#!/usr/bin/env bats
# Attacks on the runtime from a hostile image or a hostile container process:
# CVE-2024-21626 (a leaked fd as a way out of the root), CVE-2019-5736 (overwriting the
# runtime binary from a container), the runtime's process in the container being
# non-dumpable, the process name, and the process tree of `run` under strace.

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
# all_caps: every capability the test itself holds in its bounding set, as the JSON list
# a config takes.
all_caps() {
	local names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
		LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
		SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
		SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
		MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
		CHECKPOINT_RESTORE)
	local bounding i have=()
	# the bounding set of this shell: a runtime cannot grant more (root here lacks
	# CAP_SYS_RESOURCE)
	bounding=$((16#$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)))
	for ((i = 0; i < ${#names[@]}; i++)); do
		(((bounding >> i) & 1)) && have+=("${names[i]}")
	done
	jq -nc '$ARGS.positional | map("CAP_" + .)' --args -- "${have[@]}"
}

# make_privileged_bundle2 PID: $BUNDLE2 joins PID's pid namespace with every capability,
# no seccomp and nothing masked or read-only: the strongest container an attacker could
# have asked for next to the victim.
make_privileged_bundle2() {
	local caps
	join_pid_namespace_of "$1"
	caps=$(all_caps)
	BUNDLE=$BUNDLE2 cfg --argjson caps "$caps" '
		.process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
		| .process.noNewPrivileges = false | del(.linux.seccomp)
		| .linux.maskedPaths = [] | .linux.readonlyPaths = []
		| .mounts |= map(select(.destination != "/sys"))'
}

# A created container's pid 1 is still the runtime's own process.  A privileged second
# container in the same pid namespace tries what the CVE-2019-5736 exploit did: take
# /proc/1/exe as an O_PATH fd while the runtime runs and reopen it for writing once the
# runtime has exec'd the user program; then every other way to make that file writable
# (remount, clone or bind the mount, a file handle, a hard link).  Whatever it manages to
# open must not be the runtime's binary (runc runs from a sealed memfd copy; silo from a
# detached read-only mount of its binary, which nothing can make writable).
@test "CVE-2019-5736: the runtime binary cannot be opened for writing from inside" {
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	make_privileged_bundle2 "$(state_field "$ID" pid)"
	BUNDLE=$BUNDLE2 set_args silo-probe unwrap /proc/1/exe /started
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
		assert_line 'opened'
		assert_line 'denied: reopen for writing: Read-only file system'
		refute_line --regexp '^ok'
	fi
	assert_runtime_unchanged
}

# The second attack: the program is a script on a volume the container shares; between
# create and start it is swapped for `#!/proc/self/exe`, so that the kernel would run the
# runtime's binary as the container's program.  silo's init has pivoted into the root by
# then, and the kernel cannot reach the detached mount silo runs from: the exec fails.
# A runtime whose exec works (runc runs a memfd copy) is checked the way a container
# process would attack it: that process, dumpable and in the container, is held on a
# full stderr pipe while the host opens its /proc/PID/exe; once it is gone, nothing may
# write the runtime binary through that fd.
@test "CVE-2019-5736: a script swapped to #!/proc/self/exe between create and start" {
	local pid fifo=$TEST_DIR/stderr.fifo probe=$CACHE/bin/silo-probe
	mkdir -p "$TEST_DIR/volume"
	printf '#!/bin/sh\nexit 0\n' >"$TEST_DIR/volume/program"
	chmod +x "$TEST_DIR/volume/program"
	add_mount "{\"destination\": \"/volume\", \"type\": \"bind\", \"source\": \"$TEST_DIR/volume\", \"options\": [\"bind\"]}"
	set_args /volume/program
	mkfifo "$fifo"
	exec 8<>"$fifo"
	head -c 65536 /dev/zero >&8      # the pipe is full: the program blocks on its first write
	register_id "$ID"
	rt create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&8 || fail "create failed"
	pid=$(state_field "$ID" pid)
	printf '#!/proc/self/exe\n' >"$TEST_DIR/volume/program.new"
	chmod +x "$TEST_DIR/volume/program.new"
	mv "$TEST_DIR/volume/program.new" "$TEST_DIR/volume/program"
	run --separate-stderr rt start "$ID"
	if ((status != 0)); then
		exec 8>&-
		if is_silo; then
			assert_one_line_error 'exec `/volume/program`'
		fi
		assert_runtime_unchanged
		return
	fi
	is_silo && fail "silo ran its own binary as the container's program"
	# the program is now the runtime's binary, stuck writing its usage error
	wait_for grep -q . /proc/$pid/cmdline || fail "the container program never ran"
	"$probe" path-reopen /proc/$pid/exe "$TEST_DIR/go" >"$TEST_DIR/probe.out" 2>&1 &
	register_pid $!
	wait_for grep -qE 'opened|denied' "$TEST_DIR/probe.out" || fail "probe: $(cat "$TEST_DIR/probe.out")"
	timeout 10 cat <&8 >/dev/null &
	wait_status "$ID" stopped
	exec 8>&-
	touch "$TEST_DIR/go"
	wait
	run cat "$TEST_DIR/probe.out"
	refute_line "ok $(stat -L -c %d:%i "$RUNTIME")"
	assert_runtime_unchanged
}

# Programs that are, or lead to, the runtime's own binary: each is refused at create
# with a clear error (silo), and the binary stays as it was.
@test "CVE-2019-5736: /proc/self/exe, /proc/1/exe, a #! chain and an ELF loader pointing at the runtime" {
	local program loader_offset
	printf '#!/proc/self/exe\n' >"$ROOTFS/bin/evil-script"
	printf '#!/bin/evil-script\n' >"$ROOTFS/bin/evil-chain"
	chmod +x "$ROOTFS/bin/evil-script" "$ROOTFS/bin/evil-chain"
	# a dynamically linked host program whose PT_INTERP is patched to /proc/self/exe
	cp /bin/true "$ROOTFS/bin/evil-elf"
	loader_offset=$(grep -obUaF /lib64/ld-linux-x86-64.so.2 "$ROOTFS/bin/evil-elf" | head -1 | cut -d: -f1)
	[[ -n $loader_offset ]] || skip "/bin/true has no x86-64 loader path to patch"
	printf '/proc/self/exe\0' | dd of="$ROOTFS/bin/evil-elf" bs=1 seek="$loader_offset" conv=notrunc status=none
	for program in /proc/self/exe /proc/1/exe /bin/evil-script /bin/evil-chain /bin/evil-elf; do
		set_args "$program"
		register_id "$ID"
		run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
		assert_failure
		if is_silo; then
			assert_one_line_error "exec .*(magic link|silo's own binary)"
		fi
		assert_runtime_unchanged
		run rt delete -f "$ID"
	done
}

# CVE-2024-21626: the runtime's own fds (cgroup directories, a procfs instance) must be
# gone before anything in the image is looked up.  The image points /app through
# /proc/self/fd/N/../.. at the host's root for every N a runtime might have leaked, and
# uses it as process.cwd or as the program, as root and as uid 1000, with and without
# sysctl and oomScoreAdj (which open a private procfs).  Each run fails with a clear
# error or stays inside; the host sentinel is never touched.
@test "CVE-2024-21626: image symlinks through /proc/self/fd/N never lead out of the root" {
	local rel=${SENTINEL#/} n kind extra uid variant runs=0 ok=0
	local dots=../../../../../../../../../../..
	mkdir -p "$TEST_DIR/configs"
	for kind in cwd program; do
		for extra in none procfs; do
			for uid in 0 1000; do
				variant=$kind-$extra-$uid
				if [[ $kind == cwd ]]; then
					jq --arg rel "$rel" --argjson uid "$uid" '
						.process.cwd = "/app"
						| .process.args = ["sh", "-c", "echo escaped >./\($rel); echo escaped >\($rel)"]
						| .process.user.uid = $uid | .process.user.gid = $uid' \
						"$BUNDLE/config.json" >"$TEST_DIR/configs/$variant"
				else
					jq --arg rel "$rel" --argjson uid "$uid" '
						.process.args = ["/app/bin/sh", "-c", "echo escaped >/\($rel)"]
						| .process.user.uid = $uid | .process.user.gid = $uid' \
						"$BUNDLE/config.json" >"$TEST_DIR/configs/$variant"
				fi
				if [[ $extra == procfs ]]; then
					jq '.process.oomScoreAdj = 100 | .linux.sysctl = {"net.ipv4.ip_forward": "0"}' \
						"$TEST_DIR/configs/$variant" >"$TEST_DIR/configs/$variant.tmp" &&
						mv "$TEST_DIR/configs/$variant.tmp" "$TEST_DIR/configs/$variant"
				fi
				register_id "$ID-$variant"
			done
		done
	done
	for ((n = 3; n <= 64; n++)); do
		ln -sfn "/proc/self/fd/$n/$dots" "$ROOTFS/app"
		for variant in $(ls "$TEST_DIR/configs"); do
			cp "$TEST_DIR/configs/$variant" "$BUNDLE/config.json"
			run --separate-stderr rt run --bundle "$BUNDLE" "$ID-$variant" </dev/null
			runs=$((runs + 1))
			[[ $(cat "$SENTINEL") == untouched ]] ||
				fail "fd $n, $variant: the container wrote the host sentinel (status $status: $output $stderr)"
			if ((status == 0)); then
				ok=$((ok + 1))
			elif is_silo; then
				assert_one_line_error "process.cwd|exec"
			fi
			[[ ! -e $ROOT/$ID-$variant ]] || rt delete -f "$ID-$variant" >/dev/null 2>&1
		done
	done
	echo "# $runs runs, $ok ran inside the root, the rest refused" >&3
	if is_silo; then
		assert_equal "runs that silo let through: $ok" "runs that silo let through: 0"
	fi
}

# The same through a startContainer hook: its path is resolved inside the container
# after the runtime's fds are gone.
@test "CVE-2024-21626: a startContainer hook path through /proc/self/fd/N stays inside" {
	local n dots=../../../../../../../../../../..
	set_args true
	cfg --arg rel "${SENTINEL#/}" '.hooks.startContainer = [{path: "/app/bin/sh",
		args: ["sh", "-c", "echo escaped >/\($rel)"]}]'
	for ((n = 3; n <= 64; n++)); do
		ln -sfn "/proc/self/fd/$n/$dots" "$ROOTFS/app"
		register_id "$ID"
		run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
		[[ $(cat "$SENTINEL") == untouched ]] ||
			fail "fd $n: the hook wrote the host sentinel (status $status: $output $stderr)"
		[[ ! -e $ROOT/$ID ]] || rt delete -f "$ID" >/dev/null 2>&1
	done
}

@test "CVE-2024-21626: process.cwd /proc/self/fd/3 is refused" {
	cfg '.process.cwd = "/proc/self/fd/3"'
	set_args sh -c 'pwd'
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	if is_silo; then
		assert_one_line_error 'process.cwd `/proc/self/fd/3`: .*magic link'
	fi
}

# The kernel names a process after the path it was executed by: runc and crun exec by
# path, so `sh` is "sh" (not "busybox", and not the number of an fd), a script its name.
@test "the container's process is named after what was executed" {
	printf '#!/bin/sh\ncat /proc/self/comm /proc/1/comm\n' >"$ROOTFS/bin/named-script"
	chmod +x "$ROOTFS/bin/named-script"
	run_container -- 'cat /proc/1/comm; :'
	assert_success
	assert_output sh
	set_args /bin/named-script
	register_id "$ID2"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID2" </dev/null
	assert_success
	assert_output $'cat\nnamed-script'
}

# A profile that refuses execveat (kills or traps on it) must not break the exec of the
# container's program, with the filter loaded before start or after it.
@test "seccomp: a profile that kills on execveat does not break start" {
	local action nnp
	for action in SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP SCMP_ACT_ERRNO; do
		for nnp in true false; do
			cfg --arg a "$action" --argjson nnp "$nnp" '.process.noNewPrivileges = $nnp
				| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
				  syscalls: [{names: ["execveat"], action: $a}]}'
			run_container -- 'echo ran'
			assert_success
			assert_output ran
		done
	done
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
# silo execs three programs: itself (started by strace), itself again from its sealed
# binary (exe-seal.h), and the container's program.
count_calls() {
	cat "$TEST_DIR/$1".* | grep -E "^($2)\\(" | grep -vcE '= -1 [A-Z]+'
}

@test "run under strace: one clone for the init and one execve of the container program" {
	skip_on runc "re-execs itself (runc init) by design, and its Go runtime clones threads"
	skip_on crun "not part of crun's design contract"
	set_args /bin/true
	strace_run plain
	assert_equal "clones: $(count_calls plain 'clone|clone3|fork|vfork')" "clones: 1"
	# the runtime, its re-execution from the sealed binary, the container program
	assert_equal "execs: $(count_calls plain 'execve|execveat')" "execs: 3"
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
	assert_equal "execs: $(count_calls hooks 'execve|execveat')" "execs: 5"
}

# ---- smaller holes ----------------------------------------------------------------------

@test "process.user ids above 2^31-1 are refused (setresuid(-1) would keep root)" {
	local field
	for field in '.process.user.uid = 4294967295' '.process.user.gid = 4294967295' \
		'.process.user.additionalGids = [4294967295]'; do
		write_base_config
		cfg "$field"
		set_args id -u
		register_id "$ID"
		run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
		assert_failure
		refute_output 0
		if is_silo; then
			assert_one_line_error 'uids and gids must be in range 0-2147483647'
		fi
	done
}

@test "a state root, container directory or state file others could forge is refused" {
	skip_on runc "1.1.5 trusts any --root"
	skip_on crun "1.8.1 trusts any --root"
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	chmod 0777 "$ROOT"
	run --separate-stderr rt state "$ID"
	assert_one_line_error "state root .* can be written by other users"
	run --separate-stderr rt list
	assert_one_line_error "state root .* can be written by other users"
	chmod 0700 "$ROOT"
	chown 1000 "$ROOT/$ID"
	run --separate-stderr rt kill "$ID" KILL
	assert_one_line_error "state directory .* belongs to uid 1000"
	chown 0 "$ROOT/$ID"
	chmod 0666 "$ROOT/$ID/state.json"
	run --separate-stderr rt delete -f "$ID"
	assert_one_line_error "state file .* can be written by other users"
	chmod 0600 "$ROOT/$ID/state.json"
	run --separate-stderr rt delete -f "$ID"
	assert_success
}

@test "--root '' is an error, not a crash" {
	run --separate-stderr "$RUNTIME" --root '' list
	assert_one_line_error 'root'
	run --separate-stderr "$RUNTIME" --root '' state "$ID"
	assert_one_line_error 'root'
}

@test "--pid-file replaces a symlink planted at its path instead of writing through it" {
	echo victim >"$TEST_DIR/victim"
	ln -s "$TEST_DIR/victim" "$TEST_DIR/pid"
	set_args sleep 600
	run --separate-stderr rt_create "$ID" --pid-file "$TEST_DIR/pid"
	assert_success
	assert_equal "$(cat "$TEST_DIR/victim")" victim
	[[ -f $TEST_DIR/pid && ! -L $TEST_DIR/pid ]] || fail "the pid file is not a regular file"
	assert_equal "$(cat "$TEST_DIR/pid")" "$(state_field "$ID" pid)"
	run ls -A "$TEST_DIR"
	refute_output --regexp '\.tmp'
}

@test "root.path that is the host's / is refused" {
	cfg '.root.path = "/"'
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	if is_silo; then
		assert_one_line_error "root.path: .* is the host's root directory"
	fi
}

@test "a seccomp profile that kills a setup system call is reported with the stage and SIGSYS" {
	set_args true
	cfg '.process.noNewPrivileges = false | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["setresuid"], action: "SCMP_ACT_KILL_PROCESS"}]}'
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	if is_silo; then
		assert_one_line_error "killed by SIGSYS after its mounts were done: the seccomp profile kills a system call silo makes"
	fi
}

@test "--no-pivot: the host's procfs is gone, so a nested user namespace cannot mount a fresh one" {
	# The kernel lets a user namespace mount procfs only where a fully visible one exists
	# in its mount namespace; --no-pivot keeps the old root, which must not hold the host's.
	caps='["CAP_SYS_ADMIN","CAP_SETUID","CAP_SETGID","CAP_SETFCAP"]'
	cfg --argjson c "$caps" '.process.capabilities = {bounding:$c, effective:$c, permitted:$c}'
	run_container --no-pivot -- 'mkdir -p /tmp/p; unshare -U -r -m -p -f mount -t proc proc /tmp/p && echo MOUNTED; echo done'
	assert_success
	assert_output done
	[[ $stderr == *'permission denied'* ]] || fail "stderr: $stderr"
}
