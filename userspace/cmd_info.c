// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl info: what the loaded module supports.
 */
#include <getopt.h>

#include "cli.h"
#include "json.h"
#include "libzcopy.h"

const char info_usage[] =
	"Usage: zcopyctl info [--json]\n"
	"\n"
	"Show what the loaded module supports: the transfer methods it\n"
	"implements, the most bytes one transfer moves (max_len) and\n"
	"the kernel features it uses.\n"
	"\n"
	"Options:\n"
	"  -j, --json  print {\"methods\": [...], \"max_len\": N, \"features\":\n"
	"              [...]} on one line\n"
	"  -h, --help  show this help\n";

static const char *const feature_names[] = {
	"splice_pages", "sendpage", "io_accounting", "async", "notify_release",
};

static void print_info(const struct zcopy_info *info, bool json)
{
	const char *method_names[ZCOPY_METHOD_COUNT];
	char methods[128], features[128];
	struct fields fs = { 0 };

	for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++)
		method_names[m] = zcopy_method_name(m);
	format_flags(methods, sizeof(methods), info->methods, method_names,
		     ZCOPY_METHOD_COUNT);
	format_flags(features, sizeof(features), info->features, feature_names,
		     ARRAY_SIZE(feature_names));
	if (json) {
		struct json j;

		json_init(&j, stdout, 0);
		json_object_begin(&j, NULL);
		json_csv_array(&j, "methods", info->methods ? methods : "");
		json_u64(&j, "max_len", info->max_len);
		json_csv_array(&j, "features", info->features ? features : "");
		json_object_end(&j);
		json_newline(&j);
		return;
	}
	add_field(&fs, "methods", "%s", methods);
	add_field(&fs, "max_len", "%llu", info->max_len);
	add_field(&fs, "features", "%s", features);
	print_fields_text(&fs);
}

static bool info_opt(void *settings, int id, const char *v)
{
	(void)id;	/* --json is the only option */
	(void)v;
	*(bool *)settings = true;
	return true;
}

int cmd_info(const struct command *self, struct args *a)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	struct zcopy_info info;
	bool json = false;
	int rc = parse_args(a, "j", opts, info_opt, &json, 0);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	int dev = zcopy_open();
	if (dev < 0)
		return fail_module(errno, ZCOPY_DEV_PATH);
	rc = zcopy_info(dev, &info);
	close_keep_errno(dev);
	if (rc)
		return fail("%s: ZCOPY_IOC_INFO", ZCOPY_DEV_PATH);
	print_info(&info, json);
	return EXIT_OK;
}
