/* SPDX-License-Identifier: MIT */
/* Target specifications: parsing, lazy iteration, exclusion. */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

#include "target.h"

/* ---- helpers ---------------------------------------------------------- */

static void add_ok(struct target_list *l, const char *tok, int family)
{
    char err[TARGET_ERRLEN] = "";
    int r = target_list_add(l, tok, family, err, sizeof err);
    if (r != 0)
        fail_msg("target_list_add(\"%s\") = %d: %s", tok, r, err);
}

/* Adding `tok` fails with -EINVAL, leaves the list alone, and the message
 * contains `want` (the token itself unless told otherwise). */
static void add_bad(const char *tok, int family, const char *want)
{
    struct target_list l = {0};
    char err[TARGET_ERRLEN] = "";
    add_ok(&l, "10.0.0.1", AF_INET);
    int r = target_list_add(&l, tok, family, err, sizeof err);
    if (r != -EINVAL)
        fail_msg("target_list_add(\"%s\") = %d, want -EINVAL", tok, r);
    assert_int_equal(l.n, 1);
    assert_contains(err, want ? want : tok);
    target_list_free(&l);
}

/* Iterate l (minus ex) and return the addresses joined by spaces, at most
 * `max` of them; *count gets the number produced. */
static char *walk(const struct target_list *l, const struct target_list *ex, int family,
                  size_t max, size_t *count)
{
    struct target_iter it;
    struct target t;
    char err[TARGET_ERRLEN];
    size_t cap = 64, len = 0, n = 0;
    char *out = calloc(cap, 1);
    assert_non_null(out);
    target_iter_init(&it, l, ex, family);
    int r;
    while ((r = target_iter_next(&it, &t, err, sizeof err)) == 1) {
        if (n++ < max) {
            char a[IP_ADDR_STRLEN];
            ip_addr_str(&t.addr, a);
            size_t al = strlen(a);
            while (len + al + 2 > cap) {
                out = realloc(out, cap *= 2);
                assert_non_null(out);
            }
            if (len)
                out[len++] = ' ';
            memcpy(out + len, a, al + 1);
            len += al;
        }
        target_clear(&t);
    }
    if (r != 0)
        fail_msg("target_iter_next = %d: %s", r, err);
    target_iter_free(&it);
    if (count)
        *count = n;
    return out;
}

static void expect_walk(const char *spec, int family, const char *want)
{
    struct target_list l = {0};
    char err[TARGET_ERRLEN] = "";
    if (target_list_add_text(&l, spec, family, 0, err, sizeof err) != 0)
        fail_msg("\"%s\": %s", spec, err);
    char *got = walk(&l, NULL, family, 1000, NULL);
    if (strcmp(got, want) != 0)
        fail_msg("\"%s\" gives \"%s\", want \"%s\"", spec, got, want);
    free(got);
    target_list_free(&l);
}

/* Count the addresses of one token; also report the first and last. */
static size_t count_token(const char *tok, int family, char *first, char *last)
{
    struct target_list l = {0};
    struct target_iter it;
    struct target t;
    char err[TARGET_ERRLEN];
    size_t n = 0;
    add_ok(&l, tok, family);
    target_iter_init(&it, &l, NULL, family);
    while (target_iter_next(&it, &t, err, sizeof err) == 1) {
        if (n == 0 && first)
            ip_addr_str(&t.addr, first);
        if (last)
            ip_addr_str(&t.addr, last);
        n++;
        target_clear(&t);
    }
    target_iter_free(&it);
    target_list_free(&l);
    return n;
}

static struct ip_addr addr(const char *s)
{
    struct ip_addr a;
    if (ip_addr_parse(s, AF_UNSPEC, &a) != 0)
        fail_msg("bad address literal %s in the test", s);
    return a;
}

static int contains(const struct target_list *l, const char *s)
{
    struct ip_addr a = addr(s);
    return target_list_contains(l, &a);
}

static unsigned popcount256(const uint8_t bm[32])
{
    unsigned n = 0;
    for (int i = 0; i < 32; i++)
        n += (unsigned)__builtin_popcount(bm[i]);
    return n;
}

/* ---- IPv4 --------------------------------------------------------------- */

static void test_v4_literal(void **state)
{
    (void)state;
    struct target_list l = {0};
    add_ok(&l, "192.168.1.7", AF_INET);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.tok[0].kind, TARGET_V4);
    assert_string_equal(l.tok[0].text, "192.168.1.7");
    char *got = walk(&l, NULL, AF_INET, 10, NULL);
    assert_string_equal(got, "192.168.1.7");
    free(got);
    target_list_free(&l);
    assert_int_equal(l.n, 0);
    assert_null(l.tok);

    expect_walk("0.0.0.0", AF_INET, "0.0.0.0");
    expect_walk("255.255.255.255", AF_INET, "255.255.255.255");
}

