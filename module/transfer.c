// SPDX-License-Identifier: GPL-2.0
/*
 * The transfer core: one call sends its segments (file ranges and the
 * call's copies of caller memory) to one socket, in order.  A caller uses
 * it in one order: zcopy_call_alloc(), fill in the call,
 * zcopy_call_prepare() (every check sendfile(2) makes, before anything is
 * sent), zcopy_call_run(), zcopy_call_finish() (statistics and counters),
 * zcopy_call_free().  ZCOPY_IOC_SEND is a call of one segment.
 *
 * Memory segments and, with PAGES, the page-cache folios of file segments
 * are gathered across segment boundaries into one send: a header and its
 * file, or 64 of each, cost TCP one sendmsg.  File segments of the other
 * methods go one by one in between, by the method's own send.
 */
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/sched/xacct.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/uaccess.h>
#include <net/dst.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <kunit/visibility.h>

#include "lend.h"

/**
 * zcopy_call_alloc() - a call of @count segments, all unset
 * @count: segments, at least 1
 * @mem_bytes: bytes in all its memory segments
 *
 * One allocation, charged to the caller's memory cgroup, holds the
 * segments, the send batch and the memory segments' page pieces (one per
 * page a segment touches: at most one more than its share of whole pages).
 *
 * Return: the call, or NULL without memory.
 */
struct zcopy_call *zcopy_call_alloc(u32 count, size_t mem_bytes)
{
	u32 npages = DIV_ROUND_UP(mem_bytes, PAGE_SIZE);
	size_t npieces = size_add(npages, count);
	struct zcopy_call *c;
	size_t size;

	size = size_add(sizeof(*c), array_size(count, sizeof(*c->segs)));
	size = size_add(size, sizeof(*c->lend));
	size = size_add(size, array_size(npieces, sizeof(*c->mem_free)));
	size = size_add(size, array_size(npages, sizeof(*c->pages)));
	c = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!c)
		return NULL;
	c->count = count;
	c->segs = (struct zcopy_seg *)(c + 1);
	c->lend = (struct zcopy_lend *)(c->segs + count);
	c->mem_free = (struct bio_vec *)(c->lend + 1);
	c->pages = (struct page **)(c->mem_free + npieces);
	c->mem_pages = npages;
	return c;
}

/**
 * zcopy_call_free() - drop everything a call holds
 * @c: the call, or NULL
 *
 * The socket holds references of its own to the pages it still needs.
 */
void zcopy_call_free(struct zcopy_call *c)
{
	u32 i;

	if (!c)
		return;
	for (i = 0; i < c->count; i++)
		if (c->segs[i].in)
			fput(c->segs[i].in);
	while (c->nr_pages)
		put_page(c->pages[--c->nr_pages]);
	if (c->out)
		fput(c->out);
	kvfree(c);
}

/**
 * zcopy_call_copy_memory() - copy memory segment @i from the caller
 * @c: the call, allocated for all its memory bytes
 * @i: the segment; its len is set and its in is NULL
 * @from: user address of its bytes
 *
 * The bytes go back to back into pages of the call's own: the socket gets
 * those, never the caller's memory, which may change as soon as the call
 * returns.
 *
 * Return: 0, -ENOMEM or -EFAULT.
 */
int zcopy_call_copy_memory(struct zcopy_call *c, u32 i,
			   const void __user *from)
{
	struct zcopy_seg *seg = &c->segs[i];
	size_t left = seg->len, off = c->mem_used;

	seg->mem = c->mem_free;
	while (left) {
		u32 p = off >> PAGE_SHIFT;
		size_t poff = offset_in_page(off);
		size_t n = min_t(size_t, left, PAGE_SIZE - poff);

		/* More than the call was allocated for. */
		if (p >= c->mem_pages)
			return -EINVAL;
		if (p == c->nr_pages) {
			c->pages[p] = alloc_page(GFP_KERNEL_ACCOUNT);
			if (!c->pages[p])
				return -ENOMEM;
			c->nr_pages++;
		}
		if (copy_from_user(page_address(c->pages[p]) + poff, from, n))
			return -EFAULT;
		bvec_set_page(c->mem_free++, c->pages[p], n, poff);
		from += n;
		off += n;
		left -= n;
	}
	seg->mem_nr = c->mem_free - seg->mem;
	c->mem_used = off;
	return 0;
}

