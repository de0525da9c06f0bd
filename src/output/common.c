/* SPDX-License-Identifier: MIT */
/* Helpers shared by the output formats. */
#include <stdio.h>
#include <string.h>

#include "lib/xalloc.h"
#include "output.h"

char *ports_compact(const struct port_list *l, enum proto p)
{
    size_t n = l->n[p], cap = 16 + n * 12, len = 0;
    char *s = xmalloc(cap);
    s[0] = '\0';
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && l->port[p][j + 1] == l->port[p][j] + 1)
            j++;
        if (j == i)
            len += (size_t)snprintf(s + len, cap - len, "%s%u", len ? "," : "", l->port[p][i]);
        else
            len += (size_t)snprintf(s + len, cap - len, "%s%u-%u", len ? "," : "", l->port[p][i],
                                    l->port[p][j]);
        i = j + 1;
    }
    return s;
}

int output_ignored(const struct scan_config *cfg, enum port_state st, size_t count)
{
    if (cfg->open_only)
        return st != PORT_OPEN && st != PORT_OPEN_FILTERED && st != PORT_UNFILTERED;
    if (st == PORT_OPEN || cfg->debug >= 2)
        return 0;
    size_t limit = cfg->debug == 1 ? 500 : 25 * (size_t)(1 + cfg->verbose);
    return count > limit;
}

void output_ctime(time_t t, char *buf, size_t len)
{
    struct tm tm;
    if (!localtime_r(&t, &tm) || strftime(buf, len, "%a %b %d %H:%M:%S %Y", &tm) == 0)
        snprintf(buf, len, "%lld", (long long)t);
}

const char *output_tcp_flags(int bits, char buf[32])
{
    static const char *const names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
    buf[0] = '\0';
    for (int i = 0; i < 8; i++)
        if (bits & (1 << i))
            strcat(buf, names[i]);
    return buf;
}

size_t output_count_state(const struct host_report *r, enum port_state st)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nports; i++)
        n += r->ports[i].state == st;
    return n;
}

int output_any_shown(const struct scan_config *cfg, const struct host_report *r)
{
    for (size_t i = 0; i < r->nports; i++)
        if (!output_ignored(cfg, (enum port_state)r->ports[i].state, 0))
            return 1;
    return 0;
}

void port_tally(struct port_tally *t, const struct scan_config *cfg, const struct host_report *r)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < r->nports; i++) {
        const struct port_result *p = &r->ports[i];
        if (p->proto >= PROTO_COUNT || p->state >= PORT_STATE_COUNT || p->reason >= REASON_COUNT)
            continue; /* not a record any technique makes */
        t->n[p->proto][p->state]++;
        t->by_reason[p->proto][p->state][p->reason]++;
    }
    for (int p = 0; p < PROTO_COUNT; p++)
        for (int s = 0; s < PORT_STATE_COUNT; s++) {
            if (!t->n[p][s])
                continue;
            /* a SYN proxy's thousands of "open" ports are summed up too */
            t->hidden[p][s] = (uint8_t)(output_ignored(cfg, (enum port_state)s, t->n[p][s]) ||
                                        (r->answers_all && s == PORT_OPEN));
            if (!t->hidden[p][s])
                t->shown += t->n[p][s];
        }
}

int port_tally_hides(const struct port_tally *t, const struct port_result *p)
{
    if (p->proto >= PROTO_COUNT || p->state >= PORT_STATE_COUNT || p->reason >= REASON_COUNT)
        return 1;
    return t->hidden[p->proto][p->state];
}

size_t port_tally_hidden(const struct port_tally *t,
                         struct tally_group out[PROTO_COUNT * PORT_STATE_COUNT])
{
    size_t n = 0;
    for (int p = 0; p < PROTO_COUNT; p++)
        for (int s = 0; s < PORT_STATE_COUNT; s++) {
            if (!t->hidden[p][s])
                continue;
            /* insertion keeps earlier (protocol, state) first among equals */
            size_t k = n++;
            while (k > 0 && out[k - 1].count < t->n[p][s]) {
                out[k] = out[k - 1];
                k--;
            }
            out[k] = (struct tally_group){(uint8_t)p, (uint8_t)s, t->n[p][s]};
        }
    return n;
}

size_t port_tally_reasons(const struct port_tally *t, int proto, int state,
                          uint8_t out[REASON_COUNT])
{
    const size_t *by = t->by_reason[proto][state];
    size_t n = 0;
    for (int r = 0; r < REASON_COUNT; r++) {
        if (!by[r])
            continue;
        size_t k = n++;
        while (k > 0 && by[out[k - 1]] < by[r]) {
            out[k] = out[k - 1];
            k--;
        }
        out[k] = (uint8_t)r;
    }
    return n;
}

