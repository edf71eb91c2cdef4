/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcopy internals shared by the device, the transfer core, the methods and
 * the KUnit suites.  compat.h comes first, force-included by Kbuild.
 */
#ifndef _ZCOPY_H
#define _ZCOPY_H

#include <linux/atomic.h>
#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/types.h>
#include <linux/zcopy.h>

#define ZCOPY_VERSION "1.1.0"

/* Counters kept per method (summed for sysfs stats/) and per open file. */
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

struct zcopy_stream;

/**
 * struct zcopy_ctx - per-open state of /dev/zcopy
 * @tally: its counters
 * @ref: held by the open file, each stream and each owed release record
 * @lock: guards what follows; taken with interrupts off (release records
 *	come from the network stack's softirqs)
 * @done: completion records to read, in order
 * @wait: readers and pollers of @done
 * @records: records owed or unread, at most ZCOPY_ASYNC_MAX_RECORDS
 * @closing: the file is closed: records are dropped, not kept
 * @streams: the sockets with operations, keyed by struct socket
 * @spare: a stream that ended, kept for the next one, or NULL
 * @free_work: frees it once the last reference is gone
 */
struct zcopy_ctx {
	struct zcopy_tally tally;
	refcount_t ref;
	spinlock_t lock;	/* guards done to streams; irqs off */
	struct list_head done;
	wait_queue_head_t wait;
	u32 records;
	bool closing;
	DECLARE_HASHTABLE(streams, 6);
	struct zcopy_stream *spare;
	struct work_struct free_work;
};

/**
 * struct zcopy_xfer - one segment in progress, as the methods see it
 * @in: source file, or NULL for a memory segment
 * @sock: destination socket
 * @pos: next file offset to send
 * @len: bytes still to send
 * @msg_flags: MSG_* added to every send (MSG_DONTWAIT for O_NONBLOCK)
 * @more: more data follows this segment: every send carries MSG_MORE
 * @corked: the last send carried MSG_MORE, so TCP may hold a partial frame
 * @sent: bytes the socket accepted so far
 * @ref_bytes: bytes handed to the socket as page references
 * @copy_ref_bytes: bytes handed to the socket as references to pages that
 *	hold a CPU copy of them, the module's or the filesystem's (counted in
 *	@module_copied too): never zero-copy
 * @sock_copied: bytes handed to the socket as data it had to copy
 * @module_copied: bytes copied before reaching the socket (bounce buffer,
 *	a filesystem's copying splice_read, a memory segment)
 * @hit_pages: pages found uptodate in the page cache before being read
 * @miss_pages: pages that were not
 * @nodiskio: ZCOPY_F_NODISKIO: stop with -EAGAIN rather than wait for a
 *	page to be read from storage
 * @cache: the page cache this segment reads through, whose hits and
 *	misses it counts; NULL when its reads bypass any page cache (DAX,
 *	pseudo files, direct I/O)
 * @probed_to: first page index not yet counted as hit or miss
 * @storage_read: bytes read from storage meanwhile
 * @elapsed_ns: time the segment took, in nanoseconds
 * @cache_wait: it stopped because ZCOPY_F_NODISKIO found a page missing
 * @cancel: set (by another task) when the transfer must stop at its next
 *	batch, as a signal stops a synchronous one; NULL when nothing cancels
 *
 * The methods only count what they did; the core turns the counts into
 * zc_bytes and copied_bytes once it knows what the egress device can do.
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
	bool nodiskio;
	struct address_space *cache;
	pgoff_t probed_to;
	u64 storage_read;
	u64 elapsed_ns;
	bool cache_wait;
	const bool *cancel;
};

/* Account @bytes the socket accepted. */
static inline void zcopy_xfer_advance(struct zcopy_xfer *x, size_t bytes)
{
	x->pos += bytes;
	x->len -= bytes;
	x->sent += bytes;
}

