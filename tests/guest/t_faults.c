// SPDX-License-Identifier: GPL-2.0
/*
 * t_faults.c - the "faults" group: transfers that meet trouble while they
 * run.  The connection is shut down, reset, full, non-blocking, timed out
 * or interrupted; the peer closes or resets, the file shrinks or loses a
 * range under the transfer, descriptors are closed or replaced by another
 * thread, the task is killed, storage fails, and many threads send at once.
 *
 * Whatever happens, a call ends with a clean errno and nothing sent (and
 * exactly one "errors" counted), or with a count that is exactly what the
 * connection took; the receiver checks every byte that came against the
 * file as it was (zeroes allowed where a hole was punched), and the
 * counters move by exactly what the calls reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "inject.h"

#define MUT_FSIZE (16 * MIB)
#define MUT_AT (10 * MIB)	/* where the file is cut or punched */
#define MUT_SNDBUF (1 * MIB)	/* bounds what loopback holds: stall early */
#define MUT_MARGIN (2 * MIB)	/* stall to MUT_AT: never batched before */
#define STALL_QUIET_MS 300
#define PEER_FSIZE (16 * MIB)
#define PEER_STOP_AFTER (1 * MIB)
#define EIO_FSIZE (256 * KIB)
#define KILL_DEADLINE_MS 5000

static bool in_list(int err, const int *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == err)
			return true;
	return false;
}

