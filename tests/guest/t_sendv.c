// SPDX-License-Identifier: GPL-2.0
/*
 * t_sendv.c - the "sendv" group: ZCOPY_IOC_SENDV, vectors of memory and
 * file segments (vector.c), their limits and checks, stops and resumes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "vector.h"

#define STOP_FINISH_MS 120000
#define ON_TMPFS (1U << FS_TMPFS)
#define ON_EXT4 (1U << FS_EXT4)

/* ---------------------------------------------------------------- */
/* Vectors that go out whole, or stop and resume                     */

struct shape {
	const char *name;
	int (*build)(struct tctx *t, struct sv *v, const struct fsdesc *fs);
	unsigned int fs_mask;	/* 1 << FS_* */
	unsigned int methods;	/* 1 << ZCOPY_METHOD_* (DIRECT: ext4 only) */
	bool stop;		/* non-blocking, receiver holding: stops */
};

/* 200 bytes of header, a whole file, 100 bytes of trailer. */
static int build_hft(struct tctx *t, struct sv *v, const struct fsdesc *fs)
{
	struct piece p = { .base = 200, .size = MIB + 13 };

	if (piece_open(t, fs, v->seed, O_RDONLY, &p) != 0)
		return -1;
	sv_mem(v, 200);
	sv_file(v, &p, p.size, false);
	sv_mem(v, 100);
	return 0;
}

/* 64 files of different sizes, each after a header of its own. */
static int build_files64(struct tctx *t, struct sv *v, const struct fsdesc *fs)
{
	for (unsigned int i = 0; i < 64; i++) {
		struct piece p = { .size = 1000 + 97 * i };

		sv_mem(v, 32 + i);
		p.base = v->stream;
		if (piece_open(t, fs, v->seed, O_RDONLY, &p) != 0)
			return -1;
		sv_file(v, &p, p.size, false);
	}
	return 0;
}

/* The most segments a call takes, memory and ranges of one file by turns;
 * the memory bytes stand where the file has the same bytes. */
static int build_segs_max(struct tctx *t, struct sv *v, const struct fsdesc *fs)
{
	const uint64_t mem = 48, file = 1000;
	struct piece p = { .base = 0,
			   .size = ZCOPY_SENDV_MAX_SEGS / 2 * (mem + file) };

	if (piece_open(t, fs, v->seed, O_RDONLY, &p) != 0)
		return -1;
	while (v->n < ZCOPY_SENDV_MAX_SEGS) {
		sv_mem(v, mem);
		sv_file(v, &p, file, false);
	}
	return 0;
}

/* A file segment at end of file sends nothing and does not stop the call;
 * one that ends early sends what there is.  The last one sends nothing. */
static int build_eof(struct tctx *t, struct sv *v, const struct fsdesc *fs)
{
	struct piece a = { .base = 100, .size = 5000 };
	struct piece b = { .base = 5200, .size = 50 };

	if (piece_open(t, fs, v->seed, O_RDONLY, &a) != 0 ||
	    piece_open(t, fs, v->seed, O_RDONLY, &b) != 0)
		return -1;
	sv_mem(v, 100);
	sv_file(v, &a, 5000, false);
	sv_file(v, &a, 100, false);	/* at EOF */
	sv_mem(v, 100);
	sv_file(v, &b, 1000, false);	/* 50 */
	sv_file(v, &b, 100, false);	/* at EOF */
	return 0;
}

/* No file at all: AUTO has nothing to decide from. */
static int build_memory_only(struct tctx *t, struct sv *v,
			     const struct fsdesc *fs)
{
	(void)t;
	(void)fs;
	sv_mem(v, 300);
	sv_mem(v, 0);
	sv_mem(v, 700);
	return 0;
}

