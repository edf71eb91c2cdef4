// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * http_sendv - a small HTTP file server that sends each response with one
 * ZCOPY_IOC_SENDV: the header as a memory segment, the file as a file
 * segment, through libzcopy's zcopy_sendv_all().
 *
 *   http_sendv [--address ADDR] [--port PORT] [--dir DIR] [--method NAME]
 *              [--requests N]
 *
 * One connection at a time: it reads one HTTP/1.0 or HTTP/1.1 GET request,
 * answers it and closes.  200 with the file, 404 for a file that is not
 * there (or not a regular file), 403 for a path that leaves DIR, 400, 501
 * or 505 for requests it does not take.  Port 0 picks a free port; the
 * port it listens on is printed on standard output as "listening on
 * ADDR:PORT".
 *
 * Exit status: 0 after N connections (--requests), 1 when it cannot serve
 * at all (no /dev/zcopy, DIR cannot be opened, the port cannot be bound),
 * 2 for a bad command line.  A failed connection is reported on standard
 * error and the server goes on.
 *
 * Build: make -C examples (against this tree's libzcopy), or, against an
 * installed libzcopy, make -C examples PKG=1, which is
 *   cc -std=c11 http_sendv.c $(pkg-config --cflags --libs zcopy)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/openat2.h>

#include <libzcopy.h>

#define PROG "http_sendv"
#define REQUEST_MAX 8192	/* request line and headers, in bytes */
#define RECV_TIMEOUT_S 10	/* a client that sends nothing is dropped */

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

struct opts {
	const char *address;
	unsigned int port;
	const char *dir;
	unsigned int method;
	unsigned long requests;	/* 0: serve forever */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " [OPTION]...\n"
		"\n"
		"Serve the files of a directory over HTTP/1.0 and HTTP/1.1, each\n"
		"response a header and the file in one zcopy SENDV call.\n"
		"\n"
		"  -a, --address ADDR  listen on this IPv4 or IPv6 address\n"
		"                      (default 127.0.0.1)\n"
		"  -p, --port PORT     listen on this TCP port; 0 (the default)\n"
		"                      picks a free one\n"
		"  -d, --dir DIR       serve the files below DIR (default .)\n"
		"  -m, --method NAME   auto (default), copy, mmap, splice, pages\n"
		"                      or direct\n"
		"  -n, --requests N    exit after N connections (default: never)\n"
		"  -h, --help          print this help and exit\n"
		"\n"
		"Prints \"listening on ADDR:PORT\" once it listens.  Exit status:\n"
		"0 after N connections, 1 when it cannot serve (no /dev/zcopy,\n"
		"DIR, the port), 2 for a bad command line.\n");
}

/* Print "http_sendv: WHAT: strerror" and, if any, a hint on a line of its own. */
static void report(int err, const char *what, const char *hint)
{
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(err));
	if (hint)
		fprintf(stderr, PROG ": hint: %s\n", hint);
}

