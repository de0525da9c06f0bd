/* SPDX-License-Identifier: MIT */
/* Which way the kernel would send a packet to an address: the outgoing
 * interface and the source address it would pick (Linux: an RTM_GETROUTE
 * query over rtnetlink, the same answer `ip route get ADDR` prints).  -e and
 * -S override the interface and the source. */
#ifndef PORTSCOUT_ROUTE_H
#define PORTSCOUT_ROUTE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

struct route {
    int ifindex;
    char ifname[IF_NAMESIZE];
    struct ip_addr src;      /* source address for packets to dst */
    bool has_gateway;
    struct ip_addr gateway;  /* next hop, when not on-link */
    bool loopback;           /* the interface is a loopback one */
};

/* Look up the route to dst.  ifname (or NULL) forces the interface (-e);
 * src (or NULL) forces the source address (-S), which must then be of
 * dst's family.  0 with r filled, or -errno with a message in err, e.g.
 * "no route to 192.0.2.1" or "interface eth7 does not exist". */
int route_lookup(const struct ip_addr *dst, const char *ifname, const struct ip_addr *src,
                 struct route *r, char *err, size_t errlen);

#endif
