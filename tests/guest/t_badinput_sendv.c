// SPDX-License-Identifier: GPL-2.0
/*
 * t_badinput_sendv.c - the "badinput" group, ZCOPY_IOC_SENDV: the vector,
 * its segments, the memory they point at and the per-segment statistics,
 * each wrong in one way.  The uAPI promises that every segment is checked
 * before the first byte goes, so a bad segment anywhere, even the last,
 * leaves the connection empty and the counters still.
 *
 * The valid request: a memory header (stream bytes 0-99), the file range
 * 100 to size-100, a memory trailer (the last 100 bytes): the receiver sees
 * the test file whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "badinput.h"
#include "inject.h"

#define HDR 100
#define PAGE 4096

enum sv_mut {
	/* Not errors. */
	SV_OK,
	SV_OK_SEGS_READONLY,	/* the vector is only read */
	SV_OK_MEM_READONLY,	/* so are the memory segments */
	SV_OK_STATS_NULL,	/* no per-segment statistics asked */
	SV_OK_MEM_1MIB,		/* memory segments of exactly the limit */
	SV_OK_COUNT_MAX,	/* ZCOPY_SENDV_MAX_SEGS segments */
	/* The vector. */
	SV_COUNT_0,
	SV_COUNT_MAX_PLUS1,
	SV_COUNT_U32_MAX,
	SV_SEGS_NULL,
	SV_SEGS_UNMAPPED,
	SV_SEGS_KERNEL,
	SV_SEGS_NONCANONICAL,
	SV_SEGS_STRADDLE,	/* the last segment runs into unmapped memory */
	/* Memory segments. */
	SV_MEM_NULL,
	SV_MEM_UNMAPPED,
	SV_MEM_KERNEL,
	SV_MEM_STRADDLE,
	SV_MEM_OVER_1MIB,
	SV_MEM_FD,
	SV_MEM_OFFSET,
	/* Per-segment statistics. */
	SV_STATS_UNMAPPED,
	SV_STATS_READONLY,
	SV_STATS_KERNEL,
	SV_STATS_STRADDLE,
	/* Segment fields. */
	SV_TYPE_UNKNOWN,
	SV_SEG_RESERVED,
	SV_FILE_ADDR,
	SV_FILE_FD_MINUS1,
	SV_FILE_FD_PIPE,
	SV_FILE_FD_WRONLY,
	SV_FILE_FD_DIR,
	SV_FILE_FD_SOCKET,
	SV_FILE_OFFSET_NEG,
	SV_FILE_OFFSET_WRAP,
	SV_FILE_LEN_2P63,
	SV_FILE_SMAXBYTES,
	SV_FILE_FPOS_WRAP,	/* the second of two file-position segments */
	SV_LAST_BAD,		/* a fourth, last segment with a closed fd */
	/* The call. */
	SV_OUT_FILE,
	SV_OUT_MINUS1,
	SV_OUT_UNCONNECTED,
	SV_OUT_UDP,
	SV_FLAGS_UNKNOWN,
	SV_FLAGS_NOSIGNAL_SPLICE,
	SV_METHOD_UNKNOWN,
	SV_RESERVED0,
	SV_RESERVED1,
	/* The argument struct. */
	SV_SIZE_4,
	SV_SIZE_V1_MINUS8,
	SV_SIZE_TAIL,
	SV_STRUCT_NULL,
	SV_STRUCT_UNMAPPED,
	SV_STRUCT_READONLY,
	SV_STRUCT_KERNEL,
};

struct sv_case {
	const char *name;
	enum sv_mut mut;
	int want;
	bool ptr64;	/* needs a 64-bit caller */
};

