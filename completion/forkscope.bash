# bash completion for forkscope(8)                        -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-only
#
# The commands and each command's options are read from the binary's own
# --help, so they never drift from it; what an option's value can be is
# chosen by the option's long name (-c is --comm for trace, --count for
# cow). Needs bash-completion's helpers (_init_completion, _filedir,
# _pids, _command_offset).
# shellcheck disable=SC2207 # compgen words split as bash-completion splits

# The events trace -e takes; tests/docs_test.sh checks them against
# the binary.
_forkscope_events="fork exec exit wait reap cgroup fork-failed exec-failed"
_forkscope_sources="auto bpf kmod"
# What cow and tree --sort take; tests/docs_test.sh checks them against
# the binary.
_forkscope_cow_sort_keys="rate faults pid"
_forkscope_tree_sort_keys="pid age cow"

# forkscope lives in sbin, which a user's PATH may lack (sudo forkscope).
_forkscope_bin()
{
	PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin type -P "$1"
}

# _forkscope_parse BIN [COMMAND]: "SHORT LONG VALUE" per option in its
# --help ("-" for none: "- --cgroup PATH", "-j --json -"); an option takes
# a value when an upper-case word follows its name after one space.
_forkscope_parse()
{
	local bin=$1
	shift
	LC_ALL=C "$bin" "$@" --help 2>/dev/null | sed -nE \
		-e 's/^ +(-([A-Za-z]), )?--([a-z][a-z-]*) ([A-Z][A-Z0-9_]*)( .*)?$/-\2 --\3 \4/p' \
		-e 's/^ +(-([A-Za-z]), )?--([a-z][a-z-]*)( .*)?$/-\2 --\3 -/p'
}

# _forkscope_commands BIN: the commands forkscope --help lists.
_forkscope_commands()
{
	LC_ALL=C "$1" --help 2>/dev/null |
		sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'
}

# _forkscope_value_of WORD OPTS: "NAME VALUE", the long name of the option
# WORD is and its value's name, if it takes one; else fails.
_forkscope_value_of()
{
	local short long value
	while read -r short long value; do
		[[ $value != - && ($1 == "$short" || $1 == "$long") ]] || continue
		printf '%s %s\n' "${long#--}" "$value"
		return 0
	done <<< "$2"
	return 1
}

# _forkscope_list CUR WORDS...: CUR completed as a comma-separated list.
_forkscope_list()
{
	local cur=$1 head tail w
	shift
	head=${cur%"${cur##*,}"}
	tail=${cur##*,}
	for w in "$@"; do
		[[ ,$head == *,"$w",* ]] && continue
		[[ $w == "$tail"* ]] && COMPREPLY+=("$head$w")
	done
}

# Command names (/proc/PID/comm) of the running processes.
_forkscope_comms()
{
	local c
	while IFS= read -r c; do
		[[ $c == "$1"* ]] && COMPREPLY+=("$(printf '%q' "$c")")
	done < <(cat /proc/[0-9]*/comm 2>/dev/null | sort -u)
}

# Cgroup paths as /proc/PID/cgroup shows them: below the cgroup v2 mount
# and the pids controller's v1 one (hybrid hosts), directories only.
_forkscope_cgroups()
{
	local cur=$1 m d
	[[ $cur == /* ]] || cur=/$cur
	while read -r m; do
		for d in "$m${cur%/*}"/*/; do
			[[ -d $d ]] || continue
			d=${d#"$m"}
			[[ $d == "$cur"* ]] && printf '%s\n' "$d"
		done
	done < <(awk '{
		for (i = 7; $i != "-"; i++) ;
		if ($(i + 1) == "cgroup2" ||
		    ($(i + 1) == "cgroup" && $(i + 3) ~ /(^|,)pids(,|$)/))
			print $5
	}' /proc/self/mountinfo) | sort -u
}

# _forkscope_value NAME VALUE CUR: completes the value of option --NAME,
# which --help calls VALUE: by the option, else files for a FILE or OUT.
_forkscope_value()
{
	case $1 in
	pid) _pids ;;
	comm) _forkscope_comms "$3" ;;
	events) _forkscope_list "$3" $_forkscope_events ;;
	source) COMPREPLY=($(compgen -W "$_forkscope_sources" -- "$3")) ;;
	sort)	# $cmd: the command _forkscope found
		local keys=_forkscope_${cmd}_sort_keys
		COMPREPLY=($(compgen -W "${!keys-}" -- "$3"))
		;;
	severity) COMPREPLY=($(compgen -W "info warning error" -- "$3")) ;;
	cgroup)
		mapfile -t COMPREPLY < <(_forkscope_cgroups "$3")
		compopt -o nospace
		;;
	*) [[ $2 == FILE || $2 == OUT ]] && _filedir ;;
	esac
}

# _forkscope_run_start FIRST OPTS: where the command to run starts:
# after "--" or at its first word that is no option nor an option's
# value; past cword when the word at the cursor is an option's value.
_forkscope_run_start()
{
	local i=$1
	while ((i < cword)); do
		case ${words[i]} in
		--) echo $((i + 1)); return ;;
		-*=*) ;;
		-*) _forkscope_value_of "${words[i]}" "$2" >/dev/null &&
			((i++)) ;;
		*) echo "$i"; return ;;
		esac
		((i++))
	done
	echo "$i"
}

_forkscope()
{
	local cur prev words cword split
	_init_completion -s || return

	local bin i cmd="" opts name=""
	bin=$(_forkscope_bin "${words[0]}") || return
	local global
	global=$(_forkscope_parse "$bin")

	# The command is the first word that is no global option or its value.
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) _forkscope_value_of "${words[i]}" "$global" >/dev/null &&
			((i++)) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		if name=$(_forkscope_value_of "$prev" "$global"); then
			_forkscope_value $name "$cur"
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(cut -d' ' -f1,2 <<< "$global" |
				tr ' ' '\n' | grep -vx -)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_forkscope_commands "$bin")" \
				-- "$cur"))
		fi
		return
	fi

	opts=$(_forkscope_parse "$bin" "$cmd")
	[[ -n $opts ]] || return
	# A command whose usage reads "-- CMD" (stat, record) runs one: past
	# its options, complete that command.
	if LC_ALL=C "$bin" "$cmd" --help 2>/dev/null | head -n 1 |
		grep -q -- '-- CMD'; then
		local run=0
		run=$(_forkscope_run_start $((i + 1)) "$opts")
		if ((run < cword)) || { ((run == cword)) &&
			[[ ${words[run - 1]} == -- || ${words[cword]} != -* ]]; }; then
			_command_offset "$run"
			return
		fi
	fi
	if $split || name=$(_forkscope_value_of "$prev" "$opts"); then
		$split && name=$(_forkscope_value_of "$prev" "$opts")
		[[ -n $name ]] && _forkscope_value $name "$cur"
		return
	fi
	COMPREPLY=($(compgen -W "$(cut -d' ' -f1,2 <<< "$opts" |
		tr ' ' '\n' | grep -vx -)" -- "$cur"))
} &&
	complete -F _forkscope forkscope
