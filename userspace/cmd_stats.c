// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl stats: the module's counters from sysfs, as a table or JSON.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "libzcopy.h"

static const char *const counter_names[] = {
	"transfers", "bytes", "zc_bytes", "copied_bytes", "cache_hit_pages",
	"cache_miss_pages", "storage_read_bytes", "errors",
};

#define N_COUNTERS	ARRAY_SIZE(counter_names)

struct table;
static bool rate(const struct table *t, const struct table *prev, double secs,
		 size_t c, size_t i, double *r);

const char stats_usage[] =
	"Usage: zcopyctl stats [--method M] [--json] [--watch SECONDS]\n"
	"\n"
	"Show the module's counters from " ZCOPY_SYSFS_DIR ": a row per\n"
	"counter, a column for the device-wide total and one for each method\n"
	"the module has a stats_<method>/ directory for.  \"-\" (null in JSON)\n"
	"marks a counter the module does not provide.\n"
	"\n"
	"Options:\n"
	"  -m, --method M         show only the column of method M\n"
	"  -j, --json             print {\"total\": {COUNTER: N, ...}, \"METHOD\":\n"
	"                         {...}, ...} on one line\n"
	"  -w, --watch SECONDS    print the counters every SECONDS (decimals\n"
	"                         allowed) with a column COLUMN/s of per-second\n"
	"                         rates over the interval, until SIGINT or\n"
	"                         SIGTERM (status 0); with --json one object a\n"
	"                         line: {\"time\": T, \"interval_s\": S,\n"
	"                         \"counters\": {...}, \"rates\": {...} or null}\n"
	"  -h, --help             show this help\n";

struct stats_args {
	const char *method;
	bool json;
	double watch;		/* seconds between samples; 0: one sample */
};

struct column {
	char name[NAME_MAX + 1];	/* "total" or a method */
	int width;
	bool present[N_COUNTERS];
	uint64_t val[N_COUNTERS];
};

struct table {
	size_t n;
	struct column *cols;
};

static bool parse_seconds(const char *s, double *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !(v >= 0.01 && v <= 86400))
		return false;
	*out = v;
	return true;
}

static bool stats_opt(void *settings, int id, const char *v)
{
	struct stats_args *o = settings;

	switch (id) {
	case 'm':
		o->method = v;
		return true;
	case 'w':
		return parse_seconds(v, &o->watch);
	default:	/* -j, --json */
		o->json = true;
		return true;
	}
}

static int read_column(struct column *c, const char *method)
{
	snprintf(c->name, sizeof(c->name), "%s", method ? method : "total");
	for (size_t i = 0; i < N_COUNTERS; i++) {
		c->present[i] = !zcopy_read_sysfs_counter(method, counter_names[i],
							 &c->val[i]);
		/* A module without this counter is not an error: show "-". */
		if (c->present[i] || errno == ENOENT)
			continue;
		if (method)
			return fail(ZCOPY_SYSFS_DIR "/stats_%s/%s", method,
				    counter_names[i]);
		return fail(ZCOPY_SYSFS_DIR "/stats/%s", counter_names[i]);
	}
	return EXIT_OK;
}

#define METHOD_DIR_PREFIX "stats_"

/* The method of a stats_<method> directory. */
static const char *dir_method(const struct dirent *d)
{
	return d->d_name + strlen(METHOD_DIR_PREFIX);
}