/* What a case saw, for the log (the harness counts PASS/FAIL lines only). */
static void __attribute__((format(printf, 1, 2))) note(const char *fmt, ...)
{
	va_list ap;

	printf("note: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void outcome(char *buf, size_t len, int rc, int err, uint64_t sent)
{
	if (rc)
		snprintf(buf, len, "%s", errno_name(err));
	else
		snprintf(buf, len, "sent %llu", (unsigned long long)sent);
}

/* ---------------------------------------------------------------- */
/* Run-time stops of the connection                                  */

/*
 * A connection that is shut down, reset, full, non-blocking, timed out or
 * interrupted.  A failure with nothing sent must add exactly 1 to "errors"
 * (global, the method's, the open file's) and nothing else; a stop after
 * some bytes is a success with the partial count, counted as a transfer
 * with 0 errors; and the receiver must get exactly the bytes that were
 * reported sent.
 */
/* Larger than anything loopback buffers while the receiver reads nothing,
 * so a send of the whole file can only stop part-way. */
#define RT_FSIZE (64 * MIB)
#define FILL_CHUNK (64 * 1024)
#define FILL_MAX (48 * MIB)
#define FILL_SETTLE_MS 50
#define RESET_WAIT_MS 5000
#define RESET_CALL_LEN 4096
#define TIMER_FIRST_MS 300
#define TIMER_EVERY_MS 100

struct rt_plan {
	const char *name;
	enum rx_mode rx;
	bool shut_wr;		/* shutdown(SHUT_WR) first */
	bool fill;		/* fill the socket's buffers first */
	bool nonblock;		/* O_NONBLOCK on the socket */
	bool timer;		/* SIGUSR1 without SA_RESTART while blocked */
	long sndtimeo_ms;	/* SO_SNDTIMEO, or 0 for the default */
	int want_errno;		/* the failure due; 0: a partial success */
	int alt_errno;		/* another failure that is right as well */
	bool partial_ok;	/* a partial success is right as well */
	unsigned int max_calls;	/* > 1: small sends until the first error */
};

static const struct rt_plan rt_plans[] = {
	/* Held: a reading receiver would see the FIN and close, and the
	 * socket would be closed as well as shut down. */
	{ "epipe-shutdown", RX_HOLD, .shut_wr = true, .want_errno = EPIPE },
	/* The reset arrives asynchronously: a send may still succeed.  The
	 * first send after it reports ECONNRESET, later ones EPIPE, as for
	 * send(2) and sendfile(2). */
	{ "epipe-reset", RX_RESET, .want_errno = EPIPE,
	  .alt_errno = ECONNRESET, .max_calls = 16 },
	{ "eagain-full", RX_HOLD, .fill = true, .nonblock = true,
	  .want_errno = EAGAIN },
	{ "nonblock-partial", RX_HOLD, .nonblock = true },
	{ "sndtimeo-partial", RX_HOLD, .sndtimeo_ms = 300 },
	{ "eintr-partial", RX_HOLD, .timer = true },
	/* Full, but a window probe may reopen a little room while blocked:
	 * then bytes went before the signal, and that is a partial success. */
	{ "eintr-full", RX_HOLD, .fill = true, .timer = true,
	  .want_errno = EINTR, .partial_ok = true },
};

/* DIRECT is left out: its alignment rules are not part of the contract. */
static const unsigned int rt_methods[] = {
	ZCOPY_METHOD_COPY, ZCOPY_METHOD_MMAP, ZCOPY_METHOD_SPLICE,
	ZCOPY_METHOD_PAGES,
};

struct rt_case {
	const struct rt_plan *plan;
	unsigned int method;
};

/*
 * Queue stream bytes 0, 1, ... of the file's pattern with MSG_DONTWAIT
 * until the socket takes no more.  An ACK can free a little room just
 * after EAGAIN, so pause and retry until a retry also gets EAGAIN.
 */
static int fill_socket(struct tctx *t, int sock, uint64_t seed,
		       uint64_t *filled)
{
	unsigned char *buf = malloc(FILL_CHUNK);
	uint64_t pos = 0;
	int rc = -1;

	if (!buf)
		return fail(t, "fill: out of memory");
	for (int round = 0; round < 100; round++) {
		bool moved = false;

		for (;;) {
			ssize_t n;

			if (pos >= FILL_MAX) {
				fail(t, "fill: socket still takes data after %llu bytes",
				     (unsigned long long)pos);
				goto out;
			}
			pattern_fill(seed, pos, buf, FILL_CHUNK);
			n = send(sock, buf, FILL_CHUNK, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN)
				break;
			if (n < 0) {
				fail_errno(t, "fill: send");
				goto out;
			}
			pos += (uint64_t)n;
			moved = true;
		}
		if (!moved && pos) {
			*filled = pos;
			rc = 0;
			goto out;
		}
		sleep_ms(FILL_SETTLE_MS);
	}
	fail(t, "fill: the socket never stayed full");
out:
	free(buf);
	return rc;
}

/* The receiver's RST has arrived once poll reports an error or hangup. */
static int wait_reset(struct tctx *t, int sock)
{
	uint64_t end = now_ms() + RESET_WAIT_MS;

	while (now_ms() < end) {
		struct pollfd p = { .fd = sock, .events = POLLIN };

		if (poll(&p, 1, 50) > 0 && (p.revents & (POLLERR | POLLHUP)))
			return 0;
	}
	return fail(t, "no reset from the receiver within %d ms", RESET_WAIT_MS);
}

/* Only there to interrupt the blocked ioctl; installed without SA_RESTART
 * so the call sees the signal instead of being restarted. */
static void on_sigusr1(int sig)
{
	(void)sig;
}

/* SIGUSR1 after TIMER_FIRST_MS and then every TIMER_EVERY_MS, so a signal
 * that came before the call blocked cannot leave it blocked. */
static int timer_arm(struct tctx *t, timer_t *id)
{
	struct sigevent sev;
	struct sigaction sa;
	struct itimerspec its = {
		.it_value = { 0, TIMER_FIRST_MS * 1000000L },
		.it_interval = { 0, TIMER_EVERY_MS * 1000000L },
	};

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	sigemptyset(&sa.sa_mask);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	if (sigaction(SIGUSR1, &sa, NULL) != 0 ||
	    timer_create(CLOCK_MONOTONIC, &sev, id) != 0)
		return fail_errno(t, "timer setup");
	if (timer_settime(*id, 0, &its, NULL) != 0)
		return fail_errno(t, "timer_settime");
	return 0;
}

static int prepare(struct tctx *t, const struct rt_plan *p,
		   struct receiver *rx, uint64_t seed, uint64_t *filled)
{
	int sock = rx->sock;

	if (p->sndtimeo_ms && set_sock_timeout(sock, SO_SNDTIMEO, p->sndtimeo_ms))
		return fail_errno(t, "SO_SNDTIMEO");
	if (p->fill && fill_socket(t, sock, seed, filled) != 0)
		return -1;
	if (p->shut_wr && shutdown(sock, SHUT_WR) != 0)
		return fail_errno(t, "shutdown(SHUT_WR)");
	if (p->rx == RX_RESET && wait_reset(t, sock) != 0)
		return -1;
	if (p->nonblock && set_nonblock(sock) != 0)
		return fail_errno(t, "O_NONBLOCK");
	return 0;
}

/* Judge one call; returns 1 when the series is over, 0 to go on, -1. */
static int judge(struct tctx *t, const struct rt_case *c, int rc, int err,
		 const struct zcopy_send *req, const struct receiver *rx,
		 struct tally *delta)
{
	const struct rt_plan *p = c->plan;

	if (rc != 0) {
		errno = err;
		/* The reset beat connect(): a socket that never connected is
		 * refused by the checks, with no counter moved. */
		if (rx->refused && err == ENOTCONN)
			return 1;
		if (!p->want_errno)
			return fail_errno(t, "expected a partial success, ZCOPY_IOC_SEND failed");
		if (!(p->alt_errno && err == p->alt_errno) &&
		    expect_errno(t, "ZCOPY_IOC_SEND", rc, p->want_errno) != 0)
			return -1;
		tally_add_error(delta, c->method);
		return 1;
	}
	if (req->sent == 0 || req->sent > req->len)
		return fail(t, "sent %llu of %llu", (unsigned long long)req->sent,
			    (unsigned long long)req->len);
	/* Every range here lies inside the file: short means stopped. */
	if (check_stats(t, req, c->method, req->offset, req->sent,
			req->sent < req->len) != 0)
		return -1;
	tally_add_success(delta, req);
	if (p->max_calls)
		return 0;
	if (p->want_errno && !p->partial_ok)
		return fail(t, "expected %s, got success with %llu bytes sent",
			    errno_name(p->want_errno),
			    (unsigned long long)req->sent);
	/* The receiver never read: the whole file cannot have gone. */
	if (req->sent == req->len)
		return fail(t, "expected a partial send, all %llu bytes went",
			    (unsigned long long)req->len);
	return 1;
}

static int runtime_test(struct tctx *t, const void *arg)
{
	const struct rt_case *c = arg;
	const struct rt_plan *p = c->plan;
	struct tally before, delta;
	struct zcopy_send req;
	struct receiver rx;
	struct rx_spec spec;
	struct tfile f;
	uint64_t filled = 0, pos;
	unsigned int calls = p->max_calls ? p->max_calls : 1, i;
	timer_t timer = { 0 };
	int fd, rc = 0, err = 0, verdict = 0;

	memset(&delta, 0, sizeof(delta));
	fd = tfile_open(t, &fs_list[FS_TMPFS], RT_FSIZE, &f);
	if (fd < 0)
		return -1;
	spec = (struct rx_spec){ f.seed, 0, 0 };
	if (receiver_start(t, &rx, AF_INET, p->rx, &spec) != 0 ||
	    tally_read(t, t->dev, &before) != 0 ||
	    prepare(t, p, &rx, f.seed, &filled) != 0)
		return -1;
	if (p->timer && timer_arm(t, &timer) != 0)
		return -1;
	pos = filled;
	for (i = 0; i < calls && verdict == 0; i++) {
		send_req(&req, fd, rx.sock, c->method, pos,
			 p->max_calls ? RESET_CALL_LEN : RT_FSIZE - pos);
		rc = ioctl(t->dev, ZCOPY_IOC_SEND, &req);
		err = errno;
		if (calls > 1)
			snprintf(t->where, sizeof(t->where), "call %u", i + 1);
		verdict = judge(t, c, rc, err, &req, &rx, &delta);
		if (rc == 0)
			pos += req.sent;
	}
	if (p->timer)
		timer_delete(timer);
	t->where[0] = '\0';
	if (verdict < 0)
		return -1;
	if (verdict == 0)
		return fail(t, "no call failed in %u calls", calls);
	/* A reset receiver read nothing; the others must have got all. */
	if (receiver_finish(t, &rx, p->rx == RX_RESET ? 0 : pos) != 0)
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}

/* ---------------------------------------------------------------- */
/* A call in a second thread, so this one can act while it blocks    */

struct bg_call {
	pthread_t th;
	int dev;
	unsigned long cmd;
	void *arg;
	int rc, err;
};

static void *bg_main(void *p)
{
	struct bg_call *b = p;

	b->rc = ioctl(b->dev, b->cmd, b->arg);
	b->err = errno;
	return NULL;
}

static int bg_start(struct tctx *t, struct bg_call *b, unsigned long cmd,
		    void *arg)
{
	b->dev = t->dev;
	b->cmd = cmd;
	b->arg = arg;
	errno = pthread_create(&b->th, NULL, bg_main, b);
	return errno ? fail_errno(t, "pthread_create") : 0;
}

static void bg_join(struct bg_call *b)
{
	pthread_join(b->th, NULL);
	errno = b->err;
}

/* The result of a SEND that met trouble: a clean errno from @errs with
 * nothing on the connection and one error counted, or a count that is what
 * the connection took, counted as a transfer.  @moved is the connection's
 * count for this call. */
static int judge_send(struct tctx *t, int rc, int err,
		      const struct zcopy_send *req, uint64_t moved,
		      const int *errs, size_t nerrs, struct tally *delta)
{
	if (rc != 0) {
		if (!in_list(err, errs, nerrs)) {
			errno = err;
			return fail_errno(t, "ZCOPY_IOC_SEND: unexpected error");
		}
		if (moved)
			return fail(t, "ZCOPY_IOC_SEND failed with %s after %llu bytes went",
				    errno_name(err), (unsigned long long)moved);
		tally_add_error(delta, req->method);
		return 0;
	}
	if (req->sent != moved)
		return fail(t, "sent says %llu, the connection took %llu",
			    (unsigned long long)req->sent,
			    (unsigned long long)moved);
	tally_add_success(delta, req);
	return 0;
}

/* ---------------------------------------------------------------- */
/* The peer goes away mid-transfer                                   */

struct peer_case {
	enum rx_mode mode;
	unsigned int method;
};

static int peer_gone(struct tctx *t, const void *arg)
{
	static const int errs[] = { EPIPE, ECONNRESET };
	const struct peer_case *c = arg;
	struct rx_more more = { .stop_after = PEER_STOP_AFTER };
	struct tally before, delta;
	struct zcopy_send req;
	struct receiver rx;
	struct rx_spec spec;
	struct tfile f;
	uint64_t w0, w1, got;
	char first[64];
	int fd, rc, err;

	memset(&delta, 0, sizeof(delta));
	fd = tfile_open(t, &fs_list[FS_TMPFS], PEER_FSIZE, &f);
	if (fd < 0)
		return -1;
	spec = (struct rx_spec){ f.seed, 0, 0 };
	if (receiver_start_ex(t, &rx, AF_INET, c->mode, &spec, &more) != 0 ||
	    tally_read(t, t->dev, &before) != 0 ||
	    sock_written(rx.sock, &w0) != 0)
		return -1;
	/* The whole file, while the peer reads 1 MiB and goes. */
	send_req(&req, fd, rx.sock, c->method, 0, PEER_FSIZE);
	rc = ioctl(t->dev, ZCOPY_IOC_SEND, &req);
	err = errno;
	if (sock_written(rx.sock, &w1) != 0)
		return fail_errno(t, "TCP_INFO");
	if (judge_send(t, rc, err, &req, w1 - w0, errs, ARRAY_SIZE(errs),
		       &delta) != 0)
		return -1;
	if (rc == 0 && req.sent == PEER_FSIZE)
		return fail(t, "all %llu bytes went to a peer that read 1 MiB",
			    (unsigned long long)req.sent);
	outcome(first, sizeof(first), rc, err, req.sent);
	/* The connection is dead now: the next call fails, sends nothing. */
	w0 = w1;
	send_req(&req, fd, rx.sock, c->method, 0, 4096);
	rc = ioctl(t->dev, ZCOPY_IOC_SEND, &req);
	err = errno;
	if (rc == 0)
		return fail(t, "a call after the peer was gone sent %llu bytes",
			    (unsigned long long)req.sent);
	if (sock_written(rx.sock, &w1) != 0)
		return fail_errno(t, "TCP_INFO");
	if (judge_send(t, rc, err, &req, w1 - w0, errs, ARRAY_SIZE(errs),
		       &delta) != 0)
		return -1;
	if (receiver_collect(t, &rx, &got) != 0)
		return -1;
	if (got != PEER_STOP_AFTER)
		return fail(t, "the peer read %llu bytes, expected %llu",
			    (unsigned long long)got,
			    (unsigned long long)PEER_STOP_AFTER);
	note("peer gone after %llu bytes read: the call got %s of %llu, the next one %s",
	     (unsigned long long)got, first, (unsigned long long)PEER_FSIZE,
	     errno_name(err));
	return tally_expect_delta(t, t->dev, &before, &delta);
}

/* ---------------------------------------------------------------- */
/* The file changes under a blocked transfer                         */

enum mut_kind {
	MUT_TRUNCATE,	/* to a size past the stall point, mid-page */
	MUT_PUNCH,	/* a hole ahead of the stall point */
	MUT_CLOSE_IN,	/* another thread closes in_fd */
	MUT_DUP2_OUT,	/* another thread dup2()s /dev/null over out_fd */
	MUT_CLOSE_SENDV,/* SENDV: the segment's fd and out_fd closed */
};

struct mut_case {
	enum mut_kind kind;
	unsigned int method;
	int fs;
};

/* Fill in the SENDV of a whole private file as one file segment. */
static void sendv_whole(struct zcopy_sendv *v, struct zcopy_segment *seg,
			int fd, int sock, unsigned int method)
{
	*seg = (struct zcopy_segment){ .type = ZCOPY_SEG_FILE, .fd = fd,
				       .len = MUT_FSIZE };
	*v = (struct zcopy_sendv){ .size = sizeof(*v), .out_fd = sock,
				   .method = method,
				   .segs = (uintptr_t)seg, .count = 1 };
}

static int mutate(struct tctx *t, const struct mut_case *c,
		  const struct tfile *f, int fd, int sock, uint64_t stall)
{
	int wfd, null;

	if ((c->kind == MUT_TRUNCATE || c->kind == MUT_PUNCH) &&
	    stall + MUT_MARGIN > MUT_AT)
		return fail(t, "the sender stalled at %llu bytes, too close to %llu where the file changes",
			    (unsigned long long)stall,
			    (unsigned long long)MUT_AT);
	switch (c->kind) {
	case MUT_TRUNCATE:
		wfd = open(f->path, O_WRONLY | O_CLOEXEC);
		if (wfd < 0 || ftruncate(wfd, (off_t)(MUT_AT + 1234)) != 0)
			return fail_errno(t, "truncate %s", f->path);
		close(wfd);
		break;
	case MUT_PUNCH:
		wfd = open(f->path, O_WRONLY | O_CLOEXEC);
		if (wfd < 0 || fallocate(wfd, FALLOC_FL_PUNCH_HOLE |
					 FALLOC_FL_KEEP_SIZE, (off_t)MUT_AT,
					 (off_t)MIB) != 0)
			return fail_errno(t, "punch a hole in %s", f->path);
		close(wfd);
		break;
	case MUT_CLOSE_IN:
		if (close(fd) != 0)
			return fail_errno(t, "close in_fd");
		break;
	case MUT_DUP2_OUT:
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, sock) != sock)
			return fail_errno(t, "dup2 over out_fd");
		close(null);
		break;
	case MUT_CLOSE_SENDV:
		if (close(fd) != 0 || close(sock) != 0)
			return fail_errno(t, "close the segment fd and out_fd");
		break;
	}
	return 0;
}

