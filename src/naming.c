/* SPDX-License-Identifier: MIT */
#include "naming.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "lib/xalloc.h"

/* One address's reverse lookup.  While hosts found up have not been handed
 * over yet it sits in the table, by address; reports held for it point to
 * it.  It is freed once it is done and nobody needs it any more. */
struct lookup {
    struct lookup *hnext;
    struct naming *n;
    struct ip_addr addr;
    unsigned unclaimed; /* naming_host_up calls whose report has not come */
    unsigned users;     /* reports waiting for it */
    int done;
    char *name;         /* NULL: none found */
};

/* A report kept until its name comes: a deep copy, since the engine's
 * lives only during host_done. */
struct held {
    struct held *next;
    struct report_copy *c;
    struct lookup *lk;
};

struct naming {
    const struct scan_config *cfg;
    struct dns *dns; /* NULL: no lookups by c-ares (-n, --system-dns) */
    struct ev_loop *loop;
    naming_write_fn write;
    void *arg;
    struct lookup **table; /* unclaimed lookups by address */
    size_t nbuckets, nentries;
    struct held *head, *tail;
    size_t nheld;
    int stopped; /* naming_flush: no more waiting */
};

/* ---- lookups by address ------------------------------------------------ */

static size_t addr_hash(const struct ip_addr *a)
{
    const unsigned char *p = a->family == AF_INET ? (const unsigned char *)&a->u.v4
                                                  : (const unsigned char *)&a->u.v6;
    size_t len = a->family == AF_INET ? sizeof a->u.v4 : sizeof a->u.v6;
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return (size_t)(h ^ (h >> 32));
}

static struct lookup **bucket(struct naming *n, const struct ip_addr *a)
{
    return &n->table[addr_hash(a) & (n->nbuckets - 1)];
}

static struct lookup *table_find(struct naming *n, const struct ip_addr *a)
{
    if (!n->nbuckets)
        return NULL;
    for (struct lookup *lk = *bucket(n, a); lk; lk = lk->hnext)
        if (ip_addr_equal(&lk->addr, a))
            return lk;
    return NULL;
}

static void table_insert(struct naming *n, struct lookup *lk)
{
    if (n->nentries >= n->nbuckets) {
        size_t old = n->nbuckets;
        struct lookup **t = n->table;
        n->nbuckets = old ? 2 * old : 256;
        n->table = xcalloc(n->nbuckets, sizeof *n->table);
        for (size_t i = 0; i < old; i++)
            while (t[i]) {
                struct lookup *x = t[i];
                t[i] = x->hnext;
                struct lookup **b = bucket(n, &x->addr);
                x->hnext = *b;
                *b = x;
            }
        free(t);
    }
    struct lookup **b = bucket(n, &lk->addr);
    lk->hnext = *b;
    *b = lk;
    n->nentries++;
}

static void table_remove(struct naming *n, struct lookup *lk)
{
    for (struct lookup **p = bucket(n, &lk->addr); *p; p = &(*p)->hnext)
        if (*p == lk) {
            *p = lk->hnext;
            n->nentries--;
            return;
        }
}

static void lookup_release(struct lookup *lk)
{
    if (lk->done && !lk->users && !lk->unclaimed) {
        free(lk->name);
        free(lk);
    }
}

/* ---- writing in order -------------------------------------------------- */

static void write_report(struct naming *n, const struct host_report *r, struct lookup *lk)
{
    struct host_report rep = *r;
    rep.rdns = lk ? lk->name : NULL;
    n->write(n->arg, &rep);
    if (lk) {
        lk->users--;
        lookup_release(lk);
    }
}

/* Write the held reports at the front whose names are settled. */
static void write_ready(struct naming *n)
{
    while (n->head && (!n->head->lk || n->head->lk->done)) {
        struct held *h = n->head;
        n->head = h->next;
        if (!n->head)
            n->tail = NULL;
        n->nheld--;
        write_report(n, &h->c->r, h->lk);
        report_copy_free(h->c);
        free(h);
    }
}

static void hold(struct naming *n, const struct host_report *r, struct lookup *lk)
{
    struct held *h = xcalloc(1, sizeof *h);
    h->c = report_copy_new(r);
    h->c->r.rdns = NULL;
    h->lk = lk;
    if (n->tail)
        n->tail->next = h;
    else
        n->head = h;
    n->tail = h;
    n->nheld++;
}

/* ---- lookups ----------------------------------------------------------- */

static void on_name(void *arg, const struct dns_answer *a)
{
    struct lookup *lk = arg;
    struct naming *n = lk->n;
    lk->done = 1;
    if (a->status == DNS_OK && a->name)
        lk->name = xstrdup(a->name);
    if (!lk->users && !lk->unclaimed) {
        lookup_release(lk); /* nobody waits for it any more */
        return;
    }
    write_ready(n);
}

