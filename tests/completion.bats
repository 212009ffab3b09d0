#!/usr/bin/env bats
# The shell completion (contrib/completion/) offers every command `silo --help` lists and
# every flag `silo COMMAND --help` lists: the lists here are read from --help apart from
# the completion's own reading, so a change of --help that the completion misreads fails.

load helpers/common

setup() {
	common_setup
	is_silo || skip "$RUNTIME_KIND: the completion is silo's"
	COMPLETION_DIR=$SRC_DIR/contrib/completion
}

# help_commands: the command names under "Commands:".
help_commands() {
	"$RUNTIME" --help | sed -n '/^Commands:$/,/^$/p' | awk 'NR > 1 && NF { print $1 }'
}

# help_flags [COMMAND]: each spelling of each flag in the option column of --help.
help_flags() {
	"$RUNTIME" "$@" --help | grep -oE '^ +(-[[:alnum:]], )?--[[:alnum:]][-[:alnum:]]*' |
		tr ', ' '\n\n' | grep .
}

# bash_complete LINE: what the bash completion offers at the end of LINE, one a line.
bash_complete() {
	bash -c '
		source "$1/bash/silo"
		read -ra COMP_WORDS <<<"$2"
		[[ $2 != *" " ]] || COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$2 COMP_POINT=${#2}
		_silo
		printf "%s\n" "${COMPREPLY[@]}"' bash "$COMPLETION_DIR" "$1"
}

# offers_all WANTED OFFERED: every line of WANTED is a line of OFFERED.
offers_all() {
	local missing
	missing=$(comm -23 <(sort -u <<<"$1") <(sort -u <<<"$2"))
	[[ -z $missing ]] || fail "not offered: $(echo $missing)"
}

@test "completion: bash offers every command and every flag of --help" {
	local commands command
	commands=$(help_commands)
	[[ $(wc -l <<<"$commands") -gt 10 ]] || fail "silo --help lists too few commands: $commands"
	offers_all "$commands" "$(bash_complete "$RUNTIME ")"
	offers_all "$(help_flags)" "$(bash_complete "$RUNTIME -")"
	for command in $commands; do
		offers_all "$(help_flags "$command")" "$(bash_complete "$RUNTIME $command -")"
	done
}

@test "completion: bash completes flag values, container ids and signals" {
	requires_containers
	run bash_complete "$RUNTIME --log-format "
	assert_output $'text\njson'
	run bash_complete "$RUNTIME list --format=j"
	assert_output json
	run bash_complete "$RUNTIME kill x SIGKI"
	assert_output SIGKILL
	mkdir "$TEST_DIR/dir-only"
	touch "$TEST_DIR/dir-file"
	run bash_complete "$RUNTIME create --bundle $TEST_DIR/dir-"
	assert_output "$TEST_DIR/dir-only"
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	run bash_complete "$RUNTIME --root $ROOT kill "
	assert_output "$ID"
	run bash_complete "$RUNTIME --root=$ROOT state ${ID:0:5}"
	assert_output "$ID"
	# after "--" the words are the container's: a program, then files; no flag of silo's
	run bash_complete "$RUNTIME --root $ROOT exec $ID -- -"
	assert_output ''
	run bash_complete "$RUNTIME --root $ROOT exec $ID -- busybo"
	assert_line busybox
	run bash_complete "$RUNTIME --root $ROOT exec $ID -- busybox $TEST_DIR/dir-f"
	assert_output "$TEST_DIR/dir-file"
}

@test "completion: zsh offers every command and every flag of --help" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	local commands command offered
	commands=$(help_commands)
	# _arguments and _describe stubbed: print what the completion hands them.
	offered=$(zsh -fc '
		_arguments() { state=command; return 1 }
		_describe() { print -rl -- "${(@P)4}" }
		words=("$1" "") CURRENT=2
		source "$2/zsh/_silo"' zsh "$RUNTIME" "$COMPLETION_DIR")
	offers_all "$commands" "$(sed 's/:.*//' <<<"$offered")"
	for command in "" $commands; do
		offered=$(zsh -fc '
			_arguments() { :; }
			words=(silo) CURRENT=1
			source "$2/zsh/_silo"
			_silo_specs "$1" ${3:+"$3"}
			print -rl -- $reply' zsh "$RUNTIME" "$COMPLETION_DIR" "$command")
		offers_all "$(help_flags $command)" "$(sed -E 's/^\([^)]*\)//; s/[=[].*//' <<<"$offered")"
	done
}

@test "completion: zsh offers the containers under the --root given" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	requires_containers
	set_args sleep 600
	run --separate-stderr rt_create "$ID"
	assert_success
	run zsh -fc '
		_arguments() { :; }
		_describe() { print -rl -- "${(@P)4}" }
		words=(silo) CURRENT=1
		source "$2/zsh/_silo"
		_silo_program=$1 _silo_root=$3
		_silo_containers' zsh "$RUNTIME" "$COMPLETION_DIR" "$ROOT"
	assert_success
	assert_output "$ID"
}
