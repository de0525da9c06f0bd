/* SPDX-License-Identifier: MIT */
/* SipHash-2-4, written from the paper's description: four 64-bit lanes
 * initialised from the key, two compression rounds per 8-byte word, the
 * length in the last word's top byte, four finalisation rounds. */
#include "lib/siphash.h"

#include <string.h>

static inline uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

#define SIPROUND(v0, v1, v2, v3)                                                           \
    do {                                                                                   \
        v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);                          \
        v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                                             \
        v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                                             \
        v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);                          \
    } while (0)

/* The four lanes, and the three steps both entry points share. */
struct sip {
    uint64_t v0, v1, v2, v3;
};

static inline struct sip sip_init(uint64_t k0, uint64_t k1)
{
    return (struct sip){k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
                        k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
}

/* One 8-byte word: two compression rounds. */
static inline void sip_word(struct sip *s, uint64_t m)
{
    s->v3 ^= m;
    SIPROUND(s->v0, s->v1, s->v2, s->v3);
    SIPROUND(s->v0, s->v1, s->v2, s->v3);
    s->v0 ^= m;
}

static inline uint64_t sip_final(struct sip *s)
{
    s->v2 ^= 0xff;
    for (int i = 0; i < 4; i++)
        SIPROUND(s->v0, s->v1, s->v2, s->v3);
    return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len)
{
    const uint8_t *in = data;
    struct sip s = sip_init(load_le64(key), load_le64(key + 8));
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8)
        sip_word(&s, load_le64(in + i));
    uint8_t last[8] = {0};
    memcpy(last, in + full, len - full);
    last[7] = (uint8_t)len; /* the length in the last word's top byte */
    sip_word(&s, load_le64(last));
    return sip_final(&s);
}

uint64_t siphash24_u64(uint64_t k0, uint64_t k1, uint64_t m)
{
    struct sip s = sip_init(k0, k1);
    sip_word(&s, m);
    sip_word(&s, (uint64_t)8 << 56); /* no bytes left, length 8 */
    return sip_final(&s);
}
