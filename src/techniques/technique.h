/* SPDX-License-Identifier: MIT */
/* A scan technique: how one probe is sent and what its answer means.
 *
 * The engine owns scheduling (which port, when, how many in flight, retries,
 * timeouts); a technique only starts a probe and reports its answer.
 *
 * Contracts:
 *   send     Start try `p->tryno` of probe p to p->host at p->port.  Return 0
 *            once it is in flight; -EAGAIN (or -EMFILE/-ENFILE/-ENOBUFS) when
 *            a local resource ran out and the engine should try again later;
 *            any other -errno is a local failure the engine reports.  When the
 *            answer arrives, call engine_probe_answer().
 *   release  The engine retires a try (answered, timed out or abandoned):
 *            free what send acquired.  Called exactly once per successful
 *            send.
 *   init/fini  Optional: create and free the technique's state for one
 *            scan; the engine passes it to every other hook.
 *   flush    Optional: the engine has sent a batch; put on the wire what
 *            send queued (raw scans send a batch with one sendmmsg).
 *   Discovery probes (probe.ping) go through the same send: probe.proto is
 *            then an enum ping_kind (config.h) and probe.port its port or IP
 *            protocol.  An answer saying the host is up is reported as
 *            PORT_OPEN or PORT_CLOSED with its reason; anything else (an
 *            unreachable from a router) as PORT_FILTERED.
 *   noresponse_state  The state of a port that never answered. */
#ifndef PORTSCOUT_TECHNIQUE_H
#define PORTSCOUT_TECHNIQUE_H

#include <stdbool.h>

#include "results.h"
#include "services.h"

struct engine;
struct probe;

struct technique {
    const char *name;      /* "connect" */
    const char *option;    /* "-sT" */
    const char *scan_name; /* "Connect Scan", as verbose output names it */
    enum proto proto;
    bool privileged;       /* needs root or CAP_NET_RAW */
    enum port_state noresponse_state;
    int (*init)(struct engine *eng, void **state);
    void (*fini)(void *state);
    int (*send)(struct engine *eng, void *state, struct probe *p);
    void (*release)(struct engine *eng, void *state, struct probe *p);
    void (*flush)(struct engine *eng, void *state);
    /* Optional: is a on a directly attached Ethernet segment?  Discovery
     * then asks by ARP or Neighbor Discovery, as nmap does. */
    bool (*on_link)(struct engine *eng, void *state, const struct ip_addr *a);
    unsigned variant; /* the technique's own selector (raw scans: which one) */
};

extern const struct technique technique_connect;
extern const struct technique technique_udp;
extern const struct technique technique_syn, technique_null, technique_fin, technique_xmas,
    technique_ack, technique_window, technique_maimon;

/* May this process send raw packets (root or CAP_NET_RAW)? */
bool technique_raw_allowed(void);

/* Look up a technique by its nmap option ("-sT" or "sT"); NULL if unknown. */
const struct technique *technique_find(const char *option);

#endif