/* By method number as the header defines them; unknown names last. */
static int by_method(const struct dirent **a, const struct dirent **b)
{
	int ma = zcopy_method_from_name(dir_method(*a));
	int mb = zcopy_method_from_name(dir_method(*b));

	ma = ma < 0 ? INT_MAX : ma;
	mb = mb < 0 ? INT_MAX : mb;
	if (ma != mb)
		return ma < mb ? -1 : 1;
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_method_dir(const struct dirent *d)
{
	return !strncmp(d->d_name, METHOD_DIR_PREFIX, strlen(METHOD_DIR_PREFIX)) &&
	       d->d_name[strlen(METHOD_DIR_PREFIX)] &&
	       (d->d_type == DT_DIR || d->d_type == DT_UNKNOWN);
}

static int read_all_columns(struct table *t)
{
	const char *dir = ZCOPY_SYSFS_DIR;
	struct dirent **ents = NULL;
	int rc = EXIT_OK;

	if (access(ZCOPY_SYSFS_DIR "/stats", F_OK))
		return fail_module(errno, ZCOPY_SYSFS_DIR "/stats");
	/* A module without per-method counters still has the total. */
	int n = scandir(dir, &ents, is_method_dir, by_method);
	if (n < 0 && errno != ENOENT)
		return fail("%s", dir);
	n = n < 0 ? 0 : n;
	t->cols = calloc(n + 1, sizeof(*t->cols));
	if (!t->cols)
		rc = fail("%s", dir);
	else
		rc = read_column(&t->cols[t->n++], NULL);
	for (int i = 0; i < n; i++) {
		if (rc == EXIT_OK)
			rc = read_column(&t->cols[t->n++], dir_method(ents[i]));
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static int read_one_column(struct table *t, const char *method)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), ZCOPY_SYSFS_DIR "/stats_%s", method);
	if (access(ZCOPY_SYSFS_DIR "/stats", F_OK))
		return fail_module(errno, ZCOPY_SYSFS_DIR "/stats");
	if (access(dir, F_OK))
		return fail("%s", dir);
	t->cols = calloc(1, sizeof(*t->cols));
	if (!t->cols)
		return fail("%s", dir);
	return read_column(&t->cols[t->n++], method);
}

/* rate: per-second rates of the same table a watch read before, or NULL. */
static void print_table_text(struct table *t, const struct table *prev, double secs)
{
	int w0 = strlen("counter");
	char rate_name[NAME_MAX + 3];

	for (size_t i = 0; i < N_COUNTERS; i++)
		if ((int)strlen(counter_names[i]) > w0)
			w0 = strlen(counter_names[i]);
	printf("%-*s", w0, "counter");
	for (size_t c = 0; c < t->n; c++) {
		struct column *col = &t->cols[c];

		col->width = strlen(col->name);
		for (size_t i = 0; i < N_COUNTERS; i++) {
			int w = snprintf(NULL, 0, "%" PRIu64, col->val[i]);

			if (col->present[i] && w > col->width)
				col->width = w;
		}
		printf("  %*s", col->width, col->name);
		if (prev) {
			snprintf(rate_name, sizeof(rate_name), "%s/s", col->name);
			printf("  %12s", rate_name);
		}
	}
	putchar('\n');
	for (size_t i = 0; i < N_COUNTERS; i++) {
		printf("%-*s", w0, counter_names[i]);
		for (size_t c = 0; c < t->n; c++) {
			const struct column *col = &t->cols[c];
			double r;

			if (col->present[i])
				printf("  %*" PRIu64, col->width, col->val[i]);
			else
				printf("  %*s", col->width, "-");
			if (!prev)
				continue;
			if (rate(t, prev, secs, c, i, &r))
				printf("  %12.1f", r);
			else
				printf("  %12s", "-");
		}
		putchar('\n');
	}
}

static void json_table(struct json *j, const char *key, const struct table *t)
{
	json_object_begin(j, key);
	for (size_t c = 0; c < t->n; c++) {
		const struct column *col = &t->cols[c];

		json_object_begin(j, col->name);
		for (size_t i = 0; i < N_COUNTERS; i++) {
			if (col->present[i])
				json_u64(j, counter_names[i], col->val[i]);
			else
				json_null(j, counter_names[i]);
		}
		json_object_end(j);
	}
	json_object_end(j);
}

static void print_table_json(const struct table *t)
{
	struct json j;

	json_init(&j, stdout, 0);
	json_table(&j, NULL, t);
	json_newline(&j);
}

/* ---- --watch ------------------------------------------------------------ */

