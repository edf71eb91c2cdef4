// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl send: a file range, or a stream of files, to a TCP peer.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fnv1a64.h"
#include "send.h"

const char send_usage[] =
	"Usage: zcopyctl send FILE... HOST:PORT [OPTIONS]\n"
	"\n"
	"Connect to HOST:PORT over TCP (numeric: 127.0.0.1:9000, [::1]:9000) and\n"
	"send a range of FILE to it through /dev/zcopy.  Prints the transfer's\n"
	"statistics, aligned, then a last line \"fnv1a64 HASH\": the FNV-1a\n"
	"64-bit hash (16 hex digits) of the bytes sent, as \"zcopyctl recv\"\n"
	"prints it for the bytes received.\n"
	"\n"
	"With several FILEs, --header or --trailer, the stream is the header's\n"
	"bytes (read into memory), each FILE whole, then the trailer's bytes,\n"
	"sent as segments of ZCOPY_IOC_SENDV (up to 1024 segments and 1 MiB of\n"
	"header and trailer per call); the statistics add \"segments\" and\n"
	"\"calls\", and the hash covers the whole stream.\n"
	"\n"
	"Options:\n"
	"  --method M       auto (default), copy, mmap, splice, pages or direct\n"
	"  --offset N       start at byte N of FILE (default 0; one FILE only)\n"
	"  --len N          send at most N bytes of FILE (default 0: up to EOF;\n"
	"                   one FILE only)\n"
	"  --header HFILE   send the contents of HFILE first\n"
	"  --trailer TFILE  send the contents of TFILE last\n"
	"  --quiet          print only the number of bytes sent\n"
	"  --json           print the statistics and the hash as one JSON object\n"
	"  -h, --help       show this help\n";


static bool send_opt(void *settings, int id, const char *v)
{
	struct send_args *o = settings;

	switch (id) {
	case OPT_METHOD:
		return parse_method(v, &o->method);
	case OPT_OFFSET:
		return parse_u64(v, LLONG_MAX, &o->offset);
	case OPT_LEN:
		return parse_u64(v, LLONG_MAX, &o->len);
	case OPT_QUIET:
		o->quiet = true;
		return true;
	case OPT_HEADER:
		o->header = v;
		return true;
	case OPT_TRAILER:
		o->trailer = v;
		return true;
	default:
		o->json = true;
		return true;
	}
}

static int parse_send(struct args *a, struct send_args *o)
{
	static const struct opt opts[] = {
		{ "--method", true, OPT_METHOD },
		{ "--offset", true, OPT_OFFSET },
		{ "--len", true, OPT_LEN },
		{ "--quiet", false, OPT_QUIET },
		{ "--json", false, OPT_JSON },
		{ "--header", true, OPT_HEADER },
		{ "--trailer", true, OPT_TRAILER },
		{ 0 }
	};
	int rc = parse_args(a, opts, send_opt, o, -1);

	if (rc != CONTINUE)
		return rc;
	if (a->npos < 2)
		return usage_error(a->cmd, "missing argument (FILE... HOST:PORT wanted, %d given)",
				   a->npos);
	o->files = a->argv;
	o->n_files = a->npos - 1;
	o->file = a->argv[0];
	o->dest = a->argv[a->npos - 1];
	if (o->n_files > 1 && (o->offset || o->len))
		return usage_error(a->cmd, "--offset and --len need a single FILE");
	if (o->quiet && o->json)
		return usage_error(a->cmd, "--quiet and --json exclude each other");
	if (!parse_endpoint(o->dest, true, 0, 0, &o->ep))
		return usage_error(a->cmd, "bad address '%s' (want IPv4:PORT or [IPv6]:PORT)",
				   o->dest);
	return CONTINUE;
}

/* The hash of what left, read back from the file, for the receiver to match. */
static int hash_range(int fd, uint64_t off, uint64_t len, uint64_t *hash)
{
	unsigned char buf[IO_BUF_SIZE];

	*hash = FNV1A64_BASIS;
	while (len) {
		ssize_t n = pread(fd, buf, len < sizeof(buf) ? len : sizeof(buf), off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n) {
			errno = ENODATA;	/* the file shrank since the send */
			return -1;
		}
		*hash = fnv1a64(*hash, buf, n);
		off += n;
		len -= n;
	}
	return 0;
}

static int transfer(const struct send_args *o, int dev, int file, int sock,
		    struct send_result *r)
{
	struct zcopy_send req = {
		.in_fd = file,
		.out_fd = sock,
		.method = o->method,
		.offset = o->offset,
		.len = o->len,
	};
	struct stat st;

