/* SPDX-License-Identifier: MIT */
/* Building, parsing and describing packets (net/packet.h).  The expected
 * bytes of built packets were computed independently (Python's struct and
 * socket modules); parsed frames are wrapped here by hand in each link
 * layer; truncated frames are copied into buffers of exactly their size,
 * so that ASan sees any read past the end. */
#include "unit.h"

#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdio.h>

#include "net/packet.h"

/* ---- helpers ---- */

static struct ip_addr addr(const char *s)
{
    struct ip_addr a;
    assert_int_equal(ip_addr_parse(s, AF_UNSPEC, &a), 0);
    return a;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* A second, deliberately naive RFC 1071 sum: fold after every word. */
static uint16_t naive_sum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i < n; i += 2) {
        s += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
        s = (s & 0xffff) + (s >> 16);
    }
    return (uint16_t)s;
}

/* The folded sum of a TCP segment with its pseudo-header: 0xffff when the
 * checksum in it is right. */
static uint16_t tcp_sum(const uint8_t *ip, size_t len)
{
    uint8_t ph[40] = {0};
    if (ip[0] >> 4 == 4) {
        size_t hl = (size_t)(ip[0] & 15) * 4;
        memcpy(ph, ip + 12, 8);
        ph[9] = 6;
        put16(ph + 10, (uint16_t)(len - hl));
        return pkt_cksum(ip + hl, len - hl, pkt_cksum(ph, 12, 0));
    }
    memcpy(ph, ip + 8, 32);
    put32(ph + 32, (uint32_t)(len - 40));
    ph[39] = 6;
    return pkt_cksum(ip + 40, len - 40, pkt_cksum(ph, 40, 0));
}

static const uint8_t mss1460[] = {2, 4, 0x05, 0xb4};
static const uint8_t synack_opts[] = {2, 4,   0x05, 0xa0, 4, 2, 8, 10, 0, 0,
                                      0, 123, 0,    0,    0, 0, 1, 3,  3, 7};

/* The v4 SYN and v6 SYN-ACK whose bytes are below. */
static struct pkt_tcp_spec syn4(void)
{
    return (struct pkt_tcp_spec){
        .src = addr("192.0.2.1"),
        .dst = addr("198.51.100.2"),
        .sport = 40123,
        .dport = 22,
        .seq = 0x01020304,
        .flags = TH_SYN_,
        .win = 1024,
        .ttl = 52,
        .ipid = 1234,
        .opts = mss1460,
        .optlen = sizeof mss1460,
    };
}

static const uint8_t syn4_bytes[] = {
    0x45, 0x00, 0x00, 0x2c, 0x04, 0xd2, 0x00, 0x00, 0x34, 0x06, 0x95, 0xc3, 0xc0, 0x00, 0x02,
    0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0xbb, 0x00, 0x16, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00,
    0x00, 0x00, 0x60, 0x02, 0x04, 0x00, 0x07, 0x18, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
};

static struct pkt_tcp_spec synack6(void)
{
    return (struct pkt_tcp_spec){
        .src = addr("2001:db8::1"),
        .dst = addr("2001:db8::2"),
        .sport = 22,
        .dport = 40123,
        .seq = 0xdeadbeef,
        .ack = 0x01020305,
        .flags = TH_SYN_ | TH_ACK_,
        .win = 65535,
        .ttl = 64,
        .ipid = 999,
        .flowlabel = 0xfff12345, /* only the low 20 bits count */
        .opts = synack_opts,
        .optlen = sizeof synack_opts,
    };
}

static const uint8_t synack6_bytes[] = {
    0x60, 0x01, 0x23, 0x45, 0x00, 0x28, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x16, 0x9c, 0xbb, 0xde, 0xad, 0xbe, 0xef,
    0x01, 0x02, 0x03, 0x05, 0xa0, 0x12, 0xff, 0xff, 0xad, 0x9e, 0x00, 0x00, 0x02, 0x04, 0x05, 0xa0,
    0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x7b, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/* An IPv4 packet (TTL 64, id 0) around a payload, header checksum set. */
static size_t ip4_wrap(uint8_t *out, const char *src, const char *dst, uint8_t proto,
                       const uint8_t *payload, size_t n)
{
    struct ip_addr s = addr(src), d = addr(dst);
    memset(out, 0, 20);
    out[0] = 0x45;
    put16(out + 2, (uint16_t)(20 + n));
    out[8] = 64;
    out[9] = proto;
    memcpy(out + 12, &s.u.v4, 4);
    memcpy(out + 16, &d.u.v4, 4);
    put16(out + 10, (uint16_t)~pkt_cksum(out, 20, 0));
    if (n)
        memcpy(out + 20, payload, n);
    return 20 + n;
}

/* An IPv6 packet (hop limit 64, flow 0) around a payload. */
static size_t ip6_wrap(uint8_t *out, const char *src, const char *dst, uint8_t nh,
                       const uint8_t *payload, size_t n)
{
    struct ip_addr s = addr(src), d = addr(dst);
    memset(out, 0, 40);
    out[0] = 0x60;
    put16(out + 4, (uint16_t)n);
    out[6] = nh;
    out[7] = 64;
    memcpy(out + 8, &s.u.v6, 16);
    memcpy(out + 24, &d.u.v6, 16);
    if (n)
        memcpy(out + 40, payload, n);
    return 40 + n;
}

/* An ICMP (v4) or ICMPv6 error from `router` to `us` quoting qlen bytes
 * of `quote`. */
static size_t icmp_error(uint8_t *out, bool v6, const char *router, const char *us, uint8_t type,
                         uint8_t code, const uint8_t *quote, size_t qlen)
{
    uint8_t msg[1500] = {0};
    msg[0] = type;
    msg[1] = code;
    memcpy(msg + 8, quote, qlen);
    if (!v6) {
        put16(msg + 2, (uint16_t)~pkt_cksum(msg, 8 + qlen, 0));
        return ip4_wrap(out, router, us, IPPROTO_ICMP, msg, 8 + qlen);
    }
    return ip6_wrap(out, router, us, IPPROTO_ICMPV6, msg, 8 + qlen);
}

/* The IP packet wrapped in a frame of the link type; returns its length
 * and sets *off to where the IP header starts. */
static size_t frame_wrap(uint8_t *out, int linktype, const uint8_t *ip, size_t len, size_t *off)
{
    bool v6 = ip[0] >> 4 == 6;
    uint16_t ethertype = v6 ? 0x86dd : 0x0800;
    uint32_t family = v6 ? 10 : 2;
    size_t hl;
    switch (linktype) {
    case DLT_EN10MB:
        hl = 14;
        memset(out, 0x11, 12);
        put16(out + 12, ethertype);
        break;
    case DLT_LINUX_SLL:
        hl = 16;
        memset(out, 0, 14);
        put16(out + 2, 772); /* ARPHRD_LOOPBACK */
        put16(out + 14, ethertype);
        break;
    case DLT_LINUX_SLL2:
        hl = 20;
        memset(out, 0, 20);
        put16(out, ethertype);
        put32(out + 4, 1);
        break;
    case DLT_NULL:
        hl = 4;
        memcpy(out, &family, 4); /* host byte order */
        break;
    case DLT_LOOP:
        hl = 4;
        put32(out, v6 ? 30 : 2); /* network byte order, macOS's AF_INET6 */
        break;
    default: /* raw IP */
        hl = 0;
        break;
    }
    memcpy(out + hl, ip, len);
    *off = hl;
    return hl + len;
}

/* pkt_parse on an exact-size heap copy of the frame. */
static int parse_copy(const uint8_t *frame, size_t len, int linktype, struct pkt_reply *r,
                      size_t *ipoff)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, frame, len);
    int rc = pkt_parse(copy, len, linktype, r);
    if (rc == 0) {
        assert_true(r->ip >= copy && r->ip < copy + len);
        assert_true(r->iplen <= len - (size_t)(r->ip - copy));
        if (ipoff)
            *ipoff = (size_t)(r->ip - copy);
    }
    r->ip = NULL; /* it pointed into the copy */
    free(copy);
    return rc;
}

static void assert_addr(const struct ip_addr *a, const char *s)
{
    char buf[IP_ADDR_STRLEN];
    assert_string_equal(ip_addr_str(a, buf), s);
}

static void assert_syn4(const struct pkt_reply *r)
{
    assert_int_equal(r->kind, PKT_TCP);
    assert_int_equal(r->iplen, 44);
    assert_addr(&r->src, "192.0.2.1");
    assert_addr(&r->dst, "198.51.100.2");
    assert_int_equal(r->ttl, 52);
    assert_int_equal(r->ipid, 1234);
    assert_int_equal(r->sport, 40123);
    assert_int_equal(r->dport, 22);
    assert_int_equal(r->seq, 0x01020304);
    assert_int_equal(r->ack, 0);
    assert_int_equal(r->flags, TH_SYN_);
    assert_int_equal(r->win, 1024);
}

static void assert_synack6(const struct pkt_reply *r)
{
    assert_int_equal(r->kind, PKT_TCP);
    assert_int_equal(r->iplen, 80);
    assert_addr(&r->src, "2001:db8::1");
    assert_addr(&r->dst, "2001:db8::2");
    assert_int_equal(r->ttl, 64);
    assert_int_equal(r->ipid, 0);
    assert_int_equal(r->sport, 22);
    assert_int_equal(r->dport, 40123);
    assert_int_equal(r->seq, 0xdeadbeef);
    assert_int_equal(r->ack, 0x01020305);
    assert_int_equal(r->flags, TH_SYN_ | TH_ACK_);
    assert_int_equal(r->win, 65535);
}

/* ---- checksums ---- */

