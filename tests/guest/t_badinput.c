// SPDX-License-Identifier: GPL-2.0
/*
 * t_badinput.c - the "badinput" group, ZCOPY_IOC_SEND, INFO and COUNTERS:
 * every request the module must refuse up front, each with its errno, with
 * nothing sent and no counter moved; and the edges that are not errors
 * (a range at or past the end of the file, a length above max_len).  The
 * group's SENDV cases are in t_badinput_sendv.c, the racing rewrites of
 * the argument struct in t_badinput_race.c; the 32-bit program runs all
 * of them again through the compat ioctl path.
 *
 * Each case starts from a valid request (a hot tmpfs file to a connected
 * receiver) and breaks exactly one thing, so the errno can only come from
 * that thing, and "nothing sent" is measured on a connection that would
 * have carried the bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include "badinput.h"
#include "inject.h"

int env_open(struct tctx *t, struct err_env *e)
{
	struct rx_spec spec;
	int fd;

	memset(e, 0, sizeof(*e));
	fd = tfile_open(t, &fs_list[FS_TMPFS], ERR_FSIZE, &e->file);
	if (fd < 0)
		return -1;
	spec = (struct rx_spec){ e->file.seed, 0, 0 };
	if (receiver_start(t, &e->rx, AF_INET, RX_READ, &spec) != 0)
		return -1;
	send_req(&e->req, fd, e->rx.sock, ZCOPY_METHOD_PAGES, 0, ERR_FSIZE);
	/* The SYN counts in the socket's sequence space: start from here. */
	if (sock_written(e->rx.sock, &e->w0) != 0)
		return fail_errno(t, "TCP_INFO/SIOCOUTQ");
	return tally_read(t, t->dev, &e->before);
}

int env_finish(struct tctx *t, struct err_env *e, uint64_t want_bytes,
	       const struct tally *delta)
{
	struct tally none;
	struct stat st;
	uint64_t w;
	int n;

	memset(&none, 0, sizeof(none));
	if (tally_expect_delta(t, t->dev, &e->before, delta ? delta : &none))
		return -1;
	for (unsigned int i = 0; i < e->nprobes; i++) {
		const struct probe *p = &e->probes[i];

		if (p->path[0] && stat(p->path, &st) == 0 && st.st_size != 0)
			return fail(t, "%s got %lld bytes", p->path,
				    (long long)st.st_size);
		if (!p->path[0] && ioctl(p->fd, FIONREAD, &n) == 0 && n != 0)
			return fail(t, "the output descriptor's peer got %d bytes",
				    n);
	}
	/* What the socket took, before the receiver's view of it (a FIN
	 * takes one number of the sequence space, as the SYN did). */
	if (e->rx.sock >= 0 && sock_written(e->rx.sock, &w) == 0 &&
	    w - e->w0 - e->fin != want_bytes)
		return fail(t, "the connection took %llu bytes, expected %llu",
			    (unsigned long long)(w - e->w0 - e->fin),
			    (unsigned long long)want_bytes);
	return receiver_finish(t, &e->rx, want_bytes);
}

static struct probe *probe_add(struct err_env *e)
{
	struct probe *p = &e->probes[e->nprobes++];

	p->fd = -1;
	return p;
}

/* An empty scratch file on tmpfs opened with @flags; its size is probed. */
static int scratch_fd(struct tctx *t, struct err_env *e, int flags)
{
	struct probe *p = probe_add(e);
	int fd;

	snprintf(p->path, sizeof(p->path), "%s/scratch-%u",
		 fs_list[FS_TMPFS].dir, e->nprobes);
	fd = open(p->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail_errno(t, "create %s", p->path);
	close(fd);
	fd = open(p->path, flags | O_CLOEXEC);
	return fd < 0 ? fail_errno(t, "open %s", p->path) : fd;
}

static int udp_pair(struct tctx *t, struct err_env *e)
{
	struct sockaddr_storage addr;
	socklen_t alen = sizeof(addr);
	int sv[2];

	sv[0] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sv[1] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&addr, 0, sizeof(addr));
	((struct sockaddr_in *)&addr)->sin_family = AF_INET;
	((struct sockaddr_in *)&addr)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Connected: a send on sv[0] would really arrive on sv[1]. */
	if (sv[0] < 0 || sv[1] < 0 ||
	    bind(sv[1], (struct sockaddr *)&addr, sizeof(struct sockaddr_in)) ||
	    getsockname(sv[1], (struct sockaddr *)&addr, &alen) ||
	    connect(sv[0], (struct sockaddr *)&addr, alen))
		return fail_errno(t, "UDP socket pair");
	probe_add(e)->fd = sv[1];
	return sv[0];
}

