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

# ---- zcopyctl against the loaded module ------------------------------------
# Its JSON is held to the exact fields (no python3 here; tests/host-checks.sh
# parses what zcopyctl prints without the module), and every transfer's
# bytes to the source's: send hashes the source file read back, recv what
# arrived.
grep -q localhost /etc/hosts 2>/dev/null || echo '127.0.0.1 localhost' >>/etc/hosts
ctl_version() {
	v=$(cat /sys/module/zcopy/version) &&
	[ "$(zcopyctl --version)" = "zcopyctl $v
module $v" ] &&
	[ "$(zcopyctl --version --json)" = "{\"zcopyctl\":\"$v\",\"module\":\"$v\"}" ]
}
check harness/zcopyctl-version ctl_version
ctl_info_json() {
	zcopyctl info --json | grep -qxE \
		'\{"methods":\[("[a-z]+",)*"[a-z]+"\],"max_len":[0-9]+,"features":\[("[a-z_]+",)*("[a-z_]+")?\]\}'
}
check harness/zcopyctl-info-json ctl_info_json
ctl_stats_json() {
	c='"transfers":[0-9]+,"bytes":[0-9]+,"zc_bytes":[0-9]+,"copied_bytes":[0-9]+,"cache_hit_pages":[0-9]+,"cache_miss_pages":[0-9]+,"storage_read_bytes":[0-9]+,"errors":[0-9]+'
	zcopyctl stats --json | grep -qxE "\{\"total\":\{$c\}(,\"[a-z]+\":\{$c\}){5}\}" &&
	zcopyctl stats --json --method pages | grep -qxE "\{\"pages\":\{$c\}\}"
}
check harness/zcopyctl-stats-json ctl_stats_json

# recv_start ARGS...: a receiver on a port of its own, its stdout in
# /tmp/recv.out; sets recv_pid and recv_port (empty if it never listened).
recv_start() {
	rm -f /tmp/recv.out
	zcopyctl recv --port 0 "$@" >/tmp/recv.out &
	recv_pid=$!
	recv_port=
	for _ in $(seq 50); do
		recv_port=$(sed -n 's/^listening address .* port \([0-9][0-9]*\)$/\1/p
			s/^{"listening":{"address":"[^"]*","port":\([0-9][0-9]*\)}}$/\1/p' \
			/tmp/recv.out 2>/dev/null)
		[ -n "$recv_port" ] && return 0
		sleep 0.1
	done
	return 1
}
dd if=/dev/urandom of=/tmp/ctl.bin bs=64K count=48 2>/dev/null
# Sizes with suffixes, a name through getaddrinfo, JSON at both ends.
ctl_send_recv_json() {
	recv_start --bind localhost --json || return 1
	out=$(zcopyctl send /tmp/ctl.bin "localhost:$recv_port" --method pages \
		--offset 4K --len 2MiB --json --no-progress) || return 1
	wait $recv_pid || return 1
	echo "$out"
	cat /tmp/recv.out
	hash=$(echo "$out" | sed -n 's/.*"fnv1a64":"\([0-9a-f]\{16\}\)"}$/\1/p')
	echo "$out" | grep -qE '^\{"method":"pages","sent":2097152,"zc_bytes":[0-9]+,"copied_bytes":[0-9]+,"copies_per_byte":[0-9.]+,"cache_hit_pages":[0-9]+,"cache_miss_pages":[0-9]+,"storage_read_bytes":[0-9]+,"elapsed_us":[0-9.]+,"throughput_mib_s":[0-9.]+,"route":\[("[a-z0-9]+",?)*\],"ifindex":1,"interface":"lo","fnv1a64":"[0-9a-f]{16}"\}$' &&
	[ -n "$hash" ] &&
	[ "$(sed -n 2p /tmp/recv.out)" = "{\"received\":2097152,\"fnv1a64\":\"$hash\"}" ]
}
check harness/zcopyctl-send-recv-json ctl_send_recv_json
# --async: the steps as they happen, and the receiver's hash matches.
ctl_send_async() {
	printf 'HEAD\r\n' >/tmp/head.bin
	recv_start --bind 127.0.0.1 || return 1
	out=$(zcopyctl send /tmp/ctl.bin /tmp/ctl.bin "127.0.0.1:$recv_port" \
		--header /tmp/head.bin --async --notify-release) || return 1
	wait $recv_pid || return 1
	echo "$out"
	cat /tmp/recv.out
	hash=$(echo "$out" | sed -n 's/^fnv1a64 //p')
	echo "$out" | grep -qx 'submitted 1 operation' &&
	echo "$out" | grep -qx 'completed operation 0: 6291462 bytes, ok' &&
	echo "$out" | grep -qx 'released operation 0 (the stack copied)' &&
	echo "$out" | grep -qE '^operations +1$' &&
	[ -n "$hash" ] &&
	[ "$(sed -n 2p /tmp/recv.out)" = "received 6291462 fnv1a64 $hash" ]
}
check harness/zcopyctl-send-async ctl_send_async
# README's first program against libzcopy (examples/send_file.c):
# the receiver gets its header line and then the file.
example_send_file() {
	recv_start --bind 127.0.0.1 || return 1
	out=$(send_file /tmp/ctl.bin 127.0.0.1 "$recv_port") || return 1
	wait $recv_pid || return 1
	echo "$out"
	got=$(sed -n 2p /tmp/recv.out)
	# What it should have received, hashed by a second send of its own.
	{ printf 'Content-Length: 3145728\r\n\r\n'; cat /tmp/ctl.bin; } >/tmp/expect.bin
	recv_start --bind 127.0.0.1 || return 1
	want=$(zcopyctl send /tmp/expect.bin "127.0.0.1:$recv_port" --no-progress |
		sed -n 's/^fnv1a64 //p')
	wait $recv_pid
	echo "received: $got; expected: $want"
	[ "$out" = "sent 3145755 bytes, 3145728 by page reference, 27 copied (pages)" ] &&
	[ -n "$want" ] && [ "$got" = "received 3145755 fnv1a64 $want" ]
}
check harness/example-send-file example_send_file
# --count 0 until SIGTERM, then a summary; status 0.
ctl_recv_until_stopped() {
	recv_start --bind 127.0.0.1 --count 0 || return 1
	a=$(zcopyctl send /tmp/ctl.bin "127.0.0.1:$recv_port" --len 1M --progress) &&
	b=$(zcopyctl send /tmp/ctl.bin "127.0.0.1:$recv_port" --method copy) || return 1
	for _ in $(seq 50); do
		[ "$(grep -c '^received ' /tmp/recv.out)" = 2 ] && break
		sleep 0.1
	done
	kill -TERM $recv_pid
	wait $recv_pid || return 1
	cat /tmp/recv.out
	ha=$(echo "$a" | sed -n 's/^fnv1a64 //p')
	hb=$(echo "$b" | sed -n 's/^fnv1a64 //p')
	[ "$(sed -n '2,$p' /tmp/recv.out)" = "received 1048576 fnv1a64 $ha
received 3145728 fnv1a64 $hb
summary connections 2 bytes 4194304" ]
}
check harness/zcopyctl-recv-until-stopped ctl_recv_until_stopped
# stats --watch: a line a second, the rates from the second on; SIGTERM
# ends it with status 0.
ctl_stats_watch() {
	zcopyctl stats --watch 0.5 --json --method pages >/tmp/watch.out &
	pid=$!
	sleep 1.8
	kill -TERM $pid
	wait $pid || return 1
	cat /tmp/watch.out
	[ "$(wc -l </tmp/watch.out)" -ge 3 ] &&
	head -n 1 /tmp/watch.out | grep -qE '^\{"time":"[0-9T:Z-]+","interval_s":null,"counters":\{"pages":\{"transfers":[0-9]+,.*\},"rates":null\}$' &&
	sed -n 2p /tmp/watch.out | grep -qE '^\{"time":"[0-9T:Z-]+","interval_s":[0-9.]+,"counters":\{"pages":\{.*\}\},"rates":\{"pages":\{"transfers":[0-9.]+,"bytes":[0-9.]+,.*\}\}\}$'
}
check harness/zcopyctl-stats-watch ctl_stats_watch

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
# zcopy_groups=a,b on the kernel command line runs only those groups;
# "server" is guest-server.sh's, the others zcopy-guest-tests'.
group_args='' groups_given='' server=yes
for arg in $cmdline; do
	case $arg in zcopy_groups=*)
		groups_given=yes server=
		for g in $(echo "${arg#zcopy_groups=}" | tr , ' '); do
			case $g in
			server) server=yes ;;
			*) group_args="$group_args --group $g" ;;
			esac
		done ;;
	esac
done
if [ -z "$groups_given" ] || [ -n "$group_args" ]; then
	# shellcheck disable=SC2086
	run zcopy-guest-tests zcopy-guest-tests $group_args
fi

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

# Unmodified servers under the sendfile interposer (group "server").
[ -n "$server" ] && run guest-server.sh /bin/guest-server.sh

# The module must refuse to go while open, and leave no trace when it goes.
exec 3</dev/zcopy
check faults/rmmod-refused-while-open sh -c '! zcopyctl unload 2>/dev/null'
exec 3<&-
check faults/rmmod-after-close zcopyctl unload
check faults/rmmod-sysfs-removed test ! -e /sys/class/misc/zcopy
check faults/rmmod-reload zcopyctl load
check faults/rmmod-unload-again zcopyctl unload
# Without the module: status 3 and what to do.
no_module_hint() {
	zcopyctl info 2>/tmp/hint.err
	[ $? -eq 3 ] && [ "$(cat /tmp/hint.err)" = \
		"zcopyctl: /dev/zcopy: No such file or directory: is the module loaded? sudo zcopyctl load" ]
}
check harness/zcopyctl-hint-without-module no_module_hint

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
