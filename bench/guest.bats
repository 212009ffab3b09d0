#!/usr/bin/env bats
# `make bench-v2`: bench.py and limits.sh inside the pure cgroup v2 QEMU guest of tests/vm/, where crun
# (which refuses the hybrid host) runs.  The guest is emulated (TCG, one vCPU): every time
# is 20-40x the host's and ratios are indicative only.  Extra bench.py arguments come from
# bench/out-v2/args (make writes BENCH_ARGS there); the report goes to bench/out-v2/.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

@test "bench in the cgroup v2 guest" {
	local out=$BATS_TEST_DIRNAME/out-v2 args=()
	mkdir -p "$out"
	if [[ -r $out/args ]]; then read -ra args <"$out/args"; fi
	cd "$BATS_TEST_DIRNAME/.."
	if ! /usr/bin/python3 bench/bench.py --silo "$RUNTIME" --rounds 3 --reps 1 --configs minimal,spec,default \
		--lifecycle spec --scale 10 --burst 10 --out "$out" "${args[@]}" >"$out/bench.log" 2>&1; then
		tail -5 "$out/bench.log"
		return 1
	fi
}

@test "limits in the cgroup v2 guest (bench/limits.sh)" {
	local out=$BATS_TEST_DIRNAME/out-v2
	mkdir -p "$out"
	cd "$BATS_TEST_DIRNAME/.."
	if ! OUT=$out SILO=$RUNTIME HOG=bench/hog bash bench/limits.sh >"$out/limits.log" 2>&1; then
		tail -5 "$out/limits.log"
		return 1
	fi
}
