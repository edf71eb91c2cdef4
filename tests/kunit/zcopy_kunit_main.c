// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for zcopy: real transfers from a shmem file to a kernel TCP
 * socket pair over loopback, every byte compared, the accounting asserted.
 */
#include <kunit/test.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "zcopy.h"

ZCOPY_IMPORT_KUNIT_NS();

/* Small enough to sit in the socket buffers with nobody reading yet. */
#define ZK_FILE_SIZE	(9 * PAGE_SIZE + 123)

struct zk_env {
	struct socket *listener;
	struct socket *server;	/* the receiving end */
	struct file *client;	/* the sending end, as a file */
	struct file *file;	/* shmem source */
	u8 *data;		/* what the file holds */
	u8 *rx;
	u64 counters[ZCOPY_NR_COUNTERS];	/* global, at case start */
};

static void zk_fill_pattern(u8 *p, size_t len)
{
	u32 x = 0x9e3779b9;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x ^ (i >> PAGE_SHIFT);
	}
}

/* lo is down in an initramfs boot: no 127.0.0.1 until it is up. */
static int zk_lo_up(void)
{
	struct net_device *dev;
	int err = 0;

	rtnl_lock();
	dev = __dev_get_by_name(&init_net, "lo");
	if (!dev)
		err = -ENODEV;
	else if (!(dev->flags & IFF_UP))
		err = dev_change_flags(dev, dev->flags | IFF_UP, NULL);
	rtnl_unlock();
	return err;
}

static int zk_connect(struct kunit *test, struct zk_env *env, int family)
{
	struct sockaddr_storage ss = { .ss_family = family };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct socket *client;
	int len = sizeof(*sin);
	int err;

	if (family == AF_INET)
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		return -EAFNOSUPPORT;
	err = sock_create_kern(&init_net, family, SOCK_STREAM, IPPROTO_TCP,
			       &env->listener);
	if (err)
		return err;
	err = kernel_bind(env->listener, (struct sockaddr *)&ss, len);
	if (!err)
		err = kernel_listen(env->listener, 1);
	if (!err)
		err = kernel_getsockname(env->listener,
					 (struct sockaddr *)&ss) < 0;
	if (err)
		return err;
	err = sock_create_kern(&init_net, family, SOCK_STREAM, IPPROTO_TCP,
			       &client);
	if (err)
		return err;
	env->client = sock_alloc_file(client, 0, NULL);
	if (IS_ERR(env->client)) {
		err = PTR_ERR(env->client);
		env->client = NULL;
		return err;
	}
	err = kernel_connect(client, (struct sockaddr *)&ss, len, 0);
	if (err)
		return err;
	err = kernel_accept(env->listener, &env->server, 0);
	if (err)
		return err;
	/* A failing case must not hang the suite. */
	env->server->sk->sk_rcvtimeo = 5 * HZ;
	client->sk->sk_sndtimeo = 5 * HZ;
	return 0;
}

static int zk_init(struct kunit *test)
{
	struct zk_env *env;
	loff_t pos = 0;
	int c;

	env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, env);
	test->priv = env;
	env->data = kunit_kzalloc(test, ZK_FILE_SIZE, GFP_KERNEL);
	env->rx = kunit_kzalloc(test, ZK_FILE_SIZE + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, env->data);
	KUNIT_ASSERT_NOT_NULL(test, env->rx);
	zk_fill_pattern(env->data, ZK_FILE_SIZE);

	env->file = shmem_file_setup("zcopy-kunit", 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(env->file));
	/* A pseudo file lacks FMODE_PREAD, which every open(2)ed file has. */
	env->file->f_mode |= FMODE_PREAD;
	KUNIT_ASSERT_EQ(test, kernel_write(env->file, env->data, ZK_FILE_SIZE,
					   &pos), (ssize_t)ZK_FILE_SIZE);

	KUNIT_ASSERT_EQ(test, zk_lo_up(), 0);
	KUNIT_ASSERT_EQ(test, zk_connect(test, env, AF_INET), 0);
	for (c = 0; c < ZCOPY_NR_COUNTERS; c++)
		env->counters[c] = zcopy_counter_read(ZCOPY_METHOD_AUTO, c);
	return 0;
}

