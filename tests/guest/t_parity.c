// SPDX-License-Identifier: GPL-2.0
/*
 * t_parity.c - the "parity" group: ZCOPY_IOC_SEND against sendfile(2).
 *
 * Each case runs twice on the same input, each time on a connection of
 * its own: once with sendfile(2), once with ZCOPY_IOC_SEND (methods PAGES
 * and SPLICE), and the two must agree: the same result or the same errno,
 * the same file position after, the same bytes at the receiver.  The
 * cases follow what LTP's sendfile02-08 and gVisor's sendfile tests check;
 * each also states what both must do, so that a case that no longer tests
 * what its name says shows up as such.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include "inject.h"

#define PAR_FSIZE (64 * KIB + 123)
/* Loopback buffers fill long before this while the receiver holds. */
#define PAR_FULL_FSIZE (64 * MIB)
#define FILL_CALL (256 * KIB)
#define FILL_SETTLE_MS 50
#define FILL_ROUNDS 100
/* High enough that nothing a test opens afterwards reuses it. */
#define CLOSED_FD_MIN 900

int fd_of_kind(struct tctx *t, enum fd_kind kind, int good)
{
	static const int file_flags[] = {
		[K_RDONLY] = O_RDONLY,
		[K_WRONLY] = O_WRONLY,
		[K_OPATH] = O_PATH,
	};
	char path[192];
	int fd = -1, p[2];

	switch (kind) {
	case K_GOOD:
		return good;
	case K_MINUS1:
		return -1;
	case K_CLOSED:
		/* The first number from CLOSED_FD_MIN on that is not open. */
		for (fd = CLOSED_FD_MIN; fcntl(fd, F_GETFD) != -1; fd++)
			;
		return fd;
	case K_RDONLY:
	case K_WRONLY:
	case K_OPATH:
		/* An empty scratch file: nothing may ever be written to it. */
		snprintf(path, sizeof(path), "%s/kinds-scratch",
			 fs_list[FS_TMPFS].dir);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0) {
			close(fd);
			fd = open(path, file_flags[kind] | O_CLOEXEC);
		}
		break;
	case K_DIR:
		fd = open(fs_list[FS_TMPFS].dir,
			  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		break;
	case K_PIPE:
		if (pipe2(p, O_CLOEXEC) == 0)
			fd = p[0];
		break;
	}
	if (fd < 0) {
		fail_errno(t, "setting up a descriptor of kind %d", kind);
		return INT_MIN;
	}
	return fd;
}

/* What is done to the connected socket before the call. */
enum sock_prep {
	SP_NONE,
	SP_APPEND,	/* O_APPEND */
	SP_FULL,	/* non-blocking, filled while the receiver holds */
	SP_SHUT,	/* shutdown(SHUT_WR) while the receiver holds */
};

struct pcase {
	const char *name;
	int want_errno;		/* 0: success with want_ret bytes */
	int64_t want_ret;
	enum fd_kind in, out;	/* K_GOOD: the test file, the socket */
	enum sock_prep prep;
	bool ext4;		/* the test file is on ext4 */
	bool current;		/* NULL offset / ZCOPY_OFFSET_CURRENT */
	bool bad_ptr;		/* sendfile's offset / zcopy's argument unmapped */
	int64_t pos;		/* lseek() of the test file first */
	int64_t offset;		/* explicit offset (SP_FULL: where filling ended) */
	uint64_t len;
};

