/* SPDX-License-Identifier: MIT */
/* What the command line asks for, as one read-only record for the engine
 * and the outputs. */
#ifndef PORTSCOUT_CONFIG_H
#define PORTSCOUT_CONFIG_H

#include <stdint.h>

#include "addr.h"
#include "lib/timeutil.h"
#include "ports.h"
#include "target.h"

struct payloads;
#include "techniques/technique.h"

struct timing {
    int level;              /* -T0..-T5; 3 by default */
    usec_t initial_rtt, min_rtt, max_rtt;
    int max_retries;
    usec_t host_timeout;    /* 0: none */
    usec_t scan_delay, max_scan_delay;
    double min_rate, max_rate; /* packets per second; 0: none */
    int min_parallelism, max_parallelism; /* 0: automatic */
    int min_hostgroup, max_hostgroup;     /* 0: automatic */
};

enum dns_mode { DNS_NEVER, DNS_UP_HOSTS, DNS_ALWAYS };

/* Host discovery probes (-PS -PA -PU -PE -PP -PM -PO -PR).  A discovery
 * probe travels through the engine like a port probe, with its kind in
 * probe.proto and its port (or IP protocol number) in probe.port. */
enum ping_kind {
    PING_TCP_SYN,     /* -PS: SYN to a port (unprivileged: a connect) */
    PING_TCP_ACK,     /* -PA: ACK to a port */
    PING_UDP,         /* -PU: UDP datagram to a port */
    PING_ICMP_ECHO,   /* -PE: echo request (ICMPv6 too) */
    PING_ICMP_TSTAMP, /* -PP: timestamp request (IPv4 only) */
    PING_ICMP_MASK,   /* -PM: address mask request (IPv4 only) */
    PING_IPPROTO,     /* -PO: a bare IP packet of a protocol */
    PING_ARP,         /* -PR: ARP request on a directly attached Ethernet */
    PING_ND,          /* IPv6 Neighbor Solicitation, the same on IPv6 */
    PING_KIND_COUNT
};

struct ping_probe {
    uint8_t kind;  /* enum ping_kind */
    uint16_t arg;  /* port, or IP protocol number for PING_IPPROTO */
};

struct scan_config {
    int family; /* AF_INET or AF_INET6 (-6) */
    const struct technique *tech;      /* the scan's first technique (names the scan) */
    const struct technique *techs[PROTO_COUNT]; /* per protocol: TCP's, UDP's (-sU); or NULL */
    const struct technique *ping_tech; /* discovery's: raw when allowed, else connect */
    struct port_list ports;
    struct timing timing;
    int ping;               /* discover hosts first (not -Pn) */
    int ping_only;          /* -sn: discovery, no port scan */
    int list_scan;          /* -sL: list the targets, send nothing */
    struct ping_probe *pings; /* the discovery probes, in sending order */
    size_t npings;
    int arp_ping;           /* ARP/ND for targets on an attached Ethernet
                             * (off with --disable-arp-ping or --send-ip) */
    int randomize_hosts;    /* --randomize-hosts: targets in a random permutation */
    enum dns_mode dns;
    char *dns_servers;      /* --dns-servers, comma-separated; NULL: the system's */
    int system_dns;         /* --system-dns: the system resolver, one at a time */
    int randomize_ports;    /* not -r */
    uint64_t seed;
    int verbose, debug;
    int reason, open_only;
    const struct services *svc;
    /* raw-packet scans */
    int packet_trace;       /* --packet-trace */
    int defeat_rst_ratelimit;
    int source_port;        /* -g/--source-port; -1: our own */
    int scanflags;          /* --scanflags as TCP flag bits; -1: the technique's */
    int ttl;                /* --ttl; 0: our default */
    int badsum;             /* --badsum */
    char *iface;            /* -e; NULL: the route's */
    struct ip_addr source;  /* -S; family 0 when not given */
    /* UDP payloads: --data/--data-string/--data-length replace the
     * per-port ones of the payload file (payloads, NULL: none) */
    const struct payloads *payloads;
    uint8_t *data;
    size_t datalen;
    int data_set;
    int defeat_icmp_ratelimit;
    /* version detection (-sV, -A) */
    int version_scan;       /* -sV */
    int version_intensity;  /* --version-intensity 0-9 (7; light 2, all 9) */
    int version_trace;      /* --version-trace */
    char *versiondb;        /* --versiondb FILE; NULL: our data/portscout-service-probes */
    int aggressive;         /* -A: -sV now (and -O when it exists) */
};

/* nmap's -T templates.  Fills every timing field for the level. */
void timing_template(struct timing *t, int level);

#endif
