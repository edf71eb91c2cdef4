// SPDX-License-Identifier: GPL-2.0
/*
 * Running totals: per method (sysfs stats_<method>/), their sum (sysfs
 * stats/), and per open file (ZCOPY_IOC_COUNTERS).  The sysfs directories
 * are attribute groups of the misc device, made with it: udev sees them
 * all when the device appears.
 */
#include <linux/device.h>
#include <linux/sysfs.h>
#include <kunit/visibility.h>

#include "zcopy.h"

static struct zcopy_tally zcopy_method_tally[ZCOPY_METHOD_COUNT];

/**
 * zcopy_counters_add() - account one transfer
 * @ctx: the open file it went through, or NULL
 * @method: the method that ran it (never AUTO)
 * @delta: what to add to each counter
 */
void zcopy_counters_add(struct zcopy_ctx *ctx, u32 method,
			const u64 delta[ZCOPY_NR_COUNTERS])
{
	int c;

	for (c = 0; c < ZCOPY_NR_COUNTERS; c++) {
		if (!delta[c])
			continue;
		atomic64_add(delta[c], &zcopy_method_tally[method].v[c]);
		if (ctx)
			atomic64_add(delta[c], &ctx->tally.v[c]);
	}
}

/**
 * zcopy_counter_read() - a global counter
 * @method: a ZCOPY_METHOD_* with an implementation, or ZCOPY_METHOD_AUTO for
 *	the sum over all methods (AUTO transfers count under the method run)
 * @c: the counter
 *
 * Return: the counter's value.
 */
u64 zcopy_counter_read(u32 method, enum zcopy_counter c)
{
	u64 sum = 0;
	u32 m;

	if (method != ZCOPY_METHOD_AUTO)
		return atomic64_read(&zcopy_method_tally[method].v[c]);
	for (m = 0; m < ZCOPY_METHOD_COUNT; m++)
		sum += atomic64_read(&zcopy_method_tally[m].v[c]);
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(zcopy_counter_read);

/**
 * struct zcopy_counter_attr - one counter file in sysfs
 * @attr: the device attribute
 * @method: the method it counts, or ZCOPY_METHOD_AUTO for the sum over all
 * @ctr: the counter
 */
struct zcopy_counter_attr {
	struct device_attribute attr;
	u32 method;
	enum zcopy_counter ctr;
};

static ssize_t zcopy_counter_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	const struct zcopy_counter_attr *ca =
		container_of(attr, struct zcopy_counter_attr, attr);

	return sysfs_emit(buf, "%llu\n", zcopy_counter_read(ca->method, ca->ctr));
}

/*
 * A method this build lacks has no directory: where the kernel can hide a
 * whole group (6.11+), the first attribute says so for all of them.
 */
static umode_t zcopy_counter_visible(struct kobject *kobj,
				     struct attribute *attr, int n)
{
	const struct zcopy_counter_attr *ca =
		container_of(attr, struct zcopy_counter_attr, attr.attr);

	if (ca->method == ZCOPY_METHOD_AUTO || zcopy_method_get(ca->method))
		return attr->mode;
	return n ? 0 : ZCOPY_SYSFS_GROUP_HIDDEN;
}

#define ZCOPY_COUNTER_ATTR(grp, m, name, ctr)				\
	static struct zcopy_counter_attr zcopy_##grp##_##name = {	\
		__ATTR(name, 0444, zcopy_counter_show, NULL), m, ctr	\
	}

/* One directory of the eight counters of @m, named @grp. */
#define ZCOPY_COUNTER_GROUP(grp, m)					\
	ZCOPY_COUNTER_ATTR(grp, m, transfers, ZCOPY_CTR_TRANSFERS);	\
	ZCOPY_COUNTER_ATTR(grp, m, bytes, ZCOPY_CTR_BYTES);		\
	ZCOPY_COUNTER_ATTR(grp, m, zc_bytes, ZCOPY_CTR_ZC_BYTES);	\
	ZCOPY_COUNTER_ATTR(grp, m, copied_bytes, ZCOPY_CTR_COPIED_BYTES); \
	ZCOPY_COUNTER_ATTR(grp, m, cache_hit_pages,			\
			   ZCOPY_CTR_CACHE_HIT_PAGES);			\
	ZCOPY_COUNTER_ATTR(grp, m, cache_miss_pages,			\
			   ZCOPY_CTR_CACHE_MISS_PAGES);			\
	ZCOPY_COUNTER_ATTR(grp, m, storage_read_bytes,			\
			   ZCOPY_CTR_STORAGE_READ_BYTES);		\
	ZCOPY_COUNTER_ATTR(grp, m, errors, ZCOPY_CTR_ERRORS);		\
	static struct attribute *zcopy_##grp##_attrs[] = {		\
		&zcopy_##grp##_transfers.attr.attr,			\
		&zcopy_##grp##_bytes.attr.attr,				\
		&zcopy_##grp##_zc_bytes.attr.attr,			\
		&zcopy_##grp##_copied_bytes.attr.attr,			\
		&zcopy_##grp##_cache_hit_pages.attr.attr,		\
		&zcopy_##grp##_cache_miss_pages.attr.attr,		\
		&zcopy_##grp##_storage_read_bytes.attr.attr,		\
		&zcopy_##grp##_errors.attr.attr,			\
		NULL,							\
	};								\
	static const struct attribute_group zcopy_##grp##_group = {	\
		.name = #grp,						\
		.attrs = zcopy_##grp##_attrs,				\
		.is_visible = zcopy_counter_visible,			\
	}

/* stats/: the sum over all methods; stats_<method>/: one method's. */
ZCOPY_COUNTER_GROUP(stats, ZCOPY_METHOD_AUTO);
ZCOPY_COUNTER_GROUP(stats_copy, ZCOPY_METHOD_COPY);
ZCOPY_COUNTER_GROUP(stats_mmap, ZCOPY_METHOD_MMAP);
ZCOPY_COUNTER_GROUP(stats_splice, ZCOPY_METHOD_SPLICE);
ZCOPY_COUNTER_GROUP(stats_pages, ZCOPY_METHOD_PAGES);
ZCOPY_COUNTER_GROUP(stats_direct, ZCOPY_METHOD_DIRECT);

const struct attribute_group *zcopy_device_groups[] = {
	&zcopy_stats_group,
	&zcopy_stats_copy_group,
	&zcopy_stats_mmap_group,
	&zcopy_stats_splice_group,
	&zcopy_stats_pages_group,
	&zcopy_stats_direct_group,
	NULL,
};
