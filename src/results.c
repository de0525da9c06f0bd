/* SPDX-License-Identifier: MIT */
#include "results.h"

#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

const char *port_state_name(enum port_state s)
{
    static const char *const names[PORT_STATE_COUNT] = {
        [PORT_UNKNOWN] = "unknown",
        [PORT_OPEN] = "open",
        [PORT_CLOSED] = "closed",
        [PORT_FILTERED] = "filtered",
        [PORT_UNFILTERED] = "unfiltered",
        [PORT_OPEN_FILTERED] = "open|filtered",
        [PORT_CLOSED_FILTERED] = "closed|filtered",
    };
    return (unsigned)s < PORT_STATE_COUNT ? names[s] : "unknown";
}

const char *reason_name(enum reason r)
{
    static const char *const names[REASON_COUNT] = {
        [REASON_NONE] = "unknown-response",
        [REASON_SYN_ACK] = "syn-ack",
        [REASON_RESET] = "reset",
        [REASON_CONN_REFUSED] = "conn-refused",
        [REASON_NO_RESPONSE] = "no-response",
        [REASON_NET_UNREACH] = "net-unreach",
        [REASON_HOST_UNREACH] = "host-unreach",
        [REASON_PROTO_UNREACH] = "proto-unreach",
        [REASON_PORT_UNREACH] = "port-unreach",
        [REASON_NET_PROHIBITED] = "net-prohibited",
        [REASON_HOST_PROHIBITED] = "host-prohibited",
        [REASON_ADMIN_PROHIBITED] = "admin-prohibited",
        [REASON_HOST_TOS_UNREACH] = "host-tos-unreach",
        [REASON_NET_TOS_UNREACH] = "net-tos-unreach",
        [REASON_TIME_EXCEEDED] = "time-exceeded",
        [REASON_NO_ROUTE] = "no-route",
        [REASON_BEYOND_SCOPE] = "beyond-scope",
        [REASON_REJECT_ROUTE] = "reject-route",
        [REASON_LOCALHOST] = "localhost-response",
        [REASON_USER_SET] = "user-set",
        [REASON_SPLIT_HANDSHAKE_SYN] = "split-handshake-syn",
        [REASON_ECHO_REPLY] = "echo-reply",
        [REASON_TIMESTAMP_REPLY] = "timestamp-reply",
        [REASON_ADDRESSMASK_REPLY] = "addressmask-reply",
        [REASON_ARP_RESPONSE] = "arp-response",
        [REASON_ND_RESPONSE] = "nd-response",
        [REASON_UDP_RESPONSE] = "udp-response",
        [REASON_PROTO_RESPONSE] = "proto-response",
    };
    return (unsigned)r < REASON_COUNT ? names[r] : "unknown-response";
}

int port_state_from_name(const char *name)
{
    for (int s = 0; s < PORT_STATE_COUNT; s++)
        if (strcmp(port_state_name((enum port_state)s), name) == 0)
            return s;
    return -1;
}

int reason_from_name(const char *name)
{
    for (int r = 0; r < REASON_COUNT; r++)
        if (strcmp(reason_name((enum reason)r), name) == 0)
            return r;
    return -1;
}

