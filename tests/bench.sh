#!/bin/bash
# make bench: build the bench kernel (KUnit, no debug options), the module
# against it and userspace, boot it under QEMU on an ext4 disk with the job
# "bench", show the table as it grows, and extract the JSON and SVG the guest
# prints between markers to $BENCH_JSON (build/bench.json) and $BENCH_SVG
# (build/bench.svg), the nginx rows' JSON to $BENCH_NGINX_JSON
# (build/bench-nginx.json), and the NIC tables' JSON and SVG to
# build/bench-nic-sg.* and build/bench-nic-nosg.* (scatter-gather on, off).
# BENCH_PATHS, BENCH_SIZES, BENCH_CACHE and BENCH_BUDGET_MS narrow the run
# (zcopyctl bench --paths, ...); BENCH_NIC_SIZES the NIC tables' sizes
# (default 4K,64K,1M); BENCH_NIC=0 and BENCH_NGINX=0 leave out the NIC tables
# and the nginx rows.  The concurrent table (8 connections at once) runs in
# the one-vCPU boot and again in a second boot with two vCPUs, to
# build/bench-conc-1cpu.json and build/bench-conc-2cpu.json;
# BENCH_CONCURRENT=0 leaves both out.  The fan-out table (64 connections
# from one sender, the batching paths) goes to build/bench-fanout.json;
# BENCH_FANOUT=0 leaves it out, BENCH_FANOUT=only runs it alone (one boot,
# nothing else).  BENCH_PROFILE=PATH[,PATH...] (with
# BENCH_PROFILE_SIZE, default 4K) instead profiles each path's hot
# transfers with perf in the guest and prints where the time goes.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
log=$build/bench.log
json=${BENCH_JSON:-$build/bench.json}
svg=${BENCH_SVG:-$build/bench.svg}
nginx_json=${BENCH_NGINX_JSON:-$build/bench-nginx.json}
timeout=${ZCOPY_BENCH_TIMEOUT:-1500}
mkdir -p "$build"

ZCOPY_EXTRA_PKGS="${BENCH_PROFILE:+linux-perf} ${ZCOPY_EXTRA_PKGS:-}" "$top/tests/install-deps.sh" || exit 1
kdir=$("$top/tests/build-kernel.sh" bench) || exit 1

# The module is built from a copy, so that the objects "make check" keeps in
# module/ (built against the check kernel) stay as they are.
src=$build/kbuild-bench
rm -rf "$src"
mkdir -p "$src"
cp -r "$top/module" "$top/uapi" "$src/"
find "$src" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \) -delete
echo 'obj-m += module/' >"$src/Kbuild"
make -s -C "$kdir" M="$src" modules || exit 1
make -s -C "$top" userspace || exit 1
nginx=$("$top/tests/nginx.sh") || exit 1
"$top/tests/qemu/mkinitramfs.sh" "$build/bench-initramfs.cpio.gz" "$kdir" \
	"$src/module/zcopy.ko" -- "$top/userspace/zcopyctl" \
	"$top/userspace/libzcopy-sendfile.so" "$nginx" "$(command -v curl)" \
	"$(command -v wrk)" "$(command -v ip)" "$(command -v ethtool)" \
	${BENCH_PROFILE:+"$(command -v perf)"} || exit 1
rm -f "$build/bench-ext4.img"
truncate -s 512M "$build/bench-ext4.img"
# Initialised in full here: ext4's lazy init would zero inode tables in the
# guest during the first rows, on the CPU and disk they are measuring.
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$build/bench-ext4.img" || exit 1

# The guest's clock.  TCG passes the host's TSC through, but the guest's own
# calibration against the emulated PIT fails about every other boot, leaving
# it on jiffies (4 ms steps in every figure); and with two CPUs of an "AMD"
# model without an invariant TSC it distrusts the TSC anyway.  So measure the
# rate here and vouch for the TSC.
host_tsc_khz() {
	gcc -O2 -x c -o "$build/tsc-khz" - <<-'EOF' && "$build/tsc-khz"
	#include <stdio.h>
	#include <time.h>
	static double now(void)
	{
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC_RAW, &t);
		return t.tv_sec + t.tv_nsec / 1e9;
	}
	int main(void)
	{
		double t0 = now(), t;
		unsigned long long c0 = __builtin_ia32_rdtsc();
		while ((t = now()) - t0 < 0.2)
			;
		printf("%.0f\n", (__builtin_ia32_rdtsc() - c0) / (t - t0) / 1e3);
		return 0;
	}
	EOF
}
khz=$(host_tsc_khz) || exit 1
kargs=(quiet tsc=reliable "tsc_early_khz=$khz")
# Rows that do not settle get 5 s each: TCG on a shared host is noisy.
BENCH_BUDGET_MS=${BENCH_BUDGET_MS:-5000}
for v in PATHS SIZES CACHE BUDGET_MS NGINX NIC NIC_SIZES CONCURRENT PROFILE PROFILE_SIZE; do
	var=BENCH_$v
	[ -n "${!var:-}" ] && kargs+=("bench.${v,,}=${!var}")
done
fanout_only=
case ${BENCH_FANOUT:-1} in
only) fanout_only=yes kargs+=(bench.only=fanout) ;;
0) kargs+=(bench.fanout=0) ;;
esac