/* Exactly ZCOPY_SENDV_MAX_MEMORY bytes of memory segments. */
static int build_memory_max(struct tctx *t, struct sv *v,
			    const struct fsdesc *fs)
{
	struct piece p = { .base = ZCOPY_SENDV_MAX_MEMORY / 2, .size = 4096 };

	if (piece_open(t, fs, v->seed, O_RDONLY, &p) != 0)
		return -1;
	sv_mem(v, ZCOPY_SENDV_MAX_MEMORY / 2);
	sv_file(v, &p, p.size, false);
	sv_mem(v, ZCOPY_SENDV_MAX_MEMORY / 2);
	return 0;
}

/* Empty segments of both kinds, one memory segment with address 0. */
static int build_zero_len(struct tctx *t, struct sv *v, const struct fsdesc *fs)
{
	struct piece p = { .base = 0, .size = 400 };

	if (piece_open(t, fs, v->seed, O_RDONLY, &p) != 0)
		return -1;
	sv_mem(v, 100);
	sv_file(v, &p, 0, false);
	sv_mem(v, 0);
	v->seg[v->n - 1].addr = 0;
	sv_file(v, &p, 200, false);
	sv_mem(v, 100);
	return 0;
}

/* Two segments through one file position: the second goes on where the
 * first ended, and the position ends after both, as two sendfile(2)
 * calls with a NULL offset would leave it. */
static int build_offset_current(struct tctx *t, struct sv *v,
				const struct fsdesc *fs)
{
	struct piece p = { .base = 0, .size = 2100 };

	if (piece_open(t, fs, v->seed, O_RDONLY, &p) != 0)
		return -1;
	sv_file(v, &p, 1000, true);
	sv_file(v, &p, 1000, true);
	sv_mem(v, 100);
	v->pos_fd = p.fd;
	v->want_pos = 2000;
	return 0;
}

/* The stop shapes' stream: the shared 64 MiB test file, more than
 * loopback buffers while the receiver holds. */
static int big_stream(struct tctx *t, struct sv *v, const struct fsdesc *fs,
		      struct piece *p)
{
	struct tfile f;

	*p = (struct piece){ .base = 0, .size = 64 * MIB };
	p->fd = tfile_open(t, fs, p->size, &f);
	v->seed = f.seed;
	return p->fd < 0 ? -1 : 0;
}

/* A big file between a header and a trailer. */
static int build_stop(struct tctx *t, struct sv *v, const struct fsdesc *fs)
{
	struct piece p;

	if (big_stream(t, v, fs, &p) != 0)
		return -1;
	sv_mem(v, 200);
	sv_file(v, &p, p.size - 300, false);
	sv_mem(v, 100);
	return 0;
}

/* 32 headers of 32 KiB (all the memory a call takes), each before 1 MiB of
 * file: the stop may fall in either kind of segment. */
static int build_stop_interleaved(struct tctx *t, struct sv *v,
				  const struct fsdesc *fs)
{
	struct piece p;

	if (big_stream(t, v, fs, &p) != 0)
		return -1;
	for (unsigned int i = 0; i < 32; i++) {
		sv_mem(v, ZCOPY_SENDV_MAX_MEMORY / 32);
		sv_file(v, &p, MIB, false);
	}
	return 0;
}

static const struct shape shapes[] = {
	{ "header-file-trailer", build_hft, ON_TMPFS | ON_EXT4,
	  .methods = PAGE_METHODS | M(AUTO) | M(DIRECT) },
	{ "files64", build_files64, ON_TMPFS | ON_EXT4,
	  .methods = M(PAGES) | M(SPLICE) },
	{ "segs1024", build_segs_max, ON_TMPFS, .methods = PAGE_METHODS },
	{ "eof-segments", build_eof, ON_TMPFS, .methods = PAGE_METHODS },
	{ "memory-only", build_memory_only, ON_TMPFS,
	  .methods = M(AUTO) | M(COPY) },
	{ "memory-max", build_memory_max, ON_TMPFS, .methods = M(PAGES) },
	{ "zero-len-segments", build_zero_len, ON_TMPFS,
	  .methods = M(PAGES) | M(SPLICE) },
	{ "offset-current-twice", build_offset_current, ON_TMPFS,
	  .methods = M(COPY) | M(SPLICE) | M(PAGES) },
	{ "stop-resume", build_stop, ON_TMPFS, .methods = PAGE_METHODS,
	  .stop = true },
	{ "stop-resume-interleaved", build_stop_interleaved, ON_TMPFS,
	  .methods = M(PAGES) | M(COPY), .stop = true },
};

