// SPDX-License-Identifier: GPL-2.0
/*
 * t_badinput_race.c - the "badinput" cases where a second thread rewrites the
 * argument struct (size, descriptors, method, range, the segment vector
 * pointer and count, the segments themselves) in a tight loop while the
 * first one calls the ioctl on it.
 *
 * The module copies its argument in once, so every call must end either
 * with a clean errno and nothing on the connection, or as a transfer whose
 * bytes on the connection are exactly what "sent" says.  Every valid
 * combination the racer can produce sends the 2048-byte test file 0, 1 or
 * 2 times whole (or part of it, from a field the kernel's copy tore, whose
 * rest the test sends itself), so the receiver checks the content of the
 * whole stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "badinput.h"
#include "inject.h"

#define UNIT 2048
#define RACE_MS 3000
#define RACE_MAX_CALLS 1500
#define PAGE 4096

/* A value the racer stores at @at (the struct, or a segment). */
struct store {
	unsigned char *at;
	unsigned int width;	/* 4 or 8 */
	uint64_t val;
	bool bad;		/* makes the request invalid */
};

struct racer {
	const struct store *stores;
	size_t nstores;
	atomic_bool stop;
	atomic_ulong rounds;
};

/*
 * @n shared pages and a guard page after them: the racer writes the
 * struct (and the segments) there, and in a 32-bit build it is a child
 * process (a 32-bit pthread_join() needs the time32 futex, which the test
 * kernel has no compat entry for), so the memory must be shared.
 */
static unsigned char *shared_pages(struct tctx *t, unsigned int n)
{
	unsigned char *p = mmap(NULL, (n + 1) * PAGE, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + n * PAGE, PAGE, PROT_NONE) != 0) {
		fail_errno(t, "mmap");
		return NULL;
	}
	return p;
}

static void *racer_main(void *p)
{
	struct racer *r = p;
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		const struct store *s;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		s = &r->stores[x % r->nstores];
		/*
		 * Bad values go in a quarter as often as good ones, so that a
		 * fair share of calls meets a request that is valid as a whole
		 * (under TCG a vCPU may see one state for a whole time slice).
		 */
		if (s->bad && (x >> 40) % 4)
			continue;
		if (s->width == 4)
			*(volatile uint32_t *)s->at = (uint32_t)s->val;
		else
			*(volatile uint64_t *)s->at = s->val;
		atomic_fetch_add_explicit(&r->rounds, 1, memory_order_relaxed);
	}
	return NULL;
}

static bool errno_in(int err, const int *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == err)
			return true;
	return false;
}

/* What both races share: the file, the connection, the counters. */
struct race_env {
	struct receiver rx;
	struct tally before, delta;
	struct tfile f;
	int fd;
	uint64_t base;		/* sock_written() at the start (the SYN) */
	uint64_t total;		/* bytes on the connection so far */
	unsigned int ok, failed;
	unsigned int by_errno[4];	/* failures, by the call's errs[] */
};

static int race_open(struct tctx *t, struct race_env *e)
{
	struct rx_spec spec;

	memset(e, 0, sizeof(*e));
	e->fd = tfile_open(t, &fs_list[FS_TMPFS], UNIT, &e->f);
	if (e->fd < 0)
		return -1;
	spec = (struct rx_spec){ e->f.seed, 0, UNIT };
	if (receiver_start(t, &e->rx, AF_INET, RX_READ, &spec) != 0)
		return -1;
	if (sock_written(e->rx.sock, &e->base) != 0)
		return fail_errno(t, "TCP_INFO/SIOCOUTQ");
	return tally_read(t, t->dev, &e->before);
}

/* One call's verdict: @rc/@err from the ioctl, @sent and @stats as the
 * module wrote them back. */
