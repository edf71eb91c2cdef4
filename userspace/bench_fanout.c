// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench --fanout N: the workload that needs batching.  One
 * sender, N connections (each to a receiver process of its own), and per
 * round every connection gets a SMALL_HDR-byte header and a SMALL_SIZE file
 * of its own, as a server answering N clients at once does.  Four ways:
 *
 *   user:writev_sendfile  per connection: TCP_CORK, writev() the header,
 *                         sendfile() the file, uncork: 4 calls
 *   user:io_uring         one io_uring_submit_and_wait() per round: per
 *                         connection, IORING_OP_READ_FIXED of the file into
 *                         a registered buffer behind its header, linked to
 *                         IORING_OP_SEND of both (two requests that io_uring
 *                         completes inline; its splice would go through
 *                         io-wq: see user:io_uring_splice)
 *   zcopy:SENDV           per connection: one ZCOPY_IOC_SENDV (header and
 *                         file)
 *   zcopy:SUBMIT          one ZCOPY_IOC_SUBMIT of N SENDV operations and
 *                         one read() of their N records per round
 *
 * Every path runs FANOUT_PASSES times, the paths in turn, for the budget
 * each; a row is the pass with the median files per second.  The rows
 * give files per second and the sender's CPU per GiB.  zcopy:SUBMIT
 * sends on kernel workers, which no rusage of the sender sees: the sender's
 * CPU is therefore every CPU's busy time (/proc/stat) during the row less
 * what the receiver processes used (RUSAGE_CHILDREN once they have
 * exited), for every path alike.
 */
#include <errno.h>
#include <inttypes.h>
#include <liburing.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "bench_int.h"

#define FRAME		(SMALL_HDR + SMALL_SIZE)	/* bytes per file */
#define FANOUT_PASSES	3	/* every path this many times, in turn */

struct fanout {
	unsigned int n;
	int *sock;
	int *file;
	int dev;
	unsigned char hdr[SMALL_HDR];
	/* user:io_uring */
	struct io_uring ring;
	bool ring_up;
	unsigned char *frames;		/* n registered frames: header, file */
	/* zcopy:SENDV and zcopy:SUBMIT */
	struct zcopy_segment *segs;	/* 2 per connection */
	struct zcopy_sendv *reqs;
	struct zcopy_op *ops;
	struct zcopy_completion *recs;
};

typedef int round_fn(struct fanout *f);

/* Write what a short send left of a frame, blocking. */
static int send_rest(int sock, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t w = send(sock, p, len, 0);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= w;
	}
	return 0;
}

static int round_writev_sendfile(struct fanout *f)
{
	int on = 1, off = 0;

	for (unsigned int c = 0; c < f->n; c++) {
		struct iovec iov = { .iov_base = f->hdr, .iov_len = SMALL_HDR };
		off_t pos = 0;

		if (setsockopt(f->sock[c], IPPROTO_TCP, TCP_CORK, &on, sizeof(on)) ||
		    writev(f->sock[c], &iov, 1) != SMALL_HDR)
			return -1;
		while (pos < (off_t)SMALL_SIZE) {
			ssize_t n = sendfile(f->sock[c], f->file[c], &pos,
					     SMALL_SIZE - pos);

			if (n <= 0)
				return short_read(n);
		}
		if (setsockopt(f->sock[c], IPPROTO_TCP, TCP_CORK, &off, sizeof(off)))
			return -1;
	}
	return 0;
}

static int round_io_uring(struct fanout *f)
{
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0;
	int rc;

	for (unsigned int c = 0; c < f->n; c++) {
		unsigned char *frame = f->frames + (size_t)c * FRAME;
		struct io_uring_sqe *rd = io_uring_get_sqe(&f->ring);
		struct io_uring_sqe *sd = io_uring_get_sqe(&f->ring);

		io_uring_prep_read_fixed(rd, f->file[c], frame + SMALL_HDR,
					 SMALL_SIZE, 0, 0);
		rd->flags |= IOSQE_IO_LINK;
		rd->user_data = 2 * c;
		io_uring_prep_send(sd, f->sock[c], frame, FRAME, 0);
		sd->user_data = 2 * c + 1;
	}
	rc = io_uring_submit_and_wait(&f->ring, 2 * f->n);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	io_uring_for_each_cqe(&f->ring, head, cqe) {
		unsigned int c = cqe->user_data / 2;
		bool send = cqe->user_data & 1;

		seen++;
		if (!rc)
			continue;
		if (cqe->res < 0) {
			errno = -cqe->res;
			rc = 0;
		} else if (!send && (uint64_t)cqe->res != SMALL_SIZE) {
			errno = EIO;
			rc = 0;
		} else if (send && (uint64_t)cqe->res < FRAME &&
			   send_rest(f->sock[c], f->frames + (size_t)c * FRAME + cqe->res,
				     FRAME - cqe->res)) {
			rc = 0;
		}
	}
	io_uring_cq_advance(&f->ring, seen);
	return rc ? 0 : -1;
}

