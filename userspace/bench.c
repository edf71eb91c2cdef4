// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: the measuring half (bench_report.c prints).
 *
 * A forked receiver discards everything it gets with recv(MSG_TRUNC) into no
 * buffer, so what is measured is the sender.  A control socketpair tells the
 * receiver how many bytes to expect and carries back its word that they all
 * arrived, with the CPU it spent: the clock stops on that word, so data still
 * in flight is never counted as sent.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <linux/magic.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "libzcopy.h"
#include "units.h"

#define KIB		1024ULL
#define MIB		(1024 * KIB)
#define GIB		(1024 * MIB)

/* IO_BUF_SIZE (cli.h, 64 KiB): user:readwrite's buffer */
#define PIPE_SIZE	(1 * MIB)	/* user:splice's pipe, if allowed */
#define BATCH_BYTES	(4 * MIB)	/* hot: one repetition moves this much */
#define MAX_REPS	400
#define FLOOR_REPS	3		/* a median needs some company */
#define WINDOW		5		/* running medians that must agree... */
#define SPREAD		0.05		/* ...within this fraction */
#define MEASURED	(-1.0)		/* copies per byte come from the module */
#define SMALL_FILES	1000		/* the small-file rows: this many files... */
#define SMALL_SIZE	(4 * KIB)	/* ...of this size... */
#define SMALL_HDR	200		/* ...each after a header of this many bytes */
#define SENDV_BATCH	64		/* files (with headers) per call of zcopy:SENDV64 */

/* ---- the paths --------------------------------------------------------- */

/* One path's state for a series; the tallies grow with every transfer. */
struct xfer {
	int file;
	int sock;
	int dev;			/* /dev/zcopy, or -1 */
	int pipe[2];			/* user:splice */
	size_t pipe_size;
	uint64_t size;
	unsigned int method;		/* ZCOPY_METHOD_* for zcopy:* */
	unsigned char *buf;		/* IO_BUF_SIZE bytes */
	/* Small-file paths: n_files files of size bytes, each after hdr. */
	const int *files;
	unsigned int n_files;		/* 0: the other paths, one file */
	unsigned int batch;		/* files per ZCOPY_IOC_SENDV */
	const unsigned char *hdr;	/* SMALL_HDR bytes */
	struct zcopy_segment *segs;	/* 2 * batch of them */
	uint64_t calls;			/* syscalls made */
	uint64_t copied;		/* zcopy_stats.copied_bytes */
};

/* Send the whole file once: 0, or -1 with errno set. */
typedef int send_fn(struct xfer *x);

struct bench_path {
	const char *name;
	send_fn *send;
	unsigned int method;
	double copies;			/* per byte, derived; or MEASURED */
	unsigned int batch;		/* small-file paths: files per call */
	bool small;			/* a small-file path (see run_small()) */
};

/* A read that found EOF early: the file shrank under us. */
static int short_read(ssize_t n)
{
	if (!n)
		errno = ENODATA;
	return -1;
}

