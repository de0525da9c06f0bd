/* SPDX-License-Identifier: MIT */
#include "svc/rpc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#define PORTMAPPER 100000
#define GRIND_VERSION 0x50534e /* "PSN": a version no program has */

static uint32_t get32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

static void add(struct rpc_table *t, uint32_t num, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].num == num)
            return;
    t->v = xreallocarray(t->v, t->n + 1, sizeof *t->v);
    t->v[t->n].num = num;
    t->v[t->n].name = xstrdup(name);
    t->n++;
}

int rpc_table_load(const char *path, struct rpc_table *t)
{
    memset(t, 0, sizeof *t);
    add(t, PORTMAPPER, "rpcbind");
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char name[64];
        unsigned long num;
        if (sscanf(line, "%63s %lu", name, &num) == 2 && num <= UINT32_MAX)
            add(t, (uint32_t)num, name);
    }
    fclose(f);
    return 0;
}

void rpc_table_free(struct rpc_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].name);
    free(t->v);
    memset(t, 0, sizeof *t);
}

const char *rpc_table_name(const struct rpc_table *t, uint32_t num)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].num == num)
            return t->v[i].name;
    return NULL;
}

uint8_t *rpc_grind_calls(const struct rpc_table *t, uint32_t xid_base, int tcp, size_t *len)
{
    size_t one = RPC_CALL_LEN + (tcp ? 4 : 0);
    uint8_t *b = xcalloc(t->n ? t->n : 1, one), *p = b;
    for (size_t i = 0; i < t->n; i++, p += one) {
        uint8_t *c = p;
        if (tcp) {
            put32(c, 0x80000000u | RPC_CALL_LEN); /* the last (only) fragment */
            c += 4;
        }
        put32(c, xid_base + (uint32_t)i);
        put32(c + 4, 0);            /* CALL */
        put32(c + 8, 2);            /* RPC version 2 */
        put32(c + 12, t->v[i].num); /* program */
        put32(c + 16, GRIND_VERSION);
        put32(c + 20, 0);           /* procedure 0: NULL */
        /* credentials and verifier: AUTH_NULL, empty (zeros) */
    }
    *len = one * t->n;
    return b;
}

enum rpc_reply rpc_parse_reply(const uint8_t *b, size_t n, uint32_t *xid, uint32_t *low,
                               uint32_t *high)
{
    if (n < 12 || get32(b + 4) != 1) /* REPLY */
        return RPC_NOT_REPLY;
    *xid = get32(b);
    if (get32(b + 8) != 0) /* MSG_DENIED */
        return RPC_OTHER;
    if (n < 20)
        return RPC_NOT_REPLY;
    uint32_t vlen = get32(b + 16);
    if (vlen > 400) /* RFC 5531: an opaque auth body is at most 400 bytes */
        return RPC_NOT_REPLY;
    size_t at = 20 + ((vlen + 3) & ~3u);
    if (n < at + 4)
        return RPC_NOT_REPLY;
    switch (get32(b + at)) {
    case 0:
        return RPC_SUCCESS;
    case 1:
        return RPC_UNAVAIL;
    case 2:
        if (n < at + 12)
            return RPC_NOT_REPLY;
        *low = get32(b + at + 4);
        *high = get32(b + at + 8);
        return *low <= *high ? RPC_MISMATCH : RPC_OTHER;
    default:
        return RPC_OTHER;
    }
}

int rpc_next_record(const uint8_t *b, size_t n, size_t *off, const uint8_t **msg, size_t *len)
{
    if (*off + 4 > n)
        return 0;
    size_t l = get32(b + *off) & 0x7fffffffu;
    if (l > n - *off - 4)
        return 0;
    *msg = b + *off + 4;
    *len = l;
    *off += 4 + l;
    return 1;
}
