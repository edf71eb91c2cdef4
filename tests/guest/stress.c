// SPDX-License-Identifier: GPL-2.0
/*
 * stress.c - zcopy-stress: random ioctls on /dev/zcopy from several threads
 * for a fixed time.  Commands (real ones, and unknown numbers, sizes and
 * directions of the zcopy magic), struct sizes and tails, flags, methods,
 * descriptors (files on tmpfs and ext4, O_DIRECT, sockets that are
 * connected, shut down, non-blocking, and garbage), offsets, lengths and
 * pointers (valid, NULL, unmapped, read-only, kernel, non-canonical) are
 * drawn from a seeded generator; meanwhile files are truncated, extended
 * and punched, connections are shut down and replaced, and threads get
 * signals.  ZCOPY_IOC_SUBMIT gets up to four such operations at a time,
 * ZCOPY_IOC_CANCEL random ones; records are read as they come, and at the
 * end every operation is cancelled and every record read, so that the
 * counters are at rest.  The kernel must come through without a report;
 * the harness judges that from the console.
 *
 *   zcopy-stress [--seconds N] [--threads N] [--seed N]
 *
 * The seed is printed first: "--seed" with it replays each thread's
 * sequence of calls (the interleaving of threads is the scheduler's).
 * Prints "PASS stress/NAME" or "FAIL stress/NAME: why" at the end, then
 * its count "stress: N passed, N failed", as result lines (results.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/zcopy.h>

#include "results.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE 4096
#define MAX_THREADS 16
#define ARENA_RW (2 * PAGE)	/* then one read-only page, then a guard */
#define DIR_TMP "/tmp/zcopy-stress"
#define DIR_EXT4 "/mnt/ext4/zcopy-stress"
#define NAME "random-ioctls"

static const uint64_t file_sizes[] = { 0, 1, 4095, 4096, 65537, 1 << 20 };

/* ---- the generator: splitmix64 ---- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

/* True with probability @pct percent. */
static bool chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

#define PICK(r, arr) ((arr)[below((r), ARRAY_SIZE(arr))])

/* ---- shared state, set up once ---- */

struct pool {
	int files[32];		/* readable regular files */
	unsigned int nfiles;
	int scratch[4];		/* files the mutators change (also in files) */
	char scratch_path[4][128];
	int garbage[16];	/* descriptors of every wrong kind */
	unsigned int ngarbage;
	struct sockaddr_storage addr4, addr6;
	socklen_t alen4, alen6;
	int listen4, listen6;
};

struct worker {
	int id;
	pthread_t th;
	struct rng rng;
	const struct pool *pool;
	int dev;
	int socks[3];		/* blocking, non-blocking, IPv6 */
	unsigned char *arena;	/* rw, rw, ro, none */
	uint64_t deadline;
	uint64_t calls, ok, by_errno[160], disturb_failed;
	atomic_int tid;		/* for tgkill(); 0 until it runs */
	bool unreaped;		/* records still owed at the end */
	char why[200];
};

static atomic_bool stop_drain, go;
static struct worker workers[MAX_THREADS];
static unsigned int nworkers;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void die(const char *what)
{
	static atomic_flag dying = ATOMIC_FLAG_INIT;
	int err = errno;

	if (atomic_flag_test_and_set(&dying))
		for (;;)
			pause();	/* another thread is reporting */
	result("FAIL stress/" NAME ": setup: %s: %s", what, strerror(err));
	result("stress: 0 passed, 1 failed");
	exit(1);
}

static void on_signal(int sig)
{
	(void)sig;
}

static int make_file(const char *dir, uint64_t size, int idx, char *path,
		     size_t plen)
{
	static unsigned char buf[65536];
	int fd;

	snprintf(path, plen, "%s/f%d-%" PRIu64, dir, idx, size);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(path);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + idx);
	for (uint64_t off = 0; off < size; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);

		if (write(fd, buf, n) != (ssize_t)n)
			die(path);
	}
	return fd;
}

