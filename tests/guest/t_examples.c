// SPDX-License-Identifier: GPL-2.0
/*
 * t_examples.c - the "examples" group: examples/http_sendv (libzcopy's
 * zcopy_sendv_all() in a real server), which the harness puts in the
 * guest's /bin, serves pattern files of tmpfs and ext4 to a client here:
 * the exact response head, every body byte, 404 for a missing file, 403
 * for paths that leave its directory, and the device's sysfs counters
 * moved by exactly the bytes of the 200 responses (the bodies as page
 * references: AUTO picks PAGES on both, and loopback gathers).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "zct.h"

#define EXAMPLE_PROG "http_sendv"
#define EXAMPLE_TIMEOUT_S 120

static const uint64_t example_sizes[] = { 0, 4097, MIB + 13 };

/* One request and what it must get back. */
struct exchange {
	char target[160];	/* the request target */
	const char *version;	/* HTTP/1.0 or HTTP/1.1 */
	int status;		/* 200, 404, 403 */
	const struct tfile *file;	/* 200: the file the body must be */
};

/* Start the server on 127.0.0.1, port 0, serving @dir for @requests
 * connections; its port comes from its "listening on" line. */
static pid_t server_start(struct tctx *t, const char *dir, unsigned int requests,
			  unsigned int *port)
{
	char nreq[16], line[128];
	int pfd[2];
	pid_t pid;
	FILE *out;
	char *colon;

	snprintf(nreq, sizeof(nreq), "%u", requests);
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return fail_errno(t, "pipe2");
	pid = fork();
	if (pid < 0)
		return fail_errno(t, "fork");
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		execlp(EXAMPLE_PROG, EXAMPLE_PROG, "--address", "127.0.0.1",
		       "--port", "0", "--dir", dir, "--requests", nreq,
		       (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", EXAMPLE_PROG, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	out = fdopen(pfd[0], "r");
	if (!out || !fgets(line, sizeof(line), out)) {
		int status = 0;

		waitpid(pid, &status, 0);
		if (out)
			fclose(out);
		return fail(t, "%s printed no \"listening on\" line (wait status 0x%x; 127: not in PATH)",
			    EXAMPLE_PROG, status);
	}
	fclose(out);
	colon = strrchr(line, ':');
	if (strncmp(line, "listening on 127.0.0.1:", 23) || !colon ||
	    sscanf(colon + 1, "%u", port) != 1 || !*port || *port > 65535) {
		kill(pid, SIGKILL);
		return fail(t, "%s: unexpected first line \"%s\"", EXAMPLE_PROG,
			    line);
	}
	return pid;
}

/* Send @x's request to 127.0.0.1:@port and read the whole response. */
static int fetch(struct tctx *t, unsigned int port, const struct exchange *x,
		 char **resp, size_t *len)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	size_t cap = 64 * KIB + (x->file ? x->file->size : 0);
	char req[256];
	int sock, n;

	*resp = NULL;
	*len = 0;
	sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return fail_errno(t, "socket");
	if (set_sock_timeout(sock, SO_RCVTIMEO, SEND_TIMEOUT_MS) != 0 ||
	    connect(sock, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(sock);
		return fail_errno(t, "connect to 127.0.0.1:%u", port);
	}
	n = snprintf(req, sizeof(req), "GET %s %s\r\nHost: 127.0.0.1\r\nUser-Agent: zcopy-guest-tests\r\n\r\n",
		     x->target, x->version);
	*resp = malloc(cap);
	if (!*resp || write_full(sock, req, n) != 0) {
		close(sock);
		return fail_errno(t, "GET %s", x->target);
	}
	/* To EOF: the server closes after each response.  One byte of
	 * room is kept to see a response longer than it may be. */
	for (;;) {
		ssize_t r = read(sock, *resp + *len, cap - *len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(sock);
			return fail_errno(t, "GET %s: read after %zu bytes",
					  x->target, *len);
		}
		if (!r)
			break;
		*len += r;
		if (*len == cap) {
			close(sock);
			return fail(t, "GET %s: response longer than %zu bytes",
				    x->target, cap);
		}
	}
	close(sock);
	return 0;
}

/* The response must be @x's: head exactly, body byte for byte. */
static int check_response(struct tctx *t, const struct exchange *x,
			  const char *resp, size_t len, uint64_t *head_len)
{
	char want[256];
	const char *end = memmem(resp, len, "\r\n\r\n", 4);
	size_t hl;

	if (!end)
		return fail(t, "GET %s: no end of head in %zu bytes", x->target,
			    len);
	hl = end + 4 - resp;
	*head_len = hl;
	if (x->status != 200) {
		int n = snprintf(want, sizeof(want), "HTTP/1.1 %d ", x->status);

		if (hl < (size_t)n || memcmp(resp, want, n))
			return fail(t, "GET %s: status line \"%.*s\", expected %d",
				    x->target, (int)strcspn(resp, "\r"), resp,
				    x->status);
		return 0;
	}
	snprintf(want, sizeof(want),
		 "HTTP/1.1 200 OK\r\n"
		 "Content-Type: application/octet-stream\r\n"
		 "Content-Length: %llu\r\n"
		 "Connection: close\r\n"
		 "\r\n", (unsigned long long)x->file->size);
	if (hl != strlen(want) || memcmp(resp, want, hl))
		return fail(t, "GET %s: head \"%.*s\", expected \"%s\"", x->target,
			    (int)hl, resp, want);
	if (len - hl != x->file->size)
		return fail(t, "GET %s: body of %zu bytes, expected %llu",
			    x->target, len - hl,
			    (unsigned long long)x->file->size);

	unsigned char *ref = malloc(x->file->size + 1);

	if (!ref)
		return fail_errno(t, "malloc");
	pattern_fill(x->file->seed, 0, ref, x->file->size);
	for (uint64_t i = 0; i < x->file->size; i++) {
		if ((unsigned char)resp[hl + i] != ref[i]) {
			unsigned int want_byte = ref[i];

			free(ref);
			return fail(t, "GET %s: body byte %llu is 0x%02x, the file has 0x%02x",
				    x->target, (unsigned long long)i,
				    (unsigned char)resp[hl + i], want_byte);
		}
	}
	free(ref);
	return 0;
}

static int http_sendv_test(struct tctx *t, const void *arg)
{
	const struct fsdesc *fs = arg;
	struct tfile files[ARRAY_SIZE(example_sizes)];
	struct exchange x[ARRAY_SIZE(example_sizes) + 4];
	unsigned int nx = 0, port = 0;
	uint64_t want_bytes = 0, want_zc = 0, want_transfers = 0;
	struct ctrs before, after;
	char link[sizeof(files[0].path) + 16];
	int status, rc = 0;
	pid_t pid;

	for (size_t i = 0; i < ARRAY_SIZE(example_sizes); i++) {
		int fd = tfile_open(t, fs, example_sizes[i], &files[i]);

		if (fd < 0)
			return -1;
		close(fd);
		x[nx] = (struct exchange){ .version = i ? "HTTP/1.1" : "HTTP/1.0",
					   .status = 200, .file = &files[i] };
		snprintf(x[nx++].target, sizeof(x[0].target), "/%s",
			 strrchr(files[i].path, '/') + 1);
	}
	/* A link out of the directory: openat2(RESOLVE_BENEATH) refuses it. */
	snprintf(link, sizeof(link), "%s/zc-escape", fs->dir);
	unlink(link);
	if (symlink("/proc/version", link) != 0)
		return fail_errno(t, "symlink %s", link);
	x[nx++] = (struct exchange){ "/zc-missing", "HTTP/1.1", 404, NULL };
	x[nx++] = (struct exchange){ "/../zcopy-guest/zc-4097", "HTTP/1.1", 403, NULL };
	x[nx++] = (struct exchange){ "/%2e%2E/zcopy-guest/zc-4097", "HTTP/1.0", 403, NULL };
	x[nx++] = (struct exchange){ "/zc-escape", "HTTP/1.1", 403, NULL };

	if (counters_read_sysfs(t, SYSFS_DIR "/stats", &before) != 0)
		return -1;
	pid = server_start(t, fs->dir, nx, &port);
	if (pid < 0)
		return -1;
	for (unsigned int i = 0; i < nx && !rc; i++) {
		uint64_t head_len = 0;
		char *resp;
		size_t len;

		snprintf(t->where, sizeof(t->where), "GET %.40s", x[i].target);
		rc = fetch(t, port, &x[i], &resp, &len);
		if (!rc)
			rc = check_response(t, &x[i], resp, len, &head_len);
		free(resp);
		if (x[i].status == 200) {
			want_bytes += head_len + x[i].file->size;
			want_zc += x[i].file->size;
			want_transfers++;
		}
	}
	t->where[0] = '\0';
	if (rc) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	if (waitpid(pid, &status, 0) != pid)
		return fail_errno(t, "waitpid %s", EXAMPLE_PROG);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fail(t, "%s ended with wait status 0x%x after %u connections",
			    EXAMPLE_PROG, status, nx);
	unlink(link);

	/* One SENDV per 200 response, nothing for the others. */
	if (counters_read_sysfs(t, SYSFS_DIR "/stats", &after) != 0 ||
	    check_u64(t, "stats/transfers delta",
		      after.v[C_TRANSFERS] - before.v[C_TRANSFERS], want_transfers) ||
	    check_u64(t, "stats/bytes delta", after.v[C_BYTES] - before.v[C_BYTES],
		      want_bytes) ||
	    check_u64(t, "stats/zc_bytes delta", after.v[C_ZC] - before.v[C_ZC],
		      want_zc) ||
	    check_u64(t, "stats/errors delta", after.v[C_ERRORS] - before.v[C_ERRORS], 0))
		return -1;
	return 0;
}

void examples_register(struct registry *r)
{
	static const int fss[] = { FS_TMPFS, FS_EXT4 };

	for (size_t i = 0; i < ARRAY_SIZE(fss); i++) {
		struct test *tc = reg_add(r, "examples", http_sendv_test,
					  &fs_list[fss[i]], "http-sendv-%s",
					  fs_list[fss[i]].name);

		tc->timeout_s = EXAMPLE_TIMEOUT_S;
	}
}
