/* SPDX-License-Identifier: MIT */
#include "engine.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/resource.h>

#include "lib/xalloc.h"

/* ---- per-port bookkeeping -------------------------------------------- */

struct port_slot {
    uint8_t state, reason, ttl, tries;
};

struct port_ref {
    uint16_t port;
    uint8_t proto;
};

/* The ports a host is probed on in its current phase (discovery or scan),
 * with the queues that say what to send next. */
struct workset {
    const struct port_ref *order;
    uint32_t n;
    struct port_slot *slots;
    uint32_t next_fresh;   /* first index never sent */
    uint32_t *retry;       /* timed out, to be sent again */
    usec_t *retry_sent;    /* ...and when the try that timed out went (0: unknown) */
    size_t nretry, capretry;
    uint32_t *exhausted;   /* given up on after too few tries, revivable */
    size_t nexhausted, capexhausted;
    uint32_t remaining;    /* ports without a final state */
};

/* RFC 6298 round-trip estimate. */
struct rtt {
    usec_t srtt, rttvar;
    usec_t min;  /* lowest sample: the latency reported to users */
    int samples;
};

enum phase { PHASE_PING, PHASE_SCAN, PHASE_DONE };

struct host {
    struct target target;
    enum phase phase;
    int up;
    uint8_t up_reason, up_ttl;
    int timed_out;
    usec_t start_us;
    time_t start, end;
    struct workset ws;
    struct probe *head, *tail; /* in flight, oldest first */
    unsigned inflight;
    struct rtt rtt;
    double cwnd, ssthresh;
    int max_ok_tryno;       /* highest try that got an answer */
    size_t silent;          /* ports of this phase that missed an answer */
    int drops_seen;
    usec_t last_drop;
    usec_t next_send;       /* --scan-delay */
    usec_t delay;           /* the scan delay: --scan-delay, grown on loss */
    unsigned good, dropped; /* answers since the delay last changed */
    usec_t period_start;    /* when it last changed (or the first answer) */
    int has_mac;
    uint8_t mac[6];
    /* UDP: the target's ICMP rate limit (see udp_rate_limit) */
    enum { RL_NONE, RL_PROBATION, RL_LIMITED, RL_CLEARED } rl;
    unsigned u_sent, u_answered, u_unreach; /* UDP probes and their answers */
    usec_t u_first;         /* first UDP probe */
    unsigned rl_left;       /* probation: paced tries left to prove a limit */
    usec_t rl_since;        /* when pacing began */
    usec_t rl_saved_delay;  /* the delay before it */
};

struct engine {
    const struct scan_config *cfg;
    const struct technique *tech; /* the scan's first technique (names it) */
    struct target_iter *it;
    int targets_done;
    struct engine_events ev;
    struct ev_loop *loop;
    /* The techniques: one per scanned protocol, and discovery's (raw as
     * root, whatever the scan).  Techniques with the same init (the raw
     * module's) share one state: one set of sockets and captures. */
    struct tech_slot {
        const struct technique *t;
        void *state;
        int owns;   /* this slot created the state (and frees it) */
    } slots[PROTO_COUNT + 1];
    int raw_pacing; /* a raw technique scans: note_loss paces hosts */
    unsigned ping_drops; /* discovery answers that came only to a retry */
    volatile sig_atomic_t stop; /* 1: stop gracefully, 2: at once */
    usec_t stop_deadline;       /* end of the grace period, 0 before a stop */

    struct ip_addr *locals; /* this machine's addresses: up without probes */
    size_t nlocals;
    struct port_ref *order; /* scan order of every port, shared by hosts */
    int32_t *index;         /* (proto, port) -> position in order; for --resume */
    uint32_t nports;
    struct port_ref *ping_order; /* discovery probes (kind in .proto) */
    uint32_t nping;
    struct port_ref neighbor_order[2]; /* ARP, ND: hosts on an attached Ethernet */

    struct host **active;   /* hosts being scanned or waiting for output */
    size_t nactive, capactive;
    size_t group_size;      /* hosts in flight at once */
    size_t rr;              /* round-robin position */

    /* group timing */
    struct rtt rtt;
    double cwnd, ssthresh, low_cwnd, max_cwnd;
    unsigned inflight;
    unsigned fd_cap;
    usec_t last_drop;
    double tokens;          /* --max-rate bucket */
    usec_t tokens_at;
    usec_t start_us;

    void (*tick)(void *arg);
    struct probe *free_probes;
    struct engine_stats stats;
};

/* ---- small helpers ---------------------------------------------------- */

/* The technique that sends a probe: discovery's, or its protocol's. */
static struct tech_slot *slot_of(struct engine *eng, int ping, unsigned proto)
{
    return &eng->slots[ping ? PROTO_COUNT : proto < PROTO_COUNT ? proto : PROTO_TCP];
}

/* Start every technique the scan uses, once per kind of state. */
static int start_techniques(struct engine *eng, char *err, size_t errlen)
{
    for (int k = 0; k <= PROTO_COUNT; k++) {
        struct tech_slot *ts = &eng->slots[k];
        if (k == PROTO_COUNT && !eng->cfg->ping)
            continue; /* -Pn: no discovery */
        if (k < PROTO_COUNT && !eng->cfg->techs[k] && k != PROTO_TCP)
            continue; /* not scanned */
        for (int j = 0; j < k && !ts->state; j++)
            if (eng->slots[j].state && eng->slots[j].t->init == ts->t->init)
                ts->state = eng->slots[j].state;
        if (ts->state || !ts->t->init)
            continue;
        int r = ts->t->init(eng, &ts->state);
        if (r < 0) {
            snprintf(err, errlen, "cannot start the %s scan: %s", ts->t->name, strerror(-r));
            return r;
        }
        ts->owns = 1;
    }
    return 0;
}

static int32_t port_index(struct engine *eng, unsigned proto, unsigned port);

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void push_idx(uint32_t **v, size_t *n, size_t *cap, uint32_t idx)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        *v = xreallocarray(*v, *cap, sizeof **v);
    }
    (*v)[(*n)++] = idx;
}

/* Queue port idx for another try; sent is when its last try went. */
static void push_retry(struct workset *ws, uint32_t idx, usec_t sent)
{
    if (ws->nretry == ws->capretry) {
        ws->capretry = ws->capretry ? 2 * ws->capretry : 64;
        ws->retry = xreallocarray(ws->retry, ws->capretry, sizeof *ws->retry);
        ws->retry_sent = xreallocarray(ws->retry_sent, ws->capretry, sizeof *ws->retry_sent);
    }
    ws->retry[ws->nretry] = idx;
    ws->retry_sent[ws->nretry++] = sent;
}

static void rtt_update(struct rtt *r, usec_t sample)
{
    if (sample < 1)
        sample = 1;
    if (!r->samples || sample < r->min)
        r->min = sample;
    if (!r->samples) {
        r->srtt = sample;
        r->rttvar = sample / 2;
    } else {
        usec_t d = r->srtt > sample ? r->srtt - sample : sample - r->srtt;
        r->rttvar = (3 * r->rttvar + d) / 4;
        r->srtt = (7 * r->srtt + sample) / 8;
    }
    r->samples++;
}

