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
 *            scan; the engine hands it back through engine_tech_state().
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
    int (*send)(struct engine *eng, struct probe *p);
    void (*release)(struct engine *eng, struct probe *p);
};

extern const struct technique technique_connect;

/* Look up a technique by its nmap option ("-sT" or "sT"); NULL if unknown. */
const struct technique *technique_find(const char *option);

#endif
