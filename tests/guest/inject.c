// SPDX-License-Identifier: GPL-2.0
/*
 * inject.c - socket byte counts, memory that is not there, cold files and
 * the kernel's fault-injection knobs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/sockios.h>
#include <linux/tcp.h>

#include "inject.h"

#define PAGE 4096

int sock_written(int fd, uint64_t *bytes)
{
	/* An ACK moves bytes from the queue to "acked" between the two
	 * reads: retry until the acked count stood still around them. */
	for (int i = 0; i < 1000; i++) {
		struct tcp_info a, b;
		socklen_t la = sizeof(a), lb = sizeof(b);
		int outq;

		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &a, &la) != 0 ||
		    ioctl(fd, SIOCOUTQ, &outq) != 0 ||
		    getsockopt(fd, IPPROTO_TCP, TCP_INFO, &b, &lb) != 0)
			return -1;
		if (a.tcpi_bytes_acked == b.tcpi_bytes_acked) {
			*bytes = a.tcpi_bytes_acked + (uint64_t)outq;
			return 0;
		}
	}
	errno = EAGAIN;
	return -1;
}

int sock_wait_stalled(struct tctx *t, int fd, long quiet_ms, uint64_t *bytes)
{
	uint64_t last = UINT64_MAX, since = now_ms(), end = now_ms() + 60000;

	while (now_ms() < end) {
		uint64_t w;

		if (sock_written(fd, &w) != 0)
			return fail_errno(t, "TCP_INFO/SIOCOUTQ");
		if (w != last) {
			last = w;
			since = now_ms();
		} else if (w && now_ms() - since >= (uint64_t)quiet_ms) {
			*bytes = w;
			return 0;
		}
		sleep_ms(10);
	}
	return fail(t, "the sender never stalled (%llu bytes written)",
		    (unsigned long long)last);
}

void *guarded_page(struct tctx *t)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fail_errno(t, "mmap");
		return NULL;
	}
	if (mprotect(p + PAGE, PAGE, PROT_NONE) != 0) {
		fail_errno(t, "mprotect");
		return NULL;
	}
	return p;
}

void *readonly_page(struct tctx *t, const void *src, size_t len)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fail_errno(t, "mmap");
		return NULL;
	}
	if (len)
		memcpy(p, src, len > PAGE ? PAGE : len);
	if (mprotect(p, PAGE, PROT_READ) != 0) {
		fail_errno(t, "mprotect");
		return NULL;
	}
	return p;
}

void *unmapped_page(struct tctx *t)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || munmap(p, PAGE) != 0) {
		fail_errno(t, "mmap/munmap");
		return NULL;
	}
	return p;
}

int private_file(struct tctx *t, const struct fsdesc *fs, uint64_t size,
		 const char *tag, struct tfile *f)
{
	const size_t chunk = 256 * 1024;
	unsigned char *buf = malloc(chunk);
	int fd;

	f->size = size;
	f->seed = pattern_seed(size);
	snprintf(f->path, sizeof(f->path), "%s/priv-%s-%d-%llu", fs->dir, tag,
		 (int)getpid(), (unsigned long long)size);
	fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return fail_errno(t, "create %s", f->path);
	}
	for (uint64_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? (size_t)(size - off) : chunk;

		pattern_fill(f->seed, off, buf, n);
		if (write_full(fd, buf, n) != 0) {
			free(buf);
			close(fd);
			return fail_errno(t, "write %s", f->path);
		}
	}
	free(buf);
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return fail_errno(t, "lseek %s", f->path);
	}
	return fd;
}

int cold_file(struct tctx *t, const struct fsdesc *fs, uint64_t size,
	      int flags, struct tfile *f)
{
	int fd = private_file(t, fs, size, "cold", f), cold;

	if (fd < 0)
		return -1;
	if (fsync(fd) != 0) {
		close(fd);
		return fail_errno(t, "fsync %s", f->path);
	}
	close(fd);
	cold = open(f->path, flags | O_CLOEXEC);
	if (cold < 0)
		return fail_errno(t, "open %s", f->path);
	/* Clean pages only, after the fsync: all of them go. */
	errno = posix_fadvise(cold, 0, 0, POSIX_FADV_DONTNEED);
	if (errno) {
		close(cold);
		return fail_errno(t, "POSIX_FADV_DONTNEED %s", f->path);
	}
	return cold;
}

