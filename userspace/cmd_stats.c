// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl stats: the module's counters from sysfs, as a table or JSON.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "libzcopy.h"

static const char *const counter_names[] = {
	"transfers", "bytes", "zc_bytes", "copied_bytes", "cache_hit_pages",
	"cache_miss_pages", "storage_read_bytes", "errors",
};

#define N_COUNTERS	ARRAY_SIZE(counter_names)

const char stats_usage[] =
	"Usage: zcopyctl stats [--method M] [--json]\n"
	"\n"
	"Show the module's counters from " ZCOPY_SYSFS_DIR ": a row per\n"
	"counter, a column for the device-wide total and one for each method\n"
	"the module has a stats_<method>/ directory for.  \"-\" (null in JSON) marks a counter\n"
	"the module does not provide.\n"
	"\n"
	"Options:\n"
	"  --method M  show only the column of method M\n"
	"  --json      print {\"total\": {COUNTER: N, ...}, \"METHOD\": {...}, ...}\n"
	"  -h, --help  show this help\n";

struct stats_args {
	const char *method;
	bool json;
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

static bool stats_opt(void *settings, int id, const char *v)
{
	struct stats_args *o = settings;

	if (id == OPT_METHOD)
		o->method = v;
	else
		o->json = true;
	return true;
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
		return fail("%s", ZCOPY_SYSFS_DIR "/stats");
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
	if (access(dir, F_OK))
		return fail("%s", dir);
	t->cols = calloc(1, sizeof(*t->cols));
	if (!t->cols)
		return fail("%s", dir);
	return read_column(&t->cols[t->n++], method);
}

static void print_table_text(struct table *t)
{
	int w0 = strlen("counter");

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
	}
	putchar('\n');
	for (size_t i = 0; i < N_COUNTERS; i++) {
		printf("%-*s", w0, counter_names[i]);
		for (size_t c = 0; c < t->n; c++) {
			const struct column *col = &t->cols[c];

			if (col->present[i])
				printf("  %*" PRIu64, col->width, col->val[i]);
			else
				printf("  %*s", col->width, "-");
		}
		putchar('\n');
	}
}

static void print_table_json(const struct table *t)
{
	putchar('{');
	for (size_t c = 0; c < t->n; c++) {
		const struct column *col = &t->cols[c];
		struct fields fs = { 0 };

		for (size_t i = 0; i < N_COUNTERS; i++) {
			if (col->present[i])
				add_field(&fs, counter_names[i], false, "%" PRIu64, col->val[i]);
			else
				add_field(&fs, counter_names[i], false, "null");
		}
		printf("%s\"%s\":", c ? "," : "", col->name);
		print_fields_json(&fs);
	}
	puts("}");
}

int cmd_stats(const struct command *self, struct args *a)
{
	struct stats_args o = { 0 };
	static const struct opt opts[] = {
		{ "--method", true, OPT_METHOD },
		{ "--json", false, OPT_JSON },
		{ 0 }
	};
	struct table t = { 0 };
	int rc = parse_args(a, opts, stats_opt, &o, 0);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	rc = o.method ? read_one_column(&t, o.method) : read_all_columns(&t);
	if (rc == EXIT_OK && o.json)
		print_table_json(&t);
	else if (rc == EXIT_OK)
		print_table_text(&t);
	free(t.cols);
	return rc;
}
