/* SPDX-License-Identifier: MIT */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <string.h>

bool ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
    if (a->family != b->family)
        return false;
    if (a->family == AF_INET)
        return a->u.v4.s_addr == b->u.v4.s_addr;
    return memcmp(&a->u.v6, &b->u.v6, sizeof a->u.v6) == 0;
}

const char *ip_addr_str(const struct ip_addr *a, char *buf)
{
    if (!inet_ntop(a->family, &a->u, buf, IP_ADDR_STRLEN))
        strcpy(buf, "?");
    return buf;
}

socklen_t ip_addr_sockaddr(const struct ip_addr *a, unsigned port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (a->family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        sin->sin_addr = a->u.v4;
        return sizeof *sin;
    }
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)port);
    sin6->sin6_addr = a->u.v6;
    return sizeof *sin6;
}

int ip_addr_parse(const char *s, int family, struct ip_addr *out)
{
    memset(out, 0, sizeof *out);
    if (family != AF_INET6 && inet_pton(AF_INET, s, &out->u.v4) == 1) {
        out->family = AF_INET;
        return 0;
    }
    if (family != AF_INET && inet_pton(AF_INET6, s, &out->u.v6) == 1) {
        out->family = AF_INET6;
        return 0;
    }
    return -EINVAL;
}

bool ip_addr_is_local(const struct ip_addr *a)
{
    if (a->family == AF_INET && (ntohl(a->u.v4.s_addr) >> 24) == 127)
        return true;
    if (a->family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&a->u.v6))
        return true;
    struct ifaddrs *ifs, *i;
    if (getifaddrs(&ifs) != 0)
        return false;
    bool found = false;
    for (i = ifs; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != a->family)
            continue;
        if (a->family == AF_INET)
            found = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == a->u.v4.s_addr;
        else
            found = memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, &a->u.v6,
                           sizeof a->u.v6) == 0;
    }
    freeifaddrs(ifs);
    return found;
}
