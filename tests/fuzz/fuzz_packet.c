/* SPDX-License-Identifier: MIT */
/* Fuzz the packet decoder and describer with hostile frames, and the
 * builders by round trips.  The first input byte (modulo MODES) picks what
 * the rest is:
 *   0 DLT_EN10MB  1 DLT_LINUX_SLL  2 DLT_LINUX_SLL2  3 DLT_RAW
 *   4 LINKTYPE_RAW (101)  5 DLT_NULL  6 DLT_LOOP  7 DLT_IPV4  8 DLT_IPV6
 *   9 a TCP spec to build, parse back and describe
 *   10 a discovery probe (ICMP query, UDP, IP protocol ping, ARP request,
 *      neighbor solicitation) to build, parse back and describe
 * so that seeds (corpus/fuzz_packet/) are a selector byte and a frame. */
#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdbool.h>

#include "fuzz.h"
#include "net/packet.h"

#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define MAX_INPUT 70000

static const int linktypes[] = {
    DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, 101, DLT_NULL, DLT_LOOP, DLT_IPV4, DLT_IPV6,
};
#define NLINK (sizeof linktypes / sizeof *linktypes)
#define MODE_TCP NLINK
#define MODE_DISCOVERY (NLINK + 1)
#define MODES (NLINK + 2)

/* The description fits in a generous buffer, is printable, and a smaller
 * buffer gets exactly its prefix, NUL-terminated, never overrun (each is
 * a heap block of exactly cap bytes, so ASan sees any overrun). */
static void check_describe(const uint8_t *ip, size_t len)
{
    char full[1024];
    memset(full, 'Z', sizeof full);
    FUZZ_CHECK(pkt_describe(ip, len, full, sizeof full) == full);
    const char *nul = memchr(full, '\0', sizeof full);
    FUZZ_CHECK(nul != NULL);
    size_t n = (size_t)(nul - full);
    FUZZ_CHECK(n > 0 && n < sizeof full - 1); /* never needs truncating at 1K */
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(full[i] >= 0x20 && full[i] < 0x7f);

    const size_t caps[] = {1, 2, 7, 40, n, n + 1};
    for (size_t k = 0; k < sizeof caps / sizeof *caps; k++) {
        size_t cap = caps[k];
        char *b = malloc(cap);
        if (!b)
            abort();
        FUZZ_CHECK(pkt_describe(ip, len, b, cap) == b);
        size_t want = n < cap - 1 ? n : cap - 1;
        FUZZ_CHECK(memchr(b, '\0', cap) == b + want);
        FUZZ_CHECK(memcmp(b, full, want) == 0);
        free(b);
    }
}

static bool same_reply(const struct pkt_reply *a, const struct pkt_reply *b)
{
    return a->kind == b->kind && a->ip == b->ip && a->iplen == b->iplen &&
           ip_addr_equal(&a->src, &b->src) && ip_addr_equal(&a->dst, &b->dst) && a->ttl == b->ttl &&
           a->ipid == b->ipid && a->sport == b->sport && a->dport == b->dport && a->seq == b->seq &&
           a->ack == b->ack && a->flags == b->flags && a->win == b->win &&
           a->icmp_type == b->icmp_type && a->icmp_code == b->icmp_code &&
           a->orig.proto == b->orig.proto && a->orig.sport == b->orig.sport &&
           a->orig.dport == b->orig.dport && a->orig.seq == b->orig.seq &&
           a->orig.has_seq == b->orig.has_seq && a->orig.src.family == b->orig.src.family &&
           a->proto == b->proto && a->icmp_id == b->icmp_id && a->icmp_seq == b->icmp_seq &&
           a->orig.icmp_type == b->orig.icmp_type && a->orig.icmp_id == b->orig.icmp_id &&
           a->orig.icmp_seq == b->orig.icmp_seq && a->nd_flags == b->nd_flags &&
           a->nd_has_tll == b->nd_has_tll && !memcmp(a->nd_tll, b->nd_tll, 6) &&
           (a->kind != PKT_ND_ADVERT || ip_addr_equal(&a->nd_target, &b->nd_target)) &&
           (a->kind != PKT_ICMP_ERROR || (ip_addr_equal(&a->orig.src, &b->orig.src) &&
                                          ip_addr_equal(&a->orig.dst, &b->orig.dst)));
}

