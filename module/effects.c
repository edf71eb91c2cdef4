// SPDX-License-Identifier: GPL-2.0
/*
 * What sendfile(2) does besides sending (do_sendfile() in fs/read_write.c),
 * done for every method, so that what watches files (inotify, fanotify,
 * audit, backup and indexing tools) and per-task I/O accounting
 * (/proc/PID/io, taskstats) see a zcopy transfer as they see sendfile(2).
 */
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/sched.h>
#include <linux/sched/xacct.h>

#include "zcopy.h"

/**
 * zcopy_effects_file() - account a file segment that sent bytes
 * @in: the source file
 * @m: the method that read it
 * @sent: bytes sent from it
 *
 * fsnotify_access() and rchar as do_sendfile() counts them.  A method that
 * reads the page cache itself also moves atime, as filemap_read() and
 * filemap_splice_read() do with file_accessed(); the others read through
 * the file, whose read path does it.
 */
void zcopy_effects_file(struct file *in, const struct zcopy_method *m,
			size_t sent)
{
	if (!sent)
		return;
	add_rchar(current, sent);
	fsnotify_access(in);
	if (m->reads == ZCOPY_READS_CACHE)
		file_accessed(in);
}

/**
 * zcopy_effects_call() - account a call that passed its checks
 * @out: the socket's file
 * @sent: bytes the call sent in all
 *
 * One read and one write system call, as sendfile(2) counts itself, and
 * wchar with fsnotify_modify() for what was written.
 */
void zcopy_effects_call(struct file *out, u64 sent)
{
	if (sent) {
		add_wchar(current, sent);
		fsnotify_modify(out);
	}
	inc_syscr(current);
	inc_syscw(current);
}
