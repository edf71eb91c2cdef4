// SPDX-License-Identifier: GPL-2.0
/*
 * t_world.c - the "world" group: every method on every filesystem zcopy's
 * users run it on (tmpfs, tmpfs huge=always, ext4 with 4 KiB and 1 KiB
 * blocks, XFS, ext4 on DAX, overlayfs, procfs and sysfs), hot and cold, at
 * offsets inside and across folios.  Every received byte is compared with
 * the file and the statistics are held to the contract exactly.
 *
 * A filesystem that is not mounted (a stock kernel without its module)
 * registers no test: what runs passes or fails, nothing is skipped.  In
 * make check, tests/qemu/guest-check.sh makes sure all of them are there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "inject.h"

#define TMPFS_MAGIC 0x01021994
#define EXT4_SUPER_MAGIC 0xEF53
#define XFS_SUPER_MAGIC 0x58465342
#define OVERLAYFS_SUPER_MAGIC 0x794c7630

#define FSIZE (4 * MIB)
/* The cold file of the 4 KiB-block disks: big enough that readahead
 * windows and batches meet many times on the way. */
#define COLD_BIG (24 * MIB)
#define HUGE_SIZE (2 * MIB)
#define PAGE 4096ULL

/* Whose page cache serves a file's reads (contract: "lendable"). */
enum wkind {
	WK_OWN,		/* its own: tmpfs, ext4, XFS */
	WK_DAX,		/* none: DAX reads the memory behind it */
	WK_STACKED,	/* the backing file's: overlayfs */
	WK_PSEUDO,	/* none, and i_size 0: procfs, sysfs */
};

struct wfs {
	const struct fsdesc *fs;
	const char *type;	/* in /proc/mounts */
	const char *opt;	/* a mount option it must have, or NULL */
	enum wkind kind;
	bool disk;		/* on storage: cold cases and DIRECT */
	bool exact_cold;	/* 4 KiB blocks: whole cold files pinned */
	bool large_folios;	/* ranges across a 2 MiB boundary */
	bool small_blocks;	/* 1 KiB blocks: partly uptodate pages */
};

static const struct fsdesc fs_thp = {
	"thp", "/mnt/thp", "/mnt/thp/zcopy-guest", TMPFS_MAGIC
};
static const struct fsdesc fs_ext4_1k = {
	"ext4-1k", "/mnt/ext4-1k", "/mnt/ext4-1k/zcopy-guest", EXT4_SUPER_MAGIC
};
static const struct fsdesc fs_xfs = {
	"xfs", "/mnt/xfs", "/mnt/xfs/zcopy-guest", XFS_SUPER_MAGIC
};
static const struct fsdesc fs_dax = {
	"dax", "/mnt/dax", "/mnt/dax/zcopy-guest", EXT4_SUPER_MAGIC
};
static const struct fsdesc fs_ovl = {
	"ovl", "/mnt/ovl", "/mnt/ovl/zcopy-guest", OVERLAYFS_SUPER_MAGIC
};

/* tmpfs and ext4 share the transfer group's directories and hot files. */
static const struct wfs world_fs[] = {
	{ &fs_list[FS_TMPFS], "tmpfs", NULL, WK_OWN, false, false, false, false },
	{ &fs_thp, "tmpfs", "huge=always", WK_OWN, false, false, true, false },
	{ &fs_list[FS_EXT4], "ext4", NULL, WK_OWN, true, true, false, false },
	{ &fs_ext4_1k, "ext4", NULL, WK_OWN, true, false, false, true },
	{ &fs_xfs, "xfs", NULL, WK_OWN, true, true, true, false },
	{ &fs_dax, "ext4", "dax=always", WK_DAX, false, false, false, false },
	{ &fs_ovl, "overlay", NULL, WK_STACKED, false, false, false, false },
};

/* Stable pseudo files (the same bytes for every reader, every time). */
static const struct {
	const char *name;	/* test-name part */
	const char *path;
} pseudo_files[] = {
	{ "procfs-version", "/proc/version" },
	{ "procfs-cmdline", "/proc/cmdline" },
	{ "sysfs-cpu-online", "/sys/devices/system/cpu/online" },
};
#define PSEUDO_MAX (64 * KIB)

