// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl send --async: the stream as ZCOPY_IOC_SUBMIT operations (SENDV,
 * within each call's limits), their completion records reaped and shown
 * as they come, and with --notify-release the records that say when the
 * kernel let go of the file's pages.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "send.h"

/* Operations one submission takes: the kernel's most. */
#define OPS_PER_SUBMIT	ZCOPY_SUBMIT_MAX_OPS

struct async_op {
	struct zcopy_sendv req;
	struct zcopy_segment *seg;	/* its own copy: memory split to fit */
};

/*
 * Cut the stream into operations of at most ZCOPY_SENDV_MAX_SEGS segments
 * and ZCOPY_SENDV_MAX_MEMORY bytes of memory (a longer memory segment goes
 * in pieces).  Returns how many, or 0 without memory.
 */
static size_t cut_stream(const struct send_args *o, int sock, uint32_t flags,
			 const struct stream *st, struct async_op **opsp)
{
	struct async_op *ops = NULL;
	size_t n = 0, cap = 0;
	uint64_t mem = 0;

	for (size_t i = 0; i < st->n; i++) {
		struct zcopy_segment s = st->seg[i];

		for (;;) {
			struct async_op *op = n ? &ops[n - 1] : NULL;
			uint64_t room = ZCOPY_SENDV_MAX_MEMORY - mem;

			if (!op || op->req.count == ZCOPY_SENDV_MAX_SEGS ||
			    (s.type == ZCOPY_SEG_MEMORY && !room)) {
				if (n == cap) {
					cap = cap ? 2 * cap : 4;
					op = realloc(ops, cap * sizeof(*ops));
					if (!op)
						goto nomem;
					ops = op;
				}
				op = &ops[n++];
				op->seg = calloc(ZCOPY_SENDV_MAX_SEGS, sizeof(*op->seg));
				if (!op->seg)
					goto nomem;
				op->req = (struct zcopy_sendv){
					.size = sizeof(op->req), .flags = flags,
					.out_fd = sock, .method = o->method,
					.segs = (uintptr_t)op->seg };
				mem = 0;
				continue;
			}
			op->seg[op->req.count++] = s;
			if (s.type == ZCOPY_SEG_FILE || s.len <= room) {
				mem += s.type == ZCOPY_SEG_MEMORY ? s.len : 0;
				break;
			}
			op->seg[op->req.count - 1].len = room;
			s.addr += room;
			s.len -= room;
			mem = ZCOPY_SENDV_MAX_MEMORY;
		}
	}
	*opsp = ops;
	return n;
nomem:
	while (n)
		free(ops[--n].seg);
	free(ops);
	return 0;
}

static void free_ops(struct async_op *ops, size_t n)
{
	while (n)
		free(ops[--n].seg);
	free(ops);
}

static void show_record(const struct send_args *o,
			const struct zcopy_completion *c)
{
	if (o->quiet || o->json)
		return;
	if (c->flags & ZCOPY_CQE_RELEASE) {
		printf("released operation %" PRIu64 "%s\n", (uint64_t)c->user_data,
		       c->flags & ZCOPY_CQE_COPIED ? " (the stack copied)" : "");
		return;
	}
	printf("completed operation %" PRIu64 ": %llu bytes, %s\n",
	       (uint64_t)c->user_data, c->sent,
	       c->result ? strerror(-c->result) : "ok");
}

/*
 * Submit every operation (a submission at a time, reaping when the open
 * file holds its most records) and reap until each has its records.
 */
static int run_ops(const struct send_args *o, int dev, struct async_op *ops,
		   size_t n, bool notify, struct send_result *r, int *err)
{
	size_t next = 0, owed = 0, done = 0;
	int first_err = 0;

	while (next < n || owed) {
		struct zcopy_completion c[64];
		int got;

		if (next < n) {
			struct zcopy_op batch[OPS_PER_SUBMIT];
			size_t k = n - next < OPS_PER_SUBMIT ? n - next : OPS_PER_SUBMIT;

			for (size_t i = 0; i < k; i++)
				batch[i] = (struct zcopy_op){
					.opcode = ZCOPY_OP_SENDV,
					.user_data = next + i,
					.arg = (uintptr_t)&ops[next + i].req };
			got = zcopy_submit(dev, batch, k);
			if (got < 0 && errno != EAGAIN) {
				*err = errno;
				return -1;
			}
			if (got > 0) {
				if (!o->quiet && !o->json)
					printf("submitted %d operation%s\n", got,
					       got == 1 ? "" : "s");
				next += got;
				owed += got * (notify ? 2 : 1);
			}
		}
		got = zcopy_reap(dev, c, 64, -1);
		if (got < 0) {
			*err = errno;
			return -1;
		}
		for (int i = 0; i < got; i++) {
			show_record(o, &c[i]);
			owed--;
			if (c[i].flags & ZCOPY_CQE_RELEASE)
				continue;
			zcopy_stats_add(&r->stats, &c[i].stats, c[i].sent > 0, !done++);
			r->sent += c[i].sent;
			if (c[i].result && !first_err)
				first_err = -c[i].result;
		}
	}
	*err = first_err;
	return first_err ? -1 : 0;
}

int transfer_async(const struct send_args *o, int dev, int sock,
		   struct stream *st, struct send_result *r)
{
	uint32_t flags = o->notify_release ? ZCOPY_F_NOTIFY_RELEASE : 0;
	struct async_op *ops;
	size_t n = cut_stream(o, sock, flags, st, &ops);
	int err = 0, rc;

	if (!n)
		return fail_errno(ENOMEM, "memory");
	r->vector = true;
	r->async = true;
	r->segments = st->n;
	r->calls = n;
	rc = run_ops(o, dev, ops, n, o->notify_release, r, &err);
	free_ops(ops, n);
	if (rc) {
		if (r->sent)
			return fail_errno(err, "send to %s (after %" PRIu64 " bytes)",
					  o->dest, r->sent);
		return fail_errno(err, "send to %s", o->dest);
	}
	if (!o->quiet && hash_stream(st->seg, st->n, &r->hash))
		return fail("read back the files");
	return EXIT_OK;
}
