// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl load and unload: insert and remove the module through libkmod.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libkmod.h>

#include "cli.h"

#define MODULE_NAME	"zcopy"

const char load_usage[] =
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

const char unload_usage[] =
	"Usage: zcopyctl unload\n"
	"\n"
	"Remove the zcopy module.  Fails while /dev/zcopy is open anywhere\n"
	"(\"Device or resource busy\") and when the module is not loaded\n"
	"(status 3).\n"
	"\n"
	"Options:\n"
	"  -h, --help  show this help\n";

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
	return fail_errno(ENOENT, "%s.ko is not installed in %s (not in its modules.dep): install it for this kernel (dkms status %s shows which kernels have it), or load a built one with --path module/%s.ko",
			  MODULE_NAME, kmod_get_dirname(ctx), MODULE_NAME,
			  MODULE_NAME);
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

int cmd_load(const struct command *self, struct args *a)
{
	static const struct option opts[] = {
		{ "path", required_argument, NULL, OPT_PATH },
		{ 0 }
	};
	const char *path = NULL;
	int rc = parse_args(a, "", opts, load_opt, &path, -1);

	(void)self;
	if (rc != CONTINUE)
		return rc;
	char *params = join_params(a->pos, a->npos);
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
		return EXIT_NO_MODULE;
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

int cmd_unload(const struct command *self, struct args *a)
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
