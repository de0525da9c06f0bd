/* SPDX-License-Identifier: MIT */
#include "target.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static void bit_set_range(uint8_t *bm, unsigned lo, unsigned hi)
{
    for (unsigned v = lo; v <= hi; v++)
        bm[v >> 3] |= (uint8_t)(1u << (v & 7));
}

static int bit_test(const uint8_t *bm, unsigned v)
{
    return (bm[v >> 3] >> (v & 7)) & 1;
}

/* First set value >= from in a 256-bit map, or -1. */
static int bit_next(const uint8_t *bm, int from)
{
    for (int v = from; v < 256; v++)
        if (bit_test(bm, (unsigned)v))
            return v;
    return -1;
}

/* Parse a decimal number of at most 3 digits (an octet) or up to `max`. */
static int parse_uint(const char *s, size_t len, unsigned max, unsigned *out)
{
    if (len == 0 || len > 10)
        return -1;
    unsigned long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* One octet of an IPv4 pattern: '*' or comma-separated N, N-M, N-, -M, -. */
static int parse_octet(const char *s, size_t len, uint8_t *bm, int literal_only)
{
    if (len == 1 && s[0] == '*' && !literal_only) {
        bit_set_range(bm, 0, 255);
        return 0;
    }
    const char *end = s + len;
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *item_end = comma ? comma : end;
        const char *dash = memchr(s, '-', (size_t)(item_end - s));
        unsigned lo, hi;
        if (literal_only && (dash || comma))
            return -1;
        if (dash) {
            lo = 0;
            hi = 255;
            if (dash > s && parse_uint(s, (size_t)(dash - s), 255, &lo))
                return -1;
            if (item_end > dash + 1 && parse_uint(dash + 1, (size_t)(item_end - dash - 1), 255, &hi))
                return -1;
            if (lo > hi)
                return -1;
        } else {
            if (parse_uint(s, (size_t)(item_end - s), 255, &lo))
                return -1;
            hi = lo;
        }
        bit_set_range(bm, lo, hi);
        if (!comma)
            break;
        s = comma + 1;
        if (s == end) /* trailing comma */
            return -1;
    }
    return 0;
}

static int looks_like_v4_pattern(const char *s, size_t len)
{
    int dots = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.')
            dots++;
        else if (!isdigit((unsigned char)s[i]) && !strchr(",-*", s[i]))
            return 0;
    }
    return dots > 0 || len > 0;
}

static void v4_cidr_to_octets(uint32_t base, int prefix, uint8_t oct[4][32])
{
    uint32_t mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
    uint32_t lo = base & mask, hi = lo | ~mask;
    memset(oct, 0, 4 * 32);
    for (int i = 0; i < 4; i++) {
        unsigned shift = (unsigned)(24 - 8 * i);
        bit_set_range(oct[i], (lo >> shift) & 0xff, (hi >> shift) & 0xff);
    }
}

static void v6_mask(struct in6_addr *a, int prefix)
{
    for (int i = 0; i < 16; i++) {
        int bits = prefix - 8 * i;
        if (bits >= 8)
            continue;
        a->s6_addr[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
    }
}

static int valid_hostname(const char *s, size_t len)
{
    if (len == 0 || len > 253 || s[0] == '-' || s[0] == '.')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("-._", s[i]))
            return 0;
    return 1;
}

