/* SPDX-License-Identifier: MIT */
/* Helpers shared by the output formats. */
#include <stdio.h>
#include <string.h>

#include "lib/xalloc.h"
#include "output.h"

char *ports_compact(const struct port_list *l, enum proto p)
{
    size_t n = l->n[p], cap = 16 + n * 12, len = 0;
    char *s = xmalloc(cap);
    s[0] = '\0';
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && l->port[p][j + 1] == l->port[p][j] + 1)
            j++;
        if (j == i)
            len += (size_t)snprintf(s + len, cap - len, "%s%u", len ? "," : "", l->port[p][i]);
        else
            len += (size_t)snprintf(s + len, cap - len, "%s%u-%u", len ? "," : "", l->port[p][i],
                                    l->port[p][j]);
        i = j + 1;
    }
    return s;
}

int output_ignored(const struct scan_config *cfg, enum port_state st, size_t count)
{
    if (cfg->open_only)
        return st != PORT_OPEN && st != PORT_OPEN_FILTERED && st != PORT_UNFILTERED;
    if (st == PORT_OPEN || cfg->debug >= 2)
        return 0;
    size_t limit = cfg->debug == 1 ? 500 : 25 * (size_t)(1 + cfg->verbose);
    return count > limit;
}

int output_any_shown(const struct scan_config *cfg, const struct host_report *r)
{
    for (size_t i = 0; i < r->nports; i++)
        if (!output_ignored(cfg, (enum port_state)r->ports[i].state, 0))
            return 1;
    return 0;
}
