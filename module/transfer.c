// SPDX-License-Identifier: GPL-2.0
/*
 * The transfer core: a call checks its socket and files, sends its segments
 * by the chosen method, and turns what the method did into the statistics
 * userspace sees and the counters.
 */
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/net.h>
#include <linux/shmem_fs.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <kunit/visibility.h>

#include "compat.h"
#include "zcopy.h"

#define ZCOPY_F_ALL	(ZCOPY_F_NODISKIO | ZCOPY_F_MORE | ZCOPY_F_NOSIGNAL)

/**
 * zcopy_call_init() - check the socket, the method and the flags of a call
 * @c: the call to set up
 * @out: the destination file
 * @method: ZCOPY_METHOD_*
 * @flags: ZCOPY_F_*
 * @first_in: the first file to send, for AUTO's choice; may be NULL
 *
 * Return: 0 or a negative errno; nothing has happened yet either way.
 */
int zcopy_call_init(struct zcopy_call *c, struct file *out, u32 method,
		    u32 flags, struct file *first_in)
{
	int err;

	memset(c, 0, sizeof(*c));
	if (flags & ~ZCOPY_F_ALL)
		return -EINVAL;
	if (method == ZCOPY_METHOD_AUTO)
		method = zcopy_auto_method(first_in, flags);
	c->m = zcopy_method_get(method);
	if (!c->m)
		return -EINVAL;
	if (((flags & ZCOPY_F_NODISKIO) && method == ZCOPY_METHOD_DIRECT) ||
	    ((flags & ZCOPY_F_NOSIGNAL) && method == ZCOPY_METHOD_SPLICE))
		return -EINVAL;
	err = zcopy_check_dest(out, &c->sock);
	if (err)
		return err;
	c->method = method;
	c->flags = flags;
	if (out->f_flags & O_NONBLOCK)
		c->msg_flags |= MSG_DONTWAIT;
	if (flags & ZCOPY_F_NOSIGNAL)
		c->msg_flags |= MSG_NOSIGNAL;
	return 0;
}

/**
 * zcopy_call_check_file() - check one file segment of a call
 * @c: the call
 * @in: the source file
 * @out: the destination file (for its permission hook)
 * @offset: ZCOPY_OFFSET_CURRENT or the first byte
 * @len: bytes requested
 * @r: out: the checked range
 *
 * Return: 0 or a negative errno.
 */
int zcopy_call_check_file(struct zcopy_call *c, struct file *in,
			  struct file *out, u64 offset, u64 len,
			  struct zcopy_range *r)
{
	struct zcopy_request req = {
		.in = in, .out = out, .offset = offset, .len = len,
	};
	int err;

	err = zcopy_check_source(in);
	if (err)
		return err;
	zcopy_source_init(&r->src, in);
	if (c->m->reads == ZCOPY_READS_CACHE && !r->src.lendable)
		return -EINVAL;
	/* Read through the file, O_DIRECT always waits for storage. */
	if ((c->flags & ZCOPY_F_NODISKIO) && c->m->reads == ZCOPY_READS_FILE &&
	    (in->f_flags & O_DIRECT) && r->src.cache &&
	    !shmem_mapping(r->src.cache))
		return -EINVAL;
	if (c->m->check)
		err = c->m->check(in);
	if (!err)
		err = zcopy_check_range(&req, &r->pos, &r->len);
	r->in = in;
	r->use_fpos = offset == ZCOPY_OFFSET_CURRENT;
	return err;
}

/**
 * zcopy_call_begin() - start the clocks; the checks are over
 * @c: the call
 */
void zcopy_call_begin(struct zcopy_call *c)
{
	c->route = zcopy_route_sample(c->sock->sk, &c->ifindex);
	c->start_ns = ktime_get_ns();
	c->io_start = zcopy_task_read_bytes();
}

/**
 * zcopy_xfer_init() - set up a segment's transfer
 * @c: the call
 * @x: out: the transfer, counts zeroed
 * @in: the file, or NULL for memory
 * @pos: first byte
 * @len: bytes to send
 * @last: the last segment of the call (no MSG_MORE after it)
 */
void zcopy_xfer_init(const struct zcopy_call *c, struct zcopy_xfer *x,
		     struct file *in, loff_t pos, size_t len, bool last)
{
	memset(x, 0, sizeof(*x));
	x->in = in;
	x->sock = c->sock;
	x->pos = pos;
	x->len = len;
	x->msg_flags = c->msg_flags;
	x->more = !last || (c->flags & ZCOPY_F_MORE);
}

