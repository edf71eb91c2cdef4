// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * send_file - the first program of README.md: connect to a TCP receiver,
 * send a "Content-Length" line and a whole file in one ZCOPY_IOC_SENDV
 * (resumed by zcopy_sendv_all() if it stops part-way), and say what it cost.
 *
 *   send_file FILE IPV4-ADDRESS PORT
 *
 * Exit status: 0 when every byte went, 1 when something failed (the
 * reason on standard error), 2 for a bad command line.
 *
 * Build: make -C examples, or against an installed libzcopy:
 *   cc -std=c11 -o send_file send_file.c $(pkg-config --cflags --libs zcopy)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libzcopy.h>

/* Send the header and the file FD on the connected socket SOCK. */
static int send_file(int dev, int sock, int fd)
{
	struct zcopy_segment seg[2] = {
		{ .type = ZCOPY_SEG_MEMORY },
		{ .type = ZCOPY_SEG_FILE, .fd = fd },
	};
	struct zcopy_sendv req = {
		.out_fd = sock, .segs = (uintptr_t)seg, .count = 2,
	};
	char head[64];
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	seg[0].addr = (uintptr_t)head;
	seg[0].len = snprintf(head, sizeof(head), "Content-Length: %lld\r\n\r\n",
			      (long long)st.st_size);
	seg[1].len = st.st_size;
	if (zcopy_sendv_all(dev, &req, NULL) < 0)
		return -1;
	printf("sent %llu bytes, %llu by page reference, %llu copied (%s)\n",
	       (unsigned long long)req.sent,
	       (unsigned long long)req.stats.zc_bytes,
	       (unsigned long long)req.stats.copied_bytes,
	       zcopy_method_name(req.stats.method));
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int dev, sock, fd;

	if (argc != 4 || inet_pton(AF_INET, argv[2], &sin.sin_addr) != 1 ||
	    atoi(argv[3]) <= 0 || atoi(argv[3]) > 65535) {
		fprintf(stderr, "usage: send_file FILE IPV4-ADDRESS PORT\n");
		return 2;
	}
	sin.sin_port = htons(atoi(argv[3]));
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "send_file: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	dev = zcopy_open();
	if (dev < 0) {
		fprintf(stderr, "send_file: /dev/zcopy: %s: is the module loaded?\n",
			strerror(errno));
		return 1;
	}
	sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sin, sizeof(sin))) {
		fprintf(stderr, "send_file: %s:%s: %s\n", argv[2], argv[3],
			strerror(errno));
		return 1;
	}
	if (send_file(dev, sock, fd)) {
		fprintf(stderr, "send_file: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(sock);
	close(dev);
	close(fd);
	return 0;
}
