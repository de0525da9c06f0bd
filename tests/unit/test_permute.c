/* SPDX-License-Identifier: MIT */
/* The keyed permutation behind --randomize-hosts: a bijection of [0, n)
 * for every n, reproducible by seed, different across seeds, and spread
 * evenly. */
#include "unit.h"

#include <errno.h>

#include "lib/permute.h"

/* Every position maps into [0, n) and no value comes twice. */
static void check_bijection(uint64_t n, uint64_t seed)
{
    struct permute p;
    assert_int_equal(permute_init(&p, n, seed), 0);
    uint8_t *seen = calloc((size_t)(n + 7) / 8, 1);
    assert_non_null(seen);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v = permute_at(&p, i);
        if (v >= n)
            fail_msg("n=%llu seed=%llu: position %llu gave %llu", (unsigned long long)n,
                     (unsigned long long)seed, (unsigned long long)i, (unsigned long long)v);
        if (seen[v / 8] & (1u << (v % 8)))
            fail_msg("n=%llu seed=%llu: %llu came twice", (unsigned long long)n,
                     (unsigned long long)seed, (unsigned long long)v);
        seen[v / 8] |= (uint8_t)(1u << (v % 8));
    }
    free(seen);
}

static void test_bijection(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {1, 2, 3, 4, 5, 255, 256, 257, 1000, 4095, 4097};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (uint64_t seed = 0; seed < 5; seed++)
            check_bijection(sizes[k], seed * 0x1234567ULL + 1);
    check_bijection(65536, 3);
    check_bijection(65537, 3); /* the worst case of cycle walking: 2^18 for 2^16 + 1 */
    check_bijection(1 << 20, 3);
    /* and some sizes of no particular shape */
    uint64_t x = 88172645463325252ULL;
    for (int k = 0; k < 10; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        check_bijection(1 + x % 100000, x);
    }
}

static void test_zero(void **state)
{
    (void)state;
    struct permute p;
    assert_int_equal(permute_init(&p, 0, 1), -EINVAL);
}

/* The largest range: positions land in it (no overflow at 2^64 - 1). */
static void test_huge(void **state)
{
    (void)state;
    struct permute p;
    const uint64_t sizes[] = {UINT64_MAX, (uint64_t)1 << 63, ((uint64_t)1 << 62) + 3,
                              (uint64_t)1 << 40};
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(permute_init(&p, sizes[k], 7), 0);
        uint64_t prev = permute_at(&p, 0), distinct = 0;
        for (uint64_t i = 0; i < 1000; i++) {
            uint64_t pos = sizes[k] - 1 - i * 7919; /* from the top end too */
            uint64_t v = permute_at(&p, pos);
            assert_true(v < sizes[k]);
            assert_true(permute_at(&p, pos) == v);
            distinct += v != prev;
            prev = v;
        }
        assert_true(distinct >= 990);
    }
}

static void test_reproducible(void **state)
{
    (void)state;
    struct permute a, b, c;
    assert_int_equal(permute_init(&a, 1000, 42), 0);
    assert_int_equal(permute_init(&b, 1000, 42), 0);
    assert_int_equal(permute_init(&c, 1000, 43), 0);
    size_t same_ab = 0, same_ac = 0, fixed = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        same_ab += permute_at(&a, i) == permute_at(&b, i);
        same_ac += permute_at(&a, i) == permute_at(&c, i);
        fixed += permute_at(&a, i) == i;
    }
    assert_int_equal(same_ab, 1000);
    /* two random orders agree in about one place; the identity in one */
    assert_true(same_ac < 20);
    assert_true(fixed < 20);
}

/* Where element 0 ends up, over many seeds: every position about as often
 * (n = 7: a 16-value network walked back into 7). */
static void test_uniform(void **state)
{
    (void)state;
    enum { N1 = 7, SEEDS1 = 7000 };
    unsigned count[N1] = {0};
    for (uint64_t seed = 0; seed < SEEDS1; seed++) {
        struct permute p;
        permute_init(&p, N1, seed);
        for (uint64_t i = 0; i < N1; i++)
            if (permute_at(&p, i) == 0)
                count[i]++;
    }
    /* 1000 expected, standard deviation about 30 */
    for (int i = 0; i < N1; i++)
        if (count[i] < 850 || count[i] > 1150)
            fail_msg("n=7: element 0 at position %d in %u of 7000 seeds", i, count[i]);

    /* and where position 0 leads, over 20000 seeds, in ten buckets of a
     * range of 1000 (2000 expected each, standard deviation about 42) */
    unsigned bucket[10] = {0};
    for (uint64_t seed = 0; seed < 20000; seed++) {
        struct permute p;
        permute_init(&p, 1000, seed * 31 + 5);
        bucket[permute_at(&p, 0) / 100]++;
    }
    for (int i = 0; i < 10; i++)
        if (bucket[i] < 1800 || bucket[i] > 2200)
            fail_msg("n=1000: position 0 gave %d00-%d99 in %u of 20000 seeds", i, i, bucket[i]);
}

/* Neighbours in the range are not neighbours in the order: consecutive
 * positions of a /16 rarely fall in the same /24 (a scan that walks a
 * network in order hits one subnet at a time). */
static void test_spread(void **state)
{
    (void)state;
    struct permute p;
    permute_init(&p, 65536, 99);
    unsigned same = 0;
    for (uint64_t i = 0; i + 1 < 65536; i++)
        same += permute_at(&p, i) >> 8 == permute_at(&p, i + 1) >> 8;
    /* 1 in 256 expected: about 256 */
    assert_true(same < 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bijection),  cmocka_unit_test(test_zero),
        cmocka_unit_test(test_huge),       cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_uniform),    cmocka_unit_test(test_spread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
