// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls: each argument struct is copied in once, validated in one
 * place in its kernel copy, handed to its handler, and only its output
 * fields are written back.  SEND and SENDV turn into one transfer call
 * (transfer.c): SEND is a call of one file segment.  Each fires its
 * tracepoints (trace.h) once its outcome is known.
 */
#include <linux/build_bug.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "trace.h"
#include "zcopy.h"

static int zcopy_check_info(const union zcopy_ioctl_arg *arg)
{
	const struct zcopy_info *info = &arg->info;

	if (info->flags || info->reserved0 || info->reserved[0] ||
	    info->reserved[1])
		return -EINVAL;
	return 0;
}

static int zcopy_ioc_info(struct zcopy_ctx *ctx, union zcopy_ioctl_arg *arg)
{
	struct zcopy_info *info = &arg->info;

	info->methods = zcopy_methods_mask();
	info->max_len = MAX_RW_COUNT;
	info->features = ZCOPY_FEAT_PAGES_PATH | ZCOPY_FEAT_IO_ACCT |
			 ZCOPY_FEAT_ASYNC | ZCOPY_FEAT_RELEASE;
	return 0;
}

static int zcopy_check_send(const union zcopy_ioctl_arg *arg)
{
	const struct zcopy_send *s = &arg->send;

	if (s->reserved0 || s->reserved[0] || s->reserved[1])
		return -EINVAL;
	return zcopy_check_method(s->method, s->flags);
}

/* A release record can only come to an operation (ZCOPY_IOC_SUBMIT). */
static int zcopy_check_send_sync(const union zcopy_ioctl_arg *arg)
{
	if (arg->send.flags & ZCOPY_F_NOTIFY_RELEASE)
		return -EINVAL;
	return zcopy_check_send(arg);
}

/*
 * The zcopy_transfer event of a call refused before it ran: nothing was
 * sent, so there are no statistics, and the method is the one asked for.
 */
static void zcopy_trace_refused(u32 method, u32 flags, u32 nr_segs, int err)
{
	const struct zcopy_stats none = { .method = method };

	trace_zcopy_transfer(flags, nr_segs, err, 0, &none);
}

/*
 * A prepared call of one file segment for @s, taking over the references
 * to @in and @out whatever happens; refusals fire their event.
 */
static struct zcopy_call *zcopy_send_call(const struct zcopy_send *s,
					  struct file *in, struct file *out,
					  bool async)
{
	struct zcopy_call *c = zcopy_call_alloc(1, 0);
	int err = -ENOMEM;

	if (!c) {
		fput(in);
		fput(out);
		goto refused;
	}
	c->out = out;
	c->method = s->method;
	c->flags = s->flags;
	c->async = async;
	c->segs[0].in = in;
	c->segs[0].offset = s->offset;
	c->segs[0].len = s->len;
	/* The file position belongs to the submitter's own calls. */
	err = async && s->offset == ZCOPY_OFFSET_CURRENT ? -EINVAL :
	      zcopy_call_prepare(c);
	if (!err)
		return c;
	zcopy_call_free(c);
refused:
	zcopy_trace_refused(s->method, s->flags, 1, err);
	return ERR_PTR(err);
}

/**
 * zcopy_send_files() - run a ZCOPY_IOC_SEND: a call of one file segment
 * @ctx: the open file of /dev/zcopy to account to, or NULL
 * @s: the validated argument; its outputs are filled
 * @in: the source file; the call takes over this reference
 * @out: the socket's file; the call takes over this reference
 *
 * Fires zcopy_transfer, whatever the outcome.
 *
 * Return: 0 or a negative errno (see the uAPI header).
 */
int zcopy_send_files(struct zcopy_ctx *ctx, struct zcopy_send *s,
		     struct file *in, struct file *out)
{
	struct zcopy_call *c = zcopy_send_call(s, in, out, false);
	int err;

