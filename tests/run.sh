#!/bin/sh
# Runs every kselftest suite under BUILD/tests on this machine and the
# fuzz target of recordings (tests/fuzz/run.sh), then the
# BPF suites in QEMU guests booting Debian's 6.12 and 6.1 cloud kernels,
# shows their KTAP output, and ends with one line: "N passed, N failed".
# Exits non-zero on any failure, including a suite or guest that crashed
# or printed no totals. FORKSCOPE_VM=0 skips the guests, FORKSCOPE_PKG=0
# the Debian packages' suite (pkg_test.sh: 1.5 to 5 minutes on two cores).
# Usage: tests/run.sh [BUILD_DIR]
set -u
build=${1:-build}
export FORKSCOPE="$build/forkscope"
passed=0 failed=0 skipped=0 bad=""

# run_to NAME DIR COMMAND...: runs it, keeping its output, exit status and
# seconds in DIR/NAME.log, .rc and .took.
run_to() {
	name=$1 dir=$2
	shift 2
	t0=$(date +%s)
	# A file, not a pipe: a process a failed test leaves behind must not
	# keep the run waiting for end-of-file.
	"$@" > "$dir/$name.log" 2>&1
	echo $? > "$dir/$name.rc"
	echo $(( $(date +%s) - t0 )) > "$dir/$name.took"
}

# account NAME DIR: shows what run_to kept and adds up every "# Totals:"
# line in it.
account() {
	name=$1 log=$2/$1.log rc=$(cat "$2/$1.rc")
	echo "# suite $name"
	cat "$log"
	# What each costs of CI's 20 minutes.
	echo "# suite $name took $(cat "$2/$1.took") s"
	sums=$(awk '/^# Totals:/ {
		for (i = 1; i <= NF; i++) {
			split($i, kv, ":")
			if (kv[1] == "pass") p += kv[2]
			if (kv[1] == "fail" || kv[1] == "error") f += kv[2]
			if (kv[1] == "skip") s += kv[2]
		}
		n++
	} END { printf "%d %d %d %d", n, p, f, s }' "$log")
	set -- $sums
	passed=$((passed + $2)); failed=$((failed + $3)); skipped=$((skipped + $4))
	if [ "$1" -eq 0 ] || { [ "$rc" -ne 0 ] && [ "$3" -eq 0 ]; }; then
		echo "# suite $name failed (exit $rc) without a failing test"
		failed=$((failed + 1))
	fi
	if [ "$rc" -ne 0 ] || [ "$3" -ne 0 ]; then
		bad="$bad $name"
	fi
}

kept=$(mktemp -d /tmp/forkscope-run.XXXXXX)
trap 'rm -rf "$kept"' EXIT

# run NAME COMMAND...: runs it, then shows and adds it up.
run() {
	suite=$1
	shift
	run_to "$suite" "$kept" "$@"
	account "$suite" "$kept"
}

run layers tests/layers.sh "$build"
run docs tests/docs_test.sh "$build"
run screen tests/screen_test.sh "$build"
if [ "${FORKSCOPE_PKG:-1}" != 0 ]; then
	run pkg tests/pkg_test.sh "$build"
fi
for t in "$build"/tests/*_test; do
	run "$(basename "$t")" "$t"
done
# The reader of recordings under libFuzzer: its corpus, then 60 s more.
run record_fuzz tests/fuzz/run.sh "$build"
# The guests run single-threaded TCG, a host core each: two lanes at once
# (the 6.12 BPF guest; the module's, then 6.1's) take the longer lane's
# time, not the sum (CI's 20 minutes).
if [ "${FORKSCOPE_VM:-1}" != 0 ]; then
	run_to vm-6.12-bpf "$kept" tests/vm/run.sh "$build" 6.12 \
		bpf:lifecycle_test bpf:cow_test bpf:model_test \
		bpf:trace_cli_test bpf:failures_test bpf:pids_test \
		bpf:counters_test bpf:stacks_test bpf:lint_test &
	lane=$!
	run_to vm-6.12-kmod "$kept" tests/vm/run.sh "$build" 6.12 \
		kmod:kmod_test kmod:lifecycle_test kmod:cow_test \
		kmod:failures_test kmod:pids_test kmod:model_live_test \
		kmod:record_test
	run_to vm-6.1 "$kept" tests/vm/run.sh "$build" 6.1 bpf:lifecycle_test \
		bpf:cow_test bpf:failures_test bpf:pids_test bpf:model_live_test \
		bpf:counters_test bpf:exporter_test bpf:stacks_test bpf:lint_test \
		kmod:lifecycle_test kmod:cow_test kmod:failures_test \
		kmod:pids_test kmod:model_live_test
	wait "$lane"
	for vm in vm-6.12-bpf vm-6.12-kmod vm-6.1; do
		account "$vm" "$kept"
	done
fi

[ -n "$bad" ] && echo "# failing suites:$bad"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
