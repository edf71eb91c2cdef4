// SPDX-License-Identifier: GPL-2.0
/*
 * t_trace.c - the "trace" group: the tracepoints zcopy:zcopy_transfer and
 * zcopy:zcopy_segment (module/trace.h).  Each test enables them, makes real
 * calls, reads the events back from tracefs and holds every field to what
 * the ioctl itself returned; then it disables them and clears the buffer.
 * Only the events of the test's own process count: its pid is in each line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "vector.h"

#define TRACEFS "/sys/kernel/tracing"
#define MAX_EVENTS 64
#define MAX_FIELDS 20
#define TRACE_BUF (1024 * 1024)

/* ---------------------------------------------------------------- */
/* tracefs                                                           */

struct field {
	char key[32];
	char val[32];
};

/* One event line of ours, split into its key=value fields. */
struct event {
	bool segment;			/* zcopy_segment, else zcopy_transfer */
	unsigned int n;
	struct field f[MAX_FIELDS];
	char line[512];
};

struct tracing {
	bool mounted;			/* we mounted tracefs: unmount it */
	char record_cmd;		/* options/record-cmd before: '0' or '1' */
	unsigned int others;		/* zcopy events of other processes */
	char other[160];		/* the first of them */
	unsigned int n;
	struct event ev[MAX_EVENTS];
};

static int tr_write(struct tctx *t, const char *file, const char *val)
{
	char path[160];
	int fd, rc;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(t, "open %s", path);
	rc = write_full(fd, val, strlen(val));
	close(fd);
	return rc ? fail_errno(t, "write \"%s\" to %s", val, path) : 0;
}

/* Empty the buffer: opening "trace" for writing with O_TRUNC clears it. */
static int tr_clear(struct tctx *t)
{
	return tr_write(t, "trace", "");
}

static int tr_enable(struct tctx *t, bool on)
{
	const char *v = on ? "1" : "0";

	return tr_write(t, "events/zcopy/zcopy_transfer/enable", v) ||
	       tr_write(t, "events/zcopy/zcopy_segment/enable", v) ? -1 : 0;
}

/* options/record-cmd's value, '0' or '1', or 0 after fail(). */
static char tr_record_cmd(struct tctx *t)
{
	char v = 0;
	int fd = open(TRACEFS "/options/record-cmd", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, &v, 1) != 1 || (v != '0' && v != '1')) {
		v = 0;
		fail_errno(t, "read " TRACEFS "/options/record-cmd");
	}
	if (fd >= 0)
		close(fd);
	return v;
}

/*
 * Mount tracefs where the kernel expects it if nobody has, enable both
 * events on an empty buffer.
 *
 * With record-cmd on (the default), enabling any event also hooks
 * sched_switch to record process names, and hooking it live-patches the
 * static branch in __schedule() that another CPU may be running.  Under
 * QEMU's TCG that cross-modification raced on the stock 6.12 kernel
 * ("Oops: int3" in __schedule, a panic): the tests switch it off, and the
 * events name processes by pid, which is all they read.
 */
static int tr_start(struct tctx *t, struct tracing *tr)
{
	memset(tr, 0, sizeof(*tr));
	if (access(TRACEFS "/events", F_OK) != 0) {
		if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) != 0)
			return fail_errno(t, "mount tracefs on " TRACEFS);
		tr->mounted = true;
	}
	if (access(TRACEFS "/events/zcopy/zcopy_transfer", F_OK) != 0 ||
	    access(TRACEFS "/events/zcopy/zcopy_segment", F_OK) != 0)
		return fail(t, "no " TRACEFS "/events/zcopy/zcopy_transfer and zcopy_segment: the module has no tracepoints");
	tr->record_cmd = tr_record_cmd(t);
	if (!tr->record_cmd || tr_write(t, "options/record-cmd", "0") ||
	    tr_write(t, "tracing_on", "1") || tr_clear(t))
		return -1;
	return tr_enable(t, true);
}

