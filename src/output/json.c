/* SPDX-License-Identifier: MIT */
/* JSON Lines output (-oJ): one JSON object per line, each line written and
 * flushed as soon as its facts are known, so a reader can follow a running
 * scan (tail -f | jq) and a scan that dies leaves only whole records.
 *
 * Three record types, told apart by "type" (docs/portscout-json.schema.json
 * is the full schema):
 *
 *   {"type":"scan", ...}      first line: scanner, version, command line,
 *                             start time, what is scanned (scaninfo)
 *   {"type":"host", ...}      one per target, in the order hosts complete,
 *                             whatever the verbosity: up, down or timed out
 *                             (-sL: status "unknown", reason "user-set")
 *   {"type":"summary", ...}   last line: end time, elapsed seconds, host
 *                             counts, whether the scan completed
 *
 * Ports: "ports" lists the ports the normal report would show (the same
 * "ignored states" rule: a state with more than 25 ports (25 more per -v,
 * 500 with -d, none with -dd) is summarised; --open summarises everything
 * not open, open|filtered or unfiltered), "extraports" summarises the rest
 * per protocol and state with per-reason counts, as nmap's XML does.  The
 * ports of a host are therefore "ports" plus the counts of "extraports".
 * --open does not drop hosts here: every host gets its record.
 *
 * Strings are escaped per RFC 8259: '"', '\\' and the control characters
 * (U+0000-U+001F, and U+007F too) are escaped (\n, \t, ... or \u00XX);
 * valid UTF-8 passes through unchanged; bytes that are not valid UTF-8
 * (overlong forms, surrogates, code points above U+10FFFF, stray or missing
 * continuation bytes) are replaced by U+FFFD, written as \ufffd, one per
 * maximal ill-formed subsequence as Unicode recommends.  So every line is
 * valid UTF-8 and valid JSON whatever bytes the command line or a reverse
 * name holds; the original bytes of an ill-formed string are not recoverable.
 *
 * Numbers: times are Unix epoch seconds (integers), durations are seconds
 * with a fraction, RTT estimates integers in microseconds. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "output.h"

/* Version of this record layout; bumped on incompatible changes. */
#define JSON_FORMAT_VERSION 1

/* ---- a growable line buffer --------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    b->p = xreallocarray(b->p, cap, 1);
    b->cap = cap;
}

static void buf_putc(struct buf *b, char c)
{
    buf_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

static void buf_puts(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    buf_reserve(b, n);
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

__attribute__((format(printf, 2, 3))) static void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Writes the buffer as one line and flushes it; empties the buffer. */
static void buf_emit(struct buf *b, FILE *f)
{
    buf_putc(b, '\n');
    fwrite(b->p, 1, b->len, f);
    fflush(f);
    free(b->p);
    *b = (struct buf){0};
}

/* ---- JSON values -------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (1-4), or 0 when it is
 * ill-formed; then *bad is the length of its maximal ill-formed subpart
 * (at least 1), which one U+FFFD replaces. */
static size_t utf8_seq(const unsigned char *s, size_t *bad)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0; /* no overlong forms */
        else if (c == 0xed)
            hi = 0x9f; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90; /* no overlong forms */
        else if (c == 0xf4)
            hi = 0x8f; /* nothing above U+10FFFF */
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        unsigned char lim_lo = i == 1 ? lo : 0x80, lim_hi = i == 1 ? hi : 0xbf;
        if (s[i] < lim_lo || s[i] > lim_hi) { /* also stops at the NUL */
            *bad = i;
            return 0;
        }
    }
    return n;
}

/* The letter of RFC 8259's two-character escape of c, or 0. */
static char short_escape(unsigned char c)
{
    switch (c) {
    case '"':
        return '"';
    case '\\':
        return '\\';
    case '\b':
        return 'b';
    case '\f':
        return 'f';
    case '\n':
        return 'n';
    case '\r':
        return 'r';
    case '\t':
        return 't';
    default:
        return 0;
    }
}

/* A JSON string, or null for NULL. */
static void put_str(struct buf *b, const char *str)
{
    if (!str) {
        buf_puts(b, "null");
        return;
    }
    const unsigned char *s = (const unsigned char *)str;
    buf_putc(b, '"');
    while (*s) {
        unsigned char c = *s;
        if (c < 0x80) {
            char e = short_escape(c);
            if (e) {
                buf_putc(b, '\\');
                buf_putc(b, e);
            } else if (c < 0x20 || c == 0x7f) {
                buf_printf(b, "\\u%04x", c);
            } else {
                buf_putc(b, (char)c);
            }
            s++;
            continue;
        }
        size_t bad = 0, n = utf8_seq(s, &bad);
        if (n == 0) {
            buf_puts(b, "\\ufffd");
            s += bad;
            continue;
        }
        buf_reserve(b, n);
        memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
        s += n;
    }
    buf_putc(b, '"');
}

