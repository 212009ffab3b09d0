#!/usr/bin/env bats
# Quick-run: `silo run --rootfs DIR ... -- CMD`, a container of a root filesystem with no
# bundle (its config synthesized into the state directory, its root an overlay whose
# upper layer lives there), and the Docker-style commands around it: ps without an id,
# stop and rm; `silo spec --rootfs` writes the same config.  Silo's own: other runtimes
# skip.

load helpers/common
load helpers/cgroups

setup() {
	common_setup
	requires_containers
	is_silo || skip "quick-run is silo's own command line"
	# What the rootfs holds before: nothing a container does may change it.
	ROOTFS_BEFORE=$(rootfs_listing)
}

rootfs_listing() {
	(cd "$ROOTFS" && find . -printf '%p %y %s %m %l\n' | sort && cat etc/passwd)
}

assert_rootfs_unchanged() {
	[[ $(rootfs_listing) == "$ROOTFS_BEFORE" ]] || fail "the container wrote into --rootfs: $(
		diff <(echo "$ROOTFS_BEFORE") <(rootfs_listing) | head -5)"
}

# quick ARGS...: `silo run --rootfs $ROOTFS ARGS...` in the foreground, stdin closed.
quick() {
	run --separate-stderr rt run --rootfs "$ROOTFS" "$@" </dev/null
}

# quick_detached NAME ARGS...: run -d; its stdio goes to $TEST_DIR/NAME.out.
quick_detached() {
	register_id "$1"
	rt run -d --rootfs "$ROOTFS" --name "$@" </dev/null >"$TEST_DIR/$1.out" 2>&1
}

# Nothing of container NAME is left: state, cgroups, mounts of its state directory.
assert_nothing_left() {
	local hierarchy
	[[ ! -e $ROOT/$1 ]] || fail "state left: $(ls -A "$ROOT/$1")"
	for hierarchy in $(hierarchies); do
		[[ ! -e $hierarchy/$1 ]] || fail "cgroup left: $hierarchy/$1"
	done
	! grep -qF " $ROOT/" /proc/self/mountinfo || fail "a mount left under $ROOT"
}

@test "run --rm: the command's output and status; writes stay in the overlay; nothing is left" {
	quick --rm --name "$ID" -- sh -c 'echo hello; hostname; echo x >/etc/passwd; rm /bin/ls
		mkdir /made; echo y >/made/f; cat /made/f; exit 3'
	assert_equal "$status" 3
	assert_equal "$output" $'hello\n'"$ID"$'\ny'
	assert_rootfs_unchanged
	assert_nothing_left "$ID"
}

@test "run without --rm keeps the stopped container, an ordinary one: state, delete" {
	quick --name "$ID" -- sh -c 'touch /kept'
	assert_success
	register_id "$ID"
	run rt state "$ID"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" stopped
	[[ -e $ROOT/$ID/upper/kept ]] || fail "the upper layer is not in the state directory"
	run rt delete "$ID"
	assert_success
	assert_rootfs_unchanged
	assert_nothing_left "$ID"
}

@test "limits: --memory, --cpus, --pids reach the cgroup files" {
	quick_detached "$ID" --memory 50M --cpus 0.25 --pids 10 -- sleep 600
	assert_equal "$(head -1 "$TEST_DIR/$ID.out")" "$ID"
	if [[ $(cg_layout memory) == v1 ]]; then
		assert_equal "$(cg_value "$ID" memory.limit_in_bytes)" 52428800
	else
		assert_equal "$(cg_value "$ID" memory.max)" 52428800
	fi
	if [[ $(cg_layout cpu) == v1 ]]; then
		assert_equal "$(cg_value "$ID" cpu.cfs_quota_us)" 25000
		assert_equal "$(cg_value "$ID" cpu.cfs_period_us)" 100000
	else
		assert_equal "$(cg_value "$ID" cpu.max)" "25000 100000"
	fi
	assert_equal "$(cg_value "$ID" pids.max)" 10
	run rt rm -f "$ID"
	assert_success
	assert_nothing_left "$ID"
}

