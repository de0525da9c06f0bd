/* SPDX-License-Identifier: MIT */
/* Output formats.  Each reads only the neutral records of results.h and
 * writes to one stream; main fans the scan out to every requested one. */
#ifndef PORTSCOUT_OUTPUT_H
#define PORTSCOUT_OUTPUT_H

#include <stdio.h>
#include <time.h>

#include "config.h"
#include "results.h"

struct scan_info {
    const struct scan_config *cfg;
    const char *cmdline;   /* the command as typed, for file headers */
    const char *version;   /* portscout's version */
    time_t start;
    usec_t start_us;
    const char *stylesheet; /* -oX: XSL stylesheet href, NULL for none */
    /* --resume: the <host> elements an XML file already had, rewritten
     * first, and how many hosts (up) they count. */
    const char *xml_carry;
    unsigned long carry_total, carry_up;
};

struct scan_summary {
    time_t end;
    double elapsed;        /* seconds */
    unsigned long hosts_total, hosts_up;
    int interrupted;       /* stopped early by SIGINT/SIGTERM */
    const char *errmsg;    /* why it stopped early, or NULL */
};

struct output {
    const struct output_format *fmt;
    FILE *f;
    int to_file;           /* a -o file rather than the terminal's report */
    int owns_f;
    void *priv;            /* the format's own state, if it needs any */
};

struct output_format {
    const char *name;
    void (*begin)(struct output *o, const struct scan_info *si);
    void (*host)(struct output *o, const struct scan_info *si, const struct host_report *r);
    void (*end)(struct output *o, const struct scan_info *si, const struct scan_summary *s);
};

extern const struct output_format output_normal;
extern const struct output_format output_xml;      /* -oX */
extern const struct output_format output_grepable; /* -oG */
extern const struct output_format output_json;     /* -oJ */

/* Format helpers shared by formats. */
/* The scanned ports of one protocol in nmap's compact form
 * ("1-3,22,80-81"); malloc'd, "" when there are none. */
char *ports_compact(const struct port_list *l, enum proto p);
/* nmap's "ignored states": is a state with `count` ports of one protocol
 * summed up ("Not shown", extraports) rather than listed?  Open ports never
 * are; other states when more than 25 per verbosity level (every port at
 * -dd); with --open, everything but open, open|filtered and unfiltered. */
int output_ignored(const struct scan_config *cfg, enum port_state st, size_t count);
/* Would the host list any port at all?  (With --open a host without one is
 * left out of the reports.) */
int output_any_shown(const struct scan_config *cfg, const struct host_report *r);
/* nmap's latency style: two significant digits, never an exponent. */
void format_sigdigits(double v, int digits, char *buf, size_t len);

#endif
