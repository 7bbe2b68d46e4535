#!/bin/sh
# Runs every kselftest suite under BUILD/tests, shows their KTAP output, and
# ends with one line: "N passed, N failed". Exits non-zero on any failure,
# including a suite that crashed or printed no totals.
# Usage: tests/run.sh [BUILD_DIR]
set -u
build=${1:-build}
export FORKSCOPE="$build/forkscope"
passed=0 failed=0 skipped=0 bad=""

for t in "$build"/tests/*_test; do
	name=$(basename "$t")
	echo "# suite $name"
	log=$(mktemp)
	# A file, not a pipe: a process a failed test leaves behind must not
	# keep the run waiting for end-of-file.
	"$t" > "$log" 2>&1
	cat "$log"
	totals=$(grep '^# Totals:' "$log" | tail -n1)
	rm -f "$log"
	if [ -z "$totals" ]; then
		echo "# suite $name ended without totals"
		failed=$((failed + 1)); bad="$bad $name"
		continue
	fi
	p=$(echo "$totals" | sed -n 's/.*Totals: pass:\([0-9]*\).*/\1/p')
	f=$(echo "$totals" | sed -n 's/.* fail:\([0-9]*\).*/\1/p')
	s=$(echo "$totals" | sed -n 's/.*skip:\([0-9]*\).*/\1/p')
	e=$(echo "$totals" | sed -n 's/.*error:\([0-9]*\).*/\1/p')
	passed=$((passed + p)); failed=$((failed + f + e)); skipped=$((skipped + s))
	[ "$f" -ne 0 ] || [ "$e" -ne 0 ] && bad="$bad $name"
done

[ -n "$bad" ] && echo "# failing suites:$bad"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
