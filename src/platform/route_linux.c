/* SPDX-License-Identifier: MIT */
/* Route look-up on Linux: one RTM_GETROUTE request over rtnetlink, the
 * question `ip route get DST [from SRC] [oif DEV]` asks. */
#include "platform/route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* The kernel answers a route query with one message of a few hundred bytes;
 * anything that does not fit is treated as an error, never read in part. */
#define ROUTE_BUF 8192

struct route_req {
    struct nlmsghdr nh;
    struct rtmsg rt;
    char attrs[3 * RTA_SPACE(sizeof(struct in6_addr))];
};

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes the message and returns rc (a -errno), for one-line error exits. */
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static size_t addr_len(int family)
{
    return family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
}

/* Appends attribute type with len bytes of data; the buffer is sized for
 * the three address attributes a request can carry. */
static void req_add(struct route_req *req, unsigned short type, const void *data, size_t len)
{
    struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));
    rta->rta_type = type;
    rta->rta_len = (unsigned short)RTA_LENGTH(len);
    memcpy(RTA_DATA(rta), data, len);
    req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_SPACE(len);
}

/* What one RTM_NEWROUTE reply says; fields not in the reply stay zero. */
struct route_reply {
    unsigned char type; /* RTN_UNICAST, RTN_LOCAL, RTN_UNREACHABLE... */
    int oif;
    bool has_prefsrc;
    struct ip_addr prefsrc;
    bool has_gateway;
    struct ip_addr gateway;
};

/* Copies an address attribute of the given family, refusing any payload
 * that is not exactly one address long. */
static bool attr_addr(const struct rtattr *rta, int family, struct ip_addr *out)
{
    if (RTA_PAYLOAD(rta) != addr_len(family))
        return false;
    memset(out, 0, sizeof *out);
    out->family = (sa_family_t)family;
    memcpy(&out->u, RTA_DATA(rta), addr_len(family));
    return true;
}

/* RTA_VIA: a next hop of another family (an IPv4 route through an IPv6
 * router, RFC 5549), struct rtvia followed by the address. */
static bool attr_via(const struct rtattr *rta, struct ip_addr *out)
{
    const struct rtvia *via = RTA_DATA(rta);
    size_t len = RTA_PAYLOAD(rta);
    if (len < sizeof *via)
        return false;
    int family = via->rtvia_family;
    if ((family != AF_INET && family != AF_INET6) || len - sizeof *via != addr_len(family))
        return false;
    memset(out, 0, sizeof *out);
    out->family = (sa_family_t)family;
    memcpy(&out->u, via->rtvia_addr, addr_len(family));
    return true;
}

/* Parses one RTM_NEWROUTE message whose header says it is nlmsg_len bytes
 * long (already checked to lie inside the received data).  Every attribute
 * is bounds-checked by RTA_OK and then for its exact payload size; malformed
 * attributes are ignored, so a reply without a usable RTA_OIF is "no route". */
static int parse_route(const struct nlmsghdr *nh, int family, struct route_reply *out)
{
    memset(out, 0, sizeof *out);
    if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
        return -EBADMSG;
    const struct rtmsg *rt = NLMSG_DATA(nh);
    if (rt->rtm_family != family)
        return -EBADMSG;
    out->type = rt->rtm_type;
    int len = (int)RTM_PAYLOAD(nh);
    for (const struct rtattr *rta = RTM_RTA(rt); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
        switch (rta->rta_type) {
        case RTA_OIF:
            if (RTA_PAYLOAD(rta) == sizeof(uint32_t)) {
                uint32_t oif;
                memcpy(&oif, RTA_DATA(rta), sizeof oif);
                out->oif = oif <= INT32_MAX ? (int)oif : 0;
            }
            break;
        case RTA_PREFSRC:
            out->has_prefsrc = attr_addr(rta, family, &out->prefsrc);
            break;
        case RTA_GATEWAY:
            out->has_gateway = attr_addr(rta, family, &out->gateway);
            break;
        case RTA_VIA:
            out->has_gateway = attr_via(rta, &out->gateway);
            break;
        default:
            break;
        }
    }
    return 0;
}

/* Sends the request and reads the answer: 0 with *reply filled, or the
 * kernel's -errno for the query (e.g. -ENETUNREACH), or another -errno when
 * the conversation itself failed (-EBADMSG: nothing usable came back). */
