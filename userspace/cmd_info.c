// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl info: what the loaded module supports.
 */
#include "cli.h"
#include "libzcopy.h"

const char info_usage[] =
	"Usage: zcopyctl info\n"
	"\n"
	"Show what the loaded module supports: its API version, the transfer\n"
	"methods it implements, the most bytes one transfer moves (max_len) and\n"
	"the kernel features it uses.\n";

static const char *const feature_names[] = { "splice_pages", "sendpage", "io_accounting" };

static void print_info(const struct zcopy_info *info)
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
	add_field(&fs, "methods", true, "%s", methods);
	add_field(&fs, "max_len", false, "%llu", info->max_len);
	add_field(&fs, "features", true, "%s", features);
	print_fields_text(&fs);
}

int cmd_info(const struct command *self, struct args *a)
{
	struct zcopy_info info;
	int rc = parse_plain(a);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	int dev = zcopy_open();
	if (dev < 0)
		return fail("%s", ZCOPY_DEV_PATH);
	rc = zcopy_info(dev, &info);
	close_keep_errno(dev);
	if (rc)
		return fail("%s: ZCOPY_IOC_INFO", ZCOPY_DEV_PATH);
	print_info(&info);
	return EXIT_OK;
}
