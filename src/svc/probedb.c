/* SPDX-License-Identifier: MIT */
#include "svc/probedb.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/readfile.h"
#include "lib/xalloc.h"
#include "services.h"

/* A hostile answer costs at most this much backtracking; hitting the limit
 * is no match. */
#define MATCH_LIMIT 200000
#define DEPTH_LIMIT 20000

struct parser {
    const char *fname;
    unsigned line;
    char *err;
    size_t errlen;
    struct svc_db *db;
    char **fallbacks; /* per probe: its fallback line, resolved at the end */
};

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *ps, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(ps->err, ps->errlen, "%s:%u: %s", ps->fname, ps->line, msg);
    return -EINVAL;
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* The next word (up to white space) of *s, copied; *s moves past it. */
static char *word(const char **s)
{
    const char *b = skip_ws(*s), *e = b;
    while (*e && *e != ' ' && *e != '\t')
        e++;
    *s = e;
    return e > b ? xstrndup(b, (size_t)(e - b)) : NULL;
}

/* --- ports ----------------------------------------------------------------- */

static int by_start(const void *a, const void *b)
{
    const uint16_t *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

static void portset_add(struct svc_portset *s, unsigned lo, unsigned hi)
{
    s->r = xreallocarray(s->r, s->n + 1, sizeof *s->r);
    s->r[s->n][0] = (uint16_t)lo;
    s->r[s->n][1] = (uint16_t)hi;
    s->n++;
}

static void portset_sort(struct svc_portset *s)
{
    if (s->n < 2)
        return;
    qsort(s->r, s->n, sizeof *s->r, by_start);
    size_t k = 0;
    for (size_t i = 1; i < s->n; i++) {
        if (s->r[i][0] <= (unsigned)s->r[k][1] + 1) {
            if (s->r[i][1] > s->r[k][1])
                s->r[k][1] = s->r[i][1];
        } else {
            s->r[++k][0] = s->r[i][0];
            s->r[k][1] = s->r[i][1];
        }
    }
    s->n = k + 1;
}

int svc_portset_has(const struct svc_portset *s, unsigned port)
{
    size_t lo = 0, hi = s ? s->n : 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (port < s->r[mid][0])
            hi = mid;
        else if (port > s->r[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

static int parse_port(struct parser *ps, const char **s, unsigned *out)
{
    char *end;
    if (!isdigit((unsigned char)**s))
        return fail(ps, "bad port list near \"%.20s\"", *s);
    unsigned long v = strtoul(*s, &end, 10);
    if (v > 65535)
        return fail(ps, "port %lu out of range", v);
    *out = (unsigned)v;
    *s = end;
    return 0;
}

/* "22,80-90" into one set, or (Exclude) "T:9100-9107,U:53,111" into the
 * TCP and UDP sets: a T:/U: prefix holds until the next one. */
static int parse_ports(struct parser *ps, const char *s, struct svc_portset *tcp,
                       struct svc_portset *udp)
{
    int which = 3; /* bit 0 TCP, bit 1 UDP */
    s = skip_ws(s);
    if (!*s)
        return fail(ps, "empty port list");
    for (;;) {
        s = skip_ws(s);
        if (udp && (s[0] == 'T' || s[0] == 'U' || s[0] == 'S') && s[1] == ':') {
            which = s[0] == 'T' ? 1 : s[0] == 'U' ? 2 : 0;
            s += 2;
        }
        unsigned lo = 0, hi;
        if (parse_port(ps, &s, &lo) != 0)
            return -EINVAL;
        hi = lo;
        if (*s == '-') {
            s++;
            if (parse_port(ps, &s, &hi) != 0)
                return -EINVAL;
            if (hi < lo)
                return fail(ps, "port range %u-%u is backwards", lo, hi);
        }
        if (which & 1)
            portset_add(tcp, lo, hi);
        if ((which & 2) && udp)
            portset_add(udp, lo, hi);
        s = skip_ws(s);
        if (!*s)
            break;
        if (*s != ',')
            return fail(ps, "bad port list near \"%.20s\"", s);
        s++;
    }
    portset_sort(tcp);
    if (udp)
        portset_sort(udp);
    return 0;
}

/* --- probes ------------------------------------------------------------- */

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

/* The C-like escapes of a probe string. */
static int unescape(struct parser *ps, const char *s, size_t n, uint8_t **out, size_t *outlen)
{
    uint8_t *o = xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            o[k++] = (uint8_t)s[i];
            continue;
        }
        if (++i == n) {
            free(o);
            return fail(ps, "a probe string ends in a backslash");
        }
        switch (s[i]) {
        case '0': o[k++] = 0; break;
        case 'a': o[k++] = '\a'; break;
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        case 'v': o[k++] = '\v'; break;
        case 'x': {
            int h1 = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
            int h2 = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
            if (h1 < 0 || h2 < 0) {
                free(o);
                return fail(ps, "bad \\x escape in a probe string");
            }
            o[k++] = (uint8_t)(h1 * 16 + h2);
            i += 2;
            break;
        }
        default: o[k++] = (uint8_t)s[i]; break;
        }
    }
    *out = o;
    *outlen = k;
    return 0;
}

static struct svc_probe *cur_probe(struct parser *ps, const char *what)
{
    if (!ps->db->nprobes) {
        fail(ps, "%s before any Probe", what);
        return NULL;
    }
    return &ps->db->probes[ps->db->nprobes - 1];
}

static int parse_probe(struct parser *ps, const char *s)
{
    struct svc_db *db = ps->db;
    char *proto = word(&s);
    int p = !proto ? -1 : strcmp(proto, "TCP") == 0 ? PROTO_TCP
                        : strcmp(proto, "UDP") == 0 ? PROTO_UDP
                                                    : -1;
    free(proto);
    if (p < 0)
        return fail(ps, "a Probe's protocol must be TCP or UDP");
    char *name = word(&s);
    if (!name)
        return fail(ps, "a Probe without a name");
    s = skip_ws(s);
    if (s[0] != 'q' || !s[1] || isalnum((unsigned char)s[1]) || s[1] == ' ') {
        int r = fail(ps, "Probe %s: the payload must be q|...|", name);
        free(name);
        return r;
    }
    char d = s[1];
    const char *b = s + 2, *e = strchr(b, d);
    if (!e) {
        free(name);
        return fail(ps, "Probe: unterminated q%c...%c", d, d);
    }
    uint8_t *data = NULL;
    size_t len = 0;
    if (unescape(ps, b, (size_t)(e - b), &data, &len) != 0) {
        free(name);
        return -EINVAL;
    }
    s = skip_ws(e + 1);
    int no_payload = 0;
    if (strncmp(s, "no-payload", 10) == 0) {
        no_payload = 1;
        s = skip_ws(s + 10);
    }
    if (*s) {
        free(name);
        free(data);
        return fail(ps, "unexpected \"%.20s\" after the probe string", s);
    }
    db->probes = xreallocarray(db->probes, db->nprobes + 1, sizeof *db->probes);
    ps->fallbacks = xreallocarray(ps->fallbacks, db->nprobes + 1, sizeof *ps->fallbacks);
    ps->fallbacks[db->nprobes] = NULL;
    struct svc_probe *pr = &db->probes[db->nprobes++];
    memset(pr, 0, sizeof *pr);
    pr->name = name;
    pr->proto = (uint8_t)p;
    pr->data = data;
    pr->len = len;
    pr->no_payload = no_payload;
    pr->rarity = SVC_DEFAULT_RARITY;
    pr->totalwaitms = SVC_DEFAULT_WAITMS;
    pr->tcpwrappedms = SVC_DEFAULT_WRAPPEDMS;
    pr->line = ps->line;
    return 0;
}

/* A delimited field "<d>text<d>" at s (s at the delimiter); its text
 * copied, *end after the closing delimiter. */
static char *delimited(const char *s, const char **end)
{
    char d = *s;
    if (!d || d == ' ' || d == '\t')
        return NULL;
    const char *e = strchr(s + 1, d);
    if (!e)
        return NULL;
    *end = e + 1;
    return xstrndup(s + 1, (size_t)(e - s - 1));
}

static void template_clear(struct svc_template *t)
{
    free(t->p);
    free(t->v);
    free(t->i);
    free(t->h);
    free(t->o);
    free(t->d);
    for (size_t i = 0; i < t->ncpe; i++)
        free(t->cpe[i]);
    free(t->cpe);
    memset(t, 0, sizeof *t);
}

static int parse_match(struct parser *ps, const char *s, int soft)
{
    struct svc_probe *pr = cur_probe(ps, soft ? "softmatch" : "match");
    if (!pr)
        return -EINVAL;
    struct svc_match m = {.soft = soft, .line = ps->line};
    m.service = word(&s);
    if (!m.service)
        return fail(ps, "a match without a service name");
    s = skip_ws(s);
    const char *e;
    if (*s != 'm' || !(m.pattern = delimited(s + 1, &e))) {
        int r = fail(ps, "match %s: the pattern must be m/.../", m.service);
        free(m.service);
        return r;
    }
    m.plen = strlen(m.pattern);
    for (s = e; *s && *s != ' ' && *s != '\t'; s++) {
        if (*s == 'i')
            m.flags |= PCRE2_CASELESS;
        else if (*s == 's')
            m.flags |= PCRE2_DOTALL;
        else {
            fail(ps, "unknown regex flag '%c'", *s);
            goto bad;
        }
    }
    /* the regex must compile now: a broken file fails at load, with its line */
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)m.pattern, m.plen, m.flags, &ec, &eo, NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof msg);
        fail(ps, "bad regex at offset %zu: %s", (size_t)eo, (char *)msg);
        goto bad;
    }
    m.re = re;
    for (;;) {
        s = skip_ws(s);
        if (!*s)
            break;
        char **slot = NULL;
        const char *at = s + 1;
        int cpe = 0;
        if (strncmp(s, "cpe:", 4) == 0) {
            cpe = 1;
            at = s + 4;
        } else {
            switch (*s) {
            case 'p': slot = &m.tpl.p; break;
            case 'v': slot = &m.tpl.v; break;
            case 'i': slot = &m.tpl.i; break;
            case 'h': slot = &m.tpl.h; break;
            case 'o': slot = &m.tpl.o; break;
            case 'd': slot = &m.tpl.d; break;
            default:
                fail(ps, "unknown version field \"%.10s\"", s);
                goto bad;
            }
        }
        char *text = delimited(at, &e);
        if (!text) {
            fail(ps, "unterminated version field \"%.10s\"", s);
            goto bad;
        }
        if (cpe) {
            m.tpl.cpe = xreallocarray(m.tpl.cpe, m.tpl.ncpe + 1, sizeof *m.tpl.cpe);
            m.tpl.cpe[m.tpl.ncpe++] = text;
            if (*e == 'a')
                e++;
        } else {
            free(*slot);
            *slot = text;
        }
        s = e;
    }
    pr->matches = xreallocarray(pr->matches, pr->nmatches + 1, sizeof *pr->matches);
    pr->matches[pr->nmatches++] = m;
    return 0;
