// SPDX-License-Identifier: GPL-2.0
/*
 * t_sidefx.c - the "sidefx" group: what sendfile(2) does besides sending
 * (do_sendfile in fs/read_write.c), ZCOPY_IOC_SEND and ZCOPY_IOC_SENDV do
 * too (contract item 8): inotify IN_ACCESS on the source file, atime moved
 * under the mount's atime rule, and the call accounted in the task's I/O
 * counters (/proc/thread-self/io: rchar, wchar, syscr, syscw).
 *
 * Each test sends the same ranges of the same hot file twice, each time to
 * a receiver of its own that checks every byte: first with sendfile(2) as
 * the reference, then with zcopy.  It then compares one of the effects.
 * The reference must show the effect itself: a test that cannot see it
 * (a noatime mount, a kernel without inotify) fails as a test bug instead
 * of passing by accident.
 *
 * Named <send|sendv>-<method>-<fs>-<inotify|atime|io>.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "zct.h"

/* Small, and not a multiple of a page: the last page is partial. */
#define FX_FSIZE (64 * KIB + 13)
/*
 * Requests end past EOF (clamped, as by sendfile(2)) on a 4 KiB boundary,
 * and file ranges start on one: sendfile(2) of a file opened O_DIRECT
 * reads it by direct I/O, which refuses unaligned ranges.
 */
#define FX_LEN (68 * KIB)
/* SENDV: a memory header holding the stream bytes just before FX_A_OFF,
 * file A from FX_A_OFF to FX_B_OFF, file B from FX_B_OFF on. */
#define FX_HDR 100
#define FX_A_OFF (4 * KIB)
#define FX_B_OFF (32 * KIB)
/* atime goes this far before mtime: relatime then must update it. */
#define FX_ATIME_BACK_S 3600
#define FX_MAX_EVENTS 8
#define IO_PATH "/proc/thread-self/io"

enum fx_effect { FX_INOTIFY, FX_ATIME, FX_IO, FX_COUNT };
static const char *const fx_names[FX_COUNT] = { "inotify", "atime", "io" };

struct fx_case {
	bool vector;		/* ZCOPY_IOC_SENDV, else ZCOPY_IOC_SEND */
	unsigned int method;
	unsigned int fs;
	enum fx_effect fx;
};

/*
 * SENDV reads two files, not two ranges of one: inotify drops an event
 * equal to the last one queued, so two segments of one file would show a
 * single IN_ACCESS whether one or two were raised.  B is a second inode
 * holding A's bytes, so the receiver checks one stream.
 */
enum { FX_A, FX_B, FX_NFILES };

/* Range i is read from file i. */
struct fx_range {
	uint64_t off, len;
};
static const struct fx_range send_ranges[] = { { 0, FX_LEN } };
static const struct fx_range sendv_ranges[FX_NFILES] = {
	{ FX_A_OFF, FX_B_OFF - FX_A_OFF },
	{ FX_B_OFF, FX_LEN - FX_B_OFF },
};

enum { IO_RCHAR, IO_WCHAR, IO_SYSCR, IO_SYSCW, IO_COUNT };
static const char *const io_names[IO_COUNT] = {
	"rchar", "wchar", "syscr", "syscw",
};

struct fx_io {
	int64_t v[IO_COUNT];
};

struct fx_events {
	unsigned int n;
	uint32_t mask[FX_MAX_EVENTS];
};

/* What one side (sendfile(2) or zcopy) did. */
struct fx_obs {
	uint64_t sent;
	struct fx_io added;	/* the call's part of the io deltas */
	struct fx_events ev[FX_NFILES];
	struct timespec atime_set[FX_NFILES];	/* before the call */
	struct timespec atime[FX_NFILES];	/* after it */
};

struct fx_env {
	const struct fx_case *c;
	const struct fx_range *range;
	unsigned int nfiles;
	uint64_t seed;
	char path[FX_NFILES][192];
	int fd[FX_NFILES];
	int wd[FX_NFILES];
	int notify;		/* the inotify instance watching the files */
	int io;			/* IO_PATH, read with pread at offset 0 */
	unsigned char hdr[FX_HDR];
	uint64_t file_bytes;	/* what the ranges send */
	uint64_t want_sent;	/* plus the header */
};

static const char *file_label(const struct fx_env *e, unsigned int i)
{
	if (!e->c->vector)
		return "the source file";
	return i == FX_A ? "segment 2's file (A)" : "segment 3's file (B)";
}

static const char *call_label(char *buf, size_t len, const struct fx_env *e)
{
	snprintf(buf, len, "%s (%s)",
		 e->c->vector ? "ZCOPY_IOC_SENDV" : "ZCOPY_IOC_SEND",
		 method_desc[e->c->method].name);
	return buf;
}