static int write_all(struct xfer *x, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(x->sock, p, n);

		x->calls++;
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* pread() rather than read(): the same copy, and no lseek() per transfer. */
static int send_readwrite(struct xfer *x)
{
	for (uint64_t off = 0; off < x->size;) {
		size_t want = x->size - off < IO_BUF_SIZE ? x->size - off : IO_BUF_SIZE;
		ssize_t n = pread(x->file, x->buf, want, off);

		x->calls++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return short_read(n);
		if (write_all(x, x->buf, n))
			return -1;
		off += n;
	}
	return 0;
}

/* A mapping per transfer, as a server mapping each request's file would. */
static int send_mmap_write(struct xfer *x)
{
	void *p = mmap(NULL, x->size, PROT_READ, MAP_SHARED, x->file, 0);

	x->calls++;
	if (p == MAP_FAILED)
		return -1;
	int rc = write_all(x, p, x->size);
	int err = errno;

	munmap(p, x->size);
	x->calls++;
	errno = err;
	return rc;
}

static int send_sendfile(struct xfer *x)
{
	off_t off = 0;

	while ((uint64_t)off < x->size) {
		ssize_t n = sendfile(x->sock, x->file, &off, x->size - off);

		x->calls++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return short_read(n);
	}
	return 0;
}

static int send_splice(struct xfer *x)
{
	loff_t off = 0;

	while ((uint64_t)off < x->size) {
		size_t want = x->size - off < x->pipe_size ? x->size - off : x->pipe_size;
		ssize_t in = splice(x->file, &off, x->pipe[1], NULL, want, SPLICE_F_MOVE);

		x->calls++;
		if (in < 0 && errno == EINTR)
			continue;
		if (in <= 0)
			return short_read(in);
		/* Cork all but the file's tail, as sendfile() does. */
		unsigned int more = (uint64_t)off < x->size ? SPLICE_F_MORE : 0;
		while (in) {
			ssize_t out = splice(x->pipe[0], NULL, x->sock, NULL, in,
					     SPLICE_F_MOVE | more);

			x->calls++;
			if (out < 0 && errno == EINTR)
				continue;
			if (out <= 0)
				return short_read(out);
			in -= out;
		}
	}
	return 0;
}

static int send_zcopy(struct xfer *x)
{
	for (uint64_t off = 0; off < x->size;) {
		struct zcopy_send req = {
			.in_fd = x->file,
			.out_fd = x->sock,
			.method = x->method,
			.offset = off,
			.len = x->size - off,
		};
		int rc = zcopy_send(x->dev, &req);

		x->calls++;
		if (rc && errno == EINTR)
			continue;
		if (rc)
			return -1;
		if (!req.sent)
			return short_read(0);
		x->copied += req.stats.copied_bytes;
		off += req.sent;
	}
	return 0;
}

/*
 * The small-file paths send x->n_files files of x->size bytes, each after
 * the same SMALL_HDR-byte header, as a server answering small requests on
 * one keep-alive connection would.
 *
 * user:writev_sendfile: per file, cork, writev() the header, sendfile() the
 * file, uncork (TCP_CORK, as a web server's tcp_nopush does), so that the
 * header and the file leave in the same segments.
 */
static int send_writev_sendfile(struct xfer *x)
{
	int on = 1, off = 0;

	for (unsigned int f = 0; f < x->n_files; f++) {
		struct iovec iov = { .iov_base = (void *)x->hdr, .iov_len = SMALL_HDR };
		off_t pos = 0;

		x->calls++;
		if (setsockopt(x->sock, IPPROTO_TCP, TCP_CORK, &on, sizeof(on)))
			return -1;
		while (iov.iov_len) {
			ssize_t w = writev(x->sock, &iov, 1);

			x->calls++;
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			iov.iov_base = (char *)iov.iov_base + w;
			iov.iov_len -= w;
		}
		while ((uint64_t)pos < x->size) {
			ssize_t n = sendfile(x->sock, x->files[f], &pos, x->size - pos);

			x->calls++;
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return short_read(n);
		}
		x->calls++;
		if (setsockopt(x->sock, IPPROTO_TCP, TCP_CORK, &off, sizeof(off)))
			return -1;
	}
	return 0;
}

/*
 * zcopy:SENDV and zcopy:SENDV64: ZCOPY_IOC_SENDV with a memory segment (the
 * header) and a file segment per file, x->batch files per call.  A call that
 * stops part-way is resumed from seg_index and seg_sent.
 */
static int send_sendv(struct xfer *x)
{
	for (unsigned int f = 0; f < x->n_files; f += x->batch) {
		unsigned int nf = x->n_files - f < x->batch ? x->n_files - f : x->batch;
		struct zcopy_segment *seg = x->segs;
		unsigned int count = 2 * nf;

		for (unsigned int i = 0; i < nf; i++) {
			seg[2 * i] = (struct zcopy_segment){
				.type = ZCOPY_SEG_MEMORY,
				.addr = (uintptr_t)x->hdr, .len = SMALL_HDR,
			};
			seg[2 * i + 1] = (struct zcopy_segment){
				.type = ZCOPY_SEG_FILE, .fd = x->files[f + i],
				.len = x->size,
			};
		}
		while (count) {
			struct zcopy_sendv req = {
				.out_fd = x->sock,
				.method = x->method,
				.segs = (uintptr_t)seg,
				.count = count,
			};
			int rc = zcopy_sendv(x->dev, &req);

			x->calls++;
			if (rc && errno == EINTR)
				continue;
			if (rc)
				return -1;
			x->copied += req.stats.copied_bytes;
			if (req.seg_index >= count)
				break;
			if (!req.sent)
				return short_read(0);	/* no progress */
			seg += req.seg_index;
			count -= req.seg_index;
			if (seg->type == ZCOPY_SEG_MEMORY)
				seg->addr += req.seg_sent;
			else
				seg->offset += req.seg_sent;
			seg->len -= req.seg_sent;
		}
	}
	return 0;
}

/*
 * Derived copies per byte: readwrite copies into the buffer and out of it,
 * mmap_write only out of the mapping, sendfile and splice lend page-cache
 * pages, which a route that gathers fragments (loopback does) never copies.
 */
static const struct bench_path paths[] = {
	{ "user:readwrite", send_readwrite, 0, 2, 0, false },
	{ "user:mmap_write", send_mmap_write, 0, 1, 0, false },
	{ "user:sendfile", send_sendfile, 0, 0, 0, false },
	{ "user:splice", send_splice, 0, 0, 0, false },
	{ "zcopy:COPY", send_zcopy, ZCOPY_METHOD_COPY, MEASURED, 0, false },
	{ "zcopy:MMAP", send_zcopy, ZCOPY_METHOD_MMAP, MEASURED, 0, false },
	{ "zcopy:SPLICE", send_zcopy, ZCOPY_METHOD_SPLICE, MEASURED, 0, false },
	{ "zcopy:PAGES", send_zcopy, ZCOPY_METHOD_PAGES, MEASURED, 0, false },
	{ "zcopy:DIRECT", send_zcopy, ZCOPY_METHOD_DIRECT, MEASURED, 0, false },
	/* Small files: the header is copied, the file lent. */
	{ .name = "user:writev_sendfile", .send = send_writev_sendfile,
	  .copies = (double)SMALL_HDR / (SMALL_HDR + SMALL_SIZE), .batch = 1, .small = true },
	{ .name = "zcopy:SENDV", .send = send_sendv, .method = ZCOPY_METHOD_AUTO,
	  .copies = MEASURED, .batch = 1, .small = true },
	{ .name = "zcopy:SENDV64", .send = send_sendv, .method = ZCOPY_METHOD_AUTO,
	  .copies = MEASURED, .batch = SENDV_BATCH, .small = true },
};

/* The small-file rows compare with this path, the other rows with path 0. */
#define SMALL_BASELINE	9
_Static_assert(SMALL_BASELINE < ARRAY_SIZE(paths), "the baseline is a path");

static const char *const cache_names[BENCH_NR_CACHES] = { "hot", "cold" };
static const char *const feature_names[] = { "splice_pages", "sendpage", "io_accounting" };

/* ---- options ----------------------------------------------------------- */

const struct bench_opt_spec bench_opts[BENCH_NR_OPTS] = {
	[BENCH_OPT_DIR] = { "dir", true },
	[BENCH_OPT_PATHS] = { "paths", true },
	[BENCH_OPT_SIZES] = { "sizes", true },
	[BENCH_OPT_CACHE] = { "cache", true },
	[BENCH_OPT_BUDGET_MS] = { "budget-ms", true },
	[BENCH_OPT_MIN_REPS] = { "min-reps", true },
	[BENCH_OPT_JSON] = { "json", false },
	[BENCH_OPT_JSON_FILE] = { "json-file", true },
	[BENCH_OPT_SVG] = { "svg", true },
	[BENCH_OPT_NOTE] = { "note", true },
};

const char bench_usage[] =
	"Usage: zcopyctl bench [OPTIONS]\n"
	"\n"
	"Send files of several sizes to a receiver on 127.0.0.1 over TCP by\n"
	"each path below, with the page cache hot and cold, and print a row per\n"
	"(path, size, cache): throughput, sender CPU seconds per GiB, receiver\n"
	"CPU seconds per GiB, syscalls per transfer, CPU copies per payload byte.\n"
	"\n"
	"Paths:\n"
	"  user:readwrite    pread() into a 64 KiB buffer, write() it to the socket\n"
	"  user:mmap_write   mmap() the file, write() the mapping, munmap()\n"
	"  user:sendfile     sendfile(2)\n"
	"  user:splice       splice(2) file -> pipe (1 MiB if allowed) -> socket\n"
	"  zcopy:COPY, zcopy:MMAP, zcopy:SPLICE, zcopy:PAGES, zcopy:DIRECT\n"
	"                    ZCOPY_IOC_SEND with that method (needs the module;\n"
	"                    DIRECT is skipped where the filesystem has no O_DIRECT)\n"
	"Small-file paths (their own rows, hot only: 1000 files of 4 KiB, each\n"
	"preceded by a 200-byte header, on one connection; with files/s):\n"
	"  user:writev_sendfile  per file: TCP_CORK on, writev() the header,\n"
	"                    sendfile() the file, TCP_CORK off\n"
	"  zcopy:SENDV       one ZCOPY_IOC_SENDV per file: header + file segment\n"
	"  zcopy:SENDV64     one ZCOPY_IOC_SENDV per 64 files with their headers\n"
	"\n"
	"How it measures:\n"
	"  The receiver is a forked process that discards with recv(MSG_TRUNC)\n"
	"  into no buffer; it runs SCHED_IDLE, so that it never preempts the\n"
	"  sender (and gets only idle CPU time: run on an otherwise idle machine).\n"
	"  A (path, size, cache) series reuses one connection (TCP_NODELAY) and\n"
	"  starts with an unmeasured repetition.  The series of one size and cache\n"
	"  take turns, a repetition each, so that a change in the machine's load\n"
	"  hits every path alike.  A repetition sends the whole file K times (K =\n"
	"  4 MiB / size, at least 1; 1 when cold) and lasts from the first call to\n"
	"  the receiver's word that every byte arrived; sender CPU is\n"
	"  getrusage(RUSAGE_SELF) around the calls.  Repetitions go on until the\n"
	"  running medians of throughput and CPU/GiB moved less than 5% over the\n"
	"  last 5 of them (and --min-reps ran), or until --budget-ms is spent (and\n"
	"  3 ran; the row's reps get a '~').  Figures are medians.\n"
	"  Cold: before each repetition fsync(), posix_fadvise(DONTNEED) and, where\n"
	"  permitted, 1 > /proc/sys/vm/drop_caches; that only means something on a\n"
	"  disk filesystem such as ext4, so cold rows are skipped on tmpfs.\n"
	"  Copies per byte of zcopy:* are measured (zcopy_stats.copied_bytes /\n"
	"  bytes sent); those of user:* are derived from the code path (marked\n"
	"  '*'): readwrite 2, mmap_write 1, sendfile and splice 0 on a route that\n"
	"  gathers pages, as loopback does.\n"
	"\n"
	"Options:\n"
	"  --dir DIR         directory for the test files (default /tmp)\n"
	"  --paths LIST      comma-separated paths (default: all, small-file ones\n"
	"                    included)\n"
	"  --sizes LIST      comma-separated sizes in bytes, with K, M or G (or\n"
	"                    KiB, MiB, GiB) for powers of 1024, up to 1G\n"
	"                    (default 4K,64K,1M,64M)\n"
	"  --cache LIST      hot, cold or hot,cold (default hot,cold)\n"
	"  --budget-ms N     time budget of a row, in ms (default 2000)\n"
	"  --min-reps N      repetitions before a row may settle (default 5)\n"
	"  --json            print the environment and every row as JSON on\n"
	"                    stdout (the table goes to stderr)\n"
	"  --json-file FILE  write that JSON to FILE\n"
	"  --svg FILE        write a bar chart of the hot rows as SVG\n"
	"  --note TEXT       free text for the JSON's env.note\n"
	"  -h, --help        show this help\n";

void bench_defaults(struct bench_config *c)
{
	static const uint64_t sizes[] = { 4 * KIB, 64 * KIB, MIB, 64 * MIB };

	*c = (struct bench_config){
		.dir = "/tmp",
		.paths = (1U << ARRAY_SIZE(paths)) - 1,
		.n_sizes = ARRAY_SIZE(sizes),
		.caches = 1U << BENCH_HOT | 1U << BENCH_COLD,
		.budget_ms = 2000,
		.min_reps = 5,
	};
	memcpy(c->sizes, sizes, sizeof(sizes));
}

/* Plain decimal from min to max. */
static bool parse_num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);

	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Calls item() on each piece of a comma-separated list; false on the first no. */
