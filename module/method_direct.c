// SPDX-License-Identifier: GPL-2.0
/*
 * DIRECT: read the range from storage with direct I/O into pages the module
 * allocates (a kiocb with IOCB_DIRECT over an ITER_BVEC, as the loop driver
 * does), then lend those pages to the socket (lend.c).  The page cache
 * is neither consulted nor filled.
 */
#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uio.h>

#include "lend.h"

/* Pages per read: large enough for few I/Os, small enough to pin little. */
#define ZCOPY_DIRECT_PAGES	ZCOPY_OWN_PAGES

/*
 * Read [start, start + nr pages) with direct I/O.  Page-aligned offsets and
 * lengths satisfy every block size up to PAGE_SIZE, so callers may ask for
 * any byte range.  A read that did not take all of it from storage was
 * copied by the CPU, in part or whole (a filesystem whose "direct" read
 * serves its own cache, DAX): *@copied says so, and the pages then go to
 * the socket as copies.
 */
static ssize_t zcopy_direct_read(struct zcopy_xfer *x,
				 struct zcopy_own_pages *b, loff_t start,
				 bool *copied)
{
	struct iov_iter iter;
	struct kiocb kiocb;
	u64 io_start;
	ssize_t ret;

	init_sync_kiocb(&kiocb, x->in);
	kiocb.ki_flags |= IOCB_DIRECT;
	kiocb.ki_pos = start;
	iov_iter_bvec(&iter, ITER_DEST, b->bv, b->nr,
		      (size_t)b->nr << PAGE_SHIFT);
	io_start = zcopy_task_read_bytes();
	ret = x->in->f_op->read_iter(&kiocb, &iter);
	*copied = false;
	if (ret > 0) {
		/*
		 * Which pages storage filled by DMA cannot be told apart
		 * from those the CPU filled: all of them count as copied,
		 * never as zero copy.
		 */
		*copied = zcopy_task_read_bytes() - io_start < ret;
		if (*copied)
			x->module_copied += ret;
	}
	return ret;
}

/*
 * Hand bytes [skip, skip + bytes) of the read to the batch: the batch owns
 * the pages holding them from now on, the others are dropped.  A full
 * batch is sent on the way (possible when it is smaller than a read).
 */
static int zcopy_direct_lend(struct zcopy_xfer *x, struct zcopy_lend *l,
			     struct zcopy_own_pages *b, size_t skip,
			     size_t bytes, bool copied, bool *stop)
{
	size_t end = skip + bytes;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < b->nr; i++) {
		struct page *page = b->bv[i].bv_page;
		size_t first = (size_t)i << PAGE_SHIFT;
		size_t from = max(skip, first);
		size_t to = min(end, first + PAGE_SIZE);

		if (!ret && !*stop && from < to && zcopy_lend_full(l))
			ret = zcopy_lend_flush(l, true, stop);
		if (ret || *stop || from >= to) {
			put_page(page);
			continue;
		}
		zcopy_lend_add(l, x, page, from - first, to - from,
			       page_folio(page), copied);
	}
	b->nr = 0;
	return ret;
}

static int zcopy_direct_check(struct file *in)
{
	return in->f_mode & FMODE_CAN_ODIRECT ? 0 : -EINVAL;
}

static int zcopy_direct_send(struct zcopy_xfer *x, struct zcopy_lend *l)
{
	struct zcopy_own_pages *b = &l->own;
	bool stop = false;
	int ret = 0;

	zcopy_lend_init(l, x->sock, x->msg_flags, true);
	while (x->len && !stop) {
		loff_t start = round_down(x->pos, PAGE_SIZE);
		size_t skip = x->pos - start;
		/* In u64: the range may end at the largest file size. */
		unsigned int nr = min_t(u64, DIV_ROUND_UP((u64)skip + x->len,
							  PAGE_SIZE),
					ZCOPY_DIRECT_PAGES);
		bool copied;
		ssize_t got;

		ret = zcopy_own_pages_alloc(b, nr);
		if (ret)
			break;
		got = zcopy_direct_read(x, b, start, &copied);
		if (got <= (ssize_t)skip) {
			ret = got < 0 ? got : 0;	/* an error, or EOF */
			break;
		}
		ret = zcopy_direct_lend(x, l, b, skip,
					min_t(size_t, got - skip, x->len),
					copied, &stop);
		if (!ret && !stop)
			ret = zcopy_lend_flush(l, l->bytes < x->len || x->more,
					       &stop);
		x->corked = l->corked;
		if (ret || zcopy_xfer_should_stop(x))
			break;
	}
	zcopy_own_pages_put(b);
	zcopy_lend_release(l);
	return ret;
}

const struct zcopy_method zcopy_method_direct = {
	.name = "direct",
	.reads = ZCOPY_READS_STORAGE,
	.check = zcopy_direct_check,
	.send = zcopy_direct_send,
};
