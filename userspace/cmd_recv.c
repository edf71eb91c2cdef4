// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl recv: accept TCP streams and print their length and hash.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "fnv1a64.h"
#include "json.h"
#include "net.h"

#define DEFAULT_PORT	9000

const char recv_usage[] =
	"Usage: zcopyctl recv [OPTIONS]\n"
	"\n"
	"Listen on TCP, print \"listening address ADDR port PORT\" (the port\n"
	"bound, also with --port 0), accept connections one after another, read\n"
	"each to EOF and print for each a line \"received BYTES fnv1a64 HASH\"\n"
	"(HASH: 16 hex digits of FNV-1a 64), to check what \"zcopyctl send\"\n"
	"sent.  Each line is flushed as it is written.  SIGINT or SIGTERM ends it\n"
	"cleanly (status 0) with a line \"summary connections N bytes B\" (the\n"
	"bytes of a connection cut short included).\n"
	"\n"
	"Options:\n"
	"  -b, --bind ADDR     host name, IPv4 or IPv6 address (default 127.0.0.1)\n"
	"  -p, --port P        TCP port (default 9000; 0: any free one)\n"
	"  -c, --count N       connections to accept (default 1; 0: until stopped)\n"
	"  --ready-file F      write \"ready\" into F once listening\n"
	"  -j, --json          the same as JSON objects, one per line:\n"
	"                      {\"listening\": {\"address\": A, \"port\": P}},\n"
	"                      {\"received\": N, \"fnv1a64\": H},\n"
	"                      {\"summary\": {\"connections\": N, \"bytes\": B}}\n"
	"  -h, --help          show this help\n";

struct recv_args {
	const char *bind;
	uint64_t port;
	uint64_t count;
	const char *ready_file;
	bool json;
	struct endpoint ep;
};

/* What recv did so far, and what stops it. */
struct recv_state {
	const struct recv_args *o;
	int lsock;
	int sigfd;		/* SIGINT and SIGTERM, or -1 */
	bool stopped;		/* by one of them */
	uint64_t connections;
	uint64_t bytes;
};

static bool recv_opt(void *settings, int id, const char *v)
{
	struct recv_args *o = settings;

	switch (id) {
	case 'b':
		o->bind = v;
		return true;
	case 'p':
		return parse_u64(v, 65535, &o->port);
	case 'c':
		return parse_u64(v, UINT64_MAX, &o->count);
	case 'j':
		o->json = true;
		return true;
	default:
		o->ready_file = v;
		return true;
	}
}

static int parse_recv(struct args *a, struct recv_args *o)
{
	static const struct option opts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "ready-file", required_argument, NULL, OPT_READY_FILE },
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	int rc = parse_args(a, "b:p:c:j", opts, recv_opt, o, 0);

	if (rc != CONTINUE)
		return rc;
	return parse_endpoint(a->cmd, o->bind, false, o->port, AI_PASSIVE, &o->ep);
}

/*
 * Written in place rather than renamed into place, so that F may also be a
 * FIFO or /dev/fd/N the caller waits on.
 */
