/* SPDX-License-Identifier: MIT */
/* --resume: read back an output file of an interrupted scan.  The file is
 * ours, but it may have been edited or truncated: parsing is defensive. */
#include "resume.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/readfile.h"
#include "services.h"
#include "lib/xalloc.h"

static void add_done(struct resume *rs, const char *text, size_t len)
{
    char buf[IP_ADDR_STRLEN + 1];
    struct ip_addr a;
    if (len == 0 || len >= sizeof buf)
        return;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (ip_addr_parse(buf, AF_UNSPEC, &a) != 0)
        return;
    rs->done = xreallocarray(rs->done, rs->ndone + 1, sizeof *rs->done);
    rs->done[rs->ndone++] = a;
}

/* One "N[-M]/proto/state/reason/ttl" item; 0 when well-formed. */
static int parse_item(const char *s, size_t len, struct resume_partial *hp)
{
    char buf[96], proto[8], state[24], reason[24];
    unsigned lo, hi, ttl;
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    int n = 0;
    if (sscanf(buf, "%u-%u/%7[^/]/%23[^/]/%23[^/]/%u%n", &lo, &hi, proto, state, reason, &ttl, &n) !=
            6 ||
        (size_t)n != len) {
        n = 0;
        if (sscanf(buf, "%u/%7[^/]/%23[^/]/%23[^/]/%u%n", &lo, proto, state, reason, &ttl, &n) !=
                5 ||
            (size_t)n != len)
            return -1;
        hi = lo;
    }
    int p = strcmp(proto, "tcp") == 0 ? PROTO_TCP
          : strcmp(proto, "udp") == 0 ? PROTO_UDP
          : strcmp(proto, "sctp") == 0 ? PROTO_SCTP : -1;
    int st = port_state_from_name(state), why = reason_from_name(reason);
    if (p < 0 || st <= PORT_UNKNOWN || why < 0 || lo > hi || hi > 65535 || ttl > 255 ||
        hp->nports + (hi - lo + 1) > 3 * 65536)
        return -1;
    hp->ports = xreallocarray(hp->ports, hp->nports + (hi - lo + 1), sizeof *hp->ports);
    for (unsigned port = lo; port <= hi; port++)
        hp->ports[hp->nports++] = (struct port_result){.port = (uint16_t)port,
                                                       .proto = (uint8_t)p,
                                                       .state = (uint8_t)st,
                                                       .reason = (uint8_t)why,
                                                       .ttl = (uint8_t)ttl};
    return 0;
}

/* "portscout partial host ADDR up REASON: ITEM,ITEM,..." up to eol. */
static void parse_partial(struct resume *rs, const char *s, const char *eol)
{
    static const char tag[] = "portscout partial host ";
    s += sizeof tag - 1;
    const char *sp = memchr(s, ' ', (size_t)(eol - s));
    if (!sp || (size_t)(sp - s) >= IP_ADDR_STRLEN || strncmp(sp, " up ", 4) != 0)
        return;
    struct resume_partial hp = {0};
    char addr[IP_ADDR_STRLEN], why[32];
    memcpy(addr, s, (size_t)(sp - s));
    addr[sp - s] = '\0';
    const char *colon = memchr(sp + 4, ':', (size_t)(eol - sp - 4));
    if (ip_addr_parse(addr, AF_UNSPEC, &hp.addr) != 0 || !colon ||
        (size_t)(colon - sp - 4) >= sizeof why)
        return;
    memcpy(why, sp + 4, (size_t)(colon - sp - 4));
    why[colon - sp - 4] = '\0';
    int reason = reason_from_name(why);
    if (reason < 0)
        return;
    hp.up_reason = (uint8_t)reason;
    /* the list ends at the line's end, or at " -->" in an XML comment */
    const char *end = eol;
    const char *xml_end = colon;
    while ((xml_end = memchr(xml_end, ' ', (size_t)(eol - xml_end))) && xml_end + 4 <= eol) {
        if (strncmp(xml_end, " -->", 4) == 0) {
            end = xml_end;
            break;
        }
        xml_end++;
    }
    for (const char *item = colon + 2; item < end;) {
        const char *comma = memchr(item, ',', (size_t)(end - item));
        const char *stop = comma ? comma : end;
        if (parse_item(item, (size_t)(stop - item), &hp) != 0) {
            free(hp.ports);
            return; /* a damaged line: scan that host afresh */
        }
        item = stop + 1;
    }
    if (!hp.nports)
        return;
    rs->partial = xreallocarray(rs->partial, rs->npartial + 1, sizeof *rs->partial);
    rs->partial[rs->npartial++] = hp;
}

