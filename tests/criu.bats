#!/usr/bin/env bats
# checkpoint and restore through CRIU (src/lib/criu.c, container-checkpoint.c).
#
# The flag and probe tests run anywhere.  The rest need CRIU to work on the kernel: each
# first runs `criu check` and skips with CRIU's own error when it fails (on the CI host
# CRIU cannot read this kernel's vDSO).  tests/vm/run.sh runs this file in the cgroup v2
# guest (Debian 12's kernel), where CRIU works.
#
# The containers count: a loop writes 1, 2, 3... to /data/count (a bind mount of
# $TEST_DIR/data) and to its stdout, once a second, and exits 7 when /data/stop appears.  A restored one
# must go on from the number it had, not start again at 1.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load helpers/common

# ---------------------------------------------------------------------------------------
# helpers

requires_criu_build() {
	is_silo || skip "$RUNTIME_KIND: silo's own flag checks"
	[[ $RUNTIME_VERSION == *+CRIU* ]] || skip "silo was built without CRIU (configure found no libcriu)"
}

# CRIU's verdict on this kernel, once per bats run: nothing when it can checkpoint, else
# its error lines from `criu check`.
criu_check_errors() {
	local cached=$BATS_RUN_TMPDIR/criu-check log=$BATS_RUN_TMPDIR/criu-check.log
	if [[ ! -f $cached ]]; then
		if ! command -v criu >/dev/null; then
			echo "the criu program is not installed" >"$cached"
		elif criu check -o "$log" >/dev/null 2>&1; then
			: >"$cached"
		else
			sed -nE 's/.*Error \([^)]*\): //p' "$log" | grep -v '^exited, status=' | head -3 |
				paste -sd ';' | sed 's/;/; /g' >"$cached"
			[[ -s $cached ]] || echo "criu check failed (log: $log)" >"$cached"
		fi
	fi
	cat "$cached"
}

requires_criu() {
	[[ $RUNTIME_KIND != silo || $RUNTIME_VERSION == *+CRIU* ]] ||
		skip "silo was built without CRIU (configure found no libcriu)"
	local errors
	errors=$(criu_check_errors)
	[[ -z $errors ]] || skip "CRIU cannot checkpoint on this kernel: criu check: $errors"
}

# Lazy pages need userfaultfd with its non-cooperative events in the kernel.
requires_lazy_pages() {
	requires_criu
	criu check --feature uffd-noncoop >/dev/null 2>&1 ||
		skip "CRIU cannot serve lazy pages on this kernel: criu check --feature uffd-noncoop fails (no userfaultfd, or without non-cooperative events)"
}

# The counting container (see the top of the file).
counter_bundle() {
	mkdir -p "$TEST_DIR/data"
	add_mount "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\",
		\"options\": [\"rbind\", \"rw\"]}"
	set_args sh -c 'i=0; while [ ! -e /data/stop ]; do i=$((i + 1)); echo $i >/data/count; echo $i; sleep 1; done; exit 7'
}

count() {
	cat "$TEST_DIR/data/count" 2>/dev/null
}

count_above() {
	local n
	n=$(count)
	[[ -n $n ]] && ((n > $1))
}

# rt_keeping_fd FD FILE COMMAND...: rt with FILE open as FD (read-only when FILE is a
# directory, else for writing) in the runtime.
rt_keeping_fd() {
	local fd=$1 file=$2
	shift 2
	(
		close_extra_fds
		if [[ -d $file ]]; then
			eval "exec $fd<\"\$file\""
		else
			eval "exec $fd>\"\$file\""
		fi
		exec timeout --foreground -k 5 "$SILO_TEST_TIMEOUT" "$RUNTIME" "${RT_GLOBAL[@]}" "$@"
	)
}

# start_counter: run $ID detached and wait until it has counted to 3.
start_counter() {
	counter_bundle
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	wait_for count_above 2 || fail "the container never counted to 3: $(count)"
}

