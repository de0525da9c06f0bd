/* SPDX-License-Identifier: MIT */
/* UDP payloads: the file format (escapes, padding, errors with their line), the O(1)
 * lookup, and the shipped data/portscout-payloads -- every port it promises, and each
 * payload taken apart by a small decoder of its own protocol, written here from the
 * specifications independently of the file's comments. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "payloads.h"

#ifndef PORTSCOUT_TEST_PAYLOADS
#error "PORTSCOUT_TEST_PAYLOADS (path of data/portscout-payloads) must be defined"
#endif

static struct payloads *parse_ok(const char *text)
{
    struct payloads *pl = NULL;
    char err[256] = "";
    int r = payloads_parse(&pl, text, "t", err, sizeof err);
    if (r != 0)
        fail_msg("payloads_parse = %d: %s", r, err);
    assert_non_null(pl);
    return pl;
}

static void expect_bytes(const struct payloads *pl, uint16_t port, const void *want, size_t n)
{
    size_t len = 99;
    const uint8_t *p = payloads_for(pl, port, &len);
    assert_non_null(p);
    assert_int_equal(len, n);
    if (n)
        assert_memory_equal(p, want, n);
}

/* ---- the format ---------------------------------------------------------------------- */

static void test_escapes(void **state)
{
    (void)state;
    struct payloads *pl = parse_ok(
        "# a comment\n"
        "\n"
        "   # an indented comment\n"
        "payload a-b_c.9   # names may have - _ .\n"
        "ports 7 9\n"
        "ports 11\t13\n"
        "data \"AZ az 09 ~!\"   # printable ASCII as itself\n"
        "data \"\\\\ \\\" \\n \\r \\t\"\n"
        "data \"\\x00\\x7f\\x80\\xff\\xAb\"\n"
        "data \"#;' \"   # a '#' inside the string is a byte\n"
        "  data \"\"  \n"
        "payload padded\r\n" /* CRLF lines */
        "ports 65535\r\n"
        "data \"xy\"\r\n"
        "pad 5\r\n"
        "data \"z\"\r\n"
        "payload empty\n"
        "ports 1\n"
        "data \"\"");
    static const uint8_t a[] = "AZ az 09 ~!\\ \" \n \r \t\x00\x7f\x80\xff\xab#;' ";
    expect_bytes(pl, 7, a, sizeof a - 1);
    expect_bytes(pl, 9, a, sizeof a - 1);
    expect_bytes(pl, 11, a, sizeof a - 1);
    expect_bytes(pl, 13, a, sizeof a - 1);
    expect_bytes(pl, 65535, "xy\0\0\0z", 6);
    expect_bytes(pl, 1, "", 0); /* an explicit empty payload */
    assert_string_equal(payloads_name(pl, 7), "a-b_c.9");
    assert_string_equal(payloads_name(pl, 65535), "padded");
    assert_string_equal(payloads_name(pl, 1), "empty");
    assert_int_equal(payloads_count(pl), 3);

    size_t len = 99;
    assert_null(payloads_for(pl, 8, &len));
    assert_int_equal(len, 0);
    assert_null(payloads_for(pl, 0, &len));
    assert_null(payloads_name(pl, 65534));
    payloads_free(pl);

    /* a file with no payloads is valid; so is a NULL table */
    pl = parse_ok("# nothing\n");
    assert_int_equal(payloads_count(pl), 0);
    assert_null(payloads_for(pl, 53, &len));
    payloads_free(pl);
    len = 99;
    assert_null(payloads_for(NULL, 53, &len));
    assert_int_equal(len, 0);
    assert_null(payloads_name(NULL, 53));
    payloads_free(NULL);
}

/* Exactly PAYLOAD_MAX bytes is fine, one more is not (by data and by pad). */
static void test_limits(void **state)
{
    (void)state;
    char *text = malloc(16 * PAYLOAD_MAX);
    assert_non_null(text);
    size_t n = (size_t)sprintf(text, "payload big\nports 9\n");
    for (int i = 0; i < PAYLOAD_MAX / 100; i++) {
        n += (size_t)sprintf(text + n, "data \"");
        for (int j = 0; j < 100; j++)
            n += (size_t)sprintf(text + n, "\\x%02x", (i + j) & 0xff);
        n += (size_t)sprintf(text + n, "\"\n");
    }
    struct payloads *pl = parse_ok(text);
    size_t len;
    const uint8_t *p = payloads_for(pl, 9, &len);
    assert_int_equal(len, PAYLOAD_MAX);
    assert_int_equal(p[PAYLOAD_MAX - 1], (PAYLOAD_MAX / 100 - 1 + 99) & 0xff);
    payloads_free(pl);

    char err[256] = "";
    sprintf(text + n, "data \"x\"\n");
    assert_int_equal(payloads_parse(&pl, text, "big", err, sizeof err), -EINVAL);
    assert_null(pl);
    char want[64];
    snprintf(want, sizeof want, "big:%d: payload big is longer than %d bytes",
             PAYLOAD_MAX / 100 + 3, PAYLOAD_MAX);
    assert_string_equal(err, want);

    pl = parse_ok("payload p\nports 9\npad 1400\n");
    expect_bytes(pl, 9, (uint8_t[PAYLOAD_MAX]){0}, PAYLOAD_MAX);
    payloads_free(pl);
    free(text);
}

