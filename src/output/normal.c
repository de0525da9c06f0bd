/* SPDX-License-Identifier: MIT */
/* nmap's normal output: the human-readable report, on the terminal and in
 * -oN files (which add a header and footer comment line). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "output.h"

#ifndef PORTSCOUT_VERSION
#define PORTSCOUT_VERSION "0"
#endif

void format_sigdigits(double v, int digits, char *buf, size_t len)
{
    int decimals = 0;
    if (v > 0) {
        decimals = digits - 1 - (int)floor(log10(v));
        if (decimals < 0)
            decimals = 0;
    }
    snprintf(buf, len, "%.*f", decimals, v);
}

static int show_reason(const struct scan_config *cfg)
{
    return cfg->reason || cfg->verbose >= 2 || cfg->debug > 0;
}

/* "name (addr)" or "addr", as nmap names a host. */
static void host_label(const struct host_report *r, char *buf, size_t len)
{
    char a[IP_ADDR_STRLEN];
    const char *name = r->target->name ? r->target->name : r->rdns;
    ip_addr_str(&r->target->addr, a);
    if (name)
        snprintf(buf, len, "%s (%s)", name, a);
    else
        snprintf(buf, len, "%s", a);
}

static void normal_begin(struct output *o, const struct scan_info *si)
{
    char when[64];
    struct tm tm;
    localtime_r(&si->start, &tm);
    if (o->to_file) {
        output_ctime(si->start, when, sizeof when);
        fprintf(o->f, "# portscout %s scan initiated %s as: %s\n", PORTSCOUT_VERSION, when,
                si->cmdline);
    } else {
        strftime(when, sizeof when, "%Y-%m-%d %H:%M %Z", &tm);
        fprintf(o->f, "Starting portscout %s at %s\n", PORTSCOUT_VERSION, when);
    }
    fflush(o->f);
}

/* "Not shown: 997 closed tcp ports (conn-refused), 3 filtered tcp ports
 * (2 no-response, 1 admin-prohibited)".  Returns whether it printed. */
static int print_not_shown(FILE *f, const struct port_tally *t)
{
    struct tally_group groups[PROTO_COUNT * PORT_STATE_COUNT];
    size_t ng = port_tally_hidden(t, groups);
    for (size_t i = 0; i < ng; i++) {
        const struct tally_group *g = &groups[i];
        fprintf(f, "%s%zu %s %s port%s (", i ? ", " : "Not shown: ", g->count,
                port_state_name((enum port_state)g->state), proto_name((enum proto)g->proto),
                g->count == 1 ? "" : "s");
        uint8_t reasons[REASON_COUNT];
        size_t nr = port_tally_reasons(t, g->proto, g->state, reasons);
        for (size_t k = 0; k < nr; k++) {
            const char *name = reason_name((enum reason)reasons[k]);
            if (nr == 1)
                fputs(name, f);
            else
                fprintf(f, "%s%zu %s", k ? ", " : "", t->by_reason[g->proto][g->state][reasons[k]],
                        name);
        }
        fputc(')', f);
    }
    if (ng)
        fputc('\n', f);
    return ng > 0;
}

/* RFC 793 has a closed port answer FIN, NULL and Xmas probes with RST and
 * an open one stay silent, but some stacks reset from open ports too: then
 * every port looks closed, and only a SYN scan finds the open ones. */
static void rst_from_open_note(FILE *f, const struct scan_config *cfg, const struct host_report *r,
                               const char *label)
{
    const struct technique *tcp = cfg->techs[PROTO_TCP] ? cfg->techs[PROTO_TCP] : cfg->tech;
    if (tcp->proto != PROTO_TCP || tcp->noresponse_state != PORT_OPEN_FILTERED ||
        r->nports < 2 || output_count_state(r, PORT_CLOSED) != r->nports)
        return;
    fprintf(f, "Note: every port of %s answered this %s with RST. Some systems (Windows, Cisco, "
               "BSDI, HP/UX, MVS, IRIX) send RST from open ports too, so this scan cannot find "
               "open ports there; a SYN scan (-sS) can.\n",
            label, tcp->scan_name);
}

