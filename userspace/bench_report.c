// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: the reporting half.  The table streams a row at a time
 * (a run under emulation takes minutes); the JSON and the SVG are written
 * whole at the end, the SVG by hand so that nothing new is linked in.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "bench.h"
#include "json.h"

static const char *const cache_names[BENCH_NR_CACHES] = { "hot", "cold" };
static const char *const status_names[] = {
	[BENCH_OK] = "ok", [BENCH_SKIPPED] = "skipped", [BENCH_FAILED] = "failed",
};

/* "64K" (or "64 KiB" when long) for whole units, else bytes. */
static const char *format_size(char *buf, size_t len, uint64_t size, bool long_units)
{
	static const char *const units[][2] = { { "G", " GiB" }, { "M", " MiB" }, { "K", " KiB" } };

	for (int i = 0; i < 3; i++) {
		int shift = 10 * (3 - i);

		if (size >= 1ULL << shift && !(size & ((1ULL << shift) - 1))) {
			snprintf(buf, len, "%llu%s", (unsigned long long)(size >> shift),
				 units[i][long_units]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu%s", (unsigned long long)size, long_units ? " B" : "");
	return buf;
}

/* ---- table ------------------------------------------------------------- */

#define ROW_FMT	"%-20s %5s %-5s %10s %10s %9s %10s %9s %7s %5s\n"

void bench_table_header(FILE *f)
{
	fprintf(f, ROW_FMT, "path", "size", "cache", "MiB/s", "CPU s/GiB",
		"rx s/GiB", "calls/xfer", "copies/B", "vs rw", "reps");
}

#define SMALL_FMT "%-20s %10s %10s %10s %9s %10s %9s %8s %5s\n"

void bench_table_small_header(FILE *f, unsigned int files, uint64_t size,
			      unsigned int header)
{
	char sz[16];

	fprintf(f, "\nSmall files: %u files of %s, each after a %u-byte header, hot, one\n"
		"connection; figures per repetition of all %u files.\n", files,
		format_size(sz, sizeof(sz), size, true), header, files);
	fprintf(f, SMALL_FMT, "path", "files/s", "MiB/s", "CPU s/GiB", "rx s/GiB",
		"calls/file", "copies/B", "vs wv_sf", "reps");
}

#define PAR_FMT "%-20s %5s %10s %10s %10s\n"

void bench_table_parallel_header(FILE *f, unsigned int connections, uint64_t budget_ms)
{
	fprintf(f, "\nConcurrent: %u connections at once, each a sender thread and a receiver\n"
		"process, %llu ms per row, hot; MiB/s of them all, the sender's CPU (all\n"
		"threads) per GiB.\n", connections, (unsigned long long)budget_ms);
	fprintf(f, PAR_FMT, "path", "size", "MiB/s", "files/s", "CPU s/GiB");
}

static void table_parallel_row(FILE *f, const struct bench_row *r)
{
	char size[16], mibs[16], fps[16], cpu[16];

	format_size(size, sizeof(size), r->size, false);
	if (r->status != BENCH_OK) {
		fprintf(f, "%-20s %5s %s: %s\n", r->path, size, status_names[r->status],
			r->reason);
		return;
	}
	snprintf(mibs, sizeof(mibs), "%.1f", r->mib_per_s);
	snprintf(fps, sizeof(fps), "%.0f", r->files_per_s);
	snprintf(cpu, sizeof(cpu), "%.3f", r->cpu_s_per_gib);
	fprintf(f, PAR_FMT, r->path, size, mibs, fps, cpu);
}

#define FAN_FMT "%-20s %10s %10s %10s %10s %8s\n"

void bench_table_fanout_header(FILE *f, unsigned int connections, unsigned int header,
			       uint64_t size, uint64_t budget_ms)
{
	char sz[16];

	fprintf(f, "\nFan-out: one sender, %u connections, per round a %u-byte header and a\n"
		"%s file (hot) to each; every path 3 times in turn, %llu ms each, the\n"
		"median shown.  CPU: every CPU's busy time less the receivers' (kernel\n"
		"workers included), per GiB; vs wv_sf: files/s over user:writev_sendfile's.\n",
		connections, header,
		format_size(sz, sizeof(sz), size, true), (unsigned long long)budget_ms);
	fprintf(f, FAN_FMT, "path", "files/s", "MiB/s", "CPU s/GiB", "rx s/GiB",
		"vs wv_sf");
}

static void table_fanout_row(FILE *f, const struct bench_row *r)
{
	char fps[16], mibs[16], cpu[16], rx[16], vs[16];

	if (r->status != BENCH_OK) {
		fprintf(f, "%-20s %s: %s\n", r->path, status_names[r->status], r->reason);
		return;
	}
	snprintf(fps, sizeof(fps), "%.0f", r->files_per_s);
	snprintf(mibs, sizeof(mibs), "%.1f", r->mib_per_s);
	snprintf(cpu, sizeof(cpu), "%.3f", r->cpu_s_per_gib);
	snprintf(rx, sizeof(rx), "%.3f", r->rx_cpu_s_per_gib);
	snprintf(vs, sizeof(vs), "%.2fx", r->vs_readwrite);
	fprintf(f, FAN_FMT, r->path, fps, mibs, cpu, rx, r->vs_readwrite > 0 ? vs : "-");
}

/* The cells both kinds of row share, formatted. */
struct row_cells {
	char mibs[16], cpu[16], rx[16], calls[16], copies[16], vs[16], reps[16];
};

static void format_cells(struct row_cells *c, const struct bench_row *r,
			 int calls_prec, int copies_prec)
{
	snprintf(c->mibs, sizeof(c->mibs), "%.1f", r->mib_per_s);
	snprintf(c->cpu, sizeof(c->cpu), "%.3f", r->cpu_s_per_gib);
	snprintf(c->rx, sizeof(c->rx), "%.3f", r->rx_cpu_s_per_gib);
	snprintf(c->calls, sizeof(c->calls), "%.*f", calls_prec, r->syscalls);
	snprintf(c->copies, sizeof(c->copies), "%.*f%c", copies_prec,
		 r->copied_per_byte, r->copied_measured ? ' ' : '*');
	if (r->vs_readwrite > 0)
		snprintf(c->vs, sizeof(c->vs), "%.2fx", r->vs_readwrite);
	else
		snprintf(c->vs, sizeof(c->vs), "-");
	snprintf(c->reps, sizeof(c->reps), "%u%s", r->reps, r->stable ? "" : "~");
}

static void table_small_row(FILE *f, const struct bench_row *r)
{
	struct row_cells c;
	char fps[16];

	if (r->status != BENCH_OK) {
		fprintf(f, "%-20s %s: %s\n", r->path, status_names[r->status], r->reason);
		return;
	}
	snprintf(fps, sizeof(fps), "%.0f", r->files_per_s);
	format_cells(&c, r, 2, 3);
	fprintf(f, SMALL_FMT, r->path, fps, c.mibs, c.cpu, c.rx, c.calls, c.copies,
		c.vs, c.reps);
	if (r->resident >= 0 && r->resident < 0.99)
		fprintf(f, "  ^ %.0f%% of the files were cached before a transfer (median)\n",
			r->resident * 100);
}

void bench_table_row(FILE *f, const struct bench_row *r)
{
	struct row_cells c;
	char size[16];

	if (r->files && r->connections) {
		table_fanout_row(f, r);
		return;
	}
	if (r->files) {
		table_small_row(f, r);
		return;
	}
	if (r->connections) {
		table_parallel_row(f, r);
		return;
	}
	format_size(size, sizeof(size), r->size, false);
	if (r->status != BENCH_OK) {
		fprintf(f, "%-20s %5s %-5s %s: %s\n", r->path, size,
			cache_names[r->cache], status_names[r->status], r->reason);
		return;
	}
	format_cells(&c, r, 1, 2);
	fprintf(f, ROW_FMT, r->path, size, cache_names[r->cache], c.mibs, c.cpu,
		c.rx, c.calls, c.copies, c.vs, c.reps);
	/* A cache that was not in the state the row claims must not pass unseen. */
	if (r->resident >= 0 && (r->cache == BENCH_HOT ? r->resident < 0.99 : r->resident > 0.01))
		fprintf(f, "  ^ %.0f%% of the file was cached before a transfer (median)\n",
			r->resident * 100);
}

#define MODEL_FMT "%-20s %-5s %5s %11s %9s %11s %9s %6s\n"

void bench_table_model(FILE *f, const struct bench_row *rows, size_t n)
{
	struct bench_fit fits[BENCH_MAX_FITS];
	size_t nf = bench_fit(rows, n, fits, BENCH_MAX_FITS);

	if (!nf)
		return;
	fprintf(f, "\nCost model: time per transfer = fixed ns per call + ns per KiB, fitted\n"
		"over the sizes above (least relative squares); wall time and sender CPU.\n");
	fprintf(f, MODEL_FMT, "path", "cache", "sizes", "ns/call", "ns/KiB",
		"CPU ns/call", "CPU ns/KiB", "miss");
	for (size_t i = 0; i < nf; i++) {
		const struct bench_fit *m = &fits[i];
		char call[16], kib[16], ccall[16] = "-", ckib[16] = "-", sizes[8], miss[8];

		snprintf(sizes, sizeof(sizes), "%u", m->sizes);
		snprintf(call, sizeof(call), "%.0f", m->call_ns);
		snprintf(kib, sizeof(kib), "%.1f", m->byte_ns * 1024);
		if (m->cpu_ok) {
			snprintf(ccall, sizeof(ccall), "%.0f", m->cpu_call_ns);
			snprintf(ckib, sizeof(ckib), "%.1f", m->cpu_byte_ns * 1024);
		}
		snprintf(miss, sizeof(miss), "%.0f%%", m->worst * 100);
		fprintf(f, MODEL_FMT, m->path, cache_names[m->cache], sizes, call, kib,
			ccall, ckib, miss);
	}
	fprintf(f, "miss: the largest relative difference between the fit and a row's time.\n");
}

void bench_table_footer(FILE *f, const struct bench_env *e)
{
	fprintf(f,
		"\nFigures are medians over the repetitions.  CPU s/GiB: the sender's user+system\n"
		"time (rx: the receiver's).  calls/xfer: the sender's syscalls per transfer of\n"
		"the file.  copies/B: CPU copies per payload byte, from zcopy_stats or the\n"
		"MSG_ZEROCOPY completions, or derived from the code path where marked '*'.\n"
		"vs rw: throughput over user:readwrite's.\n"
		"reps: repetitions of 4 MiB / size transfers (hot) or 1 (cold); '~': the\n"
		"figures did not settle within the budget of %llu ms.  Small files: bytes and\n"
		"copies/B count headers and files; vs wv_sf: files/s over user:writev_sendfile's.\n",
		(unsigned long long)e->budget_ms);
	fprintf(f, "Kernel %s, %ld CPU%s (%s), clock %s; files in %s (%s); drop_caches: %s;\n"
		"receiver on %s.\n",
		e->kernel, e->cpus, e->cpus == 1 ? "" : "s", e->cpu_model, e->clock, e->dir,
		e->fs, e->drop_caches, e->route);
	if (strstr(e->clock, "jiffies"))
		fprintf(f, "WARNING: the clocksource is %s: times move in ticks, figures are coarse.\n",
			e->clock);
	if (strcmp(e->virt, "none detected"))
		fprintf(f, "Virtualization: %s.\n", e->virt);
}

/* ---- JSON (json.h) ---------------------------------------------------- */

static void json_env(struct json *j, const struct bench_env *e)
{
	json_object_begin(j, "env");
	json_string(j, "kernel", e->kernel);
	json_i64(j, "cpus", e->cpus);
	json_string(j, "cpu_model", e->cpu_model);
	json_string(j, "virtualization", e->virt);
	json_string(j, "note", e->note);
	json_string(j, "date", e->date);
	if (!e->have_module)
		json_null(j, "features");
	else
		json_csv_array(j, "features", e->features);
	json_string(j, "clocksource", e->clock);
	json_string(j, "dir", e->dir);
	json_string(j, "fs", e->fs);
	json_string(j, "drop_caches", e->drop_caches);
	json_string(j, "route", e->route);
	json_string(j, "receiver", "forked SCHED_IDLE process on the route's address, recv(MSG_TRUNC) into no buffer");
	json_string(j, "connection", "one TCP connection (TCP_NODELAY) per path, size and cache");
	json_string(j, "order", "the paths of one size and cache take turns, one repetition each");
	json_string(j, "repetition", "whole file sent transfers_per_rep times, timed until the receiver has every byte");
	json_string(j, "cpu", "getrusage(RUSAGE_SELF) user+system around the sending calls");
	json_string(j, "cost_model", "per path and cache: time per transfer = ns_per_call + ns_per_kib * size / 1024, wall and sender CPU, least relative squares over three sizes or more");
	json_string(j, "cold", "fsync, posix_fadvise(DONTNEED) and drop_caches (if permitted) before each repetition; meaningful on a disk filesystem only");
	json_string(j, "settle", "running medians of mib_per_s and cpu_s_per_gib within 5% over the last 5 repetitions");
	json_u64(j, "batch_bytes", e->batch_bytes);
	json_u64(j, "min_reps", e->min_reps);
	json_u64(j, "budget_ms", e->budget_ms);
	json_object_end(j);
}

/* A figure of a row that ran, else null. */
static void json_num(struct json *j, const char *key, double v, bool ok)
{
	if (ok)
		json_double(j, key, v);
	else
		json_null(j, key);
}

static void json_row(struct json *j, const struct bench_row *r)
{
	bool ok = r->status == BENCH_OK;

	json_object_begin(j, NULL);
	json_string(j, "path", r->path);
	json_u64(j, "size", r->size);
	json_string(j, "cache", cache_names[r->cache]);
	json_string(j, "status", status_names[r->status]);
	if (!ok)
		json_string(j, "reason", r->reason);
	json_num(j, "mib_per_s", r->mib_per_s, ok);
	json_num(j, "cpu_s_per_gib", r->cpu_s_per_gib, ok);
	/* The concurrent rows measure throughput and sender CPU only. */
	bool full = ok && !r->connections;

	json_num(j, "rx_cpu_s_per_gib", r->rx_cpu_s_per_gib, full);
	json_num(j, "syscalls_per_transfer", r->syscalls, full);
	json_num(j, "copied_bytes_per_byte", r->copied_per_byte, full);
	json_string(j, "copied_source", r->copied_measured ? "measured" : "derived");
	json_num(j, "resident_fraction", r->resident, ok && r->resident >= 0);
	json_num(j, "files_per_s", r->files_per_s, ok);
	if (r->files) {
		json_u64(j, "files", r->files);
		json_u64(j, "header_bytes", r->header_bytes);
		json_num(j, "syscalls_per_file", r->syscalls, ok);
		json_num(j, "vs_writev_sendfile", r->vs_readwrite,
			 ok && r->vs_readwrite > 0);
	} else {
		json_num(j, "vs_readwrite", r->vs_readwrite, ok && r->vs_readwrite > 0);
	}
	if (r->connections)
		json_u64(j, "connections", r->connections);
	json_u64(j, "reps", r->reps);
	json_u64(j, "transfers_per_rep", r->xfers_per_rep);
	json_bool(j, "stable", ok && r->stable);
	json_object_end(j);
}

static void json_fit(struct json *j, const struct bench_fit *m)
{
	json_object_begin(j, NULL);
	json_string(j, "path", m->path);
	json_string(j, "cache", cache_names[m->cache]);
	json_u64(j, "sizes", m->sizes);
	json_double(j, "ns_per_call", m->call_ns);
	json_double(j, "ns_per_kib", m->byte_ns * 1024);
	json_double(j, "worst_relative_miss", m->worst);
	json_num(j, "cpu_ns_per_call", m->cpu_call_ns, m->cpu_ok);
	json_num(j, "cpu_ns_per_kib", m->cpu_byte_ns * 1024, m->cpu_ok);
	json_object_end(j);
}

/* Close f, keeping the first error. */
static int finish(FILE *f)
{
	int err = ferror(f) ? (errno ? errno : EIO) : 0;

	if (fclose(f) && !err)
		err = errno;
	errno = err;
	return err ? -1 : 0;
}

int bench_write_json(FILE *f, const struct bench_env *env,
		     const struct bench_row *rows, size_t n)
{
	struct bench_fit fits[BENCH_MAX_FITS];
	size_t nf = bench_fit(rows, n, fits, BENCH_MAX_FITS);
	struct json j;

	/* The env's members and each row on a line of their own. */
	json_init(&j, f, 2);
	json_object_begin(&j, NULL);
	json_env(&j, env);
	json_array_begin(&j, "results");
	for (size_t i = 0; i < n; i++)
		json_row(&j, &rows[i]);
	json_array_end(&j);
	json_array_begin(&j, "cost_model");
	for (size_t i = 0; i < nf; i++)
		json_fit(&j, &fits[i]);
	json_array_end(&j);
	json_object_end(&j);
	json_newline(&j);
	if (fflush(f) || ferror(f)) {
		errno = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

int bench_write_json_file(const char *path, const struct bench_env *env,
			  const struct bench_row *rows, size_t n)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	bench_write_json(f, env, rows, n);
	return finish(f);
}

/* ---- SVG --------------------------------------------------------------- */

/*
 * Two panels side by side, throughput and sender CPU, with a row per path
 * under a heading per file size (hot cache only).  Bars are scaled per size
 * and panel: figures span orders of magnitude across sizes, and the point is
 * to compare paths at one size; the number at each bar gives the absolute.
 */
#define SVG_LABEL_W	170	/* path names */
#define SVG_PANEL_W	430
#define SVG_GAP		40
#define SVG_VALUE_W	70	/* room for the number right of the longest bar */
#define SVG_TOP		100
#define SVG_GROUP_H	30
#define SVG_ROW_H	20
#define SVG_BAR_H	14
#define SVG_W		(SVG_LABEL_W + 2 * SVG_PANEL_W + SVG_GAP + 30)

struct svg_panel {
	const char *title;
	size_t value;		/* offset of the double in struct bench_row */
};

static const struct svg_panel panels[] = {
	{ "Throughput, MiB/s (longer is better)", offsetof(struct bench_row, mib_per_s) },
	{ "Sender CPU, s per GiB (shorter is better)", offsetof(struct bench_row, cpu_s_per_gib) },
};

/* By path (bench_paths.c's order); user paths in cool colours, zcopy's warm. */
static const char *const colours[] = {
	"#9aa5b1", "#6b7785", "#4c78a8", "#72b7b2", "#2f4b7c", "#5aa0d8",
	"#e45756", "#f58518", "#d4a72c", "#54a24b", "#b279a2",
	"#4c78a8", "#54a24b", "#2e7d32",
};

static double value_of(const struct bench_row *r, const struct svg_panel *p)
{
	return *(const double *)((const char *)r + p->value);
}

static void svg_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: putc(*s, f);
		}
	}
}

__attribute__((format(printf, 5, 6)))
static void svg_text(FILE *f, int x, int y, const char *attrs, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(f, "<text x=\"%d\" y=\"%d\" %s>", x, y, attrs);
	svg_escaped(f, buf);
	fputs("</text>\n", f);
}

/* Three significant digits at most, never exponents. */
static void format_value(char *buf, size_t len, double v)
{
	snprintf(buf, len, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : v >= 1 ? "%.2f" : "%.3f", v);
}

/* A bar of v against the panel's max, in the path's colour, with its value. */
static void svg_bar(FILE *f, int x, int y, double v, double max, unsigned int path)
{
	char label[32];
	int w = max > 0 && v > 0 ? (int)(v / max * (SVG_PANEL_W - SVG_VALUE_W) + 0.5) : 0;

	w = w > 1 ? w : 1;
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
		x, y, w, SVG_BAR_H, colours[path % (sizeof(colours) / sizeof(colours[0]))]);
	format_value(label, sizeof(label), v);
	svg_text(f, x + w + 4, y + SVG_BAR_H - 2, "class=\"value\"", "%s", label);
}

