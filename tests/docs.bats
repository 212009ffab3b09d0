#!/usr/bin/env bats
# The documents that are built or generated: the man page (docs/silo.1.md through
# docs/md2man.awk) and docs/spec-coverage.md (tests/spec-coverage/).  What --help says
# against the man page is checked word for word by tests/unit/cli.c.

load helpers/common

setup() {
	common_setup
	is_silo || skip "$RUNTIME_KIND: these are silo's documents"
	MAN_MD=$SRC_DIR/docs/silo.1.md
}

@test "docs: the man page converts to roff that groff reads without a warning" {
	command -v groff >/dev/null || skip "groff is not installed"
	awk -f "$SRC_DIR/docs/md2man.awk" "$MAN_MD" >"$TEST_DIR/silo.1"
	run groff -man -Tutf8 -ww -z "$TEST_DIR/silo.1"
	assert_success
	assert_output ''
	# the page as a reader sees it: sections, a definition, a font change, no markup left
	run groff -man -Tascii -P-c -P-b -P-u "$TEST_DIR/silo.1"
	assert_success
	assert_output --partial 'EXIT STATUS'
	assert_output --regexp $'\n +-b, --bundle DIR\n +bundle directory'
	refute_output --regexp '\*\*|\\f[BIR]|^\.(TP|SH|PP)'
}

@test "docs: the man page has a section for every command of --help, and no other" {
	local commands sections
	commands=$("$RUNTIME" --help | sed -n '/^Commands:$/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | sort)
	sections=$(sed -n 's/^## \([a-z][-a-z]*\)$/\1/p' "$MAN_MD" | sort)
	if [[ $RUNTIME_VERSION != *+CRIU* ]]; then
		# checkpoint and restore are documented in every build, present only with CRIU
		sections=$(grep -vxE 'checkpoint|restore' <<<"$sections")
	fi
	assert_equal "$sections" "$commands"
}

@test "docs: every exit status silo gives is under EXIT STATUS" {
	local exit_section status
	exit_section=$(sed -n '/^# EXIT STATUS$/,/^# [A-Z]/p' "$MAN_MD")
	run "$RUNTIME" --root "$ROOT" frob
	[[ $status == 1 ]] || fail "an unknown command exits $status"
	run "$RUNTIME" --root "$ROOT" exec
	[[ $status == 255 ]] || fail "exec's own error exits $status"
	for status in 0 1 255; do
		grep -qx "\*\*$status\*\*" <<<"$exit_section" || fail "exit status $status is not documented"
	done
	grep -q '128+_N_' <<<"$exit_section" || fail "128+N (a process killed by a signal) is not documented"
}

@test "docs: spec-coverage.md lists every config property libocispec reads, and files that exist" {
	local fields=$BUILD_DIR/tests/spec-coverage/fields page=$SRC_DIR/docs/spec-coverage.md
	[[ -x $fields ]] || skip "tests/spec-coverage/fields is not built (make check builds it)"
	run diff <("$fields" | cut -f1) <(sed -n 's/^| `\([^`]*\)` |.*/\1/p' "$page")
	[[ $status == 0 ]] || fail "docs/spec-coverage.md is not current (run make spec-coverage): $output"
	local file missing=""
	for file in $(grep -oE '(src|tests)/[-A-Za-z0-9_./]+\.(c|bats|tsv)' "$page" | sort -u); do
		[[ -f $SRC_DIR/$file ]] || missing+=" $file"
	done
	[[ -z $missing ]] || fail "docs/spec-coverage.md lists files that are gone (run make spec-coverage):$missing"
}

@test "docs: the layers of design.md hold: the floor calls nothing above it, no circle between files" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	run python3 "$SRC_DIR/tests/helpers/layers.py" "$SRC_DIR"
	assert_success
	assert_output ''
}
