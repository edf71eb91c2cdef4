/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page vector every send to a socket goes through (lend.c), and the
 * pages of the call's own that COPY and DIRECT read into.
 */
#ifndef _ZCOPY_LEND_H
#define _ZCOPY_LEND_H

#include <linux/bvec.h>

#include "zcopy.h"

/*
 * Entries per send to the socket: 64 page-cache pages fill four 64 KiB TSO
 * frames, and a header with its file, or 32 of each, share one sendmsg.
 * Measured with ZCOPY_LEND_BATCH=16/32/64/128 make bench (hot PAGES rows
 * against user:sendfile in each run): 64 was ahead at 64 KiB and 1 MiB
 * (1.04x, 1.22x; 16 gave 0.96x, 1.03x), level with 128 at 64 MiB, and
 * within noise of the best for SENDV64; 128 lost at 64 KiB (0.81x).
 * Again on the bench kernel with the distributions' allocator, one run
 * each: at 64 KiB and 1 MiB no size led beyond the runs' noise (16:
 * 1.02x, 1.02x; 64: 0.89x, 0.92x); at 64 MiB the larger led (16: 1.01x,
 * 64: 1.13x, 128: 1.20x), and SENDV64 was best at 32 and 64.
 */
#ifndef ZCOPY_LEND_BATCH
#define ZCOPY_LEND_BATCH	64
#endif

/* The most pages a method reads into at once (DIRECT: 128 KiB). */
#define ZCOPY_OWN_PAGES	32

/**
 * struct zcopy_own_pages - pages of the call's own, to read into and lend
 * @bv: one whole page per entry
 * @nr: entries holding a page
 */
struct zcopy_own_pages {
	struct bio_vec bv[ZCOPY_OWN_PAGES];
	unsigned int nr;
};

/**
 * struct zcopy_lend - pages gathered for one send to a socket
 * @sock: the socket
 * @msg_flags: MSG_* for every send
 * @by_ref: the pages are lent (PAGES, DIRECT, memory segments), not copied
 *	(MMAP, COPY)
 * @corked: the last send carried MSG_MORE
 * @nr: entries used
 * @bytes: bytes in all entries
 * @bv: the pages, in stream order
 * @ref: per entry, the folio reference to drop after the send, or NULL
 * @owner: per entry, the segment its bytes are accounted to
 * @copy: per entry, the pages hold a CPU copy (counted as copies even when
 *	lent)
 * @own: pages of the call's own that COPY and DIRECT read into
 * @release: lent pages go with this notifier (ZCOPY_F_NOTIFY_RELEASE), or
 *	NULL
 */
struct zcopy_lend {
	struct socket *sock;
	int msg_flags;
	bool by_ref;
	bool corked;
	unsigned int nr;
	size_t bytes;
	struct bio_vec bv[ZCOPY_LEND_BATCH];
	struct folio *ref[ZCOPY_LEND_BATCH];
	struct zcopy_xfer *owner[ZCOPY_LEND_BATCH];
	bool copy[ZCOPY_LEND_BATCH];
	struct zcopy_own_pages own;
	struct zcopy_release *release;
};

static inline bool zcopy_lend_full(const struct zcopy_lend *l)
{
	return l->nr == ZCOPY_LEND_BATCH;
}

void zcopy_lend_init(struct zcopy_lend *l, struct socket *sock, int msg_flags,
		     bool by_ref);
void zcopy_lend_add(struct zcopy_lend *l, struct zcopy_xfer *x,
		    struct page *page, size_t off, size_t len,
		    struct folio *ref, bool copy);
int zcopy_lend_file(struct zcopy_lend *l, struct zcopy_xfer *x, loff_t *pos,
		    loff_t end);
int zcopy_lend_flush(struct zcopy_lend *l, bool more, bool *stop);
void zcopy_lend_release(struct zcopy_lend *l);
int zcopy_own_pages_alloc(struct zcopy_own_pages *b, unsigned int nr);
void zcopy_own_pages_put(struct zcopy_own_pages *b);

#endif /* _ZCOPY_LEND_H */