	/*
	 * "To EOF" is known from the file's size: asking for exactly that
	 * saves the extra call that would only find EOF (and count as a
	 * transfer of 0 bytes).
	 */
	if (!req.len && !fstat(file, &st) && (uint64_t)st.st_size > o->offset)
		req.len = st.st_size - o->offset;

	if (zcopy_send_all(dev, &req, &r->stats, &r->sent)) {
		if (r->sent)
			return fail("send %s to %s (after %" PRIu64 " bytes)",
				    o->file, o->dest, r->sent);
		return fail("send %s to %s", o->file, o->dest);
	}
	if (!o->quiet && hash_range(file, o->offset, r->sent, &r->hash))
		return fail("read back %s", o->file);
	return EXIT_OK;
}


static const char *const route_names[] = { "sg", "csum", "known" };

static void send_fields(struct fields *fs, const struct send_result *r)
{
	const struct zcopy_stats *s = &r->stats;
	double secs = s->elapsed_ns / 1e9;
	char route[64];

	format_flags(route, sizeof(route), s->route, route_names,
		     ARRAY_SIZE(route_names));
	add_field(fs, "method", true, "%s", zcopy_method_name(s->method));
	add_field(fs, "sent", false, "%" PRIu64, r->sent);
	add_field(fs, "zc_bytes", false, "%llu", s->zc_bytes);
	add_field(fs, "copied_bytes", false, "%llu", s->copied_bytes);
	add_field(fs, "copies_per_byte", false, "%.2f",
		  r->sent ? (double)s->copied_bytes / r->sent : 0.0);
	add_field(fs, "cache_hit_pages", false, "%llu", s->cache_hit_pages);
	add_field(fs, "cache_miss_pages", false, "%llu", s->cache_miss_pages);
	add_field(fs, "storage_read_bytes", false, "%llu", s->storage_read_bytes);
	add_field(fs, "elapsed_us", false, "%.3f", s->elapsed_ns / 1e3);
	add_field(fs, "throughput_mib_s", false, "%.2f",
		  secs > 0 ? r->sent / secs / (1 << 20) : 0.0);
	add_field(fs, "route", true, "%s", route);
	add_field(fs, "ifindex", false, "%u", s->ifindex);
	if (r->vector) {
		add_field(fs, "segments", false, "%" PRIu64, r->segments);
		add_field(fs, "calls", false, "%" PRIu64, r->calls);
	}
}

static void print_send(const struct send_args *o, const struct send_result *r)
{
	struct fields fs = { 0 };

	if (o->quiet) {
		printf("%" PRIu64 "\n", r->sent);
		return;
	}
	send_fields(&fs, r);
	if (o->json) {
		add_field(&fs, "fnv1a64", true, "%016" PRIx64, r->hash);
		print_fields_json(&fs);
		putchar('\n');
		return;
	}
	print_fields_text(&fs);
	/* Outside the aligned block, so that it reads "fnv1a64 HASH" exactly. */
	printf("fnv1a64 %016" PRIx64 "\n", r->hash);
}

static int cmd_send_vector(const struct send_args *o, int dev)
{
	struct stream st = { 0 };
	struct send_result r = { 0 };
	int sock = -1;
	int rc = build_stream(o, &st);

	if (rc == EXIT_OK && (sock = connect_to(&o->ep)) < 0)
		rc = fail("connect to %s", o->dest);
	if (rc == EXIT_OK)
		rc = transfer_vector(o, dev, sock, &st, &r);
	if (rc == EXIT_OK)
		print_send(o, &r);
	if (sock >= 0)
		close(sock);
	free_stream(o, &st);
	return rc;
}

int cmd_send(const struct command *self, struct args *a)
{
	struct send_args o = { .method = ZCOPY_METHOD_AUTO };
	struct send_result r = { 0 };
	int rc = parse_send(a, &o);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	/* A reset connection must come back as EPIPE, not kill us. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return fail("ignore SIGPIPE");

	/* Device and file first: a failure then leaves no stray connection. */
	int dev = zcopy_open();
	if (dev < 0)
		return fail("%s", ZCOPY_DEV_PATH);
	if (o.n_files > 1 || o.header || o.trailer) {
		rc = cmd_send_vector(&o, dev);
		close(dev);
		return rc;
	}
	int file = open(o.file, O_RDONLY | O_CLOEXEC);
	int sock = file < 0 ? -1 : connect_to(&o.ep);
	if (file < 0)
		rc = fail("%s", o.file);
	else if (sock < 0)
		rc = fail("connect to %s", o.dest);
	else
		rc = transfer(&o, dev, file, sock, &r);
	if (rc == EXIT_OK)
		print_send(&o, &r);
	if (sock >= 0)
		close(sock);
	if (file >= 0)
		close(file);
	close(dev);
	return rc;
}
