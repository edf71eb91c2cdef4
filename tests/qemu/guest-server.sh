#!/bin/sh
# The server tests: unmodified programs that call sendfile(2), with
# libzcopy-sendfile.so preloaded and without.  guest-check.sh and
# guest-stock.sh run it with the module loaded.
#
#   - zcopy-sendfile-cases, the same program with and without the
#     interposer: the two transcripts must be the same, and zcopy's counters
#     rise by exactly the bytes that went from a file to a TCP socket.
#   - Debian's nginx (sendfile on) serving a directory on ext4 and one on
#     tmpfs, fetched by curl: whole files, ranges, keep-alive, HEAD; every
#     body hashed and compared with the file, every block's counters held
#     to the body bytes nginx logged.  Again with sendfile_max_chunk, with
#     aio threads, with each method, with the interposer off and without it.
#   - wrk, 64 connections for 10 seconds, against the 4 KiB and 1 MiB files.
#   - A client that reads 1 KiB every 10 ms.
#
# Results are "server/..." lines on the results channel (results.sh); a
# failure names the request and what differed.
# shellcheck source=tests/qemu/results.sh
. /bin/results.sh
# shellcheck source=tests/qemu/nginx-lib.sh
. /bin/nginx-lib.sh

stats=/sys/class/misc/zcopy
wrk_s=${ZCOPY_WRK_SECONDS:-10}

counter() {	# NAME [METHOD]: a sysfs counter, total or one method's
	cat "$stats/stats${2:+_$2}/$1"
}

# ---- the files ------------------------------------------------------------
# 0, 1, 4095, 4096, 4097 bytes, 1 MiB + 13, 64 MiB, and 256 KiB + 13 for the
# slow reader; the same bytes on both filesystems, hashed once.
sizes="0 1 4095 4096 4097 1048589 67108864 262157"
mkdir -p "$www_ext4" "$www_tmpfs"
for s in $sizes; do
	head -c "$s" /dev/urandom >"$www_tmpfs/f$s"
	cp "$www_tmpfs/f$s" "$www_ext4/f$s"
	sha256sum <"$www_tmpfs/f$s" | cut -d' ' -f1 >"/tmp/f$s.sha256"
done
sync
chmod -R a+rX "$www_ext4" "$www_tmpfs"

ngx_users

# ---- the differential run ---------------------------------------------------
mkdir -p /mnt/ext4/cases
cases_differ() {
	b0=$(counter bytes)
	zcopy-sendfile-cases /mnt/ext4/cases >/tmp/cases.plain 2>&1 || return 1
	b1=$(counter bytes)
	LD_PRELOAD=$preload zcopy-sendfile-cases /mnt/ext4/cases >/tmp/cases.zcopy 2>&1 || return 1
	b2=$(counter bytes)
	want=$(sed -n 's/^tcp-file-bytes //p' /tmp/cases.zcopy)
	echo "counter bytes: +$((b1 - b0)) without the interposer, +$((b2 - b1)) with it; file to TCP: $want"
	if ! diff /tmp/cases.plain /tmp/cases.zcopy; then
		echo "transcripts differ (< without, > with the interposer)"
		return 1
	fi
	if grep -qw 'MISMATCH\|SHORT\|WRONG\|FAILED\|OPEN' /tmp/cases.zcopy; then
		cat /tmp/cases.zcopy
		return 1
	fi
	[ -n "$want" ] && [ "$want" -gt 0 ] && [ $((b1 - b0)) = 0 ] && [ $((b2 - b1)) = "$want" ]
}
check server/sendfile-cases-same-transcript cases_differ

# ---- nginx --------------------------------------------------------------------
# The interposer in every worker (nobody's, forked from root's master), or
# in none of them.
preload_in_workers() {	# yes|no
	n=0
	for w in $(ngx_workers); do
		if grep -q libzcopy-sendfile "/proc/$w/maps"; then
			[ "$1" = yes ] || return 1
		else
			[ "$1" = no ] || return 1
		fi
		n=$((n + 1))
	done
	[ $n = 2 ]
}

# No alert, error or crit line in nginx's log.
ngx_log_clean() {
	if grep -q '\[\(alert\|crit\|error\|emerg\)\]' "$ngx/error.log"; then
		cat "$ngx/error.log"
		return 1
	fi
}

