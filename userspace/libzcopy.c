// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libzcopy: see libzcopy.h.  Nothing here keeps state between calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libzcopy.h"

/*
 * Length asked for per call in "to EOF" mode when the start is the file
 * position, which is unknown here: the kernel's own per-call limit
 * (MAX_RW_COUNT), so a larger value would not save a call.
 */
#define TO_EOF_LEN_AT_POS	0x7ffff000ULL

static const char *const method_names[ZCOPY_METHOD_COUNT] = {
	[ZCOPY_METHOD_AUTO] = "auto",
	[ZCOPY_METHOD_COPY] = "copy",
	[ZCOPY_METHOD_MMAP] = "mmap",
	[ZCOPY_METHOD_SPLICE] = "splice",
	[ZCOPY_METHOD_PAGES] = "pages",
	[ZCOPY_METHOD_DIRECT] = "direct",
};

int zcopy_open(void)
{
	return open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC);
}

int zcopy_info(int dev, struct zcopy_info *out)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	return ioctl(dev, ZCOPY_IOC_INFO, out) < 0 ? -1 : 0;
}

int zcopy_send(int dev, struct zcopy_send *req)
{
	if (!req->size)
		req->size = sizeof(*req);
	return ioctl(dev, ZCOPY_IOC_SEND, req) < 0 ? -1 : 0;
}

int zcopy_sendv(int dev, struct zcopy_sendv *req)
{
	if (!req->size)
		req->size = sizeof(*req);
	return ioctl(dev, ZCOPY_IOC_SENDV, req) < 0 ? -1 : 0;
}

int zcopy_submit(int dev, struct zcopy_op *ops, unsigned int count)
{
	struct zcopy_submit req = {
		.size = sizeof(req), .ops = (uintptr_t)ops, .count = count };

	return ioctl(dev, ZCOPY_IOC_SUBMIT, &req);
}

int zcopy_cancel(int dev, uint64_t user_data, bool all)
{
	struct zcopy_cancel req = {
		.size = sizeof(req), .flags = all ? ZCOPY_CANCEL_ALL : 0,
		.user_data = user_data };

	return ioctl(dev, ZCOPY_IOC_CANCEL, &req);
}

int zcopy_reap(int dev, struct zcopy_completion *out, unsigned int max,
	       int timeout_ms)
{
	struct pollfd pfd = { .fd = dev, .events = POLLIN };
	ssize_t n;
	int rc;

	if (!max) {
		errno = EINVAL;
		return -1;
	}
	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc <= 0)
		return rc;
	do
		n = read(dev, out, (size_t)max * sizeof(*out));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		/* Another reader took them first. */
		return errno == EAGAIN ? 0 : -1;
	}
	return (int)(n / sizeof(*out));
}

int zcopy_counters(int dev, struct zcopy_counters *out)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	return ioctl(dev, ZCOPY_IOC_COUNTERS, out) < 0 ? -1 : 0;
}

/*
 * The length one call asks for.  "To EOF" is the longest range whose end
 * still fits in a loff_t: the kernel rejects an end past LLONG_MAX, and
 * clamps to max_len and EOF by itself.
 */
static uint64_t call_len(const struct zcopy_send *req)
{
	if (req->len)
		return req->len;
	if (req->offset == ZCOPY_OFFSET_CURRENT)
		return TO_EOF_LEN_AT_POS;
	return req->offset < LLONG_MAX ? LLONG_MAX - req->offset : 0;
}

void zcopy_stats_add(struct zcopy_stats *total, const struct zcopy_stats *s,
		     bool moved_bytes, bool first)
{
	total->zc_bytes += s->zc_bytes;
	total->copied_bytes += s->copied_bytes;
	total->cache_hit_pages += s->cache_hit_pages;
	total->cache_miss_pages += s->cache_miss_pages;
	total->storage_read_bytes += s->storage_read_bytes;
	total->elapsed_ns += s->elapsed_ns;
	/* The closing EOF call may not have sampled a route: keep a real one. */
	if (moved_bytes || first) {
		total->route = s->route;
		total->ifindex = s->ifindex;
		total->method = s->method;
	}
}

int zcopy_send_all(int dev, struct zcopy_send *req,
		   struct zcopy_stats *total, uint64_t *sent)
{
	const bool to_eof = !req->len;

	memset(total, 0, sizeof(*total));
	*sent = 0;
	for (bool first = true;; first = false) {
		req->len = call_len(req);
		int ret = zcopy_send(dev, req);
		uint64_t n = ret ? 0 : req->sent;

		/* A kernel that overshot would loop forever on an unsigned len. */
		if (n > req->len)
			n = req->len;
		req->len = to_eof ? 0 : req->len - n;
		if (ret)
			return -1;
		zcopy_stats_add(total, &req->stats, n > 0, first);
		*sent += n;
		if (req->offset != ZCOPY_OFFSET_CURRENT)
			req->offset += n;
		if (!n || (!to_eof && !req->len))
			return 0;
	}
}

/* Segments of a batch kept on the stack; longer vectors allocate. */
#define SENDV_STACK_SEGS	16

/*
 * The next batch from (req->seg_index, req->seg_sent) on, into @batch: its
 * first segment moved past the bytes already sent, and as many after it as
 * one call takes.  Returns its length; *@clipped: the batch is one memory
 * segment cut at ZCOPY_SENDV_MAX_MEMORY, whose rest comes next.
 */
