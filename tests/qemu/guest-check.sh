#!/bin/sh
# The tests that run inside the guest: KUnit, then the ioctl tests, the
# randomized stress, module unload and a kmemleak scan.  Each result is one
# PASS/FAIL line.
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

# zcopy_groups=a,b on the kernel command line runs only those groups.
group_args=
for arg in $(cat /proc/cmdline); do
	case $arg in zcopy_groups=*)
		for g in $(echo "${arg#zcopy_groups=}" | tr , ' '); do
			group_args="$group_args --group $g"
		done ;;
	esac
done
# shellcheck disable=SC2086
zcopy-guest-tests $group_args

# Random ioctls from several threads for a fixed time (zcopy_stress=SECONDS
# on the kernel command line to change it); the program prints its seed
# first and its PASS/FAIL line last.
stress_s=60
for arg in $(cat /proc/cmdline); do
	case $arg in zcopy_stress=*) stress_s=${arg#zcopy_stress=} ;; esac
done
timeout $((stress_s + 300)) zcopy-stress --seconds "$stress_s" --threads 4
rc=$?
[ $rc -gt 1 ] && fail stress/random-ioctls "zcopy-stress ended with status $rc"

# The module must refuse to go while open, and leave no trace when it goes.
exec 3</dev/zcopy
check faults/rmmod-refused-while-open sh -c '! zcopyctl unload 2>/dev/null'
exec 3<&-
check faults/rmmod-after-close zcopyctl unload
check faults/rmmod-sysfs-removed test ! -e /sys/class/misc/zcopy
check faults/rmmod-reload zcopyctl load
check faults/rmmod-unload-again zcopyctl unload

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
