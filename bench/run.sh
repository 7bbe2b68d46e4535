#!/bin/sh
# forkscope's benchmark: the overhead and loss of tracing process storms,
# forkscope beside the tools a user would run instead, all in this run;
# then the inspector's own speed. Writes bench/results.md (printed) and
# bench/overhead.png.
#
# Each row is pairs of runs of one storm, untraced (A) and traced (B), in
# ABBA order so drift cancels; overhead is the median of the per-pair
# B/A time ratios, with their range. On this kind of machine the same
# untraced storm moves by several percent from run to run, so only such
# same-run ratios mean anything.
# Usage: bench/run.sh [BUILD_DIR]   (QUICK=1: fewer pairs, smaller storms)
# TOOLS="forkscope ..." and/or WORKLOADS="fork ...": only those rows,
# printed, and bench/results.md left alone; PAIRS=N: pairs per row.
set -eu
build=${1:-build}
quick=${QUICK:-0}
here=$(dirname "$0")
work=$(mktemp -d /tmp/forkscope-bench.XXXXXX)
fs=$build/forkscope storm=$build/storm
trap 'stop_tracers 2>/dev/null; rm -rf "$work"' EXIT

if [ "$quick" = 1 ]; then
	pairs=2 nfork=2500 nspawn=300 nthread=10000 cowmib=256 ncow=2
	nreplay=5000 replays=5
else
	pairs=7 nfork=8000 nspawn=1000 nthread=60000 cowmib=256 ncow=4
	nreplay=20000 replays=11
fi
pairs=${PAIRS:-$pairs}
tools=${TOOLS:-forkscope forkscope-cow forkscope-record forkscope-exporter forkstat bpftrace execsnoop+exitsnoop perf-trace}
# "reader": forkscope trace's own CPU, text against --json (reader_cost);
# "replay": reading a recording back, and its size (replay_cost).
workloads=${WORKLOADS:-fork spawn thread cow multi reader replay}
storms=$(echo " $workloads " | sed 's/ reader / /; s/ replay / /; s/^ //; s/ $//')

# The peer a bpftrace user would write: one line per fork, exec and exit.
bt_prog='BEGIN { printf("ready\n"); }
tracepoint:sched:sched_process_fork { printf("fork %d %d\n", args->parent_pid, args->child_pid); }
tracepoint:sched:sched_process_exec { printf("exec %d\n", pid); }
tracepoint:sched:sched_process_exit { printf("exit %d\n", tid); }'

# The storm of a workload, pinned to CPU 0 (two vCPUs: the tracer gets the
# other); prints the seconds it took, the slower storm's for two.
workload() {
	case "$1" in
	fork) $storm -c 0 -o "$2.fork" fork $nfork ;;
	spawn) $storm -c 0 -o "$2.spawn" spawn $nspawn ;;
	thread) $storm -c 0 thread $nthread ;;
	cow) echo go >&7 && read -r line <&8 && echo "$line" ;;
	multi) { $storm -c 0 -o "$2.multi" fork $nfork &
		 $storm -c 1 -o "$2.multi2" fork $nfork & wait; } ;;
	esac | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' | sort -n | tail -n 1
}

# The COW storm is one process that fills its memory once and runs a round
# per line it reads, so that untraced and traced rounds share the parent's
# memory: in this VM its placement alone moved a round's time 2x between
# processes. A round is 4 children writing 256 MiB each rather than one
# writing 1 GiB, the same 262,144 COW faults: 1 GiB rounds took 0.59 s or
# 1.2 s at random (free memory that large is not recycled warm), 256 MiB
# ones 0.60 s +-2%. The tracers see the server in their snapshot.
cow_server() {	# start|stop
	if [ "$1" = start ]; then
		rm -f "$work/cow.in" "$work/cow.out"
		mkfifo "$work/cow.in" "$work/cow.out"
		$storm -c 0 -o "$work/pids.cow" -m $cowmib cowserve $ncow \
			< "$work/cow.in" > "$work/cow.out" &
		cow_pid=$!
		exec 7> "$work/cow.in" 8< "$work/cow.out"
		read -r _ <&8	# filled
	else
		exec 7>&- 8<&-
		wait $cow_pid
	fi
}

