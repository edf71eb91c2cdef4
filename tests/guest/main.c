// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - zcopy-guest-tests: arguments, setup, and the loop over the tests.
 *
 * Output (parsed by the harness): one "PASS <group>/<name>" or
 * "FAIL <group>/<name>: <reason>" line per test, "SKIP <group>/<name>:
 * <reason>" for a test this module build does not apply to, and last
 * "guest: N passed, N failed", on the results channel (results.h) and,
 * for the console, on standard output.  Exit status 0 only if nothing
 * failed.
 *
 * Each test runs in a child of its own (runner.c).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include "results.h"
#include "zct.h"

/* The groups, in the order they run: each registers its tests from
 * t_<group>.c, and only under its own name (registry.c). */
static const struct group {
	const char *name;
	void (*add)(struct registry *r);
} groups[] = {
	{ "transfer", transfer_register },
	{ "badinput", badinput_register },
	{ "faults", faults_register },
	{ "counters", counters_register },
	{ "sendv", sendv_register },
	{ "flags", flags_register },
	{ "parity", parity_register },
	{ "sidefx", sidefx_register },
	{ "trace", trace_register },
	{ "world", world_register },
	{ "nic", nic_register },
	{ "examples", examples_register },
	{ "libzcopy", libzcopy_register },
	{ "async", async_register },
};
#define NGROUPS ARRAY_SIZE(groups)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: zcopy-guest-tests [--group NAME]... [--list] [--help]\n"
		"\n"
		"Checks the zcopy module's contract through " DEV_PATH ".\n"
		"Run as root in the test guest: module loaded, lo up, /tmp a tmpfs,\n"
		"/mnt/ext4 an ext4 filesystem; the world and nic groups use what\n"
		"tests/qemu/init sets up, where it is there.\n"
		"\n"
		"  --group NAME  run only this group (repeatable); default: all of\n"
		"               ");
	for (size_t g = 0; g < NGROUPS; g++)
		fprintf(out, " %s%s", groups[g].name, g + 1 < NGROUPS ? "," : "\n");
	fprintf(out,
		"  --list        print the test names and exit\n"
		"  --help        print this help and exit\n"
		"\n"
		"Prints PASS/FAIL/SKIP <group>/<name> lines, then\n"
		"\"guest: N passed, N failed\", to standard output and to the file\n"
		"$ZCOPY_RESULTS names, if any; exits 0 only if nothing failed.\n");
}

/* Returns a bitmask of the groups to run, or 0 after printing usage. */
static unsigned int parse_args(int argc, char **argv, bool *list, bool *help)
{
	unsigned int mask = 0;

	for (int i = 1; i < argc; i++) {
		size_t g;

		if (!strcmp(argv[i], "--list")) {
			*list = true;
			continue;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			*help = true;
			continue;
		}
		if (strcmp(argv[i], "--group") != 0 || i + 1 == argc) {
			fprintf(stderr, "zcopy-guest-tests: bad argument '%s'\n",
				argv[i]);
			usage(stderr);
			return 0;
		}
		i++;
		for (g = 0; g < NGROUPS; g++)
			if (!strcmp(argv[i], groups[g].name))
				break;
		if (g == NGROUPS) {
			fprintf(stderr, "zcopy-guest-tests: unknown group '%s'\n",
				argv[i]);
			usage(stderr);
			return 0;
		}
		mask |= 1U << g;
	}
	return mask ? mask : (1U << NGROUPS) - 1;
}

static bool group_selected(unsigned int mask, const char *group)
{
	for (size_t g = 0; g < NGROUPS; g++)
		if (!strcmp(group, groups[g].name))
			return mask & (1U << g);
	return false;
}

/* ---------------------------------------------------------------- */
/* Setup: what every test relies on; a failure here runs no test.   */

static int setup_device(struct tctx *t)
{
	int dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	int rc;

	if (dev < 0)
		return fail_errno(t, "open %s", DEV_PATH);
	t->info = (struct zcopy_info){ .size = sizeof(t->info) };
	rc = ioctl(dev, ZCOPY_IOC_INFO, &t->info);
	close(dev);
	return rc ? fail_errno(t, "ZCOPY_IOC_INFO") : 0;
}

static int setup_loopback(struct tctx *t)
{
	t->lo_ifindex = if_nametoindex("lo");
	return t->lo_ifindex ? 0 : fail_errno(t, "if_nametoindex(\"lo\")");
}

static int setup_tmpfs(struct tctx *t)
{
	return workdir_prepare(t, &fs_list[FS_TMPFS]);
}

static int setup_ext4(struct tctx *t)
{
	return workdir_prepare(t, &fs_list[FS_EXT4]);
}

static unsigned int setup(struct tctx *t)
{
	static const struct {
		const char *name;
		int (*fn)(struct tctx *t);
	} steps[] = {
		{ "device", setup_device },
		{ "loopback", setup_loopback },
		{ "tmpfs", setup_tmpfs },
		{ "ext4", setup_ext4 },
		{ "world", world_setup },
	};
	unsigned int failed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		t->reason[0] = '\0';
		if (steps[i].fn(t) != 0) {
			result("FAIL setup/%s: %s", steps[i].name, t->reason);
			failed++;
		}
	}
	t->reason[0] = '\0';
	fflush(stdout);
	return failed;
}

int main(int argc, char **argv)
{
	struct registry reg = { 0 };
	struct tctx ctx = { .dev = -1 };
	bool list = false, help = false;
	unsigned int mask, passed = 0, failed, setup_failed;
	char reason[sizeof(ctx.reason) + 64];

	mask = parse_args(argc, argv, &list, &help);
	if (help) {
		usage(stdout);
		return 0;
	}
	if (!mask)
		return 2;
	for (size_t g = 0; g < NGROUPS; g++) {
		reg.group = groups[g].name;
		groups[g].add(&reg);
	}
	reg.group = NULL;
	if (list) {
		for (size_t i = 0; i < reg.n; i++)
			if (group_selected(mask, reg.tests[i].group))
				printf("%s/%s%s\n", reg.tests[i].group,
				       reg.tests[i].name,
				       reg.tests[i].need == NEED_DIRECT ?
				       "\t(only if DIRECT is implemented)" :
				       reg.tests[i].need == NEED_NO_DIRECT ?
				       "\t(only if DIRECT is not implemented)" : "");
		return 0;
	}

	results_open();
	runner_init();
	setup_failed = setup(&ctx);
	failed = setup_failed;
	for (size_t i = 0; !setup_failed && i < reg.n; i++) {
		const struct test *tc = &reg.tests[i];
		const char *why;

		if (!group_selected(mask, tc->group))
			continue;
		if (!need_met(&ctx, tc->need, &why)) {
			result("SKIP %s/%s: %s", tc->group, tc->name, why);
		} else if (run_one(tc, &ctx, reason, sizeof(reason))) {
			result("PASS %s/%s", tc->group, tc->name);
			passed++;
		} else {
			result("FAIL %s/%s: %s", tc->group, tc->name, reason);
			failed++;
		}
		fflush(stdout);
	}
	/* Leave the disk and the tmpfs as we found them. */
	for (int f = 0; f < FS_COUNT; f++)
		if (workdir_clean(&fs_list[f]) == 0)
			rmdir(fs_list[f].dir);
	world_cleanup();
	result("guest: %u passed, %u failed", passed, failed);
	free(reg.tests);
	return failed ? 1 : 0;
}
