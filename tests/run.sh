#!/bin/bash
# Run every test silo has, and end with one line: "N passed, M failed, K skipped".
#
#   tests/run.sh                    unit tests (make check) + integration suite (bats:
#                                   tests/*.bats, then the engines' tests/engines/*.bats)
#   BUILD_DIR=/tmp/b tests/run.sh   an out-of-tree build (default: the source tree)
#   RUNTIME=runc tests/run.sh       the integration suite against another runtime
#   tests/run.sh FILE.bats...       only these bats files (unit tests still run)
#   SILO_VM_TESTS=1 tests/run.sh    also the cgroup v2, v1 and systemd guests (tests/vm/), a second
#                                   build under ASan and UBSan, and 5 s of each fuzzer
#                                   (CI=true too)
#
# Both TAP streams are counted: the unit tests' as automake's TAP driver records each test
# point (PASS/FAIL/SKIP/XFAIL/XPASS/ERROR in its .trs files), and bats' `ok`/`not ok` lines.  A
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

# tally WHAT STATUS PASS FAIL SKIP: add a stage's counts to the totals; a stage that
# exited non-zero without a failed test (a build error, a crashed suite) counts as one.
tally() {
	local what=$1 rc=$2 pass=$3 fail=$4 skip=$5
	if ((rc != 0 && fail == 0)); then
		note "$what failed (exit $rc) without a failed test: counted as one failure"
		fail=1
	fi
	passed=$((passed + pass))
	failed=$((failed + fail))
	skipped=$((skipped + skip))
	note "$what: $pass passed, $fail failed, $skip skipped"
}

