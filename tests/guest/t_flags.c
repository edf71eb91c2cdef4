// SPDX-License-Identifier: GPL-2.0
/*
 * t_flags.c - the "flags" group: ZCOPY_F_NODISKIO, ZCOPY_F_NOSIGNAL and
 * ZCOPY_F_MORE, on ZCOPY_IOC_SEND and on vectors (vector.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "inject.h"
#include "vector.h"

#define NODISKIO_WAIT_MS 5000
#define PUSH_WAIT_MS 2000

/* ---------------------------------------------------------------- */
/* flags: ZCOPY_F_NODISKIO                                           */

/* Pages of @p in the page cache. */
static long piece_resident(struct tctx *t, const struct piece *p)
{
	return resident_pages(t, p->fd, p->size);
}

/* Read back every file of @dir: the other tests find their files hot. */
static int rewarm(struct tctx *t, const char *dir)
{
	char *buf = malloc(PIECE_CHUNK);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!buf || !d)
		return fail_errno(t, "rewarm %s", dir);
	while ((e = readdir(d)) != NULL) {
		int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC);

		while (fd >= 0 && read(fd, buf, PIECE_CHUNK) > 0)
			;
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	free(buf);
	return 0;
}

/* Drop the page cache, the piece's pages included (make_cold() says why
 * drop_caches alone is not enough), and warm the other ext4 test files
 * again. */
static int evict(struct tctx *t, const struct piece *p)
{
	if (make_cold(t, p->fd, p->size) != 0)
		return -1;
	return rewarm(t, fs_list[FS_EXT4].dir);
}

struct nd_case {
	int fs;
	unsigned int method;
	uint64_t size;
	int oflags;		/* O_DIRECT: AUTO must still read the cache */
	bool vector;		/* SENDV [header?][file][trailer] */
	bool header;
};

/* SEND with NODISKIO until it goes: on a cold file EAGAIN (an error each)
 * until readahead is done, then all of it from the cache. */
static int nodiskio_send(struct tctx *t, const struct nd_case *c,
			 const struct piece *p, int sock, struct tally *delta)
{
	const bool cold = c->fs == FS_EXT4;
	uint64_t end = now_ms() + NODISKIO_WAIT_MS;
	struct zcopy_send req;
	unsigned int call;

	for (call = 1;; call++) {
		send_req(&req, p->fd, sock, c->method, 0, p->size);
		req.flags = ZCOPY_F_NODISKIO;
		if (ioctl(t->dev, ZCOPY_IOC_SEND, &req) == 0)
			break;
		if (errno != EAGAIN || !cold)
			return fail_errno(t, "ZCOPY_IOC_SEND call %u", call);
		tally_add_error(delta, c->method);
		if (now_ms() > end)
			return fail(t, "still EAGAIN after %u calls in %d ms, %ld of %llu pages cached: readahead never covers the range",
				    call, NODISKIO_WAIT_MS, piece_resident(t, p),
				    (unsigned long long)((p->size + PAGE - 1) / PAGE));
		sleep_ms(20);
	}
	if (cold && call == 1)
		return fail(t, "the first call sent %llu bytes of a file not in the page cache",
			    (unsigned long long)req.sent);
	/* What readahead brought in counts as hits, none as misses. */
	if (check_stats(t, &req, c->method, 0, p->size, false) != 0)
		return -1;
	tally_add_success(delta, &req);
	return 0;
}

/* SENDV [header][file][trailer] with NODISKIO: on a cold file the first
 * call stops at the file with the header sent (or, without a header, fails
 * with EAGAIN), later ones go on once readahead is done. */
static int nodiskio_sendv(struct tctx *t, const struct nd_case *c,
			  struct sv *v, int sock, struct tally *delta)
{
	/* Without seg_stats: the refusal must come after the merged sends. */
	const struct sv_run run = { t->dev, sock, c->method, ZCOPY_F_NODISKIO,
				    false };
	const uint64_t head = v->want[0];
	int rc;

