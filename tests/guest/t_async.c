// SPDX-License-Identifier: GPL-2.0
/*
 * t_async.c - the "async" group: ZCOPY_IOC_SUBMIT, completion records by
 * read(2) and poll(2), ZCOPY_IOC_CANCEL, close, exit and SIGKILL with
 * operations in flight, and ZCOPY_F_NOTIFY_RELEASE.  Both ends of every
 * connection are this process's: operations run on kernel workers, so the
 * test reads the peer while they go.  Every byte received is compared with
 * the file ranges (and memory segments) the records say went, in
 * submission order.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "inject.h"
#include "libzcopy.h"
#include "zct.h"

#define PUMP_TIMEOUT_MS 60000
#define MANY_SOCKS 64
#define MANY_OPS 16
#define SMALL_SNDBUF (32 * 1024)

/* ---------------------------------------------------------------- */
/* Connections whose both ends are ours, and reading them            */

struct apair {
	int snd, rcv;
};

/* A loopback connection; the receiving end non-blocking.  @sndbuf: 0 or
 * SO_SNDBUF of the sending end. */
static int apair_open(struct tctx *t, struct apair *p, int sndbuf)
{
	struct sockaddr_storage addr;
	socklen_t alen;
	int lfd = loopback_listener(AF_INET, &addr, &alen);

	p->snd = p->rcv = -1;
	if (lfd < 0)
		return fail_errno(t, "listen");
	p->snd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->snd < 0 ||
	    (sndbuf && setsockopt(p->snd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				  sizeof(sndbuf))) ||
	    connect(p->snd, (struct sockaddr *)&addr, alen) != 0) {
		close(lfd);
		return fail_errno(t, "connect");
	}
	p->rcv = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	close(lfd);
	if (p->rcv < 0)
		return fail_errno(t, "accept");
	return 0;
}

static void apair_close(struct apair *p)
{
	if (p->snd >= 0)
		close(p->snd);
	if (p->rcv >= 0)
		close(p->rcv);
	p->snd = p->rcv = -1;
}

/* What one connection received, up to @cap bytes (more is an error). */
struct sink {
	int fd;
	unsigned char *buf;
	size_t cap, got;
	bool eof;
};

/* Read what @s has now; -1 after fail(). */
static int sink_read(struct tctx *t, struct sink *s)
{
	unsigned char spill[4096];

	if (s->got > s->cap)
		return fail(t, "the peer got %zu bytes, more than the %zu that went",
			    s->got, s->cap);
	while (!s->eof) {
		size_t room = s->cap - s->got;
		ssize_t n = read(s->fd, room ? s->buf + s->got : spill,
				 room ? room : sizeof(spill));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return fail_errno(t, "read the peer");
		if (!n) {
			s->eof = true;
			break;
		}
		if (!room)
			return fail(t, "the peer got more than the %zu bytes that can have gone",
				    s->cap);
		s->got += n;
	}
	return 0;
}

/* What pump() waits for, besides its records. */
enum until {
	UNTIL_FULL,	/* every sink holds its cap bytes */
	UNTIL_EOF,	/* every sink has seen EOF */
	UNTIL_RECORDS,	/* nothing more: the sinks are only read */
};

/*
 * Read the sinks and reap records into @rec until @want records are in
 * and the sinks are as @until says, or the deadline.
 */
static int pump(struct tctx *t, int dev, struct sink *s, unsigned int ns,
		struct zcopy_completion *rec, unsigned int want,
		unsigned int *nrec, enum until until)
{
	uint64_t end = now_ms() + PUMP_TIMEOUT_MS;

	for (;;) {
		bool done = *nrec >= want;
		int n;

		for (unsigned int i = 0; i < ns; i++) {
			if (sink_read(t, &s[i]) != 0)
				return -1;
			if (until == UNTIL_FULL)
				done = done && s[i].got == s[i].cap;
			else if (until == UNTIL_EOF)
				done = done && s[i].eof;
		}
		if (done)
			return 0;
		if (now_ms() > end)
			return fail(t, "%u of %u records and not every byte after %d ms",
				    *nrec, want, PUMP_TIMEOUT_MS);
		n = *nrec < want ? zcopy_reap(dev, rec + *nrec, want - *nrec, 5) :
		    (sleep_ms(5), 0);
		if (n < 0)
			return fail_errno(t, "reap");
		*nrec += n;
	}
}

/* The record of @user_data among @n; NULL after fail(). */
static const struct zcopy_completion *
find_rec(struct tctx *t, const struct zcopy_completion *rec, unsigned int n,
	 uint64_t user_data, bool release)
{
	const struct zcopy_completion *found = NULL;

	for (unsigned int i = 0; i < n; i++) {
		if (rec[i].user_data != user_data ||
		    !!(rec[i].flags & ZCOPY_CQE_RELEASE) != release)
			continue;
		if (found) {
			fail(t, "two records for operation %llu",
			     (unsigned long long)user_data);
			return NULL;
		}
		found = &rec[i];
	}
	if (!found)
		fail(t, "no %srecord for operation %llu", release ? "release " : "",
		     (unsigned long long)user_data);
	return found;
}

static int check_bytes(struct tctx *t, const char *what,
		       const unsigned char *got, const unsigned char *want,
		       size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (got[i] != want[i])
			return fail(t, "%s: byte %zu of %zu differs", what, i, len);
	return 0;
}

static int module_refcnt(struct tctx *t, long *v)
{
	FILE *f = fopen("/sys/module/zcopy/refcnt", "r");
	int ok = f && fscanf(f, "%ld", v) == 1;

	if (f)
		fclose(f);
	return ok ? 0 : fail_errno(t, "read /sys/module/zcopy/refcnt");
}

/* The module's references come back to @want (what the test holds). */
static int refcnt_settles(struct tctx *t, long want)
{
	uint64_t end = now_ms() + 10000;
	long v;

	do {
		if (module_refcnt(t, &v) != 0)
			return -1;
		if (v == want)
			return 0;
		sleep_ms(20);
	} while (now_ms() < end);
	return fail(t, "the module still holds %ld references, not %ld: an operation or its context was not released",
		    v, want);
}

/* ---------------------------------------------------------------- */
/* Operations and the streams they make                              */

/* One operation as built: its argument and what it puts on the stream. */
struct aop {
	struct zcopy_op op;
	struct zcopy_send send;
	struct zcopy_sendv sendv;
	struct zcopy_segment seg[3];
	unsigned char head[256], tail[64];
	uint64_t file_off, file_len;	/* the file range */
	size_t head_len, tail_len;	/* SENDV's memory segments */
};

static void aop_send(struct aop *a, uint64_t user_data, int in, int out,
		     uint32_t method, uint32_t flags, uint64_t off, uint64_t len)
{
	memset(a, 0, sizeof(*a));
	send_req(&a->send, in, out, method, off, len);
	a->send.flags = flags;
	a->op = (struct zcopy_op){ .opcode = ZCOPY_OP_SEND,
				   .user_data = user_data,
				   .arg = (uintptr_t)&a->send };
	a->file_off = off;
	a->file_len = len;
}

/* Header, file range, trailer (0: none). */
static void aop_sendv(struct aop *a, uint64_t user_data, int in, int out,
		      uint64_t off, uint64_t len, size_t head, size_t tail)
{
	uint32_t n = 0;

	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < head; i++)
		a->head[i] = (unsigned char)(user_data * 7 + i);
	for (size_t i = 0; i < tail; i++)
		a->tail[i] = (unsigned char)(user_data * 13 + i * 3);
	a->seg[n++] = (struct zcopy_segment){
		.type = ZCOPY_SEG_MEMORY, .addr = (uintptr_t)a->head, .len = head };
	a->seg[n++] = (struct zcopy_segment){
		.type = ZCOPY_SEG_FILE, .fd = in, .offset = off, .len = len };
	if (tail)
		a->seg[n++] = (struct zcopy_segment){
			.type = ZCOPY_SEG_MEMORY, .addr = (uintptr_t)a->tail,
			.len = tail };
	a->sendv = (struct zcopy_sendv){ .size = sizeof(a->sendv), .out_fd = out,
					 .segs = (uintptr_t)a->seg, .count = n };
	a->op = (struct zcopy_op){ .opcode = ZCOPY_OP_SENDV,
				   .user_data = user_data,
				   .arg = (uintptr_t)&a->sendv };
	a->file_off = off;
	a->file_len = len;
	a->head_len = head;
	a->tail_len = tail;
}

