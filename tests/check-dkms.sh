#!/bin/bash
# make check-dkms: install zcopy the way a user's machine does, through DKMS,
# for Debian's stock kernels (6.1, the bookworm default, and the newest 6.12
# backport), then boot each stock kernel under QEMU with the DKMS-built module
# and run the guest tests on it.  Ends with "N passed, N failed".
#
# Two installs: "make dkms-install" on the host, into throwaway DKMS trees,
# for the 6.1 kernel; and the Debian packages (make deb, then
# tests/deb-chroot.sh), installed with apt-get in a throwaway Debian 12 root
# that has both kernels' headers, where the packages' postinst has DKMS
# build the module for both.  The kernels boot with the packaged module and
# the packaged zcopyctl.
#
# Nothing touches the host's kernel, /boot, /lib/modules, DKMS state or
# installed packages: the kernel packages are downloaded and extracted into
# the cache (~/.cache/zcopy/stock/RELEASE), DKMS works in throwaway trees
# under build/dkms, and its signing key is made there too; the Debian root
# is cached in ~/.cache/zcopy/debroot-KEY and used through an overlay in
# build/dkms/deb.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build/dkms
cache=${ZCOPY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zcopy}/stock
timeout=${ZCOPY_CHECK_TIMEOUT:-1800}
# Seconds of randomized ioctl stress per kernel (make check runs 60).
stress_s=${ZCOPY_DKMS_STRESS:-30}
version=$(sed -n 's/^#define ZCOPY_VERSION[[:space:]]*"\(.*\)"/\1/p' "$top/module/zcopy.h")
# What the guest loads before it mounts its disk (stock kernels build these
# as modules); their dependencies come along.
# The test world's filesystems and NICs (tests/qemu/init) come from modules
# too; one a kernel lacks is left out, and the guest tests that need it are
# not registered there.
stock_modules="virtio_pci virtio_blk ext4 xfs overlay e1000 virtio_net nd_e820 nd_pmem"

ZCOPY_EXTRA_PKGS="dkms pahole ${ZCOPY_EXTRA_PKGS:-}" "$top/tests/install-deps.sh" || exit 1
# A run killed inside the Debian root leaves /proc, /sys, /dev mounted there:
# unmounted before anything is removed, and rm stays on this filesystem.
awk -v d="$build/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
	while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
rm -rf --one-file-system "$build"
mkdir -p "$build" "$cache"
hostlog=$build/host.log
: >"$hostlog"
result() {	# NAME STATUS [WHY]: a PASS/FAIL line for judge.sh, in the host log
	if [ "$2" -eq 0 ]; then echo "PASS $1"; else echo "FAIL $1: ${3:-}"; fi |
		tee -a "$hostlog"
}
die() { echo "check-dkms: $*" >&2; exit 1; }
# shellcheck source=tests/dkms-module-checks.sh
. "$top/tests/dkms-module-checks.sh"

# ---- the stock kernels -------------------------------------------------------

# Candidate version of a package, from apt's lists (updated once if empty).
candidate() {
	local v
	v=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		apt-get update -qq >&2 || return 1
		v=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	fi
	[ -n "$v" ] && [ "$v" != "(none)" ] && echo "$v"
}

# fetch KVER VERSION PACKAGE...: download the packages at VERSION and extract
# them into $cache/KVER/root, once.  Never installed: dpkg-deb -x only.
fetch() {
	local kver=$1 ver=$2 dir=$cache/$1
	shift 2
	if [ "$(cat "$dir/.complete" 2>/dev/null)" = "$ver $*" ]; then return 0; fi
	echo "check-dkms: downloading and extracting $* ($ver)"
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$dir/root"
	local p pkgs=()
	for p in "$@"; do pkgs+=("$p=$ver"); done
	(cd "$dir/debs" && apt-get download -q=2 "${pkgs[@]}" 2>&1 |
		grep -v 'Download is performed unsandboxed') || true
	for p in "$@"; do
		ls "$dir/debs/${p}_"*.deb >/dev/null 2>&1 || { echo "check-dkms: apt-get download $p=$ver failed" >&2; return 1; }
	done
	for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root" || return 1; done
	rm -rf "$dir/debs"
	# Headers extracted here name their common half by absolute path.
	local mk
	for mk in "$dir"/root/usr/src/linux-headers-*/Makefile; do
		[ -f "$mk" ] && sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" "$mk"
	done
	depmod -b "$dir/root" "$kver" || return 1
	echo "$ver $*" >"$dir/.complete"
}

