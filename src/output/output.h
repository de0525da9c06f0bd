/* SPDX-License-Identifier: MIT */
/* Output formats.  Each reads only the neutral records of results.h and
 * writes to one stream; main fans the scan out to every requested one. */
#ifndef PORTSCOUT_OUTPUT_H
#define PORTSCOUT_OUTPUT_H

#include <stdint.h>
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
    /* Optional: a host a stopped scan did not finish, with the ports it
     * concluded (see output_partial_line); for --resume. */
    void (*partial)(struct output *o, const struct scan_info *si, const struct host_report *r);
};

extern const struct output_format output_normal;
extern const struct output_format output_xml;      /* -oX */
extern const struct output_format output_grepable; /* -oG */
extern const struct output_format output_json;     /* -oJ */

/* Format helpers shared by formats. */
/* Version detection: a port's service name as nmap shows it in its text
 * formats: the probed name ("ssl/http" inside TLS), "name?" for a service
 * that answered but matched nothing, else the table's (or NULL). */
const char *output_service_name(const struct scan_config *cfg, const struct port_result *p,
                                char *buf, size_t len);
/* nmap's VERSION text: "product version (extrainfo)", each part only when
 * known; "" when none is. */
void output_version_text(const struct service_info *s, char *buf, size_t len);
/* nmap's "Service Info:" line ("Host: x; OS: Linux; CPE: cpe:/o:..."), from
 * every probed port of the host; 0 when there is nothing to say. */
int output_service_info(const struct host_report *r, char *buf, size_t len);
/* Did version detection run (a VERSION column)? */
int output_version_ran(const struct scan_config *cfg);
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

/* A host's ports counted by (protocol, state) and reason, with the ignored
 * states marked: what every format needs to list some ports and sum up the
 * others ("Not shown", extraports, "Ignored State"). */
struct port_tally {
    size_t n[PROTO_COUNT][PORT_STATE_COUNT];
    size_t by_reason[PROTO_COUNT][PORT_STATE_COUNT][REASON_COUNT];
    uint8_t hidden[PROTO_COUNT][PORT_STATE_COUNT]; /* summed up, not listed */
    size_t shown;                                  /* ports listed */
};

struct tally_group {
    uint8_t proto, state;
    size_t count;
};

/* "portscout partial host ADDR up REASON: 1-21/tcp/closed/conn-refused/0,
 * 22/tcp/open/syn-ack/0,..." between prefix and suffix (the format's comment
 * markers): consecutive ports with the same outcome are one range.
 * resume.c reads it back. */
void output_partial_line(FILE *f, const char *prefix, const char *suffix,
                         const struct host_report *r);

/* A time as nmap's file outputs write it: "Sun Nov 22 02:36:14 2026"
 * (local time; the number of seconds if it cannot be formatted). */
void output_ctime(time_t t, char *buf, size_t len);
/* A MAC address as nmap prints it: "00:16:3E:0A:0B:0C" (buf of 18). */
const char *output_mac(const uint8_t mac[6], char *buf);
/* --scanflags bits as nmap's XML writes them: "FINPSH" (lowest bit first). */
const char *output_tcp_flags(int bits, char buf[32]);
/* How many of r's ports are in state st. */
size_t output_count_state(const struct host_report *r, enum port_state st);
void port_tally(struct port_tally *t, const struct scan_config *cfg, const struct host_report *r);
/* Is this port summed up rather than listed?  (Also for a malformed record.) */
int port_tally_hides(const struct port_tally *t, const struct port_result *p);
/* The summed-up groups, largest first (ties: protocol, then state), as nmap
 * orders them.  Returns how many were written to out. */
size_t port_tally_hidden(const struct port_tally *t,
                         struct tally_group out[PROTO_COUNT * PORT_STATE_COUNT]);
/* The reasons of one group, most frequent first (ties: reason order).
 * Returns how many were written to out. */
size_t port_tally_reasons(const struct port_tally *t, int proto, int state,
                          uint8_t out[REASON_COUNT]);
/* nmap's latency style: two significant digits, never an exponent. */
void format_sigdigits(double v, int digits, char *buf, size_t len);

#endif
