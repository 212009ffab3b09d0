#!/usr/bin/env bats
# A state.json that is lost, cut short or garbage never makes silo forget a live container:
# `list` shows it ("unknown"), `delete --force` still finds its processes and cgroups from
# recovery.json (written once the init's pid is known) and removes everything.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load helpers/common

setup() {
	common_setup
	requires_containers
	must_skip_on runc "runc keeps its own state format"
	must_skip_on crun "crun keeps its own state format"
	set_args sleep 600
}

# gone PID: no such process, or a zombie (PID 1 here reaps orphans late).
gone() {
	[[ ! -e /proc/$1/stat ]] || [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]
}

# damage HOW: what happens to $ID's state.json.
damage() {
	case $1 in
	truncated) : >"$ROOT/$ID/state.json" ;;
	garbage) printf '{"schema": 1, "id": [[[' >"$ROOT/$ID/state.json" ;;
	missing) rm "$ROOT/$ID/state.json" ;;
	esac
}

# check_damaged HOW CREATE-COMMAND...: a container whose state.json is damaged is listed
# and deleted with --force, its processes and cgroups too.
check_damaged() {
	local how=$1 pid dir
	shift
	run --separate-stderr "$@"
	assert_success
	pid=$(state_field "$ID" pid)
	damage "$how"
	run --separate-stderr rt list --format json
	assert_success
	jq -e --arg id "$ID" --argjson pid "$pid" \
		'map(select(.id == $id)) | length == 1 and .[0].status == "unknown" and .[0].pid == $pid' \
		<<<"$output" >/dev/null || fail "$how: list did not show the container: $output"
	[[ $stderr == *"$ID"*state.json* ]] || fail "$how: list did not say what is wrong: $stderr"
	run --separate-stderr rt state "$ID"
	assert_failure
	run --separate-stderr rt delete "$ID"
	assert_failure
	[[ $stderr == *"--force"* ]] || fail "$how: delete did not point at --force: $stderr"
	gone "$pid" && fail "$how: a failed delete killed the container"
	run --separate-stderr rt delete --force "$ID"
	assert_success
	[[ $stderr == *recovery.json* ]] || fail "$how: delete --force did not say how it went on: $stderr"
	wait_for gone "$pid" || fail "$how: the init $pid still runs"
	for dir in $(hierarchies); do
		[[ ! -d $dir/$ID ]] || fail "$how: cgroup $dir/$ID is left"
	done
	[[ ! -e $ROOT/$ID ]] || fail "$how: the state directory is left"
}

@test "recovery: a running container with a truncated state.json: listed, deleted with --force" {
	check_damaged truncated rt_run_detached "$ID"
}

@test "recovery: a running container with a garbage state.json: listed, deleted with --force" {
	check_damaged garbage rt_run_detached "$ID"
}

@test "recovery: a created container whose state.json is gone: listed, deleted with --force" {
	check_damaged missing rt_create "$ID"
}

@test "recovery: a damaged stored-config.json: list still answers, delete --force still removes all" {
	local pid dir
	rt_run_detached "$ID"
	pid=$(state_field "$ID" pid)
	printf '{"linux": [' >"$ROOT/$ID/stored-config.json"
	run --separate-stderr rt list --format json
	assert_success
	jq -e --arg id "$ID" 'map(select(.id == $id)) | .[0].status == "running"' <<<"$output" >/dev/null ||
		fail "list: $output"
	run --separate-stderr rt delete --force "$ID"
	assert_success
	[[ $stderr == *stored-config.json* ]] || fail "delete --force did not say what it went without: $stderr"
	wait_for gone "$pid" || fail "the init $pid still runs"
	for dir in $(hierarchies); do
		[[ ! -d $dir/$ID ]] || fail "cgroup $dir/$ID is left"
	done
	[[ ! -e $ROOT/$ID ]] || fail "the state directory is left"
}

