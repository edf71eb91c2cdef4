#!/bin/sh
# The job on Debian's stock kernels (tests/check-dkms.sh): the module DKMS
# built and installed for this kernel loads by name, the guest tests and the
# stress run against it (no KUnit: stock kernels have none, and no kmemleak),
# and it unloads cleanly.
# Each result is one PASS/FAIL line.
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
check() { name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "$*"; fi; }

kver=$(uname -r)
want_version=
for arg in $(cat /proc/cmdline); do
	case $arg in zcopy_version=*) want_version=${arg#zcopy_version=} ;; esac
done
dkms_ko=/lib/modules/$kver/updates/dkms/zcopy.ko
echo "ZCOPY-STOCK-KERNEL: $(cat /proc/version)"

check stock/dkms_module_present test -f "$dkms_ko"
# By name, through modules.dep, as a user's "modprobe zcopy" would.
check stock/load_with_zcopyctl zcopyctl load
check stock/device_node test -c /dev/zcopy
check stock/sysfs_stats test -r /sys/class/misc/zcopy/stats/transfers
check stock/sysfs_methods test -d /sys/class/misc/zcopy/methods
# The module that loaded is the DKMS build, not some other zcopy.ko.
same_srcversion() {
	[ "$(cat /sys/module/zcopy/srcversion)" = \
		"$(modinfo -F srcversion "$dkms_ko")" ]
}
check stock/loaded_module_is_dkms_build same_srcversion
check stock/module_version test "$(cat /sys/module/zcopy/version)" = "$want_version"
zcopyctl info

if [ -x /bin/zcopy-guest-tests ]; then
	zcopy-guest-tests
else
	echo "ZCOPY-STOCK: zcopy-guest-tests not built: guest tests skipped"
fi

# Random ioctls from several threads for zcopy_stress=SECONDS; the program
# prints its seed first and its PASS/FAIL line last.
stress_s=30
for arg in $(cat /proc/cmdline); do
	case $arg in zcopy_stress=*) stress_s=${arg#zcopy_stress=} ;; esac
done
if [ -x /bin/zcopy-stress ]; then
	timeout $((stress_s + 300)) zcopy-stress --seconds "$stress_s" --threads 4
	rc=$?
	[ $rc -gt 1 ] && fail stress/random-ioctls "zcopy-stress ended with status $rc"
fi

# The module must refuse to go while open, and leave no trace when it goes.
exec 3</dev/zcopy
check stock/unload_refused_while_open sh -c '! zcopyctl unload 2>/dev/null'
exec 3<&-
check stock/unload zcopyctl unload
check stock/sysfs_removed test ! -e /sys/class/misc/zcopy
check stock/reload zcopyctl load
check stock/unload_again zcopyctl unload
