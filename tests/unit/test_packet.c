/* SPDX-License-Identifier: MIT */
/* Building, parsing and describing packets (net/packet.h).  The expected
 * bytes of built packets were computed independently (Python's struct and
 * socket modules); parsed frames are wrapped here by hand in each link
 * layer; truncated frames are copied into buffers of exactly their size,
 * so that ASan sees any read past the end. */
#include "unit.h"

#include <arpa/inet.h>
#include <pcap/dlt.h>

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
    /* UDP and other protocols: parsed, of no interest */
    pkt[9] = IPPROTO_UDP;
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
    assert_int_equal(r.sport, 0);
    assert_addr(&r.dst, "198.51.100.2");
    assert_int_equal(r.ttl, 52);
    assert_int_equal(r.ipid, 1234);
    pkt[9] = 50;
    assert_int_equal(parse_copy(pkt, 44, DLT_RAW, &r, NULL), 0);
    assert_int_equal(r.kind, PKT_OTHER);
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
    /* other types: of no interest */
    static const uint8_t types[] = {0, 4, 5, 8, 12, 13, 255};
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
    /* echo reply, packet too big, parameter problem: of no interest */
    static const uint8_t types[] = {2, 4, 128, 129, 135};
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
    assert_string_equal(describe(esp, 20), "Unknown protocol (50) 10.0.0.1 > 10.0.0.2: "
                                           "ttl=64 id=0 iplen=20");
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