static bool each_item(const char *list, bool (*item)(void *ctx, const char *s), void *ctx)
{
	char buf[256];

	if (!*list || strlen(list) >= sizeof(buf))
		return false;
	strcpy(buf, list);
	for (char *save, *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save))
		if (!item(ctx, s))
			return false;
	return true;
}

static bool add_path(void *ctx, const char *s)
{
	struct bench_config *c = ctx;

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		if (!strcasecmp(s, paths[i].name)) {
			c->paths |= 1U << i;
			return true;
		}
	}
	return false;
}

static bool add_size(void *ctx, const char *s)
{
	struct bench_config *c = ctx;

	return c->n_sizes < BENCH_MAX_SIZES &&
	       parse_size(s, GIB, &c->sizes[c->n_sizes]) &&
	       c->sizes[c->n_sizes++] >= 1;
}

static bool add_cache(void *ctx, const char *s)
{
	struct bench_config *c = ctx;

	for (int i = 0; i < BENCH_NR_CACHES; i++) {
		if (!strcmp(s, cache_names[i])) {
			c->caches |= 1U << i;
			return true;
		}
	}
	return false;
}

bool bench_set(struct bench_config *c, int opt, const char *v)
{
	switch (opt) {
	case BENCH_OPT_DIR:
		c->dir = v;
		return true;
	case BENCH_OPT_PATHS:
		c->paths = 0;
		return each_item(v, add_path, c);
	case BENCH_OPT_SIZES:
		c->n_sizes = 0;
		return each_item(v, add_size, c);
	case BENCH_OPT_CACHE:
		c->caches = 0;
		return each_item(v, add_cache, c);
	case BENCH_OPT_BUDGET_MS:
		return parse_num(v, 0, UINT32_MAX, &c->budget_ms);
	case BENCH_OPT_MIN_REPS:
		return parse_num(v, 1, MAX_REPS, &c->min_reps);
	case BENCH_OPT_JSON:
		c->json = true;
		return true;
	case BENCH_OPT_JSON_FILE:
		c->json_file = v;
		return true;
	case BENCH_OPT_SVG:
		c->svg = v;
		return true;
	case BENCH_OPT_NOTE:
		c->note = v;
		return true;
	}
	return false;
}