static const struct pcase pcases[] = {
	/* Offsets: an explicit one leaves the file position alone; the
	 * current one is used and advanced by what was sent. */
	{ "offset-explicit", 0, 5000, .pos = 777, .offset = 100, .len = 5000 },
	{ "offset-current", 0, 5000, .current = true, .pos = 100, .len = 5000 },
	{ "offset-current-to-eof", 0, 10, .current = true,
	  .pos = PAR_FSIZE - 10, .len = 5000 },
	{ "offset-current-at-eof", 0, 0, .current = true, .pos = PAR_FSIZE,
	  .len = 100 },
	{ "offset-current-past-eof", 0, 0, .current = true,
	  .pos = PAR_FSIZE + 9000, .len = 100 },
	{ "len-zero", 0, 0, .offset = 4096, .len = 0 },
	{ "len-zero-current", 0, 0, .current = true, .pos = 100, .len = 0 },
	{ "offset-at-eof", 0, 0, .offset = PAR_FSIZE, .len = 100 },
	{ "offset-past-eof", 0, 0, .offset = PAR_FSIZE + 5000, .len = 100 },
	{ "len-past-eof-clamped", 0, PAR_FSIZE - 100, .offset = 100,
	  .len = 10 * PAR_FSIZE },
	{ "len-2p40-clamped", 0, PAR_FSIZE - 4097, .offset = 4097,
	  .len = 1ULL << 40 },
	/* Ranges the kernel refuses. */
	{ "offset-minus5", EINVAL, .offset = -5, .len = 100 },
	{ "offset-overflow", EINVAL, .offset = LLONG_MAX - 10, .len = 100 },
	{ "len-2p63", EINVAL, .offset = 0, .len = 1ULL << 63 },
	{ "offset-2p50-ext4", EOVERFLOW, .ext4 = true, .offset = 1LL << 50,
	  .len = 1 },
	/* Descriptors. */
	{ "ebadf-in-closed", EBADF, .in = K_CLOSED, .len = 100 },
	{ "ebadf-in-minus1", EBADF, .in = K_MINUS1, .len = 100 },
	{ "ebadf-in-wronly", EBADF, .in = K_WRONLY, .len = 100 },
	{ "ebadf-in-opath", EBADF, .in = K_OPATH, .len = 100 },
	{ "ebadf-out-closed", EBADF, .out = K_CLOSED, .len = 100 },
	{ "ebadf-out-rdonly-file", EBADF, .out = K_RDONLY, .len = 100 },
	{ "ebadf-out-opath", EBADF, .out = K_OPATH, .len = 100 },
	{ "einval-in-directory", EINVAL, .in = K_DIR, .current = true,
	  .len = 100 },
	{ "einval-in-pipe", EINVAL, .in = K_PIPE, .current = true, .len = 100 },
	{ "einval-out-append", EINVAL, .prep = SP_APPEND, .len = 100 },
	{ "efault-pointer", EFAULT, .bad_ptr = true, .len = 100 },
	/* The connection. */
	{ "eagain-full", EAGAIN, .prep = SP_FULL, .len = 64 * KIB },
	{ "epipe-shutdown", EPIPE, .prep = SP_SHUT, .len = 100 },
};

static const unsigned int parity_methods[] = {
	ZCOPY_METHOD_PAGES, ZCOPY_METHOD_SPLICE,
};

struct pcase_m {
	const struct pcase *c;
	unsigned int method;
};

/* What one side did. */
struct side {
	int64_t ret;		/* bytes, or -1 */
	int err;
	int64_t pos;		/* the test file's position after */
};

/*
 * Queue the file from offset 0 on with non-blocking sendfile(2) until the
 * socket stays full: an ACK can free a little room just after EAGAIN, so
 * pause and go on until a whole round moves nothing.
 */
static int fill_full(struct tctx *t, int sock, int in, int64_t *filled)
{
	off_t off = 0;

	if (set_nonblock(sock) != 0)
		return fail_errno(t, "fill: O_NONBLOCK");
	for (int round = 0; round < FILL_ROUNDS; round++) {
		off_t before = off;
		ssize_t n;

		while ((n = sendfile(sock, in, &off, FILL_CALL)) > 0 ||
		       (n < 0 && errno == EINTR))
			;
		if (n < 0 && errno != EAGAIN)
			return fail_errno(t, "fill: sendfile");
		if (n == 0)
			return fail(t, "fill: the file ended before the socket filled");
		if (off == before) {
			*filled = off;
			return 0;
		}
		sleep_ms(FILL_SETTLE_MS);
	}
	return fail(t, "fill: the socket never stayed full");
}

static int sock_prep(struct tctx *t, enum sock_prep prep, int sock, int in,
		     int64_t *filled)
{
	switch (prep) {
	case SP_NONE:
		return 0;
	case SP_APPEND:
		if (fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_APPEND) != 0)
			return fail_errno(t, "O_APPEND on the socket");
		return 0;
	case SP_FULL:
		return fill_full(t, sock, in, filled);
	case SP_SHUT:
		if (shutdown(sock, SHUT_WR) != 0)
			return fail_errno(t, "shutdown(SHUT_WR)");
		return 0;
	}
	return 0;
}

/* The call itself: sendfile(2) if @method is negative, else ZCOPY_IOC_SEND;
 * what it must have counted goes to @delta. */
static int side_call(struct tctx *t, const struct pcase *c, int method,
		     int in, int out, int64_t offset, struct side *o,
		     struct tally *delta)
{
	void *bad = c->bad_ptr ? unmapped_page(t) : NULL;
	struct zcopy_send req;
	off_t off = offset;
	int rc;

	if (c->bad_ptr && !bad)
		return -1;
	if (method < 0) {
		o->ret = sendfile(out, in, c->current ? NULL : bad ? bad : &off,
				  c->len);
		o->err = o->ret < 0 ? errno : 0;
		/* sendfile(2) moves its offset by what it sent. */
		if (o->ret > 0 && !c->current && off != offset + o->ret)
			return fail(t, "sendfile(2) left its offset at %lld after %lld bytes from %lld",
				    (long long)off, (long long)o->ret,
				    (long long)offset);
		return 0;
	}
	send_req(&req, in, out, (unsigned int)method,
		 c->current ? ZCOPY_OFFSET_CURRENT : (uint64_t)offset, c->len);
	rc = ioctl(t->dev, ZCOPY_IOC_SEND, bad ? bad : (void *)&req);
	o->err = rc ? errno : 0;
	o->ret = rc ? -1 : (int64_t)req.sent;
	if (!rc)
		tally_add_success(delta, &req);
	else if (o->err == EAGAIN || o->err == EPIPE)
		tally_add_error(delta, (unsigned int)method);
	return 0;
}

