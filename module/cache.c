// SPDX-License-Identifier: GPL-2.0
/*
 * The page-cache side of every method that reads through a page cache:
 * count hits and misses before anything is read, read what is missing
 * without copying, and hand out referenced, uptodate folios to lend.
 */
#include <linux/bvec.h>
#include <linux/fadvise.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/uio.h>
#include <kunit/visibility.h>

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
		cond_resched();
	}
	x->probed_to = max(x->probed_to, last + 1);
	return first_miss;
}

/* How far ahead one miss makes us read: bounds the cache a transfer pins. */
#define ZCOPY_FILL_WINDOW	(2UL << 20)

/**
 * zcopy_cache_window() - the bytes one miss reads into the cache
 * @pos: first byte the method is about to read
 * @end: one past the last
 * @xend: one past the last byte of the transfer
 * @miss: index of the first page of [@pos, @end) counted as a miss
 * @from: out: first byte to read: the start of page @miss, or @pos if that
 *	is later
 * @wend: out: one past the last byte to read: @from plus ZCOPY_FILL_WINDOW
 *	(2 MiB), cut at @xend, but never before @end
 *
 * The arithmetic of zcopy_cache_prepare(), on its own for KUnit.
 */
void zcopy_cache_window(loff_t pos, loff_t end, loff_t xend, pgoff_t miss,
			loff_t *from, loff_t *wend)
{
	*from = max_t(loff_t, pos, (loff_t)miss << PAGE_SHIFT);
	*wend = max(end, *from + min_t(loff_t, xend - *from,
				       ZCOPY_FILL_WINDOW));
}
EXPORT_SYMBOL_IF_KUNIT(zcopy_cache_window);

/*
 * Start reading the missing pages of [@index, @end) of @in's own mapping,
 * without waiting.  Exactly that range is read, and no readahead mark is
 * set in it: a later read through the file finds the pages and starts no
 * readahead of its own (unless an earlier reader left a mark there), so
 * the pages read are those just counted.  The folios already there are
 * left alone; whoever needs one not uptodate reads it.
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

/**
 * zcopy_cache_next_window() - how far a cold transfer reads on
 * @pos: first byte the method is about to read
 * @counted: one past the last byte counted as hit or miss
 * @xend: one past the last byte of the transfer
 * @to: out: one past the last byte to count and read next, from @counted:
 *	half of ZCOPY_FILL_WINDOW, cut at @xend
 *
 * A transfer that reads from storage keeps its reads ahead of its sends:
 * once no more than half a window is counted ahead of @pos, the next half
 * window is counted and its misses start reading, so that the storage
 * works while the socket takes what was read (filemap_get_pages() starts
 * the next readahead at the mark it left in the last one in the same
 * spirit).  What is counted ahead of @pos never exceeds one window.
 *
 * Return: whether to read on.
 */
