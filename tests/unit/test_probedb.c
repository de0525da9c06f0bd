/* SPDX-License-Identifier: MIT */
/* The service probe database: every directive of the nmap-service-probes format, the
 * escapes, the template helpers, matching (hard, soft, fallbacks, the NULL probe's rules,
 * binary answers), errors with their line, hostile answers; our shipped database (loads,
 * and names what the lab's servers say, from answers recorded here by hand); and that
 * nmap's own file loads (the --versiondb use; make check installs nmap). */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "services.h"
#include "svc/probedb.h"

#ifndef PORTSCOUT_TEST_PROBES
#error "PORTSCOUT_TEST_PROBES (path of data/portscout-service-probes) must be defined"
#endif

static struct svc_db *parse_ok(const char *text)
{
    struct svc_db *db = NULL;
    char err[256] = "";
    int r = svc_db_parse(text, strlen(text), "t", &db, err, sizeof err);
    if (r != 0)
        fail_msg("svc_db_parse = %d: %s", r, err);
    assert_non_null(db);
    return db;
}

static void parse_fails(const char *text, const char *want)
{
    struct svc_db *db = NULL;
    char err[256] = "";
    assert_int_equal(svc_db_parse(text, strlen(text), "t", &db, err, sizeof err), -EINVAL);
    assert_null(db);
    assert_contains(err, want);
}

static const struct svc_probe *probe(const struct svc_db *db, const char *name)
{
    for (size_t i = 0; i < db->nprobes; i++)
        if (strcmp(db->probes[i].name, name) == 0)
            return &db->probes[i];
    fail_msg("no probe %s", name);
    return NULL;
}

static int match(const struct svc_db *db, const char *pname, const void *resp, size_t len,
                 const char *soft, struct svc_result *r)
{
    return svc_match(db, probe(db, pname), resp, len, soft, r);
}

#define S(x) x, sizeof(x) - 1

/* ---- the format ---------------------------------------------------------------------- */

static void test_directives(void **state)
{
    (void)state;
    struct svc_db *db = parse_ok("# comment\n"
                                 "Exclude T:9100-9102,U:53,T:7\n"
                                 "\n"
                                 "Probe TCP NULL q||\n"
                                 "totalwaitms 6000\n"
                                 "tcpwrappedms 3000\n"
                                 "Probe TCP Get q|GET / HTTP/1.0\\r\\n\\r\\n|\n"
                                 "rarity 3\n"
                                 "ports 80,8000-8010\n"
                                 "sslports 443\n"
                                 "fallback NULL\n"
                                 "Probe UDP Dns q|\\0\\x01\\xfF| no-payload\r\n");
    assert_int_equal(db->nprobes, 3);
    const struct svc_probe *n = probe(db, "NULL"), *g = probe(db, "Get"), *d = probe(db, "Dns");
    assert_ptr_equal(svc_db_null_probe(db), n);
    assert_int_equal(n->totalwaitms, 6000);
    assert_int_equal(n->tcpwrappedms, 3000);
    assert_int_equal(n->rarity, SVC_DEFAULT_RARITY);
    assert_int_equal(g->rarity, 3);
    assert_int_equal(g->totalwaitms, SVC_DEFAULT_WAITMS);
    assert_int_equal(g->len, 18);
    assert_memory_equal(g->data, "GET / HTTP/1.0\r\n\r\n", 18);
    assert_true(svc_portset_has(&g->ports, 80));
    assert_true(svc_portset_has(&g->ports, 8005));
    assert_false(svc_portset_has(&g->ports, 8011));
    assert_false(svc_portset_has(&g->ports, 443));
    assert_true(svc_portset_has(&g->sslports, 443));
    assert_int_equal(g->nfallback, 1);
    assert_int_equal(g->fallback[0], 0);
    assert_int_equal(d->proto, PROTO_UDP);
    assert_int_equal(d->len, 3);
    assert_memory_equal(d->data, "\0\x01\xff", 3);
    assert_true(d->no_payload);
    assert_true(svc_db_excluded(db, PROTO_TCP, 9101));
    assert_true(svc_db_excluded(db, PROTO_TCP, 7));
    assert_false(svc_db_excluded(db, PROTO_TCP, 53));
    assert_true(svc_db_excluded(db, PROTO_UDP, 53));
    assert_false(svc_db_excluded(db, PROTO_UDP, 9101));
    svc_db_free(db);
}