static void test_cksum_vectors(void **state)
{
    (void)state;
    /* RFC 1071 section 3's example */
    static const uint8_t rfc[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(pkt_cksum(rfc, sizeof rfc, 0), 0xddf2);
    assert_int_equal((uint16_t)~pkt_cksum(rfc, sizeof rfc, 0), 0x220d);
    /* a classic IPv4 header (checksum b861) sums to 0xffff; without its
     * checksum, the complement of the sum is that checksum */
    uint8_t hdr[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                     0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    assert_int_equal(pkt_cksum(hdr, sizeof hdr, 0), 0xffff);
    hdr[10] = hdr[11] = 0;
    assert_int_equal((uint16_t)~pkt_cksum(hdr, sizeof hdr, 0), 0xb861);

    /* odd lengths pad with a zero byte; initial values fold in */
    static const uint8_t one[] = {0xab};
    assert_int_equal(pkt_cksum(one, 1, 0), 0xab00);
    assert_int_equal(pkt_cksum(one, 0, 0), 0);
    assert_int_equal(pkt_cksum(one, 0, 0x1ffff), 0x0001);
    assert_int_equal(pkt_cksum(one, 1, 0x0100), 0xac00);
    static const uint8_t ff[] = {0xff, 0xff, 0xff, 0xff};
    assert_int_equal(pkt_cksum(ff, 4, 0), 0xffff);
    assert_int_equal(pkt_cksum(ff, 4, 0xffffffff), 0xffff);
    static const uint8_t carry[] = {0x80, 0x00, 0x80, 0x01};
    assert_int_equal(pkt_cksum(carry, 4, 0), 0x0002);

    /* the same as a naive implementation, at every length, and a sum in
     * two parts (split at an even offset) equals the sum in one */
    uint8_t buf[301];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245 + 12345;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t n = 0; n <= sizeof buf; n++) {
        assert_int_equal(pkt_cksum(buf, n, 0), naive_sum(buf, n));
        size_t half = n / 2 & ~(size_t)1;
        assert_int_equal(pkt_cksum(buf + half, n - half, pkt_cksum(buf, half, 0)),
                         naive_sum(buf, n));
    }
}

/* ---- building ---- */

static void test_build_v4(void **state)
{
    (void)state;
    uint8_t buf[PKT_MAX];
    struct pkt_tcp_spec s = syn4();
    memset(buf, 0xee, sizeof buf);
    assert_int_equal(pkt_build_tcp(buf, sizeof buf, &s), sizeof syn4_bytes);
    assert_memory_equal(buf, syn4_bytes, sizeof syn4_bytes);
    assert_int_equal(buf[sizeof syn4_bytes], 0xee); /* nothing written past it */

    /* field by field */
    assert_int_equal(buf[0], 0x45);
    assert_int_equal(buf[1], 0);
    assert_int_equal(get16(buf + 2), 44);
    assert_int_equal(get16(buf + 4), 1234);
    assert_int_equal(get16(buf + 6), 0); /* DF clear, no fragment */
    assert_int_equal(buf[8], 52);
    assert_int_equal(buf[9], IPPROTO_TCP);
    assert_int_equal(pkt_cksum(buf, 20, 0), 0xffff);
    assert_int_equal(get16(buf + 20), 40123);
    assert_int_equal(get16(buf + 22), 22);
    assert_int_equal(buf[32], 6 << 4);
    assert_int_equal(buf[33], TH_SYN_);
    assert_int_equal(get16(buf + 34), 1024);
    assert_int_equal(get16(buf + 38), 0);
    assert_int_equal(tcp_sum(buf, 44), 0xffff);

    /* exactly the room it needs */
    assert_int_equal(pkt_build_tcp(buf, 44, &s), 44);
    assert_int_equal(pkt_build_tcp(buf, 43, &s), 0);
    assert_int_equal(pkt_build_tcp(buf, 0, &s), 0);
}

static void test_build_v6(void **state)
{
    (void)state;
    uint8_t buf[PKT_MAX];
    struct pkt_tcp_spec s = synack6();
    assert_int_equal(pkt_build_tcp(buf, sizeof buf, &s), sizeof synack6_bytes);
    assert_memory_equal(buf, synack6_bytes, sizeof synack6_bytes);
    assert_int_equal(buf[0] >> 4, 6);
    assert_int_equal(((uint32_t)(buf[1] & 15) << 16 | get16(buf + 2)), 0x12345);
    assert_int_equal(get16(buf + 4), 40); /* payload length */
    assert_int_equal(buf[6], IPPROTO_TCP);
    assert_int_equal(buf[7], 64);
    assert_int_equal(buf[40 + 12], 10 << 4);
    assert_int_equal(buf[40 + 13], TH_SYN_ | TH_ACK_);
    assert_int_equal(tcp_sum(buf, 80), 0xffff);

    /* the flow label is masked, traffic class zero */
    s.flowlabel = 0xfffff;
    assert_int_equal(pkt_build_tcp(buf, sizeof buf, &s), 80);
    assert_int_equal(buf[0], 0x60);
    assert_int_equal(buf[1], 0x0f);
    assert_int_equal(get16(buf + 2), 0xffff);
    assert_int_equal(tcp_sum(buf, 80), 0xffff);
    assert_int_equal(pkt_build_tcp(buf, 79, &s), 0);
}

static void test_build_options_and_data(void **state)
{
    (void)state;
    uint8_t opts[41], data[7] = {'h', 'e', 'l', 'l', 'o', '\r', '\n'}, buf[PKT_MAX];
    memset(opts, 1, sizeof opts); /* NOPs */
    for (int v6 = 0; v6 <= 1; v6++) {
        struct pkt_tcp_spec s = v6 ? synack6() : syn4();
        size_t iphl = v6 ? 40 : 20;
        for (size_t n = 0; n <= 40; n++) {
            s.opts = n ? opts : NULL;
            s.optlen = n;
            size_t padded = (n + 3) / 4 * 4;
            memset(buf, 0xee, sizeof buf);
            size_t len = pkt_build_tcp(buf, sizeof buf, &s);
            assert_int_equal(len, iphl + 20 + padded);
            assert_int_equal(buf[iphl + 12] >> 4, 5 + padded / 4);
            for (size_t i = 0; i < n; i++)
                assert_int_equal(buf[iphl + 20 + i], 1);
            for (size_t i = n; i < padded; i++)
                assert_int_equal(buf[iphl + 20 + i], 0); /* padding: EOL */
            assert_int_equal(tcp_sum(buf, len), 0xffff);
            if (!v6)
                assert_int_equal(pkt_cksum(buf, 20, 0), 0xffff);
            else
                assert_int_equal(get16(buf + 4), len - 40);
        }
        /* odd-length data after the options */
        s.opts = opts;
        s.optlen = 3;
        s.data = data;
        s.datalen = sizeof data;
        size_t len = pkt_build_tcp(buf, sizeof buf, &s);
        assert_int_equal(len, iphl + 24 + sizeof data);
        assert_memory_equal(buf + iphl + 24, data, sizeof data);
        assert_int_equal(tcp_sum(buf, len), 0xffff);
        if (!v6)
            assert_int_equal(get16(buf + 2), len);
        /* too many options, or pointers missing */
        s.optlen = 41;
        assert_int_equal(pkt_build_tcp(buf, sizeof buf, &s), 0);
        s.optlen = 4;
        s.opts = NULL;
        assert_int_equal(pkt_build_tcp(buf, sizeof buf, &s), 0);
        s.opts = opts;
        s.data = NULL;
        assert_int_equal(pkt_build_tcp(buf, sizeof buf, &s), 0);
    }
}

static void test_build_invalid(void **state)
{
    (void)state;
    uint8_t buf[PKT_MAX];
    struct pkt_tcp_spec s = syn4();
    s.dst = addr("2001:db8::2"); /* families differ */
    assert_int_equal(pkt_build_tcp(buf, sizeof buf, &s), 0);
    s = syn4();
    s.src.family = s.dst.family = AF_UNIX;
    assert_int_equal(pkt_build_tcp(buf, sizeof buf, &s), 0);
    s = syn4();
    assert_int_equal(pkt_build_tcp(NULL, sizeof buf, &s), 0);
    assert_int_equal(pkt_build_tcp(buf, sizeof buf, NULL), 0);

    /* lengths that overflow the 16-bit fields, even with room for them */
    size_t big = 70000;
    uint8_t *data = calloc(1, big), *out = calloc(1, big + 100);
    assert_non_null(data);
    assert_non_null(out);
    s.data = data;
    s.datalen = 65535 - 44 + 1;
    assert_int_equal(pkt_build_tcp(out, big + 100, &s), 0);
    s.datalen = 65535 - 44;
    assert_int_equal(pkt_build_tcp(out, big + 100, &s), 65535);
    assert_int_equal(get16(out + 2), 65535);
    /* IPv6's payload length does not count the fixed header */
    s = synack6();
    s.data = data;
    s.datalen = 65535 - 40 + 1;
    assert_int_equal(pkt_build_tcp(out, big + 100, &s), 0);
    s.datalen = 65535 - 40;
    assert_int_equal(pkt_build_tcp(out, big + 100, &s), 40 + 65535);
    assert_int_equal(get16(out + 4), 65535);
    free(data);
    free(out);
}

static void test_badsum(void **state)
{
    (void)state;
    uint8_t good[PKT_MAX], bad[PKT_MAX];
    for (int v6 = 0; v6 <= 1; v6++) {
        struct pkt_tcp_spec s = v6 ? synack6() : syn4();
        size_t off = v6 ? 40 + 16 : 20 + 16; /* the TCP checksum */
        /* seq's low half runs the right checksum through every value:
         * the wrong one must never pass */
        for (uint32_t seq = 0; seq < 0x10000; seq++) {
            s.seq = seq;
            s.badsum = false;
            size_t len = pkt_build_tcp(good, sizeof good, &s);
            s.badsum = true;
            assert_int_equal(pkt_build_tcp(bad, sizeof bad, &s), len);
            assert_int_not_equal(tcp_sum(bad, len), 0xffff);
            assert_int_equal(tcp_sum(good, len), 0xffff);
            if (memcmp(good, bad, off) || memcmp(good + off + 2, bad + off + 2, len - off - 2))
                fail_msg("badsum changed more than the TCP checksum");
        }
        if (!v6)
            assert_int_equal(pkt_cksum(bad, 20, 0), 0xffff); /* the IP one is right */
    }
}

/* ---- parsing ---- */

static const int linktypes[] = {
    DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, 101, DLT_NULL, DLT_LOOP,
#ifdef DLT_IPV4
    DLT_IPV4,   DLT_IPV6,
#endif
};

static void test_parse_link_types(void **state)
{
    (void)state;
    uint8_t frame[PKT_MAX + 64];
    struct pkt_reply r;
    for (size_t i = 0; i < sizeof linktypes / sizeof *linktypes; i++) {
        int lt = linktypes[i];
        size_t off, ipoff = 999, len;
#ifdef DLT_IPV4
        bool v4ok = lt != DLT_IPV6, v6ok = lt != DLT_IPV4;
#else
        bool v4ok = true, v6ok = true;
#endif
        len = frame_wrap(frame, lt, syn4_bytes, sizeof syn4_bytes, &off);
        if (v4ok) {
            assert_int_equal(parse_copy(frame, len, lt, &r, &ipoff), 0);
            assert_int_equal(ipoff, off);
            assert_syn4(&r);
        } else {
            assert_int_equal(parse_copy(frame, len, lt, &r, NULL), -1);
        }
        len = frame_wrap(frame, lt, synack6_bytes, sizeof synack6_bytes, &off);
        if (v6ok) {
            assert_int_equal(parse_copy(frame, len, lt, &r, &ipoff), 0);
            assert_int_equal(ipoff, off);
            assert_synack6(&r);
        } else {
            assert_int_equal(parse_copy(frame, len, lt, &r, NULL), -1);
        }
    }
    /* pkt_parse fills r in place, pointing into the frame */
    size_t off, len = frame_wrap(frame, DLT_LINUX_SLL2, syn4_bytes, sizeof syn4_bytes, &off);
    assert_int_equal(pkt_parse(frame, len, DLT_LINUX_SLL2, &r), 0);
    assert_ptr_equal(r.ip, frame + 20);
    /* an unknown link type */
    assert_int_equal(pkt_parse(frame, len, 9999, &r), -1);
    assert_int_equal(pkt_parse(frame, len, -1, &r), -1);
    assert_int_equal(pkt_parse(NULL, 0, DLT_RAW, &r), -1);
}

static void test_parse_link_mismatch(void **state)
{
    (void)state;
    uint8_t frame[PKT_MAX + 64];
    struct pkt_reply r;
    size_t off, len;
    /* Ethernet: the ethertype must be IP, and match the version */
    len = frame_wrap(frame, DLT_EN10MB, syn4_bytes, sizeof syn4_bytes, &off);
    put16(frame + 12, 0x0806); /* ARP */
    assert_int_equal(parse_copy(frame, len, DLT_EN10MB, &r, NULL), -1);
    put16(frame + 12, 0x86dd);
    assert_int_equal(parse_copy(frame, len, DLT_EN10MB, &r, NULL), -1);
    /* SLL and SLL2 likewise */
    len = frame_wrap(frame, DLT_LINUX_SLL, synack6_bytes, sizeof synack6_bytes, &off);
    put16(frame + 14, 0x0800);
    assert_int_equal(parse_copy(frame, len, DLT_LINUX_SLL, &r, NULL), -1);
    len = frame_wrap(frame, DLT_LINUX_SLL2, synack6_bytes, sizeof synack6_bytes, &off);
    put16(frame, 0x0003);
    assert_int_equal(parse_copy(frame, len, DLT_LINUX_SLL2, &r, NULL), -1);
    /* NULL and LOOP: every AF_INET6 we know, in the right byte order */
    static const uint32_t v6fams[] = {10, 24, 28, 30};
    for (size_t i = 0; i < 4; i++) {
        len = frame_wrap(frame, DLT_LOOP, synack6_bytes, sizeof synack6_bytes, &off);
        put32(frame, v6fams[i]);
        assert_int_equal(parse_copy(frame, len, DLT_LOOP, &r, NULL), 0);
        assert_synack6(&r);
        memcpy(frame, &v6fams[i], 4);
        assert_int_equal(parse_copy(frame, len, DLT_NULL, &r, NULL), 0);
        assert_synack6(&r);
        put32(frame, 2);
        assert_int_equal(parse_copy(frame, len, DLT_LOOP, &r, NULL), -1); /* says v4 */
    }
    len = frame_wrap(frame, DLT_LOOP, syn4_bytes, sizeof syn4_bytes, &off);
    put32(frame, 17);
    assert_int_equal(parse_copy(frame, len, DLT_LOOP, &r, NULL), -1);
    uint32_t two = 2;
    memcpy(frame, &two, 4);
    assert_int_equal(parse_copy(frame, len, DLT_NULL, &r, NULL), 0);
    assert_syn4(&r);
    /* raw IP with a bad version */
    len = frame_wrap(frame, DLT_RAW, syn4_bytes, sizeof syn4_bytes, &off);
    frame[0] = 0x55;
    assert_int_equal(parse_copy(frame, len, DLT_RAW, &r, NULL), -1);
}

static void test_parse_vlan(void **state)
{
    (void)state;
    uint8_t frame[PKT_MAX + 64];
    struct pkt_reply r;
    size_t ipoff;
    /* dst, src, [tags], ethertype, IP */
    static const uint16_t tpids[][3] = {
        {0x8100, 0, 0}, {0x88a8, 0x8100, 0}, {0x8100, 0x8100, 0}, {0x88a8, 0x8100, 0x8100}};
    for (size_t t = 0; t < 4; t++) {
        size_t ntags = tpids[t][2] ? 3 : tpids[t][1] ? 2 : 1, o = 12;
        memset(frame, 0x22, 12);
        for (size_t k = 0; k < ntags; k++, o += 4) {
            put16(frame + o, tpids[t][k]);
            put16(frame + o + 2, (uint16_t)(100 + k)); /* VLAN id */
        }
        put16(frame + o, 0x0800);
        memcpy(frame + o + 2, syn4_bytes, sizeof syn4_bytes);
        size_t len = o + 2 + sizeof syn4_bytes;
        if (ntags <= 2) {
            assert_int_equal(parse_copy(frame, len, DLT_EN10MB, &r, &ipoff), 0);
            assert_int_equal(ipoff, 14 + 4 * ntags);
            assert_syn4(&r);
        } else {
            assert_int_equal(parse_copy(frame, len, DLT_EN10MB, &r, NULL), -1);
        }
        /* cut inside the tags */
        for (size_t n = 0; n < 14 + 4 * ntags; n++)
            assert_int_equal(parse_copy(frame, n, DLT_EN10MB, &r, NULL), -1);
    }
}

static void test_parse_ethernet_padding(void **state)
{
    (void)state;
    /* a 40-byte RST padded to Ethernet's 60-byte minimum */
    uint8_t ip[PKT_MAX], frame[PKT_MAX + 64];
    struct pkt_tcp_spec s = syn4();
    s.flags = TH_RST_ | TH_ACK_;
    s.optlen = 0;
    s.ack = 77;
    size_t len = pkt_build_tcp(ip, sizeof ip, &s), off;
    assert_int_equal(len, 40);
    size_t flen = frame_wrap(frame, DLT_EN10MB, ip, len, &off);
    memset(frame + flen, 0, 6);
    struct pkt_reply r;
    assert_int_equal(parse_copy(frame, flen + 6, DLT_EN10MB, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_TCP);
    assert_int_equal(r.iplen, 40);
    assert_int_equal(r.flags, TH_RST_ | TH_ACK_);
    assert_int_equal(r.ack, 77);
}

static void test_parse_ipv4_header(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX];
    struct pkt_reply r;
    /* options: IHL 6 (NOP NOP NOP EOL), total length 48 */
    memcpy(pkt, syn4_bytes, 20);
    pkt[0] = 0x46;
    put16(pkt + 2, 48);
    memcpy(pkt + 20, "\x01\x01\x01\x00", 4);
    memcpy(pkt + 24, syn4_bytes + 20, 24);
    assert_int_equal(parse_copy(pkt, 48, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_TCP);
    assert_int_equal(r.iplen, 48);
    assert_int_equal(r.sport, 40123);
    assert_int_equal(r.seq, 0x01020304);
    /* IHL below 5, or beyond the packet, or past the total length */
    pkt[0] = 0x44;
    assert_int_equal(parse_copy(pkt, 48, DLT_RAW, &r, NULL), -1);
    pkt[0] = 0x4f;
    assert_int_equal(parse_copy(pkt, 48, DLT_RAW, &r, NULL), -1);
    pkt[0] = 0x46;
    put16(pkt + 2, 23);
    assert_int_equal(parse_copy(pkt, 48, DLT_RAW, &r, NULL), -1);
    /* a total length that ends inside TCP: the header is truncated */
    put16(pkt + 2, 47);
    assert_int_equal(parse_copy(pkt, 48, DLT_RAW, &r, NULL), -1);
    /* captured bytes beyond the total length do not count */
    memcpy(pkt, syn4_bytes, sizeof syn4_bytes);
    memset(pkt + 44, 0xaa, 10);
    assert_int_equal(parse_copy(pkt, 54, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.iplen, 44);
}

static void test_parse_fragments(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX];
    struct pkt_reply r;
    memcpy(pkt, syn4_bytes, sizeof syn4_bytes);
    put16(pkt + 6, 0x2000); /* MF, offset 0: the first fragment, readable */
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_TCP);
    put16(pkt + 6, 0x4000); /* DF */
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), 0);
    put16(pkt + 6, 0x0001); /* offset 8 bytes: not a TCP header */
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), -1);
    put16(pkt + 6, 0x3fff);
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), -1);
    put16(pkt + 6, 0x8000); /* the reserved flag bit: ignored */
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), 0);
}

