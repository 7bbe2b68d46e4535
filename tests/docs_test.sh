#!/bin/bash
# What a user reads and types: every command's --help ends with 2 to 5
# examples using only its own options, its man page lists the same options
# and examples, and bash completion (completion/forkscope.bash, driven
# through its function as bash would call it) offers the commands, each
# command's options, trace's events, --source values, --sort keys,
# live pids, command names and cgroups, files for -o, and the command stat
# runs. KTAP output.
# Usage: tests/docs_test.sh BUILD_DIR   (as root: it makes a cgroup)
set -u
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 1
export PATH="$build:$PATH" LC_ALL=C
tmp=$(mktemp -d)
kids=""
cg=""
cleanup() {
	for k in $kids; do kill "$k" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "$cg" ] && rmdir "$cg" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$(dirname "$0")/tap.sh"

commands=$(forkscope --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
check "forkscope --help lists the six first commands at least" \
	"cow pids stat trace tree zombies" \
	"$(printf '%s\n' $commands | grep -xE 'trace|tree|zombies|pids|cow|stat' |
		sort | xargs)"

# long_opts HELP_TEXT: the long options an option line names, sorted.
long_opts() {
	sed -nE 's/^ +(-[A-Za-z], )?(--[a-z][a-z-]*).*/\2/p' | sort | xargs
}
# man_opts PAGE: the long options its OPTIONS section names, sorted.
man_opts() {
	sed -n '/^# \(GLOBAL \)\{0,1\}OPTIONS/,/^# /p' "$1" |
		sed -nE 's/^\*(-[A-Za-z]\*, \*)?(--[a-z][a-z-]*)\*.*/\2/p' | sort | xargs
}
# examples HELP_TEXT: the command lines of its EXAMPLES section.
examples() {
	sed -n '/^EXAMPLES/,$s/^  \(forkscope [^#]*\).*/\1/p' | sed 's/ *$//'
}

# foreign_opts forkscope CMD ARGS...: the options in ARGS that CMD does
# not take, up to "--", a pipe or a redirection.
foreign_opts() {
	local help opts w
	help=$(forkscope "$2" --help) || { echo " $2"; return; }
	opts=" $(long_opts <<< "$help") $(sed -nE 's/^ +(-[A-Za-z]),.*/\1/p' <<< "$help" | xargs) "
	shift 2
	for w in "$@"; do
		case $w in
		'|' | '>' | --) break ;;
		-*) [[ $opts == *" ${w%%=*} "* ]] || echo -n " $w" ;;
		esac
	done
}

check "forkscope(8) lists the global options --help does" \
	"$(forkscope --help | long_opts)" "$(man_opts man/forkscope.8.scd)"
for c in $commands; do
	help=$(forkscope "$c" --help)
	page=man/forkscope-$c.8.scd
	ex=$(examples <<< "$help")
	nex=$(grep -c . <<< "$ex")
	check "$c --help has 2 to 5 examples" yes \
		"$( ((nex >= 2 && nex <= 5)) && echo yes || echo "$nex")"
	# Every option an example uses is one of its command's own.
	bad=""
	set -f		# the words of an example are words, not globs
	while read -r line; do
		bad="$bad$(foreign_opts $line)"
	done <<< "$ex"
	set +f
	check "$c's examples use only options their commands take" "" "$bad"
	if [ ! -f "$page" ]; then
		check "$c has a man page" "$page" "none"
		continue
	fi
	check "$c's man page lists the options --help does" \
		"$(long_opts <<< "$help")" "$(man_opts "$page")"
	missing=""
	while read -r line; do
		grep -qxF "*$line*" "$page" || missing="$missing
$line"
	done <<< "$ex"
	check "$c's man page repeats its examples" "" "$missing"
done

# parses CMD OPTION VALUE: whether forkscope CMD's parser knows OPTION
# (VALUE "-": a flag), checked without running anything: an unknown option
# after it stops the parse there, a wrong VALUE before.
parses() {
	local value=()
	[ "$3" != - ] && value=(1)
	! timeout 10 forkscope "$1" "$2" "${value[@]}" --zz-no-such 2>&1 \
		>/dev/null | grep -q "unknown option '$2'"
}

