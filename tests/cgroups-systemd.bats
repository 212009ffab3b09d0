#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup, --cgroup-manager systemd): the container's
# cgroup is a transient scope made by systemd around the init, with the resources as unit
# properties.  Needs systemd as PID 1 on pure cgroup v2 (the systemd guest of tests/vm/:
# `make check-systemd`); elsewhere each test skips with that reason, and cli.bats checks
# the clear refusal.

load helpers/common

setup() {
	SLICES=()
	common_setup
	requires_containers
	is_silo || skip "$RUNTIME_KIND: this file tests silo's systemd driver"
	[[ -d /run/systemd/system ]] && [[ $(cat /proc/1/comm) == systemd ]] ||
		skip "systemd is not the init here (run it in the systemd guest: make check-systemd)"
	[[ -f $CGROUP_MOUNT/cgroup.controllers ]] ||
		skip "not a pure cgroup v2 host (the systemd driver needs one)"
	RT_GLOBAL+=(--systemd-cgroup)
	# The suite's bundle says /$ID (cgroupfs); the driver's default is system.slice:silo:ID.
	cfg 'del(.linux.cgroupsPath)'
}

teardown() {
	local slice
	for slice in "${SLICES[@]}"; do
		systemctl stop "$slice" 2>/dev/null || true
	done
	common_teardown
}

# unit_property UNIT NAME: the value `systemctl show` gives.
unit_property() {
	systemctl show -P "$2" "$1"
}

# assert_in_scope ID CGROUP: the init's cgroup is CGROUP and it exists.
assert_in_scope() {
	local pid
	pid=$(state_field "$1" pid)
	[[ $(cat "/proc/$pid/cgroup") == "0::$2" ]] ||
		fail "init $pid is in $(cat "/proc/$pid/cgroup"), not 0::$2"
	[[ -d $CGROUP_MOUNT$2 ]] || fail "no $CGROUP_MOUNT$2"
}

# assert_properties UNIT NAME=VALUE...: what `systemctl show` gives for each.
assert_properties() {
	local unit=$1 pair got
	for pair in "${@:2}"; do
		got=$(unit_property "$unit" "${pair%%=*}")
		[[ $got == "${pair#*=}" ]] || fail "$unit: ${pair%%=*} is $got, not ${pair#*=}"
	done
}

# assert_files DIR FILE=VALUE...: the content of each cgroup file.
assert_files() {
	local dir=$1 pair got
	for pair in "${@:2}"; do
		got=$(cat "$dir/${pair%%=*}")
		[[ $got == "${pair#*=}" ]] || fail "${pair%%=*} is $got, not ${pair#*=}"
	done
}

# run_until_collected: run $ID detached, wait until it stopped and systemd dropped its
# scope by itself, then delete it.
run_until_collected() {
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	wait_for [ "$(container_status "$ID")" = stopped ]
	wait_for [ "$(unit_property "silo-$ID.scope" LoadState)" = not-found ]
	run --separate-stderr rt delete "$ID"
	assert_success
}

assert_unit_gone() {
	local state
	state=$(unit_property "$1" LoadState)
	[[ $state == not-found ]] || fail "unit $1 is still loaded ($state, $(unit_property "$1" ActiveState))"
}

@test "systemd: without cgroupsPath the container is scope silo-ID.scope in system.slice, delegated" {
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	assert_in_scope "$ID" "/system.slice/silo-$ID.scope"
	assert_properties "silo-$ID.scope" ActiveState=active Delegate=yes DefaultDependencies=no
	run --separate-stderr rt delete -f "$ID"
	assert_success
	assert_unit_gone "silo-$ID.scope"
	[[ ! -d $CGROUP_MOUNT/system.slice/silo-$ID.scope ]] || fail "the scope's cgroup is left"
}

@test "systemd: SLICE:PREFIX:NAME places the scope in a nested slice" {
	local slice="silotest-${TOKEN//-/}.slice"   # each dash would be a level
	SLICES+=("$slice" silotest.slice)
	cfg --arg p "$slice:pfx:$ID" '.linux.cgroupsPath = $p'
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	assert_in_scope "$ID" "/silotest.slice/$slice/pfx-$ID.scope"
	[[ $(unit_property "pfx-$ID.scope" Slice) == "$slice" ]] || fail "the scope is not in $slice"
	run --separate-stderr rt delete -f "$ID"
	assert_success
	assert_unit_gone "pfx-$ID.scope"
}

@test "systemd: a cgroupsPath of another shape is a clear error that leaves nothing" {
	cfg '.linux.cgroupsPath = "/some/path"'
	run --separate-stderr rt_create "$ID"
	assert_one_line_error 'SLICE:PREFIX:NAME'
	run rt state "$ID"
	assert_failure
}