/* Whether @dir is a mount of @type with @opt (NULL: any options). */
static bool mounted(const char *dir, const char *type, const char *opt)
{
	char line[512], d[256], ty[64], opts[256];
	FILE *f = fopen("/proc/mounts", "re");
	bool ok = false;

	if (!f)
		return false;
	while (!ok && fgets(line, sizeof(line), f)) {
		char *p;
		size_t n;

		if (sscanf(line, "%*s %255s %63s %255s", d, ty, opts) != 3 ||
		    strcmp(d, dir) || strcmp(ty, type))
			continue;
		if (!opt) {
			ok = true;
			continue;
		}
		/* One whole comma-separated option. */
		n = strlen(opt);
		for (p = opts; p && !ok; p = strchr(p, ',')) {
			if (*p == ',')
				p++;
			ok = !strncmp(p, opt, n) && (p[n] == ',' || !p[n]);
		}
	}
	fclose(f);
	return ok;
}

static bool wfs_mounted(const struct wfs *w)
{
	return mounted(w->fs->mount, w->type, w->opt);
}

int world_setup(struct tctx *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(world_fs); i++)
		if (wfs_mounted(&world_fs[i]) &&
		    workdir_prepare(t, world_fs[i].fs) != 0)
			return -1;
	return 0;
}

void world_cleanup(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(world_fs); i++)
		if (wfs_mounted(&world_fs[i]) &&
		    workdir_clean(world_fs[i].fs) == 0)
			rmdir(world_fs[i].fs->dir);
}

/* ---------------------------------------------------------------- */
/* What a transfer must report                                       */

/* The method AUTO resolves to (contract item 2). */
static unsigned int auto_method(enum wkind kind, bool odirect, uint32_t flags)
{
	if (odirect)
		return ZCOPY_METHOD_DIRECT;
	if (kind == WK_OWN)
		return ZCOPY_METHOD_PAGES;
	return flags & ZCOPY_F_NOSIGNAL ? ZCOPY_METHOD_COPY :
	       ZCOPY_METHOD_SPLICE;
}

void want_costs(struct want *w, unsigned int m, bool splice_copies,
		uint64_t sent, bool sg)
{
	uint64_t copied = 0;

	w->method = m;
	w->zc = SPAN_EXACT(0);
	switch (m) {
	case ZCOPY_METHOD_PAGES:
		w->zc = SPAN_EXACT(sent);
		break;
	case ZCOPY_METHOD_MMAP:
		copied = sent;
		break;
	case ZCOPY_METHOD_COPY:
		copied = 2 * sent;
		break;
	case ZCOPY_METHOD_SPLICE:
		if (splice_copies)
			copied = sent;
		else
			w->zc = SPAN_EXACT(sent);
		break;
	case ZCOPY_METHOD_DIRECT:
		w->zc = SPAN_EXACT(sent);
		break;
	}
	w->copied = SPAN_EXACT(copied);
	/* DIRECT's own copies on a gathering route are not in the contract. */
	if (m == ZCOPY_METHOD_DIRECT)
		w->copied = SPAN_ANY;
	w->route_set = ZCOPY_ROUTE_KNOWN;
	w->route_clear = 0;
	if (sg) {
		w->route_set |= ZCOPY_ROUTE_SG;
		return;
	}
	/* Without SG nothing goes by reference: the device's copy at
	 * transmit is added to whatever the method copied. */
	w->route_clear = ZCOPY_ROUTE_SG;
	w->zc = SPAN_EXACT(0);
	w->copied = SPAN_EXACT(m == ZCOPY_METHOD_DIRECT ? sent : copied + sent);
}

void want_hot(struct want *w, uint64_t start, uint64_t sent)
{
	w->hit = SPAN_EXACT(pages_touched(start, sent));
	w->miss = SPAN_EXACT(0);
	w->storage = SPAN_EXACT(0);
	w->lookups = UINT64_MAX;
}

void want_no_cache(struct want *w)
{
	w->hit = SPAN_EXACT(0);
	w->miss = SPAN_EXACT(0);
	w->storage = SPAN_ANY;
	w->lookups = UINT64_MAX;
}