bad:
    free(m.service);
    free(m.pattern);
    pcre2_code_free(m.re);
    template_clear(&m.tpl);
    return -EINVAL;
}

static int parse_number(struct parser *ps, const char *s, unsigned lo, unsigned hi,
                        const char *what, unsigned *out)
{
    char *end;
    s = skip_ws(s);
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!isdigit((unsigned char)*s) || errno || *skip_ws(end) || v < lo || v > hi)
        return fail(ps, "%s must be a number from %u to %u", what, lo, hi);
    *out = (unsigned)v;
    return 0;
}

static int parse_line(struct parser *ps, char *line)
{
    const char *s = skip_ws(line);
    if (!*s || *s == '#')
        return 0;
    const char *rest = s;
    char *dir = word(&rest);
    int r = 0;
    struct svc_probe *pr;
    unsigned n;
    if (strcmp(dir, "Probe") == 0) {
        r = parse_probe(ps, rest);
    } else if (strcmp(dir, "match") == 0 || strcmp(dir, "softmatch") == 0) {
        r = parse_match(ps, rest, dir[0] == 's');
    } else if (strcmp(dir, "Exclude") == 0) {
        r = parse_ports(ps, rest, &ps->db->exclude[0], &ps->db->exclude[1]);
    } else if (strcmp(dir, "ports") == 0 || strcmp(dir, "sslports") == 0) {
        if (!(pr = cur_probe(ps, dir)))
            r = -EINVAL;
        else
            r = parse_ports(ps, rest, dir[0] == 'p' ? &pr->ports : &pr->sslports, NULL);
    } else if (strcmp(dir, "rarity") == 0) {
        if (!(pr = cur_probe(ps, dir)) || parse_number(ps, rest, 1, 9, "rarity", &n) != 0)
            r = -EINVAL;
        else
            pr->rarity = (int)n;
    } else if (strcmp(dir, "totalwaitms") == 0 || strcmp(dir, "tcpwrappedms") == 0) {
        if (!(pr = cur_probe(ps, dir)) || parse_number(ps, rest, 1, 600000, dir, &n) != 0)
            r = -EINVAL;
        else if (dir[0] == 't' && dir[1] == 'o')
            pr->totalwaitms = n;
        else
            pr->tcpwrappedms = n;
    } else if (strcmp(dir, "fallback") == 0) {
        if (!(pr = cur_probe(ps, dir))) {
            r = -EINVAL;
        } else {
            size_t i = ps->db->nprobes - 1;
            free(ps->fallbacks[i]);
            ps->fallbacks[i] = xstrdup(skip_ws(rest));
        }
    } else {
        r = fail(ps, "unknown directive \"%s\"", dir);
    }
    free(dir);
    return r;
}

