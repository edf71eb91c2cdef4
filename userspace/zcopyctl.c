// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: load and unload the zcopy module, query it, send file ranges
 * through it, receive them on the other end for checking, and show its
 * counters.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libkmod.h>

#include "bench.h"
#include "libzcopy.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* Returned by the parse_*() helpers when the command should go on. */
#define CONTINUE	(-1)

#define MODULE_NAME	"zcopy"
#define IO_BUF_SIZE	65536
#define DEFAULT_PORT	9000

#define FNV1A64_BASIS	0xcbf29ce484222325ULL
#define FNV1A64_PRIME	0x100000001b3ULL

static const char *const feature_names[] = { "splice_pages", "sendpage", "io_accounting" };
static const char *const route_names[] = { "sg", "csum", "known" };
static const char *const counter_names[] = {
	"transfers", "bytes", "zc_bytes", "copied_bytes", "cache_hit_pages",
	"cache_miss_pages", "storage_read_bytes", "errors",
};

#define N_COUNTERS	ARRAY_SIZE(counter_names)

struct args;

struct command {
	const char *name;
	const char *summary;
	const char *usage;
	int (*run)(const struct command *self, struct args *a);
};

static const char exit_status_help[] =
	"\nExit status: 0 success, 1 runtime failure, 2 usage error (unknown\n"
	"command or option, bad number or address).\n";

static void print_help(const struct command *c, FILE *f)
{
	fputs(c->usage, f);
	fputs(exit_status_help, f);
}

/* ---- messages ---------------------------------------------------------- */

static void vreport(const char *prefix, const char *fmt, va_list ap,
		    const char *suffix)
{
	fprintf(stderr, "zcopyctl: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "%s\n", suffix);
}

/* "zcopyctl: <what>: <strerror(err)>"; returns the runtime failure status. */
__attribute__((format(printf, 2, 3)))
static int fail_errno(int err, const char *fmt, ...)
{
	char suffix[128];
	va_list ap;

	snprintf(suffix, sizeof(suffix), ": %s", strerror(err));
	va_start(ap, fmt);
	vreport("", fmt, ap, suffix);
	va_end(ap);
	return EXIT_RUNTIME;
}

#define fail(...)	fail_errno(errno, __VA_ARGS__)

__attribute__((format(printf, 2, 3)))
static int usage_error(const struct command *c, const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s: ", c->name);
	va_start(ap, fmt);
	vreport(prefix, fmt, ap, "");
	va_end(ap);
	fprintf(stderr, "Try 'zcopyctl %s --help'.\n", c->name);
	return EXIT_USAGE;
}

/* ---- command line ------------------------------------------------------ */

struct opt {
	const char *name;
	bool has_arg;
	int id;
};

enum {
	ARG_STOP = -1,	/* parsing ended: exit with args.status */
	ARG_END = 0,	/* all arguments seen */
	OPT_PATH,
	OPT_METHOD,
	OPT_OFFSET,
	OPT_LEN,
	OPT_QUIET,
	OPT_JSON,
	OPT_PORT,
	OPT_BIND,
	OPT_COUNT,
	OPT_READY_FILE,
	OPT_HEADER,
	OPT_TRAILER,
	OPT_BENCH,	/* OPT_BENCH + enum bench_opt */
};

struct args {
	const struct command *cmd;
	int argc;
	char **argv;		/* positional arguments get gathered at the front */
	int next;		/* index of the next argument to look at */
	int npos;		/* positional arguments gathered so far */
	bool options_done;	/* seen "--" */
	const struct opt *opt;	/* the option next_arg() last returned */
	int status;		/* exit status when next_arg() returned ARG_STOP */
};

static const struct opt no_opts[] = { { 0 } };

static int stop(struct args *a, int status)
{
	a->status = status;
	return ARG_STOP;
}

static const struct opt *find_opt(const struct opt *opts, const char *s, size_t len)
{
	for (; opts->name; opts++)
		if (strlen(opts->name) == len && !strncmp(opts->name, s, len))
			return opts;
	return NULL;
}

/*
 * Options may come anywhere among the positional arguments, as "--opt value"
 * or "--opt=value"; "--help" and "-h" work everywhere.  Returns the next
 * option's id (with *val set when it takes one), ARG_END, or ARG_STOP once
 * help was shown or a usage error reported.
 */
static int next_arg(struct args *a, const struct opt *opts, const char **val)
{
	while (a->next < a->argc) {
		char *s = a->argv[a->next++];

		if (a->options_done || s[0] != '-' || !s[1]) {
			a->argv[a->npos++] = s;
			continue;
		}
		if (!strcmp(s, "--")) {
			a->options_done = true;
			continue;
		}
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			print_help(a->cmd, stdout);
			return stop(a, EXIT_OK);
		}

		const char *eq = strchr(s, '=');
		const struct opt *o = find_opt(opts, s, eq ? (size_t)(eq - s) : strlen(s));

		if (!o)
			return stop(a, usage_error(a->cmd, "unknown option '%s'", s));
		if (!o->has_arg && eq)
			return stop(a, usage_error(a->cmd, "%s takes no value", o->name));
		if (o->has_arg && !eq && a->next == a->argc)
			return stop(a, usage_error(a->cmd, "%s needs a value", o->name));
		if (o->has_arg)
			*val = eq ? eq + 1 : a->argv[a->next++];
		a->opt = o;
		return o->id;
	}
	return ARG_END;
}

/* Stores one option's value into a command's settings; false if it is bad. */
typedef bool apply_opt_fn(void *settings, int id, const char *val);

/*
 * The whole command line of a command: every option goes through apply, and
 * exactly want_pos positional arguments must remain (any number if < 0).
 * Returns CONTINUE, or the exit status when the command should stop here.
 */
static int parse_args(struct args *a, const struct opt *opts,
		      apply_opt_fn *apply, void *settings, int want_pos)
{
	const char *v = NULL;
	int id;

	while ((id = next_arg(a, opts, &v)) > 0)
		if (!apply(settings, id, v))
			return usage_error(a->cmd, "bad value '%s' for %s", v,
					   a->opt->name);
	if (id == ARG_STOP)
		return a->status;
	if (want_pos >= 0 && a->npos > want_pos)
		return usage_error(a->cmd, "unexpected argument '%s'",
				   a->argv[want_pos]);
	if (want_pos >= 0 && a->npos < want_pos)
		return usage_error(a->cmd, "missing argument (%d wanted, %d given)",
				   want_pos, a->npos);
	return CONTINUE;
}