/* Disable, clear, and leave tracefs as it was; after a failure too, so the
 * first reason stays the one reported. */
static int tr_stop(struct tctx *t, struct tracing *tr, int rc)
{
	struct tctx quiet = *t;

	if (tr_enable(&quiet, false) || tr_clear(&quiet) ||
	    (tr->record_cmd && tr_write(&quiet, "options/record-cmd",
					tr->record_cmd == '1' ? "1" : "0")))
		rc = rc ? rc : fail(t, "%s", quiet.reason);
	if (tr->mounted && umount(TRACEFS) != 0 && !rc)
		rc = fail_errno(t, "umount " TRACEFS);
	return rc;
}

/* The pid of a line "<comm>-<pid>   [cpu] ...": comm may hold '-', the pid
 * is padded with spaces. */
static long line_pid(const char *line)
{
	const char *br = strstr(line, " [");
	const char *end, *p;

	if (!br)
		return -1;
	end = br;
	while (end > line && end[-1] == ' ')
		end--;
	p = end;
	while (p > line && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (p == end || p == line || p[-1] != '-')
		return -1;
	return strtol(p, NULL, 10);
}

static int parse_event(struct tctx *t, struct event *e, const char *line,
		       const char *body)
{
	char *save, *tok, copy[512];

	snprintf(e->line, sizeof(e->line), "%s", line);
	snprintf(copy, sizeof(copy), "%s", body);
	e->n = 0;
	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq || e->n == MAX_FIELDS)
			return fail(t, "cannot parse the trace line \"%s\"", line);
		*eq = '\0';
		snprintf(e->f[e->n].key, sizeof(e->f[0].key), "%s", tok);
		snprintf(e->f[e->n].val, sizeof(e->f[0].val), "%s", eq + 1);
		e->n++;
	}
	return 0;
}

/* Read the buffer (without consuming it) and keep our zcopy events. */
static int tr_read(struct tctx *t, struct tracing *tr)
{
	static const char tx[] = " zcopy_transfer: ", sg[] = " zcopy_segment: ";
	char *buf = malloc(TRACE_BUF), *line, *save;
	long me = getpid();
	ssize_t got;
	int fd, rc = 0;

	fd = open(TRACEFS "/trace", O_RDONLY | O_CLOEXEC);
	if (!buf || fd < 0) {
		free(buf);
		return fail_errno(t, "read " TRACEFS "/trace");
	}
	got = read_full(fd, buf, TRACE_BUF - 1);
	close(fd);
	if (got < 0) {
		free(buf);
		return fail_errno(t, "read " TRACEFS "/trace");
	}
	buf[got] = '\0';
	tr->n = 0;
	tr->others = 0;
	for (line = strtok_r(buf, "\n", &save); line && !rc;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *a = strstr(line, tx), *b = strstr(line, sg);
		struct event *e;

		if (line[0] == '#' || (!a && !b))
			continue;
		if (line_pid(line) != me) {
			if (!tr->others++)
				snprintf(tr->other, sizeof(tr->other), "%s",
					 line);
			continue;
		}
		if (tr->n == MAX_EVENTS) {
			rc = fail(t, "more than %d zcopy events", MAX_EVENTS);
			break;
		}
		e = &tr->ev[tr->n++];
		e->segment = !a;
		rc = parse_event(t, e, line, a ? a + strlen(tx) : b + strlen(sg));
	}
	free(buf);
	return rc;
}

/* The events of each kind, checked for count; @seg gets the segments'
 * indices into tr->ev, in order, @call the transfer's. */
