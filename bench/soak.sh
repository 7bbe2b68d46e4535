#!/bin/sh
# The exporter's soak: runs `forkscope exporter` for SECS (default 600)
# under process churn (a shell forking short-lived children, and leaving
# zombies for a while each round: a parent that forks ZOMBIES children
# and reaps them only a second later) while curl scrapes it every
# second; prints its RSS at the start and the end, the scrapes served and
# failed, the records it lost and the processes it counted.
# Usage: bench/soak.sh [BUILD_DIR] [SECS]
set -eu
build=${1:-build}
secs=${2:-600}
work=$(mktemp -d /tmp/forkscope-soak.XXXXXX)
trap 'kill $churn $exp 2>/dev/null || true; rm -rf "$work"' EXIT

$build/forkscope exporter --listen 127.0.0.1:0 2> "$work/err" &
exp=$!
until grep -q ", port " "$work/err"; do
	kill -0 $exp || { cat "$work/err"; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/.*, port \([0-9]*\).*/\1/p' "$work/err")

# Churn: 5 children at a time; each round a parent leaves 3 zombies for
# a second before it reaps them.
(
	while :; do
		for i in 1 2 3 4 5; do /bin/true & done
		sh -c '/bin/true & /bin/true & /bin/true & sleep 1; wait' &
		wait
	done
) > /dev/null 2>&1 &
churn=$!

rss() { awk '/^VmRSS/ { print $2 }' /proc/$exp/status; }
metric() { sed -n "s/^$1 \([0-9]*\).*/\1/p" "$work/last" | head -n 1; }

ok=0 bad=0 start_rss="" end=$(( $(date +%s) + secs ))
while [ "$(date +%s)" -lt "$end" ]; do
	if curl -sf -o "$work/last" "http://127.0.0.1:$port/metrics"; then
		ok=$((ok + 1))
	else
		bad=$((bad + 1))
	fi
	[ -n "$start_rss" ] || { sleep 5; start_rss=$(rss); }
	sleep 1
done
end_rss=$(rss)
lost=$(sed -n 's/^forkscope_records_lost_total{[^}]*} \([0-9]*\)/\1/p' \
	"$work/last" | awk '{ s += $1 } END { print s + 0 }')
echo "soak: ${secs} s, RSS ${start_rss} KiB after 5 s, ${end_rss} KiB at the end" \
     "($(echo "$start_rss $end_rss" | awk '{ printf "%+.1f%%", ($2 - $1) / $1 * 100 }'))"
echo "soak: scrapes ${ok} served, ${bad} failed; records lost ${lost};" \
     "process forks counted $(metric 'forkscope_forks_total{kind="process"}');" \
     "censuses $(metric forkscope_censuses_total)"
promtool check metrics < "$work/last" && echo "soak: promtool check metrics: ok"
kill -0 $exp || { echo "soak: the exporter died"; exit 1; }