# Storm children per run, to turn tracer CPU time into time per child.
children() {
	case "$1" in
	fork) echo $nfork ;; spawn) echo $nspawn ;; thread) echo $nthread ;;
	cow) echo $ncow ;; multi) echo $((2 * nfork)) ;;
	esac
}

started() {	# PID...: remember tracer processes
	echo "$@" >> "$work/tracers"
}

# Starts TOOL writing to files OUT*, returns once it is attached.
start_tracer() {
	rm -f "$2"* "$work/tracers" "$work/rec.fsr"
	case "$1" in
	forkscope|forkscope-cow)
		$fs trace $([ "$1" = forkscope-cow ] && echo --cow) \
			> "$2" 2> "$2.err" &
		started $!
		wait_for "tracing with" "$2.err" "$1" ;;
	forkscope-exporter)
		# Counts in the kernel; its scrape at the end is its output.
		$fs exporter --listen 127.0.0.1:0 2> "$2.err" &
		started $!
		wait_for ", port " "$2.err" "$1" ;;
	forkscope-stacks|forkscope-stacks-idle)
		# --stacks: every fork a target; -idle: one idle process the
		# only target, what any other fork pays (a map lookup).
		if [ "$1" = forkscope-stacks-idle ]; then
			sleep 3600 &
			started $!
			sel="-p $!"
		else
			sel=""
		fi
		$fs trace --stacks $sel --ring-size 64 > /dev/null 2> "$2.err" &
		started $!
		wait_for "tracing with" "$2.err" "$1" ;;
	forkscope-execfds)
		# trace --explain: exec-fds records on, as lint asks for them:
		# the fd table walked at each exec (bpf_cost's spawn row).
		$fs trace -x > "$2" 2> "$2.err" &
		started $!
		wait_for "tracing with" "$2.err" "$1" ;;
	forkscope-record)
		# Says nothing as it starts: the file is made at its snapshot,
		# once the programs are attached. Read back by traced().
		$fs record -o "$work/rec.fsr" 2> "$work/rec.err" &
		started $!
		wait_for_file "$work/rec.fsr" "$1" ;;
	forkstat)
		forkstat -e fork,exec,exit > "$2" 2> "$2.err" &
		started $!
		sleep 0.3 ;;	# attaches in ~20 ms here; nothing to wait on
	bpftrace)
		bpftrace -e "$bt_prog" > "$2" 2> "$2.err" &
		started $!
		wait_for ready "$2" "$1" ;;	# BEGIN runs once all attached
	execsnoop+exitsnoop)
		execsnoop > "$2.exec" 2> "$2.err" &
		started $!
		exitsnoop > "$2.exit" 2> "$2.err2" &
		started $!
		sleep 0.3 ;;	# ~60 ms here
	perf-trace)
		perf trace -a -e 'sched:sched_process_*' -o "$2" 2> "$2.err" &
		started $!
		sleep 0.5 ;;	# ~130 ms here
	esac
}

wait_for_file() {	# FILE TOOL
	for _ in $(seq 400); do
		[ -s "$1" ] && return 0
		sleep 0.025
	done
	echo "bench: $2 did not start: $(head -n 3 "$work/rec.err")" >&2
	touch "$work/failed"
	exit 1
}

wait_for() {	# TEXT FILE TOOL
	for _ in $(seq 400); do
		grep -q "$1" "$2" 2>/dev/null && return 0
		sleep 0.025
	done
	echo "bench: $3 did not start: $(cat "$2"* 2>/dev/null | head -n 3)" >&2
	touch "$work/failed"	# seen by the caller: this may be a subshell
	exit 1
}

# CPU seconds (user + system) the tracer processes have used so far.
tracer_cpu() {
	for p in $(cat "$work/tracers"); do
		cat "/proc/$p/stat" 2>/dev/null || echo "dead"
	done | awk -v hz="$(getconf CLK_TCK)" '
		/dead/ { dead = 1 }
		{ sub(/.*\) /, ""); t += $12 + $13 }
		END { if (dead) print "dead"; else printf "%.3f\n", t / hz }'
}

