// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: the test files, the page cache they live in, and the
 * pages the send paths lend to sockets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "bench_int.h"

/* An unlinked file of size bytes in dir, on storage and clean. */
int make_file(const char *dir, uint64_t size, unsigned char *buf, bool sync)
{
	char path[PATH_MAX];
	uint64_t seed = 0x9e3779b97f4a7c15ULL ^ size;

	snprintf(path, sizeof(path), "%s/zcopy-bench-XXXXXX", dir);
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -1;
	unlink(path);		/* gone however we exit */
	/* Not zeros: a filesystem could keep those as holes. */
	for (size_t i = 0; i < IO_BUF_SIZE; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		buf[i] = seed;
	}
	for (uint64_t off = 0; off < size;) {
		ssize_t n = write(fd, buf, size - off < IO_BUF_SIZE ? size - off : IO_BUF_SIZE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = ENOSPC;
			goto fail;
		}
		off += n;
	}
	if (!sync || !fsync(fd))
		return fd;
fail:;
	int err = errno;

	close(fd);
	errno = err;
	return -1;
}

/* Fraction of the file's pages in the page cache (mincore), or -1. */
double resident_fraction(int fd, uint64_t size)
{
	size_t pages = (size + getpagesize() - 1) / getpagesize();
	unsigned char *vec = malloc(pages);
	void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	size_t in = 0;
	double ret = -1;

	if (vec && p != MAP_FAILED && !mincore(p, size, vec)) {
		for (size_t i = 0; i < pages; i++)
			in += vec[i] & 1;
		ret = (double)in / pages;
	}
	if (p != MAP_FAILED)
		munmap(p, size);
	free(vec);
	return ret;
}

int write_drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	ssize_t n = write(fd, "1", 1);
	int err = errno;

	close(fd);
	errno = err;
	return n == 1 ? 0 : -1;
}

/*
 * A socket buffer freed on a CPU other than the one that allocated it waits
 * in that CPU's list until it next runs its network receive softirq
 * (skb_attempt_defer_free), still holding the page-cache pages sendfile,
 * splice and zcopy lent to it.  A datagram over loopback sent from each CPU
 * in turn runs that softirq everywhere.
 */
void flush_deferred_frees(int udp)
{
	cpu_set_t all, one;

	if (udp < 0 || sched_getaffinity(0, sizeof(all), &all))
		return;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (!sched_setaffinity(0, sizeof(one), &one))
			send(udp, "", 0, 0);
	}
	sched_setaffinity(0, sizeof(all), &all);
	while (recv(udp, NULL, 0, MSG_DONTWAIT) >= 0)
		;
}

/* A UDP socket on 127.0.0.1 connected to itself, for the above; or -1. */
int self_udp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
			getsockname(fd, (struct sockaddr *)&a, &len) ||
			connect(fd, (struct sockaddr *)&a, sizeof(a))))
		close_fd(&fd);
	return fd;
}
