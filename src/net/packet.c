/* SPDX-License-Identifier: MIT */
/* Building TCP probes, decoding captured replies, describing packets.
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

#define IP4_HDR 20
#define IP6_HDR 40
#define TCP_HDR 20
#define ICMP_HDR 8

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

static void build_ip4(uint8_t *p, const struct pkt_tcp_spec *s, size_t total)
{
    p[0] = 0x45; /* version 4, 5 words of header */
    p[1] = 0;    /* TOS */
    wr16(p + 2, (uint16_t)total);
    wr16(p + 4, s->ipid);
    wr16(p + 6, 0); /* no flags (DF clear), offset 0 */
    p[8] = s->ttl;
    p[9] = IPPROTO_TCP;
    wr16(p + 10, 0);
    memcpy(p + 12, &s->src.u.v4, 4);
    memcpy(p + 16, &s->dst.u.v4, 4);
    wr16(p + 10, (uint16_t)~pkt_cksum(p, IP4_HDR, 0));
}

static void build_ip6(uint8_t *p, const struct pkt_tcp_spec *s, size_t payload)
{
    wr32(p, 6u << 28 | (s->flowlabel & 0xfffff)); /* traffic class 0 */
    wr16(p + 4, (uint16_t)payload);
    p[6] = IPPROTO_TCP;
    p[7] = s->ttl;
    memcpy(p + 8, &s->src.u.v6, 16);
    memcpy(p + 24, &s->dst.u.v6, 16);
}

size_t pkt_build_tcp(uint8_t *buf, size_t cap, const struct pkt_tcp_spec *s)
{
    if (!buf || !s || s->src.family != s->dst.family)
        return 0;
    if (s->optlen > 40 || (s->optlen && !s->opts) || (s->datalen && !s->data))
        return 0;
    size_t iphl;
    if (s->src.family == AF_INET)
        iphl = IP4_HDR;
    else if (s->src.family == AF_INET6)
        iphl = IP6_HDR;
    else
        return 0;
    size_t tcphl = TCP_HDR + ((s->optlen + 3) & ~(size_t)3);
    /* the length fields are 16 bits: IPv4's counts its header, IPv6's not */
    if (s->datalen > 0xffff - tcphl - (iphl == IP4_HDR ? IP4_HDR : 0))
        return 0;
    size_t seglen = tcphl + s->datalen, total = iphl + seglen;
    if (total > cap)
        return 0;

    memset(buf, 0, iphl + tcphl);
    if (iphl == IP4_HDR)
        build_ip4(buf, s, total);
    else
        build_ip6(buf, s, seglen);

    uint8_t *t = buf + iphl;
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

    uint16_t sum =
        (uint16_t)~pkt_cksum(t, seglen, pseudo_sum(&s->src, &s->dst, IPPROTO_TCP, seglen));
    /* --badsum: one more.  In ones' complement 0 and 0xffff are the same
     * number, so sum + 1 would still verify only if sum were 0xffff; it
     * never is, since the pseudo-header's protocol word makes the folded
     * sum non-zero. */
    if (s->badsum)
        sum = (uint16_t)(sum + 1);
    wr16(t + 16, sum);
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

static int ethertype_version(uint16_t type)
{
    if (type == ETHERTYPE_IPV4_)
        return 4;
    if (type == ETHERTYPE_IPV6_)
        return 6;
    return -1;
}

/* Ethernet II with at most two VLAN tags. */
static int eth_header(const uint8_t *f, size_t caplen, size_t *off)
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
    *off = o + 2;
    return ethertype_version(type);
}

/* Skip the link-layer header: sets *off to the IP header and returns the
 * IP version the link layer announces, 0 if it does not say, -1 if the
 * frame is not IP or too short. */
