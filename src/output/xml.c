/* SPDX-License-Identifier: MIT */
/* nmap's XML output (-oX): the structure of nmap's nmaprun documents
 * (xmloutputversion 1.05), valid against nmap's DTD once its `scanner`
 * enumeration admits "portscout".  Each host is written and flushed as soon
 * as it is done, so an aborted scan loses only the hosts in flight.
 *
 * Every string that comes from outside (command line, names, stylesheet) goes
 * through xml_escape(): markup characters become entities, and bytes that XML
 * 1.0 forbids or that are not valid UTF-8 are written as the text \xHH, so
 * the document stays well-formed whatever the input bytes are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"

/* Where an escaped string goes. */
enum xml_ctx {
    XML_ATTR,    /* an attribute value in double quotes (or a pseudo-attribute of a PI) */
    XML_COMMENT, /* the inside of <!-- --> (markup characters are literal, "--" is not) */
};

/* Length (2..4) of the well-formed UTF-8 sequence at s, or 0.  Overlong
 * forms, surrogates and code points above U+10FFFF are not well-formed.  s is
 * NUL-terminated; NUL is never a continuation byte, so this never reads past
 * the end. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

/* Is the well-formed n-byte sequence at s a character to keep as it is?
 * XML 1.0 forbids U+FFFE and U+FFFF; the C1 controls (U+0080..U+009F) are
 * allowed but discouraged, and shown as bytes like the C0 controls. */
static int utf8_keep(const unsigned char *s, size_t n)
{
    if (n == 2 && s[0] == 0xC2 && s[1] <= 0x9F)
        return 0;
    if (n == 3 && s[0] == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF))
        return 0;
    return 1;
}

/* Write str escaped for ctx.  Never writes a character XML 1.0 forbids. */
static void xml_escape(FILE *f, const char *str, enum xml_ctx ctx)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    int prev_dash = 0;
    while (*s) {
        unsigned char c = *s;
        if (c >= 0x80) {
            size_t n = utf8_len(s);
            if (n && utf8_keep(s, n)) {
                fwrite(s, 1, n, f);
                s += n;
            } else {
                /* one byte at a time: the next may start a good sequence */
                size_t k = n ? n : 1;
                for (size_t i = 0; i < k; i++)
                    fprintf(f, "\\x%02X", s[i]);
                s += k;
            }
            prev_dash = 0;
            continue;
        }
        s++;
        if (c == '\t' || c == '\n' || c == '\r') {
            if (ctx == XML_ATTR) /* a literal one would be normalised to a space */
                fprintf(f, "&#%u;", c);
            else
                fputc(c, f);
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(f, "\\x%02X", c);
        } else if (ctx == XML_COMMENT) {
            /* "--" may not occur in a comment; written as nmap does */
            if (c == '-' && prev_dash) {
                fputs("&#45;", f);
                prev_dash = 0;
                continue;
            }
            fputc(c, f);
        } else {
            switch (c) {
            case '&':
                fputs("&amp;", f);
                break;
            case '<':
                fputs("&lt;", f);
                break;
            case '>':
                fputs("&gt;", f);
                break;
            case '"':
                fputs("&quot;", f);
                break;
            case '\'':
                fputs("&apos;", f);
                break;
            default:
                fputc(c, f);
                break;
            }
        }
        prev_dash = c == '-';
    }
}

/* ` name="value"`, the value escaped. */
static void xml_attr(FILE *f, const char *name, const char *value)
{
    fprintf(f, " %s=\"", name);
    xml_escape(f, value, XML_ATTR);
    fputc('"', f);
}

