// SPDX-License-Identifier: GPL-2.0
/*
 * The one path that lends pages to a socket.  Page-cache folios of a file
 * (PAGES, MMAP), pages holding a copy the call made (SENDV's memory
 * segments) and pages read by direct I/O (DIRECT) are gathered, across
 * segments, into batches of up to ZCOPY_LEND_BATCH entries, each one
 * sendmsg; what the socket took is handed back to the transfer each page
 * came from, as page references (zero copy where the route gathers),
 * references to copies, or data the socket copied.
 */
#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/pagemap.h>
#include <linux/socket.h>
#include <linux/uio.h>

#include "lend.h"

/**
 * zcopy_lend_init() - set up an empty batch
 * @l: the batch; its own pages are kept
 * @sock: the socket it goes to
 * @msg_flags: MSG_* for every send (MSG_DONTWAIT, MSG_NOSIGNAL)
 * @by_ref: lend the pages (MSG_SPLICE_PAGES or ->sendpage), or hand them
 *	over as data the socket copies (MMAP)
 */
void zcopy_lend_init(struct zcopy_lend *l, struct socket *sock, int msg_flags,
		     bool by_ref)
{
	l->sock = sock;
	l->msg_flags = msg_flags;
	l->by_ref = by_ref;
	l->corked = false;
	l->nr = 0;
	l->bytes = 0;
}

/**
 * zcopy_lend_add() - append a page range to the batch, which has room
 * @l: the batch
 * @x: the transfer the bytes belong to
 * @page: first page of the range
 * @off: offset in @page, in bytes (may run past it, within a folio)
 * @len: bytes
 * @ref: a folio reference the batch now owns and drops after the send, or
 *	NULL for pages the caller keeps
 * @copy: the pages hold a CPU copy of the bytes, not the file's own pages
 */
void zcopy_lend_add(struct zcopy_lend *l, struct zcopy_xfer *x,
		    struct page *page, size_t off, size_t len,
		    struct folio *ref, bool copy)
{
	unsigned int e = l->nr++;

	bvec_set_page(&l->bv[e], page, len, off);
	l->ref[e] = ref;
	l->owner[e] = x;
	l->copy[e] = copy;
	l->bytes += len;
}

/**
 * zcopy_lend_file() - append the page-cache folios holding [@pos, @end)
 * @l: the batch
 * @x: the transfer reading its file's own page cache (hit and miss counts
 *	advance)
 * @pos: first byte wanted; advanced past what was added
 * @end: one past the last byte wanted
 *
 * Stops when @l is full, at end of file (re-read per folio: the file may
 * shrink meanwhile) or at an error.  Each entry holds a folio reference:
 * never the folio lock, as TCP sleeps and takes references of its own.
 *
 * Return: 0 or a negative errno.
 */
int zcopy_lend_file(struct zcopy_lend *l, struct zcopy_xfer *x, loff_t *pos,
		    loff_t end)
{
	struct inode *inode = file_inode(x->in);

	while (!zcopy_lend_full(l) && *pos < end) {
		struct folio *folio;
		loff_t isize;
		size_t off, n, copy_len;

		if (*pos >= i_size_read(inode))
			break;
		folio = zcopy_cache_get_folio(x, *pos, end, &copy_len);
		if (IS_ERR(folio))
			return PTR_ERR(folio);
		if (!folio)
			break;
		/*
		 * After the folio, as filemap_read() does: a file truncated
		 * while it was read must not send what the folio holds past
		 * the new end (zeroes a read past EOF made up).
		 */
		isize = i_size_read(inode);
		if (*pos >= isize) {
			folio_put(folio);
			break;
		}
		off = offset_in_folio(folio, *pos);
		n = min3(folio_size(folio) - off, (size_t)(end - *pos),
			 (size_t)(isize - *pos));
		if (copy_len) {
			/* A copy holds what the file had when it was read. */
			if (off >= copy_len) {
				folio_put(folio);
				break;
			}
			n = min(n, copy_len - off);
		}
		zcopy_lend_add(l, x, folio_page(folio, 0), off, n, folio,
			       copy_len != 0);
		*pos += n;
	}
	return 0;
}