static int race_judge(struct tctx *t, struct race_env *e, int rc, int err,
		      const int *errs, size_t nerrs, uint64_t sent,
		      const struct zcopy_stats *stats)
{
	struct zcopy_send as_send;
	uint64_t w;

	if (sock_written(e->rx.sock, &w) != 0)
		return fail_errno(t, "TCP_INFO/SIOCOUTQ");
	w -= e->base;
	if (rc != 0) {
		if (!errno_in(err, errs, nerrs)) {
			errno = err;
			return fail_errno(t, "call %u: unexpected error",
					  e->ok + e->failed + 1);
		}
		if (w != e->total)
			return fail(t, "call %u failed with %s but %llu bytes went",
				    e->ok + e->failed + 1, errno_name(err),
				    (unsigned long long)(w - e->total));
		for (size_t i = 0; i < nerrs && i < ARRAY_SIZE(e->by_errno); i++)
			if (errs[i] == err)
				e->by_errno[i]++;
		e->failed++;
		return 0;
	}
	if (w - e->total != sent)
		return fail(t, "call %u: sent says %llu, the connection took %llu",
			    e->ok + e->failed + 1, (unsigned long long)sent,
			    (unsigned long long)(w - e->total));
	memset(&as_send, 0, sizeof(as_send));
	as_send.sent = sent;
	as_send.stats = *stats;
	tally_add_success(&e->delta, &as_send);
	e->total = w;
	e->ok++;
	/*
	 * The module copies the struct in once, but copy_from_user() is not
	 * atomic per field (TCG's "rep movsb" reads a byte at a time): the
	 * racer can tear a field between two of its values, a len of 0xff
	 * from UINT64_MAX's low byte and 0's others.  Such a call rightly
	 * sends part of a file from its start; the rest of that file goes
	 * now, from a request the racer cannot reach, so that the receiver's
	 * check of the whole stream still holds.
	 */
	if (w % UNIT) {
		struct zcopy_send rest;
		uint64_t at = w % UNIT, w2;

		send_req(&rest, e->fd, e->rx.sock, ZCOPY_METHOD_PAGES, at, UNIT - at);
		if (ioctl(t->dev, ZCOPY_IOC_SEND, &rest) != 0)
			return fail_errno(t, "call %u sent %llu: the rest of its file",
					  e->ok + e->failed,
					  (unsigned long long)sent);
		if (sock_written(e->rx.sock, &w2) != 0)
			return fail_errno(t, "TCP_INFO/SIOCOUTQ");
		w2 -= e->base;
		if (rest.sent != UNIT - at || w2 - w != rest.sent)
			return fail(t, "call %u sent %llu: the rest of its file sent %llu, the connection took %llu",
				    e->ok + e->failed, (unsigned long long)sent,
				    (unsigned long long)rest.sent,
				    (unsigned long long)(w2 - w));
		tally_add_success(&e->delta, &rest);
		e->total = w2;
	}
	return 0;
}

