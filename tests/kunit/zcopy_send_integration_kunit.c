// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy_send_integration: real transfers from shmem, ext4 and tmpfs files
 * to a kernel TCP socket pair over loopback, every byte compared with the
 * source, the statistics and the module's counters asserted.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/fadvise.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "zcopy_kunit_helpers.h"

/**
 * struct zk_method_case - a method and what it costs on a gathering route
 * @method: ZCOPY_METHOD_*
 * @zc_per_byte: zc_bytes / sent
 * @copies_sg: copied_bytes / sent
 * @name: its name
 */
struct zk_method_case {
	u32 method;
	u32 zc_per_byte;
	u32 copies_sg;
	const char *name;
};

static const struct zk_method_case zk_methods[] = {
	{ ZCOPY_METHOD_COPY, 0, 2, "copy" },
	{ ZCOPY_METHOD_MMAP, 0, 1, "mmap" },
	{ ZCOPY_METHOD_SPLICE, 1, 0, "splice" },
	{ ZCOPY_METHOD_PAGES, 1, 0, "pages" },
};

static void zk_method_desc(const struct zk_method_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zk_method, zk_methods, zk_method_desc);

/*
 * An anonymous file in @dir holding the test data, written back to storage
 * and, if @cold, evicted from the page cache.  Skips the case where @dir has
 * no filesystem that can make one.
 */
static struct file *zk_tmpfile(struct kunit *test, const char *dir, bool cold)
{
	struct zk_env *env = test->priv;
	struct file *f;
	loff_t pos = 0;

	f = filp_open(dir, O_TMPFILE | O_RDWR | O_LARGEFILE, 0600);
	if (IS_ERR(f))
		kunit_skip(test, "%s: no O_TMPFILE file (%ld)", dir, PTR_ERR(f));
	KUNIT_ASSERT_EQ(test, kernel_write(f, env->data, ZK_FILE_SIZE, &pos),
			(ssize_t)ZK_FILE_SIZE);
	KUNIT_ASSERT_EQ(test, vfs_fsync(f, 0), 0);
	/*
	 * As POSIX_FADV_DONTNEED: new folios wait in per-CPU LRU batches,
	 * holding a reference that makes invalidation skip them, and after a
	 * migration the batch is another CPU's; fadvise drains them all.
	 */
	if (cold) {
		KUNIT_ASSERT_EQ(test, vfs_fadvise(f, 0, 0, POSIX_FADV_DONTNEED), 0);
		KUNIT_ASSERT_EQ(test, f->f_mapping->nrpages, 0);
	}
	return f;
}

/* The whole file, every method: bytes, accounting and counters exact. */
static void zcopy_send_whole_file_accounts_exactly(struct kunit *test)
{
	const struct zk_method_case *c = test->param_value;
	struct zk_env *env = test->priv;
	struct zcopy_stats st;
	u64 sent = 0;

	KUNIT_ASSERT_EQ(test, zk_send(test, c->method, 0, ZK_FILE_SIZE, &sent,
				      &st), 0);
	KUNIT_EXPECT_EQ(test, sent, (u64)ZK_FILE_SIZE);
	zk_expect_received(test, env->data, ZK_FILE_SIZE);
	KUNIT_EXPECT_EQ(test, st.method, c->method);
	KUNIT_EXPECT_EQ(test, st.zc_bytes, c->zc_per_byte * sent);
	KUNIT_EXPECT_EQ(test, st.copied_bytes, c->copies_sg * sent);
	KUNIT_EXPECT_EQ(test, st.cache_hit_pages,
			zk_pages_touched(0, ZK_FILE_SIZE));
	KUNIT_EXPECT_EQ(test, st.cache_miss_pages, 0);
	KUNIT_EXPECT_EQ(test, st.storage_read_bytes, 0);
	KUNIT_EXPECT_TRUE(test, st.route & ZCOPY_ROUTE_SG);
	KUNIT_EXPECT_TRUE(test, st.route & ZCOPY_ROUTE_KNOWN);
	KUNIT_EXPECT_EQ(test, st.ifindex, 1);

	KUNIT_EXPECT_EQ(test, zcopy_counter_read(c->method,
						 ZCOPY_CTR_TRANSFERS) > 0,
			true);
	KUNIT_EXPECT_EQ(test, zcopy_counter_read(ZCOPY_METHOD_AUTO,
						 ZCOPY_CTR_BYTES),
			env->counters[ZCOPY_CTR_BYTES] + sent);
	KUNIT_EXPECT_EQ(test, zcopy_counter_read(ZCOPY_METHOD_AUTO,
						 ZCOPY_CTR_ZC_BYTES),
			env->counters[ZCOPY_CTR_ZC_BYTES] + st.zc_bytes);
	KUNIT_EXPECT_EQ(test, zcopy_counter_read(ZCOPY_METHOD_AUTO,
						 ZCOPY_CTR_COPIED_BYTES),
			env->counters[ZCOPY_CTR_COPIED_BYTES] +
			st.copied_bytes);
	KUNIT_EXPECT_EQ(test, zcopy_counter_read(ZCOPY_METHOD_AUTO,
						 ZCOPY_CTR_TRANSFERS),
			env->counters[ZCOPY_CTR_TRANSFERS] + 1);
}

