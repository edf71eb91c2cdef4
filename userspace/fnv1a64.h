/* SPDX-License-Identifier: GPL-2.0 */
/* FNV-1a 64, the hash "zcopyctl send" and "zcopyctl recv" print. */
#ifndef ZCOPY_FNV1A64_H
#define ZCOPY_FNV1A64_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_BASIS	0xcbf29ce484222325ULL
#define FNV1A64_PRIME	0x100000001b3ULL

static inline uint64_t fnv1a64(uint64_t hash, const unsigned char *p, size_t n)
{
	while (n--)
		hash = (hash ^ *p++) * FNV1A64_PRIME;
	return hash;
}

#endif /* ZCOPY_FNV1A64_H */