# 6.1: what linux-headers-amd64 (installed by install-deps.sh) points at; its
# headers are the installed ones, the image the same version, downloaded.
dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | tr ',' '\n' |
	sed -n 's/^ *linux-headers-\([^ ]*\) (= \(.*\))$/\1 \2/p' | head -n 1)
k61=${dep% *} v61=${dep#* }
if [ -z "$k61" ] || [ -z "$v61" ]; then
	die "cannot tell which kernel linux-headers-amd64 is for"
fi
fetch "$k61" "$v61" "linux-image-$k61-unsigned" || die "no linux-image-$k61-unsigned $v61"
ksrc61=/usr/src/linux-headers-$k61
root61=$cache/$k61/root

# 6.12: the newest bookworm backport.  Its headers package depends on the
# image, so it is extracted rather than installed.
k612=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
	cut -d' ' -f1 | sed 's/^linux-headers-//' | sort -V | tail -n 1)
if [ -z "$k612" ]; then
	apt-get update -qq
	k612=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
		cut -d' ' -f1 | sed 's/^linux-headers-//' | sort -V | tail -n 1)
fi
[ -n "$k612" ] || die "no linux-headers-6.12.*+deb12-amd64 in apt's lists"
v612=$(candidate "linux-headers-$k612") || die "no version of linux-headers-$k612"
kbuild612=$(apt-cache show "linux-headers-$k612=$v612" | sed -n 's/^Depends: .*\(linux-kbuild-[^ ,]*\).*/\1/p' | head -n 1)
common612=$(apt-cache show "linux-headers-$k612=$v612" | sed -n 's/^Depends: .*\(linux-headers-[^ ,]*-common\).*/\1/p' | head -n 1)
fetch "$k612" "$v612" "linux-image-$k612-unsigned" "linux-headers-$k612" \
	"$common612" "$kbuild612" || die "cannot fetch the $k612 packages"
root612=$cache/$k612/root
ksrc612=$root612/usr/src/linux-headers-$k612

kernels=("$k61" "$k612")
declare -A ksrc=(["$k61"]=$ksrc61 ["$k612"]=$ksrc612)
declare -A kroot=(["$k61"]=$root61 ["$k612"]=$root612)

# ---- DKMS, in throwaway trees -------------------------------------------------

tree=$build/tree src=$build/src inst=$build/install
mkdir -p "$tree" "$src"
for k in "${kernels[@]}"; do mkdir -p "$inst/$k"; done
dkms=(dkms --dkmstree "$tree" --sourcetree "$src" --installtree "$inst" --no-depmod)
# DKMS signs what it builds (as on a user's machine) with a key it makes on
# first use: keep that key in the throwaway tree, not in /var/lib/dkms.
export mok_signing_key=$build/mok.key mok_certificate=$build/mok.pub

# The Makefile's dkms-install (copy, add, build, install), for the first
# kernel; the packages (below) have DKMS build for both.
first=${kernels[0]}
sign_file=${ksrc[$first]}/scripts/sign-file make -s -C "$top" dkms-install \
	DKMS="${dkms[*]}" DKMS_SRC="$src/zcopy-$version" KVER="$first" \
	DKMS_KSRC="${ksrc[$first]}" >"$build/dkms-$first.out" 2>&1
result "host/dkms-make-install-$first" $? "$(tail -n 20 "$build/dkms-$first.out")"
# Every step DKMS runs succeeds, its clean step too (dkms.conf's CLEAN).
bad=$(grep 'bad exit status' "$build/dkms-$first.out")
[ -z "$bad" ]
result "host/dkms-every-step-succeeds-$first" $? "$bad"

