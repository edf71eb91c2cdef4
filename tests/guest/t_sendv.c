// SPDX-License-Identifier: GPL-2.0
/*
 * t_sendv.c - the "sendv" group (ZCOPY_IOC_SENDV: vectors of memory and
 * file segments, their limits and checks, stops and resumes) and the
 * "flags" group (ZCOPY_F_NODISKIO, ZCOPY_F_NOSIGNAL, ZCOPY_F_MORE).
 *
 * Every byte a test sends belongs to one pattern stream: a memory segment
 * holds the pattern bytes of its stream positions, and a file segment
 * reads a "piece", a file written with the stream bytes it must carry.  The
 * receiver then checks the whole stream, order included, in one go.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "inject.h"

/* "sendv": a seed no test file of pattern.c uses. */
#define STREAM_SEED 0x73656e6476ULL
#define MEM_CAP (ZCOPY_SENDV_MAX_MEMORY + 64 * KIB)
#define PIECE_CHUNK (1 * MIB)
#define ROUTE_LO (ZCOPY_ROUTE_SG | ZCOPY_ROUTE_KNOWN)
#define PAGE 4096UL

#define RESUME_POLL_MS 100
#define RESUME_PAUSE_MS 10
#define STOP_FINISH_MS 120000
#define NODISKIO_WAIT_MS 5000
#define PUSH_WAIT_MS 2000

#define M(x) (1U << ZCOPY_METHOD_##x)
#define PAGE_METHODS (M(COPY) | M(MMAP) | M(SPLICE) | M(PAGES))
#define ON_TMPFS (1U << FS_TMPFS)
#define ON_EXT4 (1U << FS_EXT4)

/* A file holding stream bytes [base, base + size) at offsets [0, size). */
struct piece {
	int fd;
	uint64_t base;
	uint64_t size;
};

/* A vector over one stream, and what each segment must send. */
struct sv {
	uint64_t seed;
	uint64_t stream;	/* stream position of the next segment */
	uint64_t sent;		/* bytes sent so far by all calls */
	unsigned int n;		/* segments */
	unsigned int done;	/* segments fully sent */
	int pos_fd;		/* >= 0: its position must end at want_pos */
	int64_t want_pos;
	struct zcopy_segment seg[ZCOPY_SENDV_MAX_SEGS + 1];
	struct zcopy_stats st[ZCOPY_SENDV_MAX_SEGS + 1];
	uint64_t want[ZCOPY_SENDV_MAX_SEGS + 1];	/* bytes it sends */
	uint64_t start[ZCOPY_SENDV_MAX_SEGS + 1];	/* its first file byte */
	size_t mem_used;
	unsigned char mem[MEM_CAP];	/* the memory segments' bytes */
};

/* How a vector goes out. */
struct sv_run {
	int dev;
	int sock;
	unsigned int method;
	uint32_t flags;
	bool seg_stats;	/* ask for per-segment statistics */
};

/*
 * Write p->size stream bytes from p->base into a new file on @fs, fsync it
 * (DIRECT reads the disk; the pages stay cached), open it again with
 * @oflags and unlink it: it lives as long as the test holds p->fd.
 */
static int piece_open(struct tctx *t, const struct fsdesc *fs, uint64_t seed,
		      int oflags, struct piece *p)
{
	size_t cap = p->size < PIECE_CHUNK ? (size_t)p->size + 1 : PIECE_CHUNK;
	unsigned char *buf = malloc(cap);
	char path[192];
	uint64_t off = 0;
	int w;

	snprintf(path, sizeof(path), "%s/piece-XXXXXX", fs->dir);
	w = mkostemp(path, O_CLOEXEC);
	if (!buf || w < 0)
		return fail_errno(t, "create a piece file in %s", fs->dir);
	for (size_t n = cap; off < p->size; off += n) {
		n = p->size - off < cap ? (size_t)(p->size - off) : cap;
		pattern_fill(seed, p->base + off, buf, n);
		if (write_full(w, buf, n) != 0)
			break;
	}
	free(buf);
	if (off < p->size || fsync(w) != 0)
		return fail_errno(t, "write %s", path);
	close(w);
	p->fd = open(path, oflags | O_CLOEXEC);
	if (p->fd < 0)
		return fail_errno(t, "open %s", path);
	unlink(path);
	return 0;
}

static struct sv *sv_new(struct tctx *t)
{
	struct sv *v = calloc(1, sizeof(*v));

	if (!v) {
		fail(t, "out of memory for a vector");
		return NULL;
	}
	v->seed = STREAM_SEED;
	v->pos_fd = -1;
	return v;
}

static void sv_push(struct sv *v, uint64_t want, uint64_t start)
{
	if (v->n == ARRAY_SIZE(v->seg))
		abort();	/* a builder bug */
	v->want[v->n] = want;
	v->start[v->n] = start;
	v->stream += want;
	v->n++;
}

/* A memory segment with the next @len stream bytes. */
static void sv_mem(struct sv *v, uint64_t len)
{
	struct zcopy_segment *s = &v->seg[v->n];

	if (len > MEM_CAP - v->mem_used)
		abort();
	memset(s, 0, sizeof(*s));
	s->type = ZCOPY_SEG_MEMORY;
	s->addr = (uintptr_t)(v->mem + v->mem_used);
	s->len = len;
	pattern_fill(v->seed, v->stream, v->mem + v->mem_used, len);
	v->mem_used += len;
	sv_push(v, len, 0);
}

/* A file segment of @len bytes of @p from the stream's position on (it
 * sends what the file holds of them); @current: through the file position,
 * which the caller has put there. */
static void sv_file(struct sv *v, const struct piece *p, uint64_t len,
		    bool current)
{
	struct zcopy_segment *s = &v->seg[v->n];
	uint64_t off = v->stream - p->base;

	memset(s, 0, sizeof(*s));
	s->type = ZCOPY_SEG_FILE;
	s->fd = p->fd;
	s->offset = current ? ZCOPY_OFFSET_CURRENT : off;
	s->len = len;
	sv_push(v, expected_sent(off, len, p->size), off);
}

/* Segment @k sent its first @skip bytes: what is left of it is the new
 * segment @k, and the ones before it are done. */
static void sv_advance(struct sv *v, unsigned int k, uint64_t skip)
{
	struct zcopy_segment *s = &v->seg[k];

	v->done = k;
	if (k == v->n || !skip)
		return;
	if (s->type == ZCOPY_SEG_MEMORY)
		s->addr += skip;
	else if (s->offset != ZCOPY_OFFSET_CURRENT)
		s->offset += skip;
	s->len = v->want[k] - skip;
	v->want[k] -= skip;
	v->start[k] += skip;
}

