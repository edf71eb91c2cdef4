/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where Linux 6.1 and 6.12 differ for zcopy.  Everything else
 * is written against the interfaces both kernels share.  Kbuild includes
 * this file first in every file of the module and of its KUnit suites
 * (-include, as WireGuard's compat layer is): no .c file includes it or
 * tests a kernel version.
 */
#ifndef _ZCOPY_COMPAT_H
#define _ZCOPY_COMPAT_H

#include <linux/bvec.h>
#include <linux/err.h>
#include <linux/net.h>
#include <linux/pagemap.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/socket.h>
#include <linux/sysfs.h>
#include <linux/uio.h>
#include <linux/version.h>
#include <linux/zcopy.h>

/*
 * Linux 6.5 removed ->sendpage: pages go to sendmsg() with MSG_SPLICE_PAGES.
 * Debian's 6.1 defines MSG_SPLICE_PAGES but its TCP ignores it and copies,
 * so branch on the version, never on the macro.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define ZCOPY_FEAT_PAGES_PATH	ZCOPY_FEAT_SPLICE_PAGES

static inline int zcopy_sock_send_pages(struct socket *sock,
					struct bio_vec *bv, unsigned int nr,
					size_t bytes, int flags)
{
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, nr, bytes);
	return sock_sendmsg(sock, &msg);
}
#else
#define ZCOPY_FEAT_PAGES_PATH	ZCOPY_FEAT_SENDPAGE

static inline int zcopy_sock_send_pages(struct socket *sock,
					struct bio_vec *bv, unsigned int nr,
					size_t bytes, int flags)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		size_t off = bv[i].bv_offset, left = bv[i].bv_len;

		while (left) {
			struct page *page = nth_page(bv[i].bv_page,
						     off >> PAGE_SHIFT);
			size_t poff = offset_in_page(off);
			size_t n = min_t(size_t, left, PAGE_SIZE - poff);
			int f = flags;
			int ret;

			/* Only the last page of the stream may push. */
			if (done + n < bytes || (flags & MSG_MORE))
				f |= MSG_MORE | MSG_SENDPAGE_NOTLAST;
			ret = kernel_sendpage(sock, page, poff, n, f);
			if (ret <= 0)
				return done ? done : ret;
			done += ret;
			if (ret < n)
				return done;
			off += n;
			left -= n;
		}
	}
	return done;
}
#endif

/*
 * A notifier of the stack's release of lent pages (release.c): Linux 6.10
 * moved struct ubuf_info's callback into struct ubuf_info_ops.
 */
#include <linux/skbuff.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define ZCOPY_DEFINE_UBUF(name, fn) \
	static const struct ubuf_info_ops name = { .complete = fn }
#define zcopy_ubuf_set(uarg, name) ((uarg)->ops = &(name))
#else
#define ZCOPY_DEFINE_UBUF(name, fn) \
	static void (* const name)(struct sk_buff *, struct ubuf_info *, \
				   bool) = fn
#define zcopy_ubuf_set(uarg, name) ((uarg)->callback = (name))
#endif
#define ZCOPY_FEAT_RELEASE	ZCOPY_FEAT_NOTIFY_RELEASE

/* A page-cache lookup that returns NULL on a miss on both kernels. */
static inline struct folio *zcopy_folio_lookup(struct address_space *mapping,
					       pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);

	return IS_ERR_OR_NULL(folio) ? NULL : folio;
}

/*
 * The tmpfs folio at @index, swapped in if it was out, in *@foliop with a
 * reference; *@foliop NULL where the file reads as zeroes (a hole, or a
 * fallocated range never written), as shmem_file_splice_read() lends the
 * zero page there.  -EINVAL past the end of the file.  Before 6.12 the
 * lookup that tells a hole from a swapped-out page is not exported:
 * -EOPNOTSUPP, and the caller reads the page through the file instead.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/shmem_fs.h>

static inline int zcopy_shmem_folio(struct address_space *mapping,
				    pgoff_t index, struct folio **foliop)
{
	int err = shmem_get_folio(mapping->host, index, 0, foliop, SGP_READ);

	if (!err && *foliop)
		folio_unlock(*foliop);
	return err;
}
#else
static inline int zcopy_shmem_folio(struct address_space *mapping,
				    pgoff_t index, struct folio **foliop)
{
	*foliop = NULL;
	return -EOPNOTSUPP;
}
#endif

/* Bytes this task has read from storage, where the kernel counts them. */
static inline u64 zcopy_task_read_bytes(void)
{
#ifdef CONFIG_TASK_IO_ACCOUNTING
	return current->ioac.read_bytes;
#else
	return 0;
#endif
}

#ifdef CONFIG_TASK_IO_ACCOUNTING
#define ZCOPY_FEAT_IO_ACCT	ZCOPY_FEAT_IO_ACCOUNTING
#else
#define ZCOPY_FEAT_IO_ACCT	0
#endif

/*
 * What an attribute group's ->is_visible returns for its first attribute to
 * hide the group's directory: SYSFS_GROUP_INVISIBLE since Linux 6.11; an
 * empty directory stays before.
 */
#ifdef SYSFS_GROUP_INVISIBLE
#define ZCOPY_SYSFS_GROUP_HIDDEN	SYSFS_GROUP_INVISIBLE
#else
#define ZCOPY_SYSFS_GROUP_HIDDEN	0
#endif

/* Linux 6.13 made the namespace argument a string literal. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define ZCOPY_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define ZCOPY_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

#endif /* _ZCOPY_COMPAT_H */
