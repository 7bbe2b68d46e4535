#!/bin/bash
# What a person sees of the reports that must read well at scale: cow and
# tree -f redrawn in place in a real terminal (tmux, 80x24): one header,
# no scrolled copies, rows in --sort's order, nothing past 80 columns;
# -b and pipes get one report after another, no escapes; stat's report of
# a command with many binaries and processes fits 80x24 and its JSON
# holds every figure. KTAP output.
# Usage: tests/screen_test.sh BUILD_DIR   (as root; needs tmux, python3)
set -u
build=$(cd "${1:-build}" && pwd)
export PATH="$build:$PATH" LC_ALL=C.UTF-8
tmp=$(mktemp -d)
# A server of its own, its socket in tmp: nothing is left behind.
sock="$tmp/tmux"
kids=""
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null
	for k in $kids; do kill "$k" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$(dirname "$0")/tap.sh"

# A session held for the whole test: closing the last one ends the
# server, and a session opened while it ends would be lost with it.
tmux -S "$sock" new-session -d -s hold "sleep 600"

# screen NAME CMD...: runs CMD in a new 80x24 terminal, NAME, the one
# shows reads from then on. done_with NAME: closes it.
term=""
screen() {
	term=$1
	shift
	tmux -S "$sock" new-session -d -s "$term" -x 80 -y 24 "$*; sleep 600"
}
done_with() {
	tmux -S "$sock" kill-session -t "$1"
}

# shows [NAME]: the terminal's screen, as a person sees it.
shows() {
	tmux -S "$sock" capture-pane -p -t "${1:-$term}"
}

# until_shows ERE [N [NAME]]: waits until the screen has N lines (default
# 1) matching ERE; fails after 30 s (a loaded machine is never that slow).
until_shows() {
	local i
	for ((i = 0; i < 300; i++)); do
		(($(shows "${3:-$term}" | grep -cE -- "$1") >= ${2:-1})) &&
			return 0
		sleep 0.1
	done
	return 1
}

