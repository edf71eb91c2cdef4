// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy_stats: zcopy_call_stats(), how what a transfer did (page references,
 * copies by the module and by the socket) becomes zero-copy and copied
 * bytes once the egress device is known.  Pure arithmetic: no socket.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "zcopy.h"

#define ZK_SG		(ZCOPY_ROUTE_KNOWN | ZCOPY_ROUTE_SG)
#define ZK_NO_SG	ZCOPY_ROUTE_KNOWN
/* The egress device of every case whose route is known. */
#define ZK_IFINDEX	7

/**
 * struct zk_stats_case - what a transfer did, and what it must have cost
 * @name: what it shows
 * @route: ZCOPY_ROUTE_* of the call
 * @x: the counts of the transfer
 * @zc_bytes: the zero-copy bytes it must report
 * @copied_bytes: the copied bytes it must report
 * @ifindex: the egress device it must report
 */
struct zk_stats_case {
	const char *name;
	u32 route;
	struct zcopy_xfer x;
	u64 zc_bytes;
	u64 copied_bytes;
	u32 ifindex;
};

static const struct zk_stats_case zk_stats_cases[] = {
	{ "nothing sent", ZK_SG, {}, 0, 0, ZK_IFINDEX },
	/* PAGES, SPLICE: page references, zero-copy only where gathered. */
	{ "page references, SG", ZK_SG,
	  { .sent = 8192, .ref_bytes = 8192 }, 8192, 0, ZK_IFINDEX },
	{ "page references, no SG", ZK_NO_SG,
	  { .sent = 8192, .ref_bytes = 8192 }, 0, 8192, ZK_IFINDEX },
	/* Never claim a zero copy that cannot be shown. */
	{ "page references, unknown route", 0,
	  { .sent = 8192, .ref_bytes = 8192 }, 0, 8192, 0 },
	{ "page references, CSUM without SG",
	  ZCOPY_ROUTE_KNOWN | ZCOPY_ROUTE_CSUM,
	  { .sent = 8192, .ref_bytes = 8192 }, 0, 8192, ZK_IFINDEX },
	/* MMAP: the socket copies; without SG, linearised once more. */
	{ "socket copies, SG", ZK_SG,
	  { .sent = 1000, .sock_copied = 1000 }, 0, 1000, ZK_IFINDEX },
	{ "socket copies, no SG", ZK_NO_SG,
	  { .sent = 1000, .sock_copied = 1000 }, 0, 2000, ZK_IFINDEX },
	{ "socket copies, unknown route", 0,
	  { .sent = 1000, .sock_copied = 1000 }, 0, 2000, 0 },
	/* COPY: into the bounce buffer, then by the socket. */
	{ "bounce buffer, SG", ZK_SG,
	  { .sent = 1000, .module_copied = 1000, .sock_copied = 1000 },
	  0, 2000, ZK_IFINDEX },
	{ "bounce buffer, no SG", ZK_NO_SG,
	  { .sent = 1000, .module_copied = 1000, .sock_copied = 1000 },
	  0, 3000, ZK_IFINDEX },
	/* DIRECT from tmpfs: a copy lent by reference is still a copy. */
	{ "copy references, SG", ZK_SG,
	  { .sent = 4096, .module_copied = 4096, .copy_ref_bytes = 4096 },
	  0, 4096, ZK_IFINDEX },
	{ "copy references, no SG", ZK_NO_SG,
	  { .sent = 4096, .module_copied = 4096, .copy_ref_bytes = 4096 },
	  0, 8192, ZK_IFINDEX },
	/*
	 * What SENDV's memory segments cost: copied once into the call's
	 * pages, then lent to the socket.  Lent or not, a copy is a copy:
	 * never zero-copy, and one more at transmit where the route cannot
	 * gather.  File pages lent beside them stay zero-copy only with SG.
	 */
	{ "memory segment and file pages, SG", ZK_SG,
	  { .sent = 4096 + 300, .ref_bytes = 4096, .module_copied = 500,
	    .copy_ref_bytes = 300 }, 4096, 500, ZK_IFINDEX },
	{ "memory segment and file pages, no SG", ZK_NO_SG,
	  { .sent = 4096 + 300, .ref_bytes = 4096, .module_copied = 500,
	    .copy_ref_bytes = 300 }, 0, 500 + 300 + 4096, ZK_IFINDEX },
};

static void zk_stats_desc(const struct zk_stats_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zk_stats, zk_stats_cases, zk_stats_desc);

/* Zero-copy and copied bytes, and the device, as the route allows. */
static void zcopy_call_stats_test_bytes(struct kunit *test)
{
	const struct zk_stats_case *c = test->param_value;
	const struct zcopy_call call = {
		.method = ZCOPY_METHOD_PAGES,
		.route = c->route,
		.ifindex = ZK_IFINDEX,
	};
	struct zcopy_stats st;

	zcopy_call_stats(&call, &c->x, &st);
	KUNIT_EXPECT_EQ(test, st.zc_bytes, c->zc_bytes);
	KUNIT_EXPECT_EQ(test, st.copied_bytes, c->copied_bytes);
	KUNIT_EXPECT_EQ(test, st.route, c->route);
	KUNIT_EXPECT_EQ(test, st.ifindex, c->ifindex);
}

/* Counts that need no route pass as they are; nothing else is left set. */
static void zcopy_call_stats_test_counts(struct kunit *test)
{
	const struct zcopy_xfer x = {
		.sent = 3 * 4096,
		.ref_bytes = 3 * 4096,
		.hit_pages = 1,
		.miss_pages = 2,
		.storage_read = 2 * 4096,
		.elapsed_ns = 12345,
	};
	const struct zcopy_call call = {
		.method = ZCOPY_METHOD_SPLICE,
		.route = ZK_SG | ZCOPY_ROUTE_CSUM,
		.ifindex = 3,
	};
	struct zcopy_stats st;

	memset(&st, 0xa5, sizeof(st));
	zcopy_call_stats(&call, &x, &st);
	KUNIT_EXPECT_EQ(test, st.cache_hit_pages, 1);
	KUNIT_EXPECT_EQ(test, st.cache_miss_pages, 2);
	KUNIT_EXPECT_EQ(test, st.storage_read_bytes, 2 * 4096);
	KUNIT_EXPECT_EQ(test, st.elapsed_ns, 12345);
	KUNIT_EXPECT_EQ(test, st.method, ZCOPY_METHOD_SPLICE);
	KUNIT_EXPECT_EQ(test, st.route, ZK_SG | ZCOPY_ROUTE_CSUM);
	KUNIT_EXPECT_EQ(test, st.ifindex, 3);
	KUNIT_EXPECT_EQ(test, st.zc_bytes, 3 * 4096);
	KUNIT_EXPECT_EQ(test, st.copied_bytes, 0);
	KUNIT_EXPECT_EQ(test, st.reserved, 0);
}

static struct kunit_case zcopy_stats_cases[] = {
	KUNIT_CASE_PARAM(zcopy_call_stats_test_bytes, zk_stats_gen_params),
	KUNIT_CASE(zcopy_call_stats_test_counts),
	{}
};

static struct kunit_suite zcopy_stats_suite = {
	.name = "zcopy_stats",
	.test_cases = zcopy_stats_cases,
};

kunit_test_suite(zcopy_stats_suite);