/* One side on a fresh connection: the call, then what the receiver got
 * and (zcopy's counters must count it, sendfile's must not) the counters. */
static int side_run(struct tctx *t, const struct pcase *c, int method,
		    struct side *o)
{
	const bool hold = c->prep == SP_FULL || c->prep == SP_SHUT;
	struct tally before, delta;
	struct receiver rx;
	struct rx_spec spec;
	struct tfile f;
	int64_t filled = 0, offset = c->offset;
	int good, in, out;

	memset(&delta, 0, sizeof(delta));
	good = tfile_open(t, &fs_list[c->ext4 ? FS_EXT4 : FS_TMPFS],
			  c->prep == SP_FULL ? PAR_FULL_FSIZE : PAR_FSIZE, &f);
	if (good < 0)
		return -1;
	spec = (struct rx_spec){ f.seed, (uint64_t)(c->current ? c->pos : offset),
				 0 };
	if (c->prep == SP_FULL)
		spec.base = 0;
	if (receiver_start(t, &rx, AF_INET, hold ? RX_HOLD : RX_READ, &spec))
		return -1;
	in = fd_of_kind(t, c->in, good);
	out = fd_of_kind(t, c->out, rx.sock);
	if (in == INT_MIN || out == INT_MIN)
		return -1;
	if (lseek(good, c->pos, SEEK_SET) != c->pos)
		return fail_errno(t, "lseek to %lld", (long long)c->pos);
	if (sock_prep(t, c->prep, rx.sock, good, &filled) != 0)
		return -1;
	if (c->prep == SP_FULL)
		offset = filled;
	if (tally_read(t, t->dev, &before) != 0 ||
	    side_call(t, c, method, in, out, offset, o, &delta) != 0)
		return -1;
	o->pos = lseek(good, 0, SEEK_CUR);
	if (receiver_finish(t, &rx, (uint64_t)filled + (o->ret > 0 ? o->ret : 0)))
		return -1;
	return tally_expect_delta(t, t->dev, &before, &delta);
}

static const char *describe(char *buf, size_t len, const struct side *o)
{
	if (o->ret < 0)
		snprintf(buf, len, "failed with %s, file position %lld",
			 errno_name(o->err), (long long)o->pos);
	else
		snprintf(buf, len, "returned %lld, file position %lld",
			 (long long)o->ret, (long long)o->pos);
	return buf;
}

static bool same(const struct side *a, const struct side *b)
{
	return a->ret == b->ret && a->err == b->err && a->pos == b->pos;
}

static int parity_test(struct tctx *t, const void *arg)
{
	const struct pcase_m *pm = arg;
	const struct pcase *c = pm->c;
	struct side want = {
		.ret = c->want_errno ? -1 : c->want_ret,
		.err = c->want_errno,
		.pos = c->pos + (c->current && !c->want_errno ? c->want_ret : 0),
	};
	struct side sf, zc;
	char a[96], b[96];

	snprintf(t->where, sizeof(t->where), "sendfile(2)");
	if (side_run(t, c, -1, &sf) != 0)
		return -1;
	/* The kernel disagreeing with the case means the case is wrong. */
	if (!same(&sf, &want))
		return fail(t, "%s; the case expects it %s (test bug)",
			    describe(a, sizeof(a), &sf),
			    describe(b, sizeof(b), &want));
	snprintf(t->where, sizeof(t->where), "ZCOPY_IOC_SEND (%s)",
		 method_desc[pm->method].name);
	if (side_run(t, c, (int)pm->method, &zc) != 0)
		return -1;
	t->where[0] = '\0';
	if (!same(&zc, &sf))
		return fail(t, "ZCOPY_IOC_SEND (%s) %s; sendfile(2) %s",
			    method_desc[pm->method].name,
			    describe(a, sizeof(a), &zc),
			    describe(b, sizeof(b), &sf));
	return 0;
}

void parity_register(struct registry *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(pcases); i++) {
		for (size_t m = 0; m < ARRAY_SIZE(parity_methods); m++) {
			struct pcase_m *pm = xcalloc(1, sizeof(*pm));
			struct test *tc;

			pm->c = &pcases[i];
			pm->method = parity_methods[m];
			tc = reg_add(r, "parity", parity_test, pm, "%s-%s",
				     pcases[i].name,
				     method_desc[pm->method].name);
			if (pcases[i].prep == SP_FULL)
				tc->timeout_s = TIMEOUT_LONG_S;
		}
	}
}
