// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: the strongest peers a user would pick instead of zcopy,
 * each with state of its own per series.
 *
 * user:io_uring_splice: splice(2)'s file -> pipe -> socket, but every chunk
 * of the file queued at once as one chain of linked IORING_OP_SPLICE pairs
 * and submitted with one io_uring_enter(), the recipe liburing's examples
 * give for sending a file without copying it.
 *
 * user:msg_zerocopy: the file mapped, sent with send(MSG_ZEROCOPY) (the
 * socket with SO_ZEROCOPY), and every completion reaped from the error
 * queue (Documentation/networking/msg_zerocopy.rst).  The completions say
 * whether the kernel copied after all (SO_EE_CODE_ZEROCOPY_COPIED: always
 * on loopback, where the receive side copies the pages of a local sender);
 * those bytes count as one CPU copy each.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "bench_int.h"

/* ---- user:splice and user:io_uring_splice: the pipe ---------------------- */

int open_pipe(struct xfer *x)
{
	if (pipe2(x->pipe, O_CLOEXEC))
		return -1;
	/* A bigger pipe means fewer calls; unprivileged limits may refuse it. */
	fcntl(x->pipe[1], F_SETPIPE_SZ, (int)PIPE_SIZE);
	int size = fcntl(x->pipe[1], F_GETPIPE_SZ);
	if (size <= 0)
		return -1;
	x->pipe_size = size;
	return 0;
}

void close_pipe(struct xfer *x)
{
	close_fd(&x->pipe[0]);
	close_fd(&x->pipe[1]);
}

/* ---- user:io_uring_splice ---------------------------------------------- */

/* Linked splice pairs per submission: a 64 MiB file in one with a 1 MiB pipe. */
#define RING_PAIRS	64

int open_io_uring(struct xfer *x)
{
	int rc;

	if (open_pipe(x))
		return -1;
	x->ring = calloc(1, sizeof(*x->ring));
	if (!x->ring)
		return -1;
	rc = io_uring_queue_init(2 * RING_PAIRS, x->ring, 0);
	if (rc) {
		free(x->ring);
		x->ring = NULL;
		errno = -rc;
		return -1;
	}
	return 0;
}

void close_io_uring(struct xfer *x)
{
	if (x->ring) {
		io_uring_queue_exit(x->ring);
		free(x->ring);
		x->ring = NULL;
	}
	close_pipe(x);
}

int drain_pipe(struct xfer *x, size_t n, unsigned int flags)
{
	while (n) {
		ssize_t out = splice(x->pipe[0], NULL, x->sock, NULL, n,
				     SPLICE_F_MOVE | flags);

		x->calls++;
		if (out < 0 && errno == EINTR)
			continue;
		if (out <= 0)
			return out ? -1 : (errno = EPIPE, -1);
		n -= out;
	}
	return 0;
}

/*
 * One chain per submission: file -> pipe, then pipe -> socket, for each
 * chunk of up to pipe_size bytes.  A pair that moved less than asked breaks
 * the chain (its followers complete with ECANCELED); the bytes the file
 * side moved are then sent from the pipe and the next chain starts there.
 */
int send_io_uring_splice(struct xfer *x)
{
	struct io_uring *ring = x->ring;
	uint64_t off = 0;

	while (off < x->size) {
		unsigned int pairs = 0, more;
		uint64_t o = off, in = 0, out = 0;
		int err = 0;

		for (; o < x->size && pairs < RING_PAIRS; pairs++) {
			size_t want = x->size - o < x->pipe_size ? x->size - o : x->pipe_size;
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

			io_uring_prep_splice(sqe, x->file, o, x->pipe[1], -1, want,
					     SPLICE_F_MOVE);
			sqe->flags |= IOSQE_IO_LINK;
			sqe->user_data = 0;
			o += want;
			/* Cork all but the file's tail, as sendfile() does. */
			more = o < x->size ? SPLICE_F_MORE : 0;
			sqe = io_uring_get_sqe(ring);
			io_uring_prep_splice(sqe, x->pipe[0], -1, x->sock, -1, want,
					     SPLICE_F_MOVE | more);
			if (o < x->size && pairs + 1 < RING_PAIRS)
				sqe->flags |= IOSQE_IO_LINK;
			sqe->user_data = 1;
		}
		int rc;
		do {
			rc = io_uring_submit_and_wait(ring, 2 * pairs);
			x->calls++;
		} while (rc == -EINTR);
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
		for (unsigned int i = 0; i < 2 * pairs; i++) {
			struct io_uring_cqe *cqe;

			rc = io_uring_wait_cqe(ring, &cqe);
			if (rc) {
				errno = -rc;
				return -1;
			}
			if (cqe->res > 0)
				*(cqe->user_data ? &out : &in) += cqe->res;
			else if (cqe->res < 0 && cqe->res != -ECANCELED && !err)
				err = -cqe->res;
			io_uring_cqe_seen(ring, cqe);
		}
		/* What a short link left in the pipe: the next chain starts empty. */
		if (drain_pipe(x, in - out, 0))
			return -1;
		off += in;
		if (err && err != EINTR && err != EAGAIN) {
			errno = err;
			return -1;
		}
		if (!in && !err) {
			errno = ENODATA;	/* the file shrank under us */
			return -1;
		}
	}
	return 0;
}

