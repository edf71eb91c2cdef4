// SPDX-License-Identifier: GPL-2.0
/*
 * ZCOPY_IOC_SENDV: headers, file ranges and trailers in one call.  The
 * vector is copied in once and every segment is checked, every file taken
 * and every memory segment copied before the first byte goes out.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "zcopy.h"

struct zcopy_sendv_seg {
	struct zcopy_range r;	/* file segment; r.in NULL for memory */
	void *buf;		/* memory segment, inside the call's buffer */
	size_t len;
	struct zcopy_xfer x;	/* what sending it did */
};

struct zcopy_sendv_state {
	const struct zcopy_segment *us;	/* the user's vector, copied */
	struct zcopy_sendv_seg *segs;
	u32 count;
	void *membuf;
	struct file *out;
};

static void zcopy_sendv_release(struct zcopy_sendv_state *s)
{
	u32 i;

	for (i = 0; s->segs && i < s->count; i++)
		if (s->segs[i].r.in)
			fput(s->segs[i].r.in);
	if (s->out)
		fput(s->out);
	kvfree(s->segs);
	kvfree(s->membuf);
	kvfree(s->us);
}

/* Field checks that need no file: types, unused fields, memory total. */
static int zcopy_sendv_check_fields(struct zcopy_sendv_state *s,
				    size_t *memtotal)
{
	u32 i;

	*memtotal = 0;
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
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* Take the files, check the socket and every range, copy the memory. */
static int zcopy_sendv_prepare(struct zcopy_call *c,
			       struct zcopy_sendv_state *s,
			       const struct zcopy_sendv *v)
{
	struct file *first_in = NULL;
	size_t memtotal, memoff = 0;
	u32 i;
	int err;

	err = zcopy_sendv_check_fields(s, &memtotal);
	if (err)
		return err;
	for (i = 0; i < s->count; i++) {
		if (s->us[i].type != ZCOPY_SEG_FILE)
			continue;
		s->segs[i].r.in = fget(s->us[i].fd);
		if (!s->segs[i].r.in)
			return -EBADF;
		if (!first_in)
			first_in = s->segs[i].r.in;
	}
	s->out = fget(v->out_fd);
	if (!s->out)
		return -EBADF;
	err = zcopy_call_init(c, s->out, v->method, v->flags, first_in);
	if (err)
		return err;

	if (memtotal) {
		s->membuf = kvmalloc(memtotal, GFP_KERNEL);
		if (!s->membuf)
			return -ENOMEM;
	}
	for (i = 0; i < s->count; i++) {
		const struct zcopy_segment *u = &s->us[i];
		struct zcopy_sendv_seg *seg = &s->segs[i];

		if (u->type == ZCOPY_SEG_FILE) {
			err = zcopy_call_check_file(c, seg->r.in, s->out,
						    u->offset, u->len, &seg->r);
			if (err)
				return err;
			continue;
		}
		seg->buf = s->membuf + memoff;
		seg->len = u->len;
		if (copy_from_user(seg->buf, u64_to_user_ptr(u->addr), u->len))
			return -EFAULT;
		memoff += u->len;
	}
	/* Per-segment results must have somewhere to go before bytes do. */
	if (v->seg_stats &&
	    clear_user(u64_to_user_ptr(v->seg_stats),
		       array_size(s->count, sizeof(struct zcopy_stats))))
		return -EFAULT;
	return 0;
}

static int zcopy_sendv_run(struct zcopy_call *c, struct zcopy_sendv_state *s,
			   u32 *index)
{
	int err = 0;
	u32 i;

	zcopy_call_begin(c);
	for (i = 0; i < s->count; i++) {
		struct zcopy_sendv_seg *seg = &s->segs[i];
		bool last = i == s->count - 1;

		if (seg->r.in)
			err = zcopy_call_send_file(c, &seg->r, last, &seg->x);
		else
			err = zcopy_call_send_memory(c, seg->buf, seg->len,
						     last, &seg->x);
		if (err || seg->x.len)
			break;
	}
	zcopy_call_end(c);
	*index = i;
	return err;
}

static int zcopy_sendv_report(const struct zcopy_call *c,
			      const struct zcopy_sendv_state *s,
			      struct zcopy_sendv *v, struct zcopy_xfer *total)
{
	struct zcopy_stats __user *ust = u64_to_user_ptr(v->seg_stats);
	int err = 0;
	u32 i;

	memset(total, 0, sizeof(*total));
	for (i = 0; i < s->count; i++) {
		struct zcopy_stats st;

		/* Every segment counts, even after a failed copy-out. */
		zcopy_xfer_add(total, &s->segs[i].x);
		if (err || !ust || i > v->seg_index)
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
	u32 index;
	int err, rerr;

	if (v->reserved[0] || v->reserved[1] || !v->count ||
	    v->count > ZCOPY_SENDV_MAX_SEGS)
		return -EINVAL;
	s.us = vmemdup_user(u64_to_user_ptr(v->segs),
			    array_size(v->count, sizeof(*s.us)));
	if (IS_ERR(s.us))
		return PTR_ERR(s.us);
	s.segs = kvcalloc(v->count, sizeof(*s.segs), GFP_KERNEL);
	if (!s.segs) {
		err = -ENOMEM;
		goto release;
	}
	err = zcopy_sendv_prepare(&c, &s, v);
	if (err)
		goto release;

	err = zcopy_sendv_run(&c, &s, &index);
	v->seg_index = index;
	v->seg_sent = index < s.count ? s.segs[index].x.sent : 0;
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
