// SPDX-License-Identifier: GPL-2.0
/*
 * The one JSON writer of zcopyctl (json.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void json_init(struct json *j, FILE *f, int break_depth)
{
	*j = (struct json){ .f = f, .break_depth = break_depth };
}

void json_write_string(FILE *f, const char *s, size_t len)
{
	putc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				putc(c, f);
		}
	}
	putc('"', f);
}

static void indent(struct json *j)
{
	if (j->depth > 0 && j->depth <= j->break_depth) {
		putc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
}

/* The comma, line break and key before a value. */
static void member(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->has_member[j->depth - 1])
			putc(',', j->f);
		j->has_member[j->depth - 1] = true;
	}
	indent(j);
	if (key) {
		json_write_string(j->f, key, strlen(key));
		putc(':', j->f);
		if (j->depth > 0 && j->depth <= j->break_depth)
			putc(' ', j->f);
	}
}

static void open_level(struct json *j, const char *key, char c)
{
	member(j, key);
	putc(c, j->f);
	if (j->depth == JSON_MAX_DEPTH)
		abort();	/* nothing of ours nests this deep */
	j->has_member[j->depth++] = false;
}

static void close_level(struct json *j, char c)
{
	bool had = j->has_member[--j->depth];

	if (had && j->depth < j->break_depth) {
		putc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	putc(c, j->f);
}

void json_object_begin(struct json *j, const char *key)
{
	open_level(j, key, '{');
}

void json_object_end(struct json *j)
{
	close_level(j, '}');
}

void json_array_begin(struct json *j, const char *key)
{
	open_level(j, key, '[');
}

void json_array_end(struct json *j)
{
	close_level(j, ']');
}

void json_string(struct json *j, const char *key, const char *s)
{
	member(j, key);
	if (s)
		json_write_string(j->f, s, strlen(s));
	else
		fputs("null", j->f);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void json_double(struct json *j, const char *key, double v)
{
	member(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

void json_fixed(struct json *j, const char *key, double v, int decimals)
{
	member(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.*f", decimals, v);
	else
		fputs("null", j->f);
}

void json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void json_csv_array(struct json *j, const char *key, const char *csv)
{
	json_array_begin(j, key);
	for (const char *s = csv; *s;) {
		size_t len = strcspn(s, ",");

		member(j, NULL);
		json_write_string(j->f, s, len);
		s += len + (s[len] == ',');
	}
	json_array_end(j);
}

void json_newline(struct json *j)
{
	putc('\n', j->f);
}