/* How long to wait for an answer from h: its own estimate, else the
 * group's, else --initial-rtt-timeout; clamped to the min/max RTT timeouts. */
static usec_t host_timeout(const struct engine *eng, const struct host *h)
{
    const struct timing *t = &eng->cfg->timing;
    const struct rtt *r = h->rtt.samples ? &h->rtt : eng->rtt.samples ? &eng->rtt : NULL;
    usec_t to = r ? r->srtt + 4 * r->rttvar : t->initial_rtt;
    if (to < t->min_rtt)
        to = t->min_rtt;
    if (to > t->max_rtt)
        to = t->max_rtt;
    return to;
}

/* Tries a port of h gets before it is declared unanswered.
 *
 * As nmap does, an unanswered port is retried only as often as retries have
 * been seen to help on this host (the highest answered try, plus one), and
 * up to --max-retries once a drop has been seen.  Beyond nmap: on a host that
 * answers, a few silent ports are suspicious (random loss looks like that,
 * while firewalls drop whole ranges), so while the silent ports are few
 * enough that retrying them all costs at most a small fraction of the scan,
 * they get every retry without waiting for proof of loss.  Not UDP ports:
 * silence is their usual answer (open|filtered), so a silent UDP port gets
 * two retries, not all (nmap gives it one). */
static unsigned allowed_tries(const struct engine *eng, const struct host *h, unsigned proto)
{
    int max = eng->cfg->timing.max_retries;
    if (h->phase == PHASE_PING) {
        /* Discovery: one retry, as nmap; two once some host's discovery
         * probe was answered only on its retry (probes are lost on the
         * way: a silent host may be one that lost both tries). */
        int ping = eng->ping_drops ? 2 : 1;
        return (unsigned)(max < ping ? max : ping) + 1;
    }
    int retries = h->max_ok_tryno + 1;
    size_t budget = 256 + h->ws.n / 8; /* evidence-free retransmissions */
    if (h->drops_seen || (h->rtt.samples && h->silent * (size_t)max <= budget))
        retries = proto == PROTO_UDP && h->phase == PHASE_SCAN && !h->drops_seen
                      ? (retries > 2 ? retries : 2)
                      : max;
    if (retries < 1)
        retries = 1;
    if (retries > max)
        retries = max;
    return (unsigned)retries + 1;
}

static void cwnd_grow(double *cwnd, double ssthresh, double scale, double max)
{
    if (*cwnd < ssthresh)
        *cwnd += scale;
    else
        *cwnd += scale / *cwnd;
    if (*cwnd > max)
        *cwnd = max;
}

static void cwnd_drop(double *cwnd, double *ssthresh, unsigned inflight, double low)
{
    *ssthresh = inflight / 2.0 > 2.0 ? inflight / 2.0 : 2.0;
    *cwnd = *cwnd / 2.0 > low ? *cwnd / 2.0 : low;
}

/* ---- probes ----------------------------------------------------------- */

static struct probe *probe_alloc(struct engine *eng)
{
    struct probe *p = eng->free_probes;
    if (p)
        eng->free_probes = p->next;
    else
        p = xmalloc(sizeof *p);
    memset(p, 0, sizeof *p);
    p->fd = -1;
    return p;
}

static void probe_free(struct engine *eng, struct probe *p)
{
    p->next = eng->free_probes;
    eng->free_probes = p;
}

static void link_probe(struct host *h, struct probe *p)
{
    p->prev = h->tail;
    p->next = NULL;
    if (h->tail)
        h->tail->next = p;
    else
        h->head = p;
    h->tail = p;
    h->inflight++;
}

static void unlink_probe(struct engine *eng, struct probe *p)
{
    struct host *h = p->host;
    if (p->prev)
        p->prev->next = p->next;
    else
        h->head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    else
        h->tail = p->prev;
    h->inflight--;
    eng->inflight--;
}

/* Take a try out of flight and give back what the technique holds. */
static void retire(struct engine *eng, struct probe *p)
{
    unlink_probe(eng, p);
    struct tech_slot *ts = slot_of(eng, p->ping, p->proto);
    ts->t->release(eng, ts->state, p);
    probe_free(eng, p);
}

/* ---- phases ----------------------------------------------------------- */

static void workset_init(struct workset *ws, const struct port_ref *order, uint32_t n)
{
    free(ws->slots);
    free(ws->retry);
    free(ws->retry_sent);
    free(ws->exhausted);
    memset(ws, 0, sizeof *ws);
    ws->order = order;
    ws->n = n;
    ws->slots = xcalloc(n, sizeof *ws->slots);
    ws->remaining = n;
}

static void abandon_all(struct engine *eng, struct host *h)
{
    while (h->head)
        retire(eng, h->head);
}

static void host_start_scan(struct engine *eng, struct host *h)
{
    if (eng->ev.host_up) /* every host that is up passes here, once */
        eng->ev.host_up(eng->ev.arg, &h->target);
    abandon_all(eng, h);
    h->phase = PHASE_SCAN;
    h->silent = 0;
    workset_init(&h->ws, eng->order, eng->nports);
    if (eng->nports == 0)
        h->phase = PHASE_DONE;
}

/* A scanned host with every port concluded and nothing in flight is done. */
static void maybe_finish(struct host *h)
{
    if (h->phase == PHASE_SCAN && h->ws.remaining == 0 && !h->head)
        h->phase = PHASE_DONE;
}

/* When h earns more tries (a retry was answered), ports given up on with
 * fewer tries go back into the queue instead of staying "no-response";
 * with all_udp (a proven ICMP rate limit), every UDP port given up on. */
static void revive_exhausted(struct engine *eng, struct host *h, int all_udp)
{
    struct workset *ws = &h->ws;
    unsigned allowed[2] = {allowed_tries(eng, h, PROTO_TCP), allowed_tries(eng, h, PROTO_UDP)};
    size_t keep = 0;
    for (size_t i = 0; i < ws->nexhausted; i++) {
        uint32_t idx = ws->exhausted[i];
        int udp = ws->order[idx].proto == PROTO_UDP;
        if (all_udp ? udp : ws->slots[idx].tries < allowed[udp]) {
            ws->slots[idx].state = PORT_UNKNOWN;
            ws->remaining++;
            push_retry(ws, idx, 0);
        } else {
            ws->exhausted[keep++] = idx;
        }
    }
    ws->nexhausted = keep;
}

