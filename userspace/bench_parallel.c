// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench --connections N: the concurrent rows.  For each path and
 * size (hot), N sender threads each send the file over a connection of
 * their own, again and again, for the row's time budget, to N receiver
 * processes; the row gives the bytes all of them moved per second and the
 * sender's CPU (every thread: RUSAGE_SELF) per GiB.  With as many vCPUs as
 * there are, this shows how each path's per-transfer bookkeeping scales:
 * shared counters, reference counts and locks show up as CPU per GiB that
 * grows with the CPUs.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bench_int.h"

struct sender {
	pthread_t thread;
	const struct bench_path *path;
	struct xfer x;
	const atomic_bool *stop;
	uint64_t bytes;			/* whole files sent */
	int err;			/* 0, or the errno that stopped it */
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;

	while (!atomic_load_explicit(s->stop, memory_order_relaxed)) {
		if (s->path->send(&s->x)) {
			s->err = errno;
			break;
		}
		s->bytes += s->x.size;
	}
	/* The receiver reads until EOF. */
	shutdown(s->x.sock, SHUT_WR);
	return NULL;
}

pid_t fork_discarder(int lsock)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	sched_setscheduler(0, SCHED_IDLE, &(struct sched_param){ 0 });
	int conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	uint32_t calls = 0;

	_exit(conn < 0 || rx_discard(conn, UINT64_MAX, &calls));
}

/* One row: n senders of path p for budget_ms; the row says how it went. */
static void run_row(const struct bench_path *p, unsigned int idx, int file,
		    uint64_t size, unsigned int n, int dev, const struct bench_config *cfg,
		    struct bench_row *row)
{
	struct sender *ss = calloc(n, sizeof(*ss));
	pid_t *rx = calloc(n, sizeof(*rx));
	atomic_bool stop = false;
	struct sockaddr_in addr;
	unsigned int started = 0, forked = 0;
	int lsock = -1, err = 0;
	double bytes = 0, t0 = 0, c0 = 0;

	*row = (struct bench_row){
		.path = p->name, .path_index = idx, .size = size, .cache = BENCH_HOT,
		.connections = n, .reps = 1, .stable = true, .resident = -1,
	};
	if (!ss || !rx) {
		err = errno;
		goto free_mem;
	}
	/* Every sender's state, so that any way out closes what it opened. */
	for (unsigned int i = 0; i < n; i++) {
		ss[i].x = (struct xfer){
			.file = file, .sock = -1, .dev = dev, .pipe = { -1, -1 },
			.size = size, .method = p->method,
		};
		ss[i].path = p;
		ss[i].stop = &stop;
	}
	lsock = bench_listen(cfg->rx_addr, cfg->rx_netns, (int)n, &addr);
	if (lsock < 0) {
		err = errno;
		goto free_mem;
	}
	fflush(NULL);
	for (; forked < n; forked++) {
		rx[forked] = fork_discarder(lsock);
		if (rx[forked] < 0) {
			err = errno;
			goto reap;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		struct xfer *x = &ss[i].x;

		/* A buffer of its own: readwrite writes into it. */
		x->buf = malloc(IO_BUF_SIZE);
		x->sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
		if (!x->buf || x->sock < 0 ||
		    connect(x->sock, (struct sockaddr *)&addr, sizeof(addr)) ||
		    (p->open && p->open(x))) {
			err = errno;
			break;
		}
	}
	t0 = now();
	c0 = cpu_seconds();
	for (; !err && started < n; started++) {
		err = pthread_create(&ss[started].thread, NULL, sender_main, &ss[started]);
		if (err)
			break;
	}
	struct timespec budget = {
		.tv_sec = cfg->budget_ms / 1000,
		.tv_nsec = (long)(cfg->budget_ms % 1000) * 1000000,
	};
	if (started)
		nanosleep(&budget, NULL);
	atomic_store(&stop, true);
	for (unsigned int i = 0; i < started; i++) {
		pthread_join(ss[i].thread, NULL);
		bytes += ss[i].bytes;
		err = err ? err : ss[i].err;
	}
	/*
	 * The clock runs until every receiver has every byte (EOF); one whose
	 * sender never connected would wait for ever.
	 */
	for (unsigned int i = 0; i < n; i++) {
		if (p->close)
			p->close(&ss[i].x);
		if (ss[i].x.sock >= 0)
			shutdown(ss[i].x.sock, SHUT_WR);
	}
reap:
	for (unsigned int i = 0; i < forked && started < n; i++)
		kill(rx[i], SIGKILL);
	for (unsigned int i = 0; i < forked; i++) {
		int st;

		if (waitpid(rx[i], &st, 0) > 0 && (!WIFEXITED(st) || WEXITSTATUS(st)) && !err)
			err = EPIPE;
	}
	if (started) {
		double t1 = now(), c1 = cpu_seconds();

		row->mib_per_s = bytes / MIB / (t1 - t0);
		row->cpu_s_per_gib = bytes ? (c1 - c0) / (bytes / GIB) : 0;
		row->files_per_s = bytes / size / (t1 - t0);
	}
	for (unsigned int i = 0; i < n; i++) {
		close_fd(&ss[i].x.sock);
		free(ss[i].x.buf);
	}
	close_fd(&lsock);
free_mem:
	free(ss);
	free(rx);
	if (err || !started) {
		row->status = BENCH_FAILED;
		snprintf(row->reason, sizeof(row->reason), "%d connections: %s", n,
			 strerror(err ? err : EAGAIN));
	}
}

int bench_run_parallel(const struct bench_config *cfg, const int *files, int dev,
		       FILE *table, struct bench_row *rows, size_t *n)
{
	int rc = 0;

	bench_table_parallel_header(table, cfg->connections, cfg->budget_ms);
	for (unsigned int z = 0; z < cfg->n_sizes; z++) {
		for (unsigned int p = 0; p < ARRAY_SIZE(paths); p++) {
			struct bench_row *row = &rows[(*n)++];

			if (!(cfg->paths >> p & 1) || paths[p].small) {
				(*n)--;
				continue;
			}
			if (paths[p].zcopy && dev < 0) {
				*row = (struct bench_row){
					.path = paths[p].name, .path_index = p,
					.size = cfg->sizes[z], .connections = cfg->connections,
					.status = BENCH_FAILED,
				};
				snprintf(row->reason, sizeof(row->reason), "%s", ZCOPY_DEV_PATH);
			} else {
				run_row(&paths[p], p, files[z], cfg->sizes[z], cfg->connections,
					dev, cfg, row);
			}
			bench_table_row(table, row);
			fflush(table);
			rc |= row->status == BENCH_FAILED;
		}
	}
	return rc;
}
