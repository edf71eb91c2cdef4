// SPDX-License-Identifier: GPL-2.0
/*
 * The transfer core: the checks sendfile(2) makes, the choice of method, the
 * route's capabilities, and the translation of what a method did into the
 * statistics userspace sees.
 */
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <net/dst.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <kunit/visibility.h>

#include "compat.h"
#include "zcopy.h"

static const struct zcopy_method *const zcopy_methods[ZCOPY_METHOD_COUNT] = {
	[ZCOPY_METHOD_COPY] = &zcopy_method_copy,
	[ZCOPY_METHOD_MMAP] = &zcopy_method_mmap,
	[ZCOPY_METHOD_SPLICE] = &zcopy_method_splice,
	[ZCOPY_METHOD_PAGES] = &zcopy_method_pages,
	[ZCOPY_METHOD_DIRECT] = &zcopy_method_direct,
};

/**
 * zcopy_method_get() - the implementation of a method number
 * @method: ZCOPY_METHOD_* other than AUTO
 *
 * Return: the method, or NULL if this build does not have it.
 */
const struct zcopy_method *zcopy_method_get(u32 method)
{
	return method < ZCOPY_METHOD_COUNT ? zcopy_methods[method] : NULL;
}

/**
 * zcopy_methods_mask() - methods this build implements, AUTO included
 *
 * Return: a bitmask of (1 << ZCOPY_METHOD_*).
 */
u32 zcopy_methods_mask(void)
{
	u32 mask = BIT(ZCOPY_METHOD_AUTO);
	u32 m;

	for (m = 0; m < ZCOPY_METHOD_COUNT; m++)
		if (zcopy_methods[m])
			mask |= BIT(m);
	return mask;
}

/*
 * A file opened with O_DIRECT asks to bypass the page cache: DIRECT honours
 * that where the filesystem can.  Otherwise PAGES does the least work of the
 * methods (no copy, no pipe).
 */
static u32 zcopy_auto_method(struct file *in)
{
	if ((in->f_flags & O_DIRECT) && (in->f_mode & FMODE_CAN_ODIRECT))
		return ZCOPY_METHOD_DIRECT;
	return ZCOPY_METHOD_PAGES;
}

static int zcopy_check_source(struct file *in)
{
	if (!(in->f_mode & FMODE_READ))
		return -EBADF;
	if (!S_ISREG(file_inode(in)->i_mode) || !in->f_op->read_iter ||
	    !in->f_op->splice_read)
		return -EINVAL;
	return 0;
}

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

/* The range checks of do_sendfile(), in its order. */
static int zcopy_check_range(const struct zcopy_request *req, loff_t *posp,
			     size_t *lenp)
{
	struct file *in = req->in;
	loff_t max = file_inode(in)->i_sb->s_maxbytes;
	u64 len = req->len;
	loff_t pos;
	int err;

	if (req->offset == ZCOPY_OFFSET_CURRENT) {
		pos = in->f_pos;
	} else {
		if (req->offset > LLONG_MAX)
			return -EINVAL;
		if (!(in->f_mode & FMODE_PREAD))
			return -ESPIPE;
		pos = req->offset;
	}
	if (len > SSIZE_MAX)
		return -EINVAL;
	err = rw_verify_area(READ, in, &pos, len);
	if (err)
		return err;
	len = min_t(u64, len, MAX_RW_COUNT);
	err = rw_verify_area(WRITE, req->out, NULL, len);
	if (err)
		return err;
	if (pos + len > max) {
		if (pos >= max)
			return -EOVERFLOW;
		len = max - pos;
	}
	*posp = pos;
	*lenp = len;
	return 0;
}

