// SPDX-License-Identifier: GPL-2.0
/*
 * t_transfer.c - the "transfer" group: successful transfers, each checked
 * end to end by scenario_test(): sent, stats, received bytes and content,
 * and the counters (sysfs global and per method, ZCOPY_IOC_COUNTERS).
 */
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>

#include "zct.h"

/* A transfer case: the shape of the requests on one connection. */
struct xcase {
	const struct fsdesc *fs;
	int family;
	unsigned int method;
	uint64_t fsize;
	uint64_t offset, len;	/* each call's range (current: first len) */
	unsigned int calls;	/* > 1: the same range again on the connection */
	bool current;		/* two ZCOPY_OFFSET_CURRENT calls, whole file */
	uint32_t struct_size;	/* 0: sizeof(struct zcopy_send) */
};

static void build(const struct xcase *c, struct scenario *sc)
{
	scenario_single(sc, c->fs, c->method, c->fsize, c->offset, c->len);
	sc->family = c->family;
	sc->struct_size = c->struct_size;
	if (c->current) {
		/* The first call stops mid-page; the second must resume at the
		 * position the first left, not at 0 or at a page boundary. */
		uint64_t first = expected_sent(0, c->len, c->fsize);

		sc->nsteps = 2;
		sc->steps[0] = (struct step){ ZCOPY_OFFSET_CURRENT, c->len, 0,
					      first, (int64_t)first };
		sc->steps[1] = (struct step){ ZCOPY_OFFSET_CURRENT, 1ULL << 40,
					      first, c->fsize - first,
					      (int64_t)c->fsize };
	}
	if (c->calls > 1) {
		for (unsigned int i = 1; i < c->calls; i++)
			sc->steps[i] = sc->steps[0];
		sc->nsteps = c->calls;
		sc->span = sc->steps[0].want_sent;
	}
}

static int transfer_case(struct tctx *t, const void *arg)
{
	struct scenario sc;

	build(arg, &sc);
	return scenario_test(t, &sc);
}

static const struct {
	const char *label;
	uint64_t size;
} sizes[] = {
	{ "0", 0 },
	{ "1", 1 },
	{ "4095", 4095 },
	{ "4096", 4096 },
	{ "4097", 4097 },
	{ "1m-plus13", MIB + 13 },
	{ "64m", 64 * MIB },
};

/* DIRECT is added by add_direct(). */
static const unsigned int matrix_methods[] = {
	ZCOPY_METHOD_COPY, ZCOPY_METHOD_MMAP, ZCOPY_METHOD_SPLICE,
	ZCOPY_METHOD_PAGES, ZCOPY_METHOD_AUTO,
};

/* Requests around the end of a 2-page-and-1-byte file. */
#define EDGE_FSIZE (2 * 4096 + 1)
static const struct {
	const char *name;
	uint64_t offset, len;
} edges[] = {
	{ "len-zero", 0, 0 },
	{ "offset-at-eof", EDGE_FSIZE, 100 },
	{ "offset-past-eof", EDGE_FSIZE + 5000, 100 },
	{ "len-past-eof", 100, EDGE_FSIZE },
	{ "len-2p40", 4097, 1ULL << 40 },
	{ "len-llong-max", 0, LLONG_MAX },
	/* Far past EOF but below tmpfs's s_maxbytes (LLONG_MAX): not
	 * EOVERFLOW as on ext4, just nothing to send. */
	{ "offset-2p50", 1ULL << 50, 1 },
};

/* Named <fs>-<shape>-<method>. */
static void add_case(struct registry *r, const struct xcase *proto,
		     const char *shape)
{
	struct xcase *c = xcalloc(1, sizeof(*c));
	struct test *tc;

	*c = *proto;
	tc = reg_add(r, "transfer", transfer_case, c, "%s-%s-%s", c->fs->name,
		     shape, method_desc[c->method].name);
	if (c->method == ZCOPY_METHOD_DIRECT)
		tc->need = NEED_DIRECT;
	if (c->fsize >= 64 * MIB)
		tc->timeout_s = TIMEOUT_LONG_S;
}

static void add_methods(struct registry *r, struct xcase proto,
			const char *shape)
{
	for (size_t i = 0; i < ARRAY_SIZE(matrix_methods); i++) {
		proto.method = matrix_methods[i];
		add_case(r, &proto, shape);
	}
}

/* DIRECT where the contract pins its accounting: on ext4, whose direct
 * reads come from the disk (tmpfs copies from its own cache instead). */
static void add_direct(struct registry *r, struct xcase proto,
		       const char *shape)
{
	if (proto.fs != &fs_list[FS_EXT4])
		return;
	proto.method = ZCOPY_METHOD_DIRECT;
	add_case(r, &proto, shape);
}

