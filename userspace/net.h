/* SPDX-License-Identifier: GPL-2.0 */
/* TCP endpoints for "zcopyctl send" and "zcopyctl recv": names or numbers. */
#ifndef ZCOPY_NET_H
#define ZCOPY_NET_H

#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct command;

struct endpoint {
	struct addrinfo *ai;	/* every address the host resolved to, in order */
};

/*
 * host is a name ("localhost"), "1.2.3.4", "::1" or "[::1]"; the port
 * follows after a colon when with_port ("localhost:9000", "[::1]:9000").
 * An unbracketed IPv6 address is refused only where a port must follow,
 * since there its last group could not be told from the port.  Resolved
 * with getaddrinfo(3) (flags: AI_PASSIVE for listening).  Returns CONTINUE,
 * or the exit status after a message: EXIT_USAGE for a malformed address,
 * EXIT_RUNTIME for a host that does not resolve.
 */
int parse_endpoint(const struct command *c, const char *s, bool with_port,
		   uint64_t port, int flags, struct endpoint *ep);
void free_endpoint(struct endpoint *ep);
/* A socket connected to the first address that accepts, or -1 with errno. */
int connect_to(const struct endpoint *ep);
/* A socket listening on the first address, or -1 with errno. */
int listen_on(const struct endpoint *ep);
/* The numeric address and port a socket is bound to; 0 or -1 with errno. */
int bound_address(int fd, char *host, size_t host_len, unsigned int *port);

#endif /* ZCOPY_NET_H */
