/* SPDX-License-Identifier: MIT */
/* The services table: parsing, names, top-port ranking, the shipped file. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>

#include "services.h"

#ifndef PORTSCOUT_TEST_SERVICES
#error "PORTSCOUT_TEST_SERVICES (path of data/portscout-services) must be defined"
#endif

static void parse_ok(struct services *s, const char *text)
{
    char err[256] = "";
    int r = services_parse(s, text, err, sizeof err);
    if (r != 0)
        fail_msg("services_parse = %d: %s", r, err);
}

static void test_parse(void **state)
{
    (void)state;
    struct services s;
    parse_ok(&s, "# portscout-services for the tests\n"
                 "\n"
                 "   \n"
                 "22/tcp\tssh\t100   # Secure Shell\n"
                 "80/tcp      http        1000\r\n"
                 "  # an indented comment\n"
                 "53/udp domain 500#no space\n"
                 "53/tcp domain 80\n"
                 "9/sctp discard 3\n"
                 "7/tcp echo 0\n"
                 "65535/tcp top-port 1000000\n"
                 "0/tcp reserved 1\n"
                 "5060/udp sip+tls/x_y.z 2"); /* no final newline */
    assert_int_equal(s.n, 9);
    assert_string_equal(services_name(&s, PROTO_TCP, 22), "ssh");
    assert_string_equal(services_name(&s, PROTO_TCP, 80), "http");
    assert_string_equal(services_name(&s, PROTO_UDP, 53), "domain");
    assert_string_equal(services_name(&s, PROTO_TCP, 53), "domain");
    assert_string_equal(services_name(&s, PROTO_SCTP, 9), "discard");
    assert_string_equal(services_name(&s, PROTO_TCP, 7), "echo");
    assert_string_equal(services_name(&s, PROTO_TCP, 65535), "top-port");
    assert_string_equal(services_name(&s, PROTO_TCP, 0), "reserved");
    assert_string_equal(services_name(&s, PROTO_UDP, 5060), "sip+tls/x_y.z");
    assert_null(services_name(&s, PROTO_UDP, 22));
    assert_null(services_name(&s, PROTO_TCP, 23));
    assert_null(services_name(&s, PROTO_SCTP, 80));
    assert_null(services_name(&s, PROTO_TCP, 65536));
    assert_null(services_name(&s, PROTO_TCP, 100000));

    /* sorted by weight, descending */
    for (size_t i = 1; i < s.n; i++)
        assert_true(s.v[i - 1].weight >= s.v[i].weight);
    assert_int_equal(s.v[0].port, 65535);
    assert_int_equal(s.v[0].weight, 1000000);
    assert_int_equal(s.v[s.n - 1].port, 7);
    assert_int_equal(s.v[s.n - 1].weight, 0);

    services_free(&s);
    assert_int_equal(s.n, 0);
    assert_null(s.v);
    services_free(&s); /* twice is harmless */
    services_free(NULL);
}

static void test_top(void **state)
{
    (void)state;
    struct services s;
    uint16_t out[16];
    parse_ok(&s, "8080/tcp http-proxy 50\n"
                 "25/tcp smtp 100\n"
                 "443/tcp https 900\n"
                 "22/tcp ssh 100\n"
                 "21/tcp ftp 100\n"
                 "80/tcp http 1000\n"
                 "7/tcp echo 0\n"
                 "161/udp snmp 300\n"
                 "53/udp domain 500\n"
                 "53/tcp domain 5\n"
                 "123/udp ntp 300\n");
    /* weight descending, ties by ascending port, per protocol */
    static const uint16_t tcp[] = {80, 443, 21, 22, 25, 8080, 53, 7};
    assert_int_equal(services_top(&s, PROTO_TCP, 16, out), 8);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(out[i], tcp[i]);

    memset(out, 0, sizeof out);
    assert_int_equal(services_top(&s, PROTO_TCP, 3, out), 3);
    assert_int_equal(out[0], 80);
    assert_int_equal(out[1], 443);
    assert_int_equal(out[2], 21);
    assert_int_equal(out[3], 0); /* nothing written past n */

    assert_int_equal(services_top(&s, PROTO_UDP, 16, out), 3);
    assert_int_equal(out[0], 53);
    assert_int_equal(out[1], 123);
    assert_int_equal(out[2], 161);

    assert_int_equal(services_top(&s, PROTO_SCTP, 16, out), 0);
    assert_int_equal(services_top(&s, PROTO_TCP, 0, out), 0);
    services_free(&s);
}