/* An ARP message: only from links with an ethertype, always 28 bytes. */
static void check_arp(const uint8_t *f, size_t n, int linktype, const struct pkt_reply *r)
{
    FUZZ_CHECK(linktype == DLT_EN10MB || linktype == DLT_LINUX_SLL ||
               linktype == DLT_LINUX_SLL2);
    FUZZ_CHECK(r->iplen == PKT_ARP_LEN && (size_t)(r->ip - f) + PKT_ARP_LEN <= n);
    FUZZ_CHECK(r->src.family == AF_INET && ip_addr_equal(&r->src, &r->arp_spa));
    FUZZ_CHECK(ip_addr_equal(&r->dst, &r->arp_tpa) && r->proto == 0);
    FUZZ_CHECK(r->ip[4] == 6 && r->ip[5] == 4 && r->arp_op == (r->ip[6] << 8 | r->ip[7]));
    FUZZ_CHECK(memcmp(r->arp_sha, r->ip + 8, 6) == 0);
    FUZZ_CHECK(r->sport == 0 && r->icmp_type == 0 && r->orig.src.family == 0);
    char buf[128];
    FUZZ_CHECK(strncmp(pkt_describe_arp(r->ip, r->iplen, buf, sizeof buf), "ARP ", 4) == 0);
}

/* What each kind of IP packet promises about its fields. */
static void check_ip_kind(const struct pkt_reply *r, int version)
{
    bool icmp = r->proto == (version == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6);
    switch (r->kind) {
    case PKT_TCP:
        FUZZ_CHECK(r->proto == IPPROTO_TCP && r->iplen >= (version == 4 ? 40u : 60u));
        break;
    case PKT_UDP:
        FUZZ_CHECK(r->proto == IPPROTO_UDP && r->iplen >= (version == 4 ? 28u : 48u));
        break;
    case PKT_ICMP_REPLY:
        FUZZ_CHECK(icmp);
        if (version == 4)
            FUZZ_CHECK(r->icmp_type == 0 || r->icmp_type == 14 || r->icmp_type == 18);
        else
            FUZZ_CHECK(r->icmp_type == 129);
        break;
    case PKT_ND_ADVERT:
        FUZZ_CHECK(version == 6 && icmp && r->icmp_type == 136 && r->ttl == 255);
        FUZZ_CHECK(r->nd_target.family == AF_INET6 && (r->nd_flags & 0x1f) == 0);
        FUZZ_CHECK(r->iplen >= 40u + 24);
        break;
    case PKT_ICMP_ERROR:
        FUZZ_CHECK(icmp);
        FUZZ_CHECK(r->orig.src.family == r->src.family);
        FUZZ_CHECK(r->orig.dst.family == r->src.family);
        FUZZ_CHECK(r->iplen >= (version == 4 ? 20u + 8 + 20 : 40u + 8 + 40));
        if (version == 4)
            FUZZ_CHECK(r->icmp_type == 3 || r->icmp_type == 11);
        else
            FUZZ_CHECK(r->icmp_type == 1 || r->icmp_type == 3 ||
                       (r->icmp_type == 4 && r->icmp_code == 1));
        break;
    case PKT_OTHER:
        break;
    default:
        FUZZ_CHECK(!"unknown kind");
    }
    if (r->kind != PKT_TCP && r->kind != PKT_UDP)
        FUZZ_CHECK(r->sport == 0 && r->dport == 0);
    if (r->kind != PKT_TCP)
        FUZZ_CHECK(r->seq == 0 && r->flags == 0);
    if (r->kind != PKT_ICMP_ERROR)
        FUZZ_CHECK(r->orig.src.family == 0 && !r->orig.has_seq && r->orig.sport == 0 &&
                   r->orig.icmp_id == 0);
    if (r->kind != PKT_ND_ADVERT)
        FUZZ_CHECK(!r->nd_has_tll && r->nd_target.family == 0);
    if (r->orig.has_seq)
        FUZZ_CHECK(r->orig.proto == IPPROTO_TCP);
    if (r->orig.icmp_id || r->orig.icmp_seq)
        FUZZ_CHECK(r->orig.proto == (version == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6));
}

