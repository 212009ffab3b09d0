#!/bin/bash
# tests/vm/run.sh v2|v1|systemd [BATS-FILE...]: run bats files inside a QEMU guest whose
# cgroups are pure cgroup2 (v2) or pure cgroup v1 (v1), or which runs systemd as PID 1 on
# pure cgroup2 (systemd), and print the TAP and one closing line
#   cgroupv2: N passed, M failed, K skipped        (cgroupv1: ..., systemd: ...)
# Exit status 0 when every test passed (or was skipped) and the guest ended by itself, 1
# when not, 2 when the run could not start (the closing line then counts one failure).
#
# Default files: tests/vm/smoke.bats (the guest's cgroup layout and one container),
# tests/cgroups*.bats but cgroups-systemd.bats; v2 adds tests/criu.bats (CRIU cannot
# checkpoint on the CI host's kernel; it can on the guest's; give it as a file to run it
# in v1) and the one test of tests/engines/podman.bats tagged vm-smoke (podman's OOM
# kill) when SILO_VM_FILTER_TAGS is unset.  systemd: its own
# tests/vm/systemd-smoke.bats, tests/cgroups-systemd.bats when present, and podman's
# tests tagged systemd (--cgroup-manager=systemd).  Files must lie in the checkout (the
# guest sees it read-write); a relative name is looked up in the current folder, then in
# the checkout.
#
# Environment:
#   SILO=PATH            the silo binary (default: $BUILD_DIR/silo, else ./silo)
#   SILO_VM_IDLE=S       stop the guest when neither its TAP nor its console has grown
#                        for S seconds (default 300): time limits follow the guest's
#                        progress, so a busy host slows a run down without failing it
#   SILO_VM_TIMEOUT=S    hard limit on the whole guest run (default 1800 s)
#   SILO_VM_MEMORY=MIB   guest memory (default 2048)     SILO_VM_CPUS=N (default 1)
#   SILO_VM_FILTER_TAGS="TAGS..."  run only the tests bats' --filter-tags selects, one
#                        option per word (e.g. "limits", or "!podman vm-smoke": the
#                        untagged files' tests and the podman test tagged vm-smoke)
#   SILO_VM_APPEND=ARGS  more kernel command line
#   SILO_VM_DEBUG=1      kernel console on this terminal instead of console.log
#   SILO_VM_SHELL=1      a shell on the console instead of bats (needs a terminal)
#   SILO_VM_KERNEL=PKG   the kernel package (default: what linux-image-amd64 depends on)
# Everything downloaded or built is kept in tests/vm/.cache/ (see tests/vm/README.md).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -euo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(cd "$VM_DIR/../.." && pwd)
CACHE=$VM_DIR/.cache
KERNEL_DIR=$CACHE/kernel
: "${SILO_VM_TIMEOUT:=1800}" "${SILO_VM_IDLE:=300}" "${SILO_VM_MEMORY:=2048}" "${SILO_VM_CPUS:=1}"
: "${SILO_VM_DEBUG:=}" "${SILO_VM_SHELL:=}"

# What the initramfs loads (run.sh adds their dependencies).  virtio-mmio is how microvm
# attaches devices; then the console port, the disk, the 9p shares and overlay; bfq (the
# scheduler blkio/io weights need) and loop, for the io tests.  For CRIU (tests/criu.bats):
# the sock_diag modules it lists sockets with (a host's kernel loads them on demand; the
# guest has no modprobe), nf_conntrack_netlink (it dumps a network namespace's
# connection tracking table), and nf_tables, with which it locks a container's network
# namespace while it works, after crc32c_generic (libcrc32c asks the crypto API for
# crc32c: a soft dependency, not in `depends=`).
WANTED_MODULES="virtio_mmio virtio_console virtio_blk 9pnet_virtio 9p overlay bfq loop unix_diag inet_diag tcp_diag udp_diag netlink_diag af_packet_diag crc32c_generic nf_conntrack_netlink nf_tables"

say() { echo "# silo-vm: $*"; }
die() {
	echo "silo-vm: $*" >&2
	exit 2
}

# ---------------------------------------------------------------------------------------
# Tools and the kernel.

