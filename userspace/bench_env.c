// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: the environment the figures come from, for the table's
 * footer and the JSON's "env".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/magic.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

#include "bench_int.h"

static const char *const feature_names[] = {
	"splice_pages", "sendpage", "io_accounting", "async", "notify_release",
};

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

/*
 * The device the kernel routes to addr through, and whether it gathers
 * page fragments (ETHTOOL_GSG): through one that cannot, TCP copies what
 * sendfile and splice lend.  A UDP socket connected to addr has the
 * route's source address; the device is the one that has it.
 */
static void read_route(struct bench_env *e, uint32_t addr)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET, .sin_addr.s_addr = addr, .sin_port = htons(9),
	}, me;
	socklen_t len = sizeof(me);
	struct ifaddrs *ifs = NULL;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	e->route_sg = true;
	snprintf(e->route_dev, sizeof(e->route_dev), "unknown");
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) ||
	    getsockname(fd, (struct sockaddr *)&me, &len) || getifaddrs(&ifs))
		goto close_fd;
	for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		struct ethtool_value ev = { .cmd = ETHTOOL_GSG };
		struct ifreq ifr = { .ifr_data = (void *)&ev };

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr != me.sin_addr.s_addr)
			continue;
		snprintf(e->route_dev, sizeof(e->route_dev), "%s", i->ifa_name);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->ifa_name);
		if (!ioctl(fd, SIOCETHTOOL, &ifr)) {
			e->route_sg = ev.data;
			e->route_sg_known = true;
		}
		break;
	}
	freeifaddrs(ifs);
close_fd:
	close_fd(&fd);
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
	char a[INET_ADDRSTRLEN] = "?";

	inet_ntop(AF_INET, &cfg->rx_addr, a, sizeof(a));
	read_route(e, cfg->rx_addr);
	snprintf(e->route, sizeof(e->route), "%s%s%.40s via %s (scatter-gather %s)", a,
		 cfg->rx_netns ? " in " : "", cfg->rx_netns ? cfg->rx_netns : "",
		 e->route_dev, !e->route_sg_known ? "unknown" : e->route_sg ? "on" : "off");
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