static const struct svc_probe *find_probe(const struct svc_db *db, const char *name,
                                          size_t *at)
{
    for (size_t i = 0; i < db->nprobes; i++)
        if (strcmp(db->probes[i].name, name) == 0) {
            *at = i;
            return &db->probes[i];
        }
    return NULL;
}

/* Fallbacks name probes anywhere in the file: resolved once all are read. */
static int resolve_fallbacks(struct parser *ps)
{
    struct svc_db *db = ps->db;
    for (size_t i = 0; i < db->nprobes; i++) {
        char *list = ps->fallbacks[i];
        if (!list)
            continue;
        ps->line = db->probes[i].line;
        for (char *save = NULL, *name = strtok_r(list, ", \t", &save); name;
             name = strtok_r(NULL, ", \t", &save)) {
            size_t at;
            if (!find_probe(db, name, &at))
                return fail(ps, "probe %s falls back to unknown probe %s", db->probes[i].name,
                            name);
            struct svc_probe *p = &db->probes[i];
            p->fallback = xreallocarray(p->fallback, p->nfallback + 1, sizeof *p->fallback);
            p->fallback[p->nfallback++] = at;
        }
    }
    return 0;
}

int svc_db_parse(const char *text, size_t len, const char *fname, struct svc_db **out,
                 char *err, size_t errlen)
{
    struct parser ps = {.fname = fname, .err = err, .errlen = errlen};
    *out = NULL;
    ps.db = xcalloc(1, sizeof *ps.db);
    ps.db->path = xstrdup(fname);
    char *buf = xmalloc(len + 1);
    memcpy(buf, text, len);
    buf[len] = 0;
    int r = 0;
    for (char *line = buf; line && r == 0;) {
        char *nl = memchr(line, '\n', len - (size_t)(line - buf));
        if (nl)
            *nl = 0;
        ps.line++;
        size_t l = strlen(line);
        if (line + l != (nl ? nl : buf + len))
            r = fail(&ps, "a NUL byte in the file");
        else {
            if (l && line[l - 1] == '\r')
                line[l - 1] = 0;
            r = parse_line(&ps, line);
        }
        line = nl ? nl + 1 : NULL;
    }
    if (r == 0)
        r = resolve_fallbacks(&ps);
    if (r == 0 && ps.db->nprobes == 0)
        r = fail(&ps, "no Probe in the file");
    for (size_t i = 0; i < ps.db->nprobes; i++)
        free(ps.fallbacks[i]);
    free(ps.fallbacks);
    free(buf);
    if (r != 0) {
        svc_db_free(ps.db);
        return r;
    }
    ps.db->mdata = pcre2_match_data_create(32, NULL);
    ps.db->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(ps.db->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(ps.db->mctx, DEPTH_LIMIT);
    *out = ps.db;
    return 0;
}

int svc_db_load(const char *path, struct svc_db **db, char *err, size_t errlen)
{
    char *text = read_text_file(path, err, errlen);
    if (!text)
        return errno ? -errno : -EINVAL;
    int r = svc_db_parse(text, strlen(text), path, db, err, errlen);
    free(text);
    return r;
}

void svc_db_free(struct svc_db *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->nprobes; i++) {
        struct svc_probe *p = &db->probes[i];
        for (size_t k = 0; k < p->nmatches; k++) {
            struct svc_match *m = &p->matches[k];
            free(m->service);
            free(m->pattern);
            pcre2_code_free(m->re);
            template_clear(&m->tpl);
        }
        free(p->matches);
        free(p->name);
        free(p->data);
        free(p->ports.r);
        free(p->sslports.r);
        free(p->fallback);
    }
    free(db->probes);
    free(db->exclude[0].r);
    free(db->exclude[1].r);
    pcre2_match_data_free(db->mdata);
    pcre2_match_context_free(db->mctx);
    free(db->path);
    free(db);
}

