#!/bin/bash
# Pack the guest's initramfs: busybox, the modules (with modules.dep so
# zcopyctl can load them by name), zcopyctl with its shared libraries, the
# static guest tests and the guest scripts.
#
#   mkinitramfs.sh OUT.cpio.gz KERNEL_BUILD_DIR MODULE.ko... -- PROGRAM...
#
# For a stock distribution kernel (tests/check-dkms.sh) set ZCOPY_STOCK_ROOT
# to its extracted linux-image package (with modules.dep) and pass the kernel
# release instead of KERNEL_BUILD_DIR.  The modules named in
# ZCOPY_STOCK_MODULES then come along with their dependencies, decompressed,
# and /etc/zcopy-modules lists them in load order for init, which loads them
# before it mounts the disk.  ZCOPY_MODULE_DIR is where MODULE.ko... go under
# /lib/modules/RELEASE (default extra).
set -euo pipefail

out=$1 kbuild=$2
shift 2
mods=() progs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do mods+=("$1"); shift; done
[ $# -gt 0 ] && shift
progs=("$@")

here=$(cd "$(dirname "$0")" && pwd)
stock=${ZCOPY_STOCK_ROOT:-}
moddir=${ZCOPY_MODULE_DIR:-extra}
if [ -n "$stock" ]; then
	kver=$kbuild
else
	kver=$(cat "$kbuild/include/config/kernel.release")
fi
root=$(mktemp -d)
# The root directory is mktemp's (0700): nginx's workers, nobody, go through it.
chmod 755 "$root"
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,lib64,etc}
mkdir -p "$root"/mnt/{ext4,ext4-1k,xfs,thp,ovl,dax}
mkdir -p "$root/lib/modules/$kver/$moddir"
cp /bin/busybox "$root/bin/busybox"
for m in "${mods[@]}"; do cp "$m" "$root/lib/modules/$kver/$moddir/"; done
touch "$root/lib/modules/$kver/"{modules.order,modules.builtin,modules.builtin.modinfo}
if [ -n "$stock" ]; then
	smods=$stock/lib/modules/$kver
	cp "$smods/"{modules.order,modules.builtin,modules.builtin.modinfo} \
		"$root/lib/modules/$kver/"
	: >"$root/etc/zcopy-modules"
	for name in ${ZCOPY_STOCK_MODULES:-}; do
		# "insmod PATH" per module, dependencies (and softdeps) first.
		modprobe -d "$stock" -S "$kver" --show-depends "$name" |
		while read -r what path _; do
			[ "$what" = insmod ] || continue
			rel=${path#"$smods"/}
			rel=${rel%.xz} rel=${rel%.zst} rel=${rel%.gz}
			grep -qxF "$rel" "$root/etc/zcopy-modules" && continue
			mkdir -p "$(dirname "$root/lib/modules/$kver/$rel")"
			case $path in
			*.xz) xz -dc "$path" ;;
			*.zst) zstd -qdc "$path" ;;
			*.gz) gzip -dc "$path" ;;
			*) cat "$path" ;;
			esac >"$root/lib/modules/$kver/$rel"
			echo "$rel" >>"$root/etc/zcopy-modules"
		done
	done
fi
depmod -b "$root" "$kver"

# Dynamic programs bring their libraries along; static ones need none.  A
# library found below ZCOPY_LIB_ROOT (through LD_LIBRARY_PATH: one taken out
# of another root, as check-dkms does with the packaged libzcopy) goes where
# it was in that root.  A *.so among them is a library to preload
# (libzcopy-sendfile.so): it goes to /usr/lib/zcopy.
mkdir -p "$root/usr/lib/zcopy"
for p in "${progs[@]}"; do
	case $p in
	*.so) cp "$p" "$root/usr/lib/zcopy/" ;;
	*) cp "$p" "$root/bin/" ;;
	esac
	{ ldd "$p" 2>/dev/null || true; } | { grep -o "/[^ ]*" || true; } | while read -r lib; do
		dest=${lib#"${ZCOPY_LIB_ROOT:-}"}
		mkdir -p "$root$(dirname "$dest")"
		cp -L "$lib" "$root$dest"
	done
done

cp "$here/init" "$root/init"
cp "$here"/guest-*.sh "$here/results.sh" "$here/nginx-lib.sh" "$root/bin/"
chmod +x "$root/init" "$root"/bin/*

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
