/* SPDX-License-Identifier: MIT */
/* Fuzz the packet decoder and describer with hostile frames, and the
 * builder by round trips.  The first input byte (modulo MODES) picks what
 * the rest is:
 *   0 DLT_EN10MB  1 DLT_LINUX_SLL  2 DLT_LINUX_SLL2  3 DLT_RAW
 *   4 LINKTYPE_RAW (101)  5 DLT_NULL  6 DLT_LOOP  7 DLT_IPV4  8 DLT_IPV6
 *   9 a TCP spec to build, parse back and describe
 * so that seeds (corpus/fuzz_packet/) are a selector byte and a frame. */
#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdbool.h>

#include "fuzz.h"
#include "net/packet.h"

#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define MAX_INPUT 70000

static const int linktypes[] = {
    DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, 101, DLT_NULL, DLT_LOOP, DLT_IPV4, DLT_IPV6,
};
#define NLINK (sizeof linktypes / sizeof *linktypes)
#define MODES (NLINK + 1)

/* The description fits in a generous buffer, is printable, and a smaller
 * buffer gets exactly its prefix, NUL-terminated, never overrun (each is
 * a heap block of exactly cap bytes, so ASan sees any overrun). */
static void check_describe(const uint8_t *ip, size_t len)
{
    char full[1024];
    memset(full, 'Z', sizeof full);
    FUZZ_CHECK(pkt_describe(ip, len, full, sizeof full) == full);
    const char *nul = memchr(full, '\0', sizeof full);
    FUZZ_CHECK(nul != NULL);
    size_t n = (size_t)(nul - full);
    FUZZ_CHECK(n > 0 && n < sizeof full - 1); /* never needs truncating at 1K */
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(full[i] >= 0x20 && full[i] < 0x7f);

    const size_t caps[] = {1, 2, 7, 40, n, n + 1};
    for (size_t k = 0; k < sizeof caps / sizeof *caps; k++) {
        size_t cap = caps[k];
        char *b = malloc(cap);
        if (!b)
            abort();
        FUZZ_CHECK(pkt_describe(ip, len, b, cap) == b);
        size_t want = n < cap - 1 ? n : cap - 1;
        FUZZ_CHECK(memchr(b, '\0', cap) == b + want);
        FUZZ_CHECK(memcmp(b, full, want) == 0);
        free(b);
    }
}

static bool same_reply(const struct pkt_reply *a, const struct pkt_reply *b)
{
    return a->kind == b->kind && a->ip == b->ip && a->iplen == b->iplen &&
           ip_addr_equal(&a->src, &b->src) && ip_addr_equal(&a->dst, &b->dst) && a->ttl == b->ttl &&
           a->ipid == b->ipid && a->sport == b->sport && a->dport == b->dport && a->seq == b->seq &&
           a->ack == b->ack && a->flags == b->flags && a->win == b->win &&
           a->icmp_type == b->icmp_type && a->icmp_code == b->icmp_code &&
           a->orig.proto == b->orig.proto && a->orig.sport == b->orig.sport &&
           a->orig.dport == b->orig.dport && a->orig.seq == b->orig.seq &&
           a->orig.has_seq == b->orig.has_seq && a->orig.src.family == b->orig.src.family &&
           (a->kind != PKT_ICMP_ERROR || (ip_addr_equal(&a->orig.src, &b->orig.src) &&
                                          ip_addr_equal(&a->orig.dst, &b->orig.dst)));
}