/* synack6 with extension headers spliced in after the fixed header. */
static size_t v6_with_ext(uint8_t *out, const uint8_t *ext, size_t extlen, uint8_t first)
{
    memcpy(out, synack6_bytes, 40);
    out[6] = first;
    put16(out + 4, (uint16_t)(40 + extlen));
    memcpy(out + 40, ext, extlen);
    memcpy(out + 40 + extlen, synack6_bytes + 40, 40);
    return 80 + extlen;
}

static void test_parse_ipv6_ext(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX];
    struct pkt_reply r;
    /* hop-by-hop (8) -> routing (24) -> destination options (16) ->
     * fragment, offset 0, M set -> TCP */
    uint8_t ext[8 + 24 + 16 + 8] = {0};
    ext[0] = IPPROTO_ROUTING;
    ext[1] = 0;
    ext[2] = 1; /* PadN */
    ext[3] = 4;
    ext[8] = IPPROTO_DSTOPTS;
    ext[9] = 2;
    ext[32] = IPPROTO_FRAGMENT;
    ext[33] = 1;
    ext[48] = IPPROTO_TCP;
    put16(ext + 50, 0x0001); /* offset 0, M */
    put32(ext + 52, 0xabcdef);
    size_t len = v6_with_ext(pkt, ext, sizeof ext, IPPROTO_HOPOPTS);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_TCP);
    assert_int_equal(r.iplen, len);
    assert_int_equal(r.sport, 22);
    assert_int_equal(r.dport, 40123);
    assert_int_equal(r.seq, 0xdeadbeef);
    /* every cut inside the chain or the TCP header is refused */
    for (size_t n = 0; n < len; n++)
        assert_int_equal(parse_copy(pkt, n, DLT_RAW, &r, NULL), -1);
    /* a later fragment */
    put16(ext + 50, 0x0008); /* offset 1 */
    len = v6_with_ext(pkt, ext, sizeof ext, IPPROTO_HOPOPTS);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), -1);
    /* an extension header longer than the packet */
    put16(ext + 50, 0);
    ext[9] = 200;
    len = v6_with_ext(pkt, ext, sizeof ext, IPPROTO_HOPOPTS);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), -1);
    /* ... or than the payload length says */
    ext[9] = 2;
    len = v6_with_ext(pkt, ext, sizeof ext, IPPROTO_HOPOPTS);
    put16(pkt + 4, 20);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), -1);
    /* no next header: parsed, of no interest */
    ext[0] = 59;
    len = v6_with_ext(pkt, ext, sizeof ext, IPPROTO_HOPOPTS);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    assert_addr(&r.src, "2001:db8::1");
    /* the payload length bounds iplen, and capture bounds it too */
    memcpy(pkt, synack6_bytes, 80);
    memset(pkt + 80, 0, 10);
    assert_int_equal(parse_copy(pkt, 90, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.iplen, 80);
    /* a version 4 nibble on an IPv6 header */
    pkt[0] = 0x40;
    assert_int_equal(parse_copy(pkt, 80, DLT_RAW, &r, NULL), -1);
}

static void test_parse_tcp_header(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX];
    struct pkt_reply r;
    memcpy(pkt, syn4_bytes, sizeof syn4_bytes);
    pkt[32] = 4 << 4; /* data offset below 5 */
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), -1);
    pkt[32] = 7 << 4; /* options beyond the segment */
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), -1);
    pkt[32] = 5 << 4; /* fewer than claimed is fine */
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), 0);
    /* UDP: its ports; other protocols: parsed, of no interest */
    pkt[9] = IPPROTO_UDP;
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_UDP);
    assert_int_equal(r.proto, IPPROTO_UDP);
    assert_int_equal(r.sport, 40123);
    assert_int_equal(r.dport, 22);
    assert_addr(&r.dst, "198.51.100.2");
    assert_int_equal(r.ttl, 52);
    assert_int_equal(r.ipid, 1234);
    pkt[9] = 50;
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    assert_int_equal(r.proto, 50);
    assert_int_equal(r.sport, 0);
    /* ICMPv6 inside IPv4 is not ICMP */
    pkt[9] = IPPROTO_ICMPV6;
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
}

static void check_icmp_quote(const struct pkt_reply *r, bool v6, bool seq)
{
    assert_int_equal(r->kind, PKT_ICMP_ERROR);
    assert_int_equal(r->orig.proto, IPPROTO_TCP);
    assert_addr(&r->orig.src, v6 ? "2001:db8::1" : "192.0.2.1");
    assert_addr(&r->orig.dst, v6 ? "2001:db8::2" : "198.51.100.2");
    assert_int_equal(r->orig.sport, v6 ? 22 : 40123);
    assert_int_equal(r->orig.dport, v6 ? 40123 : 22);
    assert_int_equal(r->orig.has_seq, seq);
    assert_int_equal(r->orig.seq, seq ? (v6 ? 0xdeadbeef : 0x01020304) : 0);
    assert_int_equal(r->sport, 0);
    assert_int_equal(r->flags, 0);
}

static void test_parse_icmp4_errors(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX];
    struct pkt_reply r;
    /* the whole probe quoted, as Linux does */
    size_t len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 3, 13, syn4_bytes, 44);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    check_icmp_quote(&r, false, true);
    assert_int_equal(r.icmp_type, 3);
    assert_int_equal(r.icmp_code, 13);
    assert_addr(&r.src, "203.0.113.9");
    assert_addr(&r.dst, "192.0.2.1");
    assert_int_equal(r.ttl, 64);
    assert_int_equal(r.iplen, 20 + 8 + 44);
    /* RFC 792's minimum: IP header + 8 bytes */
    len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 11, 0, syn4_bytes, 28);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    check_icmp_quote(&r, false, true);
    assert_int_equal(r.icmp_type, 11);
    /* 4 to 7 bytes: the ports but no sequence number */
    for (size_t q = 24; q < 28; q++) {
        len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 3, 1, syn4_bytes, q);
        assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
        check_icmp_quote(&r, false, false);
    }
    /* fewer: useless for TCP */
    for (size_t q = 0; q < 24; q++) {
        len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 3, 3, syn4_bytes, q);
        assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
        assert_int_equal(r.kind, PKT_OTHER);
        assert_int_equal(r.icmp_type, 3);
        assert_int_equal(r.icmp_code, 3);
    }
    /* a protocol without ports needs only the IP header */
    uint8_t quote[44];
    memcpy(quote, syn4_bytes, 44);
    quote[9] = 50;
    len = icmp_error(pkt, false, "198.51.100.2", "192.0.2.1", 3, 2, quote, 20);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_ICMP_ERROR);
    assert_int_equal(r.orig.proto, 50);
    assert_int_equal(r.orig.sport, 0);
    assert_int_equal(r.orig.dport, 0);
    assert_false(r.orig.has_seq);
    /* a quoted UDP probe: ports, no seq */
    quote[9] = IPPROTO_UDP;
    len = icmp_error(pkt, false, "198.51.100.2", "192.0.2.1", 3, 3, quote, 28);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_ICMP_ERROR);
    assert_int_equal(r.orig.proto, IPPROTO_UDP);
    assert_int_equal(r.orig.dport, 22);
    assert_false(r.orig.has_seq);
    /* a quote of a later fragment holds no ports */
    memcpy(quote, syn4_bytes, 44);
    put16(quote + 6, 0x0003);
    len = icmp_error(pkt, false, "198.51.100.2", "192.0.2.1", 3, 3, quote, 28);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    /* a quote with IP options */
    uint8_t opt[48];
    memcpy(opt, syn4_bytes, 20);
    opt[0] = 0x46;
    memset(opt + 20, 1, 4);
    memcpy(opt + 24, syn4_bytes + 20, 24);
    len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 3, 10, opt, 32);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    check_icmp_quote(&r, false, true);
    /* an IPv6 quote in ICMPv4, a bad quote */
    len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 3, 3, synack6_bytes, 48);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    /* other types: of no interest (replies: see test_parse_icmp_replies) */
    static const uint8_t types[] = {4, 5, 8, 12, 13, 17, 255};
    for (size_t i = 0; i < sizeof types; i++) {
        len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", types[i], 0, syn4_bytes, 28);
        assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
        assert_int_equal(r.kind, PKT_OTHER);
        assert_int_equal(r.icmp_type, types[i]);
    }
    /* an ICMP header cut short */
    len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 3, 3, syn4_bytes, 0);
    put16(pkt + 2, 27);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), -1);
}

static void test_parse_icmp6_errors(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX];
    struct pkt_reply r;
    size_t len = icmp_error(pkt, true, "2001:db8::ff", "2001:db8::1", 1, 4, synack6_bytes, 80);
    for (size_t i = 0; i < sizeof linktypes / sizeof *linktypes; i++) {
#ifdef DLT_IPV4
        if (linktypes[i] == DLT_IPV4)
            continue;
#endif
        uint8_t frame[PKT_MAX + 64];
        size_t off, flen = frame_wrap(frame, linktypes[i], pkt, len, &off);
        assert_int_equal(parse_copy(frame, flen, linktypes[i], &r, NULL), 0);
        check_icmp_quote(&r, true, true);
        assert_int_equal(r.icmp_type, 1);
        assert_int_equal(r.icmp_code, 4);
        assert_addr(&r.src, "2001:db8::ff");
        assert_int_equal(r.iplen, 40 + 8 + 80);
    }
    len = icmp_error(pkt, true, "2001:db8::ff", "2001:db8::1", 3, 0, synack6_bytes, 48);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    check_icmp_quote(&r, true, true);
    assert_int_equal(r.icmp_type, 3);
    len = icmp_error(pkt, true, "2001:db8::ff", "2001:db8::1", 1, 1, synack6_bytes, 45);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    check_icmp_quote(&r, true, false);
    len = icmp_error(pkt, true, "2001:db8::ff", "2001:db8::1", 1, 1, synack6_bytes, 43);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    /* a quote with an extension header before TCP */
    uint8_t ext[8] = {IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0}, quote[PKT_MAX];
    size_t qlen = v6_with_ext(quote, ext, sizeof ext, IPPROTO_DSTOPTS);
    len = icmp_error(pkt, true, "2001:db8::ff", "2001:db8::1", 1, 3, quote, qlen);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    check_icmp_quote(&r, true, true);
    /* echo request, packet too big, a parameter problem other than an
     * unrecognized next header: of no interest */
    static const uint8_t types[] = {2, 4, 128, 135};
    for (size_t i = 0; i < sizeof types; i++) {
        len = icmp_error(pkt, true, "2001:db8::ff", "2001:db8::1", types[i], 0, synack6_bytes, 48);
        assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
        assert_int_equal(r.kind, PKT_OTHER);
        assert_int_equal(r.icmp_type, types[i]);
    }
    /* an IPv4 quote in ICMPv6 */
    len = icmp_error(pkt, true, "2001:db8::ff", "2001:db8::1", 1, 4, syn4_bytes, 44);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    /* ICMPv4 numbering does not apply to ICMPv6 and vice versa */
    len = icmp_error(pkt, true, "2001:db8::ff", "2001:db8::1", 11, 0, synack6_bytes, 48);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 1, 0, syn4_bytes, 28);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
}

/* Every prefix of the frame parses as -1 or as what the whole frame says,
 * short of exactly the bytes it lacks; thresholds are where the kind
 * changes (TCP needs the whole header; an ICMP error needs 8 bytes of
 * ICMP, 4 quoted transport bytes to be an error, 8 to hold seq). */
