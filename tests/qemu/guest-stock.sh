#!/bin/sh
# The job on Debian's stock kernels (tests/check-dkms.sh): the module DKMS
# built and installed for this kernel loads by name, the guest tests and the
# stress run against it (no KUnit: stock kernels have none, and no kmemleak),
# and it unloads cleanly.
# Each result is one PASS/FAIL line on the results channel (results.sh), each
# test program's lines come between the records of its start and exit
# status, and this script's own count comes last.
# shellcheck source=tests/qemu/results.sh
. /bin/results.sh

kver=$(uname -r)
want_version=
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in zcopy_version=*) want_version=${arg#zcopy_version=} ;; esac
done
dkms_ko=/lib/modules/$kver/updates/dkms/zcopy.ko
echo "ZCOPY-STOCK-KERNEL: $(cat /proc/version)"

check stock/dkms-module-present test -f "$dkms_ko"
# By name, through modules.dep, as a user's "modprobe zcopy" would.
check stock/load-with-zcopyctl zcopyctl load
check stock/device-node test -c /dev/zcopy
check stock/sysfs-stats test -r /sys/class/misc/zcopy/stats/transfers
check stock/sysfs-stats-pages test -r /sys/class/misc/zcopy/stats_pages/transfers
# The module that loaded is the DKMS build, not some other zcopy.ko.
same_srcversion() {
	[ "$(cat /sys/module/zcopy/srcversion)" = \
		"$(modinfo -F srcversion "$dkms_ko")" ]
}
check stock/loaded-module-is-dkms-build same_srcversion
check stock/module-version test "$(cat /sys/module/zcopy/version)" = "$want_version"
zcopyctl info

if [ -x /bin/zcopy-guest-tests ]; then
	run zcopy-guest-tests zcopy-guest-tests
else
	echo "ZCOPY-STOCK: zcopy-guest-tests not built: guest tests skipped"
fi

# Random ioctls from several threads for zcopy_stress=SECONDS; the program
# prints its seed first and its PASS/FAIL line and count last.
stress_s=30
for arg in $cmdline; do
	case $arg in zcopy_stress=*) stress_s=${arg#zcopy_stress=} ;; esac
done
if [ -x /bin/zcopy-stress ]; then
	run zcopy-stress timeout $((stress_s + 300)) \
		zcopy-stress --seconds "$stress_s" --threads 4
	rc=$?
	[ $rc -gt 1 ] && fail stress/random-ioctls "zcopy-stress ended with status $rc"
fi

# Unmodified servers under the packaged sendfile interposer.
run guest-server.sh /bin/guest-server.sh

# The module must refuse to go while open, and leave no trace when it goes.
exec 3</dev/zcopy
check stock/unload-refused-while-open sh -c '! zcopyctl unload 2>/dev/null'
exec 3<&-
check stock/unload zcopyctl unload
check stock/sysfs-removed test ! -e /sys/class/misc/zcopy
check stock/reload zcopyctl load
check stock/unload-again zcopyctl unload

summary guest-stock
