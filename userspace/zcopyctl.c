// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: load and unload the zcopy module, query it, send file ranges
 * through it, receive them on the other end for checking, and show its
 * counters.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "cli.h"

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
	{ "version", "show zcopyctl's and the module's version", version_usage, cmd_version },
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
	      "       zcopyctl --version | --help\n"
	      "\n"
	      "Drive the zcopy kernel module, which sends file ranges from the page\n"
	      "cache to TCP sockets and reports what each transfer cost.\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'zcopyctl COMMAND --help' for the arguments of a command.\n"
	      "Options: -V, --version (as the version command), -h, --help.\n", f);
	fputs(exit_status_help, f);
}

static int cmd_help(const struct command *self, struct args *a)
{
	int rc = parse_positional(a, -1);

	if (rc != CONTINUE)
		return rc;
	if (a->npos > 1)
		return usage_error(self, "unexpected argument '%s'", a->pos[1]);
	if (!a->npos) {
		print_main_help(stdout);
		return EXIT_OK;
	}
	const struct command *c = find_command(a->pos[0]);
	if (!c)
		return usage_error(self, "unknown command '%s'", a->pos[0]);
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
	else if (!strcmp(name, "--version") || !strcmp(name, "-V"))
		name = "version";
	const struct command *c = find_command(name);
	if (!c) {
		fprintf(stderr, "zcopyctl: unknown command '%s'\n"
			"Try 'zcopyctl --help'.\n", name);
		return EXIT_USAGE;
	}

	/* getopt_long() takes argv[0] for the program: the command's name. */
	struct args a = { .cmd = c, .argc = argc - 1, .argv = argv + 1 };
	int rc = c->run(c, &a);

	/* Output nobody could read is a failure, not a success. */
	if (fflush(stdout) || ferror(stdout))
		return rc ? rc : fail("stdout");
	return rc;
}