/*
 * Whether to stop now: a pending signal ends the transfer with what was
 * sent so far, as sendfile(2) does; an operation of ZCOPY_IOC_SUBMIT
 * (@cancel set) stops on its cancel alone, even when its submitter runs it
 * inline with a signal pending.  The scheduler gets a chance between sends.
 */
static inline bool zcopy_should_stop(const bool *cancel)
{
	cond_resched();
	/* An operation is no system call of whoever runs it: only cancel. */
	if (cancel)
		return READ_ONCE(*cancel);
	return signal_pending(current);
}

static inline bool zcopy_xfer_should_stop(const struct zcopy_xfer *x)
{
	return zcopy_should_stop(x->cancel);
}

/**
 * struct zcopy_source - how a file's reads are served, decided once per file
 *	before anything is sent (source.c)
 * @cache: the page cache buffered reads of the file go through: its own
 *	mapping, or for a file of a stacked filesystem (overlayfs) the mapping
 *	of the file holding its data; NULL where reads bypass the page cache
 *	(DAX), check it (network and cluster filesystems) or there is none
 *	(procfs, sysfs: contents made up on each read)
 * @lendable: @cache is the file's own mapping, so its folios can be looked
 *	up, read in full and lent (PAGES, MMAP)
 * @sized: i_size bounds the content; pseudo files, whose i_size says
 *	nothing (often 0), are read to EOF as sendfile(2) reads them
 */
struct zcopy_source {
	struct address_space *cache;
	bool lendable;
	bool sized;
};

void zcopy_source_init(struct zcopy_source *src, struct file *in);

/**
 * enum zcopy_reads - where a method reads file bytes from
 * @ZCOPY_READS_FILE: through the file's ->read_iter or ->splice_read, as
 *	read(2) and sendfile(2) do: the page cache unless the file is opened
 *	O_DIRECT or has none
 * @ZCOPY_READS_CACHE: straight from the file's own page cache, which it
 *	fills itself (even for an O_DIRECT open)
 * @ZCOPY_READS_STORAGE: from storage by direct I/O, never the page cache
 */
enum zcopy_reads {
	ZCOPY_READS_FILE,
	ZCOPY_READS_CACHE,
	ZCOPY_READS_STORAGE,
};

struct zcopy_lend;

/**
 * struct zcopy_method - one way of moving file bytes to a socket
 * @name: lower-case name, used in sysfs
 * @reads: where it reads from; ZCOPY_READS_CACHE methods refuse files
 *	whose page cache cannot be lent (-EINVAL) before anything happens
 * @check: optional: whether the method can read @in at all; a negative errno
 *	refuses the request before anything happens
 * @send: move x->len bytes from x->pos through @l, which is empty on entry
 *	and must be left empty; returns 0 or a negative errno.  It advances
 *	x->pos, x->len and x->sent as the socket accepts bytes and stops early
 *	at EOF, on a short send, or on a pending signal.  NULL for PAGES: the
 *	core gathers its folios with those of the segments around it.
 */
struct zcopy_method {
	const char *name;
	enum zcopy_reads reads;
	int (*check)(struct file *in);
	int (*send)(struct zcopy_xfer *x, struct zcopy_lend *l);
};

/* Methods by ZCOPY_METHOD_* (methods.c); NULL where a build lacks one. */
extern const struct zcopy_method zcopy_method_copy;
extern const struct zcopy_method zcopy_method_mmap;
extern const struct zcopy_method zcopy_method_splice;
extern const struct zcopy_method zcopy_method_pages;
extern const struct zcopy_method zcopy_method_direct;
const struct zcopy_method *zcopy_method_get(u32 method);
u32 zcopy_methods_mask(void);
int zcopy_check_method(u32 method, u32 flags);
u32 zcopy_auto_method(struct file *in, u32 flags);

/* Page cache (cache.c). */
bool zcopy_cache_next_window(loff_t pos, loff_t counted, loff_t xend,
			     loff_t *to);
