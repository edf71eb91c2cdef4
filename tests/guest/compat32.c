// SPDX-License-Identifier: GPL-2.0
/*
 * compat32.c - zcopy-guest-tests32: the "badinput" cases built with -m32,
 * so that every one of them also reaches the module through the compat
 * ioctl path (compat_ptr_ioctl) of a 32-bit process.
 *
 * Run by the badinput case "compat32-caller" of the 64-bit program, while
 * that program's work directories exist.  Prints "ok NAME", "not ok NAME:
 * REASON" or "skip NAME: WHY" per case; exits 0 only if nothing failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "zct.h"

#define CASE_TIMEOUT_S 120

/* One case in a child of its own process group, killed at the deadline. */
static bool run_case(const struct test *tc, const struct tctx *base,
		     char *reason, size_t rlen)
{
	int p[2], status = 0;
	ssize_t n;
	pid_t pid;

	reason[0] = '\0';
	if (pipe2(p, O_CLOEXEC) != 0) {
		snprintf(reason, rlen, "pipe: %s", strerror(errno));
		return false;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct tctx t = *base;
		size_t len;

		close(p[0]);
		setpgid(0, 0);
		alarm(CASE_TIMEOUT_S);
		t.dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
		if (t.dev < 0)
			fail_errno(&t, "open %s", DEV_PATH);
		else if (tc->fn(&t, tc->arg) != 0 && !t.reason[0])
			fail(&t, "failed without a reason (test bug)");
		len = strlen(t.reason);
		if (len)
			write_full(p[1], t.reason, len);
		_exit(len ? 1 : 0);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		snprintf(reason, rlen, "fork: %s", strerror(errno));
		return false;
	}
	n = read_full(p[0], reason, rlen - 1);
	close(p[0]);
	reason[n > 0 ? n : 0] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	kill(-pid, SIGKILL);	/* its receivers, if it left any */
	while (waitpid(-pid, NULL, WNOHANG) > 0)
		;
	if (WIFSIGNALED(status) && !reason[0])
		snprintf(reason, rlen, "killed by signal %d%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGALRM ? " (timed out)" : "");
	else if (WIFEXITED(status) && WEXITSTATUS(status) && !reason[0])
		snprintf(reason, rlen, "exited with status %d",
			 WEXITSTATUS(status));
	return !reason[0];
}

int main(void)
{
	struct registry reg = { 0 };
	struct tctx ctx = { .dev = -1 };
	char reason[sizeof(ctx.reason) + 64];
	unsigned int failed = 0;
	bool direct;
	int dev;

	if (sizeof(void *) != 4)
		fprintf(stderr, "zcopy-guest-tests32: not a 32-bit build\n");
	signal(SIGPIPE, SIG_IGN);
	dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	ctx.info = (struct zcopy_info){ .size = sizeof(ctx.info) };
	if (dev < 0 || ioctl(dev, ZCOPY_IOC_INFO, &ctx.info) != 0) {
		printf("not ok setup: %s: %s\n", DEV_PATH, strerror(errno));
		return 1;
	}
	close(dev);
	ctx.lo_ifindex = if_nametoindex("lo");
	direct = method_supported(&ctx, ZCOPY_METHOD_DIRECT);
	errors_register(&reg);
	badinput_sendv_register(&reg);
	race_register(&reg);
	for (size_t i = 0; i < reg.n; i++) {
		const struct test *tc = &reg.tests[i];
		unsigned int base = tc->need & (NEED_FAILNTH - 1);

		if (base != NEED_NOTHING && (base == NEED_DIRECT) != direct) {
			printf("skip %s: DIRECT %s\n", tc->name,
			       direct ? "implemented" : "not implemented");
		} else if (run_case(tc, &ctx, reason, sizeof(reason))) {
			printf("ok %s\n", tc->name);
		} else {
			printf("not ok %s: %s\n", tc->name, reason);
			failed++;
		}
		fflush(stdout);
	}
	free(reg.tests);
	return failed ? 1 : 0;
}
