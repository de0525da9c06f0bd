/* SPDX-License-Identifier: MIT */
/* The raw TCP scans: SYN (-sS), NULL (-sN), FIN (-sF), Xmas (-sX), ACK (-sA),
 * Window (-sW), Maimon (-sM) and --scanflags, and the TCP discovery probes
 * (-PS, -PA).  One module: they differ only in the flags they send and in
 * what a reply means.  The raw machinery they run on is raw.c.
 *
 * A probe's sequence number (and acknowledgement number, when it carries
 * ACK) is a SipHash of the target address and port under a per-scan secret,
 * plus the try number.  A reply must echo it (ack = seq + length, or a
 * reset's seq = our ack, or the seq quoted in an ICMP error), which proves
 * it answers our probe and says which try it answers, so that late answers
 * give no false RTT samples. */
#include <errno.h>
#include <netinet/in.h>

#include "raw.h"
#include "technique.h"

enum variant { V_SYN, V_NULL, V_FIN, V_XMAS, V_ACK, V_WINDOW, V_MAIMON };

static const uint8_t variant_flags[] = {
    [V_SYN] = TH_SYN_,
    [V_NULL] = 0,
    [V_FIN] = TH_FIN_,
    [V_XMAS] = TH_FIN_ | TH_PSH_ | TH_URG_,
    [V_ACK] = TH_ACK_,
    [V_WINDOW] = TH_ACK_,
    [V_MAIMON] = TH_FIN_ | TH_ACK_,
};

uint8_t tcp_variant_flags(unsigned variant)
{
    return variant < sizeof variant_flags ? variant_flags[variant] : TH_SYN_;
}

/* Sequence space a segment with these flags occupies (SYN and FIN count). */
static uint32_t seg_len(uint8_t flags)
{
    return !!(flags & TH_SYN_) + !!(flags & TH_FIN_);
}

/* The flags probe p was sent with: discovery probes are a SYN (-PS) or an
 * ACK (-PA). */
static uint8_t probe_flags(const struct raw_state *rs, const struct probe *p)
{
    if (p->ping)
        return p->proto == PING_TCP_ACK ? TH_ACK_ : TH_SYN_;
    return rs->flags;
}

/* What a TCP reply says about a port under this scan's rules; 0 if it says
 * nothing (e.g. a SYN/ACK to a FIN scan). */
static int tcp_verdict(const struct raw_state *rs, const struct probe *p, const struct pkt_reply *r,
                       enum port_state *st, enum reason *why)
{
    uint8_t f = r->flags;
    /* discovery probes read as a SYN scan's: any reset or SYN/ACK is "up" */
    switch (p->ping ? V_SYN : rs->variant) {
    case V_SYN:
        if (f & TH_RST_)
            *st = PORT_CLOSED, *why = REASON_RESET;
        else if ((f & (TH_SYN_ | TH_ACK_)) == (TH_SYN_ | TH_ACK_))
            *st = PORT_OPEN, *why = REASON_SYN_ACK;
        else if ((f & TH_SYN_) && !p->ping)
            *st = PORT_OPEN, *why = REASON_SPLIT_HANDSHAKE_SYN;
        else
            return 0;
        return 1;
    case V_ACK:
        if (!(f & TH_RST_))
            return 0;
        *st = PORT_UNFILTERED, *why = REASON_RESET;
        return 1;
    case V_WINDOW:
        if (!(f & TH_RST_))
            return 0;
        *st = r->win ? PORT_OPEN : PORT_CLOSED, *why = REASON_RESET;
        return 1;
    default: /* NULL, FIN, Xmas, Maimon */
        if (!(f & TH_RST_))
            return 0;
        *st = PORT_CLOSED, *why = REASON_RESET;
        return 1;
    }
}

/* Which try of p a TCP reply answers, from the numbers it echoes; -1 when
 * it echoes none of ours (stray, stale or forged). */
static int tcp_answered_try(const struct raw_state *rs, const struct probe *p,
                            const struct pkt_reply *r)
{
    struct cookie c = raw_cookie(rs, p->addr, p->port);
    uint8_t sent = probe_flags(rs, p);
    uint32_t t;
    if (r->flags & TH_ACK_)
        t = r->ack - c.seq - seg_len(sent);
    else if ((r->flags & TH_RST_) && (sent & TH_ACK_))
        t = r->seq - c.ack; /* a reset to a segment with ACK: seq = our ack */
    else if ((r->flags & TH_SYN_) && (sent & TH_SYN_))
        t = p->tryno;       /* simultaneous open: nothing to check but ports */
    else
        return -1;
    return raw_try_matches(rs, t, p->tryno, r->dport) ? (int)t : -1;
}

/* Is this one of our own probes, seen on loopback as it goes out? */
static int is_own_probe(const struct raw_state *rs, const struct pkt_reply *r)
{
    if (!raw_is_our_port(rs, r->sport))
        return 0;
    struct cookie c = raw_cookie(rs, &r->dst, r->dport);
    return r->seq - c.seq < 256u;
}