# run_unit_tests [DIR LABEL]: make check in DIR (the build); counts from the driver's
# per-test-point lines.  The counts come from the .trs file the driver writes per
# program, not from the output: with -j2 two programs' lines can run together there.
run_unit_tests() {
	local dir=${1:-$BUILD_DIR} label=${2:-unit tests} rc pass fail skip
	make -C "$dir" -j2 check AM_COLOR_TESTS=no 2>&1 | tee "$LOG_DIR/unit.out"
	rc=${PIPESTATUS[0]}
	cat "$dir"/tests/unit/*.trs >"$LOG_DIR/unit.trs" 2>/dev/null
	pass=$(grep -cE '^:test-result: (PASS|XFAIL)' "$LOG_DIR/unit.trs")
	fail=$(grep -cE '^:test-result: (FAIL|XPASS|ERROR)' "$LOG_DIR/unit.trs")
	skip=$(grep -cE '^:test-result: SKIP' "$LOG_DIR/unit.trs")
	tally "$label" "$rc" "$pass" "$fail" "$skip"
}

# run_bats [FILE...]: the integration suite, TAP on stdout (BATS_LABEL names the stage).
run_bats() {
	local rc plan pass fail skip
	if (($# == 0)); then
		set -- "$SRC_DIR/tests" "$SRC_DIR/tests/engines"
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
	tally "${BATS_LABEL:-integration tests}" "$rc" "$pass" "$fail" "$skip"
}

# run_fuzz: every libFuzzer target (tests/fuzz/) for FUZZ_SECONDS (5 in CI), built with
# clang, ASan and UBSan; a target is a test that passes with no crash.  Skipped where
# clang is missing.
run_fuzz() {
	local rc pass fail
	if ! command -v clang >/dev/null; then
		note "fuzzing skipped: clang is not installed"
		tally "fuzzing" 0 0 0 1
		return
	fi
	make -C "$BUILD_DIR" fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-5}" 2>&1 </dev/null | tee "$LOG_DIR/fuzz.out"
	rc=${PIPESTATUS[0]}
	pass=$(grep -cE '^fuzz [^ ]+ +[0-9]+ executions in [0-9]+s, 0 crashes' "$LOG_DIR/fuzz.out")
	fail=$(grep -cE '^fuzz [^ ]+ +[0-9]+ executions in [0-9]+s, [1-9][0-9]* crash' "$LOG_DIR/fuzz.out")
	tally "fuzzing" "$rc" "$pass" "$fail" 0
}

# run_sanitizers: a second tree, built from the same commit with --enable-sanitizers
# (ASan and UBSan; the first report aborts): its unit tests, then a subset of the
# integration suite with that silo.  LeakSanitizer must ptrace the process at exit, which
# silo forbids itself (non-dumpable, CVE-2019-5736): leaks are the unit tests' to find
# (detect_leaks=0 for the containers' runs).
SANITIZER_FILES="lifecycle.bats exec.bats hooks.bats lock.bats recovery.bats errors.bats quickrun.bats"
run_sanitizers() {
	local dir=$LOG_DIR/sanitizers files=() f
	if ! { git clone -q "$SRC_DIR" "$dir" && (cd "$dir" && ./autogen.sh &&
		./configure --enable-sanitizers --enable-fault-injection && make -j2); } \
		>"$LOG_DIR/sanitizers-build.out" 2>&1 </dev/null; then
		tail -n 30 "$LOG_DIR/sanitizers-build.out" >&2
		tally "the sanitizer build" 1 0 0 0
		return
	fi
	run_unit_tests "$dir" "unit tests under ASan and UBSan"
	for f in $SANITIZER_FILES; do files+=("$SRC_DIR/tests/$f"); done
	ASAN_OPTIONS=detect_leaks=0 RUNTIME=$dir/silo BATS_LABEL="integration tests under ASan and UBSan" \
		run_bats "${files[@]}"
}

if (($(id -u) != 0)); then
	note "the integration suite runs containers: run as root"
fi
# The cgroup tests inside a pure-cgroup-v2 and a pure-v1 QEMU guest (tests/vm/), each of
# which ends with "cgroupvN: N passed, M failed, K skipped".  The two guests boot side by
# side (one emulated vCPU each) and their output follows, one after the other.  By
# default each runs every tests/cgroups*.bats and tests/vm/smoke.bats, and the v2 guest
# tests/criu.bats (CRIU works on the guest's kernel, not on the CI host's; in one guest
# only, for CI's time) and podman's OOM
# kill (tests/engines/podman.bats, tag vm-smoke; `make check-cgroupv2` does the same;
# `make check-podman-v2` runs podman's cgroup scenarios); SILO_VM_FILES="FILE..." picks others, e.g.
# tests/vm/smoke.bats alone, which checks the layout and a container's placement in
# about a minute.  A guest is stopped when it shows no progress for SILO_VM_IDLE seconds
# (300); SILO_VM_TIMEOUT (1080 here) only bounds a run that keeps progressing.
#
# A third guest beside them runs systemd as PID 1 (tests/vm/run.sh systemd, `make
# check-systemd`): tests/vm/systemd-smoke.bats, tests/cgroups-systemd.bats when present,
# and podman's --cgroup-manager=systemd scenarios; "systemd: N passed, ...".  About 3
# minutes of CPU, done long before the other two; SILO_VM_FILES does not apply to it.
start_vm() {
	local mode=$1 files=() target=check-cgroup$1
	[[ ${SILO_VM_FILES:-all} == all ]] || read -ra files <<<"$SILO_VM_FILES"
	[[ $mode != systemd ]] || target=check-systemd files=()
	SILO_VM_TIMEOUT=${SILO_VM_TIMEOUT:-1080} make -C "$BUILD_DIR" "$target" \
		CGROUP_VM_TESTS="${files[*]}" >"$LOG_DIR/vm-$mode.out" 2>&1 </dev/null &
	VM_PIDS[$mode]=$!
}

# count_vm MODE: wait for that guest, print its output, add its closing line to the counts.
count_vm() {
	local mode=$1 label=cgroup$1 line p f s
	[[ $mode != systemd ]] || label=systemd
	wait "${VM_PIDS[$mode]}"
	cat "$LOG_DIR/vm-$mode.out"
	line=$(grep -E "^$label: [0-9]+ passed, [0-9]+ failed" "$LOG_DIR/vm-$mode.out" | tail -1)
	if [[ -z $line ]]; then
		note "the $label guest printed no summary: counted as one failure"
		failed=$((failed + 1))
		return
	fi
	read -r p f s <<<"$(sed -E 's/^[^:]+: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/' <<<"$line")"
	# its closing line already counts a guest that stopped early
	tally "the $label guest" 0 "$p" "$f" "${s:-0}"
}

declare -A VM_PIDS

run_unit_tests
# The guests run in CI and on request (SILO_VM_TESTS=1); a run of chosen files skips them.
# They boot before the integration suite, whose waits leave much of a core idle, and run
# beside it, the sanitizers and the fuzzing (every limit follows progress, not time).
vm_tests=false
if (($# == 0)) && [[ ${CI:-} == true || ${SILO_VM_TESTS:-} == 1 ]]; then
	vm_tests=true
	start_vm v2
	start_vm v1
	start_vm systemd
fi
run_bats "$@"
if $vm_tests; then
	run_sanitizers
	run_fuzz
	count_vm v2
	count_vm v1
	count_vm systemd
fi
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
