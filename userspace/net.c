// SPDX-License-Identifier: GPL-2.0
/*
 * TCP endpoints: parsing, resolving (getaddrinfo), connecting and listening.
 */
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "net.h"

static int resolve(const struct command *c, const char *host, uint64_t port,
		   int flags, struct endpoint *ep)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG | flags,
		.ai_socktype = SOCK_STREAM,
		.ai_protocol = IPPROTO_TCP,
	};
	char service[8];
	int err;

	snprintf(service, sizeof(service), "%" PRIu64, port);
	err = getaddrinfo(host, service, &hints, &ep->ai);
	/* A machine with loopback only has no address AI_ADDRCONFIG counts. */
	if (err == EAI_NONAME || err == EAI_ADDRFAMILY) {
		hints.ai_flags &= ~AI_ADDRCONFIG;
		err = getaddrinfo(host, service, &hints, &ep->ai);
	}
	if (!err)
		return CONTINUE;
	ep->ai = NULL;
	if (err == EAI_SYSTEM)
		return fail("%s: resolve '%s'", c->name, host);
	fprintf(stderr, "zcopyctl: %s: resolve '%s': %s\n", c->name, host,
		gai_strerror(err));
	return EXIT_RUNTIME;
}

int parse_endpoint(const struct command *c, const char *s, bool with_port,
		   uint64_t port, int flags, struct endpoint *ep)
{
	const char *start = s, *end = s + strlen(s);
	char host[256];

	ep->ai = NULL;
	if (*s == '[') {
		s++;
		end = strchr(s, ']');
		if (!end || end[1] != (with_port ? ':' : '\0'))
			goto bad;
	} else if (with_port) {
		end = strrchr(s, ':');
		if (!end || memchr(s, ':', end - s))
			goto bad;
	}
	if (with_port && !parse_u64(end + (*end == ']') + 1, 65535, &port))
		goto bad;
	if (end == s || (size_t)(end - s) >= sizeof(host))
		goto bad;
	memcpy(host, s, end - s);
	host[end - s] = '\0';
	return resolve(c, host, port, flags, ep);
bad:
	return usage_error(c, with_port ?
			   "bad address '%s' (want HOST:PORT, IPv4:PORT or [IPv6]:PORT)" :
			   "bad address '%s' (want a host name, IPv4 or IPv6 address)",
			   start);
}

void free_endpoint(struct endpoint *ep)
{
	if (ep->ai)
		freeaddrinfo(ep->ai);
	ep->ai = NULL;
}

int connect_to(const struct endpoint *ep)
{
	int fd = -1;

	for (const struct addrinfo *ai = ep->ai; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
		if (fd < 0)
			continue;
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			return fd;
		close_keep_errno(fd);
		fd = -1;
	}
	return fd;
}

int listen_on(const struct endpoint *ep)
{
	const struct addrinfo *ai = ep->ai;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	int one = 1;

	if (fd < 0)
		return -1;
	/* A test harness restarts receivers on the same port at once. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) ||
	    listen(fd, SOMAXCONN)) {
		close_keep_errno(fd);
		return -1;
	}
	return fd;
}

int bound_address(int fd, char *host, size_t host_len, unsigned int *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char serv[8];

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	int err = getnameinfo((struct sockaddr *)&ss, len, host, host_len,
			      serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV);
	if (err) {
		errno = err == EAI_SYSTEM ? errno : EINVAL;
		return -1;
	}
	*port = strtoul(serv, NULL, 10);
	return 0;
}
