// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy_cache_window: zcopy_cache_window(), the bytes one page-cache miss
 * reads in: from the first missing byte, 2 MiB, cut at the transfer's end,
 * never short of the request.  Pure arithmetic: no file.
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sizes.h>

#include "zcopy.h"

/* What one miss reads at most (ZCOPY_FILL_WINDOW in cache.c). */
#define ZK_WINDOW	SZ_2M
/* Byte offset of page @n. */
#define ZK_PG(n)	((loff_t)(n) << PAGE_SHIFT)
/* The last whole page below the largest file size. */
#define ZK_TOP		((loff_t)(MAX_LFS_FILESIZE & PAGE_MASK) - PAGE_SIZE)

/**
 * struct zk_window_case - one call of zcopy_cache_window()
 * @name: what it shows
 * @pos: first byte the method is about to read
 * @end: one past the last
 * @xend: one past the last byte of the transfer
 * @miss: first page of [@pos, @end) that missed
 * @from: the first byte it must read
 * @wend: one past the last byte it must read
 */
struct zk_window_case {
	const char *name;
	loff_t pos;
	loff_t end;
	loff_t xend;
	pgoff_t miss;
	loff_t from;
	loff_t wend;
};

static const struct zk_window_case zk_window_cases[] = {
	{ "miss at the start", 0, ZK_PG(1), SZ_16M, 0, 0, ZK_WINDOW },
	{ "miss at an unaligned start", 100, ZK_PG(1), SZ_16M, 0, 100,
	  100 + ZK_WINDOW },
	{ "miss in the middle", 0, ZK_PG(16), SZ_16M, 5, ZK_PG(5),
	  ZK_PG(5) + ZK_WINDOW },
	{ "miss in the last page", ZK_PG(3) + 7, ZK_PG(8) + 1, SZ_16M, 8,
	  ZK_PG(8), ZK_PG(8) + ZK_WINDOW },
	{ "clipped by the transfer's end", 0, ZK_PG(1), ZK_PG(3) + 11, 0, 0,
	  ZK_PG(3) + 11 },
	{ "transfer ends with the request", ZK_PG(2), ZK_PG(3), ZK_PG(3), 2,
	  ZK_PG(2), ZK_PG(3) },
	{ "transfer ends at the window", 0, ZK_PG(1), ZK_WINDOW, 0, 0,
	  ZK_WINDOW },
	{ "transfer ends a byte short of the window", 0, ZK_PG(1),
	  ZK_WINDOW - 1, 0, 0, ZK_WINDOW - 1 },
	{ "transfer ends a byte past the window", 0, ZK_PG(1), ZK_WINDOW + 1,
	  0, 0, ZK_WINDOW },
	{ "window larger than the request", ZK_PG(4), ZK_PG(5), SZ_16M, 4,
	  ZK_PG(4), ZK_PG(4) + ZK_WINDOW },
	{ "request larger than the window", 0, SZ_4M, SZ_8M, 0, 0, SZ_4M },
	{ "window inside a longer request", 0, SZ_4M, SZ_8M,
	  SZ_1M >> PAGE_SHIFT, SZ_1M, SZ_4M },
	{ "window past a longer request", 0, SZ_4M, SZ_8M,
	  (SZ_4M - SZ_1M) >> PAGE_SHIFT, SZ_4M - SZ_1M,
	  SZ_4M - SZ_1M + ZK_WINDOW },
	{ "below the largest file size", ZK_TOP + 1, ZK_TOP + PAGE_SIZE,
	  MAX_LFS_FILESIZE, ZK_TOP >> PAGE_SHIFT, ZK_TOP + 1,
	  MAX_LFS_FILESIZE },
};

static void zk_window_desc(const struct zk_window_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zk_window, zk_window_cases, zk_window_desc);

static void zcopy_cache_window_test(struct kunit *test)
{
	const struct zk_window_case *c = test->param_value;
	loff_t from = -1, wend = -1;

	zcopy_cache_window(c->pos, c->end, c->xend, c->miss, &from, &wend);
	KUNIT_EXPECT_EQ(test, from, c->from);
	KUNIT_EXPECT_EQ(test, wend, c->wend);
}

static struct kunit_case zcopy_cache_window_cases[] = {
	KUNIT_CASE_PARAM(zcopy_cache_window_test, zk_window_gen_params),
	{}
};

static struct kunit_suite zcopy_cache_window_suite = {
	.name = "zcopy_cache_window",
	.test_cases = zcopy_cache_window_cases,
};

kunit_test_suite(zcopy_cache_window_suite);
