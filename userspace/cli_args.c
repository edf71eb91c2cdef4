// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl's command line: options among the positional arguments, and
 * the numbers and names they take.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "libzcopy.h"

const struct opt no_opts[] = { { 0 } };

static int stop(struct args *a, int status)
{
	a->status = status;
	return ARG_STOP;
}

static const struct opt *find_opt(const struct opt *opts, const char *s, size_t len)
{
	for (; opts->name; opts++)
		if (strlen(opts->name) == len && !strncmp(opts->name, s, len))
			return opts;
	return NULL;
}

/*
 * Options may come anywhere among the positional arguments, as "--opt value"
 * or "--opt=value"; "--help" and "-h" work everywhere.  Returns the next
 * option's id (with *val set when it takes one), ARG_END, or ARG_STOP once
 * help was shown or a usage error reported.
 */
static int next_arg(struct args *a, const struct opt *opts, const char **val)
{
	while (a->next < a->argc) {
		char *s = a->argv[a->next++];

		if (a->options_done || s[0] != '-' || !s[1]) {
			a->argv[a->npos++] = s;
			continue;
		}
		if (!strcmp(s, "--")) {
			a->options_done = true;
			continue;
		}
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			print_help(a->cmd, stdout);
			return stop(a, EXIT_OK);
		}

		const char *eq = strchr(s, '=');
		const struct opt *o = find_opt(opts, s, eq ? (size_t)(eq - s) : strlen(s));

		if (!o)
			return stop(a, usage_error(a->cmd, "unknown option '%s'", s));
		if (!o->has_arg && eq)
			return stop(a, usage_error(a->cmd, "%s takes no value", o->name));
		if (o->has_arg && !eq && a->next == a->argc)
			return stop(a, usage_error(a->cmd, "%s needs a value", o->name));
		if (o->has_arg)
			*val = eq ? eq + 1 : a->argv[a->next++];
		a->opt = o;
		return o->id;
	}
	return ARG_END;
}


int parse_args(struct args *a, const struct opt *opts,
	       apply_opt_fn *apply, void *settings, int want_pos)
{
	const char *v = NULL;
	int id;

	while ((id = next_arg(a, opts, &v)) > 0)
		if (!apply(settings, id, v))
			return usage_error(a->cmd, "bad value '%s' for %s", v,
					   a->opt->name);
	if (id == ARG_STOP)
		return a->status;
	if (want_pos >= 0 && a->npos > want_pos)
		return usage_error(a->cmd, "unexpected argument '%s'",
				   a->argv[want_pos]);
	if (want_pos >= 0 && a->npos < want_pos)
		return usage_error(a->cmd, "missing argument (%d wanted, %d given)",
				   want_pos, a->npos);
	return CONTINUE;
}

int parse_plain(struct args *a)
{
	return parse_args(a, no_opts, NULL, NULL, 0);
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
