// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl send: header, files and trailer in ZCOPY_IOC_SENDV calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fnv1a64.h"
#include "send.h"

/* File segments longer than this are split, to stay below zcopy_info.max_len. */
#define SEG_FILE_CHUNK	(1ULL << 30)


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

int build_stream(const struct send_args *o, struct stream *st)
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

void free_stream(const struct send_args *o, struct stream *st)
{
	for (int i = 0; st->fds && i < o->n_files; i++)
		if (st->fds[i] >= 0)
			close(st->fds[i]);
	free(st->fds);
	free(st->mem[0]);
	free(st->mem[1]);
	free(st->seg);
}

int hash_stream(const struct zcopy_segment *seg, size_t n, uint64_t *hash)
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

int transfer_vector(const struct send_args *o, int dev, int sock,
		    struct stream *st, struct send_result *r)
{
	struct zcopy_sendv req = {
		.out_fd = sock,
		.method = o->method,
		.segs = (uintptr_t)st->seg,
		.count = st->n,
	};
	int64_t rc = zcopy_sendv_all(dev, &req, &r->calls);
	int err = errno;

	r->vector = true;
	r->segments = st->n;
	r->sent = req.sent;
	r->stats = req.stats;
	if (rc < 0 && err == ENODATA) {
		/* What the calls should have sent, had no file ended early. */
		uint64_t want = req.seg_sent;

		for (uint32_t k = 0; k < req.seg_index; k++)
			want += st->seg[k].len;
		return fail_errno(ENODATA, "send to %s: a file ended early "
				  "(sent %" PRIu64 " bytes where %" PRIu64 " were due)",
				  o->dest, r->sent, want);
	}
	if (rc < 0) {
		errno = err;
		if (r->sent)
			return fail("send to %s (after %" PRIu64 " bytes)", o->dest, r->sent);
		return fail("send to %s", o->dest);
	}
	if (!o->quiet && hash_stream(st->seg, st->n, &r->hash))
		return fail("read back the files");
	return EXIT_OK;
}