static const struct sv_case sv_cases[] = {
	{ "sendv-ok-segs-readonly", SV_OK_SEGS_READONLY, .want = 0 },
	{ "sendv-ok-mem-readonly", SV_OK_MEM_READONLY, .want = 0 },
	{ "sendv-ok-seg-stats-0", SV_OK_STATS_NULL, .want = 0 },
	{ "sendv-ok-memory-1mib", SV_OK_MEM_1MIB, .want = 0 },
	{ "sendv-ok-count-1024", SV_OK_COUNT_MAX, .want = 0 },
	{ "sendv-count-0", SV_COUNT_0, .want = EINVAL },
	{ "sendv-count-1025", SV_COUNT_MAX_PLUS1, .want = EINVAL },
	{ "sendv-count-u32-max", SV_COUNT_U32_MAX, .want = EINVAL },
	{ "sendv-segs-null", SV_SEGS_NULL, .want = EFAULT },
	{ "sendv-segs-unmapped", SV_SEGS_UNMAPPED, .want = EFAULT },
	{ "sendv-segs-kernel-address", SV_SEGS_KERNEL, .want = EFAULT },
	{ "sendv-segs-noncanonical", SV_SEGS_NONCANONICAL, .want = EFAULT },
	{ "sendv-segs-straddle-unmapped", SV_SEGS_STRADDLE, .want = EFAULT },
	{ "sendv-mem-null", SV_MEM_NULL, .want = EFAULT },
	{ "sendv-mem-unmapped", SV_MEM_UNMAPPED, .want = EFAULT },
	{ "sendv-mem-kernel-address", SV_MEM_KERNEL, .want = EFAULT },
	{ "sendv-mem-straddle-unmapped", SV_MEM_STRADDLE, .want = EFAULT },
	{ "sendv-mem-over-1mib", SV_MEM_OVER_1MIB, .want = EINVAL },
	{ "sendv-mem-seg-fd", SV_MEM_FD, .want = EINVAL },
	{ "sendv-mem-seg-offset", SV_MEM_OFFSET, .want = EINVAL },
	{ "sendv-seg-stats-unmapped", SV_STATS_UNMAPPED, .want = EFAULT },
	{ "sendv-seg-stats-readonly", SV_STATS_READONLY, .want = EFAULT },
	{ "sendv-seg-stats-kernel-address", SV_STATS_KERNEL, .want = EFAULT },
	{ "sendv-seg-stats-straddle-unmapped", SV_STATS_STRADDLE, .want = EFAULT },
	{ "sendv-seg-type-unknown", SV_TYPE_UNKNOWN, .want = EINVAL },
	{ "sendv-seg-reserved", SV_SEG_RESERVED, .want = EINVAL },
	{ "sendv-file-seg-addr", SV_FILE_ADDR, .want = EINVAL },
	{ "sendv-file-seg-fd-minus1", SV_FILE_FD_MINUS1, .want = EBADF },
	{ "sendv-file-seg-fd-pipe", SV_FILE_FD_PIPE, .want = EINVAL },
	{ "sendv-file-seg-fd-wronly", SV_FILE_FD_WRONLY, .want = EBADF },
	{ "sendv-file-seg-fd-directory", SV_FILE_FD_DIR, .want = EINVAL },
	{ "sendv-file-seg-fd-socket", SV_FILE_FD_SOCKET, .want = EINVAL },
	{ "sendv-file-seg-offset-negative", SV_FILE_OFFSET_NEG, .want = EINVAL },
	{ "sendv-file-seg-offset-len-wrap", SV_FILE_OFFSET_WRAP, .want = EINVAL },
	{ "sendv-file-seg-len-2p63", SV_FILE_LEN_2P63, .want = EINVAL },
	{ "sendv-file-seg-smaxbytes-ext4", SV_FILE_SMAXBYTES, .want = EOVERFLOW },
	{ "sendv-file-seg-fpos-wrap", SV_FILE_FPOS_WRAP, .want = EINVAL },
	{ "sendv-last-seg-bad", SV_LAST_BAD, .want = EBADF },
	{ "sendv-out-fd-file", SV_OUT_FILE, .want = ENOTSOCK },
	{ "sendv-out-fd-minus1", SV_OUT_MINUS1, .want = EBADF },
	{ "sendv-out-fd-tcp-unconnected", SV_OUT_UNCONNECTED, .want = ENOTCONN },
	{ "sendv-out-fd-udp", SV_OUT_UDP, .want = EOPNOTSUPP },
	{ "sendv-flags-unknown-bit", SV_FLAGS_UNKNOWN, .want = EINVAL },
	{ "sendv-flags-nosignal-splice", SV_FLAGS_NOSIGNAL_SPLICE, .want = EINVAL },
	{ "sendv-method-6", SV_METHOD_UNKNOWN, .want = EINVAL },
	{ "sendv-reserved-word0", SV_RESERVED0, .want = EINVAL },
	{ "sendv-reserved-word1", SV_RESERVED1, .want = EINVAL },
	{ "sendv-size-4", SV_SIZE_4, .want = EINVAL },
	{ "sendv-size-v1-minus-8", SV_SIZE_V1_MINUS8, .want = EINVAL },
	{ "sendv-e2big-tail", SV_SIZE_TAIL, .want = E2BIG },
	{ "sendv-efault-null", SV_STRUCT_NULL, .want = EFAULT },
	{ "sendv-efault-unmapped", SV_STRUCT_UNMAPPED, .want = EFAULT },
	{ "sendv-efault-readonly", SV_STRUCT_READONLY, .want = EFAULT },
	{ "sendv-efault-kernel-address", SV_STRUCT_KERNEL, .want = EFAULT, .ptr64 = true },
};

