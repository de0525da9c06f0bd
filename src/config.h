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

struct scan_config {
    int family; /* AF_INET or AF_INET6 (-6) */
    const struct technique *tech;
    struct port_list ports;
    struct timing timing;
    int ping;               /* discover hosts first (not -Pn) */
    enum dns_mode dns;
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
};

/* nmap's -T templates.  Fills every timing field for the level. */
void timing_template(struct timing *t, int level);

#endif