static void sv_args(struct zcopy_sendv *c, struct sv *v,
		    const struct sv_run *run)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->flags = run->flags;
	c->out_fd = run->sock;
	c->method = run->method;
	c->segs = (uintptr_t)&v->seg[v->done];
	c->seg_stats = run->seg_stats ? (uintptr_t)&v->st[v->done] : 0;
	c->count = v->n - v->done;
}

/* ---------------------------------------------------------------- */
/* Checking what a SENDV reports                                     */

/* A memory segment that sent @sent of its @len bytes: copied whole into
 * the call's own pages when the call started, and those pages lent to the
 * socket as far as it went (lo gathers them: no copy at transmit). */
static int mem_stats_check(struct tctx *t, const struct zcopy_stats *s,
			   unsigned int method, uint64_t len, uint64_t sent)
{
	if (check_u64(t, "stats.method", s->method, method_resolved(method)) ||
	    check_u64(t, "stats.zc_bytes", s->zc_bytes, 0) ||
	    check_u64(t, "stats.copied_bytes", s->copied_bytes, len) ||
	    check_u64(t, "stats.cache_hit_pages", s->cache_hit_pages, 0) ||
	    check_u64(t, "stats.cache_miss_pages", s->cache_miss_pages, 0))
		return -1;
	if (sent && ((s->route & ROUTE_LO) != ROUTE_LO ||
		     s->ifindex != t->lo_ifindex))
		return fail(t, "stats.route 0x%x, ifindex %u: expected SG|KNOWN on lo (%u)",
			    s->route, s->ifindex, t->lo_ifindex);
	return 0;
}

/* Segment @k of @v after it sent @sent bytes; @stop: the call stopped in
 * it.  File segments are held to what ZCOPY_IOC_SEND must report. */
static int seg_check(struct tctx *t, const struct sv *v, unsigned int k,
		     unsigned int method, uint64_t sent, bool stop)
{
	const struct zcopy_segment *s = &v->seg[k];
	const struct zcopy_send as_send = { .sent = sent, .stats = v->st[k] };

	snprintf(t->where, sizeof(t->where), "segment %u", k);
	if (s->type == ZCOPY_SEG_MEMORY)
		return mem_stats_check(t, &v->st[k], method, s->len, sent);
	/* Stopped before its first byte: what it read and could not send is
	 * not pinned down, references it handed out are. */
	if (stop && !sent)
		return check_u64(t, "stats.zc_bytes", v->st[k].zc_bytes, 0) ||
		       check_u64(t, "stats.method", v->st[k].method,
				 method_resolved(method)) ? -1 : 0;
	return check_stats(t, &as_send, method, v->start[k], sent, stop);
}

static void stats_add(struct zcopy_stats *sum, const struct zcopy_stats *s)
{
	sum->zc_bytes += s->zc_bytes;
	sum->copied_bytes += s->copied_bytes;
	sum->cache_hit_pages += s->cache_hit_pages;
	sum->cache_miss_pages += s->cache_miss_pages;
}

/* The call's stats are the sums of its segments'. */
static int call_stats_check(struct tctx *t, const struct zcopy_sendv *c,
			    const struct zcopy_stats *sum, unsigned int method)
{
	const struct zcopy_stats *s = &c->stats;

	if (check_u64(t, "call stats.zc_bytes", s->zc_bytes, sum->zc_bytes) ||
	    check_u64(t, "call stats.copied_bytes", s->copied_bytes,
		      sum->copied_bytes) ||
	    check_u64(t, "call stats.cache_hit_pages", s->cache_hit_pages,
		      sum->cache_hit_pages) ||
	    check_u64(t, "call stats.cache_miss_pages", s->cache_miss_pages,
		      sum->cache_miss_pages) ||
	    check_u64(t, "call stats.method", s->method,
		      method_resolved(method)))
		return -1;
	if (c->sent && (s->route & ROUTE_LO) != ROUTE_LO)
		return fail(t, "call stats.route 0x%x: expected SG|KNOWN", s->route);
	if (c->reserved[0] || c->reserved[1] || s->reserved)
		return fail(t, "reserved fields not 0 on output");
	return 0;
}

/*
 * Without seg_stats the call's statistics are all there is to check, and
 * the module may merge segments into one send.  With PAGES over lo, file
 * bytes go by reference and memory segments cost their one copy into the
 * call's pages (the one it stopped in may or may not have been reached).
 */
static int sv_check_totals(struct tctx *t, const struct sv *v,
			   unsigned int method, const struct zcopy_sendv *c)
{
	const unsigned int from = v->done, n = v->n - v->done;
	uint64_t sent = 0, file = 0, mem = 0, mem_stop = 0;

	for (unsigned int i = 0; i <= c->seg_index && i < n; i++) {
		const struct zcopy_segment *s = &v->seg[from + i];
		uint64_t got = i < c->seg_index ? v->want[from + i] : c->seg_sent;

		sent += got;
		if (s->type != ZCOPY_SEG_MEMORY)
			file += got;
		else if (i < c->seg_index)
			mem += s->len;
		else
			mem_stop = s->len;
	}
	t->where[0] = '\0';
	if (check_u64(t, "sent", c->sent, sent))
		return -1;
	if (method_resolved(method) != ZCOPY_METHOD_PAGES)
		return 0;
	if (check_u64(t, "call stats.zc_bytes", c->stats.zc_bytes, file))
		return -1;
	if (c->stats.copied_bytes != mem && c->stats.copied_bytes != mem + mem_stop)
		return fail(t, "call stats.copied_bytes %llu: expected %llu or %llu",
			    (unsigned long long)c->stats.copied_bytes,
			    (unsigned long long)mem,
			    (unsigned long long)(mem + mem_stop));
	return 0;
}

