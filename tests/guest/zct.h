/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zct.h - shared pieces of zcopy-guest-tests, the program that checks the
 * zcopy module's contract from inside the QEMU guest.
 *
 * Every test runs in a forked process of its own (main.c), so a crash or a
 * hang stays inside one test.  What a test needs travels in a struct tctx
 * passed around; there is no mutable global state.
 */
#ifndef ZCT_H
#define ZCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <linux/zcopy.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KIB 1024ULL
#define MIB (1024ULL * KIB)
/* The contract counts 4 KiB pages (the guest is x86-64). */
#define ZC_PAGE_SHIFT 12

#define DEV_PATH "/dev/zcopy"
#define SYSFS_DIR "/sys/class/misc/zcopy"

/* Send timeout on test sockets: turns a stalled transfer into a short
 * (failing) count instead of a hang, far above any legitimate wait. */
#define SEND_TIMEOUT_MS 30000

/* ------------------------------------------------------------------ */
/* Test context and failure reporting (common.c)                       */

struct tctx {
	int dev;			/* this test's own open of /dev/zcopy */
	struct zcopy_info info;		/* ZCOPY_IOC_INFO, read once at setup */
	unsigned int lo_ifindex;	/* if_nametoindex("lo") */
	char where[64];			/* prefix for reasons, e.g. "call 3" */
	char reason[768];		/* first failure; empty while passing */
};

/* Record why the test fails (the first reason wins: later ones are usually
 * fallout of the first) and return -1, so that `return fail(...)` reads. */
