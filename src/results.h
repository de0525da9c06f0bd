/* SPDX-License-Identifier: MIT */
/* The neutral result records: what a scan technique concludes about a port
 * and a host.  Output formats read only these, never packets. */
#ifndef PORTSCOUT_RESULTS_H
#define PORTSCOUT_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/timeutil.h"
#include "target.h"

/* nmap's six port states (plus "unknown" before any conclusion). */
enum port_state {
    PORT_UNKNOWN,
    PORT_OPEN,
    PORT_CLOSED,
    PORT_FILTERED,
    PORT_UNFILTERED,
    PORT_OPEN_FILTERED,
    PORT_CLOSED_FILTERED,
    PORT_STATE_COUNT
};

/* Why a state was concluded; names as nmap's --reason prints them. */
enum reason {
    REASON_NONE,
    REASON_SYN_ACK,
    REASON_RESET,
    REASON_CONN_REFUSED,
    REASON_NO_RESPONSE,
    REASON_NET_UNREACH,
    REASON_HOST_UNREACH,
    REASON_PROTO_UNREACH,
    REASON_PORT_UNREACH,
    REASON_NET_PROHIBITED,
    REASON_HOST_PROHIBITED,
    REASON_ADMIN_PROHIBITED,
    REASON_HOST_TOS_UNREACH,
    REASON_NET_TOS_UNREACH,
    REASON_TIME_EXCEEDED,
    REASON_NO_ROUTE,
    REASON_BEYOND_SCOPE,
    REASON_REJECT_ROUTE,
    REASON_LOCALHOST,
    REASON_USER_SET,
    REASON_SPLIT_HANDSHAKE_SYN, /* a SYN without ACK answered our SYN */
    REASON_ECHO_REPLY,
    REASON_TIMESTAMP_REPLY,
    REASON_ADDRESSMASK_REPLY,
    REASON_ARP_RESPONSE,
    REASON_ND_RESPONSE,
    REASON_UDP_RESPONSE,
    REASON_PROTO_RESPONSE,
    REASON_COUNT
};

const char *port_state_name(enum port_state s);
const char *reason_name(enum reason r);
/* The reverse: the enum of a name, or -1. */
int port_state_from_name(const char *name);
int reason_from_name(const char *name);
/* The reason nmap gives for an ICMP destination-unreachable (or time
 * exceeded) message, by its type and code as on the wire; v6 selects ICMPv6
 * numbering. */
enum reason reason_from_icmp(int v6, unsigned type, unsigned code);

/* How version detection named a service (nmap's method attribute). */
enum svc_method {
    SVC_TABLE,  /* only the port number's entry in the services table (conf 3) */
    SVC_PROBED, /* a probe's answer matched (conf 10, or 8 for a soft match) */
};

/* What version detection (-sV) found about a port's service.  Every string
 * is NULL when unknown.  The names and fields are nmap's, so the outputs can
 * write them as nmap does. */
struct service_info {
    const char *name;       /* "http", "ssh"; without the "ssl/" of a tunnel */
    const char *product, *version, *extrainfo;
    const char *hostname, *ostype, *devicetype; /* for the "Service Info:" line */
    const char *const *cpe; /* "cpe:/a:openbsd:openssh:9.2p1", ... */
    size_t ncpe;
    uint8_t method;         /* enum svc_method */
    uint8_t conf;           /* nmap's confidence, 0-10 */
    uint8_t tunnel_ssl;     /* the service spoke inside TLS ("ssl/http") */
    uint8_t rpc;            /* an ONC RPC program was identified: */
    uint32_t rpc_num, rpc_low, rpc_high; /* program number, version range */
    /* TLS: the server's certificate, when the port spoke TLS */
    const char *cert_subject;  /* one-line, "commonName=lab.example/organizationName=..." */
    const char *cert_issuer;
    time_t cert_not_before, cert_not_after; /* 0 when unknown */
    /* An answer no rule matched: nmap's service fingerprint ("SF:..."), for
     * the "service unrecognized despite returning data" block; or NULL. */
    const char *fingerprint;
};

struct port_result {
    uint16_t port;
    uint8_t proto; /* enum proto */
    uint8_t state; /* enum port_state */
    uint8_t reason;
    uint8_t ttl; /* of the reply; 0 when not known (connect scans) */
    const struct service_info *svc; /* -sV: what answers there; NULL when not asked or none */
};

struct host_report {
    const struct target *target;
    const char *rdns;       /* reverse name, or NULL */
    int up;
    int listed;             /* -sL: named only, never probed (state unknown) */
    uint8_t up_reason;      /* enum reason */
    uint8_t up_ttl;         /* TTL of the reply that showed it up; 0 if none */
    usec_t latency;         /* lowest RTT seen; < 0 when unknown */
    usec_t srtt, rttvar, timeout; /* the engine's estimates; 0 when none */
    int timed_out;          /* --host-timeout ended it */
    time_t start, end;
    const struct port_result *ports; /* sorted by protocol, then port */
    size_t nports;
    /* Nearly every port answered as open to a SYN scan: a SYN proxy or a
     * tarpit answers for the host, so "open" says nothing about services. */
    int answers_all;
    int has_mac;            /* on an attached Ethernet: its MAC address */
    uint8_t mac[6];
    const char *mac_vendor; /* the IEEE registry's name for it, or NULL */
};

/* A report that owns everything it points to (target, ports, their
 * service records, names): for stages that keep a host after the engine's
 * call returns (version detection, names).  Its fields may be changed;
 * strings and service records put in must be owned by it (report_own). */
struct report_copy {
    struct host_report r;
    struct target t;
    struct port_result *ports;
    char **owned;      /* strings and blocks freed with it */
    size_t nowned, capowned;
};

struct report_copy *report_copy_new(const struct host_report *r);
/* Hand p (from malloc) to the copy, which frees it with itself; returns p. */
void *report_own(struct report_copy *c, void *p);
/* A copy of s owned by c (NULL stays NULL). */
const char *report_strdup(struct report_copy *c, const char *s);
void report_copy_free(struct report_copy *c);

#endif
