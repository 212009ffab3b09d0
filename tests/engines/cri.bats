#!/usr/bin/env bats
# Kubernetes' CRI: silo under containerd 1.6's CRI plugin, driven by crictl as a kubelet
# drives a node: pods (sandboxes) with their pause container, containers in them, exec,
# logs, stats, limits, shared namespaces, CNI networking and volume mount propagation.
#
# crictl is no Debian package: build it from kubernetes-sigs/cri-tools (docs/kubernetes.md)
# and put it in PATH or CRICTL; without it every test skips with the reason.
#
# The file starts a containerd of its own with the CRI plugin (root, state, socket,
# config, CNI config, IPAM state, netns mounts and container logs under
# /tmp/silo-cri-PID; tests/helpers/cri-config.bash writes them), two runtime handlers,
# `silo` (the runtime under test) and `runc`
# (the reference, when installed: a failure is reported, never fatal; SILO_CRI_COMPARE=0
# turns it off), both io.containerd.runc.v2 with BinaryName, as
# contrib/containerd/config.toml registers silo, and imports a busybox image and a pause
# image built here (tests/helpers/pause.c).  Pods get the cgroup parent /silo-cri-PID, a
# bridge of their own and addresses from a private host-local range.  Every test leaves
# no pod, container, shim, netns, veth, IP allocation, cgroup, mount or state behind:
# teardown checks.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load ../helpers/common
load ../helpers/oci-image
load ../helpers/cri-config
load ../helpers/containerd

CRI_IMAGE=localhost/silo-bb:latest
CRI_PAUSE=localhost/silo-pause:latest

# ---------------------------------------------------------------------------------------
# The private containerd

# bats 1.8 has no skip in setup_file: the reason goes to every test's setup.
setup_file() {
	export CRI_SKIP=
	[[ $EUID == 0 ]] || { CRI_SKIP="cri: needs root"; return 0; }
	export CRICTL=${CRICTL:-$(command -v crictl || true)}
	[[ -x $CRICTL ]] ||
		{ CRI_SKIP="cri: crictl is not installed (build it from cri-tools: docs/kubernetes.md)"; return 0; }
	local tool plugin
	for tool in containerd ctr containerd-shim-runc-v2 busybox jq sha256sum tar ip "${CC:-cc}"; do
		command -v "$tool" >/dev/null || { CRI_SKIP="cri: $tool is not installed"; return 0; }
	done
	export CRI_CNI_BIN=${SILO_CNI_BIN:-/usr/lib/cni}
	for plugin in bridge host-local loopback; do
		[[ -x $CRI_CNI_BIN/$plugin ]] ||
			{ CRI_SKIP="cri: no CNI plugin $CRI_CNI_BIN/$plugin (containernetworking-plugins)"; return 0; }
	done
	ROOT=/nonexistent detect_runtime
	export RUNTIME RUNTIME_KIND
	export CRI_DIR=/tmp/silo-cri-$$
	export CRI_SOCK=$CRI_DIR/containerd.sock
	export CRI_CGROUP=silo-cri-$$
	export CRI_BRIDGE=scri$(($$ % 100000))
	export CRI_RUNC=
	if [[ ${SILO_CRI_COMPARE:-1} != 0 && $RUNTIME_KIND != runc ]]; then
		CRI_RUNC=$(command -v runc || true)
	fi
	# the shims keep their sockets under /run/containerd/s, libcni its cache under
	# /var/lib/cni, whatever the config says: removed at the end if this file made them
	export CRI_RUN_DIR_EXISTED= CRI_CNI_CACHE_EXISTED=
	[[ ! -d /run/containerd ]] || CRI_RUN_DIR_EXISTED=1
	[[ ! -d /var/lib/cni ]] || CRI_CNI_CACHE_EXISTED=1

	rm -rf --one-file-system "$CRI_DIR"
	mkdir -p "$CRI_DIR"/{net.d,ipam,logs,silo-root,runc-root}
	write_containerd_config >"$CRI_DIR/config.toml"
	write_cni_config >"$CRI_DIR/net.d/10-silo-cri.conflist"
	printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: %s\n' \
		"$CRI_SOCK" "$CRI_SOCK" "$SILO_TEST_TIMEOUT" >"$CRI_DIR/crictl.yaml"
	start_containerd "$CRI_DIR"
	export CRI_PID=$CONTAINERD_PID
	wait_for crictl_ version >/dev/null 2>&1 ||
		fail "containerd (CRI) did not start: $(tail -5 "$CRI_DIR/containerd.log")"
	build_images || fail "cannot build the test images"
	run ctr_ image import "$CRI_DIR/image.tar"
	assert_success
	run ctr_ image import "$CRI_DIR/pause.tar"
	assert_success
	run crictl_ images -q
	assert_equal "$(grep -c . <<<"$output")" 2
}