static void print_ports(FILE *f, const struct scan_info *si, const struct host_report *r,
                        const char *label)
{
    const struct scan_config *cfg = si->cfg;
    struct port_tally t;
    port_tally(&t, cfg, r);
    if (t.shown == 0 && r->nports)
        fprintf(f, "All %zu scanned ports on %s are in ignored states.\n", r->nports, label);
    int not_shown = print_not_shown(f, &t);
    if (t.shown == 0)
        return;
    if (!not_shown) /* nmap keeps the line, empty */
        fputc('\n', f);
    /* Column widths: one space between columns, the last one unpadded. */
    int reason = show_reason(cfg);
    int version = output_version_ran(cfg);
    int wport = 4, wstate = 5, wsvc = 7, wreason = 6;
    char buf[64], name[96], reasonbuf[48], ver[512];
    for (size_t i = 0; i < r->nports; i++) {
        const struct port_result *p = &r->ports[i];
        if (port_tally_hides(&t, p))
            continue;
        int n = snprintf(buf, sizeof buf, "%u/%s", p->port, proto_name(p->proto));
        if (n > wport)
            wport = n;
        n = (int)strlen(port_state_name(p->state));
        if (n > wstate)
            wstate = n;
        const char *svc = output_service_name(cfg, p, name, sizeof name);
        n = (int)strlen(svc ? svc : "unknown");
        if (n > wsvc)
            wsvc = n;
        n = p->ttl ? snprintf(reasonbuf, sizeof reasonbuf, "%s ttl %u", reason_name(p->reason),
                              p->ttl)
                   : (int)strlen(reason_name(p->reason));
        if (n > wreason)
            wreason = n;
    }
    fprintf(f, "%-*s %-*s ", wport, "PORT", wstate, "STATE");
    if (!reason && !version)
        fputs("SERVICE\n", f);
    else if (reason && !version)
        fprintf(f, "%-*s REASON\n", wsvc, "SERVICE");
    else if (!reason)
        fprintf(f, "%-*s VERSION\n", wsvc, "SERVICE");
    else
        fprintf(f, "%-*s %-*s VERSION\n", wsvc, "SERVICE", wreason, "REASON");
    for (size_t i = 0; i < r->nports; i++) {
        const struct port_result *p = &r->ports[i];
        if (port_tally_hides(&t, p))
            continue;
        snprintf(buf, sizeof buf, "%u/%s", p->port, proto_name(p->proto));
        const char *svc = output_service_name(cfg, p, name, sizeof name);
        if (!svc)
            svc = "unknown";
        if (p->ttl)
            snprintf(reasonbuf, sizeof reasonbuf, "%s ttl %u", reason_name(p->reason), p->ttl);
        else
            snprintf(reasonbuf, sizeof reasonbuf, "%s", reason_name(p->reason));
        output_version_text(p->svc, ver, sizeof ver);
        fprintf(f, "%-*s %-*s ", wport, buf, wstate, port_state_name(p->state));
        if (!reason && !version)
            fprintf(f, "%s\n", svc);
        else if (reason && !version)
            fprintf(f, "%-*s %s\n", wsvc, svc, reasonbuf);
        else if (!reason)
            fprintf(f, "%-*s %s\n", wsvc, svc, ver);
        else
            fprintf(f, "%-*s %-*s %s\n", wsvc, svc, wreason, reasonbuf, ver);
    }
    /* the answers no rule knew, as nmap shows them */
    size_t nfp = 0;
    for (size_t i = 0; i < r->nports; i++)
        nfp += r->ports[i].svc && r->ports[i].svc->fingerprint && !port_tally_hides(&t, &r->ports[i]);
    if (!nfp)
        return;
    fprintf(f, "%zu service%s unrecognized despite returning data; %s:\n", nfp,
            nfp == 1 ? "" : "s", nfp == 1 ? "its fingerprint" : "their fingerprints");
    size_t k = 0;
    for (size_t i = 0; i < r->nports; i++) {
        const struct port_result *p = &r->ports[i];
        if (!p->svc || !p->svc->fingerprint || port_tally_hides(&t, p))
            continue;
        if (k++)
            fputs("==============NEXT SERVICE FINGERPRINT==============\n", f);
        const char *fp = p->svc->fingerprint;
        size_t len = strlen(fp), first = len < 74 ? len : 74;
        fprintf(f, "%.*s\n", (int)first, fp);
        for (size_t at = first; at < len; at += 71)
            fprintf(f, "SF:%.*s\n", (int)(len - at < 71 ? len - at : 71), fp + at);
    }
}

/* "Other addresses for NAME (not scanned): ..." and "rDNS record for ADDR:
 * NAME" when the name the user gave is not the reverse name. */
static void print_names(FILE *f, const struct host_report *r)
{
    char a[IP_ADDR_STRLEN];
    if (r->target->nothers) {
        fprintf(f, "Other addresses for %s (not scanned):", r->target->name);
        for (size_t i = 0; i < r->target->nothers; i++)
            fprintf(f, " %s", ip_addr_str(&r->target->others[i], a));
        fputc('\n', f);
    }
    if (r->target->name && r->rdns && strcmp(r->target->name, r->rdns) != 0)
        fprintf(f, "rDNS record for %s: %s\n", ip_addr_str(&r->target->addr, a), r->rdns);
}