int svc_db_excluded(const struct svc_db *db, unsigned proto, unsigned port)
{
    return proto <= PROTO_UDP && svc_portset_has(&db->exclude[proto], port);
}

const struct svc_probe *svc_db_null_probe(const struct svc_db *db)
{
    for (size_t i = 0; i < db->nprobes; i++)
        if (db->probes[i].proto == PROTO_TCP && db->probes[i].len == 0 &&
            strcmp(db->probes[i].name, "NULL") == 0)
            return &db->probes[i];
    return NULL;
}

int svc_probe_knows(const struct svc_probe *p, const char *service)
{
    for (size_t i = 0; i < p->nmatches; i++)
        if (strcmp(p->matches[i].service, service) == 0)
            return 1;
    return 0;
}

/* --- templates ------------------------------------------------------------ */

struct sbuf {
    char *s;
    size_t n, cap;
};

static void sb_put(struct sbuf *b, const void *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = xreallocarray(b->s, b->cap, 1);
    }
    memcpy(b->s + b->n, p, n);
    b->n += n;
    b->s[b->n] = 0;
}

static void sb_putc(struct sbuf *b, char c)
{
    sb_put(b, &c, 1);
}

/* A byte of an answer: shown, but a control byte never written raw. */
static void sb_put_safe(struct sbuf *b, uint8_t c)
{
    if (c >= 0x20 && c != 0x7f) {
        sb_putc(b, (char)c);
    } else {
        char hex[5];
        snprintf(hex, sizeof hex, "\\x%02x", c);
        sb_put(b, hex, 4);
    }
}

