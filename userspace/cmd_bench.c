// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: its options go to bench.c, which does the work.
 */
#include "bench.h"
#include "cli.h"

static bool bench_opt(void *settings, int id, const char *v)
{
	return bench_set(settings, id - OPT_BENCH, v);
}

int cmd_bench(const struct command *self, struct args *a)
{
	struct opt opts[BENCH_NR_OPTS + 1] = { { 0 } };
	struct bench_config cfg;

	(void)self;
	for (int i = 0; i < BENCH_NR_OPTS; i++)
		opts[i] = (struct opt){ bench_opts[i].name, bench_opts[i].has_arg, OPT_BENCH + i };
	bench_defaults(&cfg);
	int rc = parse_args(a, opts, bench_opt, &cfg, 0);
	return rc != CONTINUE ? rc : bench_run(&cfg);
}