/* ---- small helpers ----------------------------------------------------- */

__attribute__((format(printf, 2, 3)))
static void warn_errno(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("zcopyctl: bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* User + system CPU of this process (the receiver is another one). */
static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, unsigned int n)
{
	double tmp[MAX_REPS];

	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- the receiver ------------------------------------------------------ */

/* One connection per series of a group (see run_group()). */
#define RX_SLOTS	16
_Static_assert(ARRAY_SIZE(paths) <= RX_SLOTS, "a group has a series per path");

/* Control message to the receiver. */
struct rx_req {
	uint32_t slot;		/* the connection, < RX_SLOTS */
	uint32_t accept;	/* 1: accept the slot's new connection */
	uint64_t n;		/* else: the bytes to drain from it */
};

struct rx_ack {
	int32_t err;		/* 0, or the errno that stopped the receiver */
	uint32_t calls;		/* recv() calls it took */
	double cpu;		/* receiver CPU seconds it took */
};

struct receiver {
	pid_t pid;
	int ctl;		/* our end of the control socketpair */
	struct sockaddr_in addr;
};

static void rx_drain(int conn, uint64_t n, struct rx_ack *ack)
{
	double c0 = cpu_seconds();

	while (n) {
		/* MSG_TRUNC: TCP drops the bytes without copying them anywhere. */
		ssize_t got = recv(conn, NULL, n < GIB ? n : GIB, MSG_TRUNC);

		ack->calls++;
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			ack->err = got ? errno : EPIPE;
			break;
		}
		n -= got;
	}
	/*
	 * ACK now rather than after the delayed-ACK timer: until then the
	 * sender's unacknowledged segments pin the page-cache pages they lend,
	 * which a cold repetition could then not drop.
	 */
	setsockopt(conn, IPPROTO_TCP, TCP_QUICKACK, &(int){ 1 }, sizeof(int));
	ack->cpu = cpu_seconds() - c0;
}

__attribute__((noreturn))
static void rx_main(int ctl, int lsock)
{
	int conns[RX_SLOTS];
	struct rx_req req;

	for (int i = 0; i < RX_SLOTS; i++)
		conns[i] = -1;
	while (recv(ctl, &req, sizeof(req), 0) == sizeof(req) && req.slot < RX_SLOTS) {
		struct rx_ack ack = { 0 };
		int *conn = &conns[req.slot];

		if (req.accept) {
			close_fd(conn);
			*conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
			ack.err = *conn < 0 ? errno : 0;
		} else {
			rx_drain(*conn, req.n, &ack);
		}
		if (send(ctl, &ack, sizeof(ack), MSG_NOSIGNAL) != sizeof(ack))
			break;
	}
	_exit(0);
}

static int rx_start(struct receiver *rx)
{
	socklen_t len = sizeof(rx->addr);
	int sv[2] = { -1, -1 };
	int lsock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);

	rx->addr = (struct sockaddr_in){
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	if (lsock < 0 ||
	    bind(lsock, (struct sockaddr *)&rx->addr, sizeof(rx->addr)) ||
	    listen(lsock, RX_SLOTS) ||
	    getsockname(lsock, (struct sockaddr *)&rx->addr, &len) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) ||
	    (fflush(NULL), rx->pid = fork()) < 0) {
		int err = errno;

		close_fd(&lsock);
		close_fd(&sv[0]);
		close_fd(&sv[1]);
		errno = err;
		return -1;
	}
	if (!rx->pid) {
		/*
		 * Never preempt the sender where the two share a CPU: the
		 * receiver drains whenever the sender waits, instead of
		 * whenever the wakeup heuristics let it in, which made small
		 * transfers swing by 4x from run to run (SCHED_BATCH, which
		 * still shares by the tick, left them 10-40% lower and
		 * noisier).  The price: on a machine busy with something
		 * else the receiver only gets idle time.
		 */
		sched_setscheduler(0, SCHED_IDLE, &(struct sched_param){ 0 });
		close(sv[0]);
		rx_main(sv[1], lsock);
	}
	close(sv[1]);
	close(lsock);
	rx->ctl = sv[0];
	return 0;
}

static void rx_stop(struct receiver *rx)
{
	close_fd(&rx->ctl);	/* the receiver sees EOF and exits */
	waitpid(rx->pid, NULL, 0);
}

static int rx_ask(struct receiver *rx, unsigned int slot, bool accept, uint64_t n)
{
	struct rx_req req = { .slot = slot, .accept = accept, .n = n };

	return send(rx->ctl, &req, sizeof(req), MSG_NOSIGNAL) == sizeof(req) ? 0 : -1;
}

static int rx_wait(struct receiver *rx, struct rx_ack *ack)
{
	ssize_t n = recv(rx->ctl, ack, sizeof(*ack), 0);

	if (n == sizeof(*ack))
		return 0;
	if (n >= 0)
		errno = ECHILD;		/* the receiver is gone */
	return -1;
}

/* ---- files and the page cache ------------------------------------------ */

