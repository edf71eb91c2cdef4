// SPDX-License-Identifier: GPL-2.0
/*
 * Sizes with K, M, G, T suffixes (units.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "units.h"

bool parse_size(const char *s, uint64_t max, uint64_t *out)
{
	static const char units[] = "KMGT";
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end) {
		const char *u = strchr(units, toupper((unsigned char)*end));

		/* "K" or "KiB"; never "KB", which could mean 1000. */
		if (!u || (end[1] && strcasecmp(end + 1, "iB")))
			return false;
		for (int shift = 10 * (int)(u - units + 1); shift; shift -= 10) {
			if (v > UINT64_MAX >> 10)
				return false;
			v <<= 10;
		}
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}
