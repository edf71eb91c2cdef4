// SPDX-License-Identifier: GPL-2.0
/*
 * The page-cache side of every method that reads through a page cache:
 * count hits and misses before anything is read, read what is missing
 * without copying, and hand out referenced, uptodate folios to lend.
 */
#include <linux/fadvise.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/uio.h>

#include "compat.h"
#include "zcopy.h"

/*
 * Count the pages of [@start, @end) not yet counted: uptodate ones are hits,
 * the rest misses.  Every page is counted before this transfer reads it, so
 * a page the transfer had to read is a miss even if the read is over by
 * the time the method reaches it.
 *
 * Return: the index of the first page counted as a miss, or ULONG_MAX.
 */
static pgoff_t zcopy_cache_probe(struct zcopy_xfer *x, loff_t start,
				 loff_t end)
{
	pgoff_t index, last, first_miss = ULONG_MAX;

	if (end <= start)
		return first_miss;
	index = max_t(pgoff_t, x->probed_to, start >> PAGE_SHIFT);
	last = (end - 1) >> PAGE_SHIFT;
	while (index <= last) {
		struct folio *folio = zcopy_folio_lookup(x->cache, index);
		bool hit = folio && folio_test_uptodate(folio);
		pgoff_t nr = 1;

		if (folio) {
			nr = min(folio->index + folio_nr_pages(folio),
				 last + 1) - index;
			folio_put(folio);
		}
		if (hit) {
			x->hit_pages += nr;
		} else {
			x->miss_pages += nr;
			if (first_miss == ULONG_MAX)
				first_miss = index;
		}
		index += nr;
	}
	x->probed_to = max(x->probed_to, last + 1);
	return first_miss;
}

/* How far ahead one miss makes us read: bounds the cache a transfer pins. */
#define ZCOPY_FILL_WINDOW	(2UL << 20)

/*
 * Start reading the missing pages of [@index, @end) of @in's own mapping,
 * without waiting.  Exactly that range is read, and no readahead mark is
 * set in it: a later read through the file finds the pages and starts no
 * readahead of its own, so no page is read that was not counted first.
 * The folios already there are left alone; whoever needs one not uptodate
 * reads it in full.
 */
static void zcopy_cache_readahead(struct file *in, pgoff_t index, pgoff_t end)
{
	struct address_space *mapping = in->f_mapping;
	pgoff_t eof = DIV_ROUND_UP(i_size_read(mapping->host), PAGE_SIZE);
	DEFINE_READAHEAD(ractl, in, &in->f_ra, mapping, index);

	end = min(end, eof);
	if (index < end)
		page_cache_ra_unbounded(&ractl, end - index, 0);
}

/*
 * Read [pos, end) into the cache through ->read_iter with a discard
 * iterator: what read(2) would do, copying nothing.  For tmpfs (swap-in;
 * holes stay holes) and for a stacked file, whose data file is not ours to
 * read ahead in.  IOCB_DIRECT is cleared: this fills the cache.
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

/* Whether pages of @x->cache are read in by zcopy_cache_readahead(). */
static bool zcopy_cache_own(const struct zcopy_xfer *x)
{
	return x->cache == x->in->f_mapping && !shmem_mapping(x->cache);
}

/**
 * zcopy_cache_prepare() - count [@pos, @end) and start reading its misses
 * @x: the transfer; its hit and miss counts advance.  Its end (x->pos +
 *	x->len) bounds the read.
 * @pos: first byte the method is about to read
 * @end: one past the last
 *
 * Called before a method reads from x->cache (nothing to do without one).
 * A miss reads a window of up to 2 MiB from the first missing page, counted
 * before it is read; the method's own read then waits for those pages.
 *
 * Return: 0 or the negative errno of a failed read.
 */
int zcopy_cache_prepare(struct zcopy_xfer *x, loff_t pos, loff_t end)
{
	loff_t xend = x->pos + x->len, from, wend;
	pgoff_t miss;

	if (!x->cache)
		return 0;
	miss = zcopy_cache_probe(x, pos, end);
	if (miss == ULONG_MAX)
		return 0;
	from = max_t(loff_t, pos, (loff_t)miss << PAGE_SHIFT);
	wend = max(end, min_t(loff_t, xend, from + ZCOPY_FILL_WINDOW));
	zcopy_cache_probe(x, end, wend);
	if (!zcopy_cache_own(x))
		return zcopy_cache_fill(x->in, from, wend);
	zcopy_cache_readahead(x->in, from >> PAGE_SHIFT,
			      DIV_ROUND_UP(wend, PAGE_SIZE));
	return 0;
}