/* An unlinked file of size bytes in dir, on storage and clean. */
static int make_file(const char *dir, uint64_t size, unsigned char *buf, bool sync)
{
	char path[PATH_MAX];
	uint64_t seed = 0x9e3779b97f4a7c15ULL ^ size;

	snprintf(path, sizeof(path), "%s/zcopy-bench-XXXXXX", dir);
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -1;
	unlink(path);		/* gone however we exit */
	/* Not zeros: a filesystem could keep those as holes. */
	for (size_t i = 0; i < IO_BUF_SIZE; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		buf[i] = seed;
	}
	for (uint64_t off = 0; off < size;) {
		ssize_t n = write(fd, buf, size - off < IO_BUF_SIZE ? size - off : IO_BUF_SIZE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = ENOSPC;
			goto fail;
		}
		off += n;
	}
	if (!sync || !fsync(fd))
		return fd;
fail:;
	int err = errno;

	close(fd);
	errno = err;
	return -1;
}

/* Fraction of the file's pages in the page cache (mincore), or -1. */
static double resident_fraction(int fd, uint64_t size)
{
	size_t pages = (size + getpagesize() - 1) / getpagesize();
	unsigned char *vec = malloc(pages);
	void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	size_t in = 0;
	double ret = -1;

	if (vec && p != MAP_FAILED && !mincore(p, size, vec)) {
		for (size_t i = 0; i < pages; i++)
			in += vec[i] & 1;
		ret = (double)in / pages;
	}
	if (p != MAP_FAILED)
		munmap(p, size);
	free(vec);
	return ret;
}

static int write_drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	ssize_t n = write(fd, "1", 1);
	int err = errno;

	close(fd);
	errno = err;
	return n == 1 ? 0 : -1;
}

/* ---- one row ----------------------------------------------------------- */

struct bench_ctx {
	const struct bench_config *cfg;
	FILE *table;			/* stdout, or stderr when JSON goes there */
	struct bench_env env;
	struct receiver rx;
	int dev;			/* /dev/zcopy, or -1 */
	int dev_err;			/* why it is -1 */
	int udp;			/* see flush_deferred_frees() */
	bool can_drop_caches;
	bool cold_ok;			/* the filesystem can be made cold */
	unsigned char *buf;
	int *small;			/* SMALL_FILES files, or NULL */
	unsigned char hdr[SMALL_HDR];
};

enum { M_MIBS, M_CPU, M_RXCPU, M_CALLS, M_COPIES, M_RESIDENT, M_FILES, NR_METRICS };

struct series {
	const struct bench_path *path;
	enum bench_cache cache;
	struct bench_row *row;		/* where the result goes */
	struct xfer x;
	unsigned int slot;		/* the receiver's connection */
	unsigned int k;			/* transfers per repetition */
	unsigned int n;			/* repetitions recorded */
	double spent;			/* seconds in them, for the budget */
	bool done;
	double v[NR_METRICS][MAX_REPS];
	double med[2][MAX_REPS];	/* running medians of M_MIBS, M_CPU */
};

/*
 * A socket buffer freed on a CPU other than the one that allocated it waits
 * in that CPU's list until it next runs its network receive softirq
 * (skb_attempt_defer_free), still holding the page-cache pages sendfile,
 * splice and zcopy lent to it.  A datagram over loopback sent from each CPU
 * in turn runs that softirq everywhere.
 */
static void flush_deferred_frees(int udp)
{
	cpu_set_t all, one;

	if (udp < 0 || sched_getaffinity(0, sizeof(all), &all))
		return;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (!sched_setaffinity(0, sizeof(one), &one))
			send(udp, "", 0, 0);
	}
	sched_setaffinity(0, sizeof(all), &all);
	while (recv(udp, NULL, 0, MSG_DONTWAIT) >= 0)
		;
}

/* A UDP socket on 127.0.0.1 connected to itself, for the above; or -1. */
static int self_udp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
			getsockname(fd, (struct sockaddr *)&a, &len) ||
			connect(fd, (struct sockaddr *)&a, sizeof(a))))
		close_fd(&fd);
	return fd;
}

static void drop_cache(struct bench_ctx *ctx, const struct xfer *x)
{
	int outq;

	/*
	 * Pages lent to segments TCP still holds for retransmission cannot be
	 * dropped: wait (1 s at most) until the peer acknowledged everything.
	 */
	for (int i = 0; i < 1000; i++) {
		if (ioctl(x->sock, SIOCOUTQ, &outq) || !outq)
			break;
		usleep(1000);
	}
	flush_deferred_frees(ctx->udp);
	/* Dirty pages cannot be dropped; ours are clean, fsync() makes sure. */
	fsync(x->file);
	posix_fadvise(x->file, 0, 0, POSIX_FADV_DONTNEED);
	if (ctx->can_drop_caches)
		write_drop_caches();
}

/*
 * One repetition: k transfers and the receiver's acknowledgement.  Without
 * record it only warms up (cache, connection, code).
 */
static int run_rep(struct bench_ctx *ctx, struct series *s, bool record)
{
	struct xfer *x = &s->x;
	struct rx_ack ack;
	int err = 0;

	if (s->cache == BENCH_COLD)
		drop_cache(ctx, x);
	double resident = resident_fraction(x->file, x->size);
	for (unsigned int f = 1; f < x->n_files; f++)
		resident += resident_fraction(x->files[f], x->size);
	resident /= x->n_files ? x->n_files : 1;
	/* Files sent per transfer, and the bytes of one transfer. */
	unsigned int nf = x->n_files ? x->n_files : 1;
	uint64_t xfer_bytes = x->n_files ? x->n_files * (x->size + SMALL_HDR) : x->size;
	if (rx_ask(&ctx->rx, s->slot, false, s->k * xfer_bytes))
		return -1;
	x->calls = x->copied = 0;

	double t0 = now(), c0 = cpu_seconds();
	for (unsigned int i = 0; i < s->k && !err; i++)
		if (s->path->send(x))
			err = errno;
	double c1 = cpu_seconds();

	/* The receiver is waiting for bytes that will not come: end the stream. */
	if (err)
		shutdown(x->sock, SHUT_WR);
	if (rx_wait(&ctx->rx, &ack))
		return -1;
	double t1 = now();

	if (err || ack.err) {
		errno = err ? err : ack.err;
		return -1;
	}
	if (!record)
		return 0;

	double bytes = (double)s->k * xfer_bytes;
	unsigned int i = s->n++;

	s->v[M_MIBS][i] = bytes / MIB / (t1 - t0);
	s->v[M_CPU][i] = (c1 - c0) / (bytes / GIB);
	s->v[M_RXCPU][i] = ack.cpu / (bytes / GIB);
	s->v[M_CALLS][i] = (double)x->calls / s->k / nf;
	s->v[M_FILES][i] = (double)s->k * nf / (t1 - t0);
	s->v[M_COPIES][i] = x->copied / bytes;
	s->v[M_RESIDENT][i] = resident;
	s->med[0][i] = median(s->v[M_MIBS], s->n);
	s->med[1][i] = median(s->v[M_CPU], s->n);
	return 0;
}

