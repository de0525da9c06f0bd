/* SPDX-License-Identifier: MIT */
/* The UDP scan (-sU) and the UDP discovery probe (-PU).
 *
 * A UDP probe carries the protocol's own request where the payload file has
 * one for the port (a DNS query to 53, an NTP request to 123...), since most
 * services stay silent at an empty datagram; --data, --data-string and
 * --data-length replace it.  Its try is told by its source port.
 *
 * What an answer means, as in nmap:
 *   any UDP reply                                open      udp-response
 *   ICMP port unreachable from the target        closed    port-unreach
 *   other unreachables (host, net, protocol,
 *   prohibited; ICMPv6 no route, admin, ...)     filtered  (its reason)
 *   nothing                                      open|filtered
 * The closed ports' answers are what the target's ICMP rate limit throttles
 * (Linux: one a second per destination after a short burst); the engine's
 * send delay follows the rate the answers come at, per host, so several
 * hosts are scanned at the sum of their limits (ARCHITECTURE.md). */
#include <errno.h>
#include <netinet/in.h>

#include "payloads.h"
#include "raw.h"
#include "technique.h"

int udp_send(struct raw_state *rs, struct probe *p, const struct route *r)
{
    const struct scan_config *cfg = rs->cfg;
    const uint8_t *data = NULL;
    size_t len = 0;
    if (cfg->data_set) {
        data = cfg->data;
        len = cfg->datalen;
    } else if (!p->ping && cfg->payloads) {
        data = payloads_for(cfg->payloads, p->port, &len);
    }
    struct pkt_ip_spec ip = raw_ip_spec(rs, r, p->addr);
    struct out_pkt *o = raw_slot(rs, p->addr->family == AF_INET6);
    p->sport = raw_probe_sport(rs, p->tryno);
    size_t n = pkt_build_udp(o->buf, sizeof o->buf, &ip, p->sport, p->port, data, len);
    if (!n)
        return -EINVAL;
    raw_commit(rs, p, o, n);
    return 0;
}

/* Tell the engine what try t of p got; or, with no try in flight, offer a
 * scan's late answer to it.  Always 1 (the packet was for us). */
static int udp_answer(struct raw_state *rs, struct probe *p, int t, enum port_state st,
                      enum reason why, const struct pkt_reply *r, const struct ip_addr *target,
                      uint16_t port, uint16_t sport)
{
    struct engine *eng = rs->eng;
    if (!p) {
        /* late: check the source port against any try the engine sent */
        int lt = raw_try_of_sport(rs, sport, 255);
        if (lt < 0 || !engine_late_reply(eng, target, PROTO_UDP, port, st, why, r->ttl,
                                         (unsigned)lt)) {
            engine_note_rejected(eng);
            return 1;
        }
        if (rs->cfg->packet_trace)
            raw_trace(rs, "RCVD", r->ip, r->iplen, " (late)");
        return 1;
    }
    return raw_answer(rs, p, t, st, why, r);
}

int udp_handle(struct raw_state *rs, const struct pkt_reply *r)
{
    if (!raw_is_our_port(rs, r->dport) && r->dport != rs->cfg->source_port)
        return 0;
    struct probe *p = raw_table_find(rs, &r->src, r->sport, W_UDP);
    if (!p && !rs->cfg->techs[PROTO_UDP])
        return 0; /* no UDP scan: nothing can be late */
    int t = p ? raw_try_of_sport(rs, r->dport, p->tryno) : -1;
    return udp_answer(rs, p, t, PORT_OPEN, REASON_UDP_RESPONSE, r, &r->src, r->sport, r->dport);
}

/* Which unreachables say something of a UDP port (nmap's list): the port's
 * own, and those of a host, network or protocol, or a prohibition. */
static int udp_unreach_counts(int v6, unsigned type, unsigned code)
{
    if (v6)
        return type == 1; /* every ICMPv6 destination-unreachable code */
    return type == 3 && (code <= 3 || code == 9 || code == 10 || code == 13);
}

int udp_handle_icmp(struct raw_state *rs, const struct pkt_reply *r)
{
    const struct ip_addr *dst = &r->orig.dst;
    int v6 = dst->family == AF_INET6;
    if (!raw_is_our_port(rs, r->orig.sport) && r->orig.sport != rs->cfg->source_port)
        return 0;
    struct probe *p = raw_table_find(rs, dst, r->orig.dport, W_UDP);
    if (!p && !rs->cfg->techs[PROTO_UDP])
        return 0;
    if (!udp_unreach_counts(v6, r->icmp_type, r->icmp_code))
        return 1; /* time exceeded, fragmentation needed...: no verdict */
    enum reason why = reason_from_icmp(v6, r->icmp_type, r->icmp_code);
    enum port_state st = why == REASON_PORT_UNREACH && ip_addr_equal(&r->src, dst)
                             ? PORT_CLOSED
                             : PORT_FILTERED;
    int t = p ? raw_try_of_sport(rs, r->orig.sport, p->tryno) : -1;
    return udp_answer(rs, p, t, st, why, r, dst, r->orig.dport, r->orig.sport);
}

RAW_TECHNIQUE(technique_udp, "-sU", "udp", "UDP Scan", PROTO_UDP, PORT_OPEN_FILTERED, 0);