# ---- requests ---------------------------------------------------------------------
# get NAME PATH WANT_LEN WANT_SHA256 [CURL ARGS...]: one request, its body
# and status (200, or 206 for a range: CURL ARGS) held to what they should be.
# (Shell functions share their variables: each function's have its prefix.)
get() {
	g_name=$1 g_path=$2 g_len=$3 g_sha=$4
	shift 4
	g_code=200
	[ $# -gt 0 ] && g_code=206
	g_out=$(curl -sS -o /tmp/body -w '%{http_code} %{size_download}' "$@" \
		"$base$g_path" 2>&1 </dev/null)
	g_got=$(sha256sum </tmp/body | cut -d' ' -f1)
	if [ "$g_out" = "$g_code $g_len" ] && [ "$g_got" = "$g_sha" ]; then
		pass "$g_name"
	else
		fail "$g_name" "GET $g_path $*: got status and size '$g_out' sha256 $g_got, want '$g_code $g_len' sha256 $g_sha"
	fi
}

# whole NAME_PREFIX: every file, whole, from both filesystems.
whole() {
	for fs in ext4 tmpfs; do
		for s in $sizes; do
			get "$1/$fs/f$s" "/$fs/f$s" "$s" "$(cat "/tmp/f$s.sha256")"
		done
	done
}

# The ranges, which nginx serves with sendfile offsets: NAME FILE FIRST
# LAST and the hash of those bytes, worked out once.
while read -r rname rfile first last; do
	want=$(tail -c +$((first + 1)) "$www_tmpfs/$rfile" |
		head -c $((last - first + 1)) | sha256sum | cut -d' ' -f1)
	echo "$rname $rfile $first $last $want"
done >/tmp/ranges <<EOF
first-byte f1048589 0 0
mid f1048589 100 4195
unaligned-long f1048589 4097 704097
suffix f1048589 1048089 1048588
open-ended f1048589 1048576 1048588
last-byte f4097 4096 4096
64m-tail f67108864 64108864 67108863
EOF

# ranges NAME_PREFIX: each range from both filesystems, as "first-last"
# (the suffix as "-500" and the open end as "first-", as clients ask).
ranges() {
	while read -r rname rfile first last want; do
		case $rname in
		suffix) spec=-$((last - first + 1)) ;;
		open-ended) spec=$first- ;;
		*) spec=$first-$last ;;
		esac
		for fs in ext4 tmpfs; do
			get "$1/$fs/$rname" "/$fs/$rfile" $((last - first + 1)) "$want" -r "$spec"
		done
	done </tmp/ranges
}

# keepalive NAME: one connection, several files in a row.
keepalive() {
	rm -f /tmp/ka.*
	out=$(curl -sS -w '%{num_connects} %{size_download}\n' \
		"$base/tmpfs/f4097" -o /tmp/ka.1 "$base/ext4/f1048589" -o /tmp/ka.2 \
		"$base/tmpfs/f0" -o /tmp/ka.3 "$base/ext4/f4095" -o /tmp/ka.4 \
		"$base/tmpfs/f1048589" -o /tmp/ka.5 2>&1)
	want="1 4097
0 1048589
0 0
0 4095
0 1048589"
	if [ "$out" = "$want" ] &&
	   [ "$(sha256sum </tmp/ka.1 | cut -d' ' -f1)" = "$(cat /tmp/f4097.sha256)" ] &&
	   [ "$(sha256sum </tmp/ka.2 | cut -d' ' -f1)" = "$(cat /tmp/f1048589.sha256)" ] &&
	   [ "$(sha256sum </tmp/ka.3 | cut -d' ' -f1)" = "$(cat /tmp/f0.sha256)" ] &&
	   [ "$(sha256sum </tmp/ka.4 | cut -d' ' -f1)" = "$(cat /tmp/f4095.sha256)" ] &&
	   [ "$(sha256sum </tmp/ka.5 | cut -d' ' -f1)" = "$(cat /tmp/f1048589.sha256)" ]; then
		pass "$1"
	else
		fail "$1" "5 GETs on one connection: got connections and sizes '$(echo "$out" | tr '\n' ' ')', want '$(echo "$want" | tr '\n' ' ')', or a body differs"
	fi
}

