// SPDX-License-Identifier: GPL-2.0
/*
 * DIRECT: read the range from storage with direct I/O into pages the module
 * allocates (a kiocb with IOCB_DIRECT over an ITER_BVEC, as the loop driver
 * does), then hand those pages to the socket by reference.  The page cache
 * is neither consulted nor filled.
 */
#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/uio.h>

#include "compat.h"
#include "zcopy.h"

/* Pages per read: large enough for few I/Os, small enough to pin little. */
#define ZCOPY_DIRECT_PAGES	32

struct zcopy_direct_buf {
	struct bio_vec bv[ZCOPY_DIRECT_PAGES];
	unsigned int nr;
};

static void zcopy_direct_put(struct zcopy_direct_buf *b)
{
	/* The socket holds its own references to what it still needs. */
	while (b->nr)
		put_page(b->bv[--b->nr].bv_page);
}

static int zcopy_direct_alloc(struct zcopy_direct_buf *b, unsigned int nr)
{
	while (b->nr < nr) {
		struct page *page = alloc_page(GFP_KERNEL);

		if (!page) {
			zcopy_direct_put(b);
			return -ENOMEM;
		}
		bvec_set_page(&b->bv[b->nr++], page, PAGE_SIZE, 0);
	}
	return 0;
}

/*
 * Read [start, start + nr pages) with direct I/O.  Page-aligned offsets and
 * lengths satisfy every block size up to PAGE_SIZE, so callers may ask for
 * any byte range.  Whatever the read did not take from storage was copied
 * by the CPU (a filesystem whose "direct" read serves its own cache).
 */
static ssize_t zcopy_direct_read(struct zcopy_xfer *x,
				 struct zcopy_direct_buf *b, loff_t start)
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
	if (ret > 0) {
		u64 from_storage = zcopy_task_read_bytes() - io_start;

		if (from_storage < ret)
			x->module_copied += ret - from_storage;
	}
	return ret;
}

/*
 * Trim the buffer's vector in place to the bytes [skip, skip + bytes) of the
 * read; the pages stay listed for zcopy_direct_put().
 */
static struct bio_vec *zcopy_direct_window(struct zcopy_direct_buf *b,
					   size_t skip, size_t bytes,
					   unsigned int *nr)
{
	struct bio_vec *first = &b->bv[skip >> PAGE_SHIFT];
	size_t off = offset_in_page(skip);
	struct bio_vec *last;

	*nr = DIV_ROUND_UP(off + bytes, PAGE_SIZE);
	last = first + *nr - 1;
	last->bv_len = off + bytes - ((size_t)(*nr - 1) << PAGE_SHIFT);
	first->bv_offset = off;
	first->bv_len -= off;
	return first;
}

static int zcopy_direct_check(struct file *in)
{
	return in->f_mode & FMODE_CAN_ODIRECT ? 0 : -EINVAL;
}

static int zcopy_direct_send(struct zcopy_xfer *x)
{
	struct zcopy_direct_buf b = { .nr = 0 };
	int ret = 0;

	while (x->len) {
		loff_t start = round_down(x->pos, PAGE_SIZE);
		loff_t end = min_t(loff_t, round_up(x->pos + x->len, PAGE_SIZE),
				   start + ZCOPY_DIRECT_PAGES * PAGE_SIZE);
		size_t skip = x->pos - start;
		struct bio_vec *window;
		unsigned int nr;
		ssize_t got;
		size_t bytes;

		ret = zcopy_direct_alloc(&b, (end - start) >> PAGE_SHIFT);
		if (ret)
			break;
		got = zcopy_direct_read(x, &b, start);
		if (got <= (ssize_t)skip) {
			ret = got < 0 ? got : 0;	/* an error, or EOF */
			break;
		}
		bytes = min_t(size_t, got - skip, x->len);
		window = zcopy_direct_window(&b, skip, bytes, &nr);
		ret = zcopy_sock_send_pages(x->sock, window, nr, bytes,
					    zcopy_send_flags(x, bytes));
		zcopy_direct_put(&b);
		if (ret > 0) {
			x->ref_bytes += ret;
			zcopy_xfer_advance(x, ret);
		}
		if (ret < 0 || ret < bytes || zcopy_xfer_should_stop(x))
			break;
	}
	zcopy_direct_put(&b);
	return ret < 0 ? ret : 0;
}

const struct zcopy_method zcopy_method_direct = {
	.name = "direct",
	.check = zcopy_direct_check,
	.send = zcopy_direct_send,
};
