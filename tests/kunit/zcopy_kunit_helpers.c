// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy_kunit.ko: the KUnit suites of zcopy, one suite per file, and what
 * the integration suites share (zcopy_kunit_helpers.h).  A case writes to
 * the files and sockets it made itself and to nothing else: the machine
 * (lo up, the filesystems mounted) is the boot's to set up.
 */
#include <kunit/test.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/in.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/shmem_fs.h>
#include <linux/socket.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "zcopy_kunit_helpers.h"

ZCOPY_IMPORT_KUNIT_NS();

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

/* A TCP connection to ourselves over 127.0.0.1, both ends in @env. */
static int zk_connect(struct zk_env *env)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct socket *client;
	int err;

	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &env->listener);
	if (err)
		return err;
	err = kernel_bind(env->listener, (struct sockaddr *)&sin, sizeof(sin));
	if (!err)
		err = kernel_listen(env->listener, 1);
	if (err)
		return err;
	/* The port the kernel picked. */
	err = kernel_getsockname(env->listener, (struct sockaddr *)&sin);
	if (err < 0)
		return err;
	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &client);
	if (err)
		return err;
	env->client = sock_alloc_file(client, 0, NULL);
	if (IS_ERR(env->client)) {
		err = PTR_ERR(env->client);
		env->client = NULL;
		return err;
	}
	err = kernel_connect(client, (struct sockaddr *)&sin, sizeof(sin), 0);
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

/**
 * zk_init() - the .init of an integration suite
 * @test: the case; test->priv becomes its &struct zk_env
 *
 * A shmem file of ZK_FILE_SIZE known bytes and a TCP connection over
 * loopback, and the module's counters as they are now.  The case is
 * skipped when lo is down: bringing it up is the boot's business (the
 * guest's init does), not a test's.
 *
 * Return: 0; a failure ends the case through an assertion.
 */
int zk_init(struct kunit *test)
{
	struct zk_env *env;
	loff_t pos = 0;
	int c;

	if (!netif_running(init_net.loopback_dev))
		kunit_skip(test, "lo is down: no 127.0.0.1 to connect to");

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

	KUNIT_ASSERT_EQ(test, zk_connect(env), 0);
	for (c = 0; c < ZCOPY_NR_COUNTERS; c++)
		env->counters[c] = zcopy_counter_read(ZCOPY_METHOD_AUTO, c);
	return 0;
}

/**
 * zk_exit() - the .exit of an integration suite
 * @test: the case, however far zk_init() got
 */
void zk_exit(struct kunit *test)
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

/**
 * zk_expect_received() - the receiving end gets exactly @want
 * @test: the case
 * @want: the bytes that must arrive (the source's), or NULL if @len is 0
 * @len: how many
 *
 * Receives @len bytes, compares them with @want, then checks that nothing
 * else is queued.
 */
void zk_expect_received(struct kunit *test, const u8 *want, size_t len)
{
	struct zk_env *env = test->priv;
	struct kvec kv;
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	size_t got = 0;

	while (got < len) {
		struct msghdr rmsg = { .msg_flags = 0 };
		int ret;

		kv.iov_base = env->rx + got;
		kv.iov_len = len - got;
		ret = kernel_recvmsg(env->server, &rmsg, &kv, 1, len - got, 0);
		KUNIT_ASSERT_GT_MSG(test, ret, 0, "received %zu of %zu", got,
				    len);
		got += ret;
	}
	if (len)
		KUNIT_EXPECT_EQ(test, memcmp(env->rx, want, len), 0);

	kv.iov_base = env->rx;
	kv.iov_len = 1;
	KUNIT_EXPECT_EQ(test, kernel_recvmsg(env->server, &msg, &kv, 1, 1,
					     MSG_DONTWAIT), -EAGAIN);
}

/**
 * zk_expect_counters_unchanged() - no global counter moved since zk_init()
 * @test: the case
 */
void zk_expect_counters_unchanged(struct kunit *test)
{
	struct zk_env *env = test->priv;
	int c;

	for (c = 0; c < ZCOPY_NR_COUNTERS; c++)
		KUNIT_EXPECT_EQ_MSG(test,
				    zcopy_counter_read(ZCOPY_METHOD_AUTO, c),
				    env->counters[c], "counter %d moved", c);
}

/**
 * zk_send_file() - what ZCOPY_IOC_SEND does with the files of its fds
 * @in: the source file (the call takes a reference of its own)
 * @out: the socket's file (likewise)
 * @method: ZCOPY_METHOD_*
 * @flags: ZCOPY_F_*
 * @offset: first byte, or ZCOPY_OFFSET_CURRENT
 * @len: bytes asked for
 * @sent: out: bytes sent
 * @st: out: the statistics
 *
 * Return: what the ioctl would return.
 */
int zk_send_file(struct file *in, struct file *out, u32 method, u32 flags,
		 u64 offset, u64 len, u64 *sent, struct zcopy_stats *st)
{
	struct zcopy_send s = {
		.size = sizeof(s),
		.flags = flags,
		.method = method,
		.offset = offset,
		.len = len,
	};
	int err;

	/* As zcopy_check_send_sync(): release records are for operations. */
	err = flags & ZCOPY_F_NOTIFY_RELEASE ? -EINVAL :
	      zcopy_check_method(method, flags);
	if (!err)
		err = zcopy_send_files(NULL, &s, get_file(in), get_file(out));
	*sent = s.sent;
	*st = s.stats;
	return err;
}

/**
 * zk_send() - zk_send_file() of the case's shmem file to its connection
 * @test: the case
 * @method: ZCOPY_METHOD_*
 * @offset: first byte
 * @len: bytes asked for
 * @sent: out: bytes sent
 * @st: out: the statistics
 *
 * Return: what the ioctl would return.
 */
int zk_send(struct kunit *test, u32 method, u64 offset, u64 len, u64 *sent,
	    struct zcopy_stats *st)
{
	struct zk_env *env = test->priv;

	return zk_send_file(env->file, env->client, method, 0, offset, len,
			    sent, st);
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for zcopy");