static void test_v4_cidr(void **state)
{
    (void)state;
    char first[IP_ADDR_STRLEN], last[IP_ADDR_STRLEN];

    assert_int_equal(count_token("10.1.2.3/32", AF_INET, first, last), 1);
    assert_string_equal(first, "10.1.2.3");

    expect_walk("10.1.2.3/31", AF_INET, "10.1.2.2 10.1.2.3");
    expect_walk("10.0.0.5/30", AF_INET, "10.0.0.4 10.0.0.5 10.0.0.6 10.0.0.7");
    expect_walk("10.0.0.255/31", AF_INET, "10.0.0.254 10.0.0.255");

    assert_int_equal(count_token("10.1.2.77/24", AF_INET, first, last), 256);
    assert_string_equal(first, "10.1.2.0");
    assert_string_equal(last, "10.1.2.255");

    assert_int_equal(count_token("10.0.1.9/23", AF_INET, first, last), 512);
    assert_string_equal(first, "10.0.0.0");
    assert_string_equal(last, "10.0.1.255");

    assert_int_equal(count_token("192.168.77.1/20", AF_INET, first, last), 4096);
    assert_string_equal(first, "192.168.64.0");
    assert_string_equal(last, "192.168.79.255");
}

/* A /8 iterates lazily: 2^24 addresses, no per-address memory. */
static void test_v4_cidr8_count(void **state)
{
    (void)state;
    char first[IP_ADDR_STRLEN], last[IP_ADDR_STRLEN];
    assert_int_equal(count_token("10.200.3.4/8", AF_INET, first, last), 16777216);
    assert_string_equal(first, "10.0.0.0");
    assert_string_equal(last, "10.255.255.255");
}

/* /0 is every address: counted from the octet sets (2^32 iterations would
 * take minutes), its start walked. */
static void test_v4_cidr0(void **state)
{
    (void)state;
    struct target_list l = {0};
    add_ok(&l, "1.2.3.4/0", AF_INET);
    uint64_t total = 1;
    for (int i = 0; i < 4; i++)
        total *= popcount256(l.tok[0].octets[i]);
    assert_int_equal(total, UINT64_C(4294967296));
    assert_true(contains(&l, "0.0.0.0"));
    assert_true(contains(&l, "255.255.255.255"));
    assert_true(contains(&l, "1.2.3.4"));

    size_t n;
    struct target_iter it;
    struct target t;
    char err[TARGET_ERRLEN];
    const char *want[] = {"0.0.0.0", "0.0.0.1", "0.0.0.2", "0.0.0.3"};
    target_iter_init(&it, &l, NULL, AF_INET);
    for (n = 0; n < 4; n++) {
        char a[IP_ADDR_STRLEN];
        assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 1);
        assert_string_equal(ip_addr_str(&t.addr, a), want[n]);
        target_clear(&t);
    }
    target_iter_free(&it);

    /* a /12 counted from its octet sets, and its edges */
    target_list_free(&l);
    add_ok(&l, "172.20.5.4/12", AF_INET);
    total = 1;
    for (int i = 0; i < 4; i++)
        total *= popcount256(l.tok[0].octets[i]);
    assert_int_equal(total, 1u << 20);
    assert_true(contains(&l, "172.16.0.0"));
    assert_true(contains(&l, "172.31.255.255"));
    assert_false(contains(&l, "172.32.0.0"));
    assert_false(contains(&l, "172.15.255.255"));
    target_list_free(&l);
}

static void test_v4_octet_ranges(void **state)
{
    (void)state;
    expect_walk("10.0.0,2.1-3", AF_INET,
                "10.0.0.1 10.0.0.2 10.0.0.3 10.0.2.1 10.0.2.2 10.0.2.3");
    expect_walk("1-2.0.0.1", AF_INET, "1.0.0.1 2.0.0.1");
    expect_walk("10.0.0.1,1,1-2", AF_INET, "10.0.0.1 10.0.0.2");
    expect_walk("10.0.0.9,3", AF_INET, "10.0.0.3 10.0.0.9"); /* ascending, as a set */
    expect_walk("10.0.0.-5", AF_INET, "10.0.0.0 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5");
    expect_walk("10.0.0.250-", AF_INET,
                "10.0.0.250 10.0.0.251 10.0.0.252 10.0.0.253 10.0.0.254 10.0.0.255");
    expect_walk("10.0.0.1,3,5-6,254-", AF_INET,
                "10.0.0.1 10.0.0.3 10.0.0.5 10.0.0.6 10.0.0.254 10.0.0.255");
    expect_walk("1.2.3.254-", AF_INET, "1.2.3.254 1.2.3.255");
    expect_walk("-1.0.0.1", AF_INET, "0.0.0.1 1.0.0.1");
    expect_walk("10.0-1.255.254-", AF_INET,
                "10.0.255.254 10.0.255.255 10.1.255.254 10.1.255.255");

    char first[IP_ADDR_STRLEN], last[IP_ADDR_STRLEN];
    assert_int_equal(count_token("192.168.1.*", AF_INET, first, last), 256);
    assert_string_equal(first, "192.168.1.0");
    assert_string_equal(last, "192.168.1.255");

    assert_int_equal(count_token("10.0.0.-", AF_INET, first, last), 256);
    assert_string_equal(first, "10.0.0.0");
    assert_string_equal(last, "10.0.0.255");

    assert_int_equal(count_token("10.*.1-2.7", AF_INET, first, last), 512);
    assert_string_equal(first, "10.0.1.7");
    assert_string_equal(last, "10.255.2.7");
}