/* A heading across the chart with a rule under it. */
static void svg_heading(FILE *f, int y, const char *text)
{
	svg_text(f, 10, y + 20, "class=\"group\"", "%s", text);
	fprintf(f, "<line x1=\"10\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"rule\"/>\n",
		y + 25, SVG_W - 10, y + 25);
}

/*
 * The cost model of the hot rows: fixed ns per call and ns per KiB, the
 * wall-time fit, in the two panels' places; returns the y below it.
 */
static int svg_model(FILE *f, const struct bench_fit *fits, size_t nf, int y)
{
	double max[2] = { 0, 0 };

	for (size_t i = 0; i < nf; i++) {
		double v[2] = { fits[i].call_ns, fits[i].byte_ns * 1024 };

		for (int p = 0; p < 2 && fits[i].cache == BENCH_HOT; p++)
			max[p] = v[p] > max[p] ? v[p] : max[p];
	}
	svg_heading(f, y, "Cost model, hot: time per transfer = ns per call + ns per KiB");
	y += SVG_GROUP_H;
	svg_text(f, SVG_LABEL_W + 10, y + 10, "class=\"panel\"", "Fixed, ns per call");
	svg_text(f, SVG_LABEL_W + 10 + SVG_PANEL_W + SVG_GAP, y + 10, "class=\"panel\"",
		 "Per byte, ns per KiB");
	y += SVG_ROW_H;
	for (size_t i = 0; i < nf; i++) {
		double v[2] = { fits[i].call_ns, fits[i].byte_ns * 1024 };

		if (fits[i].cache != BENCH_HOT)
			continue;
		svg_text(f, SVG_LABEL_W, y + SVG_BAR_H - 2, "class=\"path\"", "%s", fits[i].path);
		for (int p = 0; p < 2; p++)
			svg_bar(f, SVG_LABEL_W + 10 + p * (SVG_PANEL_W + SVG_GAP), y, v[p],
				max[p], fits[i].path_index);
		y += SVG_ROW_H;
	}
	return y + 8;
}