/* Resume a SENDV that stopped part-way, synchronously. */
static int sendv_rest(struct fanout *f, struct zcopy_sendv *req, uint32_t index,
		      uint64_t done)
{
	struct zcopy_segment seg[2];

	memcpy(seg, (void *)(uintptr_t)req->segs, sizeof(seg));
	while (index < 2) {
		struct zcopy_sendv v = {
			.out_fd = req->out_fd, .segs = (uintptr_t)&seg[index],
			.count = 2 - index,
		};

		if (seg[index].type == ZCOPY_SEG_MEMORY)
			seg[index].addr += done;
		else
			seg[index].offset += done;
		seg[index].len -= done;
		if (zcopy_sendv(f->dev, &v))
			return -1;
		if (!v.sent)
			return short_read(0);
		index += v.seg_index;
		done = v.seg_sent;
	}
	return 0;
}

static int round_sendv(struct fanout *f)
{
	for (unsigned int c = 0; c < f->n; c++) {
		struct zcopy_sendv req = f->reqs[c];

		if (zcopy_sendv(f->dev, &req))
			return -1;
		if (req.seg_index < 2 &&
		    sendv_rest(f, &f->reqs[c], req.seg_index, req.seg_sent))
			return -1;
	}
	return 0;
}

static int round_submit(struct fanout *f)
{
	unsigned int got = 0;
	int rc = zcopy_submit(f->dev, f->ops, f->n);

	if (rc != (int)f->n)
		return rc < 0 ? -1 : (errno = EAGAIN, -1);
	while (got < f->n) {
		ssize_t r = read(f->dev, f->recs, f->n * sizeof(*f->recs));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return short_read(r);
		for (size_t i = 0; i < r / sizeof(*f->recs); i++) {
			const struct zcopy_completion *c = &f->recs[i];

			if (c->result) {
				errno = -c->result;
				return -1;
			}
			if (c->seg_index < 2 &&
			    sendv_rest(f, &f->reqs[c->user_data], c->seg_index,
				       c->seg_sent))
				return -1;
		}
		got += r / sizeof(*f->recs);
	}
	return 0;
}

static const struct {
	const char *name;
	round_fn *round;
	bool zcopy;
} fanout_paths[] = {
	{ "user:writev_sendfile", round_writev_sendfile, false },
	{ "user:io_uring", round_io_uring, false },
	{ "zcopy:SENDV", round_sendv, true },
	{ "zcopy:SUBMIT", round_submit, true },
};

