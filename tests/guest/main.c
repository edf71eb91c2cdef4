// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - zcopy-guest-tests: arguments, setup, and the runner.
 *
 * Output (parsed by the harness): one "PASS <group>/<name>" or
 * "FAIL <group>/<name>: <reason>" line per test, "SKIP <group>/<name>:
 * <reason>" for a test this module build does not apply to, and last
 * "guest: N passed, N failed".  Exit status 0 only if nothing failed.
 *
 * Each test runs in a forked child in a process group of its own, with a
 * deadline: a hang or a crash fails that test alone, and whatever the test
 * left running (its receiver) is killed before the next one starts, so the
 * counters tests see no concurrent activity.
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include "zct.h"

static const char *const group_names[] = {
	"transfer", "badinput", "faults", "counters", "sendv", "flags",
	"parity", "sidefx", "world", "nic",
};
#define NGROUPS ARRAY_SIZE(group_names)
#define REAP_GRACE_MS 3000

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
		"  --group NAME  run only this group (repeatable): transfer, badinput,\n"
		"                faults, counters, sendv, flags, parity, sidefx, world, nic;\n"
		"                default: all\n"
		"  --list        print the test names and exit\n"
		"  --help        print this help and exit\n"
		"\n"
		"Prints PASS/FAIL/SKIP <group>/<name> lines, then\n"
		"\"guest: N passed, N failed\"; exits 0 only if nothing failed.\n");
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
			if (!strcmp(argv[i], group_names[g]))
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
		if (!strcmp(group, group_names[g]))
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
			printf("FAIL setup/%s: %s\n", steps[i].name, t->reason);
			failed++;
		}
	}
	t->reason[0] = '\0';
	fflush(stdout);
	return failed;
}

/* ---------------------------------------------------------------- */
/* Running one test                                                  */

static void __attribute__((noreturn))
child_main(const struct test *tc, const struct tctx *base, int wfd)
{
	struct tctx t = *base;
	size_t n;

	setpgid(0, 0);
	t.dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (t.dev < 0)
		fail_errno(&t, "open %s", DEV_PATH);
	else if (tc->fn(&t, tc->arg) != 0 && !t.reason[0])
		fail(&t, "failed without a reason (test bug)");
	n = strlen(t.reason);
	if (n)
		write_full(wfd, t.reason, n);
	_exit(n ? 1 : 0);
}

/* Kill what the test left in its process group and reap it once the
 * test process itself is reaped: we are a child subreaper, so its orphans
 * are our children now. */
static void reap_group(pid_t pgid)
{
	uint64_t end = now_ms() + REAP_GRACE_MS;

	kill(-pgid, SIGKILL);
	while (now_ms() < end) {
		pid_t w = waitpid(-pgid, NULL, WNOHANG);

		if (w < 0 && errno != EINTR)
			return;		/* ECHILD: none left */
		if (w == 0)
			sleep_ms(2);
	}
}

/* Wait for @pid until @deadline; false if it did not end in time. */
static bool wait_exit(pid_t pid, uint64_t deadline)
{
	siginfo_t si;

	for (;;) {
		/* WNOWAIT keeps the zombie, so the group id stays ours until
		 * reap_group() has killed the rest of the group. */
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si,
			   WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
			return true;
		if (now_ms() >= deadline)
			return false;
		sleep_ms(2);
	}
}

