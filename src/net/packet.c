/* SPDX-License-Identifier: MIT */
/* Building probes (TCP, discovery), decoding captured replies, describing
 * packets.
 *
 * Captured bytes are read one byte at a time (rd16/rd32, memcpy for
 * addresses): no struct is ever laid over a capture, so alignment and
 * padding never matter, and every read is preceded by a length check. */
#include "net/packet.h"

#include <netinet/in.h>
#include <pcap/dlt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* What pcap files call raw IP; live Linux captures report DLT_RAW. */
#define LINKTYPE_RAW_ 101

#define ETHERTYPE_IPV4_ 0x0800
#define ETHERTYPE_IPV6_ 0x86dd
#define ETHERTYPE_8021Q_ 0x8100
#define ETHERTYPE_8021AD_ 0x88a8
#define ETHERTYPE_QINQ_OLD_ 0x9100
#define ETHERTYPE_ARP_ 0x0806
#define ARPHRD_ETHER_ 1

#define IP4_HDR 20
#define IP6_HDR 40
#define TCP_HDR 20
#define ICMP_HDR 8
#define UDP_HDR 8
#define ICMP_TSTAMP_LEN 20 /* header, originate, receive, transmit */
#define ICMP_MASK_LEN 12   /* header, mask */
#define IGMP_LEN 8
#define SCTP_HDR 12
#define SCTP_INIT_LEN 20
#define ND_NS_LEN 24 /* type, code, checksum, reserved, target */
#define ND_NA_LEN 24 /* type, code, checksum, flags, reserved, target */
#define ND_OPT_SLL 1 /* source link-layer address option */
#define ND_OPT_TLL 2 /* target link-layer address option */

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, (uint16_t)(v >> 16));
    wr16(p + 2, (uint16_t)v);
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* ---- checksums and building ---- */