/* An unaligned middle range: the right bytes, the right pages counted. */
static void zcopy_send_unaligned_range(struct kunit *test)
{
	const struct zk_method_case *c = test->param_value;
	struct zk_env *env = test->priv;
	const u64 off = PAGE_SIZE + 7, len = 3 * PAGE_SIZE + 11;
	struct zcopy_stats st;
	u64 sent = 0;

	KUNIT_ASSERT_EQ(test, zk_send(test, c->method, off, len, &sent, &st),
			0);
	KUNIT_EXPECT_EQ(test, sent, len);
	zk_expect_received(test, env->data + off, len);
	KUNIT_EXPECT_EQ(test, st.cache_hit_pages, zk_pages_touched(off, len));
	KUNIT_EXPECT_EQ(test, st.copied_bytes, c->copies_sg * sent);
}

/*
 * A cold cache on ext4: every page of the range is a miss, nothing is a hit,
 * the bytes come from the disk, and the copies are counted as when hot.
 */
static void zcopy_send_cold_counts_misses(struct kunit *test)
{
	const struct zk_method_case *c = test->param_value;
	struct zk_env *env = test->priv;
	struct zcopy_stats st;
	struct file *in;
	u64 sent = 0;

	in = zk_tmpfile(test, "/mnt/ext4", true);

	KUNIT_EXPECT_EQ(test, zk_send_file(in, env->client, c->method, 0, 0,
					   ZK_FILE_SIZE, &sent, &st), 0);
	KUNIT_EXPECT_EQ(test, sent, (u64)ZK_FILE_SIZE);
	zk_expect_received(test, env->data, ZK_FILE_SIZE);
	KUNIT_EXPECT_EQ(test, st.cache_hit_pages, 0);
	KUNIT_EXPECT_EQ(test, st.cache_miss_pages,
			zk_pages_touched(0, ZK_FILE_SIZE));
	/* 4 KiB blocks: every miss was read from the disk, nothing else. */
	KUNIT_EXPECT_EQ(test, st.storage_read_bytes,
			st.cache_miss_pages << PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, st.zc_bytes, c->zc_per_byte * sent);
	KUNIT_EXPECT_EQ(test, st.copied_bytes, c->copies_sg * sent);
	filp_close(in, NULL);
}

static void zcopy_auto_picks_pages(struct kunit *test)
{
	struct zk_env *env = test->priv;
	struct zcopy_stats st;
	u64 sent = 0;

	KUNIT_ASSERT_EQ(test, zk_send(test, ZCOPY_METHOD_AUTO, 0, ZK_FILE_SIZE,
				      &sent, &st), 0);
	KUNIT_EXPECT_EQ(test, st.method, ZCOPY_METHOD_PAGES);
	zk_expect_received(test, env->data, ZK_FILE_SIZE);
	KUNIT_EXPECT_EQ(test, zcopy_counter_read(ZCOPY_METHOD_AUTO,
						 ZCOPY_CTR_TRANSFERS),
			env->counters[ZCOPY_CTR_TRANSFERS] + 1);
}

