/* SPDX-License-Identifier: MIT */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <string.h>

#include "lib/xalloc.h"

bool ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
    if (a->family != b->family)
        return false;
    if (a->family == AF_INET)
        return a->u.v4.s_addr == b->u.v4.s_addr;
    return memcmp(&a->u.v6, &b->u.v6, sizeof a->u.v6) == 0;
}

/* Dotted quad without inet_ntop, whose sprintf is most of the cost of
 * listing a /8 (-sL writes 16.7 million of them). */
static void v4_str(uint32_t v, char *buf)
{
    for (int i = 0; i < 4; i++) {
        unsigned o = (v >> (24 - 8 * i)) & 0xff;
        if (o >= 100)
            *buf++ = (char)('0' + o / 100);
        if (o >= 10)
            *buf++ = (char)('0' + o / 10 % 10);
        *buf++ = (char)('0' + o % 10);
        *buf++ = i < 3 ? '.' : '\0';
    }
}

const char *ip_addr_str(const struct ip_addr *a, char *buf)
{
    if (a->family == AF_INET) {
        v4_str(ntohl(a->u.v4.s_addr), buf);
        return buf;
    }
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

size_t ip_addr_locals(struct ip_addr **out)
{
    struct ifaddrs *ifs, *i;
    size_t n = 0;
    *out = NULL;
    if (getifaddrs(&ifs) != 0)
        return 0;
    for (i = ifs; i; i = i->ifa_next)
        n += i->ifa_addr && (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6);
    *out = xcalloc(n, sizeof **out);
    n = 0;
    for (i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr)
            continue;
        struct ip_addr *a = &(*out)[n];
        if (i->ifa_addr->sa_family == AF_INET) {
            a->family = AF_INET;
            a->u.v4 = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
            n++;
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            a->family = AF_INET6;
            a->u.v6 = ((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
            n++;
        }
    }
    freeifaddrs(ifs);
    return n;
}

bool ip_addr_is_local(const struct ip_addr *a, const struct ip_addr *locals, size_t nlocals)
{
    if (a->family == AF_INET && (ntohl(a->u.v4.s_addr) >> 24) == 127)
        return true;
    if (a->family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&a->u.v6))
        return true;
    for (size_t i = 0; i < nlocals; i++)
        if (ip_addr_equal(a, &locals[i]))
            return true;
    return false;
}
