#!/bin/bash
# Checks that run on the host, as PASS/FAIL lines for judge.sh: the uAPI
# header stands alone in every language mode, the module builds without a
# warning against Debian's stock 6.1 kernel headers, libzcopy.so exports
# what libzcopy.map says and a program builds and runs against it installed,
# the guest tests' registry and names keep their rules, and judge.sh fails
# a run that lost a result.
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
[ $rc -ne 0 ] && [[ $out == *"install pkg-config libkmod-dev liburing-dev"* ]]
result make-userspace-names-missing-libs $? "status $rc: $out"
out=$(make -s -C "$top" userspace CC=no-such-cc 2>&1)
rc=$?
[ $rc -ne 0 ] && [[ $out == *"apt-get install build-essential"* ]]
result make-names-missing-compiler $? "status $rc: $out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	make -s -C "$top" install-userspace 2>&1)
rc=$?
[ $rc -ne 0 ] && [[ $out == *"run it as root"* ]]
result make-install-as-user-says-root $? "status $rc: $out"
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
# ---- libzcopy, installed -----------------------------------------------------
# make install into a staging tree (as a distribution package does, with a
# multiarch LIBDIR); the shared library there must have SONAME
# libzcopy.so.0 and export exactly the symbols of libzcopy.map, each with
# its node's version; a program built with pkg-config against the staged
# zcopy.pc must link and run against it, and so must examples/ (PKG=1).
stage=$build/lib-install
libdir=/usr/lib/x86_64-linux-gnu
rm -rf "$stage"
out=$(make -s -C "$top/userspace" install DESTDIR="$stage" PREFIX=/usr \
	LIBDIR=$libdir 2>&1)
rc=$?
lib=$stage$libdir/libzcopy.so.0
for f in libzcopy.a libzcopy.so libzcopy.so.0 pkgconfig/zcopy.pc; do
	[ -e "$stage$libdir/$f" ] || { rc=1; out="$out no $libdir/$f"; }
done
[ "$(readlink "$stage$libdir/libzcopy.so")" = libzcopy.so.0 ] || { rc=1; out="$out libzcopy.so is not a link to libzcopy.so.0"; }
for f in libzcopy.h linux/zcopy.h; do
	[ -f "$stage/usr/include/zcopy/$f" ] || { rc=1; out="$out no include/zcopy/$f"; }
done
result lib-installs $rc "$out"

soname=$(readelf -d "$lib" 2>&1 | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libzcopy.so.0 ]
result lib-soname $? "SONAME is '$soname'"