/**
 * zcopy_lend_release() - drop the batch's references; it is empty after
 * @l: the batch
 */
void zcopy_lend_release(struct zcopy_lend *l)
{
	while (l->nr) {
		l->nr--;
		if (l->ref[l->nr])
			folio_put(l->ref[l->nr]);
	}
	l->bytes = 0;
}

static int zcopy_sock_send_copy(struct socket *sock, struct bio_vec *bv,
				unsigned int nr, size_t bytes, int flags)
{
	struct msghdr msg = { .msg_flags = flags };

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, nr, bytes);
	return sock_sendmsg(sock, &msg);
}

/* Give each entry's owner the bytes of it that the socket took. */
static void zcopy_lend_account(struct zcopy_lend *l, size_t took)
{
	unsigned int e;

	for (e = 0; e < l->nr && took; e++) {
		struct zcopy_xfer *x = l->owner[e];
		size_t part = min_t(size_t, took, l->bv[e].bv_len);

		if (!l->by_ref)
			x->sock_copied += part;
		else if (l->copy[e])
			x->copy_ref_bytes += part;
		else
			x->ref_bytes += part;
		zcopy_xfer_advance(x, part);
		took -= part;
	}
}

/**
 * zcopy_lend_flush() - send the batch in one sendmsg and empty it
 * @l: the batch (nothing happens if it is empty)
 * @more: more data follows: MSG_MORE, so TCP builds full frames across sends
 * @stop: set when the socket took less than all of it (full non-blocking
 *	socket, signal, timeout, error): what follows must not go
 *
 * Return: 0, or the negative errno of a send that took nothing.
 */
int zcopy_lend_flush(struct zcopy_lend *l, bool more, bool *stop)
{
	int flags = l->msg_flags | (more ? MSG_MORE : 0);
	int ret;

	if (!l->nr)
		return 0;
	if (l->by_ref && l->release)
		ret = zcopy_release_send(l->release, l->sock, l->bv, l->nr,
					 l->bytes, flags);
	else if (l->by_ref)
		ret = zcopy_sock_send_pages(l->sock, l->bv, l->nr, l->bytes,
					    flags);
	else
		ret = zcopy_sock_send_copy(l->sock, l->bv, l->nr, l->bytes,
					   flags);
	if (ret > 0) {
		zcopy_lend_account(l, ret);
		l->corked = more;
	}
	if (ret < 0 || ret < l->bytes)
		*stop = true;
	zcopy_lend_release(l);
	return ret < 0 ? ret : 0;
}

/**
 * zcopy_own_pages_alloc() - fill a buffer of the call's own pages
 * @b: the buffer; on failure it is emptied
 * @nr: pages it must hold, at most ZCOPY_OWN_PAGES
 *
 * For the methods that read into pages of their own and lend those (COPY's
 * bounce buffer, DIRECT's reads).  Each entry spans its whole page.
 *
 * Return: 0 or -ENOMEM.
 */
int zcopy_own_pages_alloc(struct zcopy_own_pages *b, unsigned int nr)
{
	while (b->nr < nr) {
		struct page *page = alloc_page(GFP_KERNEL_ACCOUNT);

		if (!page) {
			zcopy_own_pages_put(b);
			return -ENOMEM;
		}
		bvec_set_page(&b->bv[b->nr++], page, PAGE_SIZE, 0);
	}
	return 0;
}

/**
 * zcopy_own_pages_put() - drop the buffer's pages; it is empty after
 * @b: the buffer
 *
 * The socket holds references of its own to any it still needs.
 */
void zcopy_own_pages_put(struct zcopy_own_pages *b)
{
	while (b->nr)
		put_page(b->bv[--b->nr].bv_page);
}
