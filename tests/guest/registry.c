// SPDX-License-Identifier: GPL-2.0
/*
 * registry.c - the list of test cases, shared by zcopy-guest-tests and its
 * 32-bit twin.  Tests are registered one group at a time (r->group), and
 * each only under the group that registers it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zct.h"

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "%s: out of memory\n",
			program_invocation_short_name);
		exit(2);
	}
	return p;
}

struct test *reg_add(struct registry *r, const char *group,
		     int (*fn)(struct tctx *t, const void *arg),
		     const void *arg, const char *fmt, ...)
{
	struct test *tc;
	va_list ap;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->tests = realloc(r->tests, r->cap * sizeof(*r->tests));
		if (!r->tests) {
			fprintf(stderr, "%s: out of memory\n",
			program_invocation_short_name);
			exit(2);
		}
	}
	tc = &r->tests[r->n++];
	memset(tc, 0, sizeof(*tc));
	tc->group = group;
	tc->fn = fn;
	tc->arg = arg;
	tc->need = NEED_NOTHING;
	tc->timeout_s = TIMEOUT_DEFAULT_S;
	va_start(ap, fmt);
	vsnprintf(tc->name, sizeof(tc->name), fmt, ap);
	va_end(ap);
	/* A test under a group nobody selects or counts would never run,
	 * and nothing would say so. */
	if (!r->group || strcmp(group, r->group) != 0) {
		fprintf(stderr, "%s: test \"%s/%s\": group \"%s\" is unknown here (the group registering is \"%s\")\n",
			program_invocation_short_name, group, tc->name, group,
			r->group ? r->group : "none");
		exit(2);
	}
	return tc;
}
