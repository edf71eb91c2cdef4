// SPDX-License-Identifier: GPL-2.0
/*
 * t_runtime.c - the run-time stops of the "faults" group: a connection that
 * is shut down, reset, full, non-blocking, timed out or interrupted.
 *
 * A failure with nothing sent must add exactly 1 to "errors" (global, the
 * method's, the open file's) and nothing else; a stop after some bytes is
 * a success with the partial count, counted as a transfer with 0 errors;
 * and the receiver must get exactly the bytes that were reported sent.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "zct.h"

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

void runtime_register(struct registry *r)
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