/* What a successful call says, against what the segments must have sent. */
static int sv_check_call(struct tctx *t, struct sv *v, const struct sv_run *run,
			 const struct zcopy_sendv *c)
{
	const unsigned int method = run->method;
	static const struct zcopy_stats zero;
	const unsigned int from = v->done, n = v->n - v->done;
	struct zcopy_stats sum;
	uint64_t sent = 0;

	memset(&sum, 0, sizeof(sum));
	if (c->seg_index > n ||
	    (c->seg_index < n ? c->seg_sent >= v->want[from + c->seg_index] :
	     c->seg_sent != 0))
		return fail(t, "seg_index %u, seg_sent %llu: no stop in %u segments",
			    c->seg_index, (unsigned long long)c->seg_sent, n);
	if (!run->seg_stats)
		return sv_check_totals(t, v, method, c);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int k = from + i;
		uint64_t got = i < c->seg_index ? v->want[k] : c->seg_sent;

		/* Not reached: zeroed before the first byte, never written. */
		if (i > c->seg_index) {
			if (memcmp(&v->st[k], &zero, sizeof(zero)) != 0)
				return fail(t, "segment %u was not reached, but its stats are not 0",
					    k);
			continue;
		}
		if (seg_check(t, v, k, method, got, i == c->seg_index) != 0)
			return -1;
		stats_add(&sum, &v->st[k]);
		sent += got;
	}
	t->where[0] = '\0';
	if (check_u64(t, "sent", c->sent, sent))
		return -1;
	return call_stats_check(t, c, &sum, method);
}

/*
 * One SENDV of what is left of @v, checked and accounted in @delta.
 * Returns 1 when everything has gone, 0 when the call stopped (or, if
 * @eagain_ok, failed with EAGAIN and nothing sent, counted as an error),
 * -1 on failure.
 */
static int sv_once(struct tctx *t, struct sv *v, const struct sv_run *run,
		   bool eagain_ok, struct tally *delta)
{
	struct zcopy_send as_send;
	struct zcopy_sendv c;

	sv_args(&c, v, run);
	if (ioctl(run->dev, ZCOPY_IOC_SENDV, &c) != 0) {
		if (eagain_ok && errno == EAGAIN) {
			tally_add_error(delta, run->method);
			return 0;
		}
		return fail_errno(t, "ZCOPY_IOC_SENDV of segments %u to %u",
				  v->done, v->n - 1);
	}
	if (sv_check_call(t, v, run, &c) != 0)
		return -1;
	as_send = (struct zcopy_send){ .sent = c.sent, .stats = c.stats };
	tally_add_success(delta, &as_send);
	v->sent += c.sent;
	sv_advance(v, v->done + c.seg_index, c.seg_sent);
	return v->done == v->n;
}

/* Resume until everything has gone, waiting for room or readahead after
 * each stop, for at most @ms. */
static int sv_finish(struct tctx *t, struct sv *v, const struct sv_run *run,
		     struct tally *delta, long ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	int rc;

	while ((rc = sv_once(t, v, run, true, delta)) == 0) {
		struct pollfd p = { .fd = run->sock, .events = POLLOUT };

		if (now_ms() > end)
			return fail(t, "segments %u to %u still unsent after %ld ms",
				    v->done, v->n - 1, ms);
		poll(&p, 1, RESUME_POLL_MS);
		sleep_ms(RESUME_PAUSE_MS);
	}
	return rc < 0 ? -1 : 0;
}

/* One call that must send everything. */
static int sv_all(struct tctx *t, struct sv *v, const struct sv_run *run,
		  struct tally *delta)
{
	int rc = sv_once(t, v, run, false, delta);

	if (rc == 0)
		return fail(t, "stopped at segment %u after %llu bytes", v->done,
			    (unsigned long long)v->sent);
	return rc < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- */
/* Vectors that go out whole, or stop and resume                     */

struct shape {
	const char *name;
	int (*build)(struct tctx *t, struct sv *v, const struct fsdesc *fs);
	unsigned int fs_mask;	/* 1 << FS_* */
	unsigned int methods;	/* 1 << ZCOPY_METHOD_* (DIRECT: ext4 only) */
	bool stop;		/* non-blocking, receiver holding: stops */
};

/* 200 bytes of header, a whole file, 100 bytes of trailer. */
static int build_hft(struct tctx *t, struct sv *v, const struct fsdesc *fs)
{
	struct piece p = { .base = 200, .size = MIB + 13 };

	if (piece_open(t, fs, v->seed, O_RDONLY, &p) != 0)
		return -1;
	sv_mem(v, 200);
	sv_file(v, &p, p.size, false);
	sv_mem(v, 100);
	return 0;
}

/* 64 files of different sizes, each after a header of its own. */
static int build_files64(struct tctx *t, struct sv *v, const struct fsdesc *fs)
{
	for (unsigned int i = 0; i < 64; i++) {
		struct piece p = { .size = 1000 + 97 * i };

		sv_mem(v, 32 + i);
		p.base = v->stream;
		if (piece_open(t, fs, v->seed, O_RDONLY, &p) != 0)
			return -1;
		sv_file(v, &p, p.size, false);
	}
	return 0;
}

/* The most segments a call takes, memory and ranges of one file by turns;
 * the memory bytes stand where the file has the same bytes. */
static int build_segs_max(struct tctx *t, struct sv *v, const struct fsdesc *fs)
{
	const uint64_t mem = 48, file = 1000;
	struct piece p = { .base = 0,
			   .size = ZCOPY_SENDV_MAX_SEGS / 2 * (mem + file) };

	if (piece_open(t, fs, v->seed, O_RDONLY, &p) != 0)
		return -1;
	while (v->n < ZCOPY_SENDV_MAX_SEGS) {
		sv_mem(v, mem);
		sv_file(v, &p, file, false);
	}
	return 0;
}

/* A file segment at end of file sends nothing and does not stop the call;
 * one that ends early sends what there is.  The last one sends nothing. */
static int build_eof(struct tctx *t, struct sv *v, const struct fsdesc *fs)
{
	struct piece a = { .base = 100, .size = 5000 };
	struct piece b = { .base = 5200, .size = 50 };

	if (piece_open(t, fs, v->seed, O_RDONLY, &a) != 0 ||
	    piece_open(t, fs, v->seed, O_RDONLY, &b) != 0)
		return -1;
	sv_mem(v, 100);
	sv_file(v, &a, 5000, false);
	sv_file(v, &a, 100, false);	/* at EOF */
	sv_mem(v, 100);
	sv_file(v, &b, 1000, false);	/* 50 */
	sv_file(v, &b, 100, false);	/* at EOF */
	return 0;
}

/* No file at all: AUTO has nothing to decide from. */
static int build_memory_only(struct tctx *t, struct sv *v,
			     const struct fsdesc *fs)
{
	(void)t;
	(void)fs;
	sv_mem(v, 300);
	sv_mem(v, 0);
	sv_mem(v, 700);
	return 0;
}

/* Exactly ZCOPY_SENDV_MAX_MEMORY bytes of memory segments. */
static int build_memory_max(struct tctx *t, struct sv *v,
			    const struct fsdesc *fs)
{
	struct piece p = { .base = ZCOPY_SENDV_MAX_MEMORY / 2, .size = 4096 };

	if (piece_open(t, fs, v->seed, O_RDONLY, &p) != 0)
		return -1;
	sv_mem(v, ZCOPY_SENDV_MAX_MEMORY / 2);
	sv_file(v, &p, p.size, false);
	sv_mem(v, ZCOPY_SENDV_MAX_MEMORY / 2);
	return 0;
}

/* Empty segments of both kinds, one memory segment with address 0. */
static int build_zero_len(struct tctx *t, struct sv *v, const struct fsdesc *fs)
{
	struct piece p = { .base = 0, .size = 400 };

	if (piece_open(t, fs, v->seed, O_RDONLY, &p) != 0)
		return -1;
	sv_mem(v, 100);
	sv_file(v, &p, 0, false);
	sv_mem(v, 0);
	v->seg[v->n - 1].addr = 0;
	sv_file(v, &p, 200, false);
	sv_mem(v, 100);
	return 0;
}

/* Two segments through one file position: the second goes on where the
 * first ended, and the position ends after both, as two sendfile(2)
 * calls with a NULL offset would leave it. */
static int build_offset_current(struct tctx *t, struct sv *v,
				const struct fsdesc *fs)
{
	struct piece p = { .base = 0, .size = 2100 };

	if (piece_open(t, fs, v->seed, O_RDONLY, &p) != 0)
		return -1;
	sv_file(v, &p, 1000, true);
	sv_file(v, &p, 1000, true);
	sv_mem(v, 100);
	v->pos_fd = p.fd;
	v->want_pos = 2000;
	return 0;
}

/* The stop shapes' stream: the shared 64 MiB test file, more than
 * loopback buffers while the receiver holds. */
static int big_stream(struct tctx *t, struct sv *v, const struct fsdesc *fs,
		      struct piece *p)
{
	struct tfile f;

