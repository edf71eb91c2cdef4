/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inject.h - what the badinput and faults groups need beyond zct.h: the
 * bytes a socket really took, addresses that are not memory, a second
 * thread, and the kernel's fault injection (fail-nth, failslab,
 * fail_page_alloc, fail_usercopy, fail_make_request).
 */
#ifndef ZCT_INJECT_H
#define ZCT_INJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "zct.h"

/* Kernel text of x86-64 without KASLR, the direct map, a non-canonical
 * address: none of them can be a user's memory. */
#define KADDR_TEXT 0xffffffff81000000ULL
#define KADDR_DIRECT_MAP 0xffff888000000000ULL
#define ADDR_NONCANONICAL 0x8000000000000000ULL

/* Sequence numbers TCP socket @fd has used (acknowledged + still queued):
 * its SYN, every byte written, and a FIN once shut down.  The difference
 * around a call is what the receiver gets of it, whatever the call says. */
int sock_written(int fd, uint64_t *bytes);
/* Wait until a sender blocked on @fd stops making progress (the same
 * count for @quiet_ms); its count goes to @bytes. */
int sock_wait_stalled(struct tctx *t, int fd, long quiet_ms, uint64_t *bytes);

/* Two pages: the first read-write, the second PROT_NONE (a guard), so
 * that an object can end exactly at the edge of mapped memory.  Returns
 * the first page, or NULL after fail(). */
void *guarded_page(struct tctx *t);
/* A page that is mapped read-only (its content set first from @src). */
void *readonly_page(struct tctx *t, const void *src, size_t len);
/* An address that was mapped a moment ago and is not any more. */
void *unmapped_page(struct tctx *t);

/* A pattern file of @size on @fs of this test alone (the shared ones of
 * tfile_open() must stay whole and hot), opened O_RDWR at position 0.
 * The caller unlinks f->path when done. */
int private_file(struct tctx *t, const struct fsdesc *fs, uint64_t size,
		 const char *tag, struct tfile *f);
/* A private file of @size on @fs whose pages are not in the page cache: written,
 * synced and dropped with POSIX_FADV_DONTNEED; opened with @flags
 * (O_RDONLY | O_NOATIME and whatever else). */
int cold_file(struct tctx *t, const struct fsdesc *fs, uint64_t size,
	      int flags, struct tfile *f);

/* Sync @fd and drop its @size bytes and every other clean cache, retried
 * while pages are still held (a CPU's LRU batch, a socket); 0, or -1 after
 * fail() when pages stay. */
int make_cold(struct tctx *t, int fd, uint64_t size);

/* ---- fault injection ---- */
#define DEBUGFS "/sys/kernel/debug"

/* Write @val to @path (debugfs, procfs); fail() on error. */
int knob_write(struct tctx *t, const char *path, const char *val);

/* Make every kind of allocation and user copy eligible for fail-nth and
 * quiet (verbose 0: no stack dumps in the log). */
int failnth_setup(struct tctx *t);
/* The calling thread's /proc/thread-self/fail-nth, opened. */
int failnth_open(struct tctx *t);
/* Arm: the @n-th fault site this thread reaches fails. */
int failnth_arm(struct tctx *t, int fd, unsigned int n);
/* Whether the armed fault is still pending, then disarm.  Returns 1 if it
 * was not consumed, 0 if it was, -1 after fail(). */
int failnth_disarm(struct tctx *t, int fd);

/* Storage reads by this thread fail (fail_make_request on /dev/vda with
 * task-filter): start and stop. */
int eio_start(struct tctx *t);
int eio_stop(struct tctx *t);

#endif /* ZCT_INJECT_H */
