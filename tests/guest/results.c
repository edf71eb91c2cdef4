// SPDX-License-Identifier: GPL-2.0
/*
 * results.c - the results channel of the guest programs: see results.h.
 * Shared by zcopy-guest-tests and zcopy-stress; it needs nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results.h"

#define RESULTS_ENV "ZCOPY_RESULTS"
#define LINE_MAX_LEN 2048

static int results_fd = -1;

void results_open(void)
{
	const char *path = getenv(RESULTS_ENV);

	if (!path || !*path)
		return;
	results_fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
	if (results_fd < 0) {
		fprintf(stderr, "%s: %s=%s: %s\n", program_invocation_short_name,
			RESULTS_ENV, path, strerror(errno));
		exit(2);
	}
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

void result(const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;
	size_t len;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	len = n < 0 ? 0 : (size_t)n;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;		/* cut, but still one line */
	for (size_t i = 0; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[len++] = '\n';
	fflush(stdout);
	if (results_fd >= 0 && write_all(results_fd, line, len) != 0) {
		/* The judge will find this program's count short. */
		fprintf(stderr, "%s: writing to %s: %s\n",
			program_invocation_short_name, RESULTS_ENV,
			strerror(errno));
	}
	write_all(STDOUT_FILENO, line, len);
}