static int race_run(struct tctx *t, struct race_env *e, struct racer *r,
		    unsigned long cmd, void *arg, const int *errs, size_t nerrs,
		    size_t sent_off, size_t stats_off)
{
	uint64_t end = now_ms() + RACE_MS;
#ifdef __i386__
	pid_t racer_pid;
#else
	pthread_t th;
#endif
	int rc = 0;

	/* The request as it stands before the racer starts is valid. */
	if (ioctl(t->dev, cmd, arg) != 0)
		return fail_errno(t, "the untouched request failed");
	{
		uint64_t sent;
		struct zcopy_stats st;

		memcpy(&sent, (unsigned char *)arg + sent_off, sizeof(sent));
		memcpy(&st, (unsigned char *)arg + stats_off, sizeof(st));
		if (race_judge(t, e, 0, 0, errs, nerrs, sent, &st) != 0)
			return -1;
	}
	atomic_init(&r->stop, false);
	atomic_init(&r->rounds, 0);
#ifdef __i386__
	racer_pid = fork();
	if (racer_pid < 0)
		return fail_errno(t, "fork");
	if (racer_pid == 0) {
		racer_main(r);
		_exit(0);
	}
#else
	errno = pthread_create(&th, NULL, racer_main, r);
	if (errno)
		return fail_errno(t, "pthread_create");
#endif
	for (unsigned int i = 0; i < RACE_MAX_CALLS && now_ms() < end; i++) {
		struct zcopy_stats st;
		uint64_t sent;
		int err;

		rc = ioctl(t->dev, cmd, arg);
		err = errno;
		/* Output fields: the racer never writes them. */
		memcpy(&sent, (unsigned char *)arg + sent_off, sizeof(sent));
		memcpy(&st, (unsigned char *)arg + stats_off, sizeof(st));
		rc = race_judge(t, e, rc, err, errs, nerrs, sent, &st);
		if (rc)
			break;
		sched_yield();	/* let the racer at the struct between calls */
	}
	atomic_store(&r->stop, true);
#ifdef __i386__
	while (waitpid(racer_pid, NULL, 0) < 0 && errno == EINTR)
		;
#else
	pthread_join(th, NULL);
#endif
	if (rc)
		return -1;
	/* The first success is the untouched request's. */
	if (e->ok < 2 || !e->failed)
		return fail(t, "%u calls succeeded, %u failed (%s %u, %s %u, %s %u, %s %u): the race did not mix (racer: %lu stores; file fd %s, socket %s)",
			    e->ok, e->failed, errno_name(errs[0]), e->by_errno[0],
			    errno_name(errs[1]), e->by_errno[1],
			    errno_name(errs[2]), e->by_errno[2],
			    errno_name(errs[3]), e->by_errno[3],
			    atomic_load(&r->rounds),
			    fcntl(e->fd, F_GETFD) < 0 ? "closed" : "open",
			    fcntl(e->rx.sock, F_GETFD) < 0 ? "closed" : "open");
	if (tally_expect_delta(t, t->dev, &e->before, &e->delta) != 0)
		return -1;
	return receiver_finish(t, &e->rx, e->total);
}

#define SEND_OFF(f) (buf + offsetof(struct zcopy_send, f))

static int race_send(struct tctx *t, const void *arg)
{
	static const int errs[] = { EINVAL, EBADF, ENOTSOCK, E2BIG };
	unsigned char *buf = shared_pages(t, 1);
	struct zcopy_send *req = (struct zcopy_send *)buf;
	struct racer *r = (struct racer *)(buf + PAGE / 2);
	struct race_env e;
	int pipefd[2], dir, null;

	(void)arg;
	if (!buf || race_open(t, &e) != 0)
		return -1;
	dir = open(fs_list[FS_TMPFS].dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (dir < 0 || null < 0 || pipe2(pipefd, O_CLOEXEC) != 0)
		return fail_errno(t, "setup");
	send_req(req, e.fd, e.rx.sock, ZCOPY_METHOD_PAGES, 0, UNIT);
	{
		const struct store stores[] = {
			{ SEND_OFF(size), 4, sizeof(*req), false },
			{ SEND_OFF(size), 4, sizeof(*req), false },
			{ SEND_OFF(size), 4, 4, true },
			{ SEND_OFF(size), 4, 0, true },
			{ SEND_OFF(size), 4, 200, false },	/* a tail: zero or not */
			{ buf + 160, 4, 0, false },
			{ buf + 160, 4, 0, false },
			{ buf + 160, 4, 0x77, true },
			{ SEND_OFF(in_fd), 4, (uint32_t)e.fd, false },
			{ SEND_OFF(in_fd), 4, (uint32_t)e.fd, false },
			{ SEND_OFF(in_fd), 4, (uint32_t)-1, true },
			{ SEND_OFF(in_fd), 4, (uint32_t)pipefd[0], true },
			{ SEND_OFF(in_fd), 4, (uint32_t)dir, true },
			{ SEND_OFF(out_fd), 4, (uint32_t)e.rx.sock, false },
			{ SEND_OFF(out_fd), 4, (uint32_t)e.rx.sock, false },
			{ SEND_OFF(out_fd), 4, (uint32_t)-1, true },
			{ SEND_OFF(out_fd), 4, (uint32_t)null, true },
			{ SEND_OFF(method), 4, ZCOPY_METHOD_PAGES, false },
			{ SEND_OFF(method), 4, ZCOPY_METHOD_COPY, false },
			{ SEND_OFF(method), 4, ZCOPY_METHOD_SPLICE, false },
			{ SEND_OFF(method), 4, 99, true },
			{ SEND_OFF(flags), 4, 0, false },
			{ SEND_OFF(flags), 4, 0, false },
			{ SEND_OFF(flags), 4, 1U << 20, true },
			{ SEND_OFF(offset), 8, 0, false },
			{ SEND_OFF(offset), 8, 0, false },
			{ SEND_OFF(offset), 8, UNIT, false },
			{ SEND_OFF(offset), 8, 1ULL << 63, true },
			{ SEND_OFF(len), 8, UNIT, false },
			{ SEND_OFF(len), 8, UNIT, false },
			{ SEND_OFF(len), 8, 0, false },
			{ SEND_OFF(len), 8, 1ULL << 40, false },
			{ SEND_OFF(len), 8, UINT64_MAX, true },
			{ SEND_OFF(reserved0), 4, 0, false },
			{ SEND_OFF(reserved0), 4, 0, false },
			{ SEND_OFF(reserved0), 4, 1, true },
		};

		*r = (struct racer){ .stores = stores,
				     .nstores = ARRAY_SIZE(stores) };
		return race_run(t, &e, r, ZCOPY_IOC_SEND, buf, errs,
				ARRAY_SIZE(errs),
				offsetof(struct zcopy_send, sent),
				offsetof(struct zcopy_send, stats));
	}
}

#define SENDV_OFF(f) (buf + offsetof(struct zcopy_sendv, f))
#define SEG_AT(i, f) ((unsigned char *)&a[i] + \
		      offsetof(struct zcopy_segment, f))