/* Parse a frame and check what pkt_reply promises. */
static int check_parse(const uint8_t *f, size_t n, int linktype, struct pkt_reply *r)
{
    int rc = pkt_parse(f, n, linktype, r);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc)
        return rc;
    FUZZ_CHECK(r->ip >= f && r->ip < f + n);
    size_t off = (size_t)(r->ip - f);
    FUZZ_CHECK(r->iplen <= n - off);
    if (r->has_lladdr)
        FUZZ_CHECK(linktype == DLT_EN10MB || linktype == DLT_LINUX_SLL ||
                   linktype == DLT_LINUX_SLL2);
    if (r->kind == PKT_ARP) {
        check_arp(f, n, linktype, r);
        return 0;
    }
    FUZZ_CHECK(r->src.family == r->dst.family);
    int version = r->ip[0] >> 4;
    if (r->src.family == AF_INET) {
        FUZZ_CHECK(version == 4 && r->iplen >= 20);
        FUZZ_CHECK(r->iplen >= (size_t)(r->ip[0] & 15) * 4);
        FUZZ_CHECK(r->proto == r->ip[9]);
    } else {
        FUZZ_CHECK(r->src.family == AF_INET6);
        FUZZ_CHECK(version == 6 && r->iplen >= 40 && r->ipid == 0);
    }
    check_ip_kind(r, version);

    /* the IP packet alone, as raw IP, decodes the same */
    struct pkt_reply again;
    FUZZ_CHECK(pkt_parse(r->ip, r->iplen, DLT_RAW, &again) == 0);
    FUZZ_CHECK(same_reply(r, &again) && !again.has_lladdr);
    check_describe(r->ip, r->iplen);
    if (r->kind == PKT_ND_ADVERT) {
        char buf[256];
        pkt_describe_nd_advert(r, buf, sizeof buf);
        FUZZ_CHECK(strncmp(buf, "neighbor advertisement ", 23) == 0);
    }
    return 0;
}

/* Bytes off the input, zeros once it runs out. */
struct reader {
    const uint8_t *p;
    size_t n;
};

static uint32_t take(struct reader *rd, int bytes)
{
    uint32_t v = 0;
    for (int i = 0; i < bytes; i++) {
        v = v << 8;
        if (rd->n) {
            v |= *rd->p++;
            rd->n--;
        }
    }
    return v;
}

