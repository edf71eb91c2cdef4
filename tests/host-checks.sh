#!/bin/bash
# Checks that run on the host, as PASS/FAIL lines for judge.sh: the uAPI
# header stands alone in every language mode, and the module builds without
# a warning against Debian's stock 6.1 kernel headers.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build

result() { if [ "$2" -eq 0 ]; then echo "PASS host/$1"; else echo "FAIL host/$1: $3"; fi; }

hdr() {
	echo '#include <linux/zcopy.h>' |
		"$@" -pedantic -Wall -Wextra -Werror -I"$top/uapi" -c -o /dev/null - 2>&1
}
for std in c90 c99 c11; do
	out=$(hdr gcc -std=$std -x c); result "uapi_header_$std" $? "$out"
done
out=$(hdr g++ -std=c++11 -x c++); result uapi_header_cxx11 $? "$out"

# Build a copy of the sources so the test kernel's objects stay in place.
kdir61=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -n 1)
if [ -z "$kdir61" ]; then
	result module_builds_on_6.1 1 "no linux-headers-6.1.*-amd64 installed"
else
	src=$build/kbuild-6.1
	rm -rf "$src"
	mkdir -p "$src"
	cp -r "$top/Kbuild" "$top/module" "$top/uapi" "$src/"
	find "$src" -name '*.o' -o -name '*.ko' -o -name '.*.cmd' | xargs rm -f
	out=$(make -C "$kdir61" M="$src" ZCOPY_WERROR=y modules 2>&1)
	rc=$?
	warn=$(echo "$out" | grep -E 'warning:|error:')
	[ $rc -eq 0 ] && [ -z "$warn" ] && [ -f "$src/module/zcopy.ko" ]
	result "module_builds_on_$(basename "$kdir61")" $? "$warn"
fi
