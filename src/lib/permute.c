/* SPDX-License-Identifier: MIT */
#include "lib/permute.h"

#include <errno.h>
#include <string.h>

#include "lib/siphash.h"

/* Rounds of the Feistel network.  Four make a keyed Feistel network
 * indistinguishable from a random permutation in theory (Luby and Rackoff),
 * but on the tiny domains of small target lists (a few bits per half) a
 * few more rounds visibly even out the order; a SipHash call is ~15 ns. */
#define PERMUTE_ROUNDS 6

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int permute_init(struct permute *p, uint64_t n, uint64_t seed)
{
    if (n == 0)
        return -EINVAL;
    memset(p, 0, sizeof *p);
    p->n = n;
    /* bits to hold n - 1, rounded up to an even number, at least 2 */
    unsigned bits = n > 1 ? 64 - (unsigned)__builtin_clzll(n - 1) : 2;
    bits += bits & 1;
    if (bits < 2)
        bits = 2;
    p->half = bits / 2;
    p->mask = ((uint64_t)1 << p->half) - 1;
    uint64_t s = seed;
    p->k0 = splitmix(&s);
    p->k1 = splitmix(&s);
    return 0;
}

/* The round function: the round number and one half, hashed under the
 * key, cut to a half's width.  (SipHash reads its words little-endian
 * whatever the machine, so a seed names the same order everywhere.) */
static uint64_t round_fn(const struct permute *p, unsigned round, uint64_t half)
{
    return siphash24_u64(p->k0, p->k1, half | (uint64_t)round << 32) & p->mask;
}

/* One pass of the Feistel network over [0, 2^(2 * half)). */
static uint64_t feistel(const struct permute *p, uint64_t x)
{
    uint64_t left = x >> p->half, right = x & p->mask;
    for (unsigned r = 0; r < PERMUTE_ROUNDS; r++) {
        uint64_t next = left ^ round_fn(p, r, right);
        left = right;
        right = next;
    }
    return left << p->half | right;
}

uint64_t permute_at(const struct permute *p, uint64_t i)
{
    if (p->n == 1)
        return 0;
    /* Cycle walking: the network's cycles through [0, 2^b) pass through
     * [0, n) in the same order, so following one from i until it comes back
     * into the range is a permutation of the range.  2^b < 4n, so each step
     * lands in range with probability above 1/4. */
    uint64_t x = i;
    do
        x = feistel(p, x);
    while (x >= p->n);
    return x;
}
