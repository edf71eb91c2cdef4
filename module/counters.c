// SPDX-License-Identifier: GPL-2.0
/*
 * Running totals: per method (sysfs methods/<name>/), their sum (sysfs
 * stats/), and per open file (ZCOPY_IOC_COUNTERS).
 */
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <kunit/visibility.h>

#include "zcopy.h"

/* name in sysfs, counter */
#define ZCOPY_COUNTER_LIST(X)						\
	X(transfers, ZCOPY_CTR_TRANSFERS)				\
	X(bytes, ZCOPY_CTR_BYTES)					\
	X(zc_bytes, ZCOPY_CTR_ZC_BYTES)					\
	X(copied_bytes, ZCOPY_CTR_COPIED_BYTES)				\
	X(cache_hit_pages, ZCOPY_CTR_CACHE_HIT_PAGES)			\
	X(cache_miss_pages, ZCOPY_CTR_CACHE_MISS_PAGES)			\
	X(storage_read_bytes, ZCOPY_CTR_STORAGE_READ_BYTES)		\
	X(errors, ZCOPY_CTR_ERRORS)

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

/* /sys/class/misc/zcopy/stats/<counter>: the sum over all methods. */
static ssize_t zcopy_total_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct dev_ext_attribute *ea =
		container_of(attr, struct dev_ext_attribute, attr);

	return sysfs_emit(buf, "%llu\n",
			  zcopy_counter_read(ZCOPY_METHOD_AUTO,
					     (uintptr_t)ea->var));
}

#define ZCOPY_TOTAL_ATTR(name, ctr)					\
	static struct dev_ext_attribute zcopy_total_##name = {		\
		__ATTR(name, 0444, zcopy_total_show, NULL),		\
		(void *)(ctr),						\
	};
ZCOPY_COUNTER_LIST(ZCOPY_TOTAL_ATTR)

#define ZCOPY_TOTAL_ENTRY(name, ctr) &zcopy_total_##name.attr.attr,
static struct attribute *zcopy_total_attrs[] = {
	ZCOPY_COUNTER_LIST(ZCOPY_TOTAL_ENTRY)
	NULL,
};

static const struct attribute_group zcopy_total_group = {
	.name = "stats",
	.attrs = zcopy_total_attrs,
};

const struct attribute_group *zcopy_device_groups[] = {
	&zcopy_total_group,
	NULL,
};

/* /sys/class/misc/zcopy/methods/<method>/<counter>. */
struct zcopy_method_attr {
	struct kobj_attribute attr;
	enum zcopy_counter ctr;
};

struct zcopy_method_kobj {
	struct kobject kobj;
	u32 method;
};

static ssize_t zcopy_method_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct zcopy_method_kobj *mk =
		container_of(kobj, struct zcopy_method_kobj, kobj);
	struct zcopy_method_attr *ma =
		container_of(attr, struct zcopy_method_attr, attr);

	return sysfs_emit(buf, "%llu\n",
			  zcopy_counter_read(mk->method, ma->ctr));
}

#define ZCOPY_METHOD_ATTR(name, ctr)					\
	static struct zcopy_method_attr zcopy_method_##name = {		\
		__ATTR(name, 0444, zcopy_method_show, NULL),		\
		ctr,							\
	};
ZCOPY_COUNTER_LIST(ZCOPY_METHOD_ATTR)

#define ZCOPY_METHOD_ENTRY(name, ctr) &zcopy_method_##name.attr.attr,
static struct attribute *zcopy_method_attrs[] = {
	ZCOPY_COUNTER_LIST(ZCOPY_METHOD_ENTRY)
	NULL,
};
ATTRIBUTE_GROUPS(zcopy_method);

static void zcopy_method_kobj_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct zcopy_method_kobj, kobj));
}

static const struct kobj_type zcopy_method_ktype = {
	.release = zcopy_method_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = zcopy_method_groups,
};

static struct kobject *zcopy_methods_dir;
static struct zcopy_method_kobj *zcopy_method_kobjs[ZCOPY_METHOD_COUNT];

/**
 * zcopy_counters_exit() - remove the methods/ directory from sysfs
 */
void zcopy_counters_exit(void)
{
	u32 m;

	for (m = 0; m < ZCOPY_METHOD_COUNT; m++) {
		if (zcopy_method_kobjs[m])
			kobject_put(&zcopy_method_kobjs[m]->kobj);
		zcopy_method_kobjs[m] = NULL;
	}
	kobject_put(zcopy_methods_dir);
	zcopy_methods_dir = NULL;
}

/**
 * zcopy_counters_init() - add methods/<name>/ under the device in sysfs
 * @dev: the misc device
 *
 * Return: 0 or a negative errno, with nothing left behind.
 */
int zcopy_counters_init(struct device *dev)
{
	u32 m;
	int err;

	zcopy_methods_dir = kobject_create_and_add("methods", &dev->kobj);
	if (!zcopy_methods_dir)
		return -ENOMEM;

	for (m = 0; m < ZCOPY_METHOD_COUNT; m++) {
		const struct zcopy_method *method = zcopy_method_get(m);
		struct zcopy_method_kobj *mk;

		if (!method)
			continue;
		mk = kzalloc(sizeof(*mk), GFP_KERNEL);
		if (!mk) {
			err = -ENOMEM;
			goto remove_methods;
		}
		mk->method = m;
		err = kobject_init_and_add(&mk->kobj, &zcopy_method_ktype,
					   zcopy_methods_dir, "%s",
					   method->name);
		if (err) {
			kobject_put(&mk->kobj);
			goto remove_methods;
		}
		zcopy_method_kobjs[m] = mk;
	}
	return 0;

remove_methods:
	zcopy_counters_exit();
	return err;
}
