// SPDX-License-Identifier: GPL-2.0
/*
 * compat32.c - zcopy-guest-tests32: the "badinput" cases built with -m32,
 * so that every one of them also reaches the module through the compat
 * ioctl path (compat_ptr_ioctl) of a 32-bit process.
 *
 * Run by the badinput case "compat32-caller" of the 64-bit program, while
 * that program's work directories exist.  Prints "ok NAME", "not ok NAME:
 * REASON" or "skip NAME: WHY" per case; exits 0 only if nothing failed.
 * Each case runs as in the 64-bit program, by the same runner (runner.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include "zct.h"

int main(void)
{
	struct registry reg = { 0 };
	struct tctx ctx = { .dev = -1 };
	char reason[sizeof(ctx.reason) + 64];
	unsigned int failed = 0;
	int dev;

	if (sizeof(void *) != 4)
		fprintf(stderr, "zcopy-guest-tests32: not a 32-bit build\n");
	runner_init();
	dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	ctx.info = (struct zcopy_info){ .size = sizeof(ctx.info) };
	if (dev < 0 || ioctl(dev, ZCOPY_IOC_INFO, &ctx.info) != 0) {
		printf("not ok setup: %s: %s\n", DEV_PATH, strerror(errno));
		return 1;
	}
	close(dev);
	ctx.lo_ifindex = if_nametoindex("lo");
	reg.group = "badinput";
	badinput_register(&reg);
	for (size_t i = 0; i < reg.n; i++) {
		const struct test *tc = &reg.tests[i];
		const char *why;

		if (!need_met(&ctx, tc->need, &why)) {
			printf("skip %s: %s\n", tc->name, why);
		} else if (run_one(tc, &ctx, reason, sizeof(reason))) {
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
