#!/usr/bin/env bats
# Run on the host by tests/vm/run.sh before it boots the guest: builds the integration
# suite's cache (tests/.cache: the busybox rootfs and the helper programs) with the
# suite's own prepare_cache, in seconds here rather than minutes under emulation.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

load ../helpers/common

setup() { :; }
teardown() { :; }

@test "vm: the test cache is built on the host" {
	prepare_cache
}
