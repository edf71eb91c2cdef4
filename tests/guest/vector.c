// SPDX-License-Identifier: GPL-2.0
/*
 * vector.c - ZCOPY_IOC_SENDV vectors over one pattern stream (vector.h):
 * building them, and checking each call's sent, stop point and statistics
 * (per segment, or of the call) against what its segments must send.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "vector.h"

/* "sendv": a seed no test file of pattern.c uses. */
#define STREAM_SEED 0x73656e6476ULL
#define ROUTE_LO (ZCOPY_ROUTE_SG | ZCOPY_ROUTE_KNOWN)
#define RESUME_POLL_MS 100
#define RESUME_PAUSE_MS 10

int piece_open(struct tctx *t, const struct fsdesc *fs, uint64_t seed,
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

struct sv *sv_new(struct tctx *t)
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

void sv_mem(struct sv *v, uint64_t len)
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

void sv_file(struct sv *v, const struct piece *p, uint64_t len,
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

void sv_args(struct zcopy_sendv *c, struct sv *v,
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

int sv_once(struct tctx *t, struct sv *v, const struct sv_run *run,
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

int sv_finish(struct tctx *t, struct sv *v, const struct sv_run *run,
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

int sv_all(struct tctx *t, struct sv *v, const struct sv_run *run,
	   struct tally *delta)
{
	int rc = sv_once(t, v, run, false, delta);

	if (rc == 0)
		return fail(t, "stopped at segment %u after %llu bytes", v->done,
			    (unsigned long long)v->sent);
	return rc < 0 ? -1 : 0;
}
