/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcopy internals shared by the device, the transfer core, the methods and
 * the KUnit suite.
 */
#ifndef _ZCOPY_H
#define _ZCOPY_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/types.h>
#include <linux/zcopy.h>

#define ZCOPY_VERSION "0.1.0"

/* Counters kept per method (summed for /sys/.../stats) and per open file. */
enum zcopy_counter {
	ZCOPY_CTR_TRANSFERS,
	ZCOPY_CTR_BYTES,
	ZCOPY_CTR_ZC_BYTES,
	ZCOPY_CTR_COPIED_BYTES,
	ZCOPY_CTR_CACHE_HIT_PAGES,
	ZCOPY_CTR_CACHE_MISS_PAGES,
	ZCOPY_CTR_STORAGE_READ_BYTES,
	ZCOPY_CTR_ERRORS,
	ZCOPY_NR_COUNTERS,
};

struct zcopy_tally {
	atomic64_t v[ZCOPY_NR_COUNTERS];
};

/* Per-open state of /dev/zcopy. */
struct zcopy_ctx {
	struct zcopy_tally tally;
};

/**
 * struct zcopy_request - one transfer, with the fds already resolved
 * @in: source file (any file: zcopy_transfer() checks it)
 * @out: destination file (any file: zcopy_transfer() checks it)
 * @offset: start in @in, or ZCOPY_OFFSET_CURRENT for @in's file position
 * @len: bytes requested
 * @method: ZCOPY_METHOD_*
 * @flags: ZCOPY_F_* (none defined yet: must be 0)
 */
struct zcopy_request {
	struct file *in;
	struct file *out;
	u64 offset;
	u64 len;
	u32 method;
	u32 flags;
};

/**
 * struct zcopy_xfer - a transfer in progress, as the methods see it
 * @in: source file
 * @sock: destination socket
 * @pos: next file offset to send
 * @len: bytes still to send
 * @msg_flags: MSG_* added to every send (MSG_DONTWAIT for O_NONBLOCK)
 * @corked: the last send carried MSG_MORE, so TCP may hold a partial frame
 * @sent: bytes the socket accepted so far
 * @ref_bytes: bytes handed to the socket as page references
 * @sock_copied: bytes handed to the socket as data it had to copy
 * @module_copied: bytes copied before reaching the socket (bounce buffer,
 *	a filesystem's copying splice_read)
 * @hit_pages: pages found uptodate in the page cache before being read
 * @miss_pages: pages that were not
 * @probed_to: first page index not yet counted as hit or miss
 *
 * The methods only count what they did; zcopy_transfer() turns the counts
 * into zc_bytes and copied_bytes once it knows what the egress device can do.
 */
struct zcopy_xfer {
	struct file *in;
	struct socket *sock;
	loff_t pos;
	size_t len;
	int msg_flags;
	bool corked;
	size_t sent;
	u64 ref_bytes;
	u64 sock_copied;
	u64 module_copied;
	u64 hit_pages;
	u64 miss_pages;
	pgoff_t probed_to;
};

/**
 * struct zcopy_method - one way of moving file bytes to a socket
 * @name: lower-case name, used in sysfs
 * @check: optional: whether the method can read @in at all; a negative errno
 *	refuses the request before anything happens
 * @send: move x->len bytes from x->pos; returns 0 or a negative errno.  It
 *	advances x->pos, x->len and x->sent as the socket accepts bytes and
 *	stops early at EOF, on a short send, or on a pending signal.
 */
struct zcopy_method {
	const char *name;
	int (*check)(struct file *in);
	int (*send)(struct zcopy_xfer *x);
};

/* Methods, indexed by ZCOPY_METHOD_*; NULL where a build lacks one. */
extern const struct zcopy_method zcopy_method_copy;
extern const struct zcopy_method zcopy_method_mmap;
extern const struct zcopy_method zcopy_method_splice;
extern const struct zcopy_method zcopy_method_pages;
extern const struct zcopy_method zcopy_method_direct;
const struct zcopy_method *zcopy_method_get(u32 method);
u32 zcopy_methods_mask(void);

/* Send helpers shared by the methods (send.c). */
int zcopy_send_flags(struct zcopy_xfer *x, size_t bytes);
void zcopy_xfer_advance(struct zcopy_xfer *x, size_t bytes);
bool zcopy_xfer_should_stop(const struct zcopy_xfer *x);

/* Page cache (cache.c). */
void zcopy_cache_probe(struct zcopy_xfer *x, loff_t start, loff_t end);
struct folio *zcopy_cache_get_folio(struct zcopy_xfer *x, loff_t pos,
				    loff_t end);

/* Counters (counters.c). */
int zcopy_counters_init(struct device *dev);
void zcopy_counters_exit(void);
void zcopy_counters_add(struct zcopy_ctx *ctx, u32 method,
			const u64 delta[ZCOPY_NR_COUNTERS]);
u64 zcopy_counter_read(u32 method, enum zcopy_counter c);
extern const struct attribute_group *zcopy_device_groups[];

/* The transfer core (transfer.c). */
int zcopy_transfer(struct zcopy_ctx *ctx, const struct zcopy_request *req,
		   u64 *sent, struct zcopy_stats *stats);

/* ioctl dispatch (ioctl.c). */
long zcopy_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _ZCOPY_H */