/* Build a probe from the input, then parse it back from every link type. */
static void round_trip(const uint8_t *data, size_t size)
{
    struct reader rd = {data, size};
    struct pkt_tcp_spec s = {0};
    uint8_t opts[64], ip[PKT_MAX], frame[PKT_MAX + 32];
    uint32_t mode = take(&rd, 1);
    bool v6 = mode & 1;
    s.badsum = mode & 2;
    s.src.family = s.dst.family = v6 ? AF_INET6 : AF_INET;
    if (v6) {
        for (int i = 0; i < 16; i++) {
            s.src.u.v6.s6_addr[i] = (uint8_t)take(&rd, 1);
            s.dst.u.v6.s6_addr[i] = (uint8_t)take(&rd, 1);
        }
    } else {
        s.src.u.v4.s_addr = htonl(take(&rd, 4));
        s.dst.u.v4.s_addr = htonl(take(&rd, 4));
    }
    s.sport = (uint16_t)take(&rd, 2);
    s.dport = (uint16_t)take(&rd, 2);
    s.seq = take(&rd, 4);
    s.ack = take(&rd, 4);
    s.flags = (uint8_t)take(&rd, 1);
    s.win = (uint16_t)take(&rd, 2);
    s.ttl = (uint8_t)take(&rd, 1);
    s.ipid = (uint16_t)take(&rd, 2);
    s.flowlabel = take(&rd, 4);
    s.optlen = take(&rd, 1) % 48; /* sometimes too many */
    for (size_t i = 0; i < s.optlen; i++)
        opts[i] = (uint8_t)take(&rd, 1);
    s.opts = opts;
    s.data = rd.p;
    s.datalen = rd.n;

    size_t iphl = v6 ? 40 : 20;
    size_t need = iphl + 20 + (s.optlen + 3) / 4 * 4 + s.datalen;
    size_t len = pkt_build_tcp(ip, sizeof ip, &s);
    if (s.optlen > 40 || need > sizeof ip) {
        FUZZ_CHECK(len == 0);
        return;
    }
    FUZZ_CHECK(len == need);
    FUZZ_CHECK(pkt_build_tcp(ip, len - 1, &s) == 0);

    /* checksums: the IPv4 header's always right, TCP's unless badsum */
    uint8_t ph[40] = {0};
    uint32_t seglen = (uint32_t)(len - iphl);
    if (v6) {
        memcpy(ph, &s.src.u.v6, 16);
        memcpy(ph + 16, &s.dst.u.v6, 16);
        ph[32] = (uint8_t)(seglen >> 24);
        ph[33] = (uint8_t)(seglen >> 16);
        ph[34] = (uint8_t)(seglen >> 8);
        ph[35] = (uint8_t)seglen;
        ph[39] = IPPROTO_TCP;
    } else {
        FUZZ_CHECK(pkt_cksum(ip, 20, 0) == 0xffff);
        memcpy(ph, &s.src.u.v4, 4);
        memcpy(ph + 4, &s.dst.u.v4, 4);
        ph[9] = IPPROTO_TCP;
        ph[10] = (uint8_t)(seglen >> 8);
        ph[11] = (uint8_t)seglen;
    }
    uint16_t sum = pkt_cksum(ip + iphl, seglen, pkt_cksum(ph, v6 ? 40 : 12, 0));
    FUZZ_CHECK((sum == 0xffff) == !s.badsum);

    for (size_t k = 0; k < NLINK; k++) {
        /* a minimal frame of each type around it */
        size_t hl = 0;
        uint16_t et = v6 ? 0x86dd : 0x0800;
        uint32_t fam = v6 ? 10 : 2;
        memset(frame, 0, 20);
        switch (linktypes[k]) {
        case DLT_EN10MB:
            hl = 14;
            frame[12] = (uint8_t)(et >> 8);
            frame[13] = (uint8_t)et;
            break;
        case DLT_LINUX_SLL:
            hl = 16;
            frame[14] = (uint8_t)(et >> 8);
            frame[15] = (uint8_t)et;
            break;
        case DLT_LINUX_SLL2:
            hl = 20;
            frame[0] = (uint8_t)(et >> 8);
            frame[1] = (uint8_t)et;
            break;
        case DLT_NULL:
            hl = 4;
            memcpy(frame, &fam, 4);
            break;
        case DLT_LOOP:
            hl = 4;
            frame[3] = (uint8_t)fam;
            break;
        case DLT_IPV4:
        case DLT_IPV6:
            if ((linktypes[k] == DLT_IPV6) != v6)
                continue;
            break;
        }
        memcpy(frame + hl, ip, len);
        struct pkt_reply r;
        FUZZ_CHECK(check_parse(frame, hl + len, linktypes[k], &r) == 0);
        FUZZ_CHECK(r.kind == PKT_TCP && r.ip == frame + hl && r.iplen == len);
        FUZZ_CHECK(ip_addr_equal(&r.src, &s.src) && ip_addr_equal(&r.dst, &s.dst));
        FUZZ_CHECK(r.sport == s.sport && r.dport == s.dport && r.seq == s.seq);
        FUZZ_CHECK(r.ack == s.ack && r.flags == s.flags && r.win == s.win);
        FUZZ_CHECK(r.ttl == s.ttl && r.ipid == (v6 ? 0 : s.ipid));
    }
    char buf[1024];
    FUZZ_CHECK(strncmp(pkt_describe(ip, len, buf, sizeof buf), "TCP ", 4) == 0);
}

/* A frame of link type lt (Ethernet, SLL, SLL2 or raw) around a payload
 * of the given ethertype, with source link address mac.  Returns its
 * length; *hl is the header's. */
static size_t l2_frame(uint8_t *frame, int lt, uint16_t et, const uint8_t *mac, const uint8_t *p,
                       size_t len, size_t *hl)
{
    memset(frame, 0, 20);
    switch (lt) {
    case DLT_EN10MB:
        *hl = 14;
        memcpy(frame + 6, mac, 6);
        frame[12] = (uint8_t)(et >> 8);
        frame[13] = (uint8_t)et;
        break;
    case DLT_LINUX_SLL:
        *hl = 16;
        frame[5] = 6;
        memcpy(frame + 6, mac, 6);
        frame[14] = (uint8_t)(et >> 8);
        frame[15] = (uint8_t)et;
        break;
    case DLT_LINUX_SLL2:
        *hl = 20;
        frame[0] = (uint8_t)(et >> 8);
        frame[1] = (uint8_t)et;
        frame[11] = 6;
        memcpy(frame + 12, mac, 6);
        break;
    default:
        *hl = 0;
        break;
    }
    memcpy(frame + *hl, p, len);
    return *hl + len;
}

/* Whether the checksums of a packet we built are right: the IPv4 header's,
 * and the transport's (with its pseudo-header where it has one). */