static int file_changes(struct tctx *t, const void *arg)
{
	const struct mut_case *c = arg;
	struct rx_more more = { 0 };
	struct zcopy_segment seg;
	struct zcopy_sendv v;
	struct tally before, delta;
	struct zcopy_send req;
	struct receiver rx;
	struct rx_spec spec;
	struct bg_call bg;
	struct tfile f;
	uint64_t stall, want_sent, sent, w0;
	int fd, sock, rc, sndbuf = MUT_SNDBUF;

	memset(&delta, 0, sizeof(delta));
	fd = private_file(t, &fs_list[c->fs], MUT_FSIZE, "mut", &f);
	if (fd < 0)
		return -1;
	want_sent = c->kind == MUT_TRUNCATE ? MUT_AT + 1234 : MUT_FSIZE;
	if (c->kind == MUT_PUNCH) {
		more.hole_start = MUT_AT;
		more.hole_end = MUT_AT + MIB;
	}
	spec = (struct rx_spec){ f.seed, 0, 0 };
	if (receiver_start_ex(t, &rx, AF_INET, RX_HOLD, &spec, &more) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		return -1;
	sock = rx.sock;
	if (setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)))
		return fail_errno(t, "SO_SNDBUF");
	if (sock_written(sock, &w0) != 0)
		return fail_errno(t, "TCP_INFO");
	if (c->kind == MUT_CLOSE_SENDV) {
		sendv_whole(&v, &seg, fd, sock, c->method);
		rc = bg_start(t, &bg, ZCOPY_IOC_SENDV, &v);
	} else {
		send_req(&req, fd, sock, c->method, 0, MUT_FSIZE);
		rc = bg_start(t, &bg, ZCOPY_IOC_SEND, &req);
	}
	if (rc != 0 || sock_wait_stalled(t, sock, STALL_QUIET_MS, &stall) != 0)
		return -1;
	stall -= w0;
	rc = mutate(t, c, &f, fd, sock, stall);
	/* Let it finish either way: the test process must not hang. */
	if (receiver_release(t, &rx) != 0 || rc != 0)
		return -1;
	bg_join(&bg);
	if (bg.rc != 0)
		return fail_errno(t, "the transfer failed (stalled at %llu)",
				  (unsigned long long)stall);
	sent = c->kind == MUT_CLOSE_SENDV ? v.sent : req.sent;
	if (sent != want_sent)
		return fail(t, "sent %llu bytes, expected %llu (stalled at %llu)",
			    (unsigned long long)sent,
			    (unsigned long long)want_sent,
			    (unsigned long long)stall);
	if (c->kind == MUT_CLOSE_SENDV) {
		memset(&req, 0, sizeof(req));
		req.sent = v.sent;
		req.stats = v.stats;
	}
	tally_add_success(&delta, &req);
	if (tally_expect_delta(t, t->dev, &before, &delta) != 0)
		return -1;
	/* That descriptor is not the socket any more (or is gone). */
	if (c->kind == MUT_DUP2_OUT || c->kind == MUT_CLOSE_SENDV)
		rx.sock = -1;
	rc = receiver_finish(t, &rx, want_sent);
	unlink(f.path);
	if (!rc)
		note("changed at %llu bytes sent: the call sent %llu, the receiver checked them all",
		     (unsigned long long)stall, (unsigned long long)sent);
	return rc;
}