for k in "${kernels[@]:0:1}"; do
	mklog=$tree/zcopy/$version/$k/x86_64/log/make.log
	cp "$mklog" "$build/make-$k.log" 2>/dev/null
	ko=$(find "$inst/$k/updates/dkms" -name 'zcopy.ko*' 2>/dev/null | head -n 1)
	dkms_module_checks host/dkms-make-install- "$k" "$mklog" "$ko" "$version"
done
"${dkms[@]}" status zcopy | tee -a "$build/dkms-status.out"

# ---- the Debian packages, installed in a Debian 12 root ---------------------------

debout=$top/build/deb
make -C "$top" deb >"$build/make-deb.log" 2>&1
arch=$(dpkg --print-architecture)
debs=0
for f in "zcopy-dkms_${version}_all.deb" "zcopy-tools_${version}_$arch.deb" \
	"libzcopy0_${version}_$arch.deb" "libzcopy-dev_${version}_$arch.deb" \
	"zcopy_${version}_$arch.changes"; do
	[ -f "$debout/$f" ] && debs=$((debs + 1))
done
[ "$debs" -eq 5 ]
result host/deb-packages-built $? "$(tail -n 20 "$build/make-deb.log")"
lintian --fail-on error,warning "$debout"/*.changes >"$build/lintian.log" 2>&1
rc=$?
[ $rc -eq 0 ] && ! grep -q '^[EW]: ' "$build/lintian.log"
result host/deb-lintian-clean $? "status $rc: $(grep '^[EW]: ' "$build/lintian.log")"
if [ "$debs" -eq 5 ]; then
	echo "check-dkms: installing the packages in a Debian 12 root (log: $build/deb)"
	start=$(date +%s)
	"$top/tests/deb-chroot.sh" "$build/deb" "$debout" "$k61=$v61" "$k612=$v612" \
		>"$build/deb-chroot.out" 2>&1
	grep -E '^(PASS|FAIL) ' "$build/deb-chroot.out" >>"$hostlog"
	cat "$build/deb-chroot.out"
	echo "check-dkms: the Debian root took $(($(date +%s) - start)) s"
fi

# ---- the guest programs ---------------------------------------------------------

make -s -C "$top" userspace examples || die "make userspace examples failed"
# The packaged zcopyctl (deb-chroot.sh copies it out of the Debian root).
zcopyctl=$build/deb/zcopyctl
[ -x "$zcopyctl" ] || zcopyctl=$top/userspace/zcopyctl
echo "check-dkms: the guests run $zcopyctl"
# The packaged sendfile interposer, as zcopyctl.
preload=$build/deb/libzcopy-sendfile.so
[ -f "$preload" ] || preload=$top/userspace/libzcopy-sendfile.so
nginx=$("$top/tests/nginx.sh") || die "no nginx for the server tests"
# examples/http_sendv: the examples group of zcopy-guest-tests runs it;
# guest-server.sh nginx, curl and wrk.
progs=("$zcopyctl" "$top/examples/http_sendv" "$(command -v ip)"
	"$(command -v mke2fs)" "$preload" "$nginx" "$(command -v curl)"
	"$(command -v wrk)")
if [ -f "$top/tests/guest/Makefile" ]; then
	# A broken build fails here, and the stock kernels still boot for the rest.
	make -s -C "$top/tests/guest" >"$build/guest-build.log" 2>&1
	rc=$?
	result host/guest-tests-build $rc "$(tail -n 5 "$build/guest-build.log")"
	# zcopy-guest-tests runs the 32-bit (compat ioctl) cases itself from
	# zcopy-guest-tests32; guest-stock.sh runs the stress.
	for p in zcopy-guest-tests zcopy-guest-tests32 zcopy-stress \
		zcopy-sendfile-cases zcopy-slow-get; do
		[ $rc -eq 0 ] && [ -x "$top/tests/guest/$p" ] && progs+=("$top/tests/guest/$p")
	done
else
	echo "check-dkms: tests/guest has no Makefile yet: no zcopy-guest-tests"
fi

# ---- boot each stock kernel ---------------------------------------------------

total_pass=0 total_fail=0
for k in "${kernels[@]}"; do
	# The module the package's DKMS built in the Debian root.
	ko=$(find "$build/deb/$k" -name 'zcopy.ko*' 2>/dev/null | head -n 1)
	initrd=$build/initramfs-$k.cpio.gz
	log=$build/boot-$k.log
	results=$build/boot-$k.results
	rm -f "$results"
	disks=("$build/ext4-$k.img" "$build/ext4-1k-$k.img" "$build/xfs-$k.img")
	if [ -n "$ko" ]; then
		case $ko in *.xz) xz -dc "$ko" >"$build/zcopy.ko" ;; *) cp "$ko" "$build/zcopy.ko" ;; esac
		# The packaged zcopyctl finds the packaged libzcopy, if it uses it.
		libroot=$build/deb/libroot
		LD_LIBRARY_PATH=$libroot/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH) \
		ZCOPY_LIB_ROOT=$libroot \
		ZCOPY_STOCK_ROOT=${kroot[$k]} ZCOPY_STOCK_MODULES=$stock_modules \
		ZCOPY_MODULE_DIR=updates/dkms "$top/tests/qemu/mkinitramfs.sh" \
			"$initrd" "$k" "$build/zcopy.ko" -- "${progs[@]}"
		result "host/dkms-initramfs-$k" $?
		# As tests/check.sh: ext4, ext4 with 1 KiB blocks, XFS.
		rm -f "${disks[@]}"
		truncate -s 512M "${disks[0]}" && mkfs.ext4 -q -F "${disks[0]}" &&
		truncate -s 64M "${disks[1]}" && mkfs.ext4 -q -F -b 1024 "${disks[1]}" &&
		truncate -s 320M "${disks[2]}" && mkfs.xfs -q -f "${disks[2]}"
		echo "check-dkms: booting $k (log: $log)"
		start=$(date +%s)
		ZCOPY_QEMU_NET=hub ZCOPY_QEMU_RESULTS=$results "$top/tests/qemu/boot.sh" \
			"${kroot[$k]}/boot/vmlinuz-$k" "$initrd" stock "$log" \
			"$timeout" "${disks[@]}" -- "zcopy_version=$version" \
			"zcopy_stress=$stress_s" 'memmap=128M!1536M' >/dev/null
		echo "check-dkms: $k: guest ran $(($(date +%s) - start)) s"
	else
		echo "ZCOPY-HOST: no module from zcopy-dkms for $k: not booted" >"$log"
	fi
	echo "== $k"
	grep -m1 '^ZCOPY-STOCK-KERNEL:' "$log" | sed 's/^ZCOPY-STOCK-KERNEL: //'
	# This kernel's host results, its guest's results channel, its console.
	out=$(grep -F "$k" "$hostlog" |
		ZCOPY_JUDGE_NO_KUNIT=1 "$top/tests/judge.sh" --console "$log" - "$results")
	echo "$out" | sed '$d'
	last=$(echo "$out" | tail -n 1)
	echo "$k: $last"
	p=${last%% passed*} f=${last#*passed, } f=${f%% failed*}
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
done

# ---- and away again ---------------------------------------------------------------

make -s -C "$top" dkms-uninstall DKMS="${dkms[*]}" DKMS_SRC="$src/zcopy-$version" \
	>"$build/dkms-uninstall.out" 2>&1
left=$(find "$inst" -name 'zcopy.ko*'; ls -d "$tree/zcopy/$version" "$src/zcopy-$version" 2>/dev/null)
[ -z "$left" ]
result host/dkms-make-uninstall $? "left behind: $left"

# The host's results that belong to no one kernel.
general=$(grep -vF -e "$k61" -e "$k612" "$hostlog")
total_pass=$((total_pass + $(echo "$general" | grep -c '^PASS ')))
total_fail=$((total_fail + $(echo "$general" | grep -c '^FAIL ')))

echo "check-dkms: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
