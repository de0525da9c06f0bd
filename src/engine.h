/* SPDX-License-Identifier: MIT */
/* The scan engine: one scheduler for every technique.
 *
 * Targets stream in from a target_iter into a bounded group of active hosts.
 * For each host the engine walks the port list (in random order unless -r),
 * keeps probes in flight within per-host and group congestion windows and the
 * rate limits, times them out with RFC 6298 estimates, retransmits, and hands
 * every finished host to the outputs in target order. */
#ifndef PORTSCOUT_ENGINE_H
#define PORTSCOUT_ENGINE_H

#include <signal.h>
#include <stdint.h>

#include "config.h"
#include "lib/timeutil.h"
#include "platform/event.h"
#include "results.h"

struct engine;
struct host;

/* One try of one probe in flight. */
struct probe {
    struct probe *prev, *next; /* the host's in-flight list, oldest first */
    struct engine *eng;
    void *tech_state; /* the state of the technique that sends it */
    struct host *host;
    const struct ip_addr *addr;
    uint32_t idx;   /* the port's position in the host's port order */
    uint16_t port;  /* discovery: the port, or IP protocol for -PO */
    uint8_t proto;  /* enum proto; discovery probes: enum ping_kind */
    uint8_t tryno;
    uint8_t ping;   /* a host-discovery probe, not a port probe */
    uint8_t tech_flags; /* the technique's own per-try bits */
    usec_t sent;
    usec_t prev_sent; /* when the port's previous try went; 0: first try or unknown */
    int fd;         /* technique's descriptor, -1 if none */
    struct probe *tnext; /* the technique's own chaining (raw scans: lookup) */
    uint16_t sport;      /* raw scans: the source port this try went from */
    usec_t rcvd;         /* when the answer arrived, if the technique knows
                          * better than "now" (raw scans: the capture's clock) */
};

/* What the engine tells its caller as the scan goes. */
struct engine_events {
    void *arg;
    /* A host is finished (up, down or timed out); the report lives only
     * during the call. */
    void (*host_done)(void *arg, const struct host_report *r);
    /* An open port was just found (for -v's "Discovered open port"). */
    void (*port_open)(void *arg, const struct target *t, const struct port_result *p);
    /* A name target could not be resolved. */
    void (*warning)(void *arg, const char *msg);
    /* Called at least five times a second while the scan runs (status
     * lines, keys); NULL when not wanted. */
    void (*tick)(void *arg);
    /* A stopped scan's unfinished host: only the ports it concluded. */
    void (*host_partial)(void *arg, const struct host_report *r);
    /* --resume: ports of this address an interrupted run concluded, and
     * why the host was up; returns how many (0: none, scan it afresh). */
    size_t (*prior)(void *arg, const struct ip_addr *a, const struct port_result **ports,
                    uint8_t *up_reason);
    /* A host was found up (discovery answered, -Pn, a local address), before
     * its port scan: naming starts its reverse DNS lookup here so that the
     * name is known by the time host_done comes.  NULL when not wanted. */
    void (*host_up)(void *arg, const struct target *t);
    /* Microseconds until the caller's own next deadline (-1: none), so
     * that the engine wakes for it and calls tick in time (the version
     * detection stage times its probes out that way).  NULL: none. */
    usec_t (*next_timeout)(void *arg);
};

struct engine_stats {
    uint64_t probes_sent, retransmissions, replies, drops;
    uint64_t packets_received;      /* raw scans: captured packets read */
    uint64_t bytes_received, bytes_sent;
    uint64_t replies_rejected;      /* raw scans: failed validation (stray or forged) */
    uint64_t delay_boosts;          /* the scan delay grew on sustained loss */
    uint64_t late_replies;          /* answers after their try timed out */
    uint64_t hosts_total, hosts_up; /* hosts reported so far */
    int interrupted;                /* engine_stop ended the scan */
};

/* Create an engine for cfg over the targets of it.  NULL with err set. */
struct engine *engine_new(const struct scan_config *cfg, struct target_iter *it,
                          const struct engine_events *ev, char *err, size_t errlen);
/* Run the whole scan.  0, or -errno on a local failure (err set). */
int engine_run(struct engine *eng, char *err, size_t errlen);
/* Ask a running scan to stop (async-signal-safe): the first call stops
 * sending and collects answers in flight for a moment, a second one ends at
 * once.  Hosts not finished by then are not reported. */
void engine_stop(struct engine *eng);
const struct engine_stats *engine_stats(const struct engine *eng);
/* Progress of the hosts in the group not yet reported: each counts its
 * concluded fraction of ports (a finished host counts 1). */
double engine_active_work(const struct engine *eng);
void engine_free(struct engine *eng);

/* For techniques: */
struct ev_loop *engine_loop(struct engine *eng);
/* A try got its answer: the port's state and why (ttl 0 if unknown). */
void engine_probe_answer(struct engine *eng, struct probe *p, enum port_state state,
                         enum reason why, uint8_t ttl);
/* The same, when the answer says which try of the port it answers (raw
 * scans encode it in the probe): a late answer to an earlier try than p's
 * gives no RTT sample (p->sent is not when that try went) and is no sign
 * of a drop. */
void engine_probe_reply(struct engine *eng, struct probe *p, enum port_state state,
                        enum reason why, uint8_t ttl, unsigned tryno);
/* An answer that came after its try timed out (none of the port's tries is
 * in flight): it still concludes the port, whether it waits for a
 * retransmission or was given up on as silent.  tryno is the try it
 * answers, which the engine checks was sent.  1 if it was used. */
int engine_late_reply(struct engine *eng, const struct ip_addr *addr, unsigned proto,
                      unsigned port, enum port_state state, enum reason why, uint8_t ttl,
                      unsigned tryno);
const struct scan_config *engine_config(const struct engine *eng);
/* Raw scans count what they capture, and what failed validation. */
void engine_note_captured(struct engine *eng, unsigned bytes);
void engine_note_rejected(struct engine *eng);
void engine_note_sent(struct engine *eng, unsigned bytes);
/* Seconds since the scan started (--packet-trace times). */
double engine_elapsed(const struct engine *eng);
/* A warning for the user (stderr, or wherever the caller sends them). */
void engine_warn(struct engine *eng, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The host of p is on an attached Ethernet with this MAC address (from an
 * ARP or ND answer, or a reply's link header). */
void engine_host_mac(struct engine *eng, struct probe *p, const uint8_t mac[6]);
/* A try is void (e.g. the socket connected to itself): retire it as if it had
 * timed out now, without counting it as a drop. */
void engine_probe_void(struct engine *eng, struct probe *p);

#endif
