/* SPDX-License-Identifier: MIT */
/* The c-ares resolver (dns.c) and the naming stage (naming.c) against a
 * small DNS server inside the test: a UDP socket on 127.0.0.1 on the same
 * event loop, which answers, stays silent, or holds queries until the test
 * lets them go.  Nothing leaves loopback: every resolver made here is given
 * that server (never the system's), and the addresses asked about are
 * documentation addresses (192.0.2.0/24) that no packet is sent to.
 *
 * The server's names: PTR of 192.0.2.N is hN.portscout.test; hN.portscout.test
 * has A 192.0.2.N and AAAA 2001:db8::N; sixN.portscout.test only AAAA
 * 2001:db8::N; "multi.portscout.test" has A 192.0.2.1 and 192.0.2.2;
 * everything else is NXDOMAIN. */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dns.h"
#include "lib/xalloc.h"
#include "naming.h"

/* ---- the server -------------------------------------------------------- */

enum mode { ANSWER, DROP, HOLD };

struct pending_q {
    unsigned char buf[512];
    size_t len;
    struct sockaddr_storage from;
    socklen_t fromlen;
};

static struct {
    int fd;
    char servers[64]; /* "127.0.0.1:PORT" */
    enum mode mode;
    size_t received;
    struct pending_q held[64];
    size_t nheld;
} S;

/* The query's name as dotted text; returns the offset after the question's
 * name, or 0 when malformed. */
static size_t read_qname(const unsigned char *q, size_t len, char *name, size_t namelen)
{
    size_t off = 12, out = 0;
    while (off < len && q[off]) {
        size_t l = q[off++];
        if (l > 63 || off + l > len || out + l + 2 > namelen)
            return 0;
        if (out)
            name[out++] = '.';
        memcpy(name + out, q + off, l);
        out += l;
        off += l;
    }
    if (off >= len)
        return 0;
    name[out] = '\0';
    return off + 1;
}

static size_t put_name(unsigned char *p, const char *name)
{
    size_t n = 0;
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t l = dot ? (size_t)(dot - name) : strlen(name);
        p[n++] = (unsigned char)l;
        memcpy(p + n, name, l);
        n += l;
        name += l + (dot != NULL);
    }
    p[n++] = 0;
    return n;
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

/* Build the answer to query q into r; returns its length. */
static size_t answer(const unsigned char *q, size_t qlen, unsigned char *r)
{
    char name[300];
    size_t qend = read_qname(q, qlen, name, sizeof name);
    if (!qend || qend + 4 > qlen)
        return 0;
    unsigned qtype = (unsigned)q[qend] << 8 | q[qend + 1];
    size_t len = qend + 4;
    memcpy(r, q, len);
    put16(r + 2, 0x8180); /* response, recursion desired and available */
    put16(r + 6, 0);
    put16(r + 8, 0);
    put16(r + 10, 0);

    unsigned n, a, b, c;
    char tail[300];
    unsigned char rdata[300];
    size_t rdlen = 0, count = 0;
    unsigned char rdatas[2][16];
    if (qtype == 12 && sscanf(name, "%u.%u.%u.%u.%299s", &n, &a, &b, &c, tail) == 5 &&
        a == 2 && b == 0 && c == 192 && strcmp(tail, "in-addr.arpa") == 0 && n < 256) {
        char host[64];
        snprintf(host, sizeof host, "h%u.portscout.test", n);
        rdlen = put_name(rdata, host);
        count = 1;
    } else if ((qtype == 1 || qtype == 28) && sscanf(name, "h%u.portscout.tes%1s", &n, tail) == 2 &&
               strcmp(tail, "t") == 0 && n < 256) {
        memset(rdatas, 0, sizeof rdatas);
        if (qtype == 1) {
            rdatas[0][0] = 192, rdatas[0][1] = 0, rdatas[0][2] = 2, rdatas[0][3] = (unsigned char)n;
            rdlen = 4;
        } else {
            rdatas[0][0] = 0x20, rdatas[0][1] = 0x01, rdatas[0][2] = 0x0d, rdatas[0][3] = 0xb8;
            rdatas[0][15] = (unsigned char)n;
            rdlen = 16;
        }
        count = 1;
    } else if (sscanf(name, "six%u.portscout.tes%1s", &n, tail) == 2 && strcmp(tail, "t") == 0) {
        if (qtype != 28)
            return len; /* the name exists, without an address of that type */
        memset(rdatas, 0, sizeof rdatas);
        rdatas[0][0] = 0x20, rdatas[0][1] = 0x01, rdatas[0][2] = 0x0d, rdatas[0][3] = 0xb8;
        rdatas[0][15] = (unsigned char)n;
        rdlen = 16;
        count = 1;
    } else if (qtype == 1 && strcmp(name, "multi.portscout.test") == 0) {
        unsigned char x[2][4] = {{192, 0, 2, 1}, {192, 0, 2, 2}};
        memcpy(rdatas[0], x[0], 4);
        memcpy(rdatas[1], x[1], 4);
        rdlen = 4;
        count = 2;
    }
    if (!count) {
        put16(r + 2, 0x8183); /* NXDOMAIN */
        return len;
    }
    put16(r + 6, (unsigned)count);
    for (size_t i = 0; i < count; i++) {
        unsigned char *p = r + len;
        put16(p, 0xc00c); /* the question's name */
        put16(p + 2, qtype);
        put16(p + 4, 1);
        put16(p + 6, 0);
        put16(p + 8, 60);
        put16(p + 10, (unsigned)rdlen);
        memcpy(p + 12, qtype == 12 ? rdata : rdatas[i], rdlen);
        len += 12 + rdlen;
    }
    return len;
}

