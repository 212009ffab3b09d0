#!/usr/bin/env bats
# Mount propagation between the host and the container, in both directions, for each
# linux.rootfsPropagation and each propagation option of a bind mount.  Kubernetes'
# `mountPropagation: Bidirectional` (CSI node plugins) is rootfsPropagation rshared with
# an rshared volume: a mount made in the container must reach the host.
#
# The "host" is a private mount namespace of the test's own (unshare -m), in which the
# volume is a shared mount: whatever propagates there dies with it, the real host's mounts
# are never touched.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load helpers/common

setup() {
	common_setup
	requires_containers
	command -v unshare >/dev/null || skip "unshare(1) is not installed"
	mkdir -p "$ROOTFS/vol"
	# mounting inside the container needs CAP_SYS_ADMIN (and no seccomp filter here)
	cfg '.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])'
	set_args sh -c 'mount -t tmpfs from-container /vol/c && touch /vol/c/made /tmp/mounted &&
		exec sleep 600'
	write_probe
}

# probe.sh ROOT-PROPAGATION VOLUME-OPTION: in the test's mount namespace, the volume
# $TEST_DIR/vol becomes a shared mount; the container binds it at /vol and mounts a
# tmpfs on /vol/c, the "host" one on vol/h.  Prints one line:
#   c2h=yes|no h2c=yes|no leaked=N root=TAGS
# c2h: the container's mount is seen on the host; h2c: the host's is seen in the
# container; leaked: mounts that appeared on the host under the rootfs (must be 0);
# root: the propagation tags of the container's "/" (shared/master/unbindable).
write_probe() {
	cat >"$TEST_DIR/probe.sh" <<-'EOF'
		#!/bin/bash
		set -u
		rt() { timeout -k 5 "$SILO_TEST_TIMEOUT" "$RUNTIME" "${RT_GLOBAL[@]}" "$@"; }
		under_rootfs() { awk -v r="$ROOTFS" '$5 == r || index($5, r "/") == 1' /proc/self/mountinfo | wc -l; }
		vol=$TEST_DIR/vol
		mkdir -p "$vol/c" "$vol/h"
		# "/" shared (in this namespace only), as on a systemd host: a rootfs bind that
		# kept its peers would show up here, under the rootfs
		mount --make-rshared / && mount --bind "$vol" "$vol" && mount --make-private "$vol" &&
			mount --make-shared "$vol" || exit 90
		before=$(under_rootfs)
		rt run -d --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/run.out" 2>&1 || {
			cat "$TEST_DIR/run.out"; exit 91; }
		for ((n = 0; n < 100; n++)); do [[ -e $ROOTFS/tmp/mounted ]] && break; sleep 0.1; done
		[[ -e $ROOTFS/tmp/mounted ]] || { echo "the container did not mount /vol/c"; exit 92; }
		mount -t tmpfs from-host "$vol/h" && touch "$vol/h/made" || exit 93
		c2h=no h2c=no
		[[ -e $vol/c/made ]] && c2h=yes
		rt exec "$ID" test -e /vol/h/made && h2c=yes
		root=$(rt exec "$ID" cat /proc/self/mountinfo |
			awk '$5 == "/" { t = ""; for (i = 7; $i != "-"; i++) { sub(/:.*/, "", $i); t = t $i "," } print t }' |
			tail -1)
		leaked=$(($(under_rootfs) - before))
		rt delete --force "$ID" >/dev/null 2>&1
		echo "c2h=$c2h h2c=$h2c leaked=$leaked root=${root%,}"
	EOF
	chmod +x "$TEST_DIR/probe.sh"
}

# check ROOT-PROPAGATION VOLUME-OPTION EXPECTED: one probe; "-" for none.
check() {
	local root=$1 option=$2 expected=$3 options='["rbind"]'
	cfg 'del(.linux.rootfsPropagation)'
	[[ $root == - ]] || cfg --arg p "$root" '.linux.rootfsPropagation = $p'
	[[ $option == - ]] || options=$(jq -nc --arg o "$option" '["rbind", $o]')
	cfg --arg src "$TEST_DIR/vol" --argjson o "$options" \
		'.mounts = [.mounts[] | select(.destination != "/vol")] +
		 [{destination: "/vol", type: "bind", source: $src, options: $o}]'
	rm -f "$ROOTFS/tmp/mounted"
	register_id "$ID"
	run env RUNTIME="$RUNTIME" RT_GLOBAL="${RT_GLOBAL[*]}" SILO_TEST_TIMEOUT="$SILO_TEST_TIMEOUT" \
		TEST_DIR="$TEST_DIR" BUNDLE="$BUNDLE" ROOTFS="$ROOTFS" ID="$ID" \
		unshare -m --propagation private bash -c 'read -ra RT_GLOBAL <<<"$RT_GLOBAL"; . "$TEST_DIR/probe.sh"' \
		</dev/null
	assert_success
	# a "root=" in EXPECTED is compared whole, the rest as a prefix
	[[ $output == "$expected" || ($expected != *root=* && $output == "$expected"*) ]] ||
		fail "rootfsPropagation $root, volume option $option: got '$output', expected '$expected'"
}

@test "propagation: default (rslave): host mounts reach the container, the container's do not leave" {
	check - - 'c2h=no h2c=yes leaked=0'
	check - rshared 'c2h=no h2c=yes leaked=0'
	check - rslave 'c2h=no h2c=yes leaked=0'
	check - rprivate 'c2h=no h2c=no leaked=0'
}

@test "propagation: rootfsPropagation slave and rslave" {
	check rslave - 'c2h=no h2c=yes leaked=0'
	check rslave private 'c2h=no h2c=no leaked=0'
	skip_on runc "runc 1.1.5 makes only / a slave: its other mounts keep their peers on the host"
	check slave - 'c2h=no h2c=yes leaked=0'
}

@test "propagation: rootfsPropagation rshared with an rshared volume is bidirectional (Kubernetes)" {
	check rshared rshared 'c2h=yes h2c=yes leaked=0'
	check shared rshared 'c2h=yes h2c=yes leaked=0'
	check rshared - 'c2h=yes h2c=yes leaked=0'
	skip_on runc "runc 1.1.5 leaves the container's / private after pivot_root, whatever rootfsPropagation says"
	check rshared shared 'c2h=yes h2c=yes leaked=0 root=shared'
}

@test "propagation: rootfsPropagation rshared with a slave or private volume" {
	check rshared rslave 'c2h=no h2c=yes leaked=0'
	check rshared slave 'c2h=no h2c=yes leaked=0'
	check rshared rprivate 'c2h=no h2c=no leaked=0'
	check rshared private 'c2h=no h2c=no leaked=0'
}

@test "propagation: rootfsPropagation private and rprivate cut both ways" {
	check rprivate - 'c2h=no h2c=no leaked=0 root='
	check rprivate rshared 'c2h=no h2c=no leaked=0'
	skip_on runc "runc 1.1.5 makes only / private: its other mounts keep their peers on the host"
	check private - 'c2h=no h2c=no leaked=0'
}

@test "propagation: rootfsPropagation unbindable and runbindable" {
	skip_on runc "runc 1.1.5 cannot bind an unbindable rootfs onto itself (EINVAL)"
	check runbindable - 'c2h=no h2c=no leaked=0 root=unbindable'
	check unbindable - 'c2h=no h2c=no leaked=0 root=unbindable'
}