static int listener(int family, struct sockaddr_storage *a, socklen_t *alen)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(a, 0, sizeof(*a));
	if (family == AF_INET6) {
		((struct sockaddr_in6 *)a)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)a)->sin6_addr = in6addr_loopback;
		*alen = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)a)->sin_family = AF_INET;
		((struct sockaddr_in *)a)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*alen = sizeof(struct sockaddr_in);
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)a, *alen) != 0 ||
	    listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)a, alen) != 0)
		die("listener");
	return fd;
}

static void pool_setup(struct pool *p)
{
	char path[128];
	int sv[2], fd;

	memset(p, 0, sizeof(*p));
	mkdir(DIR_TMP, 0755);
	mkdir(DIR_EXT4, 0755);
	for (size_t i = 0; i < ARRAY_SIZE(file_sizes); i++) {
		p->files[p->nfiles++] = make_file(DIR_TMP, file_sizes[i], 0,
						  path, sizeof(path));
		p->files[p->nfiles++] = make_file(DIR_EXT4, file_sizes[i], 0,
						  path, sizeof(path));
		if (file_sizes[i] >= 4096) {
			fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
			if (fd >= 0)
				p->files[p->nfiles++] = fd;
		}
	}
	for (int i = 0; i < 4; i++) {
		fd = make_file(i & 1 ? DIR_EXT4 : DIR_TMP, 256 * 1024, i + 1,
			       p->scratch_path[i], sizeof(p->scratch_path[i]));
		p->scratch[i] = fd;
		p->files[p->nfiles++] = fd;
	}
	p->listen4 = listener(AF_INET, &p->addr4, &p->alen4);
	p->listen6 = listener(AF_INET6, &p->addr6, &p->alen6);
	/* Descriptors of every wrong kind. */
	p->garbage[p->ngarbage++] = -1;
	p->garbage[p->ngarbage++] = 1000000;
	p->garbage[p->ngarbage++] = open(DIR_TMP, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	p->garbage[p->ngarbage++] = open(path, O_PATH | O_CLOEXEC);
	p->garbage[p->ngarbage++] = open(path, O_WRONLY | O_CLOEXEC);
	p->garbage[p->ngarbage++] = open("/dev/zero", O_RDWR | O_CLOEXEC);
	p->garbage[p->ngarbage++] = open("/dev/null", O_RDWR | O_CLOEXEC);
	p->garbage[p->ngarbage++] = open("/dev/zcopy", O_RDWR | O_CLOEXEC);
	p->garbage[p->ngarbage++] = open("/sys/class/misc/zcopy/stats/transfers", O_RDONLY | O_CLOEXEC);
	if (pipe2(sv, O_CLOEXEC | O_NONBLOCK) == 0) {
		p->garbage[p->ngarbage++] = sv[0];
		p->garbage[p->ngarbage++] = sv[1];
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv) == 0)
		p->garbage[p->ngarbage++] = sv[0];
	p->garbage[p->ngarbage++] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	p->garbage[p->ngarbage++] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	p->garbage[p->ngarbage++] = p->listen4;
}

/* ---- the sink: accepts and drains every connection ---- */

static void *drain_main(void *arg)
{
	const struct pool *p = arg;
	struct pollfd fds[256];
	nfds_t n = 2;
	static char buf[1 << 16];

	fds[0] = (struct pollfd){ .fd = p->listen4, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = p->listen6, .events = POLLIN };
	while (!atomic_load(&stop_drain)) {
		if (poll(fds, n, 50) <= 0)
			continue;
		for (nfds_t i = 0; i < n; i++) {
			if (!fds[i].revents)
				continue;
			if (i < 2) {
				int c = accept4(fds[i].fd, NULL, NULL,
						SOCK_NONBLOCK | SOCK_CLOEXEC);

				if (c >= 0 && n < ARRAY_SIZE(fds))
					fds[n++] = (struct pollfd){ .fd = c,
								    .events = POLLIN };
				else if (c >= 0)
					close(c);
				continue;
			}
			if (read(fds[i].fd, buf, sizeof(buf)) == 0 ||
			    (fds[i].revents & (POLLERR | POLLHUP))) {
				close(fds[i].fd);
				fds[i--] = fds[--n];
			}
		}
	}
	return NULL;
}