stop_tracers() {
	[ -f "$work/tracers" ] || return 0
	sleep 0.3	# let the last records in
	for p in $(cat "$work/tracers"); do kill -INT "$p" 2>/dev/null || true; done
	for _ in $(seq 100); do
		alive=0
		for p in $(cat "$work/tracers"); do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.05
	done
	for p in $(cat "$work/tracers"); do kill -KILL "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -f "$work/tracers"
}

# One traced run: prints "seconds tracer_cpu_seconds".
traced() {	# TOOL WORKLOAD
	start_tracer "$1" "$work/out"
	c0=$(tracer_cpu)
	t=$(workload "$2" "$work/pids")
	c1=$(tracer_cpu)
	if [ "$1" = forkscope-exporter ]; then
		curl -s "http://127.0.0.1:$(sed -n 's/.*, port \([0-9]*\).*/\1/p' \
			"$work/out.err")/metrics" > "$work/out"
	fi
	stop_tracers
	# What the recording holds, as trace shows it, for seen.py.
	if [ "$1" = forkscope-record ]; then
		$fs trace -i "$work/rec.fsr" > "$work/out" 2> "$work/out.err"
	fi
	if [ "$c1" = dead ]; then
		echo "bench: $1 died during the $2 storm" >&2
		echo "$t -1"
	else
		echo "$t $(echo "$c0 $c1" | awk '{ print $2 - $1 }')"
	fi
}

stats() {	# median min max of the ratios on stdin, as percentages over 1
	sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f %.2f %.2f\n", (m - 1) * 100, (v[1] - 1) * 100,
		       (v[NR] - 1) * 100 }'
}

# forkscope trace's CPU per fork child, as text and as --json, in ABBA
# pairs on the same storm: the reader's cost of each output format. CPU
# time is the tracer's sum_exec_runtime (/proc/PID/schedstat, in ns; its
# stat's clock ticks are 10 ms, most of a run) from attached to drained,
# so start-up and the summary are left out; bytes are its output meanwhile.
# -c storm: what else runs on the machine meanwhile is decoded and tracked
# alike, but not shown. The tracer is pinned to the CPU the storm leaves
# it: where the scheduler put it moved its time per child up to 2x.
reader_run() {	# text|json: prints "ns bytes"
	rm -f "$work/tracers" "$work/rd"*
	taskset -c 1 $fs trace -c storm $([ $1 = json ] && echo --json) \
		> "$work/rd" 2> "$work/rd.err" &
	started $!
	wait_for "tracing with" "$work/rd.err" "forkscope trace"
	p=$(cat "$work/tracers")
	sleep 0.2	# the snapshot's records
	c0=$(cut -d' ' -f1 "/proc/$p/schedstat") b0=$(stat -c %s "$work/rd")
	$storm -c 0 fork $nfork > /dev/null
	# Drained once its output stops growing (other processes on the
	# machine may keep its CPU time moving); 3 s at most.
	b1=-1 b=$(stat -c %s "$work/rd")
	for _ in $(seq 15); do
		[ "$b" = "$b1" ] && break
		b1=$b
		sleep 0.2
		b=$(stat -c %s "$work/rd")
	done
	c1=$(cut -d' ' -f1 "/proc/$p/schedstat")
	stop_tracers
	echo "$((c1 - c0)) $((b1 - b0))"
}

reader_cost() {	# prints the table's rows
	: > "$work/reader.text"
	: > "$work/reader.json"
	for i in $(seq $pairs); do
		if [ $((i % 2)) -eq 1 ]; then order="text json"
		else order="json text"; fi
		for f in $order; do reader_run $f >> "$work/reader.$f"; done
	done
	for f in text json; do
		sort -n "$work/reader.$f" | awk -v f=$f -v n=$nfork '
			{ ns[NR] = $1; b += $2 }
			END {
				m = ns[int((NR + 1) / 2)]
				if (NR % 2 == 0)
					m = (m + ns[NR / 2 + 1]) / 2
				printf "%s %.2f %.2f %.2f %.0f\n", f, m / n / 1e3,
				       ns[1] / n / 1e3, ns[NR] / n / 1e3, b / NR / n
			}'
	done | awk '{ us[NR] = $2; print }
		END { printf "ratio %.2f\n", us[2] / us[1] }'
}

