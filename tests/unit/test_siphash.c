/* SPDX-License-Identifier: MIT */
/* SipHash-2-4 against the reference vectors of the paper (key 00..0f,
 * message 00..len-1). */
#include "unit.h"

#include "lib/siphash.h"

static void test_vectors(void **state)
{
    (void)state;
    uint8_t key[16], msg[64];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
    /* from the paper's appendix and the reference implementation's table */
    assert_true(siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
    assert_true(siphash24(key, msg, 1) == 0x74f839c593dc67fdULL);
    assert_true(siphash24(key, msg, 8) == 0x93f5f5799a932462ULL);
    assert_true(siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL);
    assert_true(siphash24(key, msg, 63) == 0x958a324ceb064572ULL);
}

static void test_keyed(void **state)
{
    (void)state;
    uint8_t k1[16] = {0}, k2[16] = {0};
    k2[15] = 1;
    const char m[] = "10.77.0.2:22";
    assert_true(siphash24(k1, m, sizeof m - 1) != siphash24(k2, m, sizeof m - 1));
    assert_true(siphash24(k1, m, sizeof m - 1) == siphash24(k1, m, sizeof m - 1));
}

/* The one-word form is the general one on that word's 8 bytes. */
static void test_u64(void **state)
{
    (void)state;
    uint8_t key[16], msg[8];
    uint64_t x = 0x0123456789abcdefULL;
    for (int round = 0; round < 100; round++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        for (int i = 0; i < 16; i++)
            key[i] = (uint8_t)(x >> (i * 4) ^ (uint64_t)round * i);
        for (int i = 0; i < 8; i++)
            msg[i] = (uint8_t)(x >> (8 * i));
        uint64_t k0 = 0, k1 = 0;
        for (int i = 7; i >= 0; i--) {
            k0 = k0 << 8 | key[i];
            k1 = k1 << 8 | key[8 + i];
        }
        assert_true(siphash24_u64(k0, k1, x) == siphash24(key, msg, 8));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_keyed),
        cmocka_unit_test(test_u64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