/* ---- one thread's connections ---- */

static int connect_to(const struct pool *p, bool v6, bool nonblock)
{
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { 0, 100000 };

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)(v6 ? &p->addr6 : &p->addr4),
		    v6 ? p->alen6 : p->alen4) != 0) {
		close(fd);
		return -1;
	}
	/* Blocking sends give up after 100 ms: the sink may lag. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (nonblock)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static void reconnect(struct worker *w, int i)
{
	if (w->socks[i] >= 0)
		close(w->socks[i]);
	w->socks[i] = connect_to(w->pool, i == 2, i == 1);
}

/* ---- random arguments ---- */

static int pick_in_fd(struct worker *w)
{
	const struct pool *p = w->pool;

	if (chance(&w->rng, 85))
		return p->files[below(&w->rng, p->nfiles)];
	if (chance(&w->rng, 50))
		return w->socks[below(&w->rng, 3)];
	return p->garbage[below(&w->rng, p->ngarbage)];
}

static int pick_out_fd(struct worker *w)
{
	const struct pool *p = w->pool;

	if (chance(&w->rng, 85))
		return w->socks[below(&w->rng, 3)];
	if (chance(&w->rng, 30))
		return p->files[below(&w->rng, p->nfiles)];
	return p->garbage[below(&w->rng, p->ngarbage)];
}

static uint64_t pick_offset(struct worker *w)
{
	static const uint64_t odd[] = {
		ZCOPY_OFFSET_CURRENT, 1ULL << 63, (uint64_t)-4096, 1ULL << 40,
		0x7fffffffffffffffULL, 0xfffffff000ULL, 4095, 4096, 65536,
	};

	if (chance(&w->rng, 50))
		return 0;
	if (chance(&w->rng, 70))
		return below(&w->rng, 1 << 21);
	return PICK(&w->rng, odd);
}

static uint64_t pick_len(struct worker *w)
{
	static const uint64_t odd[] = {
		0, 1, UINT64_MAX, 1ULL << 63, 0x7fffffffffffffffULL,
		0x7ffff000, 0x80000000ULL, 1ULL << 40,
	};

	if (chance(&w->rng, 60))
		return 1 + below(&w->rng, 1 << 17);
	if (chance(&w->rng, 50))
		return 1 << 20;
	return PICK(&w->rng, odd);
}

static uint32_t pick_flags(struct worker *w)
{
	if (chance(&w->rng, 60))
		return 0;
	if (chance(&w->rng, 80))
		return (uint32_t)below(&w->rng, 8);
	return (uint32_t)rnd(&w->rng);
}

static uint32_t pick_method(struct worker *w)
{
	if (chance(&w->rng, 90))
		return (uint32_t)below(&w->rng, ZCOPY_METHOD_COUNT);
	return chance(&w->rng, 50) ? (uint32_t)rnd(&w->rng) :
	       ZCOPY_METHOD_COUNT;
}

