// SPDX-License-Identifier: GPL-2.0
/*
 * receiver.c - the other end of every transfer: a forked process (a real
 * other process, as a server's client would be) that accepts one connection
 * on loopback, reads it, and reports through a pipe how many bytes came and
 * whether each one was the expected byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>

#include "zct.h"

#define RX_CHUNK (256 * 1024)
#define RX_WAIT_MS 30000	/* no progress for this long: give up */
#define RX_LIFETIME_S 600	/* last resort if the test and runner are gone */
#define RX_NO_MISMATCH UINT64_MAX

struct rx_report {
	uint64_t bytes;		/* bytes read before EOF */
	uint64_t bad_at;	/* stream position of the first wrong byte */
	int32_t err;		/* errno of a failed accept or read, or 0 */
	uint8_t got, want;	/* the first wrong byte and what was due */
	uint8_t pad[2];
};

/* The expected bytes at stream positions [pos, pos + len). */
static void expect_fill(const struct rx_spec *s, uint64_t pos,
			unsigned char *buf, size_t len)
{
	while (len) {
		uint64_t rel = s->span ? pos % s->span : pos;
		size_t n = len;

		if (s->span && n > s->span - rel)
			n = (size_t)(s->span - rel);
		pattern_fill(s->seed, s->base + rel, buf, n);
		buf += n;
		pos += n;
		len -= n;
	}
}

/* Given bytes; past their end a zero, which may match: the count will
 * not. */
static void expect_copy(const struct rx_more *m, uint64_t pos,
			unsigned char *buf, size_t len)
{
	memset(buf, 0, len);
	if (pos < m->nbytes)
		memcpy(buf, m->bytes + pos,
		       len < m->nbytes - pos ? len : (size_t)(m->nbytes - pos));
}

/* A punched range reads as zeroes: where those came, expect them. */
static void expect_hole(const struct rx_more *s, uint64_t pos,
			const unsigned char *got, unsigned char *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pos + i >= s->hole_start && pos + i < s->hole_end && !got[i])
			want[i] = 0;
}

static void rx_check(const struct rx_spec *s, const struct rx_more *m,
		     struct rx_report *rep, const unsigned char *got,
		     unsigned char *want, size_t n)
{
	/* After the first wrong byte only the count matters. */
	if (rep->bad_at == RX_NO_MISMATCH) {
		if (m->bytes)
			expect_copy(m, rep->bytes, want, n);
		else
			expect_fill(s, rep->bytes, want, n);
		if (m->hole_end > rep->bytes && m->hole_start < rep->bytes + n)
			expect_hole(m, rep->bytes, got, want, n);
		if (memcmp(got, want, n) != 0) {
			size_t i = 0;

			while (got[i] == want[i])
				i++;
			rep->bad_at = rep->bytes + i;
			rep->got = got[i];
			rep->want = want[i];
		}
	}
	rep->bytes += n;
}

static void rx_drain(int c, const struct rx_spec *s, const struct rx_more *m,
		     struct rx_report *rep)
{
	unsigned char *got = malloc(RX_CHUNK), *want = malloc(RX_CHUNK);

	if (!got || !want) {
		rep->err = ENOMEM;
		goto out;
	}
	if (set_sock_timeout(c, SO_RCVTIMEO, RX_WAIT_MS) != 0) {
		rep->err = errno;
		goto out;
	}
	for (;;) {
		size_t want_n = RX_CHUNK;
		ssize_t n;

		/* RX_STOP_*: read exactly stop_after bytes, then stop. */
		if (m->stop_after) {
			if (rep->bytes >= m->stop_after)
				break;
			if (m->stop_after - rep->bytes < want_n)
				want_n = (size_t)(m->stop_after - rep->bytes);
		}
		n = read(c, got, want_n);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rep->err = errno;
			break;
		}
		if (n == 0)
			break;
		rx_check(s, m, rep, got, want, (size_t)n);
	}
out:
	free(got);
	free(want);
}

static int rx_accept(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int rc;

	while ((rc = poll(&p, 1, RX_WAIT_MS)) < 0 && errno == EINTR)
		;
	if (rc == 0)
		errno = ETIMEDOUT;
	return rc > 0 ? accept4(lfd, NULL, NULL, SOCK_CLOEXEC) : -1;
}

