/* SPDX-License-Identifier: MIT */
/* Monotonic time in microseconds, and nmap-style time-value parsing. */
#ifndef PORTSCOUT_TIMEUTIL_H
#define PORTSCOUT_TIMEUTIL_H

#include <stdint.h>

typedef int64_t usec_t;

#define USEC_PER_MSEC 1000LL
#define USEC_PER_SEC 1000000LL

usec_t now_usec(void);

/* Parse an nmap time value: a number with an optional unit suffix
 * ms, s, m or h ("500ms", "2.5s", "10m"); a bare number means `bare_unit`
 * microseconds per unit (nmap: seconds for most options).
 * Returns 0 and stores the value, or -EINVAL. */
int parse_time_usec(const char *s, usec_t bare_unit, usec_t *out);

#endif