static int info_fields(struct tctx *t, const void *arg)
{
	const uint32_t base = 1U << ZCOPY_METHOD_AUTO | 1U << ZCOPY_METHOD_COPY |
			      1U << ZCOPY_METHOD_MMAP | 1U << ZCOPY_METHOD_SPLICE |
			      1U << ZCOPY_METHOD_PAGES;
	const uint64_t how = ZCOPY_FEAT_SPLICE_PAGES | ZCOPY_FEAT_SENDPAGE;
	const uint64_t known = how | ZCOPY_FEAT_IO_ACCOUNTING | ZCOPY_FEAT_ASYNC |
			       ZCOPY_FEAT_NOTIFY_RELEASE;
	struct zcopy_info in = { .size = sizeof(in) };

	(void)arg;
	if (ioctl(t->dev, ZCOPY_IOC_INFO, &in) != 0)
		return fail_errno(t, "ZCOPY_IOC_INFO");
	if (check_u64(t, "reserved0", in.reserved0, 0) ||
	    check_u64(t, "max_len", in.max_len, 0x7ffff000))
		return -1;
	if ((in.methods & base) != base || in.methods >> ZCOPY_METHOD_COUNT)
		return fail(t, "methods: expected 0x%x plus maybe bit 5, got 0x%x",
			    base, in.methods);
	if ((in.features & how) != ZCOPY_FEAT_SPLICE_PAGES &&
	    (in.features & how) != ZCOPY_FEAT_SENDPAGE)
		return fail(t, "features 0x%llx: expected exactly one of SPLICE_PAGES and SENDPAGE",
			    (unsigned long long)in.features);
	if (in.features & ~known)
		return fail(t, "features 0x%llx: unknown bits",
			    (unsigned long long)in.features);
	/* Every build has them, and every kernel from 6.0 has msg_ubuf. */
	if (!(in.features & ZCOPY_FEAT_ASYNC) ||
	    !(in.features & ZCOPY_FEAT_NOTIFY_RELEASE))
		return fail(t, "features 0x%llx: ASYNC or NOTIFY_RELEASE missing",
			    (unsigned long long)in.features);
	if (in.reserved[0] || in.reserved[1])
		return fail(t, "reserved: expected 0 on output");
	return 0;
}

/* A caller built against a newer header (8 more bytes, all zero) gets
 * the same answer as one with the v1 struct. */
static int larger_struct(struct tctx *t, const void *arg)
{
	const struct ioc_desc *d = arg;
	_Alignas(8) unsigned char v1[128], big[128];

	memset(v1, 0, sizeof(v1));
	memcpy(v1, &(uint32_t){ (uint32_t)d->v1 }, sizeof(uint32_t));
	memcpy(big, v1, sizeof(big));
	if (ioctl(t->dev, d->cmd, v1) != 0)
		return fail_errno(t, "%s with size %zu", d->name, d->v1);
	if (zc_ioctl_sized(t->dev, d->cmd, big, d->v1, (uint32_t)d->v1 + 8, 0))
		return fail_errno(t, "%s with size %zu and a zero tail",
				  d->name, d->v1 + 8);
	/* Everything but the size field must be the same. */
	if (memcmp(v1 + 4, big + 4, d->v1 - 4) != 0)
		return fail(t, "%s: the answer differs from the v1-size call",
			    d->name);
	return 0;
}

void transfer_register(struct registry *r)
{
	const struct fsdesc *tmpfs = &fs_list[FS_TMPFS];
	struct xcase c;

	for (int f = 0; f < FS_COUNT; f++) {
		for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
			c = (struct xcase){ .fs = &fs_list[f], .family = AF_INET,
					    .fsize = sizes[s].size,
					    .len = sizes[s].size };
			add_methods(r, c, sizes[s].label);
			add_direct(r, c, sizes[s].label);
		}
	}
	/* Unaligned start and a length that ends inside the file. */
	for (int f = 0; f < FS_COUNT; f++) {
		c = (struct xcase){ .fs = &fs_list[f], .family = AF_INET,
				    .fsize = MIB + 13, .offset = 4097, .len = MIB };
		add_methods(r, c, "middle");
		add_direct(r, c, "middle");
	}
	add_methods(r, (struct xcase){ .fs = tmpfs, .family = AF_INET6,
				       .fsize = MIB + 13, .len = MIB + 13 }, "ipv6");
	add_methods(r, (struct xcase){ .fs = tmpfs, .family = AF_INET,
				       .fsize = MIB + 13, .len = 300000,
				       .current = true }, "offset-current");
	add_methods(r, (struct xcase){ .fs = tmpfs, .family = AF_INET,
				       .fsize = 4096, .len = 4096,
				       .calls = 100 }, "repeat100");
	for (size_t e = 0; e < ARRAY_SIZE(edges); e++)
		add_methods(r, (struct xcase){ .fs = tmpfs, .family = AF_INET,
					       .fsize = EDGE_FSIZE,
					       .offset = edges[e].offset,
					       .len = edges[e].len }, edges[e].name);
	add_case(r, &(struct xcase){ .fs = tmpfs, .family = AF_INET,
				     .method = ZCOPY_METHOD_PAGES, .fsize = 4097,
				     .len = 4097,
				     .struct_size = sizeof(struct zcopy_send) + 8 },
		 "larger-struct");
	reg_add(r, "transfer", info_fields, NULL, "info-fields");
	reg_add(r, "transfer", larger_struct, &ioc_list[IOC_INFO],
		"larger-struct-info");
	reg_add(r, "transfer", larger_struct, &ioc_list[IOC_COUNTERS],
		"larger-struct-counters");
}
