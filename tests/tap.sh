# The shell suites' KTAP, sourced by tests/*_test.sh (bash): check and
# ok count and print each test, totals ends the run as tests/run.sh reads
# it.
echo "TAP version 13"
n=0 pass=0 fail=0

# check NAME EXPECTED GOT
check() {
	n=$((n + 1))
	if [[ $2 == "$3" ]]; then
		echo "ok $n $1"
		pass=$((pass + 1))
	else
		echo "# expected:"
		printf '%s\n' "$2" | sed 's/^/#   /'
		echo "# got:"
		printf '%s\n' "$3" | sed 's/^/#   /'
		echo "not ok $n $1"
		fail=$((fail + 1))
	fi
}

# totals: the plan and the line tests/run.sh adds up.
totals() {
	echo "1..$n"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
}
