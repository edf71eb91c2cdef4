#!/bin/bash
# make check: build what is needed, boot the debug test kernel, run KUnit and
# the guest tests, and judge the console log.  Ends with "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
log=$build/check.log
timeout=${ZCOPY_CHECK_TIMEOUT:-1800}
mkdir -p "$build"

"$top/tests/install-deps.sh" || exit 1
kdir=$("$top/tests/build-kernel.sh" check) || exit 1
make -s -C "$top" KDIR="$kdir" modules-all guest-progs || exit 1
"$top/tests/qemu/mkinitramfs.sh" "$build/check-initramfs.cpio.gz" "$kdir" \
	"$top/module/zcopy.ko" "$top/tests/kunit/zcopy_kunit.ko" -- \
	"$top/userspace/zcopyctl" "$top/tests/guest/zcopy-guest-tests" \
	"$top/tests/guest/zcopy-guest-tests32" "$top/tests/guest/zcopy-stress" ||
	exit 1
rm -f "$build/ext4.img"
truncate -s 512M "$build/ext4.img"
mkfs.ext4 -q -F "$build/ext4.img" || exit 1

echo "check: host checks"
"$top/tests/host-checks.sh" >"$build/host.log"
echo "check: booting the test kernel (log: $log)"
"$top/tests/qemu/boot.sh" "$kdir/arch/x86/boot/bzImage" \
	"$build/check-initramfs.cpio.gz" check "$log" "$timeout" \
	"$build/ext4.img" -- ${ZCOPY_CHECK_ARGS:-} >/dev/null
"$top/tests/judge.sh" "$build/host.log" "$log"