	if (IS_ERR(c))
		return PTR_ERR(c);
	err = zcopy_call_run(c);
	err = zcopy_call_finish(ctx, c, err, &s->stats, &s->sent);
	trace_zcopy_transfer(s->flags, 1, err, s->sent, &s->stats);
	zcopy_call_free(c);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(zcopy_send_files);

/* The files of @s, with references, or -EBADF with none. */
static int zcopy_send_fget(const struct zcopy_send *s, struct file **in,
			   struct file **out)
{
	*in = fget(s->in_fd);
	*out = *in ? fget(s->out_fd) : NULL;
	if (*out)
		return 0;
	if (*in)
		fput(*in);
	zcopy_trace_refused(s->method, s->flags, 1, -EBADF);
	return -EBADF;
}

static int zcopy_ioc_send(struct zcopy_ctx *ctx, union zcopy_ioctl_arg *arg)
{
	struct zcopy_send *s = &arg->send;
	struct file *in, *out;
	int err;

	err = zcopy_send_fget(s, &in, &out);
	if (err)
		return err;
	return zcopy_send_files(ctx, s, in, out);
}

static int zcopy_check_counters(const union zcopy_ioctl_arg *arg)
{
	const struct zcopy_counters *c = &arg->counters;

	if (c->flags || c->reserved[0] || c->reserved[1])
		return -EINVAL;
	return 0;
}

static int zcopy_ioc_counters(struct zcopy_ctx *ctx,
			      union zcopy_ioctl_arg *arg)
{
	struct zcopy_counters *c = &arg->counters;
	const atomic64_t *v = ctx->tally.v;

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

static int zcopy_check_sendv(const union zcopy_ioctl_arg *arg)
{
	const struct zcopy_sendv *v = &arg->sendv;

	if (v->reserved[0] || v->reserved[1] || !v->count ||
	    v->count > ZCOPY_SENDV_MAX_SEGS)
		return -EINVAL;
	return zcopy_check_method(v->method, v->flags);
}

static int zcopy_check_sendv_sync(const union zcopy_ioctl_arg *arg)
{
	if (arg->sendv.flags & ZCOPY_F_NOTIFY_RELEASE)
		return -EINVAL;
	return zcopy_check_sendv(arg);
}

/* One segment's fields, before any file is looked at. */
static int zcopy_check_segment(const struct zcopy_segment *u)
{
	if (u->reserved)
		return -EINVAL;
	switch (u->type) {
	case ZCOPY_SEG_FILE:
		return u->addr ? -EINVAL : 0;
	case ZCOPY_SEG_MEMORY:
		return u->fd || u->offset ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/* The user's vector, copied in once and checked field by field. */
static struct zcopy_segment *zcopy_sendv_segments(const struct zcopy_sendv *v,
						  size_t *mem_bytes)
{
	struct zcopy_segment *us;
	size_t size = array_size(v->count, sizeof(*us));
	int err = 0;
	u32 i;

	us = kvmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!us)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(us, u64_to_user_ptr(v->segs), size)) {
		kvfree(us);
		return ERR_PTR(-EFAULT);
	}
	*mem_bytes = 0;
	for (i = 0; i < v->count && !err; i++) {
		err = zcopy_check_segment(&us[i]);
		if (err || us[i].type != ZCOPY_SEG_MEMORY)
			continue;
		if (us[i].len > ZCOPY_SENDV_MAX_MEMORY - *mem_bytes)
			err = -EINVAL;
		else
			*mem_bytes += us[i].len;
	}
	if (err) {
		kvfree(us);
		return ERR_PTR(err);
	}
	return us;
}

/*
 * Take the files, check the call, copy the memory segments: everything
 * that can fail before the first byte goes.
 */
static int zcopy_sendv_prepare(struct zcopy_call *c,
			       const struct zcopy_segment *us,
			       const struct zcopy_sendv *v)
{
	u32 i;
	int err;

	for (i = 0; i < c->count; i++) {
		c->segs[i].len = us[i].len;
		if (us[i].type != ZCOPY_SEG_FILE)
			continue;
		/* The file position belongs to the submitter's own calls. */
		if (c->async && us[i].offset == ZCOPY_OFFSET_CURRENT)
			return -EINVAL;
		c->segs[i].offset = us[i].offset;
		c->segs[i].in = fget(us[i].fd);
		if (!c->segs[i].in)
			return -EBADF;
	}
	c->out = fget(v->out_fd);
	if (!c->out)
		return -EBADF;
	c->method = v->method;
	c->flags = v->flags;
	c->seg_clocks = v->seg_stats != 0;
	err = zcopy_call_prepare(c);
	if (err)
		return err;
	for (i = 0; i < c->count; i++) {
		if (us[i].type != ZCOPY_SEG_MEMORY)
			continue;
		err = zcopy_call_copy_memory(c, i, u64_to_user_ptr(us[i].addr));
		if (err)
			return err;
	}
	/* Per-segment results must have somewhere to go before bytes do. */
	if (v->seg_stats &&
	    clear_user(u64_to_user_ptr(v->seg_stats),
		       array_size(c->count, sizeof(struct zcopy_stats))))
		return -EFAULT;
	return 0;
}

/* Each segment up to the one that stopped gets its statistics. */
static int zcopy_sendv_seg_stats(const struct zcopy_call *c,
				 const struct zcopy_sendv *v)
{
	struct zcopy_stats __user *ust = u64_to_user_ptr(v->seg_stats);
	struct zcopy_stats st;
	u32 i;

	for (i = 0; ust && i < c->reached && i <= c->index; i++) {
		zcopy_call_stats(c, &c->segs[i].x, &st);
		if (copy_to_user(&ust[i], &st, sizeof(st)))
			return -EFAULT;
	}
	return 0;
}

/*
 * The events of a SENDV that ran: the segments it reached, as seg_stats
 * has them, then the call.  Up to 1024 segments' statistics are worked
 * out only for a tracer that wants them.
 */
static void zcopy_sendv_trace(const struct zcopy_call *c,
			      const struct zcopy_sendv *v, int err)
{
	struct zcopy_stats st;
	u32 i;

	if (trace_zcopy_segment_enabled()) {
		for (i = 0; i < c->reached && i <= c->index; i++) {
			const struct zcopy_seg *seg = &c->segs[i];

			zcopy_call_stats(c, &seg->x, &st);
			trace_zcopy_segment(i, seg->in ? ZCOPY_SEG_FILE :
					    ZCOPY_SEG_MEMORY,
					    seg->in ? seg->pos : 0, seg->len,
					    seg->x.sent, &st);
		}
	}
	trace_zcopy_transfer(v->flags, v->count, err, v->sent, &v->stats);
}

/*
 * A prepared call for @v: its vector copied in and checked, its files
 * taken, its memory segments copied.  Refusals fire their event.
 */
static struct zcopy_call *zcopy_sendv_call(const struct zcopy_sendv *v,
					   bool async)
{
	struct zcopy_segment *us;
	struct zcopy_call *c = NULL;
	size_t mem_bytes;
	int err;

	/* An operation's results go in its completion, not to user memory. */
	if (async && v->seg_stats) {
		err = -EINVAL;
		goto refused;
	}
	us = zcopy_sendv_segments(v, &mem_bytes);
	if (IS_ERR(us)) {
		err = PTR_ERR(us);
		goto refused;
	}
	c = zcopy_call_alloc(v->count, mem_bytes);
	if (c) {
		c->async = async;
		err = zcopy_sendv_prepare(c, us, v);
	} else {
		err = -ENOMEM;
	}
	kvfree(us);
	if (!err)
		return c;
	zcopy_call_free(c);
refused:
	zcopy_trace_refused(v->method, v->flags, v->count, err);
	return ERR_PTR(err);
}

static int zcopy_ioc_sendv(struct zcopy_ctx *ctx, union zcopy_ioctl_arg *arg)
{
	struct zcopy_sendv *v = &arg->sendv;
	struct zcopy_call *c;
	int err, serr;

	c = zcopy_sendv_call(v, false);
	if (IS_ERR(c))
		return PTR_ERR(c);

	err = zcopy_call_run(c);
	v->seg_index = c->index;
	v->seg_sent = c->index < c->reached ? c->segs[c->index].x.sent : 0;
	err = zcopy_call_finish(ctx, c, err, &v->stats, &v->sent);
	/*
	 * What went is counted as sent even when its statistics cannot be
	 * stored (seg_stats unmapped meanwhile): the caller gets EFAULT, as
	 * when the argument struct itself cannot be written back.
	 */
	serr = zcopy_sendv_seg_stats(c, v);
	if (!err)
		err = serr;
	zcopy_sendv_trace(c, v, err);
	zcopy_call_free(c);
	return err;
}

/**
 * struct zcopy_ioctl_op - one ioctl
 * @cmd: its full number
 * @size: the struct as this module knows it, in bytes
 * @min_size: the struct's first published layout, in bytes
 * @out_start: offset of the first output field, in bytes
 * @out_end: one past the last output field, in bytes
 * @check: validate the struct's fields: flags, method, reserved fields
 * @fn: run it
 */
struct zcopy_ioctl_op {
	unsigned int cmd;
	u32 size;
	u32 min_size;
	u32 out_start;
	u32 out_end;
	int (*check)(const union zcopy_ioctl_arg *arg);
	int (*fn)(struct zcopy_ctx *ctx, union zcopy_ioctl_arg *arg);
};

/*
 * @last: the last field of the first published layout.  Copy-back never
 * writes past what the smallest caller has: a build error otherwise.
 */
#define ZCOPY_OP(_cmd, type, last, first_out, last_out, _check, _fn)	\
	[_IOC_NR(_cmd)] = {						\
		.cmd = _cmd,						\
		.size = sizeof(type),					\
		.min_size = offsetofend(type, last),			\
		.out_start = offsetof(type, first_out),			\
		.out_end = offsetofend(type, last_out) +		\
			   BUILD_BUG_ON_ZERO(offsetofend(type, last_out) > \
					     offsetofend(type, last)),	\
		.check = _check,					\
		.fn = _fn,						\
	}

static const struct zcopy_ioctl_op zcopy_ioctl_ops[] = {
	ZCOPY_OP(ZCOPY_IOC_INFO, struct zcopy_info, reserved, methods,
		 features, zcopy_check_info, zcopy_ioc_info),
	ZCOPY_OP(ZCOPY_IOC_SEND, struct zcopy_send, reserved, sent, stats,
		 zcopy_check_send_sync, zcopy_ioc_send),
	ZCOPY_OP(ZCOPY_IOC_COUNTERS, struct zcopy_counters, reserved,
		 transfers, errors, zcopy_check_counters, zcopy_ioc_counters),
	ZCOPY_OP(ZCOPY_IOC_SENDV, struct zcopy_sendv, reserved, seg_index,
		 stats, zcopy_check_sendv_sync, zcopy_ioc_sendv),
	ZCOPY_OP(ZCOPY_IOC_SUBMIT, struct zcopy_submit, reserved, accepted,
		 accepted, zcopy_check_submit, zcopy_ioc_submit),
	ZCOPY_OP(ZCOPY_IOC_CANCEL, struct zcopy_cancel, reserved, cancelled,
		 cancelled, zcopy_check_cancel, zcopy_ioc_cancel),
};

/*
 * The layout is ABI: pinned here, where a change breaks the build, rather
 * than in the installed header.
 */
static_assert(sizeof(struct zcopy_info) == 48);
static_assert(offsetof(struct zcopy_info, methods) == 8);
static_assert(offsetof(struct zcopy_info, max_len) == 16);
static_assert(offsetof(struct zcopy_info, features) == 24);
static_assert(sizeof(struct zcopy_stats) == 64);
static_assert(sizeof(struct zcopy_send) == 128);
static_assert(sizeof(struct zcopy_counters) == 88);
static_assert(offsetof(struct zcopy_send, offset) == 24);
static_assert(offsetof(struct zcopy_send, stats) == 48);
static_assert(offsetof(struct zcopy_counters, errors) == 64);
static_assert(sizeof(struct zcopy_segment) == 40);
static_assert(sizeof(struct zcopy_sendv) == 136);
static_assert(offsetof(struct zcopy_sendv, stats) == 56);
static_assert(sizeof(struct zcopy_op) == 32);
static_assert(sizeof(struct zcopy_submit) == 40);
static_assert(sizeof(struct zcopy_cancel) == 40);
static_assert(sizeof(struct zcopy_completion) == 104);
static_assert(offsetof(struct zcopy_completion, stats) == 40);

/*
 * Copy in the argument struct at @uarg as @op knows it and check its
 * fields: the size once, the copy's own size field ignored.
 */
static int zcopy_arg_fetch(const struct zcopy_ioctl_op *op,
			   void __user *uarg, union zcopy_ioctl_arg *karg,
			   int (*check)(const union zcopy_ioctl_arg *arg))
{
	u32 usize;
	int err;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	memset(karg, 0, sizeof(*karg));
	err = copy_struct_from_user(karg, op->size, uarg, usize);
	if (err)
		return err;
	return check(karg);
}

/**
 * zcopy_op_call() - the call of one ZCOPY_IOC_SUBMIT operation, prepared
 *	for a worker
 * @opcode: ZCOPY_OP_SEND or ZCOPY_OP_SENDV
 * @uarg: user address of its struct zcopy_send or zcopy_sendv
 *
 * Reads and checks the struct as the synchronous ioctl does, then takes
 * the files and makes every check of the call (zcopy_call_prepare()).
 * Refusals fire zcopy_transfer.
 *
 * Return: the call, or an ERR_PTR of the synchronous ioctl's errno, or of
 * -EINVAL for an unknown @opcode, ZCOPY_OFFSET_CURRENT or a SENDV's
 * seg_stats.
 */
struct zcopy_call *zcopy_op_call(u32 opcode, u64 uarg)
{
	union zcopy_ioctl_arg karg;
	struct file *in, *out;
	int err;