struct bad_case {
    const char *text;
    const char *want; /* the whole message */
};

static void test_errors(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"payload a\nports 1\ndata \"\\q\"\n", "f:3: bad escape \\q (known: \\\\ \\\" \\n \\r \\t \\xHH)"},
        {"payload a\nports 1\ndata \"\\x4\"\n", "f:3: bad escape: \\x needs two hexadecimal digits"},
        {"payload a\nports 1\ndata \"\\xg0\"\n", "f:3: bad escape: \\x needs two hexadecimal digits"},
        {"payload a\nports 1\ndata \"\\x\"", "f:3: bad escape: \\x needs two hexadecimal digits"},
        {"payload a\nports 1\ndata \"\\\xc3\"\n", "f:3: bad escape: a backslash before byte 0xc3"},
        {"payload a\nports 1\ndata \"\\0\"\n", "f:3: bad escape \\0 (known: \\\\ \\\" \\n \\r \\t \\xHH)"},
        {"payload a\nports 1\n\ndata \"abc\n", "f:4: unterminated string (no closing \")"},
        {"payload a\nports 1\ndata \"abc\\\"\n", "f:3: unterminated string (no closing \")"},
        {"payload a\nports 1\ndata \"abc\\", "f:3: unterminated string (no closing \")"},
        {"payload a\nports 1\ndata abc\n", "f:3: data needs a string in double quotes"},
        {"payload a\nports 1\ndata\n", "f:3: data needs a string in double quotes"},
        {"payload a\nports 1\ndata \"a\" \"b\"\n",
         "f:3: unexpected text after the string (one string per data line)"},
        {"payload a\nports 1\ndata \"a\"x\n",
         "f:3: unexpected text after the string (one string per data line)"},
        {"payload a\nports 1\ndata \"a\tb\"\n", "f:3: byte 0x09 in a string: write it as \\x09"},
        {"payload a\nports 1\ndata \"\xe2\x82\xac\"\n",
         "f:3: byte 0xe2 in a string: write it as \\xe2"},
        {"payload a\nports 53\ndata \"\"\npayload b\nports 7 53\ndata \"\"\n",
         "f:5: port 53 already has payload a (line 1); a port may have one"},
        {"payload a\nports 53\nports 53\ndata \"\"\n", "f:3: port 53 is listed twice in payload a"},
        {"payload a\nports 0\ndata \"\"\n", "f:2: port 0 is out of range (1-65535)"},
        {"payload a\nports 65536\ndata \"\"\n", "f:2: port 65536 is out of range (1-65535)"},
        {"payload a\nports 99999999999999999999\ndata \"\"\n",
         "f:2: port 99999999999999999999 is out of range (1-65535)"},
        {"payload a\nports 5x\ndata \"\"\n", "f:2: \"5x\" is not a port number"},
        {"payload a\nports -1\ndata \"\"\n", "f:2: \"-1\" is not a port number"},
        {"payload a\nports 1,2\ndata \"\"\n", "f:2: \"1,2\" is not a port number"},
        {"payload a\nports\ndata \"\"\n", "f:2: ports needs at least one port number"},
        {"payload a\nports # none\ndata \"\"\n", "f:2: ports needs at least one port number"},
        {"payload a\nports 1\n", "f:1: payload a has no data line"},
        {"payload a\nports 1\npayload b\nports 2\ndata \"\"\n", "f:1: payload a has no data line"},
        {"\n\npayload a\ndata \"x\"\n", "f:3: payload a has no ports line"},
        {"ports 1\n", "f:1: ports before the first payload line"},
        {"# x\ndata \"x\"\n", "f:2: data before the first payload line"},
        {"pad 3\n", "f:1: pad before the first payload line"},
        {"payload a\nports 1\nsend \"x\"\n", "f:3: unknown keyword \"send\" (payload, ports, data, pad)"},
        {"payload a\nports 1\nDATA \"x\"\n", "f:3: unknown keyword \"DATA\" (payload, ports, data, pad)"},
        {"payload\n", "f:1: payload needs a name"},
        {"payload a b\n", "f:1: payload takes one name"},
        {"payload DNS\n", "f:1: bad payload name \"DNS\" (1-32 of a-z 0-9 - _ .)"},
        {"payload a/b\n", "f:1: bad payload name \"a/b\" (1-32 of a-z 0-9 - _ .)"},
        {"payload abcdefghijklmnopqrstuvwxyz0123456\n",
         "f:1: bad payload name \"abcdefghijklmnopqrstuvwxyz0123456\" (1-32 of a-z 0-9 - _ .)"},
        {"payload a\nports 1\ndata \"\"\npayload a\n", "f:4: payload a is already defined (line 1)"},
        {"payload a\nports 1\npad\n", "f:3: pad needs a length in bytes"},
        {"payload a\nports 1\npad -1\n", "f:3: pad needs a length in bytes"},
        {"payload a\nports 1\npad 3 4\n", "f:3: pad needs one length in bytes"},
        {"payload a\nports 1\npad 3x\n", "f:3: pad needs one length in bytes"},
        {"payload a\nports 1\npad 1401\n", "f:3: pad 1401: payloads are at most 1400 bytes"},
        {"payload a\nports 1\npad 99999999999999999999999\n",
         "f:3: pad 99999999999999999999999: payloads are at most 1400 bytes"},
        {"payload a\nports 1\ndata \"abc\"\npad 2\n", "f:4: pad 2: payload a is already 3 bytes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct payloads *pl = (struct payloads *)&pl; /* must be reset to NULL */
        char err[256];
        memset(err, 'x', sizeof err);
        int r = payloads_parse(&pl, cases[i].text, "f", err, sizeof err);
        if (r != -EINVAL || pl != NULL || strcmp(err, cases[i].want) != 0)
            fail_msg("case %zu: r=%d pl=%p err \"%.200s\", want \"%s\"", i, r, (void *)pl,
                     err, cases[i].want);
    }
}