static int tr_expect(struct tctx *t, const struct tracing *tr,
		     unsigned int nseg, unsigned int *seg, unsigned int *call)
{
	unsigned int ns = 0, nc = 0;

	for (unsigned int i = 0; i < tr->n; i++) {
		if (tr->ev[i].segment) {
			if (ns < nseg)
				seg[ns] = i;
			ns++;
		} else {
			*call = i;
			nc++;
		}
	}
	if (nc != 1 || ns != nseg)
		return fail(t, "expected 1 zcopy_transfer and %u zcopy_segment events of pid %ld, got %u and %u (and %u of other pids%s%s)",
			    nseg, (long)getpid(), nc, ns, tr->others,
			    tr->others ? ", first: " : "", tr->other);
	/* The call comes last: its segments were over before it was. */
	if (*call != tr->n - 1)
		return fail(t, "zcopy_transfer is not the last event");
	printf("trace: %s\n", tr->ev[*call].line);
	return 0;
}

static const char *ev_get(const struct event *e, const char *key)
{
	for (unsigned int i = 0; i < e->n; i++)
		if (!strcmp(e->f[i].key, key))
			return e->f[i].val;
	return NULL;
}

/* A number field as it is, 0 if missing (ev_u64() then says so). */
static uint64_t ev_num(const struct event *e, const char *key)
{
	const char *v = ev_get(e, key);

	return v ? strtoull(v, NULL, 0) : 0;
}

/* Field @key of @e is @want: a number (decimal, 0x hex or negative), or
 * for method and type a name. */
static int ev_u64(struct tctx *t, const struct event *e, const char *key,
		  uint64_t want)
{
	const char *v = ev_get(e, key);
	char *end, what[64];
	uint64_t got;

	if (!v)
		return fail(t, "no %s= in \"%s\"", key, e->line);
	errno = 0;
	got = v[0] == '-' ? (uint64_t)strtoll(v, &end, 0) : strtoull(v, &end, 0);
	if (errno || *end || end == v)
		return fail(t, "%s=%s is not a number in \"%s\"", key, v, e->line);
	snprintf(what, sizeof(what), "%s %s", e->segment ? "zcopy_segment" :
		 "zcopy_transfer", key);
	return check_u64(t, what, got, want);
}

static int ev_name(struct tctx *t, const struct event *e, const char *key,
		   const char *want)
{
	const char *v = ev_get(e, key);

	if (!v || strcmp(v, want) != 0)
		return fail(t, "%s: expected %s=%s in \"%s\"",
			    e->segment ? "zcopy_segment" : "zcopy_transfer",
			    key, want, e->line);
	return 0;
}

/* The fields struct zcopy_stats has, in both events. */
static int ev_stats(struct tctx *t, const struct event *e,
		    const struct zcopy_stats *s)
{
	if (s->method >= ZCOPY_METHOD_COUNT)
		return fail(t, "stats.method %u out of range", s->method);
	return ev_name(t, e, "method", method_desc[s->method].name) ||
	       ev_u64(t, e, "zc_bytes", s->zc_bytes) ||
	       ev_u64(t, e, "copied_bytes", s->copied_bytes) ||
	       ev_u64(t, e, "cache_hit_pages", s->cache_hit_pages) ||
	       ev_u64(t, e, "cache_miss_pages", s->cache_miss_pages) ||
	       ev_u64(t, e, "storage_read_bytes", s->storage_read_bytes) ||
	       ev_u64(t, e, "elapsed_ns", s->elapsed_ns) ||
	       ev_u64(t, e, "route", s->route) ||
	       ev_u64(t, e, "ifindex", s->ifindex) ? -1 : 0;
}

/* zcopy_transfer of a call: its 13 fields and no other. */
static int ev_call(struct tctx *t, const struct event *e, int err,
		   uint64_t sent, uint32_t nr_segs, uint32_t flags,
		   const struct zcopy_stats *s)
{
	if (e->n != 13)
		return fail(t, "zcopy_transfer has %u fields, expected 13: \"%s\"",
			    e->n, e->line);
	return ev_u64(t, e, "err", (uint64_t)(int64_t)err) ||
	       ev_u64(t, e, "sent", sent) ||
	       ev_u64(t, e, "nr_segs", nr_segs) ||
	       ev_u64(t, e, "flags", flags) ||
	       ev_stats(t, e, s) ? -1 : 0;
}