static int parse_token(struct target_token *t, const char *token, int family, char *err,
                       size_t errlen)
{
    size_t len = strlen(token);
    const char *slash = strchr(token, '/');
    size_t hlen = slash ? (size_t)(slash - token) : len;
    unsigned prefix = 0;
    int has_prefix = slash != NULL;

    memset(t, 0, sizeof *t);
    t->prefix = -1;
    if (len == 0)
        return fail(err, errlen, "empty target specification");
    if (has_prefix && parse_uint(slash + 1, strlen(slash + 1), 128, &prefix))
        return fail(err, errlen, "invalid CIDR prefix in target \"%s\"", token);

    if (memchr(token, ':', hlen)) {
        char buf[INET6_ADDRSTRLEN + 1];
        if (hlen >= sizeof buf)
            return fail(err, errlen, "invalid IPv6 target \"%s\"", token);
        memcpy(buf, token, hlen);
        buf[hlen] = '\0';
        if (inet_pton(AF_INET6, buf, &t->v6) != 1)
            return fail(err, errlen, "invalid IPv6 target \"%s\"", token);
        if (family != AF_INET6)
            return fail(err, errlen, "IPv6 target \"%s\" needs -6", token);
        t->kind = TARGET_V6;
        t->prefix = has_prefix ? (int)prefix : 128;
        v6_mask(&t->v6, t->prefix);
        return 0;
    }

    if (looks_like_v4_pattern(token, hlen)) {
        const char *p = token, *end = token + hlen;
        if (family == AF_INET6)
            return fail(err, errlen, "IPv4 target \"%s\" given with -6", token);
        if (has_prefix && prefix > 32)
            return fail(err, errlen, "invalid CIDR prefix in target \"%s\" (0-32)", token);
        for (int i = 0; i < 4; i++) {
            const char *dot = i < 3 ? memchr(p, '.', (size_t)(end - p)) : end;
            if (!dot || dot == p ||
                parse_octet(p, (size_t)(dot - p), t->octets[i], has_prefix) != 0)
                return fail(err, errlen, "invalid IPv4 target specification \"%s\"", token);
            p = dot + 1;
        }
        if (p != end + 1)
            return fail(err, errlen, "invalid IPv4 target specification \"%s\"", token);
        if (has_prefix) {
            uint32_t base = 0;
            for (int i = 0; i < 4; i++)
                base = base << 8 | (uint32_t)bit_next(t->octets[i], 0);
            v4_cidr_to_octets(base, (int)prefix, t->octets);
        }
        t->kind = TARGET_V4;
        return 0;
    }

    if (!valid_hostname(token, hlen))
        return fail(err, errlen, "invalid target specification \"%s\"", token);
    if (has_prefix && prefix > (family == AF_INET6 ? 128u : 32u))
        return fail(err, errlen, "invalid CIDR prefix in target \"%s\"", token);
    t->kind = TARGET_NAME;
    t->name = xstrndup(token, hlen);
    t->prefix = has_prefix ? (int)prefix : -1;
    return 0;
}

int target_list_add(struct target_list *l, const char *token, int family, char *err,
                    size_t errlen)
{
    struct target_token t;
    int r = parse_token(&t, token, family, err, errlen);
    if (r) {
        free(t.name);
        return r;
    }
    t.text = xstrdup(token);
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->tok = xreallocarray(l->tok, l->cap, sizeof *l->tok);
    }
    l->tok[l->n++] = t;
    return 0;
}

