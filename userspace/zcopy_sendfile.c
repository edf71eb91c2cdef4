// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libzcopy-sendfile.so: sendfile(2) through /dev/zcopy for a program that
 * does not know zcopy, loaded with LD_PRELOAD.
 *
 * sendfile() and sendfile64() become one ZCOPY_IOC_SEND each.  zcopy takes
 * what it can serve (a regular file to a connected TCP socket) and refuses
 * the rest before it sends a byte or moves a counter; a refused call goes
 * to the real sendfile, which then gives the program exactly the result it
 * would have had.  A call zcopy took is sendfile's in every way the program
 * can see: zcopy's limits (MAX_RW_COUNT), partial counts (a signal, a full
 * non-blocking socket, a send timeout), SIGPIPE and runtime errors are
 * sendfile's, so its result is returned as it is and never retried.
 *
 * ZCOPY_SENDFILE_METHOD, read when the library loads: a method name as
 * zcopyctl takes it (auto, the default, copy, mmap, splice, pages, direct),
 * or "off".  Any other value is "off": a typo never picks a method.
 *
 * /dev/zcopy is opened when the library loads, before a server drops its
 * privileges, close-on-exec; children share the open across fork() (and
 * its per-open counters).  If the program closes it, it is opened again on
 * the next call, and if that fails every call goes to the real sendfile.
 * The library writes nothing, to any stream.  See zcopy-sendfile(7).
 */
#include <assert.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "libzcopy.h"

/* sendfile64() takes the same loff_t as sendfile() only where off_t is 64-bit. */
static_assert(sizeof(off_t) == 8, "libzcopy-sendfile needs a 64-bit off_t");

typedef ssize_t (*sendfile_fn)(int out_fd, int in_fd, off_t *offset,
			       size_t count);

/*
 * The whole state of the library: an interposer has one per process by
 * nature.  @dev is read without the lock on every call; @lock orders the
 * reopen of a descriptor the program closed.
 */
static struct {
	pthread_once_t once;
	pthread_mutex_t lock;
	sendfile_fn next_sendfile;	/* the sendfile after ours (libc's) */
	sendfile_fn next_sendfile64;
	int method;			/* ZCOPY_METHOD_*, or -1: off */
	atomic_int dev;			/* /dev/zcopy, or -1 */
	dev_t rdev;			/* what @dev was when opened */
	ino_t ino;
} zs = {
	.once = PTHREAD_ONCE_INIT,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.method = -1,
	.dev = -1,
};

/* The kernel's, should dlsym find no next definition (a static libc). */
static ssize_t sys_sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
{
	return syscall(SYS_sendfile, out_fd, in_fd, offset, count);
}

/*
 * Opens /dev/zcopy and remembers which file it is; -1 on failure.  Never on
 * 0, 1 or 2: a program started with one of them closed must still find it
 * closed, not reading or writing the device.
 */
static int dev_open(void)
{
	struct stat st;
	int fd = zcopy_open(), high;

	if (fd >= 0 && fd < 3) {
		high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		close(fd);
		fd = high;
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st)) {
		close(fd);
		return -1;
	}
	zs.rdev = st.st_rdev;
	zs.ino = st.st_ino;
	return fd;
}

/* Whether @fd is still the /dev/zcopy the library opened. */
static bool dev_is_ours(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) && st.st_rdev == zs.rdev &&
	       st.st_ino == zs.ino;
}

/* A fork() while another thread reopens must not leave the child's lock held. */
static void zs_lock(void)
{
	pthread_mutex_lock(&zs.lock);
}

static void zs_unlock(void)
{
	pthread_mutex_unlock(&zs.lock);
}

static void zs_init(void)
{
	const char *m = getenv("ZCOPY_SENDFILE_METHOD");
	int saved = errno;

	zs.next_sendfile = (sendfile_fn)dlsym(RTLD_NEXT, "sendfile");
	zs.next_sendfile64 = (sendfile_fn)dlsym(RTLD_NEXT, "sendfile64");
	if (!zs.next_sendfile)
		zs.next_sendfile = sys_sendfile;
	if (!zs.next_sendfile64)
		zs.next_sendfile64 = sys_sendfile;
	zs.method = (!m || !*m) ? ZCOPY_METHOD_AUTO : zcopy_method_from_name(m);
	if (zs.method >= 0) {
		pthread_atfork(zs_lock, zs_unlock, zs_unlock);
		atomic_store(&zs.dev, dev_open());
	}
	errno = saved;
}

/* Opens it while the program still has its privileges (a server's root). */
__attribute__((constructor)) static void zs_load(void)
{
	pthread_once(&zs.once, zs_init);
}