# criu_ok DIR LOG COMMAND...: run the command; when it fails, show the end of CRIU's log
# (DIR/LOG) with the failure.
criu_ok() {
	local dir=$1 log=$2
	shift 2
	run --separate-stderr "$@"
	((status == 0)) || fail "$* failed: $stderr"$'\n'"$(grep -inE 'error|fail|warn|unable|can.t|lock|nft' "$dir/$log" 2>&1 | tail -n 40)"
}

# restore_detached ID [FLAGS...]: restore -d with the container's stdio on files.
restore_detached() {
	local id=$1
	shift
	register_id "$id"
	rt restore -d --bundle "${RT_BUNDLE:-$BUNDLE}" "$@" "$id" \
		</dev/null >>"$TEST_DIR/$id.out" 2>"$TEST_DIR/$id.restore.err"
	local rc=$?
	cat "$TEST_DIR/$id.restore.err" >&2
	return $rc
}

# After a restore: the count goes on from $1 (the next number is $1+1, or $1+2 when the
# poll missed one); a container started again would write 1.
assert_counts_on_from() {
	local before=$1 now
	wait_for count_above "$before" || fail "the restored container does not count: still $(count)"
	now=$(count)
	((now > before && now <= before + 2)) ||
		fail "after $before the restored container wrote $now: it did not go on from where it was"
	echo "# counted to $before before the checkpoint, $now after the restore" >&3
}

# ---------------------------------------------------------------------------------------
# anywhere

@test "criu: checkpoint --help succeeds exactly when silo was built with CRIU" {
	is_silo || skip "$RUNTIME_KIND: silo's build options"
	run --separate-stderr "$RUNTIME" checkpoint --help
	if [[ $RUNTIME_VERSION == *+CRIU* ]]; then
		assert_success
		assert_output --partial '--image-path DIR'
		run --separate-stderr "$RUNTIME" restore --help
		assert_success
		assert_output --partial '--console-socket PATH'
		"$RUNTIME" features | jq -e '.annotations["io.github.silo.checkpoint"] == "criu"'
	else
		# podman takes `checkpoint --help` exiting 0 for checkpoint support
		assert_one_line_error 'unknown command `checkpoint`'
		run --separate-stderr "$RUNTIME" restore --help
		assert_one_line_error 'unknown command `restore`'
		"$RUNTIME" features | jq -e '.annotations["io.github.silo.checkpoint"] == null'
	fi
}

@test "criu: a flag silo cannot honour is an error that names it" {
	requires_criu_build
	run --separate-stderr rt checkpoint --manage-cgroups-mode sloppy "$ID"
	assert_one_line_error '--manage-cgroups-mode: unknown mode `sloppy`'
	run --separate-stderr rt checkpoint --empty-ns pid "$ID"
	assert_one_line_error '--empty-ns pid: not supported'
	run --separate-stderr rt restore --empty-ns netz "$ID"
	assert_one_line_error '--empty-ns: `netz` is not a namespace'
	run --separate-stderr rt checkpoint --page-server 10.0.0.1 "$ID"
	assert_one_line_error '--page-server `10.0.0.1`: expected ADDRESS:PORT'
	run --separate-stderr rt checkpoint --page-server 10.0.0.1:0 "$ID"
	assert_one_line_error '--page-server'
	run --separate-stderr rt checkpoint --lazy-pages "$ID"
	assert_one_line_error '--lazy-pages needs --page-server ADDRESS:PORT'
	run --separate-stderr rt checkpoint --lazy-pages --pre-dump --page-server 127.0.0.1:27277 "$ID"
	assert_one_line_error '--lazy-pages with --pre-dump'
	run --separate-stderr rt checkpoint --status-fd x "$ID"
	assert_one_line_error '--status-fd: `x` is not a file descriptor'
	# with --lazy-pages the fd must be open for writing (as runc checks)
	run --separate-stderr rt checkpoint --lazy-pages --page-server 127.0.0.1:27277 --status-fd 99 "$ID"
	assert_one_line_error '--status-fd 99: not an open file descriptor'
	run --separate-stderr rt_keeping_fd 7 "$TEST_DIR" checkpoint --lazy-pages --page-server 127.0.0.1:27277 --status-fd 7 "$ID"
	assert_one_line_error '--status-fd 7: not open for writing'
	[[ ! -e $ROOT/$ID ]] || fail "a refused command left state behind"
}