/* Capture n of the subject, or an empty one. */
static const uint8_t *capture(const uint8_t *subj, const size_t *ov, unsigned ncap, unsigned n,
                              size_t *len)
{
    *len = 0;
    if (n >= ncap || ov[2 * n] == PCRE2_UNSET || ov[2 * n + 1] < ov[2 * n])
        return subj;
    *len = ov[2 * n + 1] - ov[2 * n];
    return subj + ov[2 * n];
}

/* A quoted argument "..." at *s (backslash escapes the quote); NULL if
 * malformed. */
static char *quoted(const char **s)
{
    const char *p = skip_ws(*s);
    if (*p != '"')
        return NULL;
    struct sbuf b = {0};
    sb_put(&b, "", 0);
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1])
            p++;
        sb_putc(&b, *p);
    }
    if (*p != '"') {
        free(b.s);
        return NULL;
    }
    *s = p + 1;
    return b.s;
}

/* $P(n), $SUBST(n,"a","b"), $I(n,">"): at s (after the '$'); 0 if it is
 * not a well-formed call (then it is copied as text). */
static int helper(struct sbuf *b, const char **sp, const uint8_t *subj, const size_t *ov,
                  unsigned ncap)
{
    const char *s = *sp;
    int kind = strncmp(s, "P(", 2) == 0 ? 'P' : strncmp(s, "SUBST(", 6) == 0 ? 'S'
             : strncmp(s, "I(", 2) == 0   ? 'I' : 0;
    if (!kind)
        return 0;
    s = strchr(s, '(') + 1;
    if (!isdigit((unsigned char)*s))
        return 0;
    unsigned n = (unsigned)(*s++ - '0');
    size_t len;
    const uint8_t *c = capture(subj, ov, ncap, n, &len);
    char *a1 = NULL, *a2 = NULL;
    int ok = 0;
    if (kind == 'P') {
        if (*s != ')')
            return 0;
        for (size_t i = 0; i < len; i++)
            if (c[i] >= 0x20 && c[i] < 0x7f)
                sb_putc(b, (char)c[i]);
        ok = 1;
    } else if (kind == 'S') {
        if (*s++ != ',' || !(a1 = quoted(&s)) || *s++ != ',' || !(a2 = quoted(&s)) || *s != ')')
            goto out;
        size_t l1 = strlen(a1);
        for (size_t i = 0; i < len;) {
            if (l1 && i + l1 <= len && memcmp(c + i, a1, l1) == 0) {
                for (const char *r = a2; *r; r++)
                    sb_put_safe(b, (uint8_t)*r);
                i += l1;
            } else {
                sb_put_safe(b, c[i++]);
            }
        }
        ok = 1;
    } else {
        if (*s++ != ',' || !(a1 = quoted(&s)) || *s != ')' ||
            (strcmp(a1, "<") != 0 && strcmp(a1, ">") != 0))
            goto out;
        if (len >= 1 && len <= 8) {
            unsigned long long v = 0;
            for (size_t i = 0; i < len; i++)
                v |= (unsigned long long)c[a1[0] == '>' ? i : len - 1 - i]
                     << (8 * (len - 1 - i));
            char num[24];
            int k = snprintf(num, sizeof num, "%llu", v);
            sb_put(b, num, (size_t)k);
        }
        ok = 1;
    }
out:
    free(a1);
    free(a2);
    if (ok)
        *sp = s + 1;
    return ok;
}