void zcopy_cache_window(loff_t pos, loff_t end, loff_t xend, pgoff_t miss,
			loff_t *from, loff_t *wend);
int zcopy_cache_prepare(struct zcopy_xfer *x, loff_t pos, loff_t end);
pgoff_t zcopy_cache_first_miss(struct file *in, struct address_space *cache,
			       loff_t pos, size_t len);
bool zcopy_cache_ready(struct file *in, struct address_space *cache,
		       loff_t pos, size_t len);
struct folio *zcopy_cache_get_folio(struct zcopy_xfer *x, loff_t pos,
				    loff_t end, size_t *copy_len);

/* Counters (counters.c). */
void zcopy_counters_add(struct zcopy_ctx *ctx, u32 method,
			const u64 delta[ZCOPY_NR_COUNTERS]);
u64 zcopy_counter_read(u32 method, enum zcopy_counter c);
extern const struct attribute_group *zcopy_device_groups[];

/**
 * struct zcopy_seg - one segment of a call
 * @in: a file segment's file, with a reference the call drops; NULL for a
 *	memory segment
 * @offset: as asked: the first byte, or ZCOPY_OFFSET_CURRENT
 * @len: as asked, in bytes; a memory segment's length
 * @pos: the first byte, checked (a file position resolved)
 * @count: bytes to send, checked and clamped as sendfile(2) clamps
 * @use_fpos: advance @in's file position by what is sent
 * @src: how @in's reads are served
 * @mem: a memory segment's bytes: the call's copy, as pieces of its pages
 * @mem_nr: entries in @mem
 * @x: what sending it did, once the sending reached it
 */
struct zcopy_seg {
	struct file *in;
	u64 offset;
	u64 len;
	loff_t pos;
	size_t count;
	bool use_fpos;
	struct zcopy_source src;
	struct bio_vec *mem;
	u32 mem_nr;
	struct zcopy_xfer x;
};

/**
 * struct zcopy_call - one ioctl's worth of sending to one socket
 * @out: the socket's file, with a reference the call drops
 * @method: ZCOPY_METHOD_* asked for; the one run once prepared
 * @flags: ZCOPY_F_*
 * @count: segments
 * @segs: the segments, in stream order
 * @seg_clocks: time each segment (for per-segment statistics), not just
 *	the call
 * @sock: the socket
 * @m: the method for file segments
 * @msg_flags: MSG_* for every send
 * @corked: the stream holds data back after the last send (MSG_MORE)
 * @lend: the pages gathered for the next send
 * @pages: the pages holding the copy of the memory segments
 * @nr_pages: pages[0..nr_pages) are allocated
 * @mem_pages: pages the memory segments need
 * @mem_used: bytes of those pages copied so far
 * @mem_free: the next unused entry of the memory segments' pieces
 * @route: ZCOPY_ROUTE_* of the egress device
 * @ifindex: the egress device
 * @start_ns: when the sending began
 * @io_start: the task's storage read bytes then
 * @elapsed_ns: how long the sending took, in nanoseconds
 * @storage_read: bytes read from storage meanwhile
 * @reached: segs[0..reached) have @x set: the sending got to them
 * @index: the first segment not fully sent, or @count; a later
 *	zcopy_call_run() resumes there
 * @async: it runs on a worker for ZCOPY_IOC_SUBMIT: every send is
 *	MSG_DONTWAIT (the worker waits for the socket itself), and nothing is
 *	charged to the task's I/O accounting
 * @cancel: as zcopy_xfer.cancel, for every segment
 * @release: ZCOPY_F_NOTIFY_RELEASE: pages go with its notifier, which
 *	tells when the stack has let go of them
 */
struct zcopy_call {
	struct file *out;
	u32 method;
	u32 flags;
	u32 count;
	struct zcopy_seg *segs;
	bool seg_clocks;

