// SPDX-License-Identifier: GPL-2.0
/*
 * scenario.c - one connection, a series of ZCOPY_IOC_SENDs on it, and every
 * check the contract allows for a successful transfer: sent, stats, the
 * receiver's bytes and content, the file position, and the counters.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "zct.h"

uint64_t pages_touched(uint64_t start, uint64_t len)
{
	if (!len)
		return 0;
	return ((start + len - 1) >> ZC_PAGE_SHIFT) - (start >> ZC_PAGE_SHIFT) + 1;
}

uint64_t expected_sent(uint64_t offset, uint64_t len, uint64_t fsize)
{
	if (offset >= fsize)
		return 0;
	return len < fsize - offset ? len : fsize - offset;
}

void scenario_single(struct scenario *sc, const struct fsdesc *fs,
		     unsigned int method, uint64_t fsize, uint64_t offset,
		     uint64_t len)
{
	memset(sc, 0, sizeof(*sc));
	sc->fs = fs;
	sc->family = AF_INET;
	sc->method = method;
	sc->fsize = fsize;
	sc->nsteps = 1;
	sc->steps[0] = (struct step){
		.offset = offset,
		.len = len,
		.start = offset,
		.want_sent = expected_sent(offset, len, fsize),
		/* As sendfile(2) with an offset: the position stays put. */
		.want_pos = 0,
	};
}

/* A transfer that stopped part-way may have read, and looked up in the
 * page cache, one batch of at most this many pages that it did not send. */
#define PARTIAL_SLACK_PAGES 64

static int check_within(struct tctx *t, const char *what, uint64_t got,
			uint64_t lo, uint64_t hi)
{
	if (lo == hi)
		return check_u64(t, what, got, lo);
	if (got >= lo && got <= hi)
		return 0;
	return fail(t, "%s: expected %llu to %llu, got %llu", what,
		    (unsigned long long)lo, (unsigned long long)hi,
		    (unsigned long long)got);
}

static int check_span(struct tctx *t, const char *what, uint64_t got,
		      struct span want)
{
	if (want.hi == UINT64_MAX && got >= want.lo)
		return 0;
	if (want.hi == UINT64_MAX)
		return fail(t, "%s: expected at least %llu, got %llu", what,
			    (unsigned long long)want.lo,
			    (unsigned long long)got);
	return check_within(t, what, got, want.lo, want.hi);
}

int want_check(struct tctx *t, const struct zcopy_stats *s, uint64_t sent,
	       const struct want *w)
{
	if (s->method != w->method)
		return fail(t, "stats.method: expected %u (%s), got %u",
			    w->method, method_desc[w->method].name, s->method);
	if (s->reserved)
		return fail(t, "stats.reserved: expected 0, got %u", s->reserved);
	if (check_span(t, "stats.zc_bytes", s->zc_bytes, w->zc) ||
	    check_span(t, "stats.copied_bytes", s->copied_bytes, w->copied))
		return -1;
	/* A transfer that sent nothing may end before looking at the route. */
	if (sent && ((s->route & w->route_set) != w->route_set ||
		     (s->route & w->route_clear)))
		return fail(t, "stats.route: expected 0x%x set and 0x%x clear, got 0x%x",
			    w->route_set, w->route_clear, s->route);
	if (sent && s->ifindex != w->ifindex)
		return fail(t, "stats.ifindex: expected %u, got %u",
			    w->ifindex, s->ifindex);
	if (check_span(t, "stats.cache_hit_pages", s->cache_hit_pages, w->hit) ||
	    check_span(t, "stats.cache_miss_pages", s->cache_miss_pages,
		       w->miss) ||
	    check_span(t, "stats.storage_read_bytes", s->storage_read_bytes,
		       w->storage))
		return -1;
	if (w->lookups != UINT64_MAX &&
	    s->cache_hit_pages + s->cache_miss_pages != w->lookups)
		return fail(t, "stats.cache_hit_pages %llu + cache_miss_pages %llu: expected %llu pages looked up",
			    (unsigned long long)s->cache_hit_pages,
			    (unsigned long long)s->cache_miss_pages,
			    (unsigned long long)w->lookups);
	return 0;
}