/* The valid request and the memory it lives in. */
struct sv_env {
	struct err_env e;
	struct zcopy_sendv v;
	struct zcopy_segment *segs;	/* 4 slots, at the end of a guarded page */
	unsigned char *mem;		/* header at 0, trailer at PAGE / 2 */
	struct zcopy_stats *stats;	/* 4 slots */
	unsigned int count;
};

static uint64_t uaddr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int sv_env_open(struct tctx *t, struct sv_env *s)
{
	unsigned char *segpage;
	int fd;

	memset(s, 0, sizeof(*s));
	if (env_open(t, &s->e) != 0)
		return -1;
	fd = s->e.req.in_fd;
	segpage = guarded_page(t);
	s->mem = guarded_page(t);
	s->stats = (struct zcopy_stats *)guarded_page(t);
	if (!segpage || !s->mem || !s->stats)
		return -1;
	/* Room for four segments, the last one against the guard page. */
	s->segs = (struct zcopy_segment *)(segpage + PAGE -
					   4 * sizeof(struct zcopy_segment));
	pattern_fill(s->e.file.seed, 0, s->mem, HDR);
	pattern_fill(s->e.file.seed, ERR_FSIZE - HDR, s->mem + PAGE / 2, HDR);
	s->segs[0] = (struct zcopy_segment){ .type = ZCOPY_SEG_MEMORY,
					     .addr = uaddr(s->mem), .len = HDR };
	s->segs[1] = (struct zcopy_segment){ .type = ZCOPY_SEG_FILE, .fd = fd,
					     .offset = HDR,
					     .len = ERR_FSIZE - 2 * HDR };
	s->segs[2] = (struct zcopy_segment){ .type = ZCOPY_SEG_MEMORY,
					     .addr = uaddr(s->mem + PAGE / 2),
					     .len = HDR };
	s->count = 3;
	s->v = (struct zcopy_sendv){
		.size = sizeof(s->v),
		.out_fd = s->e.req.out_fd,
		.method = ZCOPY_METHOD_PAGES,
		.segs = uaddr(s->segs),
		.seg_stats = uaddr(s->stats),
		.count = 3,
	};
	return 0;
}

/* The vector moved so that its last segment straddles the guard page. */
static void segs_straddle(struct sv_env *s)
{
	unsigned char *end = (unsigned char *)s->segs +
			     4 * sizeof(struct zcopy_segment);
	struct zcopy_segment *moved = (struct zcopy_segment *)
		(end - 3 * sizeof(struct zcopy_segment) + 16);

	memmove(moved, s->segs, 3 * sizeof(struct zcopy_segment) - 16);
	s->v.segs = uaddr(moved);
}

static int big_memory(struct tctx *t, struct sv_env *s, size_t total,
		      size_t first)
{
	unsigned char *big = malloc(total);

	if (!big)
		return fail(t, "out of memory");
	pattern_fill(s->e.file.seed, 0, big, total);
	s->segs[0] = (struct zcopy_segment){ .type = ZCOPY_SEG_MEMORY,
					     .addr = uaddr(big), .len = first };
	s->segs[1] = (struct zcopy_segment){ .type = ZCOPY_SEG_MEMORY,
					     .addr = uaddr(big + first),
					     .len = total - first };
	s->v.count = 2;
	return 0;
}

