// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl recv: accept TCP streams and print their length and hash.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "fnv1a64.h"
#include "net.h"

#define DEFAULT_PORT	9000

const char recv_usage[] =
	"Usage: zcopyctl recv [OPTIONS]\n"
	"\n"
	"Listen on TCP, accept connections one after another, read each to EOF\n"
	"and print for each a line \"received BYTES fnv1a64 HASH\" (HASH: 16 hex\n"
	"digits of FNV-1a 64), to check what \"zcopyctl send\" sent.\n"
	"\n"
	"Options:\n"
	"  --bind ADDR       numeric IPv4 or IPv6 address (default 127.0.0.1)\n"
	"  --port P          TCP port (default 9000)\n"
	"  --count N         connections to accept (default 1)\n"
	"  --ready-file F    write \"ready\" into F once listening\n"
	"  -h, --help        show this help\n";

struct recv_args {
	const char *bind;
	uint64_t port;
	uint64_t count;
	const char *ready_file;
	struct endpoint ep;
};

static bool recv_opt(void *settings, int id, const char *v)
{
	struct recv_args *o = settings;

	switch (id) {
	case OPT_BIND:
		o->bind = v;
		return true;
	case OPT_PORT:
		return parse_u64(v, 65535, &o->port);
	case OPT_COUNT:
		return parse_u64(v, UINT64_MAX, &o->count);
	default:
		o->ready_file = v;
		return true;
	}
}

static int parse_recv(struct args *a, struct recv_args *o)
{
	static const struct opt opts[] = {
		{ "--bind", true, OPT_BIND },
		{ "--port", true, OPT_PORT },
		{ "--count", true, OPT_COUNT },
		{ "--ready-file", true, OPT_READY_FILE },
		{ 0 }
	};
	int rc = parse_args(a, opts, recv_opt, o, 0);

	if (rc != CONTINUE)
		return rc;
	if (!parse_endpoint(o->bind, false, o->port, AI_PASSIVE, &o->ep))
		return usage_error(a->cmd, "bad address '%s'", o->bind);
	return CONTINUE;
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

static int drain(int fd, uint64_t *bytes, uint64_t *hash)
{
	unsigned char buf[IO_BUF_SIZE];

	*bytes = 0;
	*hash = FNV1A64_BASIS;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		*hash = fnv1a64(*hash, buf, n);
		*bytes += n;
	}
}

static int receive_one(int lsock)
{
	uint64_t bytes, hash;
	int fd;

	do
		fd = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && (errno == EINTR || errno == ECONNABORTED));
	if (fd < 0)
		return fail("accept");
	int ret = drain(fd, &bytes, &hash);
	close_keep_errno(fd);
	if (ret)
		return fail("receive (after %" PRIu64 " bytes)", bytes);
	printf("received %" PRIu64 " fnv1a64 %016" PRIx64 "\n", bytes, hash);
	/* Whoever reads our stdout waits for this line before going on. */
	return fflush(stdout) ? fail("stdout") : EXIT_OK;
}

int cmd_recv(const struct command *self, struct args *a)
{
	struct recv_args o = { .bind = "127.0.0.1", .port = DEFAULT_PORT, .count = 1 };
	int rc = parse_recv(a, &o);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	int lsock = listen_on(&o.ep);
	if (lsock < 0)
		return fail("listen on %s port %" PRIu64, o.bind, o.port);
	if (o.ready_file && write_ready(o.ready_file))
		rc = fail("%s", o.ready_file);
	else
		rc = EXIT_OK;
	for (uint64_t i = 0; i < o.count && rc == EXIT_OK; i++)
		rc = receive_one(lsock);
	close(lsock);
	return rc;
}
