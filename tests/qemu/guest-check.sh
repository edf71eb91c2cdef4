#!/bin/sh
# The tests that run inside the guest: KUnit, then the ioctl tests, the
# randomized stress, module unload and a kmemleak scan.  Each result is one
# PASS/FAIL line on the results channel (results.sh), each test program's
# lines come between the records of its start and exit status, and this
# script's own count comes last.
# shellcheck source=tests/qemu/results.sh
. /bin/results.sh

kmemleak=/sys/kernel/debug/kmemleak
[ -w $kmemleak ] && echo clear >$kmemleak

# Two vCPUs (boot.sh: -smp 2,sockets=2): races and stress run in parallel.
two_cpus() {
	[ "$(nproc)" = 2 ] && [ "$(cat /sys/devices/system/cpu/online)" = 0-1 ]
}
check harness/smp-two-cpus two_cpus

# The test world init sets up (tests/qemu/init): the world and nic groups
# register a test only where its filesystem or NIC is there, so here every
# one of them must be.
mounted() {	# DIR TYPE [OPTION]: DIR is a mount of TYPE with OPTION
	awk -v d="$1" -v t="$2" -v o="${3:-}" '
		$2 == d && $3 == t && (o == "" || index("," $4 ",", "," o ",")) { ok = 1 }
		END { exit !ok }' /proc/mounts
}
block_size_1k() { [ "$(stat -f -c %S /mnt/ext4-1k)" = 1024 ]; }
tx0_is_e1000() {
	[ "$(basename "$(readlink /sys/class/net/tx0/device/driver)")" = e1000 ]
}
rx0_in_netns() {
	/bin/ip -n rx -o addr show dev rx0 | grep -q "inet 169.254.1.2/16"
}
check harness/mount-ext4 mounted /mnt/ext4 ext4
check harness/mount-ext4-1k mounted /mnt/ext4-1k ext4
check harness/mount-ext4-1k-blocks block_size_1k
check harness/mount-xfs mounted /mnt/xfs xfs
check harness/mount-dax mounted /mnt/dax ext4 dax=always
check harness/mount-ovl mounted /mnt/ovl overlay
check harness/mount-thp mounted /mnt/thp tmpfs huge=always
check harness/nic-tx0-e1000 tx0_is_e1000
check harness/nic-rx-netns rx0_in_netns

check harness/load-with-zcopyctl zcopyctl load
check harness/device-node test -c /dev/zcopy
check harness/sysfs-stats test -r /sys/class/misc/zcopy/stats/transfers
# zcopyctl stats reads the same directories: a column for the total and one
# per method, in the header's order.
stats_columns() {
	[ "$(zcopyctl stats | head -n 1 | tr -s ' ')" = \
	  "counter total copy mmap splice pages direct" ] &&
	zcopyctl stats --method pages | grep -q '^transfers *[0-9][0-9]*$'
}
check harness/zcopyctl-stats-columns stats_columns

# KUnit runs the suites when its module loads; the results live in debugfs.
# They go to the channel whole (the judge counts their leaf results).
if insmod "/lib/modules/$(uname -r)/extra/zcopy_kunit.ko"; then
	for dir in /sys/kernel/debug/kunit/zcopy_*; do
		{
			echo "KUNIT-RESULTS-BEGIN $(basename "$dir")"
			cat "$dir/results"
			echo "KUNIT-RESULTS-END"
		} | channel_cat
	done
	rmmod zcopy_kunit
else
	fail harness/kunit-load "insmod zcopy_kunit.ko failed"
fi

read -r cmdline </proc/cmdline
# zcopy_groups=a,b on the kernel command line runs only those groups.
group_args=
for arg in $cmdline; do
	case $arg in zcopy_groups=*)
		for g in $(echo "${arg#zcopy_groups=}" | tr , ' '); do
			group_args="$group_args --group $g"
		done ;;
	esac
done
# shellcheck disable=SC2086
run zcopy-guest-tests zcopy-guest-tests $group_args

# Random ioctls from several threads for a fixed time (zcopy_stress=SECONDS
# on the kernel command line to change it); the program prints its seed
# first and its PASS/FAIL line and count last.
stress_s=60
for arg in $cmdline; do
	case $arg in zcopy_stress=*) stress_s=${arg#zcopy_stress=} ;; esac
done
run zcopy-stress timeout $((stress_s + 300)) \
	zcopy-stress --seconds "$stress_s" --threads 4
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

summary guest-check