/* "key": (the key is one of ours: plain ASCII) */
static void put_key(struct buf *b, int *first, const char *key)
{
    if (!*first)
        buf_putc(b, ',');
    *first = 0;
    buf_putc(b, '"');
    buf_puts(b, key);
    buf_puts(b, "\":");
}

/* An integer, without printf (a -sL of a /8 writes 16.7 million records). */
static void put_int(struct buf *b, long long v)
{
    char digits[24];
    int n = 0;
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    do
        digits[n++] = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        digits[n++] = '-';
    buf_reserve(b, (size_t)n);
    while (n)
        b->p[b->len++] = digits[--n];
    b->p[b->len] = '\0';
}

static void put_time(struct buf *b, time_t t)
{
    put_int(b, (long long)t);
}

/* A duration in seconds: a JSON number (never an exponent, nan or inf). */
static void put_seconds(struct buf *b, double v, int decimals)
{
    if (!(v >= 0 && v < 1e15)) /* also catches nan */
        v = 0;
    buf_printf(b, "%.*f", decimals, v);
}

/* ---- records ------------------------------------------------------------ */

static void json_begin(struct output *o, const struct scan_info *si)
{
    const struct scan_config *cfg = si->cfg;
    struct buf b = {0};
    char when[64];
    int first = 1;
    output_ctime(si->start, when, sizeof when);
    buf_putc(&b, '{');
    put_key(&b, &first, "type");
    put_str(&b, "scan");
    put_key(&b, &first, "format_version");
    buf_printf(&b, "%d", JSON_FORMAT_VERSION);
    put_key(&b, &first, "scanner");
    put_str(&b, "portscout");
    put_key(&b, &first, "version");
    put_str(&b, si->version ? si->version : "0");
    put_key(&b, &first, "args");
    put_str(&b, si->cmdline ? si->cmdline : "");
    put_key(&b, &first, "start");
    put_time(&b, si->start);
    put_key(&b, &first, "startstr");
    put_str(&b, when);
    put_key(&b, &first, "scaninfo");
    buf_putc(&b, '[');
    int nfirst = 1;
    for (int p = 0; p < PROTO_COUNT; p++) {
        if (cfg->ports.n[p] == 0)
            continue;
        char *list = ports_compact(&cfg->ports, (enum proto)p);
        int f2 = 1;
        if (!nfirst)
            buf_putc(&b, ',');
        nfirst = 0;
        buf_putc(&b, '{');
        put_key(&b, &f2, "type");
        const struct technique *t = cfg->techs[p] ? cfg->techs[p] : cfg->tech;
        put_str(&b, t ? t->name : "unknown");
        put_key(&b, &f2, "protocol");
        put_str(&b, proto_name((enum proto)p));
        put_key(&b, &f2, "numservices");
        buf_printf(&b, "%zu", cfg->ports.n[p]);
        put_key(&b, &f2, "services");
        put_str(&b, list);
        buf_putc(&b, '}');
        free(list);
    }
    buf_putc(&b, ']');
    put_key(&b, &first, "verbose");
    buf_printf(&b, "%d", cfg->verbose);
    put_key(&b, &first, "debugging");
    buf_printf(&b, "%d", cfg->debug);
    buf_putc(&b, '}');
    buf_emit(&b, o->f);
}

/* -sV: what version detection found, beside the port's "service" name:
 * "version": {method, conf, product, ...}, only the fields known. */
static void put_version(struct buf *b, int *first, const struct service_info *s)
{
    int f2 = 1;
    put_key(b, first, "version");
    buf_putc(b, '{');
    put_key(b, &f2, "method");
    put_str(b, s->method == SVC_PROBED ? "probed" : "table");
    put_key(b, &f2, "conf");
    buf_printf(b, "%u", s->conf);
    const struct {
        const char *key, *val;
    } f[] = {{"product", s->product},           {"version", s->version},
             {"extrainfo", s->extrainfo},       {"hostname", s->hostname},
             {"ostype", s->ostype},             {"devicetype", s->devicetype},
             {"fingerprint", s->fingerprint}};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        if (!f[i].val)
            continue;
        put_key(b, &f2, f[i].key);
        put_str(b, f[i].val);
    }
    if (s->tunnel_ssl) {
        put_key(b, &f2, "tunnel");
        put_str(b, "ssl");
    }
    if (s->ncpe) {
        put_key(b, &f2, "cpe");
        buf_putc(b, '[');
        for (size_t i = 0; i < s->ncpe; i++) {
            if (i)
                buf_putc(b, ',');
            put_str(b, s->cpe[i]);
        }
        buf_putc(b, ']');
    }
    if (s->rpc) {
        put_key(b, &f2, "rpc");
        buf_printf(b, "{\"program\":%u,\"low\":%u,\"high\":%u}", s->rpc_num, s->rpc_low,
                   s->rpc_high);
    }
    if (s->cert_subject) {
        int f3 = 1;
        put_key(b, &f2, "certificate");
        buf_putc(b, '{');
        put_key(b, &f3, "subject");
        put_str(b, s->cert_subject);
        put_key(b, &f3, "issuer");
        put_str(b, s->cert_issuer ? s->cert_issuer : "");
        char when[32];
        struct tm tm;
        const time_t t[2] = {s->cert_not_before, s->cert_not_after};
        const char *keys[2] = {"not_before", "not_after"};
        for (int i = 0; i < 2; i++) {
            put_key(b, &f3, keys[i]);
            if (!t[i] || !gmtime_r(&t[i], &tm)) {
                buf_puts(b, "null");
                continue;
            }
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
            put_str(b, when);
        }
        buf_putc(b, '}');
    }
    buf_putc(b, '}');
}

