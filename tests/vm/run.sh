#!/bin/sh
# Boots a Debian cloud kernel under QEMU (TCG) with an initramfs of
# busybox, forkscope and the test binaries, runs the suites there and
# prints their KTAP output. Exit status 0 only if every suite passed.
# Usage: tests/vm/run.sh BUILD_DIR 6.12|6.1 [SOURCE:SUITE...]
#   SOURCE is bpf or kmod (the module is loaded when one asks for it)
set -eu
build=$1 series=$2
shift 2
suites=${*:-"bpf:lifecycle_test bpf:cow_test bpf:model_test"}
here=$(cd "$(dirname "$0")" && pwd)

kernel_version() {
	case "$1" in
	6.12) ls /boot/vmlinuz-6.12.*-cloud-amd64 2>/dev/null | sort -V | tail -n1 ;;
	6.1) ls /boot/vmlinuz-6.1.0-*-cloud-amd64 2>/dev/null | sort -V | tail -n1 ;;
	esac | sed 's|/boot/vmlinuz-||'
}

ver=$(kernel_version "$series")
if [ -z "$ver" ]; then
	echo "# vm: no $series cloud kernel in /boot: run scripts/deps.sh vm" >&2
	exit 1
fi
work=$(mktemp -d /tmp/forkscope-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/bin" "$root/tests" "$root/lib64" "$root/lib/x86_64-linux-gnu" \
	"$root/proc" "$root/sys" "$root/dev" "$root/tmp"

# busybox and its applets, but not a link named busybox to itself
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
done
cp "$build/forkscope" "$build/storm" "$build/vmexit" "$root/bin/"
for s in $suites; do cp "$build/tests/${s#*:}" "$root/tests/"; done
# stacks_test's parents, beside it as in the build
case "$suites" in
*stacks_test*) cp -r "$build/tests/progs" "$root/tests/" ;;
esac
echo "$suites" > "$root/suites"
case "$suites" in
*kmod:*)
	if [ ! -f "$build/kmod/$ver/forkscope.ko" ]; then
		echo "# vm: no $build/kmod/$ver/forkscope.ko: run make kmods" >&2
		exit 1
	fi
	cp "$build/kmod/$ver/forkscope.ko" "$root/"
	;;
esac
install -m 755 "$here/init.sh" "$root/init"
[ -n "${FORKSCOPE_KO_PARAMS:-}" ] && echo "$FORKSCOPE_KO_PARAMS" > "$root/modparams"

# the shared libraries the binaries need, where the loader looks
for f in "$root"/bin/forkscope "$root"/tests/*; do
	ldd "$f" | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'
done | sort -u | while read -r lib; do
	case "$lib" in
	*ld-linux*) cp -L "$lib" "$root/lib64/" ;;
	/*) cp -L "$lib" "$root/lib/x86_64-linux-gnu/" ;;
	esac
done

# dlopen()ed by glibc for pthread_exit and cancellation, so ldd omits it
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/lib/x86_64-linux-gnu/"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"

# Multi-threaded TCG does not make one vCPU see another's text patching
# (jump labels, static calls: a module loading or unloading tracepoint
# probes) the way x86 hardware does: seen here as oopses in the middle of
# a patched NOP. Single-threaded TCG keeps both vCPUs and is coherent.
accel=tcg,thread=single

start=$(date +%s)
set +e
timeout 600 qemu-system-x86_64 -accel "$accel" -cpu max -smp 2 -m 2G \
	-kernel "/boot/vmlinuz-$ver" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 quiet" -no-reboot \
	-display none -monitor none \
	-serial "file:$work/console.log" -serial "file:$work/results.log" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
rc=$?
set -e
echo "# vm $ver: qemu exited $rc after $(( $(date +%s) - start )) s"
cat "$work/results.log" 2>/dev/null || true
if ! grep -q FORKSCOPE-VM-DONE "$work/results.log" 2>/dev/null; then
	echo "# vm $ver: the guest never reported; its console:"
	tail -n 40 "$work/console.log"
	exit 1
fi
# isa-debug-exit: (failed << 1) | 1
[ "$rc" -eq 1 ]