/* The ICMP rate limit of a UDP scan.  Closed UDP ports are known only by
 * their port unreachables, which stacks limit per destination (Linux: a
 * burst of 6, then one a second); the rest of a fast scan's probes go
 * unanswered and would be called open|filtered.  nmap slows down on
 * retransmissions that get answered, which takes many tries per port.
 *
 * Here: when a UDP port of a host that answers fewer than a hundred probes
 * a second has had its tries, the host is put on probation: its tries are
 * paced at one per RL_DELAY (a token comes back in that time), and if a
 * paced retransmission of a silent port is answered by a port unreachable
 * the limit is proven; otherwise, after three silent paced tries, it was
 * only filtering, and the host goes back to full speed.  Under a proven
 * limit, every silent port is tried again, paced, and one paced try that
 * stays unanswered settles it (a token was there to answer it): each port
 * costs one token, the least a limit allows.  Hosts are paced each on its
 * own, so several hosts go at the sum of their limits.  With
 * --defeat-icmp-ratelimit none of this happens (nmap's meaning: silent UDP
 * ports are closed|filtered, and nobody waits). */
#define RL_DELAY (1050 * USEC_PER_MSEC)

/* Could a rate limit be what keeps a UDP port silent?  Not on a host that
 * answers a hundred probes a second or more: no stack limits its
 * unreachables that high.  Otherwise yes, even with no answer yet: an
 * earlier scan may have emptied the bucket. */
static int udp_rate_suspect(const struct host *h, usec_t now)
{
    double secs = (double)(now - h->u_first) / USEC_PER_SEC;
    return secs <= 0 || h->u_answered / secs < 100.0;
}

static void udp_rate_pace(struct host *h, usec_t now, int state)
{
    if (h->rl == RL_NONE || h->rl == RL_CLEARED)
        h->rl_saved_delay = h->delay;
    h->rl = state;
    h->rl_since = now;
    h->rl_left = 3;
    if (h->delay < RL_DELAY)
        h->delay = RL_DELAY;
    h->next_send = now + RL_DELAY; /* let a token come back first */
}

/* The limit is proven: ports given up on before it was known go back into
 * the queue, to be settled by a paced try. */
static void udp_rate_proven(struct engine *eng, struct host *h, usec_t now)
{
    udp_rate_pace(h, now, RL_LIMITED);
    revive_exhausted(eng, h, 1);
}

/* A UDP try (sent at `sent`) went unanswered: 1 if the rate limit logic
 * keeps the port going (queued again), 0 to apply the usual rules. */
static int udp_rate_unanswered(struct engine *eng, struct host *h, uint32_t idx, usec_t sent,
                               int exhausted)
{
    usec_t now = now_usec();
    if (eng->cfg->defeat_icmp_ratelimit)
        return 0;
    switch (h->rl) {
    case RL_LIMITED:
        if (sent >= h->rl_since)
            return 0; /* a paced try: a token was there, so not closed */
        push_retry(&h->ws, idx, sent);
        return 1;
    case RL_PROBATION:
        if (sent >= h->rl_since && --h->rl_left == 0) {
            h->rl = RL_CLEARED; /* paced tries unanswered too: filtering */
            h->delay = h->rl_saved_delay;
            return 0;
        }
        if (!exhausted)
            return 0;
        push_retry(&h->ws, idx, sent); /* held until the probation is over */
        return 1;
    case RL_NONE:
        if (!exhausted || !udp_rate_suspect(h, now))
            return 0;
        udp_rate_pace(h, now, RL_PROBATION);
        push_retry(&h->ws, idx, sent); /* one paced try to test it */
        return 1;
    default:
        return 0;
    }
}

/* A try (sent at `sent`) went unanswered: retry the port or give up on it. */
static void port_unanswered(struct engine *eng, struct host *h, uint32_t idx, usec_t sent)
{
    struct workset *ws = &h->ws;
    struct port_slot *s = &ws->slots[idx];
    if (s->tries == 1)
        h->silent++;
    unsigned proto = h->phase == PHASE_PING ? PROTO_TCP : ws->order[idx].proto;
    int more = s->tries < allowed_tries(eng, h, proto);
    if (proto == PROTO_UDP && udp_rate_unanswered(eng, h, idx, sent, !more))
        return;
    if (more) {
        push_retry(ws, idx, sent);
        return;
    }
    s->state = h->phase == PHASE_PING
                   ? PORT_FILTERED
                   : slot_of(eng, 0, ws->order[idx].proto)->t->noresponse_state;
    /* --defeat-icmp-ratelimit: as nmap, a UDP port that never answered may
     * be closed with its unreachable rate-limited away */
    if (h->phase != PHASE_PING && eng->cfg->defeat_icmp_ratelimit &&
        ws->order[idx].proto == PROTO_UDP)
        s->state = PORT_CLOSED_FILTERED;
    s->reason = REASON_NO_RESPONSE;
    ws->remaining--;
    push_idx(&ws->exhausted, &ws->nexhausted, &ws->capexhausted, idx);
    if (h->phase == PHASE_PING && ws->remaining == 0) {
        abandon_all(eng, h); /* no discovery probe answered: down */
        h->phase = PHASE_DONE;
    }
}

/* The host's send delay follows its loss, as a rate: sustained loss (at
 * least 10 answers, more than one in five of them only to a
 * retransmission, since the last change) slows it to the rate its answers
 * came at, or to half its current rate; a clean run (50 answers, under one
 * in ten late, over two timeouts) speeds it up by a third.  Rate-limited resets and ICMP look
 * exactly like this, and the delay settles near the target's limit.
 *
 * nmap only ever doubles its delay, to --max-scan-delay (one probe a
 * second), which is why a rate-limited host takes it hours; here the
 * delay comes back down.  Raw scans only, as nmap. */
static void note_loss(struct engine *eng, struct host *h, int dropped, usec_t lost_at,
                      usec_t now)
{
    const struct timing *t = &eng->cfg->timing;
    if (!eng->raw_pacing || h->rl == RL_PROBATION || h->rl == RL_LIMITED)
        return; /* (the ICMP rate limit pacing owns the delay then) */
    if (!h->period_start)
        h->period_start = now;
    /* A try lost before the delay last changed says nothing of the new
     * pace (after a burst, its retransmissions are answered for a while). */
    if (dropped && lost_at < h->period_start)
        return;
    if (dropped)
        h->dropped++;
    else
        h->good++;
    usec_t d = h->delay;
    if (h->dropped >= 10 && h->dropped * 4 > h->good) {
        double secs = (double)(now - h->period_start) / USEC_PER_SEC;
        double rate = secs > 0 ? (h->good + h->dropped) / secs : 0; /* answers/s */
        usec_t at_rate = rate > 0 ? (usec_t)(USEC_PER_SEC / rate) : 5 * USEC_PER_MSEC;
        d = 2 * d > at_rate ? 2 * d : at_rate;
        if (d > t->max_scan_delay)
            d = t->max_scan_delay;
        if (d > h->delay)
            eng->stats.delay_boosts++;
    } else if (h->good >= 50 && h->dropped * 10 < h->good && h->delay > t->scan_delay &&
               now - h->period_start >= 2 * host_timeout(eng, h)) {
        /* (two timeouts at this pace: time enough for losses to show) */
        d = h->delay * 3 / 4;
        if (d < 20)
            d = 0; /* a few microseconds: let the windows alone pace it */
    } else {
        return;
    }
    if (d < t->scan_delay)
        d = t->scan_delay;
    if (eng->cfg->debug && d != h->delay) {
        char a[IP_ADDR_STRLEN];
        engine_warn(eng, "%s send delay for %s from %lld to %lld us (%u of %u answers late)",
                    d > h->delay ? "Increasing" : "Decreasing", ip_addr_str(&h->target.addr, a),
                    (long long)h->delay, (long long)d, h->dropped, h->good + h->dropped);
    }
    h->delay = d;
    h->good = h->dropped = 0;
    h->period_start = now;
}