/* ---------------------------------------------------------------- */
/* The three observations                                           */

/*
 * One pread of the whole io file.  That pread is a read(2) of its own: it
 * adds 1 to syscr and what it returned (*own) to rchar, after generating
 * its text, so the next reading includes it.
 */
static int io_read(struct tctx *t, int fd, struct fx_io *io, int64_t *own)
{
	char buf[1024], *line = buf;
	unsigned int found = 0;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return fail_errno(t, "pread %s", IO_PATH);
	if (n == 0 || (size_t)n == sizeof(buf) - 1)
		return fail(t, "%s: %zd bytes in one pread", IO_PATH, n);
	buf[n] = '\0';
	while (line && *line) {
		char *next = strchr(line, '\n'), key[16];
		long long v;

		if (next)
			*next++ = '\0';
		if (sscanf(line, "%15[^:]: %lld", key, &v) == 2)
			for (unsigned int i = 0; i < IO_COUNT; i++)
				if (!strcmp(key, io_names[i])) {
					io->v[i] = v;
					found |= 1U << i;
				}
		line = next;
	}
	if (found != (1U << IO_COUNT) - 1)
		return fail(t, "%s lacks rchar, wchar, syscr or syscw", IO_PATH);
	*own = n;
	return 0;
}

/* Queued events per watched file; with @ev NULL, just empty the queue. */
static int events_read(struct tctx *t, const struct fx_env *e,
		       struct fx_events *ev)
{
	_Alignas(struct inotify_event) char buf[4096];

	for (;;) {
		ssize_t n = read(e->notify, buf, sizeof(buf));
		const struct inotify_event *ie;

		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return fail_errno(t, "read inotify");
		for (char *p = buf; p < buf + n; p += sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)p;
			for (unsigned int i = 0; ev && i < e->nfiles; i++) {
				if (ie->wd != e->wd[i])
					continue;
				if (ev[i].n < FX_MAX_EVENTS)
					ev[i].mask[ev[i].n] = ie->mask;
				ev[i].n++;
			}
		}
	}
}

static void events_str(char *buf, size_t len, const struct fx_events *ev)
{
	static const struct {
		uint32_t mask;
		const char *name;
	} names[] = {
		{ IN_ACCESS, "IN_ACCESS" }, { IN_MODIFY, "IN_MODIFY" },
		{ IN_ATTRIB, "IN_ATTRIB" }, { IN_OPEN, "IN_OPEN" },
		{ IN_CLOSE_NOWRITE, "IN_CLOSE_NOWRITE" },
		{ IN_CLOSE_WRITE, "IN_CLOSE_WRITE" },
	};
	size_t n = 0;

	snprintf(buf, len, "no event");
	for (unsigned int i = 0; i < ev->n && i < FX_MAX_EVENTS; i++) {
		char hex[16];
		const char *name = hex;

		snprintf(hex, sizeof(hex), "0x%x", ev->mask[i]);
		for (size_t k = 0; k < ARRAY_SIZE(names); k++)
			if (ev->mask[i] == names[k].mask)
				name = names[k].name;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
				      name);
		if (n >= len)
			return;
	}
	if (ev->n > FX_MAX_EVENTS)
		snprintf(buf + n, len - n, ", ... (%u events)", ev->n);
}

static bool events_same(const struct fx_events *a, const struct fx_events *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned int i = 0; i < a->n && i < FX_MAX_EVENTS; i++)
		if (a->mask[i] != b->mask[i])
			return false;
	return true;
}

static void io_str(char *buf, size_t len, const struct fx_io *io)
{
	snprintf(buf, len, "rchar %+lld, wchar %+lld, syscr %+lld, syscw %+lld",
		 (long long)io->v[IO_RCHAR], (long long)io->v[IO_WCHAR],
		 (long long)io->v[IO_SYSCR], (long long)io->v[IO_SYSCW]);
}