static void test_errors(void **state)
{
    (void)state;
    parse_fails("match ssh m|x|\n", "t:1: match before any Probe");
    parse_fails("Probe TCP A q||\nbogus 1\n", "t:2: unknown directive \"bogus\"");
    parse_fails("Probe SCTP A q||\n", "t:1: a Probe's protocol must be TCP or UDP");
    parse_fails("Probe TCP A q|abc\n", "t:1: Probe: unterminated");
    parse_fails("Probe TCP A q|\\x4|\n", "t:1: bad \\x escape");
    parse_fails("Probe TCP A q|a| junk\n", "t:1: unexpected");
    parse_fails("Probe TCP A q||\nmatch x m|(a| p/x/\n", "t:2: bad regex");
    parse_fails("Probe TCP A q||\nmatch x m|a|z\n", "t:2: unknown regex flag 'z'");
    parse_fails("Probe TCP A q||\nmatch x m|a| p/unterminated\n", "t:2: unterminated version");
    parse_fails("Probe TCP A q||\nmatch x m|a| k/x/\n", "t:2: unknown version field");
    parse_fails("Probe TCP A q||\nmatch x /a/\n", "t:2: match x: the pattern must be");
    parse_fails("Probe TCP A q||\nports 80-70\n", "t:2: port range 80-70 is backwards");
    parse_fails("Probe TCP A q||\nports 70000\n", "t:2: port 70000 out of range");
    parse_fails("Probe TCP A q||\nports 80,\n", "t:2: bad port list");
    parse_fails("Probe TCP A q||\nrarity 10\n", "t:2: rarity must be a number from 1 to 9");
    parse_fails("Probe TCP A q||\ntotalwaitms x\n", "t:2: totalwaitms must be");
    parse_fails("Probe TCP A q||\nfallback Nope\n", "t:1: probe A falls back to unknown probe Nope");
    parse_fails("# nothing\n", "no Probe in the file");
    char nul[] = "Probe TCP A q||\nmatch x m|a\0b|\n";
    struct svc_db *db = NULL;
    char err[128];
    assert_int_equal(svc_db_parse(nul, sizeof nul - 1, "t", &db, err, sizeof err), -EINVAL);
    assert_contains(err, "t:2: a NUL byte");
}

static void test_load_errors(void **state)
{
    (void)state;
    struct svc_db *db = NULL;
    char err[256];
    assert_true(svc_db_load("/nonexistent/probes", &db, err, sizeof err) < 0);
    assert_null(db);
    assert_contains(err, "/nonexistent/probes");
}

/* ---- matching and templates --------------------------------------------------------- */