static void check_prefixes(const uint8_t *frame, size_t len, int lt, size_t need_ok,
                           size_t need_error, size_t need_seq)
{
    struct pkt_reply full, r;
    assert_int_equal(parse_copy(frame, len, lt, &full, NULL), 0);
    for (size_t n = 0; n <= len; n++) {
        int rc = parse_copy(frame, n, lt, &r, NULL);
        if (n < need_ok) {
            assert_int_equal(rc, -1);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(r.iplen, n - (len - full.iplen));
        assert_true(ip_addr_equal(&r.src, &full.src));
        assert_true(ip_addr_equal(&r.dst, &full.dst));
        if (full.kind == PKT_TCP) {
            assert_int_equal(r.kind, PKT_TCP);
            assert_int_equal(r.sport, full.sport);
            assert_int_equal(r.dport, full.dport);
            assert_int_equal(r.seq, full.seq);
            assert_int_equal(r.ack, full.ack);
            assert_int_equal(r.flags, full.flags);
            assert_int_equal(r.win, full.win);
            continue;
        }
        assert_int_equal(r.kind, n < need_error ? PKT_OTHER : PKT_ICMP_ERROR);
        assert_int_equal(r.icmp_type, full.icmp_type);
        assert_int_equal(r.orig.has_seq, n >= need_seq);
        if (n >= need_error) {
            assert_int_equal(r.orig.sport, full.orig.sport);
            assert_int_equal(r.orig.dport, full.orig.dport);
        }
    }
}

static void test_parse_truncated(void **state)
{
    (void)state;
    uint8_t frame[PKT_MAX + 64], pkt[PKT_MAX];
    size_t off, len;
    len = frame_wrap(frame, DLT_EN10MB, syn4_bytes, sizeof syn4_bytes, &off);
    check_prefixes(frame, len, DLT_EN10MB, len, 0, 0);
    len = frame_wrap(frame, DLT_LINUX_SLL2, synack6_bytes, sizeof synack6_bytes, &off);
    check_prefixes(frame, len, DLT_LINUX_SLL2, len, 0, 0);
    len = frame_wrap(frame, DLT_LINUX_SLL, synack6_bytes, sizeof synack6_bytes, &off);
    check_prefixes(frame, len, DLT_LINUX_SLL, len, 0, 0);

    size_t plen = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 3, 3, syn4_bytes, 44);
    len = frame_wrap(frame, DLT_NULL, pkt, plen, &off);
    check_prefixes(frame, len, DLT_NULL, 4 + 28, 4 + 28 + 24, 4 + 28 + 28);
    plen = icmp_error(pkt, true, "2001:db8::ff", "2001:db8::1", 1, 4, synack6_bytes, 80);
    len = frame_wrap(frame, DLT_LOOP, pkt, plen, &off);
    check_prefixes(frame, len, DLT_LOOP, 4 + 48, 4 + 48 + 44, 4 + 48 + 48);
}

/* ---- describing ---- */

static const char *describe(const uint8_t *ip, size_t len)
{
    static char buf[512];
    memset(buf, 'x', sizeof buf);
    const char *s = pkt_describe(ip, len, buf, sizeof buf);
    assert_ptr_equal(s, buf);
    return s;
}

static void test_describe_tcp(void **state)
{
    (void)state;
    assert_string_equal(describe(syn4_bytes, sizeof syn4_bytes),
                        "TCP 192.0.2.1:40123 > 198.51.100.2:22 S ttl=52 id=1234 iplen=44  "
                        "seq=16909060 win=1024 <mss 1460>");
    assert_string_equal(describe(synack6_bytes, sizeof synack6_bytes),
                        "TCP 2001:db8::1:22 > 2001:db8::2:40123 SA hopl=64 flow=12345 "
                        "payloadlen=40  seq=3735928559 win=65535 ack=16909061 "
                        "<mss 1440,sackOK,timestamp 123 0,nop,wscale 7>");

    uint8_t pkt[PKT_MAX];
    struct pkt_tcp_spec s = syn4();
    s.src = addr("127.0.0.1");
    s.dst = addr("127.0.0.1");
    s.sport = 22;
    s.dport = 47758;
    s.flags = TH_RST_ | TH_ACK_;
    s.seq = 0;
    s.ack = 1003475009;
    s.win = 0;
    s.ttl = 64;
    s.ipid = 0;
    s.optlen = 0;
    size_t len = pkt_build_tcp(pkt, sizeof pkt, &s);
    assert_string_equal(describe(pkt, len), "TCP 127.0.0.1:22 > 127.0.0.1:47758 RA ttl=64 id=0 "
                                            "iplen=40  seq=0 win=0 ack=1003475009");
    s.flags = 0xff; /* every flag, in nmap's order */
    len = pkt_build_tcp(pkt, sizeof pkt, &s);
    assert_string_equal(describe(pkt, len),
                        "TCP 127.0.0.1:22 > 127.0.0.1:47758 SFRPAUEC ttl=64 id=0 "
                        "iplen=40  seq=0 win=0 ack=1003475009");
    s.flags = TH_FIN_ | TH_PSH_ | TH_URG_;
    len = pkt_build_tcp(pkt, sizeof pkt, &s);
    assert_string_equal(describe(pkt, len), "TCP 127.0.0.1:22 > 127.0.0.1:47758 FPU ttl=64 id=0 "
                                            "iplen=40  seq=0 win=0");
    s.flags = 0;
    len = pkt_build_tcp(pkt, sizeof pkt, &s);
    assert_string_equal(describe(pkt, len), "TCP 127.0.0.1:22 > 127.0.0.1:47758  ttl=64 id=0 "
                                            "iplen=40  seq=0 win=0");

    /* options: SACK blocks, unknown kinds, EOL padding, malformed ones */
    static const uint8_t sack[] = {1, 1, 5, 10, 0, 0, 0, 100, 0, 0, 0, 200, 30, 3, 0};
    s.flags = TH_ACK_;
    s.opts = sack;
    s.optlen = sizeof sack;
    len = pkt_build_tcp(pkt, sizeof pkt, &s);
    assert_string_equal(describe(pkt, len),
                        "TCP 127.0.0.1:22 > 127.0.0.1:47758 A ttl=64 id=0 iplen=56  seq=0 win=0 "
                        "ack=1003475009 <nop,nop,sack 1 {100:200},unknown 30,eol>");
    static const uint8_t bad_mss[] = {2, 3, 5, 1};
    s.opts = bad_mss;
    s.optlen = sizeof bad_mss;
    len = pkt_build_tcp(pkt, sizeof pkt, &s);
    assert_contains(describe(pkt, len), "ack=1003475009 <malformed>");
    static const uint8_t overlong[] = {1, 8, 20, 0};
    s.opts = overlong;
    s.optlen = sizeof overlong;
    len = pkt_build_tcp(pkt, sizeof pkt, &s);
    assert_contains(describe(pkt, len), "ack=1003475009 <nop,malformed>");
    static const uint8_t zero_len[] = {1, 1, 1, 99};
    s.opts = zero_len;
    s.optlen = sizeof zero_len;
    len = pkt_build_tcp(pkt, sizeof pkt, &s);
    assert_contains(describe(pkt, len), "ack=1003475009 <nop,nop,nop,malformed>");

    /* a TCP header cut short */
    assert_string_equal(describe(syn4_bytes, 30),
                        "TCP 192.0.2.1 > 198.51.100.2 (incomplete) ttl=52 id=1234 iplen=44");
}

static void test_describe_icmp(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX], udp[28];
    size_t len;
    /* a UDP probe to 10.77.0.2:53 and the port unreachable it draws */
    len = ip4_wrap(udp, "10.77.0.1", "10.77.0.2", IPPROTO_UDP,
                   (const uint8_t *)"\x9c\x40\x00\x35\x00\x08\x00\x00", 8);
    assert_string_equal(describe(udp, len),
                        "UDP 10.77.0.1:40000 > 10.77.0.2:53 ttl=64 id=0 iplen=28");
    len = icmp_error(pkt, false, "10.77.0.2", "10.77.0.1", 3, 3, udp, 28);
    assert_string_equal(describe(pkt, len), "ICMP [10.77.0.2 > 10.77.0.1 Port 53 unreachable "
                                            "(type=3/code=3) ] IP [ttl=64 id=0 iplen=56 ]");
    len = icmp_error(pkt, false, "10.77.0.2", "10.77.0.1", 3, 3, udp, 20);
    assert_string_equal(describe(pkt, len), "ICMP [10.77.0.2 > 10.77.0.1 Port unreachable "
                                            "(type=3/code=3) ] IP [ttl=64 id=0 iplen=48 ]");
    len = icmp_error(pkt, false, "10.77.0.254", "192.0.2.1", 3, 1, syn4_bytes, 28);
    assert_string_equal(describe(pkt, len), "ICMP [10.77.0.254 > 192.0.2.1 Host unreachable "
                                            "(type=3/code=1) ] IP [ttl=64 id=0 iplen=56 ]");
    len = icmp_error(pkt, false, "10.77.0.254", "192.0.2.1", 3, 13, syn4_bytes, 28);
    assert_string_equal(describe(pkt, len),
                        "ICMP [10.77.0.254 > 192.0.2.1 Communication administratively prohibited "
                        "(type=3/code=13) ] IP [ttl=64 id=0 iplen=56 ]");
    len = icmp_error(pkt, false, "10.77.0.254", "192.0.2.1", 11, 0, syn4_bytes, 28);
    assert_string_equal(describe(pkt, len), "ICMP [10.77.0.254 > 192.0.2.1 TTL exceeded in transit "
                                            "(type=11/code=0) ] IP [ttl=64 id=0 iplen=56 ]");
    uint8_t esp[20];
    ip4_wrap(esp, "10.0.0.1", "10.0.0.2", 50, NULL, 0);
    assert_string_equal(describe(esp, 20), "esp (50) 10.0.0.1 > 10.0.0.2: ttl=64 id=0 iplen=20");
    len = icmp_error(pkt, false, "10.0.0.2", "10.0.0.1", 3, 2, esp, 20);
    assert_string_equal(describe(pkt, len), "ICMP [10.0.0.2 > 10.0.0.1 Protocol 50 unreachable "
                                            "(type=3/code=2) ] IP [ttl=64 id=0 iplen=48 ]");
    len = icmp_error(pkt, false, "10.0.0.2", "10.0.0.1", 3, 99, esp, 20);
    assert_contains(describe(pkt, len), "Destination unreachable (unknown code) (type=3/code=99)");
    /* an echo request */
    static const uint8_t echo[] = {8, 0, 0, 0, 0x12, 0x34, 0, 7};
    len = ip4_wrap(pkt, "10.0.0.1", "10.0.0.2", IPPROTO_ICMP, echo, sizeof echo);
    assert_string_equal(describe(pkt, len), "ICMP [10.0.0.1 > 10.0.0.2 Echo request "
                                            "(type=8/code=0) id=4660 seq=7] IP [ttl=64 id=0 "
                                            "iplen=28 ]");
    /* ICMPv6 as nmap prints it */
    len = icmp_error(pkt, true, "2001:db8::2", "2001:db8::1", 1, 4, synack6_bytes, 64);
    assert_string_equal(describe(pkt, len),
                        "ICMPv6 (58) 2001:db8::2 > 2001:db8::1 (type=1/code=4) hopl=64 flow=0 "
                        "payloadlen=72");
}

static void test_describe_other(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX];
    /* a later fragment */
    memcpy(pkt, syn4_bytes, sizeof syn4_bytes);
    put16(pkt + 6, 0x2001);
    assert_string_equal(describe(pkt, 44), "Fragment (proto=6 offset=8) 192.0.2.1 > "
                                           "198.51.100.2: ttl=52 id=1234 iplen=44");
    /* IPv6: UDP and an unknown protocol */
    size_t len = ip6_wrap(pkt, "2001:db8::1", "2001:db8::2", IPPROTO_UDP,
                          (const uint8_t *)"\x9c\x40\x00\x35\x00\x08\x00\x00", 8);
    assert_string_equal(describe(pkt, len),
                        "UDP 2001:db8::1:40000 > 2001:db8::2:53 hopl=64 flow=0 payloadlen=8");
    assert_string_equal(describe(pkt, 44),
                        "UDP 2001:db8::1 > 2001:db8::2 (incomplete) hopl=64 flow=0 payloadlen=8");
    len = ip6_wrap(pkt, "2001:db8::1", "2001:db8::2", 253, NULL, 0);
    assert_string_equal(describe(pkt, len),
                        "Unknown protocol (253) 2001:db8::1 > 2001:db8::2: hopl=64 flow=0 payloadlen=0");
    /* not IP at all, or broken */
    assert_string_equal(describe(pkt, 0), "Not an IP packet (0 bytes)");
    assert_string_equal(describe(NULL, 10), "Not an IP packet (10 bytes)");
    assert_string_equal(describe((const uint8_t *)"\x12", 1), "Not an IP packet (1 bytes)");
    assert_string_equal(describe(syn4_bytes, 19), "Invalid IPv4 packet (19 bytes)");
    assert_string_equal(describe(synack6_bytes, 39), "Invalid IPv6 packet (39 bytes)");
}

static void test_describe_truncates(void **state)
{
    (void)state;
    char full[512], buf[600];
    pkt_describe(synack6_bytes, sizeof synack6_bytes, full, sizeof full);
    size_t n = strlen(full);
    assert_true(n > 100);
    for (size_t cap = 1; cap <= n + 2; cap++) {
        memset(buf, '#', sizeof buf);
        assert_ptr_equal(pkt_describe(synack6_bytes, sizeof synack6_bytes, buf, cap), buf);
        size_t got = strlen(buf);
        assert_int_equal(got, cap - 1 < n ? cap - 1 : n);
        assert_memory_equal(buf, full, got);
        assert_int_equal(buf[got + 1], '#'); /* nothing written past the NUL */
    }
    buf[0] = '#';
    assert_ptr_equal(pkt_describe(synack6_bytes, sizeof synack6_bytes, buf, 0), buf);
    assert_int_equal(buf[0], '#');
    assert_null(pkt_describe(synack6_bytes, sizeof synack6_bytes, NULL, 10));
}

/* Describing every prefix of real-looking packets stays in bounds and
 * always ends in a NUL. */
