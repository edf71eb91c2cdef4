// SPDX-License-Identifier: GPL-2.0
/*
 * Numeric TCP endpoints: parsing, connecting and listening.
 */
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "net.h"

static bool resolve(const char *host, uint64_t port, int flags, struct endpoint *ep)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | flags,
		.ai_socktype = SOCK_STREAM,
		.ai_protocol = IPPROTO_TCP,
	};
	struct addrinfo *ai;
	char service[8];

	snprintf(service, sizeof(service), "%" PRIu64, port);
	if (getaddrinfo(host, service, &hints, &ai))
		return false;
	memcpy(&ep->addr, ai->ai_addr, ai->ai_addrlen);
	ep->len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return true;
}

bool parse_endpoint(const char *s, bool with_port, uint64_t port,
		    int flags, struct endpoint *ep)
{
	const char *end = s + strlen(s);
	char host[128];

	if (*s == '[') {
		s++;
		end = strchr(s, ']');
		if (!end || end[1] != (with_port ? ':' : '\0'))
			return false;
	} else if (with_port) {
		end = strchr(s, ':');
		if (!end || strchr(end + 1, ':'))
			return false;
	}
	if (with_port && !parse_u64(end + (*end == ']') + 1, 65535, &port))
		return false;
	if ((size_t)(end - s) >= sizeof(host))
		return false;
	memcpy(host, s, end - s);
	host[end - s] = '\0';
	return resolve(host, port, flags, ep);
}

int connect_to(const struct endpoint *ep)
{
	int fd = socket(ep->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);

	if (fd >= 0 && connect(fd, (const struct sockaddr *)&ep->addr, ep->len)) {
		close_keep_errno(fd);
		return -1;
	}
	return fd;
}

int listen_on(const struct endpoint *ep)
{
	int fd = socket(ep->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	int one = 1;

	if (fd < 0)
		return -1;
	/* A test harness restarts receivers on the same port at once. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)&ep->addr, ep->len) ||
	    listen(fd, SOMAXCONN)) {
		close_keep_errno(fd);
		return -1;
	}
	return fd;
}