/* ---------------------------------------------------------------- */
/* SIGKILL while blocked                                             */

/*
 * A child shares our open file of /dev/zcopy and the socket, blocks in a
 * SEND to a receiver that reads nothing, and is killed.  It must be gone
 * within KILL_DEADLINE_MS (a task stuck in the module would trip the hung
 * task detector later), and its call must count as what it was: a partial
 * transfer of exactly the bytes the connection took.
 */
static int sigkill_blocked(struct tctx *t, const void *arg)
{
	const unsigned int method = *(const unsigned int *)arg;
	struct tally before, delta, now;
	struct receiver rx;
	struct rx_spec spec;
	struct tfile f;
	uint64_t stall, w0, w, t0, waited;
	int fd, status = 0;
	pid_t pid, w_pid = 0;

	fd = tfile_open(t, &fs_list[FS_TMPFS], PEER_FSIZE, &f);
	if (fd < 0)
		return -1;
	spec = (struct rx_spec){ f.seed, 0, 0 };
	if (receiver_start(t, &rx, AF_INET, RX_HOLD, &spec) != 0 ||
	    tally_read(t, t->dev, &before) != 0 ||
	    sock_written(rx.sock, &w0) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return fail_errno(t, "fork");
	if (pid == 0) {
		struct zcopy_send req;

		send_req(&req, fd, rx.sock, method, 0, PEER_FSIZE);
		ioctl(t->dev, ZCOPY_IOC_SEND, &req);
		_exit(3);	/* not reached in time: the parent kills us */
	}
	if (sock_wait_stalled(t, rx.sock, STALL_QUIET_MS, &stall) != 0) {
		kill(pid, SIGKILL);
		return -1;
	}
	t0 = now_ms();
	kill(pid, SIGKILL);
	while (now_ms() - t0 < KILL_DEADLINE_MS &&
	       (w_pid = waitpid(pid, &status, WNOHANG)) == 0)
		sleep_ms(5);
	waited = now_ms() - t0;
	if (w_pid != pid)
		return fail(t, "the killed task still exists after %llu ms",
			    (unsigned long long)waited);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return fail(t, "the child ended with wait status 0x%x, not SIGKILL",
			    status);
	if (sock_written(rx.sock, &w) != 0)
		return fail_errno(t, "TCP_INFO");
	w -= w0;
	note("killed after %llu bytes: gone in %llu ms, counted as a transfer of %llu bytes",
	     (unsigned long long)(stall - w0), (unsigned long long)waited,
	     (unsigned long long)w);
	/* The killed call returned a partial count to no one: it counts as
	 * one transfer of what went (its stats are unknown to us). */
	if (tally_read(t, t->dev, &now) != 0)
		return -1;
	memset(&delta, 0, sizeof(delta));
	delta.global.v[C_TRANSFERS] = 1;
	delta.global.v[C_BYTES] = w;
	for (int i = 0; i < C_COUNT; i++)
		if (i != C_TRANSFERS && i != C_BYTES && i != C_ERRORS)
			delta.global.v[i] = now.global.v[i] - before.global.v[i];
	if (ctrs_expect_delta(t, "sysfs stats/ after the kill: ", &now.global,
			      &before.global, &delta.global) != 0 ||
	    ctrs_expect_delta(t, "ZCOPY_IOC_COUNTERS after the kill: ",
			      &now.open, &before.open, &delta.global) != 0)
		return -1;
	return receiver_finish(t, &rx, w);
}

/* ---------------------------------------------------------------- */
/* Storage read errors                                               */

struct eio_case {
	unsigned int method;
	bool partial;	/* half the file cached: the cached part goes */
};

/*
 * fail_make_request fails every request this thread submits to the ext4
 * disk (task-filter: the journal and everyone else are spared).  The file
 * is not in the page cache, so the transfer needs storage at once: nothing
 * is sent, EIO, one error counted.  With the first half cached, that half
 * may go (a partial transfer) and never a byte of the rest.
 */
static int storage_eio(struct tctx *t, const void *arg)
{
	static const int errs[] = { EIO };
	const struct eio_case *c = arg;
	struct tally before, delta;
	struct zcopy_send req;
	struct receiver rx;
	struct rx_spec spec;
	struct tfile f;
	uint64_t w0, w1, cached = c->partial ? EIO_FSIZE / 2 : 0;
	char *buf;
	int fd, rc, err, stop;

	memset(&delta, 0, sizeof(delta));
	fd = cold_file(t, &fs_list[FS_EXT4], EIO_FSIZE, O_RDONLY | O_NOATIME, &f);
	if (fd < 0)
		return -1;
	if (cached) {
		/* No readahead: exactly the first half comes into the cache. */
		buf = malloc(cached);
		if (!buf || posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM) != 0 ||
		    pread(fd, buf, cached, 0) != (ssize_t)cached)
			return fail_errno(t, "read the first half");
		free(buf);
	}
	spec = (struct rx_spec){ f.seed, 0, 0 };
	if (receiver_start(t, &rx, AF_INET, RX_READ, &spec) != 0 ||
	    tally_read(t, t->dev, &before) != 0 ||
	    sock_written(rx.sock, &w0) != 0)
		return -1;
	send_req(&req, fd, rx.sock, c->method, 0, EIO_FSIZE);
	if (eio_start(t) != 0) {
		eio_stop(t);
		return -1;
	}
	rc = ioctl(t->dev, ZCOPY_IOC_SEND, &req);
	err = errno;
	stop = eio_stop(t);
	if (stop != 0 || sock_written(rx.sock, &w1) != 0)
		return -1;
	if (judge_send(t, rc, err, &req, w1 - w0, errs, 1, &delta) != 0)
		return -1;
	if (rc == 0 && (!cached || req.sent > cached))
		return fail(t, "sent %llu bytes with storage failing (%llu were cached)",
			    (unsigned long long)req.sent,
			    (unsigned long long)cached);
	{
		char what[64];

		outcome(what, sizeof(what), rc, err, req.sent);
		note("storage failing, %llu of %llu bytes cached: %s (%s)",
		     (unsigned long long)cached, (unsigned long long)EIO_FSIZE,
		     what, rc ? "one error counted" : "counted as a transfer");
	}
	/* The disk works again: the same request now sends the rest. */
	w0 = w1;
	{
		uint64_t done = rc == 0 ? req.sent : 0;

		send_req(&req, fd, rx.sock, c->method, done, EIO_FSIZE - done);
		rc = ioctl(t->dev, ZCOPY_IOC_SEND, &req);
		if (rc != 0)
			return fail_errno(t, "the call after the disk recovered");
		if (sock_written(rx.sock, &w1) != 0)
			return fail_errno(t, "TCP_INFO");
		if (judge_send(t, rc, 0, &req, w1 - w0, errs, 1, &delta) != 0)
			return -1;
		if (done + req.sent != EIO_FSIZE)
			return fail(t, "after recovery: %llu + %llu bytes, expected %llu",
				    (unsigned long long)done,
				    (unsigned long long)req.sent,
				    (unsigned long long)EIO_FSIZE);
	}
	if (tally_expect_delta(t, t->dev, &before, &delta) != 0 ||
	    receiver_finish(t, &rx, EIO_FSIZE) != 0)
		return -1;
	unlink(f.path);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Many threads at once                                              */

#define NTHREADS 8
#define PER_THREAD 500

struct worker {
	struct tctx *t;
	int dev, fd;
	unsigned int method;
	uint64_t fsize;
	int sock;
	struct tally sum;	/* what its transfers reported */
	char why[160];
};

static void *worker_main(void *p)
{
	struct worker *w = p;

	for (unsigned int i = 0; i < PER_THREAD; i++) {
		struct zcopy_send req;

		send_req(&req, w->fd, w->sock, w->method, 0, w->fsize);
		if (ioctl(w->dev, ZCOPY_IOC_SEND, &req) != 0) {
			snprintf(w->why, sizeof(w->why), "transfer %u: %s", i,
				 strerror(errno));
			break;
		}
		if (req.sent != w->fsize) {
			snprintf(w->why, sizeof(w->why),
				 "transfer %u: sent %llu of %llu", i,
				 (unsigned long long)req.sent,
				 (unsigned long long)w->fsize);
			break;
		}
		tally_add_success(&w->sum, &req);
	}
	return NULL;
}

static void ctrs_add(struct ctrs *a, const struct ctrs *b)
{
	for (int i = 0; i < C_COUNT; i++)
		a->v[i] += b->v[i];
}

static int many_threads(struct tctx *t, const void *arg)
{
	static const unsigned int methods[NTHREADS] = {
		ZCOPY_METHOD_COPY, ZCOPY_METHOD_MMAP, ZCOPY_METHOD_SPLICE,
		ZCOPY_METHOD_PAGES, ZCOPY_METHOD_AUTO, ZCOPY_METHOD_PAGES,
		ZCOPY_METHOD_COPY, ZCOPY_METHOD_SPLICE,
	};
	struct worker w[NTHREADS];
	struct receiver rx[NTHREADS];
	pthread_t th[NTHREADS];
	struct tally before, sum;
	struct tfile f;

	(void)arg;
	memset(w, 0, sizeof(w));
	memset(&sum, 0, sizeof(sum));
	for (int i = 0; i < NTHREADS; i++) {
		struct rx_spec spec;
		/* Sizes around page edges, one file per thread; one on ext4. */
		uint64_t size = 1000ULL * (i + 1) + 96 * i + 1;
		const struct fsdesc *fs = &fs_list[i == 5 ? FS_EXT4 : FS_TMPFS];

		w[i].fd = tfile_open(t, fs, size, &f);
		if (w[i].fd < 0)
			return -1;
		spec = (struct rx_spec){ f.seed, 0, size };
		if (receiver_start(t, &rx[i], AF_INET, RX_READ, &spec) != 0)
			return -1;
		w[i].t = t;
		w[i].dev = t->dev;
		w[i].method = methods[i];
		w[i].fsize = size;
		w[i].sock = rx[i].sock;
	}
	if (tally_read(t, t->dev, &before) != 0)
		return -1;
	for (int i = 0; i < NTHREADS; i++) {
		errno = pthread_create(&th[i], NULL, worker_main, &w[i]);
		if (errno)
			return fail_errno(t, "pthread_create");
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NTHREADS; i++) {
		if (w[i].why[0])
			return fail(t, "thread %d (%s): %s", i,
				    method_desc[methods[i]].name, w[i].why);
		ctrs_add(&sum.global, &w[i].sum.global);
		ctrs_add(&sum.open, &w[i].sum.open);
		for (int m = 0; m < ZCOPY_METHOD_COUNT; m++)
			ctrs_add(&sum.method[m], &w[i].sum.method[m]);
	}
	if (tally_expect_delta(t, t->dev, &before, &sum) != 0)
		return -1;
	for (int i = 0; i < NTHREADS; i++) {
		snprintf(t->where, sizeof(t->where), "receiver of thread %d", i);
		if (receiver_finish(t, &rx[i], PER_THREAD * w[i].fsize) != 0)
			return -1;
	}
	t->where[0] = '\0';
	note("%d threads x %d transfers: %llu bytes, the counters moved by the sum",
	     NTHREADS, PER_THREAD, (unsigned long long)sum.global.v[C_BYTES]);
	return 0;
}

/* ---------------------------------------------------------------- */
/* fail-nth: every fault site of a call, one at a time               */

#define WALK_FSIZE (64 * KIB)
#define WALK_MAX 1000
#define WALK_HDR 100

enum walk_kind { WALK_SEND, WALK_SENDV, WALK_INFO, WALK_COUNTERS };

struct walk_case {
	enum walk_kind kind;
	unsigned int method;
	int fs;
};

/* Where a walk stands: the stream so far and what its calls counted. */
struct walk {
	const struct walk_case *c;
	struct receiver rx;
	struct tfile f;
	int fd;
	unsigned char *mem;	/* the file's content, for memory segments */
	uint64_t stream;	/* bytes on the connection so far */
	unsigned int efault_after_send;
};

/* The counters moved by exactly @want (all views)?  No fail(). */
static bool tally_moved(const struct tally *before, const struct tally *now,
			const struct tally *want)
{
	for (int i = 0; i < C_COUNT; i++) {
		if (now->global.v[i] != before->global.v[i] + want->global.v[i] ||
		    now->open.v[i] != before->open.v[i] + want->open.v[i])
			return false;
		for (int m = 0; m < ZCOPY_METHOD_COUNT; m++)
			if (now->method[m].v[i] !=
			    before->method[m].v[i] + want->method[m].v[i])
				return false;
	}
	return true;
}

static void tally_describe(char *buf, size_t len, const struct tally *before,
			   const struct tally *now)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < C_COUNT && n < len; i++) {
		uint64_t d = now->global.v[i] - before->global.v[i];

		if (d)
			n += (size_t)snprintf(buf + n, len - n, " %s+%llu",
					      counter_names[i],
					      (unsigned long long)d);
	}
	if (!buf[0])
		snprintf(buf, len, " none");
}