bool zcopy_cache_next_window(loff_t pos, loff_t counted, loff_t xend,
			     loff_t *to)
{
	if (counted >= xend || counted - pos > (loff_t)ZCOPY_FILL_WINDOW / 2)
		return false;
	*to = min_t(loff_t, xend, counted + ZCOPY_FILL_WINDOW / 2);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(zcopy_cache_next_window);

/*
 * Only a transfer that found misses reads on, and only in the file's own
 * mapping: a stacked file's fill is a synchronous read, tmpfs reads its
 * pages itself, and ZCOPY_F_NODISKIO never waits or reads beyond its call.
 */
static void zcopy_cache_read_on(struct zcopy_xfer *x, loff_t pos)
{
	loff_t counted = (loff_t)x->probed_to << PAGE_SHIFT, to;
	pgoff_t miss;

	if (!x->miss_pages || x->nodiskio || x->cache != x->in->f_mapping ||
	    shmem_mapping(x->cache) ||
	    !zcopy_cache_next_window(pos, counted, x->pos + x->len, &to))
		return;
	miss = zcopy_cache_probe(x, counted, to);
	if (miss != ULONG_MAX)
		zcopy_cache_readahead(x->in, miss, DIV_ROUND_UP(to, PAGE_SIZE));
}

/*
 * Read [pos, end) into the cache through ->read_iter with a discard
 * iterator: what read(2) would do, copying nothing.  For a stacked file,
 * whose data file is not ours to read ahead in (its own readahead may read
 * further than was counted).  IOCB_DIRECT is cleared: this fills the cache.
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

/**
 * zcopy_cache_prepare() - count [@pos, @end) and start reading its misses
 * @x: the transfer; its hit and miss counts advance.  Its end (x->pos +
 *	x->len) bounds the read.
 * @pos: first byte the method is about to read
 * @end: one past the last
 *
 * Called before a method reads from x->cache (nothing to do without one).
 * A miss reads a window of up to 2 MiB from the first missing page, counted
 * before it is read; the method's own read then waits for those pages, and
 * the reads go on ahead of it (zcopy_cache_next_window()).
 * tmpfs is left to read its pages itself (swap-in), one at a time.  With
 * ZCOPY_F_NODISKIO a miss (a page evicted since the call checked) starts
 * the reading and stops the transfer instead of waiting.
 *
 * Return: 0, -EAGAIN for ZCOPY_F_NODISKIO, or the negative errno of a
 * failed read.
 */
int zcopy_cache_prepare(struct zcopy_xfer *x, loff_t pos, loff_t end)
{
	loff_t xend = x->pos + x->len, from, wend;
	pgoff_t miss;

	if (!x->cache)
		return 0;
	miss = zcopy_cache_probe(x, pos, end);
	if (miss == ULONG_MAX) {
		zcopy_cache_read_on(x, pos);
		return 0;
	}
	if (shmem_mapping(x->cache))
		return 0;
	if (x->nodiskio) {
		zcopy_cache_ready(x->in, x->cache, pos, end - pos);
		x->cache_wait = true;
		return -EAGAIN;
	}
	zcopy_cache_window(pos, end, xend, miss, &from, &wend);
	zcopy_cache_probe(x, end, wend);
	if (x->cache != x->in->f_mapping)
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

	/* Against hole punching, as filemap_update_page() reads. */
	filemap_invalidate_lock_shared(mapping);
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
		cond_resched();
	}
	filemap_invalidate_unlock_shared(mapping);
}

/**
 * zcopy_cache_first_miss() - the first page of a range not uptodate
 * @in: the file
 * @cache: the page cache the method reads it through, or NULL
 * @pos: first byte
 * @len: bytes
 *
 * Looks only: nothing is read, nothing counted.  tmpfs, and reads without a
 * page cache, never wait for storage (see zcopy_cache_ready()).
 *
 * Return: the index of that page, or ULONG_MAX when there is none.
 */
