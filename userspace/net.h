/* SPDX-License-Identifier: GPL-2.0 */
/* TCP endpoints for "zcopyctl send" and "zcopyctl recv": numeric only. */
#ifndef ZCOPY_NET_H
#define ZCOPY_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct endpoint {
	struct sockaddr_storage addr;
	socklen_t len;
};

/*
 * host is "1.2.3.4" or "[::1]"; port follows after a colon when with_port.
 * An unbracketed IPv6 address is refused only where a port must follow,
 * since there its last group could not be told from the port.
 */
bool parse_endpoint(const char *s, bool with_port, uint64_t port,
		    int flags, struct endpoint *ep);
/* A connected or listening socket, or -1 with errno. */
int connect_to(const struct endpoint *ep);
int listen_on(const struct endpoint *ep);

#endif /* ZCOPY_NET_H */