static void test_describe_prefixes(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX];
    size_t len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 3, 3, syn4_bytes, 44);
    const uint8_t *pkts[] = {syn4_bytes, synack6_bytes, pkt};
    size_t lens[] = {sizeof syn4_bytes, sizeof synack6_bytes, len};
    for (size_t i = 0; i < 3; i++) {
        for (size_t n = 0; n <= lens[i]; n++) {
            uint8_t *copy = malloc(n ? n : 1);
            assert_non_null(copy);
            memcpy(copy, pkts[i], n);
            char buf[256];
            pkt_describe(copy, n, buf, sizeof buf);
            assert_non_null(memchr(buf, '\0', sizeof buf));
            assert_true(buf[0] != '\0');
            free(copy);
        }
    }
}

/* ---- host discovery: ICMP queries, UDP, IP protocol pings, ARP, ND ---- */

/* The expected bytes below were computed independently with Python's
 * struct and socket modules and a table-driven CRC-32C; the IP layer is
 * ip4_spec() or ip6_spec() unless said otherwise. */

static const uint8_t echo4_bytes[] = {
    0x45, 0x00, 0x00, 0x1f, 0x12, 0x34, 0x00, 0x00, 0x40, 0x01, 0x7c, 0x73, 0xc0, 0x00, 0x02,
    0x01, 0xc6, 0x33, 0x64, 0x02, 0x08, 0x00, 0x74, 0xaa, 0xbe, 0xef, 0x00, 0x03, 0x61, 0x62,
    0x63,
};