/* How much reading one ZCOPY_F_NODISKIO refusal starts. */
#define ZCOPY_NODISKIO_READAHEAD	(16UL << 20)

/*
 * Start reading the folios of [@index, @end) that are in the cache but not
 * uptodate (a partly written folio of a filesystem with blocks smaller
 * than a page), in full, without waiting, as filemap_read_folio() would
 * with the wait left out.  Readahead skips folios already in the cache.
 */
static void zcopy_cache_start_reads(struct file *in, pgoff_t index,
				    pgoff_t end)
{
	struct address_space *mapping = in->f_mapping;

	while (index < end) {
		struct folio *folio = zcopy_folio_lookup(mapping, index);

		if (!folio) {
			index++;
			continue;
		}
		if (!folio_test_uptodate(folio) && folio_trylock(folio)) {
			if (folio->mapping == mapping &&
			    !folio_test_uptodate(folio))
				mapping->a_ops->read_folio(in, folio);
			else
				folio_unlock(folio);
		}
		index = folio->index + folio_nr_pages(folio);
		folio_put(folio);
	}
}

/**
 * zcopy_cache_ready() - whether [@pos, @pos + @len) can be sent without
 * waiting for storage
 * @in: the file
 * @cache: the page cache the method reads it through, or NULL
 * @pos: first byte
 * @len: bytes
 *
 * If not, reading starts from the first page not uptodate, for up to
 * 16 MiB, so that a later call finds the range cached: readahead of the
 * missing pages and a full read of folios that are only partly uptodate.
 * tmpfs keeps nothing on storage but swap, and reads without a page cache
 * (DAX, pseudo files) do not wait for storage: those always qualify.
 *
 * Return: true if every page of the range is uptodate in the page cache.
 */
bool zcopy_cache_ready(struct file *in, struct address_space *cache,
		       loff_t pos, size_t len)
{
	struct zcopy_xfer probe = { .in = in, .cache = cache };
	loff_t end = pos + len;
	pgoff_t miss;

	if (!cache || shmem_mapping(cache))
		return true;
	miss = zcopy_cache_probe(&probe, pos, end);
	if (miss == ULONG_MAX)
		return true;
	pos = max_t(loff_t, pos, (loff_t)miss << PAGE_SHIFT);
	end = min_t(loff_t, end, pos + ZCOPY_NODISKIO_READAHEAD);
	if (!zcopy_cache_own(&probe)) {
		/* A stacked file: its data file reads ahead for it. */
		vfs_fadvise(in, pos, end - pos, POSIX_FADV_WILLNEED);
		return false;
	}
	zcopy_cache_readahead(in, pos >> PAGE_SHIFT,
			      DIV_ROUND_UP(end, PAGE_SIZE));
	zcopy_cache_start_reads(in, pos >> PAGE_SHIFT,
				DIV_ROUND_UP(end, PAGE_SIZE));
	return false;
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
 * @x: the transfer, reading its file's own page cache (hit and miss
 *	counts advance)
 * @pos: the byte wanted
 * @end: end of the transfer: how far a miss may read ahead
 *
 * The first look at a page decides hit or miss.  A folio not uptodate is
 * read in full (read_cache_folio(), waiting for a read in flight), as
 * filemap_splice_read() does: a socket must never get bytes of a folio
 * that are not uptodate, even where the bytes asked for are.  Only tmpfs
 * keeps holes (and fallocated, never written ranges) out of the cache: a
 * page it still lacks after reading reads as zeroes, and is sent as the
 * zero page, as its own splice_read does.
 *
 * Return: a folio with a reference the caller drops, NULL if the file now
 * ends before @pos, or an ERR_PTR.
 */
struct folio *zcopy_cache_get_folio(struct zcopy_xfer *x, loff_t pos,
				    loff_t end)
{
	struct address_space *mapping = x->cache;
	pgoff_t index = pos >> PAGE_SHIFT;
	struct folio *folio;
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

	err = zcopy_cache_prepare(x, pos, min_t(loff_t, end,
						(loff_t)(index + 1) << PAGE_SHIFT));
	if (err)
		return ERR_PTR(err);
	if (!shmem_mapping(mapping)) {
		folio = read_cache_folio(mapping, index, NULL, x->in);
		return IS_ERR(folio) && pos >= i_size_read(mapping->host) ?
		       NULL : folio;
	}
	folio = zcopy_cached_folio(mapping, index);
	if (folio)
		return folio;
	/* Truncated since the caller looked at i_size: a short transfer. */
	if (pos >= i_size_read(mapping->host))
		return NULL;
	folio = page_folio(ZERO_PAGE(0));
	folio_get(folio);
	return folio;
}