/* For commands without options or arguments. */
static int parse_plain(struct args *a)
{
	return parse_args(a, no_opts, NULL, NULL, 0);
}

/* Plain decimal: no sign, no blanks, no base prefix, at most max. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_method(const char *s, unsigned int *method)
{
	int m = zcopy_method_from_name(s);

	if (m < 0)
		return false;
	*method = m;
	return true;
}

/* ---- output ------------------------------------------------------------ */

/* A name-value list printed either aligned ("name  value") or as JSON. */
struct field {
	const char *key;
	bool quote;		/* a string in JSON */
	char val[64];
};

struct fields {
	size_t n;
	struct field f[16];
};

__attribute__((format(printf, 4, 5)))
static void add_field(struct fields *fs, const char *key, bool quote,
		      const char *fmt, ...)
{
	va_list ap;

	if (fs->n == ARRAY_SIZE(fs->f))
		abort();	/* a table below outgrew the array */
	struct field *f = &fs->f[fs->n++];
	f->key = key;
	f->quote = quote;
	va_start(ap, fmt);
	vsnprintf(f->val, sizeof(f->val), fmt, ap);
	va_end(ap);
}

static void print_fields_text(const struct fields *fs)
{
	int width = 0;

	for (size_t i = 0; i < fs->n; i++)
		if ((int)strlen(fs->f[i].key) > width)
			width = strlen(fs->f[i].key);
	for (size_t i = 0; i < fs->n; i++)
		printf("%-*s  %s\n", width, fs->f[i].key, fs->f[i].val);
}

/* Keys and values are ours or kernel names: nothing needs escaping. */
static void print_fields_json(const struct fields *fs)
{
	putchar('{');
	for (size_t i = 0; i < fs->n; i++) {
		const char *q = fs->f[i].quote ? "\"" : "";

		printf("%s\"%s\":%s%s%s", i ? "," : "", fs->f[i].key, q,
		       fs->f[i].val, q);
	}
	putchar('}');
}

/* "a,b" for the set bits that have names, "bitN" for the others, or "none". */
static void format_flags(char *buf, size_t size, uint64_t bits,
			 const char *const *names, size_t n_names)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < 64 && len < size; i++) {
		char unknown[8];
		const char *name = i < n_names ? names[i] : unknown;

		if (!(bits >> i & 1))
			continue;
		snprintf(unknown, sizeof(unknown), "bit%u", i);
		len += snprintf(buf + len, size - len, "%s%s", len ? "," : "", name);
	}
	if (!len)
		snprintf(buf, size, "none");
}

static uint64_t fnv1a64(uint64_t hash, const unsigned char *p, size_t n)
{
	while (n--)
		hash = (hash ^ *p++) * FNV1A64_PRIME;
	return hash;
}

/* ---- sockets ----------------------------------------------------------- */

struct endpoint {
	struct sockaddr_storage addr;
	socklen_t len;
};

static bool resolve(const char *host, uint64_t port, int flags, struct endpoint *ep)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | flags,
		.ai_socktype = SOCK_STREAM,
		.ai_protocol = IPPROTO_TCP,
	};
	struct addrinfo *ai;
	char service[8];

	snprintf(service, sizeof(service), "%" PRIu64, port);
	if (getaddrinfo(host, service, &hints, &ai))
		return false;
	memcpy(&ep->addr, ai->ai_addr, ai->ai_addrlen);
	ep->len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return true;
}

/*
 * host is "1.2.3.4" or "[::1]"; port follows after a colon when with_port.
 * An unbracketed IPv6 address is refused only where a port must follow,
 * since there its last group could not be told from the port.
 */
static bool parse_endpoint(const char *s, bool with_port, uint64_t port,
			   int flags, struct endpoint *ep)
{
	const char *end = s + strlen(s);
	char host[128];

	if (*s == '[') {
		s++;
		end = strchr(s, ']');
		if (!end || end[1] != (with_port ? ':' : '\0'))
			return false;
	} else if (with_port) {
		end = strchr(s, ':');
		if (!end || strchr(end + 1, ':'))
			return false;
	}
	if (with_port && !parse_u64(end + (*end == ']') + 1, 65535, &port))
		return false;
	if ((size_t)(end - s) >= sizeof(host))
		return false;
	memcpy(host, s, end - s);
	host[end - s] = '\0';
	return resolve(host, port, flags, ep);
}

static void close_keep_errno(int fd)
{
	int err = errno;

	close(fd);
	errno = err;
}

static int connect_to(const struct endpoint *ep)
{
	int fd = socket(ep->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);

	if (fd >= 0 && connect(fd, (const struct sockaddr *)&ep->addr, ep->len)) {
		close_keep_errno(fd);
		return -1;
	}
	return fd;
}

