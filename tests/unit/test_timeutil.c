/* SPDX-License-Identifier: MIT */
/* nmap-style time values and the monotonic clock. */
#include "unit.h"

#include <errno.h>

#include "lib/timeutil.h"

static usec_t parse(const char *s, usec_t bare)
{
    usec_t v = -12345;
    int r = parse_time_usec(s, bare, &v);
    if (r != 0)
        fail_msg("parse_time_usec(\"%s\") = %d", s, r);
    return v;
}

static void test_units(void **state)
{
    (void)state;
    assert_int_equal(parse("500ms", USEC_PER_SEC), 500000);
    assert_int_equal(parse("2s", USEC_PER_SEC), 2000000);
    assert_int_equal(parse("1.5", USEC_PER_SEC), 1500000);
    assert_int_equal(parse("10m", USEC_PER_SEC), 600000000);
    assert_int_equal(parse("1h", USEC_PER_SEC), INT64_C(3600000000));
    assert_int_equal(parse("0", USEC_PER_SEC), 0);
    assert_int_equal(parse("0ms", USEC_PER_SEC), 0);
    assert_int_equal(parse("2.5s", USEC_PER_SEC), 2500000);
    assert_int_equal(parse("0.5ms", USEC_PER_SEC), 500);
    assert_int_equal(parse("1.0005s", USEC_PER_SEC), 1000500);
    assert_int_equal(parse(".25s", USEC_PER_SEC), 250000);
    assert_int_equal(parse("24h", USEC_PER_SEC), INT64_C(86400000000));
    assert_int_equal(parse("30", USEC_PER_SEC), 30000000);
    /* the bare unit is the caller's */
    assert_int_equal(parse("250", USEC_PER_MSEC), 250000);
    assert_int_equal(parse("250", 1), 250);
    assert_int_equal(parse("2s", USEC_PER_MSEC), 2000000);
    /* rounded to the nearest microsecond */
    assert_int_equal(parse("0.0000004", USEC_PER_SEC), 0);
    assert_int_equal(parse("0.0000006", USEC_PER_SEC), 1);
}

static void bad(const char *s)
{
    usec_t v = 777;
    int r = parse_time_usec(s, USEC_PER_SEC, &v);
    if (r != -EINVAL)
        fail_msg("parse_time_usec(\"%s\") = %d (value %lld), want -EINVAL", s, r, (long long)v);
    assert_int_equal(v, 777); /* untouched */
}

static void test_errors(void **state)
{
    (void)state;
    bad("abc");
    bad("-1");
    bad("-0");
    bad("+1");
    bad("5x");
    bad("");
    bad("1e400");
    bad("nan");
    bad("inf");
    bad("infs");
    bad("ms");
    bad("s");
    bad("5 s");
    bad("5s ");
    bad("5S");
    bad("5MS");
    bad("5sec");
    bad("5mss");
    bad("1d");
    bad("5.5.5");
    bad("1e16");      /* microseconds: above the sanity limit */
    bad("300000000h"); /* ~34000 years */
}

static void test_now(void **state)
{
    (void)state;
    usec_t a = now_usec();
    usec_t b = now_usec();
    assert_true(a > 0);
    assert_true(b >= a);
    assert_true(b - a < 10 * USEC_PER_SEC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
