/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libzcopy: thin wrappers around the /dev/zcopy ioctls and the module's
 * sysfs counters.  Every call is a plain syscall or two: nothing is cached,
 * no state is kept between calls, and errno is what the kernel reported.
 *
 * libzcopy (this header and libzcopy.c) is free software under the GNU
 * Lesser General Public License, version 2.1 or (at your option) any later
 * version: see COPYING.LGPL-2.1.  Programs under any licence may link it.
 * <linux/zcopy.h>, which it includes, is the kernel's uAPI header, under
 * GPL-2.0 WITH Linux-syscall-note.  man 3 libzcopy documents every call.
 */
#ifndef LIBZCOPY_H
#define LIBZCOPY_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/zcopy.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ZCOPY_DEV_PATH - the misc device the module registers */
#define ZCOPY_DEV_PATH		"/dev/zcopy"
/** ZCOPY_SYSFS_DIR - the device's sysfs directory (stats/ and stats_<method>/) */
#define ZCOPY_SYSFS_DIR		"/sys/class/misc/zcopy"

/**
 * zcopy_open() - open the zcopy device
 *
 * Opens %ZCOPY_DEV_PATH read-write and close-on-exec.  Counters reported by
 * zcopy_counters() are per open file, so a caller that wants its own totals
 * opens its own descriptor.
 *
 * Return: a file descriptor, or -1 with errno set (ENOENT when the module is
 * not loaded).
 */
int zcopy_open(void);

/**
 * zcopy_info() - query what the module and the running kernel support
 * @dev: descriptor from zcopy_open()
 * @out: filled in; zeroed and its size set by this call
 *
 * Return: 0, or -1 with errno set by ZCOPY_IOC_INFO.
 */
int zcopy_info(int dev, struct zcopy_info *out);

/**
 * zcopy_send() - run one transfer (one ZCOPY_IOC_SEND)
 * @dev: descriptor from zcopy_open()
 * @req: the request; @req->size is set to sizeof(*req) when it is 0, and
 *	@req->sent and @req->stats are filled in by the kernel
 *
 * One call moves at most zcopy_info.max_len bytes and may stop early (signal,
 * send timeout, full non-blocking socket): @req->sent says how far it got.
 * Use zcopy_send_all() to move a whole range.
 *
 * Return: 0 (check @req->sent; 0 bytes sent means EOF), or -1 with errno set
 * as documented for struct zcopy_send.
 */
int zcopy_send(int dev, struct zcopy_send *req);

/**
 * zcopy_sendv() - send a vector of memory and file segments in one call
 *	(one ZCOPY_IOC_SENDV)
 * @dev: descriptor from zcopy_open()
 * @req: the request; @req->size is set to sizeof(*req) when it is 0.  The
 *	kernel fills @req->sent, @req->seg_index, @req->seg_sent, @req->stats
 *	and, when @req->seg_stats is set, one struct zcopy_stats per segment.
 *
 * A stop part-way (signal, full non-blocking socket, ZCOPY_F_NODISKIO) is a
 * success: resume at segment @req->seg_index, @req->seg_sent bytes in, as
 * zcopy_sendv_all() does.
 *
 * Return: 0, or -1 with errno set as documented for struct zcopy_sendv.
 */
int zcopy_sendv(int dev, struct zcopy_sendv *req);