# The bytes of records the reader receives per storm child (record ABI
# 2: exec records take the bytes they use, fork records carry the child's
# container). From trace's summary; other processes' records meanwhile
# count too, a few per second.
ring_bytes() {	# WORKLOAD: prints bytes per child
	rm -f "$work/tracers" "$work/rb"*
	$fs trace --json -c no-such-comm > "$work/rb" 2> "$work/rb.err" &
	started $!
	wait_for "tracing with" "$work/rb.err" "forkscope trace"
	sleep 0.2
	workload $1 "$work/pids.rb" > /dev/null
	stop_tracers
	tail -n 1 "$work/rb" | python3 -c '
import json, sys
print("%.0f" % (json.loads(sys.stdin.read())["received_bytes"] / int(sys.argv[1])))' \
		$(children $1)
}

# Reading a recording back (-i): a fork storm of $nreplay children
# recorded by record -- storm, then each command's CPU time (user +
# system: its rusage) over that file and over a recording of /bin/true,
# in $replays pairs (ABBA); the median of the pairs' differences over the
# difference in records is the CPU per record, start-up and the
# machine's snapshot left out. Pinned to the CPU the reader gets.
replay_cost() {	# prints the table's rows, then "file BYTES RECORDS"
	$fs record -o "$work/big.fsr" -- $storm -c 0 fork $nreplay \
		> /dev/null 2> "$work/big.err" &&
	$fs record -o "$work/small.fsr" -- /bin/true 2> "$work/small.err" || {
		echo "bench: record failed: $(cat "$work/big.err" "$work/small.err")" >&2
		touch "$work/failed"
		return 1
	}
	python3 - "$fs" "$work" $replays $nreplay <<'PY'
import os, re, statistics, subprocess, sys
fs, work, runs, children = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
files = {k: "%s/%s.fsr" % (work, k) for k in ("big", "small")}
records = {}
for k in files:     # "forkscope: recorded N records in ..."
    text = open("%s/%s.err" % (work, k)).read()
    records[k] = int(re.search(r"recorded (\d+) records", text).group(1))
cmds = [("trace -i --json", ["trace", "--json", "-i"]),
        ("trace -i", ["trace", "-i"]),
        ("stat -i", ["stat", "-o", "/dev/null", "-i"]),
        ("tree -i", ["tree", "-i"])]

def cpu(args, path):
    with open(os.devnull, "w") as null:
        p = subprocess.Popen(["taskset", "-c", "1", fs] + args + [path],
                             stdout=null, stderr=null)
        _, status, ru = os.wait4(p.pid, 0)
    if status:
        sys.exit("bench: forkscope %s %s failed" % (" ".join(args), path))
    return ru.ru_utime + ru.ru_stime

for name, args in cmds:
    diffs = []
    for i in range(runs):
        t = {}
        for k in (("big", "small") if i % 2 == 0 else ("small", "big")):
            t[k] = cpu(args, files[k])
        diffs.append(t["big"] - t["small"])
    ns = (statistics.median(diffs) /
          (records["big"] - records["small"]) * 1e9)
    print("%s\t%.0f\t%.1f" % (name, ns, 1e3 / ns))
size = {k: os.path.getsize(f) for k, f in files.items()}
print("file\t%d\t%d\t%d\t%d\t%.1f\t%.2f" % (
    size["big"], records["big"], size["small"], records["small"],
    (size["big"] - size["small"]) / children,
    (records["big"] - records["small"]) / children))
PY
}

