/* SPDX-License-Identifier: MIT */
/* Target specification (nmap syntax) and lazy iteration over it.
 *
 * A target list holds parsed tokens, never expanded addresses: an IPv4 token
 * is four octet sets (which covers literals, CIDR blocks, octet ranges and
 * lists such as 10.0.0,2.1-254), an IPv6 token is a prefix, and a host name
 * is resolved only when iteration reaches it.  Iterating a /8 therefore costs
 * no memory. */
#ifndef PORTSCOUT_TARGET_H
#define PORTSCOUT_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "lib/permute.h"

enum target_kind { TARGET_V4, TARGET_V6, TARGET_NAME };

struct target_token {
    enum target_kind kind;
    char *text;            /* the token as the user wrote it */
    uint8_t octets[4][32]; /* TARGET_V4: bitmap of allowed values per octet */
    struct in6_addr v6;    /* TARGET_V6: the (masked) prefix */
    int prefix;            /* TARGET_V6/TARGET_NAME: prefix length, -1 if none */
    char *name;            /* TARGET_NAME: host name without /prefix */
    struct ip_addr *resolved; /* TARGET_NAME: its addresses, when resolved ahead */
    size_t nresolved;
    int looked_up;            /* resolved ahead (naming.c): resolved/nresolved are
                               * the answer, even when empty; iteration asks no one */
};

struct target_list {
    struct target_token *tok;
    size_t n, cap;
};

#define TARGET_ERRLEN 256

/* Parse one token (no white space) of address family `family` (AF_INET or
 * AF_INET6) and append it.  Returns 0, or -EINVAL with a message naming the
 * token in err. */
int target_list_add(struct target_list *l, const char *token, int family, char *err,
                    size_t errlen);
/* Split text on white space (and commas when `commas` is set, as in
 * --exclude) and add every token.  Lines may carry '#' comments. */
int target_list_add_text(struct target_list *l, const char *text, int family, int commas,
                         char *err, size_t errlen);
/* Resolve the names of an exclude list so target_list_contains can match
 * them.  Returns 0, or -ENOENT with err naming the first name that failed. */
int target_list_resolve_names(struct target_list *l, int family, char *err, size_t errlen);
/* Does any token of l cover a?  Unresolved names never match. */
int target_list_contains(const struct target_list *l, const struct ip_addr *a);
void target_list_free(struct target_list *l);
/* How many addresses the list names (names count one; exclusions are not
 * subtracted; saturates at UINT64_MAX).  For progress estimates. */
uint64_t target_list_count(const struct target_list *l);

/* One target handed to the scan engine. */
struct target {
    struct ip_addr addr;
    char *name;              /* user-given host name, or NULL; owned */
    struct ip_addr *others;  /* other addresses of that name (not scanned); owned */
    size_t nothers;
};
void target_clear(struct target *t);

struct target_block; /* target.c's record of a resolved name/prefix */

struct target_iter {
    const struct target_list *list;
    const struct target_list *exclude; /* may be NULL */
    int family;
    size_t tok;        /* current token */
    int started;       /* current token has produced its first address */
    uint8_t cur[4];    /* TARGET_V4 odometer */
    struct in6_addr v6cur;
    /* TARGET_NAME: resolved addresses */
    struct ip_addr *res;
    size_t nres;
    struct target_token dyn; /* name/prefix: the block around its address */
    /* --randomize-hosts (target_iter_init_random): position rpos of a
     * permutation of the whole space of rtotal addresses */
    int randomized;
    struct permute perm;
    uint64_t rpos, rtotal;
    uint64_t *cum;               /* per token: its addresses and all before it */
    struct target_block *blocks; /* name/prefix tokens, resolved once */
    size_t nblocks;
    /* the octet maps of the last IPv4 token decoded, digested: how many
     * values each has, its first, and whether they are contiguous */
    size_t radix_tok;
    unsigned radix[4];
    uint8_t radix_first[4], radix_contig[4];
};

void target_iter_init(struct target_iter *it, const struct target_list *l,
                      const struct target_list *exclude, int family);
/* The same in a random order (--randomize-hosts): every address of every
 * token, in a permutation of the whole space keyed by seed (the same seed,
 * the same order), minus the excluded ones.  A name counts one address and
 * is resolved when reached; a name/prefix counts its block's addresses and
 * is resolved when the first of them is reached.  Memory stays O(tokens)
 * whatever the space's size.  Returns 0, or -EOVERFLOW when the space holds
 * more than 2^64 - 1 addresses (err says so). */
int target_iter_init_random(struct target_iter *it, const struct target_list *l,
                            const struct target_list *exclude, int family, uint64_t seed,
                            char *err, size_t errlen);
/* Next target.  Returns 1 with *t filled (caller clears it), 0 at the end,
 * or -ENOENT when a name failed to resolve (err says which; iteration may
 * continue with the next call). */
int target_iter_next(struct target_iter *it, struct target *t, char *err, size_t errlen);
void target_iter_free(struct target_iter *it);

#endif