/* Break the valid request as @mut says; the size of the argument to pass
 * goes to @size and its address (if not &s->v) to @argp. */
static int sv_mutate(struct tctx *t, struct sv_env *s, enum sv_mut mut,
		     uint64_t *want_sent, void **argp)
{
	struct zcopy_segment *file = &s->segs[1];
	struct err_env *e = &s->e;
	struct zcopy_segment *many;
	uint64_t smax;
	int fd;

	*want_sent = 0;
	switch (mut) {
	case SV_OK:
		*want_sent = ERR_FSIZE;
		break;
	case SV_OK_SEGS_READONLY: {
		void *ro = readonly_page(t, s->segs, 3 * sizeof(*s->segs));

		if (!ro)
			return -1;
		s->v.segs = uaddr(ro);
		*want_sent = ERR_FSIZE;
		break;
	}
	case SV_OK_MEM_READONLY: {
		unsigned char *ro = readonly_page(t, s->mem, PAGE);

		if (!ro)
			return -1;
		s->segs[0].addr = uaddr(ro);
		s->segs[2].addr = uaddr(ro + PAGE / 2);
		*want_sent = ERR_FSIZE;
		break;
	}
	case SV_OK_STATS_NULL:
		s->v.seg_stats = 0;
		*want_sent = ERR_FSIZE;
		break;
	case SV_OK_MEM_1MIB:
		if (big_memory(t, s, ZCOPY_SENDV_MAX_MEMORY,
			       ZCOPY_SENDV_MAX_MEMORY / 2) != 0)
			return -1;
		*want_sent = ZCOPY_SENDV_MAX_MEMORY;
		break;
	case SV_OK_COUNT_MAX:
		/* The file in 1024 consecutive pieces, no statistics. */
		many = calloc(ZCOPY_SENDV_MAX_SEGS, sizeof(*many));
		if (!many)
			return fail(t, "out of memory");
		for (unsigned int i = 0; i < ZCOPY_SENDV_MAX_SEGS; i++)
			many[i] = (struct zcopy_segment){
				.type = ZCOPY_SEG_FILE, .fd = file->fd,
				.offset = i * (ERR_FSIZE / ZCOPY_SENDV_MAX_SEGS),
				.len = ERR_FSIZE / ZCOPY_SENDV_MAX_SEGS };
		s->v.segs = uaddr(many);
		s->v.count = ZCOPY_SENDV_MAX_SEGS;
		s->v.seg_stats = 0;
		*want_sent = ERR_FSIZE;
		break;
	case SV_COUNT_0:
		s->v.count = 0;
		break;
	case SV_COUNT_MAX_PLUS1:
		s->v.count = ZCOPY_SENDV_MAX_SEGS + 1;
		break;
	case SV_COUNT_U32_MAX:
		s->v.count = UINT32_MAX;
		break;
	case SV_SEGS_NULL:
		s->v.segs = 0;
		break;
	case SV_SEGS_UNMAPPED:
		s->v.segs = uaddr(unmapped_page(t));
		break;
	case SV_SEGS_KERNEL:
		s->v.segs = KADDR_TEXT;
		break;
	case SV_SEGS_NONCANONICAL:
		s->v.segs = ADDR_NONCANONICAL;
		break;
	case SV_SEGS_STRADDLE:
		segs_straddle(s);
		break;
	case SV_MEM_NULL:
		s->segs[2].addr = 0;
		break;
	case SV_MEM_UNMAPPED:
		s->segs[2].addr = uaddr(unmapped_page(t));
		break;
	case SV_MEM_KERNEL:
		s->segs[2].addr = KADDR_DIRECT_MAP;
		break;
	case SV_MEM_STRADDLE:
		s->segs[2].addr = uaddr(s->mem + PAGE - HDR / 2);
		break;
	case SV_MEM_OVER_1MIB:
		if (big_memory(t, s, ZCOPY_SENDV_MAX_MEMORY + 1,
			       ZCOPY_SENDV_MAX_MEMORY / 2) != 0)
			return -1;
		break;
	case SV_MEM_FD:
		s->segs[0].fd = file->fd;
		break;
	case SV_MEM_OFFSET:
		s->segs[2].offset = 1;
		break;
	case SV_STATS_UNMAPPED:
		s->v.seg_stats = uaddr(unmapped_page(t));
		break;
	case SV_STATS_READONLY:
		s->v.seg_stats = uaddr(readonly_page(t, NULL, 0));
		break;
	case SV_STATS_KERNEL:
		s->v.seg_stats = KADDR_DIRECT_MAP;
		break;
	case SV_STATS_STRADDLE:
		/* Two of the three fit before the guard page. */
		s->v.seg_stats = uaddr((unsigned char *)s->stats + PAGE -
				       2 * sizeof(struct zcopy_stats));
		break;
	case SV_TYPE_UNKNOWN:
		s->segs[2].type = 2;
		break;
	case SV_SEG_RESERVED:
		file->reserved = 1;
		break;
	case SV_FILE_ADDR:
		file->addr = uaddr(s->mem);
		break;
	case SV_FILE_FD_MINUS1:
		file->fd = -1;
		break;
	case SV_FILE_FD_PIPE:
		file->fd = make_fd(t, e, FD_PIPE, true);
		break;
	case SV_FILE_FD_WRONLY:
		file->fd = make_fd(t, e, FD_FILE_WRONLY, true);
		break;
	case SV_FILE_FD_DIR:
		file->fd = make_fd(t, e, FD_DIR, true);
		break;
	case SV_FILE_FD_SOCKET:
		file->fd = e->req.out_fd;
		break;
	case SV_FILE_OFFSET_NEG:
		file->offset = (uint64_t)-4096;
		break;
	case SV_FILE_OFFSET_WRAP:
		file->offset = 1ULL << 62;
		file->len = 1ULL << 62;
		break;
	case SV_FILE_LEN_2P63:
		file->len = 1ULL << 63;
		break;
	case SV_FILE_SMAXBYTES:
		if (ext4_maxbytes(t, &smax) != 0)
			return -1;
		fd = make_fd(t, e, FD_EXT4_FILE, true);
		s->segs[2] = (struct zcopy_segment){ .type = ZCOPY_SEG_FILE,
						     .fd = fd, .offset = smax,
						     .len = 1 };
		break;
	case SV_FILE_FPOS_WRAP:
		/*
		 * A sparse file up to LLONG_MAX - 10, read from its position
		 * LLONG_MAX - 100 twice: 60 bytes are there for the first
		 * segment, and the second, from LLONG_MAX - 40, wraps.  It is
		 * checked where it will start, before the first one sends.
		 */
		fd = open(fs_list[FS_TMPFS].dir, O_TMPFILE | O_RDWR | O_CLOEXEC,
			  0600);
		if (fd < 0 || ftruncate(fd, INT64_MAX - 10) != 0 ||
		    lseek(fd, INT64_MAX - 100, SEEK_SET) != INT64_MAX - 100)
			return fail_errno(t, "sparse file near LLONG_MAX");
		s->segs[1] = (struct zcopy_segment){ .type = ZCOPY_SEG_FILE,
						     .fd = fd,
						     .offset = ZCOPY_OFFSET_CURRENT,
						     .len = 60 };
		s->segs[2] = s->segs[1];
		break;
	case SV_LAST_BAD:
		fd = make_fd(t, e, FD_CLOSED, true);
		s->segs[3] = (struct zcopy_segment){ .type = ZCOPY_SEG_FILE,
						     .fd = fd, .len = 1 };
		s->v.count = 4;
		break;
	case SV_OUT_FILE:
		s->v.out_fd = make_fd(t, e, FD_FILE_RDWR, false);
		break;
	case SV_OUT_MINUS1:
		s->v.out_fd = -1;
		break;
	case SV_OUT_UNCONNECTED:
		s->v.out_fd = make_fd(t, e, FD_TCP_FRESH, false);
		break;
	case SV_OUT_UDP:
		s->v.out_fd = make_fd(t, e, FD_UDP, false);
		break;
	case SV_FLAGS_UNKNOWN:
		s->v.flags = ZCOPY_F_NOSIGNAL << 1;
		break;
	case SV_FLAGS_NOSIGNAL_SPLICE:
		s->v.flags = ZCOPY_F_NOSIGNAL;
		s->v.method = ZCOPY_METHOD_SPLICE;
		break;
	case SV_METHOD_UNKNOWN:
		s->v.method = ZCOPY_METHOD_COUNT;
		break;
	case SV_RESERVED0:
		s->v.reserved[0] = 1;
		break;
	case SV_RESERVED1:
		s->v.reserved[1] = 1ULL << 63;
		break;
	case SV_SIZE_4:
	case SV_SIZE_V1_MINUS8:
	case SV_SIZE_TAIL:
		break;	/* sv_call() */
	case SV_STRUCT_NULL:
		*argp = NULL;
		break;
	case SV_STRUCT_UNMAPPED:
		*argp = unmapped_page(t);
		break;
	case SV_STRUCT_READONLY:
		*argp = readonly_page(t, &s->v, sizeof(s->v));
		break;
	case SV_STRUCT_KERNEL:
		*argp = (void *)(uintptr_t)KADDR_TEXT;
		break;
	}
	return t->reason[0] ? -1 : 0;
}