/* A hostile but valid token: a 100 KB octet list. */
static void test_v4_long_octet_list(void **state)
{
    (void)state;
    size_t n = 50000;
    char *tok = malloc(8 + 2 * n);
    assert_non_null(tok);
    strcpy(tok, "1.2.3.");
    char *p = tok + strlen(tok);
    for (size_t i = 0; i < n; i++) {
        memcpy(p, i ? ",7" : "7", i ? 2 : 1);
        p += i ? 2 : 1;
    }
    *p = '\0';
    expect_walk(tok, AF_INET, "1.2.3.7");
    free(tok);
}

static void test_v4_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "1.2.3.256", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.4/33", "1.2.3.4/",
        "1.2.3.4/-1", "5-3.0.0.1", "1.2.3.4,", ",1.2.3.4", "1.2.3.", ".1.2.3",
        "1.2.3.4/24/1", "1.2.3.4/x", "10.0.0.*/24", "10.0.0.1-2/24", "1-2-3.0.0.1",
        "*", "1.2.3.*4", "1.2.3.1000", "1.2.3.99999999999", "256.0.0.0/8",
        "1.2.3.4/1234567890123", "-", "1,2", "1.2.3.4 ", "1.2.3.4-5-6", "1.2.3.0-256",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        add_bad(bad[i], AF_INET, NULL);
}

/* ---- exclusion ------------------------------------------------------------ */

static void test_exclude(void **state)
{
    (void)state;
    struct target_list l = {0}, ex = {0};
    char err[TARGET_ERRLEN];
    add_ok(&l, "10.0.0.0/29", AF_INET);
    assert_int_equal(target_list_add_text(&ex, "10.0.0.2, 10.0.0.4/31,10.9.9.9", AF_INET, 1,
                                          err, sizeof err), 0);
    assert_int_equal(ex.n, 3);
    size_t n;
    char *got = walk(&l, &ex, AF_INET, 100, &n);
    assert_string_equal(got, "10.0.0.0 10.0.0.1 10.0.0.3 10.0.0.6 10.0.0.7");
    assert_int_equal(n, 5);
    free(got);

    assert_true(contains(&ex, "10.0.0.5"));
    assert_true(contains(&ex, "10.9.9.9"));
    assert_false(contains(&ex, "10.0.0.6"));
    assert_false(contains(&ex, "::1"));
    assert_false(target_list_contains(NULL, &(struct ip_addr){.family = AF_INET}));

    /* everything excluded: nothing left, and the walk ends */
    target_list_free(&ex);
    add_ok(&ex, "10.0.0.*", AF_INET);
    got = walk(&l, &ex, AF_INET, 100, &n);
    assert_int_equal(n, 0);
    assert_string_equal(got, "");
    free(got);

    /* an exclusion between two tokens */
    target_list_free(&l);
    target_list_free(&ex);
    add_ok(&l, "10.0.0.1", AF_INET);
    add_ok(&l, "10.0.0.2", AF_INET);
    add_ok(&l, "10.0.0.3", AF_INET);
    add_ok(&ex, "10.0.0.2", AF_INET);
    got = walk(&l, &ex, AF_INET, 100, &n);
    assert_string_equal(got, "10.0.0.1 10.0.0.3");
    free(got);
    target_list_free(&l);
    target_list_free(&ex);
}

static void test_exclude_v6(void **state)
{
    (void)state;
    struct target_list l = {0}, ex = {0};
    add_ok(&l, "fd00::/125", AF_INET6);
    add_ok(&ex, "fd00::4/126", AF_INET6);
    add_ok(&ex, "fd00::1", AF_INET6);
    add_ok(&ex, "10.0.0.0/8", AF_INET); /* another family never matches */
    char *got = walk(&l, &ex, AF_INET6, 100, NULL);
    assert_string_equal(got, "fd00:: fd00::2 fd00::3");
    free(got);
    target_list_free(&l);
    target_list_free(&ex);
}