union walk_misc {
	struct zcopy_info i;
	struct zcopy_counters c;
};

/* Build this step's request: the rest of the file from where the stream
 * stands (SENDV: with its first and last 100 bytes as memory). */
static void *walk_request(struct walk *wk, struct zcopy_send *req,
			  struct zcopy_sendv *v, struct zcopy_segment *segs,
			  struct zcopy_stats *stats, union walk_misc *misc)
{
	uint64_t p = wk->stream % WALK_FSIZE;

	switch (wk->c->kind) {
	case WALK_INFO:
		memset(misc, 0, sizeof(*misc));
		misc->i.size = sizeof(misc->i);
		return &misc->i;
	case WALK_COUNTERS:
		memset(misc, 0, sizeof(*misc));
		misc->c.size = sizeof(misc->c);
		return &misc->c;
	case WALK_SEND:
		send_req(req, wk->fd, wk->rx.sock, wk->c->method, p,
			 WALK_FSIZE - p);
		return req;
	case WALK_SENDV:
		break;
	}
	memset(segs, 0, 3 * sizeof(*segs));
	memset(v, 0, sizeof(*v));
	if (WALK_FSIZE - p > 2 * WALK_HDR) {
		segs[0] = (struct zcopy_segment){ .type = ZCOPY_SEG_MEMORY,
			.addr = (uintptr_t)(wk->mem + p), .len = WALK_HDR };
		segs[1] = (struct zcopy_segment){ .type = ZCOPY_SEG_FILE,
			.fd = wk->fd, .offset = p + WALK_HDR,
			.len = WALK_FSIZE - p - 2 * WALK_HDR };
		segs[2] = (struct zcopy_segment){ .type = ZCOPY_SEG_MEMORY,
			.addr = (uintptr_t)(wk->mem + WALK_FSIZE - WALK_HDR),
			.len = WALK_HDR };
		v->count = 3;
	} else {
		segs[0] = (struct zcopy_segment){ .type = ZCOPY_SEG_FILE,
			.fd = wk->fd, .offset = p, .len = WALK_FSIZE - p };
		v->count = 1;
	}
	v->size = sizeof(*v);
	v->out_fd = wk->rx.sock;
	v->method = wk->c->method;
	v->segs = (uintptr_t)segs;
	v->seg_stats = (uintptr_t)stats;
	return v;
}