void want_free_pages(struct want *w)
{
	w->hit = w->miss = w->storage = SPAN_ANY;
	w->lookups = UINT64_MAX;
}

/* ---------------------------------------------------------------- */
/* One send from a file of a world filesystem                        */

enum temp {
	HOT,		/* read through just before */
	COLD,		/* fsync, drop_caches: nothing of it cached */
};

struct wcase {
	const struct wfs *w;
	unsigned int method;
	uint32_t flags;
	uint64_t fsize, offset, len;
	enum temp temp;
	bool odirect;		/* opened with O_DIRECT */
};

static bool refused(const struct wcase *c)
{
	/* COPY and SPLICE read an O_DIRECT file from storage, always. */
	if (c->odirect && (c->flags & ZCOPY_F_NODISKIO))
		return c->method == ZCOPY_METHOD_COPY ||
		       c->method == ZCOPY_METHOD_SPLICE;
	return c->w->kind != WK_OWN && (c->method == ZCOPY_METHOD_PAGES ||
					c->method == ZCOPY_METHOD_MMAP);
}

static void wcase_want(const struct wcase *c, uint64_t sent, struct want *w,
		       struct tctx *t)
{
	const enum wkind kind = c->w->kind;
	unsigned int m = c->method;
	/* An O_DIRECT file's pipe pages come from storage by DMA. */
	bool splice_copies = kind == WK_DAX || kind == WK_PSEUDO;

	if (m == ZCOPY_METHOD_AUTO)
		m = auto_method(kind, c->odirect, c->flags);
	want_costs(w, m, splice_copies, sent, true);
	/* COPY's read of an O_DIRECT file is DMA: only the socket copies. */
	if (c->odirect && m == ZCOPY_METHOD_COPY)
		w->copied = SPAN_EXACT(sent);
	w->ifindex = t->lo_ifindex;
	if (m == ZCOPY_METHOD_DIRECT && kind == WK_DAX) {
		/* Read in whole pages: what the range leaves of its first
		 * and last page was copied too. */
		w->zc = SPAN_EXACT(0);
		w->copied = (struct span){ sent,
					   pages_touched(c->offset, sent) * PAGE };
		want_no_cache(w);
	} else if (m == ZCOPY_METHOD_DIRECT) {
		want_free_pages(w);
	} else if (kind == WK_DAX || kind == WK_PSEUDO || c->odirect) {
		want_no_cache(w);
	} else if (c->temp == HOT) {
		want_hot(w, c->offset, sent);
	} else if (c->w->exact_cold && c->offset == 0 && sent == c->fsize) {
		/* Contract item 6: every page a miss, read from storage. */
		w->hit = SPAN_EXACT(0);
		w->miss = SPAN_EXACT(pages_touched(0, sent));
		w->storage = SPAN_EXACT(pages_touched(0, sent) * PAGE);
		w->lookups = UINT64_MAX;
	} else {
		/* A part of a cold file: readahead may bring in more than
		 * the range, but each page is looked up once, the first
		 * one missed, and something comes from storage. */
		w->hit = SPAN_ANY;
		w->miss = (struct span){ 1, UINT64_MAX };
		w->storage = (struct span){ 1, UINT64_MAX };
		w->lookups = pages_touched(c->offset, sent);
	}
}

static int read_through(struct tctx *t, int fd)
{
	static char buf[256 * KIB];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		return fail_errno(t, "read the file through");
	return lseek(fd, 0, SEEK_SET) == 0 ? 0 :
	       fail_errno(t, "lseek");
}

/*
 * The file of @c, opened as the case wants it and hot or cold.  A cold
 * file is the test's own, new: a page an earlier test left referenced can
 * then only fail the test that left it.
 */