static uint64_t aop_len(const struct aop *a)
{
	return a->head_len + a->file_len + a->tail_len;
}

/* The first @n bytes @a puts on the stream, at @out. */
static void aop_bytes(const struct aop *a, const struct tfile *f,
		      unsigned char *out, uint64_t n)
{
	uint64_t k;

	k = n < a->head_len ? n : a->head_len;
	memcpy(out, a->head, k);
	out += k;
	n -= k;
	k = n < a->file_len ? n : a->file_len;
	pattern_fill(f->seed, a->file_off, out, k);
	out += k;
	n -= k;
	memcpy(out, a->tail, n < a->tail_len ? n : a->tail_len);
}

/*
 * The stream of @ops (one socket's, in submission order) as their records
 * say they went: each one's first rec->sent bytes.  Checks each record:
 * result 0 with every byte, or with @partial_ok, -ECANCELED or a stop with
 * fewer.  Returns the stream's length, or -1 after fail().
 */
static int64_t expected_stream(struct tctx *t, const struct aop *ops,
			       unsigned int n, const struct zcopy_completion *rec,
			       unsigned int nrec, const struct tfile *f,
			       unsigned char *out, bool partial_ok)
{
	uint64_t len = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct zcopy_completion *r =
			find_rec(t, rec, nrec, ops[i].op.user_data, false);

		if (!r)
			return -1;
		if (r->sent > aop_len(&ops[i]))
			return fail(t, "operation %llu: sent %llu of %llu",
				    (unsigned long long)r->user_data,
				    (unsigned long long)r->sent,
				    (unsigned long long)aop_len(&ops[i]));
		if (!partial_ok && (r->result || r->sent != aop_len(&ops[i])))
			return fail(t, "operation %llu: result %s, sent %llu of %llu",
				    (unsigned long long)r->user_data,
				    errno_name(-r->result),
				    (unsigned long long)r->sent,
				    (unsigned long long)aop_len(&ops[i]));
		if (r->result && r->result != -ECANCELED)
			return fail(t, "operation %llu: result %s",
				    (unsigned long long)r->user_data,
				    errno_name(-r->result));
		aop_bytes(&ops[i], f, out + len, r->sent);
		len += r->sent;
	}
	return (int64_t)len;
}

static int submit_all(struct tctx *t, int dev, struct zcopy_op *ops,
		      unsigned int n)
{
	int rc = zcopy_submit(dev, ops, n);

	if (rc < 0)
		return fail_errno(t, "submit %u operations", n);
	if ((unsigned int)rc != n)
		return fail(t, "submit took %d of %u operations", rc, n);
	return 0;
}

/* ---------------------------------------------------------------- */
/* 64 sockets x 16 operations                                        */

static int many_sockets_test(struct tctx *t, const void *arg)
{
	const unsigned int nops = MANY_SOCKS * MANY_OPS;
	struct apair pair[MANY_SOCKS];
	struct sink sink[MANY_SOCKS];
	unsigned char *want[MANY_SOCKS] = { 0 };
	struct zcopy_completion *rec = calloc(nops, sizeof(*rec));
	struct aop *a = calloc(nops, sizeof(*a));
	struct zcopy_op *ops = calloc(nops, sizeof(*ops));
	struct ctrs before, after;
	unsigned int seed = 15, nrec = 0;
	uint64_t total = 0;
	struct tfile f;
	int fd, rc = -1;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], MIB, &f);
	if (fd < 0 || !rec || !a || !ops)
		return fd < 0 ? -1 : fail_errno(t, "calloc");
	for (unsigned int s = 0; s < MANY_SOCKS; s++)
		pair[s].snd = pair[s].rcv = -1;
	for (unsigned int s = 0; s < MANY_SOCKS; s++)
		if (apair_open(t, &pair[s], 0) != 0)
			goto out;
	/* Operation k of socket s at k * 64 + s: the sockets interleave. */
	for (unsigned int k = 0; k < MANY_OPS; k++) {
		for (unsigned int s = 0; s < MANY_SOCKS; s++) {
			unsigned int i = k * MANY_SOCKS + s;
			uint64_t len = 1 + rand_r(&seed) % (16 * KIB);
			uint64_t off = rand_r(&seed) % (f.size - len);

			if (rand_r(&seed) % 2)
				aop_send(&a[i], i, fd, pair[s].snd,
					 ZCOPY_METHOD_AUTO, 0, off, len);
			else
				aop_sendv(&a[i], i, fd, pair[s].snd, off, len,
					  1 + rand_r(&seed) % 200,
					  rand_r(&seed) % 64);
			ops[i] = a[i].op;
		}
	}
	for (unsigned int s = 0; s < MANY_SOCKS; s++) {
		size_t cap = 0;

		for (unsigned int k = 0; k < MANY_OPS; k++)
			cap += aop_len(&a[k * MANY_SOCKS + s]);
		want[s] = malloc(cap);
		sink[s] = (struct sink){ .fd = pair[s].rcv, .buf = malloc(cap),
					 .cap = cap };
		if (!want[s] || !sink[s].buf) {
			fail_errno(t, "malloc");
			goto out;
		}
		total += cap;
	}
	if (counters_read_open(t, t->dev, &before) != 0 ||
	    submit_all(t, t->dev, ops, nops) != 0 ||
	    pump(t, t->dev, sink, MANY_SOCKS, rec, nops, &nrec, UNTIL_FULL) != 0)
		goto out;
	for (unsigned int s = 0; s < MANY_SOCKS; s++) {
		struct aop mine[MANY_OPS];
		int64_t len;

		for (unsigned int k = 0; k < MANY_OPS; k++)
			mine[k] = a[k * MANY_SOCKS + s];
		snprintf(t->where, sizeof(t->where), "socket %u", s);
		len = expected_stream(t, mine, MANY_OPS, rec, nrec, &f, want[s],
				      false);
		if (len < 0 || check_bytes(t, "stream", sink[s].buf, want[s],
					   sink[s].got) != 0)
			goto out;
	}
	t->where[0] = 0;
	/* Each record's statistics: file bytes lent, memory bytes copied. */
	for (unsigned int i = 0; i < nops; i++) {
		const struct zcopy_completion *r = &rec[i];
		const struct aop *o = &a[r->user_data];

		if (r->stats.method != ZCOPY_METHOD_PAGES ||
		    r->stats.zc_bytes != o->file_len ||
		    r->stats.copied_bytes != o->head_len + o->tail_len ||
		    r->seg_index != (o->op.opcode == ZCOPY_OP_SENDV ?
				     o->sendv.count : 0)) {
			fail(t, "operation %llu: method %u, zc %llu, copied %llu, seg_index %u; want PAGES, %llu, %llu",
			     (unsigned long long)r->user_data, r->stats.method,
			     (unsigned long long)r->stats.zc_bytes,
			     (unsigned long long)r->stats.copied_bytes,
			     r->seg_index, (unsigned long long)o->file_len,
			     (unsigned long long)(o->head_len + o->tail_len));
			goto out;
		}
	}
	if (counters_read_open(t, t->dev, &after) != 0)
		goto out;
	if (after.v[C_TRANSFERS] - before.v[C_TRANSFERS] != nops ||
	    after.v[C_BYTES] - before.v[C_BYTES] != total ||
	    after.v[C_ERRORS] != before.v[C_ERRORS]) {
		fail(t, "counters moved by %llu transfers, %llu bytes, %llu errors; want %u, %llu, 0",
		     (unsigned long long)(after.v[C_TRANSFERS] - before.v[C_TRANSFERS]),
		     (unsigned long long)(after.v[C_BYTES] - before.v[C_BYTES]),
		     (unsigned long long)(after.v[C_ERRORS] - before.v[C_ERRORS]),
		     nops, (unsigned long long)total);
		goto out;
	}
	rc = 0;
