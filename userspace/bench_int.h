/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of "zcopyctl bench" share (bench.h is its face to the rest
 * of zcopyctl):
 *
 *   bench_args.c   the options and their defaults
 *   bench_paths.c  the send paths, one function each, and their table
 *   bench_peers.c  the paths with state per series: the pipe, io_uring, MSG_ZEROCOPY
 *   bench_rx.c     the forked receiver and its control protocol
 *   bench_files.c  test files, the page cache and lent pages
 *   bench_env.c    the machine the figures come from
 *   bench_run.c    the measurement: repetitions, series, groups, the run
 *   bench_parallel.c  the concurrent rows (--connections)
 *   bench_fanout.c the fan-out rows (--fanout): batching many connections
 *   bench_model.c  the cost model: ns per call and per byte, fitted
 *   bench_report.c the table, the JSON and the SVG
 */
#ifndef ZCOPY_BENCH_INT_H
#define ZCOPY_BENCH_INT_H

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "libzcopy.h"

#define KIB		1024ULL
#define MIB		(1024 * KIB)
#define GIB		(1024 * MIB)

/* IO_BUF_SIZE (cli.h, 64 KiB): user:readwrite's buffer */
#define PIPE_SIZE	(1 * MIB)	/* user:splice's pipe, if allowed */
#define BATCH_BYTES	(4 * MIB)	/* hot: one repetition moves this much */
#define MAX_REPS	400
#define FLOOR_REPS	3		/* a median needs some company */
#define WINDOW		5		/* running medians that must agree... */
#define SPREAD		0.05		/* ...within this fraction */
#define MEASURED	(-1.0)		/* copies per byte come from the module */
#define SMALL_FILES	1000		/* the small-file rows: this many files... */
#define SMALL_SIZE	(4 * KIB)	/* ...of this size... */
#define SMALL_HDR	200		/* ...each after a header of this many bytes */
#define SENDV_BATCH	64		/* files (with headers) per call of zcopy:SENDV64 */
#define BENCH_MAX_CONNECTIONS 64	/* --connections */
#define ZC_WINDOW	64		/* user:msg_zerocopy: sends awaiting completion */

/* ---- the paths (bench_paths.c) ------------------------------------------ */

/* One path's state for a series; the tallies grow with every transfer. */
struct xfer {
	int file;
	int sock;
	int dev;			/* /dev/zcopy, or -1 */
	int pipe[2];			/* user:splice, user:io_uring_splice */
	size_t pipe_size;
	uint64_t size;
	unsigned int method;		/* ZCOPY_METHOD_* for zcopy:* */
	unsigned char *buf;		/* IO_BUF_SIZE bytes */
	/* Small-file paths: n_files files of size bytes, each after hdr. */
	const int *files;
	unsigned int n_files;		/* 0: the other paths, one file */
	unsigned int batch;		/* files per ZCOPY_IOC_SENDV */
	const unsigned char *hdr;	/* SMALL_HDR bytes */
	struct zcopy_segment *segs;	/* 2 * batch of them */
	struct io_uring *ring;		/* user:io_uring_splice */
	/* user:msg_zerocopy: sends made and completed, their bytes */
	uint32_t zc_next, zc_done;
	uint64_t zc_bytes[ZC_WINDOW];
	uint64_t calls;			/* syscalls made */
	uint64_t copied;		/* bytes the CPU copied, as measured... */
	uint64_t copied_of;		/* ...out of these (0: those sent) */
};

/* Send the whole file once: 0, or -1 with errno set. */
typedef int send_fn(struct xfer *x);
/* A series' own state, once its connection is up: 0, or -1 with errno. */
typedef int open_fn(struct xfer *x);
typedef void close_fn(struct xfer *x);

struct bench_path {
	const char *name;
	send_fn *send;
	open_fn *open;			/* NULL: nothing of its own */
	close_fn *close;
	unsigned int method;
	double copies;			/* per byte, derived; or MEASURED */
	double lent;			/* per byte: copied too where the route cannot gather */
	unsigned int batch;		/* small-file paths: files per call */
	bool small;			/* a small-file path (see run_small()) */
	bool zcopy;			/* needs /dev/zcopy */
};

/* bench_peers.c: the paths with state per series */
int open_pipe(struct xfer *x);
void close_pipe(struct xfer *x);
/* Send n bytes from the pipe with plain splice(): 0, or -1 with errno. */
int drain_pipe(struct xfer *x, size_t n, unsigned int flags);
int open_io_uring(struct xfer *x);
void close_io_uring(struct xfer *x);
int send_io_uring_splice(struct xfer *x);
int open_msg_zerocopy(struct xfer *x);
void close_msg_zerocopy(struct xfer *x);
int send_msg_zerocopy(struct xfer *x);