/* Record port idx's verdict, and announce it if open (-v). */
static void set_port(struct engine *eng, struct host *h, uint32_t idx, enum port_state state,
                     enum reason why, uint8_t ttl)
{
    struct port_slot *s = &h->ws.slots[idx];
    s->state = (uint8_t)state;
    s->reason = (uint8_t)why;
    s->ttl = ttl;
    if (state == PORT_OPEN && eng->ev.port_open) {
        struct port_result r = {.port = h->ws.order[idx].port,
                                .proto = h->ws.order[idx].proto,
                                .state = (uint8_t)state,
                                .reason = (uint8_t)why,
                                .ttl = ttl};
        eng->ev.port_open(eng->ev.arg, &h->target, &r);
    }
}

void engine_probe_answer(struct engine *eng, struct probe *p, enum port_state state,
                         enum reason why, uint8_t ttl)
{
    engine_probe_reply(eng, p, state, why, ttl, p->tryno);
}

void engine_probe_reply(struct engine *eng, struct probe *p, enum port_state state,
                        enum reason why, uint8_t ttl, unsigned answered)
{
    struct host *h = p->host;
    usec_t now = now_usec();
    usec_t sample = (p->rcvd && p->rcvd <= now ? p->rcvd : now) - p->sent;
    int tryno = (int)answered < p->tryno ? (int)answered : p->tryno;
    int exact = tryno == p->tryno;
    usec_t sent = p->sent, prev_sent = p->prev_sent;
    uint32_t idx = p->idx;
    int ping = p->ping;

    retire(eng, p);
    eng->stats.replies++;
    if (exact) {
        rtt_update(&h->rtt, sample);
        rtt_update(&eng->rtt, sample);
    }
    /* --defeat-rst-ratelimit: a reset that needed a retransmission is no
     * reason to slow down (a rate limit, not congestion). */
    if (eng->cfg->defeat_rst_ratelimit && why == REASON_RESET && state != PORT_OPEN)
        tryno = 0;
    note_loss(eng, h, tryno > 0, prev_sent, now);

    double scale = eng->stats.replies ? (double)eng->stats.probes_sent / eng->stats.replies : 1;
    scale = scale < 1 ? 1 : scale > 50 ? 50 : scale;
    if (tryno > 0 && sent > h->last_drop) {
        /* An earlier try of this port went unanswered but this one got
         * through: a packet was lost on the way.  Back off once per RTT
         * (a host paced by a send delay is slowed by note_loss instead). */
        eng->stats.drops++;
        if (!h->delay)
            cwnd_drop(&h->cwnd, &h->ssthresh, h->inflight + 1, eng->low_cwnd);
        h->last_drop = now;
        if (sent > eng->last_drop) {
            cwnd_drop(&eng->cwnd, &eng->ssthresh, eng->inflight + 1, eng->low_cwnd);
            eng->last_drop = now;
        }
    } else {
        cwnd_grow(&h->cwnd, h->ssthresh, scale, eng->max_cwnd);
        cwnd_grow(&eng->cwnd, eng->ssthresh, scale, eng->max_cwnd);
    }
    int more_tries = 0;
    if (tryno > h->max_ok_tryno) {
        h->max_ok_tryno = tryno;
        more_tries = 1;
    }
    if (tryno > 0 && ping)
        eng->ping_drops++;
    if (tryno > 0 && !h->drops_seen) {
        h->drops_seen = 1;
        more_tries = 1;
    }

    struct workset *ws = &h->ws;
    if (h->phase == PHASE_PING && ping) {
        if (state == PORT_OPEN || state == PORT_CLOSED) {
            h->up = 1;
            h->up_reason = (uint8_t)why;
            h->up_ttl = ttl;
            host_start_scan(eng, h);
            return;
        }
        /* unreachable: this probe says nothing good about the host */
        ws->slots[idx].state = (uint8_t)state;
        ws->slots[idx].reason = (uint8_t)why;
        if (--ws->remaining == 0) {
            abandon_all(eng, h);
            h->phase = PHASE_DONE;
        }
        return;
    }
    if (h->phase != PHASE_SCAN || ping)
        return; /* a late discovery answer */
    if (ws->order[idx].proto == PROTO_UDP) {
        h->u_answered++;
        if (why == REASON_PORT_UNREACH) {
            h->u_unreach++;
            /* a paced retransmission answered: its earlier try met an
             * empty bucket */
            if (h->rl == RL_PROBATION && tryno > 0 && sent >= h->rl_since)
                udp_rate_proven(eng, h, now);
        }
    }
    ws->remaining--;
    set_port(eng, h, idx, state, why, ttl);
    if (more_tries)
        revive_exhausted(eng, h, 0);
    maybe_finish(h);
}

int engine_late_reply(struct engine *eng, const struct ip_addr *addr, unsigned proto,
                      unsigned port, enum port_state state, enum reason why, uint8_t ttl,
                      unsigned tryno)
{
    int32_t idx = port_index(eng, proto, port);
    if (idx < 0)
        return 0;
    for (size_t i = 0; i < eng->nactive; i++) {
        struct host *h = eng->active[i];
        if (h->phase != PHASE_SCAN || !ip_addr_equal(&h->target.addr, addr))
            continue;
        struct port_slot *s = &h->ws.slots[idx];
        if (tryno >= s->tries)
            continue; /* never sent that try: not ours */
        for (const struct probe *p = h->head; p; p = p->next)
            if (p->idx == (uint32_t)idx)
                return 0; /* a try is in flight: engine_probe_reply's case */
        if (s->state == PORT_UNKNOWN) {
            /* waiting for its retransmission: concluded now (the queued
             * retry is dropped by host_has_work) */
            h->ws.remaining--;
        } else if (s->reason != REASON_NO_RESPONSE) {
            return 0; /* already answered */
        }
        /* else given up on as silent: the answer is better than silence */
        eng->stats.replies++;
        eng->stats.late_replies++;
        set_port(eng, h, (uint32_t)idx, state, why, ttl);
        maybe_finish(h);
        return 1;
    }
    return 0;
}