int fail(struct tctx *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* fail() with ": ENAME (strerror)" of the current errno appended. */
int fail_errno(struct tctx *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int check_u64(struct tctx *t, const char *what, uint64_t got, uint64_t want);
/* rc/errno of a call that must fail with errno @want. */
int expect_errno(struct tctx *t, const char *what, int rc, int want);
const char *errno_name(int err);

/* ------------------------------------------------------------------ */
/* Methods, filesystems, small system helpers (common.c)               */

#define RATIO_ANY UINT32_MAX
struct method_desc {
	const char *name;	/* test-name part and sysfs directory name */
	uint32_t zc_ratio;	/* stats.zc_bytes / sent on loopback with SG */
	uint32_t copied_ratio;	/* stats.copied_bytes / sent, or RATIO_ANY */
	bool has_dir;		/* has SYSFS_DIR/stats_<name> if supported */
};
extern const struct method_desc method_desc[ZCOPY_METHOD_COUNT];

bool method_supported(const struct tctx *t, unsigned int method);
/* The method a request for @method must report in stats.method. */
unsigned int method_resolved(unsigned int method);

struct fsdesc {
	const char *name;	/* test-name part */
	const char *mount;	/* where the filesystem is mounted */
	const char *dir;	/* our work directory on it */
	long magic;		/* statfs f_type the contract relies on */
};
enum { FS_TMPFS, FS_EXT4, FS_COUNT };
extern const struct fsdesc fs_list[FS_COUNT];

uint64_t now_ms(void);
void sleep_ms(long ms);
int write_full(int fd, const void *buf, size_t len);
ssize_t read_full(int fd, void *buf, size_t len);
int set_sock_timeout(int fd, int opt, long ms);
int set_nonblock(int fd);
/* A listening TCP socket on 127.0.0.1 or ::1, ephemeral port; its address
 * goes to @addr. */
int loopback_listener(int family, struct sockaddr_storage *addr,
		      socklen_t *addrlen);
/* A listening TCP socket bound to @addr (its family, address and port, 0:
 * ephemeral), which is then updated to the bound address. */
int listener_at(struct sockaddr_storage *addr, socklen_t *addrlen);
/* Pages of [0, @size) of @fd in the page cache (mincore), or -1 after
 * fail(). */
long resident_pages(struct tctx *t, int fd, uint64_t size);

/* ------------------------------------------------------------------ */
/* uAPI helpers (common.c)                                             */

void send_req(struct zcopy_send *req, int in_fd, int out_fd,
	      unsigned int method, uint64_t offset, uint64_t len);
/*
 * Issue @cmd with the v1 struct @st (@v1 bytes) at the start of a buffer of
 * max(@size, @v1) bytes whose size field says @size and whose bytes past
 * @v1 are @tail; the v1 part is copied back.  This is how a caller built
 * against a newer or older header looks to the module.
 */
int zc_ioctl_sized(int dev, unsigned long cmd, void *st, size_t v1,
		   uint32_t size, unsigned char tail);

/* The three ioctls, for tests that treat their structs alike: each starts
 * with __u32 size, __u32 flags and has input-checked reserved words. */
struct ioc_desc {
	const char *name;
	unsigned long cmd;
	size_t v1;		/* sizeof of the first published layout */
	size_t reserved_off;	/* offsetof(reserved) */
};
enum { IOC_INFO, IOC_SEND, IOC_COUNTERS, IOC_COUNT };
extern const struct ioc_desc ioc_list[IOC_COUNT];

/* ------------------------------------------------------------------ */
/* File content (pattern.c)                                            */

/* Byte i of a test file is a function of (seed, i) alone, with no period:
 * a page sent from the wrong offset or file never matches. */
uint64_t pattern_seed(uint64_t size);
void pattern_fill(uint64_t seed, uint64_t offset, void *buf, size_t len);

struct tfile {
	char path[160];
	uint64_t size;
	uint64_t seed;
};
/* Open (O_RDONLY, position 0) the pattern file of @size on @fs, writing it
 * first if this run has not yet: later tests reuse it, still hot. */
int tfile_open(struct tctx *t, const struct fsdesc *fs, uint64_t size,
	       struct tfile *f);
/* Remove what a run left in the work directory of @fs. */
int workdir_clean(const struct fsdesc *fs);
/* Check that @fs is what is mounted on fs->mount, create its work
 * directory and empty it. */
int workdir_prepare(struct tctx *t, const struct fsdesc *fs);

/* ------------------------------------------------------------------ */
/* Receiver process (receiver.c)                                       */

enum rx_mode {
	RX_READ,	/* read and check until EOF */
	RX_HOLD,	/* read nothing until receiver_release() */
	RX_RESET,	/* accept, then close with SO_LINGER {1, 0}: a reset */
	RX_STOP_CLOSE,	/* read rx_more.stop_after bytes, then close() */
	RX_STOP_RESET,	/* read rx_more.stop_after bytes, then reset */
};

/* The stream the receiver expects: file offsets base, base+1, ... of the
 * pattern @seed, wrapping every @span bytes (0: no wrap). */
struct rx_spec {
	uint64_t seed;
	uint64_t base;
	uint64_t span;
};

/* What receiver_start_ex() adds to a spec. */
struct rx_more {
	uint64_t stop_after;	/* RX_STOP_*: bytes to read first */
	/* Stream bytes [hole_start, hole_end) may also be 0 (punched). */
	uint64_t hole_start, hole_end;
	/* Non-NULL: listen on @addr (IPv4) inside this network namespace
	 * (e.g. "/run/netns/rx"), not on loopback; the test's socket stays
	 * in ours, so the bytes cross the NICs between the two. */
	const char *netns;
	const char *addr;
	/* Non-NULL: the stream is these @nbytes bytes, not the spec's
	 * pattern (files whose content is not ours: procfs, sysfs). */
	const unsigned char *bytes;
	uint64_t nbytes;
};

struct receiver {
	pid_t pid;
	int sock;	/* our connected end; the test sends on it */
	int ctl;	/* releases a RX_HOLD receiver; EOF on it does too */
	bool held;	/* RX_HOLD and not released yet */
	bool refused;	/* RX_RESET: the reset beat connect(), which failed */
	int report;	/* the receiver's struct rx_report */
};

int receiver_start(struct tctx *t, struct receiver *r, int family,
		   enum rx_mode mode, const struct rx_spec *spec);
int receiver_start_ex(struct tctx *t, struct receiver *r, int family,
		      enum rx_mode mode, const struct rx_spec *spec,
		      const struct rx_more *more);
int receiver_release(struct tctx *t, struct receiver *r);
/* Close our end, let the receiver drain, and check it got exactly
 * @want_bytes bytes, all as the spec expects. */
int receiver_finish(struct tctx *t, struct receiver *r, uint64_t want_bytes);
/* receiver_finish() that accepts any count: it goes to @got (every byte
 * still checked against the spec). */
int receiver_collect(struct tctx *t, struct receiver *r, uint64_t *got);

/* ------------------------------------------------------------------ */
/* Counters (counters.c)                                               */

enum {
	C_TRANSFERS, C_BYTES, C_ZC, C_COPIED, C_HIT, C_MISS, C_STORAGE,
	C_ERRORS, C_COUNT
};
extern const char *const counter_names[C_COUNT];

struct ctrs {
	uint64_t v[C_COUNT];
};

/* The three views of the counters: sysfs stats/, sysfs stats_<m>/ for
 * each method with a directory, and ZCOPY_IOC_COUNTERS of one open file.
 * Used both as a reading and as an expected change. */
struct tally {
	struct ctrs global;
	struct ctrs method[ZCOPY_METHOD_COUNT];
	struct ctrs open;
};

int counters_read_sysfs(struct tctx *t, const char *dir, struct ctrs *c);
int counters_read_open(struct tctx *t, int dev, struct ctrs *c);
int ctrs_expect(struct tctx *t, const char *label, const struct ctrs *got,
		const struct ctrs *want);
/* @now must be @before + @delta. */
int ctrs_expect_delta(struct tctx *t, const char *label,
		      const struct ctrs *now, const struct ctrs *before,
		      const struct ctrs *delta);
int tally_read(struct tctx *t, int dev, struct tally *s);
void tally_add_success(struct tally *d, const struct zcopy_send *req);
void tally_add_error(struct tally *d, unsigned int method);
/* Read again and check that every view moved by exactly @delta. */
int tally_expect_delta(struct tctx *t, int dev, const struct tally *before,
		       const struct tally *delta);

/* ------------------------------------------------------------------ */
/* Transfers with full checks (scenario.c)                             */

#define MAX_STEPS 100

/* One ZCOPY_IOC_SEND of a scenario and what it must do. */
struct step {
	uint64_t offset;	/* as passed (may be ZCOPY_OFFSET_CURRENT) */
	uint64_t len;
	uint64_t start;		/* the file offset the range really starts at */
	uint64_t want_sent;
	int64_t want_pos;	/* file position after the call */
};

/* A connection to a fresh receiver and a series of sends on it. */
struct scenario {
	const struct fsdesc *fs;
	int family;
	unsigned int method;
	uint64_t fsize;
	uint32_t struct_size;	/* 0: sizeof(struct zcopy_send) */
	uint64_t span;		/* receiver wrap (repeated range), 0: none */
	unsigned int nsteps;
	struct step steps[MAX_STEPS];
};

uint64_t pages_touched(uint64_t start, uint64_t len);
/* What a request for [offset, offset + len) of a file of @fsize sends. */
uint64_t expected_sent(uint64_t offset, uint64_t len, uint64_t fsize);
/* A one-step scenario over IPv4 with an explicit offset. */
void scenario_single(struct scenario *sc, const struct fsdesc *fs,
		     unsigned int method, uint64_t fsize, uint64_t offset,
		     uint64_t len);
/* What a transfer's statistics must say: each counter within [lo, hi]. */
struct span {
	uint64_t lo, hi;
};
#define SPAN_ANY ((struct span){ 0, UINT64_MAX })
#define SPAN_EXACT(x) ((struct span){ (x), (x) })

struct want {
	unsigned int method;		/* stats.method (AUTO resolved) */
	struct span zc, copied, hit, miss, storage;
	uint64_t lookups;		/* hit + miss, or UINT64_MAX: any */
	uint32_t route_set;		/* ZCOPY_ROUTE_* bits that must be set */
	uint32_t route_clear;		/* ... and those that must be clear */
	unsigned int ifindex;		/* stats.ifindex */
};

/* Check @s of a transfer that sent @sent bytes against @w. */
int want_check(struct tctx *t, const struct zcopy_stats *s, uint64_t sent,
	       const struct want *w);

/* One ZCOPY_IOC_SEND to a fresh receiver, checked in full. */
struct one_send {
	int fd;
	unsigned int method;
	uint32_t flags;
	uint64_t offset, len;
	int want_errno;			/* 0: must succeed */
	uint64_t want_sent;
	const struct want *want;	/* the stats, if it succeeds */
	struct rx_spec spec;		/* what the receiver must get */
	const struct rx_more *more;	/* NULL: none */
};

/* Send, check errno or sent and stats, the received bytes, and that the
 * counters moved by exactly the stats (or, after an error, not at all:
 * the errors @want_errno may cause are not counted here, so use it for
 * the refusals that move nothing). */
int send_checked(struct tctx *t, const struct one_send *o);

/* Check one successful SEND's sent and stats against the contract for a
 * hot file on loopback.  A @partial transfer (stopped before the end of
 * its range) may have read one batch more than it sent. */
int check_stats(struct tctx *t, const struct zcopy_send *req,
		unsigned int method, uint64_t start, uint64_t want_sent,
		bool partial);
/* Run @sc through @dev, adding what must have been counted to @sum. */
int scenario_run(struct tctx *t, int dev, const struct scenario *sc,
		 struct tally *sum);
/* scenario_run() plus the check that the counters moved by exactly that. */
int scenario_test(struct tctx *t, const struct scenario *sc);

/* ------------------------------------------------------------------ */
/* Test registry (registry.c) and the groups (main.c, t_<group>.c)     */

/* One of the first three, or'd with any of the flags after them. */
enum need {
	NEED_NOTHING, NEED_DIRECT, NEED_NO_DIRECT,
	/* fail-nth with failslab, fail_page_alloc, fail_usercopy */
	NEED_FAILNTH = 1 << 2,
	/* fail_make_request and /sys/block/vda/make-it-fail */
	NEED_FAIL_REQUEST = 1 << 3,
};

#define TIMEOUT_DEFAULT_S 30
#define TIMEOUT_LONG_S 180	/* 64 MiB transfers on a slow emulated guest */

struct test {
	const char *group;
	char name[80];
	int (*fn)(struct tctx *t, const void *arg);
	const void *arg;
	enum need need;
	unsigned int timeout_s;
};

struct registry {
	struct test *tests;
	size_t n, cap;
	const char *group;	/* the group whose function is registering */
};

/* Add a test (need NEED_NOTHING, default timeout); the returned entry may
 * be adjusted until the next reg_add().  @group must be r->group, the
 * group being registered: a test under any other (unknown, misspelt, or
 * another file's) group ends the program with status 2. */
struct test *reg_add(struct registry *r, const char *group,
		     int (*fn)(struct tctx *t, const void *arg),
		     const void *arg, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* calloc that gives up on the whole program: registration has no way on. */
void *xcalloc(size_t n, size_t size);

/* ------------------------------------------------------------------ */
/* Running the tests (runner.c), for both programs                     */

/* Ignore SIGPIPE, become the child subreaper: once, before any test. */
void runner_init(void);
/* Whether @need is met here; @why says why not (and, for the DIRECT
 * needs, what this module build has). */
bool need_met(const struct tctx *t, enum need need, const char **why);
/* Run @tc in a child of its own with its deadline; false with @reason
 * filled in if it failed. */
bool run_one(const struct test *tc, const struct tctx *base,
	     char *reason, size_t rlen);

/* Each group's tests, from t_<group>.c (main.c lists the groups). */
void transfer_register(struct registry *r);
void badinput_register(struct registry *r);
void faults_register(struct registry *r);
void counters_register(struct registry *r);
void sendv_register(struct registry *r);
void flags_register(struct registry *r);
void parity_register(struct registry *r);
void sidefx_register(struct registry *r);
void trace_register(struct registry *r);
/*
 * The statistics a path must report (t_world.c; t_nic.c uses them too).
 * want_costs(): stats.method @method (resolved), zc_bytes, copied_bytes
 * and the route bits on a route with or without SG; @splice_copies: the
 * file's splice_read copies into fresh pages (DAX, O_DIRECT, procfs).
 * The page counts of a hot file, of a file with no page cache of its
 * own, and of DIRECT (not pinned) are set by the other three.
 */
void want_costs(struct want *w, unsigned int method, bool splice_copies,
		uint64_t sent, bool sg);
void want_hot(struct want *w, uint64_t start, uint64_t sent);
void want_no_cache(struct want *w);
void want_free_pages(struct want *w);

void world_register(struct registry *r);
void nic_register(struct registry *r);
/* examples/http_sendv served to a client (t_examples.c). */
void examples_register(struct registry *r);
/* zcopy_sendv_all() of userspace/libzcopy.c (t_libzcopy.c). */
void libzcopy_register(struct registry *r);
/* ZCOPY_IOC_SUBMIT, completions, cancel, release records (t_async.c). */
void async_register(struct registry *r);

/* The world group's filesystems that are mounted: prepare their work
 * directories (before the tests), and clean them (after). */
int world_setup(struct tctx *t);
void world_cleanup(void);

/* Descriptors a call must refuse (t_parity.c).  K_GOOD is the caller's
 * valid one; the file kinds open an empty scratch file on tmpfs. */
enum fd_kind {
	K_GOOD, K_MINUS1, K_CLOSED, K_RDONLY, K_WRONLY, K_OPATH, K_DIR, K_PIPE,
};
/* The descriptor, or INT_MIN after fail() (-1 is a kind of its own). */
int fd_of_kind(struct tctx *t, enum fd_kind kind, int good);

#endif /* ZCT_H */
