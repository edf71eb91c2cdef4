#!/bin/bash
# Boot the test kernel under QEMU (TCG) with an initramfs and a job, copy the
# serial console to LOG, and stop it after TIMEOUT seconds whatever happens.
#
#   boot.sh BZIMAGE INITRAMFS JOB LOG TIMEOUT [DISK.img...] [-- EXTRA KERNEL ARGS]
#
# The guest has two serial ports: ttyS0, the console (the kernel's messages
# and the programs' diagnostics), goes to standard output and LOG; ttyS1,
# the results channel (tests/qemu/results.sh), goes to a file of its own:
# ZCOPY_QEMU_RESULTS, by default LOG with .results for .log.  Neither needs
# a kernel option: the 8250 driver has four legacy ports (NR_UARTS=4).
#
# The disks become /dev/vda, /dev/vdb, ... in that order (init mounts them
# by position).  ZCOPY_QEMU_NET=hub adds two NICs on one QEMU hub: an e1000
# (the sender, init leaves it in the root namespace) and a virtio-net (the
# receiver, init moves it into the network namespace "rx").
set -uo pipefail

bzimage=$1 initramfs=$2 job=$3 log=$4 timeout=$5
shift 5
disks=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do disks+=("$1"); shift; done
[ $# -gt 0 ] && shift
extra="$*"
results=${ZCOPY_QEMU_RESULTS:-${log%.log}.results}
# Never a stale one: what the judge reads is this boot's or nothing.
rm -f "$results" || exit 1

# ZCOPY_QEMU_SMP, ZCOPY_QEMU_MEM, ZCOPY_QEMU_CPU: -smp, -m and -cpu.  Without
# ACPI (tinyconfig has none) the kernel counts CPUs from the firmware's MP
# table, which lists one CPU per socket: only "-smp N,sockets=N" gives it N
# CPUs, a plain "-smp 2" boots with one.
args=(-accel tcg -cpu "${ZCOPY_QEMU_CPU:-max}" -smp "${ZCOPY_QEMU_SMP:-2,sockets=2}" -m "${ZCOPY_QEMU_MEM:-2048}"
      -nographic -monitor none -no-reboot -kernel "$bzimage" -initrd "$initramfs"
      -append "console=ttyS0 panic_on_warn=1 panic=-1 oops=panic zcopy_job=$job $extra")
# Both ports named: a serial device given by hand ends QEMU's default one.
# (In a QEMU option value a comma is written twice.)
args+=(-chardev "stdio,id=console" -device "isa-serial,chardev=console,index=0"
       -chardev "file,id=results,path=${results//,/,,}"
       -device "isa-serial,chardev=results,index=1")
for d in "${disks[@]}"; do args+=(-drive "file=$d,if=virtio,format=raw"); done
if [ "${ZCOPY_QEMU_NET:-}" = hub ]; then
	args+=(-netdev "hubport,id=n0,hubid=0" -device "e1000,netdev=n0"
	       -netdev "hubport,id=n1,hubid=0" -device "virtio-net-pci,netdev=n1")
fi

# Line-buffered, so that a caller can follow the console as it goes.
timeout -k 10 "$timeout" qemu-system-x86_64 "${args[@]}" </dev/null 2>&1 |
	stdbuf -oL tr -d '\r' | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 124 ]; then
	echo "ZCOPY-HOST: guest timed out after ${timeout}s" | tee -a "$log"
fi
exit "$rc"