static uint32_t sendv_batch(const struct zcopy_sendv *req,
			    const struct zcopy_segment *segs,
			    struct zcopy_segment *batch, bool *clipped)
{
	uint32_t n = 0, i = req->seg_index;
	uint64_t mem = 0;

	*clipped = false;
	while (i + n < req->count && n < ZCOPY_SENDV_MAX_SEGS) {
		struct zcopy_segment s = segs[i + n];

		if (!n) {
			s.len -= req->seg_sent;
			if (s.type == ZCOPY_SEG_MEMORY)
				s.addr += req->seg_sent;
			else if (s.offset != ZCOPY_OFFSET_CURRENT)
				s.offset += req->seg_sent;
		}
		if (s.type == ZCOPY_SEG_MEMORY) {
			if (s.len > ZCOPY_SENDV_MAX_MEMORY - mem) {
				if (n)
					break;
				s.len = ZCOPY_SENDV_MAX_MEMORY;
				*clipped = true;
			}
			mem += s.len;
		}
		batch[n++] = s;
		if (*clipped)
			break;
	}
	return n;
}

int64_t zcopy_sendv_all(int dev, struct zcopy_sendv *req, uint64_t *calls)
{
	const struct zcopy_segment *segs =
		(const struct zcopy_segment *)(uintptr_t)req->segs;
	struct zcopy_segment stack[SENDV_STACK_SEGS], *batch = stack;
	uint64_t ncalls = 0;
	int err = 0;

	if (calls)
		*calls = 0;
	req->sent = 0;
	memset(&req->stats, 0, sizeof(req->stats));
	if (req->seg_stats || req->seg_index > req->count ||
	    (req->seg_index == req->count && req->seg_sent) ||
	    (req->seg_index < req->count &&
	     req->seg_sent > segs[req->seg_index].len)) {
		errno = EINVAL;
		return -1;
	}
	if (req->count - req->seg_index > SENDV_STACK_SEGS) {
		uint32_t max = req->count - req->seg_index;

		if (max > ZCOPY_SENDV_MAX_SEGS)
			max = ZCOPY_SENDV_MAX_SEGS;
		batch = malloc(max * sizeof(*batch));
		if (!batch)
			return -1;
	}
	while (req->seg_index < req->count) {
		bool clipped;
		uint32_t n = sendv_batch(req, segs, batch, &clipped);
		struct zcopy_sendv call = *req;

		call.size = sizeof(call);
		call.segs = (uintptr_t)batch;
		call.count = n;
		call.seg_index = 0;
		call.seg_sent = 0;
		call.sent = 0;
		memset(&call.stats, 0, sizeof(call.stats));
		if (zcopy_sendv(dev, &call)) {
			err = errno;
			break;
		}
		ncalls++;
		zcopy_stats_add(&req->stats, &call.stats, call.sent > 0,
				ncalls == 1);
		req->sent += call.sent;

		/* What the call should have sent, had no file ended early. */
		uint32_t done = call.seg_index < n ? call.seg_index : n;
		uint64_t want = done < n ? call.seg_sent : 0;

		for (uint32_t k = 0; k < done; k++)
			want += batch[k].len;
		/* Where the stream stands now, in the caller's vector. */
		if (done == n && clipped) {
			req->seg_sent += batch[0].len;
		} else if (done == n) {
			req->seg_index += n;
			req->seg_sent = 0;
		} else {
			req->seg_sent = (done ? 0 : req->seg_sent) + call.seg_sent;
			req->seg_index += done;
		}
		if (call.sent != want) {
			err = ENODATA;
			break;
		}
		if (done < n && !call.sent) {
			err = EIO;
			break;
		}
	}
	if (batch != stack)
		free(batch);
	if (calls)
		*calls = ncalls;
	if (err) {
		errno = err;
		return -1;
	}
	return (int64_t)req->sent;
}

const char *zcopy_method_name(unsigned int m)
{
	return m < ZCOPY_METHOD_COUNT ? method_names[m] : "unknown";
}

int zcopy_method_from_name(const char *s)
{
	for (int m = 0; m < ZCOPY_METHOD_COUNT; m++)
		if (!strcasecmp(s, method_names[m]))
			return m;
	return -1;
}

/* A name that cannot climb out of the directory it is looked up in. */
static bool is_component(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static int parse_counter(const char *buf, uint64_t *val)
{
	char *end;

	/* strtoull would accept a sign and leading blanks: sysfs writes neither. */
	if (*buf < '0' || *buf > '9') {
		errno = EBADMSG;
		return -1;
	}
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 10);
	if (errno)
		return -1;
	if (strcmp(end, "\n") && *end) {
		errno = EBADMSG;
		return -1;
	}
	*val = v;
	return 0;
}

int zcopy_read_sysfs_counter(const char *method_or_null, const char *name,
			     uint64_t *val)
{
	char path[PATH_MAX], buf[32];
	int len;

	if (!is_component(name) ||
	    (method_or_null && !is_component(method_or_null))) {
		errno = EINVAL;
		return -1;
	}
	if (method_or_null)
		len = snprintf(path, sizeof(path), ZCOPY_SYSFS_DIR "/stats_%s/%s",
			       method_or_null, name);
	else
		len = snprintf(path, sizeof(path), ZCOPY_SYSFS_DIR "/stats/%s", name);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* A sysfs attribute is produced whole by its first read. */
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	buf[n] = '\0';
	return parse_counter(buf, val);
}
