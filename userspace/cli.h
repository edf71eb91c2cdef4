/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of zcopyctl share: the command table's entry, the command
 * line parser, the exit statuses and messages, and the name-value output
 * (JSON: json.h).
 */
#ifndef ZCOPY_CLI_H
#define ZCOPY_CLI_H

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "units.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The exit statuses, as man/zcopyctl.1 documents them. */
enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,	/* anything else that failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NO_MODULE = 3,	/* /dev/zcopy or the module's sysfs missing */
	EXIT_NO_ACCESS = 4,	/* /dev/zcopy there but not ours to open */
};

/* Returned by the parse_*() helpers when the command should go on. */
#define CONTINUE	(-1)

#define IO_BUF_SIZE	65536

struct args;

struct command {
	const char *name;
	const char *summary;
	const char *usage;
	int (*run)(const struct command *self, struct args *a);
};

/* The usage texts and entry points of the commands, one file each. */
extern const char load_usage[], unload_usage[], info_usage[], send_usage[],
	recv_usage[], stats_usage[], version_usage[];

int cmd_load(const struct command *self, struct args *a);
int cmd_unload(const struct command *self, struct args *a);
int cmd_info(const struct command *self, struct args *a);
int cmd_send(const struct command *self, struct args *a);
int cmd_recv(const struct command *self, struct args *a);
int cmd_stats(const struct command *self, struct args *a);
int cmd_bench(const struct command *self, struct args *a);
int cmd_version(const struct command *self, struct args *a);

/* ---- messages (cli_messages.c) ----------------------------------------- */

extern const char exit_status_help[];

void print_help(const struct command *c, FILE *f);

/* "zcopyctl: <what>: <strerror(err)>"; returns the runtime failure status. */
__attribute__((format(printf, 2, 3)))
int fail_errno(int err, const char *fmt, ...);

#define fail(...)	fail_errno(errno, __VA_ARGS__)

/*
 * "zcopyctl: <what>: <strerror(err)>: <what to do>" for a failure to open
 * /dev/zcopy or to find the module's sysfs files, with EXIT_NO_MODULE,
 * EXIT_NO_ACCESS or EXIT_RUNTIME as the errno says.
 */
int fail_module(int err, const char *what);
/* The hint fail_module() adds for err, or NULL. */
const char *module_hint(int err);

__attribute__((format(printf, 2, 3)))
int usage_error(const struct command *c, const char *fmt, ...);

static inline void close_keep_errno(int fd)
{
	int err = errno;

	close(fd);
	errno = err;
}

/* ---- command line (cli_args.c) ----------------------------------------- */

/*
 * getopt_long() values of the long-only options (short ones are their
 * letter).  Each command lists the options it takes in a struct option
 * array; "--help" and "-h" are added to every list.
 */
enum {
	OPT_PATH = 256,
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
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
	OPT_WATCH,
	OPT_ASYNC,
	OPT_NOTIFY_RELEASE,
	OPT_BENCH,	/* OPT_BENCH + enum bench_opt */
};

struct args {
	const struct command *cmd;
	int argc;
	char **argv;		/* argv[0]: the command's name */
	char **pos;		/* the positional arguments, once parsed */
	int npos;
};

/* Stores one option's value into a command's settings; false if it is bad. */
typedef bool apply_opt_fn(void *settings, int id, const char *val);

/*
 * The whole command line of a command, through getopt_long(): options may
 * come anywhere among the positional arguments ("--" ends them), every
 * option goes through apply, and exactly want_pos positional arguments
 * must remain (any number if < 0).  shortopts: the command's own short
 * options, "" for none.  Returns CONTINUE, or the exit status when the
 * command should stop here (help shown, or a usage error).
 */
int parse_args(struct args *a, const char *shortopts,
	       const struct option *opts, apply_opt_fn *apply,
	       void *settings, int want_pos);
/* For commands without options: want_pos as for parse_args(). */
int parse_positional(struct args *a, int want_pos);
#define parse_plain(a)	parse_positional(a, 0)
/* Plain decimal: no sign, no blanks, no base prefix, at most max. */
bool parse_u64(const char *s, uint64_t max, uint64_t *out);
bool parse_method(const char *s, unsigned int *method);

/* ---- output (cli_output.c) --------------------------------------------- */

/* A name-value list printed aligned ("name  value"). */
struct field {
	const char *key;
	char val[64];
};

struct fields {
	size_t n;
	struct field f[16];
};

__attribute__((format(printf, 3, 4)))
void add_field(struct fields *fs, const char *key, const char *fmt, ...);
void print_fields_text(const struct fields *fs);
/* "a,b" for the set bits that have names, "bitN" for the others, or "none". */
void format_flags(char *buf, size_t size, uint64_t bits,
		  const char *const *names, size_t n_names);

#endif /* ZCOPY_CLI_H */