/**
 * zcopy_sendv_all() - send a whole vector of segments, in as many
 *	ZCOPY_IOC_SENDV calls as it takes
 * @dev: descriptor from zcopy_open()
 * @req: the request.  In: @req->out_fd, @req->method, @req->flags as for
 *	zcopy_sendv(); @req->segs and @req->count: the vector, of any length
 *	(0: nothing to send); @req->seg_index and @req->seg_sent: where to
 *	start, 0 and 0 for the whole vector; @req->seg_stats must be 0.
 *	Out: @req->seg_index and @req->seg_sent: where the stream stopped
 *	(@req->count and 0 when all of it went); @req->sent: bytes sent by
 *	this call; @req->stats: the sum of its ZCOPY_IOC_SENDV calls'
 *	statistics (zcopy_stats_add()).  @req->size is ignored.
 * @calls: out, may be NULL: how many ZCOPY_IOC_SENDV calls succeeded
 *
 * The vector is sent in batches of at most %ZCOPY_SENDV_MAX_SEGS segments
 * and %ZCOPY_SENDV_MAX_MEMORY bytes of memory segments (a longer memory
 * segment goes in pieces).  @req->flags go to every call as they are: a
 * batch that is not the last ends without MSG_MORE unless ZCOPY_F_MORE is
 * set.  The segments are read by this library too: a
 * bad @req->segs crashes the caller rather than failing with EFAULT.
 * A call that stops part-way (a signal or a send
 * timeout after some bytes went, a full non-blocking socket after some
 * bytes, ZCOPY_F_NODISKIO after some bytes) is resumed at once at the
 * segment and byte where it stopped.  The caller's segments are only read:
 * a resumed segment is sent from a copy moved past the bytes that went (a
 * file segment with offset %ZCOPY_OFFSET_CURRENT keeps it: the kernel moved
 * the file position).
 *
 * It returns -1 when one call fails; every output is valid then, and
 * calling again with the same @req resumes where the stream stopped:
 *
 * EINTR: a signal arrived before that call sent a byte.  (A signal that
 * interrupts a call after bytes went does not end zcopy_sendv_all(): it
 * resumes, and returns EINTR only if a later signal finds a call that has
 * sent nothing yet.)
 * EAGAIN: the non-blocking socket is full, or ZCOPY_F_NODISKIO found a
 * page missing, before that call sent a byte: poll(2) for POLLOUT, or
 * wait for readahead, and call again.
 * ENODATA: a file segment ended before its length (the file is shorter
 * than the vector says).  The kernel still sent the segments after it,
 * so the peer got fewer bytes than the lengths add up to; @req->sent says
 * how many.
 * EIO: a call sent nothing yet neither finished nor failed (a kernel bug),
 * or the kernel's own EIO.
 * EINVAL: @req->seg_stats is not 0, @req->seg_index is past @req->count,
 * or @req->seg_sent is past the length of segment @req->seg_index; and the
 * kernel's EINVAL.  ENOMEM: no memory for a batch (more than 16 segments).
 * Every other errno is the kernel's, as documented for struct zcopy_sendv
 * and struct zcopy_send (EPIPE, ECONNRESET, EBADF, ...).
 *
 * Return: the bytes this call sent (@req->sent), or -1 with errno set.
 */
int64_t zcopy_sendv_all(int dev, struct zcopy_sendv *req, uint64_t *calls);

/**
 * zcopy_stats_add() - add one call's statistics to a running total
 * @total: the total
 * @s: one call's statistics
 * @moved_bytes: the call sent something
 * @first: the first call of the series
 *
 * Counts add up; the route, egress device and method are those of the last
 * call that moved bytes (a closing call at EOF may not have seen a route).
 */
void zcopy_stats_add(struct zcopy_stats *total, const struct zcopy_stats *s,
		     bool moved_bytes, bool first);

/**
 * zcopy_send_all() - send a whole file range, one ZCOPY_IOC_SEND at a time
 * @dev: descriptor from zcopy_open()
 * @req: the request as for zcopy_send(); @req->len 0 means "up to EOF"
 * @total: out: the sum of every call's zc_bytes, copied_bytes, cache pages,
 *	storage_read_bytes and elapsed_ns; route, ifindex and method are the
 *	last call's that sent bytes (of the last call if none did)
 * @sent: out: bytes sent by all calls together
 *
 * Repeats ZCOPY_IOC_SEND until the range is sent, EOF is reached (a call that
 * sends 0 bytes) or a call fails.  @total and @sent are valid in every case,
 * including after a failure, so the caller knows what went before it.
 *
 * On return @req describes what is left: @req->offset has advanced by
 * @sent (unless it is %ZCOPY_OFFSET_CURRENT, where the kernel advances the
 * file position instead) and a non-zero @req->len has shrunk by @sent, so
 * calling again after a transient error (EINTR, EAGAIN) resumes.
 *
 * Return: 0, or -1 with errno from the call that failed.
 */
