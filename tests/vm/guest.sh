#!/bin/busybox sh
# Stage 2 of the test guest: PID 1 after switch_root, run by the host's /bin/busybox sh
# on the overlay root (host / read-only + tmpfs), with the checkout mounted read-write at
# its host path.
#
# Mounts the pseudo filesystems, lays out /sys/fs/cgroup for the mode (v2: cgroup2 alone,
# every controller enabled in the root's cgroup.subtree_control; v1: a tmpfs with one v1
# hierarchy per controller plus name=systemd, and no cgroup2 mount), runs
# `bats --tap FILES` in the checkout with the TAP stream on the virtio-serial port named
# `silo.tap`, ends that stream with `# silo-vm: bats exit status N`, and powers off.
#
# Mode systemd: the same mounts, then the unit files of tests/vm/systemd/ go into the
# overlay's /etc/systemd/system (the tmpfs layer: the host's /etc is never written) and
# /lib/systemd/systemd replaces this script as PID 1; it mounts cgroup2 itself and starts
# what the kernel command line's systemd.unit=silo-test.target pulls: the system bus and
# silo-test.service, which runs this script again as `guest.sh service` (bats, as in the
# other modes, with SILO_TEST_SYSTEMD=1) and then has systemd power the guest off.
#
# Kernel command line: silo.src=PATH (the checkout), silo.mode=v2|v1|systemd,
# silo.run=DIR (the run's folder, relative to the checkout: run.sh wrote DIR/env there),
# silo.shell=1 (a shell on the serial console instead of bats).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8

say() { echo "silo-vm guest: $*"; }

# PID 1 must never just exit (the kernel panics, and the host only sees a reboot).
finish() {
	sync
	busybox poweroff -f
	sleep 5
	busybox reboot -f
}

die() {
	say "FATAL: $*"
	echo "Bail out! silo-vm guest: $*" >"${tap_port:-/dev/null}"
	# under systemd, the unit's FailureAction powers off
	[ "$stage" = service ] && exit 1
	[ "$shell" = 1 ] && setsid busybox cttyhack /bin/bash
	finish
}

read_cmdline() {
	src= mode= run= shell=
	for arg in $(cat /proc/cmdline); do
		case $arg in
		silo.src=*) src=${arg#silo.src=} ;;
		silo.mode=*) mode=${arg#silo.mode=} ;;
		silo.run=*) run=${arg#silo.run=} ;;
		silo.shell=*) shell=${arg#silo.shell=} ;;
		esac
	done
}

find_tap_port() {
	local port
	for port in /sys/class/virtio-ports/*; do
		[ "$(cat "$port/name" 2>/dev/null)" = silo.tap ] && tap_port=/dev/${port##*/}
	done
	[ -n "$tap_port" ] || { tap_port=/dev/null; die "no virtio-serial port named silo.tap"; }
}

