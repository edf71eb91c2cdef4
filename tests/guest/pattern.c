// SPDX-License-Identifier: GPL-2.0
/*
 * pattern.c - the deterministic content of the test files, and the files.
 *
 * The receiver regenerates the content from (seed, offset) instead of
 * reading the source file, so checking 64 MiB costs a hash per 8 bytes and
 * never touches the page cache the test is measuring.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "zct.h"

#define GOLDEN 0x9e3779b97f4a7c15ULL

/* splitmix64's finaliser: a bijection, so distinct inputs give distinct
 * words and no two aligned 8-byte words of a file are equal. */
static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t pattern_seed(uint64_t size)
{
	/* Files of different sizes differ everywhere: a page of another test
	 * file arriving on the wrong connection is caught too. */
	return mix64(size ^ 0x7a636f7079ULL);
}

void pattern_fill(uint64_t seed, uint64_t offset, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		uint64_t w = mix64(seed + (offset >> 3) * GOLDEN);
		unsigned int k = offset & 7;
		size_t n = 8 - k < len ? 8 - k : len;

		if (n == 8) {
			w = htole64(w);
			memcpy(p, &w, 8);
		} else {
			for (size_t i = 0; i < n; i++)
				p[i] = (unsigned char)(w >> (8 * (k + i)));
		}
		p += n;
		offset += n;
		len -= n;
	}
}

#define WRITE_CHUNK (1024 * 1024)

/* Written under a temporary name and renamed: a file under the final name
 * is always complete, even if an earlier test was killed while writing. */
static int tfile_create(struct tctx *t, const struct tfile *f)
{
	char tmp[sizeof(f->path) + 32];
	unsigned char *buf = malloc(WRITE_CHUNK);
	int fd, rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", f->path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (!buf || fd < 0) {
		fail_errno(t, "create %s", tmp);
		goto out;
	}
	for (uint64_t off = 0; off < f->size; off += WRITE_CHUNK) {
		size_t n = f->size - off < WRITE_CHUNK ?
			   (size_t)(f->size - off) : WRITE_CHUNK;

		pattern_fill(f->seed, off, buf, n);
		if (write_full(fd, buf, n) != 0) {
			fail_errno(t, "write %s", tmp);
			goto out;
		}
	}
	/* DIRECT reads the disk, not the page cache: the bytes must be there.
	 * The pages stay cached, so the file is still hot for the others. */
	if (fsync(fd) != 0) {
		fail_errno(t, "fsync %s", tmp);
		goto out;
	}
	if (rename(tmp, f->path) != 0) {
		fail_errno(t, "rename %s", tmp);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	free(buf);
	return rc;
}

int tfile_open(struct tctx *t, const struct fsdesc *fs, uint64_t size,
	       struct tfile *f)
{
	struct stat st;
	int fd;

	f->size = size;
	f->seed = pattern_seed(size);
	snprintf(f->path, sizeof(f->path), "%s/zc-%llu", fs->dir,
		 (unsigned long long)size);
	if ((stat(f->path, &st) != 0 || (uint64_t)st.st_size != size) &&
	    tfile_create(t, f) != 0)
		return -1;
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(t, "open %s", f->path);
	return fd;
}

int workdir_clean(const struct fsdesc *fs)
{
	DIR *d = opendir(fs->dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	/* The directory is ours alone and flat: every entry goes. */
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int workdir_prepare(struct tctx *t, const struct fsdesc *fs)
{
	struct statfs sf;

	if (statfs(fs->mount, &sf) != 0)
		return fail_errno(t, "statfs %s", fs->mount);
	if (sf.f_type != fs->magic)
		return fail(t, "%s is not %s (f_type 0x%lx)", fs->mount,
			    fs->name, (long)sf.f_type);
	if (mkdir(fs->dir, 0755) != 0 && errno != EEXIST)
		return fail_errno(t, "mkdir %s", fs->dir);
	/* Files of an earlier run might not be hot any more. */
	if (workdir_clean(fs) != 0)
		return fail_errno(t, "clean %s", fs->dir);
	return 0;
}
