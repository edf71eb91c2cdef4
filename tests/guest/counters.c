// SPDX-License-Identifier: GPL-2.0
/*
 * counters.c - reading the module's counters (sysfs and ZCOPY_IOC_COUNTERS)
 * and checking that they moved by exactly what the tests did.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "zct.h"

const char *const counter_names[C_COUNT] = {
	[C_TRANSFERS] = "transfers",
	[C_BYTES] = "bytes",
	[C_ZC] = "zc_bytes",
	[C_COPIED] = "copied_bytes",
	[C_HIT] = "cache_hit_pages",
	[C_MISS] = "cache_miss_pages",
	[C_STORAGE] = "storage_read_bytes",
	[C_ERRORS] = "errors",
};

/* One decimal and an optional newline, nothing else: the harness and
 * tools parse these files too. */
static int read_counter_file(struct tctx *t, const char *path, uint64_t *v)
{
	char buf[64], *end;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail_errno(t, "open %s", path);
	n = read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return fail_errno(t, "read %s", path);
	buf[n] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (!isdigit((unsigned char)buf[0]) || errno ||
	    (*end && strcmp(end, "\n") != 0)) {
		for (char *p = buf; *p; p++)
			if (!isprint((unsigned char)*p))
				*p = '?';
		return fail(t, "%s: not one decimal number: \"%s\"", path, buf);
	}
	return 0;
}

int counters_read_sysfs(struct tctx *t, const char *dir, struct ctrs *c)
{
	char path[256];

	for (int i = 0; i < C_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, counter_names[i]);
		if (read_counter_file(t, path, &c->v[i]) != 0)
			return -1;
	}
	return 0;
}

int counters_read_open(struct tctx *t, int dev, struct ctrs *c)
{
	struct zcopy_counters zc = { .size = sizeof(zc) };

	if (ioctl(dev, ZCOPY_IOC_COUNTERS, &zc) != 0)
		return fail_errno(t, "ZCOPY_IOC_COUNTERS");
	c->v[C_TRANSFERS] = zc.transfers;
	c->v[C_BYTES] = zc.bytes;
	c->v[C_ZC] = zc.zc_bytes;
	c->v[C_COPIED] = zc.copied_bytes;
	c->v[C_HIT] = zc.cache_hit_pages;
	c->v[C_MISS] = zc.cache_miss_pages;
	c->v[C_STORAGE] = zc.storage_read_bytes;
	c->v[C_ERRORS] = zc.errors;
	if (zc.reserved[0] || zc.reserved[1])
		return fail(t, "ZCOPY_IOC_COUNTERS: reserved not 0 on output");
	return 0;
}

int ctrs_expect(struct tctx *t, const char *label, const struct ctrs *got,
		const struct ctrs *want)
{
	for (int i = 0; i < C_COUNT; i++)
		if (got->v[i] != want->v[i])
			return fail(t, "%s%s is %llu, expected %llu", label,
				    counter_names[i],
				    (unsigned long long)got->v[i],
				    (unsigned long long)want->v[i]);
	return 0;
}

static bool method_has_dir(const struct tctx *t, unsigned int m)
{
	return method_desc[m].has_dir && method_supported(t, m);
}

int tally_read(struct tctx *t, int dev, struct tally *s)
{
	char dir[128];

	memset(s, 0, sizeof(*s));
	if (counters_read_sysfs(t, SYSFS_DIR "/stats", &s->global) != 0)
		return -1;
	for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++) {
		if (!method_has_dir(t, m))
			continue;
		snprintf(dir, sizeof(dir), SYSFS_DIR "/stats_%s",
			 method_desc[m].name);
		if (counters_read_sysfs(t, dir, &s->method[m]) != 0)
			return -1;
	}
	return counters_read_open(t, dev, &s->open);
}

static void ctrs_add_stats(struct ctrs *c, const struct zcopy_send *req)
{
	c->v[C_TRANSFERS]++;
	c->v[C_BYTES] += req->sent;
	c->v[C_ZC] += req->stats.zc_bytes;
	c->v[C_COPIED] += req->stats.copied_bytes;
	c->v[C_HIT] += req->stats.cache_hit_pages;
	c->v[C_MISS] += req->stats.cache_miss_pages;
	c->v[C_STORAGE] += req->stats.storage_read_bytes;
}

void tally_add_success(struct tally *d, const struct zcopy_send *req)
{
	ctrs_add_stats(&d->global, req);
	ctrs_add_stats(&d->open, req);
	/* A bad stats.method fails check_stats(); count nowhere then. */
	if (req->stats.method < ZCOPY_METHOD_COUNT)
		ctrs_add_stats(&d->method[req->stats.method], req);
}

void tally_add_error(struct tally *d, unsigned int method)
{
	d->global.v[C_ERRORS]++;
	d->open.v[C_ERRORS]++;
	d->method[method_resolved(method)].v[C_ERRORS]++;
}

int ctrs_expect_delta(struct tctx *t, const char *label,
			const struct ctrs *now, const struct ctrs *before,
			const struct ctrs *delta)
{
	struct ctrs want;

	for (int i = 0; i < C_COUNT; i++)
		want.v[i] = before->v[i] + delta->v[i];
	return ctrs_expect(t, label, now, &want);
}

int tally_expect_delta(struct tctx *t, int dev, const struct tally *before,
		       const struct tally *delta)
{
	struct tally now;
	char label[64];

	if (tally_read(t, dev, &now) != 0)
		return -1;
	if (ctrs_expect_delta(t, "sysfs stats/", &now.global, &before->global,
			 &delta->global) != 0)
		return -1;
	for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++) {
		if (!method_has_dir(t, m))
			continue;
		snprintf(label, sizeof(label), "sysfs stats_%s/",
			 method_desc[m].name);
		if (ctrs_expect_delta(t, label, &now.method[m], &before->method[m],
				 &delta->method[m]) != 0)
			return -1;
	}
	return ctrs_expect_delta(t, "ZCOPY_IOC_COUNTERS ", &now.open, &before->open,
			    &delta->open);
}