struct shape_case {
	const struct shape *shape;
	const struct fsdesc *fs;
	unsigned int method;
	bool seg_stats;
};

static int shape_test(struct tctx *t, const void *arg)
{
	const struct shape_case *c = arg;
	const struct shape *sh = c->shape;
	struct sv_run run = { t->dev, -1, c->method, 0, c->seg_stats };
	struct tally before, delta;
	struct receiver rx;
	struct sv *v = sv_new(t);
	int rc;

	memset(&delta, 0, sizeof(delta));
	if (!v || sh->build(t, v, c->fs) != 0 ||
	    (v->pos_fd >= 0 && lseek(v->pos_fd, 0, SEEK_SET) != 0) ||
	    receiver_start(t, &rx, AF_INET, sh->stop ? RX_HOLD : RX_READ,
			   &(struct rx_spec){ v->seed, 0, 0 }) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		return -1;
	run.sock = rx.sock;
	if (!sh->stop) {
		rc = sv_all(t, v, &run, &delta);
	} else {
		if (set_nonblock(rx.sock) != 0)
			return fail_errno(t, "O_NONBLOCK");
		rc = sv_once(t, v, &run, false, &delta);
		if (rc > 0)
			return fail(t, "expected a stop part-way, all %llu bytes went",
				    (unsigned long long)v->sent);
		if (rc == 0)
			rc = receiver_release(t, &rx) ||
			     sv_finish(t, v, &run, &delta, STOP_FINISH_MS) ? -1 : 0;
	}
	if (rc != 0)
		return -1;
	if (v->pos_fd >= 0 && lseek(v->pos_fd, 0, SEEK_CUR) != v->want_pos)
		return fail(t, "file position after the call: expected %lld, got %lld",
			    (long long)v->want_pos,
			    (long long)lseek(v->pos_fd, 0, SEEK_CUR));
	if (receiver_finish(t, &rx, v->stream) != 0)
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}

/* ---------------------------------------------------------------- */
/* Vectors the module must refuse before the first byte              */

/* The one thing a case breaks in a valid 10-segment vector. */
enum brk {
	B_NONE,		/* only the case's flags and method */
	B_COUNT,	/* count = v (valid empty segments up to it) */
	B_FD,		/* seg[i].fd = v */
	B_FD_KIND,	/* seg[i].fd: a descriptor of kind v */
	B_LEN,		/* seg[i].len = v */
};

struct sv_err {
	const char *name;
	int want;
	enum brk what;
	unsigned int i;
	uint64_t v;
	uint32_t flags;
	unsigned int method;	/* AUTO unless set */
	enum need need;
};

/* Segments 0, 2, ... 8 are 100 bytes of memory, 1, 3, ... 9 1000 bytes of
 * one file: "segment 5 of 10" is the sixth, a file. */
#define ERR_PAIRS 5

static const struct sv_err sv_errs[] = {
	/* Only the count is wrong: all 1025 segments are valid. */
	{ "count-1025-valid-segments", EINVAL, B_COUNT, .i = 0,
	  .v = ZCOPY_SENDV_MAX_SEGS + 1 },
	/* With the other four, one byte more than the memory limit. */
	{ "memory-over-max-in-5-segments", EINVAL, B_LEN, .i = 0,
	  .v = ZCOPY_SENDV_MAX_MEMORY - 4 * 100 + 1 },
	{ "seg5-of-10-fd-minus1", EBADF, B_FD, .i = 5, .v = (uint64_t)-1 },
	{ "seg5-of-10-fd-closed", EBADF, B_FD_KIND, .i = 5, .v = K_CLOSED },
	{ "seg5-of-10-fd-opath", EBADF, B_FD_KIND, .i = 5, .v = K_OPATH },
	{ "seg5-of-10-fd-wronly", EBADF, B_FD_KIND, .i = 5, .v = K_WRONLY },
	{ "seg3-of-10-directory", EINVAL, B_FD_KIND, .i = 3, .v = K_DIR },
	{ "seg9-of-10-pipe", EINVAL, B_FD_KIND, .i = 9, .v = K_PIPE },
	{ "flags-nodiskio-direct", EINVAL, .flags = ZCOPY_F_NODISKIO,
	  .method = ZCOPY_METHOD_DIRECT, .need = NEED_DIRECT },
};

/* Apply the case's one breakage to the vector @v and the call @c. */
static int sv_break(struct tctx *t, const struct sv_err *e, struct sv *v,
		    struct zcopy_sendv *c)
{
	struct zcopy_segment *s = &v->seg[e->i];
	int fd;

	switch (e->what) {
	case B_NONE:
		break;
	case B_COUNT:
		for (unsigned int i = v->n; i < e->v; i++)
			v->seg[i] = (struct zcopy_segment){ .type = ZCOPY_SEG_MEMORY };
		c->count = (uint32_t)e->v;
		break;
	case B_FD:
		s->fd = (int32_t)e->v;
		break;
	case B_FD_KIND:
		fd = fd_of_kind(t, (enum fd_kind)e->v, s->fd);
		if (fd == INT_MIN)
			return -1;
		s->fd = fd;
		break;
	case B_LEN:
		s->len = e->v;
		break;
	}
	return 0;
}

/* The call fails with the case's errno, the receiver gets nothing and no
 * counter moves. */
static int sv_err_test(struct tctx *t, const void *arg)
{
	const struct sv_err *e = arg;
	struct piece p = { .base = 0, .size = ERR_PAIRS * 1100 };
	struct tally before, none;
	struct zcopy_sendv c;
	struct receiver rx;
	struct sv *v = sv_new(t);

	memset(&none, 0, sizeof(none));
	if (!v || piece_open(t, &fs_list[FS_TMPFS], v->seed, O_RDONLY, &p) != 0)
		return -1;
	for (unsigned int i = 0; i < ERR_PAIRS; i++) {
		sv_mem(v, 100);
		sv_file(v, &p, 1000, false);
	}
	if (receiver_start(t, &rx, AF_INET, RX_READ,
			   &(struct rx_spec){ v->seed, 0, 0 }) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		return -1;
	sv_args(&c, v, &(struct sv_run){ t->dev, rx.sock, e->method, e->flags,
					 true });
	if (sv_break(t, e, v, &c) != 0 ||
	    expect_errno(t, "ZCOPY_IOC_SENDV", ioctl(t->dev, ZCOPY_IOC_SENDV, &c),
			 e->want) != 0 ||
	    tally_expect_delta(t, t->dev, &before, &none) != 0)
		return -1;
	return receiver_finish(t, &rx, 0);
}

/* ---------------------------------------------------------------- */
/* Registration                                                      */

/* Each shape with per-segment statistics (each segment sent and timed on
 * its own) and without (segments merged into shared sends). */
static void add_shapes(struct registry *r)
{
	for (size_t s = 0; s < ARRAY_SIZE(shapes); s++) {
		for (int f = 0; f < FS_COUNT; f++) {
			for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT * 2; m++) {
				const unsigned int meth = m / 2;
				const bool seg_stats = !(m & 1);
				struct shape_case *c;
				struct test *tc;

				if (!(shapes[s].fs_mask & (1U << f)) ||
				    !(shapes[s].methods & (1U << meth)) ||
				    (meth == ZCOPY_METHOD_DIRECT && f != FS_EXT4))
					continue;
				c = xcalloc(1, sizeof(*c));
				*c = (struct shape_case){ &shapes[s], &fs_list[f],
							  meth, seg_stats };
				tc = reg_add(r, "sendv", shape_test, c, "%s-%s-%s%s",
					     shapes[s].name, fs_list[f].name,
					     method_desc[meth].name,
					     seg_stats ? "" : "-merged");
				if (meth == ZCOPY_METHOD_DIRECT)
					tc->need = NEED_DIRECT;
				if (shapes[s].stop)
					tc->timeout_s = TIMEOUT_LONG_S;
			}
		}
	}
}

/* A loopback connection within this process: @cfd sends, @afd receives. */
static int tcp_loopback(struct tctx *t, int *cfd, int *afd)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || *cfd < 0 || bind(lfd, (struct sockaddr *)&sa, salen) ||
	    listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen) ||
	    connect(*cfd, (struct sockaddr *)&sa, salen))
		return fail_errno(t, "loopback connection");
	*afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	return *afd < 0 ? fail_errno(t, "accept") : 0;
}