/* Every CPU's busy time so far, in seconds (/proc/stat). */
static double busy_seconds(void)
{
	unsigned long long v[8] = { 0 };
	FILE *p = fopen("/proc/stat", "r");
	long hz = sysconf(_SC_CLK_TCK);
	int n;

	if (!p)
		return 0;
	n = fscanf(p, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(p);
	if (n != 8)
		return 0;
	/* user nice system idle iowait irq softirq steal: all but idle, iowait */
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz;
}

static double children_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int fanout_setup(struct fanout *f, bool ring)
{
	struct iovec iov;
	int rc;

	f->frames = calloc(f->n, FRAME);
	f->segs = calloc(2 * f->n, sizeof(*f->segs));
	f->reqs = calloc(f->n, sizeof(*f->reqs));
	f->ops = calloc(f->n, sizeof(*f->ops));
	f->recs = calloc(f->n, sizeof(*f->recs));
	if (!f->frames || !f->segs || !f->reqs || !f->ops || !f->recs)
		return -1;
	for (unsigned int c = 0; c < f->n; c++) {
		memcpy(f->frames + (size_t)c * FRAME, f->hdr, SMALL_HDR);
		f->segs[2 * c] = (struct zcopy_segment){
			.type = ZCOPY_SEG_MEMORY, .addr = (uintptr_t)f->hdr,
			.len = SMALL_HDR };
		f->segs[2 * c + 1] = (struct zcopy_segment){
			.type = ZCOPY_SEG_FILE, .fd = f->file[c], .len = SMALL_SIZE };
		f->reqs[c] = (struct zcopy_sendv){
			.size = sizeof(f->reqs[c]), .out_fd = f->sock[c],
			.segs = (uintptr_t)&f->segs[2 * c], .count = 2 };
		f->ops[c] = (struct zcopy_op){
			.opcode = ZCOPY_OP_SENDV, .user_data = c,
			.arg = (uintptr_t)&f->reqs[c] };
	}
	if (!ring)
		return 0;
	rc = io_uring_queue_init(2 * f->n, &f->ring, 0);
	if (rc) {
		errno = -rc;
		return -1;
	}
	f->ring_up = true;
	iov = (struct iovec){ .iov_base = f->frames, .iov_len = (size_t)f->n * FRAME };
	rc = io_uring_register_buffers(&f->ring, &iov, 1);
	if (rc) {
		errno = -rc;
		return -1;
	}
	return 0;
}

static void fanout_teardown(struct fanout *f)
{
	if (f->ring_up)
		io_uring_queue_exit(&f->ring);
	f->ring_up = false;
	free(f->frames);
	free(f->segs);
	free(f->reqs);
	free(f->ops);
	free(f->recs);
	f->frames = NULL;
	f->segs = NULL;
	f->reqs = NULL;
	f->ops = NULL;
	f->recs = NULL;
}

/* One row: connect n receivers, run rounds for the budget, reap them. */
static void run_row(unsigned int p, struct fanout *f,
		    const struct bench_config *cfg, struct bench_row *row)
{
	pid_t *rx = calloc(f->n, sizeof(*rx));
	struct sockaddr_in addr;
	unsigned int forked = 0, connected = 0;
	uint64_t rounds = 0;
	double t0, t1, b0, b1, k0, k1;
	int lsock, err = 0;

	*row = (struct bench_row){
		.path = fanout_paths[p].name, .path_index = p, .size = SMALL_SIZE,
		.cache = BENCH_HOT, .connections = f->n, .header_bytes = SMALL_HDR,
		.files = f->n, .reps = 1, .stable = true, .resident = -1,
	};
	lsock = bench_listen(cfg->rx_addr, cfg->rx_netns, (int)f->n, &addr);
	if (!rx || lsock < 0) {
		err = errno;
		goto out;
	}
	fflush(NULL);
	for (; forked < f->n; forked++) {
		rx[forked] = fork_discarder(lsock);
		if (rx[forked] < 0) {
			err = errno;
			goto reap;
		}
	}
	for (; connected < f->n; connected++) {
		f->sock[connected] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
		if (f->sock[connected] < 0 ||
		    connect(f->sock[connected], (struct sockaddr *)&addr, sizeof(addr))) {
			err = errno;
			goto reap;
		}
	}
	if (fanout_setup(f, fanout_paths[p].round == round_io_uring)) {
		err = errno;
		goto reap;
	}
	t0 = now();
	b0 = busy_seconds();
	k0 = children_seconds();
	do {
		if (fanout_paths[p].round(f)) {
			err = errno;
			break;
		}
		rounds++;
	} while (rounds < cfg->min_reps || (now() - t0) * 1000 < cfg->budget_ms);
reap:
	/* The clock stops when every receiver has every byte (EOF). */
	for (unsigned int c = 0; c < connected; c++)
		close_fd(&f->sock[c]);
	for (unsigned int i = 0; i < forked && connected < f->n; i++)
		kill(rx[i], SIGKILL);
	for (unsigned int i = 0; i < forked; i++) {
		int st;

		if (waitpid(rx[i], &st, 0) > 0 && (!WIFEXITED(st) || WEXITSTATUS(st)) && !err)
			err = EPIPE;
	}
	if (rounds) {
		double bytes = (double)rounds * f->n * FRAME;

		t1 = now();
		b1 = busy_seconds();
		k1 = children_seconds();
		row->files_per_s = rounds * f->n / (t1 - t0);
		row->mib_per_s = bytes / MIB / (t1 - t0);
		row->cpu_s_per_gib = ((b1 - b0) - (k1 - k0)) / (bytes / GIB);
		row->rx_cpu_s_per_gib = (k1 - k0) / (bytes / GIB);
		row->xfers_per_rep = rounds;
	}
	fanout_teardown(f);
out:
	close_fd(&lsock);
	free(rx);
	if (err || !rounds) {
		row->status = BENCH_FAILED;
		snprintf(row->reason, sizeof(row->reason), "%u connections: %s", f->n,
			 strerror(err ? err : EAGAIN));
	}
}

/* One pass of path p: its row, or why it failed. */
static void run_pass(unsigned int p, struct fanout *f, const struct bench_config *cfg,
		     int dev, struct bench_row *row)
{
	if (fanout_paths[p].zcopy && dev < 0) {
		*row = (struct bench_row){
			.path = fanout_paths[p].name, .path_index = p,
			.size = SMALL_SIZE, .connections = f->n,
			.files = f->n, .status = BENCH_FAILED,
		};
		snprintf(row->reason, sizeof(row->reason), "%s", ZCOPY_DEV_PATH);
		return;
	}
	run_row(p, f, cfg, row);
}

static int cmp_files(const void *a, const void *b)
{
	const struct bench_row *x = a, *y = b;

	return (x->files_per_s > y->files_per_s) - (x->files_per_s < y->files_per_s);
}

/*
 * Path p's row: the pass with the median files/s (its CPU with it), or
 * the first failed pass.
 */
static void median_row(struct bench_row (*pass_rows)[ARRAY_SIZE(fanout_paths)],
		       unsigned int p, struct bench_row *row)
{
	struct bench_row r[FANOUT_PASSES];

	for (unsigned int i = 0; i < FANOUT_PASSES; i++) {
		r[i] = pass_rows[i][p];
		if (r[i].status != BENCH_OK) {
			*row = r[i];
			return;
		}
	}
	qsort(r, FANOUT_PASSES, sizeof(r[0]), cmp_files);
	*row = r[FANOUT_PASSES / 2];
	row->reps = FANOUT_PASSES;
}

int bench_run_fanout(const struct bench_config *cfg, int dev, FILE *table,
		     struct bench_row *rows, size_t *n)
{
	struct bench_row pass_rows[FANOUT_PASSES][ARRAY_SIZE(fanout_paths)];
	struct fanout f = { .n = cfg->fanout, .dev = dev };
	unsigned char *buf = malloc(IO_BUF_SIZE);	/* make_file()'s */
	size_t first = *n;
	int rc = 0;

	f.sock = calloc(f.n, sizeof(*f.sock));
	f.file = calloc(f.n, sizeof(*f.file));
	if (!buf || !f.sock || !f.file) {
		warn_errno(errno, "memory");
		rc = 1;
		goto out;
	}
	for (unsigned int c = 0; c < f.n; c++)
		f.sock[c] = f.file[c] = -1;
	for (unsigned int c = 0; c < f.n; c++) {
		f.file[c] = make_file(cfg->dir, SMALL_SIZE, buf, false);
		if (f.file[c] < 0) {
			warn_errno(errno, "create a file in %s", cfg->dir);
			rc = 1;
			goto out;
		}
	}
	memset(f.hdr, 'h', sizeof(f.hdr));
	bench_table_fanout_header(table, f.n, SMALL_HDR, SMALL_SIZE, cfg->budget_ms);
	/* Rounds of every path in turn: a drift of the host hits them all. */
	for (unsigned int pass = 0; pass < FANOUT_PASSES; pass++)
		for (unsigned int p = 0; p < ARRAY_SIZE(fanout_paths); p++)
			run_pass(p, &f, cfg, dev, &pass_rows[pass][p]);
	for (unsigned int p = 0; p < ARRAY_SIZE(fanout_paths); p++) {
		struct bench_row *row = &rows[(*n)++];

		median_row(pass_rows, p, row);
		/* Files per second over user:writev_sendfile's, in the same run. */
		if (row->status == BENCH_OK && rows[first].status == BENCH_OK)
			row->vs_readwrite = row->files_per_s / rows[first].files_per_s;
		bench_table_row(table, row);
		fflush(table);
		rc |= row->status == BENCH_FAILED;
	}
out:
	for (unsigned int c = 0; f.file && c < f.n; c++)
		close_fd(&f.file[c]);
	free(f.sock);
	free(f.file);
	free(buf);
	return rc;
}