/* ---------------------------------------------------------------- */
/* SEND                                                              */

#define SEND_FSIZE (300 * KIB + 77)
#define SEND_OFFSET 5000
#define SEND_LEN (200 * KIB + 3)

/* One SEND of a hot tmpfs file to a receiver that checks every byte;
 * its one zcopy_transfer says what the ioctl said. */
static int trace_send(struct tctx *t, const void *arg)
{
	const unsigned int method = *(const unsigned int *)arg;
	struct tracing *tr = calloc(1, sizeof(*tr));
	unsigned int call = 0;
	struct zcopy_send req;
	struct receiver rx;
	struct rx_spec spec;
	struct tfile f;
	int fd, rc = -1;

	if (!tr)
		return fail(t, "out of memory");
	fd = tfile_open(t, &fs_list[FS_TMPFS], SEND_FSIZE, &f);
	if (fd < 0)
		goto out_free;
	spec = (struct rx_spec){ f.seed, SEND_OFFSET, 0 };
	if (receiver_start(t, &rx, AF_INET, RX_READ, &spec) != 0)
		goto out_close;
	if (tr_start(t, tr) != 0)
		goto out_stop;
	send_req(&req, fd, rx.sock, method, SEND_OFFSET, SEND_LEN);
	/* A flag for the event to carry (SPLICE takes no NOSIGNAL). */
	req.flags = method == ZCOPY_METHOD_SPLICE ? ZCOPY_F_MORE :
		    ZCOPY_F_NOSIGNAL;
	if (ioctl(t->dev, ZCOPY_IOC_SEND, &req) != 0) {
		fail_errno(t, "ZCOPY_IOC_SEND");
		goto out_stop;
	}
	if (check_stats(t, &req, method, SEND_OFFSET, SEND_LEN, false) ||
	    tr_read(t, tr) || tr_expect(t, tr, 0, NULL, &call) ||
	    ev_call(t, &tr->ev[call], 0, req.sent, 1, req.flags, &req.stats))
		goto out_stop;
	rc = 0;
out_stop:
	rc = tr_stop(t, tr, rc);
	if (!rc)
		rc = receiver_finish(t, &rx, SEND_LEN);
out_close:
	close(fd);
out_free:
	free(tr);
	return rc;
}

/* ---------------------------------------------------------------- */
/* SENDV                                                             */

struct sv_case {
	unsigned int method;
	bool seg_stats;
};

/* [header][file A][separator][file B, asking past its end][trailer]: the
 * segment events, in order, hold what seg_stats got (or, without it, add
 * up to the call, with no clocks), and the call's what the ioctl got. */
