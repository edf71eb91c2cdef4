// SPDX-License-Identifier: GPL-2.0
/* Bookkeeping every method does around a send to the socket. */
#include <linux/net.h>
#include <linux/sched/signal.h>

#include "zcopy.h"

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