out:
	for (unsigned int s = 0; s < MANY_SOCKS; s++) {
		apair_close(&pair[s]);
		free(want[s]);
		if (want[s])
			free(sink[s].buf);
	}
	free(rec);
	free(a);
	free(ops);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Bad operations among good ones                                    */

static int bad_mixed_test(struct tctx *t, const void *arg)
{
	enum { NOPS = 12 };
	struct aop a[NOPS];
	struct zcopy_op ops[NOPS];
	struct zcopy_completion rec[NOPS];
	static const int want_err[NOPS] = {
		0, EINVAL, EBADF, EINVAL, EINVAL, EINVAL, 0, EINVAL, EFAULT,
		ENOTSOCK, EINVAL, 0,
	};
	unsigned char want[3 * 8 * KIB + 512];
	struct aop good[3];
	struct ctrs before, after;
	struct apair p = { -1, -1 };
	struct sink s = { 0 };
	unsigned int nrec = 0, ngood = 0;
	struct tfile f;
	int fd, devnull, rc = -1;
	int64_t len;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], 64 * KIB, &f);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || devnull < 0 || apair_open(t, &p, 0) != 0)
		return fd < 0 ? -1 : fail_errno(t, "open /dev/null");
	aop_send(&a[0], 0, fd, p.snd, ZCOPY_METHOD_AUTO, 0, 100, 8 * KIB);
	aop_send(&a[1], 1, fd, p.snd, ZCOPY_METHOD_AUTO, 0, 0, 10);
	a[1].op.opcode = 7;				/* unknown opcode */
	aop_send(&a[2], 2, -1, p.snd, ZCOPY_METHOD_AUTO, 0, 0, 10);
	aop_send(&a[3], 3, fd, p.snd, ZCOPY_METHOD_AUTO, 0, 0, 10);
	a[3].op.reserved0 = 1;
	aop_send(&a[4], 4, fd, p.snd, ZCOPY_METHOD_AUTO, 0,
		 ZCOPY_OFFSET_CURRENT, 10);		/* the file position */
	aop_sendv(&a[5], 5, fd, p.snd, 0, 10, 10, 0);
	a[5].sendv.seg_stats = (uintptr_t)rec;		/* seg_stats */
	aop_sendv(&a[6], 6, fd, p.snd, 5000, 8 * KIB, 200, 33);
	aop_send(&a[7], 7, fd, p.snd, ZCOPY_METHOD_AUTO, 1U << 30, 0, 10);
	aop_send(&a[8], 8, fd, p.snd, ZCOPY_METHOD_AUTO, 0, 0, 10);
	a[8].op.arg = 8;				/* unreadable */
	aop_send(&a[9], 9, fd, devnull, ZCOPY_METHOD_AUTO, 0, 0, 10);
	aop_send(&a[10], 10, fd, p.snd, ZCOPY_METHOD_COPY,
		 ZCOPY_F_NOTIFY_RELEASE, 0, 10);	/* not PAGES */
	aop_send(&a[11], 11, fd, p.snd, ZCOPY_METHOD_PAGES, 0, 50000, 8 * KIB);
	for (unsigned int i = 0; i < NOPS; i++) {
		ops[i] = a[i].op;
		if (!want_err[i])
			good[ngood++] = a[i];
	}
	s = (struct sink){ .fd = p.rcv, .buf = malloc(sizeof(want)),
			   .cap = aop_len(&good[0]) + aop_len(&good[1]) +
				  aop_len(&good[2]) };
	if (!s.buf || counters_read_open(t, t->dev, &before) != 0 ||
	    submit_all(t, t->dev, ops, NOPS) != 0 ||
	    pump(t, t->dev, &s, 1, rec, NOPS, &nrec, UNTIL_FULL) != 0)
		goto out;
	for (unsigned int i = 0; i < NOPS; i++) {
		const struct zcopy_completion *r = find_rec(t, rec, nrec, i, false);

		if (!r)
			goto out;
		if (want_err[i] && (r->result != -want_err[i] || r->sent)) {
			fail(t, "operation %u: result %s, sent %llu; want %s, 0", i,
			     errno_name(-r->result), (unsigned long long)r->sent,
			     errno_name(want_err[i]));
			goto out;
		}
	}
	len = expected_stream(t, good, ngood, rec, nrec, &f, want, false);
	if (len < 0 || check_bytes(t, "stream", s.buf, want, s.got) != 0 ||
	    counters_read_open(t, t->dev, &after) != 0)
		goto out;
	/* Refusals move nothing: the three good ones only. */
	if (after.v[C_TRANSFERS] - before.v[C_TRANSFERS] != ngood ||
	    after.v[C_BYTES] - before.v[C_BYTES] != (uint64_t)len ||
	    after.v[C_ERRORS] != before.v[C_ERRORS]) {
		fail(t, "counters moved by %llu transfers, %llu errors; want %u, 0",
		     (unsigned long long)(after.v[C_TRANSFERS] - before.v[C_TRANSFERS]),
		     (unsigned long long)(after.v[C_ERRORS] - before.v[C_ERRORS]),
		     ngood);
		goto out;
	}
	rc = 0;
out:
	free(s.buf);
	close(devnull);
	apair_close(&p);
	return rc;
}

/* The submission's own errors, and an array that ends in unmapped memory. */
static int submit_errors_test(struct tctx *t, const void *arg)
{
	struct zcopy_submit req = { .size = sizeof(req) };
	struct zcopy_completion rec;
	long page = sysconf(_SC_PAGESIZE);
	struct zcopy_op *ops;
	struct apair p = { -1, -1 };
	struct sink s = { 0 };
	unsigned int nrec = 0;
	unsigned char want[100];
	struct tfile f;
	int fd, rc = -1;
	char *map;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], 4 * KIB, &f);
	if (fd < 0 || apair_open(t, &p, 0) != 0)
		return -1;
	if (expect_errno(t, "count 0", ioctl(t->dev, ZCOPY_IOC_SUBMIT, &req),
			 EINVAL) != 0)
		goto out;
	req.count = ZCOPY_SUBMIT_MAX_OPS + 1;
	if (expect_errno(t, "count above the most",
			 ioctl(t->dev, ZCOPY_IOC_SUBMIT, &req), EINVAL) != 0)
		goto out;
	req.count = 1;
	req.flags = 1;
	if (expect_errno(t, "flags", ioctl(t->dev, ZCOPY_IOC_SUBMIT, &req),
			 EINVAL) != 0)
		goto out;
	req.flags = 0;
	/* A release record needs an operation: the synchronous call refuses. */
	struct zcopy_send sync;

	send_req(&sync, fd, p.snd, ZCOPY_METHOD_PAGES, 0, 10);
	sync.flags = ZCOPY_F_NOTIFY_RELEASE;
	if (expect_errno(t, "SEND with ZCOPY_F_NOTIFY_RELEASE",
			 ioctl(t->dev, ZCOPY_IOC_SEND, &sync), EINVAL) != 0)
		goto out;
	req.ops = 8;
	if (expect_errno(t, "unreadable ops",
			 ioctl(t->dev, ZCOPY_IOC_SUBMIT, &req), EFAULT) != 0)
		goto out;
	/* Two operations, the second across the end of the mapping: one. */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || munmap(map + page, page) != 0) {
		fail_errno(t, "mmap");
		goto out;
	}
	ops = (struct zcopy_op *)(map + page) - 1;
	struct aop a;

	aop_send(&a, 42, fd, p.snd, ZCOPY_METHOD_AUTO, 0, 7, sizeof(want));
	ops[0] = a.op;
	req.ops = (uintptr_t)ops;
	req.count = 2;
	rc = ioctl(t->dev, ZCOPY_IOC_SUBMIT, &req);
	munmap(map, page);
	if (rc != 1 || req.accepted != 1) {
		rc = fail(t, "the second operation unreadable: returned %d (%s), accepted %u; want 1, 1",
			  rc, rc < 0 ? errno_name(errno) : "-", req.accepted);
		goto out;
	}
	rc = -1;
	s = (struct sink){ .fd = p.rcv, .buf = malloc(sizeof(want)),
			   .cap = sizeof(want) };
	if (!s.buf || pump(t, t->dev, &s, 1, &rec, 1, &nrec, UNTIL_FULL) != 0 ||
	    expected_stream(t, &a, 1, &rec, nrec, &f, want, false) < 0 ||
	    check_bytes(t, "stream", s.buf, want, s.got) != 0)
		goto out;
	/* Nothing in flight, nothing waiting: read returns 0, poll nothing. */
	struct pollfd pfd = { .fd = t->dev, .events = POLLIN };

	if (read(t->dev, &rec, sizeof(rec)) != 0 || poll(&pfd, 1, 0) != 0) {
		fail(t, "an idle open file: read or poll said something");
		goto out;
	}
	if (expect_errno(t, "read into less than a record",
			 (int)read(t->dev, &rec, sizeof(rec) - 1), EINVAL) != 0)
		goto out;
	rc = 0;
