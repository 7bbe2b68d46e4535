#!/bin/bash
# forkscope as a user installs it. make install / uninstall into a
# DESTDIR; the Debian packages, built once per run from a copy of the
# tree with dpkg-buildpackage, lintian-clean; then installed with dpkg into
# a fresh root, where forkscope --version, man forkscope and the bash
# completion work and DKMS builds the module for the 6.12 and 6.1 guest
# kernels' headers; purged, they leave nothing behind. KTAP output.
#
# The fresh root is this machine's own / under an overlay whose upper
# layer is a tmpfs, in a mount namespace of its own: dpkg, the
# maintainer scripts and DKMS run there as on a Debian 12 machine where
# forkscope was never installed, offline, and the host is left as it
# was. It is not a minimal system: that the packages name every library
# they need is checked apart, against the binary's DT_NEEDED.
# Usage: tests/pkg_test.sh BUILD_DIR   (as root)
set -u
build=$(cd "${1:-build}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src" || exit 1
export LC_ALL=C
tmp=$(mktemp -d /tmp/forkscope-pkg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n '1s/^[^ ]* (\([^)-]*\).*/\1/p' debian/changelog)

. "$(dirname "$0")/tap.sh"

# ok NAME COMMAND...: a test that passes when COMMAND does; its output is
# shown when it fails.
ok() {
	local name=$1 out t=$(date +%s)
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n $name ($(($(date +%s) - t)) s)"
		pass=$((pass + 1))
	else
		printf '%s\n' "$out" | tail -n 40 | sed 's/^/# /'
		echo "not ok $n $name"
		fail=$((fail + 1))
	fi
}

# same EXPECTED GOT: fails showing both when they differ.
same() {
	[ "$1" = "$2" ] && return 0
	diff <(printf '%s\n' "$1") <(printf '%s\n' "$2")
	return 1
}

# --- make install / uninstall -----------------------------------------
# What make install must put under PREFIX: the binary, a man page per
# man/*.scd, the completion, the docs, the exporter's unit and rules.
installed_list() {
	local p=${1#/}
	{
		echo "$p/sbin/forkscope"
		echo "$p/share/bash-completion/completions/forkscope"
		echo "$p/lib/systemd/system/forkscope-exporter.service"
		echo "$p/share/forkscope/forkscope-rules.yml"
		for m in man/*.scd; do
			m=${m#man/}
			echo "$p/share/man/man8/${m%.scd}"
		done
		for d in README.md docs/*.md; do
			echo "$p/share/doc/forkscope/${d#docs/}"
		done
	} | sort
}

files_in() {
	(cd "$1" && find . -type f -o -type l | sed 's|^\./||' | sort)
}

make_install() {
	local d=$tmp/destdir
	rm -rf "$d"
	make -s --no-print-directory O="$build" DESTDIR="$d" "$@" install ||
		return 1
	same "$(installed_list "${PREFIX_WANT}")" "$(files_in "$d")" || return 1
	same "forkscope $version" \
		"$("$d/${PREFIX_WANT#/}/sbin/forkscope" --version | cut -d' ' -f1,2)"
}
PREFIX_WANT=/usr/local ok "make install: PREFIX /usr/local by default" \
	make_install
PREFIX_WANT=/opt/fs ok "make install PREFIX=/opt/fs DESTDIR=..." \
	make_install PREFIX=/opt/fs

make_uninstall() {
	local d=$tmp/destdir
	make -s --no-print-directory O="$build" DESTDIR="$d" PREFIX=/opt/fs \
		uninstall || return 1
	same "" "$(files_in "$d")"
}
ok "make uninstall removes every file install put there" make_uninstall

install_dkms() {
	local d=$tmp/dkmsdir f want
	rm -rf "$d"
	make -s --no-print-directory DESTDIR="$d" install-dkms || return 1
	grep -qx "PACKAGE_VERSION=\"$version\"" \
		"$d/usr/src/forkscope-$version/dkms.conf" || return 1
	want=$( (echo dkms.conf; echo Kbuild; ls kmod/Kbuild kmod/*.[ch] \
		include/forkscope/*.h) | grep -v '\.mod\.c$' | sort)
	same "$want" "$(files_in "$d/usr/src/forkscope-$version")" || return 1
	make -s --no-print-directory DESTDIR="$d" uninstall || return 1
	same "" "$(files_in "$d")"
}
ok "make install-dkms: the module's source, dkms.conf at version $version" \
	install_dkms

# --- the Debian packages ----------------------------------------------
debs=$tmp/debs
arch=$(dpkg --print-architecture)
deb=$debs/forkscope_${version}_$arch.deb
dkms_deb=$debs/forkscope-dkms_${version}_all.deb

# A copy, so the packaging's clean step leaves this tree's builds alone:
# the files git knows (and new ones it does not ignore), or all but BUILD.
copy_tree() {
	mkdir -p "$debs/forkscope-$version"
	if git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files -co --exclude-standard -z | tar --null -T - -cf -
	else
		tar --exclude="./${build#"$src"/}" -cf - .
	fi | tar -xf - -C "$debs/forkscope-$version"
}

build_debs() {
	copy_tree || return 1
	(cd "$debs/forkscope-$version" &&
		DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc) \
		> "$tmp/build.log" 2>&1 || { tail -n 40 "$tmp/build.log"; return 1; }
	ls "$deb" "$dkms_deb"
}
ok "dpkg-buildpackage -us -uc builds forkscope and forkscope-dkms" build_debs

run_lintian() {
	[ -f "$deb" ] || return 1
	# Exit status 0: it read them all and found no error.
	lintian --info --pedantic "$debs/forkscope_${version}_$arch.changes" \
		> "$tmp/lintian" 2>&1 || { cat "$tmp/lintian"; return 1; }
	! grep -q '^E: ' "$tmp/lintian"
}
ok "lintian: no errors (source and binaries)" run_lintian
# Its warnings and notes, for people to read.
grep '^[A-Z]: ' "$tmp/lintian" 2>/dev/null | sed 's/^/# lintian: /'

# Every shared library the binary needs comes from a package it depends on.
depends_cover_needs() {
	local x=$tmp/x lib pkgs bad=""
	dpkg-deb -x "$deb" "$x" || return 1
	depends=$(dpkg-deb -f "$deb" Depends)
	for lib in $(readelf -d "$x/usr/sbin/forkscope" |
		     sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		pkgs=$(dpkg -S "*/$lib" 2>/dev/null | cut -d: -f1 | sort -u)
		[ -n "$pkgs" ] || { bad="$bad $lib(no package)"; continue; }
		for p in $pkgs; do
			case ", $depends" in
			*", $p "* | *", $p,"* | *", $p") continue 2 ;;
			esac
		done
		bad="$bad $lib($pkgs)"
	done
	echo "Depends: $depends"
	same "" "$bad"
}
ok "forkscope depends on every library it loads" depends_cover_needs

# --- a fresh root ------------------------------------------------------
kver() {
	# shellcheck disable=SC2086 # $1 is a pattern
	ls /boot/vmlinuz-$1 2>/dev/null | sort -V | tail -n 1 |
		sed 's|/boot/vmlinuz-||'
}
k612=$(kver '6.12.*-cloud-amd64')
k61=$(kver '6.1.0-*-cloud-amd64')

# Runs in a mount namespace of its own: the overlay, then each step in a
# chroot, its output in $out/STEP and its status in $out/STEP.rc.
cat > "$tmp/root.sh" <<'EOF'
set -u
tmp=$1 version=$2 k612=$3 k61=$4
root=$tmp/root out=$tmp/out
mkdir -p "$tmp/layer" "$root" "$out"
mount -t tmpfs tmpfs "$tmp/layer" || exit 1
mkdir "$tmp/layer/upper" "$tmp/layer/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$tmp/layer/upper,workdir=$tmp/layer/work" \
	"$root" || exit 1
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
mount -t tmpfs tmpfs "$root/tmp"
cp "$tmp"/debs/*.deb "$root/tmp/"

step() {
	local name=$1 t=$(date +%s)
	shift
	chroot "$root" /bin/sh -c "$*" > "$out/$name" 2>&1
	echo $? > "$out/$name.rc"
	echo "# $name: $(($(date +%s) - t)) s"
}

step purge-old "dpkg --purge forkscope forkscope-dkms"
# Each kernel's module is built once, by the dkms build asserted on
# below: the postinst finds no headers to build for.
step hide-headers "for b in /lib/modules/*/build; do mv \$b \$b.hidden; done"
step install "dpkg -i /tmp/forkscope_${version}_*.deb /tmp/forkscope-dkms_${version}_all.deb"
step status "dpkg-query -W -f='\${Package} \${Status}\n' forkscope forkscope-dkms"
step version "forkscope --version"
step man "MANWIDTH=80 man -P cat forkscope"
step man-pages "for c in \$(forkscope --help | sed -n '/^Commands:/,/^\$/s/^  \([a-z-]*\) .*/\1/p'); do man -w forkscope-\$c || echo no page for \$c; done"
step completion "bash -c '. /usr/share/bash-completion/bash_completion; _completion_loader forkscope; complete -p forkscope'"
step dkms-added "dkms status forkscope"
step restore-headers "for b in /lib/modules/*/build.hidden; do mv \$b \${b%.hidden}; done"
for k in "$k612" "$k61"; do
	step "dkms-build-$k" "dkms build -m forkscope -v $version -k $k --kernelsourcedir /usr/src/linux-headers-$k || { tail -n 30 /var/lib/dkms/forkscope/$version/build/make.log; false; }"
	step "vermagic-$k" "modinfo -F vermagic \$(find /var/lib/dkms/forkscope/$version/$k -name 'forkscope.ko*')"
done
step dkms-install "dkms install -m forkscope -v $version -k $k612 && modinfo -F filename -k $k612 forkscope"
step purge "dpkg --purge forkscope forkscope-dkms"
step leftovers "ls -d /usr/sbin/forkscope /usr/src/forkscope-* /var/lib/dkms/forkscope /usr/share/man/man8/forkscope* /usr/share/bash-completion/completions/forkscope /usr/share/doc/forkscope* /usr/share/forkscope /lib/systemd/system/forkscope-exporter.service /lib/modules/*/updates/dkms/forkscope.ko* 2>/dev/null"
EOF

root_ready=no
if [ -z "$k612" ] || [ -z "$k61" ]; then
	echo "# no 6.12 or 6.1 cloud kernel in /boot: run scripts/deps.sh vm"
elif [ -f "$deb" ]; then
	unshare --mount --propagation private bash "$tmp/root.sh" "$tmp" \
		"$version" "$k612" "$k61" && root_ready=yes
fi

# step_ok STEP: the step exited 0; its output is shown.
step_ok() {
	[ "$root_ready" = yes ] || { echo "no fresh root"; return 1; }
	cat "$tmp/out/$1"
	[ "$(cat "$tmp/out/$1.rc")" = 0 ]
}
installed() {
	step_ok install && step_ok status &&
	same "forkscope install ok installed
forkscope-dkms install ok installed" "$(cat "$tmp/out/status")"
}
ok "fresh root: dpkg -i installs both packages" installed
fresh_version() {
	step_ok version &&
	same "forkscope $version" "$(cut -d' ' -f1,2 "$tmp/out/version")"
}
ok "fresh root: forkscope --version says $version" fresh_version
fresh_man() {
	step_ok man >/dev/null && cat "$tmp/out/man" | head -n 5 &&
	grep -q "forkscope - see every process born" "$tmp/out/man" &&
	grep -q "forkscope-trace(8)" "$tmp/out/man" &&
	step_ok man-pages && ! grep -q 'no page' "$tmp/out/man-pages"
}
ok "fresh root: man forkscope, and a page per command" fresh_man
fresh_completion() {
	step_ok completion &&
	same "complete -F _forkscope forkscope" "$(cat "$tmp/out/completion")"
}
ok "fresh root: bash completion loads for forkscope" fresh_completion
ok "fresh root: the postinst added the module to DKMS" \
	eval 'step_ok dkms-added && grep -q "^forkscope/$version" "$tmp/out/dkms-added"'
for k in "$k612" "$k61"; do
	[ -n "$k" ] || continue
	ok "dkms build -k $k --kernelsourcedir its headers" step_ok "dkms-build-$k"
	ok "the module built for $k is for $k" eval \
		"step_ok vermagic-$k && grep -q '^$k ' '$tmp/out/vermagic-$k'"
done
ok "dkms install puts it in $k612's updates/dkms" eval \
	'step_ok dkms-install && grep -q "/lib/modules/$k612/updates/dkms/forkscope.ko" "$tmp/out/dkms-install"'
purged() {
	step_ok purge || return 1
	echo "left behind:"
	cat "$tmp/out/leftovers"
	[ ! -s "$tmp/out/leftovers" ]
}
ok "dpkg --purge leaves nothing of forkscope behind" purged

totals
[ "$fail" -eq 0 ]