static int listen_on(const struct endpoint *ep)
{
	int fd = socket(ep->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	int one = 1;

	if (fd < 0)
		return -1;
	/* A test harness restarts receivers on the same port at once. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)&ep->addr, ep->len) ||
	    listen(fd, SOMAXCONN)) {
		close_keep_errno(fd);
		return -1;
	}
	return fd;
}

/* ---- load, unload ------------------------------------------------------ */

static const char load_usage[] =
	"Usage: zcopyctl load [--path FILE.ko] [PARAM=VALUE...]\n"
	"\n"
	"Insert the zcopy module with the given module parameters.  Without\n"
	"--path, look \"zcopy\" up in modules.dep of the running kernel and\n"
	"insert it with its dependencies, as modprobe does; with --path, insert\n"
	"that file as it is, as insmod does.  A module already loaded is success\n"
	"(\"zcopy: already loaded\" on stderr).  Prints nothing on success.\n"
	"\n"
	"Options:\n"
	"  --path FILE.ko  insert this module file\n"
	"  -h, --help      show this help\n";

static const char unload_usage[] =
	"Usage: zcopyctl unload\n"
	"\n"
	"Remove the zcopy module.  Fails while /dev/zcopy is open anywhere\n"
	"(\"Device or resource busy\") and when the module is not loaded.\n";

static int already_loaded(void)
{
	fputs(MODULE_NAME ": already loaded\n", stderr);
	return EXIT_OK;
}

/* Loaded, coming, going or built in: inserting it could only fail. */
static bool is_loaded(const struct kmod_module *mod)
{
	return kmod_module_get_initstate(mod) >= 0;
}

static int insert_status(int err, const char *what)
{
	if (err == -EEXIST)
		return already_loaded();
	if (err < 0)
		return fail_errno(-err, "insert %s", what);
	return EXIT_OK;
}

static int load_path(struct kmod_ctx *ctx, const char *path, const char *params)
{
	struct kmod_module *mod;
	int err = kmod_module_new_from_path(ctx, path, &mod);

	if (err < 0)
		return fail_errno(-err, "%s", path);
	err = is_loaded(mod) ? -EEXIST : kmod_module_insert_module(mod, 0, params);
	kmod_module_unref(mod);
	return insert_status(err, path);
}

/* Not in modules.dep: fine if it was inserted from a path before. */
static int load_unlisted(struct kmod_ctx *ctx)
{
	struct kmod_module *mod;
	int err = kmod_module_new_from_name(ctx, MODULE_NAME, &mod);

	if (err < 0)
		return fail_errno(-err, "%s", MODULE_NAME);
	bool loaded = is_loaded(mod);
	kmod_module_unref(mod);
	if (loaded)
		return already_loaded();
	return fail_errno(ENOENT, "%s in %s/modules.dep (try --path)",
			  MODULE_NAME, kmod_get_dirname(ctx));
}

static int load_lookup(struct kmod_ctx *ctx, const char *params)
{
	struct kmod_list *list = NULL;
	int err = kmod_module_new_from_lookup(ctx, MODULE_NAME, &list);

	if (err < 0)
		return fail_errno(-err, "look up %s", MODULE_NAME);
	if (!list)
		return load_unlisted(ctx);

	struct kmod_module *mod = kmod_module_get_module(list);
	kmod_module_unref_list(list);
	err = is_loaded(mod) ? -EEXIST :
		kmod_module_probe_insert_module(mod, KMOD_PROBE_FAIL_ON_LOADED,
						params, NULL, NULL, NULL);
	kmod_module_unref(mod);
	return insert_status(err, MODULE_NAME);
}

/* The module parameters as the one string the kernel parses. */
static char *join_params(char *const *params, int n)
{
	size_t size = 1;

	for (int i = 0; i < n; i++)
		size += strlen(params[i]) + 1;
	char *s = malloc(size);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, params[i]);
	}
	return s;
}

static struct kmod_ctx *kmod_open(void)
{
	/* kmod_new() fails only for want of memory or a readable uname. */
	errno = ENOMEM;
	return kmod_new(NULL, NULL);
}

static bool load_opt(void *settings, int id, const char *v)
{
	const char **path = settings;

	(void)id;	/* --path is the only option */
	*path = v;
	return true;
}

static int cmd_load(const struct command *self, struct args *a)
{
	static const struct opt opts[] = { { "--path", true, OPT_PATH }, { 0 } };
	const char *path = NULL;
	int rc = parse_args(a, opts, load_opt, &path, -1);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	char *params = join_params(a->argv, a->npos);
	if (!params)
		return fail("module parameters");
	struct kmod_ctx *ctx = kmod_open();
	if (!ctx)
		rc = fail("libkmod");
	else if (path)
		rc = load_path(ctx, path, params);
	else
		rc = load_lookup(ctx, params);
	kmod_unref(ctx);
	free(params);
	return rc;
}

static int unload_module(struct kmod_ctx *ctx)
{
	struct kmod_module *mod;
	int err = kmod_module_new_from_name(ctx, MODULE_NAME, &mod);

	if (err < 0)
		return fail_errno(-err, "%s", MODULE_NAME);
	int state = kmod_module_get_initstate(mod);
	if (state >= 0 && state != KMOD_MODULE_BUILTIN)
		err = kmod_module_remove_module(mod, KMOD_REMOVE_NOLOG);
	kmod_module_unref(mod);

	if (state < 0) {
		fputs("zcopyctl: " MODULE_NAME " is not loaded\n", stderr);
		return EXIT_RUNTIME;
	}
	if (state == KMOD_MODULE_BUILTIN)
		err = -EPERM;
	/*
	 * libkmod always passes O_NONBLOCK, with which the kernel answers
	 * EWOULDBLOCK for a module still in use (an open /dev/zcopy): report
	 * it as what it means.
	 */
	if (err == -EWOULDBLOCK)
		err = -EBUSY;
	return err < 0 ? fail_errno(-err, "unload %s", MODULE_NAME) : EXIT_OK;
}

static int cmd_unload(const struct command *self, struct args *a)
{
	int rc = parse_plain(a);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	struct kmod_ctx *ctx = kmod_open();
	if (!ctx)
		return fail("libkmod");
	rc = unload_module(ctx);
	kmod_unref(ctx);
	return rc;
}

/* ---- info -------------------------------------------------------------- */

static const char info_usage[] =
	"Usage: zcopyctl info\n"
	"\n"
	"Show what the loaded module supports: its API version, the transfer\n"
	"methods it implements, the most bytes one transfer moves (max_len) and\n"
	"the kernel features it uses.\n";

static void print_info(const struct zcopy_info *info)
{
	const char *method_names[ZCOPY_METHOD_COUNT];
	char methods[128], features[128];
	struct fields fs = { 0 };

	for (unsigned int m = 0; m < ZCOPY_METHOD_COUNT; m++)
		method_names[m] = zcopy_method_name(m);
	format_flags(methods, sizeof(methods), info->methods, method_names,
		     ZCOPY_METHOD_COUNT);
	format_flags(features, sizeof(features), info->features, feature_names,
		     ARRAY_SIZE(feature_names));
	add_field(&fs, "api_version", false, "%u", info->api_version);
	add_field(&fs, "methods", true, "%s", methods);
	add_field(&fs, "max_len", false, "%llu", info->max_len);
	add_field(&fs, "features", true, "%s", features);
	print_fields_text(&fs);
}

static int cmd_info(const struct command *self, struct args *a)
{
	struct zcopy_info info;
	int rc = parse_plain(a);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	int dev = zcopy_open();
	if (dev < 0)
		return fail("%s", ZCOPY_DEV_PATH);
	rc = zcopy_info(dev, &info);
	close_keep_errno(dev);
	if (rc)
		return fail("%s: ZCOPY_IOC_INFO", ZCOPY_DEV_PATH);
	print_info(&info);
	return EXIT_OK;
}

/* ---- send -------------------------------------------------------------- */

