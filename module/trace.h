/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcopy's tracepoints, in tracefs under events/zcopy/:
 *
 * zcopy_transfer: once for every ZCOPY_IOC_SEND and ZCOPY_IOC_SENDV whose
 * argument struct passed its field checks, whatever became of the call:
 * sent, partly sent, failed while sending, or refused by its checks.  It
 * carries what the ioctl returned (err, sent, the call's statistics) and
 * the segment count; a refused call has sent 0, statistics 0 and the
 * method as asked (AUTO not resolved).
 *
 * zcopy_segment: once for each segment a SENDV reached (up to the one it
 * stopped in), with what zcopy_sendv.seg_stats receives for it.  SEND,
 * a single range, has its zcopy_transfer only.
 *
 * Both are emitted when the call is over, segments first, in order: with
 * PAGES, a segment's folios share a send with the next segment's, so what
 * a segment cost is known only once the call has flushed.
 *
 * err is the kernel's return value, 0 or a negative errno (-EPIPE: -32).
 * Field names are those of struct zcopy_stats, for perf and bpftrace.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM zcopy

#if !defined(_ZCOPY_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ZCOPY_TRACE_H

#include <linux/tracepoint.h>
#include <linux/types.h>
#include <linux/zcopy.h>

#define zcopy_show_method(m)					\
	__print_symbolic(m,					\
			 { ZCOPY_METHOD_AUTO, "auto" },		\
			 { ZCOPY_METHOD_COPY, "copy" },		\
			 { ZCOPY_METHOD_MMAP, "mmap" },		\
			 { ZCOPY_METHOD_SPLICE, "splice" },	\
			 { ZCOPY_METHOD_PAGES, "pages" },	\
			 { ZCOPY_METHOD_DIRECT, "direct" })

#define zcopy_show_seg_type(t)					\
	__print_symbolic(t,					\
			 { ZCOPY_SEG_FILE, "file" },		\
			 { ZCOPY_SEG_MEMORY, "memory" })

TRACE_EVENT(zcopy_transfer,
	    TP_PROTO(u32 flags, u32 nr_segs, int err, u64 sent,
		     const struct zcopy_stats *st),
	    TP_ARGS(flags, nr_segs, err, sent, st),
	    TP_STRUCT__entry(__field(u64, sent)
			     __field(u64, zc_bytes)
			     __field(u64, copied_bytes)
			     __field(u64, cache_hit_pages)
			     __field(u64, cache_miss_pages)
			     __field(u64, storage_read_bytes)
			     __field(u64, elapsed_ns)
			     __field(u32, method)
			     __field(u32, flags)
			     __field(u32, route)
			     __field(u32, ifindex)
			     __field(u32, nr_segs)
			     __field(int, err)),
	    TP_fast_assign(__entry->sent = sent;
			   __entry->zc_bytes = st->zc_bytes;
			   __entry->copied_bytes = st->copied_bytes;
			   __entry->cache_hit_pages = st->cache_hit_pages;
			   __entry->cache_miss_pages = st->cache_miss_pages;
			   __entry->storage_read_bytes = st->storage_read_bytes;
			   __entry->elapsed_ns = st->elapsed_ns;
			   __entry->method = st->method;
			   __entry->flags = flags;
			   __entry->route = st->route;
			   __entry->ifindex = st->ifindex;
			   __entry->nr_segs = nr_segs;
			   __entry->err = err;),
	    TP_printk("method=%s err=%d sent=%llu nr_segs=%u flags=0x%x zc_bytes=%llu copied_bytes=%llu cache_hit_pages=%llu cache_miss_pages=%llu storage_read_bytes=%llu elapsed_ns=%llu route=0x%x ifindex=%u",
		      zcopy_show_method(__entry->method), __entry->err,
		      __entry->sent, __entry->nr_segs, __entry->flags,
		      __entry->zc_bytes, __entry->copied_bytes,
		      __entry->cache_hit_pages, __entry->cache_miss_pages,
		      __entry->storage_read_bytes, __entry->elapsed_ns,
		      __entry->route, __entry->ifindex)
);

/*
 * index: the segment's place in the vector; type: ZCOPY_SEG_*; offset: its
 * first file byte (ZCOPY_OFFSET_CURRENT resolved to the file position), 0
 * for memory; len: as asked, before the end of the file shortened it.
 * elapsed_ns and storage_read_bytes are 0 unless the call asked for
 * seg_stats: only then do per-segment clocks run, and running them makes
 * the call send segments one by one, which tracing must not change.
 */
TRACE_EVENT(zcopy_segment,
	    TP_PROTO(u32 index, u32 type, u64 offset, u64 len, u64 sent,
		     const struct zcopy_stats *st),
	    TP_ARGS(index, type, offset, len, sent, st),
	    TP_STRUCT__entry(__field(u64, offset)
			     __field(u64, len)
			     __field(u64, sent)
			     __field(u64, zc_bytes)
			     __field(u64, copied_bytes)
			     __field(u64, cache_hit_pages)
			     __field(u64, cache_miss_pages)
			     __field(u64, storage_read_bytes)
			     __field(u64, elapsed_ns)
			     __field(u32, index)
			     __field(u32, type)
			     __field(u32, method)
			     __field(u32, route)
			     __field(u32, ifindex)),
	    TP_fast_assign(__entry->offset = offset;
			   __entry->len = len;
			   __entry->sent = sent;
			   __entry->zc_bytes = st->zc_bytes;
			   __entry->copied_bytes = st->copied_bytes;
			   __entry->cache_hit_pages = st->cache_hit_pages;
			   __entry->cache_miss_pages = st->cache_miss_pages;
			   __entry->storage_read_bytes = st->storage_read_bytes;
			   __entry->elapsed_ns = st->elapsed_ns;
			   __entry->index = index;
			   __entry->type = type;
			   __entry->method = st->method;
			   __entry->route = st->route;
			   __entry->ifindex = st->ifindex;),
	    TP_printk("index=%u type=%s offset=%llu len=%llu sent=%llu method=%s zc_bytes=%llu copied_bytes=%llu cache_hit_pages=%llu cache_miss_pages=%llu storage_read_bytes=%llu elapsed_ns=%llu route=0x%x ifindex=%u",
		      __entry->index, zcopy_show_seg_type(__entry->type),
		      __entry->offset, __entry->len, __entry->sent,
		      zcopy_show_method(__entry->method),
		      __entry->zc_bytes, __entry->copied_bytes,
		      __entry->cache_hit_pages, __entry->cache_miss_pages,
		      __entry->storage_read_bytes, __entry->elapsed_ns,
		      __entry->route, __entry->ifindex)
);

#endif /* _ZCOPY_TRACE_H */

/* Out of tree: define_trace.h finds this file through -I$(src) (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
