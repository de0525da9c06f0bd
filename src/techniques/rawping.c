/* SPDX-License-Identifier: MIT */
/* Discovery probes other than the TCP pings: ICMP echo, timestamp and
 * address mask requests (-PE -PP -PM), UDP (-PU), bare IP protocols (-PO),
 * and ARP / Neighbor Discovery for hosts on an attached Ethernet (-PR,
 * nmap's default there).
 *
 * An ICMP query's id and sequence number come from the scan's cookie for
 * (target, kind) plus the try number, a UDP or IP-protocol probe's try from
 * its source port, so replies are checked as strictly as TCP ones.  ARP and
 * ND answers carry nothing of ours: any answer for the address counts, as
 * in nmap.  An answer says the host is up (PORT_OPEN or PORT_CLOSED to the
 * engine); an ICMP error from a router says nothing good (PORT_FILTERED). */
#include <errno.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "raw.h"

/* ICMP types (RFC 792, RFC 4443). */
enum {
    ICMP_ECHOREPLY_ = 0, ICMP_ECHO_ = 8, ICMP_TSTAMP_ = 13, ICMP_TSTAMPREPLY_ = 14,
    ICMP_MASKREQ_ = 17, ICMP_MASKREPLY_ = 18, ICMP6_ECHO_ = 128, ICMP6_ECHOREPLY_ = 129,
};

#define UDP_PROTO_PORT 40125 /* where -PO17's datagram goes (packet.c) */

static bool has_kind(const struct scan_config *cfg, enum ping_kind k, int arg)
{
    for (size_t i = 0; i < cfg->npings; i++)
        if (cfg->pings[i].kind == k && (arg < 0 || cfg->pings[i].arg == arg))
            return true;
    return false;
}

/* Does -PO probe protocol proto?  (Asked for every captured packet.) */
static bool po_probed(const struct raw_state *rs, unsigned proto)
{
    return proto < 256 && (rs->po_protos[proto / 8] >> (proto % 8) & 1);
}

/* The cookie input of a probe without a port: its wire kind, and for -PO
 * its protocol. */
static uint32_t what_of(enum wire w, unsigned proto)
{
    return RAW_WHAT(w) | (w == W_IPPROTO ? proto << 8 : 0);
}

/* An ICMP query's id and sequence number for try t. */
static void icmp_ids(const struct raw_state *rs, const struct ip_addr *a, uint32_t what,
                     unsigned t, uint16_t *id, uint16_t *seq)
{
    struct cookie c = raw_cookie(rs, a, what);
    *id = (uint16_t)(c.seq >> 16);
    *seq = (uint16_t)(c.seq + t);
}

/* Which try an echoed id and sequence number answer; -1 if not ours. */
static int icmp_try(const struct raw_state *rs, const struct ip_addr *a, uint32_t what,
                    uint16_t id, uint16_t seq, unsigned maxtry)
{
    struct cookie c = raw_cookie(rs, a, what);
    uint16_t t = (uint16_t)(seq - (uint16_t)c.seq);
    return id == (uint16_t)(c.seq >> 16) && t <= maxtry ? t : -1;
}

/* ---- sending ------------------------------------------------------------- */

