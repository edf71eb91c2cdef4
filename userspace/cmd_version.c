// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl --version: its own version and the loaded module's.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "json.h"

#ifndef ZCOPY_VERSION
#error "the Makefile passes ZCOPY_VERSION from module/zcopy.h"
#endif

#define MODULE_VERSION_PATH	"/sys/module/zcopy/version"

const char version_usage[] =
	"Usage: zcopyctl version [--json]\n"
	"       zcopyctl --version [--json]\n"
	"\n"
	"Show zcopyctl's version and the loaded module's (from\n"
	MODULE_VERSION_PATH "), or \"not loaded\".\n"
	"\n"
	"Options:\n"
	"  -j, --json  print {\"zcopyctl\": V, \"module\": V or null} on one line\n"
	"  -h, --help  show this help\n";

/* The module's version, "" when it is not loaded, "unknown" without one. */
static void module_version(char *buf, size_t size)
{
	FILE *f = fopen(MODULE_VERSION_PATH, "re");

	buf[0] = '\0';
	if (!f) {
		if (errno != ENOENT || !access("/sys/module/zcopy", F_OK))
			snprintf(buf, size, "unknown");
		return;
	}
	if (!fgets(buf, size, f))
		snprintf(buf, size, "unknown");
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static bool version_opt(void *settings, int id, const char *v)
{
	(void)id;	/* --json is the only option */
	(void)v;
	*(bool *)settings = true;
	return true;
}

int cmd_version(const struct command *self, struct args *a)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	bool json = false;
	char mod[64];
	int rc = parse_args(a, "j", opts, version_opt, &json, 0);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	module_version(mod, sizeof(mod));
	if (json) {
		struct json j;

		json_init(&j, stdout, 0);
		json_object_begin(&j, NULL);
		json_string(&j, "zcopyctl", ZCOPY_VERSION);
		json_string(&j, "module", mod[0] ? mod : NULL);
		json_object_end(&j);
		json_newline(&j);
	} else {
		printf("zcopyctl %s\nmodule %s\n", ZCOPY_VERSION,
		       mod[0] ? mod : "not loaded");
	}
	return EXIT_OK;
}