static void test_load(void **state)
{
    (void)state;
    struct payloads *pl = (struct payloads *)&pl;
    char err[256] = "";
    assert_int_equal(payloads_load(&pl, "/nonexistent/portscout-payloads", err, sizeof err),
                     -ENOENT);
    assert_null(pl);
    assert_contains(err, "/nonexistent/portscout-payloads");

    char path[] = "/tmp/test_payloads.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("payload ok\nports 5\ndata \"a\"\npayload bad\nports 5\ndata \"b\"\n", f);
    fclose(f);
    assert_int_equal(payloads_load(&pl, path, err, sizeof err), -EINVAL);
    char want[128];
    snprintf(want, sizeof want, "%s:5: port 5 already has payload ok", path);
    assert_contains(err, want);
    assert_null(pl);
    /* a NUL byte: not a text file */
    f = fopen(path, "w");
    fwrite("payload a\nports 5\ndata \"\0\"\n", 1, 27, f);
    fclose(f);
    assert_int_equal(payloads_load(&pl, path, err, sizeof err), -EINVAL);
    assert_contains(err, "not a text file");
    unlink(path);
}

/* ---- the shipped file ---------------------------------------------------------------- */

static struct payloads *shipped;

static int load_shipped(void **state)
{
    (void)state;
    char err[256] = "";
    int r = payloads_load(&shipped, PORTSCOUT_TEST_PAYLOADS, err, sizeof err);
    if (r != 0) {
        fprintf(stderr, "cannot load %s: %s\n", PORTSCOUT_TEST_PAYLOADS, err);
        return -1;
    }
    return 0;
}

static int free_shipped(void **state)
{
    (void)state;
    payloads_free(shipped);
    return 0;
}

static const uint8_t *get(uint16_t port, size_t *len)
{
    const uint8_t *p = payloads_for(shipped, port, len);
    if (!p)
        fail_msg("no payload for port %u", port);
    return p;
}

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Every port the file promises (issue 6's list and ours), under its payload's name. */
static void test_shipped_ports(void **state)
{
    (void)state;
    static const struct {
        uint16_t port;
        const char *name;
    } want[] = {
        {7, "echo"}, {13, "daytime"}, {17, "qotd"}, {19, "chargen"}, {37, "time"},
        {53, "dns"}, {69, "tftp"}, {88, "kerberos"}, {111, "rpcbind"}, {123, "ntp"},
        {137, "netbios-ns"}, {161, "snmp"}, {177, "xdmcp"}, {389, "cldap"}, {443, "quic"},
        {500, "ike"}, {520, "rip"}, {521, "ripng"}, {623, "rmcp"}, {1194, "openvpn"},
        {1434, "ms-sql-browser"}, {1701, "l2tp"}, {1900, "ssdp"}, {2049, "nfs"},
        {3391, "dtls"}, {3478, "stun"}, {4433, "dtls"}, {4500, "ike-natt"}, {5060, "sip"},
        {5349, "dtls"}, {5351, "nat-pmp"}, {5353, "mdns"}, {5683, "coap"}, {5684, "dtls"},
        {6514, "dtls"}, {10161, "dtls"}, {11211, "memcached"}, {27015, "source-engine"},
        {27960, "quake3"},
    };
    size_t n = sizeof want / sizeof *want, found = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = payloads_name(shipped, want[i].port);
        if (!name || strcmp(name, want[i].name) != 0)
            fail_msg("port %u: payload %s, want %s", want[i].port, name ? name : "(none)",
                     want[i].name);
        size_t len;
        const uint8_t *p = get(want[i].port, &len);
        assert_true(len > 0 && len <= PAYLOAD_MAX);
        (void)p;
    }
    /* and no others: a port added to the file is added here (and checked below) */
    for (unsigned port = 1; port <= 65535; port++)
        if (payloads_name(shipped, (uint16_t)port))
            found++;
    assert_int_equal(found, n);
    /* ports that must stay empty datagrams */
    size_t len;
    assert_null(payloads_for(shipped, 22, &len));
    assert_null(payloads_for(shipped, 9, &len)); /* discard answers nothing anyway */
    assert_null(payloads_for(shipped, 162, &len)); /* traps are not answered */
}