# widest FILE: the most columns a line of FILE takes.
widest() {
	local line max=0
	while IFS= read -r line; do
		((${#line} > max)) && max=${#line}
	done < "$1"
	echo "$max"
}

# Twelve processes each writing 1 MiB more after fork (COW) than the one
# before, once $tmp/go exists: faults far apart, in the order of their
# pids. They live until $tmp/stop exists.
python3 - "$tmp/go" "$tmp/stop" > /dev/null 2>&1 <<'PY' &
import os, sys, time
buf = bytearray(80 << 20)
def until(path):
    while not os.path.exists(path):
        time.sleep(0.05)
for i in range(1, 13):
    if os.fork() == 0:
        until(sys.argv[1])
        for off in range(0, i << 20, 4096):
            buf[off] = 1
        open(sys.argv[1] + str(i), "w").close()
        until(sys.argv[2])
        os._exit(0)
until(sys.argv[2])
for i in range(1, 13):
    os.wait()
PY
parent=$!
kids="$parent"
until [ "$(pgrep -c -P "$parent")" -ge 12 ]; do sleep 0.05; done

# --- cow, redrawn in place
# The children write once cow watches: their faults are counted.
screen bypid forkscope cow -p "$parent" -I 0.2 --sort pid
screen treecow forkscope tree -f --cow --sort cow -I 0.2 -p "$parent"
screen main forkscope cow -p "$parent" -I 0.2 -n 10 --sort faults
until_shows 'PID    PPID COMM' 1 main
until_shows 'PID    PPID COMM' 1 bypid
until_shows "^$parent python3 " 1 treecow
touch "$tmp/go"
for i in $(seq 12); do until [ -e "$tmp/go$i" ]; do sleep 0.05; done; done
# Every child's faults counted, shown by a redraw after the last write.
until_shows '^ +[0-9]+ +'"$parent"' python3 +[0-9]+ +3[0-9]{3} ' 1 main
sleep 0.5	# a few redraws more: none may scroll an older copy up
shows main > "$tmp/cow"
check "cow on a terminal: one header after redraws" 1 \
	"$(grep -c 'PID    PPID COMM' "$tmp/cow")"
check "cow on a terminal: one line of what is counted" 1 \
	"$(grep -cE '^every 0.2 s, by faults: 1[23] processes, 10 shown' "$tmp/cow")"
check "cow on a terminal: the ten rows asked for, nothing below" \
	"10 $((3 + 10))" \
	"$(grep -cE '^ +[0-9]+ +[0-9]+ ' "$tmp/cow") $(grep -c . "$tmp/cow")"
faults=$(awk '$1 ~ /^[0-9]+$/ && NF >= 6 { print $5 }' "$tmp/cow")
check "cow --sort faults: the most faults first" \
	"$(sort -rn <<< "$faults")" "$faults"
pids=$(awk '$2 == '"$parent"' { print $1 }' "$tmp/cow" | head -n 9)
check "cow --sort faults: the children that wrote most, in order" \
	"$(pgrep -P "$parent" | sort -rn | head -n 9)" "$pids"
check "cow: sizes in people's units" 10 \
	"$(grep -cE '^ +[0-9]+ +[0-9]+ .* [0-9.]+ [KM]iB$' "$tmp/cow")"
check "cow: every line within 80 columns" yes \
	"$( (($(widest "$tmp/cow") <= 80)) && echo yes)"

until_shows '^ +[0-9]+ +'"$parent"' python3 ' 12 bypid
shows bypid > "$tmp/cow"
# The children's rows: the parent's own shows too once it faults (its
# Python writes objects on pages its children share), as it did during
# the watch in one of three full host runs.
pids=$(awk '$1 ~ /^[0-9]+$/ && NF >= 6 && $2 == '"$parent"' { print $1 }' \
	"$tmp/cow")
check "cow --sort pid: every child, in pid order" \
	"$(pgrep -P "$parent" | sort -n)" "$pids"
done_with bypid
done_with main
until_shows ' cow=3[0-9]{3}' 1 treecow
shows treecow > "$tmp/tree"
pids=$(sed -nE 's/^[│ ]*[└├]─ ([0-9]+) python3 .* cow=[0-9]+.*/\1/p' "$tmp/tree")
check "tree -f --sort cow: the children that wrote most first" \
	"$(pgrep -P "$parent" | sort -rn)" "$pids"
done_with treecow

# --- batch: not a terminal, or -b
forkscope cow -p "$parent" -I 0.1 -c 3 > "$tmp/pipe"
check "cow into a pipe: a report after another" 3 \
	"$(grep -c 'PID    PPID COMM' "$tmp/pipe")"
check "cow into a pipe: no terminal escapes" 0 \
	"$(grep -c $'\033' "$tmp/pipe")"
screen batch "forkscope cow -b -p $parent -I 0.1 -c 2 --sort faults; echo done"
until_shows '^done$'
check "cow -b on a terminal: reports one after another" 2 \
	"$(shows | grep -c 'PID    PPID COMM')"
done_with batch

# --- tree -f, redrawn in place
screen tree forkscope tree -f -I 0.2 -p "$parent"
until_shows "^$parent python3 \\(" || true
first=$(shows | grep "^$parent python3 (")
# Ages grow: a new age on the root's line is a redraw.
for ((i = 0; i < 300; i++)); do
	now=$(shows | grep "^$parent python3 (" | head -n 1)
	[[ -n $now && $now != "$first" ]] && break
	sleep 0.1
done
shows > "$tmp/tree"
check "tree -f on a terminal: redrawn, one root line" 1 \
	"$(grep -c "^$parent python3 (" "$tmp/tree")"
check "tree -f on a terminal: its twelve children once each" 12 \
	"$(grep -cE '[└├]─ [0-9]+ python3 \(' "$tmp/tree")"
done_with tree
touch "$tmp/stop"
wait "$parent"
kids=""

# --- stat: fits 80x24, every figure in its JSON
script='for b in true false pwd id uname hostname whoami date tty nproc
do /bin/$b > /dev/null 2>&1; done
for i in 1 2 3 4 5; do /bin/echo > /dev/null; /bin/ls / > /dev/null; done
/bin/sh -c "/bin/true; /bin/true" &
/bin/sh -c "/bin/true" & wait'
# The text and the JSON of one run: its recording, reported twice.
forkscope stat -o "$tmp/live" --record "$tmp/stat.fsr" -- /bin/sh -c "$script" \
	2> /dev/null
forkscope stat -o "$tmp/stat" -i "$tmp/stat.fsr"
forkscope stat -j -o "$tmp/stat.json" -i "$tmp/stat.fsr"
check "stat -i: the report the run gave" "" \
	"$(diff <(sed 3d "$tmp/live") <(sed 3d "$tmp/stat"))"
check "stat: fits 24 lines" yes "$( (($(wc -l < "$tmp/stat") <= 24)) && echo yes)"
check "stat: every line within 80 columns" yes \
	"$( (($(widest "$tmp/stat") < 80)) && echo yes)"
check "stat: the command line's newlines as \\n, cut with an ellipsis" \
	" /bin/sh -c 'for b in true false pwd id uname hostname whoami date tty nproc\\n…" \
	"$(sed -n 2p "$tmp/stat")"
# dash forks even for a -c script's last command: 4 trues, 3 shs.
check "stat: binaries by execs, the ten most, the rest summed" \
	"$(printf '%s\n' '5 /bin/echo' '5 /bin/ls' '4 /bin/true' '3 /bin/sh' \
		'1 /bin/false' '1 /bin/pwd' '1 /bin/id' '1 /bin/uname' \
		'1 /bin/hostname' '1 /bin/whoami' '3 other binaries')" \
	"$(sed -n '/EXECS BINARY/,/^ spawned/p' "$tmp/stat" | sed '1d;$d' |
		cut -c1-38 | sed -E 's/^ +//; s/ +$//')"
# Each child of the command starts a group; sh's children end as true.
check "stat: what was spawned, by name, in three lines" \
	"$(printf '%s\n' \
		' spawned: echo: 5 processes; ls: 5 processes; sh: 5 processes (true x3, sh x2);' \
		'          date: 1 process; false: 1 process; hostname: 1 process;' \
		'          id: 1 process; nproc: 1 process; 5 more under other names')" \
	"$(sed -n '/^ spawned:/,$p' "$tmp/stat")"
check "stat: its JSON counts each spawned group" "5 5 3" \
	"$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
g = {x["name"]: x for x in d["spawned"]}
print(g["sh"]["processes"], g["echo"]["processes"], g["sh"]["by_comm"]["true"])' "$tmp/stat.json")"

# Every figure a person reads is in the JSON, or summed from it.
# Ten binaries, ten processes by COW, eight names spawned: all checked.
check "stat: every figure of the text in its JSON" "10 10 8" \
	"$(python3 - "$tmp/stat" "$tmp/stat.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read().splitlines()
d = json.load(open(sys.argv[2]))
bad = []
seen = {"exec": 0, "cow": 0, "spawned": 0}
def want(ok, what):
    seen[what.split()[0]] = seen.get(what.split()[0], 0) + 1
    if not ok:
        bad.append(what)
m = re.search(r"; (\d+) process\w* .*?, (\d+) threads?, (\d+) execs?", text[2])
want(m and [int(x) for x in m.groups()] ==
     [d["processes"], d["threads"], d["execs"]], "processes, threads, execs")
for name, n in re.findall(r"([^:,]+?) x(\d+)", text[4].split(":", 1)[1]):
    want(d["exit_statuses"].get(name.strip()) == int(n), "exit " + name)
m = re.search(r"failed: (\d+) forks?, (\d+) execs?", text[5])
want(m and [int(x) for x in m.groups()] ==
     [d["fork_failures"], d["exec_failures"]], "failures")
m = re.match(r" (\d+) zombies?", text[6])
want(m and int(m.group(1)) == d["zombies_left"], "zombies")
cow = {p["pid"]: p for p in d["cow"]["per_process"]}
rows = text[text.index(next(l for l in text if "EXECS BINARY" in l)) + 1:]
execs = d["execs_by_binary"]
for row in rows:
    m = re.match(r" +(\d+) (\S.*?) {2,}", row + "  ")
    if m and not m.group(2).startswith("other"):
        key = m.group(2).lstrip("\u2026")
        hit = [k for k in execs if k.endswith(key)]
        want(len(hit) == 1 and execs[hit[0]] == int(m.group(1)), "exec " + key)
    m = re.search(r" (\d+) +[\d.]+ [KMG]?i?B +(\d+) (\S+)$", row)
    if m and not row.endswith(" others"):
        p = cow.get(int(m.group(2)))
        want(p and p["faults"] == int(m.group(1)) and p["comm"] == m.group(3),
             "cow of " + m.group(2))
for name, n in re.findall(r"(\w+): (\d+) process", "".join(text)):
    g = [x for x in d["spawned"] if x["name"] == name]
    want(g and g[0]["processes"] == int(n), "spawned " + name)
print(" ".join(bad + [str(seen[k]) for k in ("exec", "cow", "spawned")]))
PY
)"

totals
[ "$fail" -eq 0 ]
