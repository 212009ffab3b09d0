#!/bin/sh
# Install what building and testing silo needs on Debian 12 (as root; non-interactive).
#
#   contrib/install-deps.sh                  build + unit + integration + engine test
#                                            dependencies (runc and crun included: the
#                                            suites run against them with RUNTIME=runc|crun)
#   SILO_VM_TESTS=1 contrib/install-deps.sh  also QEMU, for the cgroup v2/v1 guests
#                                            (tests/vm/; CI=true implies it), and
#                                            systemd and dbus, which the systemd guest
#                                            boots from the host's root
#   SILO_CRITEST=1 contrib/install-deps.sh   also the local registry and iptables that
#                                            tests/engines/critest.sh needs
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

export DEBIAN_FRONTEND=noninteractive

# build: compiler, autotools, pkg-config and the four libraries configure checks for;
#        criu (libcriu, its criu.pc and criu.h; and the criu program checkpoint and
#        restore run) with libprotobuf-c-dev, whose header criu.h includes: without
#        them configure builds silo without checkpoint/restore; libsystemd-dev (sd-bus's
#        header) for the systemd cgroup driver, without it configure leaves the driver out
# tests: bats with its assert/support libraries, a static busybox for the test rootfs,
#        jq to edit config.json, strace for the process-tree test; `script` (bsdutils),
#        flock and timeout are in every Debian install; uidmap (newuidmap, newgidmap) for
#        the rootless tests; clang and its runtime libraries (libFuzzer, ASan) for the
#        fuzz targets (tests/fuzz/); zsh for the test of the zsh completion.
# engines: containerd (with ctr and its runc shim), podman and crun (the engine tests run
#        each scenario with crun or runc too, for comparison) for tests/engines/;
#        containernetworking-plugins (bridge, host-local, loopback, portmap in
#        /usr/lib/cni) for the CRI pods of tests/engines/cri.bats.
packages="build-essential autoconf automake libtool pkg-config git
	libyajl-dev libseccomp-dev libcap-dev criu libprotobuf-c-dev libsystemd-dev
	bats bats-assert bats-support busybox-static jq strace uidmap clang libclang-rt-14-dev zsh
	containerd podman crun runc containernetworking-plugins"
if [ "${SILO_CRITEST:-}" = 1 ]; then
	packages="$packages docker-registry skopeo iptables"
fi
if [ "${SILO_VM_TESTS:-}" = 1 ] || [ "${CI:-}" = true ]; then
	packages="$packages qemu-system-x86 systemd dbus"
fi

apt-get update -q
# shellcheck disable=SC2086 # the list is meant to split into words
apt-get install -y -q --no-install-recommends $packages
