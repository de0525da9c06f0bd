/* SPDX-License-Identifier: MIT */
/* Version detection (-sV): the stage between the engine and the names.
 *
 * The engine hands a finished host over (vscan_host_done); its open TCP
 * ports and its open or open|filtered UDP ports are probed as nmap's
 * version detection does, driven by a service-probe database
 * (svc/probedb.h): a TCP connection that waits for a greeting (the NULL
 * probe), then the probes registered for the port, then the others whose
 * rarity is within --version-intensity, each on its own connection, until
 * a hard match; a soft match narrows the probes to those that know its
 * service; a match of service "ssl" starts over inside TLS (OpenSSL, with
 * SNI when the target was given by name), whose certificate is kept.
 *
 * Unlike nmap, the probes of a port do not wait for one another: a window
 * of them runs at once, on separate connections, and their answers are
 * taken in nmap's order (a probe's hard match counts once every probe
 * before it has failed to give one), except that the NULL probe's wait
 * does not hold back a later probe's hard match.  The answers are the same
 * as sequential probing as long as a service answers each connection the
 * same way; the time is that of the first probe that matches, not the sum
 * of the silent waits before it.  Hosts run while the engine scans later
 * ones, on the engine's event loop, and are handed on in the order they
 * came. */
#ifndef PORTSCOUT_SVC_VSCAN_H
#define PORTSCOUT_SVC_VSCAN_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "lib/timeutil.h"
#include "platform/event.h"
#include "results.h"
#include "svc/probedb.h"

struct vscan;

/* Where finished reports go, with their service records. */
typedef void (*vscan_write_fn)(void *arg, const struct host_report *r);

/* A stage on loop (which must outlive it) probing with db; --version-trace
 * lines go to trace. */
struct vscan *vscan_new(const struct scan_config *cfg, struct ev_loop *loop,
                        const struct svc_db *db, FILE *trace, vscan_write_fn write, void *arg);
/* A host is finished by the engine: probe its services, then write it.
 * The report need not outlive the call. */
void vscan_host_done(struct vscan *v, const struct host_report *r);
/* Hosts not written yet. */
size_t vscan_held(const struct vscan *v);
/* Microseconds until vscan_tick must run (-1: nothing to wait for). */
usec_t vscan_next_timeout(const struct vscan *v);
/* Time out probes that are due; the loop's owner calls it at least every
 * vscan_next_timeout. */
void vscan_tick(struct vscan *v);
/* Wait on the loop (at most max_wait), then tick.  For after the port
 * scan, while vscan_held is not 0.  0 or -errno (-EINTR: a signal). */
int vscan_wait(struct vscan *v, usec_t max_wait);
/* Stop probing (the scan was interrupted): what is held is written now
 * with what is known, and later hosts at once. */
void vscan_flush(struct vscan *v);
/* Flush and free; NULL is fine. */
void vscan_free(struct vscan *v);

#endif
