// SPDX-License-Identifier: GPL-2.0
/*
 * Sending a ZCOPY_IOC_SENDV vector in order.  Memory segments (the call's
 * own copy, in pages it allocated) and, with PAGES, the page-cache folios of
 * file segments are gathered across segment boundaries into one send: a
 * header and its file, or 64 of each, cost TCP one sendmsg instead of one
 * per segment.  File segments of other methods go one by one in between.
 */
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/pagemap.h>
#include <linux/socket.h>

#include "compat.h"
#include "sendv.h"

/* When a segment started, for its own statistics. */
struct zcopy_seg_clock {
	u64 start_ns;
	u64 io_start;
};

/*
 * Per-segment clocks run only when per-segment statistics are wanted: with
 * a hundred segments a call, reading the clock twice each was a tenth of
 * the sending CPU time.
 */
static void zcopy_seg_clock_start(const struct zcopy_call *c,
				  struct zcopy_seg_clock *t)
{
	t->start_ns = c->seg_clocks ? ktime_get_ns() : 0;
	t->io_start = c->seg_clocks ? zcopy_task_read_bytes() : 0;
}

/* What a segment took: its storage_read and elapsed_ns. */
static void zcopy_seg_clock_stop(const struct zcopy_call *c,
				 const struct zcopy_seg_clock *t,
				 struct zcopy_xfer *x)
{
	if (!c->seg_clocks)
		return;
	x->storage_read = zcopy_task_read_bytes() - t->io_start;
	x->elapsed_ns = ktime_get_ns() - t->start_ns;
}

/* Send what is gathered; the stream is corked after it if @more. */
static int zcopy_sendv_flush(struct zcopy_call *c, struct zcopy_sendv_state *s,
			     bool more, bool *stop)
{
	int err;

	if (!s->lend->nr)
		return 0;
	/* Segments sent one by one in between corked the stream or not. */
	s->lend->corked = c->corked;
	err = zcopy_lend_flush(s->lend, more, stop);
	c->corked = s->lend->corked;
	return err;
}

/* Send what is gathered if there is no room for more. */
static int zcopy_sendv_make_room(struct zcopy_call *c,
				 struct zcopy_sendv_state *s, bool *stop)
{
	if (!zcopy_lend_full(s->lend))
		return 0;
	return zcopy_sendv_flush(c, s, true, stop);
}

/* The call's copy of memory segment @i joins the pages to send. */
static int zcopy_sendv_lend_memory(struct zcopy_call *c,
				   struct zcopy_sendv_state *s, u32 i,
				   bool *stop)
{
	struct zcopy_sendv_seg *seg = &s->segs[i];
	u32 b;
	int err;

	for (b = 0; b < seg->mem_nr; b++) {
		err = zcopy_sendv_make_room(c, s, stop);
		if (err || *stop)
			return err;
		/* The call keeps its pages: no reference for the batch. */
		zcopy_lend_add(s->lend, &seg->x, seg->mem[b].bv_page,
			       seg->mem[b].bv_offset, seg->mem[b].bv_len,
			       NULL, true);
	}
	return 0;
}

/* The page-cache folios of file segment @i join the pages to send. */
static int zcopy_sendv_lend_file(struct zcopy_call *c,
				 struct zcopy_sendv_state *s, u32 i, bool *stop)
{
	struct zcopy_xfer *x = &s->segs[i].x;
	loff_t pos = x->pos, end = x->pos + x->len;
	int err = 0;

	while (pos < end && !err) {
		err = zcopy_sendv_make_room(c, s, stop);
		if (err || *stop)
			return err;
		err = zcopy_lend_file(s->lend, x, &pos, end);
		/* Shorter than at the start: what follows must not go. */
		if (!err && !zcopy_lend_full(s->lend) && pos < end)
			*stop = true;
		if (*stop)
			break;
	}
	return err;
}

/* Send segment @i, or gather it for a later send. */
static int zcopy_sendv_seg(struct zcopy_call *c, struct zcopy_sendv_state *s,
			   u32 i, bool *stop)
{
	struct zcopy_sendv_seg *seg = &s->segs[i];
	bool last = i == s->count - 1;
	int err;

	if (!seg->r.in) {
		zcopy_xfer_init(c, &seg->x, NULL, 0, seg->r.len, last);
		seg->x.module_copied = seg->r.len;
		return zcopy_sendv_lend_memory(c, s, i, stop);
	}
	if (c->method == ZCOPY_METHOD_PAGES && !seg->r.use_fpos) {
		err = zcopy_call_start_file(c, &seg->r, last, &seg->x);
		return err ?: zcopy_sendv_lend_file(c, s, i, stop);
	}
	/* Its method, or its file position, needs the stream sent so far. */
	err = zcopy_sendv_flush(c, s, true, stop);
	if (err || *stop) {
		zcopy_xfer_init(c, &seg->x, seg->r.in, seg->r.pos, seg->r.len,
				last);
		return err;
	}
	err = zcopy_call_send_file(c, &seg->r, last, &seg->x);
	if (seg->x.len)
		*stop = true;
	return err;
}

/**
 * zcopy_sendv_send() - send the segments of a checked call in order
 * @c: the call
 * @s: its segments
 * @index: out: the first segment not fully sent, or s->count
 *
 * Return: 0 or the negative errno that stopped it; the segments' x say
 * what went.
 */
int zcopy_sendv_send(struct zcopy_call *c, struct zcopy_sendv_state *s,
		     u32 *index)
{
	bool stop = false;
	int err = 0, ferr;
	u32 i, k;

	zcopy_call_begin(c);
	for (i = 0; i < s->count; i++) {
		struct zcopy_seg_clock t;

		s->reached = i + 1;
		zcopy_seg_clock_start(c, &t);
		err = zcopy_sendv_seg(c, s, i, &stop);
		/* Timed alone, a segment is sent before the next one starts. */
		if (!err && !stop && c->seg_clocks)
			err = zcopy_sendv_flush(c, s, i < s->count - 1 ||
						(c->flags & ZCOPY_F_MORE), &stop);
		zcopy_seg_clock_stop(c, &t, &s->segs[i].x);
		if (err || stop)
			break;
		if (i < s->count - 1 && zcopy_xfer_should_stop(&s->segs[i].x)) {
			i++;
			break;
		}
	}
	ferr = zcopy_sendv_flush(c, s, c->flags & ZCOPY_F_MORE, &stop);
	zcopy_call_end(c);

	/* Where a later segment failed, an earlier one may still be short. */
	for (k = 0; k < i && k < s->reached; k++)
		if (s->segs[k].x.len)
			break;
	*index = k;
	return err ?: ferr;
}
