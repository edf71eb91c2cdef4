#!/bin/bash
# make check: build what is needed, boot the debug test kernel, run KUnit and
# the guest tests, and judge their results (the guest's results channel,
# build/check.results) and the console log (build/check.log).  Ends with
# "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
log=$build/check.log
results=$build/check.results
timeout=${ZCOPY_CHECK_TIMEOUT:-2700}
mkdir -p "$build"

"$top/tests/install-deps.sh" || exit 1
kdir=$("$top/tests/build-kernel.sh" check) || exit 1
make -s -C "$top" KDIR="$kdir" modules-all guest-progs || exit 1
nginx=$("$top/tests/nginx.sh") || exit 1
"$top/tests/qemu/mkinitramfs.sh" "$build/check-initramfs.cpio.gz" "$kdir" \
	"$top/module/zcopy.ko" "$top/tests/kunit/zcopy_kunit.ko" -- \
	"$top/userspace/zcopyctl" "$top/tests/guest/zcopy-guest-tests" \
	"$top/tests/guest/zcopy-guest-tests32" "$top/tests/guest/zcopy-stress" \
	"$top/examples/http_sendv" "$top/examples/send_file" \
	"$(command -v ip)" "$(command -v mke2fs)" \
	"$top/userspace/libzcopy-sendfile.so" "$top/tests/guest/zcopy-sendfile-cases" \
	"$top/tests/guest/zcopy-slow-get" "$nginx" "$(command -v curl)" \
	"$(command -v wrk)" || exit 1
# The disks, in the order init mounts them: ext4 (4 KiB blocks), ext4 with
# 1 KiB blocks (pages partly uptodate), XFS (its mkfs wants 300 MiB).
disks=("$build/ext4.img" "$build/ext4-1k.img" "$build/xfs.img")
rm -f "${disks[@]}"
truncate -s 512M "$build/ext4.img" && mkfs.ext4 -q -F "$build/ext4.img" &&
truncate -s 64M "$build/ext4-1k.img" &&
mkfs.ext4 -q -F -b 1024 "$build/ext4-1k.img" &&
truncate -s 320M "$build/xfs.img" && mkfs.xfs -q -f "$build/xfs.img" || exit 1

echo "check: host checks"
"$top/tests/host-checks.sh" >"$build/host.log"
echo "check: booting the test kernel (log: $log)"
# memmap=128M!1536M: 128 MiB of the guest's 2048 become emulated pmem
# (/dev/pmem0) for ext4 on DAX; the NICs on a hub for group nic.
# ZCOPY_CHECK_ARGS: more kernel arguments, split into words.
# shellcheck disable=SC2086
ZCOPY_QEMU_NET=hub ZCOPY_QEMU_RESULTS=$results "$top/tests/qemu/boot.sh" \
	"$kdir/arch/x86/boot/bzImage" "$build/check-initramfs.cpio.gz" check \
	"$log" "$timeout" "${disks[@]}" -- 'memmap=128M!1536M' \
	${ZCOPY_CHECK_ARGS:-} >/dev/null
"$top/tests/judge.sh" --console "$log" "$build/host.log" "$results"