static bool io_same(const struct fx_io *a, const struct fx_io *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static bool ts_after(struct timespec a, struct timespec b)
{
	return a.tv_sec > b.tv_sec ||
	       (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

/* atime well before mtime (and ctime): relatime must update it. */
static int atime_back(struct tctx *t, const struct fx_env *e, unsigned int i,
		      struct timespec *set)
{
	struct timespec ts[2];
	struct stat st;

	if (fstat(e->fd[i], &st) != 0)
		return fail_errno(t, "fstat %s", e->path[i]);
	ts[0] = (struct timespec){ st.st_mtim.tv_sec - FX_ATIME_BACK_S, 0 };
	ts[1] = (struct timespec){ 0, UTIME_OMIT };
	if (utimensat(AT_FDCWD, e->path[i], ts, 0) != 0)
		return fail_errno(t, "utimensat %s", e->path[i]);
	*set = ts[0];
	return 0;
}

/* ---------------------------------------------------------------- */
/* The two sides                                                    */

/* sendfile(2) per range, and a write(2) of SENDV's header before them. */
static int ref_call(struct tctx *t, const struct fx_env *e, int sock,
		    uint64_t *sent)
{
	if (e->c->vector) {
		ssize_t n = write(sock, e->hdr, FX_HDR);

		if (n < 0)
			return fail_errno(t, "write of the header");
		/* One write(2), or the io guard's syscw would be off. */
		if (n != FX_HDR)
			return fail(t, "write of the header: %zd bytes", n);
		*sent += FX_HDR;
	}
	for (unsigned int i = 0; i < e->nfiles; i++) {
		off_t off = (off_t)e->range[i].off;
		ssize_t n = sendfile(sock, e->fd[i], &off, e->range[i].len);

		if (n < 0)
			return fail_errno(t, "sendfile(2) of %s", e->path[i]);
		*sent += (uint64_t)n;
	}
	return 0;
}

static int zc_call(struct tctx *t, const struct fx_env *e, int sock,
		   uint64_t *sent)
{
	struct zcopy_segment seg[1 + FX_NFILES];
	struct zcopy_sendv v;
	struct zcopy_send req;

	if (!e->c->vector) {
		send_req(&req, e->fd[FX_A], sock, e->c->method,
			 e->range[0].off, e->range[0].len);
		if (ioctl(t->dev, ZCOPY_IOC_SEND, &req) != 0)
			return fail_errno(t, "ZCOPY_IOC_SEND");
		*sent = req.sent;
		return 0;
	}
	memset(seg, 0, sizeof(seg));
	seg[0].type = ZCOPY_SEG_MEMORY;
	seg[0].addr = (uintptr_t)e->hdr;
	seg[0].len = FX_HDR;
	for (unsigned int i = 0; i < e->nfiles; i++) {
		seg[1 + i].type = ZCOPY_SEG_FILE;
		seg[1 + i].fd = e->fd[i];
		seg[1 + i].offset = e->range[i].off;
		seg[1 + i].len = e->range[i].len;
	}
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.out_fd = sock;
	v.method = e->c->method;
	v.segs = (uintptr_t)seg;
	v.count = 1 + e->nfiles;
	if (ioctl(t->dev, ZCOPY_IOC_SENDV, &v) != 0)
		return fail_errno(t, "ZCOPY_IOC_SENDV");
	if (v.seg_index != v.count)
		return fail(t, "ZCOPY_IOC_SENDV stopped at segment %u of %u",
			    v.seg_index, v.count);
	*sent = v.sent;
	return 0;
}

/*
 * One side on a fresh receiver.  Between the two readings of the io file
 * the thread makes no other syscall than the call itself: the receiver
 * reads in a process of its own, and inotify and stat come after.
 */
static int side_run(struct tctx *t, const struct fx_env *e, bool ref,
		    struct fx_obs *o)
{
	const struct rx_spec spec = {
		e->seed, e->c->vector ? FX_A_OFF - FX_HDR : 0, 0,
	};
	struct fx_io before, after;
	struct receiver rx;
	int64_t own, own2;
	struct stat st;
	int rc;

	memset(o, 0, sizeof(*o));
	for (unsigned int i = 0; i < e->nfiles; i++)
		if (atime_back(t, e, i, &o->atime_set[i]) != 0)
			return -1;
	/* utimensat() raised IN_ATTRIB: not the call's. */
	if (events_read(t, e, NULL) != 0 ||
	    receiver_start(t, &rx, AF_INET, RX_READ, &spec) != 0 ||
	    io_read(t, e->io, &before, &own) != 0)
		return -1;
	rc = ref ? ref_call(t, e, rx.sock, &o->sent) :
		   zc_call(t, e, rx.sock, &o->sent);
	if (rc != 0 || io_read(t, e->io, &after, &own2) != 0)
		return -1;
	for (unsigned int i = 0; i < IO_COUNT; i++)
		o->added.v[i] = after.v[i] - before.v[i];
	o->added.v[IO_RCHAR] -= own;
	o->added.v[IO_SYSCR] -= 1;
	if (events_read(t, e, o->ev) != 0)
		return -1;
	for (unsigned int i = 0; i < e->nfiles; i++) {
		if (fstat(e->fd[i], &st) != 0)
			return fail_errno(t, "fstat %s", e->path[i]);
		o->atime[i] = st.st_atim;
	}
	if (check_u64(t, "bytes sent", o->sent, e->want_sent) != 0)
		return -1;
	return receiver_finish(t, &rx, e->want_sent);
}

/* ---------------------------------------------------------------- */
/* Setup and the checks                                             */

static int open_src(struct tctx *t, struct fx_env *e, unsigned int i)
{
	int oflags = O_RDONLY | O_CLOEXEC;

	if (e->c->method == ZCOPY_METHOD_DIRECT)
		oflags |= O_DIRECT;
	e->fd[i] = open(e->path[i], oflags);
	if (e->fd[i] < 0)
		return fail_errno(t, "open %s", e->path[i]);
	e->wd[i] = inotify_add_watch(e->notify, e->path[i], IN_ALL_EVENTS);
	if (e->wd[i] < 0)
		return fail_errno(t, "inotify_add_watch %s", e->path[i]);
	return 0;
}

/* File B: A's bytes in an inode of its own, fsynced for direct reads. */
static int make_b(struct tctx *t, struct fx_env *e)
{
	unsigned char *buf = malloc(FX_FSIZE);
	int fd, rc = 0;

	snprintf(e->path[FX_B], sizeof(e->path[FX_B]), "%s/sidefx-b",
		 fs_list[e->c->fs].dir);
	fd = open(e->path[FX_B], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		  0644);
	if (!buf || fd < 0) {
		free(buf);
		return fail_errno(t, "create %s", e->path[FX_B]);
	}
	pattern_fill(e->seed, 0, buf, FX_FSIZE);
	if (write_full(fd, buf, FX_FSIZE) != 0 || fsync(fd) != 0)
		rc = fail_errno(t, "write %s", e->path[FX_B]);
	close(fd);
	free(buf);
	return rc;
}

static int env_setup(struct tctx *t, const struct fx_case *c,
		     struct fx_env *e)
{
	struct tfile f;
	int fd;

	memset(e, 0, sizeof(*e));
	e->c = c;
	e->nfiles = c->vector ? FX_NFILES : 1;
	e->range = c->vector ? sendv_ranges : send_ranges;
	fd = tfile_open(t, &fs_list[c->fs], FX_FSIZE, &f);
	if (fd < 0)
		return -1;
	close(fd);	/* reopened below, O_DIRECT for DIRECT */
	e->seed = f.seed;
	snprintf(e->path[FX_A], sizeof(e->path[FX_A]), "%s", f.path);
	if (c->vector && make_b(t, e) != 0)
		return -1;
	pattern_fill(e->seed, FX_A_OFF - FX_HDR, e->hdr, FX_HDR);
	e->notify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (e->notify < 0)
		return fail_errno(t, "inotify_init1");
	for (unsigned int i = 0; i < e->nfiles; i++) {
		if (open_src(t, e, i) != 0)
			return -1;
		e->file_bytes += expected_sent(e->range[i].off,
					       e->range[i].len, FX_FSIZE);
	}
	e->want_sent = e->file_bytes + (c->vector ? FX_HDR : 0);
	e->io = open(IO_PATH, O_RDONLY | O_CLOEXEC);
	if (e->io < 0)
		return fail_errno(t, "open %s", IO_PATH);
	return 0;
}

/* One IN_ACCESS per range that sent bytes (all do), as do_sendfile. */
static int check_inotify(struct tctx *t, const struct fx_env *e,
			 const struct fx_obs *ref, const struct fx_obs *zc)
{
	const struct fx_events once = { 1, { IN_ACCESS } };
	char a[160], b[160], call[48];

	for (unsigned int i = 0; i < e->nfiles; i++) {
		if (!events_same(&ref->ev[i], &once)) {
			events_str(a, sizeof(a), &ref->ev[i]);
			return fail(t, "sendfile(2) raised %s on %s, expected IN_ACCESS once (test bug)",
				    a, file_label(e, i));
		}
		if (!events_same(&zc->ev[i], &ref->ev[i])) {
			events_str(a, sizeof(a), &zc->ev[i]);
			events_str(b, sizeof(b), &ref->ev[i]);
			return fail(t, "%s raised %s on %s; sendfile(2) of the same range raised %s",
				    call_label(call, sizeof(call), e), a,
				    file_label(e, i), b);
		}
	}
	return 0;
}

static int check_atime(struct tctx *t, const struct fx_env *e,
		       const struct fx_obs *ref, const struct fx_obs *zc)
{
	char call[48];

	for (unsigned int i = 0; i < e->nfiles; i++) {
		if (!ts_after(ref->atime[i], ref->atime_set[i]))
			return fail(t, "sendfile(2) left the atime of %s at %lld, set older than mtime: the mount does not update atime as relatime does (test bug)",
				    file_label(e, i),
				    (long long)ref->atime[i].tv_sec);
		if (!ts_after(zc->atime[i], zc->atime_set[i]))
			return fail(t, "%s left the atime of %s at %lld.%09ld, the value set before the call (older than mtime); sendfile(2) moved it to %lld.%09ld",
				    call_label(call, sizeof(call), e),
				    file_label(e, i),
				    (long long)zc->atime[i].tv_sec,
				    zc->atime[i].tv_nsec,
				    (long long)ref->atime[i].tv_sec,
				    ref->atime[i].tv_nsec);
	}
	return 0;
}

/*
 * do_sendfile adds what it sent to rchar and wchar and one to syscr and
 * syscw.  SENDV counts as one such call over its file bytes (rchar) and
 * all its bytes (wchar); its reference is a write(2) and two sendfile(2)s.
 */
static int check_io(struct tctx *t, const struct fx_env *e,
		    const struct fx_obs *ref, const struct fx_obs *zc)
{
	const int64_t fb = (int64_t)e->file_bytes, all = (int64_t)e->want_sent;
	const struct fx_io want = { { fb, all, 1, 1 } };
	const struct fx_io want_ref = e->c->vector ?
		(struct fx_io){ { fb, all, e->nfiles, 1 + e->nfiles } } : want;
	char a[128], b[128], call[48];

	if (!io_same(&ref->added, &want_ref)) {
		io_str(a, sizeof(a), &ref->added);
		io_str(b, sizeof(b), &want_ref);
		return fail(t, "the reference (sendfile(2)) added %s to %s, expected %s (test bug)",
			    a, IO_PATH, b);
	}
	if (!io_same(&zc->added, &want)) {
		io_str(a, sizeof(a), &zc->added);
		io_str(b, sizeof(b), &want);
		return fail(t, "%s added %s to %s; expected %s%s",
			    call_label(call, sizeof(call), e), a, IO_PATH, b,
			    e->c->vector ? "" : " as sendfile(2) did");
	}
	return 0;
}

static int (*const checks[FX_COUNT])(struct tctx *t, const struct fx_env *e,
				     const struct fx_obs *ref,
				     const struct fx_obs *zc) = {
	[FX_INOTIFY] = check_inotify,
	[FX_ATIME] = check_atime,
	[FX_IO] = check_io,
};

static int fx_test(struct tctx *t, const void *arg)
{
	const struct fx_case *c = arg;
	struct fx_obs ref, zc;
	struct fx_env e;
	char call[48];

	if (env_setup(t, c, &e) != 0)
		return -1;
	snprintf(t->where, sizeof(t->where), "sendfile(2)");
	if (side_run(t, &e, true, &ref) != 0)
		return -1;
	snprintf(t->where, sizeof(t->where), "%s",
		 call_label(call, sizeof(call), &e));
	if (side_run(t, &e, false, &zc) != 0)
		return -1;
	t->where[0] = '\0';
	return checks[c->fx](t, &e, &ref, &zc);
}

static void register_one(struct registry *r, bool vector, unsigned int fs,
			 unsigned int method)
{
	for (unsigned int fx = 0; fx < FX_COUNT; fx++) {
		struct fx_case *c = xcalloc(1, sizeof(*c));
		struct test *tc;

		*c = (struct fx_case){ vector, method, fs, fx };
		tc = reg_add(r, "sidefx", fx_test, c, "%s-%s-%s-%s",
			     vector ? "sendv" : "send", method_desc[method].name,
			     fs_list[fs].name, fx_names[fx]);
		if (method == ZCOPY_METHOD_DIRECT)
			tc->need = NEED_DIRECT;
	}
}

void sidefx_register(struct registry *r)
{
	static const unsigned int methods[] = {
		ZCOPY_METHOD_COPY, ZCOPY_METHOD_MMAP, ZCOPY_METHOD_SPLICE,
		ZCOPY_METHOD_PAGES, ZCOPY_METHOD_AUTO,
	};

	for (int vector = 0; vector < 2; vector++) {
		for (unsigned int fs = 0; fs < FS_COUNT; fs++)
			for (size_t m = 0; m < ARRAY_SIZE(methods); m++)
				register_one(r, vector, fs, methods[m]);
		/* DIRECT reads a file opened O_DIRECT: ext4, not tmpfs. */
		register_one(r, vector, FS_EXT4, ZCOPY_METHOD_DIRECT);
	}
}
