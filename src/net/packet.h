/* SPDX-License-Identifier: MIT */
/* Crafted packets out, captured packets in: building IPv4/IPv6 + TCP probes
 * with correct checksums, parsing what libpcap captures (link header, IP
 * with IPv6 extension headers, TCP, ICMP/ICMPv6 errors with the packet they
 * quote), and describing packets for --packet-trace.
 *
 * Everything here is pure computation on byte buffers: no sockets, no
 * globals, so it is unit-tested and fuzzed on its own.  Captured packets are
 * hostile input: every length is checked before it is read. */
#ifndef PORTSCOUT_PACKET_H
#define PORTSCOUT_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* TCP flag bits, as in the header's 13th byte. */
#define TH_FIN_ 0x01
#define TH_SYN_ 0x02
#define TH_RST_ 0x04
#define TH_PSH_ 0x08
#define TH_ACK_ 0x10
#define TH_URG_ 0x20
#define TH_ECE_ 0x40
#define TH_CWR_ 0x80

/* Largest packet we build: IPv6 header + TCP header with options + data. */
#define PKT_MAX 1500

struct pkt_tcp_spec {
    struct ip_addr src, dst;  /* same family */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;            /* TH_* */
    uint16_t win;
    uint8_t ttl;              /* IPv4 TTL or IPv6 hop limit */
    uint16_t ipid;            /* IPv4 identification (ignored for IPv6) */
    uint32_t flowlabel;       /* IPv6 flow label, low 20 bits (ignored for IPv4) */
    const uint8_t *opts;      /* TCP options, padded by the builder to 4 bytes */
    size_t optlen;            /* at most 40 */
    const uint8_t *data;      /* payload */
    size_t datalen;
    bool badsum;              /* --badsum: a wrong TCP checksum */
};

/* Build the whole IP packet (IPv4 header with DF clear, or IPv6 header) and
 * TCP segment into buf, checksums filled in.  Returns its length, or 0 if it
 * does not fit in cap or the spec is invalid (families differ, optlen > 40). */
size_t pkt_build_tcp(uint8_t *buf, size_t cap, const struct pkt_tcp_spec *s);

/* The Internet checksum (RFC 1071) of a buffer, folded, not complemented
 * into the final form: callers use it through the builders.  Exposed for
 * tests. */
uint16_t pkt_cksum(const void *data, size_t len, uint32_t initial);

/* A packet as captured, decoded. */
enum pkt_kind {
    PKT_TCP,        /* a TCP segment */
    PKT_ICMP_ERROR, /* ICMP/ICMPv6 destination unreachable or time exceeded,
                     * quoting one of our packets */
    PKT_OTHER,      /* parsed, but of no interest (other ICMP, UDP...) */
};

struct pkt_reply {
    enum pkt_kind kind;
    const uint8_t *ip; /* start of the IP header in the captured buffer */
    size_t iplen;      /* bytes from there to the end of the capture (or the
                        * IP total length, whichever is smaller) */
    struct ip_addr src, dst;
    uint8_t ttl;       /* TTL or hop limit */
    uint16_t ipid;     /* IPv4 only */
    /* PKT_TCP */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t win;
    /* PKT_ICMP_ERROR: the ICMP message... */
    uint8_t icmp_type, icmp_code; /* as on the wire (ICMPv4 or ICMPv6 numbering) */
    /* ...and the packet it quotes: always of the error's own family; for
     * TCP, UDP and SCTP at least its ports (a shorter quote, or one of a
     * later fragment, makes the message PKT_OTHER).  RFC 792 asks for 8
     * transport bytes, enough for the TCP sequence number. */
    struct {
        struct ip_addr src, dst;
        uint8_t proto;           /* IPPROTO_TCP, IPPROTO_UDP... */
        uint16_t sport, dport;   /* TCP, UDP, SCTP; 0 for other protocols */
        uint32_t seq;            /* TCP only */
        bool has_seq;            /* the quote is long enough to hold seq */
    } orig;
};

/* Decode one captured frame of the given libpcap link type (DLT_EN10MB with
 * up to two 802.1Q/802.1ad tags, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
 * DLT_NULL, DLT_LOOP).  IPv6 extension headers (hop-by-hop, routing,
 * destination options, fragment with offset 0) are walked; fragments with a
 * non-zero offset, truncated headers, bad versions and lengths are refused.
 * Checksums are not verified (captures on loopback and offloading NICs
 * carry partial ones).  Returns 0 when r is filled, -1 when the frame is not
 * an IPv4/IPv6 packet we can read. */
int pkt_parse(const uint8_t *frame, size_t caplen, int linktype, struct pkt_reply *r);

/* Describe an IP packet as nmap's --packet-trace does, e.g.
 *   TCP 10.0.0.1:40123 > 10.0.0.2:22 S ttl=52 id=1234 iplen=44  seq=1 win=1024 <mss 1460>
 *   TCP [fd77::1]:40123 > [fd77::2]:22 SA ttl=64 flow=0 iplen=64  seq=... win=... ack=... <mss 1440,...>
 *   ICMP [10.77.0.2 > 10.77.0.1 Port 53 unreachable (type=3/code=3) ] IP [ttl=64 id=0 iplen=72 ]
 *   ICMPv6 (58) fd77::2 > fd77::1 (type=1/code=4) hopl=64 flow=0 payloadlen=72
 *   UDP 10.0.0.1:40123 > 10.0.0.2:53 ttl=64 id=1 iplen=28
 *   Unknown protocol (50) 10.0.0.1 > 10.0.0.2: ttl=64 id=1 iplen=20
 * iplen is the length the IP header claims (IPv6: 40 + payload length),
 * flow= the IPv6 flow label in hex, as nmap prints it.  Unlike nmap's
 * default trace, " ack=N" follows win= whenever ACK is set.  Flag letters
 * in nmap's order: S F R P A U E C (SYN|FIN prints "SF").  Always
 * NUL-terminates buf when cap > 0 (truncating if needed); returns buf. */
const char *pkt_describe(const uint8_t *ip, size_t len, char *buf, size_t cap);

#endif
