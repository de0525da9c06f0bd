/* SPDX-License-Identifier: MIT */
/* Port specifications (-p, --exclude-ports) and port sets. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>

#include "ports.h"
#include "services.h"

#define TCP PROTO_MASK(PROTO_TCP)
#define UDP PROTO_MASK(PROTO_UDP)
#define SCTP PROTO_MASK(PROTO_SCTP)
#define ALL (TCP | UDP | SCTP)

static const char services_text[] = "# a small table for the tests\n"
                                    "22/tcp    ssh         100\n"
                                    "80/tcp    http        1000\n"
                                    "443/tcp   https       900\n"
                                    "8000/tcp  http-alt    40\n"
                                    "8080/tcp  http-proxy  50\n"
                                    "53/tcp    domain      80\n"
                                    "53/udp    domain      500\n"
                                    "161/udp   snmp        300\n"
                                    "9/sctp    discard     1\n"
                                    "3000/tcp  ppp         0\n";

static int setup(void **state)
{
    struct services *s = calloc(1, sizeof *s);
    char err[256];
    if (!s || services_parse(s, services_text, err, sizeof err) != 0)
        return -1;
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    services_free(*state);
    free(*state);
    return 0;
}

static size_t count(const struct port_set *set, enum proto p)
{
    size_t n = 0;
    for (unsigned port = 0; port < 65536; port++)
        n += (size_t)port_set_has(set, p, port);
    return n;
}

/* Parse spec into a fresh set; fail the test if it is refused. */
static struct port_set *parse_ok(const char *spec, const struct services *svc, unsigned mask)
{
    struct port_set *set = calloc(1, sizeof *set);
    char err[256] = "";
    assert_non_null(set);
    int r = ports_parse(spec, svc, mask, set, err, sizeof err);
    if (r != 0)
        fail_msg("ports_parse(\"%s\") = %d: %s", spec, r, err);
    return set;
}

/* The set's ports of one protocol as "a,b,c" (at most 40 of them). */
static void list(const struct port_set *set, enum proto p, char *buf, size_t len)
{
    size_t n = 0, off = 0;
    buf[0] = '\0';
    for (unsigned port = 0; port < 65536 && n < 40; port++)
        if (port_set_has(set, p, port)) {
            off += (size_t)snprintf(buf + off, len - off, n++ ? ",%u" : "%u", port);
            assert_true(off < len);
        }
}

static void expect(const char *spec, const struct services *svc, unsigned mask,
                   const char *tcp, const char *udp, const char *sctp)
{
    struct port_set *set = parse_ok(spec, svc, mask);
    char buf[512];
    const char *want[PROTO_COUNT] = {tcp, udp, sctp};
    for (int p = 0; p < PROTO_COUNT; p++) {
        list(set, (enum proto)p, buf, sizeof buf);
        if (strcmp(buf, want[p]) != 0)
            fail_msg("\"%s\" %s: got \"%s\", want \"%s\"", spec, proto_name((enum proto)p), buf,
                     want[p]);
    }
    free(set);
}

static void test_numbers(void **state)
{
    (void)state;
    expect("22", NULL, TCP, "22", "", "");
    expect("443,22,80,22", NULL, TCP, "22,80,443", "", "");
    expect("0", NULL, TCP, "0", "", "");
    expect("0-2", NULL, TCP, "0,1,2", "", "");
    expect("65535", NULL, TCP, "65535", "", "");
    expect("65534-", NULL, TCP, "65534,65535", "", "");
    expect("-3", NULL, TCP, "1,2,3", "", "");
    expect("7-7", NULL, UDP, "", "7", "");
    expect("00022", NULL, TCP, "22", "", "");

    struct port_set *set = parse_ok("1-1024", NULL, TCP);
    assert_int_equal(count(set, PROTO_TCP), 1024);
    assert_false(port_set_has(set, PROTO_TCP, 0));
    assert_true(port_set_has(set, PROTO_TCP, 1));
    assert_true(port_set_has(set, PROTO_TCP, 1024));
    assert_false(port_set_has(set, PROTO_TCP, 1025));
    assert_int_equal(count(set, PROTO_UDP), 0);
    free(set);

    /* "-": every port but 0 */
    set = parse_ok("-", NULL, TCP);
    assert_int_equal(count(set, PROTO_TCP), 65535);
    assert_false(port_set_has(set, PROTO_TCP, 0));
    assert_true(port_set_has(set, PROTO_TCP, 65535));
    free(set);

    set = parse_ok("-100", NULL, TCP);
    assert_int_equal(count(set, PROTO_TCP), 100);
    assert_false(port_set_has(set, PROTO_TCP, 0));
    assert_true(port_set_has(set, PROTO_TCP, 100));
    free(set);

    set = parse_ok("65000-", NULL, TCP);
    assert_int_equal(count(set, PROTO_TCP), 536);
    assert_true(port_set_has(set, PROTO_TCP, 65000));
    assert_false(port_set_has(set, PROTO_TCP, 64999));
    free(set);

    /* parsing adds to what the set holds */
    set = parse_ok("1", NULL, TCP);
    char err[256];
    assert_int_equal(ports_parse("3", NULL, TCP, set, err, sizeof err), 0);
    char buf[64];
    list(set, PROTO_TCP, buf, sizeof buf);
    assert_string_equal(buf, "1,3");
    free(set);
}

