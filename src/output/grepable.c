/* SPDX-License-Identifier: MIT */
/* nmap's grepable output (-oG): one line per host fact, laid out exactly as
 * nmap 7.93 writes it, so that existing awk/grep/cut pipelines keep working.
 *
 *   # portscout 0.1.0 scan initiated Sat Nov 21 23:55:46 2026 as: portscout ...
 *   # Ports scanned: TCP(3;21-22,80) UDP(0;) SCTP(0;) PROTOCOLS(0;)   (-v only)
 *   Host: 10.77.0.2 ()<TAB>Status: Up
 *   Host: 10.77.0.2 ()<TAB>Ports: 22/open/tcp//ssh///, 80/filtered/tcp//http///<TAB>Ignored
 *       State: closed (997)                                    (one line, wrapped here)
 *   Host: 10.77.0.3 ()<TAB>Status: Down                               (-v only)
 *   Host: 10.77.0.4 ()<TAB>Status: Unknown                            (-sL)
 *   # portscout done at Sat Nov 21 23:55:47 2026 -- 2 IP addresses (1 host up) scanned in
 *       1.02 seconds                                           (one line, wrapped here)
 *
 * As nmap does:
 *  - the name in parentheses is the reverse-DNS name only (empty with -n),
 *    never the name the user typed;
 *  - port entries are port/state/protocol/owner/service/rpc_info/version/
 *    with '/' inside a field replaced by '|'; connect scans know no owner,
 *    RPC or version, so those stay empty;
 *  - ports in ignored states (the same rule as the normal report, --open
 *    included) are left out; "Ignored State: S (N)" follows only when
 *    exactly one state was ignored (grepable output has room for one);
 *  - down hosts appear only with -v; with --open a host without an open
 *    port does not appear at all; a host stopped by --host-timeout gets a
 *    "Status: Timeout" line (after its "Status: Up" line if it was up).
 *  - there are no reasons in this format, whatever --reason says.
 *
 * Beyond nmap: control characters in the command line and in host names are
 * written as '?', so that no value can break the one-record-per-line layout;
 * a scan that stopped early gets a "# portscout stopped early: ..." comment
 * line before the footer (nmap writes no footer at all then). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "output.h"

/* Writes s with control characters replaced by '?'. */
static void put_clean(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

/* Writes s with '/' replaced by '|' (and control characters by '?'), as
 * nmap does for the fields of a port entry. */
static void put_field(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        fputc(*p == '/' ? '|' : *p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

static void grepable_begin(struct output *o, const struct scan_info *si)
{
    char when[64];
    output_ctime(si->start, when, sizeof when);
    fprintf(o->f, "# portscout %s scan initiated %s as: ", si->version ? si->version : "0", when);
    put_clean(o->f, si->cmdline ? si->cmdline : "");
    fputc('\n', o->f);
    if (si->cfg->verbose) {
        static const char *const label[PROTO_COUNT] = {"TCP", "UDP", "SCTP"};
        fputs("# Ports scanned:", o->f);
        for (int p = 0; p < PROTO_COUNT; p++) {
            char *list = ports_compact(&si->cfg->ports, (enum proto)p);
            fprintf(o->f, " %s(%zu;%s)", label[p], si->cfg->ports.n[p], list);
            free(list);
        }
        fputs(" PROTOCOLS(0;)\n", o->f);
    }
    fflush(o->f);
}

/* "Host: ADDR (RDNS)", the start of every host line. */
static void host_prefix(FILE *f, const struct host_report *r)
{
    char a[IP_ADDR_STRLEN];
    fputs("Host: ", f); /* no printf: -sL writes millions of these */
    fputs(ip_addr_str(&r->target->addr, a), f);
    fputs(" (", f);
    if (r->rdns)
        put_clean(f, r->rdns);
    fputc(')', f);
}

static void status_line(FILE *f, const struct host_report *r, const char *status)
{
    host_prefix(f, r);
    fputs("\tStatus: ", f);
    fputs(status, f);
    fputc('\n', f);
}

static void ports_line(FILE *f, const struct scan_info *si, const struct host_report *r,
                       const struct port_tally *t)
{
    const struct scan_config *cfg = si->cfg;
    /* nmap names the ignored state only when there is exactly one */
    size_t ignored_count[PORT_STATE_COUNT] = {0};
    int nignored_states = 0, istate = -1;
    for (int p = 0; p < PROTO_COUNT; p++)
        for (int s = 0; s < PORT_STATE_COUNT; s++) {
            if (!t->hidden[p][s])
                continue;
            if (!ignored_count[s])
                nignored_states++;
            ignored_count[s] += t->n[p][s];
            istate = s;
        }

    host_prefix(f, r);
    fputs("\tPorts: ", f);
    int first = 1;
    for (size_t i = 0; i < r->nports; i++) {
        const struct port_result *pr = &r->ports[i];
        if (port_tally_hides(t, pr))
            continue;
        char name[96], ver[512];
        const char *svc = output_service_name(cfg, pr, name, sizeof name);
        if (!first)
            fputs(", ", f);
        first = 0;
        fprintf(f, "%u/%s/%s//", pr->port, port_state_name((enum port_state)pr->state),
                proto_name((enum proto)pr->proto));
        put_field(f, svc ? svc : "unknown"); /* "ssl/http" becomes nmap's "ssl|http" */
        fputs("//", f);
        output_version_text(pr->svc, ver, sizeof ver);
        put_field(f, ver);
        fputc('/', f);
    }
    if (nignored_states == 1)
        fprintf(f, "\tIgnored State: %s (%zu)", port_state_name((enum port_state)istate),
                ignored_count[istate]);
    fputc('\n', f);
}

static void grepable_host(struct output *o, const struct scan_info *si, const struct host_report *r)
{
    const struct scan_config *cfg = si->cfg;
    FILE *f = o->f;
    if (r->listed) {
        /* -sL: whatever the verbosity; not flushed (see normal.c) */
        status_line(f, r, "Unknown");
        return;
    }
    if (r->timed_out) {
        if (r->up)
            status_line(f, r, "Up");
        status_line(f, r, "Timeout");
        fflush(f);
        return;
    }
    if (!r->up) {
        if (cfg->verbose)
            status_line(f, r, "Down");
        fflush(f);
        return;
    }
    struct port_tally t;
    port_tally(&t, cfg, r);
    if (cfg->open_only && t.shown == 0) {
        fflush(f); /* --open: a host without an open port is left out entirely */
        return;
    }
    status_line(f, r, "Up");
    if (r->nports)
        ports_line(f, si, r, &t);
    fflush(f);
}

static void grepable_end(struct output *o, const struct scan_info *si, const struct scan_summary *s)
{
    char when[64];
    (void)si;
    if (s->errmsg) {
        fputs("# portscout stopped early: ", o->f);
        put_clean(o->f, s->errmsg);
        fputc('\n', o->f);
    } else if (s->interrupted) {
        fputs("# portscout stopped early: interrupted\n", o->f);
    }
    output_ctime(s->end, when, sizeof when);
    fprintf(o->f,
            "# portscout done at %s -- %lu IP address%s (%lu host%s up) scanned in %.2f "
            "seconds\n",
            when, s->hosts_total, s->hosts_total == 1 ? "" : "es", s->hosts_up,
            s->hosts_up == 1 ? "" : "s", s->elapsed);
    fflush(o->f);
}

static void grepable_partial(struct output *o, const struct scan_info *si, const struct host_report *r)
{
    (void)si;
    if (o->to_file) /* only files are read back by --resume */
        output_partial_line(o->f, "# ", "", r);
}

const struct output_format output_grepable = {
    .name = "grepable",
    .partial = grepable_partial,
    .begin = grepable_begin,
    .host = grepable_host,
    .end = grepable_end,
};