/* Parse a frame and check what pkt_reply promises. */
static int check_parse(const uint8_t *f, size_t n, int linktype, struct pkt_reply *r)
{
    int rc = pkt_parse(f, n, linktype, r);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc)
        return rc;
    FUZZ_CHECK(r->ip >= f && r->ip < f + n);
    size_t off = (size_t)(r->ip - f);
    FUZZ_CHECK(r->iplen <= n - off);
    FUZZ_CHECK(r->src.family == r->dst.family);
    int version = r->ip[0] >> 4;
    if (r->src.family == AF_INET) {
        FUZZ_CHECK(version == 4 && r->iplen >= 20);
        FUZZ_CHECK(r->iplen >= (size_t)(r->ip[0] & 15) * 4);
    } else {
        FUZZ_CHECK(r->src.family == AF_INET6);
        FUZZ_CHECK(version == 6 && r->iplen >= 40 && r->ipid == 0);
    }
    FUZZ_CHECK(r->kind == PKT_TCP || r->kind == PKT_ICMP_ERROR || r->kind == PKT_OTHER);
    if (r->kind == PKT_TCP)
        FUZZ_CHECK(r->iplen >= (version == 4 ? 40u : 60u));
    else
        FUZZ_CHECK(r->sport == 0 && r->dport == 0 && r->seq == 0 && r->flags == 0);
    if (r->kind == PKT_ICMP_ERROR) {
        FUZZ_CHECK(r->orig.src.family == r->src.family);
        FUZZ_CHECK(r->orig.dst.family == r->src.family);
        FUZZ_CHECK(r->iplen >= (version == 4 ? 20u + 8 + 20 : 40u + 8 + 40));
        if (version == 4)
            FUZZ_CHECK(r->icmp_type == 3 || r->icmp_type == 11);
        else
            FUZZ_CHECK(r->icmp_type == 1 || r->icmp_type == 3);
    } else {
        FUZZ_CHECK(r->orig.src.family == 0 && !r->orig.has_seq && r->orig.sport == 0);
    }
    if (r->orig.has_seq)
        FUZZ_CHECK(r->orig.proto == IPPROTO_TCP);

    /* the IP packet alone, as raw IP, decodes the same */
    struct pkt_reply again;
    FUZZ_CHECK(pkt_parse(r->ip, r->iplen, DLT_RAW, &again) == 0);
    FUZZ_CHECK(same_reply(r, &again));
    check_describe(r->ip, r->iplen);
    return 0;
}

/* Bytes off the input, zeros once it runs out. */
struct reader {
    const uint8_t *p;
    size_t n;
};

static uint32_t take(struct reader *rd, int bytes)
{
    uint32_t v = 0;
    for (int i = 0; i < bytes; i++) {
        v = v << 8;
        if (rd->n) {
            v |= *rd->p++;
            rd->n--;
        }
    }
    return v;
}

