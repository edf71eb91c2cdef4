// SPDX-License-Identifier: GPL-2.0
/*
 * t_errors.c - the validation half of the "errors" group: every request
 * the module must refuse up front, each with its errno, with nothing sent
 * and no counter moved.
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
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include "zct.h"

#define ERR_FSIZE (64 * KIB)
#define MAX_PROBES 2

/* Something the failed call must have left empty. */
struct probe {
	int fd;			/* FIONREAD must be 0 (pipe, socket) */
	char path[200];		/* or the file's size must be 0 */
};

/* Descriptors a case opens are left to the test process's exit. */
struct err_env {
	struct receiver rx;
	struct tally before;
	struct zcopy_send req;	/* valid until a case breaks it */
	struct probe probes[MAX_PROBES];
	unsigned int nprobes;
};

enum fdkind {
	FD_DEFAULT,	/* the valid one: the file or the connected socket */
	FD_MINUS1,
	FD_CLOSED,
	FD_OPATH,
	FD_FILE_RDONLY,
	FD_FILE_WRONLY,
	FD_FILE_RDWR,
	FD_DIR,
	FD_PIPE,	/* read end as input, write end as output */
	FD_UNIX_STREAM,
	FD_DEV_ZERO,
	FD_ZCOPY,
	FD_UDP,
	FD_TCP_FRESH,
	FD_TCP_LISTEN,
	FD_TCP_APPEND,
	FD_EXT4_FILE,
};

static int env_open(struct tctx *t, struct err_env *e)
{
	struct tfile f;
	struct rx_spec spec;
	int fd;

	memset(e, 0, sizeof(*e));
	fd = tfile_open(t, &fs_list[FS_TMPFS], ERR_FSIZE, &f);
	if (fd < 0)
		return -1;
	spec = (struct rx_spec){ f.seed, 0, 0 };
	if (receiver_start(t, &e->rx, AF_INET, RX_READ, &spec) != 0)
		return -1;
	send_req(&e->req, fd, e->rx.sock, ZCOPY_METHOD_PAGES, 0, ERR_FSIZE);
	return tally_read(t, t->dev, &e->before);
}

static int env_close(struct tctx *t, struct err_env *e)
{
	struct tally none;
	struct stat st;
	int n;

	memset(&none, 0, sizeof(none));
	if (tally_expect_delta(t, t->dev, &e->before, &none) != 0)
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
	return receiver_finish(t, &e->rx, 0);
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

/*
 * The descriptor of @kind for in_fd (@input) or out_fd.  Returns it, or
 * INT_MIN after fail() (-1 is a kind of its own).
 */
static int make_fd(struct tctx *t, struct err_env *e, enum fdkind kind,
		   bool input)
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
		fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
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
	case FD_EXT4_FILE:
		fd = tfile_open(t, &fs_list[FS_EXT4], ERR_FSIZE, &f);
		break;
	}
	if (fd < 0) {
		fail_errno(t, "setting up the %s descriptor",
			   input ? "input" : "output");
		return INT_MIN;
	}
	return fd;
}

/* ---------------------------------------------------------------- */
/* ZCOPY_IOC_SEND with one field or descriptor wrong                 */

struct opt_u64 {
	bool set;
	uint64_t v;
};
#define SET(x) { true, (uint64_t)(x) }

struct send_case {
	const char *name;
	int want;
	enum need need;
	enum fdkind in, out;
	struct opt_u64 flags, method, reserved0, reserved_w0, reserved_w1;
	struct opt_u64 offset, len;
};