static void zk_exit(struct kunit *test)
{
	struct zk_env *env = test->priv;

	if (!env)
		return;
	if (env->client)
		fput(env->client);
	if (env->server)
		sock_release(env->server);
	if (env->listener)
		sock_release(env->listener);
	if (env->file && !IS_ERR(env->file))
		fput(env->file);
}

/* Receive exactly @len bytes, then make sure nothing else is queued. */
static void zk_expect_received(struct kunit *test, const u8 *want, size_t len)
{
	struct zk_env *env = test->priv;
	size_t got = 0;

	while (got < len) {
		struct kvec kv = { env->rx + got, len - got };
		struct msghdr msg = { .msg_flags = 0 };
		int ret = kernel_recvmsg(env->server, &msg, &kv, 1, len - got,
					 0);

		KUNIT_ASSERT_GT_MSG(test, ret, 0, "received %zu of %zu", got,
				    len);
		got += ret;
	}
	KUNIT_EXPECT_EQ(test, memcmp(env->rx, want, len), 0);
	{
		struct kvec kv = { env->rx, 1 };
		struct msghdr msg = { .msg_flags = MSG_DONTWAIT };

		KUNIT_EXPECT_EQ(test, kernel_recvmsg(env->server, &msg, &kv, 1,
						     1, MSG_DONTWAIT),
				-EAGAIN);
	}
}

/* What ZCOPY_IOC_SEND does with the files of its descriptors. */
static int zk_send_file(struct file *in, struct file *out, u32 method,
			u32 flags, u64 offset, u64 len, u64 *sent,
			struct zcopy_stats *st)
{
	struct zcopy_send s = {
		.size = sizeof(s),
		.flags = flags,
		.method = method,
		.offset = offset,
		.len = len,
	};
	int err;

	err = zcopy_check_method(method, flags);
	if (!err)
		err = zcopy_send_files(NULL, &s, get_file(in), get_file(out));
	*sent = s.sent;
	*st = s.stats;
	return err;
}

static int zk_send(struct kunit *test, u32 method, u64 offset, u64 len,
		   u64 *sent, struct zcopy_stats *st)
{
	struct zk_env *env = test->priv;

	return zk_send_file(env->file, env->client, method, 0, offset, len,
			    sent, st);
}

static void zk_expect_counters_unchanged(struct kunit *test)
{
	struct zk_env *env = test->priv;
	int c;

	for (c = 0; c < ZCOPY_NR_COUNTERS; c++)
		KUNIT_EXPECT_EQ_MSG(test,
				    zcopy_counter_read(ZCOPY_METHOD_AUTO, c),
				    env->counters[c], "counter %d moved", c);
}

static u64 zk_pages_touched(u64 offset, u64 len)
{
	return len ? ((offset + len - 1) >> PAGE_SHIFT) -
		     (offset >> PAGE_SHIFT) + 1 : 0;
}

