#!/bin/bash
# Run every test silo has, and end with one line: "N passed, M failed, K skipped".
#
#   tests/run.sh                    unit tests (make check) + integration suite (bats)
#   BUILD_DIR=/tmp/b tests/run.sh   an out-of-tree build (default: the source tree)
#   RUNTIME=runc tests/run.sh       the integration suite against another runtime
#   tests/run.sh FILE.bats...       only these bats files (unit tests still run)
#
# Both TAP streams are parsed: the unit tests' as automake's TAP driver reports each test
# point (PASS:/FAIL:/SKIP:/XFAIL:/XPASS:/ERROR:), and bats' own `ok`/`not ok` lines.  A
# stage that fails without reporting a failed test point (a build error, a crashed suite,
# a plan that was cut short) counts as one failure.  Exit status: 0 when nothing failed.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u

SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
export BUILD_DIR=${BUILD_DIR:-$SRC_DIR}
LOG_DIR=$(mktemp -d /tmp/silo-tests-XXXXXX)
trap 'rm -rf "$LOG_DIR"' EXIT

passed=0
failed=0
skipped=0

note() {
	echo "tests/run.sh: $*" >&2
}

# run_unit_tests: make check; counts from the driver's per-test-point lines.
run_unit_tests() {
	local rc pass fail skip
	make -C "$BUILD_DIR" -j2 check AM_COLOR_TESTS=no 2>&1 | tee "$LOG_DIR/unit.out"
	rc=${PIPESTATUS[0]}
	pass=$(grep -cE '^(PASS|XFAIL): ' "$LOG_DIR/unit.out")
	fail=$(grep -cE '^(FAIL|XPASS|ERROR): ' "$LOG_DIR/unit.out")
	skip=$(grep -cE '^SKIP: ' "$LOG_DIR/unit.out")
	if ((rc != 0 && fail == 0)); then
		note "make check failed (exit $rc) without a failed test: counted as one failure"
		fail=1
	fi
	passed=$((passed + pass))
	failed=$((failed + fail))
	skipped=$((skipped + skip))
	note "unit tests: $pass passed, $fail failed, $skip skipped"
}

# run_bats [FILE...]: the integration suite, TAP on stdout.
run_bats() {
	local rc plan pass fail skip
	if (($# == 0)); then
		set -- "$SRC_DIR/tests"
	fi
	bats --tap "$@" 2>&1 | tee "$LOG_DIR/bats.out"
	rc=${PIPESTATUS[0]}
	plan=$(sed -nE 's/^1\.\.([0-9]+)$/\1/p' "$LOG_DIR/bats.out" | head -1)
	skip=$(grep -cE '^ok [0-9]+ .*# skip( |$)' "$LOG_DIR/bats.out")
	pass=$(($(grep -cE '^ok [0-9]+' "$LOG_DIR/bats.out") - skip))
	fail=$(grep -cE '^not ok [0-9]+' "$LOG_DIR/bats.out")
	if [[ -n $plan ]] && ((pass + fail + skip < plan)); then
		note "bats planned $plan tests, reported $((pass + fail + skip)): the rest count as failed"
		fail=$((plan - pass - skip))
	fi
	if ((rc != 0 && fail == 0)); then
		note "bats failed (exit $rc) without a failed test: counted as one failure"
		fail=1
	fi
	passed=$((passed + pass))
	failed=$((failed + fail))
	skipped=$((skipped + skip))
	note "integration tests: $pass passed, $fail failed, $skip skipped"
}

if (($(id -u) != 0)); then
	note "the integration suite runs containers: run as root"
fi
# run_vm MODE: the cgroup tests inside a pure-cgroup-v2 or pure-v1 QEMU guest (tests/vm/),
# whose last line is "cgroupvN: N passed, M failed, K skipped".
run_vm() {
	local mode=$1 line
	# Emulated (TCG) guests run 10-20x slower: by default a boot runs the smoke file, which
	# checks the layout and a container's placement; SILO_VM_FILES picks more (e.g. "all":
	# every tests/cgroups*.bats, as `make check-cgroupv2` runs them).
	local files=${SILO_VM_FILES:-$SRC_DIR/tests/vm/smoke.bats}
	[[ $files == all ]] && files=
	SILO_VM_TIMEOUT=${SILO_VM_TIMEOUT:-420} make -C "$BUILD_DIR" "check-cgroup$mode" \
		CGROUP_VM_TESTS="$files" 2>&1 | tee "$LOG_DIR/vm-$mode.out"
	line=$(grep -E "^cgroup$mode: [0-9]+ passed, [0-9]+ failed" "$LOG_DIR/vm-$mode.out" | tail -1)
	if [[ -z $line ]]; then
		note "the cgroup$mode guest printed no summary: counted as one failure"
		failed=$((failed + 1))
		return
	fi
	read -r p f s <<<"$(sed -E 's/^[^:]+: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/' <<<"$line")"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + ${s:-0}))
}

run_unit_tests
run_bats "$@"
# The guests run in CI and on request (SILO_VM_TESTS=1); a run of chosen files skips them.
if (($# == 0)) && [[ ${CI:-} == true || ${SILO_VM_TESTS:-} == 1 ]]; then
	run_vm v2
	run_vm v1
fi
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