/* ---- IPv6 ------------------------------------------------------------- */

static void test_v6(void **state)
{
    (void)state;
    struct target_list l = {0};
    add_ok(&l, "fd00::5/126", AF_INET6);
    assert_int_equal(l.tok[0].kind, TARGET_V6);
    assert_int_equal(l.tok[0].prefix, 126);
    target_list_free(&l);

    expect_walk("fd00::/126", AF_INET6, "fd00:: fd00::1 fd00::2 fd00::3");
    expect_walk("fd00::7/126", AF_INET6, "fd00::4 fd00::5 fd00::6 fd00::7");
    expect_walk("::1", AF_INET6, "::1");
    expect_walk("2001:db8::1/128", AF_INET6, "2001:db8::1");
    expect_walk("2001:db8::/127", AF_INET6, "2001:db8:: 2001:db8::1");
    expect_walk("::1 fd00::/127 ::1", AF_INET6, "::1 fd00:: fd00::1 ::1");
}

static void test_v6_ranges(void **state)
{
    (void)state;
    char first[IP_ADDR_STRLEN], last[IP_ADDR_STRLEN];
    assert_int_equal(count_token("2001:db8::ab/120", AF_INET6, first, last), 256);
    assert_string_equal(first, "2001:db8::");
    assert_string_equal(last, "2001:db8::ff");

    assert_int_equal(count_token("2001:db8::/116", AF_INET6, first, last), 4096);
    assert_string_equal(last, "2001:db8::fff");

    /* prefixes that do not end on a byte */
    assert_int_equal(count_token("2001:db8::/125", AF_INET6, first, last), 8);
    assert_string_equal(last, "2001:db8::7");
    assert_int_equal(count_token("2001:db8::1:0/111", AF_INET6, first, last), 131072);
    assert_string_equal(first, "2001:db8::");
    assert_string_equal(last, "2001:db8::1:ffff");

    /* ::/0 starts at :: and carries across bytes */
    struct target_list l = {0};
    add_ok(&l, "::/0", AF_INET6);
    size_t n;
    struct target_iter it;
    struct target t;
    char err[TARGET_ERRLEN], a[IP_ADDR_STRLEN];
    target_iter_init(&it, &l, NULL, AF_INET6);
    for (n = 0; n < 300; n++) {
        assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 1);
        ip_addr_str(&t.addr, a);
        if (n == 0)
            assert_string_equal(a, "::");
        if (n == 1)
            assert_string_equal(a, "::1");
        if (n == 2)
            assert_string_equal(a, "::2");
        if (n == 255)
            assert_string_equal(a, "::ff");
        if (n == 256)
            assert_string_equal(a, "::100");
        target_clear(&t);
    }
    target_iter_free(&it);
    assert_true(contains(&l, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
    target_list_free(&l);
}

static void test_v6_family(void **state)
{
    (void)state;
    /* IPv6 needs -6; IPv4 patterns are refused with -6 */
    add_bad("::1", AF_INET, "::1");
    add_bad("fd00::/126", AF_INET, "fd00::/126");
    {
        struct target_list l = {0};
        char err[TARGET_ERRLEN] = "";
        assert_int_equal(target_list_add(&l, "::1", AF_INET, err, sizeof err), -EINVAL);
        assert_contains(err, "-6");
        assert_int_equal(target_list_add(&l, "10.0.0.1", AF_INET6, err, sizeof err), -EINVAL);
        assert_contains(err, "10.0.0.1");
        assert_contains(err, "-6");
        assert_int_equal(l.n, 0);
        target_list_free(&l);
    }
    add_bad("10.0.0.0/8", AF_INET6, NULL);
    add_bad("10.0.0.*", AF_INET6, NULL);
}

static void test_v6_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "::1/129", "gg::1", ":::", "1::2::3", "::1/", "::1/-1", "fe80::1%eth0",
        "::1/12x", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.256",
        "0000:0000:0000:0000:0000:0000:0000:0000:0000/64", "[::1]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        add_bad(bad[i], AF_INET6, NULL);
}

/* ---- host names --------------------------------------------------------- */