struct zk_method_case {
	u32 method;
	u32 zc_per_byte;	/* zc_bytes / sent on a gathering route */
	u32 copies_sg;		/* copied_bytes / sent, SG on */
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
	if (cold) {
		invalidate_mapping_pages(f->f_mapping, 0, -1);
		KUNIT_ASSERT_EQ(test, f->f_mapping->nrpages, 0);
	}
	return f;
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

struct zk_direct_case {
	const char *dir;
	bool from_storage;	/* real direct I/O, or a cache copy (tmpfs) */
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

/* A file the filesystem cannot read with direct I/O: refused up front. */
static void zcopy_direct_refuses_files_without_odirect(struct kunit *test)
{
	struct zcopy_stats st;
	u64 sent = 0;

	KUNIT_EXPECT_EQ(test, zk_send(test, ZCOPY_METHOD_DIRECT, 0, 10, &sent,
				      &st), -EINVAL);
	zk_expect_received(test, NULL, 0);
	zk_expect_counters_unchanged(test);
}

struct zk_bad_case {
	const char *name;
	u32 method;
	u32 flags;
	u64 offset;
	u64 len;
	int err;
};

static const struct zk_bad_case zk_bad_cases[] = {
	{ "unknown method", ZCOPY_METHOD_COUNT, 0, 0, 1, -EINVAL },
	{ "method ~0", ~0U, 0, 0, 1, -EINVAL },
	{ "unknown flag", ZCOPY_METHOD_PAGES, 1U << 3, 0, 1, -EINVAL },
	{ "top flag", ZCOPY_METHOD_PAGES, 1U << 31, 0, 1, -EINVAL },
	{ "NODISKIO with DIRECT", ZCOPY_METHOD_DIRECT, ZCOPY_F_NODISKIO, 0, 1,
	  -EINVAL },
	{ "NOSIGNAL with SPLICE", ZCOPY_METHOD_SPLICE, ZCOPY_F_NOSIGNAL, 0, 1,
	  -EINVAL },
	{ "negative offset", ZCOPY_METHOD_PAGES, 0, -5ULL, 1, -EINVAL },
	{ "offset+len wraps", ZCOPY_METHOD_PAGES, 0, LLONG_MAX - 10, 100,
	  -EINVAL },
	{ "len above SSIZE_MAX", ZCOPY_METHOD_COPY, 0, 0, 1ULL << 63,
	  -EINVAL },
};

static void zk_bad_desc(const struct zk_bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zk_bad, zk_bad_cases, zk_bad_desc);

static void zcopy_rejects_bad_arguments(struct kunit *test)
{
	const struct zk_bad_case *c = test->param_value;
	struct zk_env *env = test->priv;
	struct zcopy_stats st;
	u64 sent = 0;

	KUNIT_EXPECT_EQ(test, zk_send_file(env->file, env->client, c->method,
					   c->flags, c->offset, c->len, &sent,
					   &st), c->err);
	zk_expect_received(test, NULL, 0);
	zk_expect_counters_unchanged(test);
}

/* Source must be a regular file, destination a connected TCP socket. */
static void zcopy_rejects_bad_files(struct kunit *test)
{
	struct zk_env *env = test->priv;
	struct socket *udp, *tcp;
	struct file *udp_file, *tcp_file;
	struct zcopy_stats st;
	u64 sent = 0;

	KUNIT_EXPECT_EQ(test, zk_send_file(env->client, env->client,
					   ZCOPY_METHOD_PAGES, 0, 0, 1, &sent,
					   &st), -EINVAL);
	KUNIT_EXPECT_EQ(test, zk_send_file(env->file, env->file,
					   ZCOPY_METHOD_PAGES, 0, 0, 1, &sent,
					   &st), -ENOTSOCK);

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_DGRAM,
					       IPPROTO_UDP, &udp), 0);
	udp_file = sock_alloc_file(udp, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(udp_file));
	KUNIT_EXPECT_EQ(test, zk_send_file(env->file, udp_file,
					   ZCOPY_METHOD_PAGES, 0, 0, 1, &sent,
					   &st), -EOPNOTSUPP);
	fput(udp_file);

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &tcp), 0);
	tcp_file = sock_alloc_file(tcp, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tcp_file));
	KUNIT_EXPECT_EQ(test, zk_send_file(env->file, tcp_file,
					   ZCOPY_METHOD_PAGES, 0, 0, 1, &sent,
					   &st), -ENOTCONN);
	fput(tcp_file);

	env->client->f_flags |= O_APPEND;
	KUNIT_EXPECT_EQ(test, zk_send_file(env->file, env->client,
					   ZCOPY_METHOD_PAGES, 0, 0, 1, &sent,
					   &st), -EINVAL);
	env->client->f_flags &= ~O_APPEND;

	zk_expect_received(test, NULL, 0);
	zk_expect_counters_unchanged(test);
}