/* The source checks of do_sendfile() and do_splice_direct(). */
static int zcopy_check_source(struct file *in)
{
	if (!(in->f_mode & FMODE_READ))
		return -EBADF;
	if (!S_ISREG(file_inode(in)->i_mode) || !in->f_op->read_iter ||
	    !in->f_op->splice_read)
		return -EINVAL;
	return 0;
}

/* The socket: a connected TCP stream whose sendmsg is TCP's own. */
static int zcopy_check_dest(struct file *out, struct socket **sockp)
{
	struct socket *sock;
	struct sock *sk;
	int state;

	if (!(out->f_mode & FMODE_WRITE))
		return -EBADF;
	sock = sock_from_file(out);
	if (!sock)
		return -ENOTSOCK;
	sk = sock->sk;
	if (!sk || sk->sk_type != SOCK_STREAM ||
	    sk->sk_protocol != IPPROTO_TCP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return -EOPNOTSUPP;
	/* kTLS, sockmap and friends replace the protocol's sendmsg. */
	if (inet_csk_has_ulp(sk) || READ_ONCE(sk->sk_prot)->sendmsg != tcp_sendmsg)
		return -EOPNOTSUPP;
	/*
	 * A socket that never connected cannot take data.  One that was
	 * connected and has since been shut down or reset is left to TCP,
	 * which reports EPIPE or ECONNRESET and raises SIGPIPE as for send().
	 */
	state = READ_ONCE(sk->sk_state);
	if (state == TCP_LISTEN ||
	    (state == TCP_CLOSE && !READ_ONCE(inet_sk(sk)->inet_dport)))
		return -ENOTCONN;
	/* do_splice_direct() refuses an O_APPEND output: so do we. */
	if (out->f_flags & O_APPEND)
		return -EINVAL;
	*sockp = sock;
	return 0;
}

/**
 * zcopy_range_clamp() - the length sendfile(2) sends of a checked range
 * @pos: first byte, at least 0
 * @len: bytes asked for, at most SSIZE_MAX
 * @maxbytes: the filesystem's largest file size (s_maxbytes)
 * @countp: out: @len clamped to MAX_RW_COUNT and to @maxbytes
 *
 * The arithmetic of do_sendfile() after rw_verify_area().
 *
 * Return: 0, or -EOVERFLOW when @pos is at or past @maxbytes and @len
 * reaches it.
 */
int zcopy_range_clamp(loff_t pos, u64 len, loff_t maxbytes, size_t *countp)
{
	len = min_t(u64, len, MAX_RW_COUNT);
	if (pos + len > maxbytes) {
		if (pos >= maxbytes)
			return -EOVERFLOW;
		len = maxbytes - pos;
	}
	*countp = len;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zcopy_range_clamp);

/*
 * The range checks of do_sendfile(), in its order, with rw_verify_area()
 * and its LSM hooks, once per segment.  @fpos: where the file position
 * will be when the segment is sent.
 */
static int zcopy_check_range(struct zcopy_seg *seg, struct file *out,
			     loff_t fpos)
{
	struct file *in = seg->in;
	u64 len = seg->len;
	loff_t pos;
	int err;

	if (seg->use_fpos) {
		pos = fpos;
	} else {
		if (seg->offset > LLONG_MAX)
			return -EINVAL;
		if (!(in->f_mode & FMODE_PREAD))
			return -ESPIPE;
		pos = seg->offset;
	}
	if (len > SSIZE_MAX)
		return -EINVAL;
	err = rw_verify_area(READ, in, &pos, len);
	if (err)
		return err;
	err = rw_verify_area(WRITE, out, NULL, min_t(u64, len, MAX_RW_COUNT));
	if (err)
		return err;
	seg->pos = pos;
	return zcopy_range_clamp(pos, len, file_inode(in)->i_sb->s_maxbytes,
				 &seg->count);
}

/*
 * Where file segment @i starts if it uses the file position: where the
 * last earlier segment through the same open file ends, as if each had
 * been a sendfile(2) with a NULL offset, or at the position now.  Checked
 * here, once, the range is the one sent: nothing moves it in between.
 */
static loff_t zcopy_seg_fpos(const struct zcopy_call *c, u32 i)
{
	struct file *in = c->segs[i].in;

	while (i--) {
		const struct zcopy_seg *prev = &c->segs[i];

		if (prev->in == in && prev->use_fpos)
			return prev->pos + prev->count;
	}
	return in->f_pos;
}

/* Check file segment @i for the call's method. */
static int zcopy_check_seg(struct zcopy_call *c, u32 i)
{
	struct zcopy_seg *seg = &c->segs[i];
	struct file *in = seg->in;
	int err;

	err = zcopy_check_source(in);
	if (err)
		return err;
	zcopy_source_init(&seg->src, in);
	if (c->m->reads == ZCOPY_READS_CACHE && !seg->src.lendable)
		return -EINVAL;
	/* Read through the file, O_DIRECT always waits for storage. */
	if ((c->flags & ZCOPY_F_NODISKIO) && c->m->reads == ZCOPY_READS_FILE &&
	    (in->f_flags & O_DIRECT) && seg->src.cache &&
	    !shmem_mapping(seg->src.cache))
		return -EINVAL;
	if (c->m->check) {
		err = c->m->check(in);
		if (err)
			return err;
	}
	seg->use_fpos = seg->offset == ZCOPY_OFFSET_CURRENT;
	err = zcopy_check_range(seg, c->out, zcopy_seg_fpos(c, i));
	/*
	 * A segment through the file position stops at the end of the file,
	 * where the next one through it then starts, as sendfile(2) would
	 * leave the position.  Its length is fixed now, so the two meet even
	 * if the file grows meanwhile.
	 */
	if (!err && seg->use_fpos && seg->src.sized) {
		loff_t isize = i_size_read(file_inode(in));

		seg->count = seg->pos < isize ?
			     min_t(u64, seg->count, isize - seg->pos) : 0;
	}
	return err;
}

/**
 * zcopy_call_prepare() - check a call before anything is sent
 * @c: the call: out, method, flags and the segments set (a file segment's
 *	in, offset and len; a memory segment's len); method and flags passed
 *	zcopy_check_method()
 *
 * Resolves AUTO from the first file segment, checks the socket and, in
 * order, every file segment as sendfile(2) checks its file and range.
 *
 * Return: 0 or a negative errno (see the uAPI header); nothing was sent
 * and no counter moved either way.
 */
int zcopy_call_prepare(struct zcopy_call *c)
{
	struct file *first_in = NULL;
	size_t mem_bytes = 0;
	u32 i;
	int err;

	for (i = 0; i < c->count && !first_in; i++)
		first_in = c->segs[i].in;
	if (c->method == ZCOPY_METHOD_AUTO)
		c->method = zcopy_auto_method(first_in, c->flags);
	c->m = zcopy_method_get(c->method);
	if (!c->m)
		return -EINVAL;
	err = zcopy_check_dest(c->out, &c->sock);
	if (err)
		return err;
	if ((c->out->f_flags & O_NONBLOCK) || c->async)
		c->msg_flags |= MSG_DONTWAIT;
	/* A worker has nobody to raise SIGPIPE at. */
	if ((c->flags & ZCOPY_F_NOSIGNAL) || c->async)
		c->msg_flags |= MSG_NOSIGNAL;
	zcopy_lend_init(c->lend, c->sock, c->msg_flags, true);

	for (i = 0; i < c->count; i++) {
		if (!c->segs[i].in) {
			mem_bytes += c->segs[i].len;
			continue;
		}
		err = zcopy_check_seg(c, i);
		if (err)
			return err;
	}
	/* Memory goes to the socket as write(2) would send it. */
	return mem_bytes ? rw_verify_area(WRITE, c->out, NULL, mem_bytes) : 0;
}

/*
 * What the socket's egress device can do, from its cached route.  Looked at
 * under RCU, as sk_dst_get() does, without taking a reference: nothing of
 * the route is kept.
 */
static u32 zcopy_route_sample(struct sock *sk, u32 *ifindex)
{
	netdev_features_t features;
	struct net_device *dev;
	struct dst_entry *dst;
	u32 route = 0;

	rcu_read_lock();
	dst = rcu_dereference(sk->sk_dst_cache);
	dev = dst ? READ_ONCE(dst->dev) : NULL;
	if (dev) {
		/*
		 * Not sk_route_caps: TCP forces NETIF_F_SG in there whenever
		 * GSO is usable, and the copy then happens at transmit time.
		 */
		features = READ_ONCE(dev->features);
		route = ZCOPY_ROUTE_KNOWN;
		if (features & NETIF_F_SG)
			route |= ZCOPY_ROUTE_SG;
		if (features & NETIF_F_CSUM_MASK)
			route |= ZCOPY_ROUTE_CSUM;
		*ifindex = dev->ifindex;
	}
	rcu_read_unlock();
	return route;
}

/* Set up segment @i's transfer, counts zeroed. */
static void zcopy_seg_init(const struct zcopy_call *c, u32 i)
{
	struct zcopy_seg *seg = &c->segs[i];
	struct zcopy_xfer *x = &seg->x;

	memset(x, 0, sizeof(*x));
	x->in = seg->in;
	x->sock = c->sock;
	x->pos = seg->pos;
	x->len = seg->in ? seg->count : seg->len;
	x->msg_flags = c->msg_flags;
	x->more = i < c->count - 1 || (c->flags & ZCOPY_F_MORE);
	x->nodiskio = c->flags & ZCOPY_F_NODISKIO;
	x->cancel = c->cancel;
	if (!seg->in) {
		x->module_copied = seg->len;
		return;
	}
	/*
	 * Ask for no more than the file holds, so the last send pushes.  A
	 * pseudo file's size says nothing of its content: read it to EOF.
	 */
	if (seg->src.sized) {
		loff_t isize = i_size_read(file_inode(seg->in));

		x->len = x->pos < isize ? min_t(u64, x->len, isize - x->pos) : 0;
	}
	switch (c->m->reads) {
	case ZCOPY_READS_CACHE:
		x->cache = seg->src.cache;
		break;
	case ZCOPY_READS_FILE:
		x->cache = seg->in->f_flags & O_DIRECT ? NULL : seg->src.cache;
		break;
	default:
		break;
	}
}

/*
 * Send what is gathered; the stream is corked after it if @more.  Segments
 * sent one by one in between corked the stream or not.
 */
static int zcopy_call_flush(struct zcopy_call *c, bool more, bool *stop)
{
	int err;

	if (!c->lend->nr)
		return 0;
	c->lend->corked = c->corked;
	err = zcopy_lend_flush(c->lend, more, stop);
	c->corked = c->lend->corked;
	return err;
}

/*
 * Send what is gathered if there is no room for more; a signal then stops
 * the call, as between any two sends.
 */
static int zcopy_call_make_room(struct zcopy_call *c, bool *stop)
{
	int err;

	if (!zcopy_lend_full(c->lend))
		return 0;
	err = zcopy_call_flush(c, true, stop);
	if (!err && !*stop && zcopy_should_stop(c->cancel))
		*stop = true;
	return err;
}

/*
 * The call's copy of a memory segment joins the pages to send, from where
 * an earlier run of the call stopped in it.
 */
static int zcopy_lend_memory(struct zcopy_call *c, struct zcopy_seg *seg,
			     bool *stop)
{
	size_t skip = seg->x.sent;
	u32 b;
	int err;

	for (b = 0; b < seg->mem_nr; b++) {
		const struct bio_vec *bv = &seg->mem[b];

		if (skip >= bv->bv_len) {
			skip -= bv->bv_len;
			continue;
		}
		err = zcopy_call_make_room(c, stop);
		if (err || *stop)
			return err;
		/* The call keeps its pages: no reference for the batch. */
		zcopy_lend_add(c->lend, &seg->x, bv->bv_page,
			       bv->bv_offset + skip, bv->bv_len - skip,
			       NULL, true);
		skip = 0;
	}
	return 0;
}

/* The page-cache folios of a file segment join the pages to send (PAGES). */
static int zcopy_lend_folios(struct zcopy_call *c, struct zcopy_seg *seg,
			     bool *stop)
{
	struct zcopy_xfer *x = &seg->x;
	loff_t pos = x->pos, end = x->pos + x->len;
	int err;

	while (pos < end) {
		err = zcopy_call_make_room(c, stop);
		if (err || *stop)
			return err;
		err = zcopy_lend_file(c->lend, x, &pos, end);
		if (err)
			return err;
		/* Shorter than at the start: what follows must not go. */
		if (!zcopy_lend_full(c->lend) && pos < end) {
			*stop = true;
			break;
		}
	}
	return 0;
}

/*
 * Send segment @i, or gather it for a later send; @resume: an earlier run
 * of the call stopped in it, and it goes on from there.
 */
static int zcopy_seg_send(struct zcopy_call *c, u32 i, bool resume,
			  bool *stop)
{
	struct zcopy_seg *seg = &c->segs[i];
	struct zcopy_xfer *x = &seg->x;
	int err;

	if (!resume)
		zcopy_seg_init(c, i);
	x->cache_wait = false;
	if (!seg->in)
		return zcopy_lend_memory(c, seg, stop);
	if (!x->len)
		return 0;
	if (x->nodiskio &&
	    !zcopy_cache_ready(seg->in, x->cache, x->pos, x->len)) {
		x->cache_wait = true;
		return -EAGAIN;
	}
	if (!c->m->send)
		return zcopy_lend_folios(c, seg, stop);
	/* The method sends it alone, after the stream gathered so far. */
	err = zcopy_call_flush(c, true, stop);
	if (err || *stop)
		return err;
	err = c->m->send(x, c->lend);
	if (WARN_ON_ONCE(c->lend->nr))
		zcopy_lend_release(c->lend);
	zcopy_lend_init(c->lend, c->sock, c->msg_flags, true);
	if (x->sent)
		c->corked = x->corked;
	if (x->len)
		*stop = true;
	return err;
}

/* When a segment started, for its own statistics. */
struct zcopy_seg_clock {
	u64 start_ns;
	u64 io_start;
};

/*
 * Per-segment clocks run only when per-segment statistics are wanted: with
 * a hundred segments a call, reading the clock twice each was a tenth of
 * the sending CPU time.
 */
static void zcopy_seg_clock_start(const struct zcopy_call *c,
				  struct zcopy_seg_clock *t)
{
	t->start_ns = c->seg_clocks ? ktime_get_ns() : 0;
	t->io_start = c->seg_clocks ? zcopy_task_read_bytes() : 0;
}

/* What a segment took: its storage_read and elapsed_ns. */
static void zcopy_seg_clock_stop(const struct zcopy_call *c,
				 const struct zcopy_seg_clock *t,
				 struct zcopy_xfer *x)
{
	if (!c->seg_clocks)
		return;
	x->storage_read = zcopy_task_read_bytes() - t->io_start;
	x->elapsed_ns = ktime_get_ns() - t->start_ns;
}

/* Finish the stream and look at the route it took. */
static void zcopy_call_end(struct zcopy_call *c)
{
	u32 ifindex = 0, route;

	/* Stopped after MSG_MORE and not asked to stay corked: push. */
	if (c->corked && !(c->flags & ZCOPY_F_MORE) &&
	    c->sock->ops->splice_eof)
		c->sock->ops->splice_eof(c->sock);
	c->storage_read += zcopy_task_read_bytes() - c->io_start;
	c->elapsed_ns = ktime_get_ns() - c->start_ns;

	/* The route after the transfer is the one the bytes took. */
	route = zcopy_route_sample(c->sock->sk, &ifindex);
	if (route) {
		c->route = route;
		c->ifindex = ifindex;
	}
}

/*
 * What sendfile(2) does besides sending (do_sendfile() in fs/read_write.c),
 * so that what watches files (inotify, fanotify, audit, backup and indexing
 * tools) and per-task I/O accounting (/proc/PID/io, taskstats) see a call
 * as they see sendfile(2): per file segment that sent bytes, rchar and
 * fsnotify_access(), and atime for a method that reads the page cache
 * itself (file_accessed(), as filemap_read() does; the others read through
 * the file, whose read path does it) and the file position moved; per
 * call, one read and one write system call, wchar and fsnotify_modify().
 * An operation on a worker (ZCOPY_IOC_SUBMIT) is no system call of the
 * worker's: its events and atime only.
 */
static void zcopy_call_effects(const struct zcopy_call *c)
{
	u64 sent = 0;
	u32 i;

	for (i = 0; i < c->reached; i++) {
		const struct zcopy_seg *seg = &c->segs[i];

		sent += seg->x.sent;
		if (!seg->in || !seg->x.sent)
			continue;
		if (seg->use_fpos)
			seg->in->f_pos = seg->x.pos;
		if (!c->async)
			add_rchar(current, seg->x.sent);
		fsnotify_access(seg->in);
		if (c->m->reads == ZCOPY_READS_CACHE)
			file_accessed(seg->in);
	}
	if (sent)
		fsnotify_modify(c->out);
	if (c->async)
		return;
	add_wchar(current, sent);
	inc_syscr(current);
	inc_syscw(current);
}

/**
 * zcopy_call_run() - send the segments of a prepared call in order
 * @c: the call
 *
 * A file range that ends early (end of file) lets the next segment go; a
 * stop for any other reason (signal, cancel, full non-blocking socket,
 * NODISKIO, an error) ends the run.  c->index then says where to resume,
 * and a later run of the same call (ZCOPY_IOC_SUBMIT's worker, once the
 * socket has room) goes on from there, the counts and clocks running on.
 *
 * Return: 0 or the negative errno that stopped it; the segments' x say
 * what went.
 */
int zcopy_call_run(struct zcopy_call *c)
{
	bool stop = false;
	int err = 0, ferr;
	u32 i, k;

	c->route = zcopy_route_sample(c->sock->sk, &c->ifindex);
	c->lend->release = c->release;
	if (!c->start_ns)
		c->start_ns = ktime_get_ns();
	c->io_start = zcopy_task_read_bytes();
	for (i = c->index; i < c->count; i++) {
		bool resume = i < c->reached;
		struct zcopy_seg_clock t;

		c->reached = max(c->reached, i + 1);
		zcopy_seg_clock_start(c, &t);
		err = zcopy_seg_send(c, i, resume, &stop);
		/* Timed alone, a segment is sent before the next one starts. */
		if (!err && !stop && c->seg_clocks)
			err = zcopy_call_flush(c, i < c->count - 1 ||
					       (c->flags & ZCOPY_F_MORE), &stop);
		zcopy_seg_clock_stop(c, &t, &c->segs[i].x);
		if (err || stop)
			break;
		if (i < c->count - 1 && zcopy_should_stop(c->cancel)) {
			i++;
			break;
		}
	}
	ferr = zcopy_call_flush(c, c->flags & ZCOPY_F_MORE, &stop);
	zcopy_call_end(c);

	/* Where a later segment failed, an earlier one may still be short. */
	for (k = c->index; k < i && k < c->reached; k++)
		if (c->segs[k].x.len)
			break;
	c->index = k;
	return err ?: ferr;
}

/**
 * zcopy_call_cached() - whether a prepared call can run without waiting
 *	for storage
 * @c: the call, not yet run
 *
 * Only for a method that reads the page cache itself (PAGES, MMAP): every
 * byte of every file segment is uptodate there.  Nothing is read.
 *
 * Return: true if so.
 */
bool zcopy_call_cached(const struct zcopy_call *c)
{
	u32 i;

	if (c->m->reads != ZCOPY_READS_CACHE)
		return false;
	for (i = 0; i < c->count; i++) {
		const struct zcopy_seg *seg = &c->segs[i];
		loff_t end = seg->pos + seg->count;

		if (!seg->in)
			continue;
		/* What it will send: past the end of the file is no miss. */
		end = min(end, i_size_read(file_inode(seg->in)));
		if (end > seg->pos &&
		    zcopy_cache_first_miss(seg->in, seg->src.cache, seg->pos,
					   end - seg->pos) != ULONG_MAX)
			return false;
	}
	return true;
}

/**
 * zcopy_call_stats() - what a segment (or a whole call) cost
 * @c: the call, after zcopy_call_run()
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
 * zcopy_call_finish() - the statistics of a call that ran, and its counters
 * @ctx: the open file it came through, or NULL
 * @c: the call, after zcopy_call_run()
 * @err: what zcopy_call_run() returned
 * @st: out: the statistics of the whole call
 * @sent: out: bytes sent in all
 *
 * Segments up to the one that stopped count.  A call that sent bytes
 * succeeds with the partial count, whatever stopped it; one that sent
 * nothing and failed counts as an error and nothing else, unless it was
 * cancelled (-ECANCELED), which counts nowhere.  sendfile(2)'s side
 * effects come here, once for the call however many runs it took.
 *
 * Return: 0, or @err when nothing was sent.
 */
int zcopy_call_finish(struct zcopy_ctx *ctx, struct zcopy_call *c, int err,
		      struct zcopy_stats *st, u64 *sent)
{
	u64 delta[ZCOPY_NR_COUNTERS] = { 0 };
	struct zcopy_xfer total = { 0 };
	u32 i;

	for (i = 0; i < c->reached && i <= c->index; i++) {
		const struct zcopy_xfer *x = &c->segs[i].x;

		total.sent += x->sent;
		total.ref_bytes += x->ref_bytes;
		total.copy_ref_bytes += x->copy_ref_bytes;
		total.sock_copied += x->sock_copied;
		total.module_copied += x->module_copied;
		total.hit_pages += x->hit_pages;
		total.miss_pages += x->miss_pages;
	}
	/* The call's own clocks also cover the checks between segments. */
	total.storage_read = c->storage_read;
	total.elapsed_ns = c->elapsed_ns;
	zcopy_call_stats(c, &total, st);
	*sent = total.sent;
	if (total.sent)
		err = 0;
	zcopy_call_effects(c);
	if (err == -ECANCELED)
		return err;

	if (err) {
		delta[ZCOPY_CTR_ERRORS] = 1;
	} else {
		delta[ZCOPY_CTR_TRANSFERS] = 1;
		delta[ZCOPY_CTR_BYTES] = total.sent;
		delta[ZCOPY_CTR_ZC_BYTES] = st->zc_bytes;
		delta[ZCOPY_CTR_COPIED_BYTES] = st->copied_bytes;
		delta[ZCOPY_CTR_CACHE_HIT_PAGES] = st->cache_hit_pages;
		delta[ZCOPY_CTR_CACHE_MISS_PAGES] = st->cache_miss_pages;
		delta[ZCOPY_CTR_STORAGE_READ_BYTES] = st->storage_read_bytes;
	}
	zcopy_counters_add(ctx, c->method, delta);
	return err;
}
