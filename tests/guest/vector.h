/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vector.h - ZCOPY_IOC_SENDV vectors over one pattern stream, for the
 * "sendv" group (t_sendv.c) and the "flags" group (t_flags.c).
 *
 * Every byte a test sends belongs to one pattern stream: a memory segment
 * holds the pattern bytes of its stream positions, and a file segment
 * reads a "piece", a file written with the stream bytes it must carry.  The
 * receiver then checks the whole stream, order included, in one go.
 */
#ifndef ZCT_VECTOR_H
#define ZCT_VECTOR_H

#include "zct.h"

#define MEM_CAP (ZCOPY_SENDV_MAX_MEMORY + 64 * KIB)
#define PIECE_CHUNK (1 * MIB)
#define PAGE 4096UL

#define M(x) (1U << ZCOPY_METHOD_##x)
#define PAGE_METHODS (M(COPY) | M(MMAP) | M(SPLICE) | M(PAGES))

/* A file holding stream bytes [base, base + size) at offsets [0, size). */
struct piece {
	int fd;
	uint64_t base;
	uint64_t size;
};

/* A vector over one stream, and what each segment must send. */
struct sv {
	uint64_t seed;
	uint64_t stream;	/* stream position of the next segment */
	uint64_t sent;		/* bytes sent so far by all calls */
	unsigned int n;		/* segments */
	unsigned int done;	/* segments fully sent */
	int pos_fd;		/* >= 0: its position must end at want_pos */
	int64_t want_pos;
	struct zcopy_segment seg[ZCOPY_SENDV_MAX_SEGS + 1];
	struct zcopy_stats st[ZCOPY_SENDV_MAX_SEGS + 1];
	uint64_t want[ZCOPY_SENDV_MAX_SEGS + 1];	/* bytes it sends */
	uint64_t start[ZCOPY_SENDV_MAX_SEGS + 1];	/* its first file byte */
	size_t mem_used;
	unsigned char mem[MEM_CAP];	/* the memory segments' bytes */
};

/* How a vector goes out. */
struct sv_run {
	int dev;
	int sock;
	unsigned int method;
	uint32_t flags;
	bool seg_stats;	/* ask for per-segment statistics */
};

/*
 * Write p->size stream bytes from p->base into a new file on @fs, fsync it
 * (DIRECT reads the disk; the pages stay cached), open it again with
 * @oflags and unlink it: it lives as long as the test holds p->fd.
 */
int piece_open(struct tctx *t, const struct fsdesc *fs, uint64_t seed,
	       int oflags, struct piece *p);
/* An empty vector over the stream of its own seed, or NULL after fail(). */
struct sv *sv_new(struct tctx *t);
/* A memory segment with the next @len stream bytes. */
void sv_mem(struct sv *v, uint64_t len);
/* A file segment of @len bytes of @p from the stream's position on (it
 * sends what the file holds of them); @current: through the file position,
 * which the caller has put there. */
void sv_file(struct sv *v, const struct piece *p, uint64_t len, bool current);
/* The SENDV struct for what is left of @v. */
void sv_args(struct zcopy_sendv *c, struct sv *v, const struct sv_run *run);
/*
 * One SENDV of what is left of @v, checked and accounted in @delta.
 * Returns 1 when everything has gone, 0 when the call stopped (or, if
 * @eagain_ok, failed with EAGAIN and nothing sent, counted as an error),
 * -1 on failure.
 */
int sv_once(struct tctx *t, struct sv *v, const struct sv_run *run,
	    bool eagain_ok, struct tally *delta);
/* Resume until everything has gone, waiting for room or readahead after
 * each stop, for at most @ms. */
int sv_finish(struct tctx *t, struct sv *v, const struct sv_run *run,
	      struct tally *delta, long ms);
/* One call that must send everything. */
int sv_all(struct tctx *t, struct sv *v, const struct sv_run *run,
	   struct tally *delta);

#endif /* ZCT_VECTOR_H */
