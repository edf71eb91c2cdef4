/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcopyctl send: cmd_send.c parses, sends a single range and prints;
 * send_vector.c sends header, files and trailer in ZCOPY_IOC_SENDV calls.
 */
#ifndef ZCOPY_SEND_H
#define ZCOPY_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libzcopy.h"
#include "net.h"

struct send_args {
	const char *file;
	char **files;		/* all the FILEs; file is the first */
	int n_files;
	const char *header;	/* NULL: none */
	const char *trailer;
	const char *dest;
	struct endpoint ep;
	unsigned int method;
	uint64_t offset;
	uint64_t len;
	bool quiet;
	bool json;
	bool async;		/* --async: ZCOPY_IOC_SUBMIT operations */
	bool notify_release;	/* --notify-release */
	int progress;		/* -1: when stderr is a terminal */
};

struct send_result {
	struct zcopy_stats stats;
	uint64_t sent;
	uint64_t hash;
	bool vector;		/* sent with ZCOPY_IOC_SENDV */
	uint64_t segments;	/* ...as this many segments */
	uint64_t calls;		/* ...in this many calls (operations) */
	bool async;		/* as operations of ZCOPY_IOC_SUBMIT */
};

struct stream {
	struct zcopy_segment *seg;	/* the whole stream, in order */
	size_t n, cap;
	unsigned char *mem[2];		/* header, trailer */
	int *fds;			/* one per FILE, -1 when not open */
};

/*
 * Header, FILEs and trailer as segments; all files are opened before the
 * connection is made.  An empty piece adds no segment.
 */
int build_stream(const struct send_args *o, struct stream *st);
void free_stream(const struct send_args *o, struct stream *st);
/*
 * The stream through zcopy_sendv_all(): in as few ZCOPY_IOC_SENDV calls as
 * its size allows, a call that stops part-way (signal, send timeout)
 * resumed at seg_index, seg_sent bytes in.
 */
int transfer_vector(const struct send_args *o, int dev, int sock,
		    struct stream *st, struct send_result *r);
/* The hash of the stream: memory as it is, files read back. */
int hash_stream(const struct zcopy_segment *seg, size_t n, uint64_t *hash);
/*
 * The stream as ZCOPY_IOC_SUBMIT operations, each completion record shown
 * as it comes (send_async.c).
 */
int transfer_async(const struct send_args *o, int dev, int sock,
		   struct stream *st, struct send_result *r);

#endif /* ZCOPY_SEND_H */
