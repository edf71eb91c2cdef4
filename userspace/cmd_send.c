// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl send: a file range, or a stream of files, to a TCP peer.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fnv1a64.h"
#include "json.h"
#include "send.h"

const char send_usage[] =
	"Usage: zcopyctl send FILE... HOST:PORT [OPTIONS]\n"
	"\n"
	"Connect to HOST:PORT over TCP (localhost:9000, 127.0.0.1:9000,\n"
	"[::1]:9000; names through getaddrinfo, each address in turn) and\n"
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
	"With --async, the stream goes as operations of ZCOPY_IOC_SUBMIT (SENDV,\n"
	"within the same limits), which the kernel runs on its workers; each\n"
	"line \"submitted\", \"completed\" and \"released\" shows a step as it\n"
	"happens, and \"operations\" replaces \"calls\".\n"
	"\n"
	"Options:\n"
	"  --method M       auto (default), copy, mmap, splice, pages or direct\n"
	"  --offset N       start at byte N of FILE (default 0; one FILE only)\n"
	"  --len N          send at most N bytes of FILE (default 0: up to EOF;\n"
	"                   one FILE only)\n"
	"                   N: bytes, or with K, M, G, T (or KiB, MiB, GiB, TiB),\n"
	"                   powers of 1024: --len 1M is 1048576 bytes\n"
	"  --header HFILE   send the contents of HFILE first\n"
	"  --trailer TFILE  send the contents of TFILE last\n"
	"  -q, --quiet      print only the number of bytes sent\n"
	"  -j, --json       print the statistics and the hash as one JSON object\n"
	"  --progress       show progress on stderr (default: when stderr is a\n"
	"                   terminal; one FILE only)\n"
	"  --no-progress    never show progress\n"
	"  --async          send through ZCOPY_IOC_SUBMIT and show the records\n"
	"  --notify-release with --async: also wait for and show the record that\n"
	"                   the kernel let go of the file's pages (method pages)\n"
	"  -h, --help       show this help\n";


static bool send_opt(void *settings, int id, const char *v)
{
	struct send_args *o = settings;

	switch (id) {
	case OPT_METHOD:
		return parse_method(v, &o->method);
	case OPT_OFFSET:
		return parse_size(v, LLONG_MAX, &o->offset);
	case OPT_LEN:
		return parse_size(v, LLONG_MAX, &o->len);
	case OPT_PROGRESS:
	case OPT_NO_PROGRESS:
		o->progress = id == OPT_PROGRESS ? 1 : 0;
		return true;
	case 'q':
		o->quiet = true;
		return true;
	case OPT_HEADER:
		o->header = v;
		return true;
	case OPT_ASYNC:
		o->async = true;
		return true;
	case OPT_NOTIFY_RELEASE:
		o->notify_release = true;
		return true;
	case OPT_TRAILER:
		o->trailer = v;
		return true;
	default:	/* -j, --json */
		o->json = true;
		return true;
	}
}

static int parse_send(struct args *a, struct send_args *o)
{
	static const struct option opts[] = {
		{ "method", required_argument, NULL, OPT_METHOD },
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "len", required_argument, NULL, OPT_LEN },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "header", required_argument, NULL, OPT_HEADER },
		{ "trailer", required_argument, NULL, OPT_TRAILER },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "async", no_argument, NULL, OPT_ASYNC },
		{ "notify-release", no_argument, NULL, OPT_NOTIFY_RELEASE },
		{ 0 }
	};
	int rc = parse_args(a, "qj", opts, send_opt, o, -1);

	if (rc != CONTINUE)
		return rc;
	if (a->npos < 2)
		return usage_error(a->cmd, "missing argument (FILE... HOST:PORT wanted, %d given)",
				   a->npos);
	o->files = a->pos;
	o->n_files = a->npos - 1;
	o->file = a->pos[0];
	o->dest = a->pos[a->npos - 1];
	if (o->n_files > 1 && (o->offset || o->len))
		return usage_error(a->cmd, "--offset and --len need a single FILE");
	if (o->quiet && o->json)
		return usage_error(a->cmd, "--quiet and --json exclude each other");
	if (o->notify_release && !o->async)
		return usage_error(a->cmd, "--notify-release needs --async");
	return parse_endpoint(a->cmd, o->dest, true, 0, 0, &o->ep);
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void show_progress(uint64_t done, uint64_t total, double secs, bool last)
{
	double mib = done / 1048576.0;

	fprintf(stderr, "\rzcopyctl: send: %.1f of %.1f MiB (%3.0f%%), %.1f MiB/s%s",
		mib, total / 1048576.0, total ? 100.0 * done / total : 100.0,
		secs > 0 ? mib / secs : 0.0, last ? "\n" : "  ");
}