/* An address: in the arena (where the module may write), or not memory. */
static uint64_t pick_addr(struct worker *w, size_t want, bool writable)
{
	static const uint64_t bad[] = {
		0, 0xffffffff81000000ULL, 0xffff888000000000ULL,
		0x8000000000000000ULL, 0x00007ffffffff000ULL, 16,
		0xfffffffffffff000ULL,
	};
	uint64_t base = (uintptr_t)w->arena;

	if (chance(&w->rng, 85)) {
		uint64_t room = want < ARENA_RW ? ARENA_RW - want : 0;

		return base + (below(&w->rng, room + 1) & ~7ULL);
	}
	if (chance(&w->rng, 40))	/* runs into the read-only page */
		return base + ARENA_RW - below(&w->rng, want + 1);
	if (!writable && chance(&w->rng, 30))	/* read-only or guard */
		return base + ARENA_RW + below(&w->rng, 2 * PAGE);
	if (chance(&w->rng, 30))
		return base + ARENA_RW + PAGE + below(&w->rng, PAGE);
	return PICK(&w->rng, bad);
}

static uint32_t pick_size(struct worker *w, uint32_t v1, unsigned char *tail)
{
	static const uint32_t odd[] = { 0, 4, 8, 16, 64, 200, 4096, 4097,
					65536, UINT32_MAX };

	*tail = chance(&w->rng, 70) ? 0 : (unsigned char)rnd(&w->rng);
	if (chance(&w->rng, 75))
		return v1;
	if (chance(&w->rng, 50))
		return v1 + (uint32_t)below(&w->rng, 64) - 32;
	return PICK(&w->rng, odd);
}

/* Lay @st (of @v1 bytes) down at @addr, with the size and tail drawn. */
static void place(struct worker *w, uint64_t addr, void *st, uint32_t v1)
{
	unsigned char tail;
	uint32_t size = pick_size(w, v1, &tail);
	unsigned char *p = (unsigned char *)(uintptr_t)addr;
	uint64_t base = (uintptr_t)w->arena;

	if (addr < base || addr + v1 > base + ARENA_RW)
		return;	/* not ours to write: the module gets what is there */
	memcpy(st, &size, sizeof(size));
	memcpy(p, st, v1);
	if (size > v1) {
		/* A tail of at most 128 bytes: the vector may be behind. */
		uint64_t room = base + ARENA_RW - (addr + v1);

		if (room > 128)
			room = 128;

		memset(p + v1, tail, size - v1 < room ? size - v1 : room);
	}
}

static void build_send(struct worker *w, struct zcopy_send *s)
{
	memset(s, 0, sizeof(*s));
	s->flags = pick_flags(w);
	s->in_fd = pick_in_fd(w);
	s->out_fd = pick_out_fd(w);
	s->method = pick_method(w);
	s->offset = pick_offset(w);
	s->len = pick_len(w);
	if (chance(&w->rng, 3))
		s->reserved0 = 1;
	if (chance(&w->rng, 3))
		s->reserved[below(&w->rng, 2)] = rnd(&w->rng);
}

static void build_sendv(struct worker *w, struct zcopy_sendv *v,
			struct zcopy_segment *segs, unsigned int room)
{
	unsigned int n = chance(&w->rng, 90) ? 1 + (unsigned int)below(&w->rng, 6) :
			 (unsigned int)PICK(&w->rng, ((const uint32_t[]){
				 0, 1024, 1025, 5000, UINT32_MAX }));

	memset(v, 0, sizeof(*v));
	for (unsigned int i = 0; i < n && i < room; i++) {
		struct zcopy_segment *s = &segs[i];

		memset(s, 0, sizeof(*s));
		s->type = chance(&w->rng, 55) ? ZCOPY_SEG_FILE :
			  chance(&w->rng, 90) ? ZCOPY_SEG_MEMORY :
			  (uint32_t)rnd(&w->rng);
		if (s->type == ZCOPY_SEG_FILE) {
			s->fd = pick_in_fd(w);
			s->offset = pick_offset(w);
			s->len = pick_len(w);
		} else {
			s->len = chance(&w->rng, 90) ? below(&w->rng, 3 * PAGE) :
				 pick_len(w);
			s->addr = pick_addr(w, (size_t)(s->len < ARENA_RW ?
							 s->len : ARENA_RW),
					    false);
		}
		if (chance(&w->rng, 3))
			s->reserved = 1;
		if (chance(&w->rng, 3))
			s->fd = pick_in_fd(w);
	}
	v->flags = pick_flags(w);
	v->out_fd = pick_out_fd(w);
	v->method = pick_method(w);
	v->count = n;
	v->segs = chance(&w->rng, 90) ? (uintptr_t)segs :
		  pick_addr(w, n * sizeof(*segs), false);
	v->seg_stats = chance(&w->rng, 40) ? 0 :
		       pick_addr(w, n * sizeof(struct zcopy_stats), true);
	if (chance(&w->rng, 3))
		v->reserved[below(&w->rng, 2)] = 1;
}