# Under TCG another guest on the host takes CPU from ours, and the guest
# counts the time it is not scheduled as CPU time of whatever it was running.
busy() {
	local n
	n=$(pgrep -c -x qemu-system-x86)
	[ "${n:-0}" -gt 0 ] &&
		echo "bench: warning: $n other QEMU guest(s) running $1: figures will be noisy" >&2
}
busy "before the run"
echo "bench: booting the bench kernel under QEMU (log: $log)"
# One vCPU, where make check boots two: the bench compares rows, and only
# one vCPU keeps TCG's timings comparable between them.  Sender and receiver
# share it (the receiver runs SCHED_IDLE, and rx s/GiB says what it took).  Two (ZCOPY_QEMU_SMP=2,sockets=2) let them
# run apart, but under TCG on a small host every cross-CPU free and IPI
# stalls both vCPUs, the guest charges those stalls to both processes as CPU
# time, and rows swung by 10x from run to run whenever another guest shared
# the host; with one vCPU hot rows repeat within about 5%.
#
# No ERMS/FSRM: with them the kernel copies with "rep movsb", which TCG
# emulates far more slowly than the 8-byte moves it uses without.  On 1 MiB
# hot rows: user:readwrite went from 214 to 1005 MiB/s without them, while
# sendfile and PAGES moved by about 10%; with them every copying path looked
# several times slower against the zero-copy ones than on real hardware.
#
# The NICs (an e1000 and a virtio-net on a QEMU hub) are for the NIC tables.
boot() {	# SMP LOG [KERNEL ARGS...]
	local smp=$1 to=$2
	shift 2
	ZCOPY_QEMU_NET=hub ZCOPY_QEMU_CPU=${ZCOPY_QEMU_CPU:-max,erms=off,fsrm=off} \
	ZCOPY_QEMU_SMP=$smp "$top/tests/qemu/boot.sh" "$kdir/arch/x86/boot/bzImage" \
		"$build/bench-initramfs.cpio.gz" bench "$to" "$timeout" \
		"$build/bench-ext4.img" -- "${kargs[@]}" "$@" |
		sed -u -n '/^BENCH-TABLE-BEGIN$/,/^BENCH-TABLE-END$/{/^BENCH-TABLE-/d;/^\[ *[0-9.]*\] /d;p}'
}
boot "${ZCOPY_QEMU_SMP:-1}" "$log"
if [ -n "${BENCH_PROFILE:-}" ]; then
	grep -q '^ZCOPY-GUEST-END: status 0' "$log" && exit 0
	echo "bench: the profile run failed (see $log)" >&2
	exit 1
fi
if [ -n "$fanout_only" ]; then
	BENCH_CONCURRENT=0
fi
# The concurrent table again with two vCPUs: how each path's bookkeeping
# scales shows in the sender's CPU per GiB against the one-vCPU table (the
# noise the comment above describes is why only this table runs there).
log2=$build/bench-2cpu.log
if [ "${BENCH_CONCURRENT:-1}" != 0 ]; then
	echo
	echo "bench: booting again with two vCPUs for the concurrent table (log: $log2)"
	boot 2,sockets=2 "$log2" bench.only=concurrent
fi

busy "at the end of the run"

# Between the markers, minus kernel messages; then the guest's hash must match.
extract() {
	local name=$1 out=$2 from=${3:-$log} want got
	want=$(sed -n "s/^BENCH-$name-SHA256 //p" "$from")
	sed -n "/^BENCH-$name-BEGIN\$/,/^BENCH-$name-END\$/{/^BENCH-$name-/d;/^\[ *[0-9.]*\] /d;p}" \
		"$from" >"$out"
	got=$(sha256sum <"$out" | cut -d' ' -f1)
	if [ -z "$want" ] || [ "$want" != "$got" ]; then
		echo "bench: $name missing or damaged on the console (see $from)" >&2
		return 1
	fi
	echo "bench: wrote $out"
}
rc=0
if [ -n "$fanout_only" ]; then
	extract FANOUT-JSON "$build/bench-fanout.json" || rc=1
	grep -q '^ZCOPY-GUEST-END: status 0' "$log" || rc=1
	exit $rc
fi
extract JSON "$json" || rc=1
extract SVG "$svg" || rc=1
if [ "${BENCH_FANOUT:-1}" != 0 ]; then
	extract FANOUT-JSON "$build/bench-fanout.json" || rc=1
fi
if [ "${BENCH_NGINX:-1}" != 0 ]; then
	extract NGINX-JSON "$nginx_json" || rc=1
fi
if [ "${BENCH_NIC:-1}" != 0 ]; then
	for sg in sg nosg; do
		extract "NIC-${sg^^}-JSON" "$build/bench-nic-$sg.json" || rc=1
		extract "NIC-${sg^^}-SVG" "$build/bench-nic-$sg.svg" || rc=1
	done
fi
logs=("$log")
if [ "${BENCH_CONCURRENT:-1}" != 0 ]; then
	extract CONC-JSON "$build/bench-conc-1cpu.json" || rc=1
	extract CONC-JSON "$build/bench-conc-2cpu.json" "$log2" || rc=1
	logs+=("$log2")
fi
for l in "${logs[@]}"; do
	if ! grep -q '^ZCOPY-GUEST-END: status 0' "$l"; then
		echo "bench: the guest run failed ($l):" >&2
		grep -E '^(ZCOPY-GUEST-END|ZCOPY-HOST|zcopyctl|guest-bench):' "$l" >&2
		rc=1
	fi
done
exit $rc