static const uint8_t tstamp4_bytes[] = {
    0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x00, 0x00, 0x40, 0x01, 0x7c, 0x6a, 0xc0, 0x00, 0x02,
    0x01, 0xc6, 0x33, 0x64, 0x02, 0x0d, 0x00, 0xf2, 0xfc, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t mask4_bytes[] = {
    0x45, 0x00, 0x00, 0x20, 0x12, 0x34, 0x00, 0x00, 0x40, 0x01, 0x7c, 0x72, 0xc0, 0x00, 0x02,
    0x01, 0xc6, 0x33, 0x64, 0x02, 0x11, 0x00, 0xee, 0xfc, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00,
    0x00, 0x00,
};

static const uint8_t echo6_bytes[] = {
    0x60, 0x01, 0x23, 0x45, 0x00, 0x0b, 0x3a, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x80, 0x00, 0x58, 0x92, 0x42,
    0x42, 0x00, 0x07, 0x68, 0x69, 0x21,
};

static const uint8_t udp4_bytes[] = {
    0x45, 0x00, 0x00, 0x1f, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11, 0x7c, 0x63, 0xc0, 0x00, 0x02,
    0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x40, 0x00, 0x35, 0x00, 0x0b, 0x63, 0xf7, 0x12, 0x34,
    0x01,
};

static const uint8_t udp6_bytes[] = {
    0x60, 0x01, 0x23, 0x45, 0x00, 0x0b, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x00, 0x35, 0x00,
    0x0b, 0xf4, 0xb9, 0x12, 0x34, 0x01,
};

static const uint8_t igmp4_bytes[] = {
    0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x00, 0x00, 0x40, 0x02, 0x7c, 0x75, 0xc0, 0x00, 0x02,
    0x01, 0xc6, 0x33, 0x64, 0x02, 0x11, 0x64, 0xee, 0x9b, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t ack4_bytes[] = {
    0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x00, 0x00, 0x40, 0x06, 0x7c, 0x65, 0xc0, 0x00, 0x02,
    0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0xbb, 0x00, 0x50, 0x00, 0x05, 0x00, 0x06, 0x00, 0x05,
    0x00, 0x06, 0x50, 0x10, 0x04, 0x00, 0x22, 0x7c, 0x00, 0x00,
};

static const uint8_t arp_req_bytes[] = {
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, 0x0a,
    0x4d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x4d, 0x00, 0x02,
};

static const uint8_t ns_bytes[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x02, 0x87, 0x00, 0x1e, 0x99, 0x00,
    0x00, 0x00, 0x00, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x01, 0x01, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01,
};

static const uint8_t sctp4_bytes[] = {
    0x45, 0x00, 0x00, 0x34, 0x12, 0x34, 0x00, 0x00, 0x40, 0x84, 0x7b, 0xdb, 0xc0, 0x00, 0x02,
    0x01, 0xc6, 0x33, 0x64, 0x02, 0xd9, 0xa7, 0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x28, 0xd9,
    0x89, 0xaf, 0x01, 0x00, 0x00, 0x14, 0x00, 0x05, 0x00, 0x06, 0x00, 0x00, 0xff, 0xff, 0x00,
    0x0a, 0x08, 0x00, 0x00, 0x05, 0x00, 0x06,
};

static struct pkt_ip_spec ip4_spec(void)
{
    return (struct pkt_ip_spec){
        .src = addr("192.0.2.1"), .dst = addr("198.51.100.2"), .ttl = 64, .ipid = 0x1234};
}

static struct pkt_ip_spec ip6_spec(void)
{
    return (struct pkt_ip_spec){
        .src = addr("2001:db8::1"), .dst = addr("2001:db8::2"), .ttl = 64, .flowlabel = 0x12345};
}

static const uint8_t mac1[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
static const uint8_t mac2[6] = {0xfa, 0x83, 0x53, 0xe8, 0x33, 0x9d};

/* The folded sum of a packet's ICMP, ICMPv6, IGMP or UDP part with its
 * pseudo-header where the protocol has one: 0xffff when its checksum is
 * right. */
static uint16_t l4_sum(const uint8_t *ip, size_t len)
{
    uint8_t ph[40] = {0};
    if (ip[0] >> 4 == 4) {
        size_t hl = (size_t)(ip[0] & 15) * 4;
        if (ip[9] != IPPROTO_UDP)
            return pkt_cksum(ip + hl, len - hl, 0);
        memcpy(ph, ip + 12, 8);
        ph[9] = ip[9];
        put16(ph + 10, (uint16_t)(len - hl));
        return pkt_cksum(ip + hl, len - hl, pkt_cksum(ph, 12, 0));
    }
    memcpy(ph, ip + 8, 32);
    put32(ph + 32, (uint32_t)(len - 40));
    ph[39] = ip[6];
    return pkt_cksum(ip + 40, len - 40, pkt_cksum(ph, 40, 0));
}

/* A second CRC-32C, table-driven (the library's goes bit by bit). */
static uint32_t crc32c_table(const uint8_t *p, size_t n)
{
    static uint32_t tab[256];
    if (!tab[1]) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? c >> 1 ^ 0x82f63b78 : c >> 1;
            tab[i] = c;
        }
    }
    uint32_t c = 0xffffffff;
    for (size_t i = 0; i < n; i++)
        c = tab[(c ^ p[i]) & 0xff] ^ c >> 8;
    return ~c;
}

/* Whether an SCTP packet's CRC-32C (stored least significant byte first)
 * is right. */
static bool sctp_crc_ok(const uint8_t *ip, size_t len)
{
    size_t hl = ip[0] >> 4 == 4 ? (size_t)(ip[0] & 15) * 4 : 40;
    uint8_t copy[PKT_MAX];
    memcpy(copy, ip + hl, len - hl);
    uint32_t stored = (uint32_t)copy[8] | (uint32_t)copy[9] << 8 | (uint32_t)copy[10] << 16 |
                      (uint32_t)copy[11] << 24;
    memset(copy + 8, 0, 4);
    return crc32c_table(copy, len - hl) == stored;
}

/* A builder's output: exactly `want`, nothing written past it, and no
 * packet at all one byte short of room. */
#define assert_built(call_with_cap, buf, want)                                              \
    do {                                                                                   \
        memset(buf, 0xee, sizeof buf);                                                     \
        size_t cap = sizeof buf;                                                           \
        assert_int_equal((call_with_cap), sizeof(want));                                   \
        assert_memory_equal(buf, want, sizeof(want));                                      \
        assert_int_equal(buf[sizeof(want)], 0xee);                                         \
        cap = sizeof(want);                                                                \
        assert_int_equal((call_with_cap), sizeof(want));                                   \
        cap = sizeof(want) - 1;                                                            \
        assert_int_equal((call_with_cap), 0);                                              \
    } while (0)

static void test_build_icmp_query(void **state)
{
    (void)state;
    uint8_t buf[PKT_MAX];
    struct pkt_ip_spec v4 = ip4_spec(), v6 = ip6_spec();
    const uint8_t *abc = (const uint8_t *)"abc";
    assert_built(pkt_build_icmp_query(buf, cap, &v4, PKT_Q_ECHO, 0xbeef, 3, abc, 3), buf,
                 echo4_bytes);
    assert_int_equal(pkt_cksum(buf, 20, 0), 0xffff);
    assert_int_equal(l4_sum(buf, sizeof echo4_bytes), 0xffff);
    assert_built(pkt_build_icmp_query(buf, cap, &v4, PKT_Q_TIMESTAMP, 1, 2, NULL, 0), buf,
                 tstamp4_bytes);
    assert_int_equal(l4_sum(buf, sizeof tstamp4_bytes), 0xffff);
    assert_built(pkt_build_icmp_query(buf, cap, &v4, PKT_Q_MASK, 1, 2, NULL, 0), buf,
                 mask4_bytes);
    assert_int_equal(l4_sum(buf, sizeof mask4_bytes), 0xffff);
    assert_built(pkt_build_icmp_query(buf, cap, &v6, PKT_Q_ECHO, 0x4242, 7,
                                      (const uint8_t *)"hi!", 3),
                 buf, echo6_bytes);
    assert_int_equal(l4_sum(buf, sizeof echo6_bytes), 0xffff);

    /* IPv6 has no timestamp or mask query; data only in echoes; bad specs */
    assert_int_equal(pkt_build_icmp_query(buf, sizeof buf, &v6, PKT_Q_TIMESTAMP, 1, 2, NULL, 0), 0);
    assert_int_equal(pkt_build_icmp_query(buf, sizeof buf, &v6, PKT_Q_MASK, 1, 2, NULL, 0), 0);
    assert_int_equal(pkt_build_icmp_query(buf, sizeof buf, &v4, PKT_Q_MASK, 1, 2, abc, 3), 0);
    assert_int_equal(pkt_build_icmp_query(buf, sizeof buf, &v4, PKT_Q_ECHO, 1, 2, NULL, 3), 0);
    assert_int_equal(pkt_build_icmp_query(buf, sizeof buf, &v4, (enum pkt_icmp_query)3, 1, 2,
                                          NULL, 0), 0);
    assert_int_equal(pkt_build_icmp_query(buf, sizeof buf, NULL, PKT_Q_ECHO, 1, 2, NULL, 0), 0);
    assert_int_equal(pkt_build_icmp_query(NULL, sizeof buf, &v4, PKT_Q_ECHO, 1, 2, NULL, 0), 0);
    struct pkt_ip_spec mixed = v4;
    mixed.dst = v6.dst;
    assert_int_equal(pkt_build_icmp_query(buf, sizeof buf, &mixed, PKT_Q_ECHO, 1, 2, NULL, 0), 0);

    /* --badsum: only the ICMP checksum changes, and never verifies, for
     * every id that runs the right one through all its values */
    for (int six = 0; six <= 1; six++) {
        struct pkt_ip_spec s = six ? v6 : v4;
        uint8_t good[64], bad[64];
        for (uint32_t id = 0; id < 0x10000; id += six ? 1 : 3) {
            s.badsum = false;
            size_t len = pkt_build_icmp_query(good, sizeof good, &s, PKT_Q_ECHO, (uint16_t)id, 9,
                                              NULL, 0);
            s.badsum = true;
            assert_int_equal(pkt_build_icmp_query(bad, sizeof bad, &s, PKT_Q_ECHO, (uint16_t)id,
                                                  9, NULL, 0),
                             len);
            size_t off = six ? 42 : 22;
            assert_int_equal(l4_sum(good, len), 0xffff);
            assert_int_not_equal(l4_sum(bad, len), 0xffff);
            if (memcmp(good, bad, off) || memcmp(good + off + 2, bad + off + 2, len - off - 2))
                fail_msg("badsum changed more than the ICMP checksum");
        }
    }
}

static void test_build_udp(void **state)
{
    (void)state;
    uint8_t buf[PKT_MAX];
    struct pkt_ip_spec v4 = ip4_spec(), v6 = ip6_spec();
    const uint8_t data[] = {0x12, 0x34, 0x01};
    assert_built(pkt_build_udp(buf, cap, &v4, 40000, 53, data, 3), buf, udp4_bytes);
    assert_int_equal(l4_sum(buf, sizeof udp4_bytes), 0xffff);
    assert_built(pkt_build_udp(buf, cap, &v6, 40000, 53, data, 3), buf, udp6_bytes);
    assert_int_equal(l4_sum(buf, sizeof udp6_bytes), 0xffff);
    assert_int_equal(pkt_build_udp(buf, sizeof buf, &v4, 1, 2, NULL, 1), 0);
    /* empty: the header alone */
    assert_int_equal(pkt_build_udp(buf, sizeof buf, &v4, 1, 2, NULL, 0), 28);
    assert_int_equal(get16(buf + 24), 8);
    assert_int_equal(l4_sum(buf, 28), 0xffff);

    /* a datagram whose checksum computes to zero goes out as 0xffff (zero
     * would mean "none"); --badsum then must not send zero either.  Data
     * equal to the checksum of the datagram with zero data makes the sum
     * 0xffff, and so the checksum zero. */
    for (int six = 0; six <= 1; six++) {
        struct pkt_ip_spec s = six ? v6 : v4;
        size_t off = six ? 40 : 20;
        uint8_t zero[2] = {0, 0}, fix[2];
        size_t len = pkt_build_udp(buf, sizeof buf, &s, 7, 9, zero, 2);
        memcpy(fix, buf + off + 6, 2);
        assert_int_equal(pkt_build_udp(buf, sizeof buf, &s, 7, 9, fix, 2), len);
        assert_int_equal(get16(buf + off + 6), 0xffff);
        assert_int_equal(l4_sum(buf, len), 0xffff);
        s.badsum = true;
        assert_int_equal(pkt_build_udp(buf, sizeof buf, &s, 7, 9, fix, 2), len);
        assert_int_equal(get16(buf + off + 6), 1);
        assert_int_not_equal(l4_sum(buf, len), 0xffff);
        pkt_build_udp(buf, sizeof buf, &s, 7, 9, zero, 2);
        assert_int_not_equal(l4_sum(buf, len), 0xffff);
    }
    /* the 16-bit length fields */
    uint8_t *big = calloc(1, 70000), *out = calloc(1, 70100);
    assert_non_null(big);
    assert_non_null(out);
    assert_int_equal(pkt_build_udp(out, 70100, &v4, 1, 2, big, 65535 - 28 + 1), 0);
    assert_int_equal(pkt_build_udp(out, 70100, &v4, 1, 2, big, 65535 - 28), 65535);
    assert_int_equal(pkt_build_udp(out, 70100, &v6, 1, 2, big, 65535 - 8 + 1), 0);
    assert_int_equal(pkt_build_udp(out, 70100, &v6, 1, 2, big, 65535 - 8), 40 + 65535);
    free(big);
    free(out);
}

static void test_sctp_crc32c(void **state)
{
    (void)state;
    /* the test's own CRC-32C against RFC 3720 B.4's check value and an
     * INIT captured from another implementation (checksum 7e 4e 59 3a) */
    assert_int_equal(crc32c_table((const uint8_t *)"123456789", 9), 0xe3069283);
    static const uint8_t init[] = {0xd9, 0xa7, 0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x7e, 0x4e, 0x59,
                                   0x3a, 0x01, 0x00, 0x00, 0x14, 0xfc, 0xf6, 0x67, 0xdb, 0x00, 0x00,
                                   0x80, 0x00, 0x00, 0x0a, 0x08, 0x00, 0x78, 0x90, 0x08, 0x08};
    uint8_t pkt[20 + sizeof init];
    ip4_wrap(pkt, "10.77.0.1", "10.77.0.2", IPPROTO_SCTP, init, sizeof init);
    assert_true(sctp_crc_ok(pkt, sizeof pkt));
    pkt[30] ^= 1;
    assert_false(sctp_crc_ok(pkt, sizeof pkt));
}

static void test_build_ipproto(void **state)
{
    (void)state;
    uint8_t buf[PKT_MAX], want[PKT_MAX];
    struct pkt_ip_spec v4 = ip4_spec(), v6 = ip6_spec();
    /* the protocols with a header of their own */
    assert_built(pkt_build_ipproto(buf, cap, &v4, IPPROTO_IGMP, 40123, 5, 6), buf, igmp4_bytes);
    assert_int_equal(l4_sum(buf, sizeof igmp4_bytes), 0xffff);
    assert_built(pkt_build_ipproto(buf, cap, &v4, IPPROTO_TCP, 40123, 5, 6), buf, ack4_bytes);
    assert_int_equal(tcp_sum(buf, sizeof ack4_bytes), 0xffff);
    assert_built(pkt_build_ipproto(buf, cap, &v4, IPPROTO_SCTP, 55719, 5, 6), buf, sctp4_bytes);
    assert_true(sctp_crc_ok(buf, sizeof sctp4_bytes));
    /* ICMP and UDP as their own builders make them */
    size_t n = pkt_build_icmp_query(want, sizeof want, &v4, PKT_Q_ECHO, 5, 6, NULL, 0);
    assert_int_equal(pkt_build_ipproto(buf, sizeof buf, &v4, IPPROTO_ICMP, 1, 5, 6), n);
    assert_memory_equal(buf, want, n);
    n = pkt_build_icmp_query(want, sizeof want, &v6, PKT_Q_ECHO, 5, 6, NULL, 0);
    assert_int_equal(pkt_build_ipproto(buf, sizeof buf, &v6, IPPROTO_ICMPV6, 1, 5, 6), n);
    assert_memory_equal(buf, want, n);
    n = pkt_build_udp(want, sizeof want, &v6, 40123, 40125, NULL, 0);
    assert_int_equal(pkt_build_ipproto(buf, sizeof buf, &v6, IPPROTO_UDP, 40123, 5, 6), n);
    assert_memory_equal(buf, want, n);
    /* IPv6 TCP and SCTP: the same segment behind an IPv6 header */
    n = pkt_build_ipproto(buf, sizeof buf, &v6, IPPROTO_TCP, 40123, 5, 6);
    assert_int_equal(n, 60);
    assert_int_equal(buf[6], IPPROTO_TCP);
    assert_memory_equal(buf + 40, ack4_bytes + 20, 16);
    assert_int_equal(tcp_sum(buf, n), 0xffff);
    n = pkt_build_ipproto(buf, sizeof buf, &v6, IPPROTO_SCTP, 55719, 5, 6);
    assert_int_equal(n, 72);
    assert_int_equal(buf[6], IPPROTO_SCTP);
    assert_true(sctp_crc_ok(buf, n));
    /* the initiate tag is never 0 */
    n = pkt_build_ipproto(buf, sizeof buf, &v4, IPPROTO_SCTP, 55719, 0, 0);
    assert_int_equal(get16(buf + 36), 0);
    assert_int_equal(get16(buf + 38), 1);
    assert_true(sctp_crc_ok(buf, n));
    /* --badsum reaches every protocol's checksum */
    struct pkt_ip_spec bad4 = v4, bad6 = v6;
    bad4.badsum = bad6.badsum = true;
    n = pkt_build_ipproto(buf, sizeof buf, &bad4, IPPROTO_SCTP, 55719, 5, 6);
    assert_false(sctp_crc_ok(buf, n));
    n = pkt_build_ipproto(buf, sizeof buf, &bad4, IPPROTO_IGMP, 1, 5, 6);
    assert_int_not_equal(l4_sum(buf, n), 0xffff);
    n = pkt_build_ipproto(buf, sizeof buf, &bad6, IPPROTO_TCP, 1, 5, 6);
    assert_int_not_equal(tcp_sum(buf, n), 0xffff);
    n = pkt_build_ipproto(buf, sizeof buf, &bad6, IPPROTO_ICMPV6, 1, 5, 6);
    assert_int_not_equal(l4_sum(buf, n), 0xffff);
    /* anything else, or a protocol of the other family: the bare header */
    static const struct {
        bool v6;
        uint8_t proto;
    } bare[] = {{false, 50}, {false, 0}, {false, 255}, {false, IPPROTO_ICMPV6}, {true, 50},
                {true, IPPROTO_ICMP}, {true, IPPROTO_IGMP}, {true, 59}};
    for (size_t i = 0; i < sizeof bare / sizeof *bare; i++) {
        struct pkt_ip_spec *s = bare[i].v6 ? &v6 : &v4;
        size_t hl = bare[i].v6 ? 40 : 20;
        memset(buf, 0xee, sizeof buf);
        assert_int_equal(pkt_build_ipproto(buf, sizeof buf, s, bare[i].proto, 1, 5, 6), hl);
        assert_int_equal(buf[hl], 0xee);
        if (bare[i].v6) {
            assert_int_equal(buf[6], bare[i].proto);
            assert_int_equal(get16(buf + 4), 0);
        } else {
            assert_int_equal(buf[9], bare[i].proto);
            assert_int_equal(get16(buf + 2), 20);
            assert_int_equal(pkt_cksum(buf, 20, 0), 0xffff);
        }
        assert_int_equal(pkt_build_ipproto(buf, hl - 1, s, bare[i].proto, 1, 5, 6), 0);
    }
    struct pkt_ip_spec mixed = v4;
    mixed.dst = v6.dst;
    assert_int_equal(pkt_build_ipproto(buf, sizeof buf, &mixed, 50, 1, 5, 6), 0);
    assert_int_equal(pkt_build_ipproto(buf, sizeof buf, NULL, 50, 1, 5, 6), 0);
}

static void test_build_arp(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct ip_addr sip = addr("10.77.0.1"), tip = addr("10.77.0.2"), six = addr("fd77::1");
    assert_built(pkt_build_arp_request(buf, cap, mac1, &sip, &tip), buf, arp_req_bytes);
    assert_int_equal(pkt_build_arp_request(buf, sizeof buf, mac1, &six, &tip), 0);
    assert_int_equal(pkt_build_arp_request(buf, sizeof buf, mac1, &sip, &six), 0);
    assert_int_equal(pkt_build_arp_request(buf, sizeof buf, NULL, &sip, &tip), 0);
    assert_int_equal(pkt_build_arp_request(NULL, sizeof buf, mac1, &sip, &tip), 0);
}

static void test_build_nd_solicit(void **state)
{
    (void)state;
    uint8_t buf[PKT_MAX];
    struct ip_addr src = addr("fd77::1"), tgt = addr("fd77::2"), sol;
    assert_built(pkt_build_nd_solicit(buf, cap, &src, &tgt, mac1), buf, ns_bytes);
    assert_int_equal(l4_sum(buf, sizeof ns_bytes), 0xffff);

    /* solicited-node addresses keep the low 24 bits */
    struct ip_addr a = addr("2001:db8:1:2:3:4:5ab:cdef");
    pkt_solicited_node(&a, &sol);
    assert_addr(&sol, "ff02::1:ffab:cdef");
    a = addr("fe80::ffff:ffff");
    pkt_solicited_node(&a, &a); /* in place */
    assert_addr(&a, "ff02::1:ffff:ffff");

    /* from the unspecified address: no source link-layer option */
    struct ip_addr any = addr("::");
    size_t n = pkt_build_nd_solicit(buf, sizeof buf, &any, &tgt, mac1);
    assert_int_equal(n, 64);
    assert_int_equal(get16(buf + 4), 24);
    assert_int_equal(l4_sum(buf, n), 0xffff);
    struct ip_addr four = addr("10.0.0.1");
    assert_int_equal(pkt_build_nd_solicit(buf, sizeof buf, &four, &tgt, mac1), 0);
    assert_int_equal(pkt_build_nd_solicit(buf, sizeof buf, &src, &four, mac1), 0);
    assert_int_equal(pkt_build_nd_solicit(buf, sizeof buf, &src, &tgt, NULL), 0);
}

/* A frame of the link type around a payload of the given ethertype, with
 * source link address mac (Ethernet, and cooked headers with halen 6);
 * vlans tags before the ethertype on Ethernet.  Returns its length. */
static size_t l2_wrap(uint8_t *out, int linktype, uint16_t ethertype, const uint8_t *mac,
                      size_t vlans, const uint8_t *payload, size_t n)
{
    size_t hl;
    switch (linktype) {
    case DLT_EN10MB:
        memset(out, 0xff, 6);
        memcpy(out + 6, mac, 6);
        hl = 12;
        for (size_t k = 0; k < vlans; k++, hl += 4) {
            put16(out + hl, k == 0 && vlans > 1 ? 0x88a8 : 0x8100);
            put16(out + hl + 2, (uint16_t)(7 + k));
        }
        put16(out + hl, ethertype);
        hl += 2;
        break;
    case DLT_LINUX_SLL:
        memset(out, 0, 16);
        put16(out + 2, 1); /* ARPHRD_ETHER */
        put16(out + 4, 6);
        memcpy(out + 6, mac, 6);
        put16(out + 14, ethertype);
        hl = 16;
        break;
    default: /* DLT_LINUX_SLL2 */
        memset(out, 0, 20);
        put16(out, ethertype);
        put32(out + 4, 3);
        put16(out + 8, 1);
        out[11] = 6;
        memcpy(out + 12, mac, 6);
        hl = 20;
        break;
    }
    memcpy(out + hl, payload, n);
    return hl + n;
}

/* An ARP reply 10.77.0.2 is-at mac2 to 10.77.0.1 at mac1. */
static void arp_reply(uint8_t *a)
{
    struct ip_addr s = addr("10.77.0.2"), t = addr("10.77.0.1");
    memcpy(a, arp_req_bytes, PKT_ARP_LEN);
    put16(a + 6, 2);
    memcpy(a + 8, mac2, 6);
    memcpy(a + 14, &s.u.v4, 4);
    memcpy(a + 18, mac1, 6);
    memcpy(a + 24, &t.u.v4, 4);
}

static void assert_arp_reply(const struct pkt_reply *r)
{
    assert_int_equal(r->kind, PKT_ARP);
    assert_int_equal(r->iplen, PKT_ARP_LEN);
    assert_int_equal(r->arp_op, 2);
    assert_memory_equal(r->arp_sha, mac2, 6);
    assert_addr(&r->arp_spa, "10.77.0.2");
    assert_addr(&r->arp_tpa, "10.77.0.1");
    assert_addr(&r->src, "10.77.0.2");
    assert_addr(&r->dst, "10.77.0.1");
    assert_int_equal(r->proto, 0);
    assert_true(r->has_lladdr);
    assert_memory_equal(r->lladdr, mac2, 6);
}

static void test_parse_arp(void **state)
{
    (void)state;
    uint8_t a[PKT_ARP_LEN + 18], frame[128];
    struct pkt_reply r;
    size_t len, ipoff;
    arp_reply(a);
    memset(a + PKT_ARP_LEN, 0, 18); /* Ethernet's padding to 60 bytes */
    static const int lts[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2};
    static const size_t hls[] = {14, 16, 20};
    for (size_t i = 0; i < 3; i++) {
        for (size_t vlans = 0; vlans <= (i == 0 ? 3 : 0); vlans++) {
            for (size_t pad = 0; pad <= 18; pad += 18) {
                len = l2_wrap(frame, lts[i], 0x0806, mac2, vlans, a, PKT_ARP_LEN + pad);
                if (vlans == 3) { /* more tags than we walk */
                    assert_int_equal(parse_copy(frame, len, lts[i], &r, NULL), -1);
                    continue;
                }
                assert_int_equal(parse_copy(frame, len, lts[i], &r, &ipoff), 0);
                assert_int_equal(ipoff, hls[i] + 4 * vlans);
                assert_arp_reply(&r);
                /* every cut short of the ARP payload is refused */
                for (size_t n = 0; n < len - pad; n++)
                    assert_int_equal(parse_copy(frame, n, lts[i], &r, NULL), -1);
            }
        }
    }
    /* our own request, parsed back */
    len = l2_wrap(frame, DLT_EN10MB, 0x0806, mac1, 0, arp_req_bytes, PKT_ARP_LEN);
    assert_int_equal(parse_copy(frame, len, DLT_EN10MB, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_ARP);
    assert_int_equal(r.arp_op, 1);
    assert_memory_equal(r.arp_sha, mac1, 6);
    assert_addr(&r.arp_spa, "10.77.0.1");
    assert_addr(&r.arp_tpa, "10.77.0.2");
    /* anything but Ethernet hardware and IPv4 addresses */
    static const size_t fields[] = {0, 2, 4, 5};
    for (size_t i = 0; i < 4; i++) {
        arp_reply(a);
        a[fields[i] + (fields[i] < 4 ? 1 : 0)] ^= 0x20;
        len = l2_wrap(frame, DLT_EN10MB, 0x0806, mac2, 0, a, PKT_ARP_LEN);
        assert_int_equal(parse_copy(frame, len, DLT_EN10MB, &r, NULL), -1);
    }
    /* ARP is not IP: no link type without an ethertype carries it */
    arp_reply(a);
    assert_int_equal(parse_copy(a, PKT_ARP_LEN, DLT_RAW, &r, NULL), -1);
    /* and an IP ethertype does not make an ARP payload IP */
    len = l2_wrap(frame, DLT_EN10MB, 0x0800, mac2, 0, a, PKT_ARP_LEN);
    assert_int_equal(parse_copy(frame, len, DLT_EN10MB, &r, NULL), -1);
}

static void test_parse_lladdr(void **state)
{
    (void)state;
    uint8_t frame[PKT_MAX + 64];
    struct pkt_reply r;
    size_t len, off;
    len = l2_wrap(frame, DLT_EN10MB, 0x0800, mac2, 1, syn4_bytes, sizeof syn4_bytes);
    assert_int_equal(parse_copy(frame, len, DLT_EN10MB, &r, NULL), 0);
    assert_syn4(&r);
    assert_true(r.has_lladdr);
    assert_memory_equal(r.lladdr, mac2, 6);
    assert_int_equal(r.proto, IPPROTO_TCP);
    len = l2_wrap(frame, DLT_LINUX_SLL, 0x86dd, mac1, 0, synack6_bytes, sizeof synack6_bytes);
    assert_int_equal(parse_copy(frame, len, DLT_LINUX_SLL, &r, NULL), 0);
    assert_synack6(&r);
    assert_true(r.has_lladdr);
    assert_memory_equal(r.lladdr, mac1, 6);
    put16(frame + 4, 0); /* no address (loopback) */
    assert_int_equal(parse_copy(frame, len, DLT_LINUX_SLL, &r, NULL), 0);
    assert_false(r.has_lladdr);
    put16(frame + 4, 8); /* not Ethernet's length */
    assert_int_equal(parse_copy(frame, len, DLT_LINUX_SLL, &r, NULL), 0);
    assert_false(r.has_lladdr);
    len = l2_wrap(frame, DLT_LINUX_SLL2, 0x86dd, mac2, 0, synack6_bytes, sizeof synack6_bytes);
    assert_int_equal(parse_copy(frame, len, DLT_LINUX_SLL2, &r, NULL), 0);
    assert_true(r.has_lladdr);
    assert_memory_equal(r.lladdr, mac2, 6);
    frame[11] = 0;
    assert_int_equal(parse_copy(frame, len, DLT_LINUX_SLL2, &r, NULL), 0);
    assert_false(r.has_lladdr);
    /* links without addresses */
    len = frame_wrap(frame, DLT_NULL, syn4_bytes, sizeof syn4_bytes, &off);
    assert_int_equal(parse_copy(frame, len, DLT_NULL, &r, NULL), 0);
    assert_false(r.has_lladdr);
    assert_int_equal(parse_copy(syn4_bytes, sizeof syn4_bytes, DLT_RAW, &r, NULL), 0);
    assert_false(r.has_lladdr);
}

/* A request's bytes (at req, which may be out) turned into its reply:
 * the type changed and the checksum recomputed. */
static size_t make_reply(uint8_t *out, const uint8_t *req, size_t len, uint8_t type)
{
    memmove(out, req, len);
    size_t hl = out[0] >> 4 == 4 ? 20 : 40;
    out[hl] = type;
    put16(out + hl + 2, 0);
    put16(out + hl + 2, (uint16_t)~l4_sum(out, len));
    return len;
}

static void test_parse_icmp_replies(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX], frame[PKT_MAX + 64];
    struct pkt_reply r;
    static const struct {
        const uint8_t *req;
        size_t len;
        uint8_t reply;
        uint16_t id, seq;
    } q[] = {
        {echo4_bytes, sizeof echo4_bytes, 0, 0xbeef, 3},
        {tstamp4_bytes, sizeof tstamp4_bytes, 14, 1, 2},
        {mask4_bytes, sizeof mask4_bytes, 18, 1, 2},
        {echo6_bytes, sizeof echo6_bytes, 129, 0x4242, 7},
    };
    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        bool v6 = q[i].req[0] >> 4 == 6;
        size_t hl = v6 ? 40 : 20;
        /* the request: PKT_OTHER, with its id and seq */
        assert_int_equal(parse_copy(q[i].req, q[i].len, DLT_RAW, &r, NULL), 0);
        assert_int_equal(r.kind, PKT_OTHER);
        assert_int_equal(r.icmp_type, q[i].req[hl]);
        assert_int_equal(r.icmp_id, q[i].id);
        assert_int_equal(r.icmp_seq, q[i].seq);
        /* the reply, through every link type */
        size_t len = make_reply(pkt, q[i].req, q[i].len, q[i].reply);
        assert_int_equal(l4_sum(pkt, len), 0xffff);
        for (size_t k = 0; k < sizeof linktypes / sizeof *linktypes; k++) {
            int lt = linktypes[k];
#ifdef DLT_IPV4
            if ((lt == DLT_IPV4 && v6) || (lt == DLT_IPV6 && !v6))
                continue;
#endif
            size_t off, flen = frame_wrap(frame, lt, pkt, len, &off);
            assert_int_equal(parse_copy(frame, flen, lt, &r, NULL), 0);
            assert_int_equal(r.kind, PKT_ICMP_REPLY);
            assert_int_equal(r.proto, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
            assert_int_equal(r.icmp_type, q[i].reply);
            assert_int_equal(r.icmp_code, 0);
            assert_int_equal(r.icmp_id, q[i].id);
            assert_int_equal(r.icmp_seq, q[i].seq);
            assert_addr(&r.src, v6 ? "2001:db8::1" : "192.0.2.1");
            assert_int_equal(r.sport, 0);
            assert_int_equal(r.orig.src.family, 0);
            /* every cut: refused below the 8-byte ICMP header */
            for (size_t n = 0; n < flen; n++) {
                int rc = parse_copy(frame, n, lt, &r, NULL);
                if (n < off + hl + 8) {
                    assert_int_equal(rc, -1);
                } else {
                    assert_int_equal(rc, 0);
                    assert_int_equal(r.kind, PKT_ICMP_REPLY);
                    assert_int_equal(r.icmp_id, q[i].id);
                    assert_int_equal(r.icmp_seq, q[i].seq);
                }
            }
        }
    }
    /* the numbering of the other family means nothing */
    size_t len = make_reply(pkt, echo6_bytes, sizeof echo6_bytes, 0);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    len = make_reply(pkt, echo4_bytes, sizeof echo4_bytes, 129);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    assert_int_equal(r.icmp_id, 0);
}

static void test_parse_udp(void **state)
{
    (void)state;
    uint8_t frame[PKT_MAX + 64];
    struct pkt_reply r;
    const uint8_t *pkts[] = {udp4_bytes, udp6_bytes};
    size_t lens[] = {sizeof udp4_bytes, sizeof udp6_bytes};
    for (size_t i = 0; i < 2; i++) {
        size_t hl = i ? 40 : 20, off;
        size_t flen = frame_wrap(frame, DLT_LINUX_SLL2, pkts[i], lens[i], &off);
        assert_int_equal(parse_copy(frame, flen, DLT_LINUX_SLL2, &r, NULL), 0);
        assert_int_equal(r.kind, PKT_UDP);
        assert_int_equal(r.proto, IPPROTO_UDP);
        assert_int_equal(r.sport, 40000);
        assert_int_equal(r.dport, 53);
        assert_int_equal(r.iplen, lens[i]);
        for (size_t n = 0; n < flen; n++) {
            int rc = parse_copy(frame, n, DLT_LINUX_SLL2, &r, NULL);
            assert_int_equal(rc, n < off + hl + 8 ? -1 : 0);
            if (rc == 0)
                assert_int_equal(r.dport, 53);
        }
    }
}

/* A neighbor advertisement from fd77::2 for itself, flags S|O, with opts
 * after the fixed part; hop limit hl. */
static size_t na_build(uint8_t *out, uint8_t hl, const uint8_t *opts, size_t optlen)
{
    uint8_t m[256] = {136, 0, 0, 0, PKT_ND_SOLICITED | PKT_ND_OVERRIDE | 0x1f, 0xff, 0xff, 0xff};
    struct ip_addr t = addr("fd77::2");
    memcpy(m + 8, &t.u.v6, 16);
    if (optlen)
        memcpy(m + 24, opts, optlen);
    size_t len = ip6_wrap(out, "fd77::2", "fd77::1", IPPROTO_ICMPV6, m, 24 + optlen);
    out[7] = hl;
    put16(out + 42, (uint16_t)~l4_sum(out, len));
    return len;
}

static void test_parse_nd_advert(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX], frame[PKT_MAX + 64];
    struct pkt_reply r;
    const uint8_t tll[8] = {2, 1, 0xfa, 0x83, 0x53, 0xe8, 0x33, 0x9d};
    size_t len = na_build(pkt, 255, tll, sizeof tll), off;
    size_t flen = frame_wrap(frame, DLT_EN10MB, pkt, len, &off);
    assert_int_equal(parse_copy(frame, flen, DLT_EN10MB, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_ND_ADVERT);
    assert_int_equal(r.proto, IPPROTO_ICMPV6);
    assert_int_equal(r.icmp_type, 136);
    assert_addr(&r.nd_target, "fd77::2");
    assert_addr(&r.src, "fd77::2");
    assert_int_equal(r.nd_flags, PKT_ND_SOLICITED | PKT_ND_OVERRIDE); /* reserved bits off */
    assert_true(r.nd_has_tll);
    assert_memory_equal(r.nd_tll, mac2, 6);
    /* every cut: the ICMP header, then the fixed part, then the option */
    for (size_t n = 0; n < flen; n++) {
        int rc = parse_copy(frame, n, DLT_EN10MB, &r, NULL);
        if (n < off + 48) {
            assert_int_equal(rc, -1);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(r.kind, n < off + 64 ? PKT_OTHER : PKT_ND_ADVERT);
        assert_int_equal(r.nd_has_tll, n == flen);
    }

    /* without options; after other options; a second TLL is ignored */
    len = na_build(pkt, 255, NULL, 0);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_ND_ADVERT);
    assert_false(r.nd_has_tll);
    const uint8_t several[] = {14, 1, 1, 2, 3, 4, 5, 6,       /* nonce */
                               2, 2, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, /* 16 bytes */
                               2, 1, 0xfa, 0x83, 0x53, 0xe8, 0x33, 0x9d,
                               2, 1, 1, 1, 1, 1, 1, 1};
    len = na_build(pkt, 255, several, sizeof several);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_true(r.nd_has_tll);
    assert_memory_equal(r.nd_tll, mac2, 6);
    /* a zero length stops the walk (it would loop forever), and so does an
     * option running past the end */
    const uint8_t zero[] = {14, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0xfa, 0x83, 0x53, 0xe8, 0x33, 0x9d};
    len = na_build(pkt, 255, zero, sizeof zero);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_ND_ADVERT);
    assert_false(r.nd_has_tll);
    const uint8_t overrun[] = {14, 3, 0, 0, 0, 0, 0, 0, 2, 1, 0xfa, 0x83, 0x53, 0xe8, 0x33, 0x9d};
    len = na_build(pkt, 255, overrun, sizeof overrun);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_false(r.nd_has_tll);
    const uint8_t odd[] = {2, 1, 0xfa, 0x83, 0x53, 0xe8, 0x33, 0x9d, 2}; /* a stray byte */
    len = na_build(pkt, 255, odd, sizeof odd);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_true(r.nd_has_tll);
    /* hop limit below 255 (it crossed a router: forged), or a code */
    len = na_build(pkt, 254, tll, sizeof tll);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    assert_false(r.nd_has_tll);
    len = na_build(pkt, 255, tll, sizeof tll);
    pkt[41] = 1;
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    /* 136 in ICMPv4 means nothing */
    uint8_t m[32] = {136};
    len = ip4_wrap(pkt, "10.0.0.2", "10.0.0.1", IPPROTO_ICMP, m, sizeof m);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
}

