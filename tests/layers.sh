#!/bin/sh
# The layers hold: every header of cli/LAYER/ builds on its own from each
# layer that may see it, and from no other (views never see sources, so
# not the session either). KTAP output.
# Usage: tests/layers.sh BUILD_DIR
set -u
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s --no-print-directory O="$build" layer-incs > "$tmp/incs" || exit 1
n=$(wc -l < "$tmp/incs")
echo "TAP version 13"
echo "1..$n"
pass=0 fail=0 i=0
while read -r layer incs; do
	i=$((i + 1))
	bad=""
	for h in cli/*/*.h; do
		owner=$(basename "$(dirname "$h")")
		case " $incs " in
		*" -Icli/$owner "*) want=ok ;;
		*) want=refused ;;
		esac
		# A session reads a source: views are handed its model instead.
		[ "$layer" = view ] && [ "$h" = cli/model/session.h ] && want=refused
		printf '#include "%s"\n' "$(basename "$h")" > "$tmp/t.c"
		if gcc -fsyntax-only -std=gnu11 -D_GNU_SOURCE -Iinclude $incs \
			"$tmp/t.c" 2> /dev/null; then got=ok; else got=refused; fi
		[ "$got" = "$want" ] || bad="$bad $h($got)"
	done
	if [ -z "$bad" ]; then
		echo "ok $i $layer sees its own and the lower layers' headers, no other"
		pass=$((pass + 1))
	else
		echo "# $layer: wrong:$bad"
		echo "not ok $i $layer sees its own and the lower layers' headers, no other"
		fail=$((fail + 1))
	fi
done < "$tmp/incs"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" -eq 0 ]