static const char send_usage[] =
	"Usage: zcopyctl send FILE... HOST:PORT [OPTIONS]\n"
	"\n"
	"Connect to HOST:PORT over TCP (numeric: 127.0.0.1:9000, [::1]:9000) and\n"
	"send a range of FILE to it through /dev/zcopy.  Prints the transfer's\n"
	"statistics, aligned, then a last line \"fnv1a64 HASH\": the FNV-1a\n"
	"64-bit hash (16 hex digits) of the bytes sent, as \"zcopyctl recv\"\n"
	"prints it for the bytes received.\n"
	"\n"
	"With several FILEs, --header or --trailer, the stream is the header's\n"
	"bytes (read into memory), each FILE whole, then the trailer's bytes,\n"
	"sent as segments of ZCOPY_IOC_SENDV (up to 1024 segments and 1 MiB of\n"
	"header and trailer per call); the statistics add \"segments\" and\n"
	"\"calls\", and the hash covers the whole stream.\n"
	"\n"
	"Options:\n"
	"  --method M       auto (default), copy, mmap, splice, pages or direct\n"
	"  --offset N       start at byte N of FILE (default 0; one FILE only)\n"
	"  --len N          send at most N bytes of FILE (default 0: up to EOF;\n"
	"                   one FILE only)\n"
	"  --header HFILE   send the contents of HFILE first\n"
	"  --trailer TFILE  send the contents of TFILE last\n"
	"  --quiet          print only the number of bytes sent\n"
	"  --json           print the statistics and the hash as one JSON object\n"
	"  -h, --help       show this help\n";

struct send_args {
	const char *file;
	char **files;		/* all the FILEs; file is the first */
	int n_files;
	const char *header;	/* NULL: none */
	const char *trailer;
	const char *dest;
	struct endpoint ep;
	unsigned int method;
	uint64_t offset;
	uint64_t len;
	bool quiet;
	bool json;
};

struct send_result {
	struct zcopy_stats stats;
	uint64_t sent;
	uint64_t hash;
	bool vector;		/* sent with ZCOPY_IOC_SENDV */
	uint64_t segments;	/* ...as this many segments */
	uint64_t calls;		/* ...in this many calls */
};

static bool send_opt(void *settings, int id, const char *v)
{
	struct send_args *o = settings;

	switch (id) {
	case OPT_METHOD:
		return parse_method(v, &o->method);
	case OPT_OFFSET:
		return parse_u64(v, LLONG_MAX, &o->offset);
	case OPT_LEN:
		return parse_u64(v, LLONG_MAX, &o->len);
	case OPT_QUIET:
		o->quiet = true;
		return true;
	case OPT_HEADER:
		o->header = v;
		return true;
	case OPT_TRAILER:
		o->trailer = v;
		return true;
	default:
		o->json = true;
		return true;
	}
}

static int parse_send(struct args *a, struct send_args *o)
{
	static const struct opt opts[] = {
		{ "--method", true, OPT_METHOD },
		{ "--offset", true, OPT_OFFSET },
		{ "--len", true, OPT_LEN },
		{ "--quiet", false, OPT_QUIET },
		{ "--json", false, OPT_JSON },
		{ "--header", true, OPT_HEADER },
		{ "--trailer", true, OPT_TRAILER },
		{ 0 }
	};
	int rc = parse_args(a, opts, send_opt, o, -1);

	if (rc != CONTINUE)
		return rc;
	if (a->npos < 2)
		return usage_error(a->cmd, "missing argument (FILE... HOST:PORT wanted, %d given)",
				   a->npos);
	o->files = a->argv;
	o->n_files = a->npos - 1;
	o->file = a->argv[0];
	o->dest = a->argv[a->npos - 1];
	if (o->n_files > 1 && (o->offset || o->len))
		return usage_error(a->cmd, "--offset and --len need a single FILE");
	if (o->quiet && o->json)
		return usage_error(a->cmd, "--quiet and --json exclude each other");
	if (!parse_endpoint(o->dest, true, 0, 0, &o->ep))
		return usage_error(a->cmd, "bad address '%s' (want IPv4:PORT or [IPv6]:PORT)",
				   o->dest);
	return CONTINUE;
}

/* The hash of what left, read back from the file, for the receiver to match. */
static int hash_range(int fd, uint64_t off, uint64_t len, uint64_t *hash)
{
	unsigned char buf[IO_BUF_SIZE];

	*hash = FNV1A64_BASIS;
	while (len) {
		ssize_t n = pread(fd, buf, len < sizeof(buf) ? len : sizeof(buf), off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n) {
			errno = ENODATA;	/* the file shrank since the send */
			return -1;
		}
		*hash = fnv1a64(*hash, buf, n);
		off += n;
		len -= n;
	}
	return 0;
}

static int transfer(const struct send_args *o, int dev, int file, int sock,
		    struct send_result *r)
{
	struct zcopy_send req = {
		.in_fd = file,
		.out_fd = sock,
		.method = o->method,
		.offset = o->offset,
		.len = o->len,
	};
	struct stat st;

	/*
	 * "To EOF" is known from the file's size: asking for exactly that
	 * saves the extra call that would only find EOF (and count as a
	 * transfer of 0 bytes).
	 */
	if (!req.len && !fstat(file, &st) && (uint64_t)st.st_size > o->offset)
		req.len = st.st_size - o->offset;

	if (zcopy_send_all(dev, &req, &r->stats, &r->sent)) {
		if (r->sent)
			return fail("send %s to %s (after %" PRIu64 " bytes)",
				    o->file, o->dest, r->sent);
		return fail("send %s to %s", o->file, o->dest);
	}
	if (!o->quiet && hash_range(file, o->offset, r->sent, &r->hash))
		return fail("read back %s", o->file);
	return EXIT_OK;
}

/* ---- send: header, files and trailer in ZCOPY_IOC_SENDV calls ---------- */

/* File segments longer than this are split, to stay below zcopy_info.max_len. */
#define SEG_FILE_CHUNK	(1ULL << 30)

struct stream {
	struct zcopy_segment *seg;	/* the whole stream, in order */
	size_t n, cap;
	unsigned char *mem[2];		/* header, trailer */
	int *fds;			/* one per FILE, -1 when not open */
};

