// SPDX-License-Identifier: GPL-2.0
/*
 * t_counters.c - the "counters" group: the sysfs files as a whole, their
 * sums over a batch of mixed transfers, and the per-open-file scope of
 * ZCOPY_IOC_COUNTERS.  Tests run one at a time, so nothing else moves the
 * counters while these read them.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "zct.h"

/* Every method, both filesystems, sizes on both sides of page edges. */
static const struct {
	int fs;
	unsigned int method;
	uint64_t size;
} batch[] = {
	{ FS_TMPFS, ZCOPY_METHOD_COPY, 1 },
	{ FS_EXT4, ZCOPY_METHOD_MMAP, 4097 },
	{ FS_TMPFS, ZCOPY_METHOD_SPLICE, MIB + 13 },
	{ FS_EXT4, ZCOPY_METHOD_PAGES, 4096 },
	{ FS_TMPFS, ZCOPY_METHOD_AUTO, 4095 },
	{ FS_EXT4, ZCOPY_METHOD_COPY, MIB + 13 },
	{ FS_TMPFS, ZCOPY_METHOD_MMAP, 0 },
	{ FS_EXT4, ZCOPY_METHOD_SPLICE, 1 },
	{ FS_TMPFS, ZCOPY_METHOD_PAGES, MIB + 13 },
	{ FS_EXT4, ZCOPY_METHOD_AUTO, 4097 },
	{ FS_EXT4, ZCOPY_METHOD_DIRECT, 2 * 4096 },	/* if implemented */
};

/* Each batch transfer on its own connection, summed into @sum. */
static int run_batch(struct tctx *t, int dev, struct tally *sum)
{
	struct scenario sc;

	for (size_t i = 0; i < ARRAY_SIZE(batch); i++) {
		if (!method_supported(t, batch[i].method))
			continue;
		snprintf(t->where, sizeof(t->where), "batch transfer %zu", i + 1);
		scenario_single(&sc, &fs_list[batch[i].fs], batch[i].method,
				batch[i].size, 0, batch[i].size);
		if (scenario_run(t, dev, &sc, sum) != 0)
			return -1;
	}
	t->where[0] = '\0';
	return 0;
}

/* Global and per-method deltas equal the sums of the stats. */
static int mixed_batch(struct tctx *t, const void *arg)
{
	struct tally before, delta;

	(void)arg;
	memset(&delta, 0, sizeof(delta));
	if (tally_read(t, t->dev, &before) != 0 || run_batch(t, t->dev, &delta))
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}

/* Every transfer and error counts in stats/ and in exactly one method
 * directory, so at rest each stats/ file is the sum of the methods'. */
static int global_is_sum(struct tctx *t, const void *arg)
{
	struct tally now, unused;
	struct ctrs sum;

	(void)arg;
	memset(&sum, 0, sizeof(sum));
	memset(&unused, 0, sizeof(unused));
	/* Make sure there is something to add up, even run alone. */
	if (run_batch(t, t->dev, &unused) != 0 || tally_read(t, t->dev, &now))
		return -1;
	for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++)
		for (int i = 0; i < C_COUNT; i++)
			sum.v[i] += now.method[m].v[i];
	return ctrs_expect(t, "sum over sysfs stats_*/", &sum, &now.global);
}

/* An open file to look at around a transfer, and whether it must count
 * the transfer (it is the sending open file) or not move at all. */
struct watch {
	int dev;
	bool moves;
	const char *label;
	struct ctrs before;
};

/* One 4097-byte tmpfs transfer by @method through @via, then the check of
 * every watched open file's ZCOPY_IOC_COUNTERS. */
static int send_watched(struct tctx *t, int via, unsigned int method,
			struct watch *w, size_t nw)
{
	struct ctrs now, none;
	struct scenario sc;
	struct tally d;

	memset(&none, 0, sizeof(none));
	memset(&d, 0, sizeof(d));
	for (size_t i = 0; i < nw; i++)
		if (counters_read_open(t, w[i].dev, &w[i].before) != 0)
			return -1;
	scenario_single(&sc, &fs_list[FS_TMPFS], method, 4097, 0, 4097);
	if (scenario_run(t, via, &sc, &d) != 0)
		return -1;
	for (size_t i = 0; i < nw; i++)
		if (counters_read_open(t, w[i].dev, &now) != 0 ||
		    ctrs_expect_delta(t, w[i].label, &now, &w[i].before,
				      w[i].moves ? &d.open : &none) != 0)
			return -1;
	return 0;
}