#define BENCH_NR_PATHS	14
/* bit i of bench_config.paths: paths[i] */
extern const struct bench_path paths[BENCH_NR_PATHS];

/* The small-file rows compare with this path, the other rows with path 0. */
#define SMALL_BASELINE	11
_Static_assert(SMALL_BASELINE < BENCH_NR_PATHS, "the baseline is a path");

/* ---- the receiver (bench_rx.c) ------------------------------------------ */

/* One connection per series of a group (see run_group()). */
#define RX_SLOTS	16
_Static_assert(BENCH_NR_PATHS <= RX_SLOTS, "a group has a series per path");

/* Control message to the receiver. */
struct rx_req {
	uint32_t slot;		/* the connection, < RX_SLOTS */
	uint32_t accept;	/* 1: accept the slot's new connection */
	uint64_t n;		/* else: the bytes to drain from it */
};

struct rx_ack {
	int32_t err;		/* 0, or the errno that stopped the receiver */
	uint32_t calls;		/* recv() calls it took */
	double cpu;		/* receiver CPU seconds it took */
};

struct receiver {
	pid_t pid;
	int ctl;		/* our end of the control socketpair */
	struct sockaddr_in addr;
};

/*
 * Fork the receiver, listening on addr (IPv4, network order) in the network
 * namespace netns (a file; NULL: ours): 0, or -1 with errno.
 */
int rx_start(struct receiver *rx, uint32_t addr, const char *netns);
/*
 * A TCP socket listening on addr (port 0: any) in netns (NULL: ours), its
 * address in bound: the socket, or -1 with errno.
 */
int bench_listen(uint32_t addr, const char *netns, int backlog,
		 struct sockaddr_in *bound);
void rx_stop(struct receiver *rx);
/*
 * Discard n bytes from conn (UINT64_MAX: until EOF), counting the recv()
 * calls: 0, or the errno that stopped it (EPIPE: EOF before n bytes).
 */
int rx_discard(int conn, uint64_t n, uint32_t *calls);
/* Ask the receiver to accept the slot's connection, or to drain n bytes. */
int rx_ask(struct receiver *rx, unsigned int slot, bool accept, uint64_t n);
/* Its answer to the last question: 0, or -1 with errno. */
int rx_wait(struct receiver *rx, struct rx_ack *ack);

/* ---- files and the page cache (bench_files.c) ---------------------------- */

/* An unlinked file of size bytes in dir, on storage and clean; or -1. */
int make_file(const char *dir, uint64_t size, unsigned char *buf, bool sync);
/* Fraction of the file's pages in the page cache (mincore), or -1. */
double resident_fraction(int fd, uint64_t size);
/* 1 > /proc/sys/vm/drop_caches: 0, or -1 with errno. */
int write_drop_caches(void);
/* Free the socket buffers other CPUs hold for later (see there). */
void flush_deferred_frees(int udp);
/* A UDP socket on 127.0.0.1 connected to itself, for the above; or -1. */
int self_udp(void);

/* ---- the environment (bench_env.c) -------------------------------------- */

/*
 * What the figures depend on, into e; whether drop_caches may be written
 * and whether cold rows mean anything on cfg->dir.  dev: /dev/zcopy or -1.
 */
void collect_env(struct bench_env *e, const struct bench_config *cfg, int dev,
		 bool *can_drop_caches, bool *cold_ok);

/* ---- the concurrent rows (bench_parallel.c) ------------------------------ */

/*
 * cfg->connections senders per path and size (hot), files[] one per size;
 * rows appended at *n: 0, or 1 if a row failed.
 */
int bench_run_parallel(const struct bench_config *cfg, const int *files, int dev,
		       FILE *table, struct bench_row *rows, size_t *n);

/* "zcopyctl: bench: " fmt ": " strerror(err) on stderr. */
__attribute__((format(printf, 2, 3)))
void warn_errno(int err, const char *fmt, ...);

/* A receiver process: accept one connection on lsock, discard until EOF. */
pid_t fork_discarder(int lsock);

/* ---- the fan-out rows (bench_fanout.c) ----------------------------------- */

/*
 * cfg->fanout connections from one sender, a header and a small file to
 * each per round, by each batching path; rows appended at *n: 0, or 1 if
 * a row failed.
 */
int bench_run_fanout(const struct bench_config *cfg, int dev, FILE *table,
		     struct bench_row *rows, size_t *n);

/* ---- small helpers -------------------------------------------------------- */

/*
 * A read or send that returned n <= 0: -1, with errno ENODATA for 0 (a read
 * that found EOF early: the file shrank under us).
 */
static inline int short_read(ssize_t n)
{
	if (!n)
		errno = ENODATA;
	return -1;
}

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* User + system CPU of this process (the receiver is another one). */
static inline double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static inline void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

#endif /* ZCOPY_BENCH_INT_H */
