#!/bin/bash
# Valgrind memcheck of what valgrind can run: the parsers' unit tests (not features.c's,
# which probes the very syscalls valgrind does not know) and the commands
# that start no container (state, list, ps, events --stats, spec, features, --help) on a
# container started for the purpose.  valgrind 3.19 answers ENOSYS to clone3, openat2,
# the pidfd calls and the new mount API, which silo needs to create a container (and
# has no legacy fallback for, on purpose): those run under ASan (tests/run.sh).
#
#   tests/valgrind.sh            (root; from a built tree; `make check-valgrind`)
#
# Prints one line per run and `valgrind: N passed, M failed`; a leak of any kind or an
# invalid access fails the run (--error-exitcode).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
silo=${SILO:-$here/silo}
work=$(mktemp -d /tmp/silo-valgrind.XXXXXX)
root=$work/root id=valgrind-$$ pass=0 fail=0
cleanup() { "$silo" --root "$root" delete --force "$id" >/dev/null 2>&1; rm -rf --one-file-system "$work"; }
trap cleanup EXIT

memcheck() { # memcheck LABEL CMD...
	local label=$1
	shift
	if valgrind --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 -q "$@" \
		>/dev/null 2>"$work/vg.err" && ! grep -q '^==' "$work/vg.err"; then
		pass=$((pass + 1)) && printf 'ok   %s\n' "$label"
	else
		fail=$((fail + 1)) && printf 'FAIL %s\n' "$label" && head -20 "$work/vg.err"
	fi
}

command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 2; }
for t in oci-config oci-errors oci-state oci-large mount-options cgroup cgroup-table \
	cgroup-commands cli quickrun sync sha256 signals; do
	[[ -x $here/tests/unit/$t.test ]] && memcheck "unit $t" "$here/tests/unit/$t.test"
done

mkdir -p "$work/bundle/rootfs/bin"
cp /bin/busybox "$work/bundle/rootfs/bin/"
ln -s busybox "$work/bundle/rootfs/bin/sleep"
"$silo" spec --bundle "$work/bundle"
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"sleep", "600"/' "$work/bundle/config.json"
"$silo" --root "$root" run -d --bundle "$work/bundle" "$id" </dev/null >/dev/null 2>"$work/run.err" ||
	{ echo "could not start a container: $(cat "$work/run.err")"; exit 2; }
for cmd in "state $id" "list" "list --format json" "ps $id" "ps --format json $id" "ps -a" \
	"events --stats $id" "features" "--help"; do
	# shellcheck disable=SC2086 # the words of cmd are meant
	memcheck "silo $cmd" "$silo" --root "$root" $cmd
done
mkdir "$work/spec"
memcheck "silo spec" "$silo" spec --bundle "$work/spec"
echo "valgrind: $pass passed, $fail failed"
((fail == 0))
