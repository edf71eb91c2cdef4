// SPDX-License-Identifier: GPL-2.0
/*
 * COPY: the read() + write() baseline.  The range is read into a kernel
 * bounce buffer (one CPU copy) and the buffer is sent (a second copy, into
 * the socket's buffers).
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "zcopy.h"

/* The buffer size of a typical read()/write() loop. */
#define ZCOPY_BOUNCE_SIZE	(64 * 1024)

/*
 * ->read_iter into the buffer, as __kernel_read() does, without its
 * per-read rchar, syscr and fsnotify: the call accounts once for the whole
 * transfer, as sendfile(2) does.
 */
static ssize_t zcopy_copy_read(struct file *in, void *buf, size_t len,
			       loff_t pos)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;
	struct kiocb kiocb;

	init_sync_kiocb(&kiocb, in);
	kiocb.ki_pos = pos;
	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, len);
	return in->f_op->read_iter(&kiocb, &iter);
}

static int zcopy_copy_send(struct zcopy_xfer *x)
{
	size_t size = min_t(size_t, x->len, ZCOPY_BOUNCE_SIZE);
	void *buf;
	int ret = 0;

	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	while (x->len) {
		size_t want = min(x->len, size);
		ssize_t n;

		ret = zcopy_cache_prepare(x, x->pos, x->pos + want);
		if (ret)
			break;
		n = zcopy_copy_read(x->in, buf, want, x->pos);
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
	.reads = ZCOPY_READS_FILE,
	.send = zcopy_copy_send,
};