/*
 * One step: a call with its @n-th fault site failing.  Returns 1 when the
 * call succeeded without reaching the fault (the walk is over), 0 to go on.
 */
static int walk_step(struct tctx *t, struct walk *wk, int nth, unsigned int n)
{
	static const int errs[] = { ENOMEM, EFAULT };
	const struct walk_case *c = wk->c;
	union walk_misc misc;
	struct zcopy_segment segs[3];
	struct zcopy_stats stats[3];
	struct tally before, now, want;
	struct zcopy_sendv v;
	struct zcopy_send req;
	uint64_t w0 = 0, w1 = 0, moved, sent = 0;
	unsigned long cmd = c->kind == WALK_SEND ? ZCOPY_IOC_SEND :
			    c->kind == WALK_SENDV ? ZCOPY_IOC_SENDV :
			    c->kind == WALK_INFO ? ZCOPY_IOC_INFO :
			    ZCOPY_IOC_COUNTERS;
	bool moves_bytes = c->kind == WALK_SEND || c->kind == WALK_SENDV;
	void *arg;
	char what[200];
	int rc, err, pending;

	snprintf(t->where, sizeof(t->where), "fail-nth %u", n);
	arg = walk_request(wk, &req, &v, segs, stats, &misc);
	if (tally_read(t, t->dev, &before) != 0 ||
	    (moves_bytes && sock_written(wk->rx.sock, &w0) != 0))
		return -1;
	if (failnth_arm(t, nth, n) != 0)
		return -1;
	rc = ioctl(t->dev, cmd, arg);
	err = errno;
	pending = failnth_disarm(t, nth);
	if (pending < 0)
		return -1;
	if (tally_read(t, t->dev, &now) != 0 ||
	    (moves_bytes && sock_written(wk->rx.sock, &w1) != 0))
		return -1;
	moved = w1 - w0;
	memset(&want, 0, sizeof(want));
	if (rc == 0) {
		if (c->kind == WALK_SEND) {
			sent = req.sent;
			tally_add_success(&want, &req);
		} else if (c->kind == WALK_SENDV) {
			memset(&req, 0, sizeof(req));
			sent = req.sent = v.sent;
			req.stats = v.stats;
			tally_add_success(&want, &req);
		}
		if (moved != sent)
			return fail(t, "success: sent says %llu, the connection took %llu",
				    (unsigned long long)sent,
				    (unsigned long long)moved);
		if (!tally_moved(&before, &now, &want)) {
			tally_describe(what, sizeof(what), &before, &now);
			return fail(t, "success with %llu bytes sent, but the counters moved by:%s",
				    (unsigned long long)sent, what);
		}
		wk->stream += sent;
		return pending ? 1 : 0;
	}
	if (pending)
		return fail(t, "%s with no fault injected (none reached)",
			    errno_name(err));
	if (!in_list(err, errs, ARRAY_SIZE(errs))) {
		errno = err;
		return fail_errno(t, "the injected fault gave an unexpected error");
	}
	if (!moved) {
		struct tally one;

		memset(&one, 0, sizeof(one));
		if (moves_bytes)
			tally_add_error(&one, c->method);
		if (tally_moved(&before, &now, &want) ||
		    (moves_bytes && tally_moved(&before, &now, &one)))
			return 0;
		tally_describe(what, sizeof(what), &before, &now);
		return fail(t, "%s with nothing sent, but the counters moved by:%s",
			    errno_name(err), what);
	}
	/*
	 * Bytes went and the call failed: only the copy of the results back
	 * to user space can do that (as sendfile(2) when it cannot store the
	 * offset).  Then the transfer happened and counts as one.
	 */
	want.global.v[C_TRANSFERS] = 1;
	want.global.v[C_BYTES] = moved;
	for (int i = C_ZC; i < C_ERRORS; i++)
		want.global.v[i] = now.global.v[i] - before.global.v[i];
	if (err != EFAULT || now.global.v[C_TRANSFERS] !=
	    before.global.v[C_TRANSFERS] + 1 ||
	    now.global.v[C_BYTES] != before.global.v[C_BYTES] + moved ||
	    now.global.v[C_ERRORS] != before.global.v[C_ERRORS] ||
	    now.open.v[C_BYTES] != before.open.v[C_BYTES] + moved) {
		tally_describe(what, sizeof(what), &before, &now);
		return fail(t, "%s after %llu bytes went; the counters moved by:%s",
			    errno_name(err), (unsigned long long)moved, what);
	}
	wk->efault_after_send++;
	wk->stream += moved;
	return 0;
}

