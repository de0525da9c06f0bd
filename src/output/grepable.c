/* SPDX-License-Identifier: MIT */
/* Placeholder: being written. */
#include "output.h"

static void grepable_begin(struct output *o, const struct scan_info *si)
{
    (void)o;
    (void)si;
}

static void grepable_host(struct output *o, const struct scan_info *si, const struct host_report *r)
{
    (void)o;
    (void)si;
    (void)r;
}

static void grepable_end(struct output *o, const struct scan_info *si, const struct scan_summary *s)
{
    (void)o;
    (void)si;
    (void)s;
}

const struct output_format output_grepable = {
    .name = "grepable",
    .begin = grepable_begin,
    .host = grepable_host,
    .end = grepable_end,
};
