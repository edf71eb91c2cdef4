// SPDX-License-Identifier: GPL-2.0
/*
 * t_libzcopy.c - the "libzcopy" group: zcopy_sendv_all() (linked in from
 * userspace/libzcopy.c) on a vector longer than one call takes, with a
 * memory segment longer than one call's memory, to a non-blocking socket
 * whose reader starts late: calls stop part-way and with EAGAIN, and
 * calling again resumes until the stream is whole, byte for byte.  And a
 * file shorter than its segment: ENODATA, with the bytes that went
 * counted.  And zcopyctl send's vector, which goes through it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "libzcopy.h"
#include "zct.h"

#define LATE_READER_MS 300	/* the socket fills before the reader starts */
#define SMALL_SNDBUF (64 * 1024)
#define TINY_SEGS 1100		/* more than ZCOPY_SENDV_MAX_SEGS */

struct stream {
	struct zcopy_segment *seg;
	uint32_t n;
	unsigned char *bytes;	/* the whole stream, as the peer must see it */
	size_t len;
	unsigned char *mem;	/* the memory segments' bytes */
	size_t mem_used;
};

static void add_mem(struct stream *s, size_t len, unsigned char salt)
{
	unsigned char *p = s->mem + s->mem_used;

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 131 + salt);
	s->mem_used += len;
	s->seg[s->n++] = (struct zcopy_segment){
		.type = ZCOPY_SEG_MEMORY, .addr = (uintptr_t)p, .len = len };
	memcpy(s->bytes + s->len, p, len);
	s->len += len;
}

static void add_file(struct stream *s, const struct tfile *f, int fd,
		     uint64_t off, uint64_t len)
{
	s->seg[s->n++] = (struct zcopy_segment){
		.type = ZCOPY_SEG_FILE, .fd = fd, .offset = off, .len = len };
	pattern_fill(f->seed, off, s->bytes + s->len, len);
	s->len += len;
}

/* A child that accepts on @lfd, waits @delay_ms, reads to EOF and exits 0
 * only if it got exactly @want (@len bytes); its reason on stderr. */
static pid_t reader_start(int lfd, const unsigned char *want, size_t len,
			  long delay_ms)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	int sock = accept(lfd, NULL, NULL);
	unsigned char *buf = malloc(64 * KIB);
	size_t got = 0;

	if (sock < 0 || !buf)
		_exit(3);
	set_sock_timeout(sock, SO_RCVTIMEO, SEND_TIMEOUT_MS);
	sleep_ms(delay_ms);
	for (;;) {
		ssize_t r = read(sock, buf, 64 * KIB);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "reader: read after %zu bytes: %s\n", got,
				strerror(errno));
			_exit(4);
		}
		if (!r)
			break;
		if (got + r > len || memcmp(buf, want + got, r)) {
			size_t i = 0;

			while (got + i < len && i < (size_t)r && buf[i] == want[got + i])
				i++;
			fprintf(stderr, "reader: byte %zu differs (stream of %zu bytes)\n",
				got + i, len);
			_exit(5);
		}
		got += r;
	}
	if (got != len) {
		fprintf(stderr, "reader: %zu of %zu bytes\n", got, len);
		_exit(6);
	}
	_exit(0);
}

/* Connect @sock to a reader of @s; the reader's pid, or -1 after fail(). */
static pid_t connect_reader(struct tctx *t, int *sock, const struct stream *s,
			    long delay_ms)
{
	struct sockaddr_storage addr;
	socklen_t alen;
	int lfd = loopback_listener(AF_INET, &addr, &alen);
	pid_t pid;

	if (lfd < 0)
		return fail_errno(t, "listen");
	pid = reader_start(lfd, s->bytes, s->len, delay_ms);
	if (pid < 0) {
		close(lfd);
		return fail_errno(t, "fork");
	}
	*sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*sock < 0 || connect(*sock, (struct sockaddr *)&addr, alen) != 0) {
		close(lfd);
		return fail_errno(t, "connect");
	}
	close(lfd);
	return pid;
}

static int reader_finish(struct tctx *t, int sock, pid_t pid)
{
	int status;

	if (sock >= 0)
		close(sock);
	if (waitpid(pid, &status, 0) != pid)
		return fail_errno(t, "waitpid reader");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fail(t, "the reader saw another stream (wait status 0x%x, its reason on the console)",
			    status);
	return 0;
}

