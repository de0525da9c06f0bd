/* SPDX-License-Identifier: MIT */
/* ONC RPC (RFC 5531) identification, the pure part: the system's table of
 * RPC programs (/etc/rpc, read at run time), the NULL calls of "RPC
 * grinding", and the reading of their replies.
 *
 * Grinding, as nmap does it: a port known to speak RPC is sent a NULL call
 * (procedure 0) for every program of the table, each at a version nobody
 * has; the program that is there answers PROG_MISMATCH with the range of
 * versions it has, the others PROG_UNAVAIL.  The calls all go at once (one
 * TCP stream of record-marked calls, or one datagram each), so the program
 * is known after one round trip; each call's xid says which program it
 * asked for. */
#ifndef PORTSCOUT_SVC_RPC_H
#define PORTSCOUT_SVC_RPC_H

#include <stddef.h>
#include <stdint.h>

#define RPC_CALL_LEN 40 /* a NULL call with AUTH_NULL, without record mark */

struct rpc_prog {
    uint32_t num;
    char *name; /* the name nmap shows: "rpcbind" for the portmapper */
};

struct rpc_table {
    struct rpc_prog *v;
    size_t n;
};

/* Read an /etc/rpc-format file ("name number aliases..."); 0, or -errno.
 * The portmapper is always in, first. */
int rpc_table_load(const char *path, struct rpc_table *t);
void rpc_table_free(struct rpc_table *t);
const char *rpc_table_name(const struct rpc_table *t, uint32_t num);

/* The calls for every program of the table, xid = base + index; tcp: each
 * behind its record mark.  Returns a malloc'd buffer of *len bytes. */
uint8_t *rpc_grind_calls(const struct rpc_table *t, uint32_t xid_base, int tcp, size_t *len);

enum rpc_reply {
    RPC_NOT_REPLY = -1, /* not an RPC reply (or truncated) */
    RPC_OTHER = 0,      /* a reply, but says nothing of the program */
    RPC_MISMATCH = 1,   /* PROG_MISMATCH: the program is there, versions low-high */
    RPC_SUCCESS = 2,    /* the version asked for is there */
    RPC_UNAVAIL = 3,    /* PROG_UNAVAIL: not this program */
};

/* Read one reply message (without record mark): its xid, and the version
 * range of a PROG_MISMATCH. */
enum rpc_reply rpc_parse_reply(const uint8_t *b, size_t n, uint32_t *xid, uint32_t *low,
                               uint32_t *high);

/* TCP: the next record of a stream at *off (record marks, fragments not
 * joined: a reply is one fragment in practice); 1 with the message's bounds,
 * 0 if incomplete. */
int rpc_next_record(const uint8_t *b, size_t n, size_t *off, const uint8_t **msg, size_t *len);

#endif
