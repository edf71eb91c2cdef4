// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-slow-get: an HTTP client that reads 1 KiB every 10 ms, through a
 * small receive buffer, so the server's non-blocking socket fills again and
 * again and its sendfile() returns partial counts and EAGAIN
 * (tests/qemu/guest-server.sh).
 *
 *   zcopy-slow-get PORT PATH BODY_FILE
 *
 * Sends "GET PATH" to 127.0.0.1:PORT with "Connection: close", reads the
 * response to EOF, writes its body to BODY_FILE and prints
 * "status CODE body BYTES".  Exit status 0, 1 when the response could not
 * be had, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	1024

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	const struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };
	int fd, rcvbuf = 4096, status = 0;
	char req[1024], *buf = NULL, *body;
	size_t len = 0, cap = 0;
	FILE *out;
	ssize_t n;

	if (argc != 4) {
		fprintf(stderr, "usage: %s PORT PATH BODY_FILE\n", argv[0]);
		return 2;
	}
	a.sin_port = htons(atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	/* Before connect(), so the window the server sees is small from the start. */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "zcopy-slow-get: connect to port %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost\r\n"
		 "Connection: close\r\n\r\n", argv[2]);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		fprintf(stderr, "zcopy-slow-get: write: %s\n", strerror(errno));
		return 1;
	}
	for (;;) {
		if (cap - len < CHUNK) {
			cap = cap ? 2 * cap : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf)
				return 1;
		}
		n = read(fd, buf + len, CHUNK);
		if (n < 0) {
			fprintf(stderr, "zcopy-slow-get: read: %s\n", strerror(errno));
			return 1;
		}
		if (!n)
			break;
		len += n;
		nanosleep(&pause, NULL);
	}
	close(fd);
	body = len ? memmem(buf, len, "\r\n\r\n", 4) : NULL;
	if (!body || sscanf(buf, "HTTP/1.1 %d", &status) != 1) {
		fprintf(stderr, "zcopy-slow-get: no HTTP response in %zu bytes\n", len);
		return 1;
	}
	body += 4;
	out = fopen(argv[3], "w");
	if (!out || fwrite(body, 1, buf + len - body, out) != (size_t)(buf + len - body) ||
	    fclose(out)) {
		fprintf(stderr, "zcopy-slow-get: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	printf("status %d body %zu\n", status, (size_t)(buf + len - body));
	free(buf);
	return 0;
}