void engine_host_mac(struct engine *eng, struct probe *p, const uint8_t mac[6])
{
    (void)eng;
    p->host->has_mac = 1;
    memcpy(p->host->mac, mac, sizeof p->host->mac);
}

void engine_probe_void(struct engine *eng, struct probe *p)
{
    struct host *h = p->host;
    uint32_t idx = p->idx;
    retire(eng, p);
    if (h->ws.slots[idx].tries > 0)
        h->ws.slots[idx].tries--;
    push_retry(&h->ws, idx, 0);
}

/* ---- the group of active hosts --------------------------------------- */

static int by_proto_port(const void *a, const void *b)
{
    const struct port_result *x = a, *y = b;
    if (x->proto != y->proto)
        return x->proto - y->proto;
    return (int)x->port - (int)y->port;
}

/* Nearly every port of a SYN scan answered SYN/ACK: nothing real has
 * thousands of listeners side by side, but a SYN proxy or tarpit answers
 * for every port. */
static int answers_all(const struct engine *eng, const struct port_result *ports, size_t n)
{
    if (eng->slots[PROTO_TCP].t != &technique_syn || n < 128)
        return 0;
    size_t open = 0;
    for (size_t i = 0; i < n; i++)
        open += ports[i].state == PORT_OPEN;
    return open * 20 >= n * 19;
}

/* Hand h to the caller: finished (host_done), or with only the ports it
 * concluded when the scan was stopped (host_partial, for --resume). */
static void host_report(struct engine *eng, struct host *h, int partial)
{
    struct host_report r = {
        .target = &h->target,
        .up = h->up,
        .up_reason = h->up_reason,
        .up_ttl = h->up_ttl,
        .latency = h->rtt.samples ? h->rtt.min : -1,
        .srtt = h->rtt.srtt,
        .rttvar = h->rtt.rttvar,
        .timeout = host_timeout(eng, h),
        .timed_out = h->timed_out,
        .start = h->start,
        .end = h->end,
        .has_mac = h->has_mac,
    };
    memcpy(r.mac, h->mac, sizeof r.mac);
    struct port_result *ports = NULL;
    size_t n = 0;
    if (h->up && !h->timed_out && h->ws.order == eng->order) {
        ports = xcalloc(eng->nports, sizeof *ports);
        for (uint32_t i = 0; i < eng->nports; i++) {
            const struct port_slot *s = &h->ws.slots[i];
            if (partial && s->state == PORT_UNKNOWN)
                continue;
            ports[n++] = (struct port_result){.port = eng->order[i].port,
                                              .proto = eng->order[i].proto,
                                              .state = s->state,
                                              .reason = s->reason,
                                              .ttl = s->ttl};
        }
        qsort(ports, n, sizeof *ports, by_proto_port);
        r.ports = ports;
        r.nports = n;
        r.answers_all = answers_all(eng, ports, n);
    }
    if (partial) {
        if (eng->ev.host_partial && h->up && n)
            eng->ev.host_partial(eng->ev.arg, &r);
    } else {
        eng->stats.hosts_total++;
        eng->stats.hosts_up += h->up != 0;
        if (eng->ev.host_done)
            eng->ev.host_done(eng->ev.arg, &r);
    }
    free(ports);
}

static void host_free(struct host *h)
{
    target_clear(&h->target);
    free(h->ws.slots);
    free(h->ws.retry);
    free(h->ws.retry_sent);
    free(h->ws.exhausted);
    free(h);
}

static size_t hosts_in_flight(const struct engine *eng)
{
    size_t n = 0;
    for (size_t i = 0; i < eng->nactive; i++)
        n += eng->active[i]->phase != PHASE_DONE;
    return n;
}

/* A port's position in the scan order, or -1 if it is not scanned. */
static int32_t port_index(struct engine *eng, unsigned proto, unsigned port)
{
    if (!eng->index) {
        eng->index = xmalloc(PROTO_COUNT * 65536 * sizeof *eng->index);
        memset(eng->index, 0xff, PROTO_COUNT * 65536 * sizeof *eng->index);
        for (uint32_t i = 0; i < eng->nports; i++)
            eng->index[eng->order[i].proto * 65536 + eng->order[i].port] = (int32_t)i;
    }
    return proto < PROTO_COUNT && port < 65536 ? eng->index[proto * 65536 + port] : -1;
}

/* Mark ports concluded by an earlier, interrupted run as final. */
static void apply_prior(struct engine *eng, struct host *h, const struct port_result *prior,
                        size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const struct port_result *p = &prior[k];
        if (p->proto >= PROTO_COUNT || p->state == PORT_UNKNOWN ||
            p->state >= PORT_STATE_COUNT || p->reason >= REASON_COUNT)
            continue;
        int32_t idx = port_index(eng, p->proto, p->port);
        if (idx < 0 || h->ws.slots[idx].state != PORT_UNKNOWN)
            continue; /* not scanned this time, or listed twice */
        h->ws.slots[idx] = (struct port_slot){p->state, p->reason, p->ttl, 1};
        h->ws.remaining--;
    }
    maybe_finish(h);
}

/* -sL: a target is named, never probed, so it is reported as soon as it
 * is reached, without entering the group (nothing else is in it, so target
 * order holds).  A list never returns to the event loop until it ends, so
 * the tick hook (status line, keys) is called from here. */
static void list_host(struct engine *eng, struct target *t)
{
    time_t now = time(NULL);
    struct host_report r = {
        .target = t,
        .listed = 1,
        .up_reason = REASON_USER_SET,
        .latency = -1,
        .start = now,
        .end = now,
    };
    eng->stats.hosts_total++;
    if (eng->ev.host_done)
        eng->ev.host_done(eng->ev.arg, &r);
    target_clear(t);
    if (eng->tick && (eng->stats.hosts_total & 4095) == 0)
        eng->tick(eng->ev.arg);
}