# heads NAME: HEAD requests: the length announced, no body sent.
heads() {
	for h_size in 0 4097 67108864; do
		h_out=$(curl -sS -I "$base/ext4/f$h_size" 2>&1 | tr -d '\r')
		if echo "$h_out" | grep -q '^HTTP/1.1 200' &&
		   echo "$h_out" | grep -qx "Content-Length: $h_size"; then
			pass "$1/f$h_size"
		else
			fail "$1/f$h_size" "HEAD /ext4/f$h_size: got '$(echo "$h_out" | head -n 3 | tr '\n' ' ')', want 200 with Content-Length: $h_size"
		fi
	done
}

# counted NAME METHOD|total WANT CMD...: CMD's requests move zcopy's bytes
# counter by exactly the body bytes nginx logged (WANT "logged"), or not
# at all (WANT 0).  Its transfers go to /tmp/transfers, its runtime
# failures (EAGAIN) to /tmp/errors.
counted() {
	c_name=$1 c_method=$2 c_want=$3
	shift 3
	[ "$c_method" = total ] && c_method=
	c_lines=$(wc -l <"$ngx/access.log")
	c_b0=$(counter bytes "$c_method")
	c_t0=$(counter transfers "$c_method")
	c_e0=$(counter errors "$c_method")
	"$@"
	c_b1=$(counter bytes "$c_method")
	c_t1=$(counter transfers "$c_method")
	echo $((c_t1 - c_t0)) >/tmp/transfers
	echo $(($(counter errors "$c_method") - c_e0)) >/tmp/errors
	c_logged=$(tail -n +$((c_lines + 1)) "$ngx/access.log" |
		awk '{ s += $2 } END { print s + 0 }')
	[ "$c_want" = logged ] && c_want=$c_logged
	if [ $((c_b1 - c_b0)) = "$c_want" ]; then
		pass "$c_name"
	else
		fail "$c_name" "counter bytes${c_method:+ of $c_method} rose by $((c_b1 - c_b0)), want $c_want (nginx logged $c_logged body bytes)"
	fi
}

# slow NAME WANT_COUNTED: the slow reader fetches the 256 KiB file whole.
slow() {
	l_out=$(zcopy-slow-get $slow_port /tmpfs/f262157 /tmp/slow.body 2>&1)
	l_sha=$(sha256sum </tmp/slow.body | cut -d' ' -f1)
	if [ "$l_out" = "status 200 body 262157" ] &&
	   [ "$l_sha" = "$(cat /tmp/f262157.sha256)" ]; then
		pass "$1"
	else
		fail "$1" "slow GET /tmpfs/f262157: got '$l_out' sha256 $l_sha, want 262157 bytes sha256 $(cat /tmp/f262157.sha256)"
	fi
}

# The whole set, counted: MODE NAME [DIRECTIVE...].
serve() {
	s_mode=$1 s_name=server/$2
	shift 2
	if ! ngx_start "$s_mode" "$@"; then
		fail "$s_name/start" "nginx would not start: $(cat "$ngx/error.log")"
		return
	fi
	case $s_mode in
	plain) check "$s_name/no-preload" preload_in_workers no ;;
	*) check "$s_name/preload-in-workers" preload_in_workers yes ;;
	esac
	case $s_mode in plain|off) s_want=0 ;; *) s_want=logged ;; esac
	counted "$s_name/counted-whole" total $s_want whole "$s_name/whole"
	counted "$s_name/counted-ranges" total $s_want ranges "$s_name/range"
	counted "$s_name/counted-keepalive" total $s_want keepalive "$s_name/keepalive"
	counted "$s_name/counted-head" total 0 heads "$s_name/head"
	counted "$s_name/counted-slow" total $s_want slow "$s_name/slow-reader"
	echo "$s_name: the slow reader's file took $(cat /tmp/transfers) zcopy transfers, $(cat /tmp/errors) of them failed (EAGAIN)"
	# 4 KiB windows: nginx's sendfile() returned part of what it asked for
	# many times, and every part was counted once.
	[ "$s_want" = logged ] && check "$s_name/slow-reader-partial" \
		test "$(cat /tmp/transfers)" -ge 8
	check "$s_name/error-log-clean" ngx_log_clean
	check "$s_name/stop" ngx_stop
}

