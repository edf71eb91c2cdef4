// SPDX-License-Identifier: GPL-2.0
/*
 * Page-cache side of the methods that send page-cache folios: count hits and
 * misses before anything is read, fill the cache without copying, and hand
 * out referenced, uptodate folios.
 */
#include <linux/fadvise.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/uio.h>

#include "compat.h"
#include "zcopy.h"

/* How far ahead one miss makes us read: bounds the cache a transfer pins. */
#define ZCOPY_FILL_WINDOW	(2UL << 20)

/**
 * zcopy_cache_probe() - count cached pages of [@start, @end) not yet counted
 * @x: the transfer; its hit_pages, miss_pages and probed_to advance
 * @start: first byte
 * @end: one past the last byte
 *
 * Return: the index of the first page found missing, or ULONG_MAX.
 */
pgoff_t zcopy_cache_probe(struct zcopy_xfer *x, loff_t start, loff_t end)
{
	struct address_space *mapping = x->in->f_mapping;
	pgoff_t index, last, first_miss = ULONG_MAX;

	if (end <= start)
		return first_miss;
	index = max_t(pgoff_t, x->probed_to, start >> PAGE_SHIFT);
	last = (end - 1) >> PAGE_SHIFT;
	while (index <= last) {
		struct folio *folio = zcopy_folio_lookup(mapping, index);
		pgoff_t nr = 1;

		if (folio) {
			nr = min(folio->index + folio_nr_pages(folio),
				 last + 1) - index;
			if (folio_test_uptodate(folio))
				x->hit_pages += nr;
			else
				x->miss_pages += nr;
			if (!folio_test_uptodate(folio) && first_miss == ULONG_MAX)
				first_miss = index;
			folio_put(folio);
		} else {
			x->miss_pages++;
			if (first_miss == ULONG_MAX)
				first_miss = index;
		}
		index += nr;
	}
	x->probed_to = max(x->probed_to, last + 1);
	return first_miss;
}

/* How much readahead one ZCOPY_F_NODISKIO refusal starts. */
#define ZCOPY_NODISKIO_READAHEAD	(16UL << 20)

/**
 * zcopy_cache_ready() - whether [@pos, @pos + @len) can be sent without
 * waiting for storage
 * @in: the file
 * @pos: first byte
 * @len: bytes
 *
 * If not, readahead starts from the first missing page, for up to 16 MiB in
 * window-sized requests (the kernel caps each one at its readahead window),
 * so that a later call finds the range cached.  A file without ->read_folio
 * (shmem) keeps nothing on storage but swap: its holes are never read, so it
 * always qualifies.
 *
 * Return: true if every page of the range is uptodate in the page cache.
 */
bool zcopy_cache_ready(struct file *in, loff_t pos, size_t len)
{
	struct zcopy_xfer probe = { .in = in };
	loff_t end = pos + len;
	pgoff_t miss;

	if (!in->f_mapping->a_ops->read_folio)
		return true;
	miss = zcopy_cache_probe(&probe, pos, end);
	if (miss == ULONG_MAX)
		return true;
	pos = max_t(loff_t, pos, (loff_t)miss << PAGE_SHIFT);
	end = min_t(loff_t, end, pos + ZCOPY_NODISKIO_READAHEAD);
	for (; pos < end; pos += ZCOPY_FILL_WINDOW)
		vfs_fadvise(in, pos, min_t(loff_t, end - pos, ZCOPY_FILL_WINDOW),
			    POSIX_FADV_WILLNEED);
	return false;
}

/*
 * Read [pos, end) into the page cache through ->read_iter with a discard
 * iterator: readahead, ->read_folio and truncation retries run as for read(2),
 * and no byte is copied.  IOCB_DIRECT is cleared so an O_DIRECT file still
 * fills the cache these methods send from.
 */
static int zcopy_cache_fill(struct file *in, loff_t pos, loff_t end)
{
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t ret;

	init_sync_kiocb(&kiocb, in);
	kiocb.ki_flags &= ~IOCB_DIRECT;
	kiocb.ki_pos = pos;
	iov_iter_discard(&iter, ITER_DEST, end - pos);
	ret = in->f_op->read_iter(&kiocb, &iter);
	return ret < 0 ? ret : 0;
}

static struct folio *zcopy_cached_folio(struct address_space *mapping,
					pgoff_t index)
{
	struct folio *folio = zcopy_folio_lookup(mapping, index);

	if (folio && !folio_test_uptodate(folio)) {
		folio_put(folio);
		return NULL;
	}
	return folio;
}

/**
 * zcopy_cache_get_folio() - the uptodate folio holding byte @pos
 * @x: the transfer (hit and miss counts advance)
 * @pos: the byte wanted
 * @end: end of the transfer: how far a miss may read ahead
 *
 * The first look at a page decides hit or miss.  On a miss the window from
 * @pos is probed, then read into the cache, then looked up again.  A page
 * still absent after the read is a hole of a filesystem that keeps holes
 * out of the cache (shmem): it is sent as the zero page, as splice does.
 *
 * Return: a folio with a reference the caller drops, NULL if the file now
 * ends before @pos, or an ERR_PTR.
 */
struct folio *zcopy_cache_get_folio(struct zcopy_xfer *x, loff_t pos,
				    loff_t end)
{
	struct address_space *mapping = x->in->f_mapping;
	pgoff_t index = pos >> PAGE_SHIFT;
	struct folio *folio;
	loff_t wend;
	int err;

	folio = zcopy_cached_folio(mapping, index);
	if (folio) {
		if (index >= x->probed_to) {
			pgoff_t stop = min(folio->index + folio_nr_pages(folio),
					   (pgoff_t)((end - 1) >> PAGE_SHIFT) + 1);

			x->hit_pages += stop - index;
			x->probed_to = stop;
		}
		return folio;
	}

	wend = min_t(loff_t, end, pos + ZCOPY_FILL_WINDOW);
	zcopy_cache_probe(x, pos, wend);
	err = zcopy_cache_fill(x->in, pos, wend);
	if (err)
		return ERR_PTR(err);

	folio = zcopy_cached_folio(mapping, index);
	if (folio)
		return folio;
	/* Truncated since the caller looked at i_size: a short transfer. */
	if (pos >= i_size_read(mapping->host))
		return NULL;
	if (mapping->a_ops->read_folio)
		return ERR_PTR(-EIO);
	folio = page_folio(ZERO_PAGE(0));
	folio_get(folio);
	return folio;
}
