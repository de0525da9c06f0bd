/* SPDX-License-Identifier: MIT */
/* Route look-up (platform/route.h) on the loopback interface only: every
 * machine has one, whatever else its network looks like.  The "no route"
 * case runs in a private, empty network namespace when the system lets us
 * make one, and is skipped otherwise. */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "platform/route.h"

static struct ip_addr addr(const char *s)
{
    struct ip_addr a;
    assert_int_equal(ip_addr_parse(s, AF_UNSPEC, &a), 0);
    return a;
}

/* Looks dst up and expects success; err must stay untouched. */
static struct route lookup_ok(const char *dst, const char *ifname, const char *src)
{
    struct ip_addr d = addr(dst), s;
    if (src)
        s = addr(src);
    struct route r;
    char err[256] = "";
    int rc = route_lookup(&d, ifname, src ? &s : NULL, &r, err, sizeof err);
    if (rc != 0)
        fail_msg("route_lookup(%s) = %d: %s", dst, rc, err);
    return r;
}

static void assert_addr(const struct ip_addr *a, const char *want)
{
    char buf[IP_ADDR_STRLEN];
    assert_string_equal(ip_addr_str(a, buf), want);
}

/* True when ::1 is configured (IPv6 may be disabled, e.g. in containers). */
static bool have_ipv6_loopback(void)
{
    struct ip_addr *locals, one = addr("::1");
    size_t n = ip_addr_locals(&locals);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found = found || ip_addr_equal(&locals[i], &one);
    free(locals);
    return found;
}

static void test_loopback_v4(void **state)
{
    (void)state;
    struct route r = lookup_ok("127.0.0.1", NULL, NULL);
    assert_string_equal(r.ifname, "lo");
    assert_true(r.ifindex > 0);
    assert_true(r.loopback);
    assert_false(r.has_gateway);
    assert_addr(&r.src, "127.0.0.1");
}

/* Any address of 127.0.0.0/8 is on lo, with lo's own address as source. */
static void test_loopback_net(void **state)
{
    (void)state;
    struct route r = lookup_ok("127.0.0.5", NULL, NULL);
    assert_string_equal(r.ifname, "lo");
    assert_true(r.loopback);
    assert_false(r.has_gateway);
    assert_int_equal(r.src.family, AF_INET);
    assert_int_equal(ntohl(r.src.u.v4.s_addr) >> 24, 127);
}

static void test_loopback_v6(void **state)
{
    (void)state;
    if (!have_ipv6_loopback())
        skip();
    struct route r = lookup_ok("::1", NULL, NULL);
    assert_string_equal(r.ifname, "lo");
    assert_true(r.loopback);
    assert_false(r.has_gateway);
    assert_addr(&r.src, "::1");
}

/* -e lo: the interface is honoured and named back. */
static void test_forced_interface(void **state)
{
    (void)state;
    struct route r = lookup_ok("127.0.0.1", "lo", NULL);
    assert_string_equal(r.ifname, "lo");
    assert_true(r.loopback);
    assert_int_equal((unsigned)r.ifindex, if_nametoindex("lo"));
    assert_addr(&r.src, "127.0.0.1");
    if (have_ipv6_loopback()) {
        r = lookup_ok("::1", "lo", NULL);
        assert_string_equal(r.ifname, "lo");
        assert_addr(&r.src, "::1");
    }
}

static void test_missing_interface(void **state)
{
    (void)state;
    struct ip_addr d = addr("127.0.0.1");
    struct route r;
    char err[256] = "";
    assert_int_equal(route_lookup(&d, "psnx0", NULL, &r, err, sizeof err), -ENODEV);
    assert_contains(err, "interface psnx0 does not exist");
    /* longer than any interface name can be */
    err[0] = '\0';
    assert_int_equal(route_lookup(&d, "portscout-no-such-interface", NULL, &r, err, sizeof err),
                     -ENODEV);
    assert_contains(err, "interface portscout-no-such-interface does not exist");
    err[0] = '\0';
    assert_int_equal(route_lookup(&d, "", NULL, &r, err, sizeof err), -ENODEV);
    assert_contains(err, "does not exist");
}

/* -S of the other family is refused before anything is asked. */
static void test_source_family(void **state)
{
    (void)state;
    struct ip_addr d4 = addr("127.0.0.1"), s6 = addr("::1");
    struct ip_addr d6 = addr("::1"), s4 = addr("127.0.0.1");
    struct route r;
    char err[256] = "";
    assert_int_equal(route_lookup(&d4, NULL, &s6, &r, err, sizeof err), -EINVAL);
    assert_contains(err, "source address ::1 is not IPv4 like the target");
    err[0] = '\0';
    assert_int_equal(route_lookup(&d6, NULL, &s4, &r, err, sizeof err), -EINVAL);
    assert_contains(err, "source address 127.0.0.1 is not IPv6 like the target");
    /* a NULL or empty message buffer is allowed */
    assert_int_equal(route_lookup(&d4, NULL, &s6, &r, NULL, 0), -EINVAL);
}

/* -S: the forced source is what the route carries, our own address or not
 * (nmap's -S also spoofs); nothing is sent by a look-up. */
static void test_forced_source(void **state)
{
    (void)state;
    struct route r = lookup_ok("127.0.0.1", NULL, "127.0.0.9");
    assert_string_equal(r.ifname, "lo");
    assert_addr(&r.src, "127.0.0.9");
    r = lookup_ok("127.0.0.1", "lo", "198.51.100.77");
    assert_string_equal(r.ifname, "lo");
    assert_addr(&r.src, "198.51.100.77");
    r = lookup_ok("127.0.0.1", NULL, "198.51.100.77");
    assert_string_equal(r.ifname, "lo");
    assert_addr(&r.src, "198.51.100.77");
    if (have_ipv6_loopback()) {
        r = lookup_ok("::1", NULL, "::1");
        assert_string_equal(r.ifname, "lo");
        assert_addr(&r.src, "::1");
    }
}

/* Child of test_no_route: 0 passed, 1 failed, 77 cannot make a namespace. */
static int no_route_child(void)
{
    if (unshare(CLONE_NEWNET) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
        return 77;
    /* A new namespace has only lo, down, without addresses: no routes at all. */
    const char *dsts[] = {"192.0.2.1", "127.0.0.1", "2001:db8::1"};
    for (size_t i = 0; i < sizeof dsts / sizeof *dsts; i++) {
        struct ip_addr d;
        struct route r;
        char err[256] = "", want[64];
        if (ip_addr_parse(dsts[i], AF_UNSPEC, &d) != 0)
            return 1;
        int rc = route_lookup(&d, NULL, NULL, &r, err, sizeof err);
        snprintf(want, sizeof want, "no route to %s", dsts[i]);
        if (rc >= 0 || !strstr(err, want)) {
            fprintf(stderr, "%s: rc %d, \"%s\"\n", dsts[i], rc, err);
            return 1;
        }
    }
    return 0;
}

static void test_no_route(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(no_route_child());
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip();
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loopback_v4),
        cmocka_unit_test(test_loopback_net),
        cmocka_unit_test(test_loopback_v6),
        cmocka_unit_test(test_forced_interface),
        cmocka_unit_test(test_missing_interface),
        cmocka_unit_test(test_source_family),
        cmocka_unit_test(test_forced_source),
        cmocka_unit_test(test_no_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