static void test_parse_icmp_quotes(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX], quote[PKT_MAX];
    struct pkt_reply r;
    /* host unreachable quoting an echo, a timestamp request */
    size_t len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 3, 1, echo4_bytes, 28);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_ICMP_ERROR);
    assert_int_equal(r.orig.proto, IPPROTO_ICMP);
    assert_int_equal(r.orig.icmp_type, 8);
    assert_int_equal(r.orig.icmp_id, 0xbeef);
    assert_int_equal(r.orig.icmp_seq, 3);
    assert_int_equal(r.orig.sport, 0);
    assert_false(r.orig.has_seq);
    assert_addr(&r.orig.dst, "198.51.100.2");
    assert_int_equal(r.icmp_id, 0); /* the error's own header has none */
    len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 11, 0, tstamp4_bytes, 40);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.orig.icmp_type, 13);
    assert_int_equal(r.orig.icmp_id, 1);
    assert_int_equal(r.orig.icmp_seq, 2);
    /* an ICMP quote needs its 8 bytes */
    len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 3, 1, echo4_bytes, 27);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    assert_int_equal(r.orig.proto, 0);
    /* a quoted ICMP message that is no query: its type, no id */
    memcpy(quote, echo4_bytes, 28);
    quote[20] = 3;
    len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 3, 1, quote, 28);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_ICMP_ERROR);
    assert_int_equal(r.orig.icmp_type, 3);
    assert_int_equal(r.orig.icmp_id, 0);
    /* ICMPv6: an echo quoted by address unreachable */
    len = icmp_error(pkt, true, "2001:db8::ff", "2001:db8::1", 1, 3, echo6_bytes, 48);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_ICMP_ERROR);
    assert_int_equal(r.orig.proto, IPPROTO_ICMPV6);
    assert_int_equal(r.orig.icmp_type, 128);
    assert_int_equal(r.orig.icmp_id, 0x4242);
    assert_int_equal(r.orig.icmp_seq, 7);
    /* IP protocol pings: any protocol, matched by (dst, proto) */
    struct pkt_ip_spec v4 = ip4_spec(), v6 = ip6_spec();
    size_t qlen = pkt_build_ipproto(quote, sizeof quote, &v4, 50, 1, 0, 0);
    len = icmp_error(pkt, false, "198.51.100.2", "192.0.2.1", 3, 2, quote, qlen);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_ICMP_ERROR);
    assert_int_equal(r.orig.proto, 50);
    assert_addr(&r.orig.dst, "198.51.100.2");
    assert_int_equal(r.orig.sport, 0);
    assert_int_equal(r.orig.dport, 0);
    assert_int_equal(r.orig.icmp_type, 0);
    /* IPv6 answers an unknown next header with parameter problem code 1 */
    qlen = pkt_build_ipproto(quote, sizeof quote, &v6, IPPROTO_IGMP, 1, 0, 0);
    len = icmp_error(pkt, true, "2001:db8::2", "2001:db8::1", 4, 1, quote, qlen);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_ICMP_ERROR);
    assert_int_equal(r.icmp_type, 4);
    assert_int_equal(r.orig.proto, IPPROTO_IGMP);
    assert_addr(&r.orig.dst, "2001:db8::2");
    len = icmp_error(pkt, true, "2001:db8::2", "2001:db8::1", 4, 0, quote, qlen);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    /* an SCTP quote: its ports */
    qlen = pkt_build_ipproto(quote, sizeof quote, &v4, IPPROTO_SCTP, 55719, 5, 6);
    len = icmp_error(pkt, false, "198.51.100.2", "192.0.2.1", 3, 2, quote, 28);
    assert_int_equal(parse_copy(pkt, len, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_ICMP_ERROR);
    assert_int_equal(r.orig.sport, 55719);
    assert_int_equal(r.orig.dport, 80);
    assert_false(r.orig.has_seq);
    /* every cut of an error quoting an echo: -1 short of the error's
     * header, PKT_OTHER short of the quote's 8 ICMP bytes */
    len = icmp_error(pkt, false, "203.0.113.9", "192.0.2.1", 3, 1, echo4_bytes, 31);
    for (size_t n = 0; n <= len; n++) {
        int rc = parse_copy(pkt, n, DLT_RAW, &r, NULL);
        assert_int_equal(rc, n < 28 ? -1 : 0);
        if (rc == 0) {
            assert_int_equal(r.kind, n < 56 ? PKT_OTHER : PKT_ICMP_ERROR);
            assert_int_equal(r.orig.icmp_id, n < 56 ? 0 : 0xbeef);
        }
    }
}