# NAME@@NODE of every global of the map, against what the library defines.
want=$(awk '
	{ sub(/\/\*.*\*\//, "") }
	/^[A-Za-z_][A-Za-z0-9_.]* *\{/ { node = $1; sub(/\{.*/, "", node); scope = ""; next }
	/global:/ { scope = "g"; next }
	/local:/ { scope = "l"; next }
	/^}/ { node = ""; next }
	scope == "g" && node != "" && /[A-Za-z_]+;/ { gsub(/[ \t;]/, ""); print $0 "@@" node }
	' "$top/userspace/libzcopy.map" | sort)
got=$(nm -D --defined-only "$lib" 2>&1 | awk '$2 != "A" { print $3 }' | sort)
[ -n "$want" ] && [ "$want" = "$got" ]
result lib-exports-the-map $? "$(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
# Every function libzcopy.h declares is in the map, and nothing else is.
decl=$(sed -n 's/^[a-z_0-9 ]*[ *]\(zcopy_[a-z_]*\)(.*/\1/p' "$top/userspace/libzcopy.h" | sort)
[ "$decl" = "$(echo "$want" | sed 's/@@.*//' | sort)" ]
result lib-map-is-the-header $? "header: $(echo "$decl" | tr '\n' ' ')"

# The sendfile interposer: installed beside libzcopy, exporting sendfile and
# sendfile64 and nothing else (not libzcopy's functions, which it links in).
pre=$stage$libdir/zcopy/libzcopy-sendfile.so
got=$(nm -D --defined-only "$pre" 2>&1 | awk '$2 != "A" { print $3 }' | sort | tr '\n' ' ')
[ "$got" = "sendfile sendfile64 " ]
result preload-exports-sendfile-only $? "exports: $got"
# With no /dev/zcopy here every call takes the real sendfile: the same
# program, preloaded or not, must see the same (the guest runs it again
# with the module: tests/qemu/guest-server.sh).
cases=$build/sendfile-cases
rm -rf "$cases"
mkdir -p "$cases/files"
out=$(make -s -C "$top/tests/guest" zcopy-sendfile-cases 2>&1) &&
	"$top/tests/guest/zcopy-sendfile-cases" "$cases/files" >"$cases/plain.out" 2>&1 &&
	LD_PRELOAD=$pre "$top/tests/guest/zcopy-sendfile-cases" "$cases/files" \
		>"$cases/preload.out" 2>&1 &&
	out=$(diff "$cases/plain.out" "$cases/preload.out") &&
	! grep -qw 'MISMATCH\|SHORT\|WRONG\|FAILED\|OPEN' "$cases/preload.out"
result preload-without-module-is-sendfile $? "$out"
rm -rf "$cases/files"

pc=$build/lib-program
rm -rf "$pc"
mkdir -p "$pc"
cat >"$pc/prog.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libzcopy.h>

/* What libzcopy does without the module: names, argument checks. */
int main(void)
{
	struct zcopy_sendv none = { .count = 0 }, bad = { .seg_stats = 1 };
	uint64_t v, calls = 1;

	if (strcmp(zcopy_method_name(ZCOPY_METHOD_PAGES), "pages") ||
	    strcmp(zcopy_method_name(1000), "unknown") ||
	    zcopy_method_from_name("SPLICE") != ZCOPY_METHOD_SPLICE ||
	    zcopy_method_from_name("sendfile") != -1)
		return puts("method names"), 1;
	if (zcopy_read_sysfs_counter(NULL, "../bytes", &v) != -1 || errno != EINVAL)
		return puts("read_sysfs_counter of ../bytes"), 1;
	if (zcopy_sendv_all(-1, &none, &calls) != 0 || calls != 0)
		return puts("sendv_all of no segment"), 1;
	if (zcopy_sendv_all(-1, &bad, NULL) != -1 || errno != EINVAL)
		return puts("sendv_all with seg_stats"), 1;
	puts("ok");
	return 0;
}
C
# The staged tree as the system: pkg-config prefixes its paths with it.
export_pc() {
	PKG_CONFIG_SYSROOT_DIR=$stage PKG_CONFIG_LIBDIR=$stage$libdir/pkgconfig "$@"
}
# shellcheck disable=SC2046
out=$(export_pc pkg-config --modversion zcopy 2>&1 &&
	gcc -std=c11 -Wall -Wextra -Werror -o "$pc/prog" "$pc/prog.c" \
		$(export_pc pkg-config --cflags --libs zcopy) 2>&1 &&
	readelf -d "$pc/prog" | grep -q 'NEEDED.*\[libzcopy.so.0\]' &&
	LD_LIBRARY_PATH=$stage$libdir "$pc/prog" 2>&1 &&
	LD_LIBRARY_PATH=$stage$libdir ldd "$pc/prog" | grep -q "=> $lib ")
rc=$?
[ $rc -eq 0 ] && [ "$(echo "$out" | tail -n 1)" = ok ]
result lib-pkg-config-program-runs $? "status $rc: $(echo "$out" | tail -n 3 | tr '\n' ' ')"

# examples/ as a user builds it against the installed library (a copy, so
# the tree's own http_sendv stays the one the guest runs).
rm -rf "$pc/examples"
cp -r "$top/examples" "$pc/examples"
rm -f "$pc/examples/http_sendv"
out=$(export_pc make -s -C "$pc/examples" PKG=1 2>&1 &&
	LD_LIBRARY_PATH=$stage$libdir "$pc/examples/http_sendv" --help 2>&1)
rc=$?
[ $rc -eq 0 ] && readelf -d "$pc/examples/http_sendv" | grep -q 'NEEDED.*\[libzcopy.so.0\]'
result lib-examples-build-with-pkg-config $? "status $rc: $(echo "$out" | tail -n 3 | tr '\n' ' ')"

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

# ---- zcopyctl, where it runs without the module ------------------------------
# The module is never loaded on the host: what zcopyctl says without it, its
# help, usage errors, --version, its JSON (parsed with python3), sizes,
# names through getaddrinfo, and recv against a sender of bash's own.
ctl=$top/userspace/zcopyctl
zc=$build/zcopyctl-check
rm -rf "$zc"
mkdir -p "$zc"
ver=$(sed -n 's/^#define ZCOPY_VERSION[[:space:]]*"\(.*\)"/\1/p' "$top/module/zcopy.h")
loaded=$([ -e /sys/module/zcopy ] && echo yes)

out=$("$ctl" --version 2>&1)
rc=$?
[ $rc -eq 0 ] && [ -z "$loaded" ] &&
	[ "$out" = "zcopyctl $ver"$'\n'"module not loaded" ]
result zcopyctl-version $? "status $rc: $out"

out=$("$ctl" --version --json 2>&1)
rc=$?
[ $rc -eq 0 ] && echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(d != {"zcopyctl": sys.argv[1], "module": None})' "$ver"
result zcopyctl-version-json $? "status $rc: $out"

bad=
for c in load unload info send recv stats bench version help; do
	out=$("$ctl" "$c" --help 2>&1)
	rc=$?
	{ [ $rc -eq 0 ] && [[ $out == "Usage: zcopyctl $c"* ]] &&
	  [[ $out == *"Exit status: 0 success"* ]]; } || bad="$bad $c($rc)"
done
out=$("$ctl" --help 2>&1) || bad="$bad --help-status"
[[ $out == *"--version"* ]] || bad="$bad --help"
[ -z "$bad" ]
result zcopyctl-help-every-command $? "bad:$bad"

# Usage errors: status 2, a message on stderr, nothing on stdout.
bad=
while read -r args; do
	# shellcheck disable=SC2086 # the words of one case
	"$ctl" $args >"$zc/out" 2>"$zc/err"
	rc=$?
	{ [ $rc -eq 2 ] && [ ! -s "$zc/out" ] && [ -s "$zc/err" ]; } ||
		bad="$bad [$args: status $rc]"
done <<'CASES'
nosuchcommand
send --bogus f 127.0.0.1:9
send --json=1 f 127.0.0.1:9
send f
send f 127.0.0.1:9 --len
send f 127.0.0.1:9 --len 1KB
send f 127.0.0.1:9 --len 1x
send f 127.0.0.1:9 --len 16777216T
send f ::1:9
send f 127.0.0.1:99999
send --quiet --json f 127.0.0.1:9
recv --port 65536
recv --count -1
stats --watch 0
stats --watch x
stats extra
bench --sizes 2G
bench --sizes 4KB
bench --json x
bench --rx-addr 1.2.3
bench --rx-addr ::1
bench --connections 0
bench --connections 65
bench --connections x
info --bogus
CASES
"$ctl" >"$zc/out" 2>"$zc/err"
rc=$?
[ $rc -eq 2 ] && [ -s "$zc/err" ] || bad="$bad [no command: status $rc]"
[ -z "$bad" ]
result zcopyctl-usage-errors $? "$bad"

# Without /dev/zcopy: status 3 and what to do, on stderr only.
if [ -e /dev/zcopy ]; then
	result zcopyctl-hint-without-module 1 "/dev/zcopy exists on the host"
else
	hint="zcopyctl: /dev/zcopy: No such file or directory: is the module loaded? sudo zcopyctl load"
	printf x >"$zc/one"
	bad=
	for args in "info" "info --json" "send $zc/one 127.0.0.1:9" \
		    "send $zc/one localhost:9 --len 1K --json"; do
		# shellcheck disable=SC2086
		"$ctl" $args >"$zc/out" 2>"$zc/err"
		rc=$?
		{ [ $rc -eq 3 ] && [ ! -s "$zc/out" ] &&
		  [ "$(cat "$zc/err")" = "$hint" ]; } ||
			bad="$bad [$args: status $rc: $(cat "$zc/err")]"
	done
	"$ctl" stats >"$zc/out" 2>"$zc/err"
	rc=$?
	[ $rc -eq 3 ] && grep -q ': No such file or directory: is the module loaded? sudo zcopyctl load$' \
		"$zc/err" || bad="$bad [stats: status $rc: $(cat "$zc/err")]"
	[ -z "$bad" ]
	result zcopyctl-hint-without-module $? "$bad"
fi

# The JSON writer and the size parser, on their own: every control
# character, quotes, backslashes and UTF-8 must come back as written.
cat >"$zc/units-json.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "json.h"
#include "units.h"

int main(void)
{
	static const struct { const char *s; int ok; unsigned long long v; } sizes[] = {
		{ "0", 1, 0 }, { "4096", 1, 4096 }, { "1K", 1, 1024 }, { "1k", 1, 1024 },
		{ "1KiB", 1, 1024 }, { "1kib", 1, 1024 }, { "3M", 1, 3 << 20 },
		{ "2MiB", 1, 2 << 20 }, { "1G", 1, 1ULL << 30 }, { "1GiB", 1, 1ULL << 30 },
		{ "2T", 1, 2ULL << 40 }, { "16777215T", 1, 16777215ULL << 40 },
		{ "16777216T", 0, 0 }, { "1KB", 0, 0 }, { "1Ki", 0, 0 }, { "1X", 0, 0 },
		{ "", 0, 0 }, { "-1", 0, 0 }, { " 1", 0, 0 }, { "1 K", 0, 0 }, { "K", 0, 0 },
		{ "0x10", 0, 0 }, { "18446744073709551616", 0, 0 },
	};
	char all[40];
	struct json j;
	int bad = 0;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t v = 0;
		int ok = parse_size(sizes[i].s, UINT64_MAX, &v);

		if (ok != sizes[i].ok || (ok && v != sizes[i].v)) {
			fprintf(stderr, "parse_size(\"%s\"): %d %llu\n", sizes[i].s, ok,
				(unsigned long long)v);
			bad = 1;
		}
	}
	for (int c = 1; c < 32; c++)
		all[c - 1] = c;
	strcpy(all + 31, "\"\\/\x7f");
	json_init(&j, stdout, 1);
	json_object_begin(&j, NULL);
	json_string(&j, "controls", all);
	json_string(&j, "k\"ey\n", "caf\xc3\xa9");
	json_string(&j, "null", NULL);
	json_u64(&j, "u64", UINT64_MAX);
	json_i64(&j, "i64", INT64_MIN);
	json_double(&j, "double", 0.1);
	json_double(&j, "inf", 1.0 / 0.0);
	json_fixed(&j, "fixed", 2.0 / 3.0, 2);
	json_bool(&j, "bool", 1);
	json_csv_array(&j, "csv", "a,b\\c");
	json_csv_array(&j, "empty", "");
	json_array_begin(&j, "nested");
	json_object_begin(&j, NULL);
	json_object_end(&j);
	json_array_begin(&j, NULL);
	json_array_end(&j);
	json_array_end(&j);
	json_object_end(&j);
	json_newline(&j);
	return bad;
}
C
out=$(gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$top/userspace" \
	-o "$zc/units-json" "$zc/units-json.c" "$top/userspace/json.c" \
	"$top/userspace/units.c" 2>&1) && out=$("$zc/units-json" 2>&1 >"$zc/writer.json")
result zcopyctl-size-suffixes $? "$out"
python3 - "$zc/writer.json" >"$zc/py.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = {
    "controls": "".join(chr(c) for c in range(1, 32)) + '"\\/\x7f',
    "k\"ey\n": "caf\u00e9", "null": None, "u64": 2**64 - 1, "i64": -2**63,
    "double": 0.1, "inf": None, "fixed": 0.67, "bool": True,
    "csv": ["a", "b\\c"], "empty": [], "nested": [{}, []],
}
sys.exit(0 if d == want else "got %r" % d)
PY
result zcopyctl-json-writer $? "$(cat "$zc/py.out")"

# The hints for /dev/zcopy, one errno each, with their exit statuses (the
# device is never there on the host, so EACCES is called up directly).
cat >"$zc/hints.c" <<'C'
#include "cli.h"

int main(void)
{
	return fail_module(ENOENT, "/dev/zcopy") != EXIT_NO_MODULE ||
	       fail_module(EACCES, "/dev/zcopy") != EXIT_NO_ACCESS ||
	       fail_module(EPERM, "/dev/zcopy") != EXIT_NO_ACCESS ||
	       fail_module(EIO, "/dev/zcopy") != EXIT_RUNTIME;
}
C
cat >"$zc/hints.want" <<'TXT'
zcopyctl: /dev/zcopy: No such file or directory: is the module loaded? sudo zcopyctl load
zcopyctl: /dev/zcopy: Permission denied: add yourself to group zcopy (sudo usermod -aG zcopy $USER, then log in again)
zcopyctl: /dev/zcopy: Operation not permitted: add yourself to group zcopy (sudo usermod -aG zcopy $USER, then log in again)
zcopyctl: /dev/zcopy: Input/output error
TXT
out=$(gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$top/userspace" \
	-I"$top/uapi" -o "$zc/hints" "$zc/hints.c" "$top/userspace/cli_messages.c" 2>&1) &&
	"$zc/hints" 2>"$zc/hints.out" && out=$(diff "$zc/hints.want" "$zc/hints.out")
result zcopyctl-hints $? "$out"

# FNV-1a 64 of a file, as zcopyctl prints it.
fnv() {
	python3 -c '
import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)' "$1"
}

# recv on a port of its own (--port 0), bound through getaddrinfo
# ("localhost"), until SIGTERM: it says where it listens before it accepts,
# and what it received matches what was sent, byte for byte.
head -c 300000 /dev/urandom >"$zc/src.bin"
"$ctl" recv --bind localhost --port 0 --count 0 --json >"$zc/recv.json" 2>"$zc/recv.err" &
rpid=$!
for _ in $(seq 50); do [ -s "$zc/recv.json" ] && break; sleep 0.1; done
port=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["listening"]["port"])' \
	"$zc/recv.json" 2>/dev/null)
if [ -n "$port" ]; then
	bash -c 'cat "$1" >/dev/tcp/127.0.0.1/"$2"' _ "$zc/src.bin" "$port"
	bash -c 'printf abc >/dev/tcp/127.0.0.1/"$1"' _ "$port"
	for _ in $(seq 50); do [ "$(wc -l <"$zc/recv.json")" -ge 3 ] && break; sleep 0.1; done
fi
kill -TERM $rpid
wait $rpid
rc=$?
printf abc >"$zc/abc"
python3 - "$zc/recv.json" "$(fnv "$zc/src.bin")" "$(fnv "$zc/abc")" >"$zc/py.out" 2>&1 <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
want = [
    {"received": 300000, "fnv1a64": sys.argv[2]},
    {"received": 3, "fnv1a64": sys.argv[3]},
    {"summary": {"connections": 2, "bytes": 300003}},
]
ok = (len(lines) == 4 and lines[0]["listening"]["address"] in ("127.0.0.1", "::1")
      and 0 < lines[0]["listening"]["port"] < 65536 and lines[1:] == want)
sys.exit(0 if ok else "got %r" % lines)
PY
py=$?
[ -n "$port" ] && [ $rc -eq 0 ] && [ $py -eq 0 ]
result zcopyctl-recv-port-0-localhost-json $? \
	"port '$port', status $rc: $(cat "$zc/py.out" "$zc/recv.err")"

# The same in text: "listening address ADDR port PORT", one line a connection.
"$ctl" recv --bind 127.0.0.1 --port 0 >"$zc/recv.txt" 2>&1 &
rpid=$!
for _ in $(seq 50); do [ -s "$zc/recv.txt" ] && break; sleep 0.1; done
port=$(sed -n 's/^listening address 127\.0\.0\.1 port \([0-9][0-9]*\)$/\1/p' "$zc/recv.txt")
[ -n "$port" ] && bash -c 'cat "$1" >/dev/tcp/127.0.0.1/"$2"' _ "$zc/src.bin" "$port"
wait $rpid
rc=$?
[ -n "$port" ] && [ $rc -eq 0 ] &&
	[ "$(sed -n 2p "$zc/recv.txt")" = "received 300000 fnv1a64 $(fnv "$zc/src.bin")" ]
result zcopyctl-recv-port-0-text $? "status $rc: $(cat "$zc/recv.txt")"

# bench --json: JSON on stdout (the table on stderr), user paths only.
# The peers' rows run on the host's kernel too: io_uring, and MSG_ZEROCOPY,
# whose completions must report loopback's copy (SO_EE_CODE_ZEROCOPY_COPIED).
# Each path gets a cost model from its three sizes.
paths=user:sendfile,user:readwrite,user:io_uring_splice,user:msg_zerocopy
"$ctl" bench --dir "$zc" --paths $paths --sizes 4K,1KiB,16K \
	--cache hot --budget-ms 100 --min-reps 1 --json >"$zc/bench.json" 2>"$zc/bench.err"
rc=$?
python3 - "$zc/bench.json" "$paths" >"$zc/py.out" 2>&1 <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
paths = sys.argv[2].split(",")
rows = {(r["path"], r["size"]) for r in d["results"] if r["status"] == "ok"}
want = {(p, s) for p in paths for s in (4096, 1024, 16384)}
zc = [r["copied_bytes_per_byte"] for r in d["results"] if r["path"] == "user:msg_zerocopy"]
fits = {m["path"]: m for m in d["cost_model"]}
errs = []
if rows != want or d["env"]["features"] is not None:
    errs.append("rows %r" % rows)
if zc != [1.0, 1.0, 1.0]:
    errs.append("msg_zerocopy copies/B %r" % zc)
for p in paths:
    m = fits.get(p)
    if not m or m["sizes"] != 3 or not all(math.isfinite(m[k]) for k in ("ns_per_call", "ns_per_kib")):
        errs.append("cost model of %s: %r" % (p, m))
sys.exit("; ".join(errs) if errs else 0)
PY
py=$?
[ $rc -eq 0 ] && [ $py -eq 0 ] && grep -q '^user:sendfile  *4K hot' "$zc/bench.err"
result zcopyctl-bench-json $? "status $rc: $(cat "$zc/py.out")"

# bench --connections: the concurrent rows, every connection's bytes counted.
"$ctl" bench --dir "$zc" --paths user:sendfile,user:io_uring_splice --sizes 64K \
	--connections 3 --budget-ms 200 --json >"$zc/conc.json" 2>"$zc/conc.err"
rc=$?
python3 - "$zc/conc.json" >"$zc/py.out" 2>&1 <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["results"]
ok = len(rows) == 2 and all(r["status"] == "ok" and r["connections"] == 3 and
                            r["mib_per_s"] > 0 and r["cpu_s_per_gib"] > 0 for r in rows)
sys.exit(0 if ok else "got %r" % rows)
PY
py=$?
[ $rc -eq 0 ] && [ $py -eq 0 ]
result zcopyctl-bench-connections $? "status $rc: $(cat "$zc/py.out") $(tail -3 "$zc/conc.err")"

# Cold rows are cold for every path of a group: no path may keep the file's
# pages pinned between repetitions (user:msg_zerocopy's mapping once did, for
# all of them).  On disk, where drop_caches means something.
cold=$build/bench-cold-check
mkdir -p "$cold"
"$ctl" bench --dir "$cold" --paths user:sendfile,user:mmap_write,user:msg_zerocopy \
	--sizes 64K --cache cold --budget-ms 200 --min-reps 3 --json >"$zc/cold.json" 2>"$zc/cold.err"
rc=$?
python3 - "$zc/cold.json" >"$zc/py.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
if d["env"]["drop_caches"] != "yes" or d["env"]["fs"] in ("tmpfs", "ramfs"):
    sys.exit(0)
rows = d["results"]
ok = len(rows) == 3 and all(r["status"] == "ok" and r["resident_fraction"] <= 0.01 for r in rows)
sys.exit(0 if ok else "got %r" % [(r["path"], r["status"], r.get("resident_fraction")) for r in rows])
PY
py=$?
rm -rf "$cold"
[ $rc -eq 0 ] && [ $py -eq 0 ]
result zcopyctl-bench-cold-rows-are-cold $? "status $rc: $(cat "$zc/py.out") $(tail -3 "$zc/cold.err")"
