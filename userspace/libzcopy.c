// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libzcopy: see libzcopy.h.  Nothing here keeps state between calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
