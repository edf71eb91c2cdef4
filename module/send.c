// SPDX-License-Identifier: GPL-2.0
/* Bookkeeping every method does around a send to the socket. */
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/socket.h>
#include <linux/uio.h>

#include "zcopy.h"

/**
 * zcopy_send_flags() - MSG_* flags for the next send of @bytes bytes
 * @x: the transfer
 * @bytes: bytes this send offers
 *
 * All but the last send of a transfer carry MSG_MORE so that TCP builds
 * full frames across sends; the transfer core flushes if it stops early.
 *
 * Return: the flags to pass to the socket.
 */
int zcopy_send_flags(struct zcopy_xfer *x, size_t bytes)
{
	x->corked = bytes < x->len || x->more;
	return x->msg_flags | (x->corked ? MSG_MORE : 0);
}

/**
 * zcopy_xfer_advance() - account @bytes the socket accepted
 * @x: the transfer
 * @bytes: bytes accepted
 */
void zcopy_xfer_advance(struct zcopy_xfer *x, size_t bytes)
{
	x->pos += bytes;
	x->len -= bytes;
	x->sent += bytes;
}

/**
 * zcopy_send_buffer() - send kernel memory as data the socket copies
 * @x: the transfer; advanced by what the socket takes
 * @buf: the bytes (never sent by reference: kmalloc memory cannot be)
 * @bytes: how many
 *
 * Return: bytes the socket took, or a negative errno.
 */
int zcopy_send_buffer(struct zcopy_xfer *x, void *buf, size_t bytes)
{
	struct kvec kv = { .iov_base = buf, .iov_len = bytes };
	struct msghdr msg = { .msg_flags = zcopy_send_flags(x, bytes) };
	int ret;

	ret = kernel_sendmsg(x->sock, &msg, &kv, 1, bytes);
	if (ret > 0) {
		x->sock_copied += ret;
		zcopy_xfer_advance(x, ret);
	}
	return ret;
}

/**
 * zcopy_xfer_should_stop() - whether to return to userspace now
 * @x: the transfer
 *
 * A pending signal ends the transfer with what was sent so far, as
 * sendfile(2) does; the scheduler gets a chance between sends.
 *
 * Return: true if the method must stop.
 */
bool zcopy_xfer_should_stop(const struct zcopy_xfer *x)
{
	cond_resched();
	return signal_pending(current);
}
