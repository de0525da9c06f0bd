/* SPDX-License-Identifier: MIT */
/* --resume: what an output file of an interrupted scan says about it. */
#ifndef PORTSCOUT_RESUME_H
#define PORTSCOUT_RESUME_H

#include <stddef.h>

#include "addr.h"
#include "results.h"

/* A host the interrupted run had not finished: the ports it concluded. */
struct resume_partial {
    struct ip_addr addr;
    uint8_t up_reason;
    struct port_result *ports;
    size_t nports;
};

struct resume {
    char *cmdline;          /* the command line the scan was started with */
    struct ip_addr *done;   /* hosts the file reports as finished */
    size_t ndone;
    struct resume_partial *partial;
    size_t npartial;
};

/* Read a normal (-oN), grepable (-oG) or XML (-oX) output file.  Returns 0,
 * or -1 with err set (unreadable, or no portscout command line in it). */
int resume_load(const char *path, struct resume *rs, char *err, size_t errlen);
/* The same from the file's text.  0, or -1 when it holds no command line. */
int resume_parse(const char *text, struct resume *rs);
void resume_free(struct resume *rs);
/* The partial results the file holds for a, or NULL. */
const struct resume_partial *resume_find_partial(const struct resume *rs,
                                                 const struct ip_addr *a);
/* Split a command line on blanks into a NULL-terminated argv (malloc'd, one
 * block: free it once). */
char **resume_argv(const char *cmdline, int *argc);

/* The finished hosts of an XML output file, as the raw <host> elements, and
 * how many there are and how many were up: a resumed scan rewrites the file
 * with them first.  NULL when the file has none or cannot be read. */
char *resume_xml_hosts(const char *path, unsigned long *total, unsigned long *up);

#endif