void tcp_handle(struct raw_state *rs, const struct pkt_reply *r)
{
    struct engine *eng = rs->eng;
    if (!raw_is_our_port(rs, r->dport) || is_own_probe(rs, r))
        return;
    struct probe *p = raw_table_find(rs, &r->src, r->sport, W_TCP);
    /* No try in flight: perhaps an answer that came after its try timed
     * out.  It is checked against the scan's own flags and any try number
     * (the engine knows which were sent). */
    struct probe late = {.addr = &r->src, .port = r->sport, .proto = PROTO_TCP, .tryno = 255};
    const struct probe *q = p ? p : &late;
    int t = tcp_answered_try(rs, q, r);
    enum port_state st;
    enum reason why;
    if (t < 0 || !tcp_verdict(rs, q, r, &st, &why) ||
        (q == &late && (r->flags & (TH_SYN_ | TH_ACK_)) == TH_SYN_) ||
        (q == &late && !engine_late_reply(eng, &r->src, PROTO_TCP, r->sport, st, why, r->ttl,
                                          (unsigned)t))) {
        engine_note_rejected(eng);
        if (rs->cfg->packet_trace && rs->cfg->debug)
            raw_trace(rs, "RCVD", r->ip, r->iplen, " (not an answer to a probe we sent)");
        return;
    }
    if (rs->cfg->packet_trace)
        raw_trace(rs, "RCVD", r->ip, r->iplen, q == &late ? " (late)" : NULL);
    if (q == p) {
        p->rcvd = rs->rcvd;
        raw_note_mac(rs, p, r);
        engine_probe_reply(eng, p, st, why, r->ttl, (unsigned)t);
    }
}

void tcp_handle_icmp(struct raw_state *rs, const struct pkt_reply *r)
{
    struct engine *eng = rs->eng;
    int v6 = r->src.family == AF_INET6;
    /* "fragmentation needed" is path MTU news, not a verdict */
    if (!v6 && r->icmp_type == 3 && r->icmp_code == 4)
        return;
    if (!r->orig.has_seq || !raw_is_our_port(rs, r->orig.sport))
        return;
    struct probe *p = raw_table_find(rs, &r->orig.dst, r->orig.dport, W_TCP);
    struct cookie c = raw_cookie(rs, &r->orig.dst, r->orig.dport);
    uint32_t t = r->orig.seq - c.seq;
    unsigned maxtry = p ? p->tryno : 255; /* no try in flight: perhaps late */
    enum reason why = reason_from_icmp(v6, r->icmp_type, r->icmp_code);
    if (!raw_try_matches(rs, t, maxtry, r->orig.sport) ||
        (!p && !engine_late_reply(eng, &r->orig.dst, PROTO_TCP, r->orig.dport, PORT_FILTERED,
                                  why, r->ttl, t))) {
        engine_note_rejected(eng);
        return;
    }
    if (rs->cfg->packet_trace)
        raw_trace(rs, "RCVD", r->ip, r->iplen, p ? NULL : " (late)");
    if (p) {
        p->rcvd = rs->rcvd;
        engine_probe_reply(eng, p, PORT_FILTERED, why, r->ttl, t);
    }
}

int tcp_send(struct raw_state *rs, struct probe *p, const struct route *r)
{
    uint8_t flags = probe_flags(rs, p);
    struct cookie c = raw_cookie(rs, p->addr, p->port);
    static const uint8_t mss[] = {2, 4, 0x05, 0xb4}; /* MSS 1460, as most stacks */
    struct pkt_ip_spec ip = raw_ip_spec(rs, r, p->addr);
    struct pkt_tcp_spec spec = {
        .src = ip.src,
        .dst = ip.dst,
        .sport = raw_probe_sport(rs, p->tryno),
        .dport = p->port,
        .seq = c.seq + p->tryno,
        .ack = flags & TH_ACK_ ? c.ack + p->tryno : 0,
        .flags = flags,
        .win = 1024,
        .ttl = ip.ttl,
        .ipid = ip.ipid,
        .opts = flags & TH_SYN_ ? mss : NULL,
        .optlen = flags & TH_SYN_ ? sizeof mss : 0,
        .badsum = ip.badsum,
        .data = rs->cfg->data_set ? rs->cfg->data : NULL, /* --data* */
        .datalen = rs->cfg->data_set ? rs->cfg->datalen : 0,
    };
    struct out_pkt *o = raw_slot(rs, p->addr->family == AF_INET6);
    size_t len = pkt_build_tcp(o->buf, sizeof o->buf, &spec);
    if (!len)
        return -EINVAL;
    p->sport = spec.sport;
    raw_commit(rs, p, o, len);
    return 0;
}

RAW_TECHNIQUE(technique_syn, "-sS", "syn", "SYN Stealth Scan", PROTO_TCP, PORT_FILTERED, V_SYN);
RAW_TECHNIQUE(technique_null, "-sN", "null", "NULL Scan", PROTO_TCP, PORT_OPEN_FILTERED, V_NULL);
RAW_TECHNIQUE(technique_fin, "-sF", "fin", "FIN Scan", PROTO_TCP, PORT_OPEN_FILTERED, V_FIN);
RAW_TECHNIQUE(technique_xmas, "-sX", "xmas", "XMAS Scan", PROTO_TCP, PORT_OPEN_FILTERED, V_XMAS);
RAW_TECHNIQUE(technique_ack, "-sA", "ack", "ACK Scan", PROTO_TCP, PORT_FILTERED, V_ACK);
RAW_TECHNIQUE(technique_window, "-sW", "window", "Window Scan", PROTO_TCP, PORT_FILTERED, V_WINDOW);
RAW_TECHNIQUE(technique_maimon, "-sM", "maimon", "Maimon Scan", PROTO_TCP, PORT_OPEN_FILTERED,
              V_MAIMON);
