// SPDX-License-Identifier: GPL-2.0
/* What the egress device of a socket's route can do. */
#include <linux/netdevice.h>
#include <net/dst.h>
#include <net/sock.h>

#include "zcopy.h"

/* What the socket's egress device can do, from its cached route. */
u32 zcopy_route_sample(struct sock *sk, u32 *ifindex)
{
	struct dst_entry *dst = sk_dst_get(sk);
	netdev_features_t features;
	u32 route = ZCOPY_ROUTE_KNOWN;

	if (!dst)
		return 0;
	if (!dst->dev) {
		dst_release(dst);
		return 0;
	}
	/*
	 * Not sk_route_caps: TCP forces NETIF_F_SG in there whenever GSO is
	 * usable, and the copy then happens at transmit time instead.
	 */
	features = READ_ONCE(dst->dev->features);
	if (features & NETIF_F_SG)
		route |= ZCOPY_ROUTE_SG;
	if (features & NETIF_F_CSUM_MASK)
		route |= ZCOPY_ROUTE_CSUM;
	*ifindex = dst->dev->ifindex;
	dst_release(dst);
	return route;
}
