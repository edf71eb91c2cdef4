// SPDX-License-Identifier: GPL-2.0
/*
 * SPLICE: the kernel's own sendfile(2) path.  splice_direct_to_actor() fills
 * the task's internal pipe with page-cache pages (->splice_read) and our actor
 * hands them to the socket's ->splice_write, counting what it moved.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pipe_fs_i.h>
#include <linux/splice.h>

#include "zcopy.h"

/*
 * Bytes in the pipe that the filesystem copied into private pages
 * (copy_splice_read for O_DIRECT or DAX files) instead of lending its
 * page-cache pages or the zero page.
 */
static size_t zcopy_pipe_copied_bytes(struct pipe_inode_info *pipe,
				      struct address_space *mapping)
{
	unsigned int mask = pipe->ring_size - 1;
	unsigned int i;
	size_t bytes = 0;

	for (i = pipe->tail; i != pipe->head; i++) {
		struct pipe_buffer *buf = &pipe->bufs[i & mask];

		if (buf->page != ZERO_PAGE(0) &&
		    READ_ONCE(page_folio(buf->page)->mapping) != mapping)
			bytes += buf->len;
	}
	return bytes;
}

static int zcopy_splice_actor(struct pipe_inode_info *pipe,
			      struct splice_desc *sd)
{
	struct zcopy_xfer *x = sd->u.data;
	struct address_space *mapping = x->in->f_mapping;
	struct file *out = x->sock->file;
	size_t copied = zcopy_pipe_copied_bytes(pipe, mapping);
	loff_t opos = 0;
	ssize_t ret;

	ret = out->f_op->splice_write(pipe, out, &opos, sd->total_len,
				      sd->flags);
	if (ret > 0) {
		/* ->splice_write consumed the first ret bytes of the pipe. */
		x->module_copied += copied -
				    zcopy_pipe_copied_bytes(pipe, mapping);
		x->ref_bytes += ret;
	}
	return ret;
}

/* A short read (EOF) after MSG_MORE: let TCP push what it holds. */
static void zcopy_splice_eof(struct splice_desc *sd)
{
	struct zcopy_xfer *x = sd->u.data;
	struct file *out = x->sock->file;

	if (out->f_op->splice_eof)
		out->f_op->splice_eof(out);
}

/*
 * Splice in chunks so that the page-cache probe before each one counts only
 * pages the transfer is about to read, even when it stops early.
 */
#define ZCOPY_SPLICE_CHUNK	(256 * 1024)

static int zcopy_splice_send(struct zcopy_xfer *x)
{
	ssize_t ret = 0;

	while (x->len) {
		size_t chunk = min_t(size_t, x->len, ZCOPY_SPLICE_CHUNK);
		struct splice_desc sd = {
			.total_len = chunk,
			.flags = chunk < x->len || x->more ? SPLICE_F_MORE : 0,
			.pos = x->pos,
			.u.data = x,
			.splice_eof = zcopy_splice_eof,
		};

		zcopy_cache_probe(x, x->pos, x->pos + chunk);
		ret = splice_direct_to_actor(x->in, &sd, zcopy_splice_actor);
		if (ret > 0)
			zcopy_xfer_advance(x, ret);
		if (ret < 0 || ret < chunk || zcopy_xfer_should_stop(x))
			break;
	}
	return ret < 0 ? ret : 0;
}

const struct zcopy_method zcopy_method_splice = {
	.name = "splice",
	.send = zcopy_splice_send,
};
