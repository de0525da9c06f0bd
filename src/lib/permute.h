/* SPDX-License-Identifier: MIT */
/* A keyed pseudorandom permutation of [0, n), for any 1 <= n <= 2^64-1, in
 * O(1) memory and O(1) expected time per element: the i-th element of a
 * shuffled range without storing the range.  --randomize-hosts walks the
 * whole target space with it, so a /8 or an IPv6 /72 is visited in random
 * order without a list of its addresses; the same seed gives the same order.
 *
 * A balanced Feistel network over the smallest even number of bits b that
 * covers n (2^b < 4n), with SipHash-2-4 keyed from the seed as its round
 * function, is a permutation of [0, 2^b); cycle walking (apply it again
 * while the value is >= n) restricts it to [0, n), on average fewer than four
 * applications.  Not a cipher for secrets: its purpose is an order no one
 * can predict without the seed, spread evenly over the space. */
#ifndef PORTSCOUT_PERMUTE_H
#define PORTSCOUT_PERMUTE_H

#include <stdint.h>

struct permute {
    uint64_t n;      /* size of the range */
    unsigned half;   /* bits in each Feistel half (b / 2) */
    uint64_t mask;   /* (1 << half) - 1 */
    uint64_t k0, k1; /* SipHash key, from the seed */
};

/* Set p up for [0, n) under seed.  0, or -EINVAL when n is 0. */
int permute_init(struct permute *p, uint64_t n, uint64_t seed);
/* The element at position i (i < n) of the permuted range. */
uint64_t permute_at(const struct permute *p, uint64_t i);

#endif