out:
	free(s.buf);
	apair_close(&p);
	return rc;
}

/*
 * The open file holds ZCOPY_ASYNC_MAX_RECORDS records: one-byte operations
 * whose records nobody reads are taken up to exactly that many, then the
 * submission stops (EAGAIN when it takes none) with nothing sent for the
 * rest; once the records are read, it takes operations again.  A
 * non-blocking read with nothing waiting is EAGAIN, and CANCEL's own
 * fields are checked.
 */
static int limits_test(struct tctx *t, const void *arg)
{
	enum { BATCH = ZCOPY_SUBMIT_MAX_OPS };
	struct aop *a = calloc(BATCH, sizeof(*a));
	struct zcopy_op *ops = calloc(BATCH, sizeof(*ops));
	struct zcopy_completion *rec = calloc(ZCOPY_ASYNC_MAX_RECORDS, sizeof(*rec));
	unsigned char want[ZCOPY_ASYNC_MAX_RECORDS + 1];
	struct zcopy_cancel bad = { .size = sizeof(bad) };
	struct apair p = { -1, -1 }, stalled = { -1, -1 };
	struct sink s = { 0 };
	unsigned int taken = 0, nrec = 0;
	struct tfile f, fb;
	int fd, big, rc = -1, n, fl;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], 64 * KIB, &f);
	if (fd < 0 || !a || !ops || !rec || apair_open(t, &p, 0) != 0 ||
	    apair_open(t, &stalled, SMALL_SNDBUF) != 0)
		goto out;
	bad.flags = 2;
	if (expect_errno(t, "CANCEL with an unknown flag",
			 ioctl(t->dev, ZCOPY_IOC_CANCEL, &bad), EINVAL) != 0)
		goto out;
	bad.flags = 0;
	bad.reserved0 = 1;
	if (expect_errno(t, "CANCEL with reserved0",
			 ioctl(t->dev, ZCOPY_IOC_CANCEL, &bad), EINVAL) != 0)
		goto out;
	/* Byte k of the stream is byte k of the file: offset k, one byte. */
	for (int round = 0; round < 5; round++) {
		for (unsigned int i = 0; i < BATCH; i++) {
			aop_send(&a[i], taken + i, fd, p.snd, ZCOPY_METHOD_AUTO, 0,
				 taken + i, 1);
			ops[i] = a[i].op;
		}
		n = zcopy_submit(t->dev, ops, BATCH);
		if (round < 4 ? n != BATCH : n != -1 || errno != EAGAIN) {
			fail(t, "round %d: submit returned %d (%s) with %u taken before",
			     round, n, n < 0 ? errno_name(errno) : "-", taken);
			goto out;
		}
		taken += n > 0 ? n : 0;
	}
	s = (struct sink){ .fd = p.rcv, .buf = malloc(taken), .cap = taken };
	if (!s.buf || pump(t, t->dev, &s, 1, rec, taken, &nrec, UNTIL_FULL) != 0)
		goto out;
	pattern_fill(f.seed, 0, want, taken);
	if (check_bytes(t, "stream", s.buf, want, taken) != 0)
		goto out;
	for (unsigned int i = 0; i < nrec; i++) {
		if (rec[i].result || rec[i].sent != 1) {
			fail(t, "record %u: %s, %llu sent", i,
			     errno_name(-rec[i].result),
			     (unsigned long long)rec[i].sent);
			goto out;
		}
	}
	/* Read: room again.  An operation that waits, and a read that won't. */
	big = tfile_open(t, &fs_list[FS_TMPFS], 4 * MIB, &fb);
	if (big < 0)
		goto out;
	aop_send(&a[0], 1, big, stalled.snd, ZCOPY_METHOD_AUTO, 0, 0, 4 * MIB);
	fl = fcntl(t->dev, F_GETFL);
	if (submit_all(t, t->dev, &a[0].op, 1) != 0 ||
	    fcntl(t->dev, F_SETFL, fl | O_NONBLOCK) != 0)
		goto out;
	sleep_ms(100);
	n = (int)read(t->dev, rec, sizeof(*rec));
	fcntl(t->dev, F_SETFL, fl);
	if (expect_errno(t, "a non-blocking read with a record owed", n,
			 EAGAIN) != 0)
		goto out;
	n = zcopy_cancel(t->dev, 0, true);
	if (n != 1 || zcopy_reap(t->dev, rec, 1, 10000) != 1 ||
	    rec[0].result != -ECANCELED) {
		fail(t, "cancel all: %d, then %s", n, errno_name(-rec[0].result));
		goto out;
	}
	rc = 0;
out:
	free(a);
	free(ops);
	free(rec);
	free(s.buf);
	apair_close(&p);
	apair_close(&stalled);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Cancellation                                                      */

/*
 * Operations on a socket that fills: the first one waits for room and a
 * cancel stops it part-way; then random ones are cancelled while the
 * peer reads slowly.  The partial counts add up to what the peer got.
 */
static int cancel_random_test(struct tctx *t, const void *arg)
{
	enum { NOPS = 32 };
	const uint64_t oplen = 256 * KIB;
	struct aop a[NOPS];
	struct zcopy_op ops[NOPS];
	struct zcopy_completion rec[NOPS];
	struct zcopy_completion first;
	unsigned char *want = malloc(NOPS * oplen);
	struct sink s = { 0 };
	unsigned int seed = 7, nrec = 0, cancelled = 0;
	struct apair p = { -1, -1 };
	struct tfile f;
	int fd, n, rc = -1;
	int64_t len;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], 4 * MIB, &f);
	if (fd < 0 || !want || apair_open(t, &p, SMALL_SNDBUF) != 0)
		return -1;
	for (unsigned int i = 0; i < NOPS; i++) {
		aop_send(&a[i], 100 + i, fd, p.snd, ZCOPY_METHOD_AUTO, 0,
			 rand_r(&seed) % (f.size - oplen), oplen);
		ops[i] = a[i].op;
	}
	s = (struct sink){ .fd = p.rcv, .buf = malloc(NOPS * oplen),
			   .cap = NOPS * oplen };
	if (!s.buf || submit_all(t, t->dev, ops, NOPS) != 0)
		goto out;
	/* Nobody reads: the first one fills the socket and waits. */
	sleep_ms(200);
	n = zcopy_cancel(t->dev, 100, false);
	if (n != 1) {
		fail(t, "cancel the first: returned %d (%s)", n, errno_name(errno));
		goto out;
	}
	n = zcopy_reap(t->dev, &first, 1, 10000);
	if (n != 1 || first.user_data != 100 || first.result != -ECANCELED ||
	    !first.sent || first.sent >= oplen) {
		fail(t, "the first: %d records, operation %llu, result %s, sent %llu; want 100, ECANCELED, part of %llu",
		     n, (unsigned long long)first.user_data,
		     errno_name(-first.result), (unsigned long long)first.sent,
		     (unsigned long long)oplen);
		goto out;
	}
	rec[nrec++] = first;
	/* The rest: read a little, cancel one at random, again. */
	for (unsigned int round = 0; round < NOPS; round++) {
		if (sink_read(t, &s) != 0)
			goto out;
		n = zcopy_cancel(t->dev, 100 + rand_r(&seed) % NOPS, false);
		if (n < 0) {
			fail_errno(t, "cancel");
			goto out;
		}
		cancelled += n;
		sleep_ms(rand_r(&seed) % 20);
	}
	if (pump(t, t->dev, &s, 1, rec, NOPS, &nrec, UNTIL_RECORDS) != 0)
		goto out;
	len = expected_stream(t, a, NOPS, rec, nrec, &f, want, true);
	if (len < 0)
		goto out;
	/* All records in: the socket has all it will get.  Close and drain. */
	close(p.snd);
	p.snd = -1;
	s.cap = len;
	if (pump(t, t->dev, &s, 1, rec, 0, &nrec, UNTIL_EOF) != 0 ||
	    check_bytes(t, "stream", s.buf, want, s.got) != 0)
		goto out;
	if (s.got != (size_t)len) {
		fail(t, "the peer got %zu bytes, the records say %lld", s.got,
		     (long long)len);
		goto out;
	}
	rc = 0;