static int neighbor_send(struct raw_state *rs, struct probe *p, const struct route *r)
{
    const struct link_info *li = raw_link(rs, r->ifindex, r->ifname);
    if (!li || !li->ether)
        return -ENETUNREACH;
    uint8_t buf[128];
    uint8_t dst[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    size_t len;
    uint16_t type;
    if (raw_wire(p) == W_ARP) {
        len = pkt_build_arp_request(buf, sizeof buf, li->mac, &r->src, p->addr);
        type = ETHERTYPE_ARP;
    } else {
        /* to the solicited-node group, whose MAC is 33:33 + its low 32 bits */
        len = pkt_build_nd_solicit(buf, sizeof buf, &r->src, p->addr, li->mac);
        const uint8_t *a = p->addr->u.v6.s6_addr;
        uint8_t mc[6] = {0x33, 0x33, 0xff, a[13], a[14], a[15]};
        memcpy(dst, mc, sizeof dst);
        type = ETHERTYPE_IPV6;
    }
    if (!len)
        return -EINVAL;
    p->sent = now_usec(); /* on veth the answer can come within the call */
    int e = raw_send_link(rs, r->ifindex, type, dst, buf, len);
    if (e < 0)
        return e == -ENOBUFS || e == -EAGAIN ? -EAGAIN : e;
    if (rs->cfg->packet_trace) {
        char line[256];
        if (type == ETHERTYPE_ARP)
            printf("SENT (%.4fs) %s\n", engine_elapsed(rs->eng),
                   pkt_describe_arp(buf, len, line, sizeof line));
        else
            raw_trace(rs, "SENT", buf, len, NULL);
    }
    raw_table_add(rs, p);
    return 0;
}

int ping_send(struct raw_state *rs, struct probe *p, const struct route *r)
{
    enum wire w = raw_wire(p);
    if (w == W_ARP || w == W_ND)
        return neighbor_send(rs, p, r);
    if (w == W_UDP)
        return udp_send(rs, p, r);
    struct pkt_ip_spec ip = raw_ip_spec(rs, r, p->addr);
    struct out_pkt *o = raw_slot(rs, p->addr->family == AF_INET6);
    uint16_t id, seq;
    size_t len = 0;
    p->sport = raw_probe_sport(rs, p->tryno);
    switch (w) {
    case W_ICMP_ECHO:
    case W_ICMP_TSTAMP:
    case W_ICMP_MASK:
        icmp_ids(rs, p->addr, what_of(w, 0), p->tryno, &id, &seq);
        len = pkt_build_icmp_query(o->buf, sizeof o->buf, &ip,
                                   w == W_ICMP_ECHO     ? PKT_Q_ECHO
                                   : w == W_ICMP_TSTAMP ? PKT_Q_TIMESTAMP
                                                        : PKT_Q_MASK,
                                   id, seq, rs->cfg->data_set ? rs->cfg->data : NULL,
                                   rs->cfg->data_set ? rs->cfg->datalen : 0);
        break;
    case W_IPPROTO:
        icmp_ids(rs, p->addr, what_of(w, p->port), p->tryno, &id, &seq);
        len = pkt_build_ipproto(o->buf, sizeof o->buf, &ip, (uint8_t)p->port, p->sport, id, seq);
        break;
    default:
        break;
    }
    if (!len)
        return -EINVAL;
    raw_commit(rs, p, o, len);
    return 0;
}

/* ---- replies --------------------------------------------------------------- */

static int icmp_reply(struct raw_state *rs, const struct pkt_reply *r)
{
    int v6 = r->src.family == AF_INET6;
    enum wire w;
    enum reason why = REASON_ECHO_REPLY;
    if (v6 ? r->icmp_type == ICMP6_ECHOREPLY_ : r->icmp_type == ICMP_ECHOREPLY_)
        w = W_ICMP_ECHO;
    else if (!v6 && r->icmp_type == ICMP_TSTAMPREPLY_)
        w = W_ICMP_TSTAMP, why = REASON_TIMESTAMP_REPLY;
    else if (!v6 && r->icmp_type == ICMP_MASKREPLY_)
        w = W_ICMP_MASK, why = REASON_ADDRESSMASK_REPLY;
    else
        return 0;
    struct probe *p = raw_table_find(rs, &r->src, 0, w);
    uint32_t what = what_of(w, 0);
    if (!p && w == W_ICMP_ECHO) {
        /* -PO1 / -PO58 sends an echo request too; its answer is, as nmap
         * names it, a response in that protocol */
        unsigned proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
        p = raw_table_find(rs, &r->src, (uint16_t)proto, W_IPPROTO);
        what = what_of(W_IPPROTO, proto);
        why = REASON_PROTO_RESPONSE;
    }
    if (!p)
        return 1; /* no such probe in flight: stale, or someone else's ping */
    return raw_answer(rs, p, icmp_try(rs, &r->src, what, r->icmp_id, r->icmp_seq, p->tryno),
                  PORT_OPEN, why, r);
}

/* A UDP answer to -PO17's datagram (UDP probes of -sU and -PU: rawudp.c). */
static int udp_proto_reply(struct raw_state *rs, const struct pkt_reply *r)
{
    struct probe *p;
    if (r->sport != UDP_PROTO_PORT || !(p = raw_table_find(rs, &r->src, IPPROTO_UDP, W_IPPROTO)))
        return 0;
    return raw_answer(rs, p, raw_try_of_sport(rs, r->dport, p->tryno), PORT_OPEN,
                  REASON_PROTO_RESPONSE, r);
}

/* An ICMP error quoting one of our discovery probes.  From the target
 * itself, port or protocol unreachable proves it is up; from anyone else
 * (or any other code), the probe failed. */
static int icmp_error(struct raw_state *rs, const struct pkt_reply *r)
{
    int v6 = r->src.family == AF_INET6;
    const struct ip_addr *dst = &r->orig.dst;
    struct probe *p = NULL;
    int t = -1;
    unsigned ot = r->orig.icmp_type;
    if (r->orig.proto == (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP) &&
        (ot == ICMP_ECHO_ || ot == ICMP6_ECHO_ || ot == ICMP_TSTAMP_ || ot == ICMP_MASKREQ_)) {
        enum wire w = ot == ICMP_TSTAMP_ ? W_ICMP_TSTAMP
                    : ot == ICMP_MASKREQ_ ? W_ICMP_MASK : W_ICMP_ECHO;
        uint32_t what = what_of(w, 0);
        if (!(p = raw_table_find(rs, dst, 0, w))) {
            p = raw_table_find(rs, dst, r->orig.proto, W_IPPROTO);
            what = what_of(W_IPPROTO, r->orig.proto);
        }
        if (p)
            t = icmp_try(rs, dst, what, r->orig.icmp_id, r->orig.icmp_seq, p->tryno);
    } else if (r->orig.proto == IPPROTO_UDP) {
        if (udp_handle_icmp(rs, r))
            return 1;
        if (r->orig.dport == UDP_PROTO_PORT &&
            (p = raw_table_find(rs, dst, IPPROTO_UDP, W_IPPROTO)))
            t = raw_try_of_sport(rs, r->orig.sport, p->tryno);
    } else {
        /* a bare protocol probe quotes nothing of ours but its protocol */
        if ((p = raw_table_find(rs, dst, r->orig.proto, W_IPPROTO)))
            t = p->tryno;
    }
    if (!p)
        return 0;
    enum reason why = reason_from_icmp(v6, r->icmp_type, r->icmp_code);
    int from_target = ip_addr_equal(&r->src, dst);
    int up = from_target && (why == REASON_PORT_UNREACH || why == REASON_PROTO_UNREACH);
    return raw_answer(rs, p, t, up ? PORT_CLOSED : PORT_FILTERED, why, r);
}

/* Anything of a -PO protocol coming back from the target. */
static int proto_reply(struct raw_state *rs, const struct pkt_reply *r)
{
    if (!po_probed(rs, r->proto))
        return 0;
    struct probe *p = raw_table_find(rs, &r->src, r->proto, W_IPPROTO);
    if (!p)
        return 0;
    if ((r->kind == PKT_TCP || r->kind == PKT_UDP) && !raw_is_our_port(rs, r->dport) &&
        r->dport != rs->cfg->source_port)
        return 0;
    return raw_answer(rs, p, p->tryno, PORT_OPEN, REASON_PROTO_RESPONSE, r);
}

int ping_handle(struct raw_state *rs, const struct pkt_reply *r)
{
    struct probe *p;
    switch (r->kind) {
    case PKT_ICMP_REPLY:
        return icmp_reply(rs, r);
    case PKT_UDP:
        return udp_handle(rs, r) || udp_proto_reply(rs, r) || proto_reply(rs, r);
    case PKT_ICMP_ERROR:
        return r->orig.proto != IPPROTO_TCP && icmp_error(rs, r);
    case PKT_ARP:
        if (r->arp_op != 2 || !(p = raw_table_find(rs, &r->arp_spa, 0, W_ARP)))
            return 1;
        return raw_answer(rs, p, p->tryno, PORT_OPEN, REASON_ARP_RESPONSE, r);
    case PKT_ND_ADVERT:
        if (!(p = raw_table_find(rs, &r->nd_target, 0, W_ND)))
            return 1;
        return raw_answer(rs, p, p->tryno, PORT_OPEN, REASON_ND_RESPONSE, r);
    case PKT_TCP:
        /* -PO6's segment is answered like any other: only if no TCP
         * probe claims it */
        if (!po_probed(rs, IPPROTO_TCP) ||
            raw_table_find(rs, &r->src, r->sport, W_TCP))
            return 0;
        return proto_reply(rs, r);
    default:
        return proto_reply(rs, r);
    }
}

/* ---- capture filter and link check ---------------------------------------- */

__attribute__((format(printf, 3, 4)))
static void append(char *expr, size_t cap, const char *fmt, ...)
{
    size_t used = strlen(expr);
    va_list ap;
    va_start(ap, fmt);
    if (used < cap)
        vsnprintf(expr + used, cap - used, fmt, ap);
    va_end(ap);
}

void ping_filter(const struct raw_state *rs, int linktype, char *expr, size_t cap)
{
    const struct scan_config *cfg = rs->cfg;
    bool v6 = cfg->family == AF_INET6;
    if (cfg->techs[PROTO_UDP] ||
        (cfg->ping && (has_kind(cfg, PING_UDP, -1) || has_kind(cfg, PING_IPPROTO, IPPROTO_UDP))))
        append(expr, cap, " or (udp and dst portrange %u-%u)", rs->sport_lo,
               rs->sport_lo + rs->nsport - 1u);
    if (!cfg->ping || cfg->list_scan)
        return;
    if (!v6 && (has_kind(cfg, PING_ICMP_ECHO, -1) || has_kind(cfg, PING_ICMP_TSTAMP, -1) ||
                has_kind(cfg, PING_ICMP_MASK, -1) || has_kind(cfg, PING_IPPROTO, IPPROTO_ICMP)))
        append(expr, cap, " or (icmp and (icmp[0] == 0 or icmp[0] == 14 or icmp[0] == 18))");
    if (v6 && (has_kind(cfg, PING_ICMP_ECHO, -1) || has_kind(cfg, PING_IPPROTO, IPPROTO_ICMPV6)))
        append(expr, cap, " or (icmp6 and ip6[40] == 129)");
    if (cfg->arp_ping && v6)
        append(expr, cap, " or (icmp6 and ip6[40] == 136)");
    if (cfg->arp_ping && !v6 && linktype == DLT_EN10MB)
        append(expr, cap, " or arp");
    if (v6 && has_kind(cfg, PING_IPPROTO, -1)) /* parameter problem: unknown next header */
        append(expr, cap, " or (icmp6 and ip6[40] == 4)");
    for (size_t i = 0; i < cfg->npings; i++) {
        unsigned pr = cfg->pings[i].arg;
        if (cfg->pings[i].kind == PING_IPPROTO && pr != IPPROTO_ICMP && pr != IPPROTO_ICMPV6 &&
            pr != IPPROTO_UDP && pr != IPPROTO_TCP)
            append(expr, cap, " or (%s proto %u)", v6 ? "ip6" : "ip", pr);
    }
}

bool raw_on_link(struct engine *eng, void *state, const struct ip_addr *a)
{
    struct raw_state *rs = state;
    (void)eng;
    const struct route_slot *rt = raw_route(rs, a);
    if (rt->err || rt->r.has_gateway || rt->r.loopback)
        return false;
    const struct link_info *li = raw_link(rs, rt->r.ifindex, rt->r.ifname);
    return li && li->ether;
}