/* Whether the running medians stopped moving. */
static bool settled(const struct series *s, unsigned int min_reps)
{
	if (s->n < min_reps || s->n < WINDOW)
		return false;
	for (int m = 0; m < 2; m++) {
		const double *med = &s->med[m][s->n - WINDOW];
		double lo = med[0], hi = med[0];

		for (int i = 1; i < WINDOW; i++) {
			lo = med[i] < lo ? med[i] : lo;
			hi = med[i] > hi ? med[i] : hi;
		}
		if (hi - lo > SPREAD * med[WINDOW - 1])
			return false;
	}
	return true;
}

static int open_series(struct bench_ctx *ctx, struct series *s)
{
	struct xfer *x = &s->x;
	struct rx_ack ack;
	int one = 1;

	/* Small files must not wait for Nagle: each transfer pushes its tail. */
	x->sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (x->sock < 0 ||
	    setsockopt(x->sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    connect(x->sock, (struct sockaddr *)&ctx->rx.addr, sizeof(ctx->rx.addr)) ||
	    rx_ask(&ctx->rx, s->slot, true, 0) || rx_wait(&ctx->rx, &ack))
		return -1;
	if (ack.err) {
		errno = ack.err;
		return -1;
	}
	if (s->path->send != send_splice)
		return 0;
	if (pipe2(x->pipe, O_CLOEXEC))
		return -1;
	/* A bigger pipe means fewer calls; unprivileged limits may refuse it. */
	fcntl(x->pipe[1], F_SETPIPE_SZ, (int)PIPE_SIZE);
	int size = fcntl(x->pipe[1], F_GETPIPE_SZ);
	if (size <= 0)
		return -1;
	x->pipe_size = size;
	return 0;
}

__attribute__((format(printf, 4, 5)))
static void row_stop(struct bench_row *row, enum bench_status st, int err,
		     const char *fmt, ...)
{
	va_list ap;
	int len;

	row->status = st;
	va_start(ap, fmt);
	len = vsnprintf(row->reason, sizeof(row->reason), fmt, ap);
	va_end(ap);
	if (err && len >= 0 && (size_t)len < sizeof(row->reason))
		snprintf(row->reason + len, sizeof(row->reason) - len, ": %s",
			 strerror(err));
}

static void summarize(const struct series *s, struct bench_row *row)
{
	row->reps = s->n;
	row->mib_per_s = median(s->v[M_MIBS], s->n);
	row->cpu_s_per_gib = median(s->v[M_CPU], s->n);
	row->rx_cpu_s_per_gib = median(s->v[M_RXCPU], s->n);
	row->syscalls = median(s->v[M_CALLS], s->n);
	row->files_per_s = median(s->v[M_FILES], s->n);
	row->resident = median(s->v[M_RESIDENT], s->n);
	row->copied_measured = s->path->copies == MEASURED;
	row->copied_per_byte = row->copied_measured ?
		median(s->v[M_COPIES], s->n) : s->path->copies;
}

static void close_series(struct series *s)
{
	close_fd(&s->x.sock);
	close_fd(&s->x.pipe[0]);
	close_fd(&s->x.pipe[1]);
	free(s->x.segs);
	free(s);
}

/*
 * Set up path p's series for the group and warm it up with an unmeasured
 * repetition (page cache, connection, code).  NULL when the row is already
 * decided (skipped or failed).
 */
static struct series *start_series(struct bench_ctx *ctx, unsigned int p,
				   unsigned int slot, int file, uint64_t size,
				   enum bench_cache cache, struct bench_row *row)
{
	bool small = paths[p].small;

	*row = (struct bench_row){
		.path = paths[p].name,
		.path_index = p,
		.size = size,
		.cache = cache,
		/* A small-file transfer is SMALL_FILES files: about BATCH_BYTES. */
		.xfers_per_rep = cache == BENCH_HOT && size < BATCH_BYTES && !small ?
			BATCH_BYTES / size : 1,
		.files = small ? SMALL_FILES : 0,
		.header_bytes = small ? SMALL_HDR : 0,
	};
	if (cache == BENCH_COLD && !ctx->cold_ok) {
		row_stop(row, BENCH_SKIPPED, 0, "%s keeps files in memory: no cold cache",
			 ctx->env.fs);
		return NULL;
	}
	if (paths[p].copies == MEASURED && ctx->dev < 0) {
		row_stop(row, BENCH_FAILED, ctx->dev_err, "%s", ZCOPY_DEV_PATH);
		return NULL;
	}

	struct series *s = calloc(1, sizeof(*s));
	if (!s) {
		row_stop(row, BENCH_FAILED, errno, "memory");
		return NULL;
	}
	*s = (struct series){
		.path = &paths[p], .cache = cache, .row = row, .slot = slot,
		.k = row->xfers_per_rep,
		.x = {
			.file = file, .sock = -1, .dev = ctx->dev, .pipe = { -1, -1 },
			.size = size, .method = paths[p].method, .buf = ctx->buf,
		},
	};
	if (small) {
		s->x.files = ctx->small;
		s->x.n_files = SMALL_FILES;
		s->x.batch = paths[p].batch;
		s->x.hdr = ctx->hdr;
		s->x.segs = calloc(2 * s->x.batch, sizeof(*s->x.segs));
		if (!s->x.segs) {
			row_stop(row, BENCH_FAILED, errno, "memory");
			close_series(s);
			return NULL;
		}
	}
	int rc = open_series(ctx, s);

	if (rc)
		row_stop(row, BENCH_FAILED, errno, "connect to the receiver");
	else if ((rc = run_rep(ctx, s, false)) && errno == EINVAL &&
		 s->path->method == ZCOPY_METHOD_DIRECT)
		row_stop(row, BENCH_SKIPPED, 0, "no direct I/O on this filesystem (EINVAL)");
	else if (rc)
		row_stop(row, BENCH_FAILED, errno, "send");
	if (!rc)
		return s;
	close_series(s);
	return NULL;
}

/* One measured repetition, and whether the series is done. */
static void step(struct bench_ctx *ctx, struct series *s)
{
	const struct bench_config *cfg = ctx->cfg;
	double t0 = now();
	int rc = run_rep(ctx, s, true);

	s->spent += now() - t0;
	if (rc) {
		row_stop(s->row, BENCH_FAILED, errno, "send (repetition %u)", s->n + 1);
		s->done = true;
		return;
	}
	s->row->stable = settled(s, cfg->min_reps);
	s->done = s->row->stable || s->n == MAX_REPS ||
		  (s->n >= FLOOR_REPS && s->spent * 1000 >= cfg->budget_ms);
	if (s->done)
		summarize(s, s->row);
}

/*
 * The rows of one (size, cache) group.  Their series take turns, one
 * repetition each, so that a change in the machine's load over time
 * (another guest, a daemon) hits every path alike rather than whichever
 * happened to run then.
 */
static void run_group(struct bench_ctx *ctx, int file, uint64_t size,
		      enum bench_cache cache, bool small, struct bench_row *rows,
		      size_t *n_rows)
{
	struct series *ss[ARRAY_SIZE(paths)];
	struct bench_row *first = &rows[*n_rows];
	unsigned int n = 0;

	for (unsigned int p = 0; p < ARRAY_SIZE(paths); p++) {
		if (!(ctx->cfg->paths >> p & 1) || paths[p].small != small)
			continue;
		struct series *s = start_series(ctx, p, n, file, size, cache,
						&rows[(*n_rows)++]);
		if (s)
			ss[n++] = s;
	}
	for (bool busy = n > 0; busy;) {
		busy = false;
		for (unsigned int i = 0; i < n; i++) {
			if (!ss[i]->done)
				step(ctx, ss[i]);
			busy |= !ss[i]->done;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		close_series(ss[i]);

	/*
	 * user:readwrite is path 0 and user:writev_sendfile SMALL_BASELINE:
	 * the first row of their groups, if they ran.
	 */
	for (struct bench_row *r = first; r < &rows[*n_rows]; r++) {
		if (r->status == BENCH_OK && first->status == BENCH_OK &&
		    first->path_index == (small ? SMALL_BASELINE : 0))
			r->vs_readwrite = r->mib_per_s / first->mib_per_s;
		bench_table_row(ctx->table, r);
	}
	fflush(ctx->table);
}

/* ---- the environment --------------------------------------------------- */

static const char *fs_name(long type)
{
	static const struct { long magic; const char *name; } fs[] = {
		{ EXT4_SUPER_MAGIC, "ext4" },	/* ext2 and ext3 share it */
		{ TMPFS_MAGIC, "tmpfs" },
		{ RAMFS_MAGIC, "ramfs" },
		{ XFS_SUPER_MAGIC, "xfs" },
		{ BTRFS_SUPER_MAGIC, "btrfs" },
		{ OVERLAYFS_SUPER_MAGIC, "overlay" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(fs); i++)
		if (fs[i].magic == type)
			return fs[i].name;
	return "other";
}

/* The CPU's model name, and what it says about emulation. */
static void read_cpu(struct bench_env *e)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	bool hypervisor = false;
	char line[4096];

	snprintf(e->cpu_model, sizeof(e->cpu_model), "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "model name", 10) && !strcmp(e->cpu_model, "unknown"))
			snprintf(e->cpu_model, sizeof(e->cpu_model), "%s", colon + 2);
		if (!strncmp(line, "flags", 5) && strstr(colon, " hypervisor"))
			hypervisor = true;
	}
	if (f)
		fclose(f);
	if (strstr(e->cpu_model, "TCG"))
		snprintf(e->virt, sizeof(e->virt), "QEMU TCG: an emulated CPU, "
			 "compare rows with each other, not with real hardware");
	else if (hypervisor)
		snprintf(e->virt, sizeof(e->virt), "virtual machine (hypervisor flag)");
	else
		snprintf(e->virt, sizeof(e->virt), "none detected");
}

/* The first line of a small file, or "unknown". */
static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	if (!f || !fgets(buf, len, f))
		snprintf(buf, len, "unknown");
	buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

static void collect_env(struct bench_ctx *ctx)
{
	const struct bench_config *cfg = ctx->cfg;
	struct bench_env *e = &ctx->env;
	struct zcopy_info info;
	struct utsname u;
	struct statfs sfs;
	time_t t = time(NULL);
	struct tm tm;

	e->dir = cfg->dir;
	e->note = cfg->note;
	e->budget_ms = cfg->budget_ms;
	e->min_reps = cfg->min_reps;
	e->batch_bytes = BATCH_BYTES;
	e->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (!uname(&u))
		snprintf(e->kernel, sizeof(e->kernel), "%.64s %.32s", u.release, u.machine);
	strftime(e->date, sizeof(e->date), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	read_cpu(e);
	/* A jiffies clock moves in ticks: every figure would be quantized. */
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  e->clock, sizeof(e->clock));
	snprintf(e->fs, sizeof(e->fs), "%s",
		 statfs(cfg->dir, &sfs) ? "unknown" : fs_name(sfs.f_type));
	ctx->cold_ok = strcmp(e->fs, "tmpfs") && strcmp(e->fs, "ramfs");

	/* Test the right once, rather than fail quietly at every repetition. */
	ctx->can_drop_caches = !write_drop_caches();
	snprintf(e->drop_caches, sizeof(e->drop_caches), "%s",
		 ctx->can_drop_caches ? "yes" : strerror(errno));

	if (ctx->dev >= 0 && !zcopy_info(ctx->dev, &info)) {
		size_t len = 0;

		e->have_module = true;
		for (size_t i = 0; i < ARRAY_SIZE(feature_names); i++)
			if (info.features >> i & 1)
				len += snprintf(e->features + len, sizeof(e->features) - len,
						"%s%s", len ? "," : "", feature_names[i]);
	}
}

/* ---- the run ----------------------------------------------------------- */

static bool wants_zcopy(const struct bench_config *cfg)
{
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		if (cfg->paths >> i & 1 && paths[i].copies == MEASURED)
			return true;
	return false;
}

/* Whether any path of the small-file group (or of the others) is wanted. */
static bool wants_small(const struct bench_config *cfg, bool small)
{
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		if (cfg->paths >> i & 1 && paths[i].small == small)
			return true;
	return false;
}

/*
 * The small-file group: SMALL_FILES files in the bench directory, hot (the
 * warm-up repetition reads them in), one fd each; the soft limit on open
 * files is raised to the hard one if that is too low for them.
 */
static int make_small_files(struct bench_ctx *ctx)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < SMALL_FILES + 64 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ctx->small = malloc(SMALL_FILES * sizeof(*ctx->small));
	if (!ctx->small)
		return -1;
	for (unsigned int i = 0; i < SMALL_FILES; i++)
		ctx->small[i] = -1;
	for (unsigned int i = 0; i < SMALL_FILES; i++)
		if ((ctx->small[i] = make_file(ctx->cfg->dir, SMALL_SIZE, ctx->buf, false)) < 0)
			return -1;
	/* Printable, as a protocol header would be. */
	for (unsigned int i = 0; i < SMALL_HDR; i++)
		ctx->hdr[i] = i % 64 == 63 ? '\n' : 'a' + i % 26;
	return 0;
}

static void free_small_files(struct bench_ctx *ctx)
{
	for (unsigned int i = 0; ctx->small && i < SMALL_FILES; i++)
		close_fd(&ctx->small[i]);
	free(ctx->small);
	ctx->small = NULL;
}

/* Rows in the order cache, size, path, so that readwrite leads its group. */
static int run_all(struct bench_ctx *ctx, const int *files,
		   struct bench_row *rows, size_t *n)
{
	const struct bench_config *cfg = ctx->cfg;

	bench_table_header(ctx->table);
	for (int c = 0; c < BENCH_NR_CACHES && wants_small(cfg, false); c++)
		for (unsigned int z = 0; z < cfg->n_sizes && cfg->caches >> c & 1; z++)
			run_group(ctx, files[z], cfg->sizes[z], c, false, rows, n);
	if (wants_small(cfg, true) && cfg->caches >> BENCH_HOT & 1) {
		bench_table_small_header(ctx->table, SMALL_FILES, SMALL_SIZE, SMALL_HDR);
		if (make_small_files(ctx)) {
			warn_errno(errno, "create %u files of %llu bytes in %s", SMALL_FILES,
				   (unsigned long long)SMALL_SIZE, cfg->dir);
			free_small_files(ctx);
			return EXIT_FAILURE;
		}
		run_group(ctx, ctx->small[0], SMALL_SIZE, BENCH_HOT, true, rows, n);
		free_small_files(ctx);
	}
	bench_table_footer(ctx->table, &ctx->env);
	for (size_t i = 0; i < *n; i++)
		if (rows[i].status == BENCH_FAILED)
			return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

int bench_run(const struct bench_config *cfg)
{
	struct bench_ctx ctx = {
		.cfg = cfg, .table = cfg->json ? stderr : stdout,
		.dev = -1, .udp = -1, .rx = { .ctl = -1 },
	};
	int files[BENCH_MAX_SIZES];
	struct bench_row *rows = NULL;
	size_t n_rows = 0;
	int rc = EXIT_FAILURE;

	for (unsigned int z = 0; z < BENCH_MAX_SIZES; z++)
		files[z] = -1;
	/* A receiver that went away must show up as EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	/* First, so that it holds neither the device nor the files open. */
	if (rx_start(&ctx.rx)) {
		warn_errno(errno, "start the receiver");
		return EXIT_FAILURE;
	}
	if (wants_zcopy(cfg) && (ctx.dev = zcopy_open()) < 0) {
		const char *hint = module_hint(errno);

		ctx.dev_err = errno;
		fprintf(stderr, "zcopyctl: bench: %s: %s%s%s (zcopy:* rows fail)\n",
			ZCOPY_DEV_PATH, strerror(errno), hint ? ": " : "",
			hint ? hint : "");
	}
	collect_env(&ctx);
	ctx.udp = self_udp();

	ctx.buf = malloc(IO_BUF_SIZE);
	/* The small-file group is one more group. */
	rows = calloc((BENCH_NR_CACHES * BENCH_MAX_SIZES + 1) * ARRAY_SIZE(paths), sizeof(*rows));
	if (!ctx.buf || !rows) {
		warn_errno(errno, "memory");
		goto out;
	}
	for (unsigned int z = 0; z < cfg->n_sizes && wants_small(cfg, false); z++) {
		files[z] = make_file(cfg->dir, cfg->sizes[z], ctx.buf, true);
		if (files[z] < 0) {
			warn_errno(errno, "create a %llu-byte file in %s",
				   (unsigned long long)cfg->sizes[z], cfg->dir);
			goto out;
		}
	}
	rc = run_all(&ctx, files, rows, &n_rows);
	if (cfg->json && bench_write_json(stdout, &ctx.env, rows, n_rows)) {
		warn_errno(errno, "stdout");
		rc = EXIT_FAILURE;
	}
	if (cfg->json_file &&
	    bench_write_json_file(cfg->json_file, &ctx.env, rows, n_rows)) {
		warn_errno(errno, "%s", cfg->json_file);
		rc = EXIT_FAILURE;
	}
	if (cfg->svg && bench_write_svg(cfg->svg, &ctx.env, rows, n_rows)) {
		warn_errno(errno, "%s", cfg->svg);
		rc = EXIT_FAILURE;
	}
out:
	rx_stop(&ctx.rx);
	for (unsigned int z = 0; z < BENCH_MAX_SIZES; z++)
		close_fd(&files[z]);
	close_fd(&ctx.dev);
	close_fd(&ctx.udp);
	free(rows);
	free(ctx.buf);
	return rc;
}
