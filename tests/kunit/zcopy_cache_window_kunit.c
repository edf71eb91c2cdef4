// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy_cache_window: zcopy_cache_window(), the bytes one page-cache miss
 * reads in: from the first missing byte, 2 MiB, cut at the transfer's end,
 * never short of the request; and zcopy_cache_next_window(), how a cold
 * transfer reads on: a half window once no more than half a window is
 * counted ahead, never more than a window ahead.  Pure arithmetic: no file.
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

/**
 * struct zk_next_case - one call of zcopy_cache_next_window()
 * @name: what it shows
 * @pos: first byte the method is about to read
 * @counted: one past the last byte counted
 * @xend: one past the last byte of the transfer
 * @on: whether it must read on
 * @to: then, one past the last byte to read
 */
struct zk_next_case {
	const char *name;
	loff_t pos;
	loff_t counted;
	loff_t xend;
	bool on;
	loff_t to;
};

static const struct zk_next_case zk_next_cases[] = {
	{ "a whole window ahead", 0, ZK_WINDOW, SZ_64M, false, 0 },
	{ "a byte more than half a window ahead", 0, ZK_WINDOW / 2 + 1,
	  SZ_64M, false, 0 },
	{ "half a window ahead", ZK_WINDOW / 2, ZK_WINDOW, SZ_64M, true,
	  ZK_WINDOW + ZK_WINDOW / 2 },
	{ "nothing ahead", SZ_4M, SZ_4M, SZ_64M, true, SZ_4M + ZK_WINDOW / 2 },
	{ "cut at the transfer's end", SZ_8M - SZ_1M, SZ_8M - ZK_PG(3), SZ_8M,
	  true, SZ_8M },
	{ "all of the transfer counted", SZ_8M - SZ_1M, SZ_8M, SZ_8M, false, 0 },
	{ "unaligned", 100, ZK_WINDOW / 2 + 100, SZ_64M, true,
	  ZK_WINDOW + 100 },
};

static void zk_next_desc(const struct zk_next_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zk_next, zk_next_cases, zk_next_desc);

static void zcopy_cache_next_window_test(struct kunit *test)
{
	const struct zk_next_case *c = test->param_value;
	loff_t to = -1;
	bool on = zcopy_cache_next_window(c->pos, c->counted, c->xend, &to);

	KUNIT_EXPECT_EQ(test, on, c->on);
	if (on && c->on) {
		KUNIT_EXPECT_EQ(test, to, c->to);
		/* What is counted ahead never exceeds one window. */
		KUNIT_EXPECT_LE(test, to - c->pos, (loff_t)ZK_WINDOW);
	}
}

static struct kunit_case zcopy_cache_window_cases[] = {
	KUNIT_CASE_PARAM(zcopy_cache_window_test, zk_window_gen_params),
	KUNIT_CASE_PARAM(zcopy_cache_next_window_test, zk_next_gen_params),
	{}
};

static struct kunit_suite zcopy_cache_window_suite = {
	.name = "zcopy_cache_window",
	.test_cases = zcopy_cache_window_cases,
};

kunit_test_suite(zcopy_cache_window_suite);
