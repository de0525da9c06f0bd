/* SPDX-License-Identifier: MIT */
/* Asynchronous DNS on c-ares, driven by our own event loop.
 *
 * Reverse (PTR) and forward (A or AAAA) lookups run hundreds at a time:
 * c-ares owns the protocol, the retries and the per-try timeouts; this
 * module puts c-ares's sockets on an ev_loop (platform/event.h), keeps the
 * queries in flight within a window (a slow start up to a cap, cut when
 * answers come only to retries) with a FIFO queue behind it, and tells the
 * loop's owner when c-ares next needs to run its timeouts
 * (dns_next_timeout).
 *
 * Every query's callback is called exactly once: with its answer, its
 * failure, or DNS_CANCELLED when dns_cancel_all or dns_free ends it.  An
 * answer that needs no network (/etc/hosts) may come before dns_reverse or
 * dns_forward returns. */
#ifndef PORTSCOUT_DNS_H
#define PORTSCOUT_DNS_H

#include <stddef.h>

#include "addr.h"
#include "lib/timeutil.h"
#include "platform/event.h"

struct dns;

enum dns_status {
    DNS_OK,
    DNS_NOTFOUND,  /* no such name, or no record of the type asked */
    DNS_TIMEOUT,   /* every try went unanswered */
    DNS_FAILED,    /* any other error (refused, server failure, bad reply) */
    DNS_CANCELLED, /* dns_cancel_all or dns_free ended it */
};

/* What a query found; lives only during the callback. */
struct dns_answer {
    enum dns_status status;
    const char *name;            /* reverse: the host's name, without a final dot */
    const struct ip_addr *addrs; /* forward: distinct addresses, in c-ares's order */
    size_t naddrs;
};

typedef void (*dns_cb)(void *arg, const struct dns_answer *ans);

#define DNS_DEFAULT_TIMEOUT (1000 * USEC_PER_MSEC)
#define DNS_DEFAULT_TRIES 3
#define DNS_DEFAULT_INFLIGHT 500

struct dns_options {
    /* Comma-separated servers ("10.0.0.1", "fd00::1", and for tests
     * "127.0.0.1:5353" or "[::1]:5353"); NULL: those of /etc/resolv.conf. */
    const char *servers;
    /* The first try's timeout (c-ares doubles it for each round over the
     * servers) and the number of tries; 0: the defaults above. */
    usec_t timeout;
    int tries;
    /* The most queries handed to c-ares at once; more wait in a queue.  0:
     * default.  The number starts lower and grows as queries end (dns.c). */
    size_t max_inflight;
};

/* A resolver whose sockets live on loop (which must outlive it).  NULL with
 * err set when c-ares cannot start or a server is not an address. */
struct dns *dns_new(struct ev_loop *loop, const struct dns_options *opt, char *err,
                    size_t errlen);
/* Look up the name of an address. */
void dns_reverse(struct dns *d, const struct ip_addr *addr, dns_cb cb, void *arg);
/* Look up the addresses of a name: of one family (AF_INET or AF_INET6), or
 * both (AF_UNSPEC). */
void dns_forward(struct dns *d, const char *name, int family, dns_cb cb, void *arg);
/* Queries whose callback has not been called yet, and how many of them are
 * with c-ares (the rest wait in the queue). */
size_t dns_pending(const struct dns *d);
size_t dns_inflight(const struct dns *d);
/* Microseconds until c-ares must run its timeouts (0: now), or -1 when no
 * query is in flight.  The loop's owner wakes by then and calls
 * dns_process_timeouts. */
usec_t dns_next_timeout(const struct dns *d);
void dns_process_timeouts(struct dns *d);
/* Run the loop until no query is pending: for a caller that owns the loop
 * and waits for nothing else.  0, or -errno if the loop fails (-EINTR: a
 * signal; the queries are still pending). */
int dns_wait_all(struct dns *d);
/* End every pending query now (callbacks get DNS_CANCELLED, or DNS_NOTFOUND
 * when c-ares had no other source left to try). */
void dns_cancel_all(struct dns *d);
/* Cancel what is pending and free the resolver (NULL is fine).  Not from
 * inside one of its callbacks. */
void dns_free(struct dns *d);

/* Copy a host name fit for every output into out: printable ASCII without
 * spaces, the final dot dropped.  0 when it is not fit (or too long). */
int dns_clean_name(const char *name, char *out, size_t outlen);

#endif
