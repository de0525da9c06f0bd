/* SPDX-License-Identifier: MIT */
/* Fuzz target specifications: the input as one token and as -iL text, in
 * both families; then iterate (at most MAX_ADDRS addresses) the tokens that
 * are not host names, checking the iterator against the parsed sets, in
 * sequential and in random order.  Names are never resolved. */
#include <arpa/inet.h>
#include <errno.h>

#include "fuzz.h"
#include "target.h"

#define MAX_INPUT (128 * 1024)
#define MAX_ADDRS 1000

static size_t popcount256(const uint8_t bm[32])
{
    size_t n = 0;
    for (int i = 0; i < 32; i++)
        n += (size_t)__builtin_popcount(bm[i]);
    return n;
}

/* Addresses in a range token; SIZE_MAX when beyond counting. */
static size_t token_size(const struct target_token *t)
{
    if (t->kind == TARGET_V4) {
        size_t n = 1;
        for (int i = 0; i < 4; i++)
            n *= popcount256(t->octets[i]);
        return n;
    }
    return 128 - t->prefix >= 60 ? SIZE_MAX : (size_t)1 << (128 - t->prefix);
}

static void check_token(const struct target_token *t, int family)
{
    FUZZ_CHECK(t->text && t->text[0]);
    FUZZ_CHECK(!t->resolved && t->nresolved == 0);
    switch (t->kind) {
    case TARGET_V4:
        FUZZ_CHECK(family == AF_INET);
        for (int i = 0; i < 4; i++)
            FUZZ_CHECK(popcount256(t->octets[i]) > 0);
        break;
    case TARGET_V6: {
        FUZZ_CHECK(family == AF_INET6);
        FUZZ_CHECK(t->prefix >= 0 && t->prefix <= 128);
        for (int b = t->prefix; b < 128; b++) /* host bits are clear */
            FUZZ_CHECK(!(t->v6.s6_addr[b / 8] & (0x80 >> (b % 8))));
        break;
    }
    case TARGET_NAME:
        FUZZ_CHECK(t->name && t->name[0]);
        FUZZ_CHECK(strchr(t->text, '/') ? t->prefix >= 0 : t->prefix == -1);
        FUZZ_CHECK(t->prefix <= (family == AF_INET ? 32 : 128));
        break;
    default:
        FUZZ_CHECK(!"unknown token kind");
    }
    /* the token's own text parses to the same token */
    struct target_list again = {0};
    char err[TARGET_ERRLEN];
    FUZZ_CHECK(target_list_add(&again, t->text, family, err, sizeof err) == 0);
    const struct target_token *u = &again.tok[0];
    FUZZ_CHECK(u->kind == t->kind && u->prefix == t->prefix);
    FUZZ_CHECK(memcmp(u->octets, t->octets, sizeof t->octets) == 0);
    FUZZ_CHECK(memcmp(&u->v6, &t->v6, sizeof t->v6) == 0);
    FUZZ_CHECK(!t->name == !u->name && (!t->name || strcmp(t->name, u->name) == 0));
    target_list_free(&again);
}

/* a < b for addresses of one family */
static int addr_less(const struct ip_addr *a, const struct ip_addr *b)
{
    if (a->family == AF_INET)
        return ntohl(a->u.v4.s_addr) < ntohl(b->u.v4.s_addr);
    return memcmp(&a->u.v6, &b->u.v6, sizeof a->u.v6) < 0;
}

/* Iterate r (range tokens only) minus ex, checking every address. */
static void walk(const struct target_list *r, const struct target_list *ex, int family)
{
    size_t *want = calloc(r->n + 1, sizeof *want), *got = calloc(r->n + 1, sizeof *got);
    if (!want || !got)
        abort();
    for (size_t i = 0; i < r->n; i++)
        want[i] = token_size(&r->tok[i]);

    struct target_iter it;
    struct target t;
    struct ip_addr prev = {0};
    size_t prev_tok = SIZE_MAX, n = 0;
    char err[TARGET_ERRLEN];
    int ret = 0;
    target_iter_init(&it, r, ex, family);
    while (n < MAX_ADDRS && (ret = target_iter_next(&it, &t, err, sizeof err)) == 1) {
        size_t k = it.tok;
        FUZZ_CHECK(k < r->n);
        FUZZ_CHECK(t.addr.family == family);
        FUZZ_CHECK(t.name == NULL && t.others == NULL);
        FUZZ_CHECK(target_list_contains(r, &t.addr));
        FUZZ_CHECK(!target_list_contains(ex, &t.addr));
        if (k == prev_tok) /* ascending, no repeats, within a token */
            FUZZ_CHECK(addr_less(&prev, &t.addr));
        /* every earlier token ran to its end */
        for (size_t j = prev_tok == SIZE_MAX ? 0 : prev_tok; j < k; j++)
            if (!ex)
                FUZZ_CHECK(got[j] == want[j]);
        got[k]++;
        if (!ex)
            FUZZ_CHECK(got[k] <= want[k]);
        prev = t.addr;
        prev_tok = k;
        n++;
        target_clear(&t);
    }
    FUZZ_CHECK(ret == 0 || ret == 1);
    if (ret == 0 && !ex) /* the end: every token ran to its end */
        for (size_t j = 0; j < r->n; j++)
            FUZZ_CHECK(got[j] == want[j]);
    target_iter_free(&it);
    free(want);
    free(got);
}