out:
	free(want);
	free(s.buf);
	apair_close(&p);
	return rc;
}

/*
 * A socket whose peer reads nothing holds its operation; operations on
 * another socket, submitted after it, still complete, every byte.
 */
static int stalled_socket_test(struct tctx *t, const void *arg)
{
	enum { NOPS = 16 };
	struct aop a[NOPS + 1];
	struct zcopy_op ops[NOPS + 1];
	struct zcopy_completion rec[NOPS + 1];
	unsigned char *want = malloc(NOPS * 64 * KIB);
	struct apair stalled = { -1, -1 }, busy = { -1, -1 };
	struct sink s = { 0 };
	unsigned int nrec = 0;
	struct tfile f;
	int fd, n, rc = -1;
	int64_t len;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], 4 * MIB, &f);
	if (fd < 0 || !want || apair_open(t, &stalled, SMALL_SNDBUF) != 0 ||
	    apair_open(t, &busy, 0) != 0)
		goto out;
	aop_send(&a[0], 1000, fd, stalled.snd, ZCOPY_METHOD_AUTO, 0, 0, 4 * MIB);
	ops[0] = a[0].op;
	for (unsigned int i = 1; i <= NOPS; i++) {
		aop_send(&a[i], i, fd, busy.snd, ZCOPY_METHOD_AUTO, 0,
			 i * 64 * KIB, 64 * KIB);
		ops[i] = a[i].op;
	}
	s = (struct sink){ .fd = busy.rcv, .buf = malloc(NOPS * 64 * KIB),
			   .cap = NOPS * 64 * KIB };
	if (!s.buf || submit_all(t, t->dev, ops, NOPS + 1) != 0 ||
	    pump(t, t->dev, &s, 1, rec, NOPS, &nrec, UNTIL_FULL) != 0)
		goto out;
	for (unsigned int i = 0; i < nrec; i++) {
		if (rec[i].user_data == 1000) {
			fail(t, "the stalled socket's operation completed (%s, %llu sent)",
			     errno_name(-rec[i].result),
			     (unsigned long long)rec[i].sent);
			goto out;
		}
	}
	len = expected_stream(t, a + 1, NOPS, rec, nrec, &f, want, false);
	if (len < 0 || check_bytes(t, "stream", s.buf, want, len) != 0)
		goto out;
	n = zcopy_cancel(t->dev, 1000, false);
	if (n != 1 || zcopy_reap(t->dev, rec, 1, 10000) != 1 ||
	    rec[0].user_data != 1000 || rec[0].result != -ECANCELED) {
		fail(t, "cancel the stalled one: %d, then operation %llu with %s",
		     n, (unsigned long long)rec[0].user_data,
		     errno_name(-rec[0].result));
		goto out;
	}
	rc = 0;
out:
	free(want);
	free(s.buf);
	apair_close(&stalled);
	apair_close(&busy);
	return rc;
}

static void on_signal(int sig)
{
	(void)sig;
}

/*
 * Signals to the submitter, which stop a synchronous call, do not touch
 * operations on workers: each one sends all its bytes.
 */
static int signals_test(struct tctx *t, const void *arg)
{
	enum { NOPS = 8 };
	const uint64_t oplen = 256 * KIB;
	struct sigaction sa = { .sa_handler = on_signal };
	struct aop a[NOPS];
	struct zcopy_op ops[NOPS];
	struct zcopy_completion rec[NOPS];
	unsigned char *want = malloc(NOPS * oplen);
	struct apair p = { -1, -1 };
	struct sink s = { 0 };
	unsigned int nrec = 0, signals = 0;
	uint64_t end = now_ms() + PUMP_TIMEOUT_MS;
	struct tfile f;
	int fd, rc = -1;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], 4 * MIB, &f);
	if (fd < 0 || !want || sigaction(SIGUSR1, &sa, NULL) != 0 ||
	    apair_open(t, &p, SMALL_SNDBUF) != 0)
		goto out;
	for (unsigned int i = 0; i < NOPS; i++) {
		aop_send(&a[i], i, fd, p.snd, ZCOPY_METHOD_AUTO, 0, i * oplen,
			 oplen);
		ops[i] = a[i].op;
	}
	s = (struct sink){ .fd = p.rcv, .buf = malloc(NOPS * oplen),
			   .cap = NOPS * oplen };
	if (!s.buf || submit_all(t, t->dev, ops, NOPS) != 0)
		goto out;
	/* A signal between every small read, while the socket stays full. */
	while (nrec < NOPS && now_ms() < end) {
		size_t room = s.cap - s.got;
		ssize_t n = read(p.rcv, s.buf + s.got, room < 4096 ? room : 4096);
		int r;

		if (n > 0)
			s.got += n;
		kill(getpid(), SIGUSR1);
		signals++;
		r = zcopy_reap(t->dev, rec + nrec, NOPS - nrec, 1);
		nrec += r > 0 ? r : 0;
	}
	if (pump(t, t->dev, &s, 1, rec, NOPS, &nrec, UNTIL_FULL) != 0 ||
	    expected_stream(t, a, NOPS, rec, nrec, &f, want, false) < 0 ||
	    check_bytes(t, "stream", s.buf, want, s.got) != 0)
		goto out;
	rc = signals > NOPS ? 0 :
	     fail(t, "only %u signals while the operations ran", signals);
out:
	free(want);
	free(s.buf);
	apair_close(&p);
	return rc;
}

struct signaller {
	pthread_t th;
	pid_t tid;
	atomic_bool stop;
};

static void *signaller_main(void *arg)
{
	struct signaller *sg = arg;

	while (!atomic_load(&sg->stop))
		syscall(SYS_tgkill, getpid(), sg->tid, SIGUSR1);
	return NULL;
}

/*
 * A SENDV whose file segment starts at the end of its file (it sends
 * nothing and lets the next segment go) runs inline, in a submitter that
 * signals keep hitting: every operation still sends its trailer.  (A
 * signal pending between two segments once ended such an operation after
 * the file, as it ends a synchronous call, and the trailer never went.)
 */
static int signals_inline_test(struct tctx *t, const void *arg)
{
	enum { NOPS = 300 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct signaller sg = { .tid = gettid() };
	struct apair p = { -1, -1 };
	struct sink s = { 0 };
	unsigned char want[2 * 64];
	struct tfile f;
	int fd, rc = -1;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], 4 * KIB, &f);
	if (fd < 0 || sigaction(SIGUSR1, &sa, NULL) != 0 ||
	    apair_open(t, &p, 0) != 0)
		goto out;
	s = (struct sink){ .fd = p.rcv, .buf = malloc(sizeof(want)), .cap = sizeof(want) };
	if (!s.buf || pthread_create(&sg.th, NULL, signaller_main, &sg) != 0) {
		fail_errno(t, "signaller");
		goto out;
	}
	for (unsigned int i = 0; i < NOPS && !t->reason[0]; i++) {
		struct zcopy_completion rec;
		unsigned int nrec = 0;
		struct aop a;

		aop_sendv(&a, i, fd, p.snd, f.size, 100, 64, 64);
		a.file_len = 0;	/* asked for 100 bytes at EOF: none go */
		aop_bytes(&a, &f, want, sizeof(want));
		s.got = 0;
		if (submit_all(t, t->dev, &a.op, 1) != 0 ||
		    pump(t, t->dev, &s, 1, &rec, 1, &nrec, UNTIL_RECORDS) != 0)
			break;
		if (rec.result || rec.sent != sizeof(want) || rec.seg_index != 3) {
			fail(t, "operation %u: %s, %llu of %zu bytes, seg_index %u: a signal ended it",
			     i, errno_name(-rec.result),
			     (unsigned long long)rec.sent, sizeof(want),
			     rec.seg_index);
			break;
		}
		if (pump(t, t->dev, &s, 1, NULL, 0, &nrec, UNTIL_FULL) != 0 ||
		    check_bytes(t, "stream", s.buf, want, sizeof(want)) != 0)
			break;
	}
	atomic_store(&sg.stop, true);
	pthread_join(sg.th, NULL);
	rc = t->reason[0] ? -1 : 0;
