// SPDX-License-Identifier: GPL-2.0
/*
 * registry.c - the list of test cases, shared by zcopy-guest-tests and its
 * 32-bit twin.
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
	return tc;
}
