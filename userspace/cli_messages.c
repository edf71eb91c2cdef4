// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl's messages: help texts, runtime failures and usage errors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char exit_status_help[] =
	"\nExit status: 0 success, 1 runtime failure, 2 usage error (unknown\n"
	"command or option, bad number or address).\n";

void print_help(const struct command *c, FILE *f)
{
	fputs(c->usage, f);
	fputs(exit_status_help, f);
}

static void vreport(const char *prefix, const char *fmt, va_list ap,
		    const char *suffix)
{
	fprintf(stderr, "zcopyctl: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "%s\n", suffix);
}

int fail_errno(int err, const char *fmt, ...)
{
	char suffix[128];
	va_list ap;

	snprintf(suffix, sizeof(suffix), ": %s", strerror(err));
	va_start(ap, fmt);
	vreport("", fmt, ap, suffix);
	va_end(ap);
	return EXIT_RUNTIME;
}

int usage_error(const struct command *c, const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s: ", c->name);
	va_start(ap, fmt);
	vreport(prefix, fmt, ap, "");
	va_end(ap);
	fprintf(stderr, "Try 'zcopyctl %s --help'.\n", c->name);
	return EXIT_USAGE;
}
