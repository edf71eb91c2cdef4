// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: the send paths, each a function that sends the whole file
 * once (or, for the small-file paths, every small file once), and their
 * table.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "bench_int.h"

static int write_all(struct xfer *x, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(x->sock, p, n);

		x->calls++;
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* pread() rather than read(): the same copy, and no lseek() per transfer. */
static int send_readwrite(struct xfer *x)
{
	for (uint64_t off = 0; off < x->size;) {
		size_t want = x->size - off < IO_BUF_SIZE ? x->size - off : IO_BUF_SIZE;
		ssize_t n = pread(x->file, x->buf, want, off);

		x->calls++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return short_read(n);
		if (write_all(x, x->buf, n))
			return -1;
		off += n;
	}
	return 0;
}

/* A mapping per transfer, as a server mapping each request's file would. */
static int send_mmap_write(struct xfer *x)
{
	void *p = mmap(NULL, x->size, PROT_READ, MAP_SHARED, x->file, 0);

	x->calls++;
	if (p == MAP_FAILED)
		return -1;
	int rc = write_all(x, p, x->size);
	int err = errno;

	munmap(p, x->size);
	x->calls++;
	errno = err;
	return rc;
}

static int send_sendfile(struct xfer *x)
{
	off_t off = 0;

	while ((uint64_t)off < x->size) {
		ssize_t n = sendfile(x->sock, x->file, &off, x->size - off);

		x->calls++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return short_read(n);
	}
	return 0;
}

static int send_splice(struct xfer *x)
{
	loff_t off = 0;

	while ((uint64_t)off < x->size) {
		size_t want = x->size - off < x->pipe_size ? x->size - off : x->pipe_size;
		ssize_t in = splice(x->file, &off, x->pipe[1], NULL, want, SPLICE_F_MOVE);

		x->calls++;
		if (in < 0 && errno == EINTR)
			continue;
		if (in <= 0)
			return short_read(in);
		/* Cork all but the file's tail, as sendfile() does. */
		if (drain_pipe(x, in, (uint64_t)off < x->size ? SPLICE_F_MORE : 0))
			return -1;
	}
	return 0;
}

static int send_zcopy(struct xfer *x)
{
	for (uint64_t off = 0; off < x->size;) {
		struct zcopy_send req = {
			.in_fd = x->file,
			.out_fd = x->sock,
			.method = x->method,
			.offset = off,
			.len = x->size - off,
		};
		int rc = zcopy_send(x->dev, &req);

		x->calls++;
		if (rc && errno == EINTR)
			continue;
		if (rc)
			return -1;
		if (!req.sent)
			return short_read(0);
		x->copied += req.stats.copied_bytes;
		off += req.sent;
	}
	return 0;
}

/*
 * The small-file paths send x->n_files files of x->size bytes, each after
 * the same SMALL_HDR-byte header, as a server answering small requests on
 * one keep-alive connection would.
 *
 * user:writev_sendfile: per file, cork, writev() the header, sendfile() the
 * file, uncork (TCP_CORK, as a web server's tcp_nopush does), so that the
 * header and the file leave in the same segments.
 */
static int send_writev_sendfile(struct xfer *x)
{
	int on = 1, off = 0;

	for (unsigned int f = 0; f < x->n_files; f++) {
		struct iovec iov = { .iov_base = (void *)x->hdr, .iov_len = SMALL_HDR };
		off_t pos = 0;

		x->calls++;
		if (setsockopt(x->sock, IPPROTO_TCP, TCP_CORK, &on, sizeof(on)))
			return -1;
		while (iov.iov_len) {
			ssize_t w = writev(x->sock, &iov, 1);

			x->calls++;
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			iov.iov_base = (char *)iov.iov_base + w;
			iov.iov_len -= w;
		}
		while ((uint64_t)pos < x->size) {
			ssize_t n = sendfile(x->sock, x->files[f], &pos, x->size - pos);

			x->calls++;
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return short_read(n);
		}
		x->calls++;
		if (setsockopt(x->sock, IPPROTO_TCP, TCP_CORK, &off, sizeof(off)))
			return -1;
	}
	return 0;
}

/*
 * zcopy:SENDV and zcopy:SENDV64: ZCOPY_IOC_SENDV with a memory segment (the
 * header) and a file segment per file, x->batch files per call.  A call that
 * stops part-way is resumed from seg_index and seg_sent.
 */
static int send_sendv(struct xfer *x)
{
	for (unsigned int f = 0; f < x->n_files; f += x->batch) {
		unsigned int nf = x->n_files - f < x->batch ? x->n_files - f : x->batch;
		struct zcopy_segment *seg = x->segs;
		unsigned int count = 2 * nf;

		for (unsigned int i = 0; i < nf; i++) {
			seg[2 * i] = (struct zcopy_segment){
				.type = ZCOPY_SEG_MEMORY,
				.addr = (uintptr_t)x->hdr, .len = SMALL_HDR,
			};
			seg[2 * i + 1] = (struct zcopy_segment){
				.type = ZCOPY_SEG_FILE, .fd = x->files[f + i],
				.len = x->size,
			};
		}
		while (count) {
			struct zcopy_sendv req = {
				.out_fd = x->sock,
				.method = x->method,
				.segs = (uintptr_t)seg,
				.count = count,
			};
			int rc = zcopy_sendv(x->dev, &req);

			x->calls++;
			if (rc && errno == EINTR)
				continue;
			if (rc)
				return -1;
			x->copied += req.stats.copied_bytes;
			if (req.seg_index >= count)
				break;
			if (!req.sent)
				return short_read(0);	/* no progress */
			seg += req.seg_index;
			count -= req.seg_index;
			if (seg->type == ZCOPY_SEG_MEMORY)
				seg->addr += req.seg_sent;
			else
				seg->offset += req.seg_sent;
			seg->len -= req.seg_sent;
		}
	}
	return 0;
}

/*
 * Derived copies per byte: readwrite copies into the buffer and out of it,
 * mmap_write only out of the mapping, sendfile and splice lend page-cache
 * pages, which a route that gathers fragments (loopback does) never copies
 * and one that cannot copies once (lent).
 */
const struct bench_path paths[BENCH_NR_PATHS] = {
	{ .name = "user:readwrite", .send = send_readwrite, .copies = 2 },
	{ .name = "user:mmap_write", .send = send_mmap_write, .copies = 1 },
	{ .name = "user:sendfile", .send = send_sendfile, .copies = 0, .lent = 1 },
	{ .name = "user:splice", .send = send_splice, .open = open_pipe,
	  .close = close_pipe, .copies = 0, .lent = 1 },
	{ .name = "user:io_uring_splice", .send = send_io_uring_splice,
	  .open = open_io_uring, .close = close_io_uring, .copies = 0, .lent = 1 },
	/* Measured: the completions say which sends the kernel copied (see summarize()). */
	{ .name = "user:msg_zerocopy", .send = send_msg_zerocopy,
	  .open = open_msg_zerocopy, .close = close_msg_zerocopy, .copies = MEASURED,
	  .lent = 1 },
	{ .name = "zcopy:COPY", .send = send_zcopy, .method = ZCOPY_METHOD_COPY,
	  .copies = MEASURED, .zcopy = true },
	{ .name = "zcopy:MMAP", .send = send_zcopy, .method = ZCOPY_METHOD_MMAP,
	  .copies = MEASURED, .zcopy = true },
	{ .name = "zcopy:SPLICE", .send = send_zcopy, .method = ZCOPY_METHOD_SPLICE,
	  .copies = MEASURED, .zcopy = true },
	{ .name = "zcopy:PAGES", .send = send_zcopy, .method = ZCOPY_METHOD_PAGES,
	  .copies = MEASURED, .zcopy = true },
	{ .name = "zcopy:DIRECT", .send = send_zcopy, .method = ZCOPY_METHOD_DIRECT,
	  .copies = MEASURED, .zcopy = true },
	/* Small files: the header is copied, the file lent. */
	{ .name = "user:writev_sendfile", .send = send_writev_sendfile,
	  .copies = (double)SMALL_HDR / (SMALL_HDR + SMALL_SIZE),
	  .lent = (double)SMALL_SIZE / (SMALL_HDR + SMALL_SIZE), .batch = 1, .small = true },
	{ .name = "zcopy:SENDV", .send = send_sendv, .method = ZCOPY_METHOD_AUTO,
	  .copies = MEASURED, .batch = 1, .small = true, .zcopy = true },
	{ .name = "zcopy:SENDV64", .send = send_sendv, .method = ZCOPY_METHOD_AUTO,
	  .copies = MEASURED, .batch = SENDV_BATCH, .small = true, .zcopy = true },
};