/* A transfer through one open file shows in its counters only; a fresh
 * open starts at zero. */
static int per_open_independent(struct tctx *t, const void *arg)
{
	int b = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	struct watch a_sends[] = {
		{ .dev = t->dev, .moves = true, .label = "open A after its send: " },
		{ .dev = b, .moves = false, .label = "open B after A's send: " },
	};
	struct watch b_sends[] = {
		{ .dev = b, .moves = true, .label = "open B after its send: " },
		{ .dev = t->dev, .moves = false, .label = "open A after B's send: " },
	};
	struct ctrs fresh, none;
	int rc;

	(void)arg;
	memset(&none, 0, sizeof(none));
	if (b < 0)
		return fail_errno(t, "second open of %s", DEV_PATH);
	rc = counters_read_open(t, b, &fresh);
	if (!rc)
		rc = ctrs_expect(t, "fresh open B: ", &fresh, &none);
	if (!rc)
		rc = send_watched(t, t->dev, ZCOPY_METHOD_COPY, a_sends, 2);
	if (!rc)
		rc = send_watched(t, b, ZCOPY_METHOD_PAGES, b_sends, 2);
	close(b);
	return rc;
}

/* dup() shares the open file, so it shares its counters. */
static int per_open_shared_by_dup(struct tctx *t, const void *arg)
{
	int dup_fd = fcntl(t->dev, F_DUPFD_CLOEXEC, 0);
	struct watch orig[] = {
		{ .dev = t->dev, .moves = true,
		  .label = "original fd after a send on its dup: " },
	};
	int rc;

	(void)arg;
	if (dup_fd < 0)
		return fail_errno(t, "dup");
	rc = send_watched(t, dup_fd, ZCOPY_METHOD_SPLICE, orig, 1);
	close(dup_fd);
	return rc;
}

/* The device's directories are the driver core's power/ and the
 * counters' groups, nothing else: the layout is ABI. */
static int sysfs_dirs_known(struct tctx *t)
{
	DIR *d = opendir(SYSFS_DIR);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return fail_errno(t, "opendir %s", SYSFS_DIR);
	while (!rc && (de = readdir(d))) {
		bool known = de->d_type != DT_DIR || de->d_name[0] == '.' ||
			     !strcmp(de->d_name, "power") ||
			     !strcmp(de->d_name, "stats");

		for (unsigned int m = 0; !known && m < ZCOPY_METHOD_COUNT; m++)
			known = !strncmp(de->d_name, "stats_", 6) &&
				method_desc[m].has_dir &&
				!strcmp(de->d_name + 6, method_desc[m].name);
		if (!known)
			rc = fail(t, "%s/%s: a directory outside the ABI",
				  SYSFS_DIR, de->d_name);
	}
	closedir(d);
	return rc;
}

/* A directory per implemented method but AUTO, all eight files each. */
static int sysfs_layout(struct tctx *t, const void *arg)
{
	struct ctrs c;
	struct stat st;
	char dir[128];

	(void)arg;
	if (sysfs_dirs_known(t) != 0)
		return -1;
	for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++) {
		bool want = method_desc[m].has_dir && method_supported(t, m);
		bool have;

		snprintf(dir, sizeof(dir), SYSFS_DIR "/stats_%s",
			 method_desc[m].name);
		have = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
		if (want != have)
			return fail(t, "%s: %s", dir, want ? "missing" :
				    "present, but the method has no directory");
		if (have && counters_read_sysfs(t, dir, &c) != 0)
			return -1;
	}
	return counters_read_sysfs(t, SYSFS_DIR "/stats", &c);
}

void counters_register(struct registry *r)
{
	static const struct {
		const char *name;
		int (*fn)(struct tctx *t, const void *arg);
	} tests[] = {
		{ "sysfs-layout", sysfs_layout },
		{ "mixed-batch", mixed_batch },
		{ "global-is-sum-of-methods", global_is_sum },
		{ "per-open-independent", per_open_independent },
		{ "per-open-shared-by-dup", per_open_shared_by_dup },
	};

	for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
		reg_add(r, "counters", tests[i].fn, NULL, "%s", tests[i].name);
}