rows=$work/rows
: > "$rows"
for w in $storms; do
	if [ $w = cow ]; then cow_server start; fi
	for tool in $tools; do
		: > "$work/ratios"
		fork=0 exec=0 exit=0 reap=0 lost=0 cpu=0 died=0
		for i in $(seq $pairs); do
			# ABBA; what B saw is counted before A's round can
			# overwrite the pids of the COW server's round.
			if [ $((i % 2)) -eq 1 ]; then a=$(workload $w "$work/pids.a"); fi
			set -- $(traced $tool $w)
			[ -e "$work/failed" ] && exit 1
			b=$1
			if [ "$2" = -1 ]; then died=1; else
				cpu=$(echo "$cpu $2" | awk '{ print $1 + $2 }'); fi
			if [ $w != thread ]; then
				set -- $(python3 "$here/seen.py" $tool "$work/out" \
					 "$work/pids.$w" "$work/pids.${w}2")
				for k in fork exec exit reap; do
					eval "[ \"\$1\" = - ] && $k=- || $k=\$(( \$$k + \$1 ))"
					shift
				done
				lost=$((lost + $1))
			fi
			if [ $((i % 2)) -eq 0 ]; then a=$(workload $w "$work/pids.a"); fi
			echo "$a $b" | awk '{ print $2 / $1 }' >> "$work/ratios"
		done
		[ $w = thread ] && fork=n/a exec=n/a exit=n/a reap=n/a lost=n/a
		set -- $(stats < "$work/ratios")
		us=$(echo "$cpu $pairs $(children $w)" |
		     awk '{ printf "%.1f", $1 / $2 / $3 * 1e6 }')
		[ $died = 1 ] && us="died"
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" $w $tool \
			$1 $2 $3 $fork $exec $exit $reap $lost $us >> "$rows"
		echo "bench: $w $tool: $1% [$2%, $3%]" >&2
	done
	if [ $w = cow ]; then cow_server stop; fi
done
reader_rows="" bytes_rows="" replay_rows="" file_row=""
case " $workloads " in *" replay "*)
	replay_cost > "$work/replay" || exit 1
	replay_rows=$(awk -F'\t' '$1 != "file" {
		printf "| %s | %s ns | %s M |\n", $1, $2, $3 }' "$work/replay")
	file_row=$(awk -F'\t' -v n=$nreplay '$1 == "file" {
		printf "| fork | %d | %d | %d | %s | %s |\n", n, $2, $3, $6, $7 }' \
		"$work/replay") ;;
esac
case " $workloads " in *" reader "*)
	bytes_rows="| fork | $(ring_bytes fork) | 376 |