out:
	free(s.buf);
	apair_close(&p);
	return rc;
}

/* ---------------------------------------------------------------- */
/* The submitter goes away with operations in flight                 */

enum goaway { GO_CLOSE, GO_EXIT, GO_KILL };

/*
 * A child submits operations to a socket nobody reads, then closes its
 * /dev/zcopy, exits, or is killed.  Every operation is cancelled: the
 * peer then sees EOF (the module let the socket go), got a prefix of the
 * stream, and the module's references come back.
 */
static int goaway_test(struct tctx *t, const void *arg)
{
	enum goaway how = (enum goaway)(uintptr_t)arg;
	enum { NOPS = 16 };
	const uint64_t oplen = 256 * KIB;
	struct aop a[NOPS];
	struct zcopy_op ops[NOPS];
	unsigned char *want = malloc(NOPS * oplen);
	struct sink s = { 0 };
	unsigned int nrec = 0;
	long refs;
	int ready[2], status, fd, rc = -1;
	struct apair p = { -1, -1 };
	struct tfile f;
	char c;
	pid_t pid;

	fd = tfile_open(t, &fs_list[FS_TMPFS], 4 * MIB, &f);
	if (fd < 0 || !want || apair_open(t, &p, SMALL_SNDBUF) != 0 ||
	    module_refcnt(t, &refs) != 0)
		return -1;
	if (pipe(ready) != 0)
		return fail_errno(t, "pipe");
	for (unsigned int i = 0; i < NOPS; i++) {
		aop_send(&a[i], i, fd, p.snd, ZCOPY_METHOD_AUTO, 0, i * oplen,
			 oplen);
		ops[i] = a[i].op;
		aop_bytes(&a[i], &f, want + i * oplen, oplen);
	}
	pid = fork();
	if (pid < 0)
		return fail_errno(t, "fork");
	if (pid == 0) {
		int dev = zcopy_open();

		if (dev < 0 || zcopy_submit(dev, ops, NOPS) != NOPS)
			_exit(3);
		/* Let the first fill the socket. */
		sleep_ms(100);
		if (how == GO_CLOSE)
			close(dev);
		if (write(ready[1], "r", 1) != 1)
			_exit(4);
		if (how == GO_KILL)
			pause();
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1) {
		fail(t, "the child could not submit");
		goto reap;
	}
	if (how == GO_KILL)
		kill(pid, SIGKILL);
reap:
	close(ready[0]);
	if (waitpid(pid, &status, 0) != pid)
		return fail_errno(t, "waitpid");
	if (t->reason[0])
		goto out;
	if (how != GO_KILL && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		fail(t, "the child ended with status 0x%x", status);
		goto out;
	}
	/* Our end of the socket goes too: EOF once the module lets go. */
	close(p.snd);
	p.snd = -1;
	s = (struct sink){ .fd = p.rcv, .buf = malloc(NOPS * oplen),
			   .cap = NOPS * oplen };
	if (!s.buf || pump(t, t->dev, &s, 1, NULL, 0, &nrec, UNTIL_EOF) != 0 ||
	    check_bytes(t, "stream", s.buf, want, s.got) != 0)
		goto out;
	if (s.got == s.cap) {
		fail(t, "every byte went: nothing was in flight when the submitter went away");
		goto out;
	}
	rc = refcnt_settles(t, refs);
out:
	free(want);
	free(s.buf);
	apair_close(&p);
	return rc;
}

/* ---------------------------------------------------------------- */
/* A full non-blocking socket, and NODISKIO with cold files          */

static int nonblock_full_test(struct tctx *t, const void *arg)
{
	struct aop a[2];
	struct zcopy_op ops[2];
	struct zcopy_completion rec[2];
	unsigned char *want = malloc(4 * MIB);
	struct sink s = { 0 };
	unsigned int nrec = 0;
	struct apair p = { -1, -1 };
	struct tfile f;
	int fd, rc = -1;
	int64_t len;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], 4 * MIB, &f);
	if (fd < 0 || !want || apair_open(t, &p, SMALL_SNDBUF) != 0)
		return -1;
	if (set_nonblock(p.snd) != 0)
		goto out;
	aop_send(&a[0], 1, fd, p.snd, ZCOPY_METHOD_AUTO, 0, 0, 4 * MIB);
	aop_send(&a[1], 2, fd, p.snd, ZCOPY_METHOD_AUTO, 0, 0, 4 * MIB);
	ops[0] = a[0].op;
	ops[1] = a[1].op;
	s = (struct sink){ .fd = p.rcv, .buf = malloc(4 * MIB), .cap = 4 * MIB };
	/* Nobody reads: both end without waiting, with part of their bytes. */
	if (!s.buf || submit_all(t, t->dev, ops, 2) != 0)
		goto out;
	for (uint64_t end = now_ms() + PUMP_TIMEOUT_MS; nrec < 2;) {
		int n = zcopy_reap(t->dev, rec + nrec, 2 - nrec, 1000);

		if (n < 0 || now_ms() > end) {
			fail_errno(t, "reap");
			goto out;
		}
		nrec += n;
	}
	for (unsigned int i = 0; i < 2; i++) {
		const struct zcopy_completion *r = &rec[i];

		/* As the synchronous call: a part, or EAGAIN with nothing. */
		if (r->user_data != i + 1 ||
		    (r->result ? r->result != -EAGAIN || r->sent :
				 !r->sent || r->sent >= 4 * MIB)) {
			fail(t, "record %u: operation %llu, %s, %llu sent; want %u, a part or EAGAIN",
			     i, (unsigned long long)r->user_data,
			     errno_name(-r->result), (unsigned long long)r->sent,
			     i + 1);
			goto out;
		}
		if (r->result)
			rec[i].result = -ECANCELED; /* a stop, for expected_stream() */
	}
	if (!rec[0].sent) {
		fail(t, "the first operation sent nothing into an empty socket");
		goto out;
	}
	len = expected_stream(t, a, 2, rec, nrec, &f, want, true);
	close(p.snd);
	p.snd = -1;
	s.cap = len < 0 ? 0 : len;
	if (len < 0 || pump(t, t->dev, &s, 1, NULL, 0, &nrec, UNTIL_EOF) != 0 ||
	    check_bytes(t, "stream", s.buf, want, s.got) != 0)
		goto out;
	rc = s.got == (size_t)len ? 0 :
	     fail(t, "the peer got %zu bytes of %lld", s.got, (long long)len);
out:
	free(want);
	free(s.buf);
	apair_close(&p);
	return rc;
}

/* Submit @a alone and wait for its record. */
static int submit_one(struct tctx *t, struct aop *a, struct sink *s,
		      struct zcopy_completion *rec)
{
	unsigned int nrec = 0;

	return submit_all(t, t->dev, &a->op, 1) ?:
	       pump(t, t->dev, s, 1, rec, 1, &nrec, UNTIL_RECORDS);
}