/* Build a probe from the input, then parse it back from every link type. */
static void round_trip(const uint8_t *data, size_t size)
{
    struct reader rd = {data, size};
    struct pkt_tcp_spec s = {0};
    uint8_t opts[64], ip[PKT_MAX], frame[PKT_MAX + 32];
    uint32_t mode = take(&rd, 1);
    bool v6 = mode & 1;
    s.badsum = mode & 2;
    s.src.family = s.dst.family = v6 ? AF_INET6 : AF_INET;
    if (v6) {
        for (int i = 0; i < 16; i++) {
            s.src.u.v6.s6_addr[i] = (uint8_t)take(&rd, 1);
            s.dst.u.v6.s6_addr[i] = (uint8_t)take(&rd, 1);
        }
    } else {
        s.src.u.v4.s_addr = htonl(take(&rd, 4));
        s.dst.u.v4.s_addr = htonl(take(&rd, 4));
    }
    s.sport = (uint16_t)take(&rd, 2);
    s.dport = (uint16_t)take(&rd, 2);
    s.seq = take(&rd, 4);
    s.ack = take(&rd, 4);
    s.flags = (uint8_t)take(&rd, 1);
    s.win = (uint16_t)take(&rd, 2);
    s.ttl = (uint8_t)take(&rd, 1);
    s.ipid = (uint16_t)take(&rd, 2);
    s.flowlabel = take(&rd, 4);
    s.optlen = take(&rd, 1) % 48; /* sometimes too many */
    for (size_t i = 0; i < s.optlen; i++)
        opts[i] = (uint8_t)take(&rd, 1);
    s.opts = opts;
    s.data = rd.p;
    s.datalen = rd.n;

    size_t iphl = v6 ? 40 : 20;
    size_t need = iphl + 20 + (s.optlen + 3) / 4 * 4 + s.datalen;
    size_t len = pkt_build_tcp(ip, sizeof ip, &s);
    if (s.optlen > 40 || need > sizeof ip) {
        FUZZ_CHECK(len == 0);
        return;
    }
    FUZZ_CHECK(len == need);
    FUZZ_CHECK(pkt_build_tcp(ip, len - 1, &s) == 0);

    /* checksums: the IPv4 header's always right, TCP's unless badsum */
    uint8_t ph[40] = {0};
    uint32_t seglen = (uint32_t)(len - iphl);
    if (v6) {
        memcpy(ph, &s.src.u.v6, 16);
        memcpy(ph + 16, &s.dst.u.v6, 16);
        ph[32] = (uint8_t)(seglen >> 24);
        ph[33] = (uint8_t)(seglen >> 16);
        ph[34] = (uint8_t)(seglen >> 8);
        ph[35] = (uint8_t)seglen;
        ph[39] = IPPROTO_TCP;
    } else {
        FUZZ_CHECK(pkt_cksum(ip, 20, 0) == 0xffff);
        memcpy(ph, &s.src.u.v4, 4);
        memcpy(ph + 4, &s.dst.u.v4, 4);
        ph[9] = IPPROTO_TCP;
        ph[10] = (uint8_t)(seglen >> 8);
        ph[11] = (uint8_t)seglen;
    }
    uint16_t sum = pkt_cksum(ip + iphl, seglen, pkt_cksum(ph, v6 ? 40 : 12, 0));
    FUZZ_CHECK((sum == 0xffff) == !s.badsum);

    for (size_t k = 0; k < NLINK; k++) {
        /* a minimal frame of each type around it */
        size_t hl = 0;
        uint16_t et = v6 ? 0x86dd : 0x0800;
        uint32_t fam = v6 ? 10 : 2;
        memset(frame, 0, 20);
        switch (linktypes[k]) {
        case DLT_EN10MB:
            hl = 14;
            frame[12] = (uint8_t)(et >> 8);
            frame[13] = (uint8_t)et;
            break;
        case DLT_LINUX_SLL:
            hl = 16;
            frame[14] = (uint8_t)(et >> 8);
            frame[15] = (uint8_t)et;
            break;
        case DLT_LINUX_SLL2:
            hl = 20;
            frame[0] = (uint8_t)(et >> 8);
            frame[1] = (uint8_t)et;
            break;
        case DLT_NULL:
            hl = 4;
            memcpy(frame, &fam, 4);
            break;
        case DLT_LOOP:
            hl = 4;
            frame[3] = (uint8_t)fam;
            break;
        case DLT_IPV4:
        case DLT_IPV6:
            if ((linktypes[k] == DLT_IPV6) != v6)
                continue;
            break;
        }
        memcpy(frame + hl, ip, len);
        struct pkt_reply r;
        FUZZ_CHECK(check_parse(frame, hl + len, linktypes[k], &r) == 0);
        FUZZ_CHECK(r.kind == PKT_TCP && r.ip == frame + hl && r.iplen == len);
        FUZZ_CHECK(ip_addr_equal(&r.src, &s.src) && ip_addr_equal(&r.dst, &s.dst));
        FUZZ_CHECK(r.sport == s.sport && r.dport == s.dport && r.seq == s.seq);
        FUZZ_CHECK(r.ack == s.ack && r.flags == s.flags && r.win == s.win);
        FUZZ_CHECK(r.ttl == s.ttl && r.ipid == (v6 ? 0 : s.ipid));
    }
    char buf[1024];
    FUZZ_CHECK(strncmp(pkt_describe(ip, len, buf, sizeof buf), "TCP ", 4) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return 0;
    size_t mode = data[0] % MODES;
    const uint8_t *f = data + 1;
    size_t n = size - 1;
    if (mode == NLINK) {
        round_trip(f, n);
        return 0;
    }
    struct pkt_reply r;
    check_parse(f, n, linktypes[mode], &r);
    /* whatever the frame, describing its bytes as an IP packet is safe */
    check_describe(f, n);
    if (n > 4)
        check_describe(f + 4, n - 4);
    return 0;
}