# --- bash completion ---------------------------------------------------
. /usr/share/bash-completion/bash_completion
. completion/forkscope.bash
# compopt only works under readline; what it would set is not asserted.
compopt() { :; }

# comp LINE: what completing LINE's last word offers, sorted, one a line.
# LINE is split as readline splits it: at blanks and after "=".
comp() {
	local line=$1 x
	local -a w
	read -ra w <<< "$line"
	[[ $line == *' ' ]] && w+=("")
	COMP_WORDS=()
	for x in "${w[@]}"; do
		if [[ $x == --*=* ]]; then
			COMP_WORDS+=("${x%%=*}" "=" "${x#*=}")
		else
			COMP_WORDS+=("$x")
		fi
	done
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line COMP_POINT=${#line}
	COMPREPLY=()
	_forkscope forkscope "${COMP_WORDS[COMP_CWORD]}" \
		"${COMP_WORDS[COMP_CWORD - 1]}" 2>"$tmp/comp.err"
	[ -s "$tmp/comp.err" ] && sed 's/^/# stderr: /' "$tmp/comp.err"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

check "commands" "$(printf '%s\n' $commands | sort)" "$(comp 'forkscope ')"
check "commands after global options and -s's value" "trace
tree" "$(comp 'forkscope -j -s bpf tr')"
check "global options" "--help
--json
--source
--verbose
--version
-V
-h
-j
-s
-v" "$(comp 'forkscope -')"
check "--source values" "auto
bpf
kmod" "$(comp 'forkscope -s ')"
check "--source value by prefix" "kmod" "$(comp 'forkscope --source k')"
check "cow --sort keys" "faults
pid
rate" "$(comp 'forkscope cow --sort ' | sort)"
check "tree --sort keys" "age
cow
pid" "$(comp 'forkscope tree --sort ' | sort)"
for c in cow tree; do
	bad=""
	for k in $(comp "forkscope $c --sort "); do
		forkscope $c --sort "$k" --help > /dev/null 2>&1 || bad="$bad $k"
	done
	forkscope $c --sort nosuchkey --help > /dev/null 2>&1 &&
		bad="$bad nosuchkey"
	check "$c takes every --sort key offered, and no other" "" "$bad"
done

# Each command's options, as its --help lists them, and each one parses.
for c in $commands; do
	want=$(forkscope "$c" --help | sed -nE \
		's/^ +(-[A-Za-z]), (--[a-z][a-z-]*).*/\1\n\2/p;
		 s/^ +(--[a-z][a-z-]*).*/\1/p' | sort)
	got=$(comp "forkscope $c -")
	check "$c's options" "$want" "$got"
	bad=""
	while read -r short long value; do
		parses "$c" "$long" "$value" || bad="$bad $long"
		[ "$short" = - ] || parses "$c" "$short" "$value" ||
			bad="$bad $short"
	done <<< "$(_forkscope_parse "$(type -P forkscope)" "$c")"
	check "every option offered for $c parses" "" "$bad"
done

events="cgroup exec exec-failed exit fork fork-failed reap wait"
check "trace -e offers every event" "$(printf '%s\n' $events)" \
	"$(comp 'forkscope trace -e ')"
check "trace -e completes after a comma" "fork,exec
fork,exec-failed
fork,exit" "$(comp 'forkscope trace -e fork,ex')"
check "trace -e leaves out events already listed" "exec,fork,exec-failed
exec,fork,exit" \
	"$(comp 'forkscope trace --events exec,fork,e')"
check "trace --events=LIST" "fork,exec
fork,exec-failed
fork,exit" "$(comp 'forkscope trace --events=fork,e')"
# The events offered are the binary's own: its error lists them all.
said=$(timeout 10 forkscope trace -e nosuch 2>&1 | sed -n "s/.*: use \([^(]*\) (see.*/\1/p" |
	tr -d ',' | tr ' ' '\n' | grep . | sort)
check "the events offered are the ones trace accepts" "$said" \
	"$(printf '%s\n' $events)"
bad=""
for e in $events; do
	timeout 10 forkscope trace -e "$e" --zz-no-such 2>&1 |
		grep -q "unknown option" ||
		bad="$bad $e"
done
check "trace -e takes each event offered" "" "$bad"
bad=""
for s in auto bpf kmod; do
	timeout 10 forkscope -s "$s" --zz-no-such 2>&1 |
		grep -q "unknown option" ||
		bad="$bad $s"
done
check "forkscope -s takes each source offered" "" "$bad"

# -p: live pids; -c: command names (trace's --comm, not cow's --count).
comm=fsdoc$$
cp /bin/sleep "$tmp/$comm"
"$tmp/$comm" 100 &
kid=$!
kids="$kids $kid"
# Its name is its own once it has exec'd, not before.
for _ in $(seq 1000); do
	[ "$(cat "/proc/$kid/comm" 2>/dev/null)" = "$comm" ] && break
	sleep 0.01
done
check "trace -p offers a live pid" "$kid" \
	"$(comp "forkscope trace -p $kid" | grep -x "$kid")"
check "every pid offered is a number" "" \
	"$(comp 'forkscope pids --pid ' | grep -v '^[0-9][0-9]*$')"
check "trace -c offers running command names" "$comm" \
	"$(comp "forkscope trace -c fsdoc$$")"
check "cow -c is a count: nothing offered" "" "$(comp 'forkscope cow -c ')"
check "an option's value is not offered options" "" \
	"$(comp 'forkscope trace -d ')"

# --cgroup: paths as /proc/PID/cgroup shows them, here a pids cgroup.
pids_mnt=$(awk '{ for (i = 7; $i != "-"; i++) ;
	if ($(i + 1) == "cgroup" && $(i + 3) ~ /(^|,)pids(,|$)/) print $5 }' \
	/proc/self/mountinfo | head -n 1)
[ -z "$pids_mnt" ] && pids_mnt=$(awk '{ for (i = 7; $i != "-"; i++) ;
	if ($(i + 1) == "cgroup2") print $5 }' /proc/self/mountinfo | head -n 1)
cg=$pids_mnt/fsdoc$$
mkdir "$cg" "$cg/inner"
check "--cgroup offers cgroup paths" "/fsdoc$$/" \
	"$(comp "forkscope tree --cgroup /fsdoc$$")"
check "--cgroup goes down" "/fsdoc$$/inner/" \
	"$(comp "forkscope tree --cgroup /fsdoc$$/")"
rmdir "$cg/inner"

# Files for -o; stat's command after its options or "--".
touch "$tmp/report.json"
check "stat -o offers files" "$tmp/report.json" \
	"$(comp "forkscope stat -o $tmp/rep")"
check "export --perfetto OUT offers files" "$tmp/report.json" \
	"$(comp "forkscope export -i x --perfetto $tmp/rep")"
check "stat --output=FILE" "$tmp/report.json" \
	"$(comp "forkscope stat --output=$tmp/rep")"
check "stat -- CMD: commands" "yes" \
	"$(comp 'forkscope stat -- mak' | grep -qx make && echo yes)"
check "stat's options before its command" "$(forkscope stat --help | sed -nE \
	's/^ +(-[A-Za-z]), (--[a-z][a-z-]*).*/\1\n\2/p;
	 s/^ +(--[a-z][a-z-]*).*/\1/p' | sort)" "$(comp 'forkscope stat -j -')"
check "stat -j -o FILE CMD: the command" "yes" \
	"$(comp "forkscope stat -j -o $tmp/x mak" | grep -qx make && echo yes)"
check "record -o FILE -- CMD: the command" "yes" \
	"$(comp "forkscope record -o $tmp/x -- mak" | grep -qx make && echo yes)"
check "stat CMD's own arguments are CMD's" "" \
	"$(comp "forkscope stat -j $tmp/$comm -" | grep -x -- '--json')"

totals
[ "$fail" -eq 0 ]
