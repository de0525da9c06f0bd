/* SPDX-License-Identifier: MIT */
#include "results.h"

#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <string.h>

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