/* A new lookup of a; users/unclaimed are set by the caller before it starts,
 * since an answer from /etc/hosts comes back at once. */
static struct lookup *lookup_new(struct naming *n, const struct ip_addr *a)
{
    struct lookup *lk = xcalloc(1, sizeof *lk);
    lk->n = n;
    lk->addr = *a;
    return lk;
}

static void lookup_start(struct naming *n, struct lookup *lk)
{
    if (n->stopped) {
        lk->done = 1;
        return;
    }
    dns_reverse(n->dns, &lk->addr, on_name, lk);
}

static int wanted(const struct naming *n, const struct host_report *r)
{
    switch (n->cfg->dns) {
    case DNS_NEVER:
        return 0;
    case DNS_ALWAYS:
        return 1;
    default:
        return r->up || r->listed;
    }
}

void naming_host_up(struct naming *n, const struct target *t)
{
    if (!n->dns)
        return; /* -n: no names; --system-dns: looked up when the report comes */
    struct lookup *lk = table_find(n, &t->addr);
    if (lk) {
        lk->unclaimed++; /* the same address twice in the group */
        return;
    }
    lk = lookup_new(n, &t->addr);
    lk->unclaimed = 1;
    table_insert(n, lk);
    lookup_start(n, lk);
}

/* --system-dns: the system resolver, while the scan waits. */
static void write_system_named(struct naming *n, const struct host_report *r)
{
    struct host_report rep = *r;
    struct sockaddr_storage ss;
    char name[NI_MAXHOST], clean[NI_MAXHOST];
    socklen_t len = ip_addr_sockaddr(&r->target->addr, 0, &ss);
    if (getnameinfo((struct sockaddr *)&ss, len, name, sizeof name, NULL, 0, NI_NAMEREQD) == 0 &&
        dns_clean_name(name, clean, sizeof clean))
        rep.rdns = clean;
    n->write(n->arg, &rep);
}

void naming_host_done(struct naming *n, const struct host_report *r)
{
    struct lookup *lk = table_find(n, &r->target->addr);
    if (lk && --lk->unclaimed == 0)
        table_remove(n, lk);
    if (!wanted(n, r)) {
        if (lk)
            lookup_release(lk);
        lk = NULL;
    } else if (!n->dns) {
        write_system_named(n, r);
        return;
    } else if (lk) {
        lk->users++;
    } else {
        /* not found up first: a down host with -R, a listed one with -sL */
        lk = lookup_new(n, &r->target->addr);
        lk->users = 1;
        lookup_start(n, lk);
    }
    if (!n->head && (!lk || lk->done)) {
        write_report(n, r, lk);
        return;
    }
    hold(n, r, lk);
}

size_t naming_held(const struct naming *n)
{
    return n ? n->nheld : 0;
}

usec_t naming_next_timeout(const struct naming *n)
{
    return n && n->dns ? dns_next_timeout(n->dns) : -1;
}

void naming_tick(struct naming *n)
{
    if (n && n->dns && dns_next_timeout(n->dns) == 0)
        dns_process_timeouts(n->dns);
}

int naming_wait(struct naming *n, usec_t max_wait)
{
    usec_t t = naming_next_timeout(n);
    if (t < 0 || t > max_wait)
        t = max_wait;
    int r = ev_wait(n->loop, t);
    naming_tick(n);
    return r < 0 ? r : 0;
}

void naming_flush(struct naming *n)
{
    if (!n)
        return;
    n->stopped = 1;
    if (n->dns)
        dns_cancel_all(n->dns);
    write_ready(n);
}

void naming_free(struct naming *n)
{
    if (!n)
        return;
    naming_flush(n);
    dns_free(n->dns);
    /* hosts found up whose reports never came (an interrupted scan) */
    for (size_t i = 0; i < n->nbuckets; i++)
        while (n->table[i]) {
            struct lookup *lk = n->table[i];
            n->table[i] = lk->hnext;
            free(lk->name);
            free(lk);
        }
    free(n->table);
    free(n);
}

struct naming *naming_new(const struct scan_config *cfg, struct ev_loop *loop,
                          naming_write_fn write, void *arg, char *err, size_t errlen)
{
    struct naming *n = xcalloc(1, sizeof *n);
    n->cfg = cfg;
    n->loop = loop;
    n->write = write;
    n->arg = arg;
    if (cfg->dns != DNS_NEVER && !cfg->system_dns) {
        struct dns_options o = {.servers = cfg->dns_servers};
        n->dns = dns_new(loop, &o, err, errlen);
        if (!n->dns) {
            free(n);
            return NULL;
        }
    }
    return n;
}

/* ---- names of the target lists ----------------------------------------- */

