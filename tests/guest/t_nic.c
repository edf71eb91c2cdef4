// SPDX-License-Identifier: GPL-2.0
/*
 * t_nic.c - the "nic" group: transfers over a real driver.  An emulated
 * Intel e1000 (tx0, 169.254.1.1) sends; a virtio-net in the network
 * namespace "rx" (169.254.1.2) receives; both sit on one QEMU hub
 * (tests/qemu/boot.sh, tests/qemu/init).
 *
 * The e1000 gathers page fragments by DMA and offloads checksums: every
 * method must report the route as such and the page methods as zero-copy.
 * With SG switched off on it (ETHTOOL_SSG) the device copies at transmit,
 * and every byte must come back as copied (contract item 5).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "zct.h"

#define TX_DEV "tx0"
#define RX_NETNS "/run/netns/rx"
#define RX_ADDR "169.254.1.2"
#define NIC_FSIZE (4 * MIB)

struct ncase {
	unsigned int method;
	bool sg;
	bool odirect;	/* from ext4 opened O_DIRECT: SPLICE reads by DMA */
};

/* ETHTOOL_GSG or ETHTOOL_SSG on the e1000; @val in and out. */
static int ethtool_sg(struct tctx *t, uint32_t cmd, uint32_t *val)
{
	struct ethtool_value ev = { .cmd = cmd, .data = *val };
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (s < 0)
		return fail_errno(t, "socket for SIOCETHTOOL");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", TX_DEV);
	ifr.ifr_data = (void *)&ev;
	rc = ioctl(s, SIOCETHTOOL, &ifr);
	close(s);
	if (rc != 0)
		return fail_errno(t, "SIOCETHTOOL %s on %s",
				  cmd == ETHTOOL_SSG ? "ETHTOOL_SSG" :
				  "ETHTOOL_GSG", TX_DEV);
	*val = ev.data;
	return 0;
}

/* Switch SG on the e1000 and make sure the device took it. */
static int set_sg(struct tctx *t, bool on)
{
	uint32_t v = on;

	if (ethtool_sg(t, ETHTOOL_SSG, &v) != 0 ||
	    ethtool_sg(t, ETHTOOL_GSG, &v) != 0)
		return -1;
	if (!v != !on)
		return fail(t, "%s kept SG %s after ETHTOOL_SSG", TX_DEV,
			    v ? "on" : "off");
	return 0;
}