@test "systemd: the limits are unit properties and cgroup files, and a daemon-reload keeps them" {
	cfg --arg p "system.slice:silo:$ID" '.linux.cgroupsPath = $p
		| .linux.resources = {memory: {limit: 104857600, swap: 209715200},
			pids: {limit: 42}, cpu: {quota: 50000, period: 100000, shares: 1024},
			unified: {"memory.high": "94371840"}}'
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	assert_properties "silo-$ID.scope" MemoryMax=104857600 MemoryHigh=94371840 TasksMax=42 \
		CPUQuotaPerSecUSec=500ms CPUWeight=100
	systemctl daemon-reload
	assert_files "$CGROUP_MOUNT/system.slice/silo-$ID.scope" memory.max=104857600 \
		memory.swap.max=104857600 memory.high=94371840 pids.max=42 "cpu.max=50000 100000" cpu.weight=100
	run --separate-stderr rt delete -f "$ID"
	assert_success
}

@test "systemd: update sets the unit's properties and the files" {
	cfg --arg p "system.slice:silo:$ID" '.linux.cgroupsPath = $p
		| .linux.resources = {memory: {limit: 104857600}, pids: {limit: 42}}'
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	run --separate-stderr rt update --memory 209715200 --pids-limit 84 --cpu-quota 25000 "$ID"
	assert_success
	assert_properties "silo-$ID.scope" MemoryMax=209715200 TasksMax=84 CPUQuotaPerSecUSec=250ms
	systemctl daemon-reload
	assert_files "$CGROUP_MOUNT/system.slice/silo-$ID.scope" memory.max=209715200 pids.max=84 \
		"cpu.max=25000 100000"
	run --separate-stderr rt delete -f "$ID"
	assert_success
}

@test "systemd: exec, ps, pause and resume, kill --all in the scope" {
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	local scope
	scope=$(cat "/proc/$(state_field "$ID" pid)/cgroup")
	run --separate-stderr rt exec "$ID" cat /proc/self/cgroup
	assert_success
	# The container has its own cgroup namespace or sees the host's path.
	[[ $output == "0::/" || $output == "$scope" ]] || fail "exec is in $output, not in $scope"
	run --separate-stderr rt ps --format json "$ID"
	assert_success
	[[ $(jq length <<<"$output") -ge 1 ]] || fail "ps lists nothing: $output"
	run --separate-stderr rt pause "$ID"
	assert_success
	[[ $(container_status "$ID") == paused ]] || fail "not paused"
	run --separate-stderr rt resume "$ID"
	assert_success
	run --separate-stderr rt kill --all "$ID" KILL
	assert_success
	wait_for [ "$(container_status "$ID")" = stopped ]
	run --separate-stderr rt delete "$ID"
	assert_success
	assert_unit_gone "silo-$ID.scope"
}

@test "systemd: a container that exits leaves a scope systemd collects; delete still works" {
	set_args true
	run_until_collected
}

@test "systemd: an OOM-killed container's scope is collected too (CollectMode)" {
	cfg --arg p "system.slice:silo:$ID" '.linux.cgroupsPath = $p
		| .linux.resources = {memory: {limit: 8388608, swap: 8388608}}'
	set_args sh -c 'x=a; while :; do x=$x$x; done'
	run_until_collected
	# The name is free again.
	set_args true
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID"
	assert_success
}

@test "systemd: a second container for the same unit is refused and leaves nothing" {
	cfg --arg p "system.slice:silo:shared-${TOKEN%-}" '.linux.cgroupsPath = $p'
	set_args sleep 600
	run --separate-stderr rt_run_detached "$ID"
	assert_success
	local other="${ID}b"
	register_id "$other"
	run --separate-stderr rt create --bundle "$BUNDLE" "$other"
	assert_one_line_error 'already'
	run rt state "$other"
	assert_failure
	# The first one is untouched.
	[[ $(container_status "$ID") == running ]] || fail "the first container is $(container_status "$ID")"
	run --separate-stderr rt delete -f "$ID"
	assert_success
}

@test "systemd: silo killed right after the scope was made: delete --force stops it" {
	requires_fault_injection
	set_args sleep 600
	local pid i
	SILO_FAULT_AT=create-after-enter SILO_FAULT_ACTION=stop \
		"$RUNTIME" "${RT_GLOBAL[@]}" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 &
	pid=$!
	register_id "$ID"
	for ((i = 0; i < 400; i++)); do
		[[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == T ]] && break
		sleep 0.05
	done
	[[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == T ]] || fail "create never reached create-after-enter"
	[[ $(unit_property "silo-$ID.scope" ActiveState) == active ]] || fail "no scope was made"
	kill -KILL "$pid"
	wait "$pid" || true
	run --separate-stderr rt delete -f "$ID"
	assert_success
	wait_for [ "$(unit_property "silo-$ID.scope" LoadState)" = not-found ]
	[[ ! -d $CGROUP_MOUNT/system.slice/silo-$ID.scope ]] || fail "the scope's cgroup is left"
	run rt state "$ID"
	assert_failure
}

@test "systemd: device rules are enforced in the scope" {
	set_args sh -c 'mknod /dev/silo-mem c 1 1 && head -c 1 /dev/silo-mem'
	cfg '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]'
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID"
	assert_failure
	[[ $stderr == *"Operation not permitted"* ]] || fail "reading /dev/mem was not denied: $stderr"
}
