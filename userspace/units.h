/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sizes on zcopyctl's command line (--len, --offset, bench --sizes): one
 * parser for all of them.
 */
#ifndef ZCOPY_UNITS_H
#define ZCOPY_UNITS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Plain decimal (no sign, blanks or base prefix) with an optional binary
 * suffix, any case: K or KiB (1024), M or MiB (1024^2), G or GiB, T or TiB.
 * "KB" and the like are refused: they could mean powers of 1000.  False if
 * malformed or above max.
 */
bool parse_size(const char *s, uint64_t max, uint64_t *out);

#endif /* ZCOPY_UNITS_H */