@test "criu: restore --lazy-pages without a lazy-pages daemon is refused before anything is made" {
	requires_criu_build
	mkdir -p "$TEST_DIR/images" "$TEST_DIR/work"
	run --separate-stderr rt restore -d --bundle "$BUNDLE" --lazy-pages --image-path "$TEST_DIR/images" "$ID"
	assert_one_line_error "--lazy-pages: no lazy-pages daemon for \`$TEST_DIR/images\` \\(no socket $TEST_DIR/images/lazy-pages.socket\\): start \`criu lazy-pages --page-server --address ADDRESS --port PORT -D $TEST_DIR/images\` first"
	# the daemon's socket is looked for in the work directory, where CRIU's restore looks
	run --separate-stderr rt restore -d --bundle "$BUNDLE" --lazy-pages --image-path "$TEST_DIR/images" --work-path "$TEST_DIR/work" "$ID"
	assert_one_line_error "no socket $TEST_DIR/work/lazy-pages.socket.*-D $TEST_DIR/images -W $TEST_DIR/work\`"
	[[ ! -e $ROOT/$ID ]] || fail "a refused restore left state behind"
}

@test "criu: a libcriu without the RPC code silo uses refuses --lazy-pages (and every checkpoint) by name" {
	requires_criu_build
	command -v cc >/dev/null || skip "no C compiler to build a libcriu.so.2 without CRIU's RPC code"
	mkdir -p "$TEST_DIR/lib"
	echo 'int silo_test_not_criu;' | cc -shared -fPIC -x c -o "$TEST_DIR/lib/libcriu.so.2" -
	LD_LIBRARY_PATH=$TEST_DIR/lib run --separate-stderr rt checkpoint --lazy-pages --page-server 127.0.0.1:27277 "$ID"
	assert_one_line_error 'libcriu.so.2 has no `cgroup_root__init` \(silo speaks CRIU.s RPC through the protobuf-c code libcriu exports\)'
	LD_LIBRARY_PATH=$TEST_DIR/lib run --separate-stderr rt checkpoint "$ID"
	assert_one_line_error 'libcriu.so.2 has no `cgroup_root__init`'
	LD_LIBRARY_PATH=$TEST_DIR/lib run --separate-stderr rt restore --lazy-pages --image-path "$TEST_DIR" "$ID"
	assert_one_line_error 'libcriu.so.2 has no `cgroup_root__init`'
}

@test "criu: checkpoint needs a running container; restore needs the images" {
	requires_criu_build
	run --separate-stderr rt checkpoint "$ID"
	assert_one_line_error "container \`$ID\` does not exist"
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	run --separate-stderr rt checkpoint --image-path "$TEST_DIR/images" "$ID"
	assert_one_line_error 'it is created; only a running or paused container can be checkpointed'
	[[ ! -e $TEST_DIR/images ]] || fail "a refused checkpoint made its image directory"
	cfg --arg cg "/$ID2" '.linux.cgroupsPath = $cg'
	run --separate-stderr rt restore -d --bundle "$BUNDLE" --image-path "$TEST_DIR/nothing" "$ID2"
	assert_one_line_error "restore container \`$ID2\`.*--image-path \`$TEST_DIR/nothing\`: no such directory"
	[[ ! -e $ROOT/$ID2 ]] || fail "a failed restore left its state behind"
	[[ -z $(cgroup_dir "/$ID2") ]] || fail "a failed restore left its cgroup behind"
}