uint16_t pkt_cksum(const void *data, size_t len, uint32_t initial)
{
    const uint8_t *p = data;
    uint64_t sum = initial;
    for (; len >= 2; p += 2, len -= 2)
        sum += (uint32_t)p[0] << 8 | p[1];
    if (len)
        sum += (uint32_t)p[0] << 8; /* an odd byte is padded with a zero */
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* The sum of the pseudo-header that TCP and UDP checksums cover. */
static uint32_t pseudo_sum(const struct ip_addr *src, const struct ip_addr *dst, uint8_t proto,
                           size_t len)
{
    uint8_t ph[40] = {0};
    if (src->family == AF_INET) {
        memcpy(ph, &src->u.v4, 4);
        memcpy(ph + 4, &dst->u.v4, 4);
        ph[9] = proto;
        wr16(ph + 10, (uint16_t)len);
        return pkt_cksum(ph, 12, 0);
    }
    memcpy(ph, &src->u.v6, 16);
    memcpy(ph + 16, &dst->u.v6, 16);
    wr32(ph + 32, (uint32_t)len);
    ph[39] = proto;
    return pkt_cksum(ph, 40, 0);
}

/* ---- IP and transport headers ---- */

static void build_ip4(uint8_t *p, const struct pkt_ip_spec *s, uint8_t proto, size_t total)
{
    p[0] = 0x45; /* version 4, 5 words of header */
    p[1] = 0;    /* TOS */
    wr16(p + 2, (uint16_t)total);
    wr16(p + 4, s->ipid);
    wr16(p + 6, 0); /* no flags (DF clear), offset 0 */
    p[8] = s->ttl;
    p[9] = proto;
    wr16(p + 10, 0);
    memcpy(p + 12, &s->src.u.v4, 4);
    memcpy(p + 16, &s->dst.u.v4, 4);
    wr16(p + 10, (uint16_t)~pkt_cksum(p, IP4_HDR, 0));
}

static void build_ip6(uint8_t *p, const struct pkt_ip_spec *s, uint8_t proto, size_t payload)
{
    wr32(p, 6u << 28 | (s->flowlabel & 0xfffff)); /* traffic class 0 */
    wr16(p + 4, (uint16_t)payload);
    p[6] = proto;
    p[7] = s->ttl;
    memcpy(p + 8, &s->src.u.v6, 16);
    memcpy(p + 24, &s->dst.u.v6, 16);
}

/* The IP header's length for the spec's family, 0 if the spec is invalid. */
static size_t ip_hdr_len(const struct pkt_ip_spec *s)
{
    if (!s || s->src.family != s->dst.family)
        return 0;
    if (s->src.family == AF_INET)
        return IP4_HDR;
    if (s->src.family == AF_INET6)
        return IP6_HDR;
    return 0;
}

/* Start a packet of l4len transport bytes: checks that it fits both cap and
 * the 16-bit length fields (IPv4's counts its header, IPv6's not), zeroes
 * it and writes the IP header.  Returns the whole length, 0 if it cannot
 * be built; the transport layer starts at buf + the header length. */
static size_t ip_start(uint8_t *buf, size_t cap, const struct pkt_ip_spec *s, uint8_t proto,
                       size_t l4len)
{
    size_t iphl = ip_hdr_len(s);
    if (!buf || !iphl || l4len > 0xffff - (iphl == IP4_HDR ? IP4_HDR : 0))
        return 0;
    size_t total = iphl + l4len;
    if (total > cap)
        return 0;
    memset(buf, 0, total);
    if (iphl == IP4_HDR)
        build_ip4(buf, s, proto, total);
    else
        build_ip6(buf, s, proto, l4len);
    return total;
}

/* The checksum to write for transport bytes l4 whose checksum field is
 * zero: over the pseudo-header when the protocol has one (TCP, UDP,
 * ICMPv6), made wrong on purpose for --badsum.  Adding one makes it wrong
 * unless the right value is 0xffff, whose + 1 is 0, the same number in
 * ones' complement; it never is, since that needs a folded sum of 0, i.e.
 * all-zero bytes, and the pseudo-header's protocol word or the ICMP/IGMP
 * type byte is not zero. */
static uint16_t l4_cksum(const struct pkt_ip_spec *s, uint8_t proto, const uint8_t *l4,
                         size_t len, bool pseudo)
{
    uint32_t init = pseudo ? pseudo_sum(&s->src, &s->dst, proto, len) : 0;
    uint16_t sum = (uint16_t)~pkt_cksum(l4, len, init);
    if (s->badsum)
        sum = (uint16_t)(sum + 1);
    return sum;
}

static struct pkt_ip_spec ip_of_tcp(const struct pkt_tcp_spec *s)
{
    return (struct pkt_ip_spec){.src = s->src, .dst = s->dst, .ttl = s->ttl, .ipid = s->ipid,
                                .flowlabel = s->flowlabel, .badsum = s->badsum};
}

size_t pkt_build_tcp(uint8_t *buf, size_t cap, const struct pkt_tcp_spec *s)
{
    if (!s || s->optlen > 40 || (s->optlen && !s->opts) || (s->datalen && !s->data))
        return 0;
    struct pkt_ip_spec ip = ip_of_tcp(s);
    size_t tcphl = TCP_HDR + ((s->optlen + 3) & ~(size_t)3);
    if (s->datalen > 0xffff)
        return 0;
    size_t seglen = tcphl + s->datalen;
    size_t total = ip_start(buf, cap, &ip, IPPROTO_TCP, seglen);
    if (!total)
        return 0;

    uint8_t *t = buf + (total - seglen);
    wr16(t, s->sport);
    wr16(t + 2, s->dport);
    wr32(t + 4, s->seq);
    wr32(t + 8, s->ack);
    t[12] = (uint8_t)(tcphl / 4 << 4);
    t[13] = s->flags;
    wr16(t + 14, s->win);
    /* checksum (16) and urgent pointer (18) stay zero */
    if (s->optlen)
        memcpy(t + TCP_HDR, s->opts, s->optlen); /* padding: zeros, i.e. EOL */
    if (s->datalen)
        memcpy(t + tcphl, s->data, s->datalen);
    wr16(t + 16, l4_cksum(&ip, IPPROTO_TCP, t, seglen, true));
    return total;
}


size_t pkt_build_icmp_query(uint8_t *buf, size_t cap, const struct pkt_ip_spec *ip,
                            enum pkt_icmp_query q, uint16_t id, uint16_t seq,
                            const uint8_t *data, size_t datalen)
{
    static const uint8_t types[] = {[PKT_Q_ECHO] = 8, [PKT_Q_TIMESTAMP] = 13, [PKT_Q_MASK] = 17};
    static const size_t lens[] = {[PKT_Q_ECHO] = ICMP_HDR, [PKT_Q_TIMESTAMP] = ICMP_TSTAMP_LEN,
                                  [PKT_Q_MASK] = ICMP_MASK_LEN};
    if (!ip || (unsigned)q > PKT_Q_MASK || (datalen && (!data || q != PKT_Q_ECHO)))
        return 0;
    bool v6 = ip->dst.family == AF_INET6;
    if (v6 && q != PKT_Q_ECHO)
        return 0;
    if (datalen > 0xffff)
        return 0;
    uint8_t proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
    size_t l4len = lens[q] + datalen;
    size_t total = ip_start(buf, cap, ip, proto, l4len);
    if (!total)
        return 0;
    uint8_t *m = buf + (total - l4len);
    m[0] = v6 ? 128 : types[q];
    wr16(m + 4, id);
    wr16(m + 6, seq);
    if (datalen)
        memcpy(m + ICMP_HDR, data, datalen);
    wr16(m + 2, l4_cksum(ip, proto, m, l4len, v6));
    return total;
}

size_t pkt_build_udp(uint8_t *buf, size_t cap, const struct pkt_ip_spec *ip, uint16_t sport,
                     uint16_t dport, const uint8_t *data, size_t datalen)
{
    if ((datalen && !data) || datalen > 0xffff - UDP_HDR)
        return 0;
    size_t l4len = UDP_HDR + datalen;
    size_t total = ip_start(buf, cap, ip, IPPROTO_UDP, l4len);
    if (!total)
        return 0;
    uint8_t *u = buf + (total - l4len);
    wr16(u, sport);
    wr16(u + 2, dport);
    wr16(u + 4, (uint16_t)l4len);
    if (datalen)
        memcpy(u + UDP_HDR, data, datalen);
    uint16_t sum = l4_cksum(ip, IPPROTO_UDP, u, l4len, true);
    /* zero means "no checksum": a computed zero goes out as its twin
     * 0xffff, and --badsum must not land on it either */
    if (sum == 0)
        sum = ip->badsum ? 1 : 0xffff;
    wr16(u + 6, sum);
    return total;
}

/* ---- IP protocol pings ---- */


/* CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), which SCTP uses
 * instead of the Internet checksum (RFC 9260 appendix A).  Bit by bit: we
 * compute it for one small probe at a time. */
static uint32_t crc32c(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffff;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = crc >> 1 ^ (0x82f63b78 & (0u - (crc & 1)));
    }
    return ~crc;
}

static size_t ipproto_igmp(uint8_t *buf, size_t cap, const struct pkt_ip_spec *ip)
{
    size_t total = ip_start(buf, cap, ip, IPPROTO_IGMP, IGMP_LEN);
    if (!total)
        return 0;
    uint8_t *g = buf + IP4_HDR;
    /* an IGMPv2 general query (group 0); a non-zero maximum response time
     * keeps IGMPv1 hosts' compatibility mode out of it (RFC 2236 4) */
    g[0] = 0x11;
    g[1] = 100; /* tenths of a second */
    wr16(g + 2, l4_cksum(ip, IPPROTO_IGMP, g, IGMP_LEN, false));
    return total;
}

static size_t ipproto_sctp(uint8_t *buf, size_t cap, const struct pkt_ip_spec *ip,
                           uint16_t sport, uint32_t tag)
{
    size_t l4len = SCTP_HDR + SCTP_INIT_LEN;
    size_t total = ip_start(buf, cap, ip, IPPROTO_SCTP, l4len);
    if (!total)
        return 0;
    uint8_t *h = buf + (total - l4len), *c = h + SCTP_HDR;
    wr16(h, sport);
    wr16(h + 2, PKT_IPPROTO_SCTP_PORT);
    /* verification tag 0: an INIT's (RFC 9260 8.5.1) */
    c[0] = 1; /* INIT */
    wr16(c + 2, SCTP_INIT_LEN);
    wr32(c + 4, tag ? tag : 1);    /* initiate tag: never 0 */
    wr32(c + 8, 65535);            /* advertised receiver window */
    wr16(c + 12, 10);              /* outbound streams */
    wr16(c + 14, 2048);            /* maximum inbound streams */
    wr32(c + 16, tag ? tag : 1);   /* initial TSN */
    uint32_t crc = crc32c(h, l4len);
    if (ip->badsum)
        crc++;
    /* the CRC goes out least significant byte first (RFC 9260 appendix A) */
    for (int i = 0; i < 4; i++)
        h[8 + i] = (uint8_t)(crc >> (8 * i));
    return total;
}