static bool sums_ok(const uint8_t *ip, size_t len)
{
    uint8_t ph[40] = {0};
    bool v6 = ip[0] >> 4 == 6;
    size_t hl = v6 ? 40 : 20;
    uint8_t proto = v6 ? ip[6] : ip[9];
    if (!v6 && pkt_cksum(ip, 20, 0) != 0xffff)
        return false;
    if (proto == IPPROTO_SCTP || len == hl)
        return true; /* CRC-32C: checked by the unit tests; or no payload */
    uint32_t init = 0;
    if (v6) {
        memcpy(ph, ip + 8, 32);
        ph[34] = (uint8_t)((len - hl) >> 8);
        ph[35] = (uint8_t)(len - hl);
        ph[39] = proto;
        init = pkt_cksum(ph, 40, 0);
    } else if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
        memcpy(ph, ip + 12, 8);
        ph[9] = proto;
        ph[10] = (uint8_t)((len - hl) >> 8);
        ph[11] = (uint8_t)(len - hl);
        init = pkt_cksum(ph, 12, 0);
    }
    return pkt_cksum(ip + hl, len - hl, init) == 0xffff;
}

static void take_addr(struct reader *rd, bool v6, struct ip_addr *a)
{
    a->family = v6 ? AF_INET6 : AF_INET;
    if (v6)
        for (int i = 0; i < 16; i++)
            a->u.v6.s6_addr[i] = (uint8_t)take(rd, 1);
    else
        a->u.v4.s_addr = htonl(take(rd, 4));
}

/* An IPv6 next header that is an extension header: a probe of that
 * protocol has none of its bytes, and does not parse. */
static bool is_v6_ext(uint8_t nh)
{
    return nh == 0 || nh == 43 || nh == 44 || nh == 60;
}

/* Build an IP discovery probe from the input; returns its length (0 when
 * the builder refused, which is checked against what it must refuse). */
static size_t build_ip_probe(struct reader *rd, unsigned kind, struct pkt_ip_spec *s,
                             uint8_t *ip, size_t cap, uint8_t *proto)
{
    bool v6 = s->src.family == AF_INET6;
    size_t hl = v6 ? 40 : 20, len;
    if (kind == 0) {
        unsigned q = take(rd, 1) % 4;
        uint16_t id = (uint16_t)take(rd, 2), seq = (uint16_t)take(rd, 2);
        bool data = take(rd, 1) & 1;
        len = pkt_build_icmp_query(ip, cap, s, (enum pkt_icmp_query)q, id, seq,
                                   data ? rd->p : NULL, data ? rd->n : 0);
        bool valid = q <= 2 && (!v6 || q == PKT_Q_ECHO) && (!data || !rd->n || q == PKT_Q_ECHO);
        size_t want = hl + (q == 1 ? 20 : q == 2 ? 12 : 8) + (data ? rd->n : 0);
        FUZZ_CHECK(len == (valid && want <= cap ? want : 0));
        *proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
    } else if (kind == 1) {
        uint16_t sport = (uint16_t)take(rd, 2), dport = (uint16_t)take(rd, 2);
        len = pkt_build_udp(ip, cap, s, sport, dport, rd->p, rd->n);
        FUZZ_CHECK(len == (hl + 8 + rd->n <= cap ? hl + 8 + rd->n : 0));
        *proto = IPPROTO_UDP;
    } else {
        *proto = (uint8_t)take(rd, 1);
        uint16_t sport = (uint16_t)take(rd, 2), id = (uint16_t)take(rd, 2);
        uint16_t seq = (uint16_t)take(rd, 2);
        len = pkt_build_ipproto(ip, cap, s, *proto, sport, id, seq);
        /* refused only when it does not fit */
        uint8_t room[PKT_MAX];
        size_t need = pkt_build_ipproto(room, sizeof room, s, *proto, sport, id, seq);
        FUZZ_CHECK(need >= hl && len == (need <= cap ? need : 0));
    }
    if (len) {
        FUZZ_CHECK((v6 ? ip[6] : ip[9]) == *proto);
        FUZZ_CHECK(sums_ok(ip, len) == !s->badsum || len == hl || *proto == IPPROTO_SCTP);
    }
    return len;
}

/* Build a discovery probe from the input, parse it back from the link
 * types that carry it, and describe it. */