int target_list_add_text(struct target_list *l, const char *text, int family, int commas,
                         char *err, size_t errlen)
{
    const char *p = text;
    while (*p) {
        if (*p == '#') { /* comment to end of line */
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (isspace((unsigned char)*p) || (commas && *p == ',')) {
            p++;
            continue;
        }
        const char *s = p;
        while (*p && !isspace((unsigned char)*p) && *p != '#' && !(commas && *p == ','))
            p++;
        char *tok = xstrndup(s, (size_t)(p - s));
        int r = target_list_add(l, tok, family, err, errlen);
        free(tok);
        if (r)
            return r;
    }
    return 0;
}

/* getaddrinfo for one family; returns the number of distinct addresses. */
static size_t resolve(const char *name, int family, struct ip_addr **out)
{
    struct addrinfo hints = {.ai_family = family, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res, *ai;
    size_t n = 0;
    *out = NULL;
    if (getaddrinfo(name, NULL, &hints, &res) != 0)
        return 0;
    for (ai = res; ai; ai = ai->ai_next)
        n++;
    *out = xcalloc(n, sizeof **out);
    n = 0;
    for (ai = res; ai; ai = ai->ai_next) {
        struct ip_addr a = {.family = (sa_family_t)ai->ai_family};
        if (ai->ai_family == AF_INET)
            a.u.v4 = ((struct sockaddr_in *)ai->ai_addr)->sin_addr;
        else if (ai->ai_family == AF_INET6)
            a.u.v6 = ((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
        else
            continue;
        size_t j;
        for (j = 0; j < n && !ip_addr_equal(&(*out)[j], &a); j++)
            ;
        if (j == n)
            (*out)[n++] = a;
    }
    freeaddrinfo(res);
    return n;
}

int target_list_resolve_names(struct target_list *l, int family, char *err, size_t errlen)
{
    for (size_t i = 0; i < l->n; i++) {
        struct target_token *t = &l->tok[i];
        if (t->kind != TARGET_NAME || t->resolved)
            continue;
        t->nresolved = resolve(t->name, family, &t->resolved);
        if (t->nresolved == 0) {
            snprintf(err, errlen, "failed to resolve \"%s\"", t->name);
            return -ENOENT;
        }
    }
    return 0;
}

static int v6_prefix_match(const struct in6_addr *net, int prefix, const struct in6_addr *a)
{
    struct in6_addr m = *a;
    v6_mask(&m, prefix);
    return memcmp(&m, net, sizeof m) == 0;
}

static int token_contains(const struct target_token *t, const struct ip_addr *a)
{
    switch (t->kind) {
    case TARGET_V4: {
        if (a->family != AF_INET)
            return 0;
        uint32_t v = ntohl(a->u.v4.s_addr);
        for (int i = 0; i < 4; i++)
            if (!bit_test(t->octets[i], (v >> (24 - 8 * i)) & 0xff))
                return 0;
        return 1;
    }
    case TARGET_V6:
        return a->family == AF_INET6 && v6_prefix_match(&t->v6, t->prefix, &a->u.v6);
    case TARGET_NAME:
        for (size_t i = 0; i < t->nresolved; i++) {
            const struct ip_addr *r = &t->resolved[i];
            if (t->prefix < 0 ? ip_addr_equal(r, a) : 0)
                return 1;
            if (t->prefix >= 0 && r->family == a->family) {
                if (a->family == AF_INET6) {
                    struct in6_addr net = r->u.v6;
                    v6_mask(&net, t->prefix);
                    if (v6_prefix_match(&net, t->prefix, &a->u.v6))
                        return 1;
                } else {
                    uint32_t mask = t->prefix == 0 ? 0 : 0xffffffffu << (32 - t->prefix);
                    if ((ntohl(r->u.v4.s_addr) & mask) == (ntohl(a->u.v4.s_addr) & mask))
                        return 1;
                }
            }
        }
        return 0;
    }
    return 0;
}

int target_list_contains(const struct target_list *l, const struct ip_addr *a)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (token_contains(&l->tok[i], a))
            return 1;
    return 0;
}

uint64_t target_list_count(const struct target_list *l)
{
    uint64_t total = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct target_token *t = &l->tok[i];
        uint64_t n = 1;
        if (t->kind == TARGET_V4) {
            for (int o = 0; o < 4; o++) {
                uint64_t c = 0;
                for (int b = 0; b < 32; b++)
                    c += (uint64_t)__builtin_popcount(t->octets[o][b]);
                n *= c;
            }
        } else if (t->kind == TARGET_V6) {
            n = 128 - t->prefix >= 64 ? UINT64_MAX : (uint64_t)1 << (128 - t->prefix);
        }
        total = total > UINT64_MAX - n ? UINT64_MAX : total + n;
    }
    return total;
}

void target_list_free(struct target_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->tok[i].text);
        free(l->tok[i].name);
        free(l->tok[i].resolved);
    }
    free(l->tok);
    memset(l, 0, sizeof *l);
}

void target_clear(struct target *t)
{
    free(t->name);
    free(t->others);
    memset(t, 0, sizeof *t);
}

