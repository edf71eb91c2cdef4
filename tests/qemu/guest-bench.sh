#!/bin/sh
# make bench, in the guest: load zcopy, run "zcopyctl bench" on the ext4 disk,
# and print the table, the JSON and the SVG between markers for the host.
# bench.paths=, bench.sizes=, bench.cache= and bench.budget_ms= on the kernel
# command line pass on --paths, --sizes, --cache and --budget-ms;
# bench.nic_sizes= gives the NIC tables' sizes (default 4K,64K,1M);
# bench.nic=0 and bench.nginx=0 leave out the NIC tables and the nginx rows.
# bench.only=concurrent runs the concurrent table alone (the host's second
# boot, with two vCPUs); bench.concurrent=0 leaves it out, bench.fanout=0
# the fan-out table (64 connections, batching), and bench.only=fanout runs
# that alone.  bench.profile=
# PATH[,PATH...] (with bench.profile_size=, default 4K) runs the profiles
# below instead of everything else.
args='' paths='' budget='' nic_sizes=4K,64K,1M only='' profile='' profile_size=4K
# shellcheck disable=SC2013 # the words of one line
for arg in $(cat /proc/cmdline); do
	case $arg in
	bench.paths=*) paths="--paths ${arg#*=}" ;;
	bench.sizes=*) args="$args --sizes ${arg#*=}" ;;
	bench.cache=*) args="$args --cache ${arg#*=}" ;;
	bench.budget_ms=*) budget="--budget-ms ${arg#*=}" ;;
	bench.nic_sizes=*) nic_sizes=${arg#*=} ;;
	bench.only=*) only=${arg#*=} ;;
	bench.profile=*) profile=${arg#*=} ;;
	bench.profile_size=*) profile_size=${arg#*=} ;;
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

# nginx:sendfile against nginx:zcopy: Debian's nginx (one worker, sendfile
# on) serving a hot file on ext4 to wrk's 64 connections for 10 s, without
# and with libzcopy-sendfile.so, one row after the other for each size.
# Requests/s are wrk's; sender CPU is the nginx worker's user and system
# time (clock ticks), per GiB wrk received.
# shellcheck source=tests/qemu/nginx-lib.sh
. /bin/nginx-lib.sh
nginx_rows() {
	ngx_users
	wrk_summary_lua
	mkdir -p "$www_ext4"
	for size in 4096 1048576; do
		head -c $size /dev/urandom >"$www_ext4/f$size"
	done
	chmod -R a+rX "$www_ext4"
	hz=100	# USER_HZ, the unit of /proc/PID/stat on x86
	secs=${NGX_BENCH_SECONDS:-10}
	echo
	echo "nginx, 64 connections, ${secs} s per row, 1 worker, hot file on ext4"
	printf '%-16s %10s %12s %12s %14s %7s\n' path size requests req/s \
		"sender s/GiB" errors
	echo '{"rows":[' >/tmp/bench-nginx.json
	sep=
	for size in 4096 1048576; do
		for mode in plain zcopy; do
			path=nginx:sendfile
			[ $mode = zcopy ] && path=nginx:zcopy
			NGX_WORKERS=1 ngx_start $mode || return 1
			# Warm: the file in the page cache, the worker's buffers.
			curl -s -o /dev/null "$base/ext4/f$size"
			c0=$(ngx_cpu_ticks)
			wrk -t 1 -c 64 -d "${secs}s" --timeout 30s \
				-s /tmp/wrk-summary.lua "$base/ext4/f$size" >/tmp/wrk.out 2>&1
			c1=$(ngx_cpu_ticks)
			ngx_stop
			# shellcheck disable=SC2046 # the summary's words are the fields
			set -- $(sed -n 's/^wrk-summary //p' /tmp/wrk.out)
			[ $# -eq 12 ] || { cat /tmp/wrk.out; return 1; }
			awk -v p=$path -v size=$size -v n="$2" -v bytes="$4" -v us="$6" \
				-v ticks=$((c1 - c0)) -v hz="$hz" -v sep="$sep" \
				-v errs=$(($8 + $9 + ${10} + ${11} + ${12})) 'BEGIN {
				rps = n * 1e6 / us
				cpu = bytes ? ticks / hz / (bytes / 1073741824) : 0
				printf "%-16s %10d %12d %12.0f %14.3f %7d\n", p, size, n, rps, cpu, errs
				printf "%s{\"path\":\"%s\",\"size\":%d,\"connections\":64,\"requests\":%d,\"bytes\":%d,\"duration_us\":%d,\"requests_per_s\":%.1f,\"sender_cpu_s_per_gib\":%.4f,\"errors\":%d}\n", sep, p, size, n, bytes, us, rps, cpu, errs >>"/tmp/bench-nginx.json"
			}'
			sep=,
		done
	done
	echo ']}' >>/tmp/bench-nginx.json
	rm -rf "$www_ext4"
}

# The same paths through a NIC: the e1000 sends, with scatter-gather on
# and then off, to the virtio-net in netns rx on a QEMU hub (init sets them
# up), hot, at bench.nic_sizes.  Off, TCP copies what the others lend:
# every path's copies/B shows it.
nic_table() {
	sg=$1 name=$2
	ethtool -K tx0 sg "$sg" >/dev/null || return 1
	echo
	echo "Through a NIC: e1000 (scatter-gather $sg) to virtio-net in netns rx, QEMU hub"
	# shellcheck disable=SC2086
	zcopyctl bench --dir /mnt/ext4 --rx-addr 169.254.1.2 --rx-netns /run/netns/rx \
		--cache hot --sizes "$nic_sizes" --json-file "/tmp/$name.json" \
		--svg "/tmp/$name.svg" --note "$note; e1000 (sg $sg) to virtio-net" \
		$paths $budget
}

# How the per-transfer bookkeeping scales: 8 connections at once, with the
# vCPUs this boot has (the host boots once with one and once with two).
concurrent_table() {
	zcopyctl bench --dir /mnt/ext4 --connections 8 --cache hot --sizes 64K,1M \
		--paths user:sendfile,user:splice,user:io_uring_splice,zcopy:COPY,zcopy:SPLICE,zcopy:PAGES \
		--budget-ms 3000 --json-file "/tmp/bench-conc-$(nproc)cpu.json" \
		--note "$note; 8 connections at once"
}

# The workload that needs batching: 64 connections, a header and a 4 KiB
# file to each per round, from one sender.
fanout_table() {
	# shellcheck disable=SC2086 # $budget: an option and its value, or nothing
	zcopyctl bench --dir /mnt/ext4 --fanout 64 $budget \
		--json-file /tmp/bench-fanout.json --note "$note; 64 connections, one sender"
}

# Where a path's time goes: its row of hot transfers of one size under
# perf record (cpu-clock sampling of every CPU, kernel and user: the
# receiver's work and softirq count too, and so do the row's file and
# warm-up; a window after them caught the run idle once a fast row had
# settled), then the functions that took 0.5% or more of the samples, by
# their own time.
profile_paths() {
	for p in $(echo "$profile" | tr , ' '); do
		echo
		echo "Profile: $p, $profile_size, hot; share of cpu-clock samples by function (self)"
		perf record -q -e cpu-clock -F 4000 -a -o /tmp/perf.data -- \
			zcopyctl bench --dir /mnt/ext4 --paths "$p" --sizes "$profile_size" \
			--cache hot --budget-ms 5000 --min-reps 400 >/dev/null || return 1
		perf report -i /tmp/perf.data --no-children --sort dso,sym --percent-limit 0.5 \
			--stdio 2>/dev/null | grep -v -e '^#' -e '^$' | head -45
	done
}

echo BENCH-TABLE-BEGIN
rc=0
if [ -n "$profile" ]; then
	profile_paths || rc=1
	echo BENCH-TABLE-END
	exit $rc
fi
if [ "$only" = fanout ]; then
	fanout_table || rc=1
	echo BENCH-TABLE-END
	echo "BENCH-FANOUT-JSON-SHA256 $(sha256sum </tmp/bench-fanout.json | cut -d' ' -f1)"
	echo BENCH-FANOUT-JSON-BEGIN
	cat /tmp/bench-fanout.json
	echo BENCH-FANOUT-JSON-END
	exit $rc
fi
if [ "$only" = concurrent ]; then
	concurrent_table || rc=1
	echo BENCH-TABLE-END
	f=/tmp/bench-conc-$(nproc)cpu.json
	echo "BENCH-CONC-JSON-SHA256 $(sha256sum <"$f" | cut -d' ' -f1)"
	echo BENCH-CONC-JSON-BEGIN
	cat "$f"
	echo BENCH-CONC-JSON-END
	exit $rc
fi
# shellcheck disable=SC2086
zcopyctl bench --dir /mnt/ext4 --json-file /tmp/bench.json --svg /tmp/bench.svg \
	--note "$note" $args $paths $budget || rc=1
grep -qw bench.concurrent=0 /proc/cmdline || concurrent_table || rc=1
grep -qw bench.fanout=0 /proc/cmdline || fanout_table || rc=1
if ! grep -qw bench.nic=0 /proc/cmdline; then
	if [ -e /run/netns/rx ]; then
		nic_table on bench-nic-sg || rc=1
		nic_table off bench-nic-nosg || rc=1
		ethtool -K tx0 sg on >/dev/null
	else
		echo "guest-bench: no NIC pair (tx0, netns rx): no NIC tables" >&2
		rc=1
	fi
fi
grep -qw bench.nginx=0 /proc/cmdline || nginx_rows || rc=1
echo BENCH-TABLE-END

# The host checks each file against its hash: console noise must not pass.
for part in JSON:/tmp/bench.json SVG:/tmp/bench.svg NGINX-JSON:/tmp/bench-nginx.json \
	CONC-JSON:/tmp/bench-conc-1cpu.json FANOUT-JSON:/tmp/bench-fanout.json \
	NIC-SG-JSON:/tmp/bench-nic-sg.json NIC-SG-SVG:/tmp/bench-nic-sg.svg \
	NIC-NOSG-JSON:/tmp/bench-nic-nosg.json NIC-NOSG-SVG:/tmp/bench-nic-nosg.svg; do
	name=${part%%:*} file=${part#*:}
	[ -f "$file" ] || continue
	echo "BENCH-$name-SHA256 $(sha256sum <"$file" | cut -d' ' -f1)"
	echo "BENCH-$name-BEGIN"
	cat "$file"
	echo "BENCH-$name-END"
done
exit $rc