static int trace_sendv(struct tctx *t, const void *arg)
{
	const struct sv_case *c = arg;
	struct tracing *tr = calloc(1, sizeof(*tr));
	struct sv *v = sv_new(t);
	/* The files start before the stream reaches them: non-zero offsets. */
	struct piece a = { .base = 0, .size = 100 * KIB + 5 };
	struct piece b = { .size = 9000 };
	unsigned int seg[8], call = 0;
	struct zcopy_stats sum;
	struct zcopy_sendv args;
	struct sv_run run;
	struct receiver rx;
	struct rx_spec spec;
	int rc = -1;

	if (!tr || !v) {
		free(tr);
		free(v);
		return v ? fail(t, "out of memory") : -1;
	}
	b.base = a.size + 64 - 1000;
	if (piece_open(t, &fs_list[FS_TMPFS], v->seed, O_RDONLY, &a) ||
	    piece_open(t, &fs_list[FS_TMPFS], v->seed, O_RDONLY, &b))
		goto out_free;
	sv_mem(v, 300);
	sv_file(v, &a, a.size, false);		/* from 300: to its end */
	sv_mem(v, 64);
	sv_file(v, &b, b.size + 5000, false);	/* from 1000, past its end */
	sv_mem(v, 17);
	spec = (struct rx_spec){ v->seed, 0, 0 };
	if (receiver_start(t, &rx, AF_INET, RX_READ, &spec) != 0)
		goto out_free;
	if (tr_start(t, tr) != 0)
		goto out_stop;
	run = (struct sv_run){ t->dev, rx.sock, c->method,
			       c->method == ZCOPY_METHOD_SPLICE ? ZCOPY_F_MORE :
			       ZCOPY_F_NOSIGNAL, c->seg_stats };
	sv_args(&args, v, &run);
	if (ioctl(t->dev, ZCOPY_IOC_SENDV, &args) != 0) {
		fail_errno(t, "ZCOPY_IOC_SENDV");
		goto out_stop;
	}
	if (check_u64(t, "sent", args.sent, v->stream) ||
	    check_u64(t, "seg_index", args.seg_index, v->n) ||
	    tr_read(t, tr) || tr_expect(t, tr, v->n, seg, &call) ||
	    ev_call(t, &tr->ev[call], 0, args.sent, v->n, args.flags,
		    &args.stats))
		goto out_stop;
	memset(&sum, 0, sizeof(sum));
	for (unsigned int i = 0; i < v->n; i++) {
		const struct event *e = &tr->ev[seg[i]];
		const bool file = v->seg[i].type == ZCOPY_SEG_FILE;
		struct zcopy_stats want = v->st[i];

		snprintf(t->where, sizeof(t->where), "segment %u", i);
		if (e->n != 14) {
			fail(t, "zcopy_segment has %u fields, expected 14: \"%s\"",
			     e->n, e->line);
			goto out_stop;
		}
		if (!c->seg_stats) {
			/* No clocks ran; the rest must add up to the call. */
			want = args.stats;
			want.zc_bytes = ev_num(e, "zc_bytes");
			want.copied_bytes = ev_num(e, "copied_bytes");
			want.cache_hit_pages = ev_num(e, "cache_hit_pages");
			want.cache_miss_pages = ev_num(e, "cache_miss_pages");
			want.storage_read_bytes = 0;
			want.elapsed_ns = 0;
			sum.zc_bytes += want.zc_bytes;
			sum.copied_bytes += want.copied_bytes;
			sum.cache_hit_pages += want.cache_hit_pages;
			sum.cache_miss_pages += want.cache_miss_pages;
		}
		if (ev_u64(t, e, "index", i) ||
		    ev_name(t, e, "type", file ? "file" : "memory") ||
		    ev_u64(t, e, "offset", file ? v->start[i] : 0) ||
		    ev_u64(t, e, "len", v->seg[i].len) ||
		    ev_u64(t, e, "sent", v->want[i]) ||
		    ev_stats(t, e, &want))
			goto out_stop;
	}
	t->where[0] = '\0';
	if (!c->seg_stats &&
	    (check_u64(t, "sum of segment zc_bytes", sum.zc_bytes,
		       args.stats.zc_bytes) ||
	     check_u64(t, "sum of segment copied_bytes", sum.copied_bytes,
		       args.stats.copied_bytes) ||
	     check_u64(t, "sum of segment cache_hit_pages",
		       sum.cache_hit_pages, args.stats.cache_hit_pages) ||
	     check_u64(t, "sum of segment cache_miss_pages",
		       sum.cache_miss_pages, args.stats.cache_miss_pages)))
		goto out_stop;
	rc = 0;
out_stop:
	rc = tr_stop(t, tr, rc);
	if (!rc)
		rc = receiver_finish(t, &rx, v->stream);
out_free:
	free(tr);
	free(v);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Calls that fail                                                   */

/* Refused by its checks (an unconnected socket): sent 0, statistics 0, the
 * method as asked, the errno negative. */
static int trace_refused_send(struct tctx *t, const void *arg)
{
	static const struct zcopy_stats none = { .method = ZCOPY_METHOD_AUTO };
	struct tracing *tr = calloc(1, sizeof(*tr));
	unsigned int call = 0;
	struct zcopy_send req;
	struct tfile f;
	int fd, sock, rc = -1;

	(void)arg;
	fd = tfile_open(t, &fs_list[FS_TMPFS], SEND_FSIZE, &f);
	sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!tr || fd < 0 || sock < 0) {
		rc = t->reason[0] ? -1 : fail_errno(t, "setup");
		goto out;
	}
	if (tr_start(t, tr) != 0)
		goto out_stop;
	send_req(&req, fd, sock, ZCOPY_METHOD_AUTO, 0, SEND_LEN);
	req.flags = ZCOPY_F_NOSIGNAL;
	if (expect_errno(t, "ZCOPY_IOC_SEND", ioctl(t->dev, ZCOPY_IOC_SEND,
						    &req), ENOTCONN) ||
	    tr_read(t, tr) || tr_expect(t, tr, 0, NULL, &call) ||
	    ev_call(t, &tr->ev[call], -ENOTCONN, 0, 1, req.flags, &none))
		goto out_stop;
	rc = 0;
out_stop:
	rc = tr_stop(t, tr, rc);
out:
	if (sock >= 0)
		close(sock);
	if (fd >= 0)
		close(fd);
	free(tr);
	return rc;
}