static int stream_add(struct stream *st, uint32_t type, int fd, uint64_t off,
		      const void *addr, uint64_t len)
{
	/* Memory segments of one call hold ZCOPY_SENDV_MAX_MEMORY at most. */
	uint64_t chunk = type == ZCOPY_SEG_MEMORY ? ZCOPY_SENDV_MAX_MEMORY : SEG_FILE_CHUNK;

	while (len) {
		uint64_t n = len < chunk ? len : chunk;

		if (st->n == st->cap) {
			size_t cap = st->cap ? 2 * st->cap : 64;
			void *p = realloc(st->seg, cap * sizeof(*st->seg));

			if (!p)
				return -1;
			st->seg = p;
			st->cap = cap;
		}
		st->seg[st->n++] = (struct zcopy_segment){
			.type = type,
			.fd = type == ZCOPY_SEG_FILE ? fd : 0,
			.offset = type == ZCOPY_SEG_FILE ? off : 0,
			.addr = type == ZCOPY_SEG_MEMORY ? (uintptr_t)addr : 0,
			.len = n,
		};
		off += n;
		addr = (const unsigned char *)addr + (type == ZCOPY_SEG_MEMORY ? n : 0);
		len -= n;
	}
	return 0;
}

/* A header or trailer file read whole into memory; 0, or -1 with errno. */
static int read_whole(const char *path, unsigned char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 0;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return -1;
	for (;;) {
		if (*len == cap) {
			unsigned char *p = cap > SIZE_MAX / 2 ? NULL :
				realloc(*buf, cap ? 2 * cap : 4096);

			if (!p) {
				errno = ENOMEM;
				break;
			}
			*buf = p;
			cap = cap ? 2 * cap : 4096;
		}
		ssize_t n = read(fd, *buf + *len, cap - *len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (!n) {
			close(fd);
			return 0;
		}
		*len += n;
	}
	close_keep_errno(fd);
	return -1;
}

/*
 * Header, FILEs and trailer as segments; all files are opened before the
 * connection is made.  An empty piece adds no segment.
 */
static int build_stream(const struct send_args *o, struct stream *st)
{
	const char *mem_path[2] = { o->header, o->trailer };
	size_t mem_len[2] = { 0, 0 };
	struct rlimit rl;
	struct stat sb;

	/* Every FILE stays open until the stream is sent: allow that many. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < (rlim_t)o->n_files + 16 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	for (int i = 0; i < 2; i++)
		if (mem_path[i] && read_whole(mem_path[i], &st->mem[i], &mem_len[i]))
			return fail("%s", mem_path[i]);
	st->fds = malloc(o->n_files * sizeof(*st->fds));
	if (!st->fds)
		return fail("memory");
	for (int i = 0; i < o->n_files; i++)
		st->fds[i] = -1;
	if (stream_add(st, ZCOPY_SEG_MEMORY, 0, 0, st->mem[0], mem_len[0]))
		return fail("memory");
	for (int i = 0; i < o->n_files; i++) {
		const char *path = o->files[i];
		uint64_t off = o->offset, len;

		st->fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (st->fds[i] < 0 || fstat(st->fds[i], &sb))
			return fail("%s", path);
		/* What ZCOPY_IOC_SEND would clamp to: the end of the file. */
		len = (uint64_t)sb.st_size > off ? sb.st_size - off : 0;
		if (o->len && o->len < len)
			len = o->len;
		if (stream_add(st, ZCOPY_SEG_FILE, st->fds[i], off, NULL, len))
			return fail("memory");
	}
	if (stream_add(st, ZCOPY_SEG_MEMORY, 0, 0, st->mem[1], mem_len[1]))
		return fail("memory");
	return EXIT_OK;
}

static void free_stream(const struct send_args *o, struct stream *st)
{
	for (int i = 0; st->fds && i < o->n_files; i++)
		if (st->fds[i] >= 0)
			close(st->fds[i]);
	free(st->fds);
	free(st->mem[0]);
	free(st->mem[1]);
	free(st->seg);
}

/* As zcopy_send_all() sums its calls. */
static void add_stats(struct zcopy_stats *total, const struct zcopy_stats *s,
		      bool moved, bool first)
{
	total->zc_bytes += s->zc_bytes;
	total->copied_bytes += s->copied_bytes;
	total->cache_hit_pages += s->cache_hit_pages;
	total->cache_miss_pages += s->cache_miss_pages;
	total->storage_read_bytes += s->storage_read_bytes;
	total->elapsed_ns += s->elapsed_ns;
	if (moved || first) {
		total->route = s->route;
		total->ifindex = s->ifindex;
		total->method = s->method;
	}
}

/* The hash of the stream: memory as it is, files read back. */
static int hash_stream(const struct zcopy_segment *seg, size_t n, uint64_t *hash)
{
	uint64_t h = FNV1A64_BASIS;

	for (size_t i = 0; i < n; i++) {
		if (seg[i].type == ZCOPY_SEG_MEMORY) {
			h = fnv1a64(h, (const unsigned char *)(uintptr_t)seg[i].addr, seg[i].len);
			continue;
		}
		/* hash_range() starts from the basis: feed it ours instead. */
		unsigned char buf[IO_BUF_SIZE];
		uint64_t off = seg[i].offset, len = seg[i].len;

		while (len) {
			ssize_t r = pread(seg[i].fd, buf, len < sizeof(buf) ? len : sizeof(buf), off);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return -1;
			if (!r) {
				errno = ENODATA;
				return -1;
			}
			h = fnv1a64(h, buf, r);
			off += r;
			len -= r;
		}
	}
	*hash = h;
	return 0;
}

/*
 * The stream in as few ZCOPY_IOC_SENDV calls as its size allows: a batch is
 * as many segments as one call takes.  A call that stops part-way (signal,
 * send timeout) is resumed at seg_index, seg_sent bytes in.
 */
static int transfer_vector(const struct send_args *o, int dev, int sock,
			   struct stream *st, struct send_result *r)
{
	struct zcopy_segment *orig = malloc(st->n * sizeof(*orig) + 1);