static void add_host(struct engine *eng, struct target *t)
{
    if (eng->cfg->list_scan) {
        list_host(eng, t);
        return;
    }
    struct host *h = xcalloc(1, sizeof *h);
    h->target = *t;
    h->start_us = now_usec();
    h->start = time(NULL);
    h->cwnd = eng->low_cwnd > 10 ? eng->low_cwnd : 10;
    if (h->cwnd > eng->max_cwnd)
        h->cwnd = eng->max_cwnd;
    h->ssthresh = eng->max_cwnd;
    h->max_ok_tryno = 0;
    h->delay = eng->cfg->timing.scan_delay;
    const struct port_result *prior = NULL;
    uint8_t prior_reason = REASON_USER_SET;
    size_t nprior = eng->ev.prior
                        ? eng->ev.prior(eng->ev.arg, &t->addr, &prior, &prior_reason)
                        : 0;
    if (nprior) {
        /* --resume: the host was up and these ports were concluded */
        h->up = 1;
        h->up_reason = prior_reason;
        host_start_scan(eng, h);
        apply_prior(eng, h, prior, nprior);
    } else if (!eng->cfg->ping) {
        h->up = 1;
        h->up_reason = REASON_USER_SET;
        host_start_scan(eng, h);
    } else if (ip_addr_is_local(&t->addr, eng->locals, eng->nlocals)) {
        h->up = 1;
        h->up_reason = REASON_LOCALHOST;
        host_start_scan(eng, h);
    } else {
        /* As nmap: a host on an attached Ethernet is asked by ARP (IPv6:
         * Neighbor Discovery), which no firewall filters, instead of the
         * -P probes. */
        int v6 = t->addr.family == AF_INET6;
        h->phase = PHASE_PING;
        struct tech_slot *ps = &eng->slots[PROTO_COUNT];
        if (eng->cfg->arp_ping && ps->t->on_link && ps->t->on_link(eng, ps->state, &t->addr))
            workset_init(&h->ws, &eng->neighbor_order[v6], 1);
        else if (eng->nping)
            workset_init(&h->ws, eng->ping_order, eng->nping);
        else
            h->phase = PHASE_DONE; /* -PR only, and not on an Ethernet: down */
    }
    if (eng->nactive == eng->capactive) {
        eng->capactive = eng->capactive ? 2 * eng->capactive : 64;
        eng->active = xreallocarray(eng->active, eng->capactive, sizeof *eng->active);
    }
    eng->active[eng->nactive++] = h;
}

/* Pull targets until the group is full.  Done hosts waiting for an earlier
 * one to finish (output stays in target order) count against a looser
 * bound so one slow host cannot stall the scan. */
static void fill_group(struct engine *eng)
{
    char err[TARGET_ERRLEN];
    while (!eng->targets_done && !eng->stop && hosts_in_flight(eng) < eng->group_size &&
           eng->nactive < 4 * eng->group_size) {
        struct target t;
        int r = target_iter_next(eng->it, &t, err, sizeof err);
        if (r == 0) {
            eng->targets_done = 1;
            break;
        }
        if (r < 0) {
            if (eng->ev.warning)
                eng->ev.warning(eng->ev.arg, err);
            continue;
        }
        add_host(eng, &t);
    }
}

/* Report finished hosts at the front of the group, in target order. */
static void flush_done(struct engine *eng)
{
    size_t n = 0;
    while (n < eng->nactive && eng->active[n]->phase == PHASE_DONE) {
        struct host *h = eng->active[n];
        h->end = time(NULL);
        host_report(eng, h, 0);
        host_free(h);
        n++;
    }
    if (n) {
        memmove(eng->active, eng->active + n, (eng->nactive - n) * sizeof *eng->active);
        eng->nactive -= n;
        eng->rr = 0;
    }
}

/* ---- sending and timing out ------------------------------------------ */

static int rate_allows(struct engine *eng, usec_t now)
{
    double max = eng->cfg->timing.max_rate;
    if (max <= 0)
        return 1;
    double burst = max / 100.0 > 1.0 ? max / 100.0 : 1.0; /* 10 ms worth */
    eng->tokens += (double)(now - eng->tokens_at) * max / USEC_PER_SEC;
    eng->tokens_at = now;
    if (eng->tokens > burst)
        eng->tokens = burst;
    return eng->tokens >= 1.0;
}

/* Below --min-rate, send whatever the congestion windows say. */
static int below_min_rate(const struct engine *eng, usec_t now)
{
    double min = eng->cfg->timing.min_rate;
    if (min <= 0)
        return 0;
    return (double)eng->stats.probes_sent < min * (double)(now - eng->start_us) / USEC_PER_SEC;
}

static int host_has_work(struct host *h)
{
    struct workset *ws = &h->ws;
    /* ports a resumed scan already knows are passed over, and retries of
     * ports a late answer concluded are dropped */
    while (ws->next_fresh < ws->n && ws->slots[ws->next_fresh].state != PORT_UNKNOWN)
        ws->next_fresh++;
    while (ws->nretry && ws->slots[ws->retry[ws->nretry - 1]].state != PORT_UNKNOWN)
        ws->nretry--;
    return h->phase != PHASE_DONE && (ws->nretry || ws->next_fresh < ws->n);
}

/* Send one probe to h.  1 if sent, 0 if the technique is out of resources,
 * -errno on a local failure. */
static int send_one(struct engine *eng, struct host *h, usec_t now)
{
    struct workset *ws = &h->ws;
    uint32_t idx;
    int from_retry = ws->nretry > 0;
    usec_t prev_sent = 0;
    if (from_retry) {
        idx = ws->retry[--ws->nretry];
        prev_sent = ws->retry_sent[ws->nretry];
    } else {
        idx = ws->next_fresh++;
    }
    struct port_slot *s = &ws->slots[idx];
    struct probe *p = probe_alloc(eng);
    p->eng = eng;
    p->host = h;
    p->addr = &h->target.addr;
    p->idx = idx;
    p->port = ws->order[idx].port;
    p->proto = ws->order[idx].proto;
    p->tryno = s->tries;
    p->ping = h->phase == PHASE_PING;
    p->sent = now;
    p->prev_sent = prev_sent;
    s->tries++;
    link_probe(h, p);
    eng->inflight++;
    eng->stats.probes_sent++;
    if (p->tryno)
        eng->stats.retransmissions++;
    if (eng->cfg->timing.max_rate > 0)
        eng->tokens -= 1.0;
    h->next_send = now + h->delay;
    /* The technique may answer at once (a synchronous connect error); p
     * must not be touched after a successful send. */
    struct tech_slot *ts = slot_of(eng, p->ping, p->proto);
    p->tech_state = ts->state;
    int udp = !p->ping && p->proto == PROTO_UDP;
    int r = ts->t->send(eng, ts->state, p);
    if (r == 0) {
        if (udp) {
            if (!h->u_sent++)
                h->u_first = now;
        }
        return 1;
    }
    unlink_probe(eng, p);
    probe_free(eng, p);
    s->tries--;
    eng->stats.probes_sent--;
    if (from_retry)
        push_retry(ws, idx, prev_sent);
    else
        ws->next_fresh--;
    if (r == -ENETUNREACH || r == -EHOSTUNREACH) {
        /* No route to it (raw scans look the route up themselves). */
        char a[IP_ADDR_STRLEN];
        engine_warn(eng, "No route to %s; skipping it", ip_addr_str(&h->target.addr, a));
        abandon_all(eng, h);
        h->up = 0;
        h->phase = PHASE_DONE;
        return 1;
    }
    if (r == -EAGAIN || r == -EMFILE || r == -ENFILE || r == -ENOBUFS || r == -ENOMEM ||
        r == -EADDRNOTAVAIL) {
        /* Out of descriptors or local ports: run with what is in flight. */
        if ((r == -EMFILE || r == -ENFILE) && eng->inflight > 16)
            eng->fd_cap = eng->inflight;
        return 0;
    }
    return r;
}