@test "criu: a --parent-path without a pre-dump there is refused by name, before CRIU runs" {
	requires_criu_build
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	run --separate-stderr rt checkpoint --image-path "$TEST_DIR/images" --parent-path ../absent "$ID"
	assert_one_line_error '--parent-path `../absent`: no pre-dump directory there'
	assert_equal "$(container_status "$ID")" running
}

@test "criu: without the criu program in PATH, checkpoint says so and the container runs on" {
	requires_criu_build
	local path=/usr/bin:/bin
	! PATH=$path command -v criu >/dev/null || skip "criu is in $path: no PATH without it here"
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	PATH=$path run --separate-stderr rt checkpoint --image-path "$TEST_DIR/images" "$ID"
	assert_one_line_error 'cannot run `criu swrk` \(is the criu program installed and in PATH\?\)'
	assert_equal "$(container_status "$ID")" running
}

@test "criu: a container with a user namespace is refused by name" {
	requires_criu_build
	cfg '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	run --separate-stderr rt restore -d --bundle "$BUNDLE" --image-path "$TEST_DIR" "$ID"
	assert_one_line_error 'cannot checkpoint or restore a container with a user namespace'
	[[ ! -e $ROOT/$ID ]] || fail "a refused restore left its state behind"
}

# ---------------------------------------------------------------------------------------
# with a working CRIU

@test "criu: checkpoint, then restore: the container counts on from where it was" {
	requires_criu
	start_counter
	local pid before
	pid=$(state_field "$ID" pid)
	criu_ok "$TEST_DIR/images" dump.log rt checkpoint --image-path "$TEST_DIR/images" "$ID"
	# the processes are gone, and so is the container
	[[ ! -d /proc/$pid ]] || grep -q '^State:.*Z' "/proc/$pid/status" || fail "the init $pid still runs"
	run --separate-stderr rt state "$ID"
	assert_failure
	[[ -z $(cgroup_dir "/$ID") ]] || fail "the checkpointed container's cgroup is left"
	[[ -s $TEST_DIR/images/inventory.img && -s $TEST_DIR/images/dump.log ]] ||
		fail "no images in $TEST_DIR/images: $(ls "$TEST_DIR/images")"
	before=$(count)
	sleep 2
	[[ $(count) == "$before" ]] || fail "something still counts after the checkpoint"
	criu_ok "$TEST_DIR/images" restore.log restore_detached "$ID" --image-path "$TEST_DIR/images"
	run --separate-stderr rt state "$ID"
	assert_success
	[[ $(jq -r .status <<<"$output") == running ]] || fail "restored container: $output"
	assert_counts_on_from "$before"
	# and it is a container like any other: kill and delete work
	run --separate-stderr rt delete -f "$ID"
	assert_success
	[[ -z $(cgroup_dir "/$ID") ]] || fail "the restored container's cgroup is left"
}

@test "criu: checkpoint --leave-running keeps the container running" {
	requires_criu
	start_counter
	criu_ok "$TEST_DIR/images" dump.log rt checkpoint --leave-running --image-path "$TEST_DIR/images" "$ID"
	[[ -s $TEST_DIR/images/inventory.img ]] || fail "no images: $(ls "$TEST_DIR/images")"
	[[ $(container_status "$ID") == running ]] || fail "status: $(container_status "$ID")"
	local after
	after=$(count)
	wait_for count_above "$after" || fail "the container stopped counting at $after"
}