| spawn | $(ring_bytes spawn) | 1,217 |"
	reader_rows=$(reader_cost | awk '
		$1 == "ratio" { ratio = $2; next }
		{ printf "| %s | %s us [%s, %s] | %s |\n",
			$1 == "text" ? "text" : "--json", $2, $3, $4, $5 }
		END { printf "| --json / text | %sx | |\n", ratio }')
	[ -e "$work/failed" ] && exit 1 ;;
esac
if [ -n "${TOOLS:-}${WORKLOADS:-}" ]; then	# a partial run: rows only
	cat "$rows"
	[ -z "$reader_rows" ] || echo "$reader_rows"
	[ -z "$bytes_rows" ] || echo "$bytes_rows"
	[ -z "$replay_rows" ] || echo "$replay_rows"
	[ -z "$file_row" ] || echo "$file_row"
	exit 0
fi

# forkscope's kernel side alone, a figure the VM's noise hardly moves: its
# BPF programs' run time (bpf_stats) per storm child, or per page written
# for the COW storm, against the same unit's untraced time in this run.
# bpf_stats adds its own two clock reads: an empty program measures ~47 ns.
bpf_cost() {	# TOOL WORKLOAD
	base=$(workload $2 "$work/pids.a")
	sysctl -qw kernel.bpf_stats_enabled=1
	start_tracer $1 "$work/out"
	workload $2 "$work/pids" > /dev/null
	bpftool prog show -j > "$work/progs.json"
	stop_tracers
	sysctl -qw kernel.bpf_stats_enabled=0
	if [ $2 = cow ]; then units=$((ncow * cowmib * 256)) unit=page
	else units=$(children $2) unit=child; fi
	python3 - "$work/progs.json" $units $unit $base $1 $2 <<'PY'
import json, sys
progs, n, unit, base, tool, w = sys.argv[1:]
n, base = int(n), float(base)
runs = [p for p in json.load(open(progs)) if p.get("run_cnt")]
if unit == "page":      # the fault hook runs once per page written
    runs = [p for p in runs if p["name"] == "fault_wp"]
    cost = sum(p["run_time_ns"] for p in runs) / sum(p["run_cnt"] for p in runs)
else:
    cost = sum(p["run_time_ns"] for p in runs) / n
each = ", ".join("%s %s%d ns" % (p["name"], "" if unit == "page" else
                                 "%d x " % round(p["run_cnt"] / n),
                                 p["run_time_ns"] / p["run_cnt"])
                 for p in sorted(runs, key=lambda p: -p["run_time_ns"])
                 if unit == "page" or p["run_cnt"] >= n / 2)
print("| %s | %s | %s | %.0f ns per %s | %.0f ns | %.2f%% |" % (
      w, tool, each, cost, unit, base / n * 1e9, cost / (base / n * 1e9) * 100))
# The failed fork/exec hooks run at every fork and exec syscall's exit.
fail = ("fork_exit", "vfork_exit", "clone_exit", "clone3_exit",
        "execve_exit", "execveat_exit")
hooks = [p for p in runs if p["name"] in fail]
if w == "spawn" and hooks:
    cost = sum(p["run_time_ns"] for p in hooks) / n
    each = ", ".join("%s %d x %d ns" % (p["name"], round(p["run_cnt"] / n),
                                        p["run_time_ns"] / p["run_cnt"])
                     for p in hooks if p["run_cnt"] >= n / 2)
    print("| %s | %s: failure hooks | %s | %.0f ns per %s | %.0f ns | %.2f%% |" % (
          w, tool, each, cost, unit, base / n * 1e9,
          cost / (base / n * 1e9) * 100))
PY
}
cow_server start
bpf_rows=$( { bpf_cost forkscope fork; bpf_cost forkscope spawn;
	      bpf_cost forkscope-exporter fork;
	      bpf_cost forkscope-exporter spawn;
	      bpf_cost forkscope-execfds spawn;
	      bpf_cost forkscope-cow cow; bpf_cost forkscope-stacks-idle fork;
	      bpf_cost forkscope-stacks fork; } )
cow_server stop

# Time to the first record: from starting the tracer to its first event.
$storm -c 1 fork 100000000 > /dev/null &
bg=$!
t0=$(date +%s%N)
$fs trace --json -e fork > "$work/first.json" 2>/dev/null &
started $!
until [ -s "$work/first.json" ]; do sleep 0.005; done
t1=$(date +%s%N)
kill $bg
stop_tracers
wait $bg 2>/dev/null || true
first_ms=$(( (t1 - t0) / 1000000 ))

stacks_row=$($build/stacks_bench 20000)

set -- $($build/decode_bench $([ "$quick" = 1 ] && echo 2000000 20000) |
	 sed -n 's/.*decode_per_s=\([0-9]*\).*/\1/p; s/.*decode_model_per_s=\([0-9]*\).*/\1/p; s/.*text_ns_per_record=\([0-9]*\) json_ns_per_record=\([0-9]*\).*/\1 \2/p; s/.*bytes_per_process=\([0-9]*\).*/\1/p')

{
	echo "# forkscope benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r),"
	echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') x $(nproc),"
	echo "$pairs A/B pairs per row (ABBA order)$([ "$quick" = 1 ] && echo ', QUICK')."
	echo "Storms: fork $nfork, spawn $nspawn (fork+exec /bin/true), thread"
	echo "$nthread, cow $ncow children each writing a byte per page of the"
	echo "parent's $cowmib MiB, multi: two fork storms of $nfork, one per CPU."
	echo
	echo "Overhead: the storm's time traced over untraced, median [min, max] of"
	echo "the per-pair ratios. Missed fork/exec/exit/reap: storm children whose"
	echo "event of that kind the tool's output lacks, over all pairs (-: the"
	echo "tool cannot show it). Lost: what the tool said it lost. Tracer CPU:"
	echo "the tool's own processes' CPU time per storm child."
	echo
	echo "| workload | tool | overhead | missed fork/exec/exit/reap | lost | tracer CPU |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' '{ printf "| %s | %s | %+.1f%% [%+.1f%%, %+.1f%%] | %s/%s/%s/%s | %s | %s%s |\n",
		$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
		$11 == "died" ? "" : " us" }' "$rows"
	echo
	echo "perf trace sees a reap only as sched_process_free, which this kernel"
	echo "runs from lazy RCU up to ~10 s later: reaps still pending when it is"
	echo "stopped count as missed. forkscope reports the reap at the wait."
	echo
	echo "forkscope's kernel side alone (bpf_stats: runs per unit x ns per run,"
	echo "the clock reads of bpf_stats included; an empty program measures"
	echo "~47 ns here), against the unit's untraced time in this run:"
	echo
	echo "| workload | tool | programs | BPF time | untraced | share |"
	echo "|---|---|---|---|---|---|"
	echo "$bpf_rows"
	echo
	echo "forkscope trace's own CPU time per child of the fork storm (median"
	echo "[min, max] of $pairs runs each, text and --json in ABBA order) and"
	echo "the bytes it wrote per child:"
	echo
	echo "| output | reader CPU per fork child | bytes per child |"
	echo "|---|---|---|"
	echo "$reader_rows"
	echo
	echo "Before the streaming writer (json-c, commit 5aee9c2, same rows):"
	echo "--json 27-28 us per fork child, 3.7-5.1x text."
	echo
	echo "Record bytes the reader receives per storm child (ring-buffer"
	echo "headers aside), record ABI 2 in this run; ABI 1 (commit ece33c3):"
	echo "the same records at their v1 sizes (fork 80, exec 840 bytes), by"
	echo "bpf_stats run counts:"
	echo
	echo "| workload | ABI 2 bytes per child | ABI 1 |"
	echo "|---|---|---|"
	echo "$bytes_rows"
	echo
	echo "Replay: forkscope reading back (-i) a recording of a fork storm of"
	echo "$nreplay children (record -- storm), CPU time (user + system) per"
	echo "record beyond a recording of /bin/true: the median of $replays ABBA"
	echo "pairs' differences, pinned to one CPU. tree -i and stat -i decode and"
	echo "model (the target: 5 M records/s/core); trace -i also writes a line"
	echo "per event."
	echo
	echo "| command, output to /dev/null | CPU per record | records/s/core |"
	echo "|---|---|---|"
	echo "$replay_rows"
	echo
	echo "The recording's size: bytes and records per storm child, the"
	echo "recording of /bin/true (the machine's snapshot, the header) subtracted:"
	echo
	echo "| storm | children | file bytes | records | bytes per child | records per child |"
	echo "|---|---|---|---|---|---|"
	echo "$file_row"
	echo
	echo "Inspector: decode $(( $1 / 1000000 )) M records/s/core, decode and"
	echo "model $(( $2 / 1000000 )) M records/s/core; decode, model and"
	echo "trace's view into /dev/null $3 ns per record as text, $4 ns as"
	echo "JSON; $5 bytes per tracked process (model bytes, 100,000 live"
	echo "exec'd processes), first record ${first_ms} ms after start."
	echo
	echo "Fork stacks (--stacks): the fork rows above with forkscope-stacks-idle"
	echo "(one idle process the only target: what every other fork pays) and"
	echo "forkscope-stacks (every fork a target: registers, frame-pointer walk,"
	echo "up to 8 KiB of stack copied). Unwinding and naming with warm caches"
	echo "(stacks_bench, one core): $stacks_row."
	echo
	echo "![overhead per tool and workload](overhead.png)"
} > "$here/results.md"

# One line per workload: median, min and max for each tool in turn.
awk -F'\t' '{ if ($1 != w) { if (w != "") print line; w = $1; line = w }
	       line = line "\t" $3 "\t" $4 "\t" $5 }
	     END { print line }' "$rows" > "$work/chart.tsv"
gnuplot -e "data='$work/chart.tsv'; out='$here/overhead.png'; tools='$tools'; workloads='$storms'" \
	"$here/overhead.gp"
cat "$here/results.md"