/* A receiver forked while the test holds other sockets would keep them
 * open: closing the test's end would then send no FIN and another
 * receiver would wait forever for its EOF.  Keep 0-2 and what we use. */
static void close_other_fds(int a, int b, int c)
{
	int keep[3] = { a, b, c };
	unsigned int lo = 3;

	for (int i = 0; i < 3; i++)	/* sort the three */
		for (int j = i + 1; j < 3; j++)
			if (keep[j] < keep[i]) {
				int x = keep[i];

				keep[i] = keep[j];
				keep[j] = x;
			}
	for (int i = 0; i < 3; i++) {
		if ((unsigned int)keep[i] < lo)
			continue;
		if ((unsigned int)keep[i] > lo)
			close_range(lo, (unsigned int)keep[i] - 1, 0);
		lo = (unsigned int)keep[i] + 1;
	}
	close_range(lo, ~0U, 0);
}

static void __attribute__((noreturn))
rx_child(int lfd, enum rx_mode mode, const struct rx_spec *spec,
	 const struct rx_more *more, int ctl, int report)
{
	struct rx_report rep = { .bad_at = RX_NO_MISMATCH };
	int c;
	char go;

	close_other_fds(lfd, ctl, report);
	/* The test may use SIGUSR1 timers; they are not inherited, but the
	 * default action of a stray signal would kill us without a report. */
	signal(SIGUSR1, SIG_IGN);
	alarm(RX_LIFETIME_S);
	c = rx_accept(lfd);
	close(lfd);
	if (c < 0) {
		rep.err = errno;
	} else if (mode == RX_RESET || mode == RX_STOP_RESET) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		if (mode == RX_STOP_RESET)
			rx_drain(c, spec, more, &rep);
		if (setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) != 0)
			rep.err = errno;
		close(c);
	} else {
		/* Held: wait for the release byte, or EOF if the test died. */
		if (mode == RX_HOLD && read_full(ctl, &go, 1) < 0)
			rep.err = errno;
		if (!rep.err)
			rx_drain(c, spec, more, &rep);
		close(c);
	}
	write_full(report, &rep, sizeof(rep));
	_exit(0);
}

/*
 * A listener inside the network namespace more->netns.  A socket belongs
 * to the namespace it was created in, whoever uses it later: so the test
 * process enters the namespace just for socket() and comes back, and the
 * receiver child forked next accepts and reads in the namespace.
 */
static int netns_listener(struct tctx *t, const struct rx_more *more,
			  struct sockaddr_storage *addr, socklen_t *alen)
{
	struct sockaddr_in *a = (struct sockaddr_in *)addr;
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int ns = open(more->netns, O_RDONLY | O_CLOEXEC);
	int lfd = -1, back;

	memset(addr, 0, sizeof(*addr));
	a->sin_family = AF_INET;
	*alen = sizeof(*a);
	if (self < 0 || ns < 0 || inet_pton(AF_INET, more->addr,
					    &a->sin_addr) != 1) {
		fail_errno(t, "receiver: open %s, or address %s", more->netns,
			   more->addr);
	} else if (setns(ns, CLONE_NEWNET) != 0) {
		fail_errno(t, "receiver: setns %s", more->netns);
	} else {
		lfd = listener_at(addr, alen);
		if (lfd < 0)
			fail_errno(t, "receiver: listen on %s in %s",
				   more->addr, more->netns);
		back = setns(self, CLONE_NEWNET);
		if (back != 0) {
			fail_errno(t, "receiver: setns back from %s",
				   more->netns);
			close(lfd);
			lfd = -1;
		}
	}
	if (self >= 0)
		close(self);
	if (ns >= 0)
		close(ns);
	return lfd;
}

int receiver_start(struct tctx *t, struct receiver *r, int family,
		   enum rx_mode mode, const struct rx_spec *spec)
{
	static const struct rx_more none;

	return receiver_start_ex(t, r, family, mode, spec, &none);
}