/* One size group; returns the y below it. */
static int svg_group(FILE *f, const struct bench_row *rows, size_t n,
		     uint64_t size, int y)
{
	char label[32];
	double max[2] = { 0, 0 };

	for (size_t i = 0; i < n; i++)
		for (int p = 0; p < 2; p++)
			if (rows[i].cache == BENCH_HOT && rows[i].size == size &&
			    bench_row_plain(&rows[i]) && rows[i].status == BENCH_OK &&
			    value_of(&rows[i], &panels[p]) > max[p])
				max[p] = value_of(&rows[i], &panels[p]);

	char head[48];

	snprintf(head, sizeof(head), "%s file", format_size(label, sizeof(label), size, true));
	svg_heading(f, y, head);
	y += SVG_GROUP_H;
	for (size_t i = 0; i < n; i++) {
		const struct bench_row *r = &rows[i];

		if (r->cache != BENCH_HOT || r->size != size || !bench_row_plain(r))
			continue;
		svg_text(f, SVG_LABEL_W, y + SVG_BAR_H - 2, "class=\"path\"", "%s", r->path);
		for (int p = 0; p < 2; p++) {
			int x = SVG_LABEL_W + 10 + p * (SVG_PANEL_W + SVG_GAP);
			double v = value_of(r, &panels[p]);

			if (r->status != BENCH_OK) {
				svg_text(f, x + 4, y + SVG_BAR_H - 2, "class=\"none\"", "%s",
					 status_names[r->status]);
				continue;
			}
			svg_bar(f, x, y, v, max[p], r->path_index);
		}
		y += SVG_ROW_H;
	}
	return y + 8;
}