static void put_ports(struct buf *b, const struct scan_info *si, const struct host_report *r)
{
    const struct scan_config *cfg = si->cfg;
    struct port_tally t;
    port_tally(&t, cfg, r);

    int first = 1;
    buf_puts(b, "\"ports\":[");
    for (size_t i = 0; i < r->nports; i++) {
        const struct port_result *p = &r->ports[i];
        if (port_tally_hides(&t, p))
            continue;
        int f2 = 1;
        if (!first)
            buf_putc(b, ',');
        first = 0;
        buf_putc(b, '{');
        put_key(b, &f2, "protocol");
        put_str(b, proto_name((enum proto)p->proto));
        put_key(b, &f2, "port");
        buf_printf(b, "%u", p->port);
        put_key(b, &f2, "state");
        put_str(b, port_state_name((enum port_state)p->state));
        put_key(b, &f2, "reason");
        put_str(b, reason_name((enum reason)p->reason));
        put_key(b, &f2, "ttl");
        buf_printf(b, "%u", p->ttl);
        put_key(b, &f2, "service");
        put_str(b, p->svc && p->svc->name ? p->svc->name
                                           : services_name(cfg->svc, (enum proto)p->proto, p->port));
        if (p->svc)
            put_version(b, &f2, p->svc);
        buf_putc(b, '}');
    }
    buf_puts(b, "],\"extraports\":[");
    /* Largest group first, then by protocol and state; reasons likewise. */
    struct tally_group groups[PROTO_COUNT * PORT_STATE_COUNT];
    size_t ng = port_tally_hidden(&t, groups);
    for (size_t i = 0; i < ng; i++) {
        const struct tally_group *g = &groups[i];
        int f2 = 1;
        if (i)
            buf_putc(b, ',');
        buf_putc(b, '{');
        put_key(b, &f2, "protocol");
        put_str(b, proto_name((enum proto)g->proto));
        put_key(b, &f2, "state");
        put_str(b, port_state_name((enum port_state)g->state));
        put_key(b, &f2, "count");
        buf_printf(b, "%zu", g->count);
        put_key(b, &f2, "reasons");
        buf_putc(b, '{');
        int f3 = 1;
        uint8_t reasons[REASON_COUNT];
        size_t nr = port_tally_reasons(&t, g->proto, g->state, reasons);
        for (size_t k = 0; k < nr; k++) {
            put_key(b, &f3, reason_name((enum reason)reasons[k]));
            buf_printf(b, "%zu", t.by_reason[g->proto][g->state][reasons[k]]);
        }
        buf_puts(b, "}}");
    }
    buf_putc(b, ']');
}