static const char *const DB =
    "Probe TCP NULL q||\n"
    "match ssh m|^SSH-([\\d.]+)-OpenSSH_([\\w.]+)[ -]Debian[ -]([^\\r\\n]+)\\r?\\n| p/OpenSSH/ "
    "v/$2 Debian $3/ i/protocol $1/ o/Linux/ cpe:/a:openbsd:openssh:$2/ cpe:/o:debian:debian_linux/ "
    "cpe:/o:linux:linux_kernel/a\n"
    "softmatch ssh m|^SSH-|\n"
    "match bin m|^\\x01\\0(....)(.)|s p/Bin/ v/$I(1,\">\")/ i/$I(2,\"<\")/\n"
    "match printable m|^P:(.*)$|s p/$P(1)/\n"
    "match subst m|^V([\\d_]+)_(\\d+)$| v/$SUBST(1,\"_\",\".\").$2/ h/$SUBST(1,\"x\",\"yy\")/\n"
    "match empty m|^E(x*)$| p/$1/ v/ / i/$9/\n"
    "match ctl m|^C(.*)$|s p/$1/\n"
    "match caseless m|^hello|i p/Hi/\n"
    "Probe TCP Get q|GET / HTTP/1.0\\r\\n\\r\\n|\n"
    "match http m=^HTTP/1\\.[01] \\d+ .*\\r\\nServer: nginx/([\\d.]+)\\r\\n=s p/nginx/ v/$1/ "
    "cpe:|a:igor_sysoev:nginx:$1|\n"
    "softmatch http m|^HTTP/1\\.|\n"
    "match redis m|^-ERR| p/Redis/\n"
    "Probe TCP Help q|HELP\\r\\n|\n"
    "fallback Get\n"
    "match smtp m|^214 | p/Help/\n"
    "Probe UDP Dns q|x|\n"
    "match domain m|^x| p/D/\n";

static void test_hard_and_templates(void **state)
{
    (void)state;
    struct svc_db *db = parse_ok(DB);
    struct svc_result r = {0};
    assert_int_equal(match(db, "NULL", S("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"), NULL, &r),
                     SVC_HARD);
    assert_string_equal(r.service, "ssh");
    assert_string_equal(r.product, "OpenSSH");
    assert_string_equal(r.version, "9.2p1 Debian 2+deb12u3");
    assert_string_equal(r.extrainfo, "protocol 2.0");
    assert_string_equal(r.ostype, "Linux");
    assert_null(r.hostname);
    /* as nmap: one CPE per part, the last of each, applications first */
    assert_int_equal(r.ncpe, 2);
    assert_string_equal(r.cpe[0], "cpe:/a:openbsd:openssh:9.2p1");
    assert_string_equal(r.cpe[1], "cpe:/o:linux:linux_kernel");
    assert_int_equal(r.line, 2);
    assert_false(r.soft);

    assert_int_equal(match(db, "NULL", S("\x01\0\0\0\x01\x02\x2a"), NULL, &r), SVC_HARD);
    assert_string_equal(r.version, "258");
    assert_string_equal(r.extrainfo, "42");

    assert_int_equal(match(db, "NULL", S("P:\0W\x01O\x7fRK"), NULL, &r), SVC_HARD);
    assert_string_equal(r.product, "WORK");

    assert_int_equal(match(db, "NULL", S("V1_2_3"), NULL, &r), SVC_HARD);
    assert_string_equal(r.version, "1.2.3");
    assert_string_equal(r.hostname, "1_2");

    /* fields that expand to nothing (or blanks, or an unset group) are absent */
    assert_int_equal(match(db, "NULL", S("E"), NULL, &r), SVC_HARD);
    assert_null(r.product);
    assert_null(r.version);
    assert_null(r.extrainfo);

    /* control bytes never reach an output raw */
    assert_int_equal(match(db, "NULL", S("Ca\033[2Jb\n"), NULL, &r), SVC_HARD);
    assert_string_equal(r.product, "a\\x1b[2Jb\\x0a");

    assert_int_equal(match(db, "NULL", S("HELLO there"), NULL, &r), SVC_HARD);
    assert_string_equal(r.service, "caseless");

    assert_int_equal(match(db, "Get", S("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n\r\n"), NULL,
                           &r),
                     SVC_HARD);
    assert_string_equal(r.product, "nginx");
    assert_string_equal(r.cpe[0], "cpe:/a:igor_sysoev:nginx:1.22.1");
    svc_result_clear(&r);
    assert_null(r.service);
    svc_db_free(db);
}