@test "criu: a pre-dump, then a dump on top of it (--parent-path), restored into a new id" {
	requires_criu
	start_counter
	criu_ok "$TEST_DIR/pre" pre-dump.log rt checkpoint --pre-dump --image-path "$TEST_DIR/pre" "$ID"
	[[ $(container_status "$ID") == running ]] || fail "a pre-dump stopped the container"
	local before
	before=$(count)
	wait_for count_above "$before" || fail "the container stopped counting after the pre-dump"
	criu_ok "$TEST_DIR/final" dump.log rt checkpoint --image-path "$TEST_DIR/final" --parent-path ../pre "$ID"
	[[ -L $TEST_DIR/final/parent ]] || fail "the dump does not refer to the pre-dump: $(ls -l "$TEST_DIR/final")"
	before=$(count)
	# a new id with a cgroup of its own
	cfg --arg cg "/$ID2" '.linux.cgroupsPath = $cg'
	criu_ok "$TEST_DIR/final" restore.log restore_detached "$ID2" --image-path "$TEST_DIR/final"
	assert_counts_on_from "$before"
	local pid
	pid=$(state_field "$ID2" pid)
	grep -q "/$ID2\$" "/proc/$pid/cgroup" || fail "not in its cgroup /$ID2: $(cat "/proc/$pid/cgroup")"
	[[ -n $(cgroup_dir "/$ID2") ]] || fail "no cgroup /$ID2"
}

@test "criu: restore in the foreground waits and exits with the container's status" {
	requires_criu
	start_counter
	criu_ok "$TEST_DIR/images" dump.log rt checkpoint --image-path "$TEST_DIR/images" "$ID"
	local before
	before=$(count)
	register_id "$ID"
	rt restore --bundle "$BUNDLE" --image-path "$TEST_DIR/images" --pid-file "$TEST_DIR/pid" "$ID" \
		</dev/null >"$TEST_DIR/restore.out" 2>&1 &
	local restore=$!
	register_pid "$restore"
	assert_counts_on_from "$before"
	[[ $(cat "$TEST_DIR/pid") == "$(state_field "$ID" pid)" ]] ||
		fail "--pid-file: $(cat "$TEST_DIR/pid"), state: $(state_field "$ID" pid)"
	touch "$TEST_DIR/data/stop"
	local rc=0
	wait "$restore" || rc=$?
	((rc == 7)) || fail "restore exited $rc, not the container's 7: $(cat "$TEST_DIR/restore.out")"
	run --separate-stderr rt state "$ID"
	assert_failure
}

@test "criu: the restored container writes to restore's stdout, as it wrote to run's" {
	requires_criu
	start_counter
	criu_ok "$TEST_DIR/images" dump.log rt checkpoint --image-path "$TEST_DIR/images" "$ID"
	jq -e '.[1] | startswith("file[")' "$TEST_DIR/images/descriptors.json" ||
		fail "stdout is not an external file: $(cat "$TEST_DIR/images/descriptors.json")"
	local before
	before=$(count)
	mv "$TEST_DIR/$ID.out" "$TEST_DIR/run.out"
	criu_ok "$TEST_DIR/images" restore.log restore_detached "$ID" --image-path "$TEST_DIR/images"
	assert_counts_on_from "$before"
	wait_for grep -qx "$((before + 2))" "$TEST_DIR/$ID.out" ||
		fail "nothing counted on restore's stdout: $(tail -3 "$TEST_DIR/$ID.out")"
	grep -qx "$before" "$TEST_DIR/run.out" || fail "run's stdout lacks $before"
}

@test "criu: --empty-ns network: a new, empty network namespace on restore" {
	requires_criu
	start_counter
	criu_ok "$TEST_DIR/images" dump.log rt checkpoint --empty-ns network --image-path "$TEST_DIR/images" "$ID"
	local before pid
	before=$(count)
	criu_ok "$TEST_DIR/images" restore.log restore_detached "$ID" --empty-ns network --image-path "$TEST_DIR/images"
	assert_counts_on_from "$before"
	pid=$(state_field "$ID" pid)
	[[ $(readlink "/proc/$pid/ns/net") != "$(readlink /proc/self/ns/net)" ]] ||
		fail "the restored container is in the host's network namespace"
	run grep -c : "/proc/$pid/net/dev"
	assert_output 1
	grep -q '^ *lo:' "/proc/$pid/net/dev" || fail "no loopback: $(cat "/proc/$pid/net/dev")"
}

