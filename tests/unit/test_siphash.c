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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_keyed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
