/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * zcopy: move a byte range of a regular file from the page cache to a
 * connected TCP socket inside the kernel, and report what the move cost.
 *
 * Every ioctl argument starts with a __u32 size (the caller's sizeof), so
 * that older and newer userspace keep working as structs grow: the kernel
 * reads min(size, its own sizeof) bytes, requires any bytes beyond what it
 * knows to be zero (E2BIG otherwise), and writes back only the fields
 * marked "out" (all within the first published layout).  A size below the
 * first published layout is EINVAL.  The size lives in the struct, not in
 * the ioctl number, which stays the same as the struct grows (_IO(), as
 * iommufd numbers its ioctls).  What a module can do is told by
 * ZCOPY_IOC_INFO's methods and features bits, never by a version number.
 */
#ifndef _UAPI_LINUX_ZCOPY_H
#define _UAPI_LINUX_ZCOPY_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Transfer methods.  ZCOPY_METHOD_AUTO picks one; the others force it.
 * ZCOPY_IOC_INFO reports which ones this build implements as a bitmask of
 * (1 << method).
 */
/**
 * ZCOPY_METHOD_AUTO - the cheapest correct method for this file: DIRECT for
 * a file opened O_DIRECT on a filesystem that can do direct I/O (without
 * ZCOPY_F_NODISKIO), else PAGES where the file's own page cache can be
 * lent, else SPLICE (COPY with ZCOPY_F_NOSIGNAL).
 */
#define ZCOPY_METHOD_AUTO	0
/** ZCOPY_METHOD_COPY - read into a kernel bounce buffer, send the buffer */
#define ZCOPY_METHOD_COPY	1
/**
 * ZCOPY_METHOD_MMAP - send page-cache pages as data the socket copies.
 * Like ZCOPY_METHOD_PAGES, only for files whose own page cache can be lent.
 */
#define ZCOPY_METHOD_MMAP	2
/**
 * ZCOPY_METHOD_SPLICE - the kernel's file -> pipe -> socket splice path, for
 * any file sendfile(2) takes.  Its pipe holds page-cache pages where the
 * file's reads go through a page cache (an overlayfs file's are its data
 * file's), which count as page references.  Otherwise the kernel reads the
 * bytes into fresh pages first: by DMA from storage for a file opened
 * O_DIRECT (page references), by the CPU on DAX, network filesystems and
 * pseudo files (procfs, sysfs), which counts as a copy.
 */
#define ZCOPY_METHOD_SPLICE	3
/**
 * ZCOPY_METHOD_PAGES - page-cache folios handed to the socket by reference.
 * Only for a file whose own page cache serves its reads: on tmpfs or a
 * local filesystem on a block device (ext4, XFS, ...), and not DAX (no
 * folios).  A file of a stacked filesystem such as overlayfs (its data is
 * in another file's cache), of a network or cluster filesystem (NFS, FUSE,
 * ...: their reads check or bypass the cache) or a pseudo file (procfs,
 * sysfs) is refused with EINVAL before anything happens; AUTO sends those
 * by SPLICE.  A folio only partly uptodate (blocks smaller than a page) is
 * read in full before it is sent; tmpfs holes go as the zero page.
 */
#define ZCOPY_METHOD_PAGES	4
/**
 * ZCOPY_METHOD_DIRECT - direct I/O into module pages, sent by reference; the
 * page cache is not used.  Any byte range works (reads are widened to whole
 * pages).  A filesystem whose direct reads copy from its own cache (tmpfs)
 * or from the device by the CPU (DAX) shows that copy in copied_bytes, and
 * those bytes never in zc_bytes.
 */
#define ZCOPY_METHOD_DIRECT	5
/** ZCOPY_METHOD_COUNT - number of method numbers (AUTO included) */
#define ZCOPY_METHOD_COUNT	6

/* Route capabilities of the socket's egress device (zcopy_stats.route). */
/** ZCOPY_ROUTE_SG - the device gathers page fragments (NETIF_F_SG) */
#define ZCOPY_ROUTE_SG		(1U << 0)
/** ZCOPY_ROUTE_CSUM - the device offloads the transport checksum */
#define ZCOPY_ROUTE_CSUM	(1U << 1)
/** ZCOPY_ROUTE_KNOWN - the socket had a cached route when it was sampled */
#define ZCOPY_ROUTE_KNOWN	(1U << 2)

/* How this kernel hands pages to a socket (zcopy_info.features). */
/** ZCOPY_FEAT_SPLICE_PAGES - sock_sendmsg(MSG_SPLICE_PAGES) (Linux 6.5+) */
#define ZCOPY_FEAT_SPLICE_PAGES	(1ULL << 0)
/** ZCOPY_FEAT_SENDPAGE - kernel_sendpage() (before Linux 6.5) */
#define ZCOPY_FEAT_SENDPAGE	(1ULL << 1)
/** ZCOPY_FEAT_IO_ACCOUNTING - storage_read_bytes is measured */
#define ZCOPY_FEAT_IO_ACCOUNTING	(1ULL << 2)
/**
 * ZCOPY_FEAT_ASYNC - ZCOPY_IOC_SUBMIT, ZCOPY_IOC_CANCEL, and completions
 * by read(2) and poll(2) on the open file
 */
#define ZCOPY_FEAT_ASYNC	(1ULL << 3)
/** ZCOPY_FEAT_NOTIFY_RELEASE - ZCOPY_F_NOTIFY_RELEASE works on this kernel */
#define ZCOPY_FEAT_NOTIFY_RELEASE	(1ULL << 4)

/**
 * struct zcopy_info - what this build and kernel can do (ZCOPY_IOC_INFO)
 * @size: in: sizeof(struct zcopy_info) as the caller knows it
 * @flags: in: must be 0
 * @methods: out: bitmask of (1 << ZCOPY_METHOD_*) this build implements
 * @reserved0: must be 0 on input; 0 on output
 * @max_len: out: the most bytes one transfer moves (longer requests are
 *	clamped, as sendfile(2) clamps to MAX_RW_COUNT)
 * @features: out: ZCOPY_FEAT_* bits of the running kernel
 * @reserved: must be 0 on input; 0 on output
 */
struct zcopy_info {
	__u32 size;
	__u32 flags;
	__u32 methods;
	__u32 reserved0;
	__aligned_u64 max_len;
	__aligned_u64 features;
	__aligned_u64 reserved[2];
};

/**
 * struct zcopy_stats - what one transfer really cost
 * @zc_bytes: payload bytes handed to the socket as page references that the
 *	egress device gathers by DMA: no CPU copy anywhere
 * @copied_bytes: bytes copied by the CPU, summed over every copy: by the
 *	module (bounce buffer), by the socket (data sent as a copy), by the
 *	filesystem's splice_read, and at transmit when the egress device cannot
 *	gather page fragments.  A COPY transfer over a gathering device counts
 *	each payload byte twice; a partial COPY also counts what it read into
 *	its bounce buffer and could not send.
 * @cache_hit_pages: pages the transfer looked up in the page cache its
 *	reads go through and found uptodate, before reading anything of them.
 *	On a partial transfer this includes the pages of its last batch (at
 *	most 64) that the socket did not take.
 * @cache_miss_pages: pages it looked up and did not find uptodate (holes and
 *	partly uptodate folios included): every page the transfer had to read
 *	is a miss, so on a cold file of a local filesystem the misses match
 *	storage_read_bytes (an earlier reader's readahead mark in the range
 *	can still make COPY or SPLICE read further than was counted).  On
 *	a partial transfer this includes the rest of the window (at most 2 MiB)
 *	it read from storage and did not send.  Reads that bypass the page
 *	cache (DIRECT, O_DIRECT files, DAX, procfs, sysfs) count neither.
 * @storage_read_bytes: bytes the transfer made the kernel read from storage
 *	(0 when ZCOPY_FEAT_IO_ACCOUNTING is absent)
 * @elapsed_ns: time spent in the transfer, in nanoseconds
 * @route: ZCOPY_ROUTE_* bits of the egress device
 * @ifindex: interface index of the egress device (0 if unknown)
 * @method: the ZCOPY_METHOD_* that moved the bytes (AUTO resolved)
 * @reserved: 0
 */
struct zcopy_stats {
	__aligned_u64 zc_bytes;
	__aligned_u64 copied_bytes;
	__aligned_u64 cache_hit_pages;
	__aligned_u64 cache_miss_pages;
	__aligned_u64 storage_read_bytes;
	__aligned_u64 elapsed_ns;
	__u32 route;
	__u32 ifindex;
	__u32 method;
	__u32 reserved;
};

/* Flags of zcopy_send.flags and zcopy_sendv.flags. */
/**
 * ZCOPY_F_NODISKIO - never wait for storage: if a page of a file range is not
 * uptodate in the page cache, send nothing of that range, start reading it
 * (up to 16 MiB: readahead of missing pages, a full read of partly uptodate
 * folios) and stop with EAGAIN (or with the progress so far); a later call
 * finds it cached.  Files that keep no pages on storage (tmpfs) and reads
 * without a page cache (DAX, procfs) always qualify.  Not with
 * ZCOPY_METHOD_DIRECT.
 */
#define ZCOPY_F_NODISKIO	(1U << 0)
/** ZCOPY_F_MORE - leave the stream corked (MSG_MORE) after the call */
#define ZCOPY_F_MORE		(1U << 1)
/**
 * ZCOPY_F_NOSIGNAL - no SIGPIPE when the peer is gone: EPIPE is returned.
 * Not with ZCOPY_METHOD_SPLICE, whose socket path raises SIGPIPE itself.
 */
#define ZCOPY_F_NOSIGNAL	(1U << 2)
/**
 * ZCOPY_F_NOTIFY_RELEASE - only in an operation of ZCOPY_IOC_SUBMIT: after
 * the operation's completion, a second record (ZCOPY_CQE_RELEASE) comes
 * once the network stack has dropped its last reference to the pages the
 * operation lent; from then on the file may be overwritten or truncated
 * without changing a byte already sent.  Only with ZCOPY_METHOD_PAGES
 * (AUTO must resolve to it), and only where zcopy_info.features has
 * ZCOPY_FEAT_NOTIFY_RELEASE (EOPNOTSUPP otherwise); other methods are
 * EINVAL.  Without it, page-cache pages lent by PAGES stay the file's: an
 * overwrite before the stack let go of them (until the peer acknowledged
 * the bytes) can go out in their place, as with sendfile(2).
 */
#define ZCOPY_F_NOTIFY_RELEASE	(1U << 3)

/**
 * ZCOPY_OFFSET_CURRENT - use and advance the source file's position, as
 * sendfile(2) does when its offset argument is NULL
 */
#define ZCOPY_OFFSET_CURRENT	(~0ULL)

/**
 * struct zcopy_send - send a file range to a socket (ZCOPY_IOC_SEND)
 * @size: in: sizeof(struct zcopy_send) as the caller knows it
 * @flags: in: ZCOPY_F_*
 * @in_fd: in: a regular file opened for reading
 * @out_fd: in: a connected IPv4 or IPv6 TCP socket with no upper-layer
 *	protocol (kTLS, sockmap), opened for writing
 * @method: in: ZCOPY_METHOD_*
 * @reserved0: in: must be 0
 * @offset: in: where the range starts in the file, at most LLONG_MAX, or
 *	ZCOPY_OFFSET_CURRENT to use and advance the file position
 * @len: in: length of the range; clamped to zcopy_info.max_len and to the
 *	end of the file.  0, or an @offset at or past the end of the file,
 *	succeeds with @sent 0 (and counts as a transfer).  A pseudo file
 *	(procfs, sysfs), whose size says nothing of its content, is read to
 *	its end, as sendfile(2) reads it.
 * @sent: out: bytes queued to the socket.  A transfer stopped by a signal,
 *	a full non-blocking socket, a send timeout or an error after some bytes
 *	went returns 0 from the ioctl with the partial count here.
 * @stats: out: per-transfer statistics
 * @reserved: in: must be 0
 *
 * Errors (the ioctl returns -1 and sets errno; nothing was sent and no
 * counter moved unless stated):
 *
 * EBADF: @in_fd or @out_fd is not an open descriptor (O_PATH included), or
 * @in_fd is not open for reading, or @out_fd not for writing.
 * EINVAL: unknown flags, method or a non-zero reserved field;
 * ZCOPY_F_NOTIFY_RELEASE (only an operation of ZCOPY_IOC_SUBMIT takes it);
 * ZCOPY_F_NODISKIO with ZCOPY_METHOD_DIRECT, or with COPY or SPLICE of a file
 * opened O_DIRECT on storage (both read it from storage); ZCOPY_F_NOSIGNAL
 * with ZCOPY_METHOD_SPLICE; @in_fd is not a regular file; @offset above
 * LLONG_MAX (negative); @offset + @len overflows; @len above LLONG_MAX;
 * @out_fd has O_APPEND set; ZCOPY_METHOD_DIRECT on a file whose filesystem
 * cannot do direct I/O; ZCOPY_METHOD_PAGES or _MMAP on a file whose own page
 * cache cannot be lent (DAX, overlayfs, procfs, sysfs: AUTO picks SPLICE, or
 * COPY with ZCOPY_F_NOSIGNAL, for those).
 * ENOTSOCK: @out_fd is not a socket.
 * EOPNOTSUPP: @out_fd is not a TCP stream socket, or has an upper-layer
 * protocol attached.
 * ENOTCONN: the socket is not connected.
 * EOVERFLOW: @offset + @len passes the filesystem's largest file size and
 * @offset is at or beyond it (a shorter range is clamped, as sendfile(2)).
 * ESPIPE: @offset given but the regular file cannot be read at an offset.
 * (A source that is not a regular file is EINVAL whatever @offset is, where
 * sendfile(2) reports ESPIPE first for a pipe or socket given an offset.)
 * EFAULT: the argument struct cannot be read or written.  It is checked
 * before anything is sent; if it becomes unwritable during the call, the
 * bytes that went are counted and EFAULT is returned, as sendfile(2) does
 * when it cannot store the offset.
 * E2BIG: @size exceeds what the module knows and the excess is not zero, or
 * @size is above the page size.
 * EAGAIN: the socket is non-blocking and full, or ZCOPY_F_NODISKIO found a
 * page missing from the cache, and nothing was sent.
 * EPIPE: the connection is shut down for writing or reset (and SIGPIPE unless
 * ZCOPY_F_NOSIGNAL).  ECONNRESET: the peer reset the connection; the first
 * call after the reset reports it, later ones EPIPE, as for send(2).  So
 * the first call reports any error the socket holds, and clears it, as
 * send(2) does: ECONNREFUSED, ETIMEDOUT, ECONNABORTED, or one ICMP brought
 * (EHOSTUNREACH, ENETUNREACH, EPROTO, EMSGSIZE, ...).
 * EINTR: a signal arrived before any byte was sent (or the call restarts).
 * ENOMEM, EIO: out of memory, or the file could not be read, before any byte
 * was sent.  (The few kilobytes a call works in are allocated before its
 * checks: without them it is ENOMEM counted nowhere.)
 * EAGAIN, EPIPE, ECONNRESET, the socket's errors, EINTR, ENOMEM and EIO are
 * runtime failures: they count in the "errors" counter.
 *
 * Besides sending, a call that passed its checks does what sendfile(2) does
 * (do_sendfile()): one read and one write system call in the task's I/O
 * accounting (syscr, syscw in /proc/PID/io), the bytes sent added to rchar
 * and wchar, an access event on the source file (inotify IN_ACCESS,
 * fanotify) and a modify event on the socket when bytes went, and the
 * source's atime moved as a read moves it, whatever the method.
 */
struct zcopy_send {
	__u32 size;
	__u32 flags;
	__s32 in_fd;
	__s32 out_fd;
	__u32 method;
	__u32 reserved0;
	__aligned_u64 offset;
	__aligned_u64 len;
	__aligned_u64 sent;
	struct zcopy_stats stats;
	__aligned_u64 reserved[2];
};

/** ZCOPY_SEG_FILE - a segment that is a range of a file */
#define ZCOPY_SEG_FILE		0
/** ZCOPY_SEG_MEMORY - a segment that is a buffer in the caller's memory */
#define ZCOPY_SEG_MEMORY	1
/** ZCOPY_SENDV_MAX_SEGS - the most segments one ZCOPY_IOC_SENDV takes */
#define ZCOPY_SENDV_MAX_SEGS	1024
/** ZCOPY_SENDV_MAX_MEMORY - the most memory-segment bytes in one call */
#define ZCOPY_SENDV_MAX_MEMORY	(1U << 20)

/**
 * struct zcopy_segment - one piece of a ZCOPY_IOC_SENDV stream
 * @type: ZCOPY_SEG_FILE or ZCOPY_SEG_MEMORY
 * @fd: ZCOPY_SEG_FILE: a regular file open for reading; else must be 0
 * @offset: ZCOPY_SEG_FILE: as zcopy_send.offset; else must be 0
 * @addr: ZCOPY_SEG_MEMORY: user address of the bytes; else must be 0
 * @len: bytes in the segment (a file range stops early at end of file)
 * @reserved: must be 0
 *
 * Memory segments (headers, trailers, chunk framing) are copied, when the
 * call starts, into pages the call allocates; those pages, never the
 * caller's memory, go to the socket by reference, so the caller may reuse
 * its buffers as soon as the call returns.  Their bytes count in
 * copied_bytes (once, twice where the route cannot gather), never in
 * zc_bytes.  With ZCOPY_METHOD_PAGES they
 * join the file pages around them in one send: a header and its file cost
 * the socket one sendmsg.
 */
struct zcopy_segment {
	__u32 type;
	__s32 fd;
	__aligned_u64 offset;
	__aligned_u64 addr;
	__aligned_u64 len;
	__aligned_u64 reserved;
};

/**
 * struct zcopy_sendv - send a vector of segments in one call (ZCOPY_IOC_SENDV)
 * @size: in: sizeof(struct zcopy_sendv) as the caller knows it
 * @flags: in: ZCOPY_F_*
 * @out_fd: in: the socket, as zcopy_send.out_fd
 * @method: in: ZCOPY_METHOD_* for the file segments (AUTO decides from the
 *	first file segment and applies its choice to all)
 * @segs: in: user address of @count struct zcopy_segment
 * @seg_stats: in: 0, or user address of @count struct zcopy_stats that
 *	receive each segment's statistics.  To time each segment alone, the
 *	call then sends them one by one instead of merging neighbours into
 *	one send: leave it 0 where speed matters.
 * @count: in: number of segments, 1 to ZCOPY_SENDV_MAX_SEGS
 * @seg_index: out: the first segment not fully sent (@count when all were)
 * @seg_sent: out: bytes sent of segment @seg_index
 * @sent: out: bytes sent in all
 * @stats: out: statistics of the whole call
 * @reserved: in: must be 0
 *
 * The vector is copied in once and every segment is checked before the first
 * byte goes: a bad segment anywhere fails the call with nothing sent.  All
 * but the last segment carry MSG_MORE so TCP coalesces them.  A file range
 * that ends early (end of file) still lets the next segment go; a stop for
 * any other reason (signal, full non-blocking socket, ZCOPY_F_NODISKIO, an
 * error after some bytes) returns success with @seg_index and @seg_sent
 * telling where to resume.
 *
 * Errors: those of ZCOPY_IOC_SEND for each segment, and EINVAL for an
 * unknown segment type, non-zero fields a type does not use, @count 0 or
 * above ZCOPY_SENDV_MAX_SEGS, memory segments above ZCOPY_SENDV_MAX_MEMORY
 * in all; EFAULT for unreadable @segs or memory segments or unwritable
 * @seg_stats, all before any byte is sent.  If @seg_stats becomes
 * unwritable during the call, the bytes that went are counted, the outputs
 * are filled and EFAULT is returned.  With PAGES or MMAP (AUTO's
 * choice included), every file segment must be one whose page cache can be
 * lent, or the call fails with EINVAL.
 *
 * sendfile(2)'s side effects (see zcopy_send) come per file segment that
 * sent bytes (its access event, atime and rchar) and once per call (one
 * syscr, one syscw, wchar for every byte sent, memory segments included).
 */
struct zcopy_sendv {
	__u32 size;
	__u32 flags;
	__s32 out_fd;
	__u32 method;
	__aligned_u64 segs;
	__aligned_u64 seg_stats;
	__u32 count;
	__u32 seg_index;
	__aligned_u64 seg_sent;
	__aligned_u64 sent;
	struct zcopy_stats stats;
	__aligned_u64 reserved[2];
};

/**
 * struct zcopy_counters - running totals of the transfers made through one
 * open file of /dev/zcopy (ZCOPY_IOC_COUNTERS); /sys/class/misc/zcopy holds
 * the same totals for the whole device
 * @size: in: sizeof(struct zcopy_counters) as the caller knows it
 * @flags: in: must be 0
 * @transfers: out: ZCOPY_IOC_SEND and ZCOPY_IOC_SENDV calls that succeeded
 *	(a partial or empty transfer included)
 * @bytes: out: bytes sent
 * @zc_bytes: out: sum of zcopy_stats.zc_bytes
 * @copied_bytes: out: sum of zcopy_stats.copied_bytes
 * @cache_hit_pages: out: sum of zcopy_stats.cache_hit_pages
 * @cache_miss_pages: out: sum of zcopy_stats.cache_miss_pages
 * @storage_read_bytes: out: sum of zcopy_stats.storage_read_bytes
 * @errors: out: transfers that failed at run time with nothing sent
 * @reserved: must be 0 on input; 0 on output
 */
struct zcopy_counters {
	__u32 size;
	__u32 flags;
	__aligned_u64 transfers;
	__aligned_u64 bytes;
	__aligned_u64 zc_bytes;
	__aligned_u64 copied_bytes;
	__aligned_u64 cache_hit_pages;
	__aligned_u64 cache_miss_pages;
	__aligned_u64 storage_read_bytes;
	__aligned_u64 errors;
	__aligned_u64 reserved[2];
};

/* Asynchronous operations (ZCOPY_IOC_SUBMIT). */
/** ZCOPY_OP_SEND - an operation whose @arg is a struct zcopy_send */
#define ZCOPY_OP_SEND		0
/** ZCOPY_OP_SENDV - an operation whose @arg is a struct zcopy_sendv */
#define ZCOPY_OP_SENDV		1
/** ZCOPY_SUBMIT_MAX_OPS - the most operations one ZCOPY_IOC_SUBMIT takes */
#define ZCOPY_SUBMIT_MAX_OPS	1024
/**
 * ZCOPY_ASYNC_MAX_RECORDS - completion records one open file holds at most,
 * owed (operations in flight, release records to come) and unread
 */
#define ZCOPY_ASYNC_MAX_RECORDS	4096

/**
 * struct zcopy_op - one operation of ZCOPY_IOC_SUBMIT
 * @opcode: ZCOPY_OP_SEND or ZCOPY_OP_SENDV
 * @reserved0: must be 0
 * @user_data: the caller's, returned in the operation's completion records
 * @arg: user address of a struct zcopy_send or zcopy_sendv, read (size
 *	field first) and checked as the synchronous ioctl reads and checks it,
 *	during the ZCOPY_IOC_SUBMIT call: it may be reused as soon as that
 *	returns.  Its outputs are never written: they come in the completion.
 * @reserved: must be 0
 *
 * Differences from the synchronous ioctls: the offset must be given
 * (ZCOPY_OFFSET_CURRENT is EINVAL), zcopy_sendv.seg_stats must be 0 (EINVAL),
 * ZCOPY_F_NOTIFY_RELEASE is allowed, memory segments are copied at submission,
 * and the work is not counted in the submitter's /proc/PID/io (syscr, syscw,
 * rchar, wchar), never raises SIGPIPE (EPIPE comes in the record), and signals
 * to the submitter do not stop it.  The first operation for a socket with
 * nothing queued, if every byte of it is in the page cache (PAGES, MMAP), is
 * sent during the ZCOPY_IOC_SUBMIT call itself, as io_uring issues requests
 * inline, until it is done or its socket is full; everything else runs on
 * kernel workers.  A blocking socket is waited for as send(2) waits (without
 * its SO_SNDTIMEO); an O_NONBLOCK one (at submission) ends the operation when
 * it is full, with EAGAIN or the partial count, as the synchronous call would.
 */
struct zcopy_op {
	__u32 opcode;
	__u32 reserved0;
	__aligned_u64 user_data;
	__aligned_u64 arg;
	__aligned_u64 reserved;
};

/**
 * struct zcopy_submit - queue operations (ZCOPY_IOC_SUBMIT)
 * @size: in: sizeof(struct zcopy_submit) as the caller knows it
 * @flags: in: must be 0
 * @ops: in: user address of @count struct zcopy_op
 * @count: in: operations, 1 to ZCOPY_SUBMIT_MAX_OPS
 * @accepted: out: operations taken, the ioctl's return value too
 * @reserved: in: must be 0
 *
 * Operations are taken in array order.  Each one taken gets exactly one
 * completion record (two with ZCOPY_F_NOTIFY_RELEASE), readable with
 * read(2) on the same open file: an operation that fails its checks
 * (any errno of its synchronous ioctl, or EINVAL for what an operation
 * cannot do) is taken too and completes at once with that errno; it
 * neither stops the others nor moves a counter.  Operations on the same
 * socket run one at a time in submission order, so their bytes follow each
 * other on the stream; operations on different sockets run concurrently.
 * The files and the socket are held from submission to completion: closing
 * the descriptors meanwhile changes nothing.  The work is done with the
 * submitter's credentials, and its memory is charged to its memory cgroup.
 *
 * Return (ioctl): the number of operations taken, at least 1.  Errors, when
 * none was taken: EINVAL (flags, reserved fields, @count), EFAULT (@ops or
 * the first operation unreadable), EAGAIN (this open file already holds
 * ZCOPY_ASYNC_MAX_RECORDS owed or unread records: read some), ENOMEM.
 * After the first operation, any of these ends the call early, with the
 * operations taken so far; an operation already checked that then finds
 * no memory for its stream is taken and completes with ENOMEM.
 */
struct zcopy_submit {
	__u32 size;
	__u32 flags;
	__aligned_u64 ops;
	__u32 count;
	__u32 accepted;
	__aligned_u64 reserved[2];
};

/** ZCOPY_CANCEL_ALL - cancel every operation of this open file */
#define ZCOPY_CANCEL_ALL	(1U << 0)

/**
 * struct zcopy_cancel - cancel operations (ZCOPY_IOC_CANCEL)
 * @size: in: sizeof(struct zcopy_cancel) as the caller knows it
 * @flags: in: 0 or ZCOPY_CANCEL_ALL
 * @user_data: in: without ZCOPY_CANCEL_ALL, cancel the operations
 *	submitted with this user_data
 * @cancelled: out: operations found not yet complete, the ioctl's return
 *	value too (0 when there were none)
 * @reserved0: in: must be 0
 * @reserved: in: must be 0
 *
 * An operation still queued completes at once with ECANCELED and sent 0.
 * One that is running stops at its next batch of pages (at most 64) and
 * completes with ECANCELED and what it sent so far; one that finished its
 * sending before the cancel reached it completes as it would have.  A
 * release record already owed still comes.  Errors: EINVAL for unknown
 * flags or a non-zero reserved field.
 */
struct zcopy_cancel {
	__u32 size;
	__u32 flags;
	__aligned_u64 user_data;
	__u32 cancelled;
	__u32 reserved0;
	__aligned_u64 reserved[2];
};

/* Flags of zcopy_completion.flags. */
/** ZCOPY_CQE_RELEASE - the release record of a ZCOPY_F_NOTIFY_RELEASE op */
#define ZCOPY_CQE_RELEASE	(1U << 0)
/**
 * ZCOPY_CQE_COPIED - in a release record: the stack copied some of the
 * bytes instead of sending the lent pages (a local receiver, a device that
 * cannot gather), as SO_EE_CODE_ZEROCOPY_COPIED says for MSG_ZEROCOPY
 */
#define ZCOPY_CQE_COPIED	(1U << 1)
/** ZCOPY_CQE_NOTIFY - a release record for this operation will follow */
#define ZCOPY_CQE_NOTIFY	(1U << 2)

/**
 * struct zcopy_completion - one record read(2) returns from /dev/zcopy
 * @user_data: the operation's
 * @result: 0, or the negative errno that ended it: as its synchronous
 *	ioctl returns it (a partial transfer is 0), or -ECANCELED, which may
 *	come with a partial @sent; 0 in a release record
 * @flags: ZCOPY_CQE_*
 * @sent: bytes queued to the socket
 * @seg_index: a SENDV's first segment not fully sent (its count when all
 *	were); 0 for a SEND
 * @reserved0: 0
 * @seg_sent: bytes sent of segment @seg_index
 * @stats: the operation's statistics, as the synchronous ioctl reports
 *	them; @stats.elapsed_ns runs from the operation's start on a worker
 *	to its end, waits for the socket included.  Zeroes in a release record.
 *
 * read(2) takes whole records: a buffer smaller than one is EINVAL.  It
 * returns as many as wait and fit, in the order they were made; with none
 * waiting it blocks (EAGAIN under O_NONBLOCK), or returns 0 when this open
 * file has nothing in flight.  poll(2) reports POLLIN while records wait.
 */
struct zcopy_completion {
	__aligned_u64 user_data;
	__s32 result;
	__u32 flags;
	__aligned_u64 sent;
	__u32 seg_index;
	__u32 reserved0;
	__aligned_u64 seg_sent;
	struct zcopy_stats stats;
};

#define ZCOPY_IOC_MAGIC		0xBA
/** ZCOPY_IOC_INFO - fill a struct zcopy_info */
#define ZCOPY_IOC_INFO		_IO(ZCOPY_IOC_MAGIC, 0x00)
/** ZCOPY_IOC_SEND - run one transfer described by a struct zcopy_send */
#define ZCOPY_IOC_SEND		_IO(ZCOPY_IOC_MAGIC, 0x01)
/** ZCOPY_IOC_COUNTERS - this open file's totals in a struct zcopy_counters */
#define ZCOPY_IOC_COUNTERS	_IO(ZCOPY_IOC_MAGIC, 0x02)
/** ZCOPY_IOC_SENDV - send the segments described by a struct zcopy_sendv */
#define ZCOPY_IOC_SENDV		_IO(ZCOPY_IOC_MAGIC, 0x03)
/** ZCOPY_IOC_SUBMIT - queue the operations of a struct zcopy_submit */
#define ZCOPY_IOC_SUBMIT	_IO(ZCOPY_IOC_MAGIC, 0x04)
/** ZCOPY_IOC_CANCEL - cancel queued operations (struct zcopy_cancel) */
#define ZCOPY_IOC_CANCEL	_IO(ZCOPY_IOC_MAGIC, 0x05)

#endif /* _UAPI_LINUX_ZCOPY_H */
