# shellcheck shell=dash
# nginx and wrk in the guest, for guest-server.sh and guest-bench.sh, which
# source this file: Debian's nginx (tests/nginx.sh) serving /ext4/ from
# $www_ext4 and /tmpfs/ from $www_tmpfs on 127.0.0.1:$port, and on
# $slow_port with an 8 KiB send buffer (so that a slow reader fills it
# whatever the file), logging "STATUS BODY_BYTES METHOD URI" per response
# to $ngx/access.log.
#
#   ngx_users              the users nginx's workers run as (nobody)
#   ngx_start MODE [DIRECTIVE...]
#                          start it: MODE zcopy (libzcopy-sendfile.so
#                          preloaded), a method name (preloaded, forcing
#                          it), off (preloaded, ZCOPY_SENDFILE_METHOD=off)
#                          or plain (nothing preloaded); the directives go
#                          into http {}.  NGX_WORKERS: worker_processes (2).
#   ngx_stop               stop it, and wait until it is gone
#   ngx_workers            the worker processes' PIDs
#   ngx_cpu_ticks          the CPU time the workers used so far, in clock
#                          ticks (user and system)
#   wrk_summary_lua        /tmp/wrk-summary.lua: wrk prints "wrk-summary
#                          requests N bytes N duration_us N errors CONNECT
#                          READ WRITE STATUS TIMEOUT" when done

preload=/usr/lib/zcopy/libzcopy-sendfile.so
port=8080
slow_port=8081
base=http://127.0.0.1:$port
ngx=/tmp/ngx
www_ext4=/mnt/ext4/www
www_tmpfs=/tmp/www

ngx_users() {
	grep -q '^root:' /etc/passwd 2>/dev/null ||
		echo 'root:x:0:0:root:/root:/bin/sh' >>/etc/passwd
	grep -q '^nobody:' /etc/passwd ||
		echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >>/etc/passwd
	grep -q '^root:' /etc/group 2>/dev/null || echo 'root:x:0:' >>/etc/group
	grep -q '^nogroup:' /etc/group || echo 'nogroup:x:65534:' >>/etc/group
}

ngx_start() {
	n_mode=$1
	shift
	rm -rf "$ngx"
	mkdir -p "$ngx"
	cat >"$ngx/nginx.conf" <<EOF
user nobody nogroup;
worker_processes ${NGX_WORKERS:-2};
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 1024; }
http {
	log_format zc '\$status \$body_bytes_sent \$request_method \$uri';
	access_log $ngx/access.log zc;
	client_body_temp_path $ngx/body;
	proxy_temp_path $ngx/proxy;
	fastcgi_temp_path $ngx/fastcgi;
	uwsgi_temp_path $ngx/uwsgi;
	scgi_temp_path $ngx/scgi;
	default_type application/octet-stream;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	$*
	server {
		listen 127.0.0.1:$port;
		listen 127.0.0.1:$slow_port sndbuf=8k;
		location = /ping { return 204; }
		location /ext4/ { alias $www_ext4/; }
		location /tmpfs/ { alias $www_tmpfs/; }
	}
}
EOF
	case $n_mode in
	plain) nginx -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" ;;
	off) LD_PRELOAD=$preload ZCOPY_SENDFILE_METHOD=off \
		nginx -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" ;;
	zcopy) LD_PRELOAD=$preload \
		nginx -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" ;;
	*) LD_PRELOAD=$preload ZCOPY_SENDFILE_METHOD=$n_mode \
		nginx -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" ;;
	esac || return 1
	for _ in $(seq 100); do
		curl -s -o /dev/null "$base/ping" && break
		sleep 0.1
	done
	# The probe is no body to count.
	: >"$ngx/access.log"
}

ngx_stop() {
	pid=$(cat "$ngx/nginx.pid" 2>/dev/null) || return 1
	kill -QUIT "$pid"
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$pid" 2>/dev/null
}

ngx_workers() {
	for p in /proc/[0-9]*; do
		grep -q '^nginx: worker process' "$p/cmdline" 2>/dev/null &&
			echo "${p#/proc/}"
	done
}

# utime and stime are fields 14 and 15 of /proc/PID/stat; the command name
# in field 2 has no space for nginx ("(nginx)").
ngx_cpu_ticks() {
	t=0
	for w in $(ngx_workers); do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$w/stat")))
	done
	echo $t
}

wrk_summary_lua() {
	cat >/tmp/wrk-summary.lua <<'EOF'
done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("wrk-summary requests %d bytes %d duration_us %d errors %d %d %d %d %d\n",
		summary.requests, summary.bytes, summary.duration, e.connect,
		e.read, e.write, e.status, e.timeout))
end
EOF
}