static bool parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end && *v <= max;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "address", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "dir", required_argument, NULL, 'd' },
		{ "method", required_argument, NULL, 'm' },
		{ "requests", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c, m;

	*o = (struct opts){ .address = "127.0.0.1", .dir = "." };
	while ((c = getopt_long(argc, argv, "a:p:d:m:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->address = optarg;
			break;
		case 'p':
			if (!parse_ulong(optarg, 65535, &v)) {
				fprintf(stderr, PROG ": --port %s: not a port number (0 to 65535)\n",
					optarg);
				return EXIT_USAGE;
			}
			o->port = v;
			break;
		case 'd':
			o->dir = optarg;
			break;
		case 'm':
			m = zcopy_method_from_name(optarg);
			if (m < 0) {
				fprintf(stderr, PROG ": --method %s: no such method (auto, copy, mmap, splice, pages, direct)\n",
					optarg);
				return EXIT_USAGE;
			}
			o->method = m;
			break;
		case 'n':
			if (!parse_ulong(optarg, ULONG_MAX, &v)) {
				fprintf(stderr, PROG ": --requests %s: not a number\n", optarg);
				return EXIT_USAGE;
			}
			o->requests = v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

/* A listening socket on ADDR:PORT; prints where it listens. */
static int listen_on(const struct opts *o)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	char name[INET6_ADDRSTRLEN];
	int one = 1, fd;

	if (inet_pton(AF_INET, o->address, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(o->port);
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, o->address, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(o->port);
		len = sizeof(*in6);
	} else {
		fprintf(stderr, PROG ": --address %s: not an IPv4 or IPv6 address\n",
			o->address);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		report(errno, "socket", NULL);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16)) {
		report(errno, o->address,
		       errno == EADDRINUSE ? "another program has this port: pick another, or --port 0" :
		       errno == EACCES ? "ports below 1024 need root (CAP_NET_BIND_SERVICE)" :
		       errno == EADDRNOTAVAIL ? "no interface of this machine has that address" :
		       NULL);
		close(fd);
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &len)) {
		report(errno, "getsockname", NULL);
		close(fd);
		return -1;
	}
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &in4->sin_addr, name, sizeof(name));
	else
		inet_ntop(AF_INET6, &in6->sin6_addr, name, sizeof(name));
	printf(ss.ss_family == AF_INET ? "listening on %s:%u\n" : "listening on [%s]:%u\n",
	       name, ntohs(ss.ss_family == AF_INET ? in4->sin_port : in6->sin6_port));
	fflush(stdout);
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* A response without a file: status line, a short text body, close. */
static void respond_error(int sock, int status, const char *reason)
{
	char buf[256];
	int len = snprintf(buf, sizeof(buf),
			   "HTTP/1.1 %d %s\r\n"
			   "Content-Type: text/plain\r\n"
			   "Content-Length: %zu\r\n"
			   "Connection: close\r\n"
			   "\r\n"
			   "%s\n", status, reason, strlen(reason) + 1, reason);

	write_all(sock, buf, len);
}

/* Read the request head (up to the blank line); its length, or -1. */
static ssize_t read_request(int sock, char *buf, size_t cap)
{
	size_t len = 0;

	while (len < cap - 1) {
		ssize_t n = read(sock, buf + len, cap - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		len += n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return len;
	}
	errno = EMSGSIZE;
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The request target as a path relative to DIR, in place: the query
 * dropped, %XX decoded.  0, or the HTTP status that refuses it: 400 for a
 * malformed target (no leading '/', a bad or NUL escape), 403 for one
 * that would leave DIR (a ".." component).
 */
static int target_to_path(char *target, const char **path)
{
	char *in = target, *out = target;

	if (*target != '/')
		return 400;
	target[strcspn(target, "?#")] = '\0';
	while (*in) {
		if (*in != '%') {
			*out++ = *in++;
			continue;
		}
		int hi = hexval(in[1]), lo = hi < 0 ? -1 : hexval(in[2]);

		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return 400;
		*out++ = (char)(hi << 4 | lo);
		in += 3;
	}
	*out = '\0';
	/* Every component of the decoded path: none may be "..". */
	for (char *c = target; *c;) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return 403;
		c += n + (c[n] == '/');
	}
	while (*target == '/')
		target++;
	*path = target;
	return 0;
}

/* Open @path below @dir, never outside it (symbolic links included). */
static int open_beneath(int dir, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd = syscall(SYS_openat2, dir, path, &how, sizeof(how));

	/* Before Linux 5.6: no symbolic link at the end at least. */
	if (fd < 0 && errno == ENOSYS)
		fd = openat(dir, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	return fd;
}

/* One connection: read a request, answer it.  0, or -1 after a message. */
static int serve(int dev, int dir, const struct opts *o, int sock)
{
	char req[REQUEST_MAX], method[16], target[REQUEST_MAX], version[16];
	char head[256];
	const char *path;
	struct stat st;
	int status, fd;

	if (read_request(sock, req, sizeof(req)) < 0) {
		if (errno == EMSGSIZE)
			respond_error(sock, 431, "Request Header Fields Too Large");
		report(errno ? errno : ECONNRESET, "read the request",
		       errno == EAGAIN ? "the client sent no complete request in time" : NULL);
		return -1;
	}
	if (sscanf(req, "%15s %8191s %15s", method, target, version) != 3) {
		respond_error(sock, 400, "Bad Request");
		return 0;
	}
	if (strcmp(version, "HTTP/1.0") && strcmp(version, "HTTP/1.1")) {
		respond_error(sock, 505, "HTTP Version Not Supported");
		return 0;
	}
	if (strcmp(method, "GET")) {
		respond_error(sock, 501, "Not Implemented");
		return 0;
	}
	status = target_to_path(target, &path);
	if (status) {
		respond_error(sock, status, status == 403 ? "Forbidden" : "Bad Request");
		return 0;
	}
	fd = *path ? open_beneath(dir, path) : -1;
	if (fd < 0) {
		if (*path && errno != ENOENT && errno != ENOTDIR)
			respond_error(sock, 403, "Forbidden");
		else
			respond_error(sock, 404, "Not Found");
		return 0;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		respond_error(sock, 404, "Not Found");
		close(fd);
		return 0;
	}

	int hlen = snprintf(head, sizeof(head),
			    "HTTP/1.1 200 OK\r\n"
			    "Content-Type: application/octet-stream\r\n"
			    "Content-Length: %jd\r\n"
			    "Connection: close\r\n"
			    "\r\n", (intmax_t)st.st_size);
	struct zcopy_segment seg[2] = {
		{ .type = ZCOPY_SEG_MEMORY, .addr = (uintptr_t)head, .len = hlen },
		{ .type = ZCOPY_SEG_FILE, .fd = fd, .offset = 0, .len = st.st_size },
	};
	struct zcopy_sendv sv = {
		.out_fd = sock,
		.method = o->method,
		.segs = (uintptr_t)seg,
		.count = st.st_size ? 2 : 1,
	};
	int64_t sent = zcopy_sendv_all(dev, &sv, NULL);
	int err = errno;

	close(fd);
	if (sent < 0) {
		char what[REQUEST_MAX + 64];

		snprintf(what, sizeof(what), "send /%s (after %" PRIu64 " bytes)",
			 path, (uint64_t)sv.sent);
		report(err, what,
		       err == ENODATA ? "the file shrank while it was sent" :
		       err == EINVAL ? "this method cannot send that file: try --method auto" :
		       err == EPIPE || err == ECONNRESET ? "the client went away" : NULL);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc = parse_args(argc, argv, &o);
	int dev, dir, lsock;

	if (rc)
		return rc;
	/* A client that goes away is an EPIPE for that connection, not our end. */
	signal(SIGPIPE, SIG_IGN);
	dev = zcopy_open();
	if (dev < 0) {
		report(errno, ZCOPY_DEV_PATH,
		       errno == ENOENT ? "load the module first: sudo zcopyctl load" :
		       errno == EACCES ? "join the group zcopy (usermod -aG zcopy $USER), or run as root" :
		       NULL);
		return EXIT_RUNTIME;
	}
	dir = open(o.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		report(errno, o.dir, "--dir names the directory whose files are served");
		return EXIT_RUNTIME;
	}
	lsock = listen_on(&o);
	if (lsock < 0)
		return EXIT_RUNTIME;

	for (unsigned long n = 0; !o.requests || n < o.requests; n++) {
		struct timeval tv = { .tv_sec = RECV_TIMEOUT_S };
		int sock = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);

		if (sock < 0) {
			if (errno == EINTR || errno == ECONNABORTED) {
				n--;
				continue;
			}
			report(errno, "accept", NULL);
			return EXIT_RUNTIME;
		}
		setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		serve(dev, dir, &o, sock);
		close(sock);
	}
	close(lsock);
	close(dir);
	close(dev);
	return 0;
}