/* At EOF nothing is sent and the call succeeds, as sendfile(2). */
static void zcopy_send_at_eof_sends_nothing(struct kunit *test)
{
	struct zcopy_stats st;
	u64 sent = 1;

	KUNIT_ASSERT_EQ(test, zk_send(test, ZCOPY_METHOD_PAGES, ZK_FILE_SIZE,
				      100, &sent, &st), 0);
	KUNIT_EXPECT_EQ(test, sent, 0);
	KUNIT_EXPECT_EQ(test, st.cache_hit_pages + st.cache_miss_pages, 0);
	zk_expect_received(test, NULL, 0);
}

static void zcopy_send_clamps_to_eof(struct kunit *test)
{
	struct zk_env *env = test->priv;
	struct zcopy_stats st;
	u64 sent = 0;

	KUNIT_ASSERT_EQ(test, zk_send(test, ZCOPY_METHOD_SPLICE, 100, 1ULL << 40,
				      &sent, &st), 0);
	KUNIT_EXPECT_EQ(test, sent, (u64)ZK_FILE_SIZE - 100);
	zk_expect_received(test, env->data + 100, ZK_FILE_SIZE - 100);
}

/* A shmem hole is never in the cache: it goes as zeroes and as misses. */
static void zcopy_send_hole_sends_zeroes(struct kunit *test)
{
	struct zk_env *env = test->priv;
	struct zcopy_stats st;
	u64 sent = 0;
	u8 *zeroes;

	KUNIT_ASSERT_EQ(test, vfs_truncate(&env->file->f_path,
					   ZK_FILE_SIZE + 2 * PAGE_SIZE), 0);
	zeroes = kunit_kzalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, zeroes);
	KUNIT_ASSERT_EQ(test, zk_send(test, ZCOPY_METHOD_PAGES,
				      round_up(ZK_FILE_SIZE, PAGE_SIZE),
				      PAGE_SIZE, &sent, &st), 0);
	KUNIT_EXPECT_EQ(test, sent, PAGE_SIZE);
	zk_expect_received(test, zeroes, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.cache_miss_pages, 1);
	KUNIT_EXPECT_EQ(test, st.cache_hit_pages, 0);
}

/**
 * struct zk_direct_case - where DIRECT reads from
 * @dir: a directory to make the file in
 * @from_storage: real direct I/O, or a cache copy (tmpfs)
 */
struct zk_direct_case {
	const char *dir;
	bool from_storage;
};

static const struct zk_direct_case zk_direct_cases[] = {
	{ "/tmp", false },
	{ "/mnt/ext4", true },
};