/* DNS-format messages: a query header with one question, the name's labels, then exactly
 * QTYPE and QCLASS. */
static void check_dns_query(uint16_t port, unsigned qtype, const char *first_label)
{
    size_t len;
    const uint8_t *p = get(port, &len);
    assert_true(len >= 12 + 1 + 4);
    assert_int_equal(p[2] & 0x80, 0);          /* QR: a query */
    assert_int_equal((p[2] >> 3) & 0x0f, 0);   /* OPCODE: QUERY */
    assert_int_equal(be16(p + 4), 1);          /* QDCOUNT */
    assert_int_equal(be16(p + 6) | be16(p + 8) | be16(p + 10), 0);
    size_t at = 12, labels = 0;
    while (p[at] != 0) {
        unsigned l = p[at];
        assert_true(l <= 63); /* a plain label, no compression in a question we send */
        assert_true(at + 1 + l < len);
        if (labels++ == 0 && first_label)
            assert_true(l == strlen(first_label) && memcmp(p + at + 1, first_label, l) == 0);
        at += 1 + l;
    }
    at++;
    assert_int_equal(len - at, 4);
    assert_int_equal(be16(p + at), qtype);
    assert_int_equal(be16(p + at + 2), 1); /* IN */
}

static void test_dns_family(void **state)
{
    (void)state;
    check_dns_query(53, 2, NULL);          /* NS of the root */
    check_dns_query(5353, 12, "_services"); /* PTR _services._dns-sd._udp.local */
    check_dns_query(137, 0x21, NULL);      /* NBSTAT */
    size_t len;
    const uint8_t *p = get(137, &len);
    assert_int_equal(p[12], 32);
    /* the first-level encoding (RFC 1001 14.1) of "*" and 15 NULs, decoded */
    for (int i = 0; i < 16; i++) {
        uint8_t hi = p[13 + 2 * i], lo = p[14 + 2 * i];
        assert_true(hi >= 'A' && hi <= 'P' && lo >= 'A' && lo <= 'P');
        assert_int_equal((hi - 'A') << 4 | (lo - 'A'), i == 0 ? '*' : 0);
    }
}

static void test_ntp(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *p = get(123, &len);
    assert_int_equal(len, 48);
    assert_int_equal(p[0] & 7, 3);        /* client */
    assert_int_equal((p[0] >> 3) & 7, 4); /* NTPv4 */
    assert_true(be32(p + 40) != 0 || be32(p + 44) != 0); /* a transmit timestamp */
}

/* ---- BER (X.690) for SNMP, LDAP, Kerberos --------------------------------------------- */

struct tlv {
    uint8_t tag;
    const uint8_t *v;
    size_t len;
};

/* One TLV at p[0..n): definite lengths only, and DER's shortest form. */
static size_t ber_read(const uint8_t *p, size_t n, struct tlv *t)
{
    assert_true(n >= 2);
    assert_true((p[0] & 0x1f) != 0x1f); /* no multi-byte tags in our payloads */
    t->tag = p[0];
    size_t hdr = 2, len = p[1];
    if (len & 0x80) {
        size_t k = len & 0x7f;
        assert_true(k >= 1 && k <= 2 && n >= 2 + k);
        len = 0;
        for (size_t i = 0; i < k; i++)
            len = len << 8 | p[2 + i];
        assert_true(len >= 128); /* else the short form */
        hdr += k;
    }
    assert_true(hdr + len <= n);
    t->v = p + hdr;
    t->len = len;
    return hdr + len;
}

/* The constructed values' contents are exactly their children, recursively. */
static void ber_walk(const uint8_t *p, size_t n, int depth)
{
    assert_true(depth < 16);
    size_t at = 0;
    while (at < n) {
        struct tlv t;
        at += ber_read(p + at, n - at, &t);
        if (t.tag & 0x20)
            ber_walk(t.v, t.len, depth + 1);
    }
    assert_int_equal(at, n);
}

/* The children of a constructed value, in order. */
static size_t ber_children(const struct tlv *parent, struct tlv *out, size_t max)
{
    size_t at = 0, k = 0;
    while (at < parent->len && k < max)
        at += ber_read(parent->v + at, parent->len - at, &out[k++]);
    return k;
}

