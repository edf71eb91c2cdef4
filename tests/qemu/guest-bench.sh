#!/bin/sh
# make bench, in the guest: load zcopy, run "zcopyctl bench" on the ext4 disk,
# and print the table, the JSON and the SVG between markers for the host.
# bench.paths=, bench.sizes=, bench.cache= and bench.budget_ms= on the kernel
# command line pass on --paths, --sizes, --cache and --budget-ms.
args=
# shellcheck disable=SC2013 # the words of one line
for arg in $(cat /proc/cmdline); do
	case $arg in
	bench.paths=*) args="$args --paths ${arg#*=}" ;;
	bench.sizes=*) args="$args --sizes ${arg#*=}" ;;
	bench.cache=*) args="$args --cache ${arg#*=}" ;;
	bench.budget_ms=*) args="$args --budget-ms ${arg#*=}" ;;
	esac
done
# Cold-cache rows need a disk filesystem: never fall back to tmpfs quietly.
if ! grep -q ' /mnt/ext4 ext4 ' /proc/mounts; then
	echo "guest-bench: no ext4 disk mounted on /mnt/ext4" >&2
	exit 1
fi
# On jiffies every time would move in 4 ms steps: refuse rather than mislead.
clock=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
case $clock in
*jiffies*)
	echo "guest-bench: the clocksource is $clock: no figures worth printing" >&2
	exit 1 ;;
esac
zcopyctl load || exit 1
zcopyctl info
mem=$(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
note="QEMU, $(nproc) vCPU(s) shared by sender and receiver, $mem MiB; ext4 on virtio-blk (a raw image the host caches)"

echo BENCH-TABLE-BEGIN
# shellcheck disable=SC2086
zcopyctl bench --dir /mnt/ext4 --json-file /tmp/bench.json --svg /tmp/bench.svg \
	--note "$note" $args
rc=$?
echo BENCH-TABLE-END

# The host checks each file against its hash: console noise must not pass.
for part in JSON:/tmp/bench.json SVG:/tmp/bench.svg; do
	name=${part%%:*} file=${part#*:}
	[ -f "$file" ] || continue
	echo "BENCH-$name-SHA256 $(sha256sum <"$file" | cut -d' ' -f1)"
	echo "BENCH-$name-BEGIN"
	cat "$file"
	echo "BENCH-$name-END"
done
exit $rc