/*
 * @dev refused a call, or answered as /dev/zcopy never does: it may no
 * longer be ours (the program closed it, or dup2()ed over it, and another
 * file has the number now).  Returns the descriptor to retry with, or -1
 * when @dev is still /dev/zcopy (the refusal was the call's own) or none
 * can be had.  A /dev/zcopy without ZCOPY_IOC_SEND (@err ENOTTY) is given
 * up for good.
 */
static int dev_reopen(int dev, int err)
{
	int fd;

	if (err != ENOTTY && dev_is_ours(dev))
		return -1;
	zs_lock();
	fd = atomic_load(&zs.dev);
	/* Unless another thread has been here first: its answer stands. */
	if (fd == dev) {
		fd = dev_is_ours(dev) ? -1 : dev_open();
		atomic_store(&zs.dev, fd);
	}
	zs_unlock();
	return fd;
}

/*
 * Whether zcopy refused the call before it did anything (struct
 * zcopy_send): the real sendfile then decides.  Everything else is the
 * transfer's own outcome and sendfile's too: a full socket, a signal, a
 * read error, and the socket's pending error that tcp_sendmsg() reports
 * (and clears: sendfile could not see it again).  EFAULT can only come
 * after bytes went (the request is on this stack).  ENOMEM is a refusal:
 * the module allocates before its checks, and nothing has gone.
 */
static bool refused(int err)
{
	switch (err) {
	case EAGAIN:
	case EPIPE:
	case ECONNRESET:
	case EINTR:
	case EIO:
	case EFAULT:
	case ETIMEDOUT:
	case ECONNREFUSED:
	case ECONNABORTED:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
	case ENONET:
	case EPROTO:
	case ENOPROTOOPT:
	case EMSGSIZE:
		return false;
	default:
		return true;
	}
}

static ssize_t zs_sendfile(bool is64, int out_fd, int in_fd, off_t *offset,
			   size_t count)
{
	struct zcopy_send req;
	sendfile_fn next;
	int dev, err, tries, saved = errno;
	off_t pos = 0;

	pthread_once(&zs.once, zs_init);
	next = is64 ? zs.next_sendfile64 : zs.next_sendfile;
	dev = atomic_load(&zs.dev);
	/* Read once: another thread may change it, as it may under sendfile. */
	if (offset)
		pos = *offset;
	/*
	 * Nothing to send, a count sendfile refuses (above SSIZE_MAX), or an
	 * offset it refuses (-1 would read as ZCOPY_OFFSET_CURRENT): its own
	 * answer, which moves nothing.
	 */
	if (dev < 0 || !count || count > SSIZE_MAX || pos < 0)
		return next(out_fd, in_fd, offset, count);

	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.in_fd = in_fd;
	req.out_fd = out_fd;
	req.method = zs.method;
	req.offset = offset ? (uint64_t)pos : ZCOPY_OFFSET_CURRENT;
	/* zcopy clamps it to MAX_RW_COUNT, as sendfile does. */
	req.len = count;
	/* A descriptor just opened again is tried once more, no further. */
	for (tries = 0; tries < 2; tries++) {
		/* Only zcopy writes a method back: a stranger on @dev does not. */
		req.stats.method = UINT32_MAX;
		if (!ioctl(dev, ZCOPY_IOC_SEND, &req)) {
			if (req.stats.method < ZCOPY_METHOD_COUNT &&
			    req.sent <= count) {
				if (offset)
					*offset = pos + req.sent;
				errno = saved;
				return req.sent;
			}
			err = 0;
		} else {
			err = errno;
			if (!refused(err))
				return -1;
		}
		dev = dev_reopen(dev, err);
		if (dev < 0)
			break;
	}
	errno = saved;
	return next(out_fd, in_fd, offset, count);
}

/**
 * sendfile() - sendfile(2), through zcopy where zcopy takes the call
 * @out_fd: the descriptor to write to
 * @in_fd: the descriptor to read from
 * @offset: where to read, advanced by what was sent; NULL: the file position
 * @count: bytes to send (at most MAX_RW_COUNT are, as sendfile(2))
 *
 * Return: as sendfile(2): bytes sent, or -1 with errno set.
 */
ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
{
	return zs_sendfile(false, out_fd, in_fd, offset, count);
}

/**
 * sendfile64() - sendfile64(), the name programs built with
 *	_FILE_OFFSET_BITS=64 call; as sendfile() here
 * @out_fd: the descriptor to write to
 * @in_fd: the descriptor to read from
 * @offset: where to read, advanced by what was sent; NULL: the file position
 * @count: bytes to send
 *
 * Return: as sendfile(2): bytes sent, or -1 with errno set.
 */
ssize_t sendfile64(int out_fd, int in_fd, off_t *offset, size_t count)
{
	return zs_sendfile(true, out_fd, in_fd, offset, count);
}