static long ber_int(const struct tlv *t)
{
    assert_int_equal(t->tag, 0x02);
    assert_true(t->len >= 1 && t->len <= 4);
    long v = (t->v[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < t->len; i++)
        v = v * 256 + t->v[i];
    return v;
}

static void test_snmp(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *p = get(161, &len);
    ber_walk(p, len, 0);
    struct tlv msg, f[4], pdu[4], vbl[2], vb[2];
    assert_int_equal(ber_read(p, len, &msg), len);
    assert_int_equal(msg.tag, 0x30);
    assert_int_equal(ber_children(&msg, f, 4), 3);
    assert_int_equal(ber_int(&f[0]), 0); /* version-1 */
    assert_int_equal(f[1].tag, 0x04);
    assert_true(f[1].len == 6 && memcmp(f[1].v, "public", 6) == 0);
    assert_int_equal(f[2].tag, 0xa0); /* GetRequest-PDU */
    assert_int_equal(ber_children(&f[2], pdu, 4), 4);
    assert_int_equal(ber_int(&pdu[1]), 0); /* error-status */
    assert_int_equal(ber_int(&pdu[2]), 0); /* error-index */
    assert_int_equal(pdu[3].tag, 0x30);
    assert_int_equal(ber_children(&pdu[3], vbl, 2), 1);
    assert_int_equal(ber_children(&vbl[0], vb, 2), 2);
    assert_int_equal(vb[0].tag, 0x06);
    /* the OID, decoded: 1.3.6.1.2.1.1.1.0 */
    unsigned arcs[16], n = 0, v = 0;
    for (size_t i = 0; i < vb[0].len; i++) {
        v = v << 7 | (vb[0].v[i] & 0x7f);
        if (!(vb[0].v[i] & 0x80)) {
            if (n == 0) {
                arcs[n++] = v / 40;
                arcs[n++] = v % 40;
            } else {
                arcs[n++] = v;
            }
            v = 0;
        }
    }
    static const unsigned sys_descr0[] = {1, 3, 6, 1, 2, 1, 1, 1, 0};
    assert_int_equal(n, 9);
    assert_memory_equal(arcs, sys_descr0, sizeof sys_descr0);
    assert_true(vb[1].tag == 0x05 && vb[1].len == 0); /* NULL */
}

static void test_cldap(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *p = get(389, &len);
    ber_walk(p, len, 0);
    struct tlv msg, f[3], req[9], attrs[2];
    assert_int_equal(ber_read(p, len, &msg), len);
    assert_int_equal(msg.tag, 0x30);
    assert_int_equal(ber_children(&msg, f, 3), 2);
    assert_true(ber_int(&f[0]) > 0);  /* messageID */
    assert_int_equal(f[1].tag, 0x63); /* searchRequest */
    assert_int_equal(ber_children(&f[1], req, 9), 8);
    assert_true(req[0].tag == 0x04 && req[0].len == 0); /* baseObject: the root DSE */
    assert_true(req[1].tag == 0x0a && req[1].len == 1 && req[1].v[0] == 0); /* baseObject */
    assert_int_equal(req[6].tag, 0x87); /* present */
    assert_true(req[6].len == 11 && memcmp(req[6].v, "objectClass", 11) == 0);
    assert_int_equal(req[7].tag, 0x30);
    assert_int_equal(ber_children(&req[7], attrs, 2), 1);
    assert_int_equal(attrs[0].tag, 0x04);
}

/* The [n] context-tagged field of a SEQUENCE, or fail. */
static struct tlv kerberos_field(const struct tlv *seq, uint8_t n)
{
    struct tlv f[12];
    size_t k = ber_children(seq, f, 12);
    for (size_t i = 0; i < k; i++)
        if (f[i].tag == (0xa0 | n)) {
            struct tlv inner;
            assert_int_equal(ber_read(f[i].v, f[i].len, &inner), f[i].len);
            return inner;
        }
    fail_msg("no field [%u]", n);
    return (struct tlv){0};
}

static void test_kerberos(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *p = get(88, &len);
    ber_walk(p, len, 0);
    struct tlv asreq, req;
    assert_int_equal(ber_read(p, len, &asreq), len);
    assert_int_equal(asreq.tag, 0x6a); /* [APPLICATION 10] AS-REQ */
    assert_int_equal(ber_read(asreq.v, asreq.len, &req), asreq.len);
    assert_int_equal(req.tag, 0x30);
    struct tlv pvno = kerberos_field(&req, 1), type = kerberos_field(&req, 2);
    assert_int_equal(ber_int(&pvno), 5);
    assert_int_equal(ber_int(&type), 10);
    struct tlv body = kerberos_field(&req, 4);
    assert_int_equal(body.tag, 0x30);
    struct tlv opts = kerberos_field(&body, 0), realm = kerberos_field(&body, 2);
    struct tlv till = kerberos_field(&body, 5), nonce = kerberos_field(&body, 7);
    struct tlv etypes = kerberos_field(&body, 8), sname = kerberos_field(&body, 3);
    assert_true(opts.tag == 0x03 && opts.len == 5 && opts.v[0] == 0); /* 32 bits */
    assert_int_equal(realm.tag, 0x1b);
    assert_int_equal(till.tag, 0x18);
    assert_true(till.len == 15 && till.v[14] == 'Z');
    assert_true(ber_int(&nonce) != 0);
    struct tlv e[8];
    size_t ne = ber_children(&etypes, e, 8);
    assert_true(ne >= 1);
    for (size_t i = 0; i < ne; i++)
        assert_true(ber_int(&e[i]) > 0);
    /* sname is krbtgt/REALM, in the request's realm */
    struct tlv names = kerberos_field(&sname, 1), parts[3];
    assert_int_equal(ber_children(&names, parts, 3), 2);
    assert_true(parts[0].len == 6 && memcmp(parts[0].v, "krbtgt", 6) == 0);
    assert_true(parts[1].len == realm.len && memcmp(parts[1].v, realm.v, realm.len) == 0);
}

/* ---- RPC, TFTP, memcached --------------------------------------------------------------- */

static void check_rpc_null(uint16_t port, uint32_t prog, uint32_t vers)
{
    size_t len;
    const uint8_t *p = get(port, &len);
    assert_int_equal(len, 40);
    assert_int_equal(be32(p + 4), 0);  /* CALL */
    assert_int_equal(be32(p + 8), 2);  /* RPC version 2 */
    assert_int_equal(be32(p + 12), prog);
    assert_int_equal(be32(p + 16), vers);
    assert_int_equal(be32(p + 20), 0); /* NULL procedure */
    for (int i = 24; i < 40; i += 4)   /* AUTH_NONE credential and verifier, empty */
        assert_int_equal(be32(p + i), 0);
}

static void test_rpc(void **state)
{
    (void)state;
    check_rpc_null(111, 100000, 2);
    check_rpc_null(2049, 100003, 3);
}

static void test_tftp_memcached(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *p = get(69, &len);
    assert_int_equal(be16(p), 1); /* RRQ */
    const uint8_t *name_end = memchr(p + 2, 0, len - 2);
    assert_non_null(name_end);
    assert_true(name_end > p + 2);
    size_t rest = len - (size_t)(name_end + 1 - p);
    assert_true(rest == 6 && memcmp(name_end + 1, "octet", 6) == 0);

    p = get(11211, &len);
    assert_true(len > 8);
    assert_int_equal(be16(p + 2), 0); /* sequence number */
    assert_int_equal(be16(p + 4), 1); /* one datagram */
    assert_int_equal(be16(p + 6), 0);
    assert_true(p[len - 2] == '\r' && p[len - 1] == '\n');
    assert_null(memchr(p + 8, '\n', len - 9)); /* one command line */
}

/* ---- IKEv2 ------------------------------------------------------------------------------ */

/* An IKEv2 message: the header's length is the message's, the payload chain adds up, the SA
 * payload's one proposal holds its transforms, and the KE payload is for a group the
 * proposal offers, with a public value of that group's size. */
static void check_ikev2(const uint8_t *p, size_t len)
{
    assert_true(len >= 28);
    assert_int_equal(be32(p + 24), len);
    assert_int_equal(p[17], 0x20); /* version 2.0 */
    assert_int_equal(p[18], 34);   /* IKE_SA_INIT */
    assert_int_equal(p[19], 0x08); /* Initiator */
    assert_true(be32(p) || be32(p + 4));                 /* an initiator SPI */
    assert_int_equal(be32(p + 8) | be32(p + 12), 0);     /* no responder SPI yet */
    unsigned next = p[16], groups[8], ngroups = 0, ke_group = 0;
    size_t at = 28, seen = 0;
    while (next != 0) {
        assert_true(at + 4 <= len);
        size_t plen = be16(p + at + 2);
        assert_true(plen >= 4 && at + plen <= len);
        const uint8_t *b = p + at + 4;
        if (next == 33) { /* SA: one proposal */
            assert_int_equal(b[0], 0); /* the last proposal */
            size_t prop_len = be16(b + 2);
            assert_int_equal(prop_len, plen - 4);
            assert_int_equal(b[5], 1); /* IKE */
            assert_int_equal(b[6], 0); /* no SPI */
            size_t t = 8;
            for (unsigned i = 0; i < b[7]; i++) {
                assert_true(t + 8 <= prop_len);
                size_t tlen = be16(b + t + 2);
                assert_true(tlen >= 8 && t + tlen <= prop_len);
                assert_int_equal(b[t], i + 1 == b[7] ? 0 : 3); /* more, then last */
                if (b[t + 4] == 4 && ngroups < 8)
                    groups[ngroups++] = be16(b + t + 6);
                t += tlen;
            }
            assert_int_equal(t, prop_len);
        } else if (next == 34) { /* KE */
            ke_group = be16(b);
            assert_int_equal(plen - 8, ke_group == 19 ? 64 : ke_group == 14 ? 256 : 0);
        } else if (next == 40) { /* Nonce: 16 to 256 bytes */
            assert_true(plen - 4 >= 16 && plen - 4 <= 256);
        } else {
            fail_msg("unexpected payload %u", next);
        }
        seen |= 1u << (next - 32);
        next = p[at];
        at += plen;
    }
    assert_int_equal(at, len);
    assert_int_equal(seen, 1u << 1 | 1u << 2 | 1u << 8); /* SA, KE, Nonce */
    int offered = 0;
    for (unsigned i = 0; i < ngroups; i++)
        offered |= groups[i] == ke_group;
    assert_true(offered);
}

static void test_ike(void **state)
{
    (void)state;
    size_t len, nlen;
    const uint8_t *p = get(500, &len);
    check_ikev2(p, len);
    /* port 4500: the Non-ESP Marker, then the very same message */
    const uint8_t *n = get(4500, &nlen);
    assert_int_equal(nlen, len + 4);
    assert_int_equal(be32(n), 0);
    assert_memory_equal(n + 4, p, len);
}

/* ---- DTLS, QUIC ------------------------------------------------------------------------- */

static void test_dtls(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *p = get(4433, &len);
    assert_int_equal(p[0], 22); /* handshake */
    assert_true(be16(p + 1) == 0xfeff || be16(p + 1) == 0xfefd);
    assert_int_equal(be16(p + 3), 0); /* epoch */
    assert_int_equal(be16(p + 11), len - 13);
    const uint8_t *h = p + 13;
    assert_int_equal(h[0], 1); /* client_hello */
    size_t body = (size_t)h[1] << 16 | be16(h + 2);
    assert_int_equal(body, len - 13 - 12);
    assert_int_equal(be16(h + 4), 0);                    /* message_seq */
    assert_int_equal((size_t)h[6] << 16 | be16(h + 7), 0); /* fragment_offset */
    assert_int_equal((size_t)h[9] << 16 | be16(h + 10), body); /* unfragmented */
    const uint8_t *c = h + 12, *end = c + body;
    assert_int_equal(be16(c), 0xfefd); /* DTLS 1.2 */
    c += 2 + 32;                       /* random */
    c += 1 + c[0];                     /* session_id */
    assert_int_equal(c[0], 0);         /* no cookie yet */
    c += 1;
    size_t suites = be16(c);
    assert_true(suites >= 2 && suites % 2 == 0);
    c += 2 + suites;
    assert_true(c[0] >= 1 && memchr(c + 1, 0, c[0])); /* the null compression */
    c += 1 + c[0];
    size_t ext = be16(c);
    c += 2;
    assert_true(c + ext == end);
    while (c < end) { /* each extension's length inside the block */
        assert_true(c + 4 <= end);
        c += 4 + be16(c + 2);
    }
    assert_true(c == end);
    /* every DTLS port gets the same hello */
    static const uint16_t ports[] = {3391, 5349, 5684, 6514, 10161};
    for (size_t i = 0; i < sizeof ports / sizeof *ports; i++) {
        size_t l;
        assert_ptr_equal(get(ports[i], &l), p);
    }
}

static void test_quic(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *p = get(443, &len);
    assert_true(len >= 1200); /* RFC 9000 14.1 */
    assert_true(p[0] & 0x80); /* long header */
    uint32_t version = be32(p + 1);
    assert_int_equal(version & 0x0f0f0f0f, 0x0a0a0a0a); /* reserved: 0x?a?a?a?a */
    size_t dcid = p[5];
    assert_true(dcid >= 8 && dcid <= 20);
    assert_true(p[6 + dcid] <= 20);
}

/* ---- tunnels, NAT, IoT ------------------------------------------------------------------ */

static void test_l2tp(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *p = get(1701, &len);
    assert_int_equal(be16(p) & 0xcb0f, 0xc802); /* T, L, S; no O, P; version 2 */
    assert_int_equal(be16(p + 2), len);
    size_t at = 12;
    unsigned seen = 0, first = 1;
    while (at < len) {
        assert_true(at + 6 <= len);
        size_t alen = be16(p + at) & 0x3ff;
        assert_true(alen >= 6 && at + alen <= len);
        assert_int_equal(be16(p + at + 2), 0); /* IETF AVPs */
        unsigned type = be16(p + at + 4);
        if (first) { /* Message Type first: SCCRQ */
            assert_true(type == 0 && alen == 8 && be16(p + at + 6) == 1);
            first = 0;
        }
        if (type < 16)
            seen |= 1u << type;
        at += alen;
    }
    assert_int_equal(at, len);
    /* RFC 2661 6.1: Message Type, Protocol Version, Host Name, Framing Capabilities,
     * Assigned Tunnel ID */
    unsigned need = 1u << 0 | 1u << 2 | 1u << 7 | 1u << 3 | 1u << 9;
    assert_int_equal(seen & need, need);
}

static void test_openvpn_coap_stun(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *p = get(1194, &len);
    assert_int_equal(p[0] >> 3, 7); /* P_CONTROL_HARD_RESET_CLIENT_V2 */
    assert_int_equal(p[9], 0);      /* no ACKs, so no remote session ID */
    assert_int_equal(len, 1 + 8 + 1 + 4);

    p = get(5683, &len);
    assert_int_equal(p[0] >> 6, 1);         /* CoAP version 1 */
    assert_int_equal((p[0] >> 4) & 3, 0);   /* Confirmable */
    size_t at = 4 + (p[0] & 0x0f);          /* after the token */
    assert_int_equal(p[1], 0x01);           /* GET */
    unsigned opt = 0;
    char path[64] = "";
    while (at < len && p[at] != 0xff) {
        unsigned delta = p[at] >> 4, olen = p[at] & 0x0f;
        at++;
        assert_true(delta < 13 && olen < 13); /* no extended forms in our GET */
        opt += delta;
        assert_true(at + olen <= len);
        if (opt == 11) { /* Uri-Path */
            strcat(path, "/");
            strncat(path, (const char *)p + at, olen);
        }
        at += olen;
    }
    assert_int_equal(at, len);
    assert_string_equal(path, "/.well-known/core");

    p = get(3478, &len);
    assert_int_equal(be16(p), 0x0001);       /* Binding request */
    assert_int_equal(be16(p + 2), len - 20); /* attributes */
    assert_int_equal(be32(p + 4), 0x2112a442);
}

static void test_small(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *p = get(5351, &len); /* NAT-PMP external address */
    assert_true(len == 2 && p[0] == 0 && p[1] == 0);
    p = get(1434, &len); /* CLNT_UCAST_EX */
    assert_true(len == 1 && p[0] == 3);
    p = get(623, &len); /* RMCP presence ping */
    assert_int_equal(len, 12);
    assert_true(p[0] == 6 && p[3] == 6 && be32(p + 4) == 4542 && p[8] == 0x80);
    assert_int_equal(p[11], len - 12);
    p = get(177, &len); /* XDMCP Query */
    assert_true(be16(p) == 1 && be16(p + 2) == 2 && be16(p + 4) == len - 6);
    p = get(27015, &len); /* A2S_INFO */
    assert_true(be32(p) == 0xffffffff && p[4] == 'T' && p[len - 1] == 0);
    p = get(27960, &len);
    assert_int_equal(be32(p), 0xffffffff);

    p = get(520, &len); /* RIPv2 whole-table request */
    assert_int_equal(len, 24);
    assert_true(p[0] == 1 && p[1] == 2 && be16(p + 4) == 0 && be32(p + 20) == 16);
    p = get(521, &len); /* RIPng */
    assert_int_equal(len, 24);
    assert_true(p[0] == 1 && p[1] == 1 && p[22] == 0 && p[23] == 16);
    for (int i = 4; i < 20; i++)
        assert_int_equal(p[i], 0); /* prefix :: */
}

/* SIP and SSDP: CRLF lines ending in an empty one, and the headers their RFCs require. */
static void check_text(uint16_t port, const char *first, const char *const *headers)
{
    size_t len;
    const uint8_t *p = get(port, &len);
    char *t = strndup((const char *)p, len);
    assert_int_equal(strlen(t), len);
    assert_true(strncmp(t, first, strlen(first)) == 0);
    assert_true(len > 4 && strcmp(t + len - 4, "\r\n\r\n") == 0);
    for (size_t i = 0; i < len; i++)
        if (t[i] == '\n')
            assert_true(i > 0 && t[i - 1] == '\r');
    assert_ptr_equal(strstr(t, "\r\n\r\n"), t + len - 4); /* one blank line, the last */
    for (; *headers; headers++) {
        char want[64];
        snprintf(want, sizeof want, "\r\n%s", *headers);
        if (!strstr(t, want))
            fail_msg("port %u: no \"%s\" header", port, *headers);
    }
    free(t);
}

static void test_sip_ssdp(void **state)
{
    (void)state;
    static const char *const sip[] = {"Via: SIP/2.0/UDP ", "Max-Forwards: ", "From: ",
                                      "To: ", "Call-ID: ", "CSeq: 1 OPTIONS\r\n",
                                      "Content-Length: 0\r\n", NULL};
    check_text(5060, "OPTIONS sip:", sip);
    size_t len;
    const char *p = (const char *)get(5060, &len);
    const char *via = strstr(p, "\r\nVia: ");
    assert_non_null(via);
    const char *branch = strstr(via, ";branch=");
    assert_true(branch && strncmp(branch + 8, "z9hG4bK", 7) == 0); /* RFC 3261 8.1.1.7 */
    assert_non_null(strstr(via, ";rport"));
    static const char *const ssdp[] = {"HOST: 239.255.255.250:1900\r\n",
                                       "MAN: \"ssdp:discover\"\r\n", "MX: ", "ST: ", NULL};
    check_text(1900, "M-SEARCH * HTTP/1.1\r\n", ssdp);
}

int main(void)
{
    const struct CMUnitTest format[] = {
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_load),
    };
    const struct CMUnitTest file[] = {
        cmocka_unit_test(test_shipped_ports),
        cmocka_unit_test(test_dns_family),
        cmocka_unit_test(test_ntp),
        cmocka_unit_test(test_snmp),
        cmocka_unit_test(test_cldap),
        cmocka_unit_test(test_kerberos),
        cmocka_unit_test(test_rpc),
        cmocka_unit_test(test_tftp_memcached),
        cmocka_unit_test(test_ike),
        cmocka_unit_test(test_dtls),
        cmocka_unit_test(test_quic),
        cmocka_unit_test(test_l2tp),
        cmocka_unit_test(test_openvpn_coap_stun),
        cmocka_unit_test(test_small),
        cmocka_unit_test(test_sip_ssdp),
    };
    int bad = cmocka_run_group_tests_name("payloads format", format, NULL, NULL);
    return bad | cmocka_run_group_tests_name("shipped payloads", file, load_shipped,
                                             free_shipped);
}