static void test_protocols(void **state)
{
    (void)state;
    expect("T:80,U:53", NULL, TCP | UDP, "80", "53", "");
    /* unqualified ports apply to every protocol of the mask */
    expect("80", NULL, TCP | UDP, "80", "80", "");
    expect("80", NULL, ALL, "80", "80", "80");
    expect("80", NULL, UDP, "", "80", "");
    /* a prefix holds for the items after it */
    expect("T:80,443,U:53,161", NULL, TCP | UDP, "80,443", "53,161", "");
    expect("22,T:80,U:53", NULL, TCP | UDP, "22,80", "22,53", "");
    expect("S:9", NULL, TCP, "", "", "9");
    expect("U:1-3", NULL, TCP, "", "1,2,3", "");
    expect("T:-2", NULL, UDP, "1,2", "", "");
}

static void test_names(void **state)
{
    const struct services *svc = *state;
    expect("http", svc, TCP, "80", "", "");
    expect("ssh,https", svc, TCP, "22,443", "", "");
    expect("http*", svc, TCP, "80,443,8000,8080", "", "");
    expect("http-*", svc, TCP, "8000,8080", "", "");
    expect("http-?????", svc, TCP, "8080", "", "");
    expect("domain", svc, TCP | UDP, "53", "53", "");
    expect("domain", svc, UDP, "", "53", "");
    expect("U:domain,T:ssh", svc, TCP | UDP, "22", "53", "");
    expect("ppp", svc, TCP, "3000", "", ""); /* named, weight 0 */
    expect("*", svc, TCP, "22,53,80,443,3000,8000,8080", "", "");
    /* [N-M]: only the named ports of the range */
    expect("[1-100]", svc, TCP, "22,53,80", "", "");
    expect("[1-100]", svc, UDP, "", "53", "");
    expect("[1-100]", svc, ALL, "22,53,80", "53", "9");
    expect("[-]", svc, TCP, "22,53,80,443,3000,8000,8080", "", "");
    expect("[100-]", svc, UDP, "", "161", "");
    expect("[54-79]", svc, TCP, "", "", "");
    expect("22,[1-100],http*", svc, TCP, "22,53,80,443,8000,8080", "", "");
}

static void bad(const char *spec, const struct services *svc, const char *want)
{
    struct port_set *set = calloc(1, sizeof *set);
    char err[256] = "";
    assert_non_null(set);
    int r = ports_parse(spec, svc, TCP | UDP, set, err, sizeof err);
    if (r != -EINVAL)
        fail_msg("ports_parse(\"%s\") = %d, want -EINVAL", spec, r);
    assert_true(strlen(err) > 0);
    if (want)
        assert_contains(err, want);
    free(set);
}

static void test_errors(void **state)
{
    const struct services *svc = *state;
    bad("70000", svc, "70000");
    bad("65536", svc, "65536");
    bad("123456", svc, "123456");
    bad("1-70000", svc, "1-70000");
    bad("1-2-3", svc, "1-2-3");
    bad("5-1", svc, "5-1");
    bad("", svc, "empty");
    bad(",", svc, NULL);
    bad("80,", svc, NULL);
    bad("1,,2", svc, NULL);
    bad(",80", svc, NULL);
    bad("X:80", svc, "X:80");
    bad("T:", svc, NULL);
    bad("T:80,Q:1", svc, "Q:1");
    bad("nosuchservice", svc, "nosuchservice");
    bad("http,nosuch*", svc, "nosuch*");
    bad("80-x", svc, "80-x");
    bad("8o", svc, "8o");
    bad("[1-100", svc, "[1-100");
    bad("[]", svc, "[]");
    bad("[5-1]", svc, "[5-1]");
    bad("ht$p", svc, "ht$p");
    bad("ht[tp", svc, "ht[tp");
    bad("22 80", svc, "22 80");
    bad("-1-", svc, NULL);
    /* without a services table, names are errors, numbers are not */
    bad("http", NULL, "http");
    bad("[1-100]", NULL, "[1-100]");
    expect("22", NULL, TCP, "22", "", "");
}

