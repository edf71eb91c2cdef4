// SPDX-License-Identifier: GPL-2.0
/*
 * t_counters.c - the "counters" group: the sysfs files as a whole, their
 * sums over a batch of mixed transfers, and the per-open-file scope of
 * ZCOPY_IOC_COUNTERS.  Tests run one at a time, so nothing else moves the
 * counters while these read them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
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

/*
 * Concurrent sends: threads pinned to every CPU in turn, each with its own
 * connection, all through one open file.  However the counters are laid
 * out (shared atomics, or per-CPU shares summed by readers), every
 * transfer must count exactly once, per open file and globally.
 */
#define CONC_THREADS	4
#define CONC_SENDS	100
#define CONC_SIZE	4097

struct conc_worker {
	pthread_t thread;
	int dev, cpu, file, tx, rx;
	const unsigned char *want;
	struct tally d;			/* the stats of its sends, summed */
	char why[160];			/* empty: every send went through */
};

static void *conc_main(void *arg)
{
	struct conc_worker *w = arg;
	unsigned char buf[CONC_SIZE];
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		snprintf(w->why, sizeof(w->why), "pin to CPU %d: %s", w->cpu,
			 strerror(errno));
		return NULL;
	}
	for (int i = 0; i < CONC_SENDS; i++) {
		struct zcopy_send req;

		send_req(&req, w->file, w->tx, ZCOPY_METHOD_PAGES, 0, CONC_SIZE);
		if (ioctl(w->dev, ZCOPY_IOC_SEND, &req) || req.sent != CONC_SIZE) {
			snprintf(w->why, sizeof(w->why), "send %d on CPU %d: %s, sent %llu",
				 i, w->cpu, strerror(errno), (unsigned long long)req.sent);
			return NULL;
		}
		tally_add_success(&w->d, &req);
		if (read_full(w->rx, buf, CONC_SIZE) != CONC_SIZE ||
		    memcmp(buf, w->want, CONC_SIZE)) {
			snprintf(w->why, sizeof(w->why), "send %d on CPU %d: wrong bytes",
				 i, w->cpu);
			return NULL;
		}
	}
	return NULL;
}

static void tally_merge(struct tally *to, const struct tally *from)
{
	for (int i = 0; i < C_COUNT; i++) {
		to->global.v[i] += from->global.v[i];
		to->open.v[i] += from->open.v[i];
		for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++)
			to->method[m].v[i] += from->method[m].v[i];
	}
}

static int concurrent_exact(struct tctx *t, const void *arg)
{
	struct conc_worker w[CONC_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct tally before, sum;
	unsigned char want[CONC_SIZE];
	struct sockaddr_storage a;
	socklen_t alen;
	struct tfile f;
	int l, started = 0, rc = 0;

	(void)arg;
	memset(&sum, 0, sizeof(sum));
	for (int i = 0; i < CONC_THREADS; i++)
		w[i] = (struct conc_worker){
			.dev = t->dev, .cpu = (int)(i % (cpus > 0 ? cpus : 1)),
			.file = -1, .tx = -1, .rx = -1, .want = want,
		};
	if (tfile_open(t, &fs_list[FS_TMPFS], CONC_SIZE, &f) < 0)
		return -1;
	pattern_fill(f.seed, 0, want, sizeof(want));
	l = loopback_listener(AF_INET, &a, &alen);
	if (l < 0)
		return fail_errno(t, "listen");
	for (int i = 0; i < CONC_THREADS; i++) {
		w[i].file = open(f.path, O_RDONLY | O_CLOEXEC);
		w[i].tx = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (w[i].file < 0 || w[i].tx < 0 ||
		    connect(w[i].tx, (struct sockaddr *)&a, alen) ||
		    (w[i].rx = accept4(l, NULL, NULL, SOCK_CLOEXEC)) < 0 ||
		    set_sock_timeout(w[i].rx, SO_RCVTIMEO, SEND_TIMEOUT_MS)) {
			rc = fail_errno(t, "connection %d", i);
			goto close_fds;
		}
	}
	if (tally_read(t, t->dev, &before)) {
		rc = -1;
		goto close_fds;
	}
	for (; started < CONC_THREADS; started++) {
		int err = pthread_create(&w[started].thread, NULL, conc_main, &w[started]);

		if (err) {
			rc = fail(t, "pthread_create: %s", strerror(err));
			break;
		}
	}
	for (int i = 0; i < started; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].why[0] && !rc)
			rc = fail(t, "%s", w[i].why);
		tally_merge(&sum, &w[i].d);
	}
	if (!rc)
		rc = check_u64(t, "transfers counted by the threads",
			       sum.open.v[C_TRANSFERS], CONC_THREADS * CONC_SENDS);
	if (!rc)
		rc = tally_expect_delta(t, t->dev, &before, &sum);
close_fds:
	for (int i = 0; i < CONC_THREADS; i++) {
		if (w[i].file >= 0)
			close(w[i].file);
		if (w[i].tx >= 0)
			close(w[i].tx);
		if (w[i].rx >= 0)
			close(w[i].rx);
	}
	close(l);
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
		{ "concurrent-exact", concurrent_exact },
	};

	for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
		reg_add(r, "counters", tests[i].fn, NULL, "%s", tests[i].name);
}
