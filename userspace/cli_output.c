// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl's name-value output, aligned, and its bit-set names.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void add_field(struct fields *fs, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (fs->n == ARRAY_SIZE(fs->f))
		abort();	/* a table below outgrew the array */
	struct field *f = &fs->f[fs->n++];
	f->key = key;
	va_start(ap, fmt);
	vsnprintf(f->val, sizeof(f->val), fmt, ap);
	va_end(ap);
}

void print_fields_text(const struct fields *fs)
{
	int width = 0;

	for (size_t i = 0; i < fs->n; i++)
		if ((int)strlen(fs->f[i].key) > width)
			width = strlen(fs->f[i].key);
	for (size_t i = 0; i < fs->n; i++)
		printf("%-*s  %s\n", width, fs->f[i].key, fs->f[i].val);
}

void format_flags(char *buf, size_t size, uint64_t bits,
		  const char *const *names, size_t n_names)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < 64 && len < size; i++) {
		char unknown[8];
		const char *name = i < n_names ? names[i] : unknown;

		if (!(bits >> i & 1))
			continue;
		snprintf(unknown, sizeof(unknown), "bit%u", i);
		len += snprintf(buf + len, size - len, "%s%s", len ? "," : "", name);
	}
	if (!len)
		snprintf(buf, size, "none");
}