size_t pkt_build_ipproto(uint8_t *buf, size_t cap, const struct pkt_ip_spec *ip, uint8_t proto,
                         uint16_t sport, uint16_t id, uint16_t seq)
{
    size_t iphl = ip_hdr_len(ip);
    if (!iphl)
        return 0;
    bool v6 = iphl == IP6_HDR;
    uint32_t idseq = (uint32_t)id << 16 | seq;
    if ((proto == IPPROTO_ICMP && !v6) || (proto == IPPROTO_ICMPV6 && v6))
        return pkt_build_icmp_query(buf, cap, ip, PKT_Q_ECHO, id, seq, NULL, 0);
    if (proto == IPPROTO_IGMP && !v6)
        return ipproto_igmp(buf, cap, ip);
    if (proto == IPPROTO_UDP)
        return pkt_build_udp(buf, cap, ip, sport, PKT_IPPROTO_UDP_PORT, NULL, 0);
    if (proto == IPPROTO_SCTP)
        return ipproto_sctp(buf, cap, ip, sport, idseq);
    if (proto == IPPROTO_TCP) {
        struct pkt_tcp_spec t = {.src = ip->src, .dst = ip->dst, .sport = sport,
                                 .dport = PKT_IPPROTO_TCP_PORT, .seq = idseq, .ack = idseq,
                                 .flags = TH_ACK_, .win = 1024, .ttl = ip->ttl,
                                 .ipid = ip->ipid, .flowlabel = ip->flowlabel,
                                 .badsum = ip->badsum};
        return pkt_build_tcp(buf, cap, &t);
    }
    return ip_start(buf, cap, ip, proto, 0);
}

/* ---- ARP and neighbor discovery ---- */

size_t pkt_build_arp_request(uint8_t *buf, size_t cap, const uint8_t smac[6],
                             const struct ip_addr *sip, const struct ip_addr *tip)
{
    if (!buf || cap < PKT_ARP_LEN || !smac || !sip || !tip || sip->family != AF_INET ||
        tip->family != AF_INET)
        return 0;
    memset(buf, 0, PKT_ARP_LEN);
    wr16(buf, ARPHRD_ETHER_);
    wr16(buf + 2, ETHERTYPE_IPV4_);
    buf[4] = 6; /* hardware address length */
    buf[5] = 4; /* protocol address length */
    wr16(buf + 6, 1); /* request */
    memcpy(buf + 8, smac, 6);
    memcpy(buf + 14, &sip->u.v4, 4);
    /* target hardware address (18): unknown, zero */
    memcpy(buf + 24, &tip->u.v4, 4);
    return PKT_ARP_LEN;
}

void pkt_solicited_node(const struct ip_addr *a, struct ip_addr *out)
{
    static const uint8_t prefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff};
    struct ip_addr r = {.family = AF_INET6};
    memcpy(r.u.v6.s6_addr, prefix, sizeof prefix);
    memcpy(r.u.v6.s6_addr + 13, a->u.v6.s6_addr + 13, 3);
    *out = r;
}

size_t pkt_build_nd_solicit(uint8_t *buf, size_t cap, const struct ip_addr *src,
                            const struct ip_addr *target, const uint8_t smac[6])
{
    if (!src || !target || !smac || src->family != AF_INET6 || target->family != AF_INET6)
        return 0;
    struct pkt_ip_spec ip = {.src = *src, .ttl = 255};
    pkt_solicited_node(target, &ip.dst);
    bool opt = !IN6_IS_ADDR_UNSPECIFIED(&src->u.v6);
    size_t l4len = ND_NS_LEN + (opt ? 8 : 0);
    size_t total = ip_start(buf, cap, &ip, IPPROTO_ICMPV6, l4len);
    if (!total)
        return 0;
    uint8_t *m = buf + IP6_HDR;
    m[0] = 135;
    memcpy(m + 8, &target->u.v6, 16);
    if (opt) {
        m[ND_NS_LEN] = ND_OPT_SLL;
        m[ND_NS_LEN + 1] = 1; /* in units of 8 bytes */
        memcpy(m + ND_NS_LEN + 2, smac, 6);
    }
    wr16(m + 2, l4_cksum(&ip, IPPROTO_ICMPV6, m, l4len, true));
    return total;
}

/* ---- decoding ---- */

/* One IP header, decoded: the layer shared by parsing, by the ICMP quote
 * and by describing. */
struct ip_view {
    int version; /* 4 or 6 */
    struct ip_addr src, dst;
    uint8_t ttl;
    uint8_t proto;    /* IPv6: the header after the extension headers */
    uint16_t id;      /* IPv4 */
    uint32_t flow;    /* IPv6 */
    uint16_t fragoff; /* in 8-byte units: non-zero, l4 is not a header */
    size_t totlen;    /* as the header claims (IPv6: 40 + payload length) */
    size_t len;       /* what we have of it: min(available, totlen) */
    const uint8_t *l4;
    size_t l4len;
};

static int ip4_view(const uint8_t *p, size_t avail, bool quoted, struct ip_view *v)
{
    if (avail < IP4_HDR)
        return -1;
    size_t hl = (size_t)(p[0] & 0x0f) * 4;
    if (hl < IP4_HDR || hl > avail)
        return -1;
    v->totlen = rd16(p + 2);
    if (quoted) {
        /* a quote ends where the ICMP message ends, whatever the
         * original's length (which some stacks even mangle) */
        v->len = avail;
    } else {
        if (v->totlen < hl)
            return -1;
        v->len = min_size(avail, v->totlen);
    }
    v->version = 4;
    v->id = rd16(p + 4);
    v->fragoff = rd16(p + 6) & 0x1fff;
    v->ttl = p[8];
    v->proto = p[9];
    v->src.family = v->dst.family = AF_INET;
    memcpy(&v->src.u.v4, p + 12, 4);
    memcpy(&v->dst.u.v4, p + 16, 4);
    v->l4 = p + hl;
    v->l4len = v->len - hl;
    return 0;
}