static void xml_begin(struct output *o, const struct scan_info *si)
{
    const struct scan_config *cfg = si->cfg;
    FILE *f = o->f;
    char when[64];
    output_ctime(si->start, when, sizeof when);

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE nmaprun>\n", f);
    if (si->stylesheet) {
        /* the pseudo-attribute takes the same escapes, which also keeps
         * "?>" out of the instruction */
        fputs("<?xml-stylesheet", f);
        xml_attr(f, "href", si->stylesheet);
        fputs(" type=\"text/xsl\"?>\n", f);
    }
    fputs("<!-- portscout ", f);
    xml_escape(f, si->version, XML_COMMENT);
    fprintf(f, " scan initiated %s as: ", when);
    xml_escape(f, si->cmdline, XML_COMMENT);
    fputs(" -->\n", f);

    fputs("<nmaprun scanner=\"portscout\"", f);
    xml_attr(f, "args", si->cmdline);
    fprintf(f, " start=\"%lld\"", (long long)si->start);
    xml_attr(f, "startstr", when);
    xml_attr(f, "version", si->version);
    fputs(" xmloutputversion=\"1.05\">\n", f);

    /* One record per protocol the technique scans. */
    for (int p = 0; p < PROTO_COUNT; p++) {
        const struct technique *t = cfg->techs[p] ? cfg->techs[p] : p ? NULL : cfg->tech;
        if (cfg->ports.n[p] == 0 || !t)
            continue;
        char *list = ports_compact(&cfg->ports, (enum proto)p);
        fputs("<scaninfo", f);
        xml_attr(f, "type", t->name);
        if (cfg->scanflags >= 0 && p == PROTO_TCP) {
            char flags[32];
            xml_attr(f, "scanflags", output_tcp_flags(cfg->scanflags, flags));
        }
        xml_attr(f, "protocol", proto_name((enum proto)p));
        fprintf(f, " numservices=\"%zu\"", cfg->ports.n[p]);
        xml_attr(f, "services", list);
        fputs("/>\n", f);
        free(list);
    }
    fprintf(f, "<verbose level=\"%d\"/>\n<debugging level=\"%d\"/>\n", cfg->verbose, cfg->debug);
    if (si->xml_carry) /* --resume: the hosts the interrupted run finished */
        fputs(si->xml_carry, f);
    fflush(f);
}

/* The ports of r with this protocol, state and reason, compact ("1-3,7"). */
static void write_port_ranges(FILE *f, const struct host_report *r, int proto, int state,
                              int reason)
{
    int first = 1;
    size_t i = 0;
    while (i < r->nports) {
        const struct port_result *p = &r->ports[i++];
        if (p->proto != proto || p->state != state || p->reason != reason)
            continue;
        unsigned lo = p->port, hi = p->port;
        while (i < r->nports) {
            const struct port_result *q = &r->ports[i];
            if (q->proto != proto || q->state != state || q->reason != reason || q->port != hi + 1)
                break;
            hi = q->port;
            i++;
        }
        if (lo == hi)
            fprintf(f, "%s%u", first ? "" : ",", lo);
        else
            fprintf(f, "%s%u-%u", first ? "" : ",", lo, hi);
        first = 0;
    }
}

/* <extraports> for each hidden (protocol, state), largest first as in the
 * normal output's "Not shown" line; its reasons the most frequent first. */
static void write_extraports(FILE *f, const struct host_report *r, const struct port_tally *t)
{
    struct tally_group groups[PROTO_COUNT * PORT_STATE_COUNT];
    size_t ng = port_tally_hidden(t, groups);
    for (size_t i = 0; i < ng; i++) {
        const struct tally_group *g = &groups[i];
        fputs("<extraports", f);
        xml_attr(f, "state", port_state_name((enum port_state)g->state));
        fprintf(f, " count=\"%zu\">\n", g->count);
        uint8_t reasons[REASON_COUNT];
        size_t nr = port_tally_reasons(t, g->proto, g->state, reasons);
        for (size_t k = 0; k < nr; k++) {
            fputs("<extrareasons", f);
            xml_attr(f, "reason", reason_name((enum reason)reasons[k]));
            fprintf(f, " count=\"%zu\"", t->by_reason[g->proto][g->state][reasons[k]]);
            xml_attr(f, "proto", proto_name((enum proto)g->proto));
            fputs(" ports=\"", f);
            write_port_ranges(f, r, g->proto, g->state, reasons[k]);
            fputs("\"/>\n", f);
        }
        fputs("</extraports>\n", f);
    }
}

/* <service>: the table's name (method "table", as nmap writes no element
 * for a port its table does not name), or what version detection found,
 * with nmap's attributes in nmap's order and its <cpe> children. */
