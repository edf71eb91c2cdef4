// SPDX-License-Identifier: GPL-2.0
/*
 * runner.c - running one test, shared by zcopy-guest-tests and its 32-bit
 * twin zcopy-guest-tests32.
 *
 * Each test runs in a forked child in a process group of its own, with a
 * deadline: a hang or a crash fails that test alone, and whatever the test
 * left running (its receiver) is killed before the next one starts, so the
 * counters tests see no concurrent activity.  The child's reason for
 * failing comes back through a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "zct.h"

#define REAP_GRACE_MS 3000

void runner_init(void)
{
	/* EPIPE must come back as an errno, not kill the tests. */
	signal(SIGPIPE, SIG_IGN);
	/* What a test leaves behind is ours to kill and reap. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

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

bool run_one(const struct test *tc, const struct tctx *base,
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

bool need_met(const struct tctx *t, enum need need, const char **why)
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