int zcopy_send_all(int dev, struct zcopy_send *req,
		   struct zcopy_stats *total, uint64_t *sent);

/**
 * zcopy_counters() - running totals of the transfers made through @dev
 * @dev: descriptor from zcopy_open()
 * @out: filled in; zeroed and its size set by this call
 *
 * Return: 0, or -1 with errno set by ZCOPY_IOC_COUNTERS.
 */
int zcopy_counters(int dev, struct zcopy_counters *out);

/**
 * zcopy_method_name() - name of a ZCOPY_METHOD_* number
 * @m: method number
 *
 * Return: "auto", "copy", "mmap", "splice", "pages" or "direct"; "unknown"
 * for a number this library does not know (a newer module), so the result
 * can always be printed.
 */
const char *zcopy_method_name(unsigned int m);

/**
 * zcopy_method_from_name() - ZCOPY_METHOD_* number of a method name
 * @s: a name as returned by zcopy_method_name(), in any case
 *
 * Return: the method number, or -1 if @s names no method.
 */
int zcopy_method_from_name(const char *s);

/**
 * zcopy_read_sysfs_counter() - read one of the module's sysfs counters
 * @method_or_null: NULL for the device-wide total in
 *	%ZCOPY_SYSFS_DIR/stats/, or a method name for
 *	%ZCOPY_SYSFS_DIR/stats_<method>/
 * @name: the counter: transfers, bytes, zc_bytes, copied_bytes,
 *	cache_hit_pages, cache_miss_pages, storage_read_bytes or errors
 * @val: out: the counter's value
 *
 * Return: 0, or -1 with errno set: ENOENT when the module is not loaded or
 * has no such method or counter, EINVAL when @name or @method_or_null is
 * empty or not a single path component, EBADMSG when the file does not hold
 * one decimal number, ERANGE when the number does not fit in 64 bits.
 */
int zcopy_read_sysfs_counter(const char *method_or_null, const char *name,
			     uint64_t *val);

/**
 * zcopy_submit() - queue asynchronous operations (one ZCOPY_IOC_SUBMIT)
 * @dev: descriptor from zcopy_open()
 * @ops: @count operations, each pointing at a struct zcopy_send or
 *	zcopy_sendv (size set, offsets given); all are read during this call
 * @count: 1 to %ZCOPY_SUBMIT_MAX_OPS
 *
 * Each operation taken completes later with one record for zcopy_reap()
 * (two with ZCOPY_F_NOTIFY_RELEASE), an operation refused by its checks
 * included: its record carries the errno.
 *
 * Return: the number of operations taken (fewer than @count when the open
 * file holds %ZCOPY_ASYNC_MAX_RECORDS records: reap, then submit the rest),
 * or -1 with errno set as documented for struct zcopy_submit (EAGAIN: none
 * taken, reap first).
 */
int zcopy_submit(int dev, struct zcopy_op *ops, unsigned int count);
/**
 * zcopy_reap() - wait for completion records and read them
 * @dev: descriptor from zcopy_open()
 * @out: room for @max records
 * @max: at least 1
 * @timeout_ms: as for poll(2): -1 waits for ever, 0 does not wait
 *
 * Return: the number of records read (0 when none came in time, or when
 * nothing is in flight), or -1 with errno set (EINVAL for @max 0).
 */
int zcopy_reap(int dev, struct zcopy_completion *out, unsigned int max,
	       int timeout_ms);
/**
 * zcopy_cancel() - cancel asynchronous operations (one ZCOPY_IOC_CANCEL)
 * @dev: descriptor from zcopy_open()
 * @user_data: the operations submitted with this user_data
 * @all: cancel every operation of @dev instead
 *
 * Each cancelled operation still completes, with -ECANCELED and what it
 * sent before the cancel reached it.
 *
 * Return: how many operations were cancelled (0 or more), or -1 with errno
 * set.
 */
int zcopy_cancel(int dev, uint64_t user_data, bool all);

#ifdef __cplusplus
}
#endif

#endif /* LIBZCOPY_H */
