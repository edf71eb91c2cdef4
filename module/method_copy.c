// SPDX-License-Identifier: GPL-2.0
/*
 * COPY: the read() + write() baseline.  The range is read into a kernel
 * bounce buffer (one CPU copy) and the buffer is sent (a second copy, into
 * the socket's buffers).
 */
#include <linux/fs.h>
#include <linux/slab.h>

#include "zcopy.h"

/* The buffer size of a typical read()/write() loop. */
#define ZCOPY_BOUNCE_SIZE	(64 * 1024)

static int zcopy_copy_send(struct zcopy_xfer *x)
{
	size_t size = min_t(size_t, x->len, ZCOPY_BOUNCE_SIZE);
	void *buf;
	int ret = 0;

	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	while (x->len) {
		loff_t pos = x->pos;
		ssize_t n;

		zcopy_cache_probe(x, pos, pos + min(x->len, size));
		n = kernel_read(x->in, buf, min(x->len, size), &pos);
		if (n <= 0) {
			ret = n;
			break;
		}
		x->module_copied += n;
		ret = zcopy_send_buffer(x, buf, n);
		if (ret < 0 || ret < n || zcopy_xfer_should_stop(x))
			break;
	}
	kvfree(buf);
	return ret < 0 ? ret : 0;
}

const struct zcopy_method zcopy_method_copy = {
	.name = "copy",
	.send = zcopy_copy_send,
};