/* After shutdown(SHUT_WR) TCP refuses: a runtime error, counted as one. */
static void zcopy_shutdown_socket_is_epipe(struct kunit *test)
{
	struct zk_env *env = test->priv;
	struct zcopy_stats st;
	u64 sent = 0;

	KUNIT_ASSERT_EQ(test, kernel_sock_shutdown(sock_from_file(env->client),
						   SHUT_WR), 0);
	KUNIT_EXPECT_EQ(test, zk_send(test, ZCOPY_METHOD_PAGES, 0, 10, &sent,
				      &st), -EPIPE);
	KUNIT_EXPECT_EQ(test, sent, 0);
	KUNIT_EXPECT_EQ(test, zcopy_counter_read(ZCOPY_METHOD_AUTO,
						 ZCOPY_CTR_ERRORS),
			env->counters[ZCOPY_CTR_ERRORS] + 1);
	KUNIT_EXPECT_EQ(test, zcopy_counter_read(ZCOPY_METHOD_AUTO,
						 ZCOPY_CTR_TRANSFERS),
			env->counters[ZCOPY_CTR_TRANSFERS]);
}

static struct kunit_case zcopy_transfer_cases[] = {
	KUNIT_CASE_PARAM(zcopy_send_whole_file_accounts_exactly,
			 zk_method_gen_params),
	KUNIT_CASE_PARAM(zcopy_send_unaligned_range, zk_method_gen_params),
	KUNIT_CASE_PARAM(zcopy_send_cold_counts_misses, zk_method_gen_params),
	KUNIT_CASE(zcopy_auto_picks_pages),
	KUNIT_CASE(zcopy_send_at_eof_sends_nothing),
	KUNIT_CASE(zcopy_send_clamps_to_eof),
	KUNIT_CASE(zcopy_send_hole_sends_zeroes),
	KUNIT_CASE_PARAM(zcopy_direct_accounts_its_reads, zk_direct_gen_params),
	KUNIT_CASE(zcopy_nodiskio_waits_for_no_disk),
	{}
};

static struct kunit_suite zcopy_transfer_suite = {
	.name = "zcopy_transfer",
	.init = zk_init,
	.exit = zk_exit,
	.test_cases = zcopy_transfer_cases,
};

static struct kunit_case zcopy_validation_cases[] = {
	KUNIT_CASE_PARAM(zcopy_rejects_bad_arguments, zk_bad_gen_params),
	KUNIT_CASE(zcopy_rejects_bad_files),
	KUNIT_CASE(zcopy_direct_refuses_files_without_odirect),
	KUNIT_CASE(zcopy_shutdown_socket_is_epipe),
	{}
};

static struct kunit_suite zcopy_validation_suite = {
	.name = "zcopy_validation",
	.init = zk_init,
	.exit = zk_exit,
	.test_cases = zcopy_validation_cases,
};

/*
 * How a file's reads are served, decided per file: which files' page cache
 * may be lent, which reads go through a page cache at all, and which sizes
 * bound the content.  Files on mounts a boot lacks are skipped; make check
 * mounts them all.
 */
struct zk_source_case {
	const char *path;	/* an existing file, or a directory for a tmpfile */
	bool cache;		/* reads go through a page cache */
	bool lendable;		/* ...the file's own, which PAGES and MMAP lend */
	bool sized;		/* i_size bounds the content */
	u32 auto_method;	/* what AUTO picks for it */
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

static struct kunit_case zcopy_source_cases[] = {
	KUNIT_CASE_PARAM(zcopy_source_decides_per_file, zk_source_gen_params),
	{}
};

static struct kunit_suite zcopy_source_suite = {
	.name = "zcopy_source",
	.test_cases = zcopy_source_cases,
};

kunit_test_suites(&zcopy_transfer_suite, &zcopy_validation_suite,
		  &zcopy_source_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for zcopy");
