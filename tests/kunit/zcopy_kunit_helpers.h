/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the integration suites of zcopy_kunit.ko share: a shmem file of
 * known bytes, a TCP connection over loopback to send it on, and the
 * checks of what arrived.  The unit suites need none of it.
 */
#ifndef _ZCOPY_KUNIT_HELPERS_H
#define _ZCOPY_KUNIT_HELPERS_H

#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/types.h>

#include "zcopy.h"

/* Small enough to sit in the socket buffers with nobody reading yet. */
#define ZK_FILE_SIZE	(9 * PAGE_SIZE + 123)

/**
 * struct zk_env - what one integration case works on (test->priv)
 * @listener: the listening socket
 * @server: the receiving end
 * @client: the sending end, as a file
 * @file: the shmem source file, @data in it
 * @data: what the file holds, ZK_FILE_SIZE bytes
 * @rx: where the receiving end reads to
 * @counters: the module's global counters (all methods) at case start
 */
struct zk_env {
	struct socket *listener;
	struct socket *server;
	struct file *client;
	struct file *file;
	u8 *data;
	u8 *rx;
	u64 counters[ZCOPY_NR_COUNTERS];
};

int zk_init(struct kunit *test);
void zk_exit(struct kunit *test);
void zk_expect_received(struct kunit *test, const u8 *want, size_t len);
void zk_expect_counters_unchanged(struct kunit *test);
int zk_send_file(struct file *in, struct file *out, u32 method, u32 flags,
		 u64 offset, u64 len, u64 *sent, struct zcopy_stats *st);
int zk_send(struct kunit *test, u32 method, u64 offset, u64 len, u64 *sent,
	    struct zcopy_stats *st);

/* Pages of the file that bytes [@offset, @offset + @len) touch. */
static inline u64 zk_pages_touched(u64 offset, u64 len)
{
	return len ? ((offset + len - 1) >> PAGE_SHIFT) -
		     (offset >> PAGE_SHIFT) + 1 : 0;
}

#endif /* _ZCOPY_KUNIT_HELPERS_H */