# CRIU's own part (the sockets' data and window moving from one pair of kernel sockets to
# another) is CRIU's; silo's is to pass the flag and lock the network: the dump is
# refused without the flag, taken with it, and both ends come back established.
@test "criu: --tcp-established: a connection inside the container comes back established" {
	requires_criu
	mkdir -p "$TEST_DIR/data"
	add_mount "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$TEST_DIR/data\",
		\"options\": [\"rbind\", \"rw\"]}"
	# the listener's stdin must stay open: at its end busybox nc ends the connection
	set_args sh -c 'sleep 100000 | nc -l -p 5000 >/data/received & sleep 1
		i=0; while :; do i=$((i + 1)); echo $i; echo $i >/data/count; sleep 1; done | nc 127.0.0.1 5000'
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	wait_for grep -qx 3 "$TEST_DIR/data/received" || fail "nothing came over TCP: $(cat "$TEST_DIR/data/received")"
	run --separate-stderr rt checkpoint --image-path "$TEST_DIR/refused" "$ID"
	assert_one_line_error 'tcp-established'
	[[ $(container_status "$ID") == running ]] || fail "a failed checkpoint stopped the container"
	criu_ok "$TEST_DIR/images" dump.log rt checkpoint --tcp-established --image-path "$TEST_DIR/images" "$ID"
	criu_ok "$TEST_DIR/images" restore.log restore_detached "$ID" --tcp-established --image-path "$TEST_DIR/images"
	local pid ends
	pid=$(state_field "$ID" pid)
	# both ends of the connection to port 5000 (0x1388), state 01 (established)
	ends=$(cat "/proc/$pid/net/tcp" "/proc/$pid/net/tcp6" | awk '$4 == "01" && ($2 ~ /:1388$/ || $3 ~ /:1388$/)' | wc -l)
	((ends == 2)) || fail "$ends established ends: $(cat "/proc/$pid/net/tcp" "/proc/$pid/net/tcp6")"
}

@test "criu: a terminal container: restore sends the new pty's master to --console-socket" {
	requires_criu
	counter_bundle
	cfg '.process.terminal = true'
	set_args sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/data/count; echo "tty $i"; sleep 1; done'
	local socket=$TEST_DIR/tty1.sock
	(
		close_extra_fds
		exec "$CACHE/bin/recvtty" "$socket" "$TEST_DIR/tty1.out" </dev/null >"$TEST_DIR/recvtty1.log" 2>&1
	) &
	register_pid $!
	wait_for test -S "$socket" || fail "recvtty did not start: $(cat "$TEST_DIR/recvtty1.log")"
	run --separate-stderr rt_run_detached "$ID" --console-socket "$socket"
	assert_success
	wait_for count_above 2 || fail "the container never counted to 3"
	criu_ok "$TEST_DIR/images" dump.log rt checkpoint --image-path "$TEST_DIR/images" "$ID"
	local before
	before=$(count)
	socket=$TEST_DIR/tty2.sock
	(
		close_extra_fds
		exec "$CACHE/bin/recvtty" "$socket" "$TEST_DIR/tty2.out" </dev/null >"$TEST_DIR/recvtty2.log" 2>&1
	) &
	local recvtty=$!
	register_pid "$recvtty"
	wait_for test -S "$socket" || fail "recvtty did not start: $(cat "$TEST_DIR/recvtty2.log")"
	criu_ok "$TEST_DIR/images" restore.log restore_detached "$ID" --console-socket "$socket" --image-path "$TEST_DIR/images"
	assert_counts_on_from "$before"
	wait_for grep -q "tty $((before + 2))" "$TEST_DIR/tty2.out" ||
		fail "nothing on the new pty: $(cat "$TEST_DIR/tty2.out" "$TEST_DIR/recvtty2.log")"
	run --separate-stderr rt delete -f "$ID"
	assert_success
	wait "$recvtty" || fail "recvtty: $(cat "$TEST_DIR/recvtty2.log")"
}