/* Walk the IPv6 extension headers we know, from the fixed header up to
 * the first other one (the transport, or no-next-header).  Stops early at
 * a fragment header with a non-zero offset: what follows is not a header. */
static int ip6_walk(const uint8_t *p, size_t len, struct ip_view *v)
{
    size_t off = IP6_HDR;
    uint8_t nh = p[6];
    for (;;) {
        switch (nh) {
        case IPPROTO_HOPOPTS:
        case IPPROTO_ROUTING:
        case IPPROTO_DSTOPTS: {
            if (len - off < 8)
                return -1;
            size_t hl = ((size_t)p[off + 1] + 1) * 8;
            if (hl > len - off)
                return -1;
            nh = p[off];
            off += hl;
            break;
        }
        case IPPROTO_FRAGMENT:
            if (len - off < 8)
                return -1;
            v->fragoff = rd16(p + off + 2) >> 3;
            nh = p[off];
            off += 8;
            if (v->fragoff)
                goto out;
            break;
        default:
            goto out;
        }
    }
out:
    v->proto = nh;
    v->l4 = p + off;
    v->l4len = len - off;
    return 0;
}

static int ip6_view(const uint8_t *p, size_t avail, bool quoted, struct ip_view *v)
{
    if (avail < IP6_HDR)
        return -1;
    v->totlen = IP6_HDR + (size_t)rd16(p + 4);
    v->len = quoted ? avail : min_size(avail, v->totlen);
    v->version = 6;
    v->flow = rd32(p) & 0xfffff;
    v->ttl = p[7];
    v->src.family = v->dst.family = AF_INET6;
    memcpy(&v->src.u.v6, p + 8, 16);
    memcpy(&v->dst.u.v6, p + 24, 16);
    return ip6_walk(p, v->len, v);
}

/* Decode the IP header at p (avail bytes captured).  quoted: it is the
 * copy inside an ICMP error, whose length field describes the original. */
static int ip_view(const uint8_t *p, size_t avail, bool quoted, struct ip_view *v)
{
    memset(v, 0, sizeof *v);
    if (!p || avail < 1)
        return -1;
    switch (p[0] >> 4) {
    case 4:
        return ip4_view(p, avail, quoted, v);
    case 6:
        return ip6_view(p, avail, quoted, v);
    }
    return -1;
}

/* The family in a DLT_NULL/DLT_LOOP header: BSDs disagree on AF_INET6. */
static int null_family_version(uint32_t family)
{
    switch (family) {
    case 2:
        return 4;
    case 10: /* Linux */
    case 24: /* NetBSD, OpenBSD */
    case 28: /* FreeBSD */
    case 30: /* macOS */
        return 6;
    }
    return -1;
}

/* What a link-layer header says follows it. */
struct link {
    size_t off;        /* where the payload starts */
    int version;       /* 4 or 6, 0 if the link does not say (raw IP) */
    bool arp;          /* an ARP message, not IP */
    bool has_lladdr;   /* the frame's source link address, when known */
    uint8_t lladdr[6];
};

/* An ethertype (or SLL protocol) we read: -1 for anything else. */
static int link_ethertype(uint16_t type, struct link *l)
{
    if (type == ETHERTYPE_IPV4_)
        l->version = 4;
    else if (type == ETHERTYPE_IPV6_)
        l->version = 6;
    else if (type == ETHERTYPE_ARP_)
        l->arp = true;
    else
        return -1;
    return 0;
}

/* Ethernet II with at most two VLAN tags. */
static int eth_header(const uint8_t *f, size_t caplen, struct link *l)
{
    if (caplen < 14)
        return -1;
    size_t o = 12;
    uint16_t type = rd16(f + o);
    for (int tags = 0;
         type == ETHERTYPE_8021Q_ || type == ETHERTYPE_8021AD_ || type == ETHERTYPE_QINQ_OLD_;
         tags++) {
        if (tags == 2 || caplen - o < 6)
            return -1;
        o += 4;
        type = rd16(f + o);
    }
    l->off = o + 2;
    l->has_lladdr = true;
    memcpy(l->lladdr, f + 6, 6);
    return link_ethertype(type, l);
}

/* Linux cooked headers: the sender's link address, when it is Ethernet's
 * length (halen is as the kernel reported it, addr holds 8 bytes). */
static void sll_lladdr(uint16_t halen, const uint8_t *addr, struct link *l)
{
    if (halen == 6) {
        l->has_lladdr = true;
        memcpy(l->lladdr, addr, 6);
    }
}

/* Skip the link-layer header: fills l, or returns -1 if the frame is
 * neither IP nor ARP, or too short. */
static int link_header(const uint8_t *f, size_t caplen, int linktype, struct link *l)
{
    uint32_t family;
    memset(l, 0, sizeof *l);
    switch (linktype) {
    case DLT_EN10MB:
        return eth_header(f, caplen, l);
    case DLT_LINUX_SLL:
        /* packet type, ARPHRD, address length, address (8), protocol */
        if (caplen < 16)
            return -1;
        l->off = 16;
        sll_lladdr(rd16(f + 4), f + 6, l);
        return link_ethertype(rd16(f + 14), l);
    case DLT_LINUX_SLL2:
        /* protocol, reserved, ifindex, ARPHRD, packet type, address
         * length, address (8) */
        if (caplen < 20)
            return -1;
        l->off = 20;
        sll_lladdr(f[11], f + 12, l);
        return link_ethertype(rd16(f), l);
    case DLT_RAW:
    case LINKTYPE_RAW_:
        return 0;
#ifdef DLT_IPV4
    case DLT_IPV4:
        l->version = 4;
        return 0;
#endif
#ifdef DLT_IPV6
    case DLT_IPV6:
        l->version = 6;
        return 0;
#endif
    case DLT_NULL:
        if (caplen < 4)
            return -1;
        memcpy(&family, f, 4); /* the capturing host's byte order */
        l->off = 4;
        l->version = null_family_version(family);
        return l->version < 0 ? -1 : 0;
    case DLT_LOOP:
        if (caplen < 4)
            return -1;
        l->off = 4;
        l->version = null_family_version(rd32(f));
        return l->version < 0 ? -1 : 0;
    }
    return -1;
}

