#!/bin/sh
# Write docs/spec-coverage.md to stdout: every config.json property silo reads (listed by
# FIELDS, the tests/spec-coverage/fields program, from libocispec's tables), the files of
# src/ that name it and the tests that name it.  `make spec-coverage` runs it (some 20 s);
# the check that the page is current is in tests/docs.bats.
#
#   tests/spec-coverage/generate.sh FIELDS [SRCDIR]
#
# "Names it" is found by text: the property's JSON path (process.user.uid; arrays and
# map keys in any form: mounts[2].options, .linux.sysctl["net.x"]), or, when no file
# names the whole path, its last two segments (memory.limit, as the cgroup code and the
# update flags write them); for src/, also a use of the C member that holds it
# (members.awk) in a file that names its struct.  A property nothing names shows `-`.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

fields=$1
srcdir=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$srcdir"

# The files searched: the runtime (not libocispec, which parses every property) and the
# tests (bats, their data, the unit tests).
src_files=$(find src -name '*.c' | LC_ALL=C sort)
test_files=$(find tests -maxdepth 1 \( -name '*.bats' -o -name '*.tsv' \) | LC_ALL=C sort)
test_files="$test_files $(find tests/unit tests/engines -name '*.c' -o -name '*.bats' | LC_ALL=C sort)"

# pattern PATH: an extended regex for PATH in code or text: segments apart by ".", an
# index or a key allowed after each (mounts[0].options), "*" any key.
pattern() {
	printf '%s' "$1" | sed -e 's/\[\]//g' | awk -F. '{
		out = ""
		for (i = 1; i <= NF; i++) {
			seg = ($i == "*") ? "[^. \"]+" : $i
			out = out (i > 1 ? "(\\[[^]]*\\])?\\." : "") seg
		}
		if (NF > 1)
			print "(^|[^A-Za-z0-9_])" out "([^A-Za-z0-9_]|$)"
		else   # a top-level name alone is a common word: quoted, after a dot, or before one
			print "(\"" out "\"|\\." out "([^A-Za-z0-9_]|$)|(^|[^A-Za-z0-9_.])" out "(\\[[^]]*\\])?\\.[A-Za-z])"
	}'
}

# files_naming PATTERN FILES...: "N FILE" for each file with N > 0 lines that match.
files_naming() {
	regex=$1
	shift
	# shellcheck disable=SC2068 # the list is meant to split into words
	grep -cHE -- "$regex" $@ 2>/dev/null | awk -F: '$2 > 0 { print $2, $1 }' || true
}

# best FILES-LINES: the three files with the most matching lines, then "(+N more)".
best() {
	LC_ALL=C sort -k1,1nr -k2 | awk '
		NR <= 3 { list = list (NR > 1 ? ", " : "") $2 }
		END { if (NR > 3) list = list " (+" NR - 3 " more)"; print (NR ? list : "-") }'
}

# where PATH FILES: the best files that name PATH, or its last two segments.
where() {
	found=$(files_naming "$(pattern "$1")" "$2")
	if [ -z "$found" ]; then
		tail=$(printf '%s' "$1" | sed -e 's/\[\]//g' | awk -F. 'NF > 2 { print $(NF - 1) "." $NF }')
		[ -z "$tail" ] || case $tail in *'*'*) ;; *) found=$(files_naming "$(pattern "$tail")" "$2") ;; esac
	fi
	printf '%s\n' "$found"
}

# uses TYPE MEMBER: "N FILE" for the files of src/ that name the C struct TYPE and read or
# write its MEMBER (->member, .member).
uses() {
	[ -n "$1" ] || return 0
	# shellcheck disable=SC2086 # the list is meant to split into words
	typed=$(grep -lwE -- "$1" $src_files 2>/dev/null || true)
	[ -z "$typed" ] || files_naming "(->|\.)$2([^A-Za-z0-9_]|\$)" "$typed"
}

# implemented PATH TYPE MEMBER: the best files of src/, by mentions of the path and uses of
# the member together.
implemented() {
	{ where "$1" "$src_files"; uses "$2" "$3"; } | grep . |
		awk '{ n[$2] += $1 } END { for (f in n) print n[f], f }' | best
}

cat <<'EOF'
# config.json coverage

Every property of the OCI runtime-spec config that silo reads, with the files of `src/`
that name it and the tests that name it (the three that name it most, and how many more).
The list of properties comes from libocispec's tables (`libocispec/config.c`, which also
parses, type-checks and range-checks every one of them); the two other columns come from
the text of the code (the JSON path, or the C member that holds the property, in a file
that names its struct) and of the tests (the JSON path, as jq filters and messages write
it).  Written by `make spec-coverage` (`tests/spec-coverage/generate.sh`);
`tests/docs.bats` fails when libocispec reads a property this page does not list (or the
other way round) or when a file listed here is gone.  A `-` in the tests column is a
property no test names by its path: a place to add one.  Properties of other platforms
(windows, solaris, vm, zos, freebsd) are not read, as the spec lets a Linux runtime do.

| property | type | implemented in | tested in |
|---|---|---|---|
EOF
# The properties, with the C struct and member that hold each where the tables say it in
# the plain macros (tests/spec-coverage/members.awk).
awk -f tests/spec-coverage/members.awk libocispec/config.c >"${TMPDIR:-/tmp}/silo-members.$$"
"$fields" | awk -F'\t' -v OFS='\t' 'NR == FNR { type[$1] = $2; member[$1] = $3; next }
	{ print $1, $2, type[$1], member[$1] }' "${TMPDIR:-/tmp}/silo-members.$$" - |
while IFS='	' read -r path kind type member; do
	printf '| `%s` | %s | %s | %s |\n' "$path" "$kind" "$(implemented "$path" "$type" "$member")" \
		"$(where "$path" "$test_files" | grep . | best)"
done
rm -f "${TMPDIR:-/tmp}/silo-members.$$"
