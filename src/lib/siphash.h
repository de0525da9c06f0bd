/* SPDX-License-Identifier: MIT */
/* SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash for short
 * inputs.  Raw scans key their probe cookies with it, so that a reply can be
 * checked without state and cannot be forged without the scan's secret. */
#ifndef PORTSCOUT_SIPHASH_H
#define PORTSCOUT_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);
/* The same for one 64-bit word (hashed as its 8 little-endian bytes), with
 * the key as two words (its two little-endian halves): the hot path of
 * permute.c, which hashes one word per Feistel round. */
uint64_t siphash24_u64(uint64_t k0, uint64_t k1, uint64_t m);

#endif