static const struct send_case send_cases[] = {
	{ "in-fd-minus1", EBADF, .in = FD_MINUS1 },
	{ "in-fd-closed", EBADF, .in = FD_CLOSED },
	{ "in-fd-opath", EBADF, .in = FD_OPATH },
	{ "in-fd-wronly", EBADF, .in = FD_FILE_WRONLY },
	{ "in-fd-directory", EINVAL, .in = FD_DIR },
	{ "in-fd-pipe", EINVAL, .in = FD_PIPE },
	{ "in-fd-socket", EINVAL, .in = FD_UNIX_STREAM },
	{ "in-fd-dev-zero", EINVAL, .in = FD_DEV_ZERO },
	{ "in-fd-zcopy-device", EINVAL, .in = FD_ZCOPY },
	{ "out-fd-minus1", EBADF, .out = FD_MINUS1 },
	{ "out-fd-closed", EBADF, .out = FD_CLOSED },
	{ "out-fd-opath", EBADF, .out = FD_OPATH },
	{ "out-fd-file-rdonly", EBADF, .out = FD_FILE_RDONLY },
	{ "out-fd-file-wronly", ENOTSOCK, .out = FD_FILE_WRONLY },
	{ "out-fd-file-rdwr", ENOTSOCK, .out = FD_FILE_RDWR },
	{ "out-fd-pipe", ENOTSOCK, .out = FD_PIPE },
	{ "out-fd-udp", EOPNOTSUPP, .out = FD_UDP },
	{ "out-fd-unix-stream", EOPNOTSUPP, .out = FD_UNIX_STREAM },
	{ "out-fd-tcp-unconnected", ENOTCONN, .out = FD_TCP_FRESH },
	{ "out-fd-tcp-listening", ENOTCONN, .out = FD_TCP_LISTEN },
	{ "out-fd-tcp-append", EINVAL, .out = FD_TCP_APPEND },
	{ "offset-minus5", EINVAL, .offset = SET(-5) },
	{ "offset-2p63", EINVAL, .offset = SET(1ULL << 63) },
	{ "offset-len-overflow", EINVAL, .offset = SET(LLONG_MAX - 10),
	  .len = SET(100) },
	{ "len-2p63", EINVAL, .len = SET(1ULL << 63) },
	{ "len-u64-max", EINVAL, .len = SET(UINT64_MAX) },
	{ "offset-2p50-ext4", EOVERFLOW, .in = FD_EXT4_FILE,
	  .offset = SET(1ULL << 50), .len = SET(1) },
	/* The first bit no ZCOPY_F_* uses, and the top bit. */
	{ "flags-unknown-bit", EINVAL, .flags = SET(ZCOPY_F_NOSIGNAL << 1) },
	{ "flags-bit31", EINVAL, .flags = SET(0x80000000U) },
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
	struct err_env e;
	int in, out;

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
	if (expect_errno(t, "ZCOPY_IOC_SEND", ioctl(t->dev, ZCOPY_IOC_SEND, req),
			 c->want) != 0)
		return -1;
	return env_close(t, &e);
}

/* ---------------------------------------------------------------- */
/* The argument itself wrong: pointer, size, flags, command          */

enum raw_arg {
	ARG_STRUCT,	/* the struct, maybe with another size or a tail */
	ARG_NULL,
	ARG_UNMAPPED,	/* a page that was there a moment ago */
	ARG_READONLY,	/* a valid struct the module cannot write back */
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
};

#define ALL_IOCS (1U << IOC_INFO | 1U << IOC_SEND | 1U << IOC_COUNTERS)
/* SEND's flags and reserved words are send_cases. */
#define NOT_SEND (1U << IOC_INFO | 1U << IOC_COUNTERS)

static const struct raw_variant raw_variants[] = {
	{ "efault-null", EFAULT, ALL_IOCS, .arg = ARG_NULL },
	{ "efault-unmapped", EFAULT, ALL_IOCS, .arg = ARG_UNMAPPED },
	/* The results could not be returned: fail before anything goes. */
	{ "efault-readonly", EFAULT, ALL_IOCS, .arg = ARG_READONLY },
	{ "e2big-tail", E2BIG, ALL_IOCS, .size_delta = 8, .tail = 0xa5 },
	{ "size-4", EINVAL, ALL_IOCS, .size = 4 },
	{ "size-v1-minus-8", EINVAL, ALL_IOCS, .size_delta = -8 },
	{ "flags-1", EINVAL, NOT_SEND, .flags = 1 },
	{ "reserved-word0", EINVAL, NOT_SEND, .reserved = 1 },
	/* Far above the last command: the module dispatches on the number
	 * alone, so an unused number is the test, whatever its size bits. */
	{ "enotty-nr", ENOTTY, 1U << IOC_SEND,
	  .cmd = _IOWR(ZCOPY_IOC_MAGIC, 0x7f, struct zcopy_send) },
	{ "enotty-magic", ENOTTY, 1U << IOC_SEND,
	  .cmd = _IOWR(ZCOPY_IOC_MAGIC + 1, 0x01, struct zcopy_send) },
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
	uint32_t size = v->size ? v->size : (uint32_t)((int)d->v1 + v->size_delta);
	_Alignas(8) unsigned char st[128];
	struct err_env e;
	void *p;
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
	if (expect_errno(t, d->name, rc, v->want) != 0)
		return -1;
	return env_close(t, &e);
}

void errors_register(struct registry *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(send_cases); i++)
		reg_add(r, "errors", send_case_test, &send_cases[i], "%s",
			send_cases[i].name)->need = send_cases[i].need;
	for (size_t i = 0; i < ARRAY_SIZE(raw_variants); i++) {
		for (unsigned int k = 0; k < IOC_COUNT; k++) {
			struct raw_case *c;

			if (!(raw_variants[i].iocs & (1U << k)))
				continue;
			c = xcalloc(1, sizeof(*c));
			c->v = &raw_variants[i];
			c->ioc = &ioc_list[k];
			reg_add(r, "errors", raw_case_test, c, "%s-%s",
				raw_variants[i].name, ioc_list[k].name);
		}
	}
}
