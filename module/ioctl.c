// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl dispatch: each argument struct is copied in once, checked in its
 * kernel copy only; only its output fields are written back.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "zcopy.h"

union zcopy_ioctl_arg {
	struct zcopy_info info;
	struct zcopy_send send;
	struct zcopy_counters counters;
	struct zcopy_sendv sendv;
};

static int zcopy_ioc_info(struct zcopy_ctx *ctx, union zcopy_ioctl_arg *arg)
{
	struct zcopy_info *info = &arg->info;

	if (info->flags || info->reserved[0] || info->reserved[1])
		return -EINVAL;
	info->api_version = ZCOPY_API_VERSION;
	info->methods = zcopy_methods_mask();
	info->max_len = MAX_RW_COUNT;
	info->features = ZCOPY_FEAT_PAGES_PATH | ZCOPY_FEAT_IO_ACCT;
	return 0;
}

static int zcopy_ioc_send(struct zcopy_ctx *ctx, union zcopy_ioctl_arg *arg)
{
	struct zcopy_send *s = &arg->send;
	struct zcopy_request req = {
		.offset = s->offset,
		.len = s->len,
		.method = s->method,
		.flags = s->flags,
	};
	int err;

	if (s->reserved0 || s->reserved[0] || s->reserved[1])
		return -EINVAL;
	req.in = fget(s->in_fd);
	if (!req.in)
		return -EBADF;
	req.out = fget(s->out_fd);
	if (!req.out) {
		err = -EBADF;
		goto put_in;
	}
	err = zcopy_transfer(ctx, &req, &s->sent, &s->stats);
	fput(req.out);
put_in:
	fput(req.in);
	return err;
}

static int zcopy_ioc_counters(struct zcopy_ctx *ctx,
			      union zcopy_ioctl_arg *arg)
{
	struct zcopy_counters *c = &arg->counters;
	const atomic64_t *v = ctx->tally.v;

	if (c->flags || c->reserved[0] || c->reserved[1])
		return -EINVAL;
	c->transfers = atomic64_read(&v[ZCOPY_CTR_TRANSFERS]);
	c->bytes = atomic64_read(&v[ZCOPY_CTR_BYTES]);
	c->zc_bytes = atomic64_read(&v[ZCOPY_CTR_ZC_BYTES]);
	c->copied_bytes = atomic64_read(&v[ZCOPY_CTR_COPIED_BYTES]);
	c->cache_hit_pages = atomic64_read(&v[ZCOPY_CTR_CACHE_HIT_PAGES]);
	c->cache_miss_pages = atomic64_read(&v[ZCOPY_CTR_CACHE_MISS_PAGES]);
	c->storage_read_bytes =
		atomic64_read(&v[ZCOPY_CTR_STORAGE_READ_BYTES]);
	c->errors = atomic64_read(&v[ZCOPY_CTR_ERRORS]);
	return 0;
}

static int zcopy_ioc_sendv(struct zcopy_ctx *ctx, union zcopy_ioctl_arg *arg)
{
	return zcopy_sendv(ctx, &arg->sendv);
}

struct zcopy_ioctl_op {
	u32 size;	/* the struct as this module knows it */
	u32 min_size;	/* the first published layout */
	u32 out_start;	/* the output fields: written back, nothing else */
	u32 out_end;
	int (*fn)(struct zcopy_ctx *ctx, union zcopy_ioctl_arg *arg);
};

#define ZCOPY_OP(nr, type, first_out, last_out, handler)		\
	[_IOC_NR(nr)] = { sizeof(type), sizeof(type),			\
			  offsetof(type, first_out),			\
			  offsetofend(type, last_out), handler }

static const struct zcopy_ioctl_op zcopy_ioctl_ops[] = {
	ZCOPY_OP(ZCOPY_IOC_INFO, struct zcopy_info, api_version, features,
		 zcopy_ioc_info),
	ZCOPY_OP(ZCOPY_IOC_SEND, struct zcopy_send, sent, stats,
		 zcopy_ioc_send),
	ZCOPY_OP(ZCOPY_IOC_COUNTERS, struct zcopy_counters, transfers, errors,
		 zcopy_ioc_counters),
	ZCOPY_OP(ZCOPY_IOC_SENDV, struct zcopy_sendv, seg_index, stats,
		 zcopy_ioc_sendv),
};

/**
 * zcopy_ioctl() - the ioctl handler of /dev/zcopy
 * @file: the open device
 * @cmd: ZCOPY_IOC_*; the size bits are not checked, the struct's own size
 *	field says which layout the caller uses
 * @arg: user pointer to the argument struct
 *
 * Return: 0 or a negative errno.
 */
long zcopy_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct zcopy_ioctl_op *op;
	union zcopy_ioctl_arg karg;
	u8 *kout;
	u8 __user *uout;
	u32 usize, nout;
	int err;

	if (_IOC_TYPE(cmd) != ZCOPY_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE) ||
	    _IOC_NR(cmd) >= ARRAY_SIZE(zcopy_ioctl_ops))
		return -ENOTTY;
	op = &zcopy_ioctl_ops[_IOC_NR(cmd)];

	/* The size is fetched once; the copy's own size field is ignored. */
	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	memset(&karg, 0, sizeof(karg));
	err = copy_struct_from_user(&karg, op->size, uarg, usize);
	if (err)
		return err;
	/*
	 * Make sure the results can be written back before anything happens:
	 * a read-only argument must fail before bytes go out, not after.  The
	 * outputs span at most two pages: their first and last bytes, written
	 * back as they were read, test both.
	 */
	kout = (u8 *)&karg + op->out_start;
	uout = (u8 __user *)uarg + op->out_start;
	nout = op->out_end - op->out_start;
	if (put_user(kout[0], uout) || put_user(kout[nout - 1], uout + nout - 1))
		return -EFAULT;

	err = op->fn(file->private_data, &karg);
	if (err)
		return err;
	/* Only the outputs: what the caller wrote elsewhere stays its own. */
	if (copy_to_user(uout, kout, nout))
		return -EFAULT;
	return 0;
}
