// SPDX-License-Identifier: GPL-2.0
/*
 * ZCOPY_IOC_SENDV: headers, file ranges and trailers in one call.  The
 * vector is copied in once and every segment is checked, every file taken
 * and every memory segment copied before the first byte goes out.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "sendv.h"

static void zcopy_sendv_release(struct zcopy_sendv_state *s)
{
	u32 i;

	for (i = 0; i < s->set; i++)
		if (s->segs[i].r.in)
			fput(s->segs[i].r.in);
	/* The socket holds its own references to the pages it still needs. */
	for (i = 0; i < s->nr_pages; i++)
		put_page(s->pages[i]);
	if (s->out)
		fput(s->out);
	kvfree(s->work);
	kvfree(s->us);
}

/*
 * Field checks that need no file: types, unused fields, memory total, and
 * the number of memory segments.
 */
static int zcopy_sendv_check_fields(struct zcopy_sendv_state *s,
				    size_t *memtotal, u32 *nmem)
{
	u32 i;

	*memtotal = 0;
	*nmem = 0;
	for (i = 0; i < s->count; i++) {
		const struct zcopy_segment *u = &s->us[i];

		if (u->reserved)
			return -EINVAL;
		switch (u->type) {
		case ZCOPY_SEG_FILE:
			if (u->addr)
				return -EINVAL;
			break;
		case ZCOPY_SEG_MEMORY:
			if (u->fd || u->offset ||
			    u->len > ZCOPY_SENDV_MAX_MEMORY - *memtotal)
				return -EINVAL;
			*memtotal += u->len;
			(*nmem)++;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * One allocation for the segments, the send batch and the memory segments'
 * page pieces: a memory segment takes one piece per page it touches, at
 * most one more than its share of whole pages.
 */
static int zcopy_sendv_alloc(struct zcopy_sendv_state *s, u32 npages,
			     u32 nmem)
{
	size_t nbv = size_add(npages, nmem);
	size_t size;

	size = size_add(array_size(s->count, sizeof(*s->segs)),
			sizeof(*s->lend));
	size = size_add(size, array_size(nbv, sizeof(*s->mem)));
	size = size_add(size, array_size(npages, sizeof(*s->pages)));
	s->work = kvmalloc(size, GFP_KERNEL);
	if (!s->work)
		return -ENOMEM;
	s->segs = s->work;
	s->lend = (struct zcopy_lend *)(s->segs + s->count);
	s->mem = (struct bio_vec *)(s->lend + 1);
	s->pages = (struct page **)(s->mem + nbv);
	return 0;
}

/*
 * Copy the memory segments into pages of the call's own, back to back: the
 * socket gets those pages, never the caller's memory, which may change as
 * soon as the call returns.
 */
static int zcopy_sendv_copy_memory(struct zcopy_sendv_state *s, u32 npages)
{
	size_t off = 0;
	u32 i, b = 0;

	for (; s->nr_pages < npages; s->nr_pages++) {
		s->pages[s->nr_pages] = alloc_page(GFP_KERNEL);
		if (!s->pages[s->nr_pages])
			return -ENOMEM;
	}
	for (i = 0; i < s->count; i++) {
		const struct zcopy_segment *u = &s->us[i];
		struct zcopy_sendv_seg *seg = &s->segs[i];
		const char __user *from = u64_to_user_ptr(u->addr);
		size_t left = u->len;

		if (u->type != ZCOPY_SEG_MEMORY)
			continue;
		seg->r = (struct zcopy_range) { .len = u->len };
		seg->mem = &s->mem[b];
		while (left) {
			struct page *page = s->pages[off >> PAGE_SHIFT];
			size_t poff = offset_in_page(off);
			size_t n = min_t(size_t, left, PAGE_SIZE - poff);

			if (copy_from_user(page_address(page) + poff, from, n))
				return -EFAULT;
			bvec_set_page(&s->mem[b++], page, n, poff);
			from += n;
			off += n;
			left -= n;
		}
		seg->mem_nr = &s->mem[b] - seg->mem;
	}
	return 0;
}

/* Take the files, check the socket and every range, copy the memory. */
static int zcopy_sendv_prepare(struct zcopy_call *c,
			       struct zcopy_sendv_state *s,
			       const struct zcopy_sendv *v)
{
	struct file *first_in = NULL;
	size_t memtotal;
	u32 i, nmem, npages;
	int err;

	err = zcopy_sendv_check_fields(s, &memtotal, &nmem);
	if (err)
		return err;
	npages = DIV_ROUND_UP(memtotal, PAGE_SIZE);
	err = zcopy_sendv_alloc(s, npages, nmem);
	if (err)
		return err;
	for (i = 0; i < s->count; i++, s->set = i) {
		struct zcopy_sendv_seg *seg = &s->segs[i];

		seg->r.in = NULL;
		if (s->us[i].type != ZCOPY_SEG_FILE)
			continue;
		seg->r.in = fget(s->us[i].fd);
		if (!seg->r.in)
			return -EBADF;
		if (!first_in)
			first_in = seg->r.in;
	}
	s->out = fget(v->out_fd);
	if (!s->out)
		return -EBADF;
	err = zcopy_call_init(c, s->out, v->method, v->flags, first_in);
	if (err)
		return err;
	zcopy_lend_init(s->lend, c->sock, c->msg_flags, true);

	for (i = 0; i < s->count; i++) {
		const struct zcopy_segment *u = &s->us[i];

		if (u->type != ZCOPY_SEG_FILE)
			continue;
		err = zcopy_call_check_file(c, s->segs[i].r.in, s->out,
					    u->offset, u->len, &s->segs[i].r);
		if (err)
			return err;
	}
	err = zcopy_sendv_copy_memory(s, npages);
	if (err)
		return err;
	/* Per-segment results must have somewhere to go before bytes do. */
	if (v->seg_stats &&
	    clear_user(u64_to_user_ptr(v->seg_stats),
		       array_size(s->count, sizeof(struct zcopy_stats))))
		return -EFAULT;
	c->seg_clocks = v->seg_stats != 0;
	return 0;
}

/* What sendfile(2) does besides sending, per file segment and per call. */
static void zcopy_sendv_effects(const struct zcopy_call *c,
				const struct zcopy_sendv_state *s)
{
	u64 sent = 0;
	u32 i;

	for (i = 0; i < s->reached; i++) {
		const struct zcopy_sendv_seg *seg = &s->segs[i];

		if (seg->r.in)
			zcopy_effects_file(seg->r.in, c->m, seg->x.sent);
		sent += seg->x.sent;
	}
	zcopy_effects_call(s->out, sent);
}

/* Segments up to the one that stopped count, and get their statistics. */
static int zcopy_sendv_report(const struct zcopy_call *c,
			      const struct zcopy_sendv_state *s,
			      const struct zcopy_sendv *v,
			      struct zcopy_xfer *total)
{
	struct zcopy_stats __user *ust = u64_to_user_ptr(v->seg_stats);
	int err = 0;
	u32 i;

	memset(total, 0, sizeof(*total));
	for (i = 0; i < s->reached && i <= v->seg_index; i++) {
		struct zcopy_stats st;

		/* Every segment counts, even after a failed copy-out. */
		zcopy_xfer_add(total, &s->segs[i].x);
		if (err || !ust)
			continue;
		zcopy_call_stats(c, &s->segs[i].x, &st);
		if (copy_to_user(&ust[i], &st, sizeof(st)))
			err = -EFAULT;
	}
	/* The call's own clocks also cover the checks between segments. */
	total->storage_read = c->storage_read;
	total->elapsed_ns = c->elapsed_ns;
	return err;
}

/**
 * zcopy_sendv() - run a ZCOPY_IOC_SENDV
 * @ctx: the open file of /dev/zcopy
 * @v: the argument, copied in; its outputs are filled
 *
 * Return: 0 or a negative errno (see the uAPI header).
 */
int zcopy_sendv(struct zcopy_ctx *ctx, struct zcopy_sendv *v)
{
	struct zcopy_sendv_state s = { .count = v->count };
	struct zcopy_xfer total;
	struct zcopy_call c;
	int err, rerr;

	if (v->reserved[0] || v->reserved[1] || !v->count ||
	    v->count > ZCOPY_SENDV_MAX_SEGS)
		return -EINVAL;
	s.us = vmemdup_user(u64_to_user_ptr(v->segs),
			    array_size(v->count, sizeof(*s.us)));
	if (IS_ERR(s.us))
		return PTR_ERR(s.us);
	err = zcopy_sendv_prepare(&c, &s, v);
	if (err)
		goto release;

	err = zcopy_sendv_send(&c, &s, &v->seg_index);
	zcopy_sendv_effects(&c, &s);
	v->seg_sent = v->seg_index < s.reached ?
		      s.segs[v->seg_index].x.sent : 0;
	rerr = zcopy_sendv_report(&c, &s, v, &total);
	zcopy_call_stats(&c, &total, &v->stats);
	v->sent = total.sent;
	if (total.sent)
		err = 0;
	/*
	 * What went is counted as sent even when its statistics cannot be
	 * stored (seg_stats unmapped meanwhile): the caller gets EFAULT, as
	 * when the argument struct itself cannot be written back.
	 */
	zcopy_call_account(ctx, &c, &v->stats, total.sent, err);
	if (!err)
		err = rerr;
release:
	zcopy_sendv_release(&s);
	return err;
}