static void test_names_parse(void **state)
{
    (void)state;
    struct target_list l = {0};
    add_ok(&l, "localhost", AF_INET);
    add_ok(&l, "localhost/30", AF_INET);
    add_ok(&l, "scanme.example.com", AF_INET); /* parsed, never resolved here */
    add_ok(&l, "my_host-1.lan", AF_INET);
    add_ok(&l, "localhost/64", AF_INET6);
    assert_int_equal(l.n, 5);
    assert_int_equal(l.tok[0].kind, TARGET_NAME);
    assert_string_equal(l.tok[0].name, "localhost");
    assert_int_equal(l.tok[0].prefix, -1);
    assert_int_equal(l.tok[1].kind, TARGET_NAME);
    assert_string_equal(l.tok[1].name, "localhost");
    assert_string_equal(l.tok[1].text, "localhost/30");
    assert_int_equal(l.tok[1].prefix, 30);
    assert_string_equal(l.tok[2].name, "scanme.example.com");
    assert_int_equal(l.tok[4].prefix, 64);
    target_list_free(&l);

    add_bad("localhost/33", AF_INET, "localhost/33");
    add_bad("localhost/129", AF_INET6, "localhost/129");
    add_bad("localhost/", AF_INET, "localhost/");
}

static void test_names_iterate(void **state)
{
    (void)state;
    struct target_list l = {0};
    struct target_iter it;
    struct target t;
    char err[TARGET_ERRLEN], a[IP_ADDR_STRLEN];

    add_ok(&l, "localhost", AF_INET);
    target_iter_init(&it, &l, NULL, AF_INET);
    assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 1);
    assert_string_equal(ip_addr_str(&t.addr, a), "127.0.0.1");
    assert_non_null(t.name);
    assert_string_equal(t.name, "localhost");
    target_clear(&t);
    assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 0);
    target_iter_free(&it);
    target_list_free(&l);

    /* a name with a prefix is the block around its address */
    expect_walk("localhost/30", AF_INET, "127.0.0.0 127.0.0.1 127.0.0.2 127.0.0.3");
    expect_walk("10.0.0.1 localhost 10.0.0.2", AF_INET, "10.0.0.1 127.0.0.1 10.0.0.2");
}

static void test_names_exclude(void **state)
{
    (void)state;
    struct target_list l = {0}, ex = {0};
    char err[TARGET_ERRLEN];
    add_ok(&l, "127.0.0.0/30", AF_INET);
    add_ok(&ex, "localhost", AF_INET);
    /* unresolved names never match */
    assert_false(contains(&ex, "127.0.0.1"));
    assert_int_equal(target_list_resolve_names(&ex, AF_INET, err, sizeof err), 0);
    assert_int_equal(ex.tok[0].nresolved, 1);
    assert_true(contains(&ex, "127.0.0.1"));
    assert_false(contains(&ex, "127.0.0.2"));
    char *got = walk(&l, &ex, AF_INET, 100, NULL);
    assert_string_equal(got, "127.0.0.0 127.0.0.2 127.0.0.3");
    free(got);

    /* a name/prefix excludes the block */
    target_list_free(&ex);
    add_ok(&ex, "localhost/31", AF_INET);
    assert_int_equal(target_list_resolve_names(&ex, AF_INET, err, sizeof err), 0);
    got = walk(&l, &ex, AF_INET, 100, NULL);
    assert_string_equal(got, "127.0.0.2 127.0.0.3");
    free(got);

    /* a name excluded from a list of names */
    target_list_free(&l);
    target_list_free(&ex);
    add_ok(&l, "localhost", AF_INET);
    add_ok(&l, "10.0.0.1", AF_INET);
    add_ok(&ex, "127.0.0.1", AF_INET);
    got = walk(&l, &ex, AF_INET, 100, NULL);
    assert_string_equal(got, "10.0.0.1");
    free(got);
    target_list_free(&l);
    target_list_free(&ex);
}

static void test_names_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "-oops", "a b", "foo$bar", "exa mple", "foo/bar", "host:80x", ".example",
        "ex@mple.com", "foo\tbar", "foo\nbar", "caf\xc3\xa9.example", "http://example.com",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        add_bad(bad[i], AF_INET, NULL);

    struct target_list l = {0};
    char err[TARGET_ERRLEN] = "";
    assert_int_equal(target_list_add(&l, "", AF_INET, err, sizeof err), -EINVAL);
    assert_contains(err, "empty");
    assert_int_equal(l.n, 0);

    /* a name of 254 characters is one too many */
    char name[300];
    memset(name, 'a', 254);
    name[254] = '\0';
    add_bad(name, AF_INET, "aaaaaaaa");
    name[253] = '\0';
    add_ok(&l, name, AF_INET);
    target_list_free(&l);
}

/* 100 KB tokens of every kind: refused, the message truncated, not
 * overflowing. */