	struct socket *sock;
	const struct zcopy_method *m;
	int msg_flags;
	bool corked;
	struct zcopy_lend *lend;
	struct page **pages;
	u32 nr_pages;
	u32 mem_pages;
	size_t mem_used;
	struct bio_vec *mem_free;

	u32 route;
	u32 ifindex;
	u64 start_ns;
	u64 io_start;
	u64 elapsed_ns;
	u64 storage_read;
	u32 reached;
	u32 index;
	bool async;
	const bool *cancel;
	struct zcopy_release *release;
};

/* The transfer core (transfer.c), in the order a caller uses it. */
struct zcopy_call *zcopy_call_alloc(u32 count, size_t mem_bytes);
void zcopy_call_free(struct zcopy_call *c);
int zcopy_call_copy_memory(struct zcopy_call *c, u32 i,
			   const void __user *from);
int zcopy_call_prepare(struct zcopy_call *c);
int zcopy_call_run(struct zcopy_call *c);
bool zcopy_call_cached(const struct zcopy_call *c);
int zcopy_call_finish(struct zcopy_ctx *ctx, struct zcopy_call *c, int err,
		      struct zcopy_stats *st, u64 *sent);
void zcopy_call_stats(const struct zcopy_call *c, const struct zcopy_xfer *x,
		      struct zcopy_stats *st);
int zcopy_range_clamp(loff_t pos, u64 len, loff_t maxbytes, size_t *countp);

/**
 * struct zcopy_record - a completion record, made when its operation is
 *	taken: the first member of the operation's struct zcopy_aop or of its
 *	struct zcopy_release, which kfree() of the record frees once read
 * @node: in zcopy_ctx.done once posted
 * @cqe: what read(2) returns
 */
struct zcopy_record {
	struct list_head node;
	struct zcopy_completion cqe;
};

/* Asynchronous operations (async.c). */
struct zcopy_ctx *zcopy_ctx_alloc(void);
void zcopy_ctx_post_record(struct zcopy_ctx *ctx, struct zcopy_record *r);
void zcopy_ctx_put(struct zcopy_ctx *ctx);
void zcopy_ctx_release(struct zcopy_ctx *ctx);
union zcopy_ioctl_arg;
int zcopy_check_submit(const union zcopy_ioctl_arg *arg);
int zcopy_ioc_submit(struct zcopy_ctx *ctx, union zcopy_ioctl_arg *arg);
int zcopy_check_cancel(const union zcopy_ioctl_arg *arg);
int zcopy_ioc_cancel(struct zcopy_ctx *ctx, union zcopy_ioctl_arg *arg);
ssize_t zcopy_read(struct file *file, char __user *buf, size_t count,
		   loff_t *ppos);
__poll_t zcopy_poll(struct file *file, poll_table *pt);
int zcopy_async_init(void);
void zcopy_async_exit(void);

/* Release notification (release.c). */
struct zcopy_release *zcopy_release_alloc(struct zcopy_ctx *ctx,
					  u64 user_data);
void zcopy_release_route(struct zcopy_release *r, u32 route);
void zcopy_release_put(struct zcopy_release *r);
int zcopy_release_send(struct zcopy_release *r, struct socket *sock,
		       struct bio_vec *bv, unsigned int nr, size_t bytes,
		       int flags);

/* An ioctl's argument, as copied in. */
union zcopy_ioctl_arg {
	struct zcopy_info info;
	struct zcopy_send send;
	struct zcopy_counters counters;
	struct zcopy_sendv sendv;
	struct zcopy_submit submit;
	struct zcopy_cancel cancel;
};

/* The ioctls (ioctl.c). */
long zcopy_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
struct zcopy_call *zcopy_op_call(u32 opcode, u64 uarg);
int zcopy_send_files(struct zcopy_ctx *ctx, struct zcopy_send *s,
		     struct file *in, struct file *out);

#endif /* _ZCOPY_H */
