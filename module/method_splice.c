// SPDX-License-Identifier: GPL-2.0
/*
 * SPLICE: the kernel's own sendfile(2) path.  splice_direct_to_actor() fills
 * the task's internal pipe with page-cache pages (->splice_read) and our actor
 * hands them to the socket's ->splice_write, counting what it moved.
 */
#include <linux/fs.h>
#include <linux/splice.h>

#include "zcopy.h"

/* A SPLICE transfer as its actor sees it. */
struct zcopy_splice {
	struct zcopy_xfer *x;
	u64 io_mark;	/* the task's storage read bytes after the last send */
};

/*
 * What ->splice_read put in the pipe is known from the file and from what
 * the read took from storage: pages of the page cache its reads go through
 * (filemap_splice_read(), tmpfs's own, or the data file's for overlayfs),
 * or, where reads bypass the page cache or there is none, fresh pages that
 * copy_splice_read() filled: by DMA from storage for an O_DIRECT file
 * (page references like DIRECT's), else by the CPU (DAX, procfs, sysfs),
 * which stay copies when the socket takes them by reference.
 */
static int zcopy_splice_actor(struct pipe_inode_info *pipe,
			      struct splice_desc *sd)
{
	struct zcopy_splice *zs = sd->u.data;
	struct zcopy_xfer *x = zs->x;
	struct file *out = x->sock->file;
	u64 io_now = zcopy_task_read_bytes();
	bool lent = x->cache || io_now - zs->io_mark >= sd->total_len;
	loff_t opos = 0;
	ssize_t ret;

	ret = out->f_op->splice_write(pipe, out, &opos, sd->total_len,
				      sd->flags);
	zs->io_mark = zcopy_task_read_bytes();
	if (ret > 0 && lent) {
		x->ref_bytes += ret;
	} else if (ret > 0) {
		x->module_copied += ret;
		x->copy_ref_bytes += ret;
	}
	return ret;
}

/* A short read (EOF) after MSG_MORE: let TCP push what it holds. */
static void zcopy_splice_eof(struct splice_desc *sd)
{
	struct zcopy_splice *zs = sd->u.data;
	struct zcopy_xfer *x = zs->x;
	struct file *out = x->sock->file;

	if (out->f_op->splice_eof)
		out->f_op->splice_eof(out);
}

/*
 * Splice in chunks so that the page-cache count before each one covers
 * only pages the transfer is about to read, even when it stops early.
 */
#define ZCOPY_SPLICE_CHUNK	(256 * 1024)

static int zcopy_splice_send(struct zcopy_xfer *x, struct zcopy_lend *l)
{
	struct zcopy_splice zs = { .x = x };
	ssize_t ret = 0;

	while (x->len) {
		size_t chunk = min_t(size_t, x->len, ZCOPY_SPLICE_CHUNK);
		struct splice_desc sd = {
			.total_len = chunk,
			.flags = chunk < x->len || x->more ? SPLICE_F_MORE : 0,
			.pos = x->pos,
			.u.data = &zs,
			.splice_eof = zcopy_splice_eof,
		};

		ret = zcopy_cache_prepare(x, x->pos, x->pos + chunk);
		if (ret)
			break;
		zs.io_mark = zcopy_task_read_bytes();
		ret = splice_direct_to_actor(x->in, &sd, zcopy_splice_actor);
		if (ret > 0) {
			zcopy_xfer_advance(x, ret);
			x->corked = sd.flags & SPLICE_F_MORE;
		}
		if (ret < 0 || ret < chunk || zcopy_xfer_should_stop(x))
			break;
	}
	return ret < 0 ? ret : 0;
}

const struct zcopy_method zcopy_method_splice = {
	.name = "splice",
	.reads = ZCOPY_READS_FILE,
	.send = zcopy_splice_send,
};
