// SPDX-License-Identifier: GPL-2.0
/*
 * common.c - failure reporting, the method and filesystem tables, and the
 * small system and uAPI helpers every test uses.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "zct.h"

#define TMPFS_MAGIC 0x01021994
#define EXT4_SUPER_MAGIC 0xEF53

/*
 * Accounting on loopback, which gathers page fragments (SG): the page
 * methods hand pages by reference, COPY copies into its bounce buffer and
 * the socket copies again, MMAP lets the socket copy once.  AUTO resolves
 * to PAGES; DIRECT's copies are not part of the contract.
 */
const struct method_desc method_desc[ZCOPY_METHOD_COUNT] = {
	[ZCOPY_METHOD_AUTO] = { "auto", 1, 0, false },
	[ZCOPY_METHOD_COPY] = { "copy", 0, 2, true },
	[ZCOPY_METHOD_MMAP] = { "mmap", 0, 1, true },
	[ZCOPY_METHOD_SPLICE] = { "splice", 1, 0, true },
	[ZCOPY_METHOD_PAGES] = { "pages", 1, 0, true },
	[ZCOPY_METHOD_DIRECT] = { "direct", 1, RATIO_ANY, true },
};

const struct fsdesc fs_list[FS_COUNT] = {
	[FS_TMPFS] = { "tmpfs", "/tmp", "/tmp/zcopy-guest", TMPFS_MAGIC },
	[FS_EXT4] = { "ext4", "/mnt/ext4", "/mnt/ext4/zcopy-guest",
		      EXT4_SUPER_MAGIC },
};

const struct ioc_desc ioc_list[IOC_COUNT] = {
	[IOC_INFO] = { "info", ZCOPY_IOC_INFO, sizeof(struct zcopy_info),
		       offsetof(struct zcopy_info, reserved) },
	[IOC_SEND] = { "send", ZCOPY_IOC_SEND, sizeof(struct zcopy_send),
		       offsetof(struct zcopy_send, reserved) },
	[IOC_COUNTERS] = { "counters", ZCOPY_IOC_COUNTERS,
			   sizeof(struct zcopy_counters),
			   offsetof(struct zcopy_counters, reserved) },
};

bool method_supported(const struct tctx *t, unsigned int method)
{
	return method < ZCOPY_METHOD_COUNT && (t->info.methods & (1U << method));
}

unsigned int method_resolved(unsigned int method)
{
	return method == ZCOPY_METHOD_AUTO ? ZCOPY_METHOD_PAGES : method;
}

const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown errno";
}

static int vfail(struct tctx *t, int err, const char *fmt, va_list ap)
{
	size_t cap = sizeof(t->reason), n = 0;
	int k;

	if (t->reason[0])
		return -1;
	if (t->where[0]) {
		k = snprintf(t->reason, cap, "%s: ", t->where);
		n = k < 0 ? 0 : ((size_t)k < cap ? (size_t)k : cap - 1);
	}
	k = vsnprintf(t->reason + n, cap - n, fmt, ap);
	n += k < 0 ? 0 : ((size_t)k < cap - n ? (size_t)k : cap - n - 1);
	if (err)
		snprintf(t->reason + n, cap - n, ": %s (%s)", errno_name(err),
			 strerror(err));
	/* The harness reads one line per test. */
	for (char *p = t->reason; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (!t->reason[0])
		snprintf(t->reason, cap, "failed");
	return -1;
}

int fail(struct tctx *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(t, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int fail_errno(struct tctx *t, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vfail(t, err, fmt, ap);
	va_end(ap);
	return -1;
}

int check_u64(struct tctx *t, const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return 0;
	return fail(t, "%s: expected %llu, got %llu", what,
		    (unsigned long long)want, (unsigned long long)got);
}

int expect_errno(struct tctx *t, const char *what, int rc, int want)
{
	int err = errno;

	if (rc != -1)
		return fail(t, "%s: expected -1 with %s, got %d", what,
			    errno_name(want), rc);
	if (err != want)
		return fail(t, "%s: expected %s, got %s (%s)", what,
			    errno_name(want), errno_name(err), strerror(err));
	return 0;
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads until @len bytes or EOF; returns the count, or -1 on error. */
ssize_t read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int set_sock_timeout(int fd, int opt, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int listener_at(struct sockaddr_storage *addr, socklen_t *addrlen)
{
	int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)addr, *addrlen) != 0 ||
	    listen(fd, 4) != 0 ||
	    getsockname(fd, (struct sockaddr *)addr, addrlen) != 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int loopback_listener(int family, struct sockaddr_storage *addr,
		      socklen_t *addrlen)
{
	memset(addr, 0, sizeof(*addr));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)addr;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		*addrlen = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)addr;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*addrlen = sizeof(*a);
	}
	return listener_at(addr, addrlen);
}

long resident_pages(struct tctx *t, int fd, uint64_t size)
{
	const size_t pages = (size + 4095) >> ZC_PAGE_SHIFT;
	unsigned char *vec = malloc(pages ? pages : 1);
	void *m = size ? mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0) : NULL;
	long n = -1;

	if (!vec || m == MAP_FAILED || (size && mincore(m, size, vec) != 0)) {
		fail_errno(t, "mincore");
	} else {
		n = 0;
		for (size_t i = 0; i < pages; i++)
			n += vec[i] & 1;
	}
	if (m && m != MAP_FAILED)
		munmap(m, size);
	free(vec);
	return n;
}

void send_req(struct zcopy_send *req, int in_fd, int out_fd,
	      unsigned int method, uint64_t offset, uint64_t len)
{
	memset(req, 0, sizeof(*req));
	req->size = sizeof(*req);
	req->in_fd = in_fd;
	req->out_fd = out_fd;
	req->method = method;
	req->offset = offset;
	req->len = len;
}

int zc_ioctl_sized(int dev, unsigned long cmd, void *st, size_t v1,
		   uint32_t size, unsigned char tail)
{
	/* Aligned like the uAPI structs; big enough for every test's size. */
	_Alignas(8) unsigned char buf[256];
	int rc, err;

	if (v1 > sizeof(buf) || size > sizeof(buf)) {
		errno = EOVERFLOW;
		return -1;
	}
	memset(buf, 0, sizeof(buf));
	memcpy(buf, st, v1);
	memcpy(buf, &size, sizeof(size));	/* every struct starts with size */
	if (size > v1)
		memset(buf + v1, tail, size - v1);
	rc = ioctl(dev, cmd, buf);
	err = errno;
	memcpy(st, buf, v1);
	errno = err;
	return rc;
}
