/* SPDX-License-Identifier: GPL-2.0 */
/*
 * badinput.h - the setting every "badinput" case starts from: a valid
 * request (a hot tmpfs file to a connected receiver) that the case breaks
 * in one place, and the checks after it: the errno, no byte on the
 * connection (nor in any other output the case used), no counter moved.
 */
#ifndef ZCT_BADINPUT_H
#define ZCT_BADINPUT_H

#include <limits.h>

#include "zct.h"

#define ERR_FSIZE (64 * KIB)
#define MAX_PROBES 2

/* Something the failed call must have left empty. */
struct probe {
	int fd;			/* FIONREAD must be 0 (pipe, socket) */
	char path[200];		/* or the file's size must be 0 */
};

/* Descriptors a case opens are left to the test process's exit. */
struct err_env {
	struct receiver rx;
	struct tally before;
	struct tfile file;
	struct zcopy_send req;	/* valid until a case breaks it */
	struct probe probes[MAX_PROBES];
	unsigned int nprobes;
	uint64_t w0;		/* sock_written() of the connection at the start */
	bool fin;		/* the case shut the connection down: a FIN */
};

enum fdkind {
	FD_DEFAULT,	/* the valid one: the file or the connected socket */
	FD_MINUS1,
	FD_CLOSED,
	FD_OPATH,
	FD_FILE_RDONLY,
	FD_FILE_WRONLY,
	FD_FILE_RDWR,
	FD_DIR,
	FD_PIPE,	/* read end as input, write end as output */
	FD_UNIX_STREAM,
	FD_DEV_ZERO,	/* opened for reading as input, writing as output */
	FD_ZCOPY,
	FD_UDP,
	FD_TCP_FRESH,
	FD_TCP_LISTEN,
	FD_TCP_APPEND,
	FD_TCP_SHUTDOWN,	/* the connected socket after shutdown(SHUT_WR) */
	FD_TCP_CONNECTED,	/* the connected socket as an input */
	FD_EXT4_FILE,
	FD_SYSFS_FILE,	/* a regular file of sysfs: no direct I/O */
	FD_HUGE_FD,	/* a number above any open descriptor: INT_MAX */
};

int env_open(struct tctx *t, struct err_env *e);
/* The end of a case: the counters moved by @delta (NULL: not at all),
 * every probe is empty and the receiver got exactly @want_bytes. */
int env_finish(struct tctx *t, struct err_env *e, uint64_t want_bytes,
	       const struct tally *delta);
/* The descriptor of @kind for an input (@input) or the output; INT_MIN
 * after fail() (-1 is a kind of its own). */
int make_fd(struct tctx *t, struct err_env *e, enum fdkind kind, bool input);
/* The largest file size of the ext4 test filesystem (s_maxbytes), found
 * by ftruncate() of a scratch file. */
int ext4_maxbytes(struct tctx *t, uint64_t *max);

/* The group's SENDV cases and racing rewrites, registered by
 * badinput_register() after its own. */
void badinput_sendv_register(struct registry *r);
void badinput_race_register(struct registry *r);

#endif /* ZCT_BADINPUT_H */