char *svc_expand(const char *tpl, const uint8_t *subj, const size_t *ov, unsigned ncap)
{
    if (!tpl)
        return NULL;
    struct sbuf b = {0};
    for (const char *s = tpl; *s;) {
        if (*s == '$' && isdigit((unsigned char)s[1])) {
            size_t len;
            const uint8_t *c = capture(subj, ov, ncap, (unsigned)(s[1] - '0'), &len);
            for (size_t i = 0; i < len; i++)
                sb_put_safe(&b, c[i]);
            s += 2;
            continue;
        }
        if (*s == '$') {
            const char *at = s + 1;
            if (helper(&b, &at, subj, ov, ncap)) {
                s = at;
                continue;
            }
        }
        sb_put_safe(&b, (uint8_t)*s++);
    }
    /* trim: a field that expands to nothing (or blanks) is absent */
    while (b.n && (b.s[b.n - 1] == ' ' || b.s[b.n - 1] == '\t'))
        b.s[--b.n] = 0;
    if (!b.n) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* --- matching -------------------------------------------------------------- */

void svc_result_clear(struct svc_result *r)
{
    free(r->service);
    free(r->product);
    free(r->version);
    free(r->extrainfo);
    free(r->hostname);
    free(r->ostype);
    free(r->devicetype);
    for (size_t i = 0; i < r->ncpe; i++)
        free(r->cpe[i]);
    free(r->cpe);
    memset(r, 0, sizeof *r);
}

/* How many capture pairs are set (>= 1) if m matches, else 0; the offsets
 * are in db's match data. */
static int try_rule(const struct svc_db *db, const struct svc_match *m, const uint8_t *resp,
                    size_t len)
{
    /* JIT on first use: a database has thousands of rules, a scan uses few */
    struct svc_match *mm = (struct svc_match *)m;
    if (!mm->jitted) {
        mm->jitted = 1;
        pcre2_jit_compile(mm->re, PCRE2_JIT_COMPLETE); /* failing that, interpreted */
    }
    int rc = pcre2_match(mm->re, len ? resp : (PCRE2_SPTR) "", len, 0, 0, db->mdata, db->mctx);
    if (rc == 0) /* more groups than the match data holds: those it holds */
        rc = (int)pcre2_get_ovector_count(db->mdata);
    return rc > 0 ? rc : 0;
}

static void fill(const struct svc_db *db, const struct svc_match *m, const uint8_t *resp,
                 unsigned ncap, struct svc_result *out)
{
    pcre2_match_data *md = db->mdata;
    const PCRE2_SIZE *pov = pcre2_get_ovector_pointer(md);
    size_t ov[64];
    if (ncap > 32)
        ncap = 32;
    for (unsigned i = 0; i < 2 * ncap; i++)
        ov[i] = pov[i];
    svc_result_clear(out);
    out->service = xstrdup(m->service);
    out->soft = m->soft;
    out->line = m->line;
    if (m->soft)
        return;
    out->product = svc_expand(m->tpl.p, resp, ov, ncap);
    out->version = svc_expand(m->tpl.v, resp, ov, ncap);
    out->extrainfo = svc_expand(m->tpl.i, resp, ov, ncap);
    out->hostname = svc_expand(m->tpl.h, resp, ov, ncap);
    out->ostype = svc_expand(m->tpl.o, resp, ov, ncap);
    out->devicetype = svc_expand(m->tpl.d, resp, ov, ncap);
    /* as nmap: one CPE per part (application, hardware, OS), the rule's last
     * of each part, written in that order */
    char *part[3] = {NULL, NULL, NULL};
    for (size_t i = 0; i < m->tpl.ncpe; i++) {
        char *c = svc_expand(m->tpl.cpe[i], resp, ov, ncap);
        const char *kinds = "aho";
        const char *k = c && c[0] && c[1] == ':' ? strchr(kinds, c[0]) : NULL;
        if (!k) {
            free(c);
            continue;
        }
        /* CPE names are lower case, without spaces */
        for (char *p = c; *p; p++)
            *p = *p == ' ' ? '_' : (char)tolower((unsigned char)*p);
        size_t n = strlen(c) + 6;
        char *full = xmalloc(n);
        snprintf(full, n, "cpe:/%s", c);
        free(c);
        free(part[k - kinds]);
        part[k - kinds] = full;
    }
    for (int i = 0; i < 3; i++) {
        if (!part[i])
            continue;
        out->cpe = xreallocarray(out->cpe, out->ncpe + 1, sizeof *out->cpe);
        out->cpe[out->ncpe++] = part[i];
    }
}

int svc_match(const struct svc_db *db, const struct svc_probe *p, const uint8_t *resp,
              size_t len, const char *soft_service, struct svc_result *out)
{
    const struct svc_probe *order[66];
    size_t n = 0;
    order[n++] = p;
    for (size_t i = 0; i < p->nfallback && n < 64; i++)
        order[n++] = &db->probes[p->fallback[i]];
    const struct svc_probe *null = p->proto == PROTO_TCP ? svc_db_null_probe(db) : NULL;
    if (null && null != p)
        order[n++] = null;
    int found = SVC_NOMATCH;
    for (size_t k = 0; k < n; k++) {
        const struct svc_probe *q = order[k];
        for (size_t i = 0; i < q->nmatches; i++) {
            const struct svc_match *m = &q->matches[i];
            if (soft_service && strcmp(m->service, soft_service) != 0)
                continue;
            if (m->soft && found == SVC_SOFT)
                continue;
            int ncap = try_rule(db, m, resp, len);
            if (!ncap)
                continue;
            fill(db, m, resp, (unsigned)ncap, out);
            if (!m->soft)
                return SVC_HARD;
            found = SVC_SOFT;
        }
    }
    return found;
}
