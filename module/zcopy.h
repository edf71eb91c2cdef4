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

struct bio_vec;

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
 * @flags: ZCOPY_F_*
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
 * @more: more data follows this transfer: every send carries MSG_MORE
 * @corked: the last send carried MSG_MORE, so TCP may hold a partial frame
 * @sent: bytes the socket accepted so far
 * @ref_bytes: bytes handed to the socket as page references
 * @copy_ref_bytes: bytes handed to the socket as references to pages the
 *	module copied them into (counted in @module_copied too)
 * @sock_copied: bytes handed to the socket as data it had to copy
 * @module_copied: bytes copied before reaching the socket (bounce buffer,
 *	a filesystem's copying splice_read)
 * @hit_pages: pages found uptodate in the page cache before being read
 * @miss_pages: pages that were not
 * @probed_to: first page index not yet counted as hit or miss
 * @storage_read: bytes read from storage meanwhile
 * @elapsed_ns: time the transfer took
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
	bool more;
	bool corked;
	size_t sent;
	u64 ref_bytes;
	u64 copy_ref_bytes;
	u64 sock_copied;
	u64 module_copied;
	u64 hit_pages;
	u64 miss_pages;
	pgoff_t probed_to;
	u64 storage_read;
	u64 elapsed_ns;
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
u32 zcopy_auto_method(struct file *in, u32 flags);
int zcopy_cached_check(struct file *in);

/* Checks (checks.c) and the route (route.c). */
int zcopy_check_source(struct file *in);
int zcopy_check_dest(struct file *out, struct socket **sockp);
int zcopy_check_range(const struct zcopy_request *req, loff_t *posp,
		      size_t *lenp);
u32 zcopy_route_sample(struct sock *sk, u32 *ifindex);

/* Send helpers shared by the methods (send.c). */
int zcopy_send_flags(struct zcopy_xfer *x, size_t bytes);
void zcopy_xfer_advance(struct zcopy_xfer *x, size_t bytes);
int zcopy_send_buffer(struct zcopy_xfer *x, void *buf, size_t bytes);
bool zcopy_xfer_should_stop(const struct zcopy_xfer *x);

/**
 * struct zcopy_pagevec - pages headed for one send to the socket
 * @bv: the pages, in stream order
 * @folios: per entry, the folio reference to drop after the send, or NULL
 *	for a page the caller owns otherwise
 * @nr: entries used
 * @max: entries available
 * @bytes: bytes in all entries
 */
struct zcopy_pagevec {
	struct bio_vec *bv;
	struct folio **folios;
	unsigned int nr;
	unsigned int max;
	size_t bytes;
};

int zcopy_pagevec_add_file(struct zcopy_pagevec *pv, struct zcopy_xfer *x,
			   loff_t *pos, loff_t end);
void zcopy_pagevec_release(struct zcopy_pagevec *pv);

/* Page cache (cache.c). */
pgoff_t zcopy_cache_probe(struct zcopy_xfer *x, loff_t start, loff_t end);
bool zcopy_cache_ready(struct file *in, loff_t pos, size_t len);
struct folio *zcopy_cache_get_folio(struct zcopy_xfer *x, loff_t pos,
				    loff_t end);

/* Counters (counters.c). */
int zcopy_counters_init(struct device *dev);
void zcopy_counters_exit(void);
void zcopy_counters_add(struct zcopy_ctx *ctx, u32 method,
			const u64 delta[ZCOPY_NR_COUNTERS]);
u64 zcopy_counter_read(u32 method, enum zcopy_counter c);
extern const struct attribute_group *zcopy_device_groups[];

/**
 * struct zcopy_range - a file segment that passed every check
 * @in: the file
 * @pos: first byte
 * @len: bytes requested (clamped as sendfile(2) clamps)
 * @use_fpos: start at @in's file position when sent (not when checked: an
 *	earlier segment may move it) and advance it by what is sent
 */
struct zcopy_range {
	struct file *in;
	loff_t pos;
	size_t len;
	bool use_fpos;
};

/**
 * struct zcopy_call - one ioctl's worth of sending to one socket
 * @sock: the socket
 * @m: the method for file segments
 * @method: its number
 * @flags: ZCOPY_F_*
 * @msg_flags: MSG_* for every send
 * @corked: the stream holds data back after the last send (MSG_MORE)
 * @seg_clocks: time each segment (for per-segment statistics), not just
 *	the call
 * @route: ZCOPY_ROUTE_* of the egress device
 * @ifindex: the egress device
 * @start_ns: when the sending began
 * @io_start: the task's storage read bytes then
 * @elapsed_ns: how long the sending took
 * @storage_read: bytes read from storage meanwhile
 */
struct zcopy_call {
	struct socket *sock;
	const struct zcopy_method *m;
	u32 method;
	u32 flags;
	int msg_flags;
	bool corked;
	bool seg_clocks;
	u32 route;
	u32 ifindex;
	u64 start_ns;
	u64 io_start;
	u64 elapsed_ns;
	u64 storage_read;
};

/* The transfer core (transfer.c). */
int zcopy_call_init(struct zcopy_call *c, struct file *out, u32 method,
		    u32 flags, struct file *first_in);
int zcopy_call_check_file(struct zcopy_call *c, struct file *in,
			  struct file *out, u64 offset, u64 len,
			  struct zcopy_range *r);
void zcopy_call_begin(struct zcopy_call *c);
void zcopy_xfer_init(const struct zcopy_call *c, struct zcopy_xfer *x,
		     struct file *in, loff_t pos, size_t len, bool last);
int zcopy_call_start_file(struct zcopy_call *c, const struct zcopy_range *r,
			  bool last, struct zcopy_xfer *x);
int zcopy_call_send_file(struct zcopy_call *c, const struct zcopy_range *r,
			 bool last, struct zcopy_xfer *x);
void zcopy_call_end(struct zcopy_call *c);
void zcopy_call_stats(const struct zcopy_call *c, const struct zcopy_xfer *x,
		      struct zcopy_stats *st);
void zcopy_call_account(struct zcopy_ctx *ctx, const struct zcopy_call *c,
			const struct zcopy_stats *st, u64 sent, int err);
void zcopy_xfer_add(struct zcopy_xfer *total, const struct zcopy_xfer *x);
int zcopy_transfer(struct zcopy_ctx *ctx, const struct zcopy_request *req,
		   u64 *sent, struct zcopy_stats *stats);

/* ZCOPY_IOC_SENDV (sendv.c). */
int zcopy_sendv(struct zcopy_ctx *ctx, struct zcopy_sendv *v);

/* ioctl dispatch (ioctl.c). */
long zcopy_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _ZCOPY_H */
