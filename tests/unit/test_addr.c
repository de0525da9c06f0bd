/* SPDX-License-Identifier: MIT */
/* Addresses (addr.h) and the names of result states and reasons
 * (results.h). */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>

#include "addr.h"
#include "results.h"

static void test_parse_and_str(void **state)
{
    (void)state;
    struct ip_addr a;
    char buf[IP_ADDR_STRLEN];
    assert_int_equal(ip_addr_parse("192.0.2.1", AF_UNSPEC, &a), 0);
    assert_int_equal(a.family, AF_INET);
    assert_int_equal(ntohl(a.u.v4.s_addr), 0xc0000201);
    assert_string_equal(ip_addr_str(&a, buf), "192.0.2.1");

    assert_int_equal(ip_addr_parse("2001:DB8:0:0::1", AF_UNSPEC, &a), 0);
    assert_int_equal(a.family, AF_INET6);
    assert_string_equal(ip_addr_str(&a, buf), "2001:db8::1");

    assert_int_equal(ip_addr_parse("192.0.2.1", AF_INET, &a), 0);
    assert_int_equal(ip_addr_parse("::1", AF_INET6, &a), 0);
    assert_int_equal(ip_addr_parse("192.0.2.1", AF_INET6, &a), -EINVAL);
    assert_int_equal(ip_addr_parse("::1", AF_INET, &a), -EINVAL);
    assert_int_equal(ip_addr_parse("", AF_UNSPEC, &a), -EINVAL);
    assert_int_equal(ip_addr_parse("1.2.3", AF_UNSPEC, &a), -EINVAL);
    assert_int_equal(ip_addr_parse("localhost", AF_UNSPEC, &a), -EINVAL);
    assert_int_equal(ip_addr_parse("1.2.3.4/32", AF_UNSPEC, &a), -EINVAL);

    /* an unknown family prints as "?" */
    struct ip_addr z = {.family = AF_UNIX};
    assert_string_equal(ip_addr_str(&z, buf), "?");
}

/* IPv4 addresses are formatted without inet_ntop: the same text for every
 * octet value in every position. */
static void test_v4_str(void **state)
{
    (void)state;
    char buf[IP_ADDR_STRLEN], want[INET_ADDRSTRLEN];
    for (uint32_t o = 0; o < 256; o++) {
        for (int pos = 0; pos < 4; pos++) {
            uint32_t v = o << (24 - 8 * pos) | (0x01090a63u & ~(0xffu << (24 - 8 * pos)));
            struct ip_addr a = {.family = AF_INET};
            a.u.v4.s_addr = htonl(v);
            inet_ntop(AF_INET, &a.u.v4, want, sizeof want);
            assert_string_equal(ip_addr_str(&a, buf), want);
        }
    }
    struct ip_addr a = {.family = AF_INET};
    a.u.v4.s_addr = htonl(0xffffffffu);
    assert_string_equal(ip_addr_str(&a, buf), "255.255.255.255");
    a.u.v4.s_addr = 0;
    assert_string_equal(ip_addr_str(&a, buf), "0.0.0.0");
}

static void test_equal(void **state)
{
    (void)state;
    struct ip_addr a, b, c, d;
    assert_int_equal(ip_addr_parse("10.0.0.1", AF_UNSPEC, &a), 0);
    assert_int_equal(ip_addr_parse("10.0.0.1", AF_UNSPEC, &b), 0);
    assert_int_equal(ip_addr_parse("10.0.0.2", AF_UNSPEC, &c), 0);
    assert_int_equal(ip_addr_parse("::ffff:10.0.0.1", AF_UNSPEC, &d), 0);
    assert_true(ip_addr_equal(&a, &b));
    assert_false(ip_addr_equal(&a, &c));
    assert_false(ip_addr_equal(&a, &d)); /* families differ */
    assert_int_equal(ip_addr_parse("fd00::1", AF_UNSPEC, &c), 0);
    assert_int_equal(ip_addr_parse("fd00::1", AF_UNSPEC, &d), 0);
    assert_true(ip_addr_equal(&c, &d));
    assert_int_equal(ip_addr_parse("fd00::2", AF_UNSPEC, &d), 0);
    assert_false(ip_addr_equal(&c, &d));
}

