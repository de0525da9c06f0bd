/* SPDX-License-Identifier: MIT */
/* The engine with a scripted technique: no packets, answers given by the
 * test at the moments it chooses, through the same calls a real technique
 * makes.  Checks what the engine concludes from answers that come late. */
#include "unit.h"

#include <errno.h>

#include "engine.h"
#include "options.h"
#include "services.h"

#define NPORTS 600
#define MAXSENT (NPORTS * 4)

struct sent {
    struct probe *p; /* NULL once the engine retired the try */
    usec_t at;
    uint16_t port;
    uint8_t tryno;
    int answered;
};

static struct {
    struct engine *eng;
    struct sent log[MAXSENT];
    size_t n;
    usec_t delay;                  /* every answer comes this long after its try */
    int accepted_late[65536];      /* engine_late_reply took it */
    int answered_live[65536];      /* answered while its try was in flight */
    size_t late, late_attempts, refused_unsent;
    struct port_result report[NPORTS + 1];
    size_t nreport;
    int reports;
    int ups, ups_before_scan; /* host_up calls; of them, before any probe went */
} T;

static int fake_send(struct engine *eng, void *state, struct probe *p)
{
    (void)eng, (void)state;
    if (T.n == MAXSENT)
        return -EAGAIN;
    T.log[T.n++] = (struct sent){p, now_usec(), p->port, p->tryno, 0};
    return 0;
}

static void fake_release(struct engine *eng, void *state, struct probe *p)
{
    (void)eng, (void)state;
    for (size_t i = 0; i < T.n; i++)
        if (T.log[i].p == p)
            T.log[i].p = NULL;
}

static const struct technique fake = {
    .name = "fake",
    .option = "-sZ",
    .scan_name = "Scripted Scan",
    .proto = PROTO_TCP,
    .noresponse_state = PORT_FILTERED,
    .send = fake_send,
    .release = fake_release,
};

/* Deliver every answer that is due. */
static void on_tick(void *arg)
{
    (void)arg;
    usec_t now = now_usec();
    struct ip_addr a;
    assert_int_equal(ip_addr_parse("127.0.0.1", AF_INET, &a), 0);
    for (size_t i = 0; i < T.n; i++) {
        struct sent *s = &T.log[i];
        if (s->answered || now - s->at < T.delay)
            continue;
        s->answered = 1;
        if (s->p) {
            T.answered_live[s->port] = 1;
            engine_probe_reply(T.eng, s->p, PORT_OPEN, REASON_SYN_ACK, 64, s->tryno);
            continue;
        }
        /* a try that was never sent cannot be answered */
        T.late_attempts++;
        if (!engine_late_reply(T.eng, &a, PROTO_TCP, s->port, PORT_OPEN, REASON_SYN_ACK, 64,
                               s->tryno + 1u))
            T.refused_unsent++;
        if (engine_late_reply(T.eng, &a, PROTO_TCP, s->port, PORT_OPEN, REASON_SYN_ACK, 64,
                              s->tryno)) {
            T.accepted_late[s->port] = 1;
            T.late++;
        }
    }
}

/* naming starts a reverse lookup here: once per up host, before its scan */
static void on_up(void *arg, const struct target *t)
{
    (void)arg, (void)t;
    T.ups++;
    T.ups_before_scan += T.n == 0;
}

static void on_host(void *arg, const struct host_report *r)
{
    (void)arg;
    T.reports++;
    assert_true(r->nports <= NPORTS);
    memcpy(T.report, r->ports, r->nports * sizeof *r->ports);
    T.nreport = r->nports;
}

static void test_late_answers(void **state)
{
    (void)state;
    memset(&T, 0, sizeof T);
    T.delay = 30 * USEC_PER_MSEC;
    struct options o;
    char err[OPTIONS_ERRLEN];
    char *argv[] = {"portscout", "-sT", "-n", "-Pn", "-p", "1-600", "--max-retries", "0",
                    "--initial-rtt-timeout", "5ms", "--max-rtt-timeout", "5ms",
                    "--max-parallelism", "40", "127.0.0.1", NULL};
    struct services svc;
    assert_int_equal(services_parse(&svc, "22/tcp ssh 1\n", err, sizeof err), 0);
    o.quiet_warnings = 1;
    assert_int_equal(options_parse(&o, 15, argv, err, sizeof err), 0);
    o.quiet_warnings = 1;
    assert_int_equal(options_finish(&o, &svc, err, sizeof err), 0);
    o.cfg.tech = o.cfg.techs[PROTO_TCP] = o.cfg.ping_tech = &fake;

    struct target_iter it;
    target_iter_init(&it, &o.targets, &o.exclude, AF_INET);
    struct engine_events ev = {.host_done = on_host, .tick = on_tick, .host_up = on_up};
    T.eng = engine_new(&o.cfg, &it, &ev, err, sizeof err);
    assert_non_null(T.eng);
    assert_int_equal(engine_run(T.eng, err, sizeof err), 0);

    /* With 5 ms timeouts, one try and 30 ms answers, ports are given up on
     * before their answer comes; those answered while the host was still
     * being scanned are open after all, the rest stay filtered. */
    assert_int_equal(T.reports, 1);
    assert_int_equal(T.ups, 1);
    assert_int_equal(T.ups_before_scan, 1);
    assert_int_equal(T.nreport, NPORTS);
    assert_true(T.late > 0);
    assert_int_equal(T.refused_unsent, T.late_attempts);
    size_t open = 0, live = 0;
    for (size_t port = 0; port < 65536; port++)
        live += T.answered_live[port] && !T.accepted_late[port];
    for (size_t i = 0; i < T.nreport; i++) {
        const struct port_result *p = &T.report[i];
        if (T.accepted_late[p->port] || T.answered_live[p->port]) {
            assert_int_equal(p->state, PORT_OPEN);
            assert_int_equal(p->reason, REASON_SYN_ACK);
            assert_int_equal(p->ttl, 64);
            open++;
        } else {
            assert_int_equal(p->state, PORT_FILTERED);
            assert_int_equal(p->reason, REASON_NO_RESPONSE);
        }
    }
    assert_int_equal(open, T.late + live);
    assert_int_equal(engine_stats(T.eng)->late_replies, T.late);
    engine_free(T.eng);
    target_iter_free(&it);
    options_free(&o);
    services_free(&svc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_late_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