# The runc-style migration: the dump leaves the memory where it is and serves it from a
# page server; the lazy-pages daemon fetches it for the restore, which starts the
# processes at once and fills their memory as they touch it.  --status-fd gets one byte
# (0) when the page server listens; the dump ends once every page has gone over.
@test "criu: --lazy-pages: a lazy dump, the lazy-pages daemon, a lazy restore: the container counts on" {
	requires_lazy_pages
	start_counter
	local port=27277 images=$TEST_DIR/images checkpoint byte before daemon
	mkfifo "$TEST_DIR/ready"
	rt_keeping_fd 7 "$TEST_DIR/ready" checkpoint --lazy-pages --page-server "127.0.0.1:$port" \
		--status-fd 7 --image-path "$images" "$ID" </dev/null >"$TEST_DIR/checkpoint.out" 2>&1 &
	checkpoint=$!
	register_pid "$checkpoint"
	# EOF, not a byte, if the checkpoint ends first (every writer gone)
	byte=$(od -An -tx1 -N1 <"$TEST_DIR/ready" | tr -d ' ')
	[[ $byte == 00 ]] || fail "--status-fd: got '$byte', not a 0 byte: $(cat "$TEST_DIR/checkpoint.out")"
	[[ -s $images/inventory.img ]] || fail "no images once the page server was ready: $(ls "$images")"
	before=$(count)
	(
		close_extra_fds
		exec timeout -k 5 "$SILO_TEST_TIMEOUT" criu lazy-pages --page-server --address 127.0.0.1 \
			--port "$port" -D "$images" -o lazy-pages.log -v4 </dev/null >"$TEST_DIR/daemon.out" 2>&1
	) &
	daemon=$!
	register_pid "$daemon"
	wait_for test -S "$images/lazy-pages.socket" ||
		fail "the lazy-pages daemon did not start: $(cat "$TEST_DIR/daemon.out"; tail -5 "$images/lazy-pages.log")"
	# a new id with a cgroup of its own: the dumped container lives until its pages are sent
	cfg --arg cg "/$ID2" '.linux.cgroupsPath = $cg'
	criu_ok "$images" restore.log restore_detached "$ID2" --lazy-pages --image-path "$images"
	wait "$checkpoint" || fail "the lazy checkpoint failed: $(cat "$TEST_DIR/checkpoint.out")"
	wait "$daemon" || fail "the lazy-pages daemon failed: $(grep -i error "$images/lazy-pages.log" | tail -5)"
	run --separate-stderr rt state "$ID"
	assert_failure
	assert_counts_on_from "$before"
	[[ $(container_status "$ID2") == running ]] || fail "status: $(container_status "$ID2")"
}

# runc checks and uses --status-fd only with --lazy-pages; without, the dump is taken and
# nothing is written to the fd.  silo does the same, with a warning.
@test "criu: --status-fd without --lazy-pages: the dump is taken, the fd gets nothing, a warning says why" {
	requires_criu
	start_counter
	mkfifo "$TEST_DIR/ready"
	rt_keeping_fd 7 "$TEST_DIR/ready" checkpoint --status-fd 7 --image-path "$TEST_DIR/images" "$ID" \
		</dev/null >"$TEST_DIR/checkpoint.out" 2>&1 &
	local checkpoint=$! bytes
	register_pid "$checkpoint"
	# reads until every writer (silo, criu swrk) has closed the fd
	bytes=$(od -An -tx1 <"$TEST_DIR/ready")
	wait "$checkpoint" || fail "checkpoint --status-fd failed: $(cat "$TEST_DIR/checkpoint.out")"
	[[ -z $bytes ]] || fail "the status fd got '$bytes'"
	grep -q 'warning: --status-fd 7: ignored without --lazy-pages' "$TEST_DIR/checkpoint.out" ||
		fail "no warning: $(cat "$TEST_DIR/checkpoint.out")"
	[[ -s $TEST_DIR/images/inventory.img ]] || fail "no images: $(ls "$TEST_DIR/images")"
	run --separate-stderr rt state "$ID"
	assert_failure
}
