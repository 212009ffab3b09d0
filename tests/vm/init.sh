#!/bin/busybox sh
# Stage 1 of the test guest: the initramfs's /init (busybox sh, PID 1).
#
# Loads the virtio/9p/overlay modules listed in /modules.load (dependencies first),
# builds the guest's root: the host's / read-only over 9p (tag `hostroot`) as the lower
# layer of an overlayfs whose upper layer is a tmpfs, then mounts the checkout
# read-write over 9p (tag `checkout`) at its host path, and hands over to stage 2
# (tests/vm/guest.sh in the checkout, run by the host's /bin/busybox) with switch_root.
#
# Kernel command line (read from /proc/cmdline):
#   silo.src=PATH      the checkout's absolute path on the host (and in the guest)
#   silo.shell=1       on a failure here, a shell on the serial console (debugging)
# Output goes to /dev/console (the serial port: console.log on the host).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

export PATH=/bin
/bin/busybox --install -s /bin

say() { echo "silo-vm init: $*"; }

# Anything that goes wrong here leaves a shell for `silo.shell=1` runs and otherwise
# powers off, so that the host sees an early end (no TAP) instead of waiting on its
# timeout.
die() {
	say "FATAL: $*"
	[ "$shell" = 1 ] && setsid cttyhack sh
	poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

src= shell=
for arg in $(cat /proc/cmdline); do
	case $arg in
	silo.src=*) src=${arg#silo.src=} ;;
	silo.shell=*) shell=${arg#silo.shell=} ;;
	esac
done
[ -n "$src" ] || die "no silo.src= on the kernel command line"

# insmod, not modprobe: the kernel package has no modules.dep (depmod runs at install
# time), so run.sh wrote the load order itself.
while read -r module; do
	insmod "/modules/$module" || die "insmod $module failed"
done </modules.load

mkdir -p /lower /upper /newroot
# cache=loose: nothing changes either share on the host while the guest runs, and
# uncached 9p makes every exec and stat a round trip to QEMU (seconds per test under
# emulation).  What the guest writes to the checkout is synced before it powers off.
options=trans=virtio,version=9p2000.L,msize=512000,cache=loose
mount -t 9p -o "$options,ro" hostroot /lower ||
	die "mount of the host root (9p tag hostroot) failed"
mount -t tmpfs -o mode=0755 tmpfs /upper
mkdir -p /upper/data /upper/work
mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work overlay /newroot ||
	die "overlay mount failed"
mkdir -p "/newroot$src"
mount -t 9p -o "$options" checkout "/newroot$src" ||
	die "mount of the checkout (9p tag checkout) failed"

for dir in proc sys dev; do
	mount --move "/$dir" "/newroot/$dir" || die "cannot move /$dir into the new root"
done

stage2=$src/tests/vm/guest.sh
[ -f "/newroot$stage2" ] || die "$stage2 is missing in the checkout"
say "switching to $stage2"
exec switch_root /newroot /bin/busybox sh "$stage2"