struct ask {
    struct target_token *t;
    int family; /* the scan's */
};

/* As nmap, a name's addresses of both families are kept: the first of the
 * scan's family is scanned, the others are listed ("Other addresses").
 * Those of the scan's family go first, so the iterator finds one at [0]. */
static void store_addrs(struct target_token *t, int family, const struct ip_addr *addrs,
                        size_t n)
{
    t->looked_up = 1;
    if (!n)
        return;
    t->resolved = xcalloc(n, sizeof *t->resolved);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++)
            if ((addrs[i].family == family) == (pass == 0))
                t->resolved[t->nresolved++] = addrs[i];
}

static void on_addrs(void *arg, const struct dns_answer *a)
{
    struct ask *ask = arg;
    store_addrs(ask->t, ask->family, a->addrs, a->status == DNS_OK ? a->naddrs : 0);
}

/* --system-dns: getaddrinfo, one name after the other (nmap resolves
 * target names so whatever the option). */
static void system_resolve(struct target_token *t, int family)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    struct ip_addr *addrs = NULL;
    size_t n = 0, cap = 0;
    if (getaddrinfo(t->name, NULL, &hints, &res) == 0) {
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            struct ip_addr x = {.family = (sa_family_t)ai->ai_family};
            if (ai->ai_family == AF_INET)
                x.u.v4 = ((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
            else if (ai->ai_family == AF_INET6)
                x.u.v6 = ((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
            else
                continue;
            size_t j;
            for (j = 0; j < n && !ip_addr_equal(&addrs[j], &x); j++)
                ;
            if (j < n)
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 4;
                addrs = xreallocarray(addrs, cap, sizeof *addrs);
            }
            addrs[n++] = x;
        }
        freeaddrinfo(res);
    }
    store_addrs(t, family, addrs, n);
    free(addrs);
}

/* Ask for every name of l not resolved yet: with d, or with getaddrinfo
 * when d is NULL. */
static void ask_names(struct dns *d, struct target_list *l, int family, struct ask *asks,
                      size_t *n)
{
    for (size_t i = 0; i < l->n; i++) {
        struct target_token *t = &l->tok[i];
        if (t->kind != TARGET_NAME || t->looked_up || t->resolved)
            continue;
        if (!d) {
            system_resolve(t, family);
            continue;
        }
        asks[*n] = (struct ask){t, family};
        dns_forward(d, t->name, AF_UNSPEC, on_addrs, &asks[(*n)++]);
    }
}

/* An exclude name without an address of the scan's family cannot exclude
 * anything: an error, as when it does not resolve at all. */
static int check_exclude(const struct target_list *exclude, int family, char *err,
                         size_t errlen)
{
    for (size_t i = 0; i < exclude->n; i++) {
        const struct target_token *t = &exclude->tok[i];
        if (t->kind == TARGET_NAME && (!t->nresolved || t->resolved[0].family != family)) {
            snprintf(err, errlen, "failed to resolve \"%s\"", t->name);
            return -ENOENT;
        }
    }
    return 0;
}

int naming_resolve_lists(const struct scan_config *cfg, struct target_list *targets,
                         struct target_list *exclude, char *err, size_t errlen)
{
    if (cfg->system_dns) {
        ask_names(NULL, exclude, cfg->family, NULL, NULL);
        ask_names(NULL, targets, cfg->family, NULL, NULL);
        return check_exclude(exclude, cfg->family, err, errlen);
    }
    size_t names = 0;
    for (size_t i = 0; i < targets->n; i++)
        names += targets->tok[i].kind == TARGET_NAME;
    for (size_t i = 0; i < exclude->n; i++)
        names += exclude->tok[i].kind == TARGET_NAME;
    if (!names)
        return 0; /* no resolver to start (nor resolv.conf to read) */

    struct ev_loop *loop = ev_new();
    if (!loop) {
        int e = errno;
        snprintf(err, errlen, "cannot create event loop: %s", strerror(e));
        return -e;
    }
    struct dns_options o = {.servers = cfg->dns_servers};
    struct dns *d = dns_new(loop, &o, err, errlen);
    if (!d) {
        ev_free(loop);
        return -EINVAL;
    }
    struct ask *asks = xcalloc(names, sizeof *asks);
    size_t nasks = 0;
    ask_names(d, exclude, cfg->family, asks, &nasks);
    ask_names(d, targets, cfg->family, asks, &nasks);
    int r;
    while ((r = dns_wait_all(d)) == -EINTR)
        ; /* a signal before the scan: the names are still worth having */
    if (r < 0)
        snprintf(err, errlen, "event loop failed: %s", strerror(-r));
    dns_free(d);
    ev_free(loop);
    free(asks);
    if (r < 0)
        return r;
    return check_exclude(exclude, cfg->family, err, errlen);
}