static void zk_direct_desc(const struct zk_direct_case *c, char *desc)
{
	strscpy(desc, c->dir, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zk_direct, zk_direct_cases, zk_direct_desc);

/*
 * DIRECT reads into module pages and sends them by reference.  On ext4 the
 * bytes come from the disk; tmpfs "direct" reads copy from its own cache,
 * and the statistics must say so.
 */
static void zcopy_direct_accounts_its_reads(struct kunit *test)
{
	const struct zk_direct_case *c = test->param_value;
	struct zk_env *env = test->priv;
	const u64 off = PAGE_SIZE + 5, len = 2 * PAGE_SIZE;
	struct zcopy_stats st;
	struct file *in;
	u64 sent = 0;

	in = zk_tmpfile(test, c->dir, false);

	KUNIT_EXPECT_EQ(test, zk_send_file(in, env->client, ZCOPY_METHOD_DIRECT,
					   0, 0, ZK_FILE_SIZE, &sent, &st), 0);
	KUNIT_EXPECT_EQ(test, sent, (u64)ZK_FILE_SIZE);
	zk_expect_received(test, env->data, ZK_FILE_SIZE);
	KUNIT_EXPECT_EQ(test, st.method, ZCOPY_METHOD_DIRECT);
	KUNIT_EXPECT_EQ(test, st.cache_hit_pages + st.cache_miss_pages, 0);
	if (c->from_storage) {
		KUNIT_EXPECT_EQ(test, st.zc_bytes, sent);
		KUNIT_EXPECT_EQ(test, st.copied_bytes, 0);
		KUNIT_EXPECT_GE(test, st.storage_read_bytes, sent);
	} else {
		/* Copied into the module's pages, then lent: still a copy. */
		KUNIT_EXPECT_EQ(test, st.zc_bytes, 0);
		KUNIT_EXPECT_EQ(test, st.copied_bytes, sent);
		KUNIT_EXPECT_EQ(test, st.storage_read_bytes, 0);
	}

	/* Any byte range works: reads are widened to whole pages. */
	KUNIT_EXPECT_EQ(test, zk_send_file(in, env->client, ZCOPY_METHOD_DIRECT,
					   0, off, len, &sent, &st), 0);
	KUNIT_EXPECT_EQ(test, sent, len);
	zk_expect_received(test, env->data + off, len);
	filp_close(in, NULL);
}

/*
 * NODISKIO: a range that is not cached sends nothing, counts one error and
 * starts readahead, so that a later call finds it cached and sends it all.
 */
static void zcopy_nodiskio_waits_for_no_disk(struct kunit *test)
{
	struct zk_env *env = test->priv;
	struct zcopy_stats st;
	struct file *in;
	u64 sent = 1;
	int tries, err;

	in = zk_tmpfile(test, "/mnt/ext4", true);

	KUNIT_EXPECT_EQ(test, zk_send_file(in, env->client, ZCOPY_METHOD_PAGES,
					   ZCOPY_F_NODISKIO, 0, ZK_FILE_SIZE,
					   &sent, &st), -EAGAIN);
	KUNIT_EXPECT_EQ(test, sent, 0);
	zk_expect_received(test, NULL, 0);
	KUNIT_EXPECT_EQ(test, zcopy_counter_read(ZCOPY_METHOD_AUTO,
						 ZCOPY_CTR_ERRORS),
			env->counters[ZCOPY_CTR_ERRORS] + 1);

	/* The readahead it started completes: then it all goes, all hits. */
	for (tries = 0; tries < 50; tries++) {
		err = zk_send_file(in, env->client, ZCOPY_METHOD_PAGES,
				   ZCOPY_F_NODISKIO, 0, ZK_FILE_SIZE, &sent,
				   &st);
		if (err != -EAGAIN)
			break;
		msleep(100);
	}
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, sent, (u64)ZK_FILE_SIZE);
	KUNIT_EXPECT_EQ(test, st.cache_miss_pages, 0);
	KUNIT_EXPECT_EQ(test, st.storage_read_bytes, 0);
	zk_expect_received(test, env->data, ZK_FILE_SIZE);
	filp_close(in, NULL);
}

/* What reads storage is slow: kunit.filter=speed>slow leaves it out. */
static struct kunit_case zcopy_send_integration_cases[] = {
	KUNIT_CASE_PARAM(zcopy_send_whole_file_accounts_exactly,
			 zk_method_gen_params),
	KUNIT_CASE_PARAM(zcopy_send_unaligned_range, zk_method_gen_params),
	KUNIT_CASE_PARAM_ATTR(zcopy_send_cold_counts_misses,
			      zk_method_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(zcopy_auto_picks_pages),
	KUNIT_CASE(zcopy_send_at_eof_sends_nothing),
	KUNIT_CASE(zcopy_send_clamps_to_eof),
	KUNIT_CASE(zcopy_send_hole_sends_zeroes),
	KUNIT_CASE_PARAM_ATTR(zcopy_direct_accounts_its_reads,
			      zk_direct_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_SLOW(zcopy_nodiskio_waits_for_no_disk),
	{}
};

static struct kunit_suite zcopy_send_integration_suite = {
	.name = "zcopy_send_integration",
	.init = zk_init,
	.exit = zk_exit,
	.test_cases = zcopy_send_integration_cases,
};

kunit_test_suite(zcopy_send_integration_suite);