static void write_service(FILE *f, const struct scan_config *cfg, const struct port_result *p)
{
    const struct service_info *s = p->svc;
    if (!s || !s->name) {
        const char *svc = services_name(cfg->svc, (enum proto)p->proto, p->port);
        if (svc) {
            fputs("<service", f);
            xml_attr(f, "name", svc);
            fputs(" method=\"table\" conf=\"3\"/>", f);
        }
        return;
    }
    fputs("<service", f);
    xml_attr(f, "name", s->name);
    if (s->product)
        xml_attr(f, "product", s->product);
    if (s->version)
        xml_attr(f, "version", s->version);
    if (s->extrainfo)
        xml_attr(f, "extrainfo", s->extrainfo);
    if (s->hostname)
        xml_attr(f, "hostname", s->hostname);
    if (s->ostype)
        xml_attr(f, "ostype", s->ostype);
    if (s->devicetype)
        xml_attr(f, "devicetype", s->devicetype);
    if (s->tunnel_ssl)
        fputs(" tunnel=\"ssl\"", f);
    if (s->fingerprint)
        xml_attr(f, "servicefp", s->fingerprint);
    fprintf(f, " method=\"%s\" conf=\"%u\"", s->method == SVC_PROBED ? "probed" : "table",
            s->conf);
    if (s->rpc)
        fprintf(f, " proto=\"rpc\" rpcnum=\"%u\" lowver=\"%u\" highver=\"%u\"", s->rpc_num,
                s->rpc_low, s->rpc_high);
    if (!s->ncpe) {
        fputs("/>", f);
        return;
    }
    fputc('>', f);
    for (size_t i = 0; i < s->ncpe; i++) {
        fputs("<cpe>", f);
        xml_escape(f, s->cpe[i], XML_ATTR);
        fputs("</cpe>", f);
    }
    fputs("</service>", f);
}

static void write_ports(FILE *f, const struct scan_info *si, const struct host_report *r)
{
    const struct scan_config *cfg = si->cfg;
    struct port_tally t;
    port_tally(&t, cfg, r);

    fputs("<ports>", f);
    write_extraports(f, r, &t);
    for (size_t i = 0; i < r->nports; i++) {
        const struct port_result *p = &r->ports[i];
        if (port_tally_hides(&t, p))
            continue;
        fputs("<port", f);
        xml_attr(f, "protocol", proto_name((enum proto)p->proto));
        fprintf(f, " portid=\"%u\"><state", p->port);
        xml_attr(f, "state", port_state_name((enum port_state)p->state));
        xml_attr(f, "reason", reason_name((enum reason)p->reason));
        fprintf(f, " reason_ttl=\"%u\"/>", p->ttl);
        write_service(f, cfg, p);
        fputs("</port>\n", f);
    }
    fputs("</ports>\n", f);
}

/* <status>, <address> and, when the host has names, <hostnames>. */
static void write_host_header(FILE *f, const struct host_report *r, int always_hostnames)
{
    char a[IP_ADDR_STRLEN];
    enum reason why = (enum reason)r->up_reason;
    if (!r->up && why == REASON_NONE)
        why = REASON_NO_RESPONSE; /* nmap's reason for a silent host */
    if (r->listed) {
        /* -sL: as nmap; no printf, as it writes millions of these */
        fputs("<status state=\"unknown\" reason=\"user-set\" reason_ttl=\"0\"/>\n", f);
    } else {
        fprintf(f, "<status state=\"%s\"", r->up ? "up" : "down");
        xml_attr(f, "reason", reason_name(why));
        fprintf(f, " reason_ttl=\"%u\"/>\n", r->up_ttl);
    }
    /* an address is digits, dots, hex and colons: nothing to escape */
    fputs("<address addr=\"", f);
    fputs(ip_addr_str(&r->target->addr, a), f);
    fputs(r->target->addr.family == AF_INET6 ? "\" addrtype=\"ipv6\"/>\n"
                                             : "\" addrtype=\"ipv4\"/>\n",
          f);
    if (r->has_mac) {
        char mac[18];
        fputs("<address", f);
        xml_attr(f, "addr", output_mac(r->mac, mac));
        fputs(" addrtype=\"mac\"", f);
        if (r->mac_vendor)
            xml_attr(f, "vendor", r->mac_vendor);
        fputs("/>\n", f);
    }
    if (!always_hostnames && !r->target->name && !r->rdns)
        return;
    fputs("<hostnames>\n", f);
    if (r->target->name) {
        fputs("<hostname", f);
        xml_attr(f, "name", r->target->name);
        fputs(" type=\"user\"/>\n", f);
    }
    if (r->rdns) {
        fputs("<hostname", f);
        xml_attr(f, "name", r->rdns);
        fputs(" type=\"PTR\"/>\n", f);
    }
    fputs("</hostnames>\n", f);
}