enum reason reason_from_icmp(int v6, unsigned type, unsigned code)
{
    if (!v6) {
        if (type == ICMP_TIME_EXCEEDED)
            return REASON_TIME_EXCEEDED;
        switch (code) {
        case ICMP_NET_UNREACH: return REASON_NET_UNREACH;
        case ICMP_HOST_UNREACH: return REASON_HOST_UNREACH;
        case ICMP_PROT_UNREACH: return REASON_PROTO_UNREACH;
        case ICMP_PORT_UNREACH: return REASON_PORT_UNREACH;
        case ICMP_NET_ANO: return REASON_NET_PROHIBITED;
        case ICMP_HOST_ANO: return REASON_HOST_PROHIBITED;
        case ICMP_PKT_FILTERED: return REASON_ADMIN_PROHIBITED;
        case ICMP_NET_UNR_TOS: return REASON_NET_TOS_UNREACH;
        case ICMP_HOST_UNR_TOS: return REASON_HOST_TOS_UNREACH;
        default: return REASON_HOST_UNREACH;
        }
    }
    if (type == ICMP6_TIME_EXCEEDED)
        return REASON_TIME_EXCEEDED;
    if (type == ICMP6_PARAM_PROB) /* code 1: unknown next header, IPv6's proto-unreach */
        return code == ICMP6_PARAMPROB_NEXTHEADER ? REASON_PROTO_UNREACH : REASON_NONE;
    switch (code) {
    case ICMP6_DST_UNREACH_NOROUTE: return REASON_NO_ROUTE;
    case ICMP6_DST_UNREACH_ADMIN: return REASON_ADMIN_PROHIBITED;
    case ICMP6_DST_UNREACH_BEYONDSCOPE: return REASON_BEYOND_SCOPE;
    case ICMP6_DST_UNREACH_ADDR: return REASON_HOST_UNREACH;
    case ICMP6_DST_UNREACH_NOPORT: return REASON_PORT_UNREACH;
    case 6: return REASON_REJECT_ROUTE; /* reject route to destination */
    default: return REASON_HOST_UNREACH;
    }
}

void *report_own(struct report_copy *c, void *p)
{
    if (!p)
        return NULL;
    if (c->nowned == c->capowned) {
        c->capowned = c->capowned ? c->capowned * 2 : 16;
        c->owned = xreallocarray(c->owned, c->capowned, sizeof *c->owned);
    }
    c->owned[c->nowned++] = p;
    return p;
}

const char *report_strdup(struct report_copy *c, const char *s)
{
    return s ? report_own(c, xstrdup(s)) : NULL;
}

static const struct service_info *copy_service(struct report_copy *c,
                                               const struct service_info *s)
{
    struct service_info *d = report_own(c, xmalloc(sizeof *d));
    *d = *s;
    d->name = report_strdup(c, s->name);
    d->product = report_strdup(c, s->product);
    d->version = report_strdup(c, s->version);
    d->extrainfo = report_strdup(c, s->extrainfo);
    d->hostname = report_strdup(c, s->hostname);
    d->ostype = report_strdup(c, s->ostype);
    d->devicetype = report_strdup(c, s->devicetype);
    d->cert_subject = report_strdup(c, s->cert_subject);
    d->cert_issuer = report_strdup(c, s->cert_issuer);
    d->fingerprint = report_strdup(c, s->fingerprint);
    if (s->ncpe) {
        const char **cpe = report_own(c, xcalloc(s->ncpe, sizeof *cpe));
        for (size_t i = 0; i < s->ncpe; i++)
            cpe[i] = report_strdup(c, s->cpe[i]);
        d->cpe = cpe;
    }
    return d;
}

struct report_copy *report_copy_new(const struct host_report *r)
{
    struct report_copy *c = xcalloc(1, sizeof *c);
    c->r = *r;
    c->t = *r->target;
    c->t.name = r->target->name ? xstrdup(r->target->name) : NULL;
    if (r->target->nothers) {
        c->t.others = xcalloc(r->target->nothers, sizeof *c->t.others);
        memcpy(c->t.others, r->target->others, r->target->nothers * sizeof *c->t.others);
    }
    c->r.target = &c->t;
    if (r->nports) {
        c->ports = xcalloc(r->nports, sizeof *c->ports);
        memcpy(c->ports, r->ports, r->nports * sizeof *c->ports);
        for (size_t i = 0; i < r->nports; i++)
            if (r->ports[i].svc)
                c->ports[i].svc = copy_service(c, r->ports[i].svc);
    }
    c->r.ports = c->ports;
    c->r.mac_vendor = report_strdup(c, r->mac_vendor);
    c->r.rdns = report_strdup(c, r->rdns);
    return c;
}

void report_copy_free(struct report_copy *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nowned; i++)
        free(c->owned[i]);
    free(c->owned);
    free(c->ports);
    target_clear(&c->t);
    free(c);
}
