#!/bin/bash
# The Debian packages (make deb), installed the way a user installs them, in
# a throwaway Debian 12 root: apt-get install ./*.deb there has DKMS build
# zcopy.ko for Debian's stock kernels, whose headers are installed in it;
# then what went where is checked, the modules and zcopyctl are kept for the
# QEMU boots (tests/check-dkms.sh), and a purge must remove it all again.
#
#   deb-chroot.sh OUTDIR DEBDIR KVER=VERSION...
#
# KVER=VERSION: a kernel release and the version of its linux-headers-KVER
# package (linux-image-KVER-unsigned comes along where the headers need it).
# Prints PASS/FAIL lines (kernel ones name the kernel); leaves
# OUTDIR/KVER/zcopy.ko (as DKMS installed it), OUTDIR/zcopyctl and the logs.
#
# The root: debootstrap --variant=minbase of bookworm from the host's own
# Debian mirror, with dkms, the headers and what the checks use installed,
# made once and cached in ~/.cache/zcopy/debroot-KEY (KEY: a hash of the
# package list, their versions and the apt sources), then used per run
# through an overlay (or a copy, where overlayfs cannot be mounted), so the
# cached root stays pristine.  Nothing touches the host's kernel, /boot,
# /lib/modules, DKMS state or packages; /proc, /sys and /dev are mounted in
# the root while it is used and unmounted on any exit.
set -uo pipefail

out=$1 debdir=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${ZCOPY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zcopy}
suite=bookworm
version=$(sed -n 's/^#define ZCOPY_VERSION[[:space:]]*"\(.*\)"/\1/p' "$top/module/zcopy.h")

result() {	# NAME STATUS [WHY]
	if [ "$2" -eq 0 ]; then echo "PASS host/deb-$1"; else
		echo "FAIL host/deb-$1: $(echo "${3:-}" | tr '\n' ' ' | cut -c1-400)"; fi
}
die() { echo "deb-chroot: $*" >&2; exit 1; }
# shellcheck source=tests/dkms-module-checks.sh
. "$top/tests/dkms-module-checks.sh"

kernels=() specs=()
for kv in "$@"; do
	k=${kv%%=*} v=${kv#*=}
	kernels+=("$k")
	specs+=("linux-headers-$k=$v")
	# Headers that depend on their image (the 6.12 backport) get it.
	if apt-cache show "linux-headers-$k=$v" 2>/dev/null | grep -q "^Depends:.*linux-image-$k"; then
		specs+=("linux-image-$k-unsigned=$v")
	fi
done
# What the packages and the checks use besides: openssl (DKMS's signing
# key), libc6-dev and pkgconf (a program built with libzcopy-dev),
# systemd-standalone-sysusers (zcopy-tools' group; the alternative to all
# of systemd that its Depends allows).  All of it is in the cached root:
# installing the packages downloads nothing.
extra=(dkms openssl libc6-dev pkgconf systemd-standalone-sysusers)
specs+=("${extra[@]}")

# ---- the host's apt sources for $suite, and its mirror -------------------------

# The entries of the host's sources that are for $suite (not, say, a
# vendor's "cloud-sdk-bookworm"), in one-line format.
host_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && grep -E "^deb[[:space:]].*[[:space:]]$suite(-[a-z]+)?[[:space:]]" "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && awk -v suite="$suite" '
			function flush(  i, n, s, ok) {
				if (types ~ /(^| )deb( |$)/ && uris != "") {
					n = split(suites, s, " ")
					for (i = 1; i <= n; i++)
						if (s[i] ~ ("^" suite "(-[a-z]+)?$"))
							print "deb" (signed != "" ? " [signed-by=" signed "]" : "") " " uris " " s[i] " " comps
				}
				types = uris = suites = comps = signed = ""
			}
			/^[[:space:]]*$/ { flush(); next }
			/^#/ { next }
			/^Types:/ { sub(/^Types:[[:space:]]*/, ""); types = $0 }
			/^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); uris = $1 }
			/^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
			/^Components:/ { sub(/^Components:[[:space:]]*/, ""); comps = $0 }
			/^Signed-By:/ { sub(/^Signed-By:[[:space:]]*/, ""); signed = $1 }
			END { flush() }' "$f"
	done
}
sources=$(host_sources | sort -u)
mirror=$(echo "$sources" | awk -v s="$suite" '{ for (i = 2; i <= NF; i++) if ($i == s) { print $(i - 1); exit } }')
[ -n "$mirror" ] || die "no '$suite' entry in the host's apt sources"

