#!/bin/sh
# forkscope's benchmark: tracing overhead and loss on process storms,
# measured as A/B pairs in this run (A: no tracer, B: traced), in ABBA
# order so drift cancels; and the inspector's own speed. Writes
# bench/results.md and prints it.
# Usage: bench/run.sh [BUILD_DIR]   (QUICK=1: fewer pairs, smaller storms)
set -eu
build=${1:-build}
quick=${QUICK:-0}
work=$(mktemp -d /tmp/forkscope-bench.XXXXXX)
trap 'pkill -INT -f "$build/forkscope trace" 2>/dev/null || true; rm -rf "$work"' EXIT
fs=$build/forkscope storm=$build/storm

if [ "$quick" = 1 ]; then
	pairs=3 nfork=3000 nspawn=300 nthread=5000 cowmib=256 ncow=2
else
	pairs=7 nfork=20000 nspawn=2000 nthread=20000 cowmib=1024 ncow=3
fi

# The storm of a workload, pinned to CPU 0 (a 2-vCPU guest's wakeups
# would otherwise dominate); prints the seconds it took.
workload() {
	case "$1" in
	fork) $storm -c 0 -o "$2" fork $nfork ;;
	spawn) $storm -c 0 -o "$2" spawn $nspawn ;;
	thread) $storm -c 0 thread $nthread ;;
	cow) $storm -c 0 -o "$2" -m $cowmib cow $ncow ;;
	multi) { $storm -c 0 -o "$2" fork $nfork & $storm -c 1 -o "$2.b" fork $nfork & wait; } ;;
	esac | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' | sort -n | tail -n 1
}

start_tracer() {
	# The old files would say "tracing with" before the new tracer does.
	rm -f "$2" "$2.err"
	case "$1" in
	forkscope) $fs trace --json > "$2" 2>"$2.err" & ;;
	forkscope-cow) $fs trace --json --cow > "$2" 2>"$2.err" & ;;
	esac
	# Ready once it says so on stderr: attached and snapshotted.
	for _ in $(seq 400); do
		grep -q "tracing with" "$2.err" 2>/dev/null && return 0
		sleep 0.025
	done
	echo "bench: $1 did not start: $(cat "$2.err")" >&2
	exit 1
}

stop_tracer() {
	sleep 0.3	# let the last records in
	pkill -INT -f "$fs trace" || true
	while pgrep -f "$fs trace" >/dev/null; do sleep 0.05; done
}

# Children of the storm the trace missed: fork, exit and reap each, exec
# too for spawn. Prints "missed lost_reported".
count_loss() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
trace, pids, mode = sys.argv[1], sys.argv[2], sys.argv[3]
want = set()
for f in (pids, pids + ".b"):
    try:
        want |= {int(l) for l in open(f) if l.strip()}
    except FileNotFoundError:
        pass
seen = {e: set() for e in ("fork", "exec", "exit", "reap")}
lost = 0
for line in open(trace):
    o = json.loads(line)
    e = o["event"]
    if e == "summary":
        lost = o["lost"] + o["malformed"]
    elif e == "fork":
        seen["fork"].add(o["child"]["tid"])
    elif e in seen:
        seen[e].add(o["tid"])
kinds = ("fork", "exec", "exit", "reap") if mode == "spawn" else ("fork", "exit", "reap")
print(sum(len(want - seen[k]) for k in kinds), lost)
PY
}

stats() {	# median min max of the numbers on stdin, as percentages over 1
	sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%+.1f%% [%+.1f%%, %+.1f%%]", (m - 1) * 100,
		       (v[1] - 1) * 100, (v[NR] - 1) * 100 }'
}

results=$work/rows
for w in fork spawn thread cow multi; do
	for tool in forkscope forkscope-cow; do
		: > "$work/ratios"
		missed=0 lost=0 base_sum=0
		for i in $(seq $pairs); do
			# ABBA: even pairs run traced first
			if [ $((i % 2)) -eq 1 ]; then
				a=$(workload $w "$work/pids")
				start_tracer $tool "$work/trace.json"
				b=$(workload $w "$work/pids")
				stop_tracer
			else
				start_tracer $tool "$work/trace.json"
				b=$(workload $w "$work/pids")
				stop_tracer
				a=$(workload $w "$work/pids.a")
			fi
			echo "$a $b" | awk '{ print $2 / $1 }' >> "$work/ratios"
			base_sum=$(echo "$base_sum $a" | awk '{ print $1 + $2 }')
			if [ "$w" != thread ]; then
				set -- $(count_loss "$work/trace.json" "$work/pids" $w)
				missed=$((missed + $1)) lost=$((lost + $2))
			fi
		done
		echo "| $w | $tool | $(stats < "$work/ratios") | $missed | $lost |" >> "$results"
		echo "bench: $w $tool done" >&2
	done
done

# Time to the first record: from starting the tracer to its first event.
$storm -c 1 fork 100000000 > /dev/null &
bg=$!
t0=$(date +%s%N)
$fs trace --json -e fork > "$work/first.json" 2>/dev/null &
until [ -s "$work/first.json" ]; do sleep 0.005; done
t1=$(date +%s%N)
kill $bg
stop_tracer
wait $bg 2>/dev/null || true
first_ms=$(( (t1 - t0) / 1000000 ))

set -- $($build/decode_bench $([ "$quick" = 1 ] && echo 2000000 20000) |
	 sed -n 's/.*decode_per_s=\([0-9]*\).*/\1/p; s/.*decode_model_per_s=\([0-9]*\).*/\1/p; s/.*bytes_per_process=\([0-9]*\).*/\1/p')

{
	echo "# forkscope benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r),"
	echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') x $(nproc),"
	echo "$pairs A/B pairs per row (ABBA order)$([ "$quick" = 1 ] && echo ', QUICK')."
	echo
	echo "Overhead: the storm's time traced over untraced, median [min, max] of"
	echo "the per-pair ratios. Missed: storm children whose fork, exec (spawn),"
	echo "exit or reap the trace lacks; lost: what the tracer reported lost."
	echo
	echo "| workload | tracer | overhead | missed | lost |"
	echo "|---|---|---|---|---|"
	cat "$results"
	echo
	echo "Inspector: decode $(( $1 / 1000000 )) M records/s/core, decode and"
	echo "model $(( $2 / 1000000 )) M records/s/core, $3 bytes per tracked"
	echo "process (model bytes, 100,000 live exec'd processes), first record"
	echo "${first_ms} ms after start."
} > bench/results.md
cat bench/results.md