/* How the FD_OPATH and FD_FILE_* kinds open their scratch file. */
static const int scratch_flags[] = {
	[FD_OPATH] = O_PATH,
	[FD_FILE_RDONLY] = O_RDONLY,
	[FD_FILE_WRONLY] = O_WRONLY,
	[FD_FILE_RDWR] = O_RDWR,
};

int make_fd(struct tctx *t, struct err_env *e, enum fdkind kind, bool input)
{
	struct sockaddr_storage addr;
	socklen_t alen;
	struct tfile f;
	int fd = -1, sv[2];

	switch (kind) {
	case FD_DEFAULT:
		return input ? e->req.in_fd : e->req.out_fd;
	case FD_MINUS1:
		return -1;
	case FD_HUGE_FD:
		return INT_MAX;
	case FD_CLOSED:
		/* High enough that nothing the test opens later reuses it. */
		fd = fcntl(e->req.in_fd, F_DUPFD_CLOEXEC, 900);
		if (fd >= 0 && close(fd) == 0)
			return fd;
		fd = -1;
		break;
	case FD_OPATH:
	case FD_FILE_RDONLY:
	case FD_FILE_WRONLY:
	case FD_FILE_RDWR:
		fd = scratch_fd(t, e, scratch_flags[kind]);
		break;
	case FD_DIR:
		fd = open(fs_list[FS_TMPFS].dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		break;
	case FD_PIPE:
		if (pipe2(sv, O_CLOEXEC) != 0)
			break;
		if (input)
			return sv[0];
		probe_add(e)->fd = sv[0];
		return sv[1];
	case FD_UNIX_STREAM:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
			break;
		probe_add(e)->fd = sv[1];
		return sv[0];
	case FD_DEV_ZERO:
		fd = open("/dev/zero", (input ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
		break;
	case FD_ZCOPY:
		return t->dev;
	case FD_UDP:
		fd = udp_pair(t, e);
		break;
	case FD_TCP_FRESH:
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		break;
	case FD_TCP_LISTEN:
		fd = loopback_listener(AF_INET, &addr, &alen);
		break;
	case FD_TCP_APPEND:
		fd = e->rx.sock;
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_APPEND) != 0)
			fd = -1;
		break;
	case FD_TCP_SHUTDOWN:
		fd = e->rx.sock;
		if (shutdown(fd, SHUT_WR) != 0)
			fd = -1;
		e->fin = true;
		break;
	case FD_TCP_CONNECTED:
		return e->rx.sock;
	case FD_EXT4_FILE:
		fd = tfile_open(t, &fs_list[FS_EXT4], ERR_FSIZE, &f);
		break;
	case FD_SYSFS_FILE:
		fd = open(SYSFS_DIR "/stats/transfers", O_RDONLY | O_CLOEXEC);
		break;
	}
	if (fd < 0) {
		fail_errno(t, "setting up the %s descriptor",
			   input ? "input" : "output");
		return INT_MIN;
	}
	return fd;
}

int ext4_maxbytes(struct tctx *t, uint64_t *max)
{
	char path[200];
	struct statfs sf;
	uint64_t guess;
	int fd, rc = 0;

	/* ext4 with extents: 2^32 - 1 blocks (ext4_max_size()). */
	if (statfs(fs_list[FS_EXT4].mount, &sf) != 0)
		return fail_errno(t, "statfs %s", fs_list[FS_EXT4].mount);
	guess = ((1ULL << 32) - 1) * (uint64_t)sf.f_bsize;
	snprintf(path, sizeof(path), "%s/maxbytes", fs_list[FS_EXT4].dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail_errno(t, "create %s", path);
	/* The largest size a file can have is s_maxbytes: one more is EFBIG. */
	if (ftruncate(fd, (off_t)guess) != 0)
		rc = fail_errno(t, "ftruncate to %llu", (unsigned long long)guess);
	else if (ftruncate(fd, (off_t)guess + 1) == 0 || errno != EFBIG)
		rc = fail(t, "ftruncate past %llu did not fail with EFBIG: s_maxbytes is not what ext4_max_size() gives",
			  (unsigned long long)guess);
	close(fd);
	unlink(path);
	*max = guess;
	return rc;
}

/* ---------------------------------------------------------------- */
/* ZCOPY_IOC_SEND with one field or descriptor wrong                 */

struct opt_u64 {
	bool set;
	uint64_t v;
};
#define SET(x) { true, (uint64_t)(x) }

/* Where the offset is: as given, or relative to ext4's s_maxbytes. */
enum { OFF_ABS, OFF_SMAX };

/* A result that is not an error, and what it sent. */
#define OK_SENT(n) .want = 0, .want_sent = (n)
#define SENT_WHOLE UINT64_MAX	/* the whole test file */

struct send_case {
	const char *name;
	int want;		/* errno, or 0 for success */
	uint64_t want_sent;	/* on success */
	bool runtime;		/* a run-time failure: counts in "errors" */
	enum need need;
	enum fdkind in, out;
	struct opt_u64 flags, method, reserved0, reserved_w0, reserved_w1;
	struct opt_u64 offset, len;
	int off_rel;		/* OFF_SMAX: offset = s_maxbytes + offset */
	bool len_max_rw;	/* len = INFO.max_len + len */
};

static const struct send_case send_cases[] = {
	{ "in-fd-minus1", EBADF, .in = FD_MINUS1 },
	{ "in-fd-closed", EBADF, .in = FD_CLOSED },
	{ "in-fd-int-max", EBADF, .in = FD_HUGE_FD },
	{ "in-fd-opath", EBADF, .in = FD_OPATH },
	{ "in-fd-wronly", EBADF, .in = FD_FILE_WRONLY },
	{ "in-fd-directory", EINVAL, .in = FD_DIR },
	{ "in-fd-pipe", EINVAL, .in = FD_PIPE },
	{ "in-fd-socket", EINVAL, .in = FD_UNIX_STREAM },
	{ "in-fd-tcp-socket", EINVAL, .in = FD_TCP_CONNECTED },
	{ "in-fd-dev-zero", EINVAL, .in = FD_DEV_ZERO },
	{ "in-fd-zcopy-device", EINVAL, .in = FD_ZCOPY },
	/* sysfs files are regular files without direct I/O. */
	{ "in-fd-sysfs-direct", EINVAL, .need = NEED_DIRECT,
	  .in = FD_SYSFS_FILE, .method = SET(ZCOPY_METHOD_DIRECT) },
	{ "out-fd-minus1", EBADF, .out = FD_MINUS1 },
	{ "out-fd-closed", EBADF, .out = FD_CLOSED },
	{ "out-fd-int-max", EBADF, .out = FD_HUGE_FD },
	{ "out-fd-opath", EBADF, .out = FD_OPATH },
	{ "out-fd-file-rdonly", EBADF, .out = FD_FILE_RDONLY },
	/* A directory cannot be open for writing: that is checked first. */
	{ "out-fd-directory", EBADF, .out = FD_DIR },
	{ "out-fd-file-wronly", ENOTSOCK, .out = FD_FILE_WRONLY },
	{ "out-fd-file-rdwr", ENOTSOCK, .out = FD_FILE_RDWR },
	{ "out-fd-pipe", ENOTSOCK, .out = FD_PIPE },
	{ "out-fd-dev-zero", ENOTSOCK, .out = FD_DEV_ZERO },
	{ "out-fd-zcopy-device", ENOTSOCK, .out = FD_ZCOPY },
	{ "out-fd-udp", EOPNOTSUPP, .out = FD_UDP },
	{ "out-fd-unix-stream", EOPNOTSUPP, .out = FD_UNIX_STREAM },
	{ "out-fd-tcp-unconnected", ENOTCONN, .out = FD_TCP_FRESH },
	{ "out-fd-tcp-listening", ENOTCONN, .out = FD_TCP_LISTEN },
	{ "out-fd-tcp-append", EINVAL, .out = FD_TCP_APPEND },
	/* Shut down for writing: left to TCP, a run-time EPIPE. */
	{ "out-fd-tcp-shutdown", EPIPE, .runtime = true,
	  .out = FD_TCP_SHUTDOWN },
	{ "offset-minus5", EINVAL, .offset = SET(-5) },
	{ "offset-2p63", EINVAL, .offset = SET(1ULL << 63) },
	{ "offset-len-overflow", EINVAL, .offset = SET(LLONG_MAX - 10),
	  .len = SET(100) },
	{ "offset-2p62-len-2p62", EINVAL, .offset = SET(1ULL << 62),
	  .len = SET(1ULL << 62) },
	{ "len-2p63", EINVAL, .len = SET(1ULL << 63) },
	{ "len-u64-max", EINVAL, .len = SET(UINT64_MAX) },
	{ "offset-2p50-ext4", EOVERFLOW, .in = FD_EXT4_FILE,
	  .offset = SET(1ULL << 50), .len = SET(1) },
	{ "offset-smaxbytes-ext4", EOVERFLOW, .in = FD_EXT4_FILE,
	  .off_rel = OFF_SMAX, .offset = SET(0), .len = SET(1) },
	{ "offset-smaxbytes-plus1-ext4", EOVERFLOW, .in = FD_EXT4_FILE,
	  .off_rel = OFF_SMAX, .offset = SET(1), .len = SET(1) },
	/* Below s_maxbytes, past the end of the file: nothing to send. */
	{ "offset-smaxbytes-minus1-ext4", OK_SENT(0), .in = FD_EXT4_FILE,
	  .off_rel = OFF_SMAX, .offset = SET(-1), .len = SET(1) },
	/* As do_sendfile(): pos + count > max is the test, so an empty range
	 * at s_maxbytes is no overflow. */
	{ "offset-smaxbytes-len0-ext4", OK_SENT(0), .in = FD_EXT4_FILE,
	  .off_rel = OFF_SMAX, .offset = SET(0), .len = SET(0) },
	{ "offset-at-eof", OK_SENT(0), .offset = SET(ERR_FSIZE) },
	{ "offset-past-eof", OK_SENT(0), .offset = SET(1ULL << 40) },
	{ "len-0", OK_SENT(0), .len = SET(0) },
	/* Clamped to max_len (and the file), not refused. */
	{ "len-max-len-plus1", OK_SENT(SENT_WHOLE), .len_max_rw = true,
	  .len = SET(1) },
	{ "len-llong-max", OK_SENT(SENT_WHOLE), .len = SET(LLONG_MAX) },
	/* The first bit no ZCOPY_F_* uses, and the top bit. */
	{ "flags-unknown-bit", EINVAL, .flags = SET(ZCOPY_F_NOSIGNAL << 1) },
	{ "flags-bit31", EINVAL, .flags = SET(0x80000000U) },
	{ "flags-all-ones", EINVAL, .flags = SET(UINT32_MAX) },
	/* Flag and method pairs the uAPI header rules out. */
	{ "flags-nosignal-splice", EINVAL, .flags = SET(ZCOPY_F_NOSIGNAL),
	  .method = SET(ZCOPY_METHOD_SPLICE) },
	{ "flags-nodiskio-direct", EINVAL, .need = NEED_DIRECT,
	  .flags = SET(ZCOPY_F_NODISKIO), .method = SET(ZCOPY_METHOD_DIRECT) },
	{ "method-6", EINVAL, .method = SET(ZCOPY_METHOD_COUNT) },
	{ "method-u32-max", EINVAL, .method = SET(UINT32_MAX) },
	{ "method-direct-unimplemented", EINVAL, .need = NEED_NO_DIRECT,
	  .method = SET(ZCOPY_METHOD_DIRECT) },
	{ "reserved0", EINVAL, .reserved0 = SET(1) },
	{ "reserved-word0", EINVAL, .reserved_w0 = SET(1) },
	{ "reserved-word1", EINVAL, .reserved_w1 = SET(1ULL << 63) },
};

static void apply_u32(uint32_t *field, const struct opt_u64 *o)
{
	if (o->set)
		*field = (uint32_t)o->v;
}

static void apply_u64(__u64 *field, const struct opt_u64 *o)
{
	if (o->set)
		*field = o->v;
}

static int send_case_test(struct tctx *t, const void *arg)
{
	const struct send_case *c = arg;
	struct zcopy_send *req;
	struct tally delta;
	struct err_env e;
	uint64_t smax = 0, want_sent;
	int in, out, rc;

	memset(&delta, 0, sizeof(delta));
	if (c->off_rel == OFF_SMAX && ext4_maxbytes(t, &smax) != 0)
		return -1;
	if (env_open(t, &e) != 0)
		return -1;
	req = &e.req;
	in = make_fd(t, &e, c->in, true);
	out = make_fd(t, &e, c->out, false);
	if (in == INT_MIN || out == INT_MIN)
		return -1;
	req->in_fd = in;
	req->out_fd = out;
	apply_u32(&req->flags, &c->flags);
	apply_u32(&req->method, &c->method);
	apply_u32(&req->reserved0, &c->reserved0);
	apply_u64(&req->reserved[0], &c->reserved_w0);
	apply_u64(&req->reserved[1], &c->reserved_w1);
	apply_u64(&req->offset, &c->offset);
	apply_u64(&req->len, &c->len);
	if (c->off_rel == OFF_SMAX)
		req->offset = smax + req->offset;
	if (c->len_max_rw)
		req->len += t->info.max_len;
	rc = ioctl(t->dev, ZCOPY_IOC_SEND, req);
	if (c->want) {
		if (expect_errno(t, "ZCOPY_IOC_SEND", rc, c->want) != 0)
			return -1;
		if (c->runtime)
			tally_add_error(&delta, req->method);
		return env_finish(t, &e, 0, &delta);
	}
	if (rc != 0)
		return fail_errno(t, "ZCOPY_IOC_SEND(offset %llu, len %llu)",
				  (unsigned long long)req->offset,
				  (unsigned long long)req->len);
	want_sent = c->want_sent == SENT_WHOLE ? ERR_FSIZE : c->want_sent;
	if (check_stats(t, req, req->method, req->offset, want_sent, false))
		return -1;
	tally_add_success(&delta, req);
	return env_finish(t, &e, want_sent, &delta);
}

/* ---------------------------------------------------------------- */
/* The argument itself wrong: pointer, size, flags, command          */

enum raw_arg {
	ARG_STRUCT,	/* the struct, maybe with another size or a tail */
	ARG_NULL,
	ARG_UNMAPPED,	/* a page that was there a moment ago */
	ARG_READONLY,	/* a valid struct the module cannot write back */
	ARG_KERNEL,	/* kernel text */
	ARG_NONCANONICAL,
	ARG_STRADDLE,	/* the struct runs into an unmapped page */
	ARG_TAIL_GUARD,	/* v1 bytes end at a guard page, size says more */
};

struct raw_variant {
	const char *name;
	int want;
	unsigned int iocs;	/* bitmask of 1 << IOC_* it applies to */
	enum raw_arg arg;
	uint32_t size;		/* absolute size, or 0: v1 + size_delta */
	int size_delta;
	unsigned char tail;	/* bytes past v1 when size > v1 */
	uint32_t flags;
	uint64_t reserved;	/* written to reserved[0] */
	unsigned long cmd;	/* another command instead, or 0 */
	bool ptr64;		/* an address only a 64-bit caller can pass */
};

#define ALL_IOCS (1U << IOC_INFO | 1U << IOC_SEND | 1U << IOC_COUNTERS)
/* SEND's flags and reserved words are send_cases. */
#define NOT_SEND (1U << IOC_INFO | 1U << IOC_COUNTERS)

static const struct raw_variant raw_variants[] = {
	{ "efault-null", EFAULT, ALL_IOCS, .arg = ARG_NULL },
	{ "efault-unmapped", EFAULT, ALL_IOCS, .arg = ARG_UNMAPPED },
	/* The results could not be returned: fail before anything goes. */
	{ "efault-readonly", EFAULT, ALL_IOCS, .arg = ARG_READONLY },
	{ "efault-kernel-address", EFAULT, ALL_IOCS, .arg = ARG_KERNEL,
	  .ptr64 = true },
	{ "efault-noncanonical", EFAULT, ALL_IOCS, .arg = ARG_NONCANONICAL,
	  .ptr64 = true },
	{ "efault-straddles-unmapped", EFAULT, ALL_IOCS, .arg = ARG_STRADDLE },
	/* The tail the size announces is not there to be checked. */
	{ "efault-tail-unmapped", EFAULT, ALL_IOCS, .arg = ARG_TAIL_GUARD,
	  .size_delta = 8 },
	{ "e2big-tail", E2BIG, ALL_IOCS, .size_delta = 8, .tail = 0xa5 },
	{ "e2big-size-page-plus1", E2BIG, ALL_IOCS, .arg = ARG_TAIL_GUARD,
	  .size = 4097 },
	{ "e2big-size-u32-max", E2BIG, ALL_IOCS, .arg = ARG_TAIL_GUARD,
	  .size = UINT32_MAX },
	/* A newer caller's struct: a zero tail is fine. */
	{ "size-v1-plus8-zero-tail", 0, NOT_SEND, .size_delta = 8 },
	{ "size-0", EINVAL, ALL_IOCS, .size = 0, .size_delta = INT_MIN },
	{ "size-4", EINVAL, ALL_IOCS, .size = 4 },
	{ "size-v1-minus-8", EINVAL, ALL_IOCS, .size_delta = -8 },
	{ "flags-1", EINVAL, NOT_SEND, .flags = 1 },
	{ "reserved-word0", EINVAL, NOT_SEND, .reserved = 1 },
	/* Far above the last command, and just past it. */
	{ "enotty-nr", ENOTTY, 1U << IOC_SEND,
	  .cmd = _IO(ZCOPY_IOC_MAGIC, 0x7f) },
	{ "enotty-nr-6", ENOTTY, 1U << IOC_SEND,
	  .cmd = _IO(ZCOPY_IOC_MAGIC, 0x06) },
	{ "enotty-magic", ENOTTY, 1U << IOC_SEND,
	  .cmd = _IO(ZCOPY_IOC_MAGIC + 1, 0x01) },
	/* The module matches the whole number: the right one with direction
	 * or size bits (the numbering before _IO()) is not it. */
	{ "enotty-dir-readwrite", ENOTTY, 1U << IOC_SEND,
	  .cmd = _IOWR(ZCOPY_IOC_MAGIC, 0x01, struct zcopy_send) },
	{ "enotty-dir-write", ENOTTY, 1U << IOC_SEND,
	  .cmd = _IOW(ZCOPY_IOC_MAGIC, 0x01, struct zcopy_send) },
	{ "enotty-size-bits", ENOTTY, 1U << IOC_SEND,
	  .cmd = _IOC(_IOC_NONE, ZCOPY_IOC_MAGIC, 0x01, 8) },
};

struct raw_case {
	const struct raw_variant *v;
	const struct ioc_desc *ioc;
};

static int raw_case_test(struct tctx *t, const void *arg)
{
	const struct raw_case *c = arg;
	const struct raw_variant *v = c->v;
	const struct ioc_desc *d = c->ioc;
	unsigned long cmd = v->cmd ? v->cmd : d->cmd;
	uint32_t size = v->size || v->size_delta == INT_MIN ? v->size :
			(uint32_t)((int)d->v1 + v->size_delta);
	_Alignas(8) unsigned char st[128];
	struct err_env e;
	unsigned char *p;
	int rc;

	if (env_open(t, &e) != 0)
		return -1;
	memset(st, 0, sizeof(st));
	if (d->cmd == ZCOPY_IOC_SEND)
		memcpy(st, &e.req, sizeof(e.req));
	memcpy(st, &(uint32_t){ (uint32_t)d->v1 }, sizeof(uint32_t));
	memcpy(st + 4, &v->flags, sizeof(v->flags));
	memcpy(st + d->reserved_off, &v->reserved, sizeof(v->reserved));
	switch (v->arg) {
	case ARG_STRUCT:
		rc = zc_ioctl_sized(t->dev, cmd, st, d->v1, size, v->tail);
		break;
	case ARG_NULL:
		rc = ioctl(t->dev, cmd, NULL);
		break;
	case ARG_KERNEL:
	case ARG_NONCANONICAL:
		rc = ioctl(t->dev, cmd, (unsigned long)(uintptr_t)
			   (v->arg == ARG_KERNEL ? KADDR_TEXT : ADDR_NONCANONICAL));
		break;
	case ARG_STRADDLE:
	case ARG_TAIL_GUARD:
		p = guarded_page(t);
		if (!p)
			return -1;
		memcpy(st, &size, sizeof(size));
		/* STRADDLE: all but 8 bytes of v1 mapped; TAIL_GUARD: all v1
		 * bytes mapped, the announced rest not. */
		p += 4096 - d->v1 + (v->arg == ARG_STRADDLE ? 8 : 0);
		memcpy(p, st, v->arg == ARG_STRADDLE ? d->v1 - 8 : d->v1);
		rc = ioctl(t->dev, cmd, p);
		break;
	default:
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return fail_errno(t, "mmap");
		memcpy(p, st, d->v1);
		if ((v->arg == ARG_UNMAPPED ? munmap(p, 4096) :
		     mprotect(p, 4096, PROT_READ)) != 0)
			return fail_errno(t, "munmap/mprotect");
		rc = ioctl(t->dev, cmd, p);
		break;
	}
	if (!v->want) {
		if (rc != 0)
			return fail_errno(t, "%s", d->name);
	} else if (expect_errno(t, d->name, rc, v->want) != 0) {
		return -1;
	}
	return env_finish(t, &e, 0, NULL);
}

/* ---------------------------------------------------------------- */
/* A 32-bit caller: the same cases through compat_ptr_ioctl          */

#define PROG32 "zcopy-guest-tests32"

/* Runs the 32-bit build of the badinput group next to this program; its
 * lines go to the console prefixed "compat32:", its verdict is ours. */
static int compat32_caller(struct tctx *t, const void *arg)
{
	char self[256], prog[300], line[1024], first[1024] = "";
	unsigned int failed = 0, passed = 0;
	ssize_t n;
	FILE *out;
	int status;

	(void)arg;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return fail_errno(t, "readlink /proc/self/exe");
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(prog, sizeof(prog), "%s/%s", self, PROG32);
	if (access(prog, X_OK) != 0)
		return fail_errno(t, "%s (install gcc-multilib and rebuild)", prog);
	out = popen(prog, "r");
	if (!out)
		return fail_errno(t, "popen %s", prog);
	while (fgets(line, sizeof(line), out)) {
		line[strcspn(line, "\n")] = '\0';
		printf("compat32: %s\n", line);
		if (!strncmp(line, "ok ", 3))
			passed++;
		if (!strncmp(line, "not ok ", 7) && !failed++)
			snprintf(first, sizeof(first), "%s", line + 7);
	}
	fflush(stdout);
	status = pclose(out);
	/* The shell could not execute it: a kernel without ia32 emulation
	 * (ia32_emulation=0) has no compat path to test. */
	if (!passed && !failed && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 126) {
		printf("compat32: this kernel runs no 32-bit programs: nothing to test\n");
		fflush(stdout);
		return 0;
	}
	if (failed)
		return fail(t, "%u of %u cases failed in a 32-bit process, first: %s",
			    failed, failed + passed, first);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fail(t, "%s ended with wait status 0x%x", prog, status);
	if (passed < 40)
		return fail(t, "only %u cases ran in the 32-bit process", passed);
	return 0;
}

void badinput_register(struct registry *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(send_cases); i++)
		reg_add(r, "badinput", send_case_test, &send_cases[i], "%s",
			send_cases[i].name)->need = send_cases[i].need;
	for (size_t i = 0; i < ARRAY_SIZE(raw_variants); i++) {
		if (raw_variants[i].ptr64 && sizeof(void *) < 8)
			continue;
		for (unsigned int k = 0; k < IOC_COUNT; k++) {
			struct raw_case *c;

			if (!(raw_variants[i].iocs & (1U << k)))
				continue;
			c = xcalloc(1, sizeof(*c));
			c->v = &raw_variants[i];
			c->ioc = &ioc_list[k];
			reg_add(r, "badinput", raw_case_test, c, "%s-%s",
				raw_variants[i].name, ioc_list[k].name);
		}
	}
	if (sizeof(void *) == 8)
		reg_add(r, "badinput", compat32_caller, NULL,
			"compat32-caller")->timeout_s = TIMEOUT_LONG_S;
	badinput_sendv_register(r);
	badinput_race_register(r);
}