	switch (opcode) {
	case ZCOPY_OP_SEND:
		err = zcopy_arg_fetch(&zcopy_ioctl_ops[_IOC_NR(ZCOPY_IOC_SEND)],
				      u64_to_user_ptr(uarg), &karg,
				      zcopy_check_send);
		if (!err)
			err = zcopy_send_fget(&karg.send, &in, &out);
		if (err)
			return ERR_PTR(err);
		return zcopy_send_call(&karg.send, in, out, true);
	case ZCOPY_OP_SENDV:
		err = zcopy_arg_fetch(&zcopy_ioctl_ops[_IOC_NR(ZCOPY_IOC_SENDV)],
				      u64_to_user_ptr(uarg), &karg,
				      zcopy_check_sendv);
		if (err)
			return ERR_PTR(err);
		return zcopy_sendv_call(&karg.sendv, true);
	default:
		return ERR_PTR(-EINVAL);
	}
}

/**
 * zcopy_ioctl() - the ioctl handler of /dev/zcopy
 * @file: the open device
 * @cmd: ZCOPY_IOC_*, matched whole
 * @arg: user pointer to the argument struct, whose size field says which
 *	layout the caller uses
 *
 * Return: 0, a count (ZCOPY_IOC_SUBMIT, ZCOPY_IOC_CANCEL) or a negative
 * errno: -ENOTTY for an unknown @cmd, -EFAULT, -EINVAL for a size below
 * the first layout or a field that fails validation, -E2BIG for unknown
 * non-zero bytes or a size above a page, or the handler's.
 */
long zcopy_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct zcopy_ioctl_op *op;
	union zcopy_ioctl_arg karg;
	u8 *kout;
	u8 __user *uout;
	u32 nout;
	int err;

	if (_IOC_NR(cmd) >= ARRAY_SIZE(zcopy_ioctl_ops))
		return -ENOTTY;
	op = &zcopy_ioctl_ops[_IOC_NR(cmd)];
	if (op->cmd != cmd)
		return -ENOTTY;

	err = zcopy_arg_fetch(op, uarg, &karg, op->check);
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
	/*
	 * EFAULT after bytes went (SENDV's seg_stats unmapped meanwhile): the
	 * outputs still go back, so that the caller can resume.  Before that,
	 * they are what was read.
	 */
	if (err < 0 && err != -EFAULT)
		return err;
	/*
	 * Only the outputs: what the caller wrote elsewhere stays its own.  A
	 * count (operations taken) is the answer even if they cannot go back.
	 */
	if (copy_to_user(uout, kout, nout))
		return err > 0 ? err : -EFAULT;
	return err;
}