/* The page cache a method reads @r through, if any. */
static struct address_space *zcopy_read_cache(const struct zcopy_call *c,
					      const struct zcopy_range *r)
{
	switch (c->m->reads) {
	case ZCOPY_READS_CACHE:
		return r->src.cache;
	case ZCOPY_READS_FILE:
		return r->in->f_flags & O_DIRECT ? NULL : r->src.cache;
	default:
		return NULL;
	}
}

/**
 * zcopy_call_start_file() - set up a checked file range for sending now
 * @c: the call
 * @r: the range
 * @last: the last segment of the call
 * @x: out: the transfer; x->len is 0 when there is nothing to send (end
 *	of file)
 *
 * Return: 0, -EAGAIN for ZCOPY_F_NODISKIO and a page not in the cache
 * (readahead started), or the errno of the position check.
 */
int zcopy_call_start_file(struct zcopy_call *c, const struct zcopy_range *r,
			  bool last, struct zcopy_xfer *x)
{
	loff_t isize = i_size_read(file_inode(r->in));
	loff_t pos = r->pos;
	size_t len = r->len;
	int err = 0;

	/* An earlier segment may have moved the position: check it again. */
	if (r->use_fpos) {
		struct zcopy_request req = {
			.in = r->in, .out = c->sock->file,
			.offset = ZCOPY_OFFSET_CURRENT, .len = r->len,
		};

		err = zcopy_check_range(&req, &pos, &len);
	}
	/*
	 * Ask for no more than the file holds, so the last send pushes.  A
	 * pseudo file's size says nothing of its content: read it to EOF.
	 */
	if (r->src.sized)
		len = pos < isize ? min_t(u64, len, isize - pos) : 0;
	zcopy_xfer_init(c, x, r->in, pos, len, last);
	x->cache = zcopy_read_cache(c, r);
	x->nodiskio = c->flags & ZCOPY_F_NODISKIO;
	if (err)
		x->len = 0;
	else if (x->len && (c->flags & ZCOPY_F_NODISKIO) &&
		 !zcopy_cache_ready(r->in, x->cache, x->pos, x->len))
		err = -EAGAIN;
	return err;
}

/**
 * zcopy_call_send_file() - send one checked file range by the call's method
 * @c: the call
 * @r: the range
 * @last: the last segment of the call (no MSG_MORE after it)
 * @x: out: what the method did
 *
 * Return: 0 or a negative errno; x->sent says how far it got either way,
 * and x->len is 0 when the range (clamped to the end of file) went whole.
 */
int zcopy_call_send_file(struct zcopy_call *c, const struct zcopy_range *r,
			 bool last, struct zcopy_xfer *x)
{
	int err;

	err = zcopy_call_start_file(c, r, last, x);
	if (!err && x->len)
		err = c->m->send(x);
	if (x->sent && r->use_fpos)
		r->in->f_pos = x->pos;
	if (x->sent)
		c->corked = x->corked;
	return err;
}

/**
 * zcopy_call_end() - finish the stream and look at the route it took
 * @c: the call
 */
void zcopy_call_end(struct zcopy_call *c)
{
	u32 ifindex = 0, route;

	/* Stopped after MSG_MORE and not asked to stay corked: push. */
	if (c->corked && !(c->flags & ZCOPY_F_MORE) &&
	    c->sock->ops->splice_eof)
		c->sock->ops->splice_eof(c->sock);
	c->storage_read = zcopy_task_read_bytes() - c->io_start;
	c->elapsed_ns = ktime_get_ns() - c->start_ns;

	/* The route after the transfer is the one the bytes took. */
	route = zcopy_route_sample(c->sock->sk, &ifindex);
	if (route) {
		c->route = route;
		c->ifindex = ifindex;
	}
}

/**
 * zcopy_xfer_add() - sum what segments did
 * @total: the sum so far
 * @x: one more segment
 */
void zcopy_xfer_add(struct zcopy_xfer *total, const struct zcopy_xfer *x)
{
	total->sent += x->sent;
	total->ref_bytes += x->ref_bytes;
	total->copy_ref_bytes += x->copy_ref_bytes;
	total->sock_copied += x->sock_copied;
	total->module_copied += x->module_copied;
	total->hit_pages += x->hit_pages;
	total->miss_pages += x->miss_pages;
	total->storage_read += x->storage_read;
	total->elapsed_ns += x->elapsed_ns;
}