/* The same port listed twice: the heavier entry names it, and it ranks once. */
static void test_duplicates(void **state)
{
    (void)state;
    struct services s;
    uint16_t out[8];
    parse_ok(&s, "80/tcp http 10\n"
                 "81/tcp other 20\n"
                 "80/tcp www 1000\n"
                 "80/udp http 5\n");
    assert_string_equal(services_name(&s, PROTO_TCP, 80), "www");
    assert_string_equal(services_name(&s, PROTO_UDP, 80), "http");
    assert_int_equal(services_top(&s, PROTO_TCP, 8, out), 2);
    assert_int_equal(out[0], 80);
    assert_int_equal(out[1], 81);
    services_free(&s);
}

/* Line `bad` as line 3 of a table: refused, naming line 3. */
static void malformed(const char *bad)
{
    struct services s;
    char text[512], err[256] = "";
    snprintf(text, sizeof text, "# header\n22/tcp ssh 100\n%s\n80/tcp http 1000\n", bad);
    memset(&s, 0x5a, sizeof s);
    int r = services_parse(&s, text, err, sizeof err);
    if (r != -EINVAL)
        fail_msg("line \"%s\": services_parse = %d, want -EINVAL", bad, r);
    assert_contains(err, "line 3");
    /* nothing is left allocated or dangling */
    assert_int_equal(s.n, 0);
    assert_null(s.v);
    for (int p = 0; p < PROTO_COUNT; p++)
        assert_null(s.index[p]);
    services_free(&s);
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "80/tcp http",            /* no weight */
        "80/tcp",                 /* no name */
        "80 http 5",              /* no protocol */
        "80/ http 5",             /* empty protocol */
        "80/xyz http 5",          /* unknown protocol */
        "80/TCP http 5",          /* protocols are lowercase */
        "/tcp http 5",            /* no port */
        "abc/tcp http 5",         /* not a number */
        "80x/tcp http 5",         /* trailing junk */
        "0x50/tcp http 5",        /* hex */
        "70000/tcp big 5",        /* port > 65535 */
        "65536/tcp big 5",        /* port > 65535 */
        "99999999999999999999/tcp big 5", /* overflows */
        "-1/tcp neg 5",           /* negative port */
        "80/tcp http 1000001",    /* weight > 1000000 */
        "80/tcp http -1",         /* negative weight */
        "80/tcp http 5x",         /* trailing junk */
        "80/tcp http 1.5",        /* not an integer */
        "80/tcp http 99999999999999999999", /* overflows */
        "80/tcp http 5 extra",    /* one field too many */
        "80/tcp ht$p 5",          /* bad character in the name */
        "80/tcp http/tcp/",       /* the weight missing, again */
        "80/tcp/udp http 5",      /* two protocols */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        malformed(bad[i]);

    /* the first line is line 1; later lines count blank ones */
    struct services s;
    char err[256] = "";
    assert_int_equal(services_parse(&s, "junk\n", err, sizeof err), -EINVAL);
    assert_contains(err, "line 1");
    assert_int_equal(services_parse(&s, "\n\n\n\n\n\n\n\n\n\n\n\n22/tcp ssh 1\n\nbad", err,
                                    sizeof err), -EINVAL);
    assert_contains(err, "line 15");
    assert_int_equal(services_parse(&s, "# c\n\r\n22/tcp ssh 1 2\n", err, sizeof err), -EINVAL);
    assert_contains(err, "line 3");
}

/* A table with no entries at all (only comments, or nothing).
 * BUG: services_parse calls qsort(NULL, 0, ...) when the table is empty,
 * which UBSan reports as a null pointer passed to a nonnull argument
 * (services.c, the qsort call); -fno-sanitize-recover makes it abort. */