static int nic_send(struct tctx *t, const struct ncase *c)
{
	/* DIRECT and O_DIRECT need a filesystem with direct I/O; the others
	 * the page cache of tmpfs, whose pages go by reference. */
	const bool direct = c->method == ZCOPY_METHOD_DIRECT || c->odirect;
	const struct fsdesc *fs = &fs_list[direct ? FS_EXT4 : FS_TMPFS];
	const unsigned int m = method_resolved(c->method);
	const struct rx_more more = { .netns = RX_NETNS, .addr = RX_ADDR };
	struct want w;
	struct tfile f;
	struct one_send o = {
		.method = c->method,
		.len = NIC_FSIZE,
		.want_sent = NIC_FSIZE,
		.want = &w,
		.more = &more,
	};
	int rc;

	o.fd = tfile_open(t, fs, NIC_FSIZE, &f);
	if (o.fd >= 0 && c->odirect) {
		close(o.fd);
		o.fd = open(f.path, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (o.fd < 0)
			fail_errno(t, "open %s O_DIRECT", f.path);
	}
	if (o.fd < 0)
		return -1;
	o.spec = (struct rx_spec){ f.seed, 0, 0 };
	want_costs(&w, m, false, NIC_FSIZE, c->sg);
	w.route_set |= ZCOPY_ROUTE_CSUM;
	w.ifindex = if_nametoindex(TX_DEV);
	if (m == ZCOPY_METHOD_DIRECT)
		want_free_pages(&w);
	else if (c->odirect)
		want_no_cache(&w);
	else
		want_hot(&w, 0, NIC_FSIZE);
	rc = send_checked(t, &o);
	close(o.fd);
	return rc;
}

static int nic_test(struct tctx *t, const void *arg)
{
	const struct ncase *c = arg;
	int rc;

	/* Each test sets the state it needs: one killed with SG off must
	 * not turn the next one's zero-copy into copies. */
	if (set_sg(t, c->sg) != 0)
		return -1;
	rc = nic_send(t, c);
	if (!c->sg && set_sg(t, true) != 0)
		return -1;
	return rc;
}

/*
 * An operation with ZCOPY_F_NOTIFY_RELEASE over the e1000: its release
 * record comes once the device and the peer are done with the pages, and
 * says COPIED only where they were copied: never with SG on (the device
 * gathered them), always with SG off (it copied at transmit, which the
 * skbs do not tell: zcopy's route sample does).
 */
static int nic_release(struct tctx *t, bool sg)
{
	const struct rx_more more = { .netns = RX_NETNS, .addr = RX_ADDR };
	const uint32_t want_flags = ZCOPY_CQE_RELEASE | (sg ? 0 : ZCOPY_CQE_COPIED);
	struct zcopy_completion rec[2];
	struct zcopy_send req;
	struct zcopy_op op;
	struct receiver r;
	struct tfile f;
	unsigned int n = 0;
	int fd;

	fd = tfile_open(t, &fs_list[FS_TMPFS], NIC_FSIZE, &f);
	if (fd < 0 || receiver_start_ex(t, &r, AF_INET, RX_READ,
					&(struct rx_spec){ f.seed, 0, 0 },
					&more) != 0)
		return -1;
	send_req(&req, fd, r.sock, ZCOPY_METHOD_PAGES, 0, NIC_FSIZE);
	req.flags = ZCOPY_F_NOTIFY_RELEASE;
	op = (struct zcopy_op){ .opcode = ZCOPY_OP_SEND, .user_data = 5,
				.arg = (uintptr_t)&req };
	if (ioctl(t->dev, ZCOPY_IOC_SUBMIT,
		  &(struct zcopy_submit){ .size = sizeof(struct zcopy_submit),
					  .ops = (uintptr_t)&op, .count = 1 }) != 1)
		return fail_errno(t, "ZCOPY_IOC_SUBMIT");
	for (uint64_t end = now_ms() + 60000; n < 2;) {
		struct pollfd pfd = { .fd = t->dev, .events = POLLIN };
		ssize_t got;

		if (now_ms() > end)
			return fail(t, "%u records of 2 after 60 s", n);
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		got = read(t->dev, rec + n, (2 - n) * sizeof(*rec));
		if (got < 0)
			return fail_errno(t, "read the records");
		n += got / sizeof(*rec);
	}
	close(fd);
	if (rec[0].result || rec[0].sent != NIC_FSIZE ||
	    rec[0].flags != ZCOPY_CQE_NOTIFY ||
	    rec[0].stats.zc_bytes != (sg ? NIC_FSIZE : 0))
		return fail(t, "the operation's record: %s, %llu sent, flags 0x%x, zc %llu",
			    errno_name(-rec[0].result),
			    (unsigned long long)rec[0].sent, rec[0].flags,
			    (unsigned long long)rec[0].stats.zc_bytes);
	if (rec[1].user_data != 5 || rec[1].flags != want_flags)
		return fail(t, "the release record: operation %llu, flags 0x%x; want 5, 0x%x",
			    (unsigned long long)rec[1].user_data, rec[1].flags,
			    want_flags);
	return receiver_finish(t, &r, NIC_FSIZE);
}

static int nic_release_test(struct tctx *t, const void *arg)
{
	bool sg = arg != NULL;
	int rc;

	if (set_sg(t, sg) != 0)
		return -1;
	rc = nic_release(t, sg);
	if (!sg && set_sg(t, true) != 0)
		return -1;
	return rc;
}

/* After the SG-off tests the e1000 gathers again. */
static int sg_restored(struct tctx *t, const void *arg)
{
	uint32_t v = 0;

	(void)arg;
	if (ethtool_sg(t, ETHTOOL_GSG, &v) != 0)
		return -1;
	return v ? 0 : fail(t, "SG still off on %s", TX_DEV);
}

void nic_register(struct registry *r)
{
	static const unsigned int methods[] = {
		ZCOPY_METHOD_PAGES, ZCOPY_METHOD_SPLICE, ZCOPY_METHOD_DIRECT,
		ZCOPY_METHOD_AUTO, ZCOPY_METHOD_MMAP, ZCOPY_METHOD_COPY,
	};

	/* Only where init could set the NICs up (not every stock kernel). */
	if (!if_nametoindex(TX_DEV) || access(RX_NETNS, F_OK) != 0)
		return;
	for (int sg = 1; sg >= 0; sg--) {
		struct ncase *c;

		for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
			struct test *tc;

			c = xcalloc(1, sizeof(*c));
			*c = (struct ncase){ methods[i], sg, false };
			tc = reg_add(r, "nic", nic_test, c, "e1000-%s-%s",
				     sg ? "sg" : "nosg",
				     method_desc[c->method].name);
			if (c->method == ZCOPY_METHOD_DIRECT)
				tc->need = NEED_DIRECT;
		}
		/* A file whose splice_read copies (contract item 5: SPLICE
		 * copies it once, twice without SG). */
		c = xcalloc(1, sizeof(*c));
		*c = (struct ncase){ ZCOPY_METHOD_SPLICE, sg, true };
		reg_add(r, "nic", nic_test, c, "e1000-%s-splice-odirect",
			sg ? "sg" : "nosg");
	}
	reg_add(r, "nic", nic_release_test, (void *)1, "e1000-sg-release");
	reg_add(r, "nic", nic_release_test, NULL, "e1000-nosg-release");
	reg_add(r, "nic", sg_restored, NULL, "e1000-sg-restored");
}
