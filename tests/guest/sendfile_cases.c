// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-sendfile-cases: sendfile(2) and sendfile64() in every situation a
 * program meets, written down as a transcript: what each call returned,
 * errno, the offset, the file position and the SIGPIPEs it raised.
 * tests/qemu/guest-server.sh runs it twice, with libzcopy-sendfile.so
 * preloaded and without, and the two transcripts must be the same line for
 * line: the interposer changes nothing a program can see.  Counts that
 * depend on socket buffers (a partial send) are written as what they are
 * ("partial"), and every byte that arrived is compared with the file
 * ("bytes ok"; a failure is written in capitals: MISMATCH, SHORT, WRONG,
 * FAILED, OPEN).  The last line, "tcp-file-bytes N", is how many bytes went
 * from a regular file to a TCP socket: what zcopy's counters must rise by
 * under the interposer, and not at all without it.
 *
 *   zcopy-sendfile-cases DIR     (files are made in DIR)
 *
 * Exit status 0, or 2 when the test itself could not be set up.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG_SIZE	(4 * 1024 * 1024 + 13)
#define FILE_SIZE	(1024 * 1024 + 13)

static uint64_t tcp_file_bytes;
static volatile sig_atomic_t sigpipes, alarms;
static unsigned char *pattern;	/* the files' content: BIG_SIZE bytes */

static void die(const char *what)
{
	printf("SETUP-ERROR %s: %s\n", what, strerror(errno));
	exit(2);
}

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* One call's result: the value, errno when it failed, the SIGPIPEs. */
#define RESULT(name, call) do {					\
		ssize_t r_ = (call);				\
		result(name, r_, errno);			\
	} while (0)

static void result(const char *name, ssize_t ret, int err)
{
	int pipes = sigpipes;

	sigpipes = 0;
	if (ret < 0)
		line("%s: -1 %s sigpipe %d", name, strerrorname_np(err), pipes);
	else
		line("%s: %zd sigpipe %d", name, ret, pipes);
}

static int make_file(const char *dir, const char *name, size_t size)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, pattern, size) != (ssize_t)size || fsync(fd))
		die(path);
	close(fd);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	return fd;
}

/* ---- the receiving end: a thread reads until EOF, maybe after a gate ---- */
struct sink {
	int fd;
	int gate[2];		/* the reader waits for a byte here first */
	unsigned char *buf;
	size_t len, cap;
	pthread_t thread;
};

static void *sink_main(void *arg)
{
	struct sink *s = arg;
	char c;
	ssize_t n;

	if (s->gate[0] >= 0 && read(s->gate[0], &c, 1) != 1)
		return NULL;
	for (;;) {
		if (s->len == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 1 << 16;
			s->buf = realloc(s->buf, s->cap);
			if (!s->buf)
				die("realloc");
		}
		n = read(s->fd, s->buf + s->len, s->cap - s->len);
		if (n <= 0)
			break;
		s->len += n;
	}
	return NULL;
}

/* Reads @fd on a thread of its own; @gated: only once sink_open() says so. */
static void sink_start(struct sink *s, int fd, bool gated)
{
	sigset_t all, old;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->gate[0] = s->gate[1] = -1;
	if (gated && pipe(s->gate))
		die("pipe");
	/* Signals are the sender's: the reader never takes SIGALRM. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&s->thread, NULL, sink_main, s))
		die("pthread_create");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void sink_open(struct sink *s)
{
	if (s->gate[1] >= 0 && write(s->gate[1], "", 1) != 1)
		die("gate");
}

/* Waits for EOF and says whether the bytes are the file's from @off. */
static const char *sink_end(struct sink *s, size_t off, size_t len)
{
	bool ok;

	sink_open(s);
	pthread_join(s->thread, NULL);
	ok = s->len == len && !memcmp(s->buf, pattern + off, len);
	close(s->fd);
	if (s->gate[0] >= 0) {
		close(s->gate[0]);
		close(s->gate[1]);
	}
	free(s->buf);
	return ok ? "bytes ok" : "bytes MISMATCH";
}

/*
 * A connected loopback TCP pair: *@out the sender, *@in the receiver.
 * @bufsize: SO_SNDBUF and SO_RCVBUF when not 0, so a stalled reader fills
 * the path soon.
 */
static void tcp_pair(int *out, int *in, int bufsize)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0)
		die("socket");
	if (bufsize && setsockopt(l, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize)))
		die("SO_RCVBUF");
	if (bind(l, (void *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (void *)&a, &alen))
		die("listen");
	*out = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*out < 0)
		die("socket");
	if (bufsize && setsockopt(*out, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize)))
		die("SO_SNDBUF");
	if (connect(*out, (void *)&a, sizeof(a)))
		die("connect");
	*in = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (*in < 0)
		die("accept");
	close(l);
}