	*p = (struct piece){ .base = 0, .size = 64 * MIB };
	p->fd = tfile_open(t, fs, p->size, &f);
	v->seed = f.seed;
	return p->fd < 0 ? -1 : 0;
}

/* A big file between a header and a trailer. */
static int build_stop(struct tctx *t, struct sv *v, const struct fsdesc *fs)
{
	struct piece p;

	if (big_stream(t, v, fs, &p) != 0)
		return -1;
	sv_mem(v, 200);
	sv_file(v, &p, p.size - 300, false);
	sv_mem(v, 100);
	return 0;
}

/* 32 headers of 32 KiB (all the memory a call takes), each before 1 MiB of
 * file: the stop may fall in either kind of segment. */
static int build_stop_interleaved(struct tctx *t, struct sv *v,
				  const struct fsdesc *fs)
{
	struct piece p;

	if (big_stream(t, v, fs, &p) != 0)
		return -1;
	for (unsigned int i = 0; i < 32; i++) {
		sv_mem(v, ZCOPY_SENDV_MAX_MEMORY / 32);
		sv_file(v, &p, MIB, false);
	}
	return 0;
}

static const struct shape shapes[] = {
	{ "header-file-trailer", build_hft, ON_TMPFS | ON_EXT4,
	  .methods = PAGE_METHODS | M(AUTO) | M(DIRECT) },
	{ "files64", build_files64, ON_TMPFS | ON_EXT4,
	  .methods = M(PAGES) | M(SPLICE) },
	{ "segs1024", build_segs_max, ON_TMPFS, .methods = PAGE_METHODS },
	{ "eof-segments", build_eof, ON_TMPFS, .methods = PAGE_METHODS },
	{ "memory-only", build_memory_only, ON_TMPFS,
	  .methods = M(AUTO) | M(COPY) },
	{ "memory-max", build_memory_max, ON_TMPFS, .methods = M(PAGES) },
	{ "zero-len-segments", build_zero_len, ON_TMPFS,
	  .methods = M(PAGES) | M(SPLICE) },
	{ "offset-current-twice", build_offset_current, ON_TMPFS,
	  .methods = M(COPY) | M(SPLICE) | M(PAGES) },
	{ "stop-resume", build_stop, ON_TMPFS, .methods = PAGE_METHODS,
	  .stop = true },
	{ "stop-resume-interleaved", build_stop_interleaved, ON_TMPFS,
	  .methods = M(PAGES) | M(COPY), .stop = true },
};

struct shape_case {
	const struct shape *shape;
	const struct fsdesc *fs;
	unsigned int method;
	bool seg_stats;
};

static int shape_test(struct tctx *t, const void *arg)
{
	const struct shape_case *c = arg;
	const struct shape *sh = c->shape;
	struct sv_run run = { t->dev, -1, c->method, 0, c->seg_stats };
	struct tally before, delta;
	struct receiver rx;
	struct sv *v = sv_new(t);
	int rc;

	memset(&delta, 0, sizeof(delta));
	if (!v || sh->build(t, v, c->fs) != 0 ||
	    (v->pos_fd >= 0 && lseek(v->pos_fd, 0, SEEK_SET) != 0) ||
	    receiver_start(t, &rx, AF_INET, sh->stop ? RX_HOLD : RX_READ,
			   &(struct rx_spec){ v->seed, 0, 0 }) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		return -1;
	run.sock = rx.sock;
	if (!sh->stop) {
		rc = sv_all(t, v, &run, &delta);
	} else {
		if (set_nonblock(rx.sock) != 0)
			return fail_errno(t, "O_NONBLOCK");
		rc = sv_once(t, v, &run, false, &delta);
		if (rc > 0)
			return fail(t, "expected a stop part-way, all %llu bytes went",
				    (unsigned long long)v->sent);
		if (rc == 0)
			rc = receiver_release(t, &rx) ||
			     sv_finish(t, v, &run, &delta, STOP_FINISH_MS) ? -1 : 0;
	}
	if (rc != 0)
		return -1;
	if (v->pos_fd >= 0 && lseek(v->pos_fd, 0, SEEK_CUR) != v->want_pos)
		return fail(t, "file position after the call: expected %lld, got %lld",
			    (long long)v->want_pos,
			    (long long)lseek(v->pos_fd, 0, SEEK_CUR));
	if (receiver_finish(t, &rx, v->stream) != 0)
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}

/* ---------------------------------------------------------------- */
/* Vectors the module must refuse before the first byte              */

/* The one thing a case breaks in a valid 10-segment vector. */
enum brk {
	B_NONE,		/* only the case's flags and method */
	B_COUNT,	/* count = v (valid empty segments up to it) */
	B_FD,		/* seg[i].fd = v */
	B_FD_KIND,	/* seg[i].fd: a descriptor of kind v */
	B_LEN,		/* seg[i].len = v */
};

struct sv_err {
	const char *name;
	int want;
	enum brk what;
	unsigned int i;
	uint64_t v;
	uint32_t flags;
	unsigned int method;	/* AUTO unless set */
	enum need need;
};

/* Segments 0, 2, ... 8 are 100 bytes of memory, 1, 3, ... 9 1000 bytes of
 * one file: "segment 5 of 10" is the sixth, a file. */
#define ERR_PAIRS 5

static const struct sv_err sv_errs[] = {
	/* Only the count is wrong: all 1025 segments are valid. */
	{ "count-1025-valid-segments", EINVAL, B_COUNT, .i = 0,
	  .v = ZCOPY_SENDV_MAX_SEGS + 1 },
	/* With the other four, one byte more than the memory limit. */
	{ "memory-over-max-in-5-segments", EINVAL, B_LEN, .i = 0,
	  .v = ZCOPY_SENDV_MAX_MEMORY - 4 * 100 + 1 },
	{ "seg5-of-10-fd-minus1", EBADF, B_FD, .i = 5, .v = (uint64_t)-1 },
	{ "seg5-of-10-fd-closed", EBADF, B_FD_KIND, .i = 5, .v = K_CLOSED },
	{ "seg5-of-10-fd-opath", EBADF, B_FD_KIND, .i = 5, .v = K_OPATH },
	{ "seg5-of-10-fd-wronly", EBADF, B_FD_KIND, .i = 5, .v = K_WRONLY },
	{ "seg3-of-10-directory", EINVAL, B_FD_KIND, .i = 3, .v = K_DIR },
	{ "seg9-of-10-pipe", EINVAL, B_FD_KIND, .i = 9, .v = K_PIPE },
	{ "flags-nodiskio-direct", EINVAL, .flags = ZCOPY_F_NODISKIO,
	  .method = ZCOPY_METHOD_DIRECT, .need = NEED_DIRECT },
};

/* Apply the case's one breakage to the vector @v and the call @c. */
static int sv_break(struct tctx *t, const struct sv_err *e, struct sv *v,
		    struct zcopy_sendv *c)
{
	struct zcopy_segment *s = &v->seg[e->i];
	int fd;

	switch (e->what) {
	case B_NONE:
		break;
	case B_COUNT:
		for (unsigned int i = v->n; i < e->v; i++)
			v->seg[i] = (struct zcopy_segment){ .type = ZCOPY_SEG_MEMORY };
		c->count = (uint32_t)e->v;
		break;
	case B_FD:
		s->fd = (int32_t)e->v;
		break;
	case B_FD_KIND:
		fd = fd_of_kind(t, (enum fd_kind)e->v, s->fd);
		if (fd == INT_MIN)
			return -1;
		s->fd = fd;
		break;
	case B_LEN:
		s->len = e->v;
		break;
	}
	return 0;
}

/* The call fails with the case's errno, the receiver gets nothing and no
 * counter moves. */
static int sv_err_test(struct tctx *t, const void *arg)
{
	const struct sv_err *e = arg;
	struct piece p = { .base = 0, .size = ERR_PAIRS * 1100 };
	struct tally before, none;
	struct zcopy_sendv c;
	struct receiver rx;
	struct sv *v = sv_new(t);

	memset(&none, 0, sizeof(none));
	if (!v || piece_open(t, &fs_list[FS_TMPFS], v->seed, O_RDONLY, &p) != 0)
		return -1;
	for (unsigned int i = 0; i < ERR_PAIRS; i++) {
		sv_mem(v, 100);
		sv_file(v, &p, 1000, false);
	}
	if (receiver_start(t, &rx, AF_INET, RX_READ,
			   &(struct rx_spec){ v->seed, 0, 0 }) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		return -1;
	sv_args(&c, v, &(struct sv_run){ t->dev, rx.sock, e->method, e->flags,
					 true });
	if (sv_break(t, e, v, &c) != 0 ||
	    expect_errno(t, "ZCOPY_IOC_SENDV", ioctl(t->dev, ZCOPY_IOC_SENDV, &c),
			 e->want) != 0 ||
	    tally_expect_delta(t, t->dev, &before, &none) != 0)
		return -1;
	return receiver_finish(t, &rx, 0);
}

/* ---------------------------------------------------------------- */
/* flags: ZCOPY_F_NODISKIO                                           */

/* Pages of @p in the page cache. */
static long piece_resident(struct tctx *t, const struct piece *p)
{
	return resident_pages(t, p->fd, p->size);
}

/* Read back every file of @dir: the other tests find their files hot. */
static int rewarm(struct tctx *t, const char *dir)
{
	char *buf = malloc(PIECE_CHUNK);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!buf || !d)
		return fail_errno(t, "rewarm %s", dir);
	while ((e = readdir(d)) != NULL) {
		int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC);

		while (fd >= 0 && read(fd, buf, PIECE_CHUNK) > 0)
			;
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	free(buf);
	return 0;
}

/* Drop the page cache (the piece was fsynced, its pages are clean), make
 * sure none of @p stayed, and warm the other ext4 test files again. */
static int evict(struct tctx *t, const struct piece *p)
{
	long resident;

	if (knob_write(t, "/proc/sys/vm/drop_caches", "3") != 0)
		return -1;
	resident = piece_resident(t, p);
	if (resident < 0)
		return -1;
	if (resident)
		return fail(t, "%ld pages of the file still cached after drop_caches",
			    resident);
	return rewarm(t, fs_list[FS_EXT4].dir);
}

struct nd_case {
	int fs;
	unsigned int method;
	uint64_t size;
	int oflags;		/* O_DIRECT: AUTO must still read the cache */
	bool vector;		/* SENDV [header?][file][trailer] */
	bool header;
};

/* SEND with NODISKIO until it goes: on a cold file EAGAIN (an error each)
 * until readahead is done, then all of it from the cache. */
static int nodiskio_send(struct tctx *t, const struct nd_case *c,
			 const struct piece *p, int sock, struct tally *delta)
{
	const bool cold = c->fs == FS_EXT4;
	uint64_t end = now_ms() + NODISKIO_WAIT_MS;
	struct zcopy_send req;
	unsigned int call;

	for (call = 1;; call++) {
		send_req(&req, p->fd, sock, c->method, 0, p->size);
		req.flags = ZCOPY_F_NODISKIO;
		if (ioctl(t->dev, ZCOPY_IOC_SEND, &req) == 0)
			break;
		if (errno != EAGAIN || !cold)
			return fail_errno(t, "ZCOPY_IOC_SEND call %u", call);
		tally_add_error(delta, c->method);
		if (now_ms() > end)
			return fail(t, "still EAGAIN after %u calls in %d ms, %ld of %llu pages cached: readahead never covers the range",
				    call, NODISKIO_WAIT_MS, piece_resident(t, p),
				    (unsigned long long)((p->size + PAGE - 1) / PAGE));
		sleep_ms(20);
	}
	if (cold && call == 1)
		return fail(t, "the first call sent %llu bytes of a file not in the page cache",
			    (unsigned long long)req.sent);
	/* What readahead brought in counts as hits, none as misses. */
	if (check_stats(t, &req, c->method, 0, p->size, false) != 0)
		return -1;
	tally_add_success(delta, &req);
	return 0;
}

/* SENDV [header][file][trailer] with NODISKIO: on a cold file the first
 * call stops at the file with the header sent (or, without a header, fails
 * with EAGAIN), later ones go on once readahead is done. */
static int nodiskio_sendv(struct tctx *t, const struct nd_case *c,
			  struct sv *v, int sock, struct tally *delta)
{
	/* Without seg_stats: the refusal must come after the merged sends. */
	const struct sv_run run = { t->dev, sock, c->method, ZCOPY_F_NODISKIO,
				    false };
	const uint64_t head = v->want[0];
	int rc;

	if (c->fs != FS_EXT4)
		return sv_all(t, v, &run, delta);
	rc = sv_once(t, v, &run, !c->header, delta);
	if (rc < 0)
		return -1;
	if (rc > 0 || v->done != (c->header ? 1 : 0) ||
	    v->sent != (c->header ? head : 0))
		return fail(t, "first call: expected a stop at segment %u with %llu bytes sent, got segment %u and %llu bytes",
			    c->header ? 1 : 0,
			    (unsigned long long)(c->header ? head : 0), v->done,
			    (unsigned long long)v->sent);
	return sv_finish(t, v, &run, delta, NODISKIO_WAIT_MS);
}

static int nodiskio_test(struct tctx *t, const void *arg)
{
	const struct nd_case *c = arg;
	struct piece p = { .size = c->size };
	struct tally before, delta;
	struct receiver rx;
	struct sv *v = sv_new(t);

	memset(&delta, 0, sizeof(delta));
	if (!v)
		return -1;
	if (c->header)
		sv_mem(v, 200);
	p.base = v->stream;
	if (piece_open(t, &fs_list[c->fs], v->seed, O_RDONLY | c->oflags,
		       &p) != 0 ||
	    (c->fs == FS_EXT4 && evict(t, &p) != 0))
		return -1;
	sv_file(v, &p, p.size, false);
	if (c->vector)
		sv_mem(v, 100);
	if (receiver_start(t, &rx, AF_INET, RX_READ,
			   &(struct rx_spec){ v->seed, 0, 0 }) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		return -1;
	if ((c->vector ? nodiskio_sendv(t, c, v, rx.sock, &delta) :
	     nodiskio_send(t, c, &p, rx.sock, &delta)) != 0)
		return -1;
	if (receiver_finish(t, &rx, c->vector ? v->stream : p.size) != 0)
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}

/* ---------------------------------------------------------------- */
/* flags: ZCOPY_F_NOSIGNAL                                           */

struct sig_case {
	unsigned int method;
	uint32_t flags;
	bool vector;
};

/* The call's result, from the process that made it. */
struct sig_result {
	int rc;
	int err;
};

/*
 * On a connection shut down for writing, in a process with SIGPIPE at its
 * default action: with NOSIGNAL the call fails with EPIPE and the process
 * lives on; without it SIGPIPE kills the process.  Either way the failure
 * counts as one error.
 */
static int sigpipe_test(struct tctx *t, const void *arg)
{
	const struct sig_case *c = arg;
	const bool nosignal = c->flags & ZCOPY_F_NOSIGNAL;
	struct sig_result res = { 0, 0 };
	struct piece p = { .base = 100, .size = 4096 };
	struct tally before, delta;
	struct zcopy_sendv call;
	struct zcopy_send req;
	struct receiver rx;
	struct sv *v = sv_new(t);
	int pfd[2], status = 0;
	ssize_t n;
	pid_t pid;

	memset(&delta, 0, sizeof(delta));
	if (!v || piece_open(t, &fs_list[FS_TMPFS], v->seed, O_RDONLY, &p) != 0)
		return -1;
	sv_mem(v, 100);
	sv_file(v, &p, p.size, false);
	if (receiver_start(t, &rx, AF_INET, RX_HOLD,
			   &(struct rx_spec){ v->seed, 0, 0 }) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		return -1;
	if (shutdown(rx.sock, SHUT_WR) != 0 || pipe2(pfd, O_CLOEXEC) != 0)
		return fail_errno(t, "shutdown/pipe");
	sv_args(&call, v, &(struct sv_run){ t->dev, rx.sock, c->method,
					    c->flags, false });
	send_req(&req, p.fd, rx.sock, c->method, 0, p.size);
	req.flags = c->flags;
	pid = fork();
	if (pid < 0)
		return fail_errno(t, "fork");
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		res.rc = c->vector ? ioctl(t->dev, ZCOPY_IOC_SENDV, &call) :
				     ioctl(t->dev, ZCOPY_IOC_SEND, &req);
		res.err = errno;
		write_full(pfd[1], &res, sizeof(res));
		_exit(0);
	}
	close(pfd[1]);
	n = read_full(pfd[0], &res, sizeof(res));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!nosignal && !(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE))
		return fail(t, "without NOSIGNAL the caller was not killed by SIGPIPE (wait status 0x%x, call returned %d, %s)",
			    status, res.rc, errno_name(res.err));
	if (nosignal && (!WIFEXITED(status) || n != (ssize_t)sizeof(res)))
		return fail(t, "with NOSIGNAL the caller died (wait status 0x%x)",
			    status);
	errno = res.err;
	if (nosignal && expect_errno(t, c->vector ? "ZCOPY_IOC_SENDV" :
				     "ZCOPY_IOC_SEND", res.rc, EPIPE) != 0)
		return -1;
	tally_add_error(&delta, c->method);
	if (receiver_finish(t, &rx, 0) != 0)
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}

/* ---------------------------------------------------------------- */
/* flags: ZCOPY_F_MORE                                               */

#define MORE_FSIZE (3 * 4096 + 5)
#define MORE_HEADER 100

/* One call of a MORE plan: SEND of @len stream bytes (0: the rest), or
 * SENDV of a header and the file for them, plus a segment at end of file
 * when they reach it. */
struct more_call {
	bool vector;
	uint32_t flags;
	uint64_t len;
};

struct more_plan {
	const char *name;
	struct more_call calls[2];
	bool push;	/* then nothing may stay unsent on the socket */
};

static const struct more_plan more_plans[] = {
	{ "more-then-send", { { false, ZCOPY_F_MORE, 5000 }, { false, 0, 0 } },
	  true },
	{ "more-then-close", { { false, ZCOPY_F_MORE, 0 } }, false },
	{ "send-pushes", { { false, 0, 0 } }, true },
	{ "sendv-more-then-send",
	  { { true, ZCOPY_F_MORE, 5000 }, { false, 0, 0 } }, true },
	{ "sendv-more-then-close", { { true, ZCOPY_F_MORE, 0 } }, false },
	{ "sendv-eof-last-pushes", { { true, 0, 0 } }, true },
};

struct more_case {
	const struct more_plan *plan;
	unsigned int method;
};

static int more_call(struct tctx *t, struct sv *v, const struct piece *p,
		     struct sv_run run, const struct more_call *mc,
		     struct tally *delta)
{
	uint64_t len = mc->len ? mc->len : p->size - v->stream;
	struct zcopy_send req;

	run.flags = mc->flags;
	if (mc->vector) {
		sv_mem(v, MORE_HEADER);
		sv_file(v, p, len - MORE_HEADER, false);
		if (v->stream == p->base + p->size)
			sv_file(v, p, 100, false);
		return sv_all(t, v, &run, delta);
	}
	send_req(&req, p->fd, run.sock, run.method, v->stream, len);
	req.flags = mc->flags;
	if (ioctl(run.dev, ZCOPY_IOC_SEND, &req) != 0)
		return fail_errno(t, "ZCOPY_IOC_SEND");
	if (check_stats(t, &req, run.method, v->stream, len, false) != 0)
		return -1;
	tally_add_success(delta, &req);
	v->stream += len;
	return 0;
}

/* Everything queued has left the socket: nothing stayed corked. */
static int expect_pushed(struct tctx *t, int sock)
{
	uint64_t end = now_ms() + PUSH_WAIT_MS;
	int unsent = -1;

	while (ioctl(sock, SIOCOUTQNSD, &unsent) == 0 && unsent > 0 &&
	       now_ms() < end)
		sleep_ms(5);
	if (unsent < 0)
		return fail_errno(t, "SIOCOUTQNSD");
	if (unsent)
		return fail(t, "%d bytes still unsent %d ms after the last call: left corked",
			    unsent, PUSH_WAIT_MS);
	return 0;
}

static int more_test(struct tctx *t, const void *arg)
{
	const struct more_case *c = arg;
	struct piece p = { .base = 0, .size = MORE_FSIZE };
	struct tally before, delta;
	struct receiver rx;
	struct sv *v = sv_new(t);

	memset(&delta, 0, sizeof(delta));
	if (!v || piece_open(t, &fs_list[FS_TMPFS], v->seed, O_RDONLY, &p) != 0 ||
	    receiver_start(t, &rx, AF_INET, RX_READ,
			   &(struct rx_spec){ v->seed, 0, 0 }) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(c->plan->calls); i++) {
		const struct more_call *mc = &c->plan->calls[i];

		if (v->stream == p.size)
			break;
		snprintf(t->where, sizeof(t->where), "call %zu", i + 1);
		/* Merged sends: MSG_MORE is the batch's, not a segment's. */
		if (more_call(t, v, &p, (struct sv_run){ t->dev, rx.sock,
							  c->method, 0, false },
			      mc, &delta) != 0)
			return -1;
	}
	t->where[0] = '\0';
	if (c->plan->push && expect_pushed(t, rx.sock) != 0)
		return -1;
	if (receiver_finish(t, &rx, p.size) != 0)
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}

/* ---------------------------------------------------------------- */
/* Registration                                                      */

/* Each shape with per-segment statistics (each segment sent and timed on
 * its own) and without (segments merged into shared sends). */
static void add_shapes(struct registry *r)
{
	for (size_t s = 0; s < ARRAY_SIZE(shapes); s++) {
		for (int f = 0; f < FS_COUNT; f++) {
			for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT * 2; m++) {
				const unsigned int meth = m / 2;
				const bool seg_stats = !(m & 1);
				struct shape_case *c;
				struct test *tc;

				if (!(shapes[s].fs_mask & (1U << f)) ||
				    !(shapes[s].methods & (1U << meth)) ||
				    (meth == ZCOPY_METHOD_DIRECT && f != FS_EXT4))
					continue;
				c = xcalloc(1, sizeof(*c));
				*c = (struct shape_case){ &shapes[s], &fs_list[f],
							  meth, seg_stats };
				tc = reg_add(r, "sendv", shape_test, c, "%s-%s-%s%s",
					     shapes[s].name, fs_list[f].name,
					     method_desc[meth].name,
					     seg_stats ? "" : "-merged");
				if (meth == ZCOPY_METHOD_DIRECT)
					tc->need = NEED_DIRECT;
				if (shapes[s].stop)
					tc->timeout_s = TIMEOUT_LONG_S;
			}
		}
	}
}

/* A loopback connection within this process: @cfd sends, @afd receives. */
static int tcp_loopback(struct tctx *t, int *cfd, int *afd)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || *cfd < 0 || bind(lfd, (struct sockaddr *)&sa, salen) ||
	    listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen) ||
	    connect(*cfd, (struct sockaddr *)&sa, salen))
		return fail_errno(t, "loopback connection");
	*afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	return *afd < 0 ? fail_errno(t, "accept") : 0;
}

