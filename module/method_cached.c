// SPDX-License-Identifier: GPL-2.0
/*
 * PAGES and MMAP: walk the file's page cache and give the folios to the
 * socket through the lending path, either as page references (PAGES: what
 * sendfile with a gathering NIC does) or as data the socket copies into its
 * own buffers (MMAP: what write() from an mmap()ed file does, one CPU copy
 * and no bounce buffer).
 */
#include <linux/fs.h>
#include <linux/slab.h>

#include "zcopy.h"

static int zcopy_send_cached(struct zcopy_xfer *x, bool by_ref)
{
	struct zcopy_lend *l;
	bool stop = false;
	int ret = 0;

	l = zcopy_lend_alloc(x->sock, x->msg_flags, by_ref);
	if (!l)
		return -ENOMEM;
	while (x->len && !stop) {
		loff_t pos = x->pos;

		ret = zcopy_lend_file(l, x, &pos, x->pos + x->len);
		if (ret || !l->nr)
			break;
		ret = zcopy_lend_flush(l, l->bytes < x->len || x->more, &stop);
		x->corked = l->corked;
		if (zcopy_xfer_should_stop(x))
			break;
	}
	zcopy_lend_release(l);
	kfree(l);
	return ret;
}

static int zcopy_pages_send(struct zcopy_xfer *x)
{
	return zcopy_send_cached(x, true);
}

static int zcopy_mmap_send(struct zcopy_xfer *x)
{
	return zcopy_send_cached(x, false);
}

const struct zcopy_method zcopy_method_pages = {
	.name = "pages",
	.reads = ZCOPY_READS_CACHE,
	.send = zcopy_pages_send,
};

const struct zcopy_method zcopy_method_mmap = {
	.name = "mmap",
	.reads = ZCOPY_READS_CACHE,
	.send = zcopy_mmap_send,
};