ensure_qemu() {
	command -v qemu-system-x86_64 >/dev/null && return 0
	say "installing qemu-system-x86"
	export DEBIAN_FRONTEND=noninteractive
	# wait for another apt (contrib/install-deps.sh, a run of the other mode) to finish
	local install=(apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends qemu-system-x86)
	"${install[@]}" >"$CACHE/apt.log" 2>&1 ||
		{ apt-get update >>"$CACHE/apt.log" 2>&1 && "${install[@]}" >>"$CACHE/apt.log" 2>&1; } ||
		die "cannot install qemu-system-x86 (log: $CACHE/apt.log)"
}

# The versioned package behind the linux-image-amd64 metapackage (the metapackage itself
# holds no kernel).
kernel_package() {
	local package
	if [[ -n ${SILO_VM_KERNEL:-} ]]; then
		echo "$SILO_VM_KERNEL"
		return
	fi
	package=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	if [[ -z $package ]]; then
		apt-get update >"$CACHE/apt.log" 2>&1 || die "apt-get update failed (log: $CACHE/apt.log)"
		package=$(apt-cache depends linux-image-amd64 | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	fi
	[[ -n $package ]] || die "cannot resolve the kernel package behind linux-image-amd64"
	echo "$package"
}

is_elf() {
	[[ $(head -c 4 "$1" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]
}

# extract_vmlinux BZIMAGE OUT: the ELF kernel inside a bzImage, so that QEMU can boot it
# through its PVH entry point without running the decompressor under emulation.  Try
# each compression's magic at each offset where it appears until one yields an ELF file.
extract_vmlinux() {
	local image=$1 out=$2 magic tool offset
	if is_elf "$image"; then
		cp "$image" "$out"
		return
	fi
	while read -r magic tool; do
		command -v "${tool%% *}" >/dev/null || continue
		for offset in $(LC_ALL=C grep -obUaP "$magic" "$image" | cut -d: -f1); do
			tail -c +$((offset + 1)) "$image" | $tool >"$out" 2>/dev/null || true
			is_elf "$out" && return 0
		done
	done <<-'EOF'
		\xfd7zXZ\x00 xz -dc --single-stream
		\x28\xb5\x2f\xfd zstd -dc
		\x1f\x8b\x08 gzip -dc
		\x02\x21\x4c\x18 lz4 -dc
		\x5d\x00\x00 xz -dc --format=lzma
		BZh bzip2 -dc
	EOF
	rm -f "$out"
	return 1
}

# module_path NAME: the .ko file of a module in the unpacked package (- and _ are one).
module_path() {
	local pattern=${1//[-_]/[-_]}
	find "$UNPACKED/lib/modules" -name "$pattern.ko" -o -name "$pattern.ko.[xgz]z" -o -name "$pattern.ko.zst" | head -1
}

# resolve_module NAME: append NAME's dependencies, then NAME, to LOAD_ORDER (once each);
# the order modules.dep would give, read from each module's `depends=` modinfo field.
resolve_module() {
	local name=${1//-/_} path plain deps dep
	[[ " ${LOAD_ORDER[*]-} " != *" $name "* ]] || return 0
	path=$(module_path "$name")
	if [[ -z $path ]]; then
		grep -q "/${1//[-_]/[-_]}.ko\$" "$UNPACKED"/lib/modules/*/modules.builtin && return 0
		die "module $name is not in the kernel package"
	fi
	plain=$KERNEL_DIR/modules.tmp/$name.ko
	case $path in
	*.xz) xz -dc "$path" >"$plain" ;;
	*.gz) gzip -dc "$path" >"$plain" ;;
	*.zst) zstd -qdc "$path" >"$plain" ;;
	*) cp "$path" "$plain" ;;
	esac
	deps=$(LC_ALL=C grep -ao 'depends=[A-Za-z0-9_,-]*' "$plain" | head -1)
	deps=${deps#depends=}
	for dep in ${deps//,/ }; do
		resolve_module "$dep"
	done
	LOAD_ORDER+=("$name")
}

fetch_kernel() {
	local package work
	[[ -s $KERNEL_DIR/vmlinux && -s $KERNEL_DIR/modules.load &&
		$(cat "$KERNEL_DIR/wanted" 2>/dev/null) == "$WANTED_MODULES" ]] && return 0
	package=$(kernel_package)
	say "fetching $package (once; cached in $KERNEL_DIR)"
	work=$CACHE/download
	rm -rf "$work" "$KERNEL_DIR"
	mkdir -p "$work" "$KERNEL_DIR/modules.tmp"
	# apt drops privileges to _apt for downloads when it can write the folder.
	chown _apt "$work" 2>/dev/null || true
	(cd "$work" && apt-get download "$package") >"$CACHE/apt.log" 2>&1 ||
		die "apt-get download $package failed (log: $CACHE/apt.log)"
	UNPACKED=$work/unpacked
	dpkg-deb -x "$work"/*.deb "$UNPACKED"
	extract_vmlinux "$(ls "$UNPACKED"/boot/vmlinuz-*)" "$KERNEL_DIR/vmlinux.tmp" ||
		die "cannot find the ELF kernel inside $UNPACKED/boot/vmlinuz-*"
	LOAD_ORDER=()
	for module in $WANTED_MODULES; do
		resolve_module "$module"
	done
	printf '%s.ko\n' "${LOAD_ORDER[@]}" >"$KERNEL_DIR/modules.load"
	echo "$package" >"$KERNEL_DIR/package"
	echo "$WANTED_MODULES" >"$KERNEL_DIR/wanted"
	mv "$KERNEL_DIR/modules.tmp" "$KERNEL_DIR/modules"
	mv "$KERNEL_DIR/vmlinux.tmp" "$KERNEL_DIR/vmlinux"
	rm -rf "$work"
}

# The initramfs: static busybox, tests/vm/init.sh as /init, the modules and their order.
# Uncompressed: unpacking is faster than decompressing under emulation.
build_initramfs() {
	local out=$KERNEL_DIR/initramfs.cpio stage busybox
	[[ -s $out && $out -nt $VM_DIR/init.sh && $out -nt $KERNEL_DIR/modules.load ]] && return 0
	busybox=$(command -v busybox) || die "busybox is not installed (apt-get install busybox-static)"
	! ldd "$busybox" >/dev/null 2>&1 || die "$busybox is not static: install busybox-static"
	stage=$CACHE/initramfs.tmp
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,dev,proc,sys,modules}
	cp -L "$busybox" "$stage/bin/busybox"
	cp "$VM_DIR/init.sh" "$stage/init"
	chmod 0755 "$stage/init"
	cp "$KERNEL_DIR"/modules/*.ko "$stage/modules/"
	cp "$KERNEL_DIR/modules.load" "$stage/modules.load"
	# The kernel opens /dev/console for init before anything is mounted.
	mknod -m 0600 "$stage/dev/console" c 5 1
	(cd "$stage" && find . | LC_ALL=C sort | busybox cpio -o -H newc -R 0:0 >"$out.tmp" 2>/dev/null)
	mv "$out.tmp" "$out"
	rm -rf "$stage"
}

# The suite's cache (tests/.cache) is built on the host; the guest copies it to its tmpfs.
# Should this fail, the guest builds it, slowly: not an error here.
prewarm_test_cache() {
	bats "$VM_DIR/prewarm.bats" >"$CACHE/prewarm.log" 2>&1 ||
		say "warning: building the test cache on the host failed (log: $CACHE/prewarm.log)"
}

prepare() {
	(
		flock 9
		ensure_qemu
		fetch_kernel
		build_initramfs
	) 9>"$CACHE/.lock"
	prewarm_test_cache
}

# ---------------------------------------------------------------------------------------
# One run.

find_silo() {
	local silo=${SILO:-}
	if [[ -z $silo ]]; then
		silo=$SRC_DIR/silo
		[[ -n ${BUILD_DIR:-} && -x $BUILD_DIR/silo ]] && silo=$BUILD_DIR/silo
	fi
	[[ -f $silo && -x $silo ]] || die "no silo binary at $silo: build it (make) or set SILO=PATH"
	realpath "$silo"
}

# BATS_FILES: paths relative to the checkout, where the guest runs bats.
select_bats_files() {
	local file path
	BATS_FILES=()
	if (($# == 0)) && [[ $MODE == systemd ]]; then
		set -- "$VM_DIR/systemd-smoke.bats"
		[[ ! -e $SRC_DIR/tests/cgroups-systemd.bats ]] || set -- "$@" "$SRC_DIR/tests/cgroups-systemd.bats"
		# podman with --cgroup-manager=systemd, unless tags are given
		if [[ -z ${SILO_VM_FILTER_TAGS+set} ]]; then
			set -- "$@" "$SRC_DIR/tests/engines/podman.bats"
			SILO_VM_FILTER_TAGS="!podman systemd"
		fi
	elif (($# == 0)); then
		set -- "$VM_DIR/smoke.bats"
		# cgroups-systemd.bats needs systemd as PID 1: the systemd guest runs it
		for file in "$SRC_DIR"/tests/cgroups*.bats; do
			[[ -e $file && $file != */cgroups-systemd.bats ]] && set -- "$@" "$file"
		done
		# CRIU in the v2 guest only: about five minutes of emulated CPU per guest, and CI's
		# three guests share two cores (`tests/vm/run.sh v1 tests/criu.bats` runs it on v1)
		[[ $MODE != v2 || ! -e $SRC_DIR/tests/criu.bats ]] || set -- "$@" "$SRC_DIR/tests/criu.bats"
		# v2: podman's OOM scenario (the rest: make check-podman-v2), unless tags are given
		if [[ $MODE == v2 && -z ${SILO_VM_FILTER_TAGS+set} ]]; then
			set -- "$@" "$SRC_DIR/tests/engines/podman.bats"
			SILO_VM_FILTER_TAGS="!podman vm-smoke"
		fi
	fi
	for file; do
		# relative to the current folder, else to the checkout (make runs in the build folder)
		[[ -e $file || $file == /* ]] || file=$SRC_DIR/$file
		path=$(realpath -e "$file") || die "$file: no such file"
		[[ $path == "$SRC_DIR"/* ]] || die "$file: not inside the checkout $SRC_DIR (the guest sees only that)"
		[[ $path != *[[:space:]\'\"\\\$]* ]] || die "$file: odd characters in the path"
		BATS_FILES+=("${path#"$SRC_DIR"/}")
	done
}

# bats' options for SILO_VM_FILTER_TAGS, for one unquoted expansion in the guest.
bats_flags() {
	local tags list
	read -ra list <<<"${SILO_VM_FILTER_TAGS:-}"
	for tags in ${list[@]+"${list[@]}"}; do
		[[ $tags =~ ^[-_:,!a-zA-Z0-9]+$ ]] || die "SILO_VM_FILTER_TAGS: odd characters in $tags"
		printf -- '--filter-tags %s ' "$tags"
	done
}

# The run's folder (inside the checkout, so the guest reads it): a copy of silo, the env
# that guest.sh sources, the disk, and what comes back (tap, console.log).
prepare_run_dir() {
	local silo=$1 var
	rm -rf "$RUN_DIR"
	mkdir -p "$RUN_DIR"
	cp "$silo" "$RUN_DIR/silo"
	: >"$RUN_DIR/tap"
	: >"$RUN_DIR/console.log"
	truncate -s 64M "$RUN_DIR/disk.img"
	{
		echo "RUNTIME='$RUN_DIR/silo'"
		echo "BATS_FILES='${BATS_FILES[*]}'"
		echo "BATS_FLAGS='$BATS_FLAGS'"
		# Test knobs set on the host (SILO_TEST_STRICT, ...) go on into the guest.
		for var in ${!SILO_TEST_@}; do
			[[ ${!var} != *\'* ]] && echo "export $var='${!var}'"
		done
	} >"$RUN_DIR/env"
}

qemu_command() {
	local cmdline tsc_khz serial=file:$RUN_DIR/console.log
	cmdline="console=ttyS0 panic=-1 rdinit=/init mitigations=off"
	# microvm under TCG can hang calibrating the TSC: give it the host's frequency.  Its
	# vCPUs' TSCs look unsynchronised to the kernel, which then falls back to jiffies
	# (no vDSO clock, 4 ms resolution); TCG derives every TSC from the host's clock, so
	# tsc=reliable is true here.
	cmdline+=" tsc=reliable"
	tsc_khz=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
	[[ -z $tsc_khz ]] || cmdline+=" tsc_early_khz=$tsc_khz"
	case $MODE in
	v2) cmdline+=" cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1" ;;
	v1) cmdline+=" systemd.unified_cgroup_hierarchy=0" ;;
	# systemd: PID 1 starts its own target (tests/vm/systemd/) instead of default.target
	systemd) cmdline+=" cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 systemd.unit=silo-test.target" ;;
	esac
	cmdline+=" silo.src=$SRC_DIR silo.mode=$MODE silo.run=${RUN_DIR#"$SRC_DIR"/}"
	[[ -z $SILO_VM_SHELL ]] || cmdline+=" silo.shell=1"
	[[ -z ${SILO_VM_APPEND:-} ]] || cmdline+=" $SILO_VM_APPEND"
	[[ -z $SILO_VM_DEBUG$SILO_VM_SHELL ]] || serial=mon:stdio
	# A socket's path has room for 107 bytes: a deep checkout goes without a monitor.
	MONITOR=(-monitor "unix:$RUN_DIR/monitor.sock,server=on,wait=off")
	((${#RUN_DIR} < 90)) || MONITOR=(-monitor none)
	QEMU=(
		qemu-system-x86_64 -M microvm,rtc=on -accel tcg,thread=multi -cpu qemu64
		-m "$SILO_VM_MEMORY" -smp "$SILO_VM_CPUS"
		-nodefaults -no-user-config -display none -no-reboot
		-kernel "$KERNEL_DIR/vmlinux" -initrd "$KERNEL_DIR/initramfs.cpio" -append "$cmdline"
		-serial "$serial"
		"${MONITOR[@]}"
		-device virtio-serial-device
		-chardev "file,id=tap,path=$RUN_DIR/tap,append=on"
		-device virtserialport,chardev=tap,name=silo.tap
		-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
		-device virtio-9p-device,fsdev=hostroot,mount_tag=hostroot
		-fsdev "local,id=checkout,path=$SRC_DIR,security_model=none,multidevs=remap"
		-device virtio-9p-device,fsdev=checkout,mount_tag=checkout
		-drive "file=$RUN_DIR/disk.img,if=none,id=disk,format=raw"
		-device virtio-blk-device,drive=disk
	)
}

QEMU_PID= SUMMARY_PRINTED=
# On any exit: no guest left running, and a closing line even when the run never got as
# far as the guest (no silo, no kernel), so that CI counts it as one failure.
on_exit() {
	[[ -z $QEMU_PID ]] || kill "$QEMU_PID" 2>/dev/null || true
	[[ -n $SUMMARY_PRINTED || -n $SILO_VM_SHELL ]] || echo "$LABEL: 0 passed, 1 failed, 0 skipped"
}

# Boot and wait; the TAP is printed as it arrives.  Returns timeout(1)'s status.
boot_guest() {
	local status=0
	qemu_command
	local console=${RUN_DIR#"$SRC_DIR"/}/console.log
	[[ -z $SILO_VM_DEBUG$SILO_VM_SHELL ]] || console="this terminal"
	say "booting the $LABEL guest (timeout ${SILO_VM_TIMEOUT}s; console: $console)"
	if [[ -n $SILO_VM_SHELL ]]; then
		timeout --foreground "$SILO_VM_TIMEOUT" "${QEMU[@]}" 8>&- || status=$?
		return $status
	fi
	timeout -k 10 "$SILO_VM_TIMEOUT" "${QEMU[@]}" </dev/null 8>&- &
	QEMU_PID=$!
	tail -n +1 -f --pid="$QEMU_PID" "$RUN_DIR/tap" 8>&- &
	watch_progress "$QEMU_PID" 8>&- &
	wait "$QEMU_PID" || status=$?
	QEMU_PID=
	wait
	return $status
}

# watch_progress PID: stop the guest (timeout(1)'s PID) when its TAP and console have not
# grown for SILO_VM_IDLE seconds; the TAP says so, and which test was the last to end.
watch_progress() {
	local pid=$1 size last=-1 idle=0
	rm -f "$RUN_DIR/stalled"
	while kill -0 "$pid" 2>/dev/null; do
		size=$({ cat "$RUN_DIR/tap" "$RUN_DIR/console.log" 2>/dev/null || true; } | wc -c)
		if ((size != last)); then
			last=$size idle=0
		elif ((idle >= SILO_VM_IDLE)); then
			echo "# silo-vm: no output from the guest for ${idle}s after: $(grep -E '^(not )?ok ' "$RUN_DIR/tap" | tail -1)" >>"$RUN_DIR/tap"
			touch "$RUN_DIR/stalled"
			kill "$pid" 2>/dev/null
			return 0
		fi
		sleep 5
		idle=$((idle + 5))
	done
}

# Count the TAP; a guest that stopped before bats' last line counts its missing tests
# (at least one) as failed, and so does a bats that failed without a failing test.
summarize() {
	awk -v label="$LABEL" '
		/^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; next }
		/^ok / { if (tolower($0) ~ /# skip/) skipped++; else passed++; next }
		/^not ok / { failed++; next }
		/^Bail out!/ { bailed = 1; next }
		/^# silo-vm: bats exit status [0-9]+$/ { ended = 1; status = $NF + 0; next }
		END {
			seen = passed + failed + skipped
			if (!ended || bailed) {
				missing = plan - seen
				if (missing < 1) missing = 1
				printf "# silo-vm: the guest stopped before bats finished: %d test(s) counted as failed\n", missing
				failed += missing
			} else if (status != 0 && failed == 0) {
				print "# silo-vm: bats failed (status " status ") with no failing test"
				failed++
			}
			printf "%s: %d passed, %d failed, %d skipped\n", label, passed, failed, skipped
			exit (failed > 0)
		}' "$RUN_DIR/tap"
}

main() {
	local silo status=0
	case ${1:-} in
	v2 | v1) MODE=$1 LABEL=cgroup$1 ;;
	systemd) MODE=$1 LABEL=systemd ;;
	*) die "usage: tests/vm/run.sh v2|v1|systemd [BATS-FILE...]" ;;
	esac
	shift
	trap on_exit EXIT
	# The path travels on the kernel command line, split at blanks.
	[[ $SRC_DIR != *[[:space:]]* ]] || die "the checkout's path $SRC_DIR has blanks: move it"
	RUN_DIR=$CACHE/run-$MODE
	silo=$(find_silo)
	select_bats_files "$@"
	BATS_FLAGS=$(bats_flags) || exit 2
	# One run per mode and checkout at a time: they share the run's folder.
	mkdir -p "$CACHE"
	exec 8>"$CACHE/run-$MODE.lock"
	if ! flock -n 8; then
		say "another $MODE run in this checkout is going on: waiting for it to end"
		flock 8
	fi
	prepare
	prepare_run_dir "$silo"
	SECONDS=0
	boot_guest || status=$?
	say "the guest ran for ${SECONDS}s"
	if [[ -e $RUN_DIR/stalled ]]; then
		say "the guest made no progress for SILO_VM_IDLE=${SILO_VM_IDLE}s and was stopped"
	elif ((status == 124 || status == 137)); then
		say "the guest ran past SILO_VM_TIMEOUT=${SILO_VM_TIMEOUT}s and was stopped"
	elif ((status != 0)); then
		say "qemu exited with status $status"
	fi
	[[ -z $SILO_VM_SHELL ]] || return $status
	if [[ -z $SILO_VM_DEBUG ]] && { ((status != 0)) || ! grep -q '^# silo-vm: bats exit status' "$RUN_DIR/tap"; }; then
		say "last lines of the guest console ($RUN_DIR/console.log):"
		tail -n 40 "$RUN_DIR/console.log" | sed 's/^/#   /'
	fi
	SUMMARY_PRINTED=1
	summarize
}

main "$@"