static int failnth_walk(struct tctx *t, const void *arg)
{
	const struct walk_case *c = arg;
	struct walk wk;
	struct rx_spec spec;
	unsigned int n;
	int nth, rc = 0;

	memset(&wk, 0, sizeof(wk));
	wk.c = c;
	if (failnth_setup(t) != 0)
		return -1;
	if (c->kind == WALK_SEND || c->kind == WALK_SENDV) {
		wk.fd = tfile_open(t, &fs_list[c->fs], WALK_FSIZE, &wk.f);
		if (wk.fd < 0)
			return -1;
		wk.mem = malloc(WALK_FSIZE);
		if (!wk.mem)
			return fail(t, "out of memory");
		pattern_fill(wk.f.seed, 0, wk.mem, WALK_FSIZE);
		spec = (struct rx_spec){ wk.f.seed, 0, WALK_FSIZE };
		if (receiver_start(t, &wk.rx, AF_INET, RX_READ, &spec) != 0)
			return -1;
	}
	nth = failnth_open(t);
	if (nth < 0)
		return -1;
	for (n = 1; n <= WALK_MAX && rc == 0; n++)
		rc = walk_step(t, &wk, nth, n);
	if (rc < 0)
		return -1;
	t->where[0] = '\0';
	if (rc == 0)
		return fail(t, "still failing after %u fault sites", WALK_MAX);
	note("fail-nth: %u fault sites failed one by one, every one cleanly; %u of them EFAULT after the bytes went (results not copied out)",
	     n - 2, wk.efault_after_send);
	if (c->kind == WALK_SEND || c->kind == WALK_SENDV)
		return receiver_finish(t, &wk.rx, wk.stream);
	return 0;
}

/* ---------------------------------------------------------------- */

static const struct peer_case peer_cases[] = {
	{ RX_STOP_CLOSE, ZCOPY_METHOD_PAGES },
	{ RX_STOP_CLOSE, ZCOPY_METHOD_COPY },
	{ RX_STOP_RESET, ZCOPY_METHOD_PAGES },
	{ RX_STOP_RESET, ZCOPY_METHOD_SPLICE },
	{ RX_STOP_RESET, ZCOPY_METHOD_MMAP },
};

