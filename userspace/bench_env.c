// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: the environment the figures come from, for the table's
 * footer and the JSON's "env".
 */
#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

#include "bench_int.h"

static const char *const feature_names[] = { "splice_pages", "sendpage", "io_accounting" };

static const char *fs_name(long type)
{
	static const struct { long magic; const char *name; } fs[] = {
		{ EXT4_SUPER_MAGIC, "ext4" },	/* ext2 and ext3 share it */
		{ TMPFS_MAGIC, "tmpfs" },
		{ RAMFS_MAGIC, "ramfs" },
		{ XFS_SUPER_MAGIC, "xfs" },
		{ BTRFS_SUPER_MAGIC, "btrfs" },
		{ OVERLAYFS_SUPER_MAGIC, "overlay" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(fs); i++)
		if (fs[i].magic == type)
			return fs[i].name;
	return "other";
}

/* The CPU's model name, and what it says about emulation. */
static void read_cpu(struct bench_env *e)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	bool hypervisor = false;
	char line[4096];

	snprintf(e->cpu_model, sizeof(e->cpu_model), "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "model name", 10) && !strcmp(e->cpu_model, "unknown"))
			snprintf(e->cpu_model, sizeof(e->cpu_model), "%s", colon + 2);
		if (!strncmp(line, "flags", 5) && strstr(colon, " hypervisor"))
			hypervisor = true;
	}
	if (f)
		fclose(f);
	if (strstr(e->cpu_model, "TCG"))
		snprintf(e->virt, sizeof(e->virt), "QEMU TCG: an emulated CPU, "
			 "compare rows with each other, not with real hardware");
	else if (hypervisor)
		snprintf(e->virt, sizeof(e->virt), "virtual machine (hypervisor flag)");
	else
		snprintf(e->virt, sizeof(e->virt), "none detected");
}

/* The first line of a small file, or "unknown". */
static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	if (!f || !fgets(buf, len, f))
		snprintf(buf, len, "unknown");
	buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

void collect_env(struct bench_env *e, const struct bench_config *cfg, int dev,
		 bool *can_drop_caches, bool *cold_ok)
{
	struct zcopy_info info;
	struct utsname u;
	struct statfs sfs;
	time_t t = time(NULL);
	struct tm tm;

	e->dir = cfg->dir;
	e->note = cfg->note;
	e->budget_ms = cfg->budget_ms;
	e->min_reps = cfg->min_reps;
	e->batch_bytes = BATCH_BYTES;
	e->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (!uname(&u))
		snprintf(e->kernel, sizeof(e->kernel), "%.64s %.32s", u.release, u.machine);
	strftime(e->date, sizeof(e->date), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	read_cpu(e);
	/* A jiffies clock moves in ticks: every figure would be quantized. */
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  e->clock, sizeof(e->clock));
	snprintf(e->fs, sizeof(e->fs), "%s",
		 statfs(cfg->dir, &sfs) ? "unknown" : fs_name(sfs.f_type));
	*cold_ok = strcmp(e->fs, "tmpfs") && strcmp(e->fs, "ramfs");

	/* Test the right once, rather than fail quietly at every repetition. */
	*can_drop_caches = !write_drop_caches();
	snprintf(e->drop_caches, sizeof(e->drop_caches), "%s",
		 *can_drop_caches ? "yes" : strerror(errno));

	if (dev >= 0 && !zcopy_info(dev, &info)) {
		size_t len = 0;

		e->have_module = true;
		for (size_t i = 0; i < ARRAY_SIZE(feature_names); i++)
			if (info.features >> i & 1)
				len += snprintf(e->features + len, sizeof(e->features) - len,
						"%s%s", len ? "," : "", feature_names[i]);
	}
}