static int race_sendv(struct tctx *t, const void *arg)
{
	static const int errs[] = { EINVAL, EBADF, EFAULT, E2BIG };
	/* The struct, then the segments against the guard page. */
	unsigned char *buf = shared_pages(t, 2);
	struct zcopy_sendv *v = (struct zcopy_sendv *)buf;
	struct racer *r = (struct racer *)(buf + PAGE / 2);
	struct zcopy_segment *a, *b;
	struct zcopy_stats *stats;
	unsigned char *mem, *segpage;
	struct race_env e;
	void *gone;

	(void)arg;
	if (!buf || race_open(t, &e) != 0)
		return -1;
	segpage = buf + PAGE;
	mem = guarded_page(t);
	gone = unmapped_page(t);
	stats = calloc(4, sizeof(*stats));
	if (!segpage || !mem || !gone || !stats)
		return fail(t, "setup: %s", t->reason[0] ? t->reason : "no memory");
	/* Both vectors send the file once or twice (count 1 or 2), then a
	 * segment of no type (count 3). */
	a = (struct zcopy_segment *)segpage;
	b = a + 3;
	pattern_fill(e.f.seed, 0, mem, UNIT);
	a[0] = (struct zcopy_segment){ .type = ZCOPY_SEG_FILE, .fd = e.fd,
				       .len = UNIT };
	a[1] = a[0];
	a[2] = (struct zcopy_segment){ .type = 7 };
	b[0] = (struct zcopy_segment){ .type = ZCOPY_SEG_MEMORY,
				       .addr = (uintptr_t)mem, .len = UNIT };
	b[1] = a[0];
	b[2] = a[2];
	*v = (struct zcopy_sendv){ .size = sizeof(*v), .out_fd = e.rx.sock,
				   .method = ZCOPY_METHOD_PAGES,
				   .segs = (uintptr_t)a,
				   .seg_stats = (uintptr_t)stats, .count = 2 };
	{
		const struct store stores[] = {
			{ SENDV_OFF(size), 4, sizeof(*v), false },
			{ SENDV_OFF(size), 4, sizeof(*v), false },
			{ SENDV_OFF(size), 4, 4, true },
			{ SENDV_OFF(size), 4, 200, false },
			{ buf + 170, 4, 0, false },
			{ buf + 170, 4, 0, false },
			{ buf + 170, 4, 0x66, true },
			{ SENDV_OFF(segs), 8, (uintptr_t)a, false },
			{ SENDV_OFF(segs), 8, (uintptr_t)a, false },
			{ SENDV_OFF(segs), 8, (uintptr_t)b, false },
			{ SENDV_OFF(segs), 8, (uintptr_t)b, false },
			{ SENDV_OFF(segs), 8, 0, true },
			{ SENDV_OFF(segs), 8, (uintptr_t)gone, true },
			{ SENDV_OFF(segs), 8, KADDR_TEXT, true },
			/* The last segment of a against the guard page. */
			{ SENDV_OFF(segs), 8, (uintptr_t)segpage + PAGE - 40, true },
			{ SENDV_OFF(count), 4, 1, false },
			{ SENDV_OFF(count), 4, 2, false },
			{ SENDV_OFF(count), 4, 2, false },
			{ SENDV_OFF(count), 4, 3, true },
			{ SENDV_OFF(count), 4, 0, true },
			{ SENDV_OFF(count), 4, ZCOPY_SENDV_MAX_SEGS + 1, true },
			{ SENDV_OFF(seg_stats), 8, (uintptr_t)stats, false },
			{ SENDV_OFF(seg_stats), 8, (uintptr_t)stats, false },
			{ SENDV_OFF(seg_stats), 8, 0, false },
			{ SENDV_OFF(seg_stats), 8, (uintptr_t)gone, true },
			{ SENDV_OFF(out_fd), 4, (uint32_t)e.rx.sock, false },
			{ SENDV_OFF(out_fd), 4, (uint32_t)e.rx.sock, false },
			{ SENDV_OFF(out_fd), 4, (uint32_t)-1, true },
			{ SENDV_OFF(method), 4, ZCOPY_METHOD_PAGES, false },
			{ SENDV_OFF(method), 4, ZCOPY_METHOD_COPY, false },
			{ SENDV_OFF(method), 4, ZCOPY_METHOD_COUNT, true },
			{ SEG_AT(0, len), 8, UNIT, false },
			{ SEG_AT(0, len), 8, UNIT, false },
			{ SEG_AT(0, len), 8, 0, false },
			{ SEG_AT(1, fd), 4, (uint32_t)e.fd, false },
			{ SEG_AT(1, fd), 4, (uint32_t)e.fd, false },
			{ SEG_AT(1, fd), 4, (uint32_t)-1, true },
			{ SEG_AT(3, len), 8, UNIT, false },
			{ SEG_AT(3, len), 8, 0, false },
			/* The copy-in may read bytes of a store half done: a
			 * bad length that shares UNIT's low bytes can only
			 * tear into UNIT, 0 or another bad length. */
			{ SEG_AT(3, len), 8, (1ULL << 24) | UNIT, true },
			{ SEG_AT(3, type), 4, ZCOPY_SEG_MEMORY, false },
			{ SEG_AT(3, type), 4, ZCOPY_SEG_MEMORY, false },
			{ SEG_AT(3, type), 4, ZCOPY_SEG_FILE, true },
		};

		*r = (struct racer){ .stores = stores,
				     .nstores = ARRAY_SIZE(stores) };
		return race_run(t, &e, r, ZCOPY_IOC_SENDV, buf, errs,
				ARRAY_SIZE(errs),
				offsetof(struct zcopy_sendv, sent),
				offsetof(struct zcopy_sendv, stats));
	}
}

void badinput_race_register(struct registry *r)
{
	reg_add(r, "badinput", race_send, NULL, "race-rewrite-send-struct")
		->timeout_s = TIMEOUT_LONG_S;
	reg_add(r, "badinput", race_sendv, NULL, "race-rewrite-sendv-struct")
		->timeout_s = TIMEOUT_LONG_S;
}