	if (c->fs != FS_EXT4)
		return sv_all(t, v, &run, delta);
	rc = sv_once(t, v, &run, !c->header, delta);
	if (rc < 0)
		return -1;
	if (rc > 0 || v->done != (c->header ? 1 : 0) ||
	    v->sent != (c->header ? head : 0))
		return fail(t, "first call: expected a stop at segment %u with %llu bytes sent, got segment %u and %llu bytes",
			    c->header ? 1 : 0,
			    (unsigned long long)(c->header ? head : 0), v->done,
			    (unsigned long long)v->sent);
	return sv_finish(t, v, &run, delta, NODISKIO_WAIT_MS);
}

static int nodiskio_test(struct tctx *t, const void *arg)
{
	const struct nd_case *c = arg;
	struct piece p = { .size = c->size };
	struct tally before, delta;
	struct receiver rx;
	struct sv *v = sv_new(t);

	memset(&delta, 0, sizeof(delta));
	if (!v)
		return -1;
	if (c->header)
		sv_mem(v, 200);
	p.base = v->stream;
	if (piece_open(t, &fs_list[c->fs], v->seed, O_RDONLY | c->oflags,
		       &p) != 0 ||
	    (c->fs == FS_EXT4 && evict(t, &p) != 0))
		return -1;
	sv_file(v, &p, p.size, false);
	if (c->vector)
		sv_mem(v, 100);
	if (receiver_start(t, &rx, AF_INET, RX_READ,
			   &(struct rx_spec){ v->seed, 0, 0 }) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		return -1;
	if ((c->vector ? nodiskio_sendv(t, c, v, rx.sock, &delta) :
	     nodiskio_send(t, c, &p, rx.sock, &delta)) != 0)
		return -1;
	if (receiver_finish(t, &rx, c->vector ? v->stream : p.size) != 0)
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}

/* ---------------------------------------------------------------- */
/* flags: ZCOPY_F_NOSIGNAL                                           */

struct sig_case {
	unsigned int method;
	uint32_t flags;
	bool vector;
};

/* The call's result, from the process that made it. */
struct sig_result {
	int rc;
	int err;
};

/*
 * On a connection shut down for writing, in a process with SIGPIPE at its
 * default action: with NOSIGNAL the call fails with EPIPE and the process
 * lives on; without it SIGPIPE kills the process.  Either way the failure
 * counts as one error.
 */
static int sigpipe_test(struct tctx *t, const void *arg)
{
	const struct sig_case *c = arg;
	const bool nosignal = c->flags & ZCOPY_F_NOSIGNAL;
	struct sig_result res = { 0, 0 };
	struct piece p = { .base = 100, .size = 4096 };
	struct tally before, delta;
	struct zcopy_sendv call;
	struct zcopy_send req;
	struct receiver rx;
	struct sv *v = sv_new(t);
	int pfd[2], status = 0;
	ssize_t n;
	pid_t pid;

	memset(&delta, 0, sizeof(delta));
	if (!v || piece_open(t, &fs_list[FS_TMPFS], v->seed, O_RDONLY, &p) != 0)
		return -1;
	sv_mem(v, 100);
	sv_file(v, &p, p.size, false);
	if (receiver_start(t, &rx, AF_INET, RX_HOLD,
			   &(struct rx_spec){ v->seed, 0, 0 }) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		return -1;
	if (shutdown(rx.sock, SHUT_WR) != 0 || pipe2(pfd, O_CLOEXEC) != 0)
		return fail_errno(t, "shutdown/pipe");
	sv_args(&call, v, &(struct sv_run){ t->dev, rx.sock, c->method,
					    c->flags, false });
	send_req(&req, p.fd, rx.sock, c->method, 0, p.size);
	req.flags = c->flags;
	pid = fork();
	if (pid < 0)
		return fail_errno(t, "fork");
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		res.rc = c->vector ? ioctl(t->dev, ZCOPY_IOC_SENDV, &call) :
				     ioctl(t->dev, ZCOPY_IOC_SEND, &req);
		res.err = errno;
		write_full(pfd[1], &res, sizeof(res));
		_exit(0);
	}
	close(pfd[1]);
	n = read_full(pfd[0], &res, sizeof(res));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!nosignal && !(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE))
		return fail(t, "without NOSIGNAL the caller was not killed by SIGPIPE (wait status 0x%x, call returned %d, %s)",
			    status, res.rc, errno_name(res.err));
	if (nosignal && (!WIFEXITED(status) || n != (ssize_t)sizeof(res)))
		return fail(t, "with NOSIGNAL the caller died (wait status 0x%x)",
			    status);
	errno = res.err;
	if (nosignal && expect_errno(t, c->vector ? "ZCOPY_IOC_SENDV" :
				     "ZCOPY_IOC_SEND", res.rc, EPIPE) != 0)
		return -1;
	tally_add_error(&delta, c->method);
	if (receiver_finish(t, &rx, 0) != 0)
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}