void target_iter_init(struct target_iter *it, const struct target_list *l,
                      const struct target_list *exclude, int family)
{
    memset(it, 0, sizeof *it);
    it->list = l;
    it->exclude = exclude;
    it->family = family;
}

static void random_free(struct target_iter *it);

void target_iter_free(struct target_iter *it)
{
    free(it->res);
    it->res = NULL;
    it->nres = 0;
    random_free(it);
}

/* Advance the IPv4 odometer; returns 0 when the token is exhausted. */
static int v4_step(uint8_t oct[4][32], uint8_t cur[4], int first)
{
    if (first) {
        for (int i = 0; i < 4; i++) {
            int v = bit_next(oct[i], 0);
            if (v < 0)
                return 0;
            cur[i] = (uint8_t)v;
        }
        return 1;
    }
    for (int i = 3; i >= 0; i--) {
        int v = cur[i] < 255 ? bit_next(oct[i], cur[i] + 1) : -1;
        if (v >= 0) {
            cur[i] = (uint8_t)v;
            return 1;
        }
        cur[i] = (uint8_t)bit_next(oct[i], 0);
    }
    return 0;
}

/* Advance within an IPv6 prefix (add one to the host bits); returns 0
 * when they wrap. */
static int v6_step(struct in6_addr *cur, int prefix)
{
    int host = 128 - prefix;
    for (int i = 15; i >= 0; i--) {
        int low = 8 * (15 - i); /* bit position of this byte's LSB */
        if (low >= host)
            return 0;
        uint8_t mask = host - low >= 8 ? 0xff : (uint8_t)((1u << (host - low)) - 1);
        uint8_t hostpart = cur->s6_addr[i] & mask;
        cur->s6_addr[i] &= (uint8_t)~mask;
        if (hostpart != mask) {
            cur->s6_addr[i] |= (uint8_t)(hostpart + 1);
            return 1;
        }
    }
    return 0;
}

/* The next address of a range token (v4 bitmap, v6 prefix, or resolved
 * name with a prefix).  Returns 0 when it is exhausted. */
static int range_next(struct target_iter *it, const struct target_token *t, struct ip_addr *a)
{
    int first = !it->started;
    it->started = 1;
    if (t->kind == TARGET_V4) {
        if (!v4_step((uint8_t(*)[32])t->octets, it->cur, first))
            return 0;
        a->family = AF_INET;
        a->u.v4.s_addr = htonl((uint32_t)it->cur[0] << 24 | (uint32_t)it->cur[1] << 16 |
                               (uint32_t)it->cur[2] << 8 | it->cur[3]);
        return 1;
    }
    if (first)
        it->v6cur = t->v6;
    else if (!v6_step(&it->v6cur, t->prefix))
        return 0;
    a->family = AF_INET6;
    a->u.v6 = it->v6cur;
    return 1;
}

static void next_token(struct target_iter *it)
{
    it->tok++;
    it->started = 0;
    target_iter_free(it);
}

static int random_next(struct target_iter *it, struct target *t, char *err, size_t errlen);