#define PUSH_BYTES 3000

/* A call that ends with a file segment its method sent alone (not
 * gathered) and an empty segment after it: what went must be pushed when
 * the call returns, not held behind MSG_MORE (until TCP's probe timer
 * sends it, 200 ms later).  Loopback transmits as the push happens, so
 * right after the call the socket holds no byte it has not sent. */
static int push_at_end_test(struct tctx *t, const void *arg)
{
	const unsigned int method = *(const unsigned int *)arg;
	unsigned char want[PUSH_BYTES], got[PUSH_BYTES];
	struct zcopy_segment seg[2];
	struct tcp_info ti = { 0 };
	socklen_t tilen = sizeof(ti);
	struct zcopy_sendv c;
	struct tfile f;
	size_t have = 0;
	int in, cfd = -1, afd = -1;

	in = tfile_open(t, &fs_list[FS_TMPFS], 64 * KIB, &f);
	if (in < 0 || tcp_loopback(t, &cfd, &afd) != 0)
		return -1;
	memset(seg, 0, sizeof(seg));
	seg[0] = (struct zcopy_segment){ .type = ZCOPY_SEG_FILE, .fd = in,
					 .len = PUSH_BYTES };
	seg[1].type = ZCOPY_SEG_MEMORY;
	c = (struct zcopy_sendv){ .size = sizeof(c), .out_fd = cfd,
				  .method = method, .segs = (uintptr_t)seg,
				  .count = 2 };
	if (ioctl(t->dev, ZCOPY_IOC_SENDV, &c) != 0)
		return fail_errno(t, "ZCOPY_IOC_SENDV");
	if (getsockopt(cfd, IPPROTO_TCP, TCP_INFO, &ti, &tilen) != 0)
		return fail_errno(t, "TCP_INFO");
	if (check_u64(t, "sent", c.sent, PUSH_BYTES) ||
	    check_u64(t, "bytes the socket holds unsent after the call",
		      ti.tcpi_notsent_bytes, 0))
		return -1;
	while (have < PUSH_BYTES) {
		struct pollfd pfd = { .fd = afd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 10000) != 1)
			return fail(t, "%zu of %d bytes arrived", have, PUSH_BYTES);
		n = read(afd, got + have, PUSH_BYTES - have);
		if (n <= 0)
			return fail_errno(t, "read");
		have += n;
	}
	pattern_fill(f.seed, 0, want, PUSH_BYTES);
	if (memcmp(got, want, PUSH_BYTES) != 0)
		return fail(t, "the bytes received are not the file's");
	return 0;
}

