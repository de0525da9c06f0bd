/* SPDX-License-Identifier: MIT */
/* Progress while a scan runs: a live status line on a terminal's stderr,
 * periodic status lines (--stats-every) without one, and nmap's run-time
 * keys (v/V verbosity, d/D debugging, anything else prints the status). */
#ifndef PORTSCOUT_STATUS_H
#define PORTSCOUT_STATUS_H

#include <stdint.h>

#include "config.h"
#include "engine.h"

struct status;

/* every: --stats-every interval (0: none).  A live line and the keys are
 * used when stderr (resp. stdin) is a terminal.  cfg is changed by keys. */
struct status *status_new(struct scan_config *cfg, struct engine *eng, uint64_t expected_hosts,
                          usec_t every);
/* Redraw or print when due; cheap when not. */
void status_tick(struct status *st, unsigned long open_ports);
/* Erase the live line before other output reaches the terminal. */
void status_clear(struct status *st);
/* Restore the terminal and free.  NULL-safe. */
void status_free(struct status *st);

#endif