static void test_huge_tokens(void **state)
{
    (void)state;
    const size_t n = 100 * 1024;
    char *s = malloc(n + 1);
    assert_non_null(s);
    static const char fills[] = {'a', '1', '.', ':', '-', ',', '*', '/', '$'};
    for (size_t f = 0; f < sizeof fills; f++) {
        memset(s, fills[f], n);
        s[n] = '\0';
        struct target_list l = {0};
        char err[TARGET_ERRLEN];
        memset(err, 'X', sizeof err);
        int fam = fills[f] == ':' ? AF_INET6 : AF_INET;
        int r = target_list_add(&l, s, fam, err, sizeof err);
        if (r != -EINVAL)
            fail_msg("100 KB of '%c': %d, want -EINVAL", fills[f], r);
        assert_non_null(memchr(err, '\0', sizeof err));
        assert_true(strlen(err) > 10);
        assert_int_equal(l.n, 0);
        target_list_free(&l);
    }
    /* and a 100 KB hostile -iL text */
    size_t len = n - n % 12;
    for (size_t i = 0; i < len; i++)
        s[i] = "1.2.3.4 #x\n,"[i % 12];
    s[len] = '\0';
    struct target_list l = {0};
    char err[TARGET_ERRLEN];
    assert_int_equal(target_list_add_text(&l, s, AF_INET, 1, err, sizeof err), 0);
    assert_int_equal(l.n, len / 12);
    target_list_free(&l);
    free(s);
}

/* ---- -iL text ------------------------------------------------------------- */

static void test_text(void **state)
{
    (void)state;
    struct target_list l = {0};
    char err[TARGET_ERRLEN] = "";
    const char *text = "# targets for the lab\n"
                       "10.0.0.1  10.0.0.2\t# two hosts\n"
                       "\n"
                       "   10.0.1.0/31\r\n"
                       "#10.9.9.9\n"
                       "10.0.0.3#no space before the comment\n"
                       "localhost";
    assert_int_equal(target_list_add_text(&l, text, AF_INET, 0, err, sizeof err), 0);
    assert_int_equal(l.n, 5);
    assert_string_equal(l.tok[0].text, "10.0.0.1");
    assert_string_equal(l.tok[1].text, "10.0.0.2");
    assert_string_equal(l.tok[2].text, "10.0.1.0/31");
    assert_string_equal(l.tok[3].text, "10.0.0.3");
    assert_string_equal(l.tok[4].text, "localhost");
    char *got = walk(&l, NULL, AF_INET, 100, NULL);
    assert_string_equal(got, "10.0.0.1 10.0.0.2 10.0.1.0 10.0.1.1 10.0.0.3 127.0.0.1");
    free(got);
    target_list_free(&l);

    /* nothing but comments and space */
    assert_int_equal(target_list_add_text(&l, "# a\n\n  \t# b\n", AF_INET, 0, err, sizeof err), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(target_list_add_text(&l, "", AF_INET, 0, err, sizeof err), 0);
    assert_int_equal(l.n, 0);

    /* commas split only when asked (--exclude); otherwise an octet list */
    assert_int_equal(target_list_add_text(&l, "10.0.0.1,10.0.0.2, 10.0.0.3,,", AF_INET, 1,
                                          err, sizeof err), 0);
    assert_int_equal(l.n, 3);
    target_list_free(&l);
    assert_int_equal(target_list_add_text(&l, "10.0.0.1,10.0.0.2", AF_INET, 0, err,
                                          sizeof err), -EINVAL);
    assert_contains(err, "10.0.0.1,10.0.0.2");
    assert_int_equal(target_list_add_text(&l, "10.0.0.1,2", AF_INET, 0, err, sizeof err), 0);
    assert_int_equal(l.n, 1);
    target_list_free(&l);

    /* an error names the bad token; the tokens before it stay */
    assert_int_equal(target_list_add_text(&l, "10.0.0.1\n10.0.0.300\n10.0.0.2\n", AF_INET, 0,
                                          err, sizeof err), -EINVAL);
    assert_contains(err, "10.0.0.300");
    assert_int_equal(l.n, 1);
    target_list_free(&l);

    /* IPv6 text */
    assert_int_equal(target_list_add_text(&l, "fd00::1 # one\nfd00::/127\n", AF_INET6, 0, err,
                                          sizeof err), 0);
    got = walk(&l, NULL, AF_INET6, 100, NULL);
    assert_string_equal(got, "fd00::1 fd00:: fd00::1");
    free(got);
    target_list_free(&l);
}

static void test_iter_empty(void **state)
{
    (void)state;
    struct target_list l = {0};
    struct target_iter it;
    struct target t;
    char err[TARGET_ERRLEN];
    target_iter_init(&it, &l, NULL, AF_INET);
    assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 0);
    assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 0);
    target_iter_free(&it);
    target_list_free(&l);
}

/* ---- random order (--randomize-hosts) ------------------------------------ */

/* A name that fails to resolve without asking anyone: a 64-character label
 * cannot be put in a DNS query, so the resolver gives up locally. */
#define UNRESOLVABLE "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test"