static int write_ready(const char *path)
{
	static const char msg[] = "ready\n";
	const ssize_t len = sizeof(msg) - 1;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	ssize_t n = write(fd, msg, len);
	if (n >= 0 && n != len)
		errno = EIO;
	if (n != len) {
		close_keep_errno(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Waits until fd is readable: 1, or 0 once SIGINT or SIGTERM came (and
 * st->stopped is set), or -1 with errno.
 */
static int wait_readable(struct recv_state *st, int fd)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = st->sigfd, .events = POLLIN },
	};

	for (;;) {
		int n = poll(p, st->sigfd >= 0 ? 2 : 1, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (st->sigfd >= 0 && p[1].revents) {
			st->stopped = true;
			return 0;
		}
		return 1;
	}
}

/* 0 at EOF or when stopped, -1 with errno. */
static int drain(struct recv_state *st, int fd, uint64_t *bytes, uint64_t *hash)
{
	unsigned char buf[IO_BUF_SIZE];

	*bytes = 0;
	*hash = FNV1A64_BASIS;
	for (;;) {
		int w = wait_readable(st, fd);

		if (w <= 0)
			return w;
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		*hash = fnv1a64(*hash, buf, n);
		*bytes += n;
		st->bytes += n;
	}
}

/* Each line flushed: whoever reads our stdout waits for it. */
static int flush_line(void)
{
	return fflush(stdout) ? fail("stdout") : EXIT_OK;
}

static int receive_one(struct recv_state *st)
{
	uint64_t bytes, hash;
	int fd;

	do {
		int w = wait_readable(st, st->lsock);

		if (w <= 0)
			return w ? fail("poll") : EXIT_OK;
		fd = accept4(st->lsock, NULL, NULL, SOCK_CLOEXEC);
	} while (fd < 0 && (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN));
	if (fd < 0)
		return fail("accept");
	st->connections++;
	int ret = drain(st, fd, &bytes, &hash);
	close_keep_errno(fd);
	if (ret)
		return fail("receive (after %" PRIu64 " bytes)", bytes);
	if (st->stopped)	/* cut short: in the summary only */
		return EXIT_OK;
	if (st->o->json) {
		struct json j;
		char h[17];

		snprintf(h, sizeof(h), "%016" PRIx64, hash);
		json_init(&j, stdout, 0);
		json_object_begin(&j, NULL);
		json_u64(&j, "received", bytes);
		json_string(&j, "fnv1a64", h);
		json_object_end(&j);
		json_newline(&j);
	} else {
		printf("received %" PRIu64 " fnv1a64 %016" PRIx64 "\n", bytes, hash);
	}
	return flush_line();
}

static int print_listening(const struct recv_state *st)
{
	char host[NI_MAXHOST];
	unsigned int port;

	if (bound_address(st->lsock, host, sizeof(host), &port))
		return fail("getsockname");
	if (st->o->json) {
		struct json j;

		json_init(&j, stdout, 0);
		json_object_begin(&j, NULL);
		json_object_begin(&j, "listening");
		json_string(&j, "address", host);
		json_u64(&j, "port", port);
		json_object_end(&j);
		json_object_end(&j);
		json_newline(&j);
	} else {
		printf("listening address %s port %u\n", host, port);
	}
	return flush_line();
}

static int print_summary(const struct recv_state *st)
{
	if (st->o->json) {
		struct json j;

		json_init(&j, stdout, 0);
		json_object_begin(&j, NULL);
		json_object_begin(&j, "summary");
		json_u64(&j, "connections", st->connections);
		json_u64(&j, "bytes", st->bytes);
		json_object_end(&j);
		json_object_end(&j);
		json_newline(&j);
	} else {
		printf("summary connections %" PRIu64 " bytes %" PRIu64 "\n",
		       st->connections, st->bytes);
	}
	return flush_line();
}

/* SIGINT and SIGTERM as a descriptor poll() watches, or -1. */
static int stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static int serve(struct recv_state *st)
{
	const struct recv_args *o = st->o;
	int rc = print_listening(st);

	if (rc == EXIT_OK && o->ready_file && write_ready(o->ready_file))
		rc = fail("%s", o->ready_file);
	for (uint64_t i = 0; (!o->count || i < o->count) && rc == EXIT_OK &&
	     !st->stopped; i++)
		rc = receive_one(st);
	if (rc == EXIT_OK && st->stopped)
		rc = print_summary(st);
	return rc;
}

int cmd_recv(const struct command *self, struct args *a)
{
	struct recv_args o = { .bind = "127.0.0.1", .port = DEFAULT_PORT, .count = 1 };
	struct recv_state st = { .o = &o, .lsock = -1 };
	int rc = parse_recv(a, &o);

	(void)self;
	if (rc != CONTINUE) {
		free_endpoint(&o.ep);
		return rc;
	}
	st.sigfd = stop_signals();
	if (st.sigfd < 0)
		rc = fail("signalfd");
	else if ((st.lsock = listen_on(&o.ep)) < 0)
		rc = fail("listen on %s port %" PRIu64, o.bind, o.port);
	else
		rc = serve(&st);
	if (st.lsock >= 0)
		close(st.lsock);
	if (st.sigfd >= 0)
		close(st.sigfd);
	free_endpoint(&o.ep);
	return rc;
}