static bool run_one(const struct test *tc, const struct tctx *base,
		    char *reason, size_t rlen)
{
	int p[2], status = 0, wait_err;
	bool done;
	ssize_t n;
	pid_t pid, w;

	reason[0] = '\0';
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
		snprintf(reason, rlen, "runner: pipe: %s", strerror(errno));
		return false;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(reason, rlen, "runner: fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return false;
	}
	if (pid == 0) {
		close(p[0]);
		child_main(tc, base, p[1]);
	}
	close(p[1]);
	setpgid(pid, pid);	/* also done by the child: whoever is first */
	done = wait_exit(pid, now_ms() + tc->timeout_s * 1000ULL);
	/* Still a zombie at most, so the group id cannot have been reused. */
	kill(-pid, SIGKILL);
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	wait_err = errno;
	reap_group(pid);	/* the test's own children, now orphans */
	n = read(p[0], reason, rlen - 1);
	close(p[0]);
	reason[n > 0 ? n : 0] = '\0';
	if (w != pid)
		snprintf(reason, rlen, "runner: waitpid: %s", strerror(wait_err));
	else if (!done)
		snprintf(reason, rlen, "timed out after %u s", tc->timeout_s);
	else if (WIFSIGNALED(status))
		snprintf(reason, rlen, "test process killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) != 0 && !reason[0])
		snprintf(reason, rlen, "test process exited with status %d",
			 WEXITSTATUS(status));
	return w == pid && done && !WIFSIGNALED(status) &&
	       WEXITSTATUS(status) == 0 && !reason[0];
}

static bool all_exist(const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (access(paths[i], F_OK) != 0)
			return false;
	return true;
}

static bool need_met(const struct tctx *t, enum need need, const char **why)
{
	static const char *const failnth[] = {
		"/proc/self/fail-nth", "/sys/kernel/debug/failslab",
		"/sys/kernel/debug/fail_page_alloc",
		"/sys/kernel/debug/fail_usercopy",
	};
	static const char *const fail_request[] = {
		"/sys/kernel/debug/fail_make_request",
		"/sys/block/vda/make-it-fail",
	};
	bool direct = method_supported(t, ZCOPY_METHOD_DIRECT);
	unsigned int base = need & (NEED_FAILNTH - 1);

	if ((need & NEED_FAILNTH) && !all_exist(failnth, ARRAY_SIZE(failnth))) {
		*why = "no fail-nth, failslab, fail_page_alloc or fail_usercopy in this kernel";
		return false;
	}
	if ((need & NEED_FAIL_REQUEST) &&
	    !all_exist(fail_request, ARRAY_SIZE(fail_request))) {
		*why = "no fail_make_request in this kernel, or no /dev/vda";
		return false;
	}
	*why = direct ? "DIRECT is implemented (INFO.methods bit 5)" :
			"DIRECT is not implemented (INFO.methods bit 5 clear)";
	return base == NEED_NOTHING || (base == NEED_DIRECT) == direct;
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
	transfer_register(&reg);
	errors_register(&reg);
	badinput_sendv_register(&reg);
	race_register(&reg);
	runtime_register(&reg);
	faults_register(&reg);
	counters_register(&reg);
	sendv_register(&reg);
	flags_register(&reg);
	parity_register(&reg);
	sidefx_register(&reg);
	world_register(&reg);
	nic_register(&reg);
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

	/* EPIPE must come back as an errno, not kill the tests. */
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	setup_failed = setup(&ctx);
	failed = setup_failed;
	for (size_t i = 0; !setup_failed && i < reg.n; i++) {
		const struct test *tc = &reg.tests[i];
		const char *why;

		if (!group_selected(mask, tc->group))
			continue;
		if (!need_met(&ctx, tc->need, &why)) {
			printf("SKIP %s/%s: %s\n", tc->group, tc->name, why);
		} else if (run_one(tc, &ctx, reason, sizeof(reason))) {
			printf("PASS %s/%s\n", tc->group, tc->name);
			passed++;
		} else {
			printf("FAIL %s/%s: %s\n", tc->group, tc->name, reason);
			failed++;
		}
		fflush(stdout);
	}
	/* Leave the disk and the tmpfs as we found them. */
	for (int f = 0; f < FS_COUNT; f++)
		if (workdir_clean(&fs_list[f]) == 0)
			rmdir(fs_list[f].dir);
	world_cleanup();
	printf("guest: %u passed, %u failed\n", passed, failed);
	free(reg.tests);
	return failed ? 1 : 0;
}
