/* SPDX-License-Identifier: MIT */
/* One IPv4 or IPv6 address, plus the conversions every module needs. */
#ifndef PORTSCOUT_ADDR_H
#define PORTSCOUT_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

struct ip_addr {
    sa_family_t family; /* AF_INET or AF_INET6 */
    union {
        struct in_addr v4;
        struct in6_addr v6;
    } u;
};

#define IP_ADDR_STRLEN INET6_ADDRSTRLEN

bool ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b);
/* Text form into buf (at least IP_ADDR_STRLEN bytes); returns buf. */
const char *ip_addr_str(const struct ip_addr *a, char *buf);
/* Fill a sockaddr for addr:port; returns its length. */
socklen_t ip_addr_sockaddr(const struct ip_addr *a, unsigned port, struct sockaddr_storage *ss);
/* Parse a literal of the given family (AF_UNSPEC: either). 0 or -EINVAL. */
int ip_addr_parse(const char *s, int family, struct ip_addr *out);
/* The addresses configured on this machine's interfaces (malloc'd array;
 * 0 entries when they cannot be read). */
size_t ip_addr_locals(struct ip_addr **out);
/* True for this machine's own addresses, which need no discovery probe:
 * loopback, or one of `locals`. */
bool ip_addr_is_local(const struct ip_addr *a, const struct ip_addr *locals, size_t nlocals);

#endif
