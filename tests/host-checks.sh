#!/bin/bash
# Checks that run on the host, as PASS/FAIL lines for judge.sh: the uAPI
# header stands alone in every language mode, the module builds without a
# warning against Debian's stock 6.1 kernel headers, the guest tests'
# registry and names keep their rules, and judge.sh fails a run that lost a
# result.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build

result() { if [ "$2" -eq 0 ]; then echo "PASS host/$1"; else echo "FAIL host/$1: $3"; fi; }

hdr() {
	echo '#include <linux/zcopy.h>' |
		"$@" -pedantic -Wall -Wextra -Werror -I"$top/uapi" -c -o /dev/null - 2>&1
}
for std in c90 c99 c11; do
	out=$(hdr gcc -std=$std -x c); result "uapi-header-$std" $? "$out"
done
out=$(hdr g++ -std=c++11 -x c++); result uapi-header-cxx11 $? "$out"

# Build a copy of the sources so the test kernel's objects stay in place.
kdir61=$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort -V | tail -n 1)
if [ -z "$kdir61" ]; then
	result module-builds-on-6.1 1 "no linux-headers-6.1.*-amd64 installed"
else
	src=$build/kbuild-6.1
	rm -rf "$src"
	mkdir -p "$src"
	cp -r "$top/Kbuild" "$top/module" "$top/uapi" "$src/"
	find "$src" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \) -delete
	out=$(make -C "$kdir61" M="$src" ZCOPY_WERROR=y modules 2>&1)
	rc=$?
	warn=$(echo "$out" | grep -E 'warning:|error:')
	[ $rc -eq 0 ] && [ -z "$warn" ] && [ -f "$src/module/zcopy.ko" ]
	result "module-builds-on-$(basename "$kdir61")" $? "$warn"
fi

# ---- install paths ------------------------------------------------------------
# Each refuses before building or copying anything, with what to do: a
# missing kernel build tree, and a module the other install path owns
# (depmod prefers updates/dkms/ to extra/, so a second copy changes nothing).
inst=$build/install-check
rm -rf "$inst"
mkdir -p "$inst"
out=$(make -s -C "$top" module KDIR="$inst/no-such-kernel" 2>&1)
rc=$?
[ $rc -ne 0 ] && [[ $out == *"apt-get install linux-headers-"* ]]
result make-module-names-missing-headers $? "status $rc: $out"
out=$(PKG_CONFIG_LIBDIR=$inst/no-pc make -s -C "$top" userspace 2>&1)
rc=$?
[ $rc -ne 0 ] && [[ $out == *"apt-get install pkg-config libkmod-dev"* ]]
result make-userspace-names-missing-libkmod $? "status $rc: $out"
mkdir -p "$inst/lib/modules/0.0-zcopy/updates/dkms" "$inst/lib/modules/0.0-zcopy/extra"
touch "$inst/lib/modules/0.0-zcopy/updates/dkms/zcopy.ko.xz"
out=$(make -s -C "$top" install-module DESTDIR="$inst" KVER=0.0-zcopy KDIR="$inst" 2>&1)
rc=$?
[ $rc -ne 0 ] && [[ $out == *"DKMS manages zcopy.ko"* ]] &&
	[ -z "$(ls -A "$inst/lib/modules/0.0-zcopy/extra")" ]
result make-install-refuses-over-dkms $? "status $rc: $out"
rm "$inst/lib/modules/0.0-zcopy/updates/dkms/zcopy.ko.xz"
touch "$inst/lib/modules/0.0-zcopy/extra/zcopy.ko"
out=$(make -s -C "$top" dkms-install DESTDIR="$inst" KVER=0.0-zcopy \
	DKMS="echo dkms-ran" DKMS_KSRC="$inst" DKMS_SRC="$inst/src" 2>&1)
rc=$?
[ $rc -ne 0 ] && [[ $out == *"make uninstall"* ]] && [[ $out != *dkms-ran* ]] &&
	[ ! -e "$inst/src" ]
result make-dkms-install-refuses-over-plain-install $? "status $rc: $out"
out=$(make -s -C "$top" dkms-install DKMS=no-such-dkms KVER=0.0-zcopy \
	DKMS_SRC="$inst/src" 2>&1)
