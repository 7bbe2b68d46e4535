#!/bin/sh
# Installs the Debian packages forkscope needs to build, run and test.
# Idempotent: a fresh machine gets everything, a set-up one gets nothing.
# Usage: scripts/deps.sh [build|pkg|test|vm|bench]...   (default: build)
set -eu

# protobuf-c: the Perfetto export's messages (protoc-c compiles them).
# xxd: export --html's page is compiled in as C arrays (Makefile).
# scdoc turns man/*.scd into man pages. libmicrohttpd: the exporter's HTTP.
# libdw: --stacks unwinds and names fork stacks; binutils (objcopy, strip,
# readelf): stacks_test's stripped program and its separate debug file.
pkgs_build="clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev
	pkg-config make gcc libprotobuf-c-dev protobuf-c-compiler xxd scdoc
	libmicrohttpd-dev libdw-dev binutils"
# json-c: the suites parse forkscope's JSON with a parser it does not use;
# protoc reads the Perfetto export back as text; html_test looks at export
# --html's page in a headless chromium, its screenshot's text drawn in
# DejaVu; bash-completion: docs_test drives the completion through its
# helpers; tmux and python3: screen_test reads cow's and tree -f's screens
# in a real terminal, its COW workload in python; clang's runtime
# (libFuzzer, the sanitizers) for make fuzz. The
# rest: pkg_test lints the Debian packages, installs them and builds the
# module through DKMS (the kernels' headers: vm). exporter_test scrapes
# with curl and checks with promtool and a real Prometheus (Debian's
# prometheus ships both).
pkgs_test="linux-source-6.12 xz-utils libjson-c-dev protobuf-compiler chromium
	fonts-dejavu-core bash-completion dkms lintian man-db libclang-rt-14-dev
	prometheus curl tmux python3"
# dpkg-buildpackage -us -uc -b, with the build set.
pkgs_pkg="dpkg-dev debhelper dh-dkms"
pkgs_vm="qemu-system-x86 busybox-static cpio gzip libc6-dev
	linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64"
# The tools a user would run instead, measured beside forkscope; gnuplot
# draws the chart, python3 counts what each tool saw.
pkgs_bench="forkstat bpftrace libbpf-tools linux-perf gnuplot-nox python3"

# Debian's 6.1 cloud kernel has an ABI number in its name: take the newest.
kernel_61() {
	apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' |
		awk '{ print $1 }' | sort -V | tail -n 1
}

want=""
[ $# -eq 0 ] && set -- build
for set in "$@"; do
	case "$set" in
	build) want="$want $pkgs_build" ;;
	pkg)   want="$want $pkgs_build $pkgs_pkg" ;;
	test)  want="$want $pkgs_build $pkgs_pkg $pkgs_test" ;;
	bench) want="$want $pkgs_build $pkgs_bench" ;;
	vm)
		k61=$(kernel_61)
		if [ -z "$k61" ] && [ "$(id -u)" -eq 0 ]; then
			apt-get update -q >/dev/null
			k61=$(kernel_61)
		fi
		want="$want $pkgs_vm $k61 $(echo "$k61" | sed 's/image/headers/')"
		;;
	*) echo "deps.sh: unknown package set '$set'" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing; run as root to install them" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