static int ask_kernel(int fd, struct route_req *req, int family, struct route_reply *reply)
{
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
        return -errno;
    union {
        struct nlmsghdr nh; /* alignment */
        char buf[ROUTE_BUF];
    } u;
    /* Replies to other sequence numbers cannot arrive on a fresh socket; the
     * bound only guards against a kernel that keeps talking. */
    for (int tries = 0; tries < 16; tries++) {
        struct sockaddr_nl from;
        socklen_t fromlen = sizeof from;
        ssize_t n =
            recvfrom(fd, u.buf, sizeof u.buf, MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
        }
        if ((size_t)n > sizeof u.buf)
            return -EMSGSIZE;
        if (fromlen < sizeof from || from.nl_pid != 0)
            continue; /* not from the kernel */
        int len = (int)n;
/* The kernel's NLMSG_OK compares its int length with the header's u32. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
        for (const struct nlmsghdr *nh = &u.nh; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
            if (nh->nlmsg_seq != req->nh.nlmsg_seq)
                continue;
            if (nh->nlmsg_type == NLMSG_ERROR) {
                if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
                    return -EBADMSG;
                const struct nlmsgerr *e = NLMSG_DATA(nh);
                return e->error < 0 ? e->error : -EBADMSG; /* a bare ACK is no answer */
            }
            if (nh->nlmsg_type == RTM_NEWROUTE)
                return parse_route(nh, family, reply);
        }
#pragma GCC diagnostic pop
    }
    return -EBADMSG;
}

/* Route types that mean "you cannot send there". */
static bool type_is_unreachable(unsigned char type)
{
    return type == RTN_UNREACHABLE || type == RTN_BLACKHOLE || type == RTN_PROHIBIT ||
           type == RTN_THROW;
}

/* 0.0.0.0 or ::, what getsockname() gives when no source exists. */
static bool addr_unspecified(const struct ip_addr *a)
{
    return a->family == AF_INET ? a->u.v4.s_addr == htonl(INADDR_ANY)
                                : IN6_IS_ADDR_UNSPECIFIED(&a->u.v6);
}

/* The source address the kernel would pick for a UDP socket connected to
 * dst (connect() on UDP sends nothing), optionally bound to the interface. */
static int udp_source(const struct ip_addr *dst, int ifindex, const char *ifname,
                      struct ip_addr *out)
{
    int fd = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    /* Best effort: older kernels allow SO_BINDTODEVICE to root only. */
    if (ifname)
        (void)setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname));
    struct sockaddr_storage ss;
    socklen_t sslen = ip_addr_sockaddr(dst, 9, &ss);
    if (dst->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&dst->u.v6))
        ((struct sockaddr_in6 *)&ss)->sin6_scope_id = (uint32_t)ifindex;
    int rc = 0;
    if (connect(fd, (struct sockaddr *)&ss, sslen) != 0) {
        rc = -errno;
    } else {
        sslen = sizeof ss;
        if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0)
            rc = -errno;
    }
    close(fd);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    out->family = dst->family;
    if (dst->family == AF_INET)
        out->u.v4 = ((struct sockaddr_in *)&ss)->sin_addr;
    else
        out->u.v6 = ((struct sockaddr_in6 *)&ss)->sin6_addr;
    return 0;
}

/* Fills the interface name and loopback flag of r->ifindex.  SIOCGIFFLAGS
 * works on any socket, the netlink one included. */
static int describe_interface(int fd, struct route *r)
{
    if (!if_indextoname((unsigned)r->ifindex, r->ifname))
        return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, r->ifname, sizeof ifr.ifr_name);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
        return -errno;
    r->loopback = (ifr.ifr_flags & IFF_LOOPBACK) != 0;
    return 0;
}

/* Fills req with the question: the route to dst, out of interface ifindex
 * (0: any), from src (NULL: the kernel's choice). */
static void build_request(struct route_req *req, const struct ip_addr *dst, int ifindex,
                          const struct ip_addr *src, uint32_t seq)
{
    size_t alen = addr_len(dst->family);
    memset(req, 0, sizeof *req);
    req->nh.nlmsg_len = NLMSG_LENGTH(sizeof req->rt);
    req->nh.nlmsg_type = RTM_GETROUTE;
    req->nh.nlmsg_flags = NLM_F_REQUEST;
    req->nh.nlmsg_seq = seq;
    req->rt.rtm_family = (unsigned char)dst->family;
    req->rt.rtm_dst_len = (unsigned char)(alen * 8);
    req_add(req, RTA_DST, &dst->u, alen);
    if (ifindex) {
        uint32_t oif = (uint32_t)ifindex;
        req_add(req, RTA_OIF, &oif, sizeof oif);
    }
    if (src) {
        req->rt.rtm_src_len = (unsigned char)(alen * 8);
        req_add(req, RTA_SRC, &src->u, alen);
    }
}