/* ---------------------------------------------------------------- */
/* flags: ZCOPY_F_MORE                                               */

#define MORE_FSIZE (3 * 4096 + 5)
#define MORE_HEADER 100

/* One call of a MORE plan: SEND of @len stream bytes (0: the rest), or
 * SENDV of a header and the file for them, plus a segment at end of file
 * when they reach it. */
struct more_call {
	bool vector;
	uint32_t flags;
	uint64_t len;
};

struct more_plan {
	const char *name;
	struct more_call calls[2];
	bool push;	/* then nothing may stay unsent on the socket */
};

static const struct more_plan more_plans[] = {
	{ "more-then-send", { { false, ZCOPY_F_MORE, 5000 }, { false, 0, 0 } },
	  true },
	{ "more-then-close", { { false, ZCOPY_F_MORE, 0 } }, false },
	{ "send-pushes", { { false, 0, 0 } }, true },
	{ "sendv-more-then-send",
	  { { true, ZCOPY_F_MORE, 5000 }, { false, 0, 0 } }, true },
	{ "sendv-more-then-close", { { true, ZCOPY_F_MORE, 0 } }, false },
	{ "sendv-eof-last-pushes", { { true, 0, 0 } }, true },
};

struct more_case {
	const struct more_plan *plan;
	unsigned int method;
};

static int more_call(struct tctx *t, struct sv *v, const struct piece *p,
		     struct sv_run run, const struct more_call *mc,
		     struct tally *delta)
{
	uint64_t len = mc->len ? mc->len : p->size - v->stream;
	struct zcopy_send req;

	run.flags = mc->flags;
	if (mc->vector) {
		sv_mem(v, MORE_HEADER);
		sv_file(v, p, len - MORE_HEADER, false);
		if (v->stream == p->base + p->size)
			sv_file(v, p, 100, false);
		return sv_all(t, v, &run, delta);
	}
	send_req(&req, p->fd, run.sock, run.method, v->stream, len);
	req.flags = mc->flags;
	if (ioctl(run.dev, ZCOPY_IOC_SEND, &req) != 0)
		return fail_errno(t, "ZCOPY_IOC_SEND");
	if (check_stats(t, &req, run.method, v->stream, len, false) != 0)
		return -1;
	tally_add_success(delta, &req);
	v->stream += len;
	return 0;
}

/* Everything queued has left the socket: nothing stayed corked. */
static int expect_pushed(struct tctx *t, int sock)
{
	uint64_t end = now_ms() + PUSH_WAIT_MS;
	int unsent = -1;

	while (ioctl(sock, SIOCOUTQNSD, &unsent) == 0 && unsent > 0 &&
	       now_ms() < end)
		sleep_ms(5);
	if (unsent < 0)
		return fail_errno(t, "SIOCOUTQNSD");
	if (unsent)
		return fail(t, "%d bytes still unsent %d ms after the last call: left corked",
			    unsent, PUSH_WAIT_MS);
	return 0;
}

static int more_test(struct tctx *t, const void *arg)
{
	const struct more_case *c = arg;
	struct piece p = { .base = 0, .size = MORE_FSIZE };
	struct tally before, delta;
	struct receiver rx;
	struct sv *v = sv_new(t);

	memset(&delta, 0, sizeof(delta));
	if (!v || piece_open(t, &fs_list[FS_TMPFS], v->seed, O_RDONLY, &p) != 0 ||
	    receiver_start(t, &rx, AF_INET, RX_READ,
			   &(struct rx_spec){ v->seed, 0, 0 }) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(c->plan->calls); i++) {
		const struct more_call *mc = &c->plan->calls[i];

		if (v->stream == p.size)
			break;
		snprintf(t->where, sizeof(t->where), "call %zu", i + 1);
		/* Merged sends: MSG_MORE is the batch's, not a segment's. */
		if (more_call(t, v, &p, (struct sv_run){ t->dev, rx.sock,
							  c->method, 0, false },
			      mc, &delta) != 0)
			return -1;
	}
	t->where[0] = '\0';
	if (c->plan->push && expect_pushed(t, rx.sock) != 0)
		return -1;
	if (receiver_finish(t, &rx, p.size) != 0)
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}