/*
 * The range in one zcopy_send_all(), or, showing progress, in pieces of
 * PROGRESS_CHUNK with a line on stderr after each (at most 5 a second).
 */
#define PROGRESS_CHUNK	(8ULL << 20)

static int send_range(const struct send_args *o, int dev, struct zcopy_send *req,
		      struct send_result *r)
{
	const uint64_t total = req->len;

	if (!o->progress || !total)
		return zcopy_send_all(dev, req, &r->stats, &r->sent);
	double start = now_s(), shown = 0;
	int ret = 0;

	memset(&r->stats, 0, sizeof(r->stats));
	r->sent = 0;
	for (bool first = true; r->sent < total; first = false) {
		struct zcopy_send piece = *req;
		struct zcopy_stats st;
		uint64_t n;

		piece.offset = req->offset + r->sent;
		piece.len = total - r->sent < PROGRESS_CHUNK ? total - r->sent : PROGRESS_CHUNK;
		ret = zcopy_send_all(dev, &piece, &st, &n);
		zcopy_stats_add(&r->stats, &st, n > 0, first);
		r->sent += n;
		double t = now_s();
		if (ret || !n || r->sent == total || t - shown >= 0.2) {
			show_progress(r->sent, total, t - start, ret || !n || r->sent == total);
			shown = t;
		}
		if (ret || !n)
			break;
	}
	return ret;
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