@test "-d, then exec, ps, ps ID, stop and rm; rm of a running container needs -f" {
	# an init that exits on SIGTERM (PID 1 has no default action for it)
	quick_detached "$ID" -e GREETING=hi -w /tmp -- sh -c 'trap "exit 0" TERM; while :; do sleep 1 & wait; done'
	quick_detached "$ID2" -- true
	wait_status "$ID2" stopped
	run rt exec "$ID" sh -c 'echo $GREETING; pwd; echo z >/z; cat /z'
	assert_success
	assert_output $'hi\n/tmp\nz'
	run rt events --stats "$ID"
	assert_success
	assert_equal "$(jq -r '.type + " " + .id' <<<"$output")" "stats $ID"
	run rt ps -q
	assert_success
	assert_output "$ID"
	run rt ps -a -q
	assert_output "$ID"$'\n'"$ID2"
	run rt ps
	assert_line --index 0 --regexp '^NAME +STATUS +PID +CREATED +COMMAND$'
	assert_line --index 1 --regexp "^$ID +running +[0-9]+ +.* +sh -c trap"
	run rt ps -a --format json
	assert_equal "$(jq -r '.[].status' <<<"$output" | tr '\n' ' ')" "running stopped "
	# runc's meaning with an id: a bare array of pids (containerd parses it)
	run rt ps --format json "$ID"
	assert_success
	jq -e --argjson init "$(state_field "$ID" pid)" 'type == "array" and all(type == "number") and any(. == $init)' \
		<<<"$output" >/dev/null || fail "not a bare array of pids with the init's: $output"
	run --separate-stderr rt ps -a "$ID"
	assert_one_line_error "--all is for the container list"
	run --separate-stderr rt rm "$ID"
	assert_one_line_error "cannot remove container .$ID.: it is not stopped; .silo stop. it first, or use rm -f"
	status_is "$ID" running
	run rt stop -t 60 "$ID"
	assert_success
	status_is "$ID" stopped
	run rt rm "$ID" "$ID2"
	assert_success
	assert_nothing_left "$ID"
	assert_nothing_left "$ID2"
	assert_rootfs_unchanged
}

@test "stop: SIGKILL once the timeout passes, for an init that ignores SIGTERM" {
	quick_detached "$ID" -- sh -c 'trap "" TERM; while :; do sleep 1; done'
	run rt stop -t 0 "$ID"
	assert_success
	status_is "$ID" stopped
	run rt stop "$ID"
	assert_success   # stopping a stopped container is nothing to do
	run rt rm "$ID"
	assert_success
}

@test "silo killed while it waits: nothing is mounted on the host, rm -f removes everything" {
	register_id "$ID"
	# the runtime itself, not through rt's timeout: it is the one to kill
	"$RUNTIME" "${RT_GLOBAL[@]}" run --rootfs "$ROOTFS" --name "$ID" -- sleep 600 </dev/null >/dev/null 2>&1 &
	local runtime=$!
	register_pid "$runtime"
	wait_status "$ID" running
	kill -9 "$runtime"
	wait "$runtime" || true
	[[ ! -e /proc/$runtime ]] || fail "silo $runtime survived SIGKILL"
	status_is "$ID" running
	# the overlay lives in the container's mount namespace only
	! grep -qE " overlay overlay .*upperdir=$ROOT/" /proc/self/mountinfo || fail "an overlay on the host"
	! grep -qF " $ROOT/" /proc/self/mountinfo || fail "a mount under $ROOT on the host"
	run rt rm -f "$ID"
	assert_success
	assert_nothing_left "$ID"
	assert_rootfs_unchanged
}

@test "a generated name: adjective_noun, the host name; --rm removes it" {
	quick --rm -- hostname
	assert_success
	[[ $output =~ ^[a-z]+_[a-z]+(_[0-9]+)?$ ]] || fail "not a generated name: $output"
	assert_nothing_left "$output"
	assert_equal "$(ls -A "$ROOT" | grep -vx .seccomp-cache)" ""
}

@test "--read-only: the root cannot be written; -v binds, :ro read-only" {
	mkdir "$TEST_DIR/data"
	echo from-host >"$TEST_DIR/data/f"
	quick --rm --read-only -v "$TEST_DIR/data:/data:ro" -v "$TEST_DIR/data:/rw" --name "$ID" -- \
		sh -c 'cat /data/f; touch /x 2>/dev/null && echo root-writable; touch /data/g 2>/dev/null && echo ro-writable
			echo w >/rw/g'
	assert_success
	assert_output from-host
	assert_equal "$(cat "$TEST_DIR/data/g")" w
	assert_nothing_left "$ID"
}

@test "-t: the command runs on a terminal, relayed to ours" {
	command -v script >/dev/null || skip "script(1) (bsdutils) is not installed"
	run script -qec "$RUNTIME --root $ROOT run --rm -t --rootfs $ROOTFS --name $ID -- sh -c 'tty; exit 4'" \
		/dev/null </dev/null
	assert_equal "$status" 4
	assert_output --partial /dev/pts/
	assert_nothing_left "$ID"
}