static const struct mut_case mut_cases[] = {
	{ MUT_TRUNCATE, ZCOPY_METHOD_PAGES, FS_TMPFS },
	{ MUT_TRUNCATE, ZCOPY_METHOD_COPY, FS_EXT4 },
	{ MUT_TRUNCATE, ZCOPY_METHOD_SPLICE, FS_TMPFS },
	{ MUT_TRUNCATE, ZCOPY_METHOD_MMAP, FS_EXT4 },
	{ MUT_TRUNCATE, ZCOPY_METHOD_DIRECT, FS_EXT4 },
	{ MUT_PUNCH, ZCOPY_METHOD_PAGES, FS_TMPFS },
	{ MUT_PUNCH, ZCOPY_METHOD_PAGES, FS_EXT4 },
	{ MUT_PUNCH, ZCOPY_METHOD_COPY, FS_TMPFS },
	{ MUT_PUNCH, ZCOPY_METHOD_SPLICE, FS_EXT4 },
	{ MUT_PUNCH, ZCOPY_METHOD_DIRECT, FS_EXT4 },
	{ MUT_CLOSE_IN, ZCOPY_METHOD_PAGES, FS_TMPFS },
	{ MUT_DUP2_OUT, ZCOPY_METHOD_COPY, FS_TMPFS },
	{ MUT_CLOSE_SENDV, ZCOPY_METHOD_SPLICE, FS_TMPFS },
};

static const char *const mut_names[] = {
	[MUT_TRUNCATE] = "truncate-mid",
	[MUT_PUNCH] = "punch-hole-mid",
	[MUT_CLOSE_IN] = "close-in-fd-mid",
	[MUT_DUP2_OUT] = "dup2-over-out-fd-mid",
	[MUT_CLOSE_SENDV] = "close-fds-mid-sendv",
};

static const unsigned int kill_methods[] = {
	ZCOPY_METHOD_PAGES, ZCOPY_METHOD_SPLICE,
};

static const struct eio_case eio_cases[] = {
	{ ZCOPY_METHOD_PAGES, false },
	{ ZCOPY_METHOD_COPY, false },
	{ ZCOPY_METHOD_DIRECT, false },
	{ ZCOPY_METHOD_SPLICE, false },
	{ ZCOPY_METHOD_MMAP, false },
	{ ZCOPY_METHOD_PAGES, true },
	{ ZCOPY_METHOD_COPY, true },
};

static const struct walk_case walk_cases[] = {
	{ WALK_INFO, 0, FS_TMPFS },
	{ WALK_COUNTERS, 0, FS_TMPFS },
	{ WALK_SEND, ZCOPY_METHOD_COPY, FS_TMPFS },
	{ WALK_SEND, ZCOPY_METHOD_MMAP, FS_TMPFS },
	{ WALK_SEND, ZCOPY_METHOD_SPLICE, FS_TMPFS },
	{ WALK_SEND, ZCOPY_METHOD_PAGES, FS_TMPFS },
	{ WALK_SEND, ZCOPY_METHOD_DIRECT, FS_EXT4 },
	{ WALK_SENDV, ZCOPY_METHOD_PAGES, FS_TMPFS },
	{ WALK_SENDV, ZCOPY_METHOD_COPY, FS_EXT4 },
};

static enum need method_need(unsigned int method)
{
	return method == ZCOPY_METHOD_DIRECT ? NEED_DIRECT : NEED_NOTHING;
}

static void add_runtime_stops(struct registry *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(rt_plans); i++) {
		for (size_t m = 0; m < ARRAY_SIZE(rt_methods); m++) {
			struct rt_case *c = xcalloc(1, sizeof(*c));

			c->plan = &rt_plans[i];
			c->method = rt_methods[m];
			reg_add(r, "faults", runtime_test, c, "%s-%s",
				rt_plans[i].name,
				method_desc[rt_methods[m]].name)->timeout_s =
				TIMEOUT_LONG_S;
		}
	}
}

void faults_register(struct registry *r)
{
	static const char *const walk_names[] = {
		[WALK_SEND] = "send", [WALK_SENDV] = "sendv",
		[WALK_INFO] = "info", [WALK_COUNTERS] = "counters",
	};
	struct test *tc;

	add_runtime_stops(r);
	for (size_t i = 0; i < ARRAY_SIZE(peer_cases); i++)
		reg_add(r, "faults", peer_gone, &peer_cases[i], "peer-%s-mid-%s",
			peer_cases[i].mode == RX_STOP_CLOSE ? "closes" : "resets",
			method_desc[peer_cases[i].method].name)->timeout_s =
			TIMEOUT_LONG_S;
	for (size_t i = 0; i < ARRAY_SIZE(mut_cases); i++) {
		const struct mut_case *c = &mut_cases[i];

		tc = reg_add(r, "faults", file_changes, c, "%s-%s-%s",
			     mut_names[c->kind], method_desc[c->method].name,
			     fs_list[c->fs].name);
		tc->timeout_s = TIMEOUT_LONG_S;
		tc->need = method_need(c->method);
	}
	for (size_t i = 0; i < ARRAY_SIZE(kill_methods); i++)
		reg_add(r, "faults", sigkill_blocked, &kill_methods[i],
			"sigkill-blocked-%s",
			method_desc[kill_methods[i]].name)->timeout_s =
			TIMEOUT_LONG_S;
	for (size_t i = 0; i < ARRAY_SIZE(eio_cases); i++) {
		const struct eio_case *c = &eio_cases[i];

		tc = reg_add(r, "faults", storage_eio, c, "eio-%s%s-ext4",
			     c->partial ? "partial-" : "",
			     method_desc[c->method].name);
		tc->need = method_need(c->method) | NEED_FAIL_REQUEST;
	}
	reg_add(r, "faults", many_threads, NULL, "threads-8x500")->timeout_s =
		TIMEOUT_LONG_S;
	for (size_t i = 0; i < ARRAY_SIZE(walk_cases); i++) {
		const struct walk_case *c = &walk_cases[i];

		if (c->kind == WALK_SEND || c->kind == WALK_SENDV)
			tc = reg_add(r, "faults", failnth_walk, c,
				     "fail-nth-%s-%s-%s", walk_names[c->kind],
				     method_desc[c->method].name,
				     fs_list[c->fs].name);
		else
			tc = reg_add(r, "faults", failnth_walk, c,
				     "fail-nth-%s", walk_names[c->kind]);
		tc->timeout_s = TIMEOUT_LONG_S;
		tc->need = method_need(c->method) | NEED_FAILNTH;
	}
}
