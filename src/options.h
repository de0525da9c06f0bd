/* SPDX-License-Identifier: MIT */
/* The command line, in nmap's syntax. */
#ifndef PORTSCOUT_OPTIONS_H
#define PORTSCOUT_OPTIONS_H

#include <stdio.h>

#include "config.h"
#include "target.h"

enum options_action { ACTION_SCAN, ACTION_HELP, ACTION_VERSION };

struct options {
    enum options_action action;
    struct scan_config cfg;
    struct target_list targets, exclude;
    char *input_file;        /* -iL */
    char *exclude_file;      /* --excludefile */
    char *exclude_spec;      /* --exclude values, comma-joined */
    char *port_spec;         /* -p */
    char *exclude_ports;     /* --exclude-ports */
    int top_ports;           /* --top-ports / -F; 0: default 1000 */
    int fast;                /* -F */
    int quiet_warnings;      /* unit tests: no stderr chatter */
    char *normal_file;       /* -oN */
    char *xml_file;          /* -oX */
    char *grepable_file;     /* -oG */
    char *json_file;         /* -oJ */
    char *all_base;          /* -oA: BASE.nmap, BASE.xml, BASE.gnmap */
    char *stylesheet;        /* --stylesheet / --webxml */
    int no_stylesheet;       /* --no-stylesheet */
    usec_t stats_every;      /* --stats-every; 0: none */
    int append;              /* --append-output */
    char *datadir, *servicedb;
    char *cmdline;
    int seed_set;            /* --seed given; else a random seed */
    int tech_set;            /* a -s option chose the technique */
    int privileged;          /* --privileged 1, --unprivileged 0, else -1: find out */
    struct ping_probe *pings; /* -P probes as given (cfg.pings points here) */
    size_t npings;
    int arp_only;            /* -PR */
    int udp;                 /* -sU */
    int send_ip, send_eth;   /* --send-ip, --send-eth */
    /* explicit timing values override the -T template whatever the order */
    struct timing timing_set;
    unsigned timing_mask;
};

#define OPTIONS_ERRLEN 512

/* Parse argv.  Returns 0, or -1 with a one-line message in err. */
int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen);
/* Turn the -iL/--excludefile/port options into targets and ports; needs the
 * services table.  Returns 0, or -1 with err set. */
int options_finish(struct options *o, const struct services *svc, char *err, size_t errlen);
void options_free(struct options *o);
void options_usage(FILE *f);

#endif