/**
 * zcopy_call_stats() - what a segment (or a whole call) cost
 * @c: the call, after zcopy_call_end()
 * @x: what was done
 * @st: out: the statistics
 *
 * Page references are zero-copy only when the device gathers them;
 * otherwise the stack linearises every byte at transmit, once more on top of
 * any earlier copy.  A route that cannot be seen is taken as not gathering:
 * never claim a zero copy that cannot be shown.
 */
void zcopy_call_stats(const struct zcopy_call *c, const struct zcopy_xfer *x,
		      struct zcopy_stats *st)
{
	bool sg = c->route & ZCOPY_ROUTE_SG;

	memset(st, 0, sizeof(*st));
	st->zc_bytes = sg ? x->ref_bytes : 0;
	st->copied_bytes = x->module_copied + x->sock_copied;
	if (!sg)
		st->copied_bytes += x->ref_bytes + x->copy_ref_bytes +
				    x->sock_copied;
	st->cache_hit_pages = x->hit_pages;
	st->cache_miss_pages = x->miss_pages;
	st->storage_read_bytes = x->storage_read;
	st->elapsed_ns = x->elapsed_ns;
	st->route = c->route;
	st->ifindex = c->route ? c->ifindex : 0;
	st->method = c->method;
}
EXPORT_SYMBOL_IF_KUNIT(zcopy_call_stats);

/**
 * zcopy_call_account() - add a finished call to the counters
 * @ctx: the open file it came through, or NULL
 * @c: the call
 * @st: its statistics
 * @sent: bytes sent
 * @err: its result: a failure counts as an error and nothing else
 */
void zcopy_call_account(struct zcopy_ctx *ctx, const struct zcopy_call *c,
			const struct zcopy_stats *st, u64 sent, int err)
{
	u64 delta[ZCOPY_NR_COUNTERS] = { 0 };

	if (err) {
		delta[ZCOPY_CTR_ERRORS] = 1;
	} else {
		delta[ZCOPY_CTR_TRANSFERS] = 1;
		delta[ZCOPY_CTR_BYTES] = sent;
		delta[ZCOPY_CTR_ZC_BYTES] = st->zc_bytes;
		delta[ZCOPY_CTR_COPIED_BYTES] = st->copied_bytes;
		delta[ZCOPY_CTR_CACHE_HIT_PAGES] = st->cache_hit_pages;
		delta[ZCOPY_CTR_CACHE_MISS_PAGES] = st->cache_miss_pages;
		delta[ZCOPY_CTR_STORAGE_READ_BYTES] = st->storage_read_bytes;
	}
	zcopy_counters_add(ctx, c->method, delta);
}

/**
 * zcopy_transfer() - send a file range to a TCP socket and measure it
 * @ctx: the open file of /dev/zcopy to account to, or NULL
 * @req: what to send
 * @sent: out: bytes the socket accepted
 * @stats: out: what it cost
 *
 * Runs the checks sendfile(2) runs (fmode bits, rw_verify_area() and its
 * LSM hook, the offset and size limits), then the method.  A failed check
 * sends nothing and moves no counter.  A transfer stopped by a signal, a
 * full non-blocking socket or an error after some bytes went succeeds with
 * the partial count; a runtime failure with nothing sent counts as an error.
 *
 * Return: 0 or a negative errno (see the uAPI header).
 */
int zcopy_transfer(struct zcopy_ctx *ctx, const struct zcopy_request *req,
		   u64 *sent, struct zcopy_stats *stats)
{
	struct zcopy_range r;
	struct zcopy_call c;
	struct zcopy_xfer x;
	int err;

	err = zcopy_call_init(&c, req->out, req->method, req->flags, req->in);
	if (!err)
		err = zcopy_call_check_file(&c, req->in, req->out, req->offset,
					    req->len, &r);
	if (err)
		return err;

	zcopy_call_begin(&c);
	err = zcopy_call_send_file(&c, &r, true, &x);
	zcopy_call_end(&c);
	zcopy_effects_file(r.in, c.m, x.sent);
	zcopy_effects_call(req->out, x.sent);
	x.storage_read = c.storage_read;
	x.elapsed_ns = c.elapsed_ns;
	zcopy_call_stats(&c, &x, stats);
	if (x.sent)
		err = 0;
	zcopy_call_account(ctx, &c, stats, x.sent, err);
	*sent = x.sent;
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(zcopy_transfer);
