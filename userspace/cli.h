/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of zcopyctl share: the command table's entry, the command
 * line parser, the exit statuses and messages, and the name-value output.
 */
#ifndef ZCOPY_CLI_H
#define ZCOPY_CLI_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

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
	recv_usage[], stats_usage[];

int cmd_load(const struct command *self, struct args *a);
int cmd_unload(const struct command *self, struct args *a);
int cmd_info(const struct command *self, struct args *a);
int cmd_send(const struct command *self, struct args *a);
int cmd_recv(const struct command *self, struct args *a);
int cmd_stats(const struct command *self, struct args *a);
int cmd_bench(const struct command *self, struct args *a);

/* ---- messages (cli_messages.c) ----------------------------------------- */

extern const char exit_status_help[];

void print_help(const struct command *c, FILE *f);

/* "zcopyctl: <what>: <strerror(err)>"; returns the runtime failure status. */
__attribute__((format(printf, 2, 3)))
int fail_errno(int err, const char *fmt, ...);

#define fail(...)	fail_errno(errno, __VA_ARGS__)

__attribute__((format(printf, 2, 3)))
int usage_error(const struct command *c, const char *fmt, ...);

static inline void close_keep_errno(int fd)
{
	int err = errno;

	close(fd);
	errno = err;
}

/* ---- command line (cli_args.c) ----------------------------------------- */

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

extern const struct opt no_opts[];

/* Stores one option's value into a command's settings; false if it is bad. */
typedef bool apply_opt_fn(void *settings, int id, const char *val);

/*
 * The whole command line of a command: every option goes through apply, and
 * exactly want_pos positional arguments must remain (any number if < 0).
 * Returns CONTINUE, or the exit status when the command should stop here.
 */
int parse_args(struct args *a, const struct opt *opts,
	       apply_opt_fn *apply, void *settings, int want_pos);
/* For commands without options or arguments. */
int parse_plain(struct args *a);
/* Plain decimal: no sign, no blanks, no base prefix, at most max. */
bool parse_u64(const char *s, uint64_t max, uint64_t *out);
bool parse_method(const char *s, unsigned int *method);

/* ---- output (cli_output.c) --------------------------------------------- */

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
void add_field(struct fields *fs, const char *key, bool quote,
	       const char *fmt, ...);
void print_fields_text(const struct fields *fs);
/* Keys and values are ours or kernel names: nothing needs escaping. */
void print_fields_json(const struct fields *fs);
/* "a,b" for the set bits that have names, "bitN" for the others, or "none". */
void format_flags(char *buf, size_t size, uint64_t bits,
		  const char *const *names, size_t n_names);

#endif /* ZCOPY_CLI_H */
