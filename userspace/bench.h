/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcopyctl bench: send files over loopback TCP by every plain-syscall path
 * and every zcopy method, and report throughput, sender CPU, syscalls and
 * CPU copies per byte.  bench_args.c takes the options, bench_run.c
 * measures (with bench_paths.c, bench_rx.c, bench_files.c and bench_env.c:
 * see bench_int.h), bench_report.c prints the table and writes the JSON and
 * SVG.
 */
#ifndef ZCOPY_BENCH_H
#define ZCOPY_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_MAX_SIZES	8

enum bench_cache { BENCH_HOT, BENCH_COLD, BENCH_NR_CACHES };

/* The options of "zcopyctl bench"; bench_opts[] holds their spelling. */
enum bench_opt {
	BENCH_OPT_DIR,
	BENCH_OPT_PATHS,
	BENCH_OPT_SIZES,
	BENCH_OPT_CACHE,
	BENCH_OPT_BUDGET_MS,
	BENCH_OPT_MIN_REPS,
	BENCH_OPT_JSON,
	BENCH_OPT_JSON_FILE,
	BENCH_OPT_SVG,
	BENCH_OPT_NOTE,
	BENCH_OPT_RX_ADDR,
	BENCH_OPT_RX_NETNS,
	BENCH_OPT_CONNECTIONS,
	BENCH_OPT_FANOUT,
	BENCH_NR_OPTS
};

struct bench_opt_spec {
	const char *name;	/* without the "--" */
	bool has_arg;
};

extern const struct bench_opt_spec bench_opts[BENCH_NR_OPTS];
extern const char bench_usage[];

struct bench_config {
	const char *dir;		/* where the test files live */
	uint32_t paths;			/* bit i: paths[i] of bench_paths.c */
	uint64_t sizes[BENCH_MAX_SIZES];
	unsigned int n_sizes;
	unsigned int caches;		/* bit (1 << enum bench_cache) */
	uint64_t budget_ms;		/* per row, once BENCH_FLOOR_REPS ran */
	uint64_t min_reps;
	bool json;			/* JSON on stdout, the table on stderr */
	const char *json_file;		/* NULL: no JSON file */
	const char *svg;		/* NULL: no SVG file */
	const char *note;		/* free text for env.note */
	uint32_t rx_addr;		/* the receiver's IPv4 address, network order */
	const char *rx_netns;		/* its network namespace (a file), or NULL */
	unsigned int connections;	/* >1: only the concurrent rows, this many */
	unsigned int fanout;		/* >0: only the fan-out rows, this many connections */
};

void bench_defaults(struct bench_config *c);
/* Store one option's value; false if the value is bad (a usage error). */
bool bench_set(struct bench_config *c, int opt, const char *val);
/* Run the benchmark; returns the zcopyctl exit status. */
int bench_run(const struct bench_config *c);

/* ---- results, as bench_report.c prints them ---------------------------- */

enum bench_status { BENCH_OK, BENCH_SKIPPED, BENCH_FAILED };

struct bench_row {
	const char *path;		/* "user:readwrite", "zcopy:PAGES", ... */
	unsigned int path_index;	/* its place in bench_paths.c's table */
	uint64_t size;
	enum bench_cache cache;
	enum bench_status status;
	char reason[128];		/* why skipped or failed */
	/* Medians over the repetitions: */
	double mib_per_s;
	double cpu_s_per_gib;		/* sender, user + system */
	double rx_cpu_s_per_gib;	/* receiver, for telling who limits */
	double syscalls;		/* per transfer (per file when files), sender only */
	double files_per_s;		/* files sent per second */
	double copied_per_byte;
	double resident;		/* fraction of the file cached before */
	bool copied_measured;		/* from zcopy_stats, else derived */
	bool stable;			/* settled before the budget ran out */
	unsigned int reps;
	unsigned int xfers_per_rep;
	unsigned int files;		/* small-file rows: files per transfer; else 0 */
	unsigned int connections;	/* concurrent and fan-out rows: connections at once; else 0 */
	unsigned int header_bytes;	/* small-file rows: header before each file */
	/* Throughput / user:readwrite's (small-file rows: user:writev_sendfile's); 0: n/a */
	double vs_readwrite;
};

struct bench_env {
	char kernel[128];
	char cpu_model[96];
	char virt[128];
	char date[32];
	char fs[16];
	char clock[32];			/* the kernel's clocksource */
	char drop_caches[96];		/* "yes" or why not */
	char features[96];		/* zcopy features, "" when no module */
	char route[160];		/* where the receiver is: address, netns, device */
	char route_dev[16];		/* the device the route goes through */
	bool route_sg;			/* it gathers page fragments (or unknown) */
	bool route_sg_known;
	bool have_module;		/* ZCOPY_IOC_INFO answered */
	long cpus;
	const char *dir;
	const char *note;
	uint64_t budget_ms;
	uint64_t min_reps;
	uint64_t batch_bytes;
};

/*
 * The cost model (bench_model.c): per path and cache, time per transfer
 * fitted to fixed + per-byte cost over the sizes that ran.
 */
struct bench_fit {
	const char *path;
	unsigned int path_index;
	enum bench_cache cache;
	unsigned int sizes;		/* rows fitted, one per size */
	double call_ns;			/* wall time: fixed, ns per call */
	double byte_ns;			/* wall time: ns per byte */
	double worst;			/* largest relative miss of a row */
	bool cpu_ok;			/* the sender's CPU time fitted too: */
	double cpu_call_ns;		/* sender CPU: fixed, ns per call */
	double cpu_byte_ns;		/* sender CPU: ns per byte */
};

/* At most this many fits: one per path and cache. */
#define BENCH_MAX_FITS	64

/* The fits of rows' paths with three or more sizes, into fits[max]; how many. */
size_t bench_fit(const struct bench_row *rows, size_t n, struct bench_fit *fits,
		 size_t max);

/* A row of one file over one connection: the table's, the chart's, the model's. */
static inline bool bench_row_plain(const struct bench_row *r)
{
	return !r->files && !r->connections;
}

void bench_table_header(FILE *f);
/* Heads the concurrent rows, which bench_table_row() prints their own way. */
void bench_table_parallel_header(FILE *f, unsigned int connections, uint64_t budget_ms);
void bench_table_row(FILE *f, const struct bench_row *r);
/* Heads the fan-out rows (--fanout), which bench_table_row() prints their own way. */
void bench_table_fanout_header(FILE *f, unsigned int connections, unsigned int header,
			       uint64_t size, uint64_t budget_ms);
/* Heads the small-file rows, which bench_table_row() prints their own way. */
void bench_table_small_header(FILE *f, unsigned int files, uint64_t size,
			      unsigned int header);
/* The cost model's table, after the rows. */
void bench_table_model(FILE *f, const struct bench_row *rows, size_t n);
void bench_table_footer(FILE *f, const struct bench_env *env);
/* bench_write_json() writes to f; both return 0, or -1 with errno set. */
int bench_write_json(FILE *f, const struct bench_env *env,
		     const struct bench_row *rows, size_t n);
int bench_write_json_file(const char *path, const struct bench_env *env,
			  const struct bench_row *rows, size_t n);
int bench_write_svg(const char *path, const struct bench_env *env,
		    const struct bench_row *rows, size_t n);

#endif /* ZCOPY_BENCH_H */