static int sendv_all_resume_test(struct tctx *t, const void *arg)
{
	struct tfile big, small;
	struct stream s = { 0 };
	struct ctrs before, after;
	struct zcopy_sendv req = { 0 };
	uint64_t total = 0, ncalls = 0, calls, eagain = 0, rounds = 0;
	int fdb, fds, sock = -1, sndbuf = SMALL_SNDBUF, rc = -1;
	size_t mem = 100 + 2 * MIB + 5 + 7 + TINY_SEGS;
	pid_t pid;

	(void)arg;
	fdb = tfile_open(t, &fs_list[FS_TMPFS], MIB + 13, &big);
	fds = tfile_open(t, &fs_list[FS_TMPFS], 4097, &small);
	if (fdb < 0 || fds < 0)
		return -1;
	s.seg = calloc(TINY_SEGS + 8, sizeof(*s.seg));
	s.mem = malloc(mem);
	s.bytes = malloc(mem + big.size + small.size);
	if (!s.seg || !s.mem || !s.bytes)
		return fail_errno(t, "malloc");
	/* Header, a file, a memory segment of more than one call's memory,
	 * a file, a trailer, then more one-byte pieces than one call takes,
	 * each batch ending between two of them. */
	add_mem(&s, 100, 1);
	add_file(&s, &big, fdb, 0, big.size);
	add_mem(&s, 2 * MIB + 5, 2);
	add_file(&s, &small, fds, 0, small.size);
	add_mem(&s, 7, 3);
	for (int i = 0; i < TINY_SEGS; i++)
		add_mem(&s, 1, (unsigned char)i);

	pid = connect_reader(t, &sock, &s, LATE_READER_MS);
	if (pid < 0)
		goto out;
	if (setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) ||
	    set_nonblock(sock) || counters_read_open(t, t->dev, &before)) {
		fail_errno(t, "socket setup");
		goto out;
	}
	req = (struct zcopy_sendv){ .out_fd = sock, .segs = (uintptr_t)s.seg,
				    .count = s.n };
	for (uint64_t end = now_ms() + SEND_TIMEOUT_MS;; rounds++) {
		uint32_t idx = req.seg_index;
		uint64_t off = req.seg_sent;
		int64_t n = zcopy_sendv_all(t->dev, &req, &calls);
		int err = errno;

		ncalls += calls;
		total += req.sent;
		if ((n >= 0 && (uint64_t)n != req.sent) ||
		    req.seg_index < idx || (req.seg_index == idx && req.seg_sent < off)) {
			fail(t, "round %llu: returned %lld, sent %llu, position %u+%llu after %u+%llu",
			     (unsigned long long)rounds, (long long)n,
			     (unsigned long long)req.sent, req.seg_index,
			     (unsigned long long)req.seg_sent, idx,
			     (unsigned long long)off);
			goto out;
		}
		if (n >= 0)
			break;
		if (err != EAGAIN) {
			errno = err;
			fail_errno(t, "round %llu: zcopy_sendv_all at segment %u+%llu",
				   (unsigned long long)rounds, req.seg_index,
				   (unsigned long long)req.seg_sent);
			goto out;
		}
		eagain++;
		if (now_ms() > end) {
			fail(t, "still EAGAIN after %llu rounds", (unsigned long long)rounds);
			goto out;
		}
		struct pollfd p = { .fd = sock, .events = POLLOUT };

		poll(&p, 1, 1000);
	}
	if (check_u64(t, "bytes sent", total, s.len) ||
	    check_u64(t, "seg_index at the end", req.seg_index, s.n) ||
	    check_u64(t, "seg_sent at the end", req.seg_sent, 0))
		goto out;
	/* The late reader makes the socket full: at least one EAGAIN, and
	 * more calls than the batches alone need. */
	if (!eagain) {
		fail(t, "no EAGAIN in %llu calls: the resume was not exercised",
		     (unsigned long long)ncalls);
		goto out;
	}
	if (counters_read_open(t, t->dev, &after) ||
	    check_u64(t, "transfers (successful calls)",
		      after.v[C_TRANSFERS] - before.v[C_TRANSFERS], ncalls) ||
	    check_u64(t, "bytes", after.v[C_BYTES] - before.v[C_BYTES], s.len) ||
	    check_u64(t, "errors (EAGAIN)", after.v[C_ERRORS] - before.v[C_ERRORS],
		      eagain))
		goto out;
	rc = reader_finish(t, sock, pid);
	sock = -1;
out:
	if (sock >= 0)
		close(sock);
	free(s.seg);
	free(s.mem);
	free(s.bytes);
	close(fdb);
	close(fds);
	return rc;
}

/* A file segment longer than the file: the kernel sends what there is and
 * goes on; zcopy_sendv_all() says ENODATA, with every output filled. */
