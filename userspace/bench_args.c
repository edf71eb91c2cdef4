// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: its options, their help and their defaults.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench_int.h"

static const char *const cache_names[BENCH_NR_CACHES] = { "hot", "cold" };

const struct bench_opt_spec bench_opts[BENCH_NR_OPTS] = {
	[BENCH_OPT_DIR] = { "dir", true },
	[BENCH_OPT_PATHS] = { "paths", true },
	[BENCH_OPT_SIZES] = { "sizes", true },
	[BENCH_OPT_CACHE] = { "cache", true },
	[BENCH_OPT_BUDGET_MS] = { "budget-ms", true },
	[BENCH_OPT_MIN_REPS] = { "min-reps", true },
	[BENCH_OPT_JSON] = { "json", false },
	[BENCH_OPT_JSON_FILE] = { "json-file", true },
	[BENCH_OPT_SVG] = { "svg", true },
	[BENCH_OPT_NOTE] = { "note", true },
	[BENCH_OPT_RX_ADDR] = { "rx-addr", true },
	[BENCH_OPT_RX_NETNS] = { "rx-netns", true },
	[BENCH_OPT_CONNECTIONS] = { "connections", true },
	[BENCH_OPT_FANOUT] = { "fanout", true },
};

const char bench_usage[] =
	"Usage: zcopyctl bench [OPTIONS]\n"
	"\n"
	"Send files of several sizes to a receiver (on 127.0.0.1) over TCP by\n"
	"each path below, with the page cache hot and cold, and print a row per\n"
	"(path, size, cache): throughput, sender CPU seconds per GiB, receiver\n"
	"CPU seconds per GiB, syscalls per transfer, CPU copies per payload byte.\n"
	"\n"
	"Paths:\n"
	"  user:readwrite    pread() into a 64 KiB buffer, write() it to the socket\n"
	"  user:mmap_write   mmap() the file, write() the mapping, munmap()\n"
	"  user:sendfile     sendfile(2)\n"
	"  user:splice       splice(2) file -> pipe (1 MiB if allowed) -> socket\n"
	"  user:io_uring_splice  the same splices as linked IORING_OP_SPLICE\n"
	"                    pairs, the whole file in one submission (liburing)\n"
	"  user:msg_zerocopy mmap() the file, send(MSG_ZEROCOPY) it, munmap(); the\n"
	"                    completions reaped from the error queue as they come\n"
	"  zcopy:COPY, zcopy:MMAP, zcopy:SPLICE, zcopy:PAGES, zcopy:DIRECT\n"
	"                    ZCOPY_IOC_SEND with that method (needs the module;\n"
	"                    DIRECT is skipped where the filesystem has no O_DIRECT)\n"
	"Small-file paths (their own rows, hot only: 1000 files of 4 KiB, each\n"
	"preceded by a 200-byte header, on one connection; with files/s):\n"
	"  user:writev_sendfile  per file: TCP_CORK on, writev() the header,\n"
	"                    sendfile() the file, TCP_CORK off\n"
	"  zcopy:SENDV       one ZCOPY_IOC_SENDV per file: header + file segment\n"
	"  zcopy:SENDV64     one ZCOPY_IOC_SENDV per 64 files with their headers\n"
	"\n"
	"How it measures:\n"
	"  The receiver is a forked process that discards with recv(MSG_TRUNC)\n"
	"  into no buffer; it runs SCHED_IDLE, so that it never preempts the\n"
	"  sender (and gets only idle CPU time: run on an otherwise idle machine).\n"
	"  A (path, size, cache) series reuses one connection (TCP_NODELAY) and\n"
	"  starts with an unmeasured repetition.  The series of one size and cache\n"
	"  take turns, a repetition each, so that a change in the machine's load\n"
	"  hits every path alike.  A repetition sends the whole file K times (K =\n"
	"  4 MiB / size, at least 1; 1 when cold) and lasts from the first call to\n"
	"  the receiver's word that every byte arrived; sender CPU is\n"
	"  getrusage(RUSAGE_SELF) around the calls.  Repetitions go on until the\n"
	"  running medians of throughput and CPU/GiB moved less than 5% over the\n"
	"  last 5 of them (and --min-reps ran), or until --budget-ms is spent (and\n"
	"  3 ran; the row's reps get a '~').  Figures are medians.\n"
	"  Cold: before each repetition fsync(), posix_fadvise(DONTNEED) and, where\n"
	"  permitted, 1 > /proc/sys/vm/drop_caches; that only means something on a\n"
	"  disk filesystem such as ext4, so cold rows are skipped on tmpfs.\n"
	"  Copies per byte of zcopy:* are measured (zcopy_stats.copied_bytes /\n"
	"  bytes sent); those of the other user:* paths are derived from the code (marked\n"
	"  '*'): readwrite 2, mmap_write 1, sendfile and the splices 0 on a route\n"
	"  that gathers pages, as loopback does, and 1 on one that cannot (the\n"
	"  route's device says which: ETHTOOL_GSG).  msg_zerocopy's are measured: the\n"
	"  bytes its completions mark SO_EE_CODE_ZEROCOPY_COPIED (all, on loopback);\n"
	"  through a device that cannot gather, whose copy by GSO they miss, 1.\n"
	"  The cost model after the rows fits each path's time per transfer to\n"
	"  ns per call + ns per KiB over the sizes, three at least (wall and\n"
	"  sender CPU).\n"
	"\n"
	"Options:\n"
	"  --dir DIR         directory for the test files (default /tmp)\n"
	"  --paths LIST      comma-separated paths (default: all, small-file ones\n"
	"                    included)\n"
	"  --sizes LIST      comma-separated sizes in bytes, with K, M or G (or\n"
	"                    KiB, MiB, GiB) for powers of 1024, up to 1G\n"
	"                    (default 4K,64K,1M,64M)\n"
	"  --cache LIST      hot, cold or hot,cold (default hot,cold)\n"
	"  --budget-ms N     time budget of a row, in ms (default 2000)\n"
	"  --min-reps N      repetitions before a row may settle (default 5)\n"
	"  --json            print the environment and every row as JSON on\n"
	"                    stdout (the table goes to stderr)\n"
	"  --json-file FILE  write that JSON to FILE\n"
	"  --svg FILE        write a bar chart of the hot rows as SVG\n"
	"  --note TEXT       free text for the JSON's env.note\n"
	"  --rx-addr IPV4    the receiver's address (default 127.0.0.1): one of\n"
	"                    this machine's, or of --rx-netns, to measure a route\n"
	"                    through a NIC\n"
	"  --rx-netns FILE   the receiver's network namespace, as ip-netns(8)\n"
	"                    keeps them (/run/netns/NAME); needs CAP_SYS_ADMIN\n"
	"  --connections N   2 to 64: instead of the rows above, concurrent rows\n"
	"                    (hot): per path and size, N threads each sending the\n"
	"                    file over a connection of its own for --budget-ms;\n"
	"                    MiB/s of them all and the sender's CPU per GiB\n"
	"  --fanout N        1 to 64: instead of the rows above, the fan-out rows:\n"
	"                    one sender, N connections, per round a 200-byte\n"
	"                    header and a 4 KiB file to each, by\n"
	"                    user:writev_sendfile, user:io_uring (one submission\n"
	"                    per round), zcopy:SENDV and zcopy:SUBMIT (one\n"
	"                    submission and one read per round), each 3 times in\n"
	"                    turn for --budget-ms; files/s and the sender's CPU\n"
	"                    per GiB, kernel workers included\n"
	"  -h, --help        show this help\n";