static const unsigned int push_methods[] = {
	ZCOPY_METHOD_COPY, ZCOPY_METHOD_MMAP, ZCOPY_METHOD_SPLICE,
	ZCOPY_METHOD_PAGES,
};

void sendv_register(struct registry *r)
{
	add_shapes(r);
	for (size_t i = 0; i < ARRAY_SIZE(push_methods); i++)
		reg_add(r, "sendv", push_at_end_test, &push_methods[i],
			"push-at-end-%s", method_desc[push_methods[i]].name);
	for (size_t i = 0; i < ARRAY_SIZE(sv_errs); i++)
		reg_add(r, "sendv", sv_err_test, &sv_errs[i], "%s",
			sv_errs[i].name)->need = sv_errs[i].need;
}

#define ND_SIZE (MIB + 13)


static const struct {
	const char *name;
	struct nd_case c;
} nd_extra[] = {
	/* Larger than one readahead (max(io_pages, ra_pages) of the disk). */
	{ "nodiskio-ext4-8M-pages",
	  { FS_EXT4, ZCOPY_METHOD_PAGES, 8 * MIB, 0, false, false } },
	/* AUTO picks DIRECT for O_DIRECT files, but not with NODISKIO. */
	{ "nodiskio-ext4-odirect-auto",
	  { FS_EXT4, ZCOPY_METHOD_AUTO, ND_SIZE, O_DIRECT, false, false } },
	{ "nodiskio-sendv-header-ext4-pages",
	  { FS_EXT4, ZCOPY_METHOD_PAGES, ND_SIZE, 0, true, true } },
	{ "nodiskio-sendv-header-ext4-copy",
	  { FS_EXT4, ZCOPY_METHOD_COPY, ND_SIZE, 0, true, true } },
	{ "nodiskio-sendv-file-first-ext4-pages",
	  { FS_EXT4, ZCOPY_METHOD_PAGES, ND_SIZE, 0, true, false } },
	{ "nodiskio-sendv-header-tmpfs-pages",
	  { FS_TMPFS, ZCOPY_METHOD_PAGES, ND_SIZE, 0, true, true } },
};