static off_t file_pos(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

/* @f whole to a new connection, from offset 0: the result and the bytes. */
static void send_whole(const char *name, int f)
{
	struct sink s;
	off_t off = 0;
	ssize_t r;
	int out, in;

	tcp_pair(&out, &in, 0);
	sink_start(&s, in, false);
	r = sendfile(out, f, &off, FILE_SIZE);
	result(name, r, errno);
	tcp_file_bytes += r > 0 ? r : 0;
	close(out);
	line("%s: %s", name, sink_end(&s, 0, FILE_SIZE));
}

/* ---- the cases ---- */

/* Whole file at an offset, at the position, the end of file and past it. */
static void case_ranges(const char *dir)
{
	int f = make_file(dir, "ranges", FILE_SIZE), out, in;
	struct sink s;
	off_t off = 0;
	ssize_t r;

	tcp_pair(&out, &in, 0);
	sink_start(&s, in, false);
	r = sendfile(out, f, &off, FILE_SIZE);
	result("ranges/whole", r, errno);
	line("ranges/whole: offset %jd position %jd", (intmax_t)off, (intmax_t)file_pos(f));
	tcp_file_bytes += r > 0 ? r : 0;
	close(out);
	line("ranges/whole: %s", sink_end(&s, 0, FILE_SIZE));

	tcp_pair(&out, &in, 0);
	sink_start(&s, in, false);
	lseek(f, 4097, SEEK_SET);
	r = sendfile(out, f, NULL, 100000);
	result("ranges/position", r, errno);
	tcp_file_bytes += r > 0 ? r : 0;
	r = sendfile64(out, f, NULL, 5000);
	result("ranges/position64", r, errno);
	tcp_file_bytes += r > 0 ? r : 0;
	line("ranges/position: position %jd", (intmax_t)file_pos(f));
	off = FILE_SIZE - 100;
	r = sendfile(out, f, &off, 4096);
	result("ranges/to-eof", r, errno);
	tcp_file_bytes += r > 0 ? r : 0;
	r = sendfile(out, f, &off, 4096);
	result("ranges/at-eof", r, errno);
	off = FILE_SIZE + 5;
	r = sendfile(out, f, &off, 4096);
	result("ranges/past-eof", r, errno);
	off = 7;
	r = sendfile(out, f, &off, 0);
	result("ranges/count-zero", r, errno);
	line("ranges/offsets: offset %jd position %jd", (intmax_t)off, (intmax_t)file_pos(f));
	close(out);
	{
		/* What went: 100000 + 5000 from 4097, then the last 100. */
		unsigned char *want = malloc(105100);

		memcpy(want, pattern + 4097, 105000);
		memcpy(want + 105000, pattern + FILE_SIZE - 100, 100);
		pthread_join(s.thread, NULL);
		line("ranges/position: bytes %s", s.len == 105100 &&
		     !memcmp(s.buf, want, 105100) ? "ok" : "MISMATCH");
		close(s.fd);
		free(s.buf);
		free(want);
	}
	close(f);
}

/* What sendfile refuses: each must be refused the same way. */
static void case_refused(const char *dir)
{
	int f = make_file(dir, "refused", 65536), out, in, p[2], wr, dfd;
	off_t off;
	char path[512];

	tcp_pair(&out, &in, 0);
	off = -1;
	RESULT("refused/offset-minus-one", sendfile(out, f, &off, 100));
	off = -4096;
	RESULT("refused/offset-negative", sendfile64(out, f, &off, 100));
	snprintf(path, sizeof(path), "%s/refused", dir);
	wr = open(path, O_WRONLY);
	RESULT("refused/in-write-only", sendfile(out, wr, NULL, 100));
	close(wr);
	RESULT("refused/out-minus-one", sendfile(-1, f, NULL, 100));
	RESULT("refused/in-minus-one", sendfile(out, -1, NULL, 100));
	if (pipe(p))
		die("pipe");
	if (write(p[1], "abc", 3) != 3)
		die("write");
	off = 0;
	RESULT("refused/in-pipe-offset", sendfile(out, p[0], &off, 3));
	close(p[0]);
	close(p[1]);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	RESULT("refused/in-directory", sendfile(out, dfd, NULL, 100));
	close(dfd);
	fcntl(out, F_SETFL, fcntl(out, F_GETFL) | O_APPEND);
	RESULT("refused/out-append", sendfile(out, f, NULL, 100));
	line("refused: position %jd", (intmax_t)file_pos(f));
	close(out);
	close(in);
	out = socket(AF_INET, SOCK_STREAM, 0);
	RESULT("refused/tcp-unconnected", sendfile(out, f, NULL, 100));
	close(out);
	tcp_pair(&out, &in, 0);
	RESULT("refused/count-above-ssize-max", sendfile(out, f, NULL, SIZE_MAX));
	close(out);
	close(in);
	close(f);
}

/*
 * A connection that failed: its error is pending on the socket, and the
 * first send reports it (and clears it).
 */
static void case_failed_connect(const char *dir)
{
	int f = make_file(dir, "failed", 4096), l, out;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct pollfd pfd;

	/* A port nobody listens on: bound, then closed. */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || getsockname(l, (void *)&a, &alen))
		die("bind");
	close(l);
	out = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (out < 0 || (connect(out, (void *)&a, sizeof(a)) && errno != EINPROGRESS))
		die("connect");
	pfd.fd = out;
	pfd.events = POLLOUT;
	poll(&pfd, 1, 5000);
	RESULT("failed-connect/first", sendfile(out, f, NULL, 4096));
	RESULT("failed-connect/again", sendfile(out, f, NULL, 4096));
	close(out);
	close(f);
}