/* A SENDV refused for its third segment's descriptor: one zcopy_transfer
 * with the vector's length, and no segment event (none was reached). */
static int trace_refused_sendv(struct tctx *t, const void *arg)
{
	static const struct zcopy_stats none = { .method = ZCOPY_METHOD_COPY };
	struct tracing *tr = calloc(1, sizeof(*tr));
	struct sv *v = sv_new(t);
	struct piece a = { .base = 100, .size = 5000 };
	struct zcopy_sendv args;
	struct receiver rx;
	struct rx_spec spec;
	unsigned int call = 0;
	int rc = -1;

	(void)arg;
	if (!tr || !v) {
		free(tr);
		free(v);
		return v ? fail(t, "out of memory") : -1;
	}
	if (piece_open(t, &fs_list[FS_TMPFS], v->seed, O_RDONLY, &a))
		goto out_free;
	sv_mem(v, 100);
	sv_file(v, &a, a.size, false);
	sv_file(v, &a, 10, false);
	v->seg[2].fd = -1;
	spec = (struct rx_spec){ v->seed, 0, 0 };
	if (receiver_start(t, &rx, AF_INET, RX_READ, &spec) != 0)
		goto out_free;
	if (tr_start(t, tr) != 0)
		goto out_stop;
	sv_args(&args, v, &(struct sv_run){ t->dev, rx.sock, ZCOPY_METHOD_COPY,
					     0, true });
	if (expect_errno(t, "ZCOPY_IOC_SENDV", ioctl(t->dev, ZCOPY_IOC_SENDV,
						     &args), EBADF) ||
	    tr_read(t, tr) || tr_expect(t, tr, 0, NULL, &call) ||
	    ev_call(t, &tr->ev[call], -EBADF, 0, 3, 0, &none))
		goto out_stop;
	rc = 0;
out_stop:
	rc = tr_stop(t, tr, rc);
	/* Nothing went: the receiver gets an empty stream. */
	if (!rc)
		rc = receiver_finish(t, &rx, 0);
out_free:
	free(tr);
	free(v);
	return rc;
}

/* Failed while sending (the stream shut down for writing): the method that
 * ran, sent 0, -EPIPE; no statistics come back to compare with, but none
 * may claim a byte. */