#define PUSH_BYTES 3000

/* A call that ends with a file segment its method sent alone (not
 * gathered) and an empty segment after it: what went must be pushed when
 * the call returns, not held behind MSG_MORE (until TCP's probe timer
 * sends it, 200 ms later).  Loopback transmits as the push happens, so
 * right after the call the socket holds no byte it has not sent. */
static int push_at_end_test(struct tctx *t, const void *arg)
{
	const unsigned int method = *(const unsigned int *)arg;
	unsigned char want[PUSH_BYTES], got[PUSH_BYTES];
	struct zcopy_segment seg[2];
	struct tcp_info ti = { 0 };
	socklen_t tilen = sizeof(ti);
	struct zcopy_sendv c;
	struct tfile f;
	size_t have = 0;
	int in, cfd = -1, afd = -1;

	in = tfile_open(t, &fs_list[FS_TMPFS], 64 * KIB, &f);
	if (in < 0 || tcp_loopback(t, &cfd, &afd) != 0)
		return -1;
	memset(seg, 0, sizeof(seg));
	seg[0] = (struct zcopy_segment){ .type = ZCOPY_SEG_FILE, .fd = in,
					 .len = PUSH_BYTES };
	seg[1].type = ZCOPY_SEG_MEMORY;
	c = (struct zcopy_sendv){ .size = sizeof(c), .out_fd = cfd,
				  .method = method, .segs = (uintptr_t)seg,
				  .count = 2 };
	if (ioctl(t->dev, ZCOPY_IOC_SENDV, &c) != 0)
		return fail_errno(t, "ZCOPY_IOC_SENDV");
	if (getsockopt(cfd, IPPROTO_TCP, TCP_INFO, &ti, &tilen) != 0)
		return fail_errno(t, "TCP_INFO");
	if (check_u64(t, "sent", c.sent, PUSH_BYTES) ||
	    check_u64(t, "bytes the socket holds unsent after the call",
		      ti.tcpi_notsent_bytes, 0))
		return -1;
	while (have < PUSH_BYTES) {
		struct pollfd pfd = { .fd = afd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 10000) != 1)
			return fail(t, "%zu of %d bytes arrived", have, PUSH_BYTES);
		n = read(afd, got + have, PUSH_BYTES - have);
		if (n <= 0)
			return fail_errno(t, "read");
		have += n;
	}
	pattern_fill(f.seed, 0, want, PUSH_BYTES);
	if (memcmp(got, want, PUSH_BYTES) != 0)
		return fail(t, "the bytes received are not the file's");
	return 0;
}

static const unsigned int push_methods[] = {
	ZCOPY_METHOD_COPY, ZCOPY_METHOD_MMAP, ZCOPY_METHOD_SPLICE,
	ZCOPY_METHOD_PAGES,
};

void sendv_register(struct registry *r)
{
	add_shapes(r);
	for (size_t i = 0; i < ARRAY_SIZE(push_methods); i++)
		reg_add(r, "sendv", push_at_end_test, &push_methods[i],
			"push-at-end-%s", method_desc[push_methods[i]].name);
	for (size_t i = 0; i < ARRAY_SIZE(sv_errs); i++)
		reg_add(r, "sendv", sv_err_test, &sv_errs[i], "%s",
			sv_errs[i].name)->need = sv_errs[i].need;
}
