// SPDX-License-Identifier: GPL-2.0
/*
 * PAGES and MMAP: walk the page cache and give the folios to the socket,
 * either as page references (PAGES: what sendfile with a gathering NIC does)
 * or as data the socket copies into its own buffers (MMAP: what write() from
 * an mmap()ed file does, one CPU copy and no bounce buffer).
 */
#include <linux/backing-dev.h>
#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/socket.h>
#include <linux/uio.h>

#include "compat.h"
#include "zcopy.h"

/* Folios per sendmsg: enough to fill a 64 KiB TSO frame from 4 KiB pages. */
#define ZCOPY_BATCH	16

/**
 * zcopy_pagevec_release() - drop the folio references of a page vector
 * @pv: the vector; emptied
 */
void zcopy_pagevec_release(struct zcopy_pagevec *pv)
{
	while (pv->nr) {
		pv->nr--;
		if (pv->folios[pv->nr])
			folio_put(pv->folios[pv->nr]);
	}
	pv->bytes = 0;
}

/**
 * zcopy_pagevec_add_file() - append the folios holding [@pos, @end)
 * @pv: the vector; each entry holds a folio reference
 * @x: the transfer reading @x->in (its hit and miss counts advance)
 * @pos: first byte wanted; advanced past what was added
 * @end: one past the last byte wanted
 *
 * Stops when @pv is full, at end of file (re-read per folio: the file may
 * shrink meanwhile) or at an error.
 *
 * Return: 0 or a negative errno.
 */
int zcopy_pagevec_add_file(struct zcopy_pagevec *pv, struct zcopy_xfer *x,
			   loff_t *pos, loff_t end)
{
	struct inode *inode = file_inode(x->in);

	while (pv->nr < pv->max && *pos < end) {
		loff_t isize = i_size_read(inode);
		struct folio *folio;
		size_t off, n;

		if (*pos >= isize)
			break;
		folio = zcopy_cache_get_folio(x, *pos, end);
		if (IS_ERR(folio))
			return PTR_ERR(folio);
		if (!folio)
			break;
		off = offset_in_folio(folio, *pos);
		n = min3(folio_size(folio) - off, (size_t)(end - *pos),
			 (size_t)(isize - *pos));
		bvec_set_page(&pv->bv[pv->nr], folio_page(folio, 0), n, off);
		pv->folios[pv->nr++] = folio;
		pv->bytes += n;
		*pos += n;
	}
	return 0;
}

static int zcopy_sock_send_copy(struct socket *sock, struct bio_vec *bv,
				unsigned int nr, size_t bytes, int flags)
{
	struct msghdr msg = { .msg_flags = flags };

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, nr, bytes);
	return sock_sendmsg(sock, &msg);
}

static int zcopy_send_cached(struct zcopy_xfer *x, bool by_ref)
{
	struct bio_vec bv[ZCOPY_BATCH];
	struct folio *folios[ZCOPY_BATCH];
	struct zcopy_pagevec b = {
		.bv = bv, .folios = folios, .max = ZCOPY_BATCH,
	};
	int ret = 0;

	while (x->len) {
		loff_t pos = x->pos;
		int flags;

		ret = zcopy_pagevec_add_file(&b, x, &pos, x->pos + x->len);
		if (ret || !b.nr)
			break;
		flags = zcopy_send_flags(x, b.bytes);
		/*
		 * Only a reference is held across the send, never the folio
		 * lock: TCP sleeps, and takes its own page references.
		 */
		if (by_ref)
			ret = zcopy_sock_send_pages(x->sock, b.bv, b.nr,
						    b.bytes, flags);
		else
			ret = zcopy_sock_send_copy(x->sock, b.bv, b.nr,
						   b.bytes, flags);
		if (ret > 0) {
			if (by_ref)
				x->ref_bytes += ret;
			else
				x->sock_copied += ret;
			zcopy_xfer_advance(x, ret);
		}
		if (ret < 0 || ret < b.bytes || zcopy_xfer_should_stop(x))
			break;
		zcopy_pagevec_release(&b);
	}
	zcopy_pagevec_release(&b);
	return ret < 0 ? ret : 0;
}

/**
 * zcopy_cached_check() - whether a file's data lives in the page cache
 * @in: the file
 *
 * Disk and network filesystems have a backing device; tmpfs keeps its data
 * in the page cache too.  Pseudo files (sysfs, procfs, debugfs) make their
 * contents up on each read and have neither: there is nothing to lend.
 *
 * Return: 0, or -EINVAL for a file these methods cannot serve.
 */
int zcopy_cached_check(struct file *in)
{
	if (shmem_mapping(in->f_mapping) ||
	    file_inode(in)->i_sb->s_bdi != &noop_backing_dev_info)
		return 0;
	return -EINVAL;
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
	.check = zcopy_cached_check,
	.send = zcopy_pages_send,
};

const struct zcopy_method zcopy_method_mmap = {
	.name = "mmap",
	.check = zcopy_cached_check,
	.send = zcopy_mmap_send,
};