mount_pseudo_filesystems() {
	# Not nodev/nosuid: on the CI host /tmp and /run are plain folders of /, and the
	# tests' bundles (under /tmp) make device nodes that their containers open.
	# A checkout under /tmp or /run (CI clones anywhere) is mounted there already: move it
	# aside while the fresh tmpfs goes on, then back on top of it.
	case "$src" in
	/tmp/* | /run/*)
		mkdir -p /.silo-checkout
		mount --move "$src" /.silo-checkout || die "cannot move the checkout aside"
		;;
	esac
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	mount -t tmpfs -o mode=0755 tmpfs /run
	if mountpoint -q /.silo-checkout 2>/dev/null; then
		mkdir -p "$src"
		mount --move /.silo-checkout "$src" || die "cannot put the checkout back at $src"
	fi
	mkdir -p /dev/pts /dev/shm /dev/mqueue
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts /dev/pts
	ln -sf pts/ptmx /dev/ptmx
	# devtmpfs has no /dev/fd (udev makes it): bash's <(...) needs it.
	ln -sfn /proc/self/fd /dev/fd
	ln -sf /proc/self/fd/0 /dev/stdin
	ln -sf /proc/self/fd/1 /dev/stdout
	ln -sf /proc/self/fd/2 /dev/stderr
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
	mount -t mqueue mqueue /dev/mqueue
	[ -d /sys/kernel/security ] && mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
	[ -d /sys/fs/bpf ] && mount -t bpf bpf /sys/fs/bpf 2>/dev/null
	busybox ip link set lo up
	busybox hostname silo-vm
}

# The options systemd uses on a pure cgroup2 host (podman's and Kubernetes' layout).
setup_cgroup_v2() {
	local controller
	mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup ||
		die "cannot mount cgroup2 on /sys/fs/cgroup"
	for controller in $(cat /sys/fs/cgroup/cgroup.controllers); do
		echo "+$controller" >/sys/fs/cgroup/cgroup.subtree_control ||
			say "warning: cannot enable the $controller controller"
	done
	say "cgroup2 controllers enabled: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
}

# One hierarchy per controller (cpu and cpuacct apart, as on the CI host), plus the
# named systemd hierarchy that v1 hosts carry.
setup_cgroup_v1() {
	local controller hierarchy rest enabled
	mount -t tmpfs -o mode=0755,nosuid,nodev,noexec tmpfs /sys/fs/cgroup ||
		die "cannot mount a tmpfs on /sys/fs/cgroup"
	while read -r controller hierarchy rest enabled; do
		case $controller in '#'*) continue ;; esac
		[ "$enabled" = 1 ] || continue
		mkdir "/sys/fs/cgroup/$controller"
		mount -t cgroup -o "$controller" cgroup "/sys/fs/cgroup/$controller" ||
			{ say "warning: cannot mount the v1 $controller hierarchy"; rmdir "/sys/fs/cgroup/$controller"; }
	done </proc/cgroups
	mkdir /sys/fs/cgroup/systemd
	mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd ||
		die "cannot mount the name=systemd hierarchy"
	say "cgroup v1 hierarchies: $(ls /sys/fs/cgroup | tr '\n' ' ')"
}

# The virtio-blk disk (run.sh attaches a 64 MiB file) for the io/blkio tests, on the bfq
# scheduler that per-device weights need.
export_block_device() {
	[ -r /sys/block/vda/dev ] || return 0
	echo bfq >/sys/block/vda/queue/scheduler || say "warning: cannot set bfq on /dev/vda"
	export SILO_TEST_BLOCK_DEVICE=/dev/vda
	SILO_TEST_BLOCK_MAJMIN=$(cat /sys/block/vda/dev)
	export SILO_TEST_BLOCK_MAJMIN
}

# The test environment, for bats and for the silo.shell=1 shell alike.
load_test_env() {
	cd "$src" || die "cannot enter $src"
	# shellcheck disable=SC1090
	. "$src/$run/env" || die "cannot read $src/$run/env"
	export RUNTIME SILO_TEST_CGROUP_MODE="$mode" SILO_TEST_VM=1
	if [ "$mode" = systemd ]; then
		export SILO_TEST_CGROUP_MODE=v2 SILO_TEST_SYSTEMD=1
	fi
	export SILO_TEST_TIMEOUT="${SILO_TEST_TIMEOUT:-300}"
	# Each test copies the rootfs out of the cache: from tmpfs, not over 9p.
	cp -a "${SILO_TEST_CACHE:-$src/tests/.cache}" /tmp/silo-test-cache 2>/dev/null ||
		say "warning: no test cache to copy: the tests build their own"
	export SILO_TEST_CACHE=/tmp/silo-test-cache
}

run_bats() {
	local status
	say "RUNTIME=$RUNTIME; running: bats --tap $BATS_FLAGS$BATS_FILES"
	# shellcheck disable=SC2086
	bats --tap $BATS_FLAGS $BATS_FILES >"$tap_port" 2>/dev/console </dev/null
	status=$?
	echo "# silo-vm: bats exit status $status" >"$tap_port"
	say "bats exit status $status"
}

# Mode systemd, stage 2: systemd's units from the checkout, then systemd as PID 1.  The
# script's own path reaches silo-test.service through /run/silo-vm/env.
exec_systemd() {
	local dir=/etc/systemd/system
	# The host may be a container itself (CI runs in docker): its /.dockerenv, seen
	# through the lower layer, would make systemd believe it runs in one too, and a
	# containerised systemd ignores the kernel command line (systemd.unit= included).
	# Removing it whites it out in the tmpfs layer only.  (/run is a fresh tmpfs: no
	# /run/.containerenv there.)
	rm -f /.dockerenv
	mkdir -p "$dir" /run/silo-vm
	cp -R "$src/tests/vm/systemd/." "$dir/" || die "cannot copy tests/vm/systemd into $dir"
	echo "SILO_VM_GUEST=$src/tests/vm/guest.sh" >/run/silo-vm/env
	say "exec /lib/systemd/systemd (the target: systemd.unit= on the kernel command line)"
	exec /lib/systemd/systemd
}

# Mode systemd, under silo-test.service: systemd joins the system bus once dbus.service
# is up (Type=notify), a moment after the service may have started: wait for its name
# there, so that the first test does not race it.
wait_for_systemd_on_bus() {
	local i=0
	while ! busctl --system --no-pager status org.freedesktop.systemd1 >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 600 ] || { say "warning: org.freedesktop.systemd1 is not on the system bus"; return 0; }
		sleep 0.1
	done
}

# The bats run (or the shell), in every mode.
run_tests() {
	export_block_device
	load_test_env
	if [ "$shell" = 1 ]; then
		say "silo.shell=1: a shell instead of bats (to run them: bats $BATS_FLAGS$BATS_FILES)"
		setsid busybox cttyhack /bin/bash
	else
		run_bats
	fi
}

stage=${1:-pid1}
read_cmdline
find_tap_port
if [ "$stage" = service ]; then
	[ "$mode" = systemd ] || die "guest.sh service: silo.mode=$mode, expected systemd"
	wait_for_systemd_on_bus
	run_tests
	exit 0
fi
mount_pseudo_filesystems
case $mode in
v2) setup_cgroup_v2 ;;
v1) setup_cgroup_v1 ;;
systemd) exec_systemd ;;
*) die "silo.mode=$mode: expected v2, v1 or systemd" ;;
esac
run_tests
finish