	if (!orig)
		return fail("memory");
	memcpy(orig, st->seg, st->n * sizeof(*orig));
	r->vector = true;
	r->segments = st->n;
	for (size_t i = 0; i < st->n;) {
		struct zcopy_segment *seg = &st->seg[i];
		uint64_t mem = 0;
		uint32_t count = 0;

		while (i + count < st->n && count < ZCOPY_SENDV_MAX_SEGS) {
			if (seg[count].type == ZCOPY_SEG_MEMORY) {
				if (mem + seg[count].len > ZCOPY_SENDV_MAX_MEMORY)
					break;
				mem += seg[count].len;
			}
			count++;
		}

		struct zcopy_sendv req = {
			.out_fd = sock,
			.method = o->method,
			.segs = (uintptr_t)seg,
			.count = count,
		};
		int rc = zcopy_sendv(dev, &req);

		if (rc) {
			int err = errno;

			free(orig);
			errno = err;
			if (r->sent)
				return fail("send to %s (after %" PRIu64 " bytes)", o->dest, r->sent);
			return fail("send to %s", o->dest);
		}
		r->calls++;
		add_stats(&r->stats, &req.stats, req.sent > 0, r->calls == 1);
		r->sent += req.sent;

		/* What the call should have sent, had no file ended early. */
		uint32_t done = req.seg_index < count ? req.seg_index : count;
		uint64_t want = done < count ? req.seg_sent : 0;

		for (uint32_t k = 0; k < done; k++)
			want += seg[k].len;
		if (req.sent != want) {
			free(orig);
			return fail_errno(ENODATA, "send to %s: a file ended early "
					  "(sent %llu bytes where %" PRIu64 " were due)",
					  o->dest, req.sent, want);
		}
		if (done == count) {
			i += count;
			continue;
		}
		if (!req.sent) {
			free(orig);
			return fail_errno(EIO, "send to %s: a call stopped without progress",
					  o->dest);
		}
		/* Resume: the vector from the segment not fully sent on. */
		seg[done].len -= req.seg_sent;
		if (seg[done].type == ZCOPY_SEG_MEMORY)
			seg[done].addr += req.seg_sent;
		else
			seg[done].offset += req.seg_sent;
		i += done;
	}
	int rc = EXIT_OK;

	if (!o->quiet && hash_stream(orig, st->n, &r->hash))
		rc = fail("read back the files");
	free(orig);
	return rc;
}

static void send_fields(struct fields *fs, const struct send_result *r)
{
	const struct zcopy_stats *s = &r->stats;
	double secs = s->elapsed_ns / 1e9;
	char route[64];

	format_flags(route, sizeof(route), s->route, route_names,
		     ARRAY_SIZE(route_names));
	add_field(fs, "method", true, "%s", zcopy_method_name(s->method));
	add_field(fs, "sent", false, "%" PRIu64, r->sent);
	add_field(fs, "zc_bytes", false, "%llu", s->zc_bytes);
	add_field(fs, "copied_bytes", false, "%llu", s->copied_bytes);
	add_field(fs, "copies_per_byte", false, "%.2f",
		  r->sent ? (double)s->copied_bytes / r->sent : 0.0);
	add_field(fs, "cache_hit_pages", false, "%llu", s->cache_hit_pages);
	add_field(fs, "cache_miss_pages", false, "%llu", s->cache_miss_pages);
	add_field(fs, "storage_read_bytes", false, "%llu", s->storage_read_bytes);
	add_field(fs, "elapsed_us", false, "%.3f", s->elapsed_ns / 1e3);
	add_field(fs, "throughput_mib_s", false, "%.2f",
		  secs > 0 ? r->sent / secs / (1 << 20) : 0.0);
	add_field(fs, "route", true, "%s", route);
	add_field(fs, "ifindex", false, "%u", s->ifindex);
	if (r->vector) {
		add_field(fs, "segments", false, "%" PRIu64, r->segments);
		add_field(fs, "calls", false, "%" PRIu64, r->calls);
	}
}

static void print_send(const struct send_args *o, const struct send_result *r)
{
	struct fields fs = { 0 };

	if (o->quiet) {
		printf("%" PRIu64 "\n", r->sent);
		return;
	}
	send_fields(&fs, r);
	if (o->json) {
		add_field(&fs, "fnv1a64", true, "%016" PRIx64, r->hash);
		print_fields_json(&fs);
		putchar('\n');
		return;
	}
	print_fields_text(&fs);
	/* Outside the aligned block, so that it reads "fnv1a64 HASH" exactly. */
	printf("fnv1a64 %016" PRIx64 "\n", r->hash);
}

static int cmd_send_vector(const struct send_args *o, int dev)
{
	struct stream st = { 0 };
	struct send_result r = { 0 };
	int sock = -1;
	int rc = build_stream(o, &st);

	if (rc == EXIT_OK && (sock = connect_to(&o->ep)) < 0)
		rc = fail("connect to %s", o->dest);
	if (rc == EXIT_OK)
		rc = transfer_vector(o, dev, sock, &st, &r);
	if (rc == EXIT_OK)
		print_send(o, &r);
	if (sock >= 0)
		close(sock);
	free_stream(o, &st);
	return rc;
}

static int cmd_send(const struct command *self, struct args *a)
{
	struct send_args o = { .method = ZCOPY_METHOD_AUTO };
	struct send_result r = { 0 };
	int rc = parse_send(a, &o);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	/* A reset connection must come back as EPIPE, not kill us. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return fail("ignore SIGPIPE");

	/* Device and file first: a failure then leaves no stray connection. */
	int dev = zcopy_open();
	if (dev < 0)
		return fail("%s", ZCOPY_DEV_PATH);
	if (o.n_files > 1 || o.header || o.trailer) {
		rc = cmd_send_vector(&o, dev);
		close(dev);
		return rc;
	}
	int file = open(o.file, O_RDONLY | O_CLOEXEC);
	int sock = file < 0 ? -1 : connect_to(&o.ep);
	if (file < 0)
		rc = fail("%s", o.file);
	else if (sock < 0)
		rc = fail("connect to %s", o.dest);
	else
		rc = transfer(&o, dev, file, sock, &r);
	if (rc == EXIT_OK)
		print_send(&o, &r);
	if (sock >= 0)
		close(sock);
	if (file >= 0)
		close(file);
	close(dev);
	return rc;
}

/* ---- recv -------------------------------------------------------------- */

static const char recv_usage[] =
	"Usage: zcopyctl recv [OPTIONS]\n"
	"\n"
	"Listen on TCP, accept connections one after another, read each to EOF\n"
	"and print for each a line \"received BYTES fnv1a64 HASH\" (HASH: 16 hex\n"
	"digits of FNV-1a 64), to check what \"zcopyctl send\" sent.\n"
	"\n"
	"Options:\n"
	"  --bind ADDR       numeric IPv4 or IPv6 address (default 127.0.0.1)\n"
	"  --port P          TCP port (default 9000)\n"
	"  --count N         connections to accept (default 1)\n"
	"  --ready-file F    write \"ready\" into F once listening\n"
	"  -h, --help        show this help\n";

