/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcopy internals shared by the device, the transfer core, the methods and
 * the KUnit suite.
 */
#ifndef _ZCOPY_H
#define _ZCOPY_H

#include <linux/atomic.h>
#include <linux/bvec.h>
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
 * @copy_ref_bytes: bytes handed to the socket as references to pages that
 *	hold a CPU copy of them, the module's or the filesystem's (counted in
 *	@module_copied too): never zero-copy
 * @sock_copied: bytes handed to the socket as data it had to copy
 * @module_copied: bytes copied before reaching the socket (bounce buffer,
 *	a filesystem's copying splice_read)
 * @hit_pages: pages found uptodate in the page cache before being read
 * @miss_pages: pages that were not
 * @nodiskio: ZCOPY_F_NODISKIO: stop with -EAGAIN rather than wait for a
 *	page to be read from storage
 * @cache: the page cache this transfer reads through, whose hits and
 *	misses it counts; NULL when its reads bypass any page cache (DAX,
 *	pseudo files, direct I/O)
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
	bool nodiskio;
	struct address_space *cache;
	pgoff_t probed_to;
	u64 storage_read;
	u64 elapsed_ns;
};

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

/**
 * struct zcopy_method - one way of moving file bytes to a socket
 * @name: lower-case name, used in sysfs
 * @reads: where it reads from; ZCOPY_READS_CACHE methods refuse files
 *	whose page cache cannot be lent (-EINVAL) before anything happens
 * @check: optional: whether the method can read @in at all; a negative errno
 *	refuses the request before anything happens
 * @send: move x->len bytes from x->pos; returns 0 or a negative errno.  It
 *	advances x->pos, x->len and x->sent as the socket accepts bytes and
 *	stops early at EOF, on a short send, or on a pending signal.
 */
struct zcopy_method {
	const char *name;
	enum zcopy_reads reads;
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

/* Checks (checks.c) and the route (route.c). */
int zcopy_check_source(struct file *in);
int zcopy_check_dest(struct file *out, struct socket **sockp);
int zcopy_check_range(const struct zcopy_request *req, loff_t *posp,
		      size_t *lenp);
u32 zcopy_route_sample(struct sock *sk, u32 *ifindex);

/* Send helpers shared by the methods (send.c). */
void zcopy_xfer_advance(struct zcopy_xfer *x, size_t bytes);
bool zcopy_xfer_should_stop(const struct zcopy_xfer *x);

/*
 * Entries per send to the socket: 64 page-cache pages fill four 64 KiB TSO
 * frames, and a header with its file, or 32 of each, share one sendmsg.
 * Measured with ZCOPY_LEND_BATCH=16/32/64/128 make bench (hot PAGES rows
 * against user:sendfile in each run): 64 was ahead at 64 KiB and 1 MiB
 * (1.04x, 1.22x; 16 gave 0.96x, 1.03x), level with 128 at 64 MiB, and
 * within noise of the best for SENDV64; 128 lost at 64 KiB (0.81x).
 */
#ifndef ZCOPY_LEND_BATCH
#define ZCOPY_LEND_BATCH	64
#endif

/**
 * struct zcopy_lend - pages gathered for one send to a socket (lend.c)
 * @sock: the socket
 * @msg_flags: MSG_* for every send
 * @by_ref: the pages are lent (PAGES, DIRECT, SENDV), not copied (MMAP)
 * @corked: the last send carried MSG_MORE
 * @nr: entries used
 * @bytes: bytes in all entries
 * @bv: the pages, in stream order
 * @ref: per entry, the folio reference to drop after the send, or NULL
 * @owner: per entry, the transfer its bytes are accounted to
 * @copy: per entry, the pages hold a CPU copy (counted as copies even when
 *	lent)
 */
struct zcopy_lend {
	struct socket *sock;
	int msg_flags;
	bool by_ref;
	bool corked;
	unsigned int nr;
	size_t bytes;
	struct bio_vec bv[ZCOPY_LEND_BATCH];
	struct folio *ref[ZCOPY_LEND_BATCH];
	struct zcopy_xfer *owner[ZCOPY_LEND_BATCH];
	bool copy[ZCOPY_LEND_BATCH];
};

static inline bool zcopy_lend_full(const struct zcopy_lend *l)
{
	return l->nr == ZCOPY_LEND_BATCH;
}

void zcopy_lend_init(struct zcopy_lend *l, struct socket *sock, int msg_flags,
		     bool by_ref);
struct zcopy_lend *zcopy_lend_alloc(struct socket *sock, int msg_flags,
				    bool by_ref);
void zcopy_lend_add(struct zcopy_lend *l, struct zcopy_xfer *x,
		    struct page *page, size_t off, size_t len,
		    struct folio *ref, bool copy);
int zcopy_lend_file(struct zcopy_lend *l, struct zcopy_xfer *x, loff_t *pos,
		    loff_t end);
int zcopy_lend_flush(struct zcopy_lend *l, bool more, bool *stop);
void zcopy_lend_release(struct zcopy_lend *l);

/* The most pages a method reads into at once (DIRECT: 128 KiB). */
#define ZCOPY_OWN_PAGES	32

/**
 * struct zcopy_own_pages - pages of the call's own, to read into and lend
 * @bv: one whole page per entry
 * @nr: entries holding a page
 */
struct zcopy_own_pages {
	struct bio_vec bv[ZCOPY_OWN_PAGES];
	unsigned int nr;
};

int zcopy_own_pages_alloc(struct zcopy_own_pages *b, unsigned int nr);
void zcopy_own_pages_put(struct zcopy_own_pages *b);

/* Page cache (cache.c). */
int zcopy_cache_prepare(struct zcopy_xfer *x, loff_t pos, loff_t end);
bool zcopy_cache_ready(struct file *in, struct address_space *cache,
		       loff_t pos, size_t len);
struct folio *zcopy_cache_get_folio(struct zcopy_xfer *x, loff_t pos,
				    loff_t end, size_t *copy_len);

/* What sendfile(2) does besides sending (effects.c). */
void zcopy_effects_file(struct file *in, const struct zcopy_method *m,
			size_t sent);
void zcopy_effects_call(struct file *out, u64 sent);

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
 * @src: how @in's reads are served
 */
struct zcopy_range {
	struct file *in;
	loff_t pos;
	size_t len;
	bool use_fpos;
	struct zcopy_source src;
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