/* Send what the windows and rate limits allow, in a bounded batch: answers
 * are read between batches, so RTT samples are not inflated by our own
 * sending.  Returns 1 if the batch was cut short with more to send, 0 if
 * sending is blocked, or -errno on a local failure. */
#define SEND_BATCH 256

static int send_round(struct engine *eng, usec_t now)
{
    int progress = 1, sent = 0;
    while (progress && !eng->stop) {
        progress = 0;
        for (size_t k = 0; k < eng->nactive; k++) {
            if (eng->inflight >= eng->fd_cap || !rate_allows(eng, now))
                return 0;
            if (eng->inflight >= (unsigned)eng->cwnd && !below_min_rate(eng, now))
                return 0;
            struct host *h = eng->active[(eng->rr + k) % eng->nactive];
            if (!host_has_work(h) || h->inflight >= (unsigned)h->cwnd || now < h->next_send)
                continue;
            int r = send_one(eng, h, now);
            if (r < 0)
                return r;
            if (r == 0)
                return 0;
            progress = 1;
            if (++sent >= SEND_BATCH)
                return 1;
        }
        if (eng->nactive)
            eng->rr = (eng->rr + 1) % eng->nactive;
    }
    return 0;
}

/* Retire tries whose time is up, and finish hosts with nothing left. */
static void expire(struct engine *eng, usec_t now)
{
    usec_t host_to = eng->cfg->timing.host_timeout;
    for (size_t i = 0; i < eng->nactive; i++) {
        struct host *h = eng->active[i];
        if (h->phase == PHASE_DONE)
            continue;
        if (host_to && now - h->start_us >= host_to) {
            abandon_all(eng, h);
            h->timed_out = 1;
            h->phase = PHASE_DONE;
            continue;
        }
        usec_t to = host_timeout(eng, h);
        while (h->head && h->head->sent + to <= now && h->phase != PHASE_DONE) {
            uint32_t idx = h->head->idx;
            usec_t sent = h->head->sent;
            retire(eng, h->head);
            /* Beyond nmap: silence is not congestion.  A firewall that
             * drops probes sends nothing back at any rate, and only an
             * answer to a retransmission shows that something was lost;
             * so a timeout opens the windows as an answer does, and a host
             * that drops everything is not probed ten at a time.  Drops
             * still halve them. */
            cwnd_grow(&h->cwnd, h->ssthresh, 1, eng->max_cwnd);
            cwnd_grow(&eng->cwnd, eng->ssthresh, 1, eng->max_cwnd);
            port_unanswered(eng, h, idx, sent);
        }
        maybe_finish(h);
    }
}

/* The nearest moment something is due: a timeout, a --scan-delay, or the
 * end of a --host-timeout.  INT64_MAX when nothing is. */
static usec_t next_deadline(const struct engine *eng, usec_t now)
{
    usec_t next = INT64_MAX;
    usec_t host_to = eng->cfg->timing.host_timeout;
    for (size_t i = 0; i < eng->nactive; i++) {
        struct host *h = eng->active[i];
        if (h->phase == PHASE_DONE)
            continue;
        if (h->head && h->head->sent + host_timeout(eng, h) < next)
            next = h->head->sent + host_timeout(eng, h);
        if (host_has_work(h) && h->next_send > now && h->next_send < next)
            next = h->next_send;
        if (host_to && h->start_us + host_to < next)
            next = h->start_us + host_to;
    }
    return next;
}

/* ---- stopping early ---------------------------------------------------- */

/* After engine_stop: nothing new is sent, and answers to what is in flight
 * are collected for a grace period (one timeout, at most a second) unless
 * a second stop came.  True when it is time to give up. */
static int stop_now(struct engine *eng, usec_t now)
{
    if (!eng->stop_deadline) {
        usec_t grace = 0;
        for (size_t i = 0; i < eng->nactive; i++)
            if (eng->active[i]->phase != PHASE_DONE && host_timeout(eng, eng->active[i]) > grace)
                grace = host_timeout(eng, eng->active[i]);
        eng->stop_deadline = now + (grace < USEC_PER_SEC ? grace : USEC_PER_SEC);
    }
    return eng->stop >= 2 || eng->inflight == 0 || now >= eng->stop_deadline;
}

/* At the end of an interrupted scan: report every host that finished, in
 * target order; of those still under way, only the ports they concluded,
 * as partial results a resumed scan can start from. */
static void report_finished(struct engine *eng)
{
    for (size_t i = 0; i < eng->nactive; i++) {
        struct host *h = eng->active[i];
        abandon_all(eng, h);
        h->end = time(NULL);
        host_report(eng, h, h->phase != PHASE_DONE);
        host_free(h);
    }
    eng->nactive = 0;
}

/* ---- life cycle ------------------------------------------------------- */

static unsigned fd_budget(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1000;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    rlim_t n = rl.rlim_cur > 1u << 20 ? 1u << 20 : rl.rlim_cur;
    return n > 128 ? (unsigned)(n - 64) : 64;
}