pgoff_t zcopy_cache_first_miss(struct file *in, struct address_space *cache,
			       loff_t pos, size_t len)
{
	struct zcopy_xfer probe = { .in = in, .cache = cache };

	if (!cache || shmem_mapping(cache))
		return ULONG_MAX;
	return zcopy_cache_probe(&probe, pos, pos + len);
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
	loff_t end = pos + len;
	pgoff_t miss;

	miss = zcopy_cache_first_miss(in, cache, pos, len);
	if (miss == ULONG_MAX)
		return true;
	pos = max_t(loff_t, pos, (loff_t)miss << PAGE_SHIFT);
	end = min_t(loff_t, end, pos + ZCOPY_NODISKIO_READAHEAD);
	if (cache != in->f_mapping) {
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

/*
 * The page at @index read through the file into a page of our own: where a
 * tmpfs hole cannot be told from a page swapped out (zcopy_shmem_folio()),
 * what read(2) returns is what goes, as a copy, and no more than it
 * returned (*@copy_len bytes).
 */
static struct folio *zcopy_cache_copy_page(struct zcopy_xfer *x, pgoff_t index,
					   size_t *copy_len)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct iov_iter iter;
	struct kiocb kiocb;
	struct bio_vec bv;
	ssize_t ret;

	if (!page)
		return ERR_PTR(-ENOMEM);
	bvec_set_page(&bv, page, PAGE_SIZE, 0);
	init_sync_kiocb(&kiocb, x->in);
	kiocb.ki_flags &= ~IOCB_DIRECT;
	kiocb.ki_pos = (loff_t)index << PAGE_SHIFT;
	iov_iter_bvec(&iter, ITER_DEST, &bv, 1, PAGE_SIZE);
	ret = x->in->f_op->read_iter(&kiocb, &iter);
	if (ret < 0) {
		put_page(page);
		return ERR_PTR(ret);
	}
	if (!ret) {
		put_page(page);
		return NULL;	/* truncated: a short transfer */
	}
	x->module_copied += ret;
	*copy_len = ret;
	return page_folio(page);
}

/* A tmpfs page: its folio, the zero page for a hole, or a copy. */
static struct folio *zcopy_cache_shmem(struct zcopy_xfer *x, pgoff_t index,
				       size_t *copy_len)
{
	struct folio *folio;
	int err;

	err = zcopy_shmem_folio(x->cache, index, &folio);
	if (err == -EOPNOTSUPP)
		return zcopy_cache_copy_page(x, index, copy_len);
	if (err == -EINVAL)	/* truncated: a short transfer */
		return NULL;
	if (err)
		return ERR_PTR(err);
	if (!folio) {
		folio = page_folio(ZERO_PAGE(0));
		folio_get(folio);
	}
	return folio;
}

/**
 * zcopy_cache_get_folio() - the uptodate folio holding byte @pos
 * @x: the transfer, reading its file's own page cache (hit and miss
 *	counts advance)
 * @pos: the byte wanted
 * @end: end of the transfer: how far a miss may read ahead
 * @copy_len: out: 0, or the folio is a page of the call's own holding a
 *	copy of the file's bytes from the start of the page, this many
 *
 * The first look at a page decides hit or miss.  A folio not uptodate is
 * read in full (read_cache_folio(), waiting for a read in flight), as
 * filemap_splice_read() does: a socket must never get bytes of a folio
 * that are not uptodate, even where the bytes asked for are.  tmpfs says
 * itself where the file is a hole, which goes as the zero page, as its own
 * splice_read sends it.
 *
 * Return: a folio with a reference the caller drops, NULL if the file now
 * ends before @pos, or an ERR_PTR (-EAGAIN for ZCOPY_F_NODISKIO).
 */
struct folio *zcopy_cache_get_folio(struct zcopy_xfer *x, loff_t pos,
				    loff_t end, size_t *copy_len)
{
	struct address_space *mapping = x->cache;
	pgoff_t index = pos >> PAGE_SHIFT;
	struct folio *folio;
	int err;

	*copy_len = 0;
	folio = zcopy_cached_folio(mapping, index);
	if (folio) {
		if (index >= x->probed_to) {
			pgoff_t stop = min(folio->index + folio_nr_pages(folio),
					   (pgoff_t)((end - 1) >> PAGE_SHIFT) + 1);

			x->hit_pages += stop - index;
			x->probed_to = stop;
		}
		zcopy_cache_read_on(x, pos);
		return folio;
	}

	err = zcopy_cache_prepare(x, pos, min_t(u64, end,
						((u64)index + 1) << PAGE_SHIFT));
	if (err)
		return ERR_PTR(err);
	if (shmem_mapping(mapping))
		return zcopy_cache_shmem(x, index, copy_len);
	/* Against hole punching, as filemap_create_folio() reads. */
	filemap_invalidate_lock_shared(mapping);
	folio = read_cache_folio(mapping, index, NULL, x->in);
	filemap_invalidate_unlock_shared(mapping);
	return IS_ERR(folio) && pos >= i_size_read(mapping->host) ?
	       NULL : folio;
}