int check_stats(struct tctx *t, const struct zcopy_send *req,
		unsigned int method, uint64_t start, uint64_t want_sent,
		bool partial)
{
	const unsigned int m = method_resolved(method);
	const struct method_desc *d = &method_desc[m];
	const uint64_t pages = pages_touched(start, want_sent);
	const uint64_t slack = partial ? PARTIAL_SLACK_PAGES : 0;
	const uint64_t copied = (uint64_t)d->copied_ratio * want_sent;
	struct want w = {
		.method = m,
		.zc = SPAN_EXACT(d->zc_ratio * want_sent),
		/* Bytes read into COPY's bounce buffer and not taken by the
		 * socket still count as copied (uAPI header). */
		.copied = d->copied_ratio == RATIO_ANY ? SPAN_ANY :
			  (struct span){ copied, copied +
					 (copied ? slack << ZC_PAGE_SHIFT : 0) },
		/* Every test file was just written with write(): all pages
		 * hot.  DIRECT reads around the page cache: its page counts
		 * are free. */
		.hit = m == ZCOPY_METHOD_DIRECT ? SPAN_ANY :
		       (struct span){ pages, pages + slack },
		.miss = m == ZCOPY_METHOD_DIRECT ? SPAN_ANY : SPAN_EXACT(0),
		.storage = SPAN_ANY,
		.lookups = UINT64_MAX,
		.route_set = ZCOPY_ROUTE_SG | ZCOPY_ROUTE_KNOWN,
		.ifindex = t->lo_ifindex,
	};

	if (check_u64(t, "sent", req->sent, want_sent))
		return -1;
	return want_check(t, &req->stats, want_sent, &w);
}

static int step_send(int dev, const struct scenario *sc,
		     struct zcopy_send *req)
{
	if (!sc->struct_size)
		return ioctl(dev, ZCOPY_IOC_SEND, req);
	return zc_ioctl_sized(dev, ZCOPY_IOC_SEND, req, sizeof(*req),
			      sc->struct_size, 0);
}

int scenario_run(struct tctx *t, int dev, const struct scenario *sc,
		 struct tally *sum)
{
	struct rx_spec spec;
	struct receiver rx;
	struct tfile f;
	uint64_t total = 0;
	int fd, rc = -1;

	fd = tfile_open(t, sc->fs, sc->fsize, &f);
	if (fd < 0)
		return -1;
	spec = (struct rx_spec){ f.seed, sc->steps[0].start, sc->span };
	if (receiver_start(t, &rx, sc->family, RX_READ, &spec) != 0)
		goto out;
	for (unsigned int i = 0; i < sc->nsteps; i++) {
		const struct step *st = &sc->steps[i];
		struct zcopy_send req;
		off_t pos;

		if (sc->nsteps > 1)
			snprintf(t->where, sizeof(t->where), "call %u of %u",
				 i + 1, sc->nsteps);
		send_req(&req, fd, rx.sock, sc->method, st->offset, st->len);
		if (step_send(dev, sc, &req) != 0) {
			fail_errno(t, "ZCOPY_IOC_SEND(offset %llu, len %llu)",
				   (unsigned long long)st->offset,
				   (unsigned long long)st->len);
			goto out;
		}
		if (check_stats(t, &req, sc->method, st->start, st->want_sent,
				false))
			goto out;
		tally_add_success(sum, &req);
		total += req.sent;
		pos = lseek(fd, 0, SEEK_CUR);
		if (pos != st->want_pos) {
			fail(t, "file position after the call: expected %lld, got %lld",
			     (long long)st->want_pos, (long long)pos);
			goto out;
		}
	}
	if (sc->nsteps > 1)
		t->where[0] = '\0';
	rc = receiver_finish(t, &rx, total);
out:
	close(fd);
	return rc;
}

int scenario_test(struct tctx *t, const struct scenario *sc)
{
	struct tally before, delta;

	memset(&delta, 0, sizeof(delta));
	if (tally_read(t, t->dev, &before) != 0)
		return -1;
	if (scenario_run(t, t->dev, sc, &delta) != 0)
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}

int send_checked(struct tctx *t, const struct one_send *o)
{
	static const struct rx_more none;
	struct tally before, delta;
	struct zcopy_send req;
	struct receiver rx;
	int rc;

	memset(&delta, 0, sizeof(delta));
	if (receiver_start_ex(t, &rx, AF_INET, RX_READ, &o->spec,
			      o->more ? o->more : &none) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		return -1;
	send_req(&req, o->fd, rx.sock, o->method, o->offset, o->len);
	req.flags = o->flags;
	rc = ioctl(t->dev, ZCOPY_IOC_SEND, &req);
	if (o->want_errno) {
		if (expect_errno(t, "ZCOPY_IOC_SEND", rc, o->want_errno) != 0)
			return rc == 0 ? fail(t, "ZCOPY_IOC_SEND sent %llu bytes, expected %s",
					      (unsigned long long)req.sent,
					      errno_name(o->want_errno)) : -1;
	} else {
		if (rc != 0)
			return fail_errno(t, "ZCOPY_IOC_SEND(offset %llu, len %llu)",
					  (unsigned long long)o->offset,
					  (unsigned long long)o->len);
		if (check_u64(t, "sent", req.sent, o->want_sent) ||
		    want_check(t, &req.stats, req.sent, o->want) != 0)
			return -1;
		tally_add_success(&delta, &req);
	}
	if (receiver_finish(t, &rx, o->want_errno ? 0 : o->want_sent) != 0)
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}