/* ---------------------------------------------------------------- */
/* Registration                                                      */

#define ND_SIZE (MIB + 13)

static const struct {
	const char *name;
	struct nd_case c;
} nd_extra[] = {
	/* Larger than one readahead (max(io_pages, ra_pages) of the disk). */
	{ "nodiskio-ext4-8m-pages",
	  { FS_EXT4, ZCOPY_METHOD_PAGES, 8 * MIB, 0, false, false } },
	/* AUTO picks DIRECT for O_DIRECT files, but not with NODISKIO. */
	{ "nodiskio-ext4-odirect-auto",
	  { FS_EXT4, ZCOPY_METHOD_AUTO, ND_SIZE, O_DIRECT, false, false } },
	{ "nodiskio-sendv-header-ext4-pages",
	  { FS_EXT4, ZCOPY_METHOD_PAGES, ND_SIZE, 0, true, true } },
	{ "nodiskio-sendv-header-ext4-copy",
	  { FS_EXT4, ZCOPY_METHOD_COPY, ND_SIZE, 0, true, true } },
	{ "nodiskio-sendv-file-first-ext4-pages",
	  { FS_EXT4, ZCOPY_METHOD_PAGES, ND_SIZE, 0, true, false } },
	{ "nodiskio-sendv-header-tmpfs-pages",
	  { FS_TMPFS, ZCOPY_METHOD_PAGES, ND_SIZE, 0, true, true } },
};

/* The methods each kind of call is tried with (SPLICE refuses NOSIGNAL).
 * Named <nosignal-epipe|sigpipe-kills>-<send|sendv>-<method>. */
static const struct {
	uint32_t flags;
	bool vector;
	unsigned int methods;
} sig_sets[] = {
	{ ZCOPY_F_NOSIGNAL, false, M(COPY) | M(MMAP) | M(PAGES) | M(AUTO) },
	{ ZCOPY_F_NOSIGNAL, true, M(COPY) | M(PAGES) },
	{ 0, false, PAGE_METHODS },
	{ 0, true, M(PAGES) | M(SPLICE) },
};

void flags_register(struct registry *r)
{
	for (int f = 0; f < FS_COUNT; f++) {
		for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++) {
			struct nd_case *c;

			if (!((PAGE_METHODS | M(AUTO)) & (1U << m)))
				continue;
			c = xcalloc(1, sizeof(*c));
			*c = (struct nd_case){ .fs = f, .method = m,
					       .size = ND_SIZE };
			reg_add(r, "flags", nodiskio_test, c, "nodiskio-%s-%s",
				fs_list[f].name, method_desc[m].name);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(nd_extra); i++)
		reg_add(r, "flags", nodiskio_test, &nd_extra[i].c, "%s",
			nd_extra[i].name);
	for (size_t i = 0; i < ARRAY_SIZE(sig_sets); i++) {
		for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++) {
			struct sig_case *c;

			if (!(sig_sets[i].methods & (1U << m)))
				continue;
			c = xcalloc(1, sizeof(*c));
			*c = (struct sig_case){ m, sig_sets[i].flags,
						sig_sets[i].vector };
			reg_add(r, "flags", sigpipe_test, c, "%s-%s-%s",
				c->flags ? "nosignal-epipe" : "sigpipe-kills",
				c->vector ? "sendv" : "send",
				method_desc[m].name);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(more_plans); i++) {
		for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++) {
			struct more_case *c;

			if (!(PAGE_METHODS & (1U << m)))
				continue;
			c = xcalloc(1, sizeof(*c));
			*c = (struct more_case){ &more_plans[i], m };
			reg_add(r, "flags", more_test, c, "%s-%s",
				more_plans[i].name, method_desc[m].name);
		}
	}
}