static void test_describe_discovery(void **state)
{
    (void)state;
    uint8_t pkt[PKT_MAX];
    struct pkt_ip_spec s = {.src = addr("10.77.0.1"), .dst = addr("10.77.0.2"), .ttl = 64,
                            .ipid = 5};
    /* the forms nmap 7.93 prints, read off its --packet-trace */
    size_t len = pkt_build_icmp_query(pkt, sizeof pkt, &s, PKT_Q_ECHO, 1234, 0, NULL, 0);
    assert_string_equal(describe(pkt, len), "ICMP [10.77.0.1 > 10.77.0.2 Echo request "
                                            "(type=8/code=0) id=1234 seq=0] IP [ttl=64 id=5 "
                                            "iplen=28 ]");
    make_reply(pkt, pkt, len, 0);
    assert_string_equal(describe(pkt, len), "ICMP [10.77.0.1 > 10.77.0.2 Echo reply "
                                            "(type=0/code=0) id=1234 seq=0] IP [ttl=64 id=5 "
                                            "iplen=28 ]");
    len = pkt_build_icmp_query(pkt, sizeof pkt, &s, PKT_Q_TIMESTAMP, 35041, 0, NULL, 0);
    assert_string_equal(describe(pkt, len),
                        "ICMP [10.77.0.1 > 10.77.0.2 Timestamp request (type=13/code=0) id=35041 "
                        "seq=0 orig=0 recv=0 trans=0] IP [ttl=64 id=5 iplen=40 ]");
    make_reply(pkt, pkt, len, 14);
    put32(pkt + 32, 10818022);
    put32(pkt + 36, 10818023);
    assert_string_equal(describe(pkt, len),
                        "ICMP [10.77.0.1 > 10.77.0.2 Timestamp reply (type=14/code=0) id=35041 "
                        "seq=0 orig=0 recv=10818022 trans=10818023] IP [ttl=64 id=5 iplen=40 ]");
    /* cut short of the timestamps: id and seq only */
    assert_contains(describe(pkt, 39), "id=35041 seq=0] IP [ttl=64 id=5 iplen=40 ]");
    len = pkt_build_icmp_query(pkt, sizeof pkt, &s, PKT_Q_MASK, 18941, 0, NULL, 0);
    assert_string_equal(describe(pkt, len),
                        "ICMP [10.77.0.1 > 10.77.0.2 Address mask request (type=17/code=0) "
                        "id=18941 seq=0 mask=0.0.0.0] IP [ttl=64 id=5 iplen=32 ]");
    make_reply(pkt, pkt, len, 18);
    put32(pkt + 28, 0xffffff00);
    assert_contains(describe(pkt, len), "Address mask reply (type=18/code=0) id=18941 seq=0 "
                                        "mask=255.255.255.0] IP");
    assert_contains(describe(pkt, 31), "id=18941 seq=0] IP");

    /* ICMPv6 in the usual ICMPv6 line; UDP, SCTP, named protocols */
    struct pkt_ip_spec s6 = {.src = addr("fd77::1"), .dst = addr("fd77::2"), .ttl = 255};
    len = pkt_build_icmp_query(pkt, sizeof pkt, &s6, PKT_Q_ECHO, 1, 2, NULL, 0);
    assert_string_equal(describe(pkt, len), "ICMPv6 (58) fd77::1 > fd77::2 (type=128/code=0) "
                                            "hopl=255 flow=0 payloadlen=8");
    len = pkt_build_ipproto(pkt, sizeof pkt, &s, IPPROTO_UDP, 56054, 0, 0);
    assert_string_equal(describe(pkt, len),
                        "UDP 10.77.0.1:56054 > 10.77.0.2:40125 ttl=64 id=5 iplen=28");
    len = pkt_build_ipproto(pkt, sizeof pkt, &s, IPPROTO_SCTP, 39971, 0, 0);
    assert_string_equal(describe(pkt, len), "SCTP 10.77.0.1:39971 > 10.77.0.2:80 ttl=64 id=5 "
                                            "iplen=52");
    assert_string_equal(describe(pkt, 31), "SCTP 10.77.0.1 > 10.77.0.2 (incomplete) ttl=64 id=5 "
                                           "iplen=52");
    len = pkt_build_ipproto(pkt, sizeof pkt, &s, IPPROTO_IGMP, 1, 0, 0);
    assert_string_equal(describe(pkt, len), "igmp (2) 10.77.0.1 > 10.77.0.2: ttl=64 id=5 "
                                            "iplen=28");
    len = pkt_build_ipproto(pkt, sizeof pkt, &s, 4, 1, 0, 0);
    assert_string_equal(describe(pkt, len), "ipv4 (4) 10.77.0.1 > 10.77.0.2: ttl=64 id=5 "
                                            "iplen=20");
    len = pkt_build_ipproto(pkt, sizeof pkt, &s6, IPPROTO_IGMP, 1, 0, 0);
    assert_string_equal(describe(pkt, len), "igmp (2) fd77::1 > fd77::2: hopl=255 flow=0 "
                                            "payloadlen=0");
}

static const char *describe_arp(const uint8_t *a, size_t len)
{
    static char buf[256];
    memset(buf, 'x', sizeof buf);
    assert_ptr_equal(pkt_describe_arp(a, len, buf, sizeof buf), buf);
    return buf;
}

static void test_describe_arp_nd(void **state)
{
    (void)state;
    uint8_t a[PKT_ARP_LEN], pkt[PKT_MAX];
    assert_string_equal(describe_arp(arp_req_bytes, PKT_ARP_LEN),
                        "ARP who-has 10.77.0.2 tell 10.77.0.1");
    arp_reply(a);
    assert_string_equal(describe_arp(a, PKT_ARP_LEN), "ARP reply 10.77.0.2 is-at FA:83:53:E8:33:9D");
    put16(a + 6, 3);
    assert_string_equal(describe_arp(a, PKT_ARP_LEN), "ARP operation 3 10.77.0.2 > 10.77.0.1");
    /* every cut, and NULL: a message, never a read past the end */
    for (size_t n = 0; n < PKT_ARP_LEN; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        assert_non_null(copy);
        memcpy(copy, a, n);
        char want[64];
        snprintf(want, sizeof want, "ARP (not Ethernet/IPv4 or truncated, %zu bytes)", n);
        assert_string_equal(describe_arp(copy, n), want);
        free(copy);
    }
    assert_contains(describe_arp(NULL, 28), "28 bytes");
    char small[8];
    assert_ptr_equal(pkt_describe_arp(arp_req_bytes, PKT_ARP_LEN, small, sizeof small), small);
    assert_string_equal(small, "ARP who");
    assert_null(pkt_describe_arp(arp_req_bytes, PKT_ARP_LEN, NULL, 8));

    /* neighbor advertisements, as nmap traces its neighbor discovery */
    const uint8_t tll[8] = {2, 1, 0xfa, 0x83, 0x53, 0xe8, 0x33, 0x9d};
    struct pkt_reply r;
    char buf[128];
    size_t len = na_build(pkt, 255, tll, sizeof tll);
    assert_int_equal(pkt_parse(pkt, len, DLT_RAW, &r), 0);
    assert_string_equal(pkt_describe_nd_advert(&r, buf, sizeof buf),
                        "neighbor advertisement fd77::2 > fd77::1 fd77::2 is at fa:83:53:e8:33:9d");
    len = na_build(pkt, 255, NULL, 0);
    assert_int_equal(pkt_parse(pkt, len, DLT_RAW, &r), 0);
    assert_string_equal(pkt_describe_nd_advert(&r, buf, sizeof buf),
                        "neighbor advertisement fd77::2 > fd77::1 fd77::2");
    assert_int_equal(pkt_parse(syn4_bytes, sizeof syn4_bytes, DLT_RAW, &r), 0);
    assert_string_equal(pkt_describe_nd_advert(&r, buf, sizeof buf),
                        "neighbor advertisement (none)");
    assert_string_equal(pkt_describe_nd_advert(NULL, buf, sizeof buf),
                        "neighbor advertisement (none)");
    assert_ptr_equal(pkt_describe_nd_advert(&r, buf, 0), buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cksum_vectors),      cmocka_unit_test(test_build_v4),
        cmocka_unit_test(test_build_v6),           cmocka_unit_test(test_build_options_and_data),
        cmocka_unit_test(test_build_invalid),      cmocka_unit_test(test_badsum),
        cmocka_unit_test(test_parse_link_types),   cmocka_unit_test(test_parse_link_mismatch),
        cmocka_unit_test(test_parse_vlan),         cmocka_unit_test(test_parse_ethernet_padding),
        cmocka_unit_test(test_parse_ipv4_header),  cmocka_unit_test(test_parse_fragments),
        cmocka_unit_test(test_parse_ipv6_ext),     cmocka_unit_test(test_parse_tcp_header),
        cmocka_unit_test(test_parse_icmp4_errors), cmocka_unit_test(test_parse_icmp6_errors),
        cmocka_unit_test(test_parse_truncated),    cmocka_unit_test(test_describe_tcp),
        cmocka_unit_test(test_describe_icmp),      cmocka_unit_test(test_describe_other),
        cmocka_unit_test(test_describe_truncates), cmocka_unit_test(test_describe_prefixes),
        cmocka_unit_test(test_build_icmp_query),   cmocka_unit_test(test_build_udp),
        cmocka_unit_test(test_sctp_crc32c),        cmocka_unit_test(test_build_ipproto),
        cmocka_unit_test(test_build_arp),          cmocka_unit_test(test_build_nd_solicit),
        cmocka_unit_test(test_parse_arp),          cmocka_unit_test(test_parse_lladdr),
        cmocka_unit_test(test_parse_icmp_replies), cmocka_unit_test(test_parse_udp),
        cmocka_unit_test(test_parse_nd_advert),    cmocka_unit_test(test_parse_icmp_quotes),
        cmocka_unit_test(test_describe_discovery), cmocka_unit_test(test_describe_arp_nd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
