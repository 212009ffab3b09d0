#!/usr/bin/env bats
# Rootless: an unprivileged user (uid 1000; it needs no passwd entry) runs containers in a
# user namespace it owns, with its state under $XDG_RUNTIME_DIR/silo.  Maps beyond its own
# id go through newuidmap/newgidmap against /etc/subuid and /etc/subgid, which each test
# binds over in a private mount namespace of its own.

load helpers/common

USER_ID=1000

setup() {
	common_setup
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	XDG=$TEST_DIR/xdg
	mkdir -m 0700 "$XDG"
	chown "$USER_ID:$USER_ID" "$XDG"
	# the binary where the user can run it (the build tree may be under a private home)
	install -m 0755 "$RUNTIME" "$TEST_DIR/runtime"
	# the user's own config: `spec --rootless` written as that user maps its own ids
	chown "$USER_ID:$USER_ID" "$BUNDLE"
	rm "$BUNDLE/config.json"
	as_user spec --rootless --bundle "$BUNDLE" || fail "spec --rootless failed as uid $USER_ID"
	user_cfg '.process.terminal = false'
	printf '%s:100000:65536\n' "$USER_ID" >"$TEST_DIR/subuid"
	cp "$TEST_DIR/subuid" "$TEST_DIR/subgid"
}

teardown() {
	local id
	for id in $(ls "$XDG/silo" 2>/dev/null); do
		[[ $id == "$TOKEN"* ]] || continue
		as_user delete -f "$id" >/dev/null 2>&1 </dev/null || leftover "rootless delete -f $id failed"
	done
	common_teardown
}

# as_user ARGS...: the runtime as uid 1000 with its own XDG_RUNTIME_DIR.
as_user() {
	(
		close_extra_fds
		exec setpriv --reuid="$USER_ID" --regid="$USER_ID" --clear-groups \
			env XDG_RUNTIME_DIR="$XDG" timeout --foreground -k 5 "$SILO_TEST_TIMEOUT" \
			"$TEST_DIR/runtime" "$@"
	)
}

# as_user_with_subids ARGS...: the same, with this test's /etc/subuid and /etc/subgid (and a
# passwd entry for the uid, which newuidmap asks for) bound over in a private mount
# namespace.  With USER_PIPES=1 the runtime's stdio are pipes the user made, as an
# engine's would be, its stderr merged into stdout.
as_user_with_subids() {
	local wrap=(bash -c '"$@"' bash)
	[[ ${USER_PIPES:-} != 1 ]] || wrap=(bash -c 'set -o pipefail; echo | "$@" 2>&1 | cat' bash)
	cp /etc/passwd /etc/group "$TEST_DIR/"
	getent passwd "$USER_ID" >/dev/null ||
		echo "silo-test:x:$USER_ID:$USER_ID::/nonexistent:/bin/sh" >>"$TEST_DIR/passwd"
	(
		close_extra_fds
		exec unshare -m --propagation private env TEST_DIR="$TEST_DIR" sh -c '
			for f in subuid subgid passwd; do
				touch "/etc/$f" 2>/dev/null || exit 1
				mount --bind "$TEST_DIR/$f" "/etc/$f" || exit 1
			done
			exec "$@"' sh setpriv --reuid="$USER_ID" --regid="$USER_ID" --clear-groups \
			env XDG_RUNTIME_DIR="$XDG" "${wrap[@]}" timeout --foreground -k 5 "$SILO_TEST_TIMEOUT" \
			"$TEST_DIR/runtime" "$@"
	)
}

user_container_stopped() {
	[[ $(as_user state "$ID" 2>/dev/null | jq -r .status) == stopped ]]
}

user_cfg() {
	jq "$@" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" &&
		mv "$BUNDLE/config.json.new" "$BUNDLE/config.json" &&
		chown "$USER_ID:$USER_ID" "$BUNDLE/config.json"
}

need_newuidmap() {
	command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
		skip "newuidmap/newgidmap (Debian package uidmap) are not installed"
	[[ -e /etc/subuid || -w /etc ]] || skip "/etc/subuid is missing and /etc is read-only"
}

@test "rootless: uid 1000 runs a container as root of its own user namespace, state under \$XDG_RUNTIME_DIR/silo" {
	user_cfg '.process.args = ["sh", "-c", "cat /proc/self/uid_map; id -u"]'
	run --separate-stderr as_user run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	assert_equal "$(echo $output)" "0 $USER_ID 1 0"
	# nothing left: run deleted it, and no cgroup could be made
	[[ -z $(ls "$XDG/silo" | grep "^$ID") ]] || fail "state left in $XDG/silo"
}