static void test_empty(void **state)
{
    (void)state;
    struct services s;
    uint16_t out[4];
    parse_ok(&s, "# only a comment\n\n");
    assert_int_equal(s.n, 0);
    assert_null(services_name(&s, PROTO_TCP, 80));
    assert_int_equal(services_top(&s, PROTO_TCP, 4, out), 0);
    services_free(&s);
    parse_ok(&s, "");
    assert_int_equal(s.n, 0);
    services_free(&s);
}

/* A zeroed table (never parsed) answers queries with nothing. */
static void test_zeroed(void **state)
{
    (void)state;
    struct services s = {0};
    uint16_t out[4];
    assert_null(services_name(&s, PROTO_TCP, 80));
    assert_int_equal(services_top(&s, PROTO_TCP, 4, out), 0);
    services_free(&s);
}

static void test_proto_name(void **state)
{
    (void)state;
    assert_string_equal(proto_name(PROTO_TCP), "tcp");
    assert_string_equal(proto_name(PROTO_UDP), "udp");
    assert_string_equal(proto_name(PROTO_SCTP), "sctp");
    assert_string_equal(proto_name(PROTO_COUNT), "?");
}

static void test_shipped(void **state)
{
    (void)state;
    struct services s;
    char err[256] = "";
    int r = services_load(&s, PORTSCOUT_TEST_SERVICES, err, sizeof err);
    if (r != 0)
        fail_msg("services_load(%s) = %d: %s", PORTSCOUT_TEST_SERVICES, r, err);

    size_t weighted[PROTO_COUNT] = {0};
    for (size_t i = 0; i < s.n; i++)
        if (s.v[i].weight > 0)
            weighted[s.v[i].proto]++;
    if (weighted[PROTO_TCP] < 1000)
        fail_msg("only %zu weighted tcp ports", weighted[PROTO_TCP]);
    assert_true(weighted[PROTO_UDP] >= 100);

    uint16_t *top = calloc(1000, sizeof *top);
    assert_non_null(top);
    assert_int_equal(services_top(&s, PROTO_TCP, 1000, top), 1000);
    assert_int_equal(top[0], 80);
    assert_string_equal(services_name(&s, PROTO_TCP, top[0]), "http");
    /* the default scan's ports are distinct and all named */
    for (size_t i = 0; i < 1000; i++) {
        assert_non_null(services_name(&s, PROTO_TCP, top[i]));
        for (size_t j = 0; j < i; j++)
            if (top[i] == top[j])
                fail_msg("port %u ranked twice", top[i]);
    }
    /* -F's top 100 holds the usual suspects */
    static const uint16_t usual[] = {21, 22, 23, 25, 53, 110, 143, 443, 445, 3389};
    for (size_t k = 0; k < sizeof usual / sizeof *usual; k++) {
        size_t i;
        for (i = 0; i < 100 && top[i] != usual[k]; i++)
            ;
        if (i == 100)
            fail_msg("tcp port %u not in the top 100", usual[k]);
    }
    assert_string_equal(services_name(&s, PROTO_TCP, 22), "ssh");
    assert_string_equal(services_name(&s, PROTO_TCP, 443), "https");
    assert_string_equal(services_name(&s, PROTO_UDP, 53), "domain");
    free(top);
    services_free(&s);
}

static void test_load_errors(void **state)
{
    (void)state;
    struct services s;
    char err[256] = "";
    assert_int_equal(services_load(&s, "/nonexistent/portscout-services", err, sizeof err),
                     -ENOENT);
    assert_contains(err, "/nonexistent/portscout-services");
    /* a directory opens but does not read */
    err[0] = '\0';
    int r = services_load(&s, "/", err, sizeof err);
    assert_true(r < 0);
    assert_true(strlen(err) > 0);
    if (r == -EINVAL) /* read as text: must not have left anything */
        assert_int_equal(s.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_top),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_zeroed),
        cmocka_unit_test(test_proto_name),
        cmocka_unit_test(test_shipped),
        cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