# The busybox image and the pause image (one static program).
build_images() {
	local pause=$CRI_DIR/pause-rootfs
	busybox_rootfs "$CRI_DIR/bb-rootfs" &&
		oci_archive "$CRI_DIR/bb-rootfs" "$CRI_IMAGE" "$CRI_DIR/image.tar" || return 1
	mkdir -p "$pause" &&
		"${CC:-cc}" -O2 -Wall -static -o "$pause/pause" "$TESTS_DIR/helpers/pause.c" &&
		oci_archive "$pause" "$CRI_PAUSE" "$CRI_DIR/pause.tar" '{ Entrypoint: [ "/pause" ], WorkingDir: "/" }'
}

teardown_file() {
	[[ -n ${CRI_DIR:-} && -d $CRI_DIR ]] || return 0
	local problems=() line dir
	sweep_pods >"$CRI_DIR/sweep.txt"
	[[ ! -s $CRI_DIR/sweep.txt ]] || problems+=("$(cat "$CRI_DIR/sweep.txt")")
	while read -r line; do
		problems+=("$line")
	done < <(stop_containerd "${CRI_PID:-}" "$CRI_SOCK")
	# overlay snapshots, rootfs and netns mounts, deepest first
	for line in $(awk -v d="$CRI_DIR" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount "$line" 2>/dev/null || umount -l "$line" 2>/dev/null
	done
	for dir in $(hierarchies); do
		[[ -d $dir/$CRI_CGROUP ]] || continue
		rmdir "$dir/$CRI_CGROUP" 2>/dev/null || problems+=("cgroup $dir/$CRI_CGROUP not empty")
	done
	# the bridge stays when its last veth goes
	! ip link show "$CRI_BRIDGE" >/dev/null 2>&1 || ip link del "$CRI_BRIDGE" ||
		problems+=("cannot remove the bridge $CRI_BRIDGE")
	rm -rf --one-file-system "$CRI_DIR" || problems+=("cannot remove $CRI_DIR")
	if [[ -z $CRI_RUN_DIR_EXISTED ]]; then
		rmdir /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null || true
	fi
	if [[ -z $CRI_CNI_CACHE_EXISTED && -d /var/lib/cni ]]; then
		[[ -z $(find /var/lib/cni -type f) ]] || problems+=("CNI cache left: $(find /var/lib/cni -type f)")
		rm -rf --one-file-system /var/lib/cni
	fi
	if ((${#problems[@]})); then
		printf '# teardown_file: %s\n' "${problems[@]}"
		return 1
	fi
}

crictl_() {
	(
		close_extra_fds
		exec timeout --foreground -k 5 "$SILO_TEST_TIMEOUT" "$CRICTL" --config "$CRI_DIR/crictl.yaml" "$@" </dev/null
	)
}

ctr_() {
	(
		close_extra_fds
		exec timeout --foreground -k 5 "$SILO_TEST_TIMEOUT" ctr --address "$CRI_SOCK" -n k8s.io "$@" </dev/null
	)
}

# ---------------------------------------------------------------------------------------
# Per test

setup() {
	# the tests of the contrib files and of `features` need neither crictl nor containerd
	[[ $BATS_TEST_DESCRIPTION == *contrib/* || $BATS_TEST_DESCRIPTION == *features* ]] && return 0
	[[ -z $CRI_SKIP ]] || skip "$CRI_SKIP"
	T=t$BATS_TEST_NUMBER
	CRI_TEST_DIR=$CRI_DIR/$T
	rm -rf "$CRI_TEST_DIR"
	mkdir -p "$CRI_TEST_DIR"
}

teardown() {
	local leftovers
	[[ -n ${CRI_TEST_DIR:-} ]] || return 0
	leftovers=$(sweep_pods)
	umount_under "$CRI_TEST_DIR"
	rm -rf --one-file-system "$CRI_TEST_DIR"
	if [[ -n $leftovers ]]; then
		printf '# teardown: %s\n' "$leftovers"
		return 1
	fi
}

# umount_under DIR: every mount at or under DIR, deepest first.
umount_under() {
	local line
	for line in $(awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount "$line" 2>/dev/null || umount -l "$line"
	done
}

# sweep_pods: remove whatever a scenario left and print one line per thing it had to
# remove: pods and containers, shims, runtime state, cgroups, netns, veths, IP
# allocations, mounts of the pods' rootfs.
sweep_pods() {
	local id dir line name
	for id in $(crictl_ ps -aq 2>/dev/null); do
		echo "container $id left"
		crictl_ rm -f "$id" >/dev/null 2>&1 || echo "cannot remove container $id"
	done
	for id in $(crictl_ pods -q 2>/dev/null); do
		echo "pod $id left"
		crictl_ stopp "$id" >/dev/null 2>&1
		crictl_ rmp -f "$id" >/dev/null 2>&1 || echo "cannot remove pod $id"
	done
	wait_for eval '[[ -z $(shim_pids "$CRI_SOCK") ]]' || for id in $(shim_pids "$CRI_SOCK"); do
		echo "shim $id left running"
		kill -KILL "$id"
	done
	for name in silo runc; do
		dir=$CRI_DIR/$name-root/k8s.io
		for id in $(ls -A "$dir" 2>/dev/null | grep -vx .seccomp-cache); do
			echo "state left under the $name handler's root: $dir/$id"
			rm -rf "${dir:?}/$id"
		done
	done
	for dir in $(find "$CGROUP_MOUNT"/*/"$CRI_CGROUP" -mindepth 1 -maxdepth 2 -type d 2>/dev/null | sort -r); do
		echo "cgroup left: $dir"
		xargs -r kill -KILL <"$dir/cgroup.procs" 2>/dev/null
		wait_for rmdir "$dir" 2>/dev/null || echo "cannot remove $dir"
	done
	for line in $(ls "$CRI_DIR"/state/io.containerd.grpc.v1.cri/netns 2>/dev/null); do
		echo "netns left: $line"
	done
	for line in $(ip -o link show master "$CRI_BRIDGE" 2>/dev/null | awk -F': ' '{ print $2 }'); do
		echo "veth left: ${line%@*}"
		ip link del "${line%@*}" 2>/dev/null
	done
	for line in $(find "$CRI_DIR/ipam" -type f -name '10.*' 2>/dev/null); do
		echo "IP allocation left: ${line##*/}"
		rm -f "$line"
	done
	for line in $(awk -v d="$CRI_DIR/state" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		echo "mount left on $line"
		umount -l "$line" 2>/dev/null
	done
	return 0
}

# each_runtime SCENARIO: run SCENARIO with the runc handler (when installed: a failure is
# shown, not fatal) and then with silo's, whose failure fails the test.  RT is the
# runtime's binary, RT_NAME the handler (silo or runc), RT_ROOT its state root for k8s.io.
each_runtime() {
	local rc=0 leftovers
	if [[ -n $CRI_RUNC ]]; then
		RT=$CRI_RUNC RT_NAME=runc RT_ROOT=$CRI_DIR/runc-root/k8s.io
		("$@") || rc=$?
		leftovers=$(sweep_pods)
		((rc == 0)) || printf '# runc (reference) failed this scenario (status %d)\n' "$rc"
		[[ -z $leftovers ]] || printf '# runc (reference) left: %s\n' "$leftovers"
	fi
	RT=$RUNTIME RT_NAME=silo RT_ROOT=$CRI_DIR/silo-root/k8s.io
	"$@"
}

# The runtime itself on its handler's state root.
rt_() {
	(
		close_extra_fds
		exec timeout --foreground -k 5 "$SILO_TEST_TIMEOUT" "$RT" --root "$RT_ROOT" "$@" </dev/null
	)
}

# pod_config NAME [JQ-FILTER]: a pod sandbox config in $CRI_TEST_DIR/NAME.pod.json.
pod_config() {
	local file=$CRI_TEST_DIR/$1.pod.json
	# containerd keeps a removed container's log: one directory per pod and runtime
	mkdir -p "$CRI_TEST_DIR/logs/$1-$RT_NAME"
	jq -n --arg name "$1" --arg uid "$T-$1-$RT_NAME" --arg logs "$CRI_TEST_DIR/logs/$1-$RT_NAME" \
		--arg parent "/$CRI_CGROUP" '{
		metadata: { name: $name, namespace: "silo-cri", uid: $uid, attempt: 0 },
		hostname: $name, log_directory: $logs,
		linux: { cgroup_parent: $parent,
		         security_context: { namespace_options: { pid: 1 } } } }' |
		jq "${2:-.}" >"$file"
	echo "$file"
}

# container_config NAME JQ-FILTER: a container config in $CRI_TEST_DIR/NAME.ctr.json.
container_config() {
	local file=$CRI_TEST_DIR/$1.ctr.json
	jq -n --arg name "$1" --arg image "$CRI_IMAGE" '{
		metadata: { name: $name }, image: { image: $image },
		command: [ "sleep", "600" ], log_path: ($name + ".log") }' |
		jq "${2:-.}" >"$file"
	echo "$file"
}

# run_pod NAME [JQ-FILTER]: POD is the new pod's id, POD_CONFIG its config.
run_pod() {
	POD_CONFIG=$(pod_config "$@")
	run crictl_ runp --runtime "$RT_NAME" "$POD_CONFIG"
	assert_success
	POD=$output
}

# start_container NAME JQ-FILTER: create and start a container in $POD; CTR is its id.
start_container() {
	local config
	config=$(container_config "$@")
	run crictl_ create "$POD" "$config" "$POD_CONFIG"
	assert_success
	CTR=$output
	run crictl_ start "$CTR"
	assert_success
}

ctr_state() {
	crictl_ inspect -o json "$1" 2>/dev/null | jq -r .status.state
}
ctr_state_is() { [[ $(ctr_state "$1") == "$2" ]]; }
ctr_pid() {
	crictl_ inspect -o json "$1" | jq -r .info.pid
}

# cgroup_v1_dir CONTROLLER PID: the directory of PID's cgroup in CONTROLLER's v1 hierarchy.
cgroup_v1_dir() {
	local path mount
	path=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$2/cgroup")
	mount=$(awk -v c="$1" '$0 ~ / - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $5 }' /proc/self/mountinfo | head -1)
	echo "$mount$path"
}

# remove_pod: stopp and rmp $POD, then check what the pod had is gone.
remove_pod() {
	local netns
	netns=$(crictl_ inspectp -o json "$POD" | jq -r '.info.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path')
	run crictl_ stopp "$POD"
	assert_success
	run crictl_ rmp "$POD"
	assert_success
	run crictl_ pods -q
	assert_output ""
	[[ -z $netns || ! -e $netns ]] || fail "the pod's netns $netns is left"
	run ip -o link show master "$CRI_BRIDGE"
	assert_output ""
	[[ -z $(find "$CRI_DIR/ipam" -type f -name '10.*') ]] || fail "IP allocations left: $(ls -R "$CRI_DIR/ipam")"
}

# ---------------------------------------------------------------------------------------
# Scenarios (RT, RT_NAME, RT_ROOT set by each_runtime)

sc_lifecycle() {
	run_pod web
	# the handler's runtime runs the pause container
	assert_equal "$(rt_ state "$POD" | jq -r .status)" running
	assert_equal "$(crictl_ inspectp -o json "$POD" | jq -r .status.state)" SANDBOX_READY
	start_container app '.command = [ "sh", "-c", "trap \"exit 7\" TERM; echo out; echo err >&2; sleep 600 & wait" ]'
	wait_for ctr_state_is "$CTR" CONTAINER_RUNNING || fail "state: $(ctr_state "$CTR")"
	assert_equal "$(rt_ state "$CTR" | jq -r .status)" running
	# exec: streamed, and -s (ExecSync) with its exit code
	run --separate-stderr crictl_ exec "$CTR" sh -c 'echo exec-out; echo exec-err >&2; id -u'
	assert_success
	assert_output "exec-out"$'\n'"0"
	run --separate-stderr crictl_ exec -s "$CTR" sh -c 'echo sync-out; hostname'
	assert_success
	assert_output "sync-out"$'\n'"web"
	# crictl reports a failed command's status and stderr in its error
	run crictl_ exec -s "$CTR" sh -c 'echo sync-fail >&2; exit 3'
	assert_failure
	assert_output --partial "exited with 3: sync-fail"
	run crictl_ exec -s "$CTR" /no/such/binary
	assert_failure
	assert_equal "$(ctr_state "$CTR")" CONTAINER_RUNNING
	# logs: the CRI log file, both streams
	wait_for eval 'crictl_ logs "$CTR" 2>&1 | grep -q err' || fail "logs: $(crictl_ logs "$CTR" 2>&1)"
	run --separate-stderr crictl_ logs "$CTR"
	assert_output out
	assert_equal "$stderr" err
	# stats from the container's cgroup
	run crictl_ stats -o json "$CTR"
	assert_success
	jq -e '.stats[0].memory.workingSetBytes.value | tonumber > 0' <<<"$output" >/dev/null ||
		fail "no memory in stats: $output"
	jq -e '.stats[0].cpu.usageCoreNanoSeconds.value | tonumber > 0' <<<"$output" >/dev/null ||
		fail "no cpu in stats: $output"
	# stop: SIGTERM, which the container handles
	run crictl_ stop --timeout 30 "$CTR"
	assert_success
	assert_equal "$(ctr_state "$CTR")" CONTAINER_EXITED
	assert_equal "$(crictl_ inspect -o json "$CTR" | jq -r .status.exitCode)" 7
	run rt_ state "$CTR"
	assert_failure
	run crictl_ rm "$CTR"
	assert_success
	# stop of a container that ignores SIGTERM: SIGKILL after the timeout
	start_container stubborn '.command = [ "sh", "-c", "trap \"\" TERM; echo ready; sleep 600 & wait" ]'
	wait_for eval 'crictl_ logs "$CTR" 2>&1 | grep -q ready' || fail "stubborn did not start"
	run crictl_ stop --timeout 1 "$CTR"
	assert_success
	assert_equal "$(crictl_ inspect -o json "$CTR" | jq -r .status.exitCode)" 137
	run crictl_ rm "$CTR"
	assert_success
	run crictl_ ps -aq
	assert_output ""
	remove_pod
	run rt_ state "$POD"
	assert_failure
}

sc_limits() {
	run_pod limits
	start_container app '.linux.resources = { memory_limit_in_bytes: 33554432,
		cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512 }'
	wait_for ctr_state_is "$CTR" CONTAINER_RUNNING || fail "state: $(ctr_state "$CTR")"
	local pid dir
	pid=$(ctr_pid "$CTR")
	# the container's cgroup is under the pod's parent, named after the container
	if [[ -d $CGROUP_MOUNT/memory ]]; then
		dir=$(cgroup_v1_dir memory "$pid")
		assert_equal "$dir" "$CGROUP_MOUNT/memory/$CRI_CGROUP/$CTR"
		assert_equal "$(cat "$dir/memory.limit_in_bytes")" 33554432
		dir=$(cgroup_v1_dir cpu "$pid")
		assert_equal "$(cat "$dir/cpu.cfs_quota_us") $(cat "$dir/cpu.cfs_period_us") $(cat "$dir/cpu.shares")" \
			"50000 100000 512"
	else
		dir=$CGROUP_MOUNT$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")
		assert_equal "$dir" "$CGROUP_MOUNT/$CRI_CGROUP/$CTR"
		assert_equal "$(cat "$dir/memory.max")" 33554432
		assert_equal "$(cat "$dir/cpu.max")" "50000 100000"
	fi
	# the pod's stats see the limit too
	run crictl_ stats -o json "$CTR"
	assert_success
	# update, as kubelet's in-place resize does
	run crictl_ update --memory 67108864 --cpu-quota 20000 "$CTR"
	assert_success
	if [[ -d $CGROUP_MOUNT/memory ]]; then
		assert_equal "$(cat "$(cgroup_v1_dir memory "$pid")/memory.limit_in_bytes")" 67108864
		assert_equal "$(cat "$dir/cpu.cfs_quota_us")" 20000
	else
		assert_equal "$(cat "$dir/memory.max")" 67108864
	fi
	# past the limit: the OOM killer, reported as OOMKilled
	start_container hog '.linux.resources = { memory_limit_in_bytes: 16777216 } |
		.command = [ "sh", "-c", "x=0123456789; while :; do x=$x$x; done" ]'
	wait_for ctr_state_is "$CTR" CONTAINER_EXITED || fail "state: $(ctr_state "$CTR")"
	run crictl_ inspect -o json "$CTR"
	assert_equal "$(jq -r '"\(.status.exitCode) \(.status.reason)"' <<<"$output")" "137 OOMKilled"
	run crictl_ rm -a
	remove_pod
}

sc_shared_namespaces() {
	run_pod pair '.linux.security_context.namespace_options.pid = 0'
	start_container one '.command = [ "sleep", "601" ]'
	local one=$CTR
	start_container two '.command = [ "sleep", "602" ]'
	local two=$CTR pause ns a b
	wait_for ctr_state_is "$one" CONTAINER_RUNNING || fail "one: $(ctr_state "$one")"
	wait_for ctr_state_is "$two" CONTAINER_RUNNING || fail "two: $(ctr_state "$two")"
	pause=$(crictl_ inspectp -o json "$POD" | jq -r .info.pid)
	for ns in net ipc uts pid; do
		a=$(readlink "/proc/$(ctr_pid "$one")/ns/$ns")
		b=$(readlink "/proc/$(ctr_pid "$two")/ns/$ns")
		assert_equal "$ns: $a" "$ns: $(readlink "/proc/$pause/ns/$ns")"
		assert_equal "$ns: $b" "$ns: $a"
	done
	# the mount namespaces are the containers' own
	[[ $(readlink "/proc/$(ctr_pid "$one")/ns/mnt") != $(readlink "/proc/$(ctr_pid "$two")/ns/mnt") ]] ||
		fail "the two containers share a mount namespace"
	# one PID namespace: pause is PID 1 and each sees the other's process
	run crictl_ exec -s "$one" sh -c 'cat /proc/1/cmdline; echo; for p in /proc/[0-9]*; do cat $p/cmdline 2>/dev/null | tr "\0" " "; echo; done'
	assert_success
	assert_line --index 0 /pause
	assert_line "sleep 602 "
	# the pod's network: an address from the CNI range on eth0, the hostname
	local ip
	ip=$(crictl_ inspectp -o json "$POD" | jq -r .status.network.ip)
	[[ $ip == 10.209.* ]] || fail "pod ip: $ip"
	run crictl_ exec -s "$two" sh -c 'ip -o -4 addr show eth0; hostname'
	assert_success
	assert_output --partial "inet $ip/"
	assert_line pair
	# the bridge, the pod's gateway, answers
	run crictl_ exec -s "$two" ping -c 1 -W 5 "${ip%.*}.1"
	assert_success
	assert_output --partial "1 packets received"
	run crictl_ stop --timeout 0 "$one" "$two"
	assert_success
	run crictl_ rm "$one" "$two"
	assert_success
	remove_pod
}

# Kubernetes' mountPropagation: None (0), HostToContainer (1) and Bidirectional (2, which
# needs a privileged container and a shared host path: CSI node plugins).
sc_propagation() {
	local vol=$CRI_TEST_DIR/vol-$RT_NAME mode c2h h2c
	for mode in 0 1 2; do
		mkdir -p "$vol"
		mount --bind "$vol" "$vol" && mount --make-private "$vol" && mount --make-shared "$vol" ||
			fail "cannot make $vol a shared mount"
		mkdir -p "$vol/c" "$vol/h"
		run_pod prop '.linux.security_context.privileged = true'
		start_container app ".linux.security_context.privileged = true |
			.mounts = [ { container_path: \"/vol\", host_path: \"$vol\", propagation: $mode } ] |
			.command = [ \"sh\", \"-c\", \"mount -t tmpfs from-container /vol/c && touch /vol/c/made /tmp/mounted; exec sleep 600\" ]"
		wait_for crictl_ exec -s "$CTR" test -e /tmp/mounted || fail "the container did not mount: $(crictl_ logs "$CTR" 2>&1)"
		mount -t tmpfs from-host "$vol/h" && touch "$vol/h/made" || fail "cannot mount on $vol/h"
		c2h=no h2c=no
		[[ ! -e $vol/c/made ]] || c2h=yes
		! crictl_ exec -s "$CTR" test -e /vol/h/made || h2c=yes
		if ((mode == 0)); then
			assert_equal "None: c2h=$c2h h2c=$h2c" "None: c2h=no h2c=no"
		elif ((mode == 1)); then
			assert_equal "HostToContainer: c2h=$c2h h2c=$h2c" "HostToContainer: c2h=no h2c=yes"
		else
			assert_equal "Bidirectional: c2h=$c2h h2c=$h2c" "Bidirectional: c2h=yes h2c=yes"
		fi
		run crictl_ stop --timeout 0 "$CTR"
		assert_success
		run crictl_ rm "$CTR"
		assert_success
		remove_pod
		umount_under "$vol"
		rm -rf "$vol"
	done
}

# A sandbox the runtime cannot create (a sysctl this kernel does not have): silo's
# message reaches crictl, and containerd's cleanup leaves no netns, veth or address.
sc_failed_sandbox() {
	POD_CONFIG=$(pod_config broken '.linux.sysctls = { "net.ipv4.silo_no_such_sysctl": "1" }')
	run crictl_ runp --runtime "$RT_NAME" "$POD_CONFIG"
	assert_failure
	assert_output --partial "net.ipv4.silo_no_such_sysctl"
	run crictl_ pods -q
	assert_output ""
	run ls -A "$CRI_DIR/state/io.containerd.grpc.v1.cri/netns"
	assert_output ""
	run ip -o link show master "$CRI_BRIDGE"
	assert_output ""
	[[ -z $(find "$CRI_DIR/ipam" -type f -name '10.*') ]] || fail "IP allocations left: $(ls -R "$CRI_DIR/ipam")"
	[[ -z $(ls -A "$RT_ROOT" 2>/dev/null | grep -vx .seccomp-cache) ]] || fail "state left: $(ls -A "$RT_ROOT")"
}

# ---------------------------------------------------------------------------------------

@test "cri: contrib/containerd/config.toml configures the CRI plugin for silo" {
	command -v containerd >/dev/null || skip "containerd is not installed"
	run --separate-stderr containerd --config "$SRC_DIR/contrib/containerd/config.toml" config dump
	assert_success
	local cri
	cri=$(awk '/^ *\[/ { on = ($0 ~ /grpc\.v1\.cri"(\.cni|\.containerd\.runtimes\.silo(\.options)?)?\]$/) } on' <<<"$output")
	grep -q 'restrict_oom_score_adj = true' <<<"$cri" || fail "no restrict_oom_score_adj: $cri"
	grep -q 'bin_dir = "/usr/lib/cni"' <<<"$cri" || fail "no CNI bin_dir: $cri"
	grep -qE 'sandbox_image = "[^"]+"' <<<"$cri" || fail "no sandbox_image: $cri"
	grep -q 'runtime_type = "io.containerd.runc.v2"' <<<"$cri" || fail "no runtime_type: $cri"
	grep -qE 'BinaryName = "/[^"]*silo"' <<<"$cri" || fail "no BinaryName: $cri"
}

@test "cri: contrib/cri-o/10-silo.conf is valid TOML with silo's runtime entry" {
	python3 -c 'import tomllib' 2>/dev/null || skip "python3 >= 3.11 (tomllib) is not installed"
	run python3 -c '
import json, sys, tomllib
with open(sys.argv[1], "rb") as f:
	print(json.dumps(tomllib.load(f)["crio"]["runtime"], sort_keys=True))' "$SRC_DIR/contrib/cri-o/10-silo.conf"
	assert_success
	assert_equal "$(jq -r .cgroup_manager <<<"$output")" cgroupfs
	assert_equal "$(jq -c '.runtimes.silo | [.runtime_type, .monitor_cgroup]' <<<"$output")" '["oci","pod"]'
	[[ $(jq -r .runtimes.silo.runtime_path <<<"$output") == /*/silo ]] || fail "runtime_path: $output"
}

@test "cri: the features fields containerd 2.0 and CRI-O read (rro, user, idmap, OCI versions)" {
	ROOT=/nonexistent detect_runtime
	is_silo || skip "$RUNTIME_KIND: this checks silo's own features"
	run --separate-stderr "$RUNTIME" features
	assert_success
	jq -e '.ociVersionMin != null and .ociVersionMax != null and
		(.mountOptions | index("rro") != null) and
		(.linux.namespaces | index("user") != null) and
		.linux.mountExtensions.idmap.enabled == true' <<<"$output" >/dev/null ||
		fail "features: $output"
}

@test "cri: runp, create, start, exec, exec -s, logs, stats, stop, rm, stopp, rmp" {
	each_runtime sc_lifecycle
}

@test "cri: a container's limits in its cgroup under the pod's parent, update, OOMKilled" {
	each_runtime sc_limits
}

@test "cri: two containers share the pod's network, IPC, UTS and PID namespaces" {
	each_runtime sc_shared_namespaces
}

@test "cri: a sandbox that fails to create: the runtime's error, no netns, veth or address left" {
	each_runtime sc_failed_sandbox
}

@test "cri: mountPropagation None, HostToContainer and Bidirectional" {
	each_runtime sc_propagation
}