struct recv_args {
	const char *bind;
	uint64_t port;
	uint64_t count;
	const char *ready_file;
	struct endpoint ep;
};

static bool recv_opt(void *settings, int id, const char *v)
{
	struct recv_args *o = settings;

	switch (id) {
	case OPT_BIND:
		o->bind = v;
		return true;
	case OPT_PORT:
		return parse_u64(v, 65535, &o->port);
	case OPT_COUNT:
		return parse_u64(v, UINT64_MAX, &o->count);
	default:
		o->ready_file = v;
		return true;
	}
}

static int parse_recv(struct args *a, struct recv_args *o)
{
	static const struct opt opts[] = {
		{ "--bind", true, OPT_BIND },
		{ "--port", true, OPT_PORT },
		{ "--count", true, OPT_COUNT },
		{ "--ready-file", true, OPT_READY_FILE },
		{ 0 }
	};
	int rc = parse_args(a, opts, recv_opt, o, 0);

	if (rc != CONTINUE)
		return rc;
	if (!parse_endpoint(o->bind, false, o->port, AI_PASSIVE, &o->ep))
		return usage_error(a->cmd, "bad address '%s'", o->bind);
	return CONTINUE;
}

/*
 * Written in place rather than renamed into place, so that F may also be a
 * FIFO or /dev/fd/N the caller waits on.
 */
static int write_ready(const char *path)
{
	static const char msg[] = "ready\n";
	const ssize_t len = sizeof(msg) - 1;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	ssize_t n = write(fd, msg, len);
	if (n >= 0 && n != len)
		errno = EIO;
	if (n != len) {
		close_keep_errno(fd);
		return -1;
	}
	return close(fd);
}

static int drain(int fd, uint64_t *bytes, uint64_t *hash)
{
	unsigned char buf[IO_BUF_SIZE];

	*bytes = 0;
	*hash = FNV1A64_BASIS;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		*hash = fnv1a64(*hash, buf, n);
		*bytes += n;
	}
}

static int receive_one(int lsock)
{
	uint64_t bytes, hash;
	int fd;

	do
		fd = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && (errno == EINTR || errno == ECONNABORTED));
	if (fd < 0)
		return fail("accept");
	int ret = drain(fd, &bytes, &hash);
	close_keep_errno(fd);
	if (ret)
		return fail("receive (after %" PRIu64 " bytes)", bytes);
	printf("received %" PRIu64 " fnv1a64 %016" PRIx64 "\n", bytes, hash);
	/* Whoever reads our stdout waits for this line before going on. */
	return fflush(stdout) ? fail("stdout") : EXIT_OK;
}

static int cmd_recv(const struct command *self, struct args *a)
{
	struct recv_args o = { .bind = "127.0.0.1", .port = DEFAULT_PORT, .count = 1 };
	int rc = parse_recv(a, &o);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	int lsock = listen_on(&o.ep);
	if (lsock < 0)
		return fail("listen on %s port %" PRIu64, o.bind, o.port);
	if (o.ready_file && write_ready(o.ready_file))
		rc = fail("%s", o.ready_file);
	else
		rc = EXIT_OK;
	for (uint64_t i = 0; i < o.count && rc == EXIT_OK; i++)
		rc = receive_one(lsock);
	close(lsock);
	return rc;
}

/* ---- stats ------------------------------------------------------------- */

static const char stats_usage[] =
	"Usage: zcopyctl stats [--method M] [--json]\n"
	"\n"
	"Show the module's counters from " ZCOPY_SYSFS_DIR ": a row per\n"
	"counter, a column for the device-wide total and one for each method\n"
	"the module lists under methods/.  \"-\" (null in JSON) marks a counter\n"
	"the module does not provide.\n"
	"\n"
	"Options:\n"
	"  --method M  show only the column of method M\n"
	"  --json      print {\"total\": {COUNTER: N, ...}, \"METHOD\": {...}, ...}\n"
	"  -h, --help  show this help\n";

struct stats_args {
	const char *method;
	bool json;
};

struct column {
	char name[NAME_MAX + 1];	/* "total" or a method */
	int width;
	bool present[N_COUNTERS];
	uint64_t val[N_COUNTERS];
};

struct table {
	size_t n;
	struct column *cols;
};

static bool stats_opt(void *settings, int id, const char *v)
{
	struct stats_args *o = settings;

	if (id == OPT_METHOD)
		o->method = v;
	else
		o->json = true;
	return true;
}

static int read_column(struct column *c, const char *method)
{
	snprintf(c->name, sizeof(c->name), "%s", method ? method : "total");
	for (size_t i = 0; i < N_COUNTERS; i++) {
		c->present[i] = !zcopy_read_sysfs_counter(method, counter_names[i],
							 &c->val[i]);
		/* A module without this counter is not an error: show "-". */
		if (c->present[i] || errno == ENOENT)
			continue;
		if (method)
			return fail(ZCOPY_SYSFS_DIR "/methods/%s/%s", method,
				    counter_names[i]);
		return fail(ZCOPY_SYSFS_DIR "/stats/%s", counter_names[i]);
	}
	return EXIT_OK;
}