static void discovery_round_trip(const uint8_t *data, size_t size)
{
    struct reader rd = {data, size};
    uint8_t pkt[PKT_MAX], frame[PKT_MAX + 32], mac[6];
    unsigned mode = take(&rd, 1), kind = mode % 5;
    bool v6 = kind == 4 || (kind != 3 && (mode & 0x10));
    struct pkt_ip_spec s = {.badsum = mode & 0x20};
    take_addr(&rd, v6, &s.src);
    take_addr(&rd, v6, &s.dst);
    s.ttl = (uint8_t)take(&rd, 1);
    s.ipid = (uint16_t)take(&rd, 2);
    s.flowlabel = take(&rd, 3);
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)take(&rd, 1);
    size_t cap = take(&rd, 1) & 1 ? take(&rd, 1) : sizeof pkt; /* sometimes too small */

    uint8_t proto = 0;
    size_t len;
    uint16_t et = v6 ? 0x86dd : 0x0800;
    if (kind == 3) {
        et = 0x0806;
        len = pkt_build_arp_request(pkt, cap, mac, &s.src, &s.dst);
        FUZZ_CHECK(len == (cap >= PKT_ARP_LEN ? PKT_ARP_LEN : 0));
    } else if (kind == 4) {
        len = pkt_build_nd_solicit(pkt, cap, &s.src, &s.dst, mac);
        size_t want = IN6_IS_ADDR_UNSPECIFIED(&s.src.u.v6) ? 64 : 72;
        FUZZ_CHECK(len == (want <= cap ? want : 0));
        FUZZ_CHECK(!len || sums_ok(pkt, len));
        proto = IPPROTO_ICMPV6;
    } else {
        len = build_ip_probe(&rd, kind, &s, pkt, cap, &proto);
    }
    if (!len)
        return;

    static const int lts[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW};
    for (size_t k = 0; k < sizeof lts / sizeof *lts; k++) {
        size_t hl, n = l2_frame(frame, lts[k], et, mac, pkt, len, &hl);
        struct pkt_reply r;
        int rc = check_parse(frame, n, lts[k], &r);
        if (kind == 3 && lts[k] == DLT_RAW) {
            FUZZ_CHECK(rc == -1);
            continue;
        }
        if (v6 && is_v6_ext(proto)) {
            FUZZ_CHECK(rc == -1 && len == 40);
            continue;
        }
        FUZZ_CHECK(rc == 0 && r.ip == frame + hl);
        FUZZ_CHECK(r.has_lladdr == (lts[k] != DLT_RAW));
        if (r.has_lladdr)
            FUZZ_CHECK(memcmp(r.lladdr, mac, 6) == 0);
        if (kind == 3) {
            FUZZ_CHECK(r.kind == PKT_ARP && r.arp_op == 1 && !memcmp(r.arp_sha, mac, 6));
            FUZZ_CHECK(ip_addr_equal(&r.arp_spa, &s.src) && ip_addr_equal(&r.arp_tpa, &s.dst));
            continue;
        }
        FUZZ_CHECK(r.proto == proto && r.iplen == len && ip_addr_equal(&r.src, &s.src));
        if (kind == 4) {
            struct ip_addr sol;
            pkt_solicited_node(&s.dst, &sol);
            FUZZ_CHECK(ip_addr_equal(&r.dst, &sol) && r.ttl == 255 && r.icmp_type == 135);
        } else {
            FUZZ_CHECK(ip_addr_equal(&r.dst, &s.dst) && r.ttl == s.ttl);
        }
        if (proto == IPPROTO_UDP)
            FUZZ_CHECK(r.kind == PKT_UDP);
        if (kind == 0)
            FUZZ_CHECK(r.kind == PKT_OTHER && r.icmp_id == (pkt[v6 ? 44 : 24] << 8 |
                                                            pkt[v6 ? 45 : 25]));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return 0;
    size_t mode = data[0] % MODES;
    const uint8_t *f = data + 1;
    size_t n = size - 1;
    if (mode == MODE_TCP) {
        round_trip(f, n);
        return 0;
    }
    if (mode == MODE_DISCOVERY) {
        discovery_round_trip(f, n);
        return 0;
    }
    struct pkt_reply r;
    check_parse(f, n, linktypes[mode], &r);
    /* whatever the frame, describing its bytes as an IP packet is safe */
    check_describe(f, n);
    if (n > 4)
        check_describe(f + 4, n - 4);
    return 0;
}