struct walked {
    char **addr; /* "addr" or "addr=name", in iteration order */
    size_t n;
    unsigned failures; /* names that failed to resolve */
};

static void walked_free(struct walked *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->addr[i]);
    free(w->addr);
}

/* Every target of l minus ex, in sequential order or in the random order
 * of seed. */
static struct walked walk_all(const struct target_list *l, const struct target_list *ex,
                              int family, int randomized, uint64_t seed)
{
    struct walked w = {0};
    struct target_iter it;
    struct target t;
    char err[TARGET_ERRLEN];
    size_t cap = 0;
    if (randomized) {
        if (target_iter_init_random(&it, l, ex, family, seed, err, sizeof err) != 0)
            fail_msg("target_iter_init_random: %s", err);
    } else {
        target_iter_init(&it, l, ex, family);
    }
    int r;
    while ((r = target_iter_next(&it, &t, err, sizeof err)) != 0) {
        if (r < 0) {
            assert_int_equal(r, -ENOENT);
            assert_contains(err, "Failed to resolve");
            w.failures++;
            continue;
        }
        char a[IP_ADDR_STRLEN], buf[300];
        snprintf(buf, sizeof buf, "%s%s%s", ip_addr_str(&t.addr, a), t.name ? "=" : "",
                 t.name ? t.name : "");
        if (w.n == cap) {
            cap = cap ? 2 * cap : 64;
            w.addr = realloc(w.addr, cap * sizeof *w.addr);
            assert_non_null(w.addr);
        }
        w.addr[w.n++] = strdup(buf);
        target_clear(&t);
    }
    target_iter_free(&it);
    return w;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int same_order(const struct walked *a, const struct walked *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->addr[i], b->addr[i]) != 0)
            return 0;
    return 1;
}

/* The random order of spec (minus exclude) holds exactly what sequential
 * order does (as many times), in an order that is not sequential's; the
 * same seed gives the same order and another seed another. */
static void expect_shuffle(const char *spec, const char *exclude, int family, size_t want_n,
                           unsigned want_failures)
{
    struct target_list l = {0}, ex = {0};
    char err[TARGET_ERRLEN] = "";
    if (target_list_add_text(&l, spec, family, 0, err, sizeof err) != 0)
        fail_msg("\"%s\": %s", spec, err);
    if (exclude && (target_list_add_text(&ex, exclude, family, 1, err, sizeof err) != 0 ||
                    target_list_resolve_names(&ex, family, err, sizeof err) != 0))
        fail_msg("exclude \"%s\": %s", exclude, err);
    struct walked seq = walk_all(&l, &ex, family, 0, 0);
    struct walked r1 = walk_all(&l, &ex, family, 1, 12345);
    struct walked r1b = walk_all(&l, &ex, family, 1, 12345);
    struct walked r2 = walk_all(&l, &ex, family, 1, 777);
    if (seq.n != want_n)
        fail_msg("\"%s\": %zu targets in sequential order, want %zu", spec, seq.n, want_n);
    assert_int_equal(seq.failures, want_failures);
    assert_int_equal(r1.failures, want_failures);
    assert_int_equal(r1.n, seq.n);
    assert_true(same_order(&r1, &r1b));
    if (seq.n > 8) {
        if (same_order(&r1, &seq))
            fail_msg("\"%s\": the random order is the sequential one", spec);
        if (same_order(&r1, &r2))
            fail_msg("\"%s\": seeds 12345 and 777 give the same order", spec);
    }
    qsort(seq.addr, seq.n, sizeof *seq.addr, by_string);
    qsort(r2.addr, r2.n, sizeof *r2.addr, by_string);
    assert_int_equal(r2.n, seq.n);
    for (size_t i = 0; i < seq.n; i++) {
        if (strcmp(seq.addr[i], r2.addr[i]) != 0)
            fail_msg("\"%s\": sorted, item %zu is %s sequentially but %s at random", spec, i,
                     seq.addr[i], r2.addr[i]);
    }
    walked_free(&seq);
    walked_free(&r1);
    walked_free(&r1b);
    walked_free(&r2);
    target_list_free(&l);
    target_list_free(&ex);
}

static void test_random_v4(void **state)
{
    (void)state;
    expect_shuffle("10.0.0.0/24", NULL, AF_INET, 256, 0);
    expect_shuffle("10.0.0.0/20", "10.0.1.0/24,10.0.7.7", AF_INET, 4096 - 257, 0);
    /* octet lists that are not contiguous: the mixed-radix digits select */
    expect_shuffle("10.1,3,200.0-2,250-255.7,9,128-130 172.16.*.1", NULL, AF_INET,
                   3 * 9 * 5 + 256, 0);
    expect_shuffle("192.168.0.1", NULL, AF_INET, 1, 0);
    /* the same address twice is listed twice, as in sequential order */
    expect_shuffle("10.0.0.1 10.0.0.1 10.0.0.0/30", NULL, AF_INET, 6, 0);
}