static int addr_cmp(const void *a, const void *b)
{
    const struct ip_addr *x = a, *y = b;
    return addr_less(x, y) ? -1 : addr_less(y, x) ? 1 : 0;
}

/* Up to MAX_ADDRS addresses of r minus ex, sequential or in random order;
 * returns how many, *end set when the iteration ended. */
static size_t collect(const struct target_list *r, const struct target_list *ex, int family,
                      int randomized, struct ip_addr *out, int *end)
{
    struct target_iter it;
    struct target t;
    char err[TARGET_ERRLEN] = "";
    size_t n = 0;
    int ret = 0;
    if (randomized) {
        ret = target_iter_init_random(&it, r, ex, family, 0x5eed, err, sizeof err);
        if (ret) {
            /* only an IPv6 space can pass 2^64 - 1 addresses */
            FUZZ_CHECK(ret == -EOVERFLOW && err[0] && family == AF_INET6);
            target_iter_free(&it);
            *end = -1;
            return 0;
        }
    } else {
        target_iter_init(&it, r, ex, family);
    }
    while (n < MAX_ADDRS && (ret = target_iter_next(&it, &t, err, sizeof err)) == 1) {
        FUZZ_CHECK(t.addr.family == family && t.name == NULL && t.others == NULL);
        FUZZ_CHECK(target_list_contains(r, &t.addr));
        FUZZ_CHECK(!target_list_contains(ex, &t.addr));
        out[n++] = t.addr;
        target_clear(&t);
    }
    FUZZ_CHECK(ret == 0 || ret == 1);
    *end = ret == 0;
    target_iter_free(&it);
    return n;
}

/* --randomize-hosts: every address it gives belongs to the list and not to
 * the exclusions; when the whole list fits in MAX_ADDRS, it gives the same
 * addresses as sequential order, as many times each. */
static void walk_random(const struct target_list *r, const struct target_list *ex, int family)
{
    struct ip_addr *seq = calloc(MAX_ADDRS, sizeof *seq), *rnd = calloc(MAX_ADDRS, sizeof *rnd);
    if (!seq || !rnd)
        abort();
    int seq_end, rnd_end;
    size_t ns = collect(r, ex, family, 0, seq, &seq_end);
    size_t nr = collect(r, ex, family, 1, rnd, &rnd_end);
    if (rnd_end >= 0 && seq_end && ns < MAX_ADDRS) {
        FUZZ_CHECK(rnd_end && nr == ns);
        qsort(seq, ns, sizeof *seq, addr_cmp);
        qsort(rnd, nr, sizeof *rnd, addr_cmp);
        for (size_t i = 0; i < ns; i++)
            FUZZ_CHECK(ip_addr_equal(&seq[i], &rnd[i]));
    }
    free(seq);
    free(rnd);
}

static void check_list(const struct target_list *l, int family)
{
    struct target_list r = {0}, ex = {0};
    char err[TARGET_ERRLEN];
    size_t small = 0;
    for (size_t i = 0; i < l->n; i++) {
        check_token(&l->tok[i], family);
        if (l->tok[i].kind == TARGET_NAME)
            continue; /* never resolve names */
        FUZZ_CHECK(target_list_add(&r, l->tok[i].text, family, err, sizeof err) == 0);
        /* every other small token also goes to an exclude list: iterating
         * minus it skips at most `small` addresses per token */
        size_t sz = token_size(&l->tok[i]);
        if (i % 2 && sz <= 64 && small + sz <= MAX_ADDRS) {
            small += sz;
            FUZZ_CHECK(target_list_add(&ex, l->tok[i].text, family, err, sizeof err) == 0);
        }
    }
    walk(&r, NULL, family);
    walk_random(&r, NULL, family);
    if (ex.n) {
        walk(&r, &ex, family);
        walk_random(&r, &ex, family);
    }
    target_list_free(&r);
    target_list_free(&ex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int families[] = {AF_INET, AF_INET6};
    if (size > MAX_INPUT)
        return 0;
    char *s = fuzz_cstr(data, size);
    for (size_t f = 0; f < sizeof families / sizeof *families; f++) {
        int family = families[f];
        struct target_list l = {0};
        char err[TARGET_ERRLEN];

        /* as one token */
        memset(err, 0, sizeof err);
        int r = target_list_add(&l, s, family, err, sizeof err);
        FUZZ_CHECK(r == 0 || r == -EINVAL);
        if (r == 0)
            FUZZ_CHECK(l.n == 1 && strcmp(l.tok[0].text, s) == 0);
        else
            FUZZ_CHECK(l.n == 0 && err[0] != '\0');

        /* as -iL text, and as --exclude text (commas split) */
        for (int commas = 0; commas < 2; commas++) {
            size_t before = l.n;
            memset(err, 0, sizeof err);
            r = target_list_add_text(&l, s, family, commas, err, sizeof err);
            FUZZ_CHECK(r == 0 || r == -EINVAL);
            FUZZ_CHECK(l.n >= before);
            if (r)
                FUZZ_CHECK(err[0] != '\0');
        }
        check_list(&l, family);
        target_list_free(&l);
    }
    free(s);
    return 0;
}