static void write_times(FILE *f, const struct host_report *r)
{
    fprintf(f, "<times srtt=\"%lld\" rttvar=\"%lld\" to=\"%lld\"/>\n", (long long)r->srtt,
            (long long)r->rttvar, (long long)r->timeout);
}

static void xml_host(struct output *o, const struct scan_info *si, const struct host_report *r)
{
    const struct scan_config *cfg = si->cfg;
    FILE *f = o->f;
    if (r->listed) {
        /* -sL: as nmap, state "unknown", no times; not flushed (see normal.c) */
        fputs("<host>", f);
        write_host_header(f, r, 0);
        fputs("</host>\n", f);
        return;
    }
    if (r->timed_out) {
        /* as nmap: the host with timedout="true", and no ports */
        fprintf(f, "<host starttime=\"%lld\" endtime=\"%lld\" timedout=\"true\">",
                (long long)r->start, (long long)r->end);
        write_host_header(f, r, 1);
        write_times(f, r);
        fputs("</host>\n", f);
    } else if (!r->up) {
        /* nmap lists down hosts only when verbose, without times */
        if (cfg->verbose) {
            fputs("<host>", f);
            write_host_header(f, r, 0);
            fputs("</host>\n", f);
        }
    } else if (!cfg->open_only || output_any_shown(cfg, r)) {
        /* --open leaves out hosts without an open port, as nmap does */
        fprintf(f, "<host starttime=\"%lld\" endtime=\"%lld\">", (long long)r->start,
                (long long)r->end);
        write_host_header(f, r, 1);
        if (r->nports)
            write_ports(f, si, r);
        write_times(f, r);
        fputs("</host>\n", f);
    }
    fflush(f);
}

static void xml_end(struct output *o, const struct scan_info *si, const struct scan_summary *s)
{
    FILE *f = o->f;
    char when[64], summary[512];
    output_ctime(s->end, when, sizeof when);
    int failed = s->interrupted || s->errmsg;
    const char *how = "done";
    if (s->interrupted)
        how = "interrupted";
    else if (s->errmsg)
        how = "stopped by an error";
    snprintf(summary, sizeof summary,
             "portscout %s at %s; %lu IP address%s (%lu host%s up) scanned in %.2f seconds", how,
             when, s->hosts_total, s->hosts_total == 1 ? "" : "es", s->hosts_up,
             s->hosts_up == 1 ? "" : "s", s->elapsed);
    fprintf(f, "<runstats><finished time=\"%lld\"", (long long)s->end);
    xml_attr(f, "timestr", when);
    xml_attr(f, "summary", summary);
    fprintf(f, " elapsed=\"%.2f\" exit=\"%s\"", s->elapsed, failed ? "error" : "success");
    if (failed)
        xml_attr(f, "errormsg", s->errmsg ? s->errmsg : "interrupted");
    unsigned long total = s->hosts_total + si->carry_total, up = s->hosts_up + si->carry_up;
    unsigned long down = total > up ? total - up : 0;
    fprintf(f, "/><hosts up=\"%lu\" down=\"%lu\" total=\"%lu\"/>\n</runstats>\n</nmaprun>\n",
            up, down, total);
    fflush(f);
}

static void xml_partial(struct output *o, const struct scan_info *si, const struct host_report *r)
{
    (void)si;
    if (o->to_file) /* only files are read back by --resume */
        output_partial_line(o->f, "<!-- ", " -->", r);
}

const struct output_format output_xml = {
    .name = "xml",
    .partial = xml_partial,
    .begin = xml_begin,
    .host = xml_host,
    .end = xml_end,
};