/* Outputs zcopy does not take: sendfile serves them. */
static void case_other_outputs(const char *dir)
{
	int f = make_file(dir, "outputs", 70000), sv[2], p[2], u, ur, o;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	unsigned char buf[2000];
	struct sink s;
	off_t off;
	char path[512];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	sink_start(&s, sv[1], false);
	off = 0;
	RESULT("outputs/unix-stream", sendfile(sv[0], f, &off, 70000));
	close(sv[0]);
	line("outputs/unix-stream: %s", sink_end(&s, 0, 70000));

	if (pipe(p))
		die("pipe");
	sink_start(&s, p[0], false);
	off = 100;
	RESULT("outputs/pipe", sendfile(p[1], f, &off, 30000));
	close(p[1]);
	line("outputs/pipe: %s", sink_end(&s, 100, 30000));

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ur = socket(AF_INET, SOCK_DGRAM, 0);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(ur, (void *)&a, sizeof(a)) || getsockname(ur, (void *)&a, &alen) ||
	    connect(u, (void *)&a, sizeof(a)))
		die("udp");
	off = 5;
	RESULT("outputs/udp", sendfile(u, f, &off, 1000));
	line("outputs/udp: bytes %s", recv(ur, buf, sizeof(buf), 0) == 1000 &&
	     !memcmp(buf, pattern + 5, 1000) ? "ok" : "MISMATCH");
	close(u);
	close(ur);

	snprintf(path, sizeof(path), "%s/outputs-copy", dir);
	o = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	off = 0;
	RESULT("outputs/regular-file", sendfile(o, f, &off, 70000));
	line("outputs/regular-file: bytes %s", pread(o, pattern + BIG_SIZE, 70000, 0) == 70000 &&
	     !memcmp(pattern + BIG_SIZE, pattern, 70000) ? "ok" : "MISMATCH");
	close(o);
	unlink(path);
	close(f);
}