static void reply(const struct pending_q *p)
{
    unsigned char r[1024];
    size_t n = answer(p->buf, p->len, r);
    if (n)
        sendto(S.fd, r, n, 0, (const struct sockaddr *)&p->from, p->fromlen);
}

static void on_server(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
    (void)loop, (void)events, (void)arg;
    for (;;) {
        struct pending_q p;
        p.fromlen = sizeof p.from;
        ssize_t n = recvfrom(fd, p.buf, sizeof p.buf, MSG_DONTWAIT, (struct sockaddr *)&p.from,
                             &p.fromlen);
        if (n <= 0)
            return;
        p.len = (size_t)n;
        S.received++;
        if (S.mode == ANSWER)
            reply(&p);
        else if (S.mode == HOLD && S.nheld < sizeof S.held / sizeof S.held[0])
            S.held[S.nheld++] = p;
    }
}

/* Answer the held queries, last first. */
static void release_held(void)
{
    while (S.nheld)
        reply(&S.held[--S.nheld]);
}

static struct ev_loop *server_start(enum mode mode)
{
    memset(&S, 0, sizeof S);
    S.mode = mode;
    S.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(S.fd >= 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sin;
    assert_int_equal(bind(S.fd, (struct sockaddr *)&sin, sizeof sin), 0);
    assert_int_equal(getsockname(S.fd, (struct sockaddr *)&sin, &len), 0);
    snprintf(S.servers, sizeof S.servers, "127.0.0.1:%u", ntohs(sin.sin_port));
    struct ev_loop *loop = ev_new();
    assert_non_null(loop);
    assert_int_equal(ev_add(loop, S.fd, EV_READ, on_server, NULL), 0);
    return loop;
}

static void server_stop(struct ev_loop *loop)
{
    ev_del(loop, S.fd);
    close(S.fd);
    ev_free(loop);
}

/* Run the loop for about `ms` milliseconds (the server needs it to answer). */
static void spin(struct ev_loop *loop, struct dns *d, int ms)
{
    usec_t end = now_usec() + ms * USEC_PER_MSEC;
    while (now_usec() < end) {
        ev_wait(loop, 5 * USEC_PER_MSEC);
        if (d)
            dns_process_timeouts(d);
    }
}

static struct dns *resolver(struct ev_loop *loop, usec_t timeout, int tries, size_t cap)
{
    char err[256];
    struct dns_options o = {.servers = S.servers, .timeout = timeout, .tries = tries,
                            .max_inflight = cap};
    struct dns *d = dns_new(loop, &o, err, sizeof err);
    if (!d)
        fail_msg("dns_new: %s", err);
    return d;
}

/* ---- answers collected by the callbacks --------------------------------- */

#define MAXQ 1200

struct result {
    int calls;
    enum dns_status status;
    char name[64];
    struct ip_addr addrs[4];
    size_t naddrs;
};

static struct {
    struct result r[MAXQ];
    size_t done;
    size_t max_inflight_seen;
    struct dns *d;
    size_t chain_left;
} R;

static void on_answer(void *arg, const struct dns_answer *a)
{
    struct result *r = arg;
    r->calls++;
    r->status = a->status;
    if (a->name)
        snprintf(r->name, sizeof r->name, "%s", a->name);
    r->naddrs = a->naddrs < 4 ? a->naddrs : 4;
    if (a->naddrs)
        memcpy(r->addrs, a->addrs, r->naddrs * sizeof *r->addrs);
    R.done++;
    if (R.d && dns_inflight(R.d) > R.max_inflight_seen)
        R.max_inflight_seen = dns_inflight(R.d);
}

static struct ip_addr doc_addr(unsigned n)
{
    struct ip_addr a = {.family = AF_INET};
    a.u.v4.s_addr = htonl(0xc0000200u | n); /* 192.0.2.n */
    return a;
}

/* ---- tests ------------------------------------------------------------- */

static void test_reverse_and_forward(void **state)
{
    (void)state;
    memset(&R, 0, sizeof R);
    struct ev_loop *loop = server_start(ANSWER);
    struct dns *d = resolver(loop, 0, 0, 0);
    struct ip_addr a7 = doc_addr(7), a8 = doc_addr(8);
    struct ip_addr six = {.family = AF_INET6};
    inet_pton(AF_INET6, "2001:db8::9", &six.u.v6);
    dns_reverse(d, &a7, on_answer, &R.r[0]);
    dns_reverse(d, &a8, on_answer, &R.r[1]);
    dns_forward(d, "h5.portscout.test", AF_INET, on_answer, &R.r[2]);
    dns_forward(d, "h5.portscout.test", AF_INET6, on_answer, &R.r[3]);
    dns_forward(d, "nosuch.portscout.test", AF_INET, on_answer, &R.r[4]);
    dns_forward(d, "multi.portscout.test", AF_INET, on_answer, &R.r[5]);
    dns_reverse(d, &six, on_answer, &R.r[6]); /* the server knows no IPv6 PTR */
    assert_int_equal(dns_pending(d), 7);
    assert_int_equal(dns_wait_all(d), 0);
    assert_int_equal(dns_pending(d), 0);
    for (int i = 0; i < 7; i++)
        assert_int_equal(R.r[i].calls, 1);

    assert_int_equal(R.r[0].status, DNS_OK);
    assert_string_equal(R.r[0].name, "h7.portscout.test");
    assert_string_equal(R.r[1].name, "h8.portscout.test");

    char a[IP_ADDR_STRLEN];
    assert_int_equal(R.r[2].status, DNS_OK);
    assert_int_equal(R.r[2].naddrs, 1);
    assert_string_equal(ip_addr_str(&R.r[2].addrs[0], a), "192.0.2.5");
    assert_int_equal(R.r[3].status, DNS_OK);
    assert_int_equal(R.r[3].naddrs, 1);
    assert_string_equal(ip_addr_str(&R.r[3].addrs[0], a), "2001:db8::5");
    assert_int_equal(R.r[4].status, DNS_NOTFOUND);
    assert_int_equal(R.r[4].naddrs, 0);
    assert_int_equal(R.r[5].naddrs, 2);
    assert_int_equal(R.r[6].status, DNS_NOTFOUND);
    assert_string_equal(R.r[6].name, "");

    dns_free(d);
    server_stop(loop);
}

/* Many more queries than may be in flight: the rest queue, every one is
 * answered, and no more than the cap are ever with c-ares. */
static void test_queue_cap(void **state)
{
    (void)state;
    memset(&R, 0, sizeof R);
    struct ev_loop *loop = server_start(ANSWER);
    struct dns *d = resolver(loop, 0, 0, 40);
    R.d = d;
    for (unsigned i = 0; i < 1000; i++) {
        struct ip_addr a = doc_addr(i % 256);
        dns_reverse(d, &a, on_answer, &R.r[i]);
    }
    assert_int_equal(dns_inflight(d), 40);
    assert_int_equal(dns_pending(d), 1000);
    assert_int_equal(dns_wait_all(d), 0);
    assert_int_equal(R.done, 1000);
    assert_true(R.max_inflight_seen <= 40);
    for (unsigned i = 0; i < 1000; i++) {
        char want[64];
        snprintf(want, sizeof want, "h%u.portscout.test", i % 256);
        assert_int_equal(R.r[i].calls, 1);
        assert_string_equal(R.r[i].name, want);
    }
    dns_free(d);
    server_stop(loop);
}

/* With the default cap the window starts low (a burst of hundreds of
 * queries overflows socket buffers) and grows as answers come. */
static void test_window(void **state)
{
    (void)state;
    memset(&R, 0, sizeof R);
    struct ev_loop *loop = server_start(ANSWER);
    struct dns *d = resolver(loop, 0, 0, 0);
    R.d = d;
    for (unsigned i = 0; i < 1000; i++) {
        struct ip_addr a = doc_addr(i % 256);
        dns_reverse(d, &a, on_answer, &R.r[i]);
    }
    assert_int_equal(dns_inflight(d), 50);
    assert_int_equal(dns_wait_all(d), 0);
    assert_int_equal(R.done, 1000);
    assert_true(R.max_inflight_seen > 50);
    assert_true(R.max_inflight_seen <= DNS_DEFAULT_INFLIGHT);
    dns_free(d);
    server_stop(loop);
}

/* A server that never answers: c-ares retries, then every query times out,
 * each callback once. */
static void test_timeout(void **state)
{
    (void)state;
    memset(&R, 0, sizeof R);
    struct ev_loop *loop = server_start(DROP);
    struct dns *d = resolver(loop, 20 * USEC_PER_MSEC, 2, 0);
    for (unsigned i = 0; i < 10; i++) {
        struct ip_addr a = doc_addr(i);
        dns_reverse(d, &a, on_answer, &R.r[i]);
    }
    assert_true(dns_next_timeout(d) >= 0);
    assert_int_equal(dns_wait_all(d), 0);
    for (unsigned i = 0; i < 10; i++) {
        assert_int_equal(R.r[i].calls, 1);
        assert_int_equal(R.r[i].status, DNS_TIMEOUT);
    }
    assert_int_equal(S.received, 20); /* two tries each */
    assert_int_equal(dns_next_timeout(d), -1);
    dns_free(d);
    server_stop(loop);
}

/* Freeing the resolver ends every query, queued or in flight: each callback
 * is called exactly once, none with an answer. */
static void test_cancel_on_free(void **state)
{
    (void)state;
    memset(&R, 0, sizeof R);
    struct ev_loop *loop = server_start(DROP);
    struct dns *d = resolver(loop, 5 * USEC_PER_SEC, 0, 10);
    for (unsigned i = 0; i < 100; i++) {
        struct ip_addr a = doc_addr(i);
        if (i % 2)
            dns_reverse(d, &a, on_answer, &R.r[i]);
        else
            dns_forward(d, "h1.portscout.test", AF_INET, on_answer, &R.r[i]);
    }
    spin(loop, d, 20);
    assert_int_equal(dns_inflight(d), 10);
    assert_int_equal(dns_pending(d), 100);
    dns_free(d);
    for (unsigned i = 0; i < 100; i++) {
        assert_int_equal(R.r[i].calls, 1);
        assert_int_not_equal(R.r[i].status, DNS_OK);
    }
    assert_int_equal(R.r[99].status, DNS_CANCELLED); /* still queued */
    server_stop(loop);
}

/* A callback may ask again (and cancel_all stops that chain too). */
static void on_chain(void *arg, const struct dns_answer *a)
{
    on_answer(arg, a);
    if (R.chain_left) {
        R.chain_left--;
        struct ip_addr x = doc_addr((unsigned)R.chain_left);
        dns_reverse(R.d, &x, on_chain, &R.r[R.chain_left]);
    }
}

static void test_callbacks_ask_again(void **state)
{
    (void)state;
    memset(&R, 0, sizeof R);
    struct ev_loop *loop = server_start(ANSWER);
    struct dns *d = resolver(loop, 0, 0, 0);
    R.d = d;
    R.chain_left = 20;
    struct ip_addr a = doc_addr(200);
    dns_reverse(d, &a, on_chain, &R.r[200]);
    assert_int_equal(dns_wait_all(d), 0);
    assert_int_equal(R.done, 21);
    assert_string_equal(R.r[0].name, "h0.portscout.test");
    assert_string_equal(R.r[200].name, "h200.portscout.test");

    /* cancelling: the chain's new queries end at once */
    memset(&R, 0, sizeof R);
    R.d = d;
    R.chain_left = 20;
    S.mode = DROP;
    dns_reverse(d, &a, on_chain, &R.r[200]);
    dns_cancel_all(d);
    assert_int_equal(R.done, 21);
    assert_int_equal(dns_pending(d), 0);
    dns_free(d);
    server_stop(loop);
}

static void test_bad_servers(void **state)
{
    (void)state;
    char err[256];
    struct ev_loop *loop = ev_new();
    const char *bad[] = {"10.0.0.300", "nameserver", "1.2.3.4:0", "1.2.3.4:99999",
                         "[::1", "[::1]x", ",", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct dns_options o = {.servers = bad[i]};
        err[0] = '\0';
        assert_null(dns_new(loop, &o, err, sizeof err));
        assert_true(err[0] != '\0');
    }
    /* bracketed IPv6 with a port, several servers */
    struct dns_options o = {.servers = "[::1]:5353,127.0.0.1:5353,fd00::53"};
    struct dns *d = dns_new(loop, &o, err, sizeof err);
    assert_non_null(d);
    dns_free(d);
    ev_free(loop);
}

static void test_clean_name(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(dns_clean_name("a.example.", out, sizeof out), 1);
    assert_string_equal(out, "a.example");
    assert_int_equal(dns_clean_name("a\\032b.example", out, sizeof out), 1);
    assert_int_equal(dns_clean_name("a b", out, sizeof out), 0);
    assert_int_equal(dns_clean_name("a\033[2J", out, sizeof out), 0);
    assert_int_equal(dns_clean_name("\xc3\xa9t\xc3\xa9", out, sizeof out), 0);
    assert_int_equal(dns_clean_name(".", out, sizeof out), 0);
    assert_int_equal(dns_clean_name("", out, sizeof out), 0);
    assert_int_equal(dns_clean_name("a-much-longer-name.example", out, sizeof out), 0);
}

/* ---- naming ------------------------------------------------------------ */

static struct {
    char lines[64][96];
    size_t n;
} W;

static void on_write(void *arg, const struct host_report *r)
{
    (void)arg;
    char a[IP_ADDR_STRLEN];
    size_t ports = 0;
    for (size_t i = 0; i < r->nports; i++)
        ports += r->ports[i].port; /* read the copy: ASan checks it lives */
    assert_true(W.n < 64);
    snprintf(W.lines[W.n++], sizeof W.lines[0], "%s %s %s %zu",
             ip_addr_str(&r->target->addr, a), r->rdns ? r->rdns : "-",
             r->target->name ? r->target->name : "-", ports);
}

/* A report handed over with its ports in a buffer the caller frees at
 * once, as the engine does. */
static void hand_over(struct naming *n, unsigned host, int up, const char *name)
{
    struct target t = {.addr = doc_addr(host)};
    t.name = name ? xstrdup(name) : NULL;
    struct port_result *p = xcalloc(2, sizeof *p);
    p[0].port = 22, p[1].port = 80;
    struct host_report r = {.target = &t, .up = up, .ports = p, .nports = up ? 2 : 0};
    naming_host_done(n, &r);
    memset(p, 0xa5, 2 * sizeof *p);
    free(p);
    target_clear(&t);
}

static void test_naming_order(void **state)
{
    (void)state;
    memset(&W, 0, sizeof W);
    struct ev_loop *loop = server_start(HOLD);
    struct scan_config cfg = {.dns = DNS_UP_HOSTS, .dns_servers = S.servers};
    char err[256];
    struct naming *n = naming_new(&cfg, loop, on_write, NULL, err, sizeof err);
    assert_non_null(n);

    struct target t1 = {.addr = doc_addr(1)}, t2 = {.addr = doc_addr(2)};
    naming_host_up(n, &t1);
    naming_host_up(n, &t2);
    spin(loop, NULL, 30); /* both queries reach the server, which holds them */
    assert_int_equal(S.nheld, 2);
    hand_over(n, 1, 1, NULL);
    hand_over(n, 3, 0, NULL);           /* down: no name wanted, but it waits its turn */
    hand_over(n, 2, 1, "user.example"); /* a user-given name, and a PTR */
    assert_int_equal(W.n, 0);
    assert_int_equal(naming_held(n), 3);

    release_held(); /* 192.0.2.2's answer comes first */
    while (naming_held(n))
        assert_int_equal(naming_wait(n, 50 * USEC_PER_MSEC), 0);
    assert_int_equal(W.n, 3);
    assert_string_equal(W.lines[0], "192.0.2.1 h1.portscout.test - 102");
    assert_string_equal(W.lines[1], "192.0.2.3 - - 0");
    assert_string_equal(W.lines[2], "192.0.2.2 h2.portscout.test user.example 102");

    /* A report whose name is already known is written at once. */
    struct target t4 = {.addr = doc_addr(4)};
    S.mode = ANSWER;
    naming_host_up(n, &t4);
    for (int i = 0; i < 500 && naming_next_timeout(n) >= 0; i++)
        ev_wait(loop, 10 * USEC_PER_MSEC); /* until the answer is in */
    assert_int_equal(naming_next_timeout(n), -1);
    hand_over(n, 4, 1, NULL);
    assert_int_equal(W.n, 4);
    assert_string_equal(W.lines[3], "192.0.2.4 h4.portscout.test - 102");

    /* Stopped: held reports are written without the names not yet known. */
    S.mode = DROP;
    hand_over(n, 5, 1, NULL);
    hand_over(n, 6, 0, NULL);
    assert_int_equal(naming_held(n), 2);
    naming_flush(n);
    assert_int_equal(naming_held(n), 0);
    assert_int_equal(W.n, 6);
    assert_string_equal(W.lines[4], "192.0.2.5 - - 102");
    hand_over(n, 7, 1, NULL); /* after a flush, nothing waits */
    assert_int_equal(W.n, 7);
    naming_free(n);
    server_stop(loop);
}

/* -R names down hosts; -n names none; a host found up whose report never
 * comes (an interrupted scan) is cleaned up by naming_free. */
static void test_naming_modes(void **state)
{
    (void)state;
    struct ev_loop *loop = server_start(ANSWER);
    char err[256];
    struct scan_config cfg = {.dns = DNS_ALWAYS, .dns_servers = S.servers};
    memset(&W, 0, sizeof W);
    struct naming *n = naming_new(&cfg, loop, on_write, NULL, err, sizeof err);
    assert_non_null(n);
    hand_over(n, 9, 0, NULL);
    while (naming_held(n))
        assert_int_equal(naming_wait(n, 50 * USEC_PER_MSEC), 0);
    assert_string_equal(W.lines[0], "192.0.2.9 h9.portscout.test - 0");
    struct target t = {.addr = doc_addr(10)};
    naming_host_up(n, &t);
    naming_free(n);

    cfg.dns = DNS_NEVER;
    memset(&W, 0, sizeof W);
    spin(loop, NULL, 20); /* the cancelled query may still be on its way */
    size_t before = S.received;
    n = naming_new(&cfg, loop, on_write, NULL, err, sizeof err);
    naming_host_up(n, &t);
    hand_over(n, 10, 1, NULL);
    assert_int_equal(W.n, 1);
    assert_string_equal(W.lines[0], "192.0.2.10 - - 102");
    spin(loop, NULL, 20);
    assert_int_equal(S.received, before);
    naming_free(n);
    server_stop(loop);
}

/* Target names resolved before the scan; iteration then asks no one. */
static void test_resolve_lists(void **state)
{
    (void)state;
    struct ev_loop *loop = server_start(ANSWER);
    char err[256];
    struct scan_config cfg = {.family = AF_INET, .dns = DNS_NEVER, .dns_servers = S.servers};
    struct target_list tl = {0}, ex = {0};
    assert_int_equal(target_list_add_text(&tl, "h5.portscout.test nosuch.portscout.test "
                                               "h6.portscout.test/30 six1.portscout.test "
                                               "h7.portscout.test",
                                          AF_INET, 0, err, sizeof err), 0);
    assert_int_equal(target_list_add_text(&ex, "h6.portscout.test", AF_INET, 1, err, sizeof err),
                     0);
    /* The server lives on `loop`, which naming_resolve_lists does not run:
     * answer from a child process instead. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        usec_t end = now_usec() + 3 * USEC_PER_SEC;
        while (now_usec() < end)
            ev_wait(loop, 10 * USEC_PER_MSEC);
        _exit(0);
    }
    int r = naming_resolve_lists(&cfg, &tl, &ex, err, sizeof err);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_int_equal(r, 0);
    assert_int_equal(ex.tok[0].nresolved, 2); /* both families, as nmap */

    struct target_iter it;
    struct target t;
    char a[IP_ADDR_STRLEN];
    target_iter_init(&it, &tl, &ex, AF_INET);
    assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 1);
    assert_string_equal(ip_addr_str(&t.addr, a), "192.0.2.5");
    assert_string_equal(t.name, "h5.portscout.test");
    assert_int_equal(t.nothers, 1); /* "Other addresses for ... (not scanned)" */
    assert_string_equal(ip_addr_str(&t.others[0], a), "2001:db8::5");
    target_clear(&t);
    assert_int_equal(target_iter_next(&it, &t, err, sizeof err), -ENOENT);
    assert_string_equal(err, "Failed to resolve \"nosuch.portscout.test\".");
    const char *block[] = {"192.0.2.4", "192.0.2.5", "192.0.2.7"}; /* .6 excluded */
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 1);
        assert_string_equal(ip_addr_str(&t.addr, a), block[i]);
        target_clear(&t);
    }
    assert_int_equal(target_iter_next(&it, &t, err, sizeof err), -ENOENT);
    assert_string_equal(err, "Warning: Hostname six1.portscout.test resolves, but not to any IPv4 "
                             "address. Try scanning with -6\nFailed to resolve "
                             "\"six1.portscout.test\".");
    assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 1);
    assert_string_equal(t.name, "h7.portscout.test");
    target_clear(&t);
    assert_int_equal(target_iter_next(&it, &t, err, sizeof err), 0);
    target_iter_free(&it);
    target_list_free(&tl);
    target_list_free(&ex);

    /* an exclude name that does not resolve is an error */
    assert_int_equal(target_list_add_text(&ex, "nosuch.portscout.test", AF_INET, 1, err,
                                          sizeof err), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        usec_t end = now_usec() + 3 * USEC_PER_SEC;
        while (now_usec() < end)
            ev_wait(loop, 10 * USEC_PER_MSEC);
        _exit(0);
    }
    r = naming_resolve_lists(&cfg, &tl, &ex, err, sizeof err);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_int_equal(r, -ENOENT);
    assert_contains(err, "nosuch.portscout.test");
    target_list_free(&ex);

    /* --system-dns: getaddrinfo (localhost from /etc/hosts, no server) */
    cfg.system_dns = 1;
    assert_int_equal(target_list_add_text(&ex, "localhost", AF_INET, 1, err, sizeof err), 0);
    assert_int_equal(naming_resolve_lists(&cfg, &tl, &ex, err, sizeof err), 0);
    assert_true(ex.tok[0].looked_up);
    assert_true(ex.tok[0].nresolved >= 1);
    assert_string_equal(ip_addr_str(&ex.tok[0].resolved[0], a), "127.0.0.1");
    target_list_free(&ex);
    server_stop(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reverse_and_forward),
        cmocka_unit_test(test_queue_cap),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_cancel_on_free),
        cmocka_unit_test(test_callbacks_ask_again),
        cmocka_unit_test(test_bad_servers),
        cmocka_unit_test(test_clean_name),
        cmocka_unit_test(test_naming_order),
        cmocka_unit_test(test_naming_modes),
        cmocka_unit_test(test_resolve_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
