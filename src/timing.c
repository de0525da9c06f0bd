/* SPDX-License-Identifier: MIT */
/* nmap's timing templates (-T0 .. -T5), with the values nmap documents. */
#include <string.h>

#include "config.h"

void timing_template(struct timing *t, int level)
{
    static const struct {
        usec_t initial_rtt, min_rtt, max_rtt, scan_delay, max_scan_delay, host_timeout;
        int max_retries, max_parallelism;
    } tpl[6] = {
        /* paranoid: serial, 5 minutes between probes */
        {300 * USEC_PER_SEC, 100 * USEC_PER_MSEC, 10 * USEC_PER_SEC, 300 * USEC_PER_SEC,
         300 * USEC_PER_SEC, 0, 10, 1},
        /* sneaky: serial, 15 seconds between probes */
        {15 * USEC_PER_SEC, 100 * USEC_PER_MSEC, 10 * USEC_PER_SEC, 15 * USEC_PER_SEC,
         15 * USEC_PER_SEC, 0, 10, 1},
        /* polite: serial, 0.4 seconds between probes */
        {1 * USEC_PER_SEC, 100 * USEC_PER_MSEC, 10 * USEC_PER_SEC, 400 * USEC_PER_MSEC,
         1 * USEC_PER_SEC, 0, 10, 1},
        /* normal */
        {1 * USEC_PER_SEC, 100 * USEC_PER_MSEC, 10 * USEC_PER_SEC, 0, 1 * USEC_PER_SEC, 0, 10,
         0},
        /* aggressive */
        {500 * USEC_PER_MSEC, 100 * USEC_PER_MSEC, 1250 * USEC_PER_MSEC, 0, 10 * USEC_PER_MSEC,
         0, 6, 0},
        /* insane */
        {250 * USEC_PER_MSEC, 50 * USEC_PER_MSEC, 300 * USEC_PER_MSEC, 0, 5 * USEC_PER_MSEC,
         15 * 60 * USEC_PER_SEC, 2, 0},
    };
    if (level < 0)
        level = 0;
    if (level > 5)
        level = 5;
    memset(t, 0, sizeof *t);
    t->level = level;
    t->initial_rtt = tpl[level].initial_rtt;
    t->min_rtt = tpl[level].min_rtt;
    t->max_rtt = tpl[level].max_rtt;
    t->scan_delay = tpl[level].scan_delay;
    t->max_scan_delay = tpl[level].max_scan_delay;
    t->host_timeout = tpl[level].host_timeout;
    t->max_retries = tpl[level].max_retries;
    t->max_parallelism = tpl[level].max_parallelism;
}
