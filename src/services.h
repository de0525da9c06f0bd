/* SPDX-License-Identifier: MIT */
/* The services table: (port, protocol) -> name and open-frequency weight,
 * read from data/portscout-services (our own file; format in its header). */
#ifndef PORTSCOUT_SERVICES_H
#define PORTSCOUT_SERVICES_H

#include <stddef.h>
#include <stdint.h>

enum proto { PROTO_TCP, PROTO_UDP, PROTO_SCTP, PROTO_COUNT };

const char *proto_name(enum proto p); /* "tcp", "udp", "sctp" */

struct service {
    char *name;
    uint16_t port;
    uint8_t proto;
    uint32_t weight;
};

struct services {
    struct service *v; /* sorted by weight, descending; ties by port */
    size_t n, cap;
    int32_t *index[PROTO_COUNT]; /* port -> position in v, or -1 */
};

/* Parse the table from text.  Malformed lines are an error naming the line
 * number (the file is ours, so a broken line is a packaging bug). */
int services_parse(struct services *s, const char *text, char *err, size_t errlen);
/* Load from a file.  0, or -errno with err set. */
int services_load(struct services *s, const char *path, char *err, size_t errlen);
void services_free(struct services *s);
/* Name of a port, or NULL when the table has none. */
const char *services_name(const struct services *s, enum proto p, unsigned port);
/* Fill out[] with up to n of the protocol's most frequently open ports, in
 * that order; returns how many were written. */
size_t services_top(const struct services *s, enum proto p, size_t n, uint16_t *out);

/* Locate the data file `file`: in $PORTSCOUT_DATADIR, beside the binary (a
 * build tree), then in the installed share directory.  Returns a malloc'd
 * path or NULL. */
char *services_find_data(const char *file);

#endif
