// SPDX-License-Identifier: GPL-2.0
/*
 * Asynchronous operations (ZCOPY_IOC_SUBMIT): calls prepared in the
 * submitter's context, run on kernel workers (or at once, when nothing can
 * make them wait: zcopy_stream_start()), completed into records that
 * read(2) returns and poll(2) reports.
 *
 * Each socket an open file sends to has a stream: its operations in
 * submission order, run one at a time by the stream's work item, so the
 * bytes keep their order; streams run concurrently on an unbound
 * workqueue.  No worker ever sleeps on a socket: every send is
 * MSG_DONTWAIT, and when a blocking socket is full the stream parks on the
 * socket's wait queue (as aio's and io_uring's poll do) and is queued again
 * by the wakeup that says there is room.  So a cancel or a close reaches a
 * waiting operation at once, and a running one at its next batch of pages.
 *
 * Lifetimes: the open file holds the context; so does every stream and
 * every release record still owed, and the context holds the module, so
 * that neither a worker nor a socket's callback can outlive its code.
 * ctx->lock guards the streams, their queues and the records; release
 * records are posted from the network stack's softirqs, so it is taken
 * with interrupts off.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "trace.h"
#include "zcopy.h"

static struct workqueue_struct *zcopy_wq;

/**
 * struct zcopy_aop - one operation taken by ZCOPY_IOC_SUBMIT
 * @rec: its completion record, first: once complete, only the record is
 *	left of it, until read(2) takes it (and frees the operation with it)
 * @node: in its stream's queue, the running one first
 * @call: the prepared call
 * @cred: the submitter's credentials, for the sends
 * @memcg: the submitter's memory cgroup, for what the sending allocates
 * @release: its release record's notifier (ZCOPY_F_NOTIFY_RELEASE), or NULL
 * @opcode: ZCOPY_OP_*
 * @nonblock: the socket was O_NONBLOCK at submission: a full one ends it
 * @cancel: set by ZCOPY_IOC_CANCEL or close: stop at the next batch
 * @running: a worker (or the submitter, inline) has started it, so it
 *	cannot just be dropped
 */
struct zcopy_aop {
	struct zcopy_record rec;
	struct list_head node;
	struct zcopy_call *call;
	const struct cred *cred;
	struct mem_cgroup *memcg;
	struct zcopy_release *release;
	u32 opcode;
	bool nonblock;
	bool cancel;
	bool running;
};

static_assert(offsetof(struct zcopy_aop, rec) == 0);

/**
 * struct zcopy_stream - the operations of one open file on one socket
 * @node: in ctx->streams, keyed by @sock
 * @sock: the socket; the operations hold its file
 * @ctx: the open file's context, with a reference
 * @ops: the operations, in submission order
 * @work: runs them
 * @wait: on the socket's wait queue while the stream waits for room
 * @whead: that wait queue, once the stream has waited
 * @pt: how the stream asks the socket to wake it (vfs_poll())
 */
struct zcopy_stream {
	struct hlist_node node;
	struct socket *sock;
	struct zcopy_ctx *ctx;
	struct list_head ops;
	struct work_struct work;
	struct wait_queue_entry wait;
	wait_queue_head_t *whead;
	poll_table pt;
};

static void zcopy_ctx_free(struct zcopy_ctx *ctx)
{
	struct zcopy_record *r, *tmp;

	list_for_each_entry_safe(r, tmp, &ctx->done, node)
		kfree(r);
	kfree(ctx->spare);
	kfree(ctx);
	module_put(THIS_MODULE);
}

static void zcopy_ctx_free_work(struct work_struct *work)
{
	zcopy_ctx_free(container_of(work, struct zcopy_ctx, free_work));
}

/**
 * zcopy_ctx_alloc() - the state of a new open file of /dev/zcopy
 *
 * Return: the context, holding the module, or NULL without memory.
 */
struct zcopy_ctx *zcopy_ctx_alloc(void)
{
	struct zcopy_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);

	if (!ctx)
		return NULL;
	refcount_set(&ctx->ref, 1);
	spin_lock_init(&ctx->lock);
	INIT_LIST_HEAD(&ctx->done);
	init_waitqueue_head(&ctx->wait);
	hash_init(ctx->streams);
	INIT_WORK(&ctx->free_work, zcopy_ctx_free_work);
	__module_get(THIS_MODULE);
	return ctx;
}