/* The methods each kind of call is tried with (SPLICE refuses NOSIGNAL).
 * Named <nosignal-epipe|sigpipe-kills>-<send|sendv>-<method>. */
static const struct {
	uint32_t flags;
	bool vector;
	unsigned int methods;
} sig_sets[] = {
	{ ZCOPY_F_NOSIGNAL, false, M(COPY) | M(MMAP) | M(PAGES) | M(AUTO) },
	{ ZCOPY_F_NOSIGNAL, true, M(COPY) | M(PAGES) },
	{ 0, false, PAGE_METHODS },
	{ 0, true, M(PAGES) | M(SPLICE) },
};

void flags_register(struct registry *r)
{
	for (int f = 0; f < FS_COUNT; f++) {
		for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++) {
			struct nd_case *c;

			if (!((PAGE_METHODS | M(AUTO)) & (1U << m)))
				continue;
			c = xcalloc(1, sizeof(*c));
			*c = (struct nd_case){ .fs = f, .method = m,
					       .size = ND_SIZE };
			reg_add(r, "flags", nodiskio_test, c, "nodiskio-%s-%s",
				fs_list[f].name, method_desc[m].name);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(nd_extra); i++)
		reg_add(r, "flags", nodiskio_test, &nd_extra[i].c, "%s",
			nd_extra[i].name);
	for (size_t i = 0; i < ARRAY_SIZE(sig_sets); i++) {
		for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++) {
			struct sig_case *c;

			if (!(sig_sets[i].methods & (1U << m)))
				continue;
			c = xcalloc(1, sizeof(*c));
			*c = (struct sig_case){ m, sig_sets[i].flags,
						sig_sets[i].vector };
			reg_add(r, "flags", sigpipe_test, c, "%s-%s-%s",
				c->flags ? "nosignal-epipe" : "sigpipe-kills",
				c->vector ? "sendv" : "send",
				method_desc[m].name);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(more_plans); i++) {
		for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++) {
			struct more_case *c;

			if (!(PAGE_METHODS & (1U << m)))
				continue;
			c = xcalloc(1, sizeof(*c));
			*c = (struct more_case){ &more_plans[i], m };
			reg_add(r, "flags", more_test, c, "%s-%s",
				more_plans[i].name, method_desc[m].name);
		}
	}
}