void bench_defaults(struct bench_config *c)
{
	static const uint64_t sizes[] = { 4 * KIB, 64 * KIB, MIB, 64 * MIB };

	*c = (struct bench_config){
		.dir = "/tmp",
		.paths = (1U << ARRAY_SIZE(paths)) - 1,
		.n_sizes = ARRAY_SIZE(sizes),
		.caches = 1U << BENCH_HOT | 1U << BENCH_COLD,
		.budget_ms = 2000,
		.min_reps = 5,
		.rx_addr = htonl(INADDR_LOOPBACK),
		.connections = 1,
	};
	memcpy(c->sizes, sizes, sizeof(sizes));
}

/* Plain decimal from min to max. */
static bool parse_num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);

	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Calls item() on each piece of a comma-separated list; false on the first no. */
static bool each_item(const char *list, bool (*item)(void *ctx, const char *s), void *ctx)
{
	char buf[256];

	if (!*list || strlen(list) >= sizeof(buf))
		return false;
	strcpy(buf, list);
	for (char *save, *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save))
		if (!item(ctx, s))
			return false;
	return true;
}

static bool add_path(void *ctx, const char *s)
{
	struct bench_config *c = ctx;

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		if (!strcasecmp(s, paths[i].name)) {
			c->paths |= 1U << i;
			return true;
		}
	}
	return false;
}

static bool add_size(void *ctx, const char *s)
{
	struct bench_config *c = ctx;

	return c->n_sizes < BENCH_MAX_SIZES &&
	       parse_size(s, GIB, &c->sizes[c->n_sizes]) &&
	       c->sizes[c->n_sizes++] >= 1;
}

static bool add_cache(void *ctx, const char *s)
{
	struct bench_config *c = ctx;

	for (int i = 0; i < BENCH_NR_CACHES; i++) {
		if (!strcmp(s, cache_names[i])) {
			c->caches |= 1U << i;
			return true;
		}
	}
	return false;
}

bool bench_set(struct bench_config *c, int opt, const char *v)
{
	switch (opt) {
	case BENCH_OPT_DIR:
		c->dir = v;
		return true;
	case BENCH_OPT_PATHS:
		c->paths = 0;
		return each_item(v, add_path, c);
	case BENCH_OPT_SIZES:
		c->n_sizes = 0;
		return each_item(v, add_size, c);
	case BENCH_OPT_CACHE:
		c->caches = 0;
		return each_item(v, add_cache, c);
	case BENCH_OPT_BUDGET_MS:
		return parse_num(v, 0, UINT32_MAX, &c->budget_ms);
	case BENCH_OPT_MIN_REPS:
		return parse_num(v, 1, MAX_REPS, &c->min_reps);
	case BENCH_OPT_JSON:
		c->json = true;
		return true;
	case BENCH_OPT_JSON_FILE:
		c->json_file = v;
		return true;
	case BENCH_OPT_SVG:
		c->svg = v;
		return true;
	case BENCH_OPT_NOTE:
		c->note = v;
		return true;
	case BENCH_OPT_RX_ADDR:
		return inet_pton(AF_INET, v, &c->rx_addr) == 1;
	case BENCH_OPT_RX_NETNS:
		c->rx_netns = v;
		return true;
	case BENCH_OPT_CONNECTIONS: {
		uint64_t n;

		if (!parse_num(v, 1, BENCH_MAX_CONNECTIONS, &n))
			return false;
		c->connections = n;
		return true;
	}
	case BENCH_OPT_FANOUT: {
		uint64_t n;

		if (!parse_num(v, 1, BENCH_MAX_CONNECTIONS, &n))
			return false;
		c->fanout = n;
		return true;
	}
	}
	return false;
}