static int wcase_open(struct tctx *t, const struct wcase *c, struct tfile *f)
{
	int fd;

	if (c->temp == COLD) {
		fd = private_file(t, c->w->fs, c->fsize, "cold", f);
		if (fd >= 0 && make_cold(t, fd, c->fsize) != 0) {
			close(fd);
			unlink(f->path);
			return -1;
		}
		return fd;
	}
	fd = tfile_open(t, c->w->fs, c->fsize, f);
	if (fd < 0)
		return -1;
	if (read_through(t, fd)) {
		close(fd);
		return -1;
	}
	if (!c->odirect)
		return fd;
	close(fd);
	fd = open(f->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	return fd < 0 ? fail_errno(t, "open %s O_DIRECT", f->path) : fd;
}

static int wcase_test(struct tctx *t, const void *arg)
{
	const struct wcase *c = arg;
	const uint64_t sent = expected_sent(c->offset, c->len, c->fsize);
	struct want w;
	struct tfile f;
	struct one_send o = {
		.method = c->method,
		.flags = c->flags,
		.offset = c->offset,
		.len = c->len,
		.want_errno = refused(c) ? EINVAL : 0,
		.want_sent = sent,
		.want = &w,
	};
	int rc;

	o.fd = wcase_open(t, c, &f);
	if (o.fd < 0)
		return -1;
	o.spec = (struct rx_spec){ f.seed, c->offset, 0 };
	wcase_want(c, sent, &w, t);
	rc = send_checked(t, &o);
	/* Every page the transfer read in must be droppable again once the
	 * socket is done with it: one that stays was never let go. */
	if (!rc && c->temp == COLD) {
		snprintf(t->where, sizeof(t->where), "after the transfer");
		rc = make_cold(t, o.fd, c->fsize);
	}
	close(o.fd);
	if (c->temp == COLD)
		unlink(f.path);
	return rc;
}

/* ---------------------------------------------------------------- */
/* procfs and sysfs: i_size 0, content up to EOF (contract item 4)   */

struct pcase {
	const char *path;
	unsigned int method;
	uint32_t flags;
};

static int pseudo_test(struct tctx *t, const void *arg)
{
	const struct pcase *c = arg;
	static unsigned char content[PSEUDO_MAX];
	const struct wfs pseudo = { .kind = WK_PSEUDO };
	const struct wcase as = { &pseudo, c->method, c->flags, 0, 0, MIB,
				  HOT, false };
	struct rx_more more = { .bytes = content };
	struct want w;
	struct one_send o = {
		.method = c->method,
		.flags = c->flags,
		.len = MIB,
		.want_errno = refused(&as) ? EINVAL : 0,
		.want = &w,
		.more = &more,
	};
	ssize_t n;
	int rc;

	/* What read() to EOF returns is what must go. */
	o.fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (o.fd < 0)
		return fail_errno(t, "open %s", c->path);
	n = read_full(o.fd, content, sizeof(content));
	if (n < 0) {
		close(o.fd);
		return fail_errno(t, "read %s", c->path);
	}
	if (n == 0 || n == (ssize_t)sizeof(content)) {
		close(o.fd);
		return fail(t, "read %s: %zd bytes, expected 1 to %zu",
			    c->path, n, sizeof(content) - 1);
	}
	/* The read moved the position; the send gives its own offset. */
	more.nbytes = (uint64_t)n;
	o.want_sent = (uint64_t)n;
	wcase_want(&as, (uint64_t)n, &w, t);
	rc = send_checked(t, &o);
	close(o.fd);
	return rc;
}

/* ---------------------------------------------------------------- */
/* ext4 with 1 KiB blocks: a page partly uptodate (contract item 7)  */

#define PARTIAL_FSIZE (8 * KIB)
#define NODISKIO_TRIES 20
#define NODISKIO_PAUSE_MS 50

struct ucase {
	const struct wfs *w;
	unsigned int method;
	uint64_t offset, len;
	bool nodiskio;
};

/*
 * 8 KiB written and synced, all of it dropped, then block 1 (bytes
 * [1024, 2048)) written again with the same bytes: page 0 is in the cache
 * with one uptodate block of four, page 1 not at all.
 */
static int partial_file(struct tctx *t, const struct wfs *w, struct tfile *f)
{
	unsigned char blk[1024];
	int fd = private_file(t, w->fs, PARTIAL_FSIZE, "partial", f);

	if (fd < 0)
		return -1;
	pattern_fill(f->seed, 1024, blk, sizeof(blk));
	if (make_cold(t, fd, PARTIAL_FSIZE) != 0 ||
	    pwrite(fd, blk, sizeof(blk), 1024) != (ssize_t)sizeof(blk)) {
		close(fd);
		return fail_errno(t, "pwrite block 1");
	}
	return fd;
}

/* With NODISKIO: EAGAIN (an error each, nothing sent) until readahead has
 * brought the missing blocks in, then everything. */
static int nodiskio_retry(struct tctx *t, const struct ucase *c, int fd,
			  int sock, struct zcopy_send *req, struct tally *delta)
{
	for (int i = 1;; i++) {
		send_req(req, fd, sock, c->method, c->offset, c->len);
		req->flags = ZCOPY_F_NODISKIO;
		if (ioctl(t->dev, ZCOPY_IOC_SEND, req) == 0)
			return 0;
		if (errno != EAGAIN)
			return fail_errno(t, "ZCOPY_IOC_SEND try %d", i);
		tally_add_error(delta, c->method);
		if (i == NODISKIO_TRIES)
			return fail(t, "still EAGAIN after %d tries %d ms apart",
				    i, NODISKIO_PAUSE_MS);
		sleep_ms(NODISKIO_PAUSE_MS);
	}
}

static int partial_test(struct tctx *t, const void *arg)
{
	const struct ucase *c = arg;
	const uint64_t sent = expected_sent(c->offset, c->len, PARTIAL_FSIZE);
	const struct wcase as = { c->w, c->method, 0, PARTIAL_FSIZE, c->offset,
				  c->len, COLD, false };
	struct tally before, delta;
	struct zcopy_send req;
	struct receiver rx;
	struct tfile f;
	struct want w;
	unsigned int m;
	int fd, rc = -1;

	memset(&delta, 0, sizeof(delta));
	fd = partial_file(t, c->w, &f);
	if (fd < 0)
		return -1;
	wcase_want(&as, sent, &w, t);
	m = w.method;
	/* Bytes are pinned for every method, the misses only where the page
	 * itself goes to the socket: a socket must never get a page that
	 * is not uptodate, so it is read, from storage. */
	w.hit = w.miss = w.storage = SPAN_ANY;
	w.lookups = UINT64_MAX;
	if ((m == ZCOPY_METHOD_PAGES || m == ZCOPY_METHOD_MMAP) &&
	    !c->nodiskio) {
		w.miss = (struct span){ 1, UINT64_MAX };
		w.storage = (struct span){ 1, UINT64_MAX };
	}
	if (receiver_start(t, &rx, AF_INET, RX_READ,
			   &(struct rx_spec){ f.seed, c->offset, 0 }) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		goto out;
	if (c->nodiskio) {
		if (nodiskio_retry(t, c, fd, rx.sock, &req, &delta) != 0)
			goto out;
	} else {
		send_req(&req, fd, rx.sock, c->method, c->offset, c->len);
		if (ioctl(t->dev, ZCOPY_IOC_SEND, &req) != 0) {
			fail_errno(t, "ZCOPY_IOC_SEND");
			goto out;
		}
	}
	if (check_u64(t, "sent", req.sent, sent) ||
	    want_check(t, &req.stats, sent, &w) != 0)
		goto out;
	tally_add_success(&delta, &req);
	if (receiver_finish(t, &rx, sent) != 0)
		goto out;
	rc = tally_expect_delta(t, t->dev, &before, &delta);
out:
	close(fd);
	unlink(f.path);
	return rc;
}

/* ---------------------------------------------------------------- */
/* SENDV: file, memory, file segments of one stream                  */

#define SV_FILE1_OFF 5000
#define SV_FILE1_LEN 70000
#define SV_MEM_LEN 3000
#define SV_FILE2_LEN 100000

struct vcase {
	const struct wfs *w;
	const char *pseudo;	/* or a procfs/sysfs file: PAGES refused */
	unsigned int method;
};

static int sendv_test(struct tctx *t, const void *arg)
{
	const struct vcase *c = arg;
	const uint64_t off2 = SV_FILE1_OFF + SV_FILE1_LEN + SV_MEM_LEN;
	const uint64_t file = SV_FILE1_LEN + SV_FILE2_LEN;
	const uint64_t total = file + SV_MEM_LEN;
	static unsigned char mem[SV_MEM_LEN];
	const struct wcase as = { c->w, c->method, 0, FSIZE, 0, FSIZE, HOT,
				  false };
	struct zcopy_segment seg[3];
	struct tally before, delta;
	struct zcopy_sendv v;
	struct receiver rx;
	struct zcopy_send as_send;
	struct tfile f = { .seed = 0 };
	struct want w;
	int fd, rc = -1;

	memset(&delta, 0, sizeof(delta));
	if (c->pseudo) {
		fd = open(c->pseudo, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return fail_errno(t, "open %s", c->pseudo);
	} else {
		fd = tfile_open(t, c->w->fs, FSIZE, &f);
		if (fd < 0 || read_through(t, fd) != 0)
			return -1;
	}
	pattern_fill(f.seed, SV_FILE1_OFF + SV_FILE1_LEN, mem, sizeof(mem));
	memset(seg, 0, sizeof(seg));
	seg[0] = (struct zcopy_segment){ .type = ZCOPY_SEG_FILE, .fd = fd,
					 .offset = SV_FILE1_OFF,
					 .len = SV_FILE1_LEN };
	seg[1] = (struct zcopy_segment){ .type = ZCOPY_SEG_MEMORY,
					 .addr = (uintptr_t)mem,
					 .len = SV_MEM_LEN };
	seg[2] = (struct zcopy_segment){ .type = ZCOPY_SEG_FILE, .fd = fd,
					 .offset = off2, .len = SV_FILE2_LEN };
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.method = c->method;
	v.segs = (uintptr_t)seg;
	v.count = ARRAY_SIZE(seg);
	if (receiver_start(t, &rx, AF_INET, RX_READ,
			   &(struct rx_spec){ f.seed, SV_FILE1_OFF, 0 }) != 0 ||
	    tally_read(t, t->dev, &before) != 0)
		goto out;
	v.out_fd = rx.sock;
	rc = ioctl(t->dev, ZCOPY_IOC_SENDV, &v);
	if (c->pseudo || refused(&as)) {
		/* Contract item 1: refused before the first byte. */
		rc = expect_errno(t, "ZCOPY_IOC_SENDV", rc, EINVAL);
		if (!rc)
			rc = receiver_finish(t, &rx, 0);
		goto counters;
	}
	if (rc != 0) {
		rc = fail_errno(t, "ZCOPY_IOC_SENDV");
		goto out;
	}
	rc = -1;
	wcase_want(&as, file, &w, t);
	/* The memory segment: copied once into the call's pages, which
	 * are lent like file pages. */
	w.copied.lo += SV_MEM_LEN;
	w.copied.hi += SV_MEM_LEN;
	if (c->w->kind == WK_OWN || c->w->kind == WK_STACKED)
		w.hit = SPAN_EXACT(pages_touched(SV_FILE1_OFF, SV_FILE1_LEN) +
				   pages_touched(off2, SV_FILE2_LEN));
	if (check_u64(t, "sent", v.sent, total) ||
	    check_u64(t, "seg_index", v.seg_index, ARRAY_SIZE(seg)) ||
	    want_check(t, &v.stats, total, &w) != 0)
		goto out;
	as_send = (struct zcopy_send){ .sent = v.sent, .stats = v.stats };
	tally_add_success(&delta, &as_send);
	if (receiver_finish(t, &rx, total) != 0)
		goto out;
	rc = 0;
counters:
	if (!rc)
		rc = tally_expect_delta(t, t->dev, &before, &delta);
out:
	close(fd);
	return rc;
}

/* ---------------------------------------------------------------- */
/* The filesystems are what they claim to be                         */

static int dax_statx(struct tctx *t, const void *arg)
{
	const struct wfs *w = arg;
	struct statx sx;
	struct tfile f;
	int fd = tfile_open(t, w->fs, FSIZE, &f);

	if (fd < 0)
		return -1;
	close(fd);
	if (statx(AT_FDCWD, f.path, 0, STATX_BASIC_STATS, &sx) != 0)
		return fail_errno(t, "statx %s", f.path);
	if (!(sx.stx_attributes_mask & STATX_ATTR_DAX) ||
	    !(sx.stx_attributes & STATX_ATTR_DAX))
		return fail(t, "%s: STATX_ATTR_DAX not set (mask 0x%llx, attributes 0x%llx)",
			    f.path, (unsigned long long)sx.stx_attributes_mask,
			    (unsigned long long)sx.stx_attributes);
	return 0;
}

static uint64_t meminfo_kib(const char *key)
{
	char line[128];
	unsigned long long v = 0;
	size_t n = strlen(key);
	FILE *m = fopen("/proc/meminfo", "re");

	while (m && fgets(line, sizeof(line), m))
		if (!strncmp(line, key, n) && line[n] == ':')
			sscanf(line + n + 1, "%llu", &v);
	if (m)
		fclose(m);
	return v;
}

/* huge=always must give the file 2 MiB folios, or the cross-folio
 * shapes there test nothing new. */
static int thp_folios(struct tctx *t, const void *arg)
{
	const struct wfs *w = arg;
	struct tfile f;
	int fd = tfile_open(t, w->fs, FSIZE, &f);
	uint64_t kib;

	if (fd < 0)
		return -1;
	close(fd);
	kib = meminfo_kib("ShmemHugePages");
	if (kib < HUGE_SIZE / KIB)
		return fail(t, "ShmemHugePages %llu kB: the %llu MiB file on %s has no huge folio",
			    (unsigned long long)kib,
			    (unsigned long long)(FSIZE / MIB), w->fs->mount);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Registration                                                      */

static const unsigned int page_methods[] = {
	ZCOPY_METHOD_COPY, ZCOPY_METHOD_MMAP, ZCOPY_METHOD_SPLICE,
	ZCOPY_METHOD_PAGES, ZCOPY_METHOD_AUTO,
};

static struct test *add_wcase(struct registry *r, const struct wcase *proto,
			      const char *shape)
{
	struct wcase *c = xcalloc(1, sizeof(*c));
	struct test *tc;

	*c = *proto;
	tc = reg_add(r, "world", wcase_test, c, "%s-%s-%s", c->w->fs->name,
		     shape, method_desc[c->method].name);
	if (c->method == ZCOPY_METHOD_DIRECT ||
	    (c->odirect && c->method == ZCOPY_METHOD_AUTO))
		tc->need = NEED_DIRECT;
	if (c->fsize > FSIZE)
		tc->timeout_s = TIMEOUT_LONG_S;
	return tc;
}

/* Every method on @shape; DIRECT too on a disk. */
static void add_shape(struct registry *r, const struct wfs *w,
		      const char *shape, uint64_t fsize, uint64_t offset,
		      uint64_t len, enum temp temp)
{
	struct wcase c = { w, 0, 0, fsize, offset, len, temp, false };

	for (size_t i = 0; i < ARRAY_SIZE(page_methods); i++) {
		c.method = page_methods[i];
		add_wcase(r, &c, shape);
	}
	/* DAX: direct reads are CPU copies from the device's memory. */
	if ((w->disk || w->kind == WK_DAX) && temp == HOT) {
		c.method = ZCOPY_METHOD_DIRECT;
		add_wcase(r, &c, shape);
	}
}

static void add_fs(struct registry *r, const struct wfs *w)
{
	struct wcase c = { w, 0, 0, FSIZE, 0, FSIZE, HOT, false };
	struct vcase *v;

	add_shape(r, w, "whole", FSIZE, 0, FSIZE, HOT);
	add_shape(r, w, "mid", FSIZE, 5000, 70000, HOT);
	if (w->large_folios)
		add_shape(r, w, "cross2m", FSIZE, HUGE_SIZE - 5000, 10000, HOT);
	if (w->disk) {
		add_shape(r, w, "cold-mid", FSIZE, 5000, 70000, COLD);
		if (w->exact_cold)
			add_shape(r, w, "cold24m", COLD_BIG, 0, COLD_BIG, COLD);
		else
			add_shape(r, w, "cold-whole", FSIZE, 0, FSIZE, COLD);
		/* O_DIRECT wants aligned ranges: the whole file. */
		c.odirect = true;
		c.method = ZCOPY_METHOD_AUTO;
		add_wcase(r, &c, "odirect");
		c.method = ZCOPY_METHOD_SPLICE;
		add_wcase(r, &c, "odirect");
		c.method = ZCOPY_METHOD_COPY;
		add_wcase(r, &c, "odirect");
		c.flags = ZCOPY_F_NODISKIO;
		add_wcase(r, &c, "odirect-nodiskio");
		c.method = ZCOPY_METHOD_SPLICE;
		add_wcase(r, &c, "odirect-nodiskio");
		c.flags = 0;
		c.odirect = false;
	}
	if (w->kind != WK_OWN) {
		/* Contract item 2: COPY when SPLICE cannot honour NOSIGNAL. */
		c.method = ZCOPY_METHOD_AUTO;
		c.flags = ZCOPY_F_NOSIGNAL;
		add_wcase(r, &c, "nosignal");
	}
	v = xcalloc(1, sizeof(*v));
	*v = (struct vcase){ w, NULL, ZCOPY_METHOD_AUTO };
	reg_add(r, "world", sendv_test, v, "%s-sendv-auto", w->fs->name);
	if (w->kind != WK_OWN) {
		v = xcalloc(1, sizeof(*v));
		*v = (struct vcase){ w, NULL, ZCOPY_METHOD_PAGES };
		reg_add(r, "world", sendv_test, v, "%s-sendv-pages",
			w->fs->name);
	}
}

static void add_partial(struct registry *r, const struct wfs *w)
{
	static const struct {
		const char *shape;
		uint64_t offset, len;
		bool nodiskio;
	} shapes[] = {
		{ "partial-block1", 1024, 1024, false },
		{ "partial-8k", 0, PARTIAL_FSIZE, false },
		{ "partial-8k-nodiskio", 0, PARTIAL_FSIZE, true },
	};

	for (size_t s = 0; s < ARRAY_SIZE(shapes); s++) {
		for (size_t i = 0; i < ARRAY_SIZE(page_methods); i++) {
			struct ucase *c = xcalloc(1, sizeof(*c));

			*c = (struct ucase){ w, page_methods[i],
					     shapes[s].offset, shapes[s].len,
					     shapes[s].nodiskio };
			reg_add(r, "world", partial_test, c, "%s-%s-%s",
				w->fs->name, shapes[s].shape,
				method_desc[c->method].name);
		}
	}
}

void world_register(struct registry *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(world_fs); i++) {
		const struct wfs *w = &world_fs[i];

		if (!wfs_mounted(w))
			continue;
		add_fs(r, w);
		if (w->kind == WK_DAX)
			reg_add(r, "world", dax_statx, w, "%s-statx-dax",
				w->fs->name);
		if (w->large_folios && w->fs->magic == TMPFS_MAGIC)
			reg_add(r, "world", thp_folios, w, "%s-huge-folios",
				w->fs->name);
		if (w->small_blocks)
			add_partial(r, w);
	}
	for (size_t i = 0; i < ARRAY_SIZE(pseudo_files); i++) {
		static const unsigned int methods[] = {
			ZCOPY_METHOD_COPY, ZCOPY_METHOD_MMAP,
			ZCOPY_METHOD_SPLICE, ZCOPY_METHOD_PAGES,
			ZCOPY_METHOD_AUTO,
		};
		struct pcase *c;
		struct vcase *v;

		for (size_t m = 0; m <= ARRAY_SIZE(methods); m++) {
			c = xcalloc(1, sizeof(*c));
			c->path = pseudo_files[i].path;
			if (m < ARRAY_SIZE(methods)) {
				c->method = methods[m];
				reg_add(r, "world", pseudo_test, c, "%s-%s",
					pseudo_files[i].name,
					method_desc[c->method].name);
			} else {
				c->method = ZCOPY_METHOD_AUTO;
				c->flags = ZCOPY_F_NOSIGNAL;
				reg_add(r, "world", pseudo_test, c,
					"%s-nosignal-auto",
					pseudo_files[i].name);
			}
		}
		v = xcalloc(1, sizeof(*v));
		*v = (struct vcase){ NULL, pseudo_files[i].path,
				     ZCOPY_METHOD_PAGES };
		reg_add(r, "world", sendv_test, v, "%s-sendv-pages",
			pseudo_files[i].name);
	}
}