struct engine *engine_new(const struct scan_config *cfg, struct target_iter *it,
                          const struct engine_events *ev, char *err, size_t errlen)
{
    struct engine *eng = xcalloc(1, sizeof *eng);
    const struct timing *t = &cfg->timing;
    eng->cfg = cfg;
    eng->tech = cfg->tech;
    for (int p = 0; p < PROTO_COUNT; p++) {
        eng->slots[p].t = cfg->techs[p] ? cfg->techs[p] : cfg->tech;
        eng->raw_pacing |= cfg->techs[p] && cfg->techs[p]->privileged;
    }
    if (!cfg->techs[PROTO_TCP] && !cfg->techs[PROTO_UDP])
        eng->raw_pacing = cfg->tech->privileged;
    eng->slots[PROTO_COUNT].t = cfg->ping_tech ? cfg->ping_tech : cfg->tech;
    eng->start_us = now_usec();
    eng->it = it;
    if (ev) {
        eng->ev = *ev;
        eng->tick = ev->tick;
    }
    eng->loop = ev_new();
    if (!eng->loop) {
        snprintf(err, errlen, "cannot create event loop: %s", strerror(errno));
        free(eng);
        return NULL;
    }

    /* One port order for every host: random unless -r. */
    size_t total = port_list_total(&cfg->ports);
    eng->order = xcalloc(total, sizeof *eng->order);
    for (int p = 0; p < PROTO_COUNT; p++)
        for (size_t i = 0; i < cfg->ports.n[p]; i++)
            eng->order[eng->nports++] = (struct port_ref){cfg->ports.port[p][i], (uint8_t)p};
    if (cfg->randomize_ports) {
        uint64_t seed = cfg->seed;
        for (uint32_t i = eng->nports; i > 1; i--) {
            uint32_t j = (uint32_t)(splitmix(&seed) % i);
            struct port_ref tmp = eng->order[i - 1];
            eng->order[i - 1] = eng->order[j];
            eng->order[j] = tmp;
        }
    }
    /* Discovery probes as the options list them; ARP is not one of them
     * (it is used for every host on an attached Ethernet, see add_host). */
    eng->ping_order = xcalloc(cfg->npings + 1, sizeof *eng->ping_order);
    for (size_t i = 0; i < cfg->npings; i++)
        if (cfg->pings[i].kind != PING_ARP && cfg->pings[i].kind != PING_ND)
            eng->ping_order[eng->nping++] = (struct port_ref){cfg->pings[i].arg,
                                                              cfg->pings[i].kind};
    eng->neighbor_order[0] = (struct port_ref){0, PING_ARP};
    eng->neighbor_order[1] = (struct port_ref){0, PING_ND};

    eng->low_cwnd = t->min_parallelism > 0 ? t->min_parallelism : 1;
    eng->max_cwnd = t->max_parallelism > 0 ? t->max_parallelism
                  : t->level <= 2 ? 1 : t->level == 3 ? 1024 : t->level == 4 ? 2048 : 4096;
    if (eng->max_cwnd < eng->low_cwnd)
        eng->max_cwnd = eng->low_cwnd;
    eng->fd_cap = fd_budget();
    if (!cfg->list_scan) /* -sL asks nothing of the network, not even this */
        eng->nlocals = ip_addr_locals(&eng->locals);
    if (!cfg->list_scan) { /* -sL sends nothing: no sockets */
        int r = start_techniques(eng, err, errlen);
        if (r < 0) {
            engine_free(eng);
            return NULL;
        }
    }

    /* Enough hosts at once to keep the windows busy, bounded so that the
     * per-port state of a group stays a few megabytes. */
    size_t per = eng->nports ? eng->nports : 1;
    size_t g = (size_t)(1u << 20) / per;
    if (g > 1024)
        g = 1024;
    if (g < 8)
        g = 8;
    if (t->max_hostgroup > 0 && g > (size_t)t->max_hostgroup)
        g = (size_t)t->max_hostgroup;
    if (t->min_hostgroup > 0 && g < (size_t)t->min_hostgroup)
        g = (size_t)t->min_hostgroup;
    eng->group_size = g;
    eng->cwnd = 10.0 * (double)g;
    if (eng->cwnd < eng->low_cwnd)
        eng->cwnd = eng->low_cwnd;
    if (eng->cwnd > eng->max_cwnd)
        eng->cwnd = eng->max_cwnd;
    eng->ssthresh = eng->max_cwnd;
    return eng;
}

int engine_run(struct engine *eng, char *err, size_t errlen)
{
    eng->start_us = now_usec();
    eng->tokens_at = eng->start_us;
    eng->tokens = 1.0;
    for (;;) {
        fill_group(eng);
        usec_t now = now_usec();
        expire(eng, now);
        int r = send_round(eng, now);
        for (int k = 0; k <= PROTO_COUNT; k++)
            if (eng->slots[k].owns && eng->slots[k].t->flush)
                eng->slots[k].t->flush(eng, eng->slots[k].state);
        if (r < 0) {
            snprintf(err, errlen, "sending a probe failed: %s", strerror(-r));
            return r;
        }
        int more = r;
        flush_done(eng);
        if (eng->nactive == 0 && eng->targets_done)
            break;
        if (eng->stop && stop_now(eng, now)) {
            report_finished(eng);
            eng->stats.interrupted = 1;
            break;
        }
        if (eng->tick)
            eng->tick(eng->ev.arg);
        /* Wake for the nearest timeout, or soon if only a rate limit or
         * a full window holds sending back (answers wake us anyway). */
        now = now_usec();
        usec_t next = next_deadline(eng, now);
        usec_t wait = next == INT64_MAX ? 100 * USEC_PER_MSEC : next - now;
        if (eng->cfg->timing.max_rate > 0 && eng->tokens < 1.0) {
            usec_t refill = (usec_t)((1.0 - eng->tokens) * USEC_PER_SEC /
                                     eng->cfg->timing.max_rate);
            if (refill < wait)
                wait = refill;
        }
        if (eng->cfg->timing.min_rate > 0 && wait > 1000)
            wait = 1000;
        if (eng->stop_deadline && wait > eng->stop_deadline - now)
            wait = eng->stop_deadline - now;
        if (eng->tick && wait > 200 * USEC_PER_MSEC)
            wait = 200 * USEC_PER_MSEC;
        if (eng->ev.next_timeout) {
            usec_t theirs = eng->ev.next_timeout(eng->ev.arg);
            if (theirs >= 0 && theirs < wait)
                wait = theirs;
        }
        if (wait < 0 || more)
            wait = 0;
        r = ev_wait(eng->loop, wait);
        if (r < 0 && r != -EINTR) {
            snprintf(err, errlen, "event loop failed: %s", strerror(-r));
            return r;
        }
    }
    return 0;
}

void engine_stop(struct engine *eng)
{
    eng->stop = eng->stop ? 2 : 1;
}

const struct engine_stats *engine_stats(const struct engine *eng)
{
    return &eng->stats;
}

double engine_active_work(const struct engine *eng)
{
    double done = 0;
    for (size_t i = 0; i < eng->nactive; i++) {
        const struct host *h = eng->active[i];
        if (h->phase == PHASE_DONE)
            done += 1;
        else if (h->phase == PHASE_SCAN && h->ws.n)
            done += (double)(h->ws.n - h->ws.remaining) / h->ws.n;
    }
    return done;
}

struct ev_loop *engine_loop(struct engine *eng)
{
    return eng->loop;
}


void engine_free(struct engine *eng)
{
    if (!eng)
        return;
    for (size_t i = 0; i < eng->nactive; i++) {
        abandon_all(eng, eng->active[i]);
        host_free(eng->active[i]);
    }
    free(eng->active);
    while (eng->free_probes) {
        struct probe *p = eng->free_probes;
        eng->free_probes = p->next;
        free(p);
    }
    free(eng->order);
    free(eng->ping_order);
    free(eng->index);
    free(eng->locals);
    for (int k = 0; k <= PROTO_COUNT; k++)
        if (eng->slots[k].owns && eng->slots[k].t->fini)
            eng->slots[k].t->fini(eng->slots[k].state);
    ev_free(eng->loop);
    free(eng);
}

const struct scan_config *engine_config(const struct engine *eng)
{
    return eng->cfg;
}

double engine_elapsed(const struct engine *eng)
{
    return (double)(now_usec() - eng->start_us) / USEC_PER_SEC;
}

void engine_warn(struct engine *eng, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (eng->ev.warning)
        eng->ev.warning(eng->ev.arg, msg);
    else
        fprintf(stderr, "%s\n", msg);
}

void engine_note_captured(struct engine *eng, unsigned bytes)
{
    eng->stats.packets_received++;
    eng->stats.bytes_received += bytes;
}

void engine_note_sent(struct engine *eng, unsigned bytes)
{
    eng->stats.bytes_sent += bytes;
}

void engine_note_rejected(struct engine *eng)
{
    eng->stats.replies_rejected++;
}