int target_iter_next(struct target_iter *it, struct target *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (it->randomized)
        return random_next(it, t, err, errlen);
    while (it->tok < it->list->n) {
        const struct target_token *tok = &it->list->tok[it->tok];
        struct ip_addr a = {0};
        if (tok->kind != TARGET_NAME) {
            if (!range_next(it, tok, &a)) {
                next_token(it);
                continue;
            }
        } else if (!it->started && !it->res) {
            if (tok->looked_up) {
                it->nres = tok->nresolved;
                it->res = it->nres ? xcalloc(it->nres, sizeof *it->res) : NULL;
                if (it->nres)
                    memcpy(it->res, tok->resolved, it->nres * sizeof *it->res);
            } else {
                it->nres = resolve(tok->name, it->family, &it->res);
            }
            if (it->nres && it->res[0].family != it->family) {
                /* resolved ahead with both families: none of the scan's */
                int six = it->family == AF_INET6;
                snprintf(err, errlen, "Warning: Hostname %s resolves, but not to any IPv%c "
                         "address. Try scanning %s -6\nFailed to resolve \"%s\".", tok->name,
                         six ? '6' : '4', six ? "without" : "with", tok->name);
                next_token(it);
                return -ENOENT;
            }
            if (it->nres == 0) {
                snprintf(err, errlen, "Failed to resolve \"%s\".", tok->name);
                next_token(it);
                return -ENOENT;
            }
            if (tok->prefix < 0) {
                it->started = 1;
                a = it->res[0];
                if (!target_list_contains(it->exclude, &a)) {
                    t->addr = a;
                    t->name = xstrdup(tok->name);
                    if (it->nres > 1) {
                        t->nothers = it->nres - 1;
                        t->others = xcalloc(t->nothers, sizeof *t->others);
                        memcpy(t->others, it->res + 1, t->nothers * sizeof *t->others);
                    }
                    next_token(it);
                    return 1;
                }
                next_token(it);
                continue;
            }
            /* name/prefix: iterate the block around its first address */
            struct target_token blk = {.prefix = tok->prefix};
            if (it->res[0].family == AF_INET) {
                blk.kind = TARGET_V4;
                v4_cidr_to_octets(ntohl(it->res[0].u.v4.s_addr), tok->prefix, blk.octets);
            } else {
                blk.kind = TARGET_V6;
                blk.v6 = it->res[0].u.v6;
                v6_mask(&blk.v6, tok->prefix);
            }
            it->started = 0;
            if (!range_next(it, &blk, &a)) {
                next_token(it);
                continue;
            }
            it->dyn = blk;
        } else {
            if (!range_next(it, &it->dyn, &a)) {
                next_token(it);
                continue;
            }
        }
        if (target_list_contains(it->exclude, &a))
            continue;
        t->addr = a;
        return 1;
    }
    return 0;
}

/* ---- random order (--randomize-hosts) ----------------------------------
 *
 * The target space is numbered: token 0's addresses first, then token 1's,
 * and so on (it->cum holds the running totals).  A keyed permutation of
 * those numbers (lib/permute.h) gives the order; each number is decoded back
 * into (token, offset) by a binary search of the totals and into an address
 * by the token's own arithmetic.  Nothing is expanded or remembered beyond
 * the totals and the blocks of resolved name/prefix tokens. */

/* A name/prefix token: resolved the first time one of its addresses is
 * reached, since its other addresses come at random later. */
struct target_block {
    size_t tok;
    int state; /* 0: not resolved yet, 1: resolved, -1: failed */
    struct ip_addr base; /* the block's first address */
};

static void random_free(struct target_iter *it)
{
    free(it->cum);
    free(it->blocks);
    it->cum = NULL;
    it->blocks = NULL;
    it->nblocks = 0;
    it->randomized = 0;
}

/* Addresses in one 256-bit octet map (a bit count: the words' byte order
 * does not matter). */
static unsigned octet_count(const uint8_t *bm)
{
    unsigned n = 0;
    for (int w = 0; w < 4; w++) {
        uint64_t word;
        memcpy(&word, bm + 8 * w, sizeof word);
        n += (unsigned)__builtin_popcountll(word);
    }
    return n;
}

/* The smallest and the largest value of a non-empty octet map. */
static unsigned octet_first(const uint8_t *bm)
{
    int b = 0;
    while (!bm[b])
        b++;
    return (unsigned)(8 * b + __builtin_ctz(bm[b]));
}

static unsigned octet_last(const uint8_t *bm)
{
    int b = 31;
    while (!bm[b])
        b--;
    return (unsigned)(8 * b + 31 - __builtin_clz(bm[b]));
}