static int nodiskio_cold_test(struct tctx *t, const void *arg)
{
	unsigned char *want = malloc(MIB);
	struct zcopy_completion r1, r2;
	struct sink s = { 0 };
	struct apair p = { -1, -1 };
	unsigned int nrec = 0;
	struct tfile c;
	struct aop a;
	int fd, rc = -1;

	(void)arg;
	fd = cold_file(t, &fs_list[FS_EXT4], MIB, O_RDONLY | O_NOATIME, &c);
	if (fd < 0 || !want || apair_open(t, &p, 0) != 0)
		goto out;
	s = (struct sink){ .fd = p.rcv, .buf = malloc(MIB), .cap = MIB };
	aop_send(&a, 1, fd, p.snd, ZCOPY_METHOD_AUTO, ZCOPY_F_NODISKIO, 0, MIB);
	if (!s.buf || submit_one(t, &a, &s, &r1) != 0)
		goto out;
	if (r1.result != -EAGAIN || r1.sent) {
		fail(t, "NODISKIO on a cold file: %s, %llu sent; want EAGAIN, 0",
		     errno_name(-r1.result), (unsigned long long)r1.sent);
		goto out;
	}
	/* Cold again (NODISKIO started reading it), then a plain one. */
	aop_send(&a, 2, fd, p.snd, ZCOPY_METHOD_AUTO, 0, 0, MIB);
	if (make_cold(t, fd, MIB) != 0 || submit_one(t, &a, &s, &r2) != 0 ||
	    pump(t, t->dev, &s, 1, NULL, 0, &nrec, UNTIL_FULL) != 0)
		goto out;
	if (r2.result || r2.sent != MIB || !r2.stats.cache_miss_pages ||
	    ((t->info.features & ZCOPY_FEAT_IO_ACCOUNTING) &&
	     r2.stats.storage_read_bytes < MIB)) {
		fail(t, "a cold file: %s, %llu sent, %llu misses, %llu bytes read from storage",
		     errno_name(-r2.result), (unsigned long long)r2.sent,
		     (unsigned long long)r2.stats.cache_miss_pages,
		     (unsigned long long)r2.stats.storage_read_bytes);
		goto out;
	}
	pattern_fill(c.seed, 0, want, MIB);
	rc = check_bytes(t, "stream", s.buf, want, MIB);
out:
	free(s.buf);
	free(want);
	apair_close(&p);
	if (fd >= 0) {
		close(fd);
		unlink(c.path);
	}
	return rc;
}

/* ---------------------------------------------------------------- */
/* Release notification                                              */

/*
 * With ZCOPY_F_NOTIFY_RELEASE, once the release record is in, overwriting
 * the file does not change what the peer reads (it has not read yet);
 * without it, the peer reads page-cache pages lent by reference, which
 * the overwrite changed.
 */
static int release_test(struct tctx *t, const void *arg)
{
	bool notify = arg != NULL;
	const uint64_t size = 32 * KIB;
	unsigned char *old = malloc(size), *new = malloc(size);
	struct zcopy_completion rec[2];
	struct sink s = { 0 };
	unsigned int nrec = 0;
	uint64_t changed = 0;
	struct apair p = { -1, -1 };
	struct tfile f;
	struct aop a;
	int fd, rc = -1;

	if (notify && !(t->info.features & ZCOPY_FEAT_NOTIFY_RELEASE))
		return fail(t, "ZCOPY_FEAT_NOTIFY_RELEASE is missing on a kernel that has msg_ubuf");
	fd = private_file(t, &fs_list[FS_TMPFS], size, "release", &f);
	if (fd < 0 || !old || !new || apair_open(t, &p, 0) != 0)
		goto out;
	pattern_fill(f.seed, 0, old, size);
	for (uint64_t i = 0; i < size; i++)
		new[i] = ~old[i];
	aop_send(&a, 9, fd, p.snd, ZCOPY_METHOD_PAGES,
		 notify ? ZCOPY_F_NOTIFY_RELEASE : 0, 0, size);
	if (submit_all(t, t->dev, &a.op, 1) != 0)
		goto out;
	/* The peer reads nothing until the records are in. */
	for (uint64_t end = now_ms() + PUMP_TIMEOUT_MS; nrec < (notify ? 2u : 1u);) {
		int n = zcopy_reap(t->dev, rec + nrec, 2 - nrec, 1000);

		if (n < 0 || now_ms() > end) {
			fail(t, "%u records of %u", nrec, notify ? 2 : 1);
			goto out;
		}
		nrec += n;
	}
	if (rec[0].result || rec[0].sent != size ||
	    !!(rec[0].flags & ZCOPY_CQE_NOTIFY) != notify ||
	    (rec[0].flags & ZCOPY_CQE_RELEASE)) {
		fail(t, "the operation's record: %s, %llu sent, flags 0x%x",
		     errno_name(-rec[0].result), (unsigned long long)rec[0].sent,
		     rec[0].flags);
		goto out;
	}
	/* On loopback the stack copies for the local receiver: it says so. */
	if (notify && (rec[1].user_data != 9 ||
		       rec[1].flags != (ZCOPY_CQE_RELEASE | ZCOPY_CQE_COPIED) ||
		       rec[1].result || rec[1].sent)) {
		fail(t, "the release record: operation %llu, flags 0x%x, result %s; want 9, RELEASE|COPIED, 0",
		     (unsigned long long)rec[1].user_data, rec[1].flags,
		     errno_name(-rec[1].result));
		goto out;
	}
	if (pwrite(fd, new, size, 0) != (ssize_t)size) {
		fail_errno(t, "overwrite the file");
		goto out;
	}
	close(p.snd);
	p.snd = -1;
	s = (struct sink){ .fd = p.rcv, .buf = malloc(size), .cap = size };
	if (!s.buf || pump(t, t->dev, &s, 1, NULL, 0, &nrec, UNTIL_EOF) != 0)
		goto out;
	if (s.got != size) {
		fail(t, "the peer got %zu of %llu bytes", s.got,
		     (unsigned long long)size);
		goto out;
	}
	if (notify) {
		rc = check_bytes(t, "after the release record", s.buf, old, size);
		goto out;
	}
	for (uint64_t i = 0; i < size; i++) {
		if (s.buf[i] != old[i] && s.buf[i] != new[i]) {
			fail(t, "byte %llu is neither the old nor the new one",
			     (unsigned long long)i);
			goto out;
		}
		changed += s.buf[i] == new[i];
	}
	/* The behaviour zcopy(4) documents: lent pages are the file's. */
	rc = changed ? 0 :
	     fail(t, "without ZCOPY_F_NOTIFY_RELEASE the overwrite reached none of the lent pages");
out:
	free(old);
	free(new);
	free(s.buf);
	apair_close(&p);
	if (fd >= 0) {
		close(fd);
		unlink(f.path);
	}
	return rc;
}

/* ---------------------------------------------------------------- */
/* fail-nth over SUBMIT                                              */

/*
 * Each fault site SUBMIT reaches, failed in turn: the call fails with
 * ENOMEM or EFAULT and nothing happens, or the operation completes with
 * its record (an injected errno with nothing sent, or all of it).
 */
static int failnth_submit_test(struct tctx *t, const void *arg)
{
	unsigned char want[300 + 8 * KIB];
	struct sink s = { 0 };
	struct ctrs before, after;
	uint64_t stream = 0;
	struct apair p = { -1, -1 };
	struct tfile f;
	int fd, nth, rc = -1;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], 64 * KIB, &f);
	if (fd < 0 || failnth_setup(t) != 0 || apair_open(t, &p, 0) != 0)
		return -1;
	nth = failnth_open(t);
	s = (struct sink){ .fd = p.rcv, .buf = malloc(sizeof(want)) };
	if (nth < 0 || !s.buf)
		goto out;
	for (unsigned int n = 1; n < 400; n++) {
		struct zcopy_completion rec;
		unsigned int nrec = 0;
		struct aop a;
		int got, err, pending;

		snprintf(t->where, sizeof(t->where), "fail-nth %u", n);
		aop_sendv(&a, n, fd, p.snd, n * 7, 8 * KIB, 300, 0);
		if (counters_read_open(t, t->dev, &before) != 0 ||
		    failnth_arm(t, nth, n) != 0)
			goto out;
		got = zcopy_submit(t->dev, &a.op, 1);
		err = errno;
		pending = failnth_disarm(t, nth);
		if (pending < 0)
			goto out;
		if (got < 0) {
			if (pending || (err != ENOMEM && err != EFAULT)) {
				errno = err;
				fail_errno(t, "submit failed (fault %s)",
					   pending ? "not reached" : "reached");
				goto out;
			}
			if (counters_read_open(t, t->dev, &after) != 0 ||
			    ctrs_expect_delta(t, "a failed submit", &after,
					      &before, &(struct ctrs){ 0 }) != 0)
				goto out;
			continue;
		}
		s.got = 0;
		s.cap = aop_len(&a);
		if (pump(t, t->dev, &s, 1, &rec, 1, &nrec, UNTIL_RECORDS) != 0)
			goto out;
		s.cap = rec.sent;
		if (pump(t, t->dev, &s, 1, NULL, 0, &nrec, UNTIL_FULL) != 0)
			goto out;
		if (rec.result) {
			if (rec.sent || (rec.result != -ENOMEM &&
					 rec.result != -EFAULT)) {
				fail(t, "record: %s with %llu sent",
				     errno_name(-rec.result),
				     (unsigned long long)rec.sent);
				goto out;
			}
			continue;
		}
		if (expected_stream(t, &a, 1, &rec, 1, &f, want, false) < 0 ||
		    check_bytes(t, "stream", s.buf, want, s.got) != 0)
			goto out;
		stream += rec.sent;
		if (pending) {
			rc = 0;
			break;
		}
	}
	if (rc)
		fail(t, "the walk did not end: a fault site on every step");