/* A pseudo file, whose size says nothing: read to its end. */
static void case_procfs(void)
{
	int f = open("/proc/version", O_RDONLY), out, in;
	char want[4096];
	ssize_t n = read(f, want, sizeof(want)), r;
	struct sink s;

	if (f < 0 || n <= 0)
		die("/proc/version");
	lseek(f, 0, SEEK_SET);
	tcp_pair(&out, &in, 0);
	sink_start(&s, in, false);
	r = sendfile(out, f, NULL, 4096);
	line("procfs/version: %s", r == n ? "whole" : "SHORT");
	tcp_file_bytes += r > 0 ? r : 0;
	close(out);
	pthread_join(s.thread, NULL);
	line("procfs/version: bytes %s", (ssize_t)s.len == n &&
	     !memcmp(s.buf, want, n) ? "ok" : "MISMATCH");
	close(s.fd);
	free(s.buf);
	close(f);
}

/* The connection gone: reset by the peer, shut down by us. */
static void case_gone(const char *dir)
{
	int f = make_file(dir, "gone", 65536), out, in;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	tcp_pair(&out, &in, 0);
	setsockopt(in, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(in);
	usleep(100000);
	RESULT("gone/reset-first", sendfile(out, f, NULL, 65536));
	RESULT("gone/reset-again", sendfile(out, f, NULL, 65536));
	close(out);

	tcp_pair(&out, &in, 0);
	shutdown(out, SHUT_WR);
	RESULT("gone/shutdown", sendfile64(out, f, NULL, 65536));
	line("gone: position %jd", (intmax_t)file_pos(f));
	close(out);
	close(in);
	close(f);
}

/*
 * A stalled reader: the first call sends part, the next cannot send (a
 * full non-blocking socket, a signal, a send timeout).  Then the reader
 * goes on, the sender finishes the file, and every byte must arrive once.
 */
enum stall { STALL_NONBLOCK, STALL_SIGNAL, STALL_TIMEOUT };

static void case_stalled(const char *dir, enum stall how)
{
	static const char *const names[] = { "nonblock", "signal", "sndtimeo" };
	const char *name = names[how];
	int f = make_file(dir, name, BIG_SIZE), out, in;
	struct itimerval it = { .it_value.tv_usec = 200000 };
	struct timeval tv = { .tv_usec = 200000 };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct pollfd pfd;
	struct sink s;
	off_t off = 0;
	ssize_t r;
	bool sent_part = false;
	int err = 0, i;
	char what[64];

	tcp_pair(&out, &in, 65536);
	sink_start(&s, in, true);
	if (how == STALL_NONBLOCK)
		fcntl(out, F_SETFL, fcntl(out, F_GETFL) | O_NONBLOCK);
	if (how == STALL_TIMEOUT)
		setsockopt(out, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART */
	/*
	 * As long as calls go on sending, the path is not full yet: how many
	 * do depends on the buffers, so they are written as one "partial".
	 */
	for (i = 0; i < 100; i++) {
		if (how == STALL_SIGNAL)
			setitimer(ITIMER_REAL, &it, NULL);
		r = sendfile(out, f, &off, BIG_SIZE - off);
		err = errno;
		if (how == STALL_SIGNAL)
			while (!alarms)
				pause();
		alarms = 0;
		if (r <= 0)
			break;
		tcp_file_bytes += r;
		sent_part = true;
		if (off == BIG_SIZE)
			break;
	}
	if (r < 0)
		snprintf(what, sizeof(what), "-1 %s", strerrorname_np(err));
	else
		snprintf(what, sizeof(what), "%zd", r);
	line("%s/stalled: %s then %s", name, sent_part ? "partial" : "nothing", what);
	line("%s: offset %s", name, off > 0 && off < BIG_SIZE ? "part-way" : "WRONG");
	sink_open(&s);
	while (off < BIG_SIZE) {
		pfd.fd = out;
		pfd.events = POLLOUT;
		poll(&pfd, 1, -1);
		r = sendfile(out, f, &off, BIG_SIZE - off);
		if (r > 0)
			tcp_file_bytes += r;
		else if (r == 0 || (errno != EAGAIN && errno != EINTR))
			break;
	}
	line("%s: offset %s, position %jd", name, off == BIG_SIZE ? "at end" : "SHORT",
	     (intmax_t)file_pos(f));
	close(out);
	line("%s: %s", name, sink_end(&s, 0, BIG_SIZE));
	close(f);
}

/* Connections at once from threads, and from a child after fork(). */
struct worker {
	int f, out, in;
	ssize_t ret;
	pthread_t thread;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	off_t off = 0;

	w->ret = sendfile64(w->out, w->f, &off, FILE_SIZE);
	close(w->out);
	return NULL;
}

static void case_threads(const char *dir)
{
	struct worker w[8];
	struct sink s[8];
	int f = make_file(dir, "threads", FILE_SIZE), ok = 0, whole = 0, i;

	for (i = 0; i < 8; i++) {
		w[i].f = f;
		tcp_pair(&w[i].out, &w[i].in, 0);
		sink_start(&s[i], w[i].in, false);
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			die("pthread_create");
	}
	for (i = 0; i < 8; i++) {
		pthread_join(w[i].thread, NULL);
		whole += w[i].ret == FILE_SIZE;
		tcp_file_bytes += w[i].ret > 0 ? w[i].ret : 0;
		ok += !strcmp(sink_end(&s[i], 0, FILE_SIZE), "bytes ok");
	}
	line("threads: %d of 8 whole, %d of 8 bytes ok", whole, ok);
	close(f);
}

static void case_fork(const char *dir)
{
	int f = make_file(dir, "fork", FILE_SIZE), out, in, st;
	struct sink s;
	pid_t pid;

	tcp_pair(&out, &in, 0);
	sink_start(&s, in, false);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		_exit(sendfile(out, f, NULL, FILE_SIZE) == FILE_SIZE ? 0 : 1);
	close(out);
	waitpid(pid, &st, 0);
	line("fork: child %s", WIFEXITED(st) && !WEXITSTATUS(st) ? "sent the file" : "FAILED");
	tcp_file_bytes += WIFEXITED(st) && !WEXITSTATUS(st) ? FILE_SIZE : 0;
	line("fork: %s, position %jd", sink_end(&s, 0, FILE_SIZE), (intmax_t)file_pos(f));
	close(f);
}

/*
 * A program that puts another file on the number the interposer's
 * /dev/zcopy has (it does not know it is there): the sends go on, and
 * through zcopy (the counters say so).  Without the interposer there is
 * none, and the same is sent.
 */
static void case_dup2_over(const char *dir)
{
	int f = make_file(dir, "dup2", FILE_SIZE), ep = epoll_create1(0), fd;
	char link[64], target[64];
	ssize_t n;

	for (fd = 3; fd < 1024; fd++) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0 && (target[n] = 0, !strcmp(target, "/dev/zcopy")))
			dup2(ep, fd);
	}
	send_whole("dup2-over", f);
	close(ep);
	close(f);
}