/* The k-th smallest value (from 0) of an octet map holding more than k. */
static unsigned octet_select(const uint8_t *bm, unsigned k)
{
    int b = 0;
    for (;; b++) {
        unsigned c = (unsigned)__builtin_popcount(bm[b]);
        if (k < c)
            break;
        k -= c;
    }
    unsigned byte = bm[b];
    while (k--)
        byte &= byte - 1; /* drop the lowest set bit */
    return (unsigned)(8 * b + __builtin_ctz(byte));
}

/* How many addresses a token stands for in the numbered space; -EOVERFLOW
 * when 2^64 or more (an IPv6 prefix shorter than /65). */
static int token_space(const struct target_token *t, int family, uint64_t *n)
{
    int host;
    switch (t->kind) {
    case TARGET_V4:
        *n = 1;
        for (int o = 0; o < 4; o++)
            *n *= octet_count(t->octets[o]);
        return 0;
    case TARGET_V6:
        host = 128 - t->prefix;
        break;
    default: /* TARGET_NAME */
        if (t->prefix < 0) {
            *n = 1;
            return 0;
        }
        host = (family == AF_INET6 ? 128 : 32) - t->prefix;
        break;
    }
    if (host >= 64)
        return -EOVERFLOW;
    *n = (uint64_t)1 << host;
    return 0;
}

int target_iter_init_random(struct target_iter *it, const struct target_list *l,
                            const struct target_list *exclude, int family, uint64_t seed,
                            char *err, size_t errlen)
{
    target_iter_init(it, l, exclude, family);
    uint64_t total = 0;
    size_t nblocks = 0;
    for (size_t k = 0; k < l->n; k++) {
        uint64_t n = 0;
        int big = token_space(&l->tok[k], family, &n) != 0;
        if (big || n > UINT64_MAX - total) {
            snprintf(err, errlen,
                     "--randomize-hosts: the targets hold more than 2^64 - 1 addresses, too "
                     "many to put in a random order (%s \"%s\"); use longer IPv6 prefixes",
                     big ? "2^64 or more in" : "the total passes it at", l->tok[k].text);
            return -EOVERFLOW;
        }
        total += n;
        nblocks += l->tok[k].kind == TARGET_NAME && l->tok[k].prefix >= 0;
    }
    it->randomized = 1;
    it->radix_tok = SIZE_MAX;
    it->rtotal = total;
    if (total)
        permute_init(&it->perm, total, seed);
    it->cum = xcalloc(l->n ? l->n : 1, sizeof *it->cum);
    it->blocks = xcalloc(nblocks ? nblocks : 1, sizeof *it->blocks);
    total = 0;
    for (size_t k = 0; k < l->n; k++) {
        uint64_t n = 0; /* checked above */
        token_space(&l->tok[k], family, &n);
        it->cum[k] = total += n;
        if (l->tok[k].kind == TARGET_NAME && l->tok[k].prefix >= 0)
            it->blocks[it->nblocks++].tok = k;
    }
    return 0;
}

/* The token holding number idx of the space, and idx's offset in it. */
static size_t token_at(const struct target_iter *it, uint64_t idx, uint64_t *off)
{
    size_t lo = 0, hi = it->list->n - 1; /* the first k with cum[k] > idx */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (it->cum[mid] > idx)
            hi = mid;
        else
            lo = mid + 1;
    }
    *off = idx - (lo ? it->cum[lo - 1] : 0);
    return lo;
}

/* The off-th address of an IPv4 token, in the order sequential iteration
 * gives: the last octet varies fastest, so the offset is a number in mixed
 * radix with one digit per octet, each digit selecting a value of its map.
 * Contiguous maps (CIDR blocks, ranges) need no search. */
static void v4_at(struct target_iter *it, size_t k, uint64_t off, struct ip_addr *a)
{
    const struct target_token *t = &it->list->tok[k];
    if (it->radix_tok != k) { /* digest the maps once per run of one token */
        for (int i = 0; i < 4; i++) {
            const uint8_t *bm = t->octets[i];
            it->radix[i] = octet_count(bm);
            it->radix_first[i] = (uint8_t)octet_first(bm);
            it->radix_contig[i] = octet_last(bm) - octet_first(bm) + 1 == it->radix[i];
        }
        it->radix_tok = k;
    }
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) {
        unsigned c = it->radix[i], digit = (unsigned)(off % c);
        off /= c;
        v |= (it->radix_contig[i] ? it->radix_first[i] + digit
                                  : octet_select(t->octets[i], digit))
             << (24 - 8 * i);
    }
    a->family = AF_INET;
    a->u.v4.s_addr = htonl(v);
}

