// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: the measurement.  A series (one path, size and cache) is
 * repetitions on one connection; the series of a group (one size and
 * cache) take turns; the run is every group, then the small-file group.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

#include "bench_int.h"

void warn_errno(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("zcopyctl: bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, unsigned int n)
{
	double tmp[MAX_REPS];

	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* ---- one row ----------------------------------------------------------- */

struct bench_ctx {
	const struct bench_config *cfg;
	FILE *table;			/* stdout, or stderr when JSON goes there */
	struct bench_env env;
	struct receiver rx;
	int dev;			/* /dev/zcopy, or -1 */
	int dev_err;			/* why it is -1 */
	int udp;			/* see flush_deferred_frees() */
	bool can_drop_caches;
	bool cold_ok;			/* the filesystem can be made cold */
	unsigned char *buf;
	int *small;			/* SMALL_FILES files, or NULL */
	unsigned char hdr[SMALL_HDR];
};

enum { M_MIBS, M_CPU, M_RXCPU, M_CALLS, M_COPIES, M_RESIDENT, M_FILES, NR_METRICS };

struct series {
	const struct bench_path *path;
	enum bench_cache cache;
	struct bench_row *row;		/* where the result goes */
	struct xfer x;
	unsigned int slot;		/* the receiver's connection */
	unsigned int k;			/* transfers per repetition */
	unsigned int n;			/* repetitions recorded */
	double spent;			/* seconds in them, for the budget */
	bool done;
	double v[NR_METRICS][MAX_REPS];
	double med[2][MAX_REPS];	/* running medians of M_MIBS, M_CPU */
};

static void drop_cache(struct bench_ctx *ctx, const struct xfer *x)
{
	int outq;

	/*
	 * Pages lent to segments TCP still holds for retransmission cannot be
	 * dropped: wait (1 s at most) until the peer acknowledged everything.
	 */
	for (int i = 0; i < 1000; i++) {
		if (ioctl(x->sock, SIOCOUTQ, &outq) || !outq)
			break;
		usleep(1000);
	}
	flush_deferred_frees(ctx->udp);
	/* Dirty pages cannot be dropped; ours are clean, fsync() makes sure. */
	fsync(x->file);
	posix_fadvise(x->file, 0, 0, POSIX_FADV_DONTNEED);
	if (ctx->can_drop_caches)
		write_drop_caches();
}

/*
 * One repetition: k transfers and the receiver's acknowledgement.  Without
 * record it only warms up (cache, connection, code).
 */
static int run_rep(struct bench_ctx *ctx, struct series *s, bool record)
{
	struct xfer *x = &s->x;
	struct rx_ack ack;
	int err = 0;

	if (s->cache == BENCH_COLD)
		drop_cache(ctx, x);
	double resident = resident_fraction(x->file, x->size);
	for (unsigned int f = 1; f < x->n_files; f++)
		resident += resident_fraction(x->files[f], x->size);
	resident /= x->n_files ? x->n_files : 1;
	/* Files sent per transfer, and the bytes of one transfer. */
	unsigned int nf = x->n_files ? x->n_files : 1;
	uint64_t xfer_bytes = x->n_files ? x->n_files * (x->size + SMALL_HDR) : x->size;
	if (rx_ask(&ctx->rx, s->slot, false, s->k * xfer_bytes))
		return -1;
	x->calls = x->copied = x->copied_of = 0;

	double t0 = now(), c0 = cpu_seconds();
	for (unsigned int i = 0; i < s->k && !err; i++)
		if (s->path->send(x))
			err = errno;
	double c1 = cpu_seconds();

	/* The receiver is waiting for bytes that will not come: end the stream. */
	if (err)
		shutdown(x->sock, SHUT_WR);
	if (rx_wait(&ctx->rx, &ack))
		return -1;
	double t1 = now();

	if (err || ack.err) {
		errno = err ? err : ack.err;
		return -1;
	}
	if (!record)
		return 0;

	double bytes = (double)s->k * xfer_bytes;
	unsigned int i = s->n++;

	s->v[M_MIBS][i] = bytes / MIB / (t1 - t0);
	s->v[M_CPU][i] = (c1 - c0) / (bytes / GIB);
	s->v[M_RXCPU][i] = ack.cpu / (bytes / GIB);
	s->v[M_CALLS][i] = (double)x->calls / s->k / nf;
	s->v[M_FILES][i] = (double)s->k * nf / (t1 - t0);
	s->v[M_COPIES][i] = x->copied_of ? (double)x->copied / x->copied_of :
			    x->copied / bytes;
	s->v[M_RESIDENT][i] = resident;
	s->med[0][i] = median(s->v[M_MIBS], s->n);
	s->med[1][i] = median(s->v[M_CPU], s->n);
	return 0;
}

/* Whether the running medians stopped moving. */
static bool settled(const struct series *s, unsigned int min_reps)
{
	if (s->n < min_reps || s->n < WINDOW)
		return false;
	for (int m = 0; m < 2; m++) {
		const double *med = &s->med[m][s->n - WINDOW];
		double lo = med[0], hi = med[0];

		for (int i = 1; i < WINDOW; i++) {
			lo = med[i] < lo ? med[i] : lo;
			hi = med[i] > hi ? med[i] : hi;
		}
		if (hi - lo > SPREAD * med[WINDOW - 1])
			return false;
	}
	return true;
}

static int open_series(struct bench_ctx *ctx, struct series *s)
{
	struct xfer *x = &s->x;
	struct rx_ack ack;
	int one = 1;

	/* Small files must not wait for Nagle: each transfer pushes its tail. */
	x->sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (x->sock < 0 ||
	    setsockopt(x->sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    connect(x->sock, (struct sockaddr *)&ctx->rx.addr, sizeof(ctx->rx.addr)) ||
	    rx_ask(&ctx->rx, s->slot, true, 0) || rx_wait(&ctx->rx, &ack))
		return -1;
	if (ack.err) {
		errno = ack.err;
		return -1;
	}
	return 0;
}

__attribute__((format(printf, 4, 5)))
static void row_stop(struct bench_row *row, enum bench_status st, int err,
		     const char *fmt, ...)
{
	va_list ap;
	int len;

	row->status = st;
	va_start(ap, fmt);
	len = vsnprintf(row->reason, sizeof(row->reason), fmt, ap);
	va_end(ap);
	if (err && len >= 0 && (size_t)len < sizeof(row->reason))
		snprintf(row->reason + len, sizeof(row->reason) - len, ": %s",
			 strerror(err));
}

static void summarize(const struct series *s, struct bench_row *row, bool sg)
{
	row->reps = s->n;
	row->mib_per_s = median(s->v[M_MIBS], s->n);
	row->cpu_s_per_gib = median(s->v[M_CPU], s->n);
	row->rx_cpu_s_per_gib = median(s->v[M_RXCPU], s->n);
	row->syscalls = median(s->v[M_CALLS], s->n);
	row->files_per_s = median(s->v[M_FILES], s->n);
	row->resident = median(s->v[M_RESIDENT], s->n);
	/*
	 * MSG_ZEROCOPY's completions miss the copy GSO makes for a device
	 * that cannot gather (skb_segment() copies without clearing the
	 * zerocopy mark): through one, its copy is derived like sendfile's.
	 */
	row->copied_measured = s->path->copies == MEASURED && (sg || !s->path->lent);
	if (row->copied_measured)
		row->copied_per_byte = median(s->v[M_COPIES], s->n);
	else
		row->copied_per_byte = (s->path->copies == MEASURED ? 0 : s->path->copies) +
				       (sg ? 0 : s->path->lent);
}

static void close_series(struct series *s)
{
	if (s->path->close)
		s->path->close(&s->x);
	close_fd(&s->x.sock);
	free(s->x.segs);
	free(s);
}

/*
 * Set up path p's series for the group and warm it up with an unmeasured
 * repetition (page cache, connection, code).  NULL when the row is already
 * decided (skipped or failed).
 */
static struct series *start_series(struct bench_ctx *ctx, unsigned int p,
				   unsigned int slot, int file, uint64_t size,
				   enum bench_cache cache, struct bench_row *row)
{
	bool small = paths[p].small;

	*row = (struct bench_row){
		.path = paths[p].name,
		.path_index = p,
		.size = size,
		.cache = cache,
		/* A small-file transfer is SMALL_FILES files: about BATCH_BYTES. */
		.xfers_per_rep = cache == BENCH_HOT && size < BATCH_BYTES && !small ?
			BATCH_BYTES / size : 1,
		.files = small ? SMALL_FILES : 0,
		.header_bytes = small ? SMALL_HDR : 0,
	};
	if (cache == BENCH_COLD && !ctx->cold_ok) {
		row_stop(row, BENCH_SKIPPED, 0, "%s keeps files in memory: no cold cache",
			 ctx->env.fs);
		return NULL;
	}
	if (paths[p].zcopy && ctx->dev < 0) {
		row_stop(row, BENCH_FAILED, ctx->dev_err, "%s", ZCOPY_DEV_PATH);
		return NULL;
	}

	struct series *s = calloc(1, sizeof(*s));
	if (!s) {
		row_stop(row, BENCH_FAILED, errno, "memory");
		return NULL;
	}
	*s = (struct series){
		.path = &paths[p], .cache = cache, .row = row, .slot = slot,
		.k = row->xfers_per_rep,
		.x = {
			.file = file, .sock = -1, .dev = ctx->dev, .pipe = { -1, -1 },
			.size = size, .method = paths[p].method, .buf = ctx->buf,
		},
	};
	if (small) {
		s->x.files = ctx->small;
		s->x.n_files = SMALL_FILES;
		s->x.batch = paths[p].batch;
		s->x.hdr = ctx->hdr;
		s->x.segs = calloc(2 * s->x.batch, sizeof(*s->x.segs));
		if (!s->x.segs) {
			row_stop(row, BENCH_FAILED, errno, "memory");
			close_series(s);
			return NULL;
		}
	}
	int rc = open_series(ctx, s);

	if (rc)
		row_stop(row, BENCH_FAILED, errno, "connect to the receiver");
	else if (s->path->open && (rc = s->path->open(&s->x)) &&
		 (errno == ENOSYS || errno == EPERM))
		/* A kernel without io_uring, or with io_uring_disabled set */
		row_stop(row, BENCH_SKIPPED, errno, "the kernel refuses it");
	else if (rc)
		row_stop(row, BENCH_FAILED, errno, "set up the path");
	else if ((rc = run_rep(ctx, s, false)) && errno == EINVAL &&
		 s->path->method == ZCOPY_METHOD_DIRECT)
		row_stop(row, BENCH_SKIPPED, 0, "no direct I/O on this filesystem (EINVAL)");
	else if (rc)
		row_stop(row, BENCH_FAILED, errno, "send");
	if (!rc)
		return s;
	close_series(s);
	return NULL;
}

/* One measured repetition, and whether the series is done. */
static void step(struct bench_ctx *ctx, struct series *s)
{
	const struct bench_config *cfg = ctx->cfg;
	double t0 = now();
	int rc = run_rep(ctx, s, true);

	s->spent += now() - t0;
	if (rc) {
		row_stop(s->row, BENCH_FAILED, errno, "send (repetition %u)", s->n + 1);
		s->done = true;
		return;
	}
	s->row->stable = settled(s, cfg->min_reps);
	s->done = s->row->stable || s->n == MAX_REPS ||
		  (s->n >= FLOOR_REPS && s->spent * 1000 >= cfg->budget_ms);
	if (s->done)
		summarize(s, s->row, ctx->env.route_sg);
}

/*
 * The rows of one (size, cache) group.  Their series take turns, one
 * repetition each, so that a change in the machine's load over time
 * (another guest, a daemon) hits every path alike rather than whichever
 * happened to run then.
 */
static void run_group(struct bench_ctx *ctx, int file, uint64_t size,
		      enum bench_cache cache, bool small, struct bench_row *rows,
		      size_t *n_rows)
{
	struct series *ss[ARRAY_SIZE(paths)];
	struct bench_row *first = &rows[*n_rows];
	unsigned int n = 0;

	for (unsigned int p = 0; p < ARRAY_SIZE(paths); p++) {
		if (!(ctx->cfg->paths >> p & 1) || paths[p].small != small)
			continue;
		struct series *s = start_series(ctx, p, n, file, size, cache,
						&rows[(*n_rows)++]);
		if (s)
			ss[n++] = s;
	}
	for (bool busy = n > 0; busy;) {
		busy = false;
		for (unsigned int i = 0; i < n; i++) {
			if (!ss[i]->done)
				step(ctx, ss[i]);
			busy |= !ss[i]->done;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		close_series(ss[i]);

	/*
	 * user:readwrite is path 0 and user:writev_sendfile SMALL_BASELINE:
	 * the first row of their groups, if they ran.
	 */
	for (struct bench_row *r = first; r < &rows[*n_rows]; r++) {
		if (r->status == BENCH_OK && first->status == BENCH_OK &&
		    first->path_index == (small ? SMALL_BASELINE : 0))
			r->vs_readwrite = r->mib_per_s / first->mib_per_s;
		bench_table_row(ctx->table, r);
	}
	fflush(ctx->table);
}

/* ---- the run ----------------------------------------------------------- */

static bool wants_zcopy(const struct bench_config *cfg)
{
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		if (cfg->paths >> i & 1 && paths[i].zcopy)
			return true;
	return false;
}

/* Whether any path of the small-file group (or of the others) is wanted. */
static bool wants_small(const struct bench_config *cfg, bool small)
{
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		if (cfg->paths >> i & 1 && paths[i].small == small)
			return true;
	return false;
}

/*
 * The small-file group: SMALL_FILES files in the bench directory, hot (the
 * warm-up repetition reads them in), one fd each; the soft limit on open
 * files is raised to the hard one if that is too low for them.
 */
static int make_small_files(struct bench_ctx *ctx)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < SMALL_FILES + 64 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ctx->small = malloc(SMALL_FILES * sizeof(*ctx->small));
	if (!ctx->small)
		return -1;
	for (unsigned int i = 0; i < SMALL_FILES; i++)
		ctx->small[i] = -1;
	for (unsigned int i = 0; i < SMALL_FILES; i++)
		if ((ctx->small[i] = make_file(ctx->cfg->dir, SMALL_SIZE, ctx->buf, false)) < 0)
			return -1;
	/* Printable, as a protocol header would be. */
	for (unsigned int i = 0; i < SMALL_HDR; i++)
		ctx->hdr[i] = i % 64 == 63 ? '\n' : 'a' + i % 26;
	return 0;
}

static void free_small_files(struct bench_ctx *ctx)
{
	for (unsigned int i = 0; ctx->small && i < SMALL_FILES; i++)
		close_fd(&ctx->small[i]);
	free(ctx->small);
	ctx->small = NULL;
}

/* Rows in the order cache, size, path, so that readwrite leads its group. */
static int run_all(struct bench_ctx *ctx, const int *files,
		   struct bench_row *rows, size_t *n)
{
	const struct bench_config *cfg = ctx->cfg;

	bench_table_header(ctx->table);
	for (int c = 0; c < BENCH_NR_CACHES && wants_small(cfg, false); c++)
		for (unsigned int z = 0; z < cfg->n_sizes && cfg->caches >> c & 1; z++)
			run_group(ctx, files[z], cfg->sizes[z], c, false, rows, n);
	bench_table_model(ctx->table, rows, *n);
	if (wants_small(cfg, true) && cfg->caches >> BENCH_HOT & 1) {
		bench_table_small_header(ctx->table, SMALL_FILES, SMALL_SIZE, SMALL_HDR);
		if (make_small_files(ctx)) {
			warn_errno(errno, "create %u files of %llu bytes in %s", SMALL_FILES,
				   (unsigned long long)SMALL_SIZE, cfg->dir);
			free_small_files(ctx);
			return EXIT_FAILURE;
		}
		run_group(ctx, ctx->small[0], SMALL_SIZE, BENCH_HOT, true, rows, n);
		free_small_files(ctx);
	}
	bench_table_footer(ctx->table, &ctx->env);
	for (size_t i = 0; i < *n; i++)
		if (rows[i].status == BENCH_FAILED)
			return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

int bench_run(const struct bench_config *cfg)
{
	struct bench_ctx ctx = {
		.cfg = cfg, .table = cfg->json ? stderr : stdout,
		.dev = -1, .udp = -1, .rx = { .ctl = -1 },
	};
	int files[BENCH_MAX_SIZES];
	struct bench_row *rows = NULL;
	size_t n_rows = 0;
	int rc = EXIT_FAILURE;

	for (unsigned int z = 0; z < BENCH_MAX_SIZES; z++)
		files[z] = -1;
	/* A receiver that went away must show up as EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	/* First, so that it holds neither the device nor the files open. */
	if (rx_start(&ctx.rx, cfg->rx_addr, cfg->rx_netns)) {
		char a[INET_ADDRSTRLEN];

		warn_errno(errno, "start the receiver on %s%s%s",
			   inet_ntop(AF_INET, &cfg->rx_addr, a, sizeof(a)),
			   cfg->rx_netns ? " in " : "", cfg->rx_netns ? cfg->rx_netns : "");
		return EXIT_FAILURE;
	}
	if (wants_zcopy(cfg) && (ctx.dev = zcopy_open()) < 0) {
		const char *hint = module_hint(errno);

		ctx.dev_err = errno;
		fprintf(stderr, "zcopyctl: bench: %s: %s%s%s (zcopy:* rows fail)\n",
			ZCOPY_DEV_PATH, strerror(errno), hint ? ": " : "",
			hint ? hint : "");
	}
	collect_env(&ctx.env, cfg, ctx.dev, &ctx.can_drop_caches, &ctx.cold_ok);
	ctx.udp = self_udp();

	ctx.buf = malloc(IO_BUF_SIZE);
	/* The small-file group is one more group. */
	rows = calloc((BENCH_NR_CACHES * BENCH_MAX_SIZES + 1) * ARRAY_SIZE(paths), sizeof(*rows));
	if (!ctx.buf || !rows) {
		warn_errno(errno, "memory");
		goto out;
	}
	for (unsigned int z = 0; z < cfg->n_sizes && wants_small(cfg, false); z++) {
		files[z] = make_file(cfg->dir, cfg->sizes[z], ctx.buf, true);
		if (files[z] < 0) {
			warn_errno(errno, "create a %llu-byte file in %s",
				   (unsigned long long)cfg->sizes[z], cfg->dir);
			goto out;
		}
	}
	if (cfg->fanout) {
		rc = bench_run_fanout(cfg, ctx.dev, ctx.table, rows, &n_rows) ?
			EXIT_FAILURE : EXIT_SUCCESS;
		bench_table_footer(ctx.table, &ctx.env);
	} else if (cfg->connections > 1) {
		rc = bench_run_parallel(cfg, files, ctx.dev, ctx.table, rows, &n_rows) ?
			EXIT_FAILURE : EXIT_SUCCESS;
		bench_table_footer(ctx.table, &ctx.env);
	} else {
		rc = run_all(&ctx, files, rows, &n_rows);
	}
	if (cfg->json && bench_write_json(stdout, &ctx.env, rows, n_rows)) {
		warn_errno(errno, "stdout");
		rc = EXIT_FAILURE;
	}
	if (cfg->json_file &&
	    bench_write_json_file(cfg->json_file, &ctx.env, rows, n_rows)) {
		warn_errno(errno, "%s", cfg->json_file);
		rc = EXIT_FAILURE;
	}
	if (cfg->svg && bench_write_svg(cfg->svg, &ctx.env, rows, n_rows)) {
		warn_errno(errno, "%s", cfg->svg);
		rc = EXIT_FAILURE;
	}
out:
	rx_stop(&ctx.rx);
	for (unsigned int z = 0; z < BENCH_MAX_SIZES; z++)
		close_fd(&files[z]);
	close_fd(&ctx.dev);
	close_fd(&ctx.udp);
	free(rows);
	free(ctx.buf);
	return rc;
}