/* ARP for Ethernet hardware and IPv4 addresses (RFC 826): the only kind
 * that answers our requests.  Trailing bytes (Ethernet padding) are
 * ignored. */
static int parse_arp(const uint8_t *a, size_t avail, struct pkt_reply *r)
{
    if (avail < PKT_ARP_LEN || rd16(a) != ARPHRD_ETHER_ || rd16(a + 2) != ETHERTYPE_IPV4_ ||
        a[4] != 6 || a[5] != 4)
        return -1;
    r->kind = PKT_ARP;
    r->ip = a;
    r->iplen = PKT_ARP_LEN;
    r->arp_op = rd16(a + 6);
    memcpy(r->arp_sha, a + 8, 6);
    r->arp_spa.family = r->arp_tpa.family = AF_INET;
    memcpy(&r->arp_spa.u.v4, a + 14, 4);
    memcpy(&r->arp_tpa.u.v4, a + 24, 4);
    r->src = r->arp_spa;
    r->dst = r->arp_tpa;
    return 0;
}

static int parse_tcp(const struct ip_view *v, struct pkt_reply *r)
{
    if (v->l4len < TCP_HDR)
        return -1;
    const uint8_t *t = v->l4;
    size_t hl = (size_t)(t[12] >> 4) * 4;
    if (hl < TCP_HDR || hl > v->l4len)
        return -1;
    r->kind = PKT_TCP;
    r->sport = rd16(t);
    r->dport = rd16(t + 2);
    r->seq = rd32(t + 4);
    r->ack = rd32(t + 8);
    r->flags = t[13];
    r->win = rd16(t + 14);
    return 0;
}

static int parse_udp(const struct ip_view *v, struct pkt_reply *r)
{
    if (v->l4len < UDP_HDR)
        return -1;
    r->kind = PKT_UDP;
    r->sport = rd16(v->l4);
    r->dport = rd16(v->l4 + 2);
    return 0;
}

