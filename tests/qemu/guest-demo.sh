#!/bin/sh
# The demo: load zcopy, send one file by every method over loopback, and show
# what each transfer cost and what /sys counted.
set -e
file=/tmp/demo.bin
port=9000
size_mib=16

echo
echo "== zcopyctl load"
zcopyctl load
zcopyctl info
dd if=/dev/urandom of=$file bs=1M count=$size_mib 2>/dev/null
echo
echo "== a ${size_mib} MiB file on tmpfs, sent over loopback TCP by each method"
for method in copy mmap splice pages auto; do
	rm -f /tmp/ready
	zcopyctl recv --port $port --ready-file /tmp/ready >/tmp/recv.out &
	while [ ! -e /tmp/ready ]; do sleep 0.1; done
	echo
	echo "-- zcopyctl send $file 127.0.0.1:$port --method $method"
	zcopyctl send $file 127.0.0.1:$port --method $method
	wait
	echo "receiver: $(cat /tmp/recv.out)"
done
echo
echo "== zcopyctl stats  (/sys/class/misc/zcopy)"
zcopyctl stats
