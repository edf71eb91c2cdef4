// SPDX-License-Identifier: GPL-2.0
/*
 * COPY: the read() + write() baseline.  The range is read into a bounce
 * buffer of the call's own pages (one CPU copy), and the socket copies
 * those into its buffers (a second copy), through the lending path in its
 * copying mode.
 */
#include <linux/fs.h>
#include <linux/build_bug.h>
#include <linux/uio.h>

#include "lend.h"

/* The buffer of a typical read()/write() loop: 64 KiB. */
#define ZCOPY_BOUNCE_PAGES	16

/*
 * ->read_iter into the buffer's pages, as __kernel_read() does but without
 * its per-read rchar, syscr and fsnotify: the call accounts once for the
 * whole transfer, as sendfile(2) does.  Pages, not a kvec: direct I/O of an
 * O_DIRECT file cannot read into a kvec before Linux 6.3.  Only what the
 * read did not take from storage by DMA was copied by the CPU.
 */
static ssize_t zcopy_copy_read(struct zcopy_xfer *x,
			       struct zcopy_own_pages *b, size_t len)
{
	struct iov_iter iter;
	struct kiocb kiocb;
	u64 io_start;
	ssize_t ret;

	init_sync_kiocb(&kiocb, x->in);
	kiocb.ki_pos = x->pos;
	iov_iter_bvec(&iter, ITER_DEST, b->bv, b->nr, len);
	io_start = zcopy_task_read_bytes();
	ret = x->in->f_op->read_iter(&kiocb, &iter);
	if (ret > 0 && zcopy_task_read_bytes() - io_start < ret)
		x->module_copied += ret;
	return ret;
}

static int zcopy_copy_send(struct zcopy_xfer *x, struct zcopy_lend *l)
{
	struct zcopy_own_pages *b = &l->own;
	unsigned int nr;
	bool stop = false;
	int ret = 0;

	/* A buffer's worth goes in one send. */
	BUILD_BUG_ON(ZCOPY_LEND_BATCH < ZCOPY_BOUNCE_PAGES);
	BUILD_BUG_ON(ZCOPY_OWN_PAGES < ZCOPY_BOUNCE_PAGES);
	zcopy_lend_init(l, x->sock, x->msg_flags, false);
	nr = min_t(u64, DIV_ROUND_UP((u64)x->len, PAGE_SIZE),
		   ZCOPY_BOUNCE_PAGES);
	ret = zcopy_own_pages_alloc(b, nr);
	if (ret)
		return ret;

	while (x->len && !stop) {
		size_t want = min_t(size_t, x->len, b->nr * PAGE_SIZE);
		ssize_t n;
		size_t off;

		ret = zcopy_cache_prepare(x, x->pos, x->pos + want);
		if (ret)
			break;
		n = zcopy_copy_read(x, b, want);
		if (n <= 0) {
			ret = n;
			break;
		}
		/* The socket copies the pages: the call keeps them. */
		for (off = 0; off < n; off += PAGE_SIZE)
			zcopy_lend_add(l, x, b->bv[off >> PAGE_SHIFT].bv_page, 0,
				       min_t(size_t, n - off, PAGE_SIZE), NULL,
				       true);
		ret = zcopy_lend_flush(l, n < x->len || x->more, &stop);
		x->corked = l->corked;
		if (ret || zcopy_xfer_should_stop(x))
			break;
	}
	zcopy_own_pages_put(b);
	return ret;
}

const struct zcopy_method zcopy_method_copy = {
	.name = "copy",
	.reads = ZCOPY_READS_FILE,
	.send = zcopy_copy_send,
};
