/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One ZCOPY_IOC_SENDV call: its checks and copies (sendv.c) and its sending
 * (sendv_send.c).
 */
#ifndef _ZCOPY_SENDV_H
#define _ZCOPY_SENDV_H

#include <linux/bvec.h>

#include "zcopy.h"

/**
 * struct zcopy_sendv_seg - one segment of the vector
 * @r: a file segment's checked range; r.in is NULL for a memory segment,
 *	whose length is r.len
 * @mem: a memory segment's bytes: the call's copy, over pages it owns
 * @mem_nr: entries in @mem
 * @x: what sending the segment did, once the sending reached it
 */
struct zcopy_sendv_seg {
	struct zcopy_range r;
	const struct bio_vec *mem;
	u32 mem_nr;
	struct zcopy_xfer x;
};

/**
 * struct zcopy_sendv_state - a call in progress
 * @us: the user's vector, copied in
 * @work: the one allocation @segs, @lend, @mem and @pages live in
 * @segs: the segments
 * @lend: the pages gathered for the next send
 * @mem: the memory segments' bytes, as pieces of @pages
 * @pages: the pages holding the copy of the memory segments
 * @count: segments
 * @set: segs[0..set) have r.in set (a file reference, or NULL)
 * @nr_pages: pages[0..nr_pages) are allocated
 * @reached: segs[0..reached) have @x set: the sending got to them
 * @out: the socket's file
 */
struct zcopy_sendv_state {
	const struct zcopy_segment *us;
	void *work;
	struct zcopy_sendv_seg *segs;
	struct zcopy_lend *lend;
	struct bio_vec *mem;
	struct page **pages;
	u32 count;
	u32 set;
	u32 nr_pages;
	u32 reached;
	struct file *out;
};

int zcopy_sendv_send(struct zcopy_call *c, struct zcopy_sendv_state *s,
		     u32 *index);

#endif /* _ZCOPY_SENDV_H */
