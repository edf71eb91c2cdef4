// SPDX-License-Identifier: GPL-2.0
/*
 * ZCOPY_F_NOTIFY_RELEASE: learn when the network stack has let go of the
 * pages an operation lent.  MSG_SPLICE_PAGES (or ->sendpage) gives the
 * stack page references and says nothing of when it drops them.  The
 * mechanism that does is the one io_uring's IORING_OP_SEND_ZC uses: a
 * struct ubuf_info of the sender's own, passed in msghdr.msg_ubuf with
 * MSG_ZEROCOPY.  TCP then takes the pages (iov_iter_get_pages2(), a page
 * reference each) and links the ubuf_info to every skb holding them; each
 * skb's end and the sender's own put call the completion, and the last one
 * (the reference count reaching zero) means no skb holds those pages.
 *
 * What the stack did instead of lending is told as MSG_ZEROCOPY tells it
 * (io_uring's zc_used / zc_copied, SO_EE_CODE_ZEROCOPY_COPIED): a
 * completion that was not a success (the pages were copied for a local
 * receiver, skb_copy_ubufs()), or no skb ever carrying them (TCP copied
 * at sendmsg(), the route cannot gather).  A device without
 * scatter-gather behind a TCP that still gathers copies at segmentation
 * without saying so: zcopy's own route sample says it (ZCOPY_ROUTE_SG).
 */
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/uio.h>

#include "zcopy.h"

/**
 * struct zcopy_release - the notifier of one ZCOPY_F_NOTIFY_RELEASE op
 * @rec: the release record, counted in ctx->records when made; first:
 *	once posted, only the record is left, until read(2) frees it
 * @ubuf: what TCP links to the skbs; its refcnt: the operation's own
 *	reference and one per skb
 * @ctx: where the release record goes, with a reference
 * @used: an skb ended with the pages still the ones lent
 * @copied: some were copied instead
 */
struct zcopy_release {
	struct zcopy_record rec;
	struct ubuf_info ubuf;
	struct zcopy_ctx *ctx;
	bool used;
	bool copied;
};

static_assert(offsetof(struct zcopy_release, rec) == 0);

static void zcopy_release_complete(struct sk_buff *skb, struct ubuf_info *uarg,
				   bool success)
{
	struct zcopy_release *r = container_of(uarg, struct zcopy_release, ubuf);
	struct zcopy_ctx *ctx = r->ctx;

	if (success && skb)
		WRITE_ONCE(r->used, true);
	else if (!success)
		WRITE_ONCE(r->copied, true);
	if (!refcount_dec_and_test(&uarg->refcnt))
		return;
	r->rec.cqe.flags |= ZCOPY_CQE_RELEASE;
	if (READ_ONCE(r->copied) || !READ_ONCE(r->used))
		r->rec.cqe.flags |= ZCOPY_CQE_COPIED;
	zcopy_ctx_post_record(ctx, &r->rec);
	zcopy_ctx_put(ctx);
}

ZCOPY_DEFINE_UBUF(zcopy_release_ubuf, zcopy_release_complete);

/**
 * zcopy_release_alloc() - a notifier for an operation being taken
 * @ctx: its open file's context; one record is reserved there for it
 * @user_data: the operation's
 *
 * Return: the notifier, holding the operation's reference and one to
 * @ctx, or NULL without memory.
 */
struct zcopy_release *zcopy_release_alloc(struct zcopy_ctx *ctx, u64 user_data)
{
	struct zcopy_release *r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);

	if (!r)
		return NULL;
	r->rec.cqe.user_data = user_data;
	zcopy_ubuf_set(&r->ubuf, zcopy_release_ubuf);
	/* The flags of io_uring's notifiers: never orphaned on transmit. */
	r->ubuf.flags = SKBFL_ZEROCOPY_FRAG | SKBFL_DONT_ORPHAN;
	refcount_set(&r->ubuf.refcnt, 1);
	r->ctx = ctx;
	refcount_inc(&ctx->ref);
	return r;
}

/**
 * zcopy_release_route() - what the operation's route could do
 * @r: the notifier
 * @route: ZCOPY_ROUTE_* of the egress device, as the call sampled it
 *
 * A device that cannot gather copies every byte at transmit, whatever
 * the skbs said.
 */
void zcopy_release_route(struct zcopy_release *r, u32 route)
{
	if (!(route & ZCOPY_ROUTE_SG))
		WRITE_ONCE(r->copied, true);
}

/**
 * zcopy_release_put() - the operation is done lending through @r
 * @r: the notifier, or NULL
 *
 * Its release record comes when the last skb holding its pages is gone,
 * which may be now.
 */
void zcopy_release_put(struct zcopy_release *r)
{
	if (r)
		zcopy_release_complete(NULL, &r->ubuf, true);
}

/**
 * zcopy_release_send() - send pages so that @r is told when they are let go
 * @r: the notifier
 * @sock: a TCP socket
 * @bv: the pages
 * @nr: entries in @bv
 * @bytes: bytes in all
 * @flags: MSG_* of the send
 *
 * Mirrors io_uring's io_send_zc(): MSG_ZEROCOPY with msg_ubuf, which TCP
 * honours without SO_ZEROCOPY and links to each skb it fills.
 *
 * Return: bytes the socket took, or a negative errno.
 */
int zcopy_release_send(struct zcopy_release *r, struct socket *sock,
		       struct bio_vec *bv, unsigned int nr, size_t bytes,
		       int flags)
{
	struct msghdr msg = {
		.msg_flags = flags | MSG_ZEROCOPY,
		.msg_ubuf = &r->ubuf,
	};

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, nr, bytes);
	return sock_sendmsg(sock, &msg);
}
