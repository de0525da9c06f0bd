/* SPDX-License-Identifier: MIT */
/* Port specification in nmap's syntax: 22, 1-1024, -p-, 1-, -100, T:/U:/S:
 * prefixes, service names with wildcards (http*, ssh), and [N-M] for the
 * ports of that range that the services table names. */
#ifndef PORTSCOUT_PORTS_H
#define PORTSCOUT_PORTS_H

#include <stddef.h>
#include <stdint.h>

#include "services.h"

struct port_set {
    uint8_t bits[PROTO_COUNT][65536 / 8];
};

struct port_list {
    uint16_t *port[PROTO_COUNT];
    size_t n[PROTO_COUNT];
};

#define PROTO_MASK(p) (1u << (p))

/* Add the ports of `spec` to *set.  Ports without a T:/U:/S: prefix apply to
 * every protocol in proto_mask; prefixed ones to that protocol only.  svc may
 * be NULL (then names are errors).  Returns 0, or -EINVAL with err naming the
 * offending item. */
int ports_parse(const char *spec, const struct services *svc, unsigned proto_mask,
                struct port_set *set, char *err, size_t errlen);
void port_set_add(struct port_set *set, enum proto p, unsigned port);
int port_set_has(const struct port_set *set, enum proto p, unsigned port);
/* Remove every port of `minus` from set. */
void port_set_subtract(struct port_set *set, const struct port_set *minus);
/* Sorted arrays of the set's ports, one per protocol.  Free with
 * port_list_free. */
void port_list_from_set(struct port_list *l, const struct port_set *set);
void port_list_free(struct port_list *l);
size_t port_list_total(const struct port_list *l);

#endif