static void test_sockaddr(void **state)
{
    (void)state;
    struct ip_addr a;
    struct sockaddr_storage ss;
    assert_int_equal(ip_addr_parse("192.0.2.9", AF_UNSPEC, &a), 0);
    assert_int_equal(ip_addr_sockaddr(&a, 443, &ss), sizeof(struct sockaddr_in));
    const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
    assert_int_equal(sin->sin_family, AF_INET);
    assert_int_equal(ntohs(sin->sin_port), 443);
    assert_int_equal(sin->sin_addr.s_addr, a.u.v4.s_addr);

    assert_int_equal(ip_addr_parse("2001:db8::9", AF_UNSPEC, &a), 0);
    assert_int_equal(ip_addr_sockaddr(&a, 65535, &ss), sizeof(struct sockaddr_in6));
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
    assert_int_equal(sin6->sin6_family, AF_INET6);
    assert_int_equal(ntohs(sin6->sin6_port), 65535);
    assert_memory_equal(&sin6->sin6_addr, &a.u.v6, sizeof a.u.v6);
    assert_int_equal(sin6->sin6_scope_id, 0);
}

static void test_is_local(void **state)
{
    (void)state;
    struct ip_addr a, *locals;
    size_t n = ip_addr_locals(&locals);
    assert_true(n >= 1); /* at least the loopback interface's 127.0.0.1 */
    assert_int_equal(ip_addr_parse("127.0.0.1", AF_UNSPEC, &a), 0);
    assert_true(ip_addr_is_local(&a, NULL, 0));
    assert_int_equal(ip_addr_parse("127.1.2.3", AF_UNSPEC, &a), 0);
    assert_true(ip_addr_is_local(&a, NULL, 0));
    assert_int_equal(ip_addr_parse("::1", AF_UNSPEC, &a), 0);
    assert_true(ip_addr_is_local(&a, NULL, 0));
    /* TEST-NET-1 and the IPv6 documentation prefix are nobody's address */
    assert_int_equal(ip_addr_parse("192.0.2.123", AF_UNSPEC, &a), 0);
    assert_false(ip_addr_is_local(&a, locals, n));
    assert_int_equal(ip_addr_parse("2001:db8::123", AF_UNSPEC, &a), 0);
    assert_false(ip_addr_is_local(&a, locals, n));
    /* an address in the list is local, whatever it is */
    struct ip_addr mine;
    assert_int_equal(ip_addr_parse("192.0.2.7", AF_UNSPEC, &mine), 0);
    assert_int_equal(ip_addr_parse("192.0.2.7", AF_UNSPEC, &a), 0);
    assert_true(ip_addr_is_local(&a, &mine, 1));
    assert_int_equal(ip_addr_parse("192.0.2.8", AF_UNSPEC, &a), 0);
    assert_false(ip_addr_is_local(&a, &mine, 1));
    free(locals);
}

static void test_result_names(void **state)
{
    (void)state;
    assert_string_equal(port_state_name(PORT_OPEN), "open");
    assert_string_equal(port_state_name(PORT_CLOSED), "closed");
    assert_string_equal(port_state_name(PORT_FILTERED), "filtered");
    assert_string_equal(port_state_name(PORT_UNFILTERED), "unfiltered");
    assert_string_equal(port_state_name(PORT_OPEN_FILTERED), "open|filtered");
    assert_string_equal(port_state_name(PORT_CLOSED_FILTERED), "closed|filtered");
    assert_string_equal(port_state_name(PORT_UNKNOWN), "unknown");
    assert_string_equal(port_state_name(PORT_STATE_COUNT), "unknown");
    assert_string_equal(port_state_name((enum port_state)-1), "unknown");

    assert_string_equal(reason_name(REASON_SYN_ACK), "syn-ack");
    assert_string_equal(reason_name(REASON_CONN_REFUSED), "conn-refused");
    assert_string_equal(reason_name(REASON_NO_RESPONSE), "no-response");
    assert_string_equal(reason_name(REASON_LOCALHOST), "localhost-response");
    assert_string_equal(reason_name(REASON_USER_SET), "user-set");
    assert_string_equal(reason_name(REASON_COUNT), "unknown-response");
    /* every reason has a distinct, non-empty name */
    for (int i = 0; i < REASON_COUNT; i++) {
        const char *n = reason_name((enum reason)i);
        assert_non_null(n);
        assert_true(strlen(n) > 0);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(n, reason_name((enum reason)j));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_str),
        cmocka_unit_test(test_v4_str),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_sockaddr),
        cmocka_unit_test(test_is_local),
        cmocka_unit_test(test_result_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
