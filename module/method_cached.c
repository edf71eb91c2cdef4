// SPDX-License-Identifier: GPL-2.0
/*
 * PAGES and MMAP: the file's page-cache folios go to the socket through the
 * lending path, either as page references (PAGES: what sendfile with a
 * gathering NIC does) or as data the socket copies into its own buffers
 * (MMAP: what write() from an mmap()ed file does, one CPU copy and no
 * bounce buffer).  PAGES has no send of its own: the core gathers its folios
 * with the segments around it (transfer.c).
 */
#include <linux/fs.h>

#include "lend.h"

static int zcopy_mmap_send(struct zcopy_xfer *x, struct zcopy_lend *l)
{
	bool stop = false;
	int ret = 0, err;

	zcopy_lend_init(l, x->sock, x->msg_flags, false);
	while (x->len && !stop) {
		loff_t pos = x->pos;

		ret = zcopy_lend_file(l, x, &pos, x->pos + x->len);
		if (!l->nr)
			break;
		/* What was read before a failure still goes, as with PAGES. */
		err = zcopy_lend_flush(l, (!ret && l->bytes < x->len) || x->more,
				       &stop);
		x->corked = l->corked;
		ret = ret ?: err;
		if (ret || zcopy_xfer_should_stop(x))
			break;
	}
	zcopy_lend_release(l);
	return ret;
}

const struct zcopy_method zcopy_method_pages = {
	.name = "pages",
	.reads = ZCOPY_READS_CACHE,
};

const struct zcopy_method zcopy_method_mmap = {
	.name = "mmap",
	.reads = ZCOPY_READS_CACHE,
	.send = zcopy_mmap_send,
};