@test "rootless: run -d, state, exec, kill and delete work as the user; the state is the user's" {
	user_cfg '.process.args = ["sleep", "600"]'
	as_user run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>"$TEST_DIR/err" ||
		fail "run -d: $(cat "$TEST_DIR/err")"
	assert_equal "$(stat -c %u "$XDG/silo/$ID")" "$USER_ID"
	run --separate-stderr as_user state "$ID"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running
	pid=$(jq -r .pid <<<"$output")
	assert_equal "$(stat -c %u "/proc/$pid")" "$USER_ID"
	run --separate-stderr as_user exec "$ID" sh -c 'id -u; readlink /proc/self/ns/user'
	assert_success
	assert_equal "${lines[0]}" 0
	assert_equal "${lines[1]}" "$(readlink "/proc/$pid/ns/user")"
	run --separate-stderr as_user ps "$ID"
	assert_failure
	[[ $stderr == *"no cgroups"*rootless* ]] || fail "ps: $stderr"
	run --separate-stderr as_user kill "$ID" KILL
	assert_success
	wait_for user_container_stopped || fail "the container did not stop after SIGKILL"
	run --separate-stderr as_user delete "$ID"
	assert_success
	[[ ! -e $XDG/silo/$ID ]] || fail "state directory left"
}

@test "rootless: a range map goes through newuidmap/newgidmap and /etc/subuid, /etc/subgid" {
	need_newuidmap
	user_cfg --argjson u "$USER_ID" '
		.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: 100000, size: 65536}]
		| .linux.gidMappings = .linux.uidMappings
		| .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev"]}]
		| .process.capabilities.bounding += ["CAP_CHOWN"] | .process.capabilities.effective += ["CAP_CHOWN"]
		| .process.capabilities.permitted += ["CAP_CHOWN"]
		| .process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/f; chown 5:7 /tmp/f; stat -c %u:%g /tmp/f"]'
	run --separate-stderr as_user_with_subids run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	assert_equal "$(echo $output)" "0 $USER_ID 1 1 100000 65536 0 $USER_ID 1 1 100000 65536 5:7"
}

@test "rootless: a map outside /etc/subuid is refused, naming the field and the helper" {
	need_newuidmap
	user_cfg --argjson u "$USER_ID" '
		.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: 300000, size: 10}]
		| .linux.gidMappings = [{containerID: 0, hostID: $u, size: 1}]'
	run --separate-stderr as_user_with_subids run --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	[[ $stderr == *"linux.uidMappings: newuidmap refused the map"*"/etc/subuid"* ]] || fail "stderr: $stderr"
	[[ -z $(ls "$XDG/silo" | grep "^$ID") ]] || fail "state left behind"
}

@test "rootless: limits without a delegated cgroup fail by name; without limits only a warning" {
	user_cfg '.linux.resources = {memory: {limit: 67108864}} | .process.args = ["true"]'
	run --separate-stderr as_user run --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	[[ $stderr == *"rootless: linux.resources asks for limits, but the cgroup is not delegated to uid $USER_ID"* ]] ||
		fail "stderr: $stderr"
	[[ -z $(ls "$XDG/silo" | grep "^$ID") ]] || fail "state left behind"
	user_cfg 'del(.linux.resources)'
	run --separate-stderr as_user run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	[[ $stderr == *"warning: rootless: running without a cgroup of its own"* ]] || fail "stderr: $stderr"
}

@test "rootless: stdio belongs to the container's user, and a cgroup mount shows the host's read-only" {
	need_newuidmap
	user_cfg --argjson u "$USER_ID" '
		.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: 100000, size: 65536}]
		| .linux.gidMappings = .linux.uidMappings
		| .process.user = {uid: 7, gid: 7}
		| .process.args = ["sh", "-c", "stat -L -c %u /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2; echo to-stderr >/dev/stderr; mkdir /sys/fs/cgroup/x 2>/dev/null || echo cgroup-ro"]'
	# stdio as an engine gives it: pipes the user made (the wrapper shell runs as the user)
	USER_PIPES=1 run --separate-stderr as_user_with_subids run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	assert_equal "$(grep -v warning <<<"$output" | tr '\n' ' ')" "7 7 7 to-stderr cgroup-ro "
}

@test "rootless: --root defaults to \$XDG_RUNTIME_DIR/silo, and --rootless=false still runs where ids are own" {
	run --separate-stderr as_user --help
	assert_success
	[[ $output == *'$XDG_RUNTIME_DIR/silo'* ]] || fail "--help does not tell the rootless state root"
	user_cfg '.process.args = ["true"]'
	run --separate-stderr as_user --rootless false run --bundle "$BUNDLE" "$ID" </dev/null
	# without rootless handling the cgroup that cannot be made is an error
	assert_failure
	[[ $stderr == *"/sys/fs/cgroup"*"Permission denied"* ]] || fail "stderr: $stderr"
}
