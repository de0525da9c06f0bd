/* SPDX-License-Identifier: MIT */
#include "dns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "lib/xalloc.h"

enum query_kind { Q_REVERSE, Q_FORWARD };

#define DNS_INITIAL_WINDOW 50
#define DNS_SSTHRESH 100
#define DNS_MIN_WINDOW 10
/* Hundreds of answers can arrive at once on c-ares's one UDP socket per
 * server: ask for a receive buffer as large as the system allows (the
 * kernel caps it at net.core.rmem_max and doubles it, twice its default). */
#define DNS_RCVBUF (4 << 20)

struct query {
    struct query *next; /* the wait queue */
    struct dns *d;
    enum query_kind kind;
    usec_t started;      /* when it went to c-ares */
    struct ip_addr addr; /* reverse */
    char *name;          /* forward */
    int family;          /* forward */
    dns_cb cb;
    void *arg;
};

struct dns {
    ares_channel ch;
    struct ev_loop *loop;
    struct query *head, *tail; /* waiting for a place in flight */
    size_t queued, inflight, max_inflight;
    double window;      /* queries allowed in flight now (<= max_inflight) */
    double ssthresh;    /* where the window's growth slows down */
    usec_t last_cut;    /* when the window was last cut for a loss */
    int starting;   /* start_queued is on the stack: answers from /etc/hosts
                     * come back inside ares_*, and must not recurse into it */
    int cancelling; /* dns_cancel_all or dns_free: new queries end at once */
    int max_tries;  /* tries over every server: a lookup that timed out that
                     * often got no answer at all */
};

/* ---- c-ares's sockets on our loop -------------------------------------- */

static void on_sock(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
    (void)loop;
    struct dns *d = arg;
    /* An error is reported to c-ares as readiness, so that it reads or
     * writes, sees the error and gives up on (or retries) the server. */
    ares_socket_t r = events & (EV_READ | EV_ERROR) ? fd : ARES_SOCKET_BAD;
    ares_socket_t w = events & (EV_WRITE | EV_ERROR) ? fd : ARES_SOCKET_BAD;
    ares_process_fd(d->ch, r, w);
}

/* c-ares opens a socket (watch it), wants to write to a TCP one (watch for
 * writability too), or is about to close it (0, 0: stop watching). */
static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    struct dns *d = data;
    if (!readable && !writable) {
        ev_del(d->loop, fd);
        return;
    }
    /* A socket the loop cannot watch is never read: its queries time out,
     * which is the failure c-ares already handles. */
    ev_mod(d->loop, fd, (readable ? EV_READ : 0u) | (writable ? EV_WRITE : 0u), on_sock, d);
}

/* ---- queries ----------------------------------------------------------- */

static enum dns_status status_of(int status)
{
    switch (status) {
    case ARES_SUCCESS:
        return DNS_OK;
    case ARES_ENOTFOUND:
    case ARES_ENODATA:
    case ARES_ENONAME:
        return DNS_NOTFOUND;
    case ARES_ETIMEOUT:
        return DNS_TIMEOUT;
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
        return DNS_CANCELLED;
    default:
        return DNS_FAILED;
    }
}

static void query_free(struct query *q)
{
    free(q->name);
    free(q);
}

static void start_queued(struct dns *d);

/* The window: how many queries go to c-ares at once, TCP's way.  It starts
 * well below the cap, as a burst of hundreds of queries overflows socket
 * buffers (the server's, or ours with its answers); it grows by one with
 * every answer up to a threshold, then by one a window's worth of answers.
 * An answer that came only to a retry means a query or its answer was lost:
 * cut the window (once per round of queries), and grow slowly from there.
 * A query that timed out on every try grows the window by one whatever the
 * threshold: silence is not congestion, and a dead server must not hold
 * the others back.  (Lab, release build: 1024 PTRs of dnsmasq in 0.1 s;
 * growing by one per answer up to 500 lost a fifth of the queries in
 * dnsmasq's socket and waited a second for the retries.) */