serve zcopy sendfile
# Each sendfile() at most 16 KiB: a 64 MiB file in 4096 calls, at least.
serve zcopy max-chunk "sendfile_max_chunk 16k;"
chunks() {
	counted server/max-chunk/counted-64m total logged \
		get server/max-chunk/ext4/f67108864-again /ext4/f67108864 67108864 \
		"$(cat /tmp/f67108864.sha256)"
	echo "server/max-chunk: 64 MiB in $(cat /tmp/transfers) transfers"
	[ "$(cat /tmp/transfers)" -ge 4096 ]
}
ngx_start zcopy "sendfile_max_chunk 16k;" && check server/max-chunk/16k-per-call chunks
ngx_stop
# sendfile() on nginx's thread pool: the interposer from many threads.
serve zcopy aio-threads "aio threads;"
ngx_start zcopy "aio threads;"
thread_pool() {
	for w in $(ngx_workers); do
		set -- "/proc/$w/task"/*
		[ $# -gt 1 ] || return 1
	done
}
check server/aio-threads/workers-have-threads thread_pool
ngx_stop
serve off interposer-off
serve plain no-interposer

# Each method, by name: its own counters take the bytes.
for m in pages splice copy mmap; do
	if ngx_start "$m"; then
		counted "server/method-$m/counted" "$m" logged \
			get "server/method-$m/tmpfs/f1048589" /tmpfs/f1048589 1048589 \
			"$(cat /tmp/f1048589.sha256)"
		check "server/method-$m/stop" ngx_stop
	else
		fail "server/method-$m/start" "nginx would not start: $(cat "$ngx/error.log")"
	fi
done

# ---- wrk ------------------------------------------------------------------------
wrk_summary_lua

# wrk_run NAME PATH SIZE: 64 connections for wrk_s seconds; no errors; every
# complete response had its whole body; the counters rose by the body bytes
# nginx logged; wrk's requests and bytes agree with nginx's log.
wrk_run() {
	name=$1 path=$2 size=$3
	hdr=$(curl -sS -o /dev/null -w '%{size_header}' "$base$path")
	lines=$(wc -l <"$ngx/access.log")
	b0=$(counter bytes)
	wrk -t 2 -c 64 -d "${wrk_s}s" --timeout 30s -s /tmp/wrk-summary.lua \
		"$base$path" >/tmp/wrk.out 2>&1
	# What nginx was still sending when wrk hung up ends in EPIPE or
	# ECONNRESET and is logged then.
	sleep 1
	b1=$(counter bytes)
	cat /tmp/wrk.out
	# shellcheck disable=SC2046 # the summary's words are the fields
	set -- $(sed -n 's/^wrk-summary //p' /tmp/wrk.out)
	tail -n +$((lines + 1)) "$ngx/access.log" >/tmp/wrk.log
	logged=$(awk '{ s += $2 } END { print s + 0 }' /tmp/wrk.log)
	nlog=$(wc -l </tmp/wrk.log)
	short=$(awk -v s="$size" '$2 != s || $1 != 200 { n++ } END { print n + 0 }' /tmp/wrk.log)
	echo "server/wrk $path: wrk: $2 requests, $4 bytes, errors connect $8 read $9 write ${10} status ${11} timeout ${12}; nginx logged $nlog responses, $logged body bytes, $short short; counter bytes +$((b1 - b0))"
	check "$name/requests" test "${2:-0}" -gt 0
	check "$name/no-errors" test "$8 $9 ${10} ${11} ${12}" = "0 0 0 0 0"
	# The responses still on their way when wrk stopped: at most one per
	# connection.
	check "$name/logged-agrees" test "$nlog" -ge "$2" -a "$nlog" -le $(($2 + 64))
	check "$name/no-short-bodies" test "$short" -le 64
	check "$name/bytes-agree" test "$4" -ge $(($2 * (hdr + size))) -a \
		"$4" -lt $((($2 + 64) * (hdr + size)))
	check "$name/counted" test $((b1 - b0)) = "$logged"
}
if ngx_start zcopy; then
	wrk_run server/wrk-4k /tmpfs/f4096 4096
	wrk_run server/wrk-1m /tmpfs/f1048589 1048589
	check server/wrk/error-log-clean ngx_log_clean
	check server/wrk/stop ngx_stop
else
	fail server/wrk/start "nginx would not start: $(cat "$ngx/error.log")"
fi

# An nginx a failure left behind would hold /dev/zcopy open (rmmod follows).
[ -f "$ngx/nginx.pid" ] && ngx_stop
rm -rf "$www_ext4" "$www_tmpfs" /mnt/ext4/cases /tmp/body /tmp/ka.* /tmp/slow.body
summary server-tests
