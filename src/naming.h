/* SPDX-License-Identifier: MIT */
/* Host names: the target list's names resolved before the scan, and the
 * reverse names (PTR) of scanned hosts looked up while it runs.
 *
 * Reverse names never hold the scan up.  A host's lookup starts as soon as
 * the engine finds it up (naming_host_up), so it runs beside the host's port
 * scan; when the engine hands the finished report over (naming_host_done),
 * it is written at once if its name is known or not wanted, and otherwise
 * kept (a deep copy) until the name comes or its lookup gives up.  Reports
 * are written in the order they were handed over, so the outputs keep the
 * target order.
 *
 * Which hosts get a name: none with -n; up hosts by default, and every
 * listed host with -sL; every host with -R.  --system-dns asks the system
 * resolver (getnameinfo, one host at a time); otherwise c-ares (dns.c) asks
 * the --dns-servers, or those of /etc/resolv.conf. */
#ifndef PORTSCOUT_NAMING_H
#define PORTSCOUT_NAMING_H

#include <stddef.h>

#include "config.h"
#include "lib/timeutil.h"
#include "platform/event.h"
#include "results.h"
#include "target.h"

struct naming;

/* Where finished reports go, with their names (r->rdns). */
typedef void (*naming_write_fn)(void *arg, const struct host_report *r);

/* A naming stage whose lookups run on loop (which must outlive it).  NULL
 * with err set when the resolver cannot start. */
struct naming *naming_new(const struct scan_config *cfg, struct ev_loop *loop,
                          naming_write_fn write, void *arg, char *err, size_t errlen);
/* A host was found up: start looking up its name. */
void naming_host_up(struct naming *n, const struct target *t);
/* A host is finished: write its report now or when its name comes.  The
 * report need not outlive the call. */
void naming_host_done(struct naming *n, const struct host_report *r);
/* Reports waiting for their names. */
size_t naming_held(const struct naming *n);
/* Microseconds until naming_tick must run (-1: nothing to wait for). */
usec_t naming_next_timeout(const struct naming *n);
/* Run the resolver's timeouts when due: the loop's owner calls it at
 * least every naming_next_timeout (the engine's tick does). */
void naming_tick(struct naming *n);
/* Wait on the loop (at most max_wait) for names, then tick.  For after the
 * scan, while naming_held is not 0.  0 or -errno (-EINTR: a signal). */
int naming_wait(struct naming *n, usec_t max_wait);
/* Give up on names not known yet (the scan was stopped): the reports held
 * are written now, and later ones without waiting. */
void naming_flush(struct naming *n);
/* Write what is held (as naming_flush) and free; NULL is fine. */
void naming_free(struct naming *n);

/* Resolve the names of the target list (A, or AAAA with -6) and of the
 * exclude list before the scan, all in parallel, so that iterating the
 * targets never waits on DNS.  A target name that does not resolve is
 * reported when iteration reaches it (nmap's `Failed to resolve "NAME".`);
 * an exclude name that does not resolve is an error (-ENOENT, err says
 * which).  As nmap, a name keeps its addresses of both families (the others
 * are listed, not scanned).  With --system-dns the names go through
 * getaddrinfo, one after the other.  0, or -errno with err set. */
int naming_resolve_lists(const struct scan_config *cfg, struct target_list *targets,
                         struct target_list *exclude, char *err, size_t errlen);

#endif