static void adjust_window(struct dns *d, const struct query *q, enum dns_status st,
                          int timeouts)
{
    if (st == DNS_CANCELLED)
        return;
    if (timeouts > 0 && st != DNS_TIMEOUT && q->started > d->last_cut) {
        d->window *= 0.7;
        if (d->window < DNS_MIN_WINDOW)
            d->window = DNS_MIN_WINDOW;
        d->ssthresh = d->window;
        d->last_cut = now_usec();
    } else if (st == DNS_TIMEOUT || d->window < d->ssthresh) {
        d->window += 1;
    } else {
        d->window += 1 / d->window;
    }
    if (d->window > (double)d->max_inflight)
        d->window = (double)d->max_inflight;
}

/* A query with c-ares ended: its one callback, then its place goes to the
 * next in the queue. */
static void finish(struct query *q, const struct dns_answer *a, int timeouts)
{
    struct dns *d = q->d;
    d->inflight--;
    adjust_window(d, q, a->status, timeouts);
    q->cb(q->arg, a);
    query_free(q);
    start_queued(d);
}

/* c-ares already escapes odd bytes of a PTR name (as \DDD); this is the
 * last line against a name that would garble a terminal or a file. */
int dns_clean_name(const char *s, char *out, size_t outlen)
{
    size_t n = strlen(s);
    if (n && s[n - 1] == '.')
        n--;
    if (n == 0 || n >= outlen)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
            return 0;
    memcpy(out, s, n);
    out[n] = '\0';
    return 1;
}

/* A lookup that ran out of sources reports "not found" even when DNS
 * never answered (c-ares moves on past a timeout); its count of timeouts
 * tells them apart. */
static enum dns_status status_with(const struct query *q, int status, int timeouts)
{
    enum dns_status s = status_of(status);
    if (s == DNS_NOTFOUND && timeouts >= q->d->max_tries)
        s = DNS_TIMEOUT;
    return s;
}

static void on_reverse(void *arg, int status, int timeouts, struct hostent *h)
{
    struct query *q = arg;
    char name[256];
    struct dns_answer a = {.status = status_with(q, status, timeouts)};
    if (a.status == DNS_OK) {
        if (h && h->h_name && dns_clean_name(h->h_name, name, sizeof name))
            a.name = name;
        else
            a.status = DNS_FAILED;
    }
    finish(q, &a, timeouts);
}