void output_partial_line(FILE *f, const char *prefix, const char *suffix,
                         const struct host_report *r)
{
    char a[IP_ADDR_STRLEN];
    fprintf(f, "%sportscout partial host %s up %s: ", prefix, ip_addr_str(&r->target->addr, a),
            reason_name((enum reason)r->up_reason));
    for (size_t i = 0; i < r->nports;) {
        const struct port_result *p = &r->ports[i];
        size_t j = i;
        while (j + 1 < r->nports && r->ports[j + 1].proto == p->proto &&
               r->ports[j + 1].port == r->ports[j].port + 1 && r->ports[j + 1].state == p->state &&
               r->ports[j + 1].reason == p->reason && r->ports[j + 1].ttl == p->ttl)
            j++;
        fprintf(f, "%s%u", i ? "," : "", p->port);
        if (j > i)
            fprintf(f, "-%u", r->ports[j].port);
        fprintf(f, "/%s/%s/%s/%u", proto_name((enum proto)p->proto),
                port_state_name((enum port_state)p->state), reason_name((enum reason)p->reason),
                p->ttl);
        i = j + 1;
    }
    fprintf(f, "%s\n", suffix);
    fflush(f);
}

const char *output_mac(const uint8_t mac[6], char *buf)
{
    snprintf(buf, 18, "%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1], mac[2], mac[3], mac[4],
             mac[5]);
    return buf;
}

int output_version_ran(const struct scan_config *cfg)
{
    return cfg->version_scan && !cfg->ping_only && !cfg->list_scan;
}

const char *output_service_name(const struct scan_config *cfg, const struct port_result *p,
                                char *buf, size_t len)
{
    const struct service_info *s = p->svc;
    if (!s || !s->name)
        return services_name(cfg->svc, (enum proto)p->proto, p->port);
    snprintf(buf, len, "%s%s%s", s->tunnel_ssl ? "ssl/" : "", s->name,
             s->fingerprint && s->method == SVC_TABLE ? "?" : "");
    return buf;
}

void output_version_text(const struct service_info *s, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    if (!s || s->method != SVC_PROBED)
        return;
    const char *parts[2] = {s->product, s->version};
    for (int i = 0; i < 2 && n < len; i++)
        if (parts[i])
            n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", parts[i]);
    if (s->extrainfo && n < len)
        snprintf(buf + n, len - n, "%s(%s)", n ? " " : "", s->extrainfo);
}

/* Add v to the list (a "; "-free, ", "-separated set) unless it is in. */
static void add_unique(const char **list, size_t *n, size_t cap, const char *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(list[i], v) == 0)
            return;
    if (*n < cap)
        list[(*n)++] = v;
}

int output_service_info(const struct host_report *r, char *buf, size_t len)
{
    enum { CAP = 16 };
    const char *hosts[CAP], *oses[CAP], *devs[CAP], *cpes[CAP];
    size_t nh = 0, no = 0, nd = 0, nc = 0;
    for (size_t i = 0; i < r->nports; i++) {
        const struct service_info *s = r->ports[i].svc;
        if (!s || s->method != SVC_PROBED)
            continue;
        add_unique(hosts, &nh, CAP, s->hostname);
        add_unique(oses, &no, CAP, s->ostype);
        add_unique(devs, &nd, CAP, s->devicetype);
        for (size_t k = 0; k < s->ncpe; k++) /* the OS and hardware ones */
            if (strncmp(s->cpe[k], "cpe:/o:", 7) == 0 || strncmp(s->cpe[k], "cpe:/h:", 7) == 0)
                add_unique(cpes, &nc, CAP, s->cpe[k]);
    }
    struct {
        const char *one, *many;
        const char **v;
        size_t n;
    } parts[] = {{"Host", "Hosts", hosts, nh},
                 {"OS", "OSs", oses, no},
                 {"Device", "Devices", devs, nd},
                 {"CPE", "CPEs", cpes, nc}};
    size_t n = 0;
    buf[0] = 0;
    for (size_t p = 0; p < sizeof parts / sizeof *parts; p++) {
        if (!parts[p].n || n >= len)
            continue;
        n += (size_t)snprintf(buf + n, len - n, "%s%s: ", n ? "; " : "",
                              parts[p].n > 1 ? parts[p].many : parts[p].one);
        for (size_t k = 0; k < parts[p].n && n < len; k++)
            n += (size_t)snprintf(buf + n, len - n, "%s%s", k ? ", " : "", parts[p].v[k]);
    }
    return n > 0;
}