int bench_write_svg(const char *path, const struct bench_env *e,
		    const struct bench_row *rows, size_t n)
{
	uint64_t sizes[BENCH_MAX_SIZES];
	size_t n_sizes = 0, n_hot = 0;

	/* The hot rows' sizes, in the order they ran. */
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		if (rows[i].cache != BENCH_HOT || !bench_row_plain(&rows[i]))
			continue;
		n_hot++;
		while (j < n_sizes && sizes[j] != rows[i].size)
			j++;
		if (j == n_sizes && n_sizes < BENCH_MAX_SIZES)
			sizes[n_sizes++] = rows[i].size;
	}
	struct bench_fit fits[BENCH_MAX_FITS];
	size_t nf = bench_fit(rows, n, fits, BENCH_MAX_FITS), nf_hot = 0;

	for (size_t i = 0; i < nf; i++)
		nf_hot += fits[i].cache == BENCH_HOT;
	int height = SVG_TOP + (int)n_sizes * (SVG_GROUP_H + 8) + (int)n_hot * SVG_ROW_H + 20;
	if (nf_hot)
		height += SVG_GROUP_H + (int)(nf_hot + 1) * SVG_ROW_H + 8;
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n",
		SVG_W, height, SVG_W, height);
	fputs("<style>\n"
	      "text { font-size: 12px; fill: #222; }\n"
	      ".title { font-size: 18px; font-weight: bold; }\n"
	      ".sub { font-size: 12px; fill: #555; }\n"
	      ".panel { font-size: 14px; font-weight: bold; }\n"
	      ".group { font-size: 14px; font-weight: bold; }\n"
	      ".path { text-anchor: end; font-family: DejaVu Sans Mono, monospace; }\n"
	      ".value { font-size: 11px; fill: #333; }\n"
	      ".none { font-style: italic; fill: #888; }\n"
	      ".rule { stroke: #ccc; stroke-width: 1; }\n"
	      "</style>\n", f);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", SVG_W, height);
	svg_text(f, 10, 26, "class=\"title\"",
		 "zcopy bench: a file sent over TCP to %s, page cache hot", e->route);
	svg_text(f, 10, 46, "class=\"sub\"", "Linux %s, %ld CPU%s, %s; files on %s (%s); %s",
		 e->kernel, e->cpus, e->cpus == 1 ? "" : "s", e->cpu_model, e->dir, e->fs, e->date);
	svg_text(f, 10, 62, "class=\"sub\"",
		 "Medians; bars scaled per file size and panel.%s%s%s",
		 strcmp(e->virt, "none detected") ? " Virtualization: " : "",
		 strcmp(e->virt, "none detected") ? e->virt : "",
		 strcmp(e->virt, "none detected") ? "." : "");
	for (int p = 0; p < 2; p++)
		svg_text(f, SVG_LABEL_W + 10 + p * (SVG_PANEL_W + SVG_GAP), SVG_TOP - 14,
			 "class=\"panel\"", "%s", panels[p].title);

	int y = SVG_TOP;
	for (size_t z = 0; z < n_sizes; z++)
		y = svg_group(f, rows, n, sizes[z], y);
	if (!n_sizes)
		svg_text(f, 10, y + 20, "class=\"none\"", "No hot-cache rows were run.");
	if (nf_hot)
		svg_model(f, fits, nf, y);
	fputs("</svg>\n", f);
	return finish(f);
}
