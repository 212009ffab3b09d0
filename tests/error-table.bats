#!/usr/bin/env bats
# Errors that help, from a table (tests/error-table.tsv: what each column means is written
# at its top): each broken bundle or command line fails with exit status 1 (exec: 255),
# one line "silo: ..." on stderr naming the field, path, flag or id, the same message in
# the --log-format json log, the container (if any) left as it was, and nothing behind.
# The messages are silo's: runc and crun word theirs otherwise (tests/errors.bats holds
# the checks every runtime passes).

load helpers/common

setup() {
	common_setup
	is_silo || skip "$RUNTIME_KIND: the table holds silo's messages"
	requires_containers
	cp "$BUNDLE/config.json" "$TEST_DIR/base.json"
	HIERARCHIES=$(hierarchies)
	register_id "$ID"
}

TABLE=$TESTS_DIR/error-table.tsv

# The rows of the table whose BEFORE column is $1, one a line, with the line number first.
rows() {
	awk -F'\t' -v before="$1" '!/^#/ && NF && $1 == before { print NR "\t" $0 }' "$TABLE"
}

# Put the bundle back as common_setup made it.
reset_bundle() {
	[[ -d $ROOTFS ]] || cp -al "$CACHE/rootfs" "$ROOTFS"
	cp "$TEST_DIR/base.json" "$BUNDLE/config.json"
}

# leftovers: what a failed command or a delete left of container $ID, one item a line.
leftovers() {
	local hierarchy
	ls -A "$ROOT" | grep -vx .seccomp-cache | sed 's/^/state: /'
	for hierarchy in $HIERARCHIES; do
		[[ ! -d $hierarchy/$ID ]] || echo "cgroup: $hierarchy/$ID"
	done
	awk -v dir="$TEST_DIR" '$5 == dir || index($5, dir "/") == 1 { print "mount: " $5 }' \
		/proc/self/mountinfo
}

# container_in STATE: make $ID with $BUNDLE's config in STATE (created, running, stopped).
container_in() {
	case $1 in
	created | running) set_args sleep 600 ;;
	stopped) set_args true ;;
	esac
	rt_create "$ID" 2>/dev/null || return 1
	[[ $1 == created ]] || rt start "$ID" || return 1
	[[ $1 != stopped ]] || wait_for status_is "$ID" stopped
}

# json_log_holds FILE MESSAGE: FILE is one line {"level":"error","msg":MESSAGE,"time":...}
# (in bash, not jq: a jq per row would double the table's time).
json_log_holds() {
	local line expected=${2//\\/\\\\}
	expected=${expected//\"/\\\"}
	line=$(<"$1") || return 1
	[[ $line != *$'\n'* ]] || return 1
	[[ $line == '{"level":"error","msg":"'"$expected"'","time":"'* ]] &&
		[[ $line =~ ,\"time\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\"\}$ ]]
}

# check_row BEFORE SETUP COMMAND MATCH: run one row; prints what is wrong with it.
check_row() {
	local before=$1 setup=$2 command=$3 match=${4//\$ID/$ID}
	local log=$TEST_DIR/log.json words rc=0 expected=1 message
	reset_bundle
	rm -f "$log"
	if [[ $before != bundle ]]; then
		container_in "$before" || { echo "cannot make the container $before"; return; }
	fi
	[[ $setup == - ]] || eval "$setup" || { echo "setup failed: $setup"; return; }
	[[ $command != create ]] || command="create --bundle \$BUNDLE \$ID"
	[[ $command != exec* ]] || expected=255
	eval "words=($command)"
	rt --log "$log" --log-format json "${words[@]}" </dev/null >"$TEST_DIR/out" 2>"$TEST_DIR/err" || rc=$?
	((rc == expected)) || echo "exit status $rc, not $expected"
	message=$(<"$TEST_DIR/err")
	[[ -n $message && $message != *$'\n'* ]] || echo "not one line on stderr: $message"
	[[ $message == "silo: "* ]] || echo "the line does not start with 'silo: ': $message"
	grep -qE -- "$match" <<<"$message" || echo "does not match /$match/: $message"
	# the log: the same message as JSON; errors in the global options come before the
	# log is open, and go to stderr only
	if [[ $command == --* ]]; then
		[[ ! -s $log ]] || echo "a log line for a global option's error: $(cat "$log")"
	elif ! json_log_holds "$log" "${message#silo: }"; then
		echo "the json log does not hold the message: $(cat "$log" 2>/dev/null)"
	fi
	if [[ $before != bundle ]]; then
		[[ $(container_status "$ID") == "$before" ]] ||
			echo "the container is $(container_status "$ID"), not $before"
		rt delete -f "$ID" 2>/dev/null || echo "delete -f failed"
	fi
	local left
	left=$(leftovers)
	[[ -z $left ]] || { echo "$left"; rt delete -f "$ID" 2>/dev/null; }   # the next row starts clean
}

# check_rows BEFORE: every row of that kind; fails listing each row that went wrong.
check_rows() {
	local line before setup command match problems report="" n=0
	while IFS=$'\t' read -r line before setup command match; do
		n=$((n + 1))
		problems=$(check_row "$before" "$setup" "$command" "$match" 2>&1)
		[[ -z $problems ]] || report+=$'\n'"line $line ($command): ${problems//$'\n'/; }"
	done < <(rows "$1")
	((n > 0)) || fail "no rows of kind $1 in $TABLE"
	[[ -z $report ]] || fail "rows that failed:$report"
}

@test "error table: broken bundles and command lines" {
	check_rows bundle
}

@test "error table: commands on a created container" {
	check_rows created
}

@test "error table: commands on a running container" {
	check_rows running
}

@test "error table: commands on a stopped container" {
	check_rows stopped
}

@test "error table: a config from crun spec gives no warning; --debug says it once" {
	command -v crun >/dev/null || skip "crun is not installed (its spec is the case)"
	(cd "$BUNDLE" && rm config.json && crun spec) || fail "crun spec failed"
	cfg --arg cg "/$ID" '.process.terminal = false | .process.args = ["true"]
		| .linux.cgroupsPath = $cg'
	jq -e '.process.capabilities.ambient | length > 0' "$BUNDLE/config.json" >/dev/null ||
		skip "this crun's spec asks for no ambient capabilities"
	register_id "$ID"
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	[[ -z $stderr ]] || fail "warnings for what the user asked: $stderr"
	run --separate-stderr rt --debug run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	[[ $(grep -c 'process.capabilities.ambient' <<<"$stderr") == 1 ]] ||
		fail "--debug does not say it once: $stderr"
	# a user other than root loses them at exec: that one is a warning, once
	cfg '.process.user = {uid: 1000, gid: 1000}'
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_success
	[[ $(grep -c 'warning: process.capabilities.ambient: .*inheritable' <<<"$stderr") == 1 ]] ||
		fail "no single warning for a non-root user: $stderr"
}