/* ---- user:msg_zerocopy -------------------------------------------------- */

/*
 * Completions for the sends [lo, hi]: copied ones count as one copy per
 * byte.  They may come a repetition after their sends, so the copies are a
 * fraction of the bytes completed, not of those sent.
 */
static void zc_complete(struct xfer *x, uint32_t lo, uint32_t hi, bool copied)
{
	for (uint32_t id = lo; id - lo <= hi - lo; id++) {
		uint64_t n = x->zc_bytes[id % ZC_WINDOW];

		x->copied += copied ? n : 0;
		x->copied_of += n;
	}
	x->zc_done = hi + 1;
}

/*
 * Read the error queue until no send older than "until" is unacknowledged,
 * waiting in poll() for more up to timeout_ms (-1: for ever; 0: take only
 * what is there).  Notifications come in order, as ranges of sends.
 */
static int zc_reap(struct xfer *x, uint32_t until, int timeout_ms)
{
	while ((int32_t)(until - x->zc_done) > 0) {
		char control[CMSG_SPACE(sizeof(struct sock_extended_err)) + 64];
		struct msghdr msg = {
			.msg_control = control, .msg_controllen = sizeof(control),
		};
		ssize_t r = recvmsg(x->sock, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);

		x->calls++;
		if (r < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = x->sock };	/* POLLERR is implied */

			if (!timeout_ms)
				return 0;
			x->calls++;
			int n = poll(&p, 1, timeout_ms);
			if (n < 0 && errno != EINTR)
				return -1;
			if (!n) {
				errno = ETIMEDOUT;
				return -1;
			}
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			struct sock_extended_err serr;

			if (!(c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) &&
			    !(c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR))
				continue;
			memcpy(&serr, CMSG_DATA(c), sizeof(serr));
			if (serr.ee_origin != SO_EE_ORIGIN_ZEROCOPY) {
				errno = serr.ee_errno ? serr.ee_errno : EPROTO;
				return -1;
			}
			zc_complete(x, serr.ee_info, serr.ee_data,
				    serr.ee_code & SO_EE_CODE_ZEROCOPY_COPIED);
		}
	}
	return 0;
}

int open_msg_zerocopy(struct xfer *x)
{
	int one = 1;

	x->zc_next = x->zc_done = 0;
	return setsockopt(x->sock, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one));
}

/* Every completion in, 10 s at most (a dead receiver). */
void close_msg_zerocopy(struct xfer *x)
{
	zc_reap(x, x->zc_next, 10000);
}

/*
 * The file is mapped for each transfer, as user:mmap_write maps it, and
 * unmapped at once: the kernel holds references of its own to the pages
 * it sends from, so unchanging data needs no wait for the completions.
 * A mapping kept for the series would pin the file's pages, which a cold
 * repetition then could not drop, for every path of its group.
 * Completions are reaped as they come, without waiting, after each
 * transfer, as an event loop would; a send waits only when ZC_WINDOW sends
 * are unacknowledged (or optmem_max is full: ENOBUFS).
 */
int send_msg_zerocopy(struct xfer *x)
{
	void *map = mmap(NULL, x->size, PROT_READ, MAP_SHARED, x->file, 0);
	int rc = 0;

	x->calls++;
	if (map == MAP_FAILED)
		return -1;
	for (uint64_t off = 0; off < x->size && !rc;) {
		ssize_t w;

		if (x->zc_next - x->zc_done >= ZC_WINDOW &&
		    (rc = zc_reap(x, x->zc_next - ZC_WINDOW + 1, -1)))
			break;
		w = send(x->sock, (char *)map + off, x->size - off, MSG_ZEROCOPY);
		x->calls++;
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == ENOBUFS && x->zc_next != x->zc_done) {
			rc = zc_reap(x, x->zc_done + 1, -1);
			continue;
		}
		if (w < 0) {
			rc = -1;
			break;
		}
		x->zc_bytes[x->zc_next++ % ZC_WINDOW] = w;
		off += w;
	}
	int err = errno;

	munmap(map, x->size);
	x->calls++;
	errno = err;
	return rc ? rc : zc_reap(x, x->zc_next, 0);
}
