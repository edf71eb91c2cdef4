// SPDX-License-Identifier: GPL-2.0
/*
 * The checks sendfile(2) makes, made before anything is sent: file modes,
 * the socket's kind and state, and do_sendfile()'s range limits with
 * rw_verify_area() and its LSM hook.
 */
#include <linux/fs.h>
#include <linux/net.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "zcopy.h"

int zcopy_check_source(struct file *in)
{
	if (!(in->f_mode & FMODE_READ))
		return -EBADF;
	if (!S_ISREG(file_inode(in)->i_mode) || !in->f_op->read_iter ||
	    !in->f_op->splice_read)
		return -EINVAL;
	return 0;
}

int zcopy_check_dest(struct file *out, struct socket **sockp)
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
int zcopy_check_range(const struct zcopy_request *req, loff_t *posp,
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