/*
 * Up to 4 operations, each a SEND or SENDV built as above in @args (which
 * must stay put for the call), in the submission @sb.
 */
static void build_submit(struct worker *w, struct zcopy_submit *sb,
			 struct zcopy_op *ops, unsigned char (*args)[256],
			 struct zcopy_segment *segs, unsigned int room)
{
	unsigned int n = 1 + (unsigned int)below(&w->rng, 4);

	memset(sb, 0, sizeof(*sb));
	for (unsigned int i = 0; i < n; i++) {
		bool v = chance(&w->rng, 40);

		if (v)
			build_sendv(w, (struct zcopy_sendv *)args[i], segs, room);
		else
			build_send(w, (struct zcopy_send *)args[i]);
		/* Only sizes the module reads whole: place() draws the odd ones. */
		*(uint32_t *)args[i] = v ? sizeof(struct zcopy_sendv) :
				       sizeof(struct zcopy_send);
		ops[i] = (struct zcopy_op){
			.opcode = chance(&w->rng, 95) ? v : (uint32_t)rnd(&w->rng),
			.user_data = below(&w->rng, 8),
			.arg = chance(&w->rng, 95) ? (uintptr_t)args[i] :
			       pick_addr(w, 256, false),
		};
		if (chance(&w->rng, 3))
			ops[i].reserved = 1;
	}
	sb->count = chance(&w->rng, 95) ? n : (uint32_t)rnd(&w->rng);
	sb->ops = chance(&w->rng, 95) ? (uintptr_t)ops :
		  pick_addr(w, n * sizeof(*ops), false);
	if (chance(&w->rng, 3))
		sb->flags = 1;
}

static void build_cancel(struct worker *w, struct zcopy_cancel *c)
{
	memset(c, 0, sizeof(*c));
	c->flags = chance(&w->rng, 30) ? ZCOPY_CANCEL_ALL :
		   chance(&w->rng, 95) ? 0 : (uint32_t)rnd(&w->rng);
	c->user_data = below(&w->rng, 8);
}

/* Read the records that wait, without waiting: the open file holds 4096. */
static void reap_some(struct worker *w)
{
	struct zcopy_completion rec[16];
	struct pollfd pfd = { .fd = w->dev, .events = POLLIN };

	while (poll(&pfd, 1, 0) == 1 && read(w->dev, rec, sizeof(rec)) > 0)
		;
}

/*
 * At the end: cancel what is in flight and read every record, so that the
 * counters are at rest for check_sums().  Returns -1 if records are still
 * owed after 60 s.
 */
