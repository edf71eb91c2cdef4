#!/bin/bash
# make demo: boot the test kernel, load zcopy with zcopyctl, send a file by
# every method over loopback and over an emulated e1000 with scatter-gather
# on and off, and show what each transfer cost.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
mkdir -p "$build"

ZCOPY_EXTRA_PKGS="ethtool ${ZCOPY_EXTRA_PKGS:-}" "$top/tests/install-deps.sh" || exit 1
kdir=$("$top/tests/build-kernel.sh" check) || exit 1
make -s -C "$top" KDIR="$kdir" modules-all userspace || exit 1
"$top/tests/qemu/mkinitramfs.sh" "$build/demo-initramfs.cpio.gz" "$kdir" \
	"$top/module/zcopy.ko" -- "$top/userspace/zcopyctl" "$(command -v ip)" \
	"$(command -v ethtool)" || exit 1

echo "demo: booting the test kernel under QEMU (log: $build/demo.log)"
ZCOPY_QEMU_NET=hub "$top/tests/qemu/boot.sh" "$kdir/arch/x86/boot/bzImage" \
	"$build/demo-initramfs.cpio.gz" demo "$build/demo.log" 900 -- quiet |
	sed -n '/ZCOPY-GUEST:/,/^ZCOPY-GUEST-END:/{s/.*ZCOPY-GUEST:/ZCOPY-GUEST:/;p}' | grep -v '^\[ *[0-9.]*\]'
grep -q '^ZCOPY-GUEST-END: status 0' "$build/demo.log"
