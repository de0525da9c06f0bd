/* SPDX-License-Identifier: MIT */
/* The IEEE registry, read into three sorted arrays (24-, 28- and 36-bit
 * prefixes) searched longest first.  Names live in one string pool; the
 * arrays hold offsets into it, so growing the pool moves nothing they
 * point at. */
#include "macvendor.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

/* Larger files are not the registry (today's oui.csv is 3 MB). */
#define MV_FILE_MAX (64u << 20)
/* A record longer than this is malformed: it bounds what a quote left open
 * can swallow before the reader gives up on it and resynchronises. */
#define MV_RECORD_MAX 8192
/* The fields we keep: registry, assignment, organisation name. */
#define MV_FIELD_MAX 1024
#define MV_FIELDS 3

enum { MV_24, MV_28, MV_36, MV_NTABLES };

static const unsigned table_bits[MV_NTABLES] = {24, 28, 36};

struct mv_entry {
    uint64_t prefix; /* the top `bits` bits of the 48-bit address */
    uint32_t name;   /* offset in the pool */
    uint32_t order;  /* load order, so the first of duplicates wins */
};

struct mv_table {
    struct mv_entry *v;
    size_t n, cap;
};

struct macvendor {
    struct mv_table t[MV_NTABLES];
    char *pool;
    size_t poollen, poolcap;
    uint32_t loaded;
};

/* ---- reading CSV ---- */

struct csv {
    const char *p, *end;
};

/* One field at c->p, unquoted into out (NULL: not kept), NUL-terminated.
 * Stops before the ',' or line end that follows it.  -1 when malformed: a
 * quote left open, text after a closing quote, a field longer than cap, or
 * a record longer than MV_RECORD_MAX (counted from rec). */
static int csv_field(struct csv *c, const char *rec, char *out, size_t cap)
{
    size_t len = 0;
    bool quoted = c->p < c->end && *c->p == '"';
    if (quoted)
        c->p++;
    for (;; c->p++) {
        if (c->p - rec > MV_RECORD_MAX)
            return -1;
        if (c->p == c->end) {
            if (quoted)
                return -1;
            break;
        }
        char ch = *c->p;
        if (quoted && ch == '"') {
            if (c->end - c->p > 1 && c->p[1] == '"') {
                c->p++; /* a doubled quote is one quote */
            } else {
                c->p++;
                if (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n')
                    return -1;
                break;
            }
        } else if (!quoted && (ch == ',' || ch == '\n' || ch == '\r')) {
            break;
        }
        if (out) {
            if (len + 1 >= cap)
                return -1;
            out[len++] = ch;
        }
    }
    if (out)
        out[len] = '\0';
    return 0;
}

/* Past the end of the line at p. */
static const char *next_line(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl + 1 : end;
}

/* One record: its first MV_FIELDS fields into f (missing ones empty);
 * returns how many fields it had, or -1 when malformed, having then moved
 * c->p to the line after the record's start. */
static int csv_record(struct csv *c, char f[MV_FIELDS][MV_FIELD_MAX])
{
    const char *rec = c->p;
    int n = 0;
    for (int i = 0; i < MV_FIELDS; i++)
        f[i][0] = '\0';
    for (;;) {
        if (csv_field(c, rec, n < MV_FIELDS ? f[n] : NULL, MV_FIELD_MAX) != 0) {
            c->p = next_line(rec, c->end);
            return -1;
        }
        n++;
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '\r')
            c->p++;
        if (c->p < c->end && *c->p == '\n')
            c->p++;
        else if (c->p < c->end) /* a lone CR inside the line */
            c->p = next_line(c->p, c->end);
        return n;
    }
}

/* ---- building the tables ---- */

/* s without surrounding white space, in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* The table an assignment of this registry belongs to, from its hex digit
 * count: -1 when the registry is unknown or the count does not match it. */
static int table_of(const char *registry, size_t digits)
{
    static const struct {
        const char *name;
        size_t digits;
        int table;
    } regs[] = {
        {"MA-L", 6, MV_24}, {"MA-M", 7, MV_28}, {"MA-S", 9, MV_36}, {"IAB", 9, MV_36},
    };
    for (size_t i = 0; i < sizeof regs / sizeof *regs; i++)
        if (strcmp(registry, regs[i].name) == 0)
            return digits == regs[i].digits ? regs[i].table : -1;
    return -1;
}