	if (send_range(o, dev, &req, r)) {
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
	char route[64], ifname[IF_NAMESIZE];

	format_flags(route, sizeof(route), s->route, route_names,
		     ARRAY_SIZE(route_names));
	add_field(fs, "method", "%s", zcopy_method_name(s->method));
	add_field(fs, "sent", "%" PRIu64, r->sent);
	add_field(fs, "zc_bytes", "%llu", s->zc_bytes);
	add_field(fs, "copied_bytes", "%llu", s->copied_bytes);
	add_field(fs, "copies_per_byte", "%.2f",
		  r->sent ? (double)s->copied_bytes / r->sent : 0.0);
	add_field(fs, "cache_hit_pages", "%llu", s->cache_hit_pages);
	add_field(fs, "cache_miss_pages", "%llu", s->cache_miss_pages);
	add_field(fs, "storage_read_bytes", "%llu", s->storage_read_bytes);
	add_field(fs, "elapsed_us", "%.3f", s->elapsed_ns / 1e3);
	add_field(fs, "throughput_mib_s", "%.2f",
		  secs > 0 ? r->sent / secs / (1 << 20) : 0.0);
	add_field(fs, "route", "%s", route);
	add_field(fs, "ifindex", "%u", s->ifindex);
	add_field(fs, "interface", "%s",
		  s->ifindex && if_indextoname(s->ifindex, ifname) ? ifname : "-");
	if (r->vector) {
		add_field(fs, "segments", "%" PRIu64, r->segments);
		add_field(fs, r->async ? "operations" : "calls", "%" PRIu64,
			  r->calls);
	}
}

/* The same as send_fields(), with the route as an array of names. */
static void send_json(const struct send_result *r)
{
	const struct zcopy_stats *s = &r->stats;
	double secs = s->elapsed_ns / 1e9;
	char hash[17], ifname[IF_NAMESIZE];
	struct json j;

	json_init(&j, stdout, 0);
	json_object_begin(&j, NULL);
	json_string(&j, "method", zcopy_method_name(s->method));
	json_u64(&j, "sent", r->sent);
	json_u64(&j, "zc_bytes", s->zc_bytes);
	json_u64(&j, "copied_bytes", s->copied_bytes);
	json_fixed(&j, "copies_per_byte",
		   r->sent ? (double)s->copied_bytes / r->sent : 0.0, 2);
	json_u64(&j, "cache_hit_pages", s->cache_hit_pages);
	json_u64(&j, "cache_miss_pages", s->cache_miss_pages);
	json_u64(&j, "storage_read_bytes", s->storage_read_bytes);
	json_fixed(&j, "elapsed_us", s->elapsed_ns / 1e3, 3);
	json_fixed(&j, "throughput_mib_s",
		   secs > 0 ? r->sent / secs / (1 << 20) : 0.0, 2);
	json_array_begin(&j, "route");
	for (unsigned int i = 0; i < 32; i++) {
		char unknown[8];

		if (!(s->route >> i & 1))
			continue;
		snprintf(unknown, sizeof(unknown), "bit%u", i);
		json_string(&j, NULL, i < ARRAY_SIZE(route_names) ? route_names[i] : unknown);
	}
	json_array_end(&j);
	json_u64(&j, "ifindex", s->ifindex);
	json_string(&j, "interface",
		    s->ifindex && if_indextoname(s->ifindex, ifname) ? ifname : NULL);
	if (r->vector) {
		json_u64(&j, "segments", r->segments);
		json_u64(&j, r->async ? "operations" : "calls", r->calls);
	}
	snprintf(hash, sizeof(hash), "%016" PRIx64, r->hash);
	json_string(&j, "fnv1a64", hash);
	json_object_end(&j);
	json_newline(&j);
}

static void print_send(const struct send_args *o, const struct send_result *r)
{
	struct fields fs = { 0 };

	if (o->quiet) {
		printf("%" PRIu64 "\n", r->sent);
		return;
	}
	if (o->json) {
		send_json(r);
		return;
	}
	send_fields(&fs, r);
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
		rc = o->async ? transfer_async(o, dev, sock, &st, &r) :
		     transfer_vector(o, dev, sock, &st, &r);
	if (rc == EXIT_OK)
		print_send(o, &r);
	if (sock >= 0)
		close(sock);
	free_stream(o, &st);
	return rc;
}

static int send_main(struct send_args *o, struct send_result *r);

int cmd_send(const struct command *self, struct args *a)
{
	struct send_args o = { .method = ZCOPY_METHOD_AUTO, .progress = -1 };
	struct send_result r = { 0 };
	int rc = parse_send(a, &o);

	(void)self;
	if (rc != CONTINUE) {
		free_endpoint(&o.ep);
		return rc;
	}
	if (o.progress < 0)
		o.progress = isatty(STDERR_FILENO);
	rc = send_main(&o, &r);
	free_endpoint(&o.ep);
	return rc;
}

static int send_main(struct send_args *o, struct send_result *r)
{
	int rc;

	/* A reset connection must come back as EPIPE, not kill us. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return fail("ignore SIGPIPE");

	/* Device and file first: a failure then leaves no stray connection. */
	int dev = zcopy_open();
	if (dev < 0)
		return fail_module(errno, ZCOPY_DEV_PATH);
	if (o->n_files > 1 || o->header || o->trailer || o->async) {
		rc = cmd_send_vector(o, dev);
		close(dev);
		return rc;
	}
	int file = open(o->file, O_RDONLY | O_CLOEXEC);
	int sock = file < 0 ? -1 : connect_to(&o->ep);
	if (file < 0)
		rc = fail("%s", o->file);
	else if (sock < 0)
		rc = fail("connect to %s", o->dest);
	else
		rc = transfer(o, dev, file, sock, r);
	if (rc == EXIT_OK)
		print_send(o, r);
	if (sock >= 0)
		close(sock);
	if (file >= 0)
		close(file);
	close(dev);
	return rc;
}
