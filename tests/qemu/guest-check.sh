#!/bin/sh
# The tests that run inside the guest: KUnit, then the ioctl tests, then
# module unload and a kmemleak scan.  Each result is one PASS/FAIL line.
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
check() { name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "$*"; fi; }

kmemleak=/sys/kernel/debug/kmemleak
[ -w $kmemleak ] && echo clear >$kmemleak

check harness/load_with_zcopyctl zcopyctl load
check harness/device_node test -c /dev/zcopy
check harness/sysfs_stats test -r /sys/class/misc/zcopy/stats/transfers

# KUnit runs the suites when its module loads; the results live in debugfs.
if insmod /lib/modules/$(uname -r)/extra/zcopy_kunit.ko; then
	for dir in /sys/kernel/debug/kunit/zcopy_*; do
		echo "KUNIT-RESULTS-BEGIN $(basename "$dir")"
		cat "$dir/results"
		echo "KUNIT-RESULTS-END"
	done
	rmmod zcopy_kunit
else
	fail harness/kunit_load "insmod zcopy_kunit.ko failed"
fi

zcopy-guest-tests

# The module must refuse to go while open, and leave no trace when it goes.
exec 3</dev/zcopy
check harness/unload_refused_while_open sh -c '! zcopyctl unload 2>/dev/null'
exec 3<&-
check harness/unload zcopyctl unload
check harness/sysfs_removed test ! -e /sys/class/misc/zcopy
check harness/reload zcopyctl load
check harness/unload_again zcopyctl unload

if [ -w $kmemleak ]; then
	echo scan >$kmemleak
	sleep 5
	echo scan >$kmemleak
	if [ -s $kmemleak ]; then
		cat $kmemleak
		fail harness/kmemleak "kmemleak reported leaks"
	else
		pass harness/kmemleak
	fi
fi