/* Hex digits to a number; -1 if any is not one. */
static int parse_hex(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

static uint32_t pool_add(struct macvendor *mv, const char *s)
{
    size_t n = strlen(s) + 1;
    if (mv->poollen + n > mv->poolcap) {
        mv->poolcap = (mv->poollen + n) * 2;
        mv->pool = xreallocarray(mv->pool, mv->poolcap, 1);
    }
    memcpy(mv->pool + mv->poollen, s, n);
    mv->poollen += n;
    return (uint32_t)(mv->poollen - n);
}

/* One record's fields into the tables, if they make an entry. */
static void add_record(struct macvendor *mv, char f[MV_FIELDS][MV_FIELD_MAX])
{
    const char *registry = trim(f[0]), *hex = trim(f[1]), *name = trim(f[2]);
    uint64_t prefix;
    int t = table_of(registry, strlen(hex));
    if (t < 0 || !*name || parse_hex(hex, &prefix) != 0 || mv->poollen > UINT32_MAX / 2)
        return;
    struct mv_table *tab = &mv->t[t];
    if (tab->n == tab->cap) {
        tab->cap = tab->cap ? tab->cap * 2 : 1024;
        tab->v = xreallocarray(tab->v, tab->cap, sizeof *tab->v);
    }
    tab->v[tab->n++] = (struct mv_entry){
        .prefix = prefix, .name = pool_add(mv, name), .order = mv->loaded++};
}

static void parse_csv(struct macvendor *mv, const char *data, size_t len)
{
    struct csv c = {data, data + len};
    char(*f)[MV_FIELD_MAX] = xmalloc(MV_FIELDS * MV_FIELD_MAX);
    while (c.p < c.end)
        if (csv_record(&c, f) >= MV_FIELDS)
            add_record(mv, f);
    free(f);
}

/* The whole file (binary: a NUL byte is just a byte here), or NULL with
 * errno set. */
static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0, r;
    char *buf = xmalloc(cap);
    while ((r = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += r;
        if (n > MV_FILE_MAX) {
            fclose(fp);
            free(buf);
            errno = EFBIG;
            return NULL;
        }
        if (n == cap)
            buf = xreallocarray(buf, cap *= 2, 1);
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    *len = n;
    return buf;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct mv_entry *x = a, *y = b;
    if (x->prefix != y->prefix)
        return x->prefix < y->prefix ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Sort a table and keep the first-loaded entry of each prefix. */
static void finish_table(struct mv_table *t)
{
    if (!t->n)
        return;
    qsort(t->v, t->n, sizeof *t->v, entry_cmp);
    size_t k = 1;
    for (size_t i = 1; i < t->n; i++)
        if (t->v[i].prefix != t->v[k - 1].prefix)
            t->v[k++] = t->v[i];
    t->n = k;
}

/* ---- the interface ---- */

struct macvendor *macvendor_load(const char *dir, char *err, size_t errlen)
{
    static const char *const files[] = {"oui.csv", "mam.csv", "oui36.csv", "iab.csv"};
    if (!dir || !*dir)
        dir = getenv("PORTSCOUT_IEEE_DATA");
    if (!dir || !*dir)
        dir = MACVENDOR_DEFAULT_DIR;
    struct macvendor *mv = xcalloc(1, sizeof *mv);
    int read = 0, first_errno = 0;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[4096];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        char *data = read_all(path, &len);
        if (!data) {
            if (!first_errno)
                first_errno = errno;
            continue;
        }
        parse_csv(mv, data, len);
        free(data);
        read++;
    }
    for (int t = 0; t < MV_NTABLES; t++)
        finish_table(&mv->t[t]);
    if (macvendor_count(mv) == 0) {
        if (err && errlen && !read)
            snprintf(err, errlen, "cannot read the IEEE registry (oui.csv, mam.csv, oui36.csv, "
                     "iab.csv) in %s: %s", dir, strerror(first_errno));
        else if (err && errlen)
            snprintf(err, errlen, "no valid entries in the IEEE registry files in %s", dir);
        macvendor_free(mv);
        return NULL;
    }
    return mv;
}

static const struct mv_entry *table_find(const struct mv_table *t, uint64_t prefix)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->v[mid].prefix < prefix)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && t->v[lo].prefix == prefix ? &t->v[lo] : NULL;
}

const char *macvendor_lookup(const struct macvendor *mv, const uint8_t mac[6])
{
    if (!mv || !mac || (mac[0] & 0x02))
        return NULL;
    uint64_t addr = 0;
    for (int i = 0; i < 6; i++)
        addr = addr << 8 | mac[i];
    for (int t = MV_NTABLES - 1; t >= 0; t--) {
        const struct mv_entry *e = table_find(&mv->t[t], addr >> (48 - table_bits[t]));
        if (e)
            return mv->pool + e->name;
    }
    return NULL;
}

size_t macvendor_count(const struct macvendor *mv)
{
    size_t n = 0;
    for (int t = 0; mv && t < MV_NTABLES; t++)
        n += mv->t[t].n;
    return n;
}

void macvendor_free(struct macvendor *mv)
{
    if (!mv)
        return;
    for (int t = 0; t < MV_NTABLES; t++)
        free(mv->t[t].v);
    free(mv->pool);
    free(mv);
}