# ---- the cached base root ---------------------------------------------------------

# The key: what the root is made of, from this script's arguments and
# constants only (not from apt's lists, which another apt-get update may
# have half-written at the time).  Raise "recipe" when the making changes.
key=$(printf '%s\n' recipe=2 "$suite" minbase "$@" "${extra[@]}" "$sources" | sha256sum | cut -c1-16)
base=$cache/debroot-$key
# umount_under DIR: whatever an earlier run, killed, left mounted below DIR.
umount_under() {
	local m
	awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
}
mkdir -p "$out"
umount_under "$out"
rm -rf --one-file-system "${out:?}"/*

root=$out/root
mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" 2>/dev/null
	done
	mounted=()
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mount_api() {	# ROOT: /proc, /sys, /dev and /dev/pts in ROOT
	mount -t proc proc "$1/proc" && mounted+=("$1/proc") &&
	mount -t sysfs sysfs "$1/sys" && mounted+=("$1/sys") &&
	mount --bind /dev "$1/dev" && mounted+=("$1/dev") &&
	mount -t devpts devpts "$1/dev/pts" && mounted+=("$1/dev/pts")
}
in_root() {	# ROOT COMMAND...: COMMAND in ROOT, in a clean environment
	local r=$1
	shift
	chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

if [ ! -f "$base/.complete" ]; then
	echo "deb-chroot: making a $suite root (debootstrap from $mirror; once, cached in $base)"
	# Roots of other package lists are out of date: only the newest is kept.
	for d in "$cache"/debroot-*; do
		[ -d "$d" ] && umount_under "$d" && rm -rf --one-file-system "$d"
	done
	tmp=$base.tmp
	mkdir -p "$tmp"
	debootstrap --variant=minbase "$suite" "$tmp" "$mirror" >"$out/debootstrap.log" 2>&1 ||
		die "debootstrap failed: $(tail -n 5 "$out/debootstrap.log")"
	echo "$sources" >"$tmp/etc/apt/sources.list"
	# No daemons start in the root.
	printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
	chmod 755 "$tmp/usr/sbin/policy-rc.d"
	# The 6.12 image comes with initramfs-tools, whose initrd for this
	# root's /boot no one boots (QEMU boots tests/qemu's): not made.
	if ! in_root "$tmp" dpkg-divert --local --rename --add /usr/sbin/update-initramfs >/dev/null ||
		! ln -s /bin/true "$tmp/usr/sbin/update-initramfs"; then
		die "cannot divert update-initramfs in $tmp"
	fi
	mount_api "$tmp" || die "cannot mount /proc, /sys, /dev in $tmp"
	{ in_root "$tmp" apt-get update &&
	  in_root "$tmp" apt-get install -y --no-install-recommends "${specs[@]}" &&
	  in_root "$tmp" apt-get clean; } >"$out/base-install.log" 2>&1
	rc=$?
	cleanup
	[ $rc -eq 0 ] || die "installing ${specs[*]} in the root failed: $(tail -n 5 "$out/base-install.log")"
	rm -rf "${tmp:?}"/tmp/*
	printf '%s\n' "${specs[@]}" >"$tmp/.zcopy-specs"
	mv "$tmp" "$base" && echo "$key" >"$base/.complete"
fi

# ---- this run's root: an overlay over the cached one -----------------------------

mkdir -p "$root" "$out/upper" "$out/work"
if mount -t overlay overlay -o "lowerdir=$base,upperdir=$out/upper,workdir=$out/work" "$root" 2>/dev/null; then
	mounted+=("$root")
else
	cp -a "$base/." "$root/" || die "cannot copy $base"
fi
mount_api "$root" || die "cannot mount /proc, /sys, /dev in $root"

# ---- install ------------------------------------------------------------------------

debs=()
for d in "$debdir"/*.deb; do
	case $d in *-dbgsym_*) continue ;; esac
	debs+=("$(basename "$d")")
done
pkgs=()
for d in "${debs[@]}"; do pkgs+=("${d%%_*}"); done
mkdir -p "$root/tmp/debs"
cp "${debs[@]/#/$debdir/}" "$root/tmp/debs/"
in_root "$root" sh -c "cd /tmp/debs && apt-get install -y --no-install-recommends $(printf './%s ' "${debs[@]}")" \
	>"$out/install.log" 2>&1
result installed $? "apt-get install ${debs[*]}: $(tail -n 5 "$out/install.log")"
# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
status=$(in_root "$root" dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${pkgs[@]}" 2>&1)
bad=$(echo "$status" | grep -v ' ii *$')
[ -z "$bad" ] && [ "$(echo "$status" | wc -l)" -eq "${#pkgs[@]}" ]
result packages-configured $? "$status"

# ---- DKMS, per kernel --------------------------------------------------------------

for k in "${kernels[@]}"; do
	mkdir -p "$out/$k"
	ko=$(find "$root/lib/modules/$k/updates/dkms" -name 'zcopy.ko*' 2>/dev/null | head -n 1)
	if [ -z "$ko" ]; then
		# The postinst builds for the kernels in /lib/modules when uname -r
		# (the host's) is not one of them; else only for uname -r and the
		# newest: what it left out, "dkms autoinstall -k" builds.
		echo "deb-chroot: the postinst did not build for $k: dkms autoinstall -k $k"
		in_root "$root" dkms autoinstall -k "$k" >"$out/$k/autoinstall.log" 2>&1
		ko=$(find "$root/lib/modules/$k/updates/dkms" -name 'zcopy.ko*' 2>/dev/null | head -n 1)
	fi
	[ -n "$ko" ] || echo "deb-chroot: no zcopy.ko for $k: $(tail -n 5 "$out/install.log")"
	st=$(in_root "$root" dkms status -m zcopy -v "$version" -k "$k" 2>&1)
	echo "$st" | grep -q ': installed'
	result "dkms-status-installed-$k" $? "$st"
	mklog=$root/var/lib/dkms/zcopy/$version/$k/x86_64/log/make.log
	cp "$mklog" "$out/$k/make.log" 2>/dev/null
	dkms_module_checks dkms- "$k" "$mklog" "$ko" "$version" || continue
	cp "$ko" "$out/$k/"
	grep -q '^updates/dkms/zcopy\.ko' "$root/lib/modules/$k/modules.dep"
	result "depmod-knows-zcopy-$k" $? "zcopy.ko not in /lib/modules/$k/modules.dep"
done

# ---- files in place ------------------------------------------------------------------

ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
missing=
for f in /usr/bin/zcopyctl /lib/udev/rules.d/60-zcopy.rules /usr/lib/sysusers.d/zcopy.conf \
	/usr/share/man/man1/zcopyctl.1.gz /usr/share/man/man4/zcopy.4.gz \
	"/usr/src/zcopy-$version/dkms.conf" "/usr/src/zcopy-$version/module/main.c" \
	/usr/include/zcopy/libzcopy.h /usr/include/zcopy/linux/zcopy.h \
	"/usr/lib/$ma/zcopy/libzcopy-sendfile.so" /usr/share/man/man7/zcopy-sendfile.7.gz; do
	[ -e "$root$f" ] || missing="$missing $f"
done
[ -z "$missing" ]
result files-in-place $? "missing:$missing"
grep -qx "PACKAGE_VERSION=\"$version\"" "$root/usr/src/zcopy-$version/dkms.conf"
result dkms-conf-version $? "$(grep PACKAGE_VERSION "$root/usr/src/zcopy-$version/dkms.conf")"
grp=$(in_root "$root" getent group zcopy)
[ -n "$grp" ]
result sysusers-made-group-zcopy $? "no group zcopy"
help=$(in_root "$root" zcopyctl --help 2>&1)
rc=$?
[ "$rc" -eq 0 ] && [ -n "$help" ]
result zcopyctl-runs $? "$help"
cp "$root/usr/bin/zcopyctl" "$out/zcopyctl"
# The sendfile interposer the guests preload into nginx.
cp "$root/usr/lib/$ma/zcopy/libzcopy-sendfile.so" "$out/libzcopy-sendfile.so"
# libzcopy0's library too, where it is (for the guest's zcopyctl).
if compgen -G "$root/usr/lib/$ma/libzcopy.so.0*" >/dev/null; then
	mkdir -p "$out/libroot/usr/lib/$ma"
	cp -a "$root/usr/lib/$ma"/libzcopy.so.0* "$out/libroot/usr/lib/$ma/"
fi
# A program built against libzcopy-dev, through pkg-config.
cat >"$root/tmp/uses-libzcopy.c" <<'C'
#include <libzcopy.h>
#include <stdio.h>

int main(void)
{
	printf("%s\n", zcopy_method_name(ZCOPY_METHOD_PAGES));
	return 0;
}
C
# shellcheck disable=SC2016 # the root's shell expands it
# (gcc-12 is the compiler the kernel headers bring; "gcc" is not there.)
ccout=$(in_root "$root" sh -c 'cd /tmp && cc=$(command -v gcc || command -v gcc-12) && $cc $(pkg-config --cflags zcopy) -o uses-libzcopy uses-libzcopy.c $(pkg-config --libs zcopy) && ./uses-libzcopy' 2>&1)
[ "$ccout" = pages ]
result libzcopy-dev-builds-a-program $? "$ccout"

# dpkg -L: each package's list names what it must hold, and all it names exists.
declare -A want=(
	[zcopy-dkms]="/usr/src/zcopy-$version/dkms.conf /usr/src/zcopy-$version/module/Kbuild /usr/src/zcopy-$version/uapi/linux/zcopy.h"
	[zcopy-tools]="/usr/bin/zcopyctl /lib/udev/rules.d/60-zcopy.rules /usr/lib/sysusers.d/zcopy.conf /usr/share/man/man1/zcopyctl.1.gz /usr/share/man/man4/zcopy.4.gz /usr/lib/$ma/zcopy/libzcopy-sendfile.so /usr/share/man/man7/zcopy-sendfile.7.gz"
	[libzcopy-dev]="/usr/include/zcopy/libzcopy.h /usr/include/zcopy/linux/zcopy.h"
	[libzcopy0]="/usr/lib/$ma/libzcopy.so.0"
)
allfiles=$out/dpkg-L.txt
: >"$allfiles"
for p in "${pkgs[@]}"; do
	list=$(in_root "$root" dpkg -L "$p" 2>&1)
	echo "$list" | awk -v p="$p: " '{ print p $0 }' >>"$allfiles"
	bad=
	for f in ${want[$p]:-}; do echo "$list" | grep -qx "$f" || bad="$bad missing $f;"; done
	while read -r f; do
		[ -e "$root$f" ] || [ -L "$root$f" ] || bad="$bad $f listed, absent;"
	done <<<"$list"
	# The object files of a developer's build never go in.
	echo "$list" | grep -E '\.(o|ko|cmd|mod)$' | grep -q . && bad="$bad build objects: $(echo "$list" | grep -E '\.(o|ko|cmd|mod)$' | head -n 3);"
	[ -z "$bad" ]
	result "dpkg-L-$p" $? "$bad"
done

# ---- purge: all of it goes ---------------------------------------------------------

in_root "$root" apt-get purge -y "${pkgs[@]}" >"$out/purge.log" 2>&1
result purged $? "$(tail -n 5 "$out/purge.log")"
left=$({
	sed 's/^[^:]*: //' "$allfiles" | while read -r f; do
		[ -d "$root$f" ] && continue	# directories others own too
		{ [ -e "$root$f" ] || [ -L "$root$f" ]; } && echo "$f"
	done
	find "$root/lib/modules" -name 'zcopy.ko*' 2>/dev/null
	find "$root/var/lib/dkms" "$root/usr/src" -maxdepth 1 -name 'zcopy*' 2>/dev/null
} | sed "s|^$root||")
[ -z "$left" ]
result purge-removes-everything $? "left: $left"
# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
st=$(in_root "$root" dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${pkgs[@]}" 2>&1 |
	grep -v -e ' [pu]n *$' -e '^dpkg-query: no packages found matching ')
[ -z "$st" ]
result purge-leaves-no-package-state $? "$st"
exit 0
