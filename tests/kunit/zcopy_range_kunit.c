// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy_range: zcopy_range_clamp(), the length sendfile(2) sends of a range
 * that passed its checks, at the edges of MAX_RW_COUNT and of the largest
 * file the filesystem holds (s_maxbytes).  Pure arithmetic: no file.
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/limits.h>
#include <linux/sizes.h>

#include "zcopy.h"

/* s_maxbytes of a filesystem whose files end at 16 TiB. */
#define ZK_MAXBYTES	(16LL << 40)

/**
 * struct zk_range_case - one call of zcopy_range_clamp()
 * @name: what it shows
 * @pos: first byte
 * @len: bytes asked for
 * @maxbytes: the filesystem's largest file size
 * @err: what it must return
 * @count: the length it must set when @err is 0
 */
struct zk_range_case {
	const char *name;
	loff_t pos;
	u64 len;
	loff_t maxbytes;
	int err;
	size_t count;
};

static const struct zk_range_case zk_range_cases[] = {
	{ "nothing at 0", 0, 0, ZK_MAXBYTES, 0, 0 },
	{ "one byte at 0", 0, 1, ZK_MAXBYTES, 0, 1 },
	{ "MAX_RW_COUNT - 1", 0, MAX_RW_COUNT - 1, ZK_MAXBYTES, 0,
	  MAX_RW_COUNT - 1 },
	{ "MAX_RW_COUNT", 0, MAX_RW_COUNT, ZK_MAXBYTES, 0, MAX_RW_COUNT },
	{ "MAX_RW_COUNT + 1 is clamped", 0, MAX_RW_COUNT + 1ULL, ZK_MAXBYTES,
	  0, MAX_RW_COUNT },
	{ "SSIZE_MAX is clamped", 0, SSIZE_MAX, ZK_MAXBYTES, 0, MAX_RW_COUNT },
	{ "MAX_RW_COUNT in the middle", SZ_1G + 1, MAX_RW_COUNT + 1ULL,
	  ZK_MAXBYTES, 0, MAX_RW_COUNT },
	{ "the last byte", ZK_MAXBYTES - 1, 1, ZK_MAXBYTES, 0, 1 },
	{ "two from the last byte", ZK_MAXBYTES - 1, 2, ZK_MAXBYTES, 0, 1 },
	{ "ends at maxbytes", ZK_MAXBYTES - 10, 10, ZK_MAXBYTES, 0, 10 },
	{ "ends one over maxbytes", ZK_MAXBYTES - 10, 11, ZK_MAXBYTES, 0, 10 },
	{ "nothing at maxbytes", ZK_MAXBYTES, 0, ZK_MAXBYTES, 0, 0 },
	{ "one byte at maxbytes", ZK_MAXBYTES, 1, ZK_MAXBYTES, -EOVERFLOW, 0 },
	{ "nothing past maxbytes", ZK_MAXBYTES + 1, 0, ZK_MAXBYTES,
	  -EOVERFLOW, 0 },
	{ "MAX_RW_COUNT ends at maxbytes", ZK_MAXBYTES - MAX_RW_COUNT,
	  SSIZE_MAX, ZK_MAXBYTES, 0, MAX_RW_COUNT },
	{ "MAX_RW_COUNT ends one over maxbytes",
	  ZK_MAXBYTES - MAX_RW_COUNT + 1, MAX_RW_COUNT, ZK_MAXBYTES, 0,
	  MAX_RW_COUNT - 1 },
	{ "clamped to MAX_RW_COUNT, then to maxbytes", ZK_MAXBYTES - SZ_4K,
	  SSIZE_MAX, ZK_MAXBYTES, 0, SZ_4K },
	{ "maxbytes below MAX_RW_COUNT", 0, SSIZE_MAX, SZ_64K, 0, SZ_64K },
	{ "near LLONG_MAX, no wrap", MAX_LFS_FILESIZE - 5, 10,
	  MAX_LFS_FILESIZE, 0, 5 },
	{ "MAX_RW_COUNT near LLONG_MAX", MAX_LFS_FILESIZE - MAX_RW_COUNT,
	  SSIZE_MAX, MAX_LFS_FILESIZE, 0, MAX_RW_COUNT },
	{ "at LLONG_MAX", MAX_LFS_FILESIZE, 1, MAX_LFS_FILESIZE, -EOVERFLOW,
	  0 },
};

static void zk_range_desc(const struct zk_range_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zk_range, zk_range_cases, zk_range_desc);

/* The error, and on success the length, each case must give. */
static void zcopy_range_clamp_test(struct kunit *test)
{
	const struct zk_range_case *c = test->param_value;
	size_t count = SIZE_MAX;

	KUNIT_ASSERT_EQ(test, zcopy_range_clamp(c->pos, c->len, c->maxbytes,
						&count), c->err);
	if (!c->err)
		KUNIT_EXPECT_EQ(test, count, c->count);
}

static struct kunit_case zcopy_range_cases[] = {
	KUNIT_CASE_PARAM(zcopy_range_clamp_test, zk_range_gen_params),
	{}
};

static struct kunit_suite zcopy_range_suite = {
	.name = "zcopy_range",
	.test_cases = zcopy_range_cases,
};

kunit_test_suite(zcopy_range_suite);