/* The rate of counter i of column c since prev; false if there is none. */
static bool rate(const struct table *t, const struct table *prev, double secs,
		 size_t c, size_t i, double *r)
{
	const struct column *now = &t->cols[c], *then;

	if (c >= prev->n || secs <= 0)
		return false;
	then = &prev->cols[c];
	/* A counter that went back: the module was reloaded in between. */
	if (!now->present[i] || !then->present[i] || now->val[i] < then->val[i] ||
	    strcmp(now->name, then->name))
		return false;
	*r = (now->val[i] - then->val[i]) / secs;
	return true;
}

static void print_watch_json(const struct table *t, const struct table *prev,
			     double secs, const char *when)
{
	struct json j;

	json_init(&j, stdout, 0);
	json_object_begin(&j, NULL);
	json_string(&j, "time", when);
	if (prev)
		json_fixed(&j, "interval_s", secs, 3);
	else
		json_null(&j, "interval_s");
	json_table(&j, "counters", t);
	if (!prev) {
		json_null(&j, "rates");
	} else {
		json_object_begin(&j, "rates");
		for (size_t c = 0; c < t->n; c++) {
			json_object_begin(&j, t->cols[c].name);
			for (size_t i = 0; i < N_COUNTERS; i++) {
				double r;

				if (rate(t, prev, secs, c, i, &r))
					json_fixed(&j, counter_names[i], r, 3);
				else
					json_null(&j, counter_names[i]);
			}
			json_object_end(&j);
		}
		json_object_end(&j);
	}
	json_object_end(&j);
	json_newline(&j);
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void utc_now(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "unknown");
}

static int read_table(const struct stats_args *o, struct table *t)
{
	return o->method ? read_one_column(t, o->method) : read_all_columns(t);
}

static void free_table(struct table *t)
{
	free(t->cols);
	*t = (struct table){ 0 };
}

/*
 * Waits until the monotonic time end: 1, or 0 once SIGINT or SIGTERM came,
 * or -1 with errno.
 */
static int pause_until(int sigfd, double end)
{
	struct pollfd p = { .fd = sigfd, .events = POLLIN };

	for (;;) {
		double left = end - mono_now();

		if (left <= 0)
			return 1;
		int n = poll(&p, 1, (int)(left * 1000) + 1);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0)
			return 0;
	}
}

static int watch(const struct stats_args *o)
{
	struct table t = { 0 }, prev = { 0 };
	double then = 0, next = mono_now();
	bool have_prev = false;
	sigset_t set;
	int rc = EXIT_OK;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return fail("sigprocmask");
	int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sigfd < 0)
		return fail("signalfd");
	for (;;) {
		char when[32];
		double now = mono_now();

		utc_now(when, sizeof(when));
		rc = read_table(o, &t);
		if (rc != EXIT_OK)
			break;
		if (o->json) {
			print_watch_json(&t, have_prev ? &prev : NULL, now - then, when);
		} else {
			printf("%s%s\n", have_prev ? "\n" : "", when);
			print_table_text(&t, have_prev ? &prev : NULL, now - then);
		}
		if (fflush(stdout)) {
			rc = fail("stdout");
			break;
		}
		free_table(&prev);
		prev = t;
		t = (struct table){ 0 };
		then = now;
		have_prev = true;
		/* On a fixed beat: the time printing took comes off the wait. */
		next += o->watch;
		if (next < now)
			next = now + o->watch;
		int w = pause_until(sigfd, next);
		if (w < 0)
			rc = fail("poll");
		if (w <= 0)
			break;
	}
	free_table(&t);
	free_table(&prev);
	close(sigfd);
	return rc;
}

int cmd_stats(const struct command *self, struct args *a)
{
	struct stats_args o = { 0 };
	static const struct option opts[] = {
		{ "method", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ 0 }
	};
	struct table t = { 0 };
	int rc = parse_args(a, "m:jw:", opts, stats_opt, &o, 0);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	if (o.watch > 0)
		return watch(&o);
	rc = read_table(&o, &t);
	if (rc == EXIT_OK && o.json)
		print_table_json(&t);
	else if (rc == EXIT_OK)
		print_table_text(&t, NULL, 0);
	free_table(&t);
	return rc;
}
