/* SPDX-License-Identifier: MIT */
#include "ports.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

void port_set_add(struct port_set *set, enum proto p, unsigned port)
{
    set->bits[p][port >> 3] |= (uint8_t)(1u << (port & 7));
}

int port_set_has(const struct port_set *set, enum proto p, unsigned port)
{
    return (set->bits[p][port >> 3] >> (port & 7)) & 1;
}

void port_set_subtract(struct port_set *set, const struct port_set *minus)
{
    for (int p = 0; p < PROTO_COUNT; p++)
        for (size_t i = 0; i < sizeof set->bits[p]; i++)
            set->bits[p][i] &= (uint8_t)~minus->bits[p][i];
}

/* A port number: 0-65535, decimal digits only. */
static int parse_port(const char *s, size_t len, unsigned *out)
{
    if (len == 0 || len > 5)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 65535)
        return -1;
    *out = v;
    return 0;
}

/* "N", "N-M", "N-", "-M" or "-": 0 on success.  A range with an open
 * start begins at 1, as nmap's does; 0 is scanned only when named. */
static int parse_range(const char *s, size_t len, unsigned *lo, unsigned *hi)
{
    const char *dash = memchr(s, '-', len);
    if (!dash)
        return parse_port(s, len, lo) ? -1 : (*hi = *lo, 0);
    size_t l1 = (size_t)(dash - s), l2 = len - l1 - 1;
    *lo = 1;
    *hi = 65535;
    if (l1 && parse_port(s, l1, lo))
        return -1;
    if (l2 && parse_port(dash + 1, l2, hi))
        return -1;
    return *lo <= *hi ? 0 : -1;
}

static int add_names(struct port_set *set, const struct services *svc, unsigned mask,
                     const char *pattern)
{
    int found = 0;
    for (size_t i = 0; svc && i < svc->n; i++) {
        const struct service *sv = &svc->v[i];
        if ((mask & PROTO_MASK(sv->proto)) && fnmatch(pattern, sv->name, 0) == 0) {
            port_set_add(set, sv->proto, sv->port);
            found = 1;
        }
    }
    return found;
}

static int add_item(struct port_set *set, const struct services *svc, unsigned mask,
                    const char *item, size_t len)
{
    unsigned lo, hi;
    if (len >= 2 && item[0] == '[' && item[len - 1] == ']') {
        /* only ports of the range that the services table names */
        if (!svc || parse_range(item + 1, len - 2, &lo, &hi))
            return -1;
        for (int p = 0; p < PROTO_COUNT; p++)
            if (mask & PROTO_MASK(p))
                for (unsigned port = lo; port <= hi; port++)
                    if (services_name(svc, (enum proto)p, port))
                        port_set_add(set, (enum proto)p, port);
        return 0;
    }
    if (len && (isdigit((unsigned char)item[0]) || item[0] == '-')) {
        if (parse_range(item, len, &lo, &hi))
            return -1;
        for (int p = 0; p < PROTO_COUNT; p++)
            if (mask & PROTO_MASK(p))
                for (unsigned port = lo; port <= hi; port++)
                    port_set_add(set, (enum proto)p, port);
        return 0;
    }
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)item[i]) && !strchr("-_.+/*?", item[i]))
            return -1;
    char *name = xstrndup(item, len);
    int found = add_names(set, svc, mask, name);
    free(name);
    return found ? 0 : -1;
}

int ports_parse(const char *spec, const struct services *svc, unsigned proto_mask,
                struct port_set *set, char *err, size_t errlen)
{
    unsigned mask = proto_mask;
    const char *p = spec;
    if (!*spec) {
        snprintf(err, errlen, "empty port specification");
        return -EINVAL;
    }
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *item = p;
        /* A protocol prefix applies to this and the following items. */
        if (len >= 2 && item[1] == ':') {
            switch (toupper((unsigned char)item[0])) {
            case 'T': mask = PROTO_MASK(PROTO_TCP); break;
            case 'U': mask = PROTO_MASK(PROTO_UDP); break;
            case 'S': mask = PROTO_MASK(PROTO_SCTP); break;
            default:
                snprintf(err, errlen, "invalid protocol prefix in port specification \"%.*s\"",
                         (int)len, item);
                return -EINVAL;
            }
            item += 2;
            len -= 2;
        }
        while (len && isspace((unsigned char)*item))
            item++, len--;
        while (len && isspace((unsigned char)item[len - 1]))
            len--;
        if (len == 0 || add_item(set, svc, mask, item, len) != 0) {
            snprintf(err, errlen, "invalid port specification \"%.*s\"",
                     (int)(comma ? (size_t)(comma - p) : strlen(p)), p);
            return -EINVAL;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

void port_list_from_set(struct port_list *l, const struct port_set *set)
{
    for (int p = 0; p < PROTO_COUNT; p++) {
        size_t n = 0;
        for (unsigned port = 0; port < 65536; port++)
            n += (size_t)port_set_has(set, (enum proto)p, port);
        l->port[p] = xcalloc(n, sizeof(uint16_t));
        l->n[p] = 0;
        for (unsigned port = 0; port < 65536; port++)
            if (port_set_has(set, (enum proto)p, port))
                l->port[p][l->n[p]++] = (uint16_t)port;
    }
}

void port_list_free(struct port_list *l)
{
    if (!l)
        return;
    for (int p = 0; p < PROTO_COUNT; p++) {
        free(l->port[p]);
        l->port[p] = NULL;
        l->n[p] = 0;
    }
}

size_t port_list_total(const struct port_list *l)
{
    size_t n = 0;
    for (int p = 0; p < PROTO_COUNT; p++)
        n += l->n[p];
    return n;
}
