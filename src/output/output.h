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
    time_t start;
    usec_t start_us;
};

struct scan_summary {
    time_t end;
    double elapsed;        /* seconds */
    unsigned long hosts_total, hosts_up;
};

struct output {
    const struct output_format *fmt;
    FILE *f;
    int to_file;           /* a -o file rather than the terminal's report */
    int owns_f;
};

struct output_format {
    const char *name;
    void (*begin)(struct output *o, const struct scan_info *si);
    void (*host)(struct output *o, const struct scan_info *si, const struct host_report *r);
    void (*end)(struct output *o, const struct scan_info *si, const struct scan_summary *s);
};

extern const struct output_format output_normal;

/* Format helpers shared by formats. */
/* nmap's latency style: two significant digits, never an exponent. */
void format_sigdigits(double v, int digits, char *buf, size_t len);

#endif