static int reap_all(struct worker *w)
{
	struct zcopy_cancel all = { .size = sizeof(all), .flags = ZCOPY_CANCEL_ALL };
	struct zcopy_completion rec[16];
	uint64_t end = now_ms() + 60000;

	ioctl(w->dev, ZCOPY_IOC_CANCEL, &all);
	while (now_ms() < end) {
		struct pollfd pfd = { .fd = w->dev, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
			return -1;
		n = read(w->dev, rec, sizeof(rec));
		if (!n)
			return 0;	/* nothing owed, nothing waits */
		if (n < 0 && errno != EINTR)
			return -1;
	}
	return -1;
}

static unsigned long pick_cmd(struct worker *w)
{
	static const unsigned long real[] = {
		ZCOPY_IOC_INFO, ZCOPY_IOC_SEND, ZCOPY_IOC_COUNTERS,
		ZCOPY_IOC_SENDV, ZCOPY_IOC_SEND, ZCOPY_IOC_SENDV,
		ZCOPY_IOC_SUBMIT, ZCOPY_IOC_SUBMIT, ZCOPY_IOC_CANCEL,
	};
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};

	if (chance(&w->rng, 85))
		return PICK(&w->rng, real);
	/* Only zcopy's magic: other numbers may be the VFS's own ioctls. */
	return _IOC(PICK(&w->rng, dirs), ZCOPY_IOC_MAGIC,
		    below(&w->rng, 256), below(&w->rng, 1 << 14));
}

/* Something else happening meanwhile. */
static void disturb(struct worker *w)
{
	const struct pool *p = w->pool;
	unsigned int i = (unsigned int)below(&w->rng, 4);
	int fd = p->scratch[i];

	switch (below(&w->rng, 6)) {
	case 0:
		if (ftruncate(fd, (off_t)below(&w->rng, 512 * 1024)) != 0)
			w->disturb_failed++;
		break;
	case 1:
		fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			  (off_t)below(&w->rng, 256 * 1024),
			  (off_t)below(&w->rng, 128 * 1024) + 1);
		break;
	case 2:
		if (pwrite(fd, w->arena, PAGE,
			   (off_t)below(&w->rng, 256 * 1024)) != PAGE)
			w->disturb_failed++;
		break;
	case 3:
		shutdown(w->socks[below(&w->rng, 3)],
			 chance(&w->rng, 50) ? SHUT_WR : SHUT_RDWR);
		break;
	case 4:
		reconnect(w, (int)below(&w->rng, 3));
		break;
	case 5: {
		/* By thread id: one that has ended just is not there. */
		int tid = atomic_load(&workers[below(&w->rng, nworkers)].tid);

		if (tid && tgkill(getpid(), tid, SIGUSR1) != 0)
			w->disturb_failed++;
		break;
	}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	_Alignas(8) unsigned char st[256];
	_Alignas(8) unsigned char args[4][256];
	struct zcopy_op ops[4];
	struct zcopy_segment *segs;

	/* Segment vectors live in the second half of the arena. */
	segs = (struct zcopy_segment *)(w->arena + PAGE);
	atomic_store(&w->tid, gettid());
	while (!atomic_load(&go))
		usleep(1000);
	while (now_ms() < w->deadline) {
		unsigned long cmd = pick_cmd(w);
		uint64_t addr;
		int rc;

		if (chance(&w->rng, 4)) {
			disturb(w);
			continue;
		}
		memset(st, 0, sizeof(st));
		switch (cmd) {
		case ZCOPY_IOC_SEND:
			build_send(w, (struct zcopy_send *)st);
			break;
		case ZCOPY_IOC_SENDV:
			build_sendv(w, (struct zcopy_sendv *)st, segs,
				    PAGE / sizeof(*segs));
			break;
		case ZCOPY_IOC_SUBMIT:
			build_submit(w, (struct zcopy_submit *)st, ops, args,
				     segs, PAGE / sizeof(*segs));
			break;
		case ZCOPY_IOC_CANCEL:
			build_cancel(w, (struct zcopy_cancel *)st);
			break;
		default:
			for (size_t i = 8; i < sizeof(st); i++)
				st[i] = chance(&w->rng, 80) ? 0 :
					(unsigned char)rnd(&w->rng);
			break;
		}
		/* The struct in the first page: it must not overwrite the
		 * segment vector in the second. */
		addr = chance(&w->rng, 90) ?
		       (uintptr_t)w->arena + (below(&w->rng, PAGE - 256) & ~7ULL) :
		       pick_addr(w, 256, true);
		place(w, addr, st, cmd == ZCOPY_IOC_SENDV ?
		      sizeof(struct zcopy_sendv) :
		      cmd == ZCOPY_IOC_SUBMIT ? sizeof(struct zcopy_submit) :
		      cmd == ZCOPY_IOC_CANCEL ? sizeof(struct zcopy_cancel) :
		      cmd == ZCOPY_IOC_INFO ? sizeof(struct zcopy_info) :
		      cmd == ZCOPY_IOC_COUNTERS ?
		      sizeof(struct zcopy_counters) : sizeof(struct zcopy_send));
		rc = ioctl(w->dev, cmd, (unsigned long)addr);
		w->calls++;
		if (rc >= 0)
			w->ok++;
		else
			w->by_errno[errno < 160 ? errno : 0]++;
		if (chance(&w->rng, 10))
			reap_some(w);
	}
	if (reap_all(w) != 0)
		w->unreaped = true;
	return NULL;
}

