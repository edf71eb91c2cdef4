#!/bin/sh
# Build (or reuse) the pinned test kernel from Debian's linux-source-6.12.
#
#   build-kernel.sh FLAVOUR     FLAVOUR: check (debug options) or bench (none)
#
# The kernel is built once into a cache directory outside the work tree, keyed
# on the source package version and the config fragments, and reused while
# they are unchanged.  Prints the build directory (O=) on stdout when done.
set -eu

flavour=${1:-check}
here=$(cd "$(dirname "$0")" && pwd)
cache=${ZCOPY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zcopy}
tarball=/usr/src/linux-source-6.12.tar.xz

case $flavour in
check) frags="base world kunit debug" ;;
bench) frags="base world kunit bench" ;;
*) echo "build-kernel.sh: unknown flavour '$flavour'" >&2; exit 2 ;;
esac

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
fragfiles=
for f in $frags; do fragfiles="$fragfiles $here/kernel/$f.config"; done
# Bump when a change to this script changes what it builds.
recipe=1
# shellcheck disable=SC2086
key=$(cat $fragfiles | { cat; echo "$srcver recipe $recipe"; } | sha256sum | cut -c1-16)

src=$cache/src-$srcver
out=$cache/kernel-$flavour-$key
mkdir -p "$cache"

# A kernel built before is used as it is, whatever else is building.
if [ -f "$out/.complete" ]; then
	echo "$out"
	exit 0
fi

# One build at a time per cache: two makes in one tree corrupt it.
exec 9>"$cache/.lock"
flock 9

if [ ! -f "$src/.extracted" ]; then
	echo "build-kernel: extracting linux-source $srcver" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.extracted"
	mv "$src.tmp" "$src"
fi

if [ -f "$out/.complete" ]; then
	echo "$out"
	exit 0
fi

echo "build-kernel: building the '$flavour' kernel in $out (about 10 minutes)" >&2
mkdir -p "$out"
jobs=$(nproc)
mk() { make -s -C "$src" O="$out" ARCH=x86_64 -j"$jobs" "$@" >&2; }
mk tinyconfig
# shellcheck disable=SC2086
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" $fragfiles >/dev/null
mk olddefconfig

# merge_config only warns when Kconfig drops a request: fail instead.
bad=0
for f in $fragfiles; do
	grep -E '^CONFIG_[A-Z0-9_]+=' "$f" | while IFS= read -r line; do
		opt=${line%%=*}
		val=${line#*=}
		if [ "$val" = n ]; then
			if grep -q "^$opt=" "$out/.config"; then echo "$opt"; fi
		elif ! grep -qx "$line" "$out/.config"; then
			echo "$opt"
		fi
	done
done >"$out/.dropped"
if [ -s "$out/.dropped" ]; then
	echo "build-kernel: Kconfig refused: $(tr '\n' ' ' <"$out/.dropped")" >&2
	bad=1
fi
[ $bad -eq 0 ] || exit 1

mk bzImage modules
touch "$out/.complete"
echo "$out"
