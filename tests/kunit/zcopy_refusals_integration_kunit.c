// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy_refusals_integration: what a send refuses, with a real file and a
 * real connection over loopback.  A request refused before anything
 * happens sends nothing and moves no counter; a socket that fails while
 * sending counts one error.
 */
#include <kunit/test.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/in.h>
#include <linux/limits.h>
#include <linux/net.h>
#include <net/net_namespace.h>

#include "zcopy_kunit_helpers.h"

/**
 * struct zk_bad_case - a request refused before anything is sent
 * @name: what is wrong with it
 * @method: ZCOPY_METHOD_*
 * @flags: ZCOPY_F_*
 * @offset: first byte
 * @len: bytes asked for
 * @err: the refusal
 */
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
	{ "unknown flag", ZCOPY_METHOD_PAGES, 1U << 4, 0, 1, -EINVAL },
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

/* A fresh IPv4 kernel socket of @type and @protocol as the destination. */
static void zk_expect_socket_refused(struct kunit *test, int type,
				     int protocol, int err)
{
	struct zk_env *env = test->priv;
	struct zcopy_stats st;
	struct socket *sock;
	struct file *f;
	u64 sent = 0;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, type,
					       protocol, &sock), 0);
	f = sock_alloc_file(sock, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	KUNIT_EXPECT_EQ(test, zk_send_file(env->file, f, ZCOPY_METHOD_PAGES,
					   0, 0, 1, &sent, &st), err);
	fput(f);
}

/* Source must be a regular file, destination a connected TCP socket. */
static void zcopy_rejects_bad_files(struct kunit *test)
{
	struct zk_env *env = test->priv;
	struct zcopy_stats st;
	u64 sent = 0;

	KUNIT_EXPECT_EQ(test, zk_send_file(env->client, env->client,
					   ZCOPY_METHOD_PAGES, 0, 0, 1, &sent,
					   &st), -EINVAL);
	KUNIT_EXPECT_EQ(test, zk_send_file(env->file, env->file,
					   ZCOPY_METHOD_PAGES, 0, 0, 1, &sent,
					   &st), -ENOTSOCK);
	zk_expect_socket_refused(test, SOCK_DGRAM, IPPROTO_UDP, -EOPNOTSUPP);
	zk_expect_socket_refused(test, SOCK_STREAM, IPPROTO_TCP, -ENOTCONN);

	env->client->f_flags |= O_APPEND;
	KUNIT_EXPECT_EQ(test, zk_send_file(env->file, env->client,
					   ZCOPY_METHOD_PAGES, 0, 0, 1, &sent,
					   &st), -EINVAL);
	env->client->f_flags &= ~O_APPEND;

	zk_expect_received(test, NULL, 0);
	zk_expect_counters_unchanged(test);
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

static struct kunit_case zcopy_refusals_integration_cases[] = {
	KUNIT_CASE_PARAM(zcopy_rejects_bad_arguments, zk_bad_gen_params),
	KUNIT_CASE(zcopy_rejects_bad_files),
	KUNIT_CASE(zcopy_direct_refuses_files_without_odirect),
	KUNIT_CASE(zcopy_shutdown_socket_is_epipe),
	{}
};

static struct kunit_suite zcopy_refusals_integration_suite = {
	.name = "zcopy_refusals_integration",
	.init = zk_init,
	.exit = zk_exit,
	.test_cases = zcopy_refusals_integration_cases,
};

kunit_test_suite(zcopy_refusals_integration_suite);