static int trace_epipe(struct tctx *t, const void *arg)
{
	struct tracing *tr = calloc(1, sizeof(*tr));
	unsigned int call = 0;
	struct zcopy_send req;
	struct receiver rx;
	struct rx_spec spec;
	struct tfile f;
	int fd, rc = -1;
	const struct event *e;

	(void)arg;
	if (!tr)
		return fail(t, "out of memory");
	fd = tfile_open(t, &fs_list[FS_TMPFS], SEND_FSIZE, &f);
	if (fd < 0)
		goto out_free;
	spec = (struct rx_spec){ f.seed, 0, 0 };
	if (receiver_start(t, &rx, AF_INET, RX_READ, &spec) != 0)
		goto out_close;
	if (shutdown(rx.sock, SHUT_WR) != 0) {
		fail_errno(t, "shutdown(SHUT_WR)");
		goto out_finish;
	}
	if (tr_start(t, tr) != 0)
		goto out_stop;
	send_req(&req, fd, rx.sock, ZCOPY_METHOD_PAGES, 0, SEND_LEN);
	req.flags = ZCOPY_F_NOSIGNAL;
	if (expect_errno(t, "ZCOPY_IOC_SEND", ioctl(t->dev, ZCOPY_IOC_SEND,
						    &req), EPIPE) ||
	    tr_read(t, tr) || tr_expect(t, tr, 0, NULL, &call))
		goto out_stop;
	e = &tr->ev[call];
	if (ev_u64(t, e, "err", (uint64_t)(int64_t)-EPIPE) ||
	    ev_u64(t, e, "sent", 0) || ev_u64(t, e, "nr_segs", 1) ||
	    ev_u64(t, e, "flags", req.flags) ||
	    ev_name(t, e, "method", "pages") || ev_u64(t, e, "zc_bytes", 0))
		goto out_stop;
	rc = 0;
out_stop:
	rc = tr_stop(t, tr, rc);
out_finish:
	if (!rc)
		rc = receiver_finish(t, &rx, 0);
out_close:
	close(fd);
out_free:
	free(tr);
	return rc;
}

/* ---------------------------------------------------------------- */
/* What perf and bpftrace see                                        */

/* The format files name every field with its type, as the man page and
 * the bpftrace example use them. */
static int trace_format(struct tctx *t, const void *arg)
{
	static const char *const call_fields[] = {
		"u64 sent;", "u64 zc_bytes;", "u64 copied_bytes;",
		"u64 cache_hit_pages;", "u64 cache_miss_pages;",
		"u64 storage_read_bytes;", "u64 elapsed_ns;", "u32 method;",
		"u32 flags;", "u32 route;", "u32 ifindex;", "u32 nr_segs;",
		"int err;",
	};
	static const char *const seg_fields[] = {
		"u64 offset;", "u64 len;", "u64 sent;", "u64 zc_bytes;",
		"u64 copied_bytes;", "u64 cache_hit_pages;",
		"u64 cache_miss_pages;", "u64 storage_read_bytes;",
		"u64 elapsed_ns;", "u32 index;", "u32 type;", "u32 method;",
		"u32 route;", "u32 ifindex;",
	};
	static const struct {
		const char *path;
		const char *const *fields;
		size_t n;
	} ev[] = {
		{ TRACEFS "/events/zcopy/zcopy_transfer/format", call_fields,
		  ARRAY_SIZE(call_fields) },
		{ TRACEFS "/events/zcopy/zcopy_segment/format", seg_fields,
		  ARRAY_SIZE(seg_fields) },
	};
	struct tracing tr;
	char buf[8192];
	int rc = 0;

	(void)arg;
	memset(&tr, 0, sizeof(tr));
	if (access(TRACEFS "/events", F_OK) != 0) {
		if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) != 0)
			return fail_errno(t, "mount tracefs on " TRACEFS);
		tr.mounted = true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ev) && !rc; i++) {
		int fd = open(ev[i].path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read_full(fd, buf, sizeof(buf) - 1);

		if (fd >= 0)
			close(fd);
		if (n < 0) {
			rc = fail_errno(t, "read %s", ev[i].path);
			break;
		}
		buf[n] = '\0';
		for (size_t k = 0; k < ev[i].n && !rc; k++) {
			char want[64];

			snprintf(want, sizeof(want), "field:%s", ev[i].fields[k]);
			if (!strstr(buf, want))
				rc = fail(t, "%s has no \"%s\"", ev[i].path, want);
		}
		if (!rc && !strstr(buf, "__print_symbolic(REC->method"))
			rc = fail(t, "%s: method is not printed by name",
				  ev[i].path);
	}
	if (tr.mounted && umount(TRACEFS) != 0 && !rc)
		rc = fail_errno(t, "umount " TRACEFS);
	return rc;
}

