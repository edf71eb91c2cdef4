#!/bin/sh
# The demo: load zcopy, send one file by every method over loopback, then
# over a real driver (an e1000 that gathers pages by DMA, to a virtio-net in
# the network namespace rx) with scatter-gather on and then off, and show
# what each transfer cost, whether the bytes arrived intact, and what /sys
# counted.  It ends with one table of every transfer: README.md shows it.
set -e
file=/tmp/demo.bin
port=9000
size_mib=16
nic_file=/tmp/demo-nic.bin
nic_mib=4
summary=/tmp/demo-summary
: >$summary

# send METHOD FILE ADDR [NETNS]: one receiver, one transfer, the hashes of
# both ends compared.
send() {
	method=$1 src=$2 addr=$3 ns=$4
	rm -f /tmp/ready
	if [ -n "$ns" ]; then
		/bin/ip netns exec "$ns" zcopyctl recv --bind "$addr" --port $port \
			--ready-file /tmp/ready >/tmp/recv.out &
	else
		zcopyctl recv --bind "$addr" --port $port \
			--ready-file /tmp/ready >/tmp/recv.out &
	fi
	while [ ! -e /tmp/ready ]; do sleep 0.1; done
	echo
	echo "-- zcopyctl send $src $addr:$port --method $method"
	zcopyctl send "$src" "$addr:$port" --method "$method" --no-progress |
		tee /tmp/send.out
	wait
	sent_hash=$(sed -n 's/^fnv1a64 //p' /tmp/send.out)
	echo "receiver: $(grep '^received ' /tmp/recv.out)"
	if grep -q "fnv1a64 $sent_hash\$" /tmp/recv.out; then
		echo "bytes: identical at both ends"
		# The row of the summary: what zcopyctl send reported.
		awk -v where="$where" -v asked="$method" '
			{ v[$1] = $2 }
			END { printf "%-14s %-6s %-6s %9s %12s %12s %7s\n", where, asked,
				v["method"], v["sent"], v["zc_bytes"], v["copied_bytes"],
				v["copies_per_byte"] }' /tmp/send.out >>$summary
	else
		echo "bytes: DIFFER"
		return 1
	fi
}

echo
echo "== zcopyctl load"
zcopyctl load
zcopyctl info
dd if=/dev/urandom of=$file bs=1M count=$size_mib 2>/dev/null
echo
echo "== a ${size_mib} MiB file on tmpfs, sent over loopback TCP by each method"
where=loopback
for method in copy mmap splice pages auto; do
	send $method $file 127.0.0.1 ""
done

if [ -e /sys/class/net/tx0 ]; then
	dd if=/dev/urandom of=$nic_file bs=1M count=$nic_mib 2>/dev/null
	for sg in on off; do
		ethtool -K tx0 sg $sg >/dev/null
		where="e1000 sg $sg"
		echo
		echo "== a ${nic_mib} MiB file sent by an e1000 (169.254.1.1) to a virtio-net (169.254.1.2), scatter-gather $sg"
		ethtool -k tx0 | grep -E '^(scatter-gather|tx-checksumming):'
		for method in copy mmap splice pages auto; do
			send $method $nic_file 169.254.1.2 rx
		done
	done
	ethtool -K tx0 sg on >/dev/null
else
	echo "demo: no e1000 and virtio-net pair: NIC part left out" >&2
fi
echo
echo "== zcopyctl stats  (/sys/class/misc/zcopy)"
zcopyctl stats
echo
echo "== every transfer: bytes the socket took by page reference (zc_bytes) and"
echo "   bytes the CPU copied, on each route"
printf "%-14s %-6s %-6s %9s %12s %12s %7s\n" route asked ran sent zc_bytes \
	copied_bytes copies
cat $summary
