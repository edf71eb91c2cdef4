// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy_source_integration: how a file's reads are served, decided per file
 * on the filesystems of the test machine: which files' page cache may be
 * lent, which reads go through a page cache at all, which sizes bound the
 * content, and what AUTO picks.  Files on mounts a boot lacks are skipped;
 * make check mounts them all.
 */
#include <kunit/test.h>
#include <linux/fcntl.h>
#include <linux/fs.h>

#include "zcopy.h"

/**
 * struct zk_source_case - a file, and how its reads must be served
 * @path: an existing file, or a directory to make a tmpfile in
 * @cache: reads go through a page cache
 * @lendable: ...the file's own, which PAGES and MMAP lend
 * @sized: i_size bounds the content
 * @auto_method: what AUTO picks for it
 */
struct zk_source_case {
	const char *path;
	bool cache;
	bool lendable;
	bool sized;
	u32 auto_method;
};

static const struct zk_source_case zk_source_cases[] = {
	{ "/tmp", true, true, true, ZCOPY_METHOD_PAGES },
	{ "/mnt/ext4", true, true, true, ZCOPY_METHOD_PAGES },
	{ "/mnt/xfs", true, true, true, ZCOPY_METHOD_PAGES },
	{ "/mnt/ext4-1k", true, true, true, ZCOPY_METHOD_PAGES },
	{ "/mnt/dax", false, false, true, ZCOPY_METHOD_SPLICE },
	{ "/proc/version", false, false, false, ZCOPY_METHOD_SPLICE },
	{ "/sys/kernel/uevent_seqnum", false, false, false,
	  ZCOPY_METHOD_SPLICE },
};

static void zk_source_desc(const struct zk_source_case *c, char *desc)
{
	strscpy(desc, c->path, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zk_source, zk_source_cases, zk_source_desc);

static void zcopy_source_decides_per_file(struct kunit *test)
{
	const struct zk_source_case *c = test->param_value;
	struct zcopy_source src;
	struct file *f;

	f = filp_open(c->path, O_RDONLY, 0);
	if (IS_ERR(f))
		kunit_skip(test, "%s: %ld", c->path, PTR_ERR(f));
	if (S_ISDIR(file_inode(f)->i_mode)) {
		filp_close(f, NULL);
		f = filp_open(c->path, O_TMPFILE | O_RDWR, 0600);
		if (IS_ERR(f))
			kunit_skip(test, "%s: no tmpfile (%ld)", c->path,
				   PTR_ERR(f));
	}
	zcopy_source_init(&src, f);
	KUNIT_EXPECT_EQ(test, !!src.cache, c->cache);
	KUNIT_EXPECT_EQ(test, src.lendable, c->lendable);
	KUNIT_EXPECT_EQ(test, src.sized, c->sized);
	KUNIT_EXPECT_EQ(test, zcopy_auto_method(f, 0), c->auto_method);
	filp_close(f, NULL);
}

static struct kunit_case zcopy_source_integration_cases[] = {
	KUNIT_CASE_PARAM(zcopy_source_decides_per_file, zk_source_gen_params),
	{}
};

static struct kunit_suite zcopy_source_integration_suite = {
	.name = "zcopy_source_integration",
	.test_cases = zcopy_source_integration_cases,
};

kunit_test_suite(zcopy_source_integration_suite);