# Schema 1 (an earlier silo) embedded the config in state.json and recovery.json.
@test "recovery: a container whose state an earlier silo wrote (schema 1) is listed, updated, deleted" {
	local f
	rt_run_detached "$ID"
	for f in state.json recovery.json; do
		jq -c --slurpfile c "$ROOT/$ID/stored-config.json" '.schema = 1 | .config = $c[0]' \
			"$ROOT/$ID/$f" >"$ROOT/$ID/$f.new"
		chmod 0600 "$ROOT/$ID/$f.new"
		mv "$ROOT/$ID/$f.new" "$ROOT/$ID/$f"
	done
	rm "$ROOT/$ID/stored-config.json"
	run --separate-stderr rt list --format json
	assert_success
	jq -e --arg id "$ID" 'map(select(.id == $id)) | .[0].status == "running"' <<<"$output" >/dev/null ||
		fail "list: $output"
	run --separate-stderr rt exec "$ID" true
	assert_success
	run --separate-stderr rt update --pids-limit 77 "$ID"
	assert_success
	assert_equal "$(jq -r .schema "$ROOT/$ID/state.json")" 2
	assert_equal "$(jq -r .config "$ROOT/$ID/state.json")" null
	assert_equal "$(jq -r .linux.resources.pids.limit "$ROOT/$ID/stored-config.json")" 77
	run --separate-stderr rt delete --force "$ID"
	assert_success
	[[ ! -e $ROOT/$ID ]] || fail "the state directory is left"
}

# Nothing in it says it is a container: a stranger in a shared root (containerd's shim
# shares its --root), or a create killed before its first write.
@test "recovery: a state directory with nothing in it: not listed, removed by delete --force" {
	mkdir -m 0700 "$ROOT/$ID"
	run --separate-stderr rt list --format json
	assert_success
	jq -e --arg id "$ID" 'map(select(.id == $id)) | length == 0' <<<"${output/#null/[]}" >/dev/null ||
		fail "list showed it: $output"
	assert_equal "$stderr" ""
	run --separate-stderr rt delete --force "$ID"
	assert_success
	[[ ! -e $ROOT/$ID ]] || fail "the state directory is left"
}

# mount_small_root SIZE: a tmpfs of SIZE as the state root for this test; $SMALL.
mount_small_root() {
	SMALL=$TEST_DIR/small-root
	mkdir -p "$SMALL"
	mount -t tmpfs -o "size=$1,mode=0700" silo-test-root "$SMALL"
	RT_GLOBAL=(--root "$SMALL")
}

@test "recovery: start on a full state filesystem: the container runs and start says so" {
	mount_small_root 256k
	local small=$SMALL
	run --separate-stderr rt_create "$ID"
	assert_success
	dd if=/dev/zero of="$small/fill" bs=4k 2>/dev/null || true
	run --separate-stderr rt start "$ID"
	local rc=$status err=$stderr
	run --separate-stderr rt state "$ID"
	rm -f "$small/fill"
	rt delete --force "$ID"
	umount "$small"
	((rc == 0)) || fail "start failed on a container that runs: $err"
	[[ $err == *"the container runs, but recording it failed"* ]] || fail "no warning: $err"
	jq -e '.status == "running"' <<<"$output" >/dev/null || fail "state says: $output"
}

@test "recovery: create with the state root read-only or full: a clear error, nothing left" {
	mount_small_root 64k
	mount -o remount,ro "$SMALL"
	run --separate-stderr rt_create "$ID"
	local ro_status=$status ro_err=$stderr
	umount "$SMALL"
	((ro_status == 1)) || fail "create on a read-only root exited $ro_status"
	[[ $ro_err == *"Read-only file system"* ]] || fail "unclear error: $ro_err"
	mount_small_root 8k
	dd if=/dev/zero of="$SMALL/fill" bs=1k 2>/dev/null || true
	run --separate-stderr rt_create "$ID"
	local full_status=$status full_err=$stderr left
	left=$(ls -A "$SMALL" | grep -vx fill || true)
	umount "$SMALL"
	((full_status == 1)) || fail "create on a full root exited $full_status"
	[[ $full_err == *"No space left on device"* ]] || fail "unclear error: $full_err"
	[[ -z $left ]] || fail "left in the full root: $left"
}