/* What the socket's egress device can do, from its cached route. */
static u32 zcopy_route_sample(struct sock *sk, u32 *ifindex)
{
	struct dst_entry *dst = sk_dst_get(sk);
	netdev_features_t features;
	u32 route = ZCOPY_ROUTE_KNOWN;

	if (!dst)
		return 0;
	if (!dst->dev) {
		dst_release(dst);
		return 0;
	}
	/*
	 * Not sk_route_caps: TCP forces NETIF_F_SG in there whenever GSO is
	 * usable, and the copy then happens at transmit time instead.
	 */
	features = READ_ONCE(dst->dev->features);
	if (features & NETIF_F_SG)
		route |= ZCOPY_ROUTE_SG;
	if (features & NETIF_F_CSUM_MASK)
		route |= ZCOPY_ROUTE_CSUM;
	*ifindex = dst->dev->ifindex;
	dst_release(dst);
	return route;
}

/*
 * Turn what the method did into zero-copy and copied bytes.  Page references
 * are zero-copy only when the device gathers them; otherwise the stack
 * linearises every byte at transmit, once more on top of any earlier copy.
 * A route that cannot be seen is taken as not gathering: never claim a zero
 * copy that cannot be shown.
 */
static void zcopy_classify(const struct zcopy_xfer *x, struct zcopy_stats *st)
{
	bool sg = st->route & ZCOPY_ROUTE_SG;

	st->zc_bytes = sg ? x->ref_bytes : 0;
	st->copied_bytes = x->module_copied + x->sock_copied;
	if (!sg)
		st->copied_bytes += x->ref_bytes + x->sock_copied;
	st->cache_hit_pages = x->hit_pages;
	st->cache_miss_pages = x->miss_pages;
}

static void zcopy_account(struct zcopy_ctx *ctx, const struct zcopy_stats *st,
			  u64 sent, int err)
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
	zcopy_counters_add(ctx, st->method, delta);
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
	struct zcopy_xfer x = { .in = req->in };
	const struct zcopy_method *m;
	u32 method = req->method;
	u32 route, ifindex = 0;
	u64 start, io_start;
	loff_t isize;
	int err;

	if (req->flags)
		return -EINVAL;
	if (method == ZCOPY_METHOD_AUTO)
		method = zcopy_auto_method(req->in);
	m = zcopy_method_get(method);
	if (!m)
		return -EINVAL;
	err = zcopy_check_source(req->in);
	if (!err && m->check)
		err = m->check(req->in);
	if (err)
		return err;
	err = zcopy_check_dest(req->out, &x.sock);
	if (err)
		return err;
	err = zcopy_check_range(req, &x.pos, &x.len);
	if (err)
		return err;

	memset(stats, 0, sizeof(*stats));
	stats->method = method;
	if (req->out->f_flags & O_NONBLOCK)
		x.msg_flags |= MSG_DONTWAIT;
	/* Ask for no more than the file holds, so the last send pushes. */
	isize = i_size_read(file_inode(req->in));
	x.len = x.pos < isize ? min_t(u64, x.len, isize - x.pos) : 0;

	route = zcopy_route_sample(x.sock->sk, &ifindex);
	start = ktime_get_ns();
	io_start = zcopy_task_read_bytes();
	err = x.len ? m->send(&x) : 0;
	/* Stopped early after MSG_MORE: push what TCP is holding back. */
	if (x.corked && x.sock->ops->splice_eof)
		x.sock->ops->splice_eof(x.sock);
	stats->storage_read_bytes = zcopy_task_read_bytes() - io_start;
	stats->elapsed_ns = ktime_get_ns() - start;

	/* The route after the transfer is the one the bytes took. */
	stats->route = zcopy_route_sample(x.sock->sk, &ifindex);
	if (!stats->route)
		stats->route = route;
	stats->ifindex = stats->route ? ifindex : 0;
	zcopy_classify(&x, stats);

	if (x.sent)
		err = 0;
	if (!err && req->offset == ZCOPY_OFFSET_CURRENT)
		req->in->f_pos = x.pos;
	zcopy_account(ctx, stats, x.sent, err);
	*sent = x.sent;
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(zcopy_transfer);