/* The block's first address plus off (less than the block's size, so it
 * stays in the host bits). */
static void block_at(const struct ip_addr *base, uint64_t off, struct ip_addr *a)
{
    *a = *base;
    if (a->family == AF_INET) {
        a->u.v4.s_addr = htonl(ntohl(base->u.v4.s_addr) | (uint32_t)off);
        return;
    }
    for (int i = 15; i >= 8; i--, off >>= 8)
        a->u.v6.s6_addr[i] |= (uint8_t)off;
}

/* A name reached in random order.  Returns 1 with *t filled (a plain name
 * carries its name and other addresses, as in sequential order), 0 when
 * the address is to be passed over (excluded, or in the block of a name
 * that failed before), or -ENOENT when the name failed now. */
static int random_name(struct target_iter *it, size_t k, uint64_t off, struct target *t,
                       char *err, size_t errlen)
{
    const struct target_token *tok = &it->list->tok[k];
    struct ip_addr *res = NULL;
    struct target_block *blk = NULL;
    if (tok->prefix >= 0) {
        size_t lo = 0, hi = it->nblocks - 1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (it->blocks[mid].tok < k)
                lo = mid + 1;
            else
                hi = mid;
        }
        blk = &it->blocks[lo];
        if (blk->state < 0)
            return 0;
    }
    if (!blk || blk->state == 0) {
        size_t nres = resolve(tok->name, it->family, &res);
        if (nres == 0) {
            free(res);
            if (blk)
                blk->state = -1;
            snprintf(err, errlen, "Failed to resolve \"%s\".", tok->name);
            return -ENOENT;
        }
        if (!blk) {
            if (target_list_contains(it->exclude, &res[0])) {
                free(res);
                return 0;
            }
            t->addr = res[0];
            t->name = xstrdup(tok->name);
            if (nres > 1) {
                t->nothers = nres - 1;
                t->others = xcalloc(t->nothers, sizeof *t->others);
                memcpy(t->others, res + 1, t->nothers * sizeof *t->others);
            }
            free(res);
            return 1;
        }
        blk->base = res[0];
        if (blk->base.family == AF_INET) {
            uint32_t mask = tok->prefix == 0 ? 0 : 0xffffffffu << (32 - tok->prefix);
            blk->base.u.v4.s_addr = htonl(ntohl(blk->base.u.v4.s_addr) & mask);
        } else {
            v6_mask(&blk->base.u.v6, tok->prefix);
        }
        blk->state = 1;
        free(res);
    }
    block_at(&blk->base, off, &t->addr);
    return !target_list_contains(it->exclude, &t->addr);
}

static int random_next(struct target_iter *it, struct target *t, char *err, size_t errlen)
{
    while (it->rpos < it->rtotal) {
        uint64_t off;
        size_t k = token_at(it, permute_at(&it->perm, it->rpos++), &off);
        const struct target_token *tok = &it->list->tok[k];
        if (tok->kind == TARGET_NAME) {
            int r = random_name(it, k, off, t, err, errlen);
            if (r != 0)
                return r;
            memset(t, 0, sizeof *t);
            continue;
        }
        if (tok->kind == TARGET_V4) {
            v4_at(it, k, off, &t->addr);
        } else {
            struct ip_addr base = {.family = AF_INET6, .u.v6 = tok->v6};
            block_at(&base, off, &t->addr);
        }
        if (!target_list_contains(it->exclude, &t->addr))
            return 1;
    }
    memset(t, 0, sizeof *t);
    return 0;
}