/* -sL: the report line and the names, nothing about a state (as nmap).  A
 * list of a /8 is 16.7 million of these, so no printf, and no flush: a
 * flush each would be a write(2) each, several times the cost of the rest;
 * stdio writes them out a buffer at a time as they come, and the end of the
 * scan flushes. */
static void normal_listed(FILE *f, const struct host_report *r)
{
    char a[IP_ADDR_STRLEN];
    const char *name = r->target->name ? r->target->name : r->rdns;
    ip_addr_str(&r->target->addr, a);
    fputs("portscout scan report for ", f);
    if (name) {
        fputs(name, f);
        fputs(" (", f);
        fputs(a, f);
        fputs(")\n", f);
    } else {
        fputs(a, f);
        fputc('\n', f);
    }
    print_names(f, r);
}

static void normal_host(struct output *o, const struct scan_info *si, const struct host_report *r)
{
    const struct scan_config *cfg = si->cfg;
    FILE *f = o->f;
    char label[512];
    if (r->listed) {
        normal_listed(f, r);
        return;
    }
    host_label(r, label, sizeof label);
    if (r->timed_out) {
        fprintf(f, "Skipping host %s due to host timeout\n", label);
        fflush(f);
        return;
    }
    if (!r->up) {
        if (cfg->verbose)
            fprintf(f, "portscout scan report for %s [host down]\n", label);
        fflush(f);
        return;
    }
    if (cfg->open_only && !output_any_shown(cfg, r)) {
        fflush(f); /* --open: a host without open ports is left out, as nmap does */
        return;
    }
    fprintf(f, "portscout scan report for %s\n", label);
    fputs("Host is up", f);
    if (show_reason(cfg))
        fprintf(f, ", received %s", reason_name((enum reason)r->up_reason));
    if (show_reason(cfg) && r->up_ttl)
        fprintf(f, " ttl %u", r->up_ttl);
    if (r->latency >= 0) {
        char lat[32];
        format_sigdigits((double)r->latency / USEC_PER_SEC, 2, lat, sizeof lat);
        fprintf(f, " (%ss latency)", lat);
    }
    fputs(".\n", f);
    print_names(f, r);
    if (r->answers_all)
        fprintf(f, "Warning: %zu of %zu scanned ports on %s answered SYN/ACK: a SYN proxy or "
                   "tarpit answers for this host, so \"open\" says nothing about its services "
                   "(a connect scan -sT or -sV tells more).\n",
                output_count_state(r, PORT_OPEN), r->nports, label);
    if (r->nports) {
        print_ports(f, si, r, label);
        rst_from_open_note(f, si->cfg, r, label);
    }
    if (r->has_mac) {
        char mac[18];
        fprintf(f, "MAC Address: %s (%s)\n", output_mac(r->mac, mac),
                r->mac_vendor ? r->mac_vendor : "Unknown");
    }
    char info[1024];
    if (output_version_ran(cfg) && output_service_info(r, info, sizeof info))
        fprintf(f, "Service Info: %s\n", info);
    if (!si->cfg->ping_only) /* as nmap: -sn reports run on without blank lines */
        fputc('\n', f);
    fflush(f);
}

static void normal_end(struct output *o, const struct scan_info *si, const struct scan_summary *s)
{
    char when[64], tail[160];
    (void)si;
    snprintf(tail, sizeof tail, "%lu IP address%s (%lu host%s up) scanned in %.2f seconds",
             s->hosts_total, s->hosts_total == 1 ? "" : "es", s->hosts_up,
             s->hosts_up == 1 ? "" : "s", s->elapsed);
    /* as nmap: only when the one target given was found down */
    if (s->hosts_up == 0 && s->hosts_total == 1 && si->cfg->ping && !si->cfg->list_scan)
        fputs("Note: Host seems down. If it is really up, but blocking our ping probes, "
              "try -Pn\n",
              o->f);
    if (output_version_ran(si->cfg) && s->hosts_up)
        fputs("Service detection performed.\n", o->f);
    if (s->interrupted)
        fprintf(o->f, "%sScan stopped early (%s): hosts still being scanned are not reported.\n",
                o->to_file ? "# " : "", s->errmsg ? s->errmsg : "interrupted");
    if (o->to_file) {
        output_ctime(s->end, when, sizeof when);
        fprintf(o->f, "# portscout done at %s -- %s\n", when, tail);
    } else {
        fprintf(o->f, "portscout done: %s\n", tail);
    }
    fflush(o->f);
}

static void normal_partial(struct output *o, const struct scan_info *si, const struct host_report *r)
{
    (void)si;
    if (o->to_file) /* only files are read back by --resume */
        output_partial_line(o->f, "# ", "", r);
}

const struct output_format output_normal = {
    .name = "normal",
    .partial = normal_partial,
    .begin = normal_begin,
    .host = normal_host,
    .end = normal_end,
};
