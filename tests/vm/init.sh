#!/bin/sh
# /init of the test guests: mount what forkscope needs, run the suites
# listed in /suites, write their KTAP output to the second serial port and
# hand the failure count back through isa-debug-exit.
export PATH=/bin:/sbin:/usr/bin FORKSCOPE=/bin/forkscope FORKSCOPE_KO=/forkscope.ko
# Tests size long storms down under TCG, several times slower than a host.
export FORKSCOPE_EMULATED=1
export FORKSCOPE_KO_PARAMS="$(cat /modparams 2>/dev/null)"
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tracefs tracefs /sys/kernel/tracing
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs tmp /tmp
# Loopback, for the exporter's HTTP (busybox's ip).
ip link set lo up
out=/dev/ttyS1
echo "# guest kernel $(uname -r)" > $out
[ -f /forkscope.ko ] && insmod /forkscope.ko $(cat /modparams 2>/dev/null) >> $out 2>&1
failed=0
# /suites: "SOURCE:SUITE" words; kmod ones only run when the module loaded
for s in $(cat /suites); do
	src=${s%%:*} t=${s#*:}
	if [ "$src" = kmod ] && [ ! -e /dev/forkscope ]; then
		echo "# suite $t ($src): no /dev/forkscope" > $out
		failed=$((failed + 1))
		continue
	fi
	echo "# suite $t ($src)" > $out
	FORKSCOPE_SOURCE=$src "/tests/$t" > /tmp/log 2>&1
	cat /tmp/log > $out
	grep -q '^# Totals:' /tmp/log || failed=$((failed + 1))
	grep -q '^# Totals:.* fail:0 .*error:0' /tmp/log || failed=$((failed + 1))
done
dmesg | grep -E 'BUG|WARNING|Oops|forkscope' > /tmp/dmesg
if grep -qE 'BUG|WARNING|Oops' /tmp/dmesg; then
	echo "# kernel complained:" > $out
	cat /tmp/dmesg > $out
	failed=$((failed + 1))
fi
echo "FORKSCOPE-VM-DONE failed=$failed" > $out
/bin/vmexit $failed
poweroff -f
