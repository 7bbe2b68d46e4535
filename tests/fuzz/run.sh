#!/bin/sh
# The recording reader's fuzz target (record_fuzz.c, built by make fuzz):
# first every input kept in tests/fuzz/corpus (real recordings, and each
# input that once crashed the reader, the model or a view), then
# FORKSCOPE_FUZZ_SECS seconds (default 60) of fuzzing from them, on one
# core. Any crash, leak, sanitizer report or timeout fails; the input that
# did it is kept in BUILD_DIR/fuzz/artifacts/ for the corpus. KTAP output.
# Usage: tests/fuzz/run.sh [BUILD_DIR]
set -u
build=${1:-build}
secs=${FORKSCOPE_FUZZ_SECS:-60}
here=$(dirname "$0")
fuzz=$build/fuzz/record_fuzz
arts=$build/fuzz/artifacts/
work=$(mktemp -d /tmp/forkscope-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

echo "TAP version 13"
echo "1..2"
# ok N NAME STATUS LOG: a test's line, and its log's end when it failed.
report() {
	if [ "$3" -eq 0 ]; then
		echo "ok $1 $2"
		pass=$((pass + 1))
	else
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written|#[0-9]+ *DONE' \
			"$4" | head -n 20 | sed 's/^/# /'
		echo "not ok $1 $2 (exit $3)"
		fail=$((fail + 1))
	fi
}

if [ ! -x "$fuzz" ]; then
	echo "# $fuzz is missing: make fuzz"
	echo "not ok 1 the corpus replays clean"
	echo "not ok 2 $secs s of fuzzing find nothing"
	echo "# Totals: pass:0 fail:2 xfail:0 xpass:0 skip:0 error:0"
	exit 1
fi
mkdir -p "$arts"

# A unit slower than this is a hang: the largest input takes milliseconds.
# Inputs up to 64 KB: a block of thousands of records packs into a few.
opts="-timeout=20 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix=$arts"
"$fuzz" $opts "$here"/corpus/* > "$work/replay.log" 2>&1
report 1 "the corpus replays clean ($(ls "$here/corpus" | wc -l) inputs)" \
	$? "$work/replay.log"

# New inputs go to the scratch directory, not the tree.
mkdir "$work/new"
"$fuzz" $opts -max_total_time="$secs" -dict="$here/record.dict" \
	-print_final_stats=1 "$work/new" "$here/corpus" > "$work/fuzz.log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
report 2 "$secs s of fuzzing find nothing (${runs:-0} runs)" $rc "$work/fuzz.log"

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" -eq 0 ]