static int sv_call(struct tctx *t, struct sv_env *s, enum sv_mut mut,
		   void *argp)
{
	switch (mut) {
	case SV_SIZE_4:
		return zc_ioctl_sized(t->dev, ZCOPY_IOC_SENDV, &s->v,
				      sizeof(s->v), 4, 0);
	case SV_SIZE_V1_MINUS8:
		return zc_ioctl_sized(t->dev, ZCOPY_IOC_SENDV, &s->v,
				      sizeof(s->v), sizeof(s->v) - 8, 0);
	case SV_SIZE_TAIL:
		return zc_ioctl_sized(t->dev, ZCOPY_IOC_SENDV, &s->v,
				      sizeof(s->v), sizeof(s->v) + 8, 0x5a);
	default:
		return ioctl(t->dev, ZCOPY_IOC_SENDV, argp);
	}
}

/* A successful SENDV: outputs that agree with what went, and its stats
 * counted once, as one transfer. */
static int sv_check_ok(struct tctx *t, const struct sv_env *s,
		       uint64_t want_sent, struct tally *delta)
{
	struct zcopy_send as_send;

	if (check_u64(t, "sent", s->v.sent, want_sent) ||
	    check_u64(t, "seg_index", s->v.seg_index, s->v.count) ||
	    check_u64(t, "seg_sent", s->v.seg_sent, 0))
		return -1;
	if (s->v.stats.method != ZCOPY_METHOD_PAGES)
		return fail(t, "stats.method %u, expected PAGES", s->v.stats.method);
	memset(&as_send, 0, sizeof(as_send));
	as_send.sent = s->v.sent;
	as_send.stats = s->v.stats;
	tally_add_success(delta, &as_send);
	return 0;
}

static int sv_case_test(struct tctx *t, const void *arg)
{
	const struct sv_case *c = arg;
	struct tally delta;
	struct sv_env s;
	uint64_t want_sent;
	void *argp;
	int rc;

	memset(&delta, 0, sizeof(delta));
	if (sv_env_open(t, &s) != 0)
		return -1;
	argp = &s.v;
	if (sv_mutate(t, &s, c->mut, &want_sent, &argp) != 0)
		return -1;
	rc = sv_call(t, &s, c->mut, argp);
	if (c->want) {
		if (expect_errno(t, "ZCOPY_IOC_SENDV", rc, c->want) != 0)
			return -1;
		return env_finish(t, &s.e, 0, NULL);
	}
	if (rc != 0)
		return fail_errno(t, "ZCOPY_IOC_SENDV");
	if (sv_check_ok(t, &s, want_sent, &delta) != 0)
		return -1;
	return env_finish(t, &s.e, want_sent, &delta);
}

void badinput_sendv_register(struct registry *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(sv_cases); i++) {
		if (sv_cases[i].ptr64 && sizeof(void *) < 8)
			continue;
		reg_add(r, "badinput", sv_case_test, &sv_cases[i], "%s",
			sv_cases[i].name);
	}
}