static void test_huge_spec(void **state)
{
    const struct services *svc = *state;
    size_t n = 100 * 1024;
    char *s = malloc(n + 1);
    assert_non_null(s);
    /* 100 KB of valid items: "1-9,1-9,...,1-9" */
    for (size_t i = 0; i < n; i++)
        s[i] = "1-9,"[i % 4];
    s[n - 1] = '\0';
    struct port_set *set = parse_ok(s, svc, TCP);
    assert_int_equal(count(set, PROTO_TCP), 9);
    free(set);
    /* and 100 KB of garbage */
    memset(s, '9', n);
    s[n] = '\0';
    bad(s, svc, "99999");
    memset(s, 'z', n);
    bad(s, svc, "zzzz");
    free(s);
}

static void test_subtract(void **state)
{
    (void)state;
    struct port_set *set = parse_ok("T:1-1024,U:53,161", NULL, TCP | UDP);
    struct port_set *minus = parse_ok("T:22,80,U:53,S:1", NULL, TCP | UDP);
    port_set_subtract(set, minus);
    assert_int_equal(count(set, PROTO_TCP), 1022);
    assert_false(port_set_has(set, PROTO_TCP, 22));
    assert_false(port_set_has(set, PROTO_TCP, 80));
    assert_true(port_set_has(set, PROTO_TCP, 21));
    assert_int_equal(count(set, PROTO_UDP), 1);
    assert_true(port_set_has(set, PROTO_UDP, 161));
    assert_int_equal(count(set, PROTO_SCTP), 0);
    /* the subtrahend is untouched; subtracting a set from itself empties it */
    assert_int_equal(count(minus, PROTO_TCP), 2);
    port_set_subtract(minus, minus);
    assert_int_equal(count(minus, PROTO_TCP) + count(minus, PROTO_UDP) + count(minus, PROTO_SCTP),
                     0);
    free(set);
    free(minus);
}

static void test_add_has_edges(void **state)
{
    (void)state;
    struct port_set *set = calloc(1, sizeof *set);
    assert_non_null(set);
    port_set_add(set, PROTO_SCTP, 0);
    port_set_add(set, PROTO_SCTP, 65535);
    port_set_add(set, PROTO_UDP, 7);
    assert_true(port_set_has(set, PROTO_SCTP, 0));
    assert_true(port_set_has(set, PROTO_SCTP, 65535));
    assert_false(port_set_has(set, PROTO_SCTP, 1));
    assert_false(port_set_has(set, PROTO_TCP, 0));
    assert_false(port_set_has(set, PROTO_UDP, 6));
    assert_false(port_set_has(set, PROTO_UDP, 8));
    assert_int_equal(count(set, PROTO_SCTP), 2);
    free(set);
}

static void test_list_from_set(void **state)
{
    (void)state;
    struct port_set *set = parse_ok("T:443,22,80,22,65535,0,U:53,7", NULL, TCP | UDP);
    struct port_list l;
    port_list_from_set(&l, set);
    assert_int_equal(l.n[PROTO_TCP], 5);
    static const uint16_t tcp[] = {0, 22, 80, 443, 65535};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(l.port[PROTO_TCP][i], tcp[i]);
    assert_int_equal(l.n[PROTO_UDP], 2);
    assert_int_equal(l.port[PROTO_UDP][0], 7);
    assert_int_equal(l.port[PROTO_UDP][1], 53);
    assert_int_equal(l.n[PROTO_SCTP], 0);
    assert_int_equal(port_list_total(&l), 7);
    port_list_free(&l);
    assert_int_equal(port_list_total(&l), 0);
    assert_null(l.port[PROTO_TCP]);
    port_list_free(&l); /* twice is harmless */
    port_list_free(NULL);
    free(set);

    /* all ports of all protocols, sorted */
    set = parse_ok("0-65535", NULL, ALL);
    port_list_from_set(&l, set);
    assert_int_equal(port_list_total(&l), 3 * 65536);
    for (int p = 0; p < PROTO_COUNT; p++)
        for (size_t i = 0; i < 65536; i++)
            if (l.port[p][i] != i)
                fail_msg("%s[%zu] = %u", proto_name((enum proto)p), i, l.port[p][i]);
    port_list_free(&l);
    free(set);

    /* an empty set */
    set = calloc(1, sizeof *set);
    assert_non_null(set);
    port_list_from_set(&l, set);
    assert_int_equal(port_list_total(&l), 0);
    port_list_free(&l);
    free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_protocols),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_huge_spec),
        cmocka_unit_test(test_subtract),
        cmocka_unit_test(test_add_has_edges),
        cmocka_unit_test(test_list_from_set),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
