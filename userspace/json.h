/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one JSON writer of zcopyctl: objects, arrays, strings (quotes,
 * backslashes and control characters escaped), numbers, booleans and null,
 * with the commas and, up to a chosen depth, the line breaks in between.
 */
#ifndef ZCOPY_JSON_H
#define ZCOPY_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	int depth;		/* open objects and arrays */
	int break_depth;	/* members of the first break_depth levels on lines of their own */
	bool has_member[JSON_MAX_DEPTH];
};

/*
 * break_depth 0: all on one line (one JSON text per line, as "--json" of
 * most commands prints); 1: each top-level member on its own line; ...
 */
void json_init(struct json *j, FILE *f, int break_depth);
/* key: the member's name inside an object; NULL at the top or in an array. */
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
/* s NULL: null. */
void json_string(struct json *j, const char *key, const char *s);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
/* "%.6g"; NaN and infinities are null. */
void json_double(struct json *j, const char *key, double v);
/* "%.*f" with decimals digits; NaN and infinities are null. */
void json_fixed(struct json *j, const char *key, double v, int decimals);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* "a,b" as ["a","b"]; "" as []. */
void json_csv_array(struct json *j, const char *key, const char *csv);
/* Ends the text that was begun at depth 0 with a newline. */
void json_newline(struct json *j);
/* A string's JSON form, quotes included, to f. */
void json_write_string(FILE *f, const char *s, size_t len);

#endif /* ZCOPY_JSON_H */