static int read_u64(const char *path, uint64_t *v)
{
	FILE *f = fopen(path, "re");
	int ok = f && fscanf(f, "%" SCNu64, v) == 1;

	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

/* At rest, each stats/ counter is the sum of the methods' counters. */
static int check_sums(char *why, size_t len)
{
	static const char *const ctrs[] = {
		"transfers", "bytes", "zc_bytes", "copied_bytes",
		"cache_hit_pages", "cache_miss_pages", "storage_read_bytes",
		"errors",
	};
	static const char *const methods[] = {
		"copy", "mmap", "splice", "pages", "direct",
	};
	char path[160];

	for (size_t c = 0; c < ARRAY_SIZE(ctrs); c++) {
		uint64_t total, sum = 0, v;

		snprintf(path, sizeof(path), "/sys/class/misc/zcopy/stats/%s",
			 ctrs[c]);
		if (read_u64(path, &total) != 0) {
			snprintf(why, len, "cannot read %s", path);
			return -1;
		}
		for (size_t m = 0; m < ARRAY_SIZE(methods); m++) {
			snprintf(path, sizeof(path),
				 "/sys/class/misc/zcopy/stats_%s/%s",
				 methods[m], ctrs[c]);
			if (read_u64(path, &v) == 0)
				sum += v;
		}
		if (sum != total) {
			snprintf(why, len, "stats/%s is %" PRIu64
				 ", the methods add up to %" PRIu64,
				 ctrs[c], total, sum);
			return -1;
		}
	}
	return 0;
}

/* After all that, a plain transfer still works and brings the bytes. */
static int check_alive(const struct pool *p, char *why, size_t len)
{
	struct zcopy_send req;
	int dev = open("/dev/zcopy", O_RDWR | O_CLOEXEC);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int l, c = -1, fd;
	char path[128], buf[4096], want[4096];
	struct sockaddr_storage a;
	socklen_t alen;

	l = listener(AF_INET, &a, &alen);
	fd = make_file(DIR_TMP, sizeof(want), 99, path, sizeof(path));
	(void)p;
	if (dev < 0 || s < 0 || connect(s, (struct sockaddr *)&a, alen) != 0 ||
	    (c = accept(l, NULL, NULL)) < 0 ||
	    pread(fd, want, sizeof(want), 0) != (ssize_t)sizeof(want)) {
		snprintf(why, len, "final transfer setup: %s", strerror(errno));
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.in_fd = fd;
	req.out_fd = s;
	req.len = sizeof(want);
	if (ioctl(dev, ZCOPY_IOC_SEND, &req) != 0 || req.sent != sizeof(want)) {
		snprintf(why, len, "final transfer: %s, sent %llu",
			 strerror(errno), (unsigned long long)req.sent);
		return -1;
	}
	if (recv(c, buf, sizeof(buf), MSG_WAITALL) != (ssize_t)sizeof(buf) ||
	    memcmp(buf, want, sizeof(buf)) != 0) {
		snprintf(why, len, "final transfer: wrong bytes received");
		return -1;
	}
	close(dev);
	close(s);
	close(c);
	close(l);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int seconds = 60, threads = 4;
	uint64_t seed = 0, calls = 0, ok = 0, errs[160] = { 0 };
	struct pool pool;
	pthread_t drain;
	struct sigaction sa;
	bool have_seed = false;
	char why[256] = "";

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seconds"))
			seconds = (unsigned int)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--threads"))
			threads = (unsigned int)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed")) {
			seed = strtoull(argv[i + 1], NULL, 0);
			have_seed = true;
		}
	}
	if (threads < 1 || threads > MAX_THREADS)
		threads = 4;
	results_open();
	if (!have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec;
	}
	printf("zcopy-stress: seed 0x%016" PRIx64 ", %u threads, %u s "
	       "(replay: zcopy-stress --seed 0x%016" PRIx64 " --threads %u --seconds %u)\n",
	       seed, threads, seconds, seed, threads, seconds);
	fflush(stdout);

	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: calls see EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	pool_setup(&pool);
	if (pthread_create(&drain, NULL, drain_main, &pool) != 0)
		die("drain thread");

	nworkers = threads;
	for (unsigned int i = 0; i < threads; i++) {
		struct worker *w = &workers[i];
		unsigned char *a = mmap(NULL, ARENA_RW + 2 * PAGE,
					PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (a == MAP_FAILED ||
		    mprotect(a + ARENA_RW, PAGE, PROT_READ) != 0 ||
		    mprotect(a + ARENA_RW + PAGE, PAGE, PROT_NONE) != 0)
			die("arena");
		w->id = (int)i;
		w->rng.s = seed + 0x1000193ULL * (i + 1);
		w->pool = &pool;
		w->arena = a;
		w->dev = open("/dev/zcopy", O_RDWR | O_CLOEXEC);
		if (w->dev < 0)
			die("/dev/zcopy");
		for (int k = 0; k < 3; k++) {
			w->socks[k] = -1;
			reconnect(w, k);
		}
		w->deadline = now_ms() + seconds * 1000ULL;
	}
	/* All exist before any runs: disturb() signals any of them. */
	for (unsigned int i = 0; i < threads; i++)
		if (pthread_create(&workers[i].th, NULL, worker_main,
				   &workers[i]) != 0)
			die("worker thread");
	atomic_store(&go, true);
	for (unsigned int i = 0; i < threads; i++) {
		pthread_join(workers[i].th, NULL);
		calls += workers[i].calls;
		ok += workers[i].ok;
		for (int e = 0; e < 160; e++)
			errs[e] += workers[i].by_errno[e];
	}
	atomic_store(&stop_drain, true);
	pthread_join(drain, NULL);

	printf("zcopy-stress: %" PRIu64 " calls, %" PRIu64 " succeeded;", calls, ok);
	for (int e = 0; e < 160; e++)
		if (errs[e])
			printf(" %s %" PRIu64, strerrorname_np(e) ?
			       strerrorname_np(e) : "?", errs[e]);
	printf("\n");
	for (unsigned int i = 0; i < threads; i++)
		if (workers[i].unreaped)
			snprintf(why, sizeof(why),
				 "thread %u: operations still owed records 60 s after ZCOPY_CANCEL_ALL", i);
	if (why[0])
		;
	else if (!calls)
		snprintf(why, sizeof(why), "no call was made");
	else if (check_sums(why, sizeof(why)) == 0)
		check_alive(&pool, why, sizeof(why));
	if (why[0])
		result("FAIL stress/" NAME ": %s (seed 0x%016" PRIx64 ")", why,
		       seed);
	else
		result("PASS stress/" NAME);
	result("stress: %u passed, %u failed", why[0] ? 0 : 1, why[0] ? 1 : 0);
	return why[0] ? 1 : 0;
}