static void test_soft_fallback_null(void **state)
{
    (void)state;
    struct svc_db *db = parse_ok(DB);
    struct svc_result r = {0};
    /* soft: a service, no version */
    assert_int_equal(match(db, "NULL", S("SSH-1.99-Unknown\r\n"), NULL, &r), SVC_SOFT);
    assert_string_equal(r.service, "ssh");
    assert_true(r.soft);
    assert_null(r.product);
    assert_int_equal(match(db, "Get", S("HTTP/1.1 404 Nope\r\n\r\n"), NULL, &r), SVC_SOFT);
    assert_string_equal(r.service, "http");
    /* a probe's answer is also read by its fallback's rules... */
    assert_int_equal(match(db, "Help", S("-ERR unknown command\r\n"), NULL, &r), SVC_HARD);
    assert_string_equal(r.service, "redis");
    /* ...and, for TCP, by the NULL probe's (a greeting that came before our probe) */
    assert_int_equal(match(db, "Get", S("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), NULL, &r),
                     SVC_HARD);
    assert_string_equal(r.service, "ssh");
    /* after a soft match, only rules of its service count */
    assert_int_equal(match(db, "Help", S("-ERR x"), "http", &r), SVC_NOMATCH);
    assert_int_equal(match(db, "Help", S("HTTP/1.0 200 OK\r\nServer: nginx/1.2\r\n\r\n"), "http",
                           &r),
                     SVC_HARD);
    /* UDP probes do not read the NULL probe's rules */
    assert_int_equal(match(db, "Dns", S("SSH-2.0-OpenSSH_1 Debian-1\r\n"), NULL, &r),
                     SVC_NOMATCH);
    assert_int_equal(match(db, "Dns", S("xyz"), NULL, &r), SVC_HARD);
    assert_true(svc_probe_knows(probe(db, "Get"), "redis"));
    assert_false(svc_probe_knows(probe(db, "Get"), "ssh"));
    /* an empty answer matches nothing here, and does not crash */
    assert_int_equal(match(db, "NULL", "", 0, NULL, &r), SVC_NOMATCH);
    svc_result_clear(&r);
    svc_db_free(db);
}

/* Catastrophic backtracking against a long answer: the match limit ends it, as no
 * match (the result is what is asserted; the limit is what keeps it short). */
static void test_hostile_regex(void **state)
{
    (void)state;
    struct svc_db *db = parse_ok("Probe TCP NULL q||\nmatch evil m|^(a+)+$| p/x/\n");
    size_t n = 200000;
    char *a = malloc(n + 1);
    memset(a, 'a', n);
    a[n] = '!';
    struct svc_result r = {0};
    assert_int_equal(svc_match(db, svc_db_null_probe(db), (uint8_t *)a, n + 1, NULL, &r),
                     SVC_NOMATCH);
    free(a);
    svc_db_free(db);
}

static void test_expand_helpers(void **state)
{
    (void)state;
    const uint8_t subj[] = "abc";
    size_t ov[4] = {0, 3, 1, 2};
    char *s = svc_expand("[$1|$0|$P(1)|$Q(1)|$SUBST(1,\"b\")|$I(1,\"x\")|$", subj, ov, 2);
    /* malformed helper calls are text; $0 is the whole match */
    assert_string_equal(s, "[b|abc|b|$Q(1)|$SUBST(1,\"b\")|$I(1,\"x\")|$");
    free(s);
    assert_null(svc_expand(NULL, subj, ov, 2));
    assert_null(svc_expand("  ", subj, ov, 2));
}

/* ---- the shipped database ------------------------------------------------------------- */

static void test_shipped(void **state)
{
    (void)state;
    struct svc_db *db = NULL;
    char err[512] = "";
    if (svc_db_load(PORTSCOUT_TEST_PROBES, &db, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_true(db->nprobes >= 30);
    size_t rules = 0;
    for (size_t i = 0; i < db->nprobes; i++)
        rules += db->probes[i].nmatches;
    assert_true(rules >= 200);
    assert_non_null(svc_db_null_probe(db));
    struct svc_result r = {0};
    /* answers as the lab's servers gave them */
    static const struct {
        const char *probe, *resp;
        size_t len;
        const char *service, *product, *version;
    } cases[] = {
        {"NULL", S("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n"), "ssh", "OpenSSH",
         "9.2p1 Debian 2+deb12u10"},
        {"NULL", S("220 (vsFTPd 3.0.3)\r\n"), "ftp", "vsftpd", "3.0.3"},
        {"NULL", S("220 mx ESMTP Exim 4.96 Sun, 22 Nov 2026 09:57:27 +0000\r\n"), "smtp",
         "Exim smtpd", "4.96"},
        {"NULL", S("+OK Dovecot (Debian) ready.\r\n"), "pop3", "Dovecot pop3d", NULL},
        {"NULL", S("\xff\xfb%\xff\xfb&\xff\xfd\x18\xff\xfd \xff\xfd#\xff\xfd'\xff\xfd$"),
         "telnet", "Linux telnetd", NULL},
        {"GetRequest", S("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: x\r\n\r\nlab"),
         "http", "nginx", "1.22.1"},
        {"GetRequest", S("HTTP/1.0 403 Forbidden\r\nContent-Type: text/html\r\nServer: "
                         "lighttpd/1.4.69\r\n\r\n"),
         "http", "lighttpd", "1.4.69"},
        {"GetRequest", S("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n<html><center>The "
                         "plain HTTP request was sent to HTTPS port</center>"),
         "ssl", "TLS", NULL},
        {"RedisInfo", S("$4908\r\n# Server\r\nredis_version:7.0.15\r\nos:Linux 6.1 x86_64\r\n"),
         "redis", "Redis key-value store", "7.0.15"},
        {"MemcachedVersion", S("VERSION 1.6.18\r\n"), "memcached", "Memcached", "1.6.18"},
        {"MQTTConnect", S(" \x02\0\0\x90\x03\0\x01\0" "1-\0\x13$SYS/broker/versionmosquitto version 2.0.11"),
         "mqtt", "Mosquitto", "2.0.11"},
        {"RPCPortmapTCP", S("\x80\0\0 PSN1\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02\0\0\0\x02\0\0\0\x04"),
         "rpcbind", NULL, "2-4"},
        {"TLSClientHello", S("\x16\x03\x03\0Y\x02\0\0U\x03\x03"), "ssl", "TLS", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int m = match(db, cases[i].probe, cases[i].resp, cases[i].len, NULL, &r);
        if (m != SVC_HARD)
            fail_msg("case %zu (%s): %d", i, cases[i].probe, m);
        assert_string_equal(r.service, cases[i].service);
        if (cases[i].product)
            assert_string_equal(r.product, cases[i].product);
        if (cases[i].version)
            assert_string_equal(r.version, cases[i].version);
    }
    svc_result_clear(&r);
    svc_db_free(db);
}

/* nmap's own file, as a user's --versiondb points at it: it must load, and fast. */
static void test_nmap_file(void **state)
{
    (void)state;
    const char *path = "/usr/share/nmap/nmap-service-probes";
    if (access(path, R_OK) != 0) /* scripts/setup check installs nmap */
        fail_msg("%s: not readable (install nmap)", path);
    struct svc_db *db = NULL;
    char err[512] = "";
    if (svc_db_load(path, &db, err, sizeof err) != 0)
        fail_msg("%s", err);
    size_t rules = 0;
    for (size_t i = 0; i < db->nprobes; i++)
        rules += db->probes[i].nmatches;
    print_message("nmap's file: %zu probes, %zu rules\n", db->nprobes, rules);
    assert_true(db->nprobes > 100);
    assert_true(rules > 5000);
    svc_db_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directives),       cmocka_unit_test(test_errors),
        cmocka_unit_test(test_load_errors),      cmocka_unit_test(test_hard_and_templates),
        cmocka_unit_test(test_soft_fallback_null), cmocka_unit_test(test_hostile_regex),
        cmocka_unit_test(test_expand_helpers),   cmocka_unit_test(test_shipped),
        cmocka_unit_test(test_nmap_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