int receiver_start_ex(struct tctx *t, struct receiver *r, int family,
		      enum rx_mode mode, const struct rx_spec *spec,
		      const struct rx_more *more)
{
	struct sockaddr_storage addr;
	socklen_t alen;
	int ctl[2], rep[2], lfd;

	memset(r, 0, sizeof(*r));
	r->sock = r->ctl = r->report = -1;
	if (more->netns) {
		lfd = netns_listener(t, more, &addr, &alen);
		if (lfd < 0)
			return -1;
	} else {
		lfd = loopback_listener(family, &addr, &alen);
		if (lfd < 0)
			return fail_errno(t, "receiver: listen on %s loopback",
					  family == AF_INET6 ? "IPv6" : "IPv4");
	}
	if (pipe2(ctl, O_CLOEXEC) != 0)
		return fail_errno(t, "receiver: pipe");
	if (pipe2(rep, O_CLOEXEC) != 0)
		return fail_errno(t, "receiver: pipe");
	r->pid = fork();
	if (r->pid < 0)
		return fail_errno(t, "receiver: fork");
	if (r->pid == 0)
		rx_child(lfd, mode, spec, more, ctl[0], rep[1]);
	close(ctl[0]);
	close(rep[1]);
	r->ctl = ctl[1];
	r->held = mode == RX_HOLD;
	r->report = rep[0];
	r->sock = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r->sock < 0)
		return fail_errno(t, "receiver: socket");
	/*
	 * The backlog completes the handshake before the child accepts.  A
	 * child that resets right away may do so before connect() returns
	 * (seen on a stock SMP kernel): the socket is then already in the
	 * state the test waits for.
	 */
	r->refused = false;
	if (connect(r->sock, (struct sockaddr *)&addr, alen) != 0) {
		if (!(mode == RX_RESET && errno == ECONNRESET))
			return fail_errno(t, "receiver: connect");
		r->refused = true;
	}
	close(lfd);
	if (set_sock_timeout(r->sock, SO_SNDTIMEO, SEND_TIMEOUT_MS) != 0)
		return fail_errno(t, "receiver: SO_SNDTIMEO");
	return 0;
}

int receiver_release(struct tctx *t, struct receiver *r)
{
	/* Only a held receiver reads ctl; the others may be gone already. */
	if (r->held && write_full(r->ctl, "g", 1) != 0)
		return fail_errno(t, "receiver: release");
	r->held = false;
	return 0;
}

static int receiver_end(struct tctx *t, struct receiver *r,
			struct rx_report *out)
{
	struct rx_report rep;
	ssize_t n;
	int status = 0;

	/* FIN after the queued data; a held receiver must read to see it. */
	if (r->sock >= 0) {
		close(r->sock);
		r->sock = -1;
	}
	if (receiver_release(t, r) != 0)
		return -1;
	close(r->ctl);
	r->ctl = -1;
	n = read_full(r->report, &rep, sizeof(rep));
	close(r->report);
	r->report = -1;
	while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(rep))
		return fail(t, "receiver died without a report (wait status 0x%x)",
			    status);
	if (rep.err) {
		errno = rep.err;
		return fail_errno(t, "receiver failed after %llu bytes",
				  (unsigned long long)rep.bytes);
	}
	if (rep.bad_at != RX_NO_MISMATCH)
		return fail(t, "received content differs at stream byte %llu (of %llu): got 0x%02x, expected 0x%02x",
			    (unsigned long long)rep.bad_at,
			    (unsigned long long)rep.bytes, rep.got, rep.want);
	*out = rep;
	return 0;
}

int receiver_collect(struct tctx *t, struct receiver *r, uint64_t *got)
{
	struct rx_report rep;

	if (receiver_end(t, r, &rep) != 0)
		return -1;
	*got = rep.bytes;
	return 0;
}

int receiver_finish(struct tctx *t, struct receiver *r, uint64_t want_bytes)
{
	struct rx_report rep;

	if (receiver_end(t, r, &rep) != 0)
		return -1;
	if (rep.bytes != want_bytes)
		return fail(t, "receiver got %llu bytes, expected %llu",
			    (unsigned long long)rep.bytes,
			    (unsigned long long)want_bytes);
	return 0;
}
