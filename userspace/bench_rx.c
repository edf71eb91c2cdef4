// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl bench: the receiver, a forked process that discards everything
 * it gets with recv(MSG_TRUNC) into no buffer, so that what is measured is
 * the sender.  A control socketpair tells it how many bytes to expect and
 * carries back its word that they all arrived, with the CPU it spent: the
 * clock stops on that word, so data still in flight is never counted as
 * sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bench_int.h"

int rx_discard(int conn, uint64_t n, uint32_t *calls)
{
	while (n) {
		/* MSG_TRUNC: TCP drops the bytes without copying them anywhere. */
		ssize_t got = recv(conn, NULL, n < GIB ? n : GIB, MSG_TRUNC);

		(*calls)++;
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return errno;
		if (!got)
			return n == UINT64_MAX ? 0 : EPIPE;
		if (n != UINT64_MAX)
			n -= got;
	}
	return 0;
}

static void rx_drain(int conn, uint64_t n, struct rx_ack *ack)
{
	double c0 = cpu_seconds();

	ack->err = rx_discard(conn, n, &ack->calls);
	/*
	 * ACK now rather than after the delayed-ACK timer: until then the
	 * sender's unacknowledged segments pin the page-cache pages they lend,
	 * which a cold repetition could then not drop.
	 */
	setsockopt(conn, IPPROTO_TCP, TCP_QUICKACK, &(int){ 1 }, sizeof(int));
	ack->cpu = cpu_seconds() - c0;
}

__attribute__((noreturn))
static void rx_main(int ctl, int lsock)
{
	int conns[RX_SLOTS];
	struct rx_req req;

	for (int i = 0; i < RX_SLOTS; i++)
		conns[i] = -1;
	while (recv(ctl, &req, sizeof(req), 0) == sizeof(req) && req.slot < RX_SLOTS) {
		struct rx_ack ack = { 0 };
		int *conn = &conns[req.slot];

		if (req.accept) {
			close_fd(conn);
			*conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
			ack.err = *conn < 0 ? errno : 0;
		} else {
			rx_drain(*conn, req.n, &ack);
		}
		if (send(ctl, &ack, sizeof(ack), MSG_NOSIGNAL) != sizeof(ack))
			break;
	}
	_exit(0);
}

/*
 * A socket belongs to the namespace it was made in: make the listening one
 * in netns, then come back.
 */
static int listen_socket_in(const char *netns)
{
	int here, there, lsock, err;

	if (!netns)
		return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (here < 0)
		return -1;
	there = open(netns, O_RDONLY | O_CLOEXEC);
	if (there < 0 || setns(there, CLONE_NEWNET)) {
		err = errno;
		close_fd(&there);
		close(here);
		errno = err;
		return -1;
	}
	lsock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	err = errno;
	/* Every other socket must be made where we came from: fatal if not. */
	if (setns(here, CLONE_NEWNET)) {
		perror("zcopyctl: bench: setns back to our network namespace");
		exit(EXIT_FAILURE);
	}
	close(there);
	close(here);
	errno = err;
	return lsock;
}

int bench_listen(uint32_t addr, const char *netns, int backlog,
		 struct sockaddr_in *bound)
{
	socklen_t len = sizeof(*bound);
	int lsock = listen_socket_in(netns);

	*bound = (struct sockaddr_in){
		.sin_family = AF_INET,
		.sin_addr.s_addr = addr,
	};
	if (lsock < 0 ||
	    bind(lsock, (struct sockaddr *)bound, sizeof(*bound)) ||
	    listen(lsock, backlog) ||
	    getsockname(lsock, (struct sockaddr *)bound, &len)) {
		int err = errno;

		close_fd(&lsock);
		errno = err;
	}
	return lsock;
}

int rx_start(struct receiver *rx, uint32_t addr, const char *netns)
{
	int sv[2] = { -1, -1 };
	int lsock = bench_listen(addr, netns, RX_SLOTS, &rx->addr);

	if (lsock < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) ||
	    (fflush(NULL), rx->pid = fork()) < 0) {
		int err = errno;

		close_fd(&lsock);
		close_fd(&sv[0]);
		close_fd(&sv[1]);
		errno = err;
		return -1;
	}
	if (!rx->pid) {
		/*
		 * Never preempt the sender where the two share a CPU: the
		 * receiver drains whenever the sender waits, instead of
		 * whenever the wakeup heuristics let it in, which made small
		 * transfers swing by 4x from run to run (SCHED_BATCH, which
		 * still shares by the tick, left them 10-40% lower and
		 * noisier).  The price: on a machine busy with something
		 * else the receiver only gets idle time.
		 */
		sched_setscheduler(0, SCHED_IDLE, &(struct sched_param){ 0 });
		close(sv[0]);
		rx_main(sv[1], lsock);
	}
	close(sv[1]);
	close(lsock);
	rx->ctl = sv[0];
	return 0;
}

void rx_stop(struct receiver *rx)
{
	close_fd(&rx->ctl);	/* the receiver sees EOF and exits */
	waitpid(rx->pid, NULL, 0);
}

int rx_ask(struct receiver *rx, unsigned int slot, bool accept, uint64_t n)
{
	struct rx_req req = { .slot = slot, .accept = accept, .n = n };

	return send(rx->ctl, &req, sizeof(req), MSG_NOSIGNAL) == sizeof(req) ? 0 : -1;
}

int rx_wait(struct receiver *rx, struct rx_ack *ack)
{
	ssize_t n = recv(rx->ctl, ack, sizeof(*ack), 0);

	if (n == sizeof(*ack))
		return 0;
	if (n >= 0)
		errno = ECHILD;		/* the receiver is gone */
	return -1;
}