static void on_forward(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    struct query *q = arg;
    struct dns_answer a = {.status = status_with(q, status, timeouts)};
    struct ip_addr *addrs = NULL;
    size_t n = 0, cap = 0;
    for (struct ares_addrinfo_node *ai = res ? res->nodes : NULL; ai; ai = ai->ai_next) {
        struct ip_addr x = {.family = (sa_family_t)ai->ai_family};
        if ((q->family != AF_UNSPEC && ai->ai_family != q->family) || !ai->ai_addr ||
            (ai->ai_family != AF_INET && ai->ai_family != AF_INET6))
            continue;
        if (ai->ai_family == AF_INET)
            x.u.v4 = ((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
        else
            x.u.v6 = ((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
        size_t j;
        for (j = 0; j < n && !ip_addr_equal(&addrs[j], &x); j++)
            ;
        if (j < n)
            continue; /* one address per socket type: the same again */
        if (n == cap) {
            cap = cap ? 2 * cap : 4;
            addrs = xreallocarray(addrs, cap, sizeof *addrs);
        }
        addrs[n++] = x;
    }
    if (res)
        ares_freeaddrinfo(res);
    if (a.status == DNS_OK && n == 0)
        a.status = DNS_NOTFOUND;
    if (a.status == DNS_OK) {
        a.addrs = addrs;
        a.naddrs = n;
    }
    finish(q, &a, timeouts);
    free(addrs);
}

static void start(struct dns *d, struct query *q)
{
    d->inflight++;
    q->started = now_usec();
    if (q->kind == Q_REVERSE) {
        const void *p = q->addr.family == AF_INET ? (const void *)&q->addr.u.v4
                                                  : (const void *)&q->addr.u.v6;
        int len = q->addr.family == AF_INET ? (int)sizeof q->addr.u.v4
                                            : (int)sizeof q->addr.u.v6;
        ares_gethostbyaddr(d->ch, p, len, q->addr.family, on_reverse, q);
    } else {
        struct ares_addrinfo_hints hints = {.ai_family = q->family,
                                            .ai_socktype = SOCK_STREAM};
        ares_getaddrinfo(d->ch, q->name, NULL, &hints, on_forward, q);
    }
}

static void start_queued(struct dns *d)
{
    if (d->starting)
        return; /* the caller's loop goes on */
    d->starting = 1;
    while (d->head && (double)d->inflight < d->window && d->inflight < d->max_inflight &&
           !d->cancelling) {
        struct query *q = d->head;
        d->head = q->next;
        if (!d->head)
            d->tail = NULL;
        d->queued--;
        start(d, q);
    }
    d->starting = 0;
}

static void cancel_now(struct query *q)
{
    struct dns_answer a = {.status = DNS_CANCELLED};
    q->cb(q->arg, &a);
    query_free(q);
}

static void submit(struct dns *d, struct query *q)
{
    if (d->cancelling) {
        cancel_now(q);
        return;
    }
    q->d = d;
    if (d->tail)
        d->tail->next = q;
    else
        d->head = q;
    d->tail = q;
    d->queued++;
    start_queued(d);
}

void dns_reverse(struct dns *d, const struct ip_addr *addr, dns_cb cb, void *arg)
{
    struct query *q = xcalloc(1, sizeof *q);
    q->kind = Q_REVERSE;
    q->addr = *addr;
    q->cb = cb;
    q->arg = arg;
    submit(d, q);
}

void dns_forward(struct dns *d, const char *name, int family, dns_cb cb, void *arg)
{
    struct query *q = xcalloc(1, sizeof *q);
    q->kind = Q_FORWARD;
    q->name = xstrdup(name);
    q->family = family;
    q->cb = cb;
    q->arg = arg;
    submit(d, q);
}

/* ---- the resolver ------------------------------------------------------ */

/* One entry of a server list: an address, optionally with a port
 * ("1.2.3.4:5353", "[::1]:5353").  0 or -1. */
static int parse_server(char *s, struct ares_addr_port_node *node)
{
    char *port = NULL;
    if (*s == '[') {
        char *end = strchr(s, ']');
        if (!end || (end[1] && end[1] != ':'))
            return -1;
        *end = '\0';
        port = end[1] ? end + 2 : NULL;
        s++;
    } else if (strchr(s, ':') == strrchr(s, ':') && strchr(s, ':')) {
        port = strchr(s, ':'); /* one colon: IPv4 with a port */
        *port++ = '\0';
    }
    if (port) {
        char *end;
        long p = strtol(port, &end, 10);
        if (!*port || *end || p < 1 || p > 65535)
            return -1;
        node->udp_port = node->tcp_port = (int)p;
    }
    if (inet_pton(AF_INET, s, &node->addr.addr4) == 1)
        node->family = AF_INET;
    else if (inet_pton(AF_INET6, s, &node->addr.addr6) == 1)
        node->family = AF_INET6;
    else
        return -1;
    return 0;
}

static int set_servers(struct dns *d, const char *list, char *err, size_t errlen)
{
    char *copy = xstrdup(list), *save = NULL;
    struct ares_addr_port_node *nodes = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        if (n == cap) {
            cap = cap ? 2 * cap : 4;
            nodes = xreallocarray(nodes, cap, sizeof *nodes);
        }
        memset(&nodes[n], 0, sizeof nodes[n]);
        if (parse_server(t, &nodes[n]) != 0) {
            snprintf(err, errlen, "DNS server \"%s\" is not an IP address", t);
            r = -EINVAL;
            goto out;
        }
        n++;
    }
    if (n == 0) {
        snprintf(err, errlen, "no DNS server given");
        r = -EINVAL;
        goto out;
    }
    for (size_t i = 0; i + 1 < n; i++)
        nodes[i].next = &nodes[i + 1];
    int ar = ares_set_servers_ports(d->ch, nodes);
    if (ar != ARES_SUCCESS) {
        snprintf(err, errlen, "cannot use the DNS servers %s: %s", list, ares_strerror(ar));
        r = -EINVAL;
    }
out:
    free(nodes);
    free(copy);
    return r;
}

struct dns *dns_new(struct ev_loop *loop, const struct dns_options *opt, char *err,
                    size_t errlen)
{
    int ar = ares_library_init(ARES_LIB_INIT_ALL);
    if (ar != ARES_SUCCESS) {
        snprintf(err, errlen, "cannot start the DNS resolver: %s", ares_strerror(ar));
        return NULL;
    }
    struct dns *d = xcalloc(1, sizeof *d);
    d->loop = loop;
    d->max_inflight = opt && opt->max_inflight ? opt->max_inflight : DNS_DEFAULT_INFLIGHT;
    d->window = d->max_inflight < DNS_INITIAL_WINDOW ? (double)d->max_inflight
                                                     : DNS_INITIAL_WINDOW;
    d->ssthresh = DNS_SSTHRESH;
    usec_t timeout = opt && opt->timeout > 0 ? opt->timeout : DNS_DEFAULT_TIMEOUT;
    char lookups[] = "fb"; /* /etc/hosts, then DNS, as the system resolver */
    struct ares_options o = {
        .timeout = (int)(timeout / USEC_PER_MSEC) > 0 ? (int)(timeout / USEC_PER_MSEC) : 1,
        .tries = opt && opt->tries > 0 ? opt->tries : DNS_DEFAULT_TRIES,
        .lookups = lookups,
        .sock_state_cb = on_sock_state,
        .sock_state_cb_data = d,
        .socket_receive_buffer_size = DNS_RCVBUF,
    };
    ar = ares_init_options(&d->ch, &o, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS |
                                           ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF);
    if (ar != ARES_SUCCESS) {
        snprintf(err, errlen, "cannot start the DNS resolver: %s", ares_strerror(ar));
        free(d);
        ares_library_cleanup();
        return NULL;
    }
    if (opt && opt->servers && set_servers(d, opt->servers, err, errlen) != 0) {
        dns_free(d);
        return NULL;
    }
    struct ares_addr_port_node *servers = NULL;
    int nservers = 0;
    if (ares_get_servers_ports(d->ch, &servers) == ARES_SUCCESS)
        for (struct ares_addr_port_node *s = servers; s; s = s->next)
            nservers++;
    ares_free_data(servers);
    d->max_tries = o.tries * (nservers > 0 ? nservers : 1);
    return d;
}

size_t dns_pending(const struct dns *d)
{
    return d->queued + d->inflight;
}

size_t dns_inflight(const struct dns *d)
{
    return d->inflight;
}

usec_t dns_next_timeout(const struct dns *d)
{
    struct timeval tv;
    if (!d->inflight || !ares_timeout(d->ch, NULL, &tv))
        return -1;
    usec_t t = (usec_t)tv.tv_sec * USEC_PER_SEC + tv.tv_usec;
    return t > 0 ? t : 0;
}

void dns_process_timeouts(struct dns *d)
{
    ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

int dns_wait_all(struct dns *d)
{
    while (dns_pending(d)) {
        usec_t t = dns_next_timeout(d);
        /* In flight but no timeout known cannot last; wake now and then. */
        int r = ev_wait(d->loop, t < 0 ? 100 * USEC_PER_MSEC : t);
        if (r < 0)
            return r;
        dns_process_timeouts(d);
    }
    return 0;
}

void dns_cancel_all(struct dns *d)
{
    d->cancelling++;
    while (d->head) {
        struct query *q = d->head;
        d->head = q->next;
        d->queued--;
        cancel_now(q);
    }
    d->tail = NULL;
    /* c-ares calls back every query it holds (with ARES_ECANCELLED, or
     * not-found when a lookup had no further source to try).  A lookup that
     * moves on to its next search domain instead is a new query, so ask
     * again while any is left. */
    for (int i = 0; i < 8 && d->inflight; i++)
        ares_cancel(d->ch);
    d->cancelling--;
}

void dns_free(struct dns *d)
{
    if (!d)
        return;
    dns_cancel_all(d);
    d->cancelling++;
    ares_destroy(d->ch); /* closes its sockets, which leave the loop */
    free(d);
    ares_library_cleanup();
}
