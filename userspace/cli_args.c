// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl's command line: getopt_long() over a command's options, and the
 * numbers, sizes and names they take.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "libzcopy.h"

#define MAX_OPTS	32

/* "--name" or "-c" of the option whose value is id. */
static void opt_name(const struct option *all, int id, char *buf, size_t size)
{
	for (; all->name; all++) {
		if (all->val == id) {
			snprintf(buf, size, "--%s", all->name);
			return;
		}
	}
	snprintf(buf, size, "-%c", id);
}

/* What getopt_long() refused ('?') or found without its value (':'). */
static int bad_option(struct args *a, const struct option *all, int c)
{
	const char *arg = optind > 0 && optind <= a->argc ? a->argv[optind - 1] : "?";
	char name[64];

	if (c == ':') {
		opt_name(all, optopt, name, sizeof(name));
		return usage_error(a->cmd, "option '%s' needs a value", name);
	}
	if (optopt >= 256 || (optopt && !strncmp(arg, "--", 2))) {
		opt_name(all, optopt, name, sizeof(name));
		return usage_error(a->cmd, "option '%s' takes no value", name);
	}
	if (optopt)
		return usage_error(a->cmd, "unknown option '-%c'", optopt);
	return usage_error(a->cmd, "unknown or ambiguous option '%s'", arg);
}

int parse_args(struct args *a, const char *shortopts,
	       const struct option *opts, apply_opt_fn *apply,
	       void *settings, int want_pos)
{
	struct option all[MAX_OPTS + 2];
	char shorts[64];
	size_t n = 0;
	int c;

	for (; opts && opts[n].name; n++) {
		if (n == MAX_OPTS)
			abort();	/* a command outgrew the array */
		all[n] = opts[n];
	}
	all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	all[n] = (struct option){ 0 };
	/* ':' first: a missing value comes back as ':', not as '?'. */
	snprintf(shorts, sizeof(shorts), ":h%s", shortopts);
	opterr = 0;
	optind = 0;	/* glibc: start over, permuting (options anywhere) */
	while ((c = getopt_long(a->argc, a->argv, shorts, all, NULL)) != -1) {
		char name[64];

		if (c == 'h') {
			print_help(a->cmd, stdout);
			return EXIT_OK;
		}
		if (c == '?' || c == ':')
			return bad_option(a, all, c);
		if (!apply(settings, c, optarg)) {
			opt_name(all, c, name, sizeof(name));
			return usage_error(a->cmd, "bad value '%s' for %s", optarg, name);
		}
	}
	a->pos = a->argv + optind;
	a->npos = a->argc - optind;
	if (want_pos >= 0 && a->npos > want_pos)
		return usage_error(a->cmd, "unexpected argument '%s'",
				   a->pos[want_pos]);
	if (want_pos >= 0 && a->npos < want_pos)
		return usage_error(a->cmd, "missing argument (%d wanted, %d given)",
				   want_pos, a->npos);
	return CONTINUE;
}

static bool no_apply(void *settings, int id, const char *val)
{
	(void)settings;
	(void)id;
	(void)val;
	return false;
}

int parse_positional(struct args *a, int want_pos)
{
	return parse_args(a, "", NULL, no_apply, NULL, want_pos);
}

bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

bool parse_method(const char *s, unsigned int *method)
{
	int m = zcopy_method_from_name(s);

	if (m < 0)
		return false;
	*method = m;
	return true;
}