static void test_random_v6(void **state)
{
    (void)state;
    expect_shuffle("fd00::/120 fd00:1::5 fd00:2::/126", "fd00::80/121", AF_INET6,
                   128 + 1 + 4, 0);
}

static void test_random_names(void **state)
{
    (void)state;
    /* names count one (an unresolvable one too: it is reported when
     * reached), a name/prefix its block */
    expect_shuffle("10.0.0.0/28 localhost " UNRESOLVABLE " localhost/30 10.9.8.0/29",
                   NULL, AF_INET, 16 + 1 + 4 + 8, 1);
    expect_shuffle(UNRESOLVABLE "/29 10.0.0.0/29 " UNRESOLVABLE, NULL, AF_INET, 8, 2);
    expect_shuffle("10.0.0.0/28 localhost localhost/29", "localhost,10.0.0.3", AF_INET,
                   15 + 7, 0);
}

/* The space is numbered in 64 bits: a /65 fits (each address once, and
 * every one inside the prefix), a /64 or two /65s do not. */
static void test_random_huge(void **state)
{
    (void)state;
    struct target_list l = {0};
    struct target_iter it;
    struct target t;
    char err[TARGET_ERRLEN] = "";
    add_ok(&l, "fd00:1:2:3:8000::/65", AF_INET6);
    assert_int_equal(target_iter_init_random(&it, &l, NULL, AF_INET6, 1, err, sizeof err), 0);
    struct ip_addr seen[2000];
    for (size_t i = 0; i < 2000; i++) {
        assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 1);
        assert_true(target_list_contains(&l, &t.addr));
        for (size_t j = 0; j < i; j++)
            assert_false(ip_addr_equal(&seen[j], &t.addr));
        seen[i] = t.addr;
        target_clear(&t);
    }
    target_iter_free(&it);

    add_ok(&l, "fd00:9::/65", AF_INET6);
    assert_int_equal(target_iter_init_random(&it, &l, NULL, AF_INET6, 1, err, sizeof err),
                     -EOVERFLOW);
    assert_contains(err, "2^64");
    assert_contains(err, "fd00:9::/65");
    target_iter_free(&it);
    target_list_free(&l);

    add_ok(&l, "fd00::1", AF_INET6);
    add_ok(&l, "fd00::/64", AF_INET6);
    err[0] = '\0';
    assert_int_equal(target_iter_init_random(&it, &l, NULL, AF_INET6, 1, err, sizeof err),
                     -EOVERFLOW);
    assert_contains(err, "fd00::/64");
    target_iter_free(&it);
    target_list_free(&l);
}

static void test_random_empty(void **state)
{
    (void)state;
    struct target_list l = {0}, ex = {0};
    struct target_iter it;
    struct target t;
    char err[TARGET_ERRLEN];
    assert_int_equal(target_iter_init_random(&it, &l, NULL, AF_INET, 5, err, sizeof err), 0);
    assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 0);
    target_iter_free(&it);
    /* everything excluded */
    add_ok(&l, "10.0.0.0/30", AF_INET);
    add_ok(&ex, "10.0.0.0/29", AF_INET);
    assert_int_equal(target_iter_init_random(&it, &l, &ex, AF_INET, 5, err, sizeof err), 0);
    assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 0);
    assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 0);
    target_iter_free(&it);
    target_list_free(&l);
    target_list_free(&ex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v4_literal),
        cmocka_unit_test(test_v4_cidr),
        cmocka_unit_test(test_v4_cidr8_count),
        cmocka_unit_test(test_v4_cidr0),
        cmocka_unit_test(test_v4_octet_ranges),
        cmocka_unit_test(test_v4_long_octet_list),
        cmocka_unit_test(test_v4_malformed),
        cmocka_unit_test(test_exclude),
        cmocka_unit_test(test_exclude_v6),
        cmocka_unit_test(test_v6),
        cmocka_unit_test(test_v6_ranges),
        cmocka_unit_test(test_v6_family),
        cmocka_unit_test(test_v6_malformed),
        cmocka_unit_test(test_names_parse),
        cmocka_unit_test(test_names_iterate),
        cmocka_unit_test(test_names_exclude),
        cmocka_unit_test(test_names_malformed),
        cmocka_unit_test(test_huge_tokens),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_iter_empty),
        cmocka_unit_test(test_random_v4),
        cmocka_unit_test(test_random_v6),
        cmocka_unit_test(test_random_names),
        cmocka_unit_test(test_random_huge),
        cmocka_unit_test(test_random_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