/* By method number as the header defines them; unknown names last. */
static int by_method(const struct dirent **a, const struct dirent **b)
{
	int ma = zcopy_method_from_name((*a)->d_name);
	int mb = zcopy_method_from_name((*b)->d_name);

	ma = ma < 0 ? INT_MAX : ma;
	mb = mb < 0 ? INT_MAX : mb;
	if (ma != mb)
		return ma < mb ? -1 : 1;
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_method_dir(const struct dirent *d)
{
	return d->d_name[0] != '.' &&
	       (d->d_type == DT_DIR || d->d_type == DT_UNKNOWN);
}

static int read_all_columns(struct table *t)
{
	const char *dir = ZCOPY_SYSFS_DIR "/methods";
	struct dirent **ents = NULL;
	int rc = EXIT_OK;

	if (access(ZCOPY_SYSFS_DIR "/stats", F_OK))
		return fail("%s", ZCOPY_SYSFS_DIR "/stats");
	/* A module without per-method counters still has the total. */
	int n = scandir(dir, &ents, is_method_dir, by_method);
	if (n < 0 && errno != ENOENT)
		return fail("%s", dir);
	n = n < 0 ? 0 : n;
	t->cols = calloc(n + 1, sizeof(*t->cols));
	if (!t->cols)
		rc = fail("%s", dir);
	else
		rc = read_column(&t->cols[t->n++], NULL);
	for (int i = 0; i < n; i++) {
		if (rc == EXIT_OK)
			rc = read_column(&t->cols[t->n++], ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static int read_one_column(struct table *t, const char *method)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), ZCOPY_SYSFS_DIR "/methods/%s", method);
	if (access(dir, F_OK))
		return fail("%s", dir);
	t->cols = calloc(1, sizeof(*t->cols));
	if (!t->cols)
		return fail("%s", dir);
	return read_column(&t->cols[t->n++], method);
}

static void print_table_text(struct table *t)
{
	int w0 = strlen("counter");

	for (size_t i = 0; i < N_COUNTERS; i++)
		if ((int)strlen(counter_names[i]) > w0)
			w0 = strlen(counter_names[i]);
	printf("%-*s", w0, "counter");
	for (size_t c = 0; c < t->n; c++) {
		struct column *col = &t->cols[c];

		col->width = strlen(col->name);
		for (size_t i = 0; i < N_COUNTERS; i++) {
			int w = snprintf(NULL, 0, "%" PRIu64, col->val[i]);

			if (col->present[i] && w > col->width)
				col->width = w;
		}
		printf("  %*s", col->width, col->name);
	}
	putchar('\n');
	for (size_t i = 0; i < N_COUNTERS; i++) {
		printf("%-*s", w0, counter_names[i]);
		for (size_t c = 0; c < t->n; c++) {
			const struct column *col = &t->cols[c];

			if (col->present[i])
				printf("  %*" PRIu64, col->width, col->val[i]);
			else
				printf("  %*s", col->width, "-");
		}
		putchar('\n');
	}
}

static void print_table_json(const struct table *t)
{
	putchar('{');
	for (size_t c = 0; c < t->n; c++) {
		const struct column *col = &t->cols[c];
		struct fields fs = { 0 };

		for (size_t i = 0; i < N_COUNTERS; i++) {
			if (col->present[i])
				add_field(&fs, counter_names[i], false, "%" PRIu64, col->val[i]);
			else
				add_field(&fs, counter_names[i], false, "null");
		}
		printf("%s\"%s\":", c ? "," : "", col->name);
		print_fields_json(&fs);
	}
	puts("}");
}

static int cmd_stats(const struct command *self, struct args *a)
{
	struct stats_args o = { 0 };
	static const struct opt opts[] = {
		{ "--method", true, OPT_METHOD },
		{ "--json", false, OPT_JSON },
		{ 0 }
	};
	struct table t = { 0 };
	int rc = parse_args(a, opts, stats_opt, &o, 0);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	rc = o.method ? read_one_column(&t, o.method) : read_all_columns(&t);
	if (rc == EXIT_OK && o.json)
		print_table_json(&t);
	else if (rc == EXIT_OK)
		print_table_text(&t);
	free(t.cols);
	return rc;
}

/* ---- bench (bench.c) --------------------------------------------------- */

static bool bench_opt(void *settings, int id, const char *v)
{
	return bench_set(settings, id - OPT_BENCH, v);
}

static int cmd_bench(const struct command *self, struct args *a)
{
	struct opt opts[BENCH_NR_OPTS + 1] = { { 0 } };
	struct bench_config cfg;

	(void)self;
	for (int i = 0; i < BENCH_NR_OPTS; i++)
		opts[i] = (struct opt){ bench_opts[i].name, bench_opts[i].has_arg, OPT_BENCH + i };
	bench_defaults(&cfg);
	int rc = parse_args(a, opts, bench_opt, &cfg, 0);
	return rc != CONTINUE ? rc : bench_run(&cfg);
}

/* ---- help, main -------------------------------------------------------- */

static const char help_usage[] =
	"Usage: zcopyctl help [COMMAND]\n"
	"\n"
	"Show the help of COMMAND, or the list of commands.\n";

static int cmd_help(const struct command *self, struct args *a);

static const struct command commands[] = {
	{ "load", "insert the zcopy module (modprobe or insmod style)", load_usage, cmd_load },
	{ "unload", "remove the zcopy module", unload_usage, cmd_unload },
	{ "info", "show what the loaded module supports", info_usage, cmd_info },
	{ "send", "send a file range to a TCP peer through zcopy", send_usage, cmd_send },
	{ "recv", "receive and hash TCP streams (test peer for send)", recv_usage, cmd_recv },
	{ "stats", "show the module's counters from sysfs", stats_usage, cmd_stats },
	{ "bench", "measure every send path and method, hot and cold", bench_usage, cmd_bench },
	{ "help", "show help for a command", help_usage, cmd_help },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_main_help(FILE *f)
{
	fputs("Usage: zcopyctl COMMAND [ARGS...]\n"
	      "\n"
	      "Drive the zcopy kernel module, which sends file ranges from the page\n"
	      "cache to TCP sockets and reports what each transfer cost.\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-7s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'zcopyctl COMMAND --help' for the arguments of a command.\n", f);
	fputs(exit_status_help, f);
}

static int cmd_help(const struct command *self, struct args *a)
{
	int rc = parse_args(a, no_opts, NULL, NULL, -1);

	if (rc != CONTINUE)
		return rc;
	if (a->npos > 1)
		return usage_error(self, "unexpected argument '%s'", a->argv[1]);
	if (!a->npos) {
		print_main_help(stdout);
		return EXIT_OK;
	}
	const struct command *c = find_command(a->argv[0]);
	if (!c)
		return usage_error(self, "unknown command '%s'", a->argv[0]);
	print_help(c, stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		name = "help";
	const struct command *c = find_command(name);
	if (!c) {
		fprintf(stderr, "zcopyctl: unknown command '%s'\n"
			"Try 'zcopyctl --help'.\n", name);
		return EXIT_USAGE;
	}

	struct args a = { .cmd = c, .argc = argc - 2, .argv = argv + 2 };
	int rc = c->run(c, &a);

	/* Output nobody could read is a failure, not a success. */
	if (fflush(stdout) || ferror(stdout))
		return rc ? rc : fail("stdout");
	return rc;
}
