// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: its options go to bench_args.c, the work to bench_run.c.
 */
#include <getopt.h>

#include "bench.h"
#include "cli.h"

static bool bench_opt(void *settings, int id, const char *v)
{
	return bench_set(settings, id - OPT_BENCH, v);
}

int cmd_bench(const struct command *self, struct args *a)
{
	struct option opts[BENCH_NR_OPTS + 1] = { { 0 } };
	struct bench_config cfg;

	(void)self;
	for (int i = 0; i < BENCH_NR_OPTS; i++)
		opts[i] = (struct option){
			bench_opts[i].name,
			bench_opts[i].has_arg ? required_argument : no_argument,
			NULL, OPT_BENCH + i,
		};
	bench_defaults(&cfg);
	int rc = parse_args(a, "", opts, bench_opt, &cfg, 0);
	return rc != CONTINUE ? rc : bench_run(&cfg);
}
