#!/bin/bash
# Pack the guest's initramfs: busybox, the modules (with modules.dep so
# zcopyctl can load them by name), zcopyctl with its shared libraries, the
# static guest tests and the guest scripts.
#
#   mkinitramfs.sh OUT.cpio.gz KERNEL_BUILD_DIR MODULE.ko... -- PROGRAM...
set -euo pipefail

out=$1 kbuild=$2
shift 2
mods=() progs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do mods+=("$1"); shift; done
[ $# -gt 0 ] && shift
progs=("$@")

here=$(cd "$(dirname "$0")" && pwd)
kver=$(cat "$kbuild/include/config/kernel.release")
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,mnt/ext4,lib64,etc}
mkdir -p "$root/lib/modules/$kver/extra"
cp /bin/busybox "$root/bin/busybox"
for m in "${mods[@]}"; do cp "$m" "$root/lib/modules/$kver/extra/"; done
touch "$root/lib/modules/$kver/"{modules.order,modules.builtin,modules.builtin.modinfo}
depmod -b "$root" "$kver"

# Dynamic programs bring their libraries along; static ones need none.
for p in "${progs[@]}"; do
	cp "$p" "$root/bin/"
	{ ldd "$p" 2>/dev/null || true; } | { grep -o "/[^ ]*" || true; } | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done

cp "$here/init" "$root/init"
cp "$here"/guest-*.sh "$root/bin/"
chmod +x "$root/init" "$root"/bin/*

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