static int sendv_all_short_file_test(struct tctx *t, const void *arg)
{
	struct tfile f;
	struct stream s = { 0 };
	struct zcopy_segment seg[3];
	unsigned char mem[20], bytes[20 + 4097];
	uint64_t calls;
	int fd, sock, rc;
	pid_t pid;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], 4097, &f);
	if (fd < 0)
		return -1;
	s = (struct stream){ .seg = seg, .mem = mem, .bytes = bytes };
	add_mem(&s, 10, 7);
	add_file(&s, &f, fd, 0, f.size);
	add_mem(&s, 10, 8);
	seg[1].len = f.size + 1000;	/* the file has 1000 bytes less */
	pid = connect_reader(t, &sock, &s, 0);
	if (pid < 0) {
		close(fd);
		return -1;
	}
	struct zcopy_sendv req = { .out_fd = sock, .segs = (uintptr_t)seg,
				   .count = 3 };
	int64_t n = zcopy_sendv_all(t->dev, &req, &calls);

	close(fd);
	rc = expect_errno(t, "zcopy_sendv_all", n < 0 ? -1 : 0, ENODATA);
	if (!rc)
		rc = check_u64(t, "sent", req.sent, s.len) ||
		     check_u64(t, "seg_index", req.seg_index, 3) ||
		     check_u64(t, "calls", calls, 1);
	if (rc) {
		close(sock);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return reader_finish(t, sock, pid);
}

/* Write @len bytes of @s's memory at @off to a new file @path. */
static int write_piece(struct tctx *t, const char *path, const unsigned char *p,
		       size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write_full(fd, p, len) != 0) {
		if (fd >= 0)
			close(fd);
		return fail_errno(t, "write %s", path);
	}
	close(fd);
	return 0;
}

/* zcopyctl send --header --trailer with two files: its SENDV stream goes
 * through zcopy_sendv_all(), and the peer gets it whole. */
static int zcopyctl_vector_test(struct tctx *t, const void *arg)
{
	struct tfile big, small;
	struct zcopy_segment seg[4];
	unsigned char mem[300 + 50];
	struct stream s = { .seg = seg, .mem = mem };
	struct sockaddr_storage addr;
	char head[200], tail[200], dest[64];
	socklen_t alen;
	int fdb, fds, lfd, status;
	pid_t reader, ctl;

	(void)arg;
	fdb = tfile_open(t, &fs_list[FS_TMPFS], MIB + 13, &big);
	fds = tfile_open(t, &fs_list[FS_TMPFS], 4097, &small);
	if (fdb < 0 || fds < 0)
		return -1;
	s.bytes = malloc(sizeof(mem) + big.size + small.size);
	if (!s.bytes)
		return fail_errno(t, "malloc");
	add_mem(&s, 300, 11);
	add_file(&s, &big, fdb, 0, big.size);
	add_file(&s, &small, fds, 0, small.size);
	add_mem(&s, 50, 12);
	close(fdb);
	close(fds);
	snprintf(head, sizeof(head), "%s/zc-vector-head", fs_list[FS_TMPFS].dir);
	snprintf(tail, sizeof(tail), "%s/zc-vector-tail", fs_list[FS_TMPFS].dir);
	if (write_piece(t, head, mem, 300) || write_piece(t, tail, mem + 300, 50))
		return -1;
	lfd = loopback_listener(AF_INET, &addr, &alen);
	if (lfd < 0)
		return fail_errno(t, "listen");
	snprintf(dest, sizeof(dest), "127.0.0.1:%u",
		 ntohs(((struct sockaddr_in *)&addr)->sin_port));
	reader = reader_start(lfd, s.bytes, s.len, 0);
	if (reader < 0)
		return fail_errno(t, "fork");
	close(lfd);
	ctl = fork();
	if (ctl < 0)
		return fail_errno(t, "fork");
	if (ctl == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execlp("zcopyctl", "zcopyctl", "send", big.path, small.path, dest,
		       "--header", head, "--trailer", tail, (char *)NULL);
		_exit(127);
	}
	if (waitpid(ctl, &status, 0) != ctl)
		return fail_errno(t, "waitpid zcopyctl");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		kill(reader, SIGKILL);
		return fail(t, "zcopyctl send ended with wait status 0x%x (its message on the console)",
			    status);
	}
	free(s.bytes);
	return reader_finish(t, -1, reader);
}

void libzcopy_register(struct registry *r)
{
	reg_add(r, "libzcopy", sendv_all_resume_test, NULL,
		"sendv-all-resumes-nonblocking")->timeout_s = TIMEOUT_LONG_S;
	reg_add(r, "libzcopy", sendv_all_short_file_test, NULL,
		"sendv-all-short-file-enodata");
	reg_add(r, "libzcopy", zcopyctl_vector_test, NULL,
		"zcopyctl-send-header-files-trailer");
}
