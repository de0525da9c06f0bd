/* SPDX-License-Identifier: MIT */
#include "results.h"

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