out:
	free(s.buf);
	apair_close(&p);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Random submit, cancel and close from several threads              */

#define CHAOS_THREADS 4
#define CHAOS_MS 3000

struct chaos {
	struct tctx *t;
	const struct tfile *f;
	int fd;
	unsigned int seed;
	char reason[256];
};

/*
 * One thread's epoch: an open file and a connection, operations submitted
 * and cancelled at random, records reaped; it ends by closing both (the
 * records of what is in flight are lost, the peer must still see EOF), or
 * at the deadline by reaping everything and checking every byte.
 */
static int chaos_epoch(struct chaos *c, uint64_t end, bool *last)
{
	enum { MAXOPS = 128, OPMAX = 16 * KIB };
	struct tctx *t = c->t;
	struct aop *a = calloc(MAXOPS, sizeof(*a));
	struct zcopy_completion *rec = calloc(MAXOPS, sizeof(*rec));
	unsigned char *want = malloc(MAXOPS * OPMAX);
	struct sink s = { 0 };
	unsigned int n = 0, nrec = 0;
	int dev = zcopy_open(), rc = -1;
	struct apair p = { -1, -1 };
	int64_t len;

	if (dev < 0 || !a || !rec || !want || apair_open(t, &p, SMALL_SNDBUF) != 0)
		goto out;
	s = (struct sink){ .fd = p.rcv, .buf = malloc(MAXOPS * OPMAX),
			   .cap = MAXOPS * OPMAX };
	if (!s.buf)
		goto out;
	while (now_ms() < end) {
		unsigned int what = rand_r(&c->seed) % 16;
		int r;

		if (sink_read(t, &s) != 0)
			goto out;
		r = zcopy_reap(dev, rec + nrec, MAXOPS - nrec, 0);
		if (r < 0)
			goto out;
		nrec += r;
		if (what < 8 && n < MAXOPS) {
			struct zcopy_op ops[8];
			unsigned int k = 1 + rand_r(&c->seed) % 8;

			k = k < MAXOPS - n ? k : MAXOPS - n;
			for (unsigned int i = 0; i < k; i++) {
				uint64_t l = 1 + rand_r(&c->seed) % OPMAX;

				aop_send(&a[n + i], n + i, c->fd, p.snd,
					 ZCOPY_METHOD_AUTO, 0,
					 rand_r(&c->seed) % (c->f->size - l), l);
				ops[i] = a[n + i].op;
			}
			r = zcopy_submit(dev, ops, k);
			if (r < 0 && errno != EAGAIN) {
				fail_errno(t, "submit");
				goto out;
			}
			n += r > 0 ? r : 0;
		} else if (what < 12 && n) {
			if (zcopy_cancel(dev, rand_r(&c->seed) % n, false) < 0)
				goto out;
		} else if (what == 12) {
			if (zcopy_cancel(dev, 0, true) < 0)
				goto out;
		} else if (what == 13) {
			/* Close with whatever is in flight. */
			close(dev);
			dev = -1;
			close(p.snd);
			p.snd = -1;
			s.cap = s.got + MAXOPS * OPMAX;
			rc = pump(t, -1, &s, 1, NULL, 0, &nrec, UNTIL_EOF);
			goto out;
		}
	}
	*last = true;
	if (pump(t, dev, &s, 1, rec, n, &nrec, UNTIL_RECORDS) != 0)
		goto out;
	len = expected_stream(t, a, n, rec, nrec, c->f, want, true);
	close(p.snd);
	p.snd = -1;
	if (len < 0 || pump(t, dev, &s, 1, NULL, 0, &nrec, UNTIL_EOF) != 0)
		goto out;
	rc = s.got == (size_t)len ? check_bytes(t, "stream", s.buf, want, len) :
	     fail(t, "the peer got %zu bytes, the records say %lld", s.got,
		  (long long)len);
out:
	if (dev >= 0)
		close(dev);
	apair_close(&p);
	free(a);
	free(rec);
	free(want);
	free(s.buf);
	return rc;
}

static void *chaos_thread(void *arg)
{
	struct chaos *c = arg;
	uint64_t end = now_ms() + CHAOS_MS;
	bool last = false;

	while (!last && !c->t->reason[0])
		if (chaos_epoch(c, end, &last) != 0)
			break;
	return NULL;
}

static int chaos_test(struct tctx *t, const void *arg)
{
	struct chaos c[CHAOS_THREADS];
	struct tctx tt[CHAOS_THREADS];
	pthread_t th[CHAOS_THREADS];
	struct tfile f;
	long refs;
	int fd;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], 4 * MIB, &f);
	if (fd < 0 || module_refcnt(t, &refs) != 0)
		return -1;
	for (unsigned int i = 0; i < CHAOS_THREADS; i++) {
		tt[i] = *t;
		tt[i].reason[0] = 0;
		c[i] = (struct chaos){ .t = &tt[i], .f = &f, .fd = fd,
				       .seed = 31 * i + 1 };
		if (pthread_create(&th[i], NULL, chaos_thread, &c[i]) != 0)
			return fail(t, "pthread_create");
	}
	for (unsigned int i = 0; i < CHAOS_THREADS; i++)
		pthread_join(th[i], NULL);
	for (unsigned int i = 0; i < CHAOS_THREADS; i++)
		if (tt[i].reason[0])
			return fail(t, "thread %u: %s", i, tt[i].reason);
	return refcnt_settles(t, refs);
}

void async_register(struct registry *r)
{
	static const char *const goaway_names[] = { "close", "exit", "sigkill" };

	reg_add(r, "async", many_sockets_test, NULL, "64-sockets-x-16-ops")
		->timeout_s = TIMEOUT_LONG_S;
	reg_add(r, "async", bad_mixed_test, NULL, "bad-among-good");
	reg_add(r, "async", submit_errors_test, NULL, "submit-errors");
	reg_add(r, "async", limits_test, NULL, "record-limit-nonblocking-read")
		->timeout_s = TIMEOUT_LONG_S;
	reg_add(r, "async", cancel_random_test, NULL, "cancel-random")
		->timeout_s = TIMEOUT_LONG_S;
	reg_add(r, "async", stalled_socket_test, NULL, "stalled-socket-delays-no-other");
	reg_add(r, "async", signals_test, NULL, "signals-do-not-stop");
	reg_add(r, "async", signals_inline_test, NULL, "signals-inline-sendv-whole");
	for (unsigned int i = 0; i < ARRAY_SIZE(goaway_names); i++)
		reg_add(r, "async", goaway_test, (void *)(uintptr_t)i,
			"inflight-%s", goaway_names[i]);
	reg_add(r, "async", nonblock_full_test, NULL, "nonblock-full");
	reg_add(r, "async", nodiskio_cold_test, NULL, "nodiskio-cold");
	reg_add(r, "async", release_test, (void *)1, "release-then-overwrite");
	reg_add(r, "async", release_test, NULL, "no-release-overwrite");
	reg_add(r, "async", failnth_submit_test, NULL, "fail-nth-submit")
		->need = NEED_FAILNTH;
	reg_add(r, "async", chaos_test, NULL, "random-threads")
		->timeout_s = TIMEOUT_LONG_S;
}
