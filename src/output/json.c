/* SPDX-License-Identifier: MIT */
/* Placeholder: being written. */
#include "output.h"

static void json_begin(struct output *o, const struct scan_info *si)
{
    (void)o;
    (void)si;
}

static void json_host(struct output *o, const struct scan_info *si, const struct host_report *r)
{
    (void)o;
    (void)si;
    (void)r;
}

static void json_end(struct output *o, const struct scan_info *si, const struct scan_summary *s)
{
    (void)o;
    (void)si;
    (void)s;
}

const struct output_format output_json = {
    .name = "json",
    .begin = json_begin,
    .host = json_host,
    .end = json_end,
};