/* Every partial-host line of the text, whatever the format around it. */
static void load_partials(const char *text, struct resume *rs)
{
    for (const char *s = strstr(text, "portscout partial host "); s;
         s = strstr(s + 1, "portscout partial host ")) {
        const char *eol = strchr(s, '\n');
        parse_partial(rs, s, eol ? eol : s + strlen(s));
    }
}

/* XML attribute text back to bytes (the five entities and &#N;). */
static char *xml_unescape(const char *s, size_t len)
{
    char *out = xmalloc(len + 1), *o = out;
    for (size_t i = 0; i < len; i++) {
        static const struct { const char *ent; char c; } ents[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        size_t k;
        for (k = 0; k < 5; k++) {
            size_t n = strlen(ents[k].ent);
            if (i + n <= len && strncmp(s + i, ents[k].ent, n) == 0) {
                *o++ = ents[k].c;
                i += n - 1;
                break;
            }
        }
        if (k < 5)
            continue;
        if (s[i] == '&' && i + 2 < len && s[i + 1] == '#') {
            char *end;
            long v = strtol(s + i + 2, &end, 10);
            if (end < s + len && *end == ';' && v > 0 && v < 128) {
                *o++ = (char)v;
                i = (size_t)(end - s);
                continue;
            }
        }
        *o++ = s[i];
    }
    *o = '\0';
    return out;
}

static int load_xml(const char *text, struct resume *rs)
{
    const char *args = strstr(text, " args=\"");
    if (!args)
        return -1;
    args += 7;
    const char *end = strchr(args, '"');
    if (!end)
        return -1;
    rs->cmdline = xml_unescape(args, (size_t)(end - args));
    for (const char *h = strstr(text, "<host "); h; h = strstr(h + 1, "<host ")) {
        const char *close = strstr(h, "</host>");
        const char *addr = strstr(h, "<address addr=\"");
        if (!close || !addr || addr > close)
            break; /* a truncated last host is not finished */
        addr += 15;
        const char *q = strchr(addr, '"');
        if (q && q < close)
            add_done(rs, addr, (size_t)(q - addr));
    }
    return 0;
}

/* The address in "name (addr)" or "addr", with " [host down]" or other
 * trailing words ignored. */
static void add_label(struct resume *rs, const char *p, const char *eol)
{
    const char *open = memchr(p, '(', (size_t)(eol - p));
    if (open) {
        const char *close = memchr(open, ')', (size_t)(eol - open));
        if (close)
            add_done(rs, open + 1, (size_t)(close - open - 1));
        return;
    }
    const char *sp = memchr(p, ' ', (size_t)(eol - p));
    add_done(rs, p, (size_t)((sp ? sp : eol) - p));
}

static int load_lines(const char *text, struct resume *rs)
{
    for (const char *line = text; *line;) {
        const char *eol = strchr(line, '\n');
        if (!eol)
            eol = line + strlen(line);
        static const char report[] = "portscout scan report for ";
        static const char skipped[] = "Skipping host ";
        static const char grep_host[] = "Host: ";
        const char *as = NULL;
        if (!rs->cmdline && strncmp(line, "# portscout ", 12) == 0 &&
            (as = strstr(line, " as: ")) && as < eol)
            rs->cmdline = xstrndup(as + 5, (size_t)(eol - as - 5));
        else if (strncmp(line, report, sizeof report - 1) == 0)
            add_label(rs, line + sizeof report - 1, eol);
        else if (strncmp(line, skipped, sizeof skipped - 1) == 0)
            add_label(rs, line + sizeof skipped - 1, eol);
        else if (strncmp(line, grep_host, sizeof grep_host - 1) == 0) {
            const char *a = line + sizeof grep_host - 1;
            const char *sp = strpbrk(a, " \t");
            if (sp && sp < eol)
                add_done(rs, a, (size_t)(sp - a));
        }
        line = *eol ? eol + 1 : eol;
    }
    return rs->cmdline ? 0 : -1;
}

int resume_load(const char *path, struct resume *rs, char *err, size_t errlen)
{
    memset(rs, 0, sizeof *rs);
    char *text = read_text_file(path, err, errlen);
    if (!text)
        return -1;
    int r = resume_parse(text, rs);
    free(text);
    if (r != 0) {
        snprintf(err, errlen, "%s is not a portscout output file (no command line in it)", path);
        return -1;
    }
    return 0;
}

int resume_parse(const char *text, struct resume *rs)
{
    memset(rs, 0, sizeof *rs);
    int r = strstr(text, "<nmaprun") ? load_xml(text, rs) : load_lines(text, rs);
    if (r != 0 || !rs->cmdline || !*rs->cmdline) {
        resume_free(rs);
        return -1;
    }
    load_partials(text, rs);
    /* A host listed twice (a grepable file has two lines per host) is one. */
    size_t n = 0;
    for (size_t i = 0; i < rs->ndone; i++) {
        size_t j;
        for (j = 0; j < n && !ip_addr_equal(&rs->done[j], &rs->done[i]); j++)
            ;
        if (j == n)
            rs->done[n++] = rs->done[i];
    }
    rs->ndone = n;
    return 0;
}

const struct resume_partial *resume_find_partial(const struct resume *rs,
                                                 const struct ip_addr *a)
{
    /* the last one: a host interrupted twice has its newest line last */
    for (size_t i = rs->npartial; i-- > 0;)
        if (ip_addr_equal(&rs->partial[i].addr, a))
            return &rs->partial[i];
    return NULL;
}

void resume_free(struct resume *rs)
{
    if (!rs)
        return;
    free(rs->cmdline);
    free(rs->done);
    for (size_t i = 0; i < rs->npartial; i++)
        free(rs->partial[i].ports);
    free(rs->partial);
    memset(rs, 0, sizeof *rs);
}

char **resume_argv(const char *cmdline, int *argc)
{
    size_t len = strlen(cmdline);
    /* at most len/2+1 words; the strings follow the pointer array */
    size_t max = len / 2 + 2;
    char **argv = xmalloc(max * sizeof *argv + len + 1);
    char *s = (char *)(argv + max);
    memcpy(s, cmdline, len + 1);
    int n = 0;
    for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t"))
        argv[n++] = tok;
    argv[n] = NULL;
    *argc = n;
    return argv;
}

char *resume_xml_hosts(const char *path, unsigned long *total, unsigned long *up)
{
    char err[256];
    *total = *up = 0;
    char *text = read_text_file(path, err, sizeof err);
    if (!text)
        return NULL;
    size_t cap = 4096, len = 0;
    char *out = xmalloc(cap);
    out[0] = '\0';
    for (const char *h = strstr(text, "<host "); h; h = strstr(h + 1, "<host ")) {
        const char *close = strstr(h, "</host>");
        if (!close)
            break;
        close += 7;
        size_t n = (size_t)(close - h);
        while (len + n + 2 > cap)
            out = xreallocarray(out, cap *= 2, 1);
        memcpy(out + len, h, n);
        len += n;
        out[len++] = '\n';
        out[len] = '\0';
        (*total)++;
        const char *st = strstr(h, "<status state=\"up\"");
        *up += st && st < close;
    }
    free(text);
    if (!*total) {
        free(out);
        return NULL;
    }
    return out;
}