/* Asks the kernel for the route (see ask_kernel for the result).  The
 * source goes into the question because policy routing may choose by it. */
static int query(int fd, const struct ip_addr *dst, int ifindex, const struct ip_addr *src,
                 struct route_reply *reply)
{
    struct route_req req;
    build_request(&req, dst, ifindex, src, 1);
    int rc = ask_kernel(fd, &req, dst->family, reply);
    if (rc < 0 && src && (rc == -ENETUNREACH || rc == -EINVAL || rc == -EADDRNOTAVAIL)) {
        /* Linux refuses an IPv4 query "from" an address that is not ours, but
         * -S may spoof one: route as if no source were forced, then use it. */
        build_request(&req, dst, ifindex, NULL, 2);
        rc = ask_kernel(fd, &req, dst->family, reply);
    }
    return rc;
}

/* The look-up proper, once the arguments are checked; fd is the netlink
 * socket, ifindex the forced interface or 0. */
static int lookup(int fd, const struct ip_addr *dst, int ifindex, const char *ifname,
                  const struct ip_addr *src, struct route *r, char *err, size_t errlen)
{
    char dbuf[IP_ADDR_STRLEN];
    const char *dstr = ip_addr_str(dst, dbuf);
    struct route_reply reply;
    int rc = query(fd, dst, ifindex, src, &reply);
    const char *via = ifname ? " on interface " : "";
    const char *vianame = ifname ? ifname : "";
    if (rc == -ENETUNREACH || rc == -EHOSTUNREACH || rc == -EACCES || rc == -EINVAL || rc == -EPERM)
        return fail(err, errlen, -ENETUNREACH, "no route to %s%s%s (%s)", dstr, via, vianame,
                    strerror(-rc));
    if (rc < 0)
        return fail(err, errlen, rc, "route lookup for %s failed: %s", dstr, strerror(-rc));
    if (type_is_unreachable(reply.type) || reply.oif <= 0)
        return fail(err, errlen, -ENETUNREACH, "no route to %s%s%s", dstr, via, vianame);

    memset(r, 0, sizeof *r);
    r->ifindex = reply.oif;
    rc = describe_interface(fd, r);
    if (rc < 0)
        return fail(err, errlen, rc, "route to %s: interface %d: %s", dstr, reply.oif,
                    strerror(-rc));
    r->has_gateway = reply.has_gateway;
    r->gateway = reply.gateway;
    if (src) {
        r->src = *src;
    } else if (reply.has_prefsrc) {
        r->src = reply.prefsrc;
    } else {
        rc = udp_source(dst, r->ifindex, ifname, &r->src);
        if (rc == 0 && addr_unspecified(&r->src))
            rc = -EADDRNOTAVAIL;
        if (rc < 0)
            return fail(err, errlen, rc, "no source address for %s on %s: %s", dstr, r->ifname,
                        strerror(-rc));
    }
    return 0;
}

int route_lookup(const struct ip_addr *dst, const char *ifname, const struct ip_addr *src,
                 struct route *r, char *err, size_t errlen)
{
    char abuf[IP_ADDR_STRLEN];
    if (dst->family != AF_INET && dst->family != AF_INET6)
        return fail(err, errlen, -EAFNOSUPPORT, "route lookup: unknown address family %d",
                    dst->family);
    if (src && src->family != dst->family)
        return fail(err, errlen, -EINVAL, "source address %s is not %s like the target",
                    ip_addr_str(src, abuf), dst->family == AF_INET ? "IPv4" : "IPv6");
    int ifindex = 0;
    if (ifname) {
        if (strlen(ifname) < IF_NAMESIZE)
            ifindex = (int)if_nametoindex(ifname);
        if (ifindex <= 0)
            return fail(err, errlen, -ENODEV, "interface %s does not exist", ifname);
    }

    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        int e = errno;
        return fail(err, errlen, -e, "route lookup: netlink socket: %s", strerror(e));
    }
    /* The kernel answers within the send; the timeout only keeps a lost
     * reply from hanging the scan. */
    struct timeval tv = {.tv_sec = 2};
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int rc = lookup(fd, dst, ifindex, ifname, src, r, err, errlen);
    close(fd);
    return rc;
}