/**
 * zcopy_ctx_put() - drop a reference to a context
 * @ctx: the context
 *
 * The last one frees it, and lets the module go: at once in a task (so
 * that rmmod right after the last close works), else (a release record
 * from a socket's softirq) on the workqueue, whose end the module's exit
 * waits for.
 */
void zcopy_ctx_put(struct zcopy_ctx *ctx)
{
	if (!refcount_dec_and_test(&ctx->ref))
		return;
	if (in_task())
		zcopy_ctx_free(ctx);
	else
		queue_work(zcopy_wq, &ctx->free_work);
}

/*
 * Readers blocked in read(2) wait for a record or for none to be owed:
 * called with ctx->lock held whenever either may have come.
 */
static void zcopy_ctx_wake(struct zcopy_ctx *ctx)
{
	if ((!ctx->records || !list_empty(&ctx->done)) &&
	    wq_has_sleeper(&ctx->wait))
		wake_up(&ctx->wait);
}

/*
 * A record is ready: to the reader, or freed if nobody will read it.
 * Called with ctx->lock held.
 */
static void zcopy_ctx_post(struct zcopy_ctx *ctx, struct zcopy_record *r)
{
	if (ctx->closing) {
		ctx->records--;
		kfree(r);
		return;
	}
	list_add_tail(&r->node, &ctx->done);
	/* Readers and pollers check under ctx->lock after they queue. */
	zcopy_ctx_wake(ctx);
}

/**
 * zcopy_ctx_post_record() - post a record from any context
 * @ctx: its open file's context
 * @r: a record counted in ctx->records
 */
void zcopy_ctx_post_record(struct zcopy_ctx *ctx, struct zcopy_record *r)
{
	unsigned long flags;

	spin_lock_irqsave(&ctx->lock, flags);
	zcopy_ctx_post(ctx, r);
	spin_unlock_irqrestore(&ctx->lock, flags);
}

/* Reserve @n records, or -EAGAIN when the open file holds its most. */
static int zcopy_ctx_reserve(struct zcopy_ctx *ctx, u32 n)
{
	int err = 0;

	spin_lock_irq(&ctx->lock);
	if (ctx->records + n > ZCOPY_ASYNC_MAX_RECORDS)
		err = -EAGAIN;
	else
		ctx->records += n;
	spin_unlock_irq(&ctx->lock);
	return err;
}

static void zcopy_ctx_unreserve(struct zcopy_ctx *ctx, u32 n)
{
	spin_lock_irq(&ctx->lock);
	ctx->records -= n;
	zcopy_ctx_wake(ctx);
	spin_unlock_irq(&ctx->lock);
}

/*
 * Fill the operation's record and post it, dropping what the operation
 * holds; a call that ran gets its statistics and counters.
 */
static void zcopy_aop_complete(struct zcopy_ctx *ctx, struct zcopy_aop *op,
			       int err)
{
	struct zcopy_completion *cqe = &op->rec.cqe;
	struct zcopy_release *release = op->release;
	struct zcopy_call *c = op->call;
	bool cancelled = READ_ONCE(op->cancel);

	if (op->running) {
		/*
		 * Stopped by the cancel: not an error that ended it (EPIPE
		 * stands, and counts), nor an end it reached anyway.
		 */
		bool stopped = cancelled && (!err || err == -ECANCELED) &&
			       c->index < c->count;

		err = zcopy_call_finish(ctx, c, stopped ? -ECANCELED : err,
					&cqe->stats, &cqe->sent);
		if (op->opcode == ZCOPY_OP_SENDV) {
			cqe->seg_index = c->index;
			cqe->seg_sent = c->index < c->reached ?
					c->segs[c->index].x.sent : 0;
		}
		if (stopped)
			err = -ECANCELED;
		trace_zcopy_transfer(c->flags, c->count, err, cqe->sent,
				     &cqe->stats);
	}
	cqe->result = err;
	if (release) {
		cqe->flags |= ZCOPY_CQE_NOTIFY;
		zcopy_release_route(release, c->route);
	}
	zcopy_call_free(c);
	if (op->cred)
		put_cred(op->cred);
	mem_cgroup_put(op->memcg);

	spin_lock_irq(&ctx->lock);
	list_del(&op->node);
	/* From here the record is the reader's, and @op with it. */
	zcopy_ctx_post(ctx, &op->rec);
	spin_unlock_irq(&ctx->lock);
	/* After the operation's own record: the release record may come. */
	zcopy_release_put(release);
}