/* Disabled, the events cost nothing and say nothing: a SEND leaves the
 * buffer empty. */
static int trace_disabled(struct tctx *t, const void *arg)
{
	const unsigned int method = ZCOPY_METHOD_COPY;
	struct tracing *tr = calloc(1, sizeof(*tr));
	struct zcopy_send req;
	struct receiver rx;
	struct rx_spec spec;
	struct tfile f;
	int fd, rc = -1;

	(void)arg;
	if (!tr)
		return fail(t, "out of memory");
	fd = tfile_open(t, &fs_list[FS_TMPFS], SEND_FSIZE, &f);
	if (fd < 0)
		goto out_free;
	spec = (struct rx_spec){ f.seed, 0, 0 };
	if (receiver_start(t, &rx, AF_INET, RX_READ, &spec) != 0)
		goto out_close;
	if (tr_start(t, tr) != 0 || tr_enable(t, false) != 0)
		goto out_stop;
	send_req(&req, fd, rx.sock, method, 0, SEND_LEN);
	if (ioctl(t->dev, ZCOPY_IOC_SEND, &req) != 0) {
		fail_errno(t, "ZCOPY_IOC_SEND");
		goto out_stop;
	}
	if (check_stats(t, &req, method, 0, SEND_LEN, false) || tr_read(t, tr))
		goto out_stop;
	if (tr->n) {
		fail(t, "disabled, yet %u zcopy events: \"%s\"", tr->n,
		     tr->ev[0].line);
		goto out_stop;
	}
	rc = 0;
out_stop:
	rc = tr_stop(t, tr, rc);
	if (!rc)
		rc = receiver_finish(t, &rx, SEND_LEN);
out_close:
	close(fd);
out_free:
	free(tr);
	return rc;
}

void trace_register(struct registry *r)
{
	static const unsigned int send_methods[] = {
		ZCOPY_METHOD_COPY, ZCOPY_METHOD_MMAP, ZCOPY_METHOD_SPLICE,
		ZCOPY_METHOD_PAGES, ZCOPY_METHOD_AUTO,
	};
	static const struct sv_case sv_cases[] = {
		{ ZCOPY_METHOD_PAGES, true }, { ZCOPY_METHOD_COPY, true },
		{ ZCOPY_METHOD_PAGES, false }, { ZCOPY_METHOD_SPLICE, false },
	};

	reg_add(r, "trace", trace_format, NULL, "format-fields");
	for (size_t i = 0; i < ARRAY_SIZE(send_methods); i++)
		reg_add(r, "trace", trace_send, &send_methods[i], "send-%s",
			method_desc[send_methods[i]].name);
	for (size_t i = 0; i < ARRAY_SIZE(sv_cases); i++)
		reg_add(r, "trace", trace_sendv, &sv_cases[i], "sendv-%s%s",
			method_desc[sv_cases[i].method].name,
			sv_cases[i].seg_stats ? "-seg-stats" : "");
	reg_add(r, "trace", trace_refused_send, NULL, "refused-send-enotconn");
	reg_add(r, "trace", trace_refused_sendv, NULL, "refused-sendv-ebadf");
	reg_add(r, "trace", trace_epipe, NULL, "send-epipe");
	reg_add(r, "trace", trace_disabled, NULL, "disabled-no-events");
}