static bool has_ports(uint8_t proto)
{
    return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

/* The ICMP protocol of an IP version: ICMP for IPv4, ICMPv6 for IPv6. */
static bool is_icmp_of(int version, uint8_t proto)
{
    return (version == 4 && proto == IPPROTO_ICMP) || (version == 6 && proto == IPPROTO_ICMPV6);
}

/* The queries whose identifier and sequence number we match replies and
 * quotes by: echo, timestamp and address mask, requests and replies. */
static bool is_query_type(int version, uint8_t type)
{
    if (version == 6)
        return type == 128 || type == 129;
    return type == 0 || type == 8 || type == 13 || type == 14 || type == 17 || type == 18;
}

static bool is_reply_type(int version, uint8_t type)
{
    if (version == 6)
        return type == 129;
    return type == 0 || type == 14 || type == 18;
}

/* The transport fields of a quoted packet: 0, or -1 when the quote is too
 * short (or a later fragment) to hold what matching needs. */
static int parse_quote_l4(const struct ip_view *q, struct pkt_reply *r)
{
    if (has_ports(q->proto)) {
        if (q->fragoff || q->l4len < 4)
            return -1;
        r->orig.sport = rd16(q->l4);
        r->orig.dport = rd16(q->l4 + 2);
        if (q->proto == IPPROTO_TCP && q->l4len >= 8) {
            r->orig.seq = rd32(q->l4 + 4);
            r->orig.has_seq = true;
        }
    } else if (is_icmp_of(q->version, q->proto)) {
        if (q->fragoff || q->l4len < ICMP_HDR)
            return -1;
        r->orig.icmp_type = q->l4[0];
        if (is_query_type(q->version, q->l4[0])) {
            r->orig.icmp_id = rd16(q->l4 + 4);
            r->orig.icmp_seq = rd16(q->l4 + 6);
        }
    }
    return 0;
}

/* An ICMP error: what it quotes must be a packet of the same family as the
 * error, with what identifies a probe of its protocol.  Otherwise it is of
 * no use to anyone, and PKT_OTHER. */
static int parse_icmp_error(const struct ip_view *v, struct pkt_reply *r)
{
    struct ip_view q;
    r->kind = PKT_OTHER;
    if (ip_view(v->l4 + ICMP_HDR, v->l4len - ICMP_HDR, true, &q) != 0 || q.version != v->version)
        return 0;
    if (parse_quote_l4(&q, r) != 0) {
        memset(&r->orig, 0, sizeof r->orig);
        return 0;
    }
    r->orig.src = q.src;
    r->orig.dst = q.dst;
    r->orig.proto = q.proto;
    r->kind = PKT_ICMP_ERROR;
    return 0;
}

/* The errors that quote the packet they answer: destination unreachable,
 * time exceeded and, in IPv6, the parameter problem "unrecognized next
 * header" (IPv6's protocol unreachable, RFC 4443 3.4) that IP protocol
 * pings draw. */
static bool is_error_type(int version, uint8_t type, uint8_t code)
{
    if (version == 4)
        return type == 3 || type == 11;
    return type == 1 || type == 3 || (type == 4 && code == 1);
}

/* The options of a neighbor advertisement, for the target link-layer
 * address.  A zero length is malformed (RFC 4861 4.6) and ends the walk,
 * as does an option that runs past the message. */
static void nd_options(const uint8_t *o, size_t n, struct pkt_reply *r)
{
    while (n >= 2) {
        size_t len = (size_t)o[1] * 8;
        if (len == 0 || len > n)
            return;
        if (o[0] == ND_OPT_TLL && len == 8 && !r->nd_has_tll) {
            r->nd_has_tll = true;
            memcpy(r->nd_tll, o + 2, 6);
        }
        o += len;
        n -= len;
    }
}

/* A neighbor advertisement; one that fails RFC 4861 7.1.2's checks (hop
 * limit 255, which no router forwards, code 0, 24 bytes) is PKT_OTHER. */
static void parse_nd_advert(const struct ip_view *v, struct pkt_reply *r)
{
    r->kind = PKT_OTHER;
    if (v->ttl != 255 || v->l4[1] != 0 || v->l4len < ND_NA_LEN)
        return;
    r->kind = PKT_ND_ADVERT;
    r->nd_flags = v->l4[4] & (PKT_ND_ROUTER | PKT_ND_SOLICITED | PKT_ND_OVERRIDE);
    r->nd_target.family = AF_INET6;
    memcpy(&r->nd_target.u.v6, v->l4 + 8, 16);
    nd_options(v->l4 + ND_NA_LEN, v->l4len - ND_NA_LEN, r);
}

static int parse_icmp(const struct ip_view *v, struct pkt_reply *r)
{
    if (v->l4len < ICMP_HDR)
        return -1;
    uint8_t type = v->l4[0], code = v->l4[1];
    r->icmp_type = type;
    r->icmp_code = code;
    r->kind = PKT_OTHER;
    if (is_error_type(v->version, type, code))
        return parse_icmp_error(v, r);
    if (is_query_type(v->version, type)) {
        r->icmp_id = rd16(v->l4 + 4);
        r->icmp_seq = rd16(v->l4 + 6);
        if (is_reply_type(v->version, type))
            r->kind = PKT_ICMP_REPLY;
    } else if (v->version == 6 && type == 136) {
        parse_nd_advert(v, r);
    }
    return 0;
}

static int parse_ip(const uint8_t *ip, size_t avail, int version, struct pkt_reply *r)
{
    struct ip_view v;
    if (ip_view(ip, avail, false, &v) != 0 || (version && v.version != version) || v.fragoff)
        return -1;
    r->ip = ip;
    r->iplen = v.len;
    r->src = v.src;
    r->dst = v.dst;
    r->ttl = v.ttl;
    r->ipid = v.id;
    r->proto = v.proto;
    if (v.proto == IPPROTO_TCP)
        return parse_tcp(&v, r);
    if (v.proto == IPPROTO_UDP)
        return parse_udp(&v, r);
    if (is_icmp_of(v.version, v.proto))
        return parse_icmp(&v, r);
    r->kind = PKT_OTHER;
    return 0;
}

int pkt_parse(const uint8_t *frame, size_t caplen, int linktype, struct pkt_reply *r)
{
    struct link l;
    memset(r, 0, sizeof *r);
    if (!frame || link_header(frame, caplen, linktype, &l) != 0)
        return -1;
    int rc = l.arp ? parse_arp(frame + l.off, caplen - l.off, r)
                   : parse_ip(frame + l.off, caplen - l.off, l.version, r);
    if (rc != 0) {
        memset(r, 0, sizeof *r);
        return -1;
    }
    r->has_lladdr = l.has_lladdr;
    memcpy(r->lladdr, l.lladdr, 6);
    return 0;
}

/* ---- describing ---- */

/* A string being appended to in a fixed buffer: truncates, always stays
 * NUL-terminated. */
struct sbuf {
    char *s;
    size_t cap, len;
};

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    if (b->len + 1 >= b->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        b->len = min_size(b->len + (size_t)n, b->cap - 1);
}

/* An address, with its port if port >= 0 (IPv6 too without brackets, as
 * nmap prints them). */
static void sb_addr(struct sbuf *b, const struct ip_addr *a, long port)
{
    char s[IP_ADDR_STRLEN];
    ip_addr_str(a, s);
    if (port < 0)
        sb_printf(b, "%s", s);
    else
        sb_printf(b, "%s:%ld", s, port);
}

static void sb_ipinfo(struct sbuf *b, const struct ip_view *v)
{
    if (v->version == 4)
        sb_printf(b, "ttl=%u id=%u iplen=%zu", v->ttl, v->id, v->totlen);
    else
        sb_printf(b, "hopl=%u flow=%x payloadlen=%zu", v->ttl, (unsigned)v->flow,
                  v->totlen - IP6_HDR);
}

/* TCP options as "<mss 1460,sackOK,timestamp 1 0,nop,wscale 7>". */
static void describe_tcp_opts(struct sbuf *b, const uint8_t *o, size_t n)
{
    const char *sep = "";
    sb_printf(b, " <");
    for (size_t i = 0; i < n; sep = ",") {
        uint8_t kind = o[i];
        sb_printf(b, "%s", sep);
        if (kind == 0) {
            sb_printf(b, "eol"); /* the rest is padding */
            break;
        }
        if (kind == 1) {
            sb_printf(b, "nop");
            i++;
            continue;
        }
        size_t len = n - i >= 2 ? o[i + 1] : 0;
        if (len < 2 || len > n - i) {
            sb_printf(b, "malformed");
            break;
        }
        const uint8_t *d = o + i + 2;
        if (kind == 2 && len == 4) {
            sb_printf(b, "mss %u", rd16(d));
        } else if (kind == 3 && len == 3) {
            sb_printf(b, "wscale %u", d[0]);
        } else if (kind == 4 && len == 2) {
            sb_printf(b, "sackOK");
        } else if (kind == 5 && len % 8 == 2 && len > 2) {
            sb_printf(b, "sack %zu", (len - 2) / 8);
            for (size_t k = 0; k + 8 <= len - 2; k += 8)
                sb_printf(b, " {%u:%u}", (unsigned)rd32(d + k), (unsigned)rd32(d + k + 4));
        } else if (kind == 8 && len == 10) {
            sb_printf(b, "timestamp %u %u", (unsigned)rd32(d), (unsigned)rd32(d + 4));
        } else if (kind <= 8) {
            sb_printf(b, "malformed"); /* a known option of the wrong length */
            break;
        } else {
            sb_printf(b, "unknown %u", kind);
        }
        i += len;
    }
    sb_printf(b, ">");
}

static void describe_tcp(struct sbuf *b, const struct ip_view *v)
{
    const uint8_t *t = v->l4;
    if (v->l4len < TCP_HDR) {
        sb_printf(b, "TCP ");
        sb_addr(b, &v->src, -1);
        sb_printf(b, " > ");
        sb_addr(b, &v->dst, -1);
        sb_printf(b, " (incomplete) ");
        sb_ipinfo(b, v);
        return;
    }
    static const struct {
        uint8_t bit;
        char c;
    } flag_names[] = {
        {TH_SYN_, 'S'}, {TH_FIN_, 'F'}, {TH_RST_, 'R'}, {TH_PSH_, 'P'},
        {TH_ACK_, 'A'}, {TH_URG_, 'U'}, {TH_ECE_, 'E'}, {TH_CWR_, 'C'},
    };
    char flags[9];
    size_t nf = 0;
    for (size_t i = 0; i < sizeof flag_names / sizeof *flag_names; i++)
        if (t[13] & flag_names[i].bit)
            flags[nf++] = flag_names[i].c;
    flags[nf] = '\0';

    sb_printf(b, "TCP ");
    sb_addr(b, &v->src, rd16(t));
    sb_printf(b, " > ");
    sb_addr(b, &v->dst, rd16(t + 2));
    sb_printf(b, " %s ", flags);
    sb_ipinfo(b, v);
    sb_printf(b, "  seq=%u win=%u", (unsigned)rd32(t + 4), rd16(t + 14));
    if (t[13] & TH_ACK_)
        sb_printf(b, " ack=%u", (unsigned)rd32(t + 8));
    size_t hl = min_size((size_t)(t[12] >> 4) * 4, v->l4len);
    if (hl > TCP_HDR)
        describe_tcp_opts(b, t + TCP_HDR, hl - TCP_HDR);
}

/* UDP and SCTP, which nmap prints alike: ports, then the IP fields. */
static void describe_ports(struct sbuf *b, const struct ip_view *v, const char *name,
                           size_t hdrlen)
{
    bool whole = v->l4len >= hdrlen;
    sb_printf(b, "%s ", name);
    sb_addr(b, &v->src, whole ? rd16(v->l4) : -1);
    sb_printf(b, " > ");
    sb_addr(b, &v->dst, whole ? rd16(v->l4 + 2) : -1);
    sb_printf(b, whole ? " " : " (incomplete) ");
    sb_ipinfo(b, v);
}

/* The quoted packet's transport port or protocol for "Port 53 unreachable"
 * and "Protocol 50 unreachable"; -1 when the quote does not hold it. */
static long quoted_field(const struct ip_view *v, bool port)
{
    struct ip_view q;
    if (v->l4len < ICMP_HDR || ip_view(v->l4 + ICMP_HDR, v->l4len - ICMP_HDR, true, &q) != 0)
        return -1;
    if (!port)
        return q.proto;
    if (!has_ports(q.proto) || q.fragoff || q.l4len < 4)
        return -1;
    return rd16(q.l4 + 2);
}

static void describe_unreach(struct sbuf *b, const struct ip_view *v, uint8_t code)
{
    static const char *const codes[] = {
        [0] = "Network unreachable",
        [1] = "Host unreachable",
        [4] = "Fragmentation needed",
        [5] = "Source route failed",
        [6] = "Destination network unknown",
        [7] = "Destination host unknown",
        [8] = "Source host isolated",
        [9] = "Network administratively prohibited",
        [10] = "Host administratively prohibited",
        [11] = "Network unreachable for TOS",
        [12] = "Host unreachable for TOS",
        [13] = "Communication administratively prohibited",
        [14] = "Host precedence violation",
        [15] = "Precedence cutoff in effect",
    };
    if (code == 2 || code == 3) {
        const char *what = code == 2 ? "Protocol" : "Port";
        long n = quoted_field(v, code == 3);
        if (n >= 0)
            sb_printf(b, "%s %ld unreachable", what, n);
        else
            sb_printf(b, "%s unreachable", what);
    } else if (code < sizeof codes / sizeof *codes && codes[code]) {
        sb_printf(b, "%s", codes[code]);
    } else {
        sb_printf(b, "Destination unreachable (unknown code)");
    }
}

static const char *icmp_type_name(uint8_t type, uint8_t code)
{
    switch (type) {
    case 0:
        return "Echo reply";
    case 4:
        return "Source quench";
    case 5:
        return "Redirect";
    case 8:
        return "Echo request";
    case 9:
        return "Router advertisement";
    case 10:
        return "Router solicitation";
    case 11:
        return code == 0   ? "TTL exceeded in transit"
               : code == 1 ? "Fragment reassembly time exceeded"
                           : "Time exceeded (unknown code)";
    case 12:
        return "Parameter problem";
    case 13:
        return "Timestamp request";
    case 14:
        return "Timestamp reply";
    case 17:
        return "Address mask request";
    case 18:
        return "Address mask reply";
    }
    return "Unknown type";
}

/* What follows id and seq in timestamp and address mask messages, when the
 * capture holds it. */
static void describe_icmp_query_data(struct sbuf *b, const struct ip_view *v, uint8_t type)
{
    const uint8_t *m = v->l4;
    if ((type == 13 || type == 14) && v->l4len >= ICMP_TSTAMP_LEN) {
        sb_printf(b, " orig=%u recv=%u trans=%u", (unsigned)rd32(m + 8), (unsigned)rd32(m + 12),
                  (unsigned)rd32(m + 16));
    } else if ((type == 17 || type == 18) && v->l4len >= ICMP_MASK_LEN) {
        struct ip_addr mask = {.family = AF_INET};
        memcpy(&mask.u.v4, m + 8, 4);
        sb_printf(b, " mask=");
        sb_addr(b, &mask, -1);
    }
}

static void describe_icmp(struct sbuf *b, const struct ip_view *v)
{
    sb_printf(b, "ICMP [");
    sb_addr(b, &v->src, -1);
    sb_printf(b, " > ");
    sb_addr(b, &v->dst, -1);
    if (v->l4len < 4) {
        sb_printf(b, " (incomplete) ");
    } else {
        uint8_t type = v->l4[0], code = v->l4[1];
        sb_printf(b, " ");
        if (type == 3)
            describe_unreach(b, v, code);
        else
            sb_printf(b, "%s", icmp_type_name(type, code));
        sb_printf(b, " (type=%u/code=%u) ", type, code);
        if (is_query_type(4, type) && v->l4len >= ICMP_HDR) {
            sb_printf(b, "id=%u seq=%u", rd16(v->l4 + 4), rd16(v->l4 + 6));
            describe_icmp_query_data(b, v, type);
        }
    }
    sb_printf(b, "] IP [");
    sb_ipinfo(b, v);
    sb_printf(b, " ]");
}

static void describe_icmp6(struct sbuf *b, const struct ip_view *v)
{
    sb_printf(b, "ICMPv6 (%u) ", IPPROTO_ICMPV6);
    sb_addr(b, &v->src, -1);
    sb_printf(b, " > ");
    sb_addr(b, &v->dst, -1);
    if (v->l4len < 2)
        sb_printf(b, " (incomplete)");
    else
        sb_printf(b, " (type=%u/code=%u)", v->l4[0], v->l4[1]);
    sb_printf(b, " hopl=%u flow=%x payloadlen=%zu", v->ttl, (unsigned)v->flow, v->totlen - IP6_HDR);
}

/* The lower-case IANA keyword of a protocol we do not decode, as nmap
 * names them, for the ones IP protocol pings commonly send; NULL if not
 * one of those. */
static const char *proto_name(uint8_t proto)
{
    static const struct {
        uint8_t num;
        const char *name;
    } names[] = {
        {0, "hopopt"},      {1, "icmp"},      {2, "igmp"},       {3, "ggp"},
        {4, "ipv4"},        {6, "tcp"},       {8, "egp"},        {9, "igp"},
        {17, "udp"},        {41, "ipv6"},     {43, "ipv6-route"}, {44, "ipv6-frag"},
        {46, "rsvp"},       {47, "gre"},      {50, "esp"},       {51, "ah"},
        {58, "ipv6-icmp"},  {59, "ipv6-nonxt"}, {60, "ipv6-opts"}, {88, "eigrp"},
        {89, "ospfigp"},    {103, "pim"},     {112, "vrrp"},     {115, "l2tp"},
        {132, "sctp"},      {136, "udplite"}, {137, "mpls-in-ip"},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (names[i].num == proto)
            return names[i].name;
    return NULL;
}

/* Fragments after the first, and protocols we do not decode. */
static void describe_plain(struct sbuf *b, const struct ip_view *v)
{
    const char *name = proto_name(v->proto);
    if (v->fragoff)
        sb_printf(b, "Fragment (proto=%u offset=%u) ", v->proto, v->fragoff * 8u);
    else if (name)
        sb_printf(b, "%s (%u) ", name, v->proto);
    else
        sb_printf(b, "Unknown protocol (%u) ", v->proto);
    sb_addr(b, &v->src, -1);
    sb_printf(b, " > ");
    sb_addr(b, &v->dst, -1);
    sb_printf(b, ": ");
    sb_ipinfo(b, v);
}

const char *pkt_describe(const uint8_t *ip, size_t len, char *buf, size_t cap)
{
    struct sbuf b = {.s = buf, .cap = cap, .len = 0};
    struct ip_view v;
    if (!buf || !cap)
        return buf;
    buf[0] = '\0';
    if (ip_view(ip, len, false, &v) != 0) {
        int version = ip && len ? ip[0] >> 4 : 0;
        if (version == 4 || version == 6)
            sb_printf(&b, "Invalid IPv%d packet (%zu bytes)", version, len);
        else
            sb_printf(&b, "Not an IP packet (%zu bytes)", len);
        return buf;
    }
    if (v.fragoff)
        describe_plain(&b, &v);
    else if (v.proto == IPPROTO_TCP)
        describe_tcp(&b, &v);
    else if (v.proto == IPPROTO_UDP)
        describe_ports(&b, &v, "UDP", UDP_HDR);
    else if (v.proto == IPPROTO_SCTP)
        describe_ports(&b, &v, "SCTP", SCTP_HDR);
    else if (v.version == 4 && v.proto == IPPROTO_ICMP)
        describe_icmp(&b, &v);
    else if (v.version == 6 && v.proto == IPPROTO_ICMPV6)
        describe_icmp6(&b, &v);
    else
        describe_plain(&b, &v);
    return buf;
}

/* A MAC address as nmap prints it: upper case for ARP, lower for ND. */
static void sb_mac(struct sbuf *b, const uint8_t *m, bool upper)
{
    if (upper)
        sb_printf(b, "%02X:%02X:%02X:%02X:%02X:%02X", m[0], m[1], m[2], m[3], m[4], m[5]);
    else
        sb_printf(b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

const char *pkt_describe_arp(const uint8_t *arp, size_t len, char *buf, size_t cap)
{
    struct sbuf b = {.s = buf, .cap = cap, .len = 0};
    struct pkt_reply r;
    if (!buf || !cap)
        return buf;
    buf[0] = '\0';
    memset(&r, 0, sizeof r);
    if (!arp || parse_arp(arp, len, &r) != 0) {
        sb_printf(&b, "ARP (not Ethernet/IPv4 or truncated, %zu bytes)", len);
        return buf;
    }
    if (r.arp_op == 1) {
        sb_printf(&b, "ARP who-has ");
        sb_addr(&b, &r.arp_tpa, -1);
        sb_printf(&b, " tell ");
        sb_addr(&b, &r.arp_spa, -1);
    } else if (r.arp_op == 2) {
        sb_printf(&b, "ARP reply ");
        sb_addr(&b, &r.arp_spa, -1);
        sb_printf(&b, " is-at ");
        sb_mac(&b, r.arp_sha, true);
    } else {
        sb_printf(&b, "ARP operation %u ", r.arp_op);
        sb_addr(&b, &r.arp_spa, -1);
        sb_printf(&b, " > ");
        sb_addr(&b, &r.arp_tpa, -1);
    }
    return buf;
}

const char *pkt_describe_nd_advert(const struct pkt_reply *r, char *buf, size_t cap)
{
    struct sbuf b = {.s = buf, .cap = cap, .len = 0};
    if (!buf || !cap)
        return buf;
    buf[0] = '\0';
    if (!r || r->kind != PKT_ND_ADVERT) {
        sb_printf(&b, "neighbor advertisement (none)");
        return buf;
    }
    sb_printf(&b, "neighbor advertisement ");
    sb_addr(&b, &r->src, -1);
    sb_printf(&b, " > ");
    sb_addr(&b, &r->dst, -1);
    sb_printf(&b, " ");
    sb_addr(&b, &r->nd_target, -1);
    if (r->nd_has_tll) {
        sb_printf(&b, " is at ");
        sb_mac(&b, r->nd_tll, false);
    }
    return buf;
}
