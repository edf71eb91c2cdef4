// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl's messages: help texts, runtime failures and usage errors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char exit_status_help[] =
	"\nExit status: 0 success, 1 runtime failure, 2 usage error (unknown\n"
	"command or option, bad number, size or address), 3 the module is not\n"
	"loaded (no /dev/zcopy or no sysfs counters), 4 no permission to open\n"
	"/dev/zcopy.\n";

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

const char *module_hint(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return "is the module loaded? sudo zcopyctl load";
	case EACCES:
	case EPERM:
		return "add yourself to group zcopy (sudo usermod -aG zcopy $USER, "
		       "then log in again)";
	}
	return NULL;
}

int fail_module(int err, const char *what)
{
	const char *hint = module_hint(err);

	fprintf(stderr, "zcopyctl: %s: %s%s%s\n", what, strerror(err),
		hint ? ": " : "", hint ? hint : "");
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return EXIT_NO_MODULE;
	case EACCES:
	case EPERM:
		return EXIT_NO_ACCESS;
	}
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
