/* SPDX-License-Identifier: MIT */
/* Placeholder: being written. */
#include "output.h"

static void xml_begin(struct output *o, const struct scan_info *si)
{
    (void)o;
    (void)si;
}

static void xml_host(struct output *o, const struct scan_info *si, const struct host_report *r)
{
    (void)o;
    (void)si;
    (void)r;
}

static void xml_end(struct output *o, const struct scan_info *si, const struct scan_summary *s)
{
    (void)o;
    (void)si;
    (void)s;
}

const struct output_format output_xml = {
    .name = "xml",
    .begin = xml_begin,
    .host = xml_host,
    .end = xml_end,
};