@test "bad sizes, CPUs, counts and flags: one-line errors, nothing made" {
	local bad
	for bad in "--memory 50Q" "--memory 0" "--memory -1" "--cpus 0" "--cpus 0.001" "--cpus abc" \
		"--cpu 0" "--cpu 25%" "--pids 0" "--pids x" "--cpu 25 --cpus 0.5" "-e NOVALUE" \
		"-v relative:/x" "--user web" "--network bridge" "-w relative" "--name bad/name" \
		"--rm -d" "-d -t" "--bundle $BUNDLE" "--keep"; do
		# shellcheck disable=SC2086
		run --separate-stderr rt run --rootfs "$ROOTFS" $bad -- true </dev/null
		assert_one_line_error
		[[ $stderr == *"${bad%% *}"* ]] || fail "the error for $bad does not name ${bad%% *}: $stderr"
	done
	run --separate-stderr rt run --memory 50M "$ID"
	assert_one_line_error "--memory needs --rootfs"
	run --separate-stderr rt run --rootfs "$TEST_DIR/none" -- true
	assert_one_line_error "--rootfs .*none"
	run --separate-stderr rt run --rootfs / -- true
	assert_one_line_error "host's root directory"
	assert_equal "$(ls -A "$ROOT" | grep -vx .seccomp-cache)" ""
}

@test "quick-run as a user other than root: a one-line error, nothing made" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	# the binary where the user can run it (the build tree may be under a private home)
	install -m 0755 "$RUNTIME" "$TEST_DIR/runtime"
	mkdir -m 0700 "$TEST_DIR/xdg"
	chown 1000:1000 "$TEST_DIR/xdg"
	run --separate-stderr setpriv --reuid=1000 --regid=1000 --clear-groups env XDG_RUNTIME_DIR="$TEST_DIR/xdg" \
		"$TEST_DIR/runtime" run --rm --rootfs "$ROOTFS" -- true </dev/null
	assert_one_line_error "quick-run needs root"
	assert_equal "$(ls -A "$TEST_DIR/xdg")" ""
}

@test "--name of an existing container is refused, and the existing one is untouched" {
	quick_detached "$ID" -- sleep 600
	quick --name "$ID" -- true
	assert_one_line_error "container .$ID. already exists"
	status_is "$ID" running
	run rt rm -f "$ID"
	assert_success
}

@test "a hostile rootfs: symlinks to host paths resolve inside the container" {
	local host=$TEST_DIR/host
	mkdir -p "$host" "$TEST_DIR/src"
	# absolute symlinks that name host directories, where silo makes the working
	# directory, a bind target and where the container writes
	ln -s "$host" "$ROOTFS/escape"
	ln -s "$host" "$ROOTFS/tmp/escape"
	ROOTFS_BEFORE=$(rootfs_listing)
	quick --rm --name "$ID" -w /escape/wd -v "$TEST_DIR/src:/tmp/escape/mnt" -- \
		sh -c 'pwd; echo x >/escape/written; ls /escape'
	assert_success
	# the symlink resolves in the container's root: the same path, but in there
	assert_line --index 0 "$host/wd"
	assert_equal "$(ls -A "$host")" ""
	assert_equal "$(cat "$SENTINEL")" untouched
	assert_rootfs_unchanged
	# a symlink where a filesystem is mounted (CVE-2019-16884's shape) is refused
	rmdir "$ROOTFS/proc"
	ln -s /etc "$ROOTFS/proc"
	quick --rm --name "$ID2" -- true
	assert_one_line_error "proc"
	assert_nothing_left "$ID2"
}

@test "a state root inside the rootfs is refused: the container would see its upper layer" {
	mkdir "$ROOTFS/state"
	run --separate-stderr timeout 30 "$RUNTIME" --root "$ROOTFS/state" run --rm --rootfs "$ROOTFS" \
		--name "$ID" -- true </dev/null
	assert_one_line_error "state directory is inside the rootfs"
	assert_equal "$(ls -A "$ROOTFS/state")" ""
}

@test "spec --rootfs writes the same config; spec's refusals" {
	mkdir "$TEST_DIR/b"
	run rt spec -b "$TEST_DIR/b" --rootfs "$ROOTFS" --memory 1g --cpu 25 --pids 5 -e A=1 -- echo hi
	assert_success
	local config=$TEST_DIR/b/config.json
	assert_equal "$(jq -c '[.root.path, .root.readonly // false, .process.args, .process.env[-1], .linux.resources.memory.limit,
		.linux.resources.cpu.quota, .linux.resources.pids.limit]' "$config")" \
		"[\"$ROOTFS\",false,[\"echo\",\"hi\"],\"A=1\",1073741824,25000,5]"
	run --separate-stderr rt spec -b "$TEST_DIR/b" --rootfs "$ROOTFS"
	assert_one_line_error "exists"
	run --separate-stderr rt spec -b "$TEST_DIR/b" --memory 1g
	assert_one_line_error "--memory needs --rootfs"
}