/*
 * The socket woke its waiters: room, an error or a hangup ends the wait.
 * Runs under the wait queue's lock, which also guards @wait's place in it.
 */
static int zcopy_stream_wake(struct wait_queue_entry *wait, unsigned int mode,
			     int sync, void *key)
{
	struct zcopy_stream *st = container_of(wait, struct zcopy_stream, wait);
	__poll_t mask = key_to_poll(key);

	if (mask && !(mask & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		return 0;
	list_del_init(&wait->entry);
	queue_work(zcopy_wq, &st->work);
	return 1;
}

static void zcopy_stream_queue_proc(struct file *file, wait_queue_head_t *head,
				    poll_table *pt)
{
	struct zcopy_stream *st = container_of(pt, struct zcopy_stream, pt);

	if (!list_empty(&st->wait.entry))
		return;
	WRITE_ONCE(st->whead, head);
	add_wait_queue(head, &st->wait);
}

/*
 * Take the stream off the socket's wait queue.  True if it was still
 * waiting: whoever takes it off runs it; false if a wakeup did, and has
 * queued the work.
 */
static bool zcopy_stream_unpark(struct zcopy_stream *st)
{
	wait_queue_head_t *head = READ_ONCE(st->whead);
	unsigned long flags;
	bool waiting;

	if (!head)
		return false;
	spin_lock_irqsave(&head->lock, flags);
	waiting = !list_empty(&st->wait.entry);
	if (waiting)
		list_del_init(&st->wait.entry);
	spin_unlock_irqrestore(&head->lock, flags);
	return waiting;
}

/*
 * Wait for room on the socket without a worker: true if the stream is now
 * parked (a wakeup queues its work), false if the run should go on now.
 */
static bool zcopy_stream_park(struct zcopy_stream *st, struct zcopy_aop *op)
{
	struct file *out = op->call->out;
	__poll_t mask;

	mask = vfs_poll(out, &st->pt);
	/* Pairs with zcopy_aop_cancel(): it sees the wait, or we the cancel. */
	smp_mb();
	if (!(mask & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && !READ_ONCE(op->cancel))
		return true;
	return !zcopy_stream_unpark(st);
}

/* Bytes the call has sent so far, over all its runs. */
static u64 zcopy_call_sent(const struct zcopy_call *c)
{
	u64 sent = 0;
	u32 i;

	for (i = 0; i < c->reached; i++)
		sent += c->segs[i].x.sent;
	return sent;
}

/*
 * Whether a run that stopped with @err, having sent more than @before or
 * not, stopped only for room on a blocking socket: then it goes on once
 * the socket has some, as a blocking send(2) would.
 */
static bool zcopy_aop_must_wait(const struct zcopy_aop *op, int err,
				u64 before)
{
	const struct zcopy_call *c = op->call;

	if (c->index >= c->count || READ_ONCE(op->cancel))
		return false;
	if (op->nonblock)
		return false;
	if (c->index < c->reached && c->segs[c->index].x.cache_wait)
		return false;
	/* A short send that moved nothing (the file shrank) is the end. */
	return err == -EAGAIN || (!err && zcopy_call_sent(c) > before);
}

/*
 * One run of @op's call as its submitter: its credentials (a worker's are
 * the kernel's; inline, they are already the current ones) and memory
 * cgroup.
 */
static int zcopy_aop_run(struct zcopy_aop *op)
{
	const struct cred *old_cred = NULL;
	struct mem_cgroup *old_memcg;
	int err;

	if (op->cred != current_cred())
		old_cred = override_creds(op->cred);
	old_memcg = set_active_memcg(op->memcg);
	err = zcopy_call_run(op->call);
	set_active_memcg(old_memcg);
	if (old_cred)
		revert_creds(old_cred);
	return err;
}

/*
 * Run @op as far as it goes: true if it waits for the socket, or (@in_submit,
 * in the submitter) was handed to a worker.
 */
static bool zcopy_aop_step(struct zcopy_stream *st, struct zcopy_aop *op,
			   bool in_submit)
{
	u64 before;
	int err;

	for (;;) {
		if (READ_ONCE(op->cancel)) {
			err = -ECANCELED;
			break;
		}
		before = zcopy_call_sent(op->call);
		err = zcopy_aop_run(op);
		if (!zcopy_aop_must_wait(op, err, before))
			break;
		if (zcopy_stream_park(st, op))
			return true;
		if (zcopy_call_sent(op->call) > before)
			continue;
		/*
		 * Room, the socket says, yet nothing went: TCP's memory is
		 * short (pressure, a cgroup's limit, a failed allocation),
		 * which poll does not show.  Wait a tick and try again, as
		 * sk_stream_wait_memory() waits it out; never in the
		 * submitter, which a worker relieves.
		 */
		if (in_submit) {
			queue_work(zcopy_wq, &st->work);
			return true;
		}
		schedule_timeout_uninterruptible(1);
	}
	zcopy_aop_complete(st->ctx, op, err);
	return false;
}

/* The stream's next operation, marked running; or NULL, the stream freed. */
static struct zcopy_aop *zcopy_stream_next(struct zcopy_stream *st)
{
	struct zcopy_ctx *ctx = st->ctx;
	struct zcopy_aop *op;

	spin_lock_irq(&ctx->lock);
	op = list_first_entry_or_null(&st->ops, struct zcopy_aop, node);
	if (op) {
		op->running = true;
		spin_unlock_irq(&ctx->lock);
		return op;
	}
	hash_del(&st->node);
	/* Kept for the next stream, if none is. */
	swap(ctx->spare, st);
	spin_unlock_irq(&ctx->lock);
	kfree(st);
	zcopy_ctx_put(ctx);
	return NULL;
}

static void zcopy_stream_work(struct work_struct *work)
{
	struct zcopy_stream *st = container_of(work, struct zcopy_stream, work);
	struct zcopy_aop *op;

	while ((op = zcopy_stream_next(st)))
		if (zcopy_aop_step(st, op, false))
			return;
}

/*
 * Start a new stream, as io_uring issues a request inline before it punts
 * it to io-wq: a first operation whose bytes are all in the page cache
 * runs now, in the submitter, until it is done or its socket is full (it
 * then waits for room as on a worker).  Anything that could wait for
 * storage goes to a worker at once, so that it delays no other socket.
 */
static void zcopy_stream_start(struct zcopy_stream *st)
{
	struct zcopy_aop *op = zcopy_stream_next(st);

	if (!op)
		return;
	if (zcopy_call_cached(op->call)) {
		if (zcopy_aop_step(st, op, true))
			return;
		/* Done: free the stream, unless more came meanwhile. */
		op = zcopy_stream_next(st);
		if (!op)
			return;
	}
	queue_work(zcopy_wq, &st->work);
}

/*
 * Queue @op on its socket's stream.  Return: a new stream @op leads, for
 * zcopy_stream_start(); NULL when it joined the queue of a stream that
 * runs; or an ERR_PTR(-ENOMEM).  A new stream is the one the last stream
 * that ended left, if any (a server's sockets come and go with every
 * response), else a fresh one.
 */
static struct zcopy_stream *zcopy_aop_queue(struct zcopy_ctx *ctx,
					    struct zcopy_aop *op)
{
	struct socket *sock = op->call->sock;
	struct zcopy_stream *st, *fresh = NULL;

	for (;;) {
		spin_lock_irq(&ctx->lock);
		hash_for_each_possible(ctx->streams, st, node,
				       (unsigned long)sock) {
			if (st->sock == sock) {
				list_add_tail(&op->node, &st->ops);
				spin_unlock_irq(&ctx->lock);
				kfree(fresh);
				return NULL;
			}
		}
		st = fresh ?: ctx->spare;
		if (st)
			break;
		spin_unlock_irq(&ctx->lock);
		fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
		if (!fresh)
			return ERR_PTR(-ENOMEM);
	}
	if (st == ctx->spare)
		ctx->spare = NULL;
	st->whead = NULL;
	st->sock = sock;
	st->ctx = ctx;
	refcount_inc(&ctx->ref);
	INIT_LIST_HEAD(&st->ops);
	INIT_WORK(&st->work, zcopy_stream_work);
	init_waitqueue_func_entry(&st->wait, zcopy_stream_wake);
	INIT_LIST_HEAD(&st->wait.entry);
	init_poll_funcptr(&st->pt, zcopy_stream_queue_proc);
	list_add_tail(&op->node, &st->ops);
	hash_add(ctx->streams, &st->node, (unsigned long)sock);
	spin_unlock_irq(&ctx->lock);
	return st;
}

/* What only an operation checks: the flags a worker can serve. */
static int zcopy_aop_check(struct zcopy_aop *op)
{
	const struct zcopy_call *c = op->call;

	if (!(c->flags & ZCOPY_F_NOTIFY_RELEASE))
		return 0;
	if (!ZCOPY_FEAT_RELEASE)
		return -EOPNOTSUPP;
	/* Only PAGES lends through the one path that can tell. */
	if (c->method != ZCOPY_METHOD_PAGES)
		return -EINVAL;
	return 0;
}

/*
 * Take one operation.  Return: 0 if taken (queued, or completed at once
 * with the errno of its checks), or the negative errno that ends the
 * submission (-EFAULT, -EAGAIN, -ENOMEM).
 */
static int zcopy_submit_one(struct zcopy_ctx *ctx,
			    const struct zcopy_op __user *uop)
{
	struct zcopy_stream *st;
	struct zcopy_aop *op;
	struct zcopy_op kop;
	int err;

	if (copy_from_user(&kop, uop, sizeof(kop)))
		return -EFAULT;
	op = kzalloc(sizeof(*op), GFP_KERNEL_ACCOUNT);
	if (!op)
		return -ENOMEM;
	err = zcopy_ctx_reserve(ctx, 1);
	if (err)
		goto free_op;
	INIT_LIST_HEAD(&op->node);
	op->opcode = kop.opcode;
	op->rec.cqe.user_data = kop.user_data;

	op->call = kop.reserved0 || kop.reserved ? ERR_PTR(-EINVAL) :
		   zcopy_op_call(kop.opcode, kop.arg);
	if (IS_ERR(op->call)) {
		err = PTR_ERR(op->call);
		op->call = NULL;
		goto complete;
	}
	err = zcopy_aop_check(op);
	if (err)
		goto complete;
	if (op->call->flags & ZCOPY_F_NOTIFY_RELEASE) {
		err = zcopy_ctx_reserve(ctx, 1);
		if (err)
			goto end_submission;
		op->release = zcopy_release_alloc(ctx, kop.user_data);
		if (!op->release) {
			zcopy_ctx_unreserve(ctx, 1);
			err = -ENOMEM;
			goto end_submission;
		}
		op->call->release = op->release;
	}
	op->call->cancel = &op->cancel;
	op->nonblock = op->call->out->f_flags & O_NONBLOCK;
	op->cred = get_current_cred();
	op->memcg = get_mem_cgroup_from_mm(current->mm);
	st = zcopy_aop_queue(ctx, op);
	if (IS_ERR(st)) {
		err = PTR_ERR(st);
		goto complete;
	}
	if (st)
		zcopy_stream_start(st);
	return 0;

complete:
	/* Refused: completes now, and does not end the submission. */
	zcopy_aop_complete(ctx, op, err);
	return 0;
end_submission:
	zcopy_call_free(op->call);
	zcopy_ctx_unreserve(ctx, 1);
free_op:
	kfree(op);
	return err;
}

/**
 * zcopy_check_submit() - the fields of a struct zcopy_submit
 * @arg: the argument as copied in
 *
 * Return: 0, or -EINVAL for flags, reserved fields or a count out of range.
 */
int zcopy_check_submit(const union zcopy_ioctl_arg *arg)
{
	const struct zcopy_submit *s = &arg->submit;

	if (s->flags || s->reserved[0] || s->reserved[1] || !s->count ||
	    s->count > ZCOPY_SUBMIT_MAX_OPS)
		return -EINVAL;
	return 0;
}

/**
 * zcopy_ioc_submit() - ZCOPY_IOC_SUBMIT: take operations in array order
 * @ctx: the open file's context
 * @arg: the checked struct zcopy_submit; accepted is filled
 *
 * Return: operations taken (at least 1), or when none was, -EFAULT,
 * -EAGAIN or -ENOMEM.
 */
int zcopy_ioc_submit(struct zcopy_ctx *ctx, union zcopy_ioctl_arg *arg)
{
	struct zcopy_submit *s = &arg->submit;
	const struct zcopy_op __user *uops = u64_to_user_ptr(s->ops);
	int err = 0;
	u32 i;

	for (i = 0; i < s->count; i++) {
		err = zcopy_submit_one(ctx, &uops[i]);
		if (err)
			break;
	}
	s->accepted = i;
	return i ?: err;
}

/*
 * Mark @op cancelled.  Called with ctx->lock held; an operation no worker
 * has started moves to @dropped, to complete once the lock is let go.
 */
static void zcopy_aop_cancel(struct zcopy_stream *st, struct zcopy_aop *op,
			     struct list_head *dropped)
{
	WRITE_ONCE(op->cancel, true);
	if (!op->running) {
		list_move_tail(&op->node, dropped);
		return;
	}
	/* Pairs with zcopy_stream_park(). */
	smp_mb();
	if (zcopy_stream_unpark(st))
		queue_work(zcopy_wq, &st->work);
}

/*
 * Cancel the operations of @ctx that match (all when @all); return how
 * many were not yet complete.
 */
static u32 zcopy_ctx_cancel(struct zcopy_ctx *ctx, bool all, u64 user_data)
{
	struct zcopy_aop *op, *tmp;
	struct zcopy_stream *st;
	LIST_HEAD(dropped);
	u32 n = 0;
	int bkt;

	spin_lock_irq(&ctx->lock);
	hash_for_each(ctx->streams, bkt, st, node) {
		list_for_each_entry_safe(op, tmp, &st->ops, node) {
			if (!all && op->rec.cqe.user_data != user_data)
				continue;
			if (!READ_ONCE(op->cancel))
				n++;
			zcopy_aop_cancel(st, op, &dropped);
		}
	}
	spin_unlock_irq(&ctx->lock);

	list_for_each_entry_safe(op, tmp, &dropped, node)
		zcopy_aop_complete(ctx, op, -ECANCELED);
	return n;
}

/**
 * zcopy_check_cancel() - the fields of a struct zcopy_cancel
 * @arg: the argument as copied in
 *
 * Return: 0, or -EINVAL for unknown flags or reserved fields.
 */
int zcopy_check_cancel(const union zcopy_ioctl_arg *arg)
{
	const struct zcopy_cancel *c = &arg->cancel;

	if ((c->flags & ~ZCOPY_CANCEL_ALL) || c->reserved0 ||
	    c->reserved[0] || c->reserved[1])
		return -EINVAL;
	return 0;
}

/**
 * zcopy_ioc_cancel() - ZCOPY_IOC_CANCEL
 * @ctx: the open file's context
 * @arg: the checked struct zcopy_cancel; cancelled is filled
 *
 * Return: the operations cancelled (0 or more).
 */
int zcopy_ioc_cancel(struct zcopy_ctx *ctx, union zcopy_ioctl_arg *arg)
{
	struct zcopy_cancel *c = &arg->cancel;

	c->cancelled = zcopy_ctx_cancel(ctx, c->flags & ZCOPY_CANCEL_ALL,
					c->user_data);
	return c->cancelled;
}

/**
 * zcopy_ctx_release() - the open file is closed
 * @ctx: its context
 *
 * Cancels every operation (queued ones end now, running ones at their next
 * batch), drops the records nobody will read and the file's reference; the
 * workers and owed release records hold the context until they are done.
 */
void zcopy_ctx_release(struct zcopy_ctx *ctx)
{
	struct zcopy_record *r, *tmp;

	spin_lock_irq(&ctx->lock);
	ctx->closing = true;
	list_for_each_entry_safe(r, tmp, &ctx->done, node) {
		list_del(&r->node);
		ctx->records--;
		kfree(r);
	}
	spin_unlock_irq(&ctx->lock);
	zcopy_ctx_cancel(ctx, true, 0);
	zcopy_ctx_put(ctx);
}

/* Move up to @max waiting records to @list; how many. */
static size_t zcopy_ctx_take(struct zcopy_ctx *ctx, struct list_head *list,
			     size_t max)
{
	size_t n = 0;

	spin_lock_irq(&ctx->lock);
	while (n < max && !list_empty(&ctx->done)) {
		list_move_tail(ctx->done.next, list);
		n++;
	}
	spin_unlock_irq(&ctx->lock);
	return n;
}

/* No record waits and none is owed. */
static bool zcopy_ctx_idle(struct zcopy_ctx *ctx)
{
	bool idle;

	spin_lock_irq(&ctx->lock);
	idle = !ctx->records;
	spin_unlock_irq(&ctx->lock);
	return idle;
}

/* A blocking read can return: a record waits, or none is owed. */
static bool zcopy_ctx_readable(struct zcopy_ctx *ctx)
{
	bool ready;

	spin_lock_irq(&ctx->lock);
	ready = !list_empty(&ctx->done) || !ctx->records;
	spin_unlock_irq(&ctx->lock);
	return ready;
}

/**
 * zcopy_read() - read(2) of /dev/zcopy: completion records
 * @file: the open file
 * @buf: where the records go
 * @count: bytes there, at least one record's
 * @ppos: unused (the device does not seek)
 *
 * Return: bytes of whole records copied; 0 when nothing is in flight and
 * nothing waits; -EINVAL for a buffer smaller than a record, -EAGAIN under
 * O_NONBLOCK with none waiting, -ERESTARTSYS on a signal, -EFAULT when
 * no record could be copied (the records stay, in order).
 */
ssize_t zcopy_read(struct file *file, char __user *buf, size_t count,
		   loff_t *ppos)
{
	struct zcopy_ctx *ctx = file->private_data;
	const size_t rsize = sizeof(struct zcopy_completion);
	struct zcopy_record *r, *tmp;
	LIST_HEAD(list);
	size_t n, done = 0;

	if (count < rsize)
		return -EINVAL;
	for (;;) {
		n = zcopy_ctx_take(ctx, &list, count / rsize);
		if (n)
			break;
		/* None waits, none is owed: none will come. */
		if (zcopy_ctx_idle(ctx))
			return 0;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(ctx->wait,
					     zcopy_ctx_readable(ctx)))
			return -ERESTARTSYS;
	}
	list_for_each_entry_safe(r, tmp, &list, node) {
		if (copy_to_user(buf + done, &r->cqe, rsize))
			break;
		done += rsize;
		list_del(&r->node);
		kfree(r);
	}
	spin_lock_irq(&ctx->lock);
	ctx->records -= done / rsize;
	/* What could not be copied goes back first, in order. */
	list_splice(&list, &ctx->done);
	zcopy_ctx_wake(ctx);
	spin_unlock_irq(&ctx->lock);
	return done ?: -EFAULT;
}

/**
 * zcopy_poll() - poll(2) of /dev/zcopy
 * @file: the open file
 * @pt: the poll table
 *
 * Return: EPOLLIN | EPOLLRDNORM while completion records wait.
 */
__poll_t zcopy_poll(struct file *file, poll_table *pt)
{
	struct zcopy_ctx *ctx = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &ctx->wait, pt);
	spin_lock_irq(&ctx->lock);
	if (!list_empty(&ctx->done))
		mask = EPOLLIN | EPOLLRDNORM;
	spin_unlock_irq(&ctx->lock);
	return mask;
}

/**
 * zcopy_async_init() - the workers' queue, at module load
 *
 * Unbound, so that an operation waiting for storage holds a worker of its
 * own and never delays another socket's.
 *
 * Return: 0 or -ENOMEM.
 */
int zcopy_async_init(void)
{
	zcopy_wq = alloc_workqueue("zcopy", WQ_UNBOUND, 0);
	return zcopy_wq ? 0 : -ENOMEM;
}

/**
 * zcopy_async_exit() - at module unload, after the last context is gone
 *
 * Waits for the work that freed it.
 */
void zcopy_async_exit(void)
{
	destroy_workqueue(zcopy_wq);
}