#define COLD_TRIES 30
#define COLD_PAUSE_MS 100

/*
 * Drop the file's clean pages and every other cache: the next read of it
 * goes to storage.  Every test that needs a file cold comes here.  Both skip a page with extra references.  A page just
 * added to the cache holds one in the LRU batch of the CPU that added it
 * until that batch drains: POSIX_FADV_DONTNEED drains every CPU's batch
 * when it meets such a page; drop_caches does too on 6.12, not on 6.1.  A
 * page that went to a socket has references until the socket lets it go:
 * so try again a little later.
 */
int make_cold(struct tctx *t, int fd, uint64_t size)
{
	long left = 0;

	if (fsync(fd) != 0)
		return fail_errno(t, "fsync");
	for (int i = 0; i < COLD_TRIES; i++) {
		if (i)
			sleep_ms(COLD_PAUSE_MS);
		errno = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (errno)
			return fail_errno(t, "POSIX_FADV_DONTNEED");
		if (knob_write(t, "/proc/sys/vm/drop_caches", "3") != 0)
			return -1;
		left = resident_pages(t, fd, size);
		if (left <= 0)
			return (int)left;
	}
	return fail(t, "%ld pages still cached after drop_caches, %d times %d ms apart",
		    left, COLD_TRIES, COLD_PAUSE_MS);
}

int knob_write(struct tctx *t, const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return fail_errno(t, "open %s", path);
	n = write(fd, val, strlen(val));
	close(fd);
	if (n != (ssize_t)strlen(val))
		return fail_errno(t, "write '%s' to %s", val, path);
	return 0;
}

int failnth_setup(struct tctx *t)
{
	static const char *const knobs[][2] = {
		{ DEBUGFS "/failslab/verbose", "0" },
		{ DEBUGFS "/failslab/ignore-gfp-wait", "N" },
		{ DEBUGFS "/fail_page_alloc/verbose", "0" },
		{ DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N" },
		{ DEBUGFS "/fail_page_alloc/min-order", "0" },
		{ DEBUGFS "/fail_usercopy/verbose", "0" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++)
		if (knob_write(t, knobs[i][0], knobs[i][1]) != 0)
			return -1;
	return 0;
}

int failnth_open(struct tctx *t)
{
	int fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);

	return fd < 0 ? fail_errno(t, "open /proc/thread-self/fail-nth") : fd;
}

int failnth_arm(struct tctx *t, int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fd, buf, (size_t)len, 0) != len)
		return fail_errno(t, "arm fail-nth %u", n);
	return 0;
}

int failnth_disarm(struct tctx *t, int fd)
{
	char buf[16];
	ssize_t n;
	int pending;

	/*
	 * The read's own copy to user space is a fault site: a count of 1
	 * still pending fails it with EFAULT (and is consumed by it).
	 */
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0 && errno == EFAULT) {
		pending = 1;
	} else if (n <= 0) {
		return fail_errno(t, "read fail-nth");
	} else {
		buf[n] = '\0';
		pending = strtoul(buf, NULL, 10) != 0;
	}
	/* Writing 0 always ends at 0, even if its copy is the fault. */
	if (pwrite(fd, "0", 1, 0) != 1 && errno != EFAULT)
		return fail_errno(t, "disarm fail-nth");
	return pending;
}

int eio_start(struct tctx *t)
{
	static const char *const knobs[][2] = {
		{ DEBUGFS "/fail_make_request/verbose", "0" },
		{ DEBUGFS "/fail_make_request/task-filter", "Y" },
		{ DEBUGFS "/fail_make_request/interval", "1" },
		{ DEBUGFS "/fail_make_request/times", "-1" },
		{ DEBUGFS "/fail_make_request/space", "0" },
		{ DEBUGFS "/fail_make_request/probability", "100" },
		{ "/sys/block/vda/make-it-fail", "1" },
		{ "/proc/thread-self/make-it-fail", "1" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++)
		if (knob_write(t, knobs[i][0], knobs[i][1]) != 0)
			return -1;
	return 0;
}

int eio_stop(struct tctx *t)
{
	int rc = 0;

	rc |= knob_write(t, "/proc/thread-self/make-it-fail", "0");
	rc |= knob_write(t, DEBUGFS "/fail_make_request/probability", "0");
	rc |= knob_write(t, "/sys/block/vda/make-it-fail", "0");
	return rc ? -1 : 0;
}