/* Started with standard input closed, a program finds it closed. */
static void case_stdin_closed(void)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(0);
		execl("/proc/self/exe", "zcopy-sendfile-cases", "--fd0", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		line("stdin-closed: child FAILED");
}

/* A daemon that closes every descriptor it did not open, ours included. */
static void case_closed_all(const char *dir)
{
	int f, fd;

	for (fd = 3; fd < 1024; fd++)
		close(fd);
	f = make_file(dir, "closed", FILE_SIZE);
	send_whole("closed-all", f);
	close(f);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	/* case_stdin_closed()'s child: is descriptor 0 (still) closed? */
	if (!strcmp(argv[1], "--fd0")) {
		line("stdin-closed: descriptor 0 %s",
		     fcntl(0, F_GETFD) < 0 && errno == EBADF ? "closed" : "OPEN");
		return 0;
	}
	/* The pattern, and room after it for a copy read back. */
	pattern = malloc(2 * (size_t)BIG_SIZE);
	if (!pattern)
		die("malloc");
	for (i = 0; i < BIG_SIZE; i++)
		pattern[i] = (unsigned char)(i * 131 + (i >> 12) * 7 + 1);
	sigaction(SIGPIPE, &sa, NULL);

	case_ranges(argv[1]);
	case_refused(argv[1]);
	case_other_outputs(argv[1]);
	case_procfs();
	case_gone(argv[1]);
	case_failed_connect(argv[1]);
	case_stalled(argv[1], STALL_NONBLOCK);
	case_stalled(argv[1], STALL_SIGNAL);
	case_stalled(argv[1], STALL_TIMEOUT);
	case_threads(argv[1]);
	case_fork(argv[1]);
	case_dup2_over(argv[1]);
	case_stdin_closed();
	case_closed_all(argv[1]);
	line("tcp-file-bytes %ju", (uintmax_t)tcp_file_bytes);
	return 0;
}