static int link_header(const uint8_t *f, size_t caplen, int linktype, size_t *off)
{
    uint32_t family;
    switch (linktype) {
    case DLT_EN10MB:
        return eth_header(f, caplen, off);
    case DLT_LINUX_SLL:
        if (caplen < 16)
            return -1;
        *off = 16;
        return ethertype_version(rd16(f + 14));
    case DLT_LINUX_SLL2:
        if (caplen < 20)
            return -1;
        *off = 20;
        return ethertype_version(rd16(f));
    case DLT_RAW:
    case LINKTYPE_RAW_:
        *off = 0;
        return 0;
#ifdef DLT_IPV4
    case DLT_IPV4:
        *off = 0;
        return 4;
#endif
#ifdef DLT_IPV6
    case DLT_IPV6:
        *off = 0;
        return 6;
#endif
    case DLT_NULL:
        if (caplen < 4)
            return -1;
        memcpy(&family, f, 4); /* the capturing host's byte order */
        *off = 4;
        return null_family_version(family);
    case DLT_LOOP:
        if (caplen < 4)
            return -1;
        *off = 4;
        return null_family_version(rd32(f));
    }
    return -1;
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

static bool has_ports(uint8_t proto)
{
    return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

/* An ICMP error: what it quotes must be a packet of the same family as the
 * error, with its ports when it was TCP, UDP or SCTP.  Otherwise it is of
 * no use to anyone, and PKT_OTHER. */
static int parse_icmp_error(const struct ip_view *v, struct pkt_reply *r)
{
    struct ip_view q;
    r->kind = PKT_OTHER;
    if (ip_view(v->l4 + ICMP_HDR, v->l4len - ICMP_HDR, true, &q) != 0 || q.version != v->version)
        return 0;
    if (has_ports(q.proto)) {
        if (q.fragoff || q.l4len < 4)
            return 0;
        r->orig.sport = rd16(q.l4);
        r->orig.dport = rd16(q.l4 + 2);
        if (q.proto == IPPROTO_TCP && q.l4len >= 8) {
            r->orig.seq = rd32(q.l4 + 4);
            r->orig.has_seq = true;
        }
    }
    r->orig.src = q.src;
    r->orig.dst = q.dst;
    r->orig.proto = q.proto;
    r->kind = PKT_ICMP_ERROR;
    return 0;
}

static int parse_icmp(const struct ip_view *v, struct pkt_reply *r)
{
    if (v->l4len < ICMP_HDR)
        return -1;
    r->icmp_type = v->l4[0];
    r->icmp_code = v->l4[1];
    bool error;
    if (v->version == 4)
        error = r->icmp_type == 3 || r->icmp_type == 11;
    else
        error = r->icmp_type == 1 || r->icmp_type == 3;
    if (error)
        return parse_icmp_error(v, r);
    r->kind = PKT_OTHER;
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
    if (v.proto == IPPROTO_TCP)
        return parse_tcp(&v, r);
    if ((v.version == 4 && v.proto == IPPROTO_ICMP) ||
        (v.version == 6 && v.proto == IPPROTO_ICMPV6))
        return parse_icmp(&v, r);
    r->kind = PKT_OTHER;
    return 0;
}

int pkt_parse(const uint8_t *frame, size_t caplen, int linktype, struct pkt_reply *r)
{
    size_t off = 0;
    memset(r, 0, sizeof *r);
    if (!frame)
        return -1;
    int version = link_header(frame, caplen, linktype, &off);
    if (version < 0 || parse_ip(frame + off, caplen - off, version, r) != 0) {
        memset(r, 0, sizeof *r);
        return -1;
    }
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

static void describe_udp(struct sbuf *b, const struct ip_view *v)
{
    bool whole = v->l4len >= 8;
    sb_printf(b, "UDP ");
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
        if ((type == 0 || type == 8) && v->l4len >= 8)
            sb_printf(b, "id=%u seq=%u", rd16(v->l4 + 4), rd16(v->l4 + 6));
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

/* Fragments after the first, and protocols we do not decode. */
static void describe_plain(struct sbuf *b, const struct ip_view *v)
{
    if (v->fragoff)
        sb_printf(b, "Fragment (proto=%u offset=%u) ", v->proto, v->fragoff * 8u);
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
        describe_udp(&b, &v);
    else if (v.version == 4 && v.proto == IPPROTO_ICMP)
        describe_icmp(&b, &v);
    else if (v.version == 6 && v.proto == IPPROTO_ICMPV6)
        describe_icmp6(&b, &v);
    else
        describe_plain(&b, &v);
    return buf;
}