static void json_host(struct output *o, const struct scan_info *si, const struct host_report *r)
{
    /* One line buffer for every host, kept in o->priv: a malloc and free per
     * record is most of a -sL's cost, and a sanitizer build's quarantine
     * holds hundreds of megabytes of them. */
    struct buf *keep = o->priv;
    if (!keep)
        keep = o->priv = xcalloc(1, sizeof *keep);
    struct buf b = *keep;
    b.len = 0;
    char a[IP_ADDR_STRLEN];
    int first = 1;
    const struct target *t = r->target;
    buf_putc(&b, '{');
    put_key(&b, &first, "type");
    put_str(&b, "host");
    put_key(&b, &first, "address");
    put_str(&b, ip_addr_str(&t->addr, a));
    put_key(&b, &first, "addrtype");
    put_str(&b, t->addr.family == AF_INET6 ? "ipv6" : "ipv4");

    put_key(&b, &first, "hostnames");
    buf_putc(&b, '[');
    if (t->name) {
        buf_puts(&b, "{\"name\":");
        put_str(&b, t->name);
        buf_puts(&b, ",\"type\":\"user\"}");
    }
    if (r->rdns) {
        if (t->name)
            buf_putc(&b, ',');
        buf_puts(&b, "{\"name\":");
        put_str(&b, r->rdns);
        buf_puts(&b, ",\"type\":\"PTR\"}");
    }
    buf_putc(&b, ']');

    put_key(&b, &first, "other_addresses");
    buf_putc(&b, '[');
    for (size_t i = 0; i < t->nothers; i++) {
        if (i)
            buf_putc(&b, ',');
        put_str(&b, ip_addr_str(&t->others[i], a));
    }
    buf_putc(&b, ']');

    if (r->has_mac) {
        char mac[18];
        put_key(&b, &first, "mac");
        buf_puts(&b, "{\"address\":");
        put_str(&b, output_mac(r->mac, mac));
        buf_puts(&b, ",\"vendor\":");
        if (r->mac_vendor)
            put_str(&b, r->mac_vendor);
        else
            buf_puts(&b, "null");
        buf_putc(&b, '}');
    }

    put_key(&b, &first, "status");
    buf_puts(&b, "{\"state\":");
    put_str(&b, r->listed ? "unknown" : r->up ? "up" : "down");
    buf_puts(&b, ",\"reason\":");
    enum reason why = (enum reason)r->up_reason;
    if (!r->up && why == REASON_NONE)
        why = REASON_NO_RESPONSE; /* as nmap's XML says of silent hosts */
    put_str(&b, reason_name(why));
    buf_putc(&b, '}');

    put_key(&b, &first, "starttime");
    put_time(&b, r->start);
    put_key(&b, &first, "endtime");
    put_time(&b, r->end);
    put_key(&b, &first, "latency_s");
    if (r->latency >= 0)
        put_seconds(&b, (double)r->latency / USEC_PER_SEC, 6);
    else
        buf_puts(&b, "null");
    put_key(&b, &first, "times");
    buf_puts(&b, "{\"srtt_us\":");
    put_int(&b, (long long)r->srtt);
    buf_puts(&b, ",\"rttvar_us\":");
    put_int(&b, (long long)r->rttvar);
    buf_puts(&b, ",\"timeout_us\":");
    put_int(&b, (long long)r->timeout);
    buf_putc(&b, '}');
    put_key(&b, &first, "timed_out");
    buf_puts(&b, r->timed_out ? "true" : "false");
    buf_putc(&b, ',');
    if (r->nports)
        put_ports(&b, si, r);
    else /* what put_ports writes for no ports, without counting them */
        buf_puts(&b, "\"ports\":[],\"extraports\":[]");
    buf_puts(&b, "}\n");
    fwrite(b.p, 1, b.len, o->f);
    if (!r->listed) /* -sL: not flushed (see normal.c) */
        fflush(o->f);
    *keep = b;
}

static void json_end(struct output *o, const struct scan_info *si, const struct scan_summary *s)
{
    struct buf b = {0};
    char when[64], text[160];
    int first = 1;
    (void)si;
    output_ctime(s->end, when, sizeof when);
    snprintf(text, sizeof text, "%lu IP address%s (%lu host%s up) scanned in %.2f seconds",
             s->hosts_total, s->hosts_total == 1 ? "" : "es", s->hosts_up,
             s->hosts_up == 1 ? "" : "s", s->elapsed);
    buf_putc(&b, '{');
    put_key(&b, &first, "type");
    put_str(&b, "summary");
    put_key(&b, &first, "end");
    put_time(&b, s->end);
    put_key(&b, &first, "endstr");
    put_str(&b, when);
    put_key(&b, &first, "elapsed");
    put_seconds(&b, s->elapsed, 3);
    put_key(&b, &first, "summary");
    put_str(&b, text);
    put_key(&b, &first, "hosts");
    unsigned long down = s->hosts_total >= s->hosts_up ? s->hosts_total - s->hosts_up : 0;
    buf_printf(&b, "{\"up\":%lu,\"down\":%lu,\"total\":%lu}", s->hosts_up, down, s->hosts_total);
    put_key(&b, &first, "exit");
    put_str(&b, s->errmsg || s->interrupted ? "error" : "success");
    put_key(&b, &first, "errormsg");
    put_str(&b, s->errmsg);
    put_key(&b, &first, "interrupted");
    buf_puts(&b, s->interrupted ? "true" : "false");
    buf_putc(&b, '}');
    buf_emit(&b, o->f);
    struct buf *keep = o->priv;
    if (keep)
        free(keep->p);
    free(keep);
    o->priv = NULL;
}

const struct output_format output_json = {
    .name = "json",
    .begin = json_begin,
    .host = json_host,
    .end = json_end,
};
