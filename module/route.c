// SPDX-License-Identifier: GPL-2.0
/* What the egress device of a socket's route can do. */
#include <linux/netdevice.h>
#include <net/dst.h>
#include <net/sock.h>

#include "zcopy.h"

/*
 * What the socket's egress device can do, from its cached route.  Looked at
 * under RCU, as sk_dst_get() does, without taking a reference: nothing of
 * the route is kept.
 */
u32 zcopy_route_sample(struct sock *sk, u32 *ifindex)
{
	netdev_features_t features;
	struct net_device *dev;
	struct dst_entry *dst;
	u32 route = 0;

	rcu_read_lock();
	dst = rcu_dereference(sk->sk_dst_cache);
	dev = dst ? READ_ONCE(dst->dev) : NULL;
	if (dev) {
		/*
		 * Not sk_route_caps: TCP forces NETIF_F_SG in there whenever
		 * GSO is usable, and the copy then happens at transmit time.
		 */
		features = READ_ONCE(dev->features);
		route = ZCOPY_ROUTE_KNOWN;
		if (features & NETIF_F_SG)
			route |= ZCOPY_ROUTE_SG;
		if (features & NETIF_F_CSUM_MASK)
			route |= ZCOPY_ROUTE_CSUM;
		*ifindex = dev->ifindex;
	}
	rcu_read_unlock();
	return route;
}
