// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: the cost model.  For each path and cache, the rows of
 * several sizes are fitted to
 *
 *	time per transfer = fixed cost per call + cost per byte * size
 *
 * once for the wall time and once for the sender's CPU time, so that what a
 * path pays per call (syscalls, lookups, allocations, bookkeeping) is told
 * apart from what it pays per byte (copies, page references, the stack).
 * Sizes span four orders of magnitude, so the fit minimises the relative
 * error of each point (weights 1/t^2), not the absolute one, which the
 * largest size alone would decide.
 */
#include <math.h>

#include "bench.h"

/*
 * Least relative squares for t = a + b * s over the points (s[i], t[i]):
 * false when the points cannot decide.  Two sizes always fit exactly and
 * say nothing of whether the model holds (through a NIC that limits the
 * bytes per second, the "fixed cost" of such a fit came out negative):
 * three at least, so that the miss measures the model.
 */
static bool fit_line(const double *s, const double *t, unsigned int n,
		     double *a, double *b, double *worst)
{
	double sw = 0, sws = 0, swss = 0, swt = 0, swst = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (!(t[i] > 0))
			return false;
		double w = 1 / (t[i] * t[i]);

		sw += w;
		sws += w * s[i];
		swss += w * s[i] * s[i];
		swt += w * t[i];
		swst += w * s[i] * t[i];
	}
	double det = sw * swss - sws * sws;

	if (n < 3 || fabs(det) < 1e-300)
		return false;
	*a = (swss * swt - sws * swst) / det;
	*b = (sw * swst - sws * swt) / det;
	*worst = 0;
	for (unsigned int i = 0; i < n; i++) {
		double err = fabs(*a + *b * s[i] - t[i]) / t[i];

		*worst = err > *worst ? err : *worst;
	}
	return true;
}

size_t bench_fit(const struct bench_row *rows, size_t n, struct bench_fit *fits,
		 size_t max)
{
	size_t nf = 0;

	for (size_t i = 0; i < n && nf < max; i++) {
		const struct bench_row *r = &rows[i];
		double s[BENCH_MAX_SIZES], t[BENCH_MAX_SIZES], c[BENCH_MAX_SIZES];
		unsigned int k = 0;
		bool seen = false;

		if (!bench_row_plain(r) || r->status != BENCH_OK)
			continue;
		/* Each (path, cache) once, from its first row on. */
		for (size_t j = 0; j < i && !seen; j++)
			seen = bench_row_plain(&rows[j]) && rows[j].status == BENCH_OK &&
			       rows[j].path_index == r->path_index &&
			       rows[j].cache == r->cache;
		if (seen)
			continue;
		for (size_t j = i; j < n && k < BENCH_MAX_SIZES; j++) {
			const struct bench_row *q = &rows[j];

			if (!bench_row_plain(q) || q->status != BENCH_OK ||
			    q->path_index != r->path_index || q->cache != r->cache ||
			    !(q->mib_per_s > 0))
				continue;
			s[k] = (double)q->size;
			t[k] = q->size / (q->mib_per_s * 1048576.0) * 1e9;
			c[k] = q->cpu_s_per_gib * (q->size / 1073741824.0) * 1e9;
			k++;
		}
		struct bench_fit *f = &fits[nf];
		double cpu_worst;

		*f = (struct bench_fit){
			.path = r->path, .path_index = r->path_index,
			.cache = r->cache, .sizes = k,
		};
		if (!fit_line(s, t, k, &f->call_ns, &f->byte_ns, &f->worst))
			continue;
		/* A path that spent no CPU at some size has no CPU fit. */
		f->cpu_ok = fit_line(s, c, k, &f->cpu_call_ns, &f->cpu_byte_ns, &cpu_worst);
		nf++;
	}
	return nf;
}