rc=$?
[ $rc -ne 0 ] && [[ $out == *"apt-get install dkms"* ]] && [ ! -e "$inst/src" ]
result make-dkms-install-names-missing-dkms $? "status $rc: $out"

# ---- the guest tests' registry and names -----------------------------------
# reg_add() takes a test under the group that is registering, and ends the
# program (status 2) for one under any other: a misspelt group must not
# hide its tests.
reg=$build/registry-check
rm -rf "$reg"
mkdir -p "$reg"
cat >"$reg/reg.c" <<'C'
#include "zct.h"

static int nop(struct tctx *t, const void *arg)
{
	(void)t;
	(void)arg;
	return 0;
}

/* One test under the group argv[1] while "transfer" registers. */
int main(int argc, char **argv)
{
	struct registry r = { .group = "transfer" };

	reg_add(&r, argc > 1 ? argv[1] : "transfer", nop, NULL, "one");
	return r.n == 1 ? 0 : 1;
}
C
out=$(gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$top/uapi" \
	-I"$top/tests/guest" -o "$reg/reg" "$reg/reg.c" \
	"$top/tests/guest/registry.c" 2>&1)
result registry-builds $? "$out"
out=$("$reg/reg" transfer 2>&1)
rc=$?
result registry-takes-the-group-registering $rc "status $rc: $out"
out=$("$reg/reg" tarnsfer 2>&1)
rc=$?
[ $rc -eq 2 ] && [[ $out == *'group "tarnsfer" is unknown'* ]]
result registry-refuses-an-unknown-group $? "status $rc: $out"

# Test names are lowercase words joined by dashes, each name once.  (The
# world and nic groups list here only what the host has mounted.)
guest=$top/tests/guest/zcopy-guest-tests
names=$("$guest" --list 2>&1 | cut -f1)
bad=$(echo "$names" | grep -vE '^[a-z0-9]+/[a-z0-9]+(-[a-z0-9]+)*$'
      echo "$names" | sort | uniq -d)
[ "$(echo "$names" | wc -l)" -gt 100 ] && [ -z "$bad" ]
result guest-test-names $? "$(echo "$bad" | head -n 5)"

# ---- one version --------------------------------------------------------------
# ZCOPY_VERSION in module/zcopy.h is the version.  debian/changelog and the
# man pages must say the same, dkms.conf takes it at install time (make
# dkms-source, dh_dkms -V), and debian/rules refuses to build on a mismatch.
ver=$(sed -n 's/^#define ZCOPY_VERSION[[:space:]]*"\(.*\)"/\1/p' "$top/module/zcopy.h")
chv=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version 2>&1)
[ -n "$ver" ] && [ "$chv" = "$ver" ]
result version-debian-changelog $? "debian/changelog: '$chv', module/zcopy.h: '$ver'"
grep -qx 'PACKAGE_VERSION="#MODULE_VERSION#"' "$top/dkms.conf"
result version-dkms-conf-placeholder $? "dkms.conf: $(grep PACKAGE_VERSION= "$top/dkms.conf")"
bad=$(grep -L "^\.TH .*\"zcopy $ver\"" "$top"/man/*.[1-8])
[ -z "$bad" ]
result version-man-pages $? "no .TH ... \"zcopy $ver\" in: $bad"
vc=$build/version-check
rm -rf "$vc"
mkdir -p "$vc/module"
cp -r "$top/debian" "$vc/"
sed 's/^#define ZCOPY_VERSION .*/#define ZCOPY_VERSION "0.0.0"/' "$top/module/zcopy.h" >"$vc/module/zcopy.h"
out=$(cd "$vc" && make -s -n -f debian/rules clean 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'make them agree'
result version-debian-rules-refuses-a-mismatch $? "status $rc: $out"

# ---- the judge ---------------------------------------------------------------
# tests/judge.sh on a made-up run: whole, it passes; with any one line lost,
# or a program's count or status at odds with its lines, it fails.
jd=$build/judge-check
rm -rf "$jd"
mkdir -p "$jd"
cat >"$jd/whole" <<'RESULTS'
RUN guest-check.sh
PASS harness/smp-two-cpus
KUNIT-RESULTS-BEGIN zcopy_suite
KTAP version 1
1..1
    KTAP version 1
    # Subtest: zcopy_suite
    1..1
    ok 1 zcopy_case
ok 1 zcopy_suite
KUNIT-RESULTS-END
RUN zcopy-guest-tests
PASS transfer/tmpfs-0-copy
SKIP transfer/ext4-0-direct: DIRECT is not implemented
PASS badinput/len-0
guest: 2 passed, 0 failed
EXIT zcopy-guest-tests: status 0
RUN zcopy-stress
PASS stress/random-ioctls
stress: 1 passed, 0 failed
EXIT zcopy-stress: status 0
PASS harness/kmemleak
guest-check: 2 passed, 0 failed
EXIT guest-check.sh: status 0
ZCOPY-GUEST-END: status 0
RESULTS
# The console has copies of result lines: they count for nothing.
printf '%s\n' '[    0.000000] Linux version 6.12' 'PASS transfer/on-the-console' \
	>"$jd/console"
judged() {	# RESULTS CONSOLE: judge.sh's status, its output in $jd/out
	"$top/tests/judge.sh" --console "$2" "$1" >"$jd/out" 2>&1
}
judged "$jd/whole" "$jd/console"
rc=$?
# (Its reasons on one line: lines of the judge's own could be taken for
# results of this run.)
[ $rc -eq 0 ] && [ "$(tail -n 1 "$jd/out")" = "6 passed, 0 failed" ]
result judge-passes-a-whole-run $? \
	"status $rc: $(grep '^judge:' "$jd/out" | tr '\n' ' ')$(tail -n 1 "$jd/out")"
# NAME SED-SCRIPT [CONSOLE-LINE]: the whole run so edited must fail.
must_fail() {
	sed "$2" "$jd/whole" >"$jd/$1"
	cp "$jd/console" "$jd/$1.console"
	[ -z "${3:-}" ] || echo "$3" >>"$jd/$1.console"
	if cmp -s "$jd/whole" "$jd/$1" && [ -z "${3:-}" ]; then
		result "judge-fails-$1" 1 "the edit changed nothing"
		return
	fi
	judged "$jd/$1" "$jd/$1.console"
	rc=$?
	[ $rc -eq 1 ] && [[ $(tail -n 1 "$jd/out") == *' passed, '[1-9]*' failed' ]]
	result "judge-fails-$1" $? "status $rc: $(tail -n 1 "$jd/out")"
}
must_fail a-lost-pass-line '/^PASS badinput\/len-0$/d'
# A program that failed, whose FAIL line was lost: only its count and its
# status still say so.
must_fail a-lost-fail-line 's/^guest: 2 passed, 0 failed$/guest: 2 passed, 1 failed/
	s/^EXIT zcopy-guest-tests: status 0$/EXIT zcopy-guest-tests: status 1/'
must_fail a-lost-count '/^stress: 1 passed, 0 failed$/d'
must_fail a-lost-exit-status '/^EXIT zcopy-stress: /d'
must_fail a-lost-start '/^RUN zcopy-stress$/d'
must_fail a-failed-status-without-fail-line \
	's/^EXIT zcopy-stress: status 0$/EXIT zcopy-stress: status 1/'
must_fail a-fail-line-with-status-0 's/^PASS badinput\/len-0$/FAIL badinput\/len-0: EINVAL/
	s/^guest: 2 passed, 0 failed$/guest: 1 passed, 1 failed/'
must_fail a-crashed-program \
	's/^EXIT zcopy-guest-tests: status 0$/EXIT zcopy-guest-tests: status 139/'
must_fail a-lost-end-marker '/^ZCOPY-GUEST-END:/d'
must_fail a-cut-kunit-block '/^ok 1 zcopy_suite$/d'
must_fail a-kernel-warning '' \
	'[    9.000000] WARNING: CPU: 0 PID: 1 at module/lend.c:1 x+0x1/0x2'
