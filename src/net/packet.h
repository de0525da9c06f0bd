/* SPDX-License-Identifier: MIT */
/* Crafted packets out, captured packets in: building IPv4/IPv6 probes (TCP,
 * UDP, ICMP queries, IP protocol pings, ARP and IPv6 neighbor solicitations)
 * with correct checksums, parsing what libpcap captures (link header, ARP,
 * IP with IPv6 extension headers, TCP, UDP, ICMP/ICMPv6 replies and errors
 * with the packet they quote, neighbor advertisements), and describing
 * packets for --packet-trace.
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

/* The IP layer of a packet we build. */
struct pkt_ip_spec {
    struct ip_addr src, dst;  /* same family */
    uint8_t ttl;              /* TTL or hop limit */
    uint16_t ipid;            /* IPv4 only */
    uint32_t flowlabel;       /* IPv6 only, low 20 bits */
    bool badsum;              /* --badsum: wrong transport/ICMP checksum */
};

enum pkt_icmp_query { PKT_Q_ECHO, PKT_Q_TIMESTAMP, PKT_Q_MASK };

/* ICMP echo (8) / timestamp (13) / address mask (17) request, or ICMPv6
 * echo request (128) when ip->dst is IPv6 (only PKT_Q_ECHO there: else
 * 0).  id and seq as given; data appended (echo only: else it must be
 * empty); the timestamps and the mask are zero.  Whole IP packet, checksums
 * filled (ICMPv6 with the pseudo-header).  Returns its length, 0 if it does
 * not fit in cap or the spec is invalid. */
size_t pkt_build_icmp_query(uint8_t *buf, size_t cap, const struct pkt_ip_spec *ip,
                            enum pkt_icmp_query q, uint16_t id, uint16_t seq,
                            const uint8_t *data, size_t datalen);

/* A UDP datagram (whole IP packet, checksum filled; a computed zero is sent
 * as 0xffff, RFC 768).  0 if it does not fit. */
size_t pkt_build_udp(uint8_t *buf, size_t cap, const struct pkt_ip_spec *ip, uint16_t sport,
                     uint16_t dport, const uint8_t *data, size_t datalen);

/* The ports an IP protocol ping sends its TCP, UDP and SCTP probes to. */
#define PKT_IPPROTO_TCP_PORT 80
#define PKT_IPPROTO_UDP_PORT 40125
#define PKT_IPPROTO_SCTP_PORT 80

/* An IP protocol ping (-PO): a packet of protocol `proto`.  As nmap does,
 * protocols we know get a valid header so that the target's stack accepts
 * them rather than answering "protocol unreachable":
 *   ICMP (1, IPv4) / ICMPv6 (58, IPv6): echo request (id, seq), no data
 *   IGMP (2, IPv4): IGMPv2 general membership query
 *   TCP (6): ACK from sport to port 80, seq = ack = id << 16 | seq, win 1024
 *   UDP (17): empty datagram from sport to port 40125
 *   SCTP (132): INIT from sport to port 80, initiate tag and initial TSN
 *     id << 16 | seq (1 if that is 0: the tag must not be)
 * Any other protocol (ICMP on IPv6, ICMPv6 or IGMP on IPv4...) gets an
 * empty payload.  IPv6 puts proto in the next-header field. */
size_t pkt_build_ipproto(uint8_t *buf, size_t cap, const struct pkt_ip_spec *ip, uint8_t proto,
                         uint16_t sport, uint16_t id, uint16_t seq);

/* The length of an ARP payload for Ethernet and IPv4. */
#define PKT_ARP_LEN 28

/* An ARP request (RFC 826) who-has tip tell sip from smac: the 28-byte ARP
 * payload only (the caller sends it on an AF_PACKET SOCK_DGRAM socket to
 * the broadcast address, the kernel adds Ethernet).  Both addresses IPv4;
 * 0 otherwise or if cap < 28. */
size_t pkt_build_arp_request(uint8_t *buf, size_t cap, const uint8_t smac[6],
                             const struct ip_addr *sip, const struct ip_addr *tip);

/* An IPv6 Neighbor Solicitation (RFC 4861) for target from src, to target's
 * solicited-node multicast address ff02::1:ffXX:XXXX, hop limit 255, with a
 * source link-layer address option smac (left out when src is the
 * unspecified address, as RFC 4861 7.1.1 requires for duplicate address
 * detection).  Whole IPv6 packet (72 bytes), ICMPv6 checksum filled. */
size_t pkt_build_nd_solicit(uint8_t *buf, size_t cap, const struct ip_addr *src,
                            const struct ip_addr *target, const uint8_t smac[6]);

/* The solicited-node multicast address of IPv6 address a (RFC 4291
 * 2.7.1); out may be a. */
void pkt_solicited_node(const struct ip_addr *a, struct ip_addr *out);

/* A packet as captured, decoded. */
enum pkt_kind {
    PKT_TCP,        /* a TCP segment */
    PKT_ICMP_ERROR, /* ICMP/ICMPv6 destination unreachable or time exceeded
                     * (or ICMPv6 parameter problem "unrecognized next
                     * header", IPv6's protocol unreachable), quoting an IP
                     * packet of its own family */
    PKT_OTHER,      /* parsed, but of no interest (other ICMP, SCTP...) */
    PKT_ICMP_REPLY, /* ICMP echo (0), timestamp (14) or address mask (18)
                     * reply, ICMPv6 echo reply (129) */
    PKT_UDP,        /* a UDP datagram */
    PKT_ARP,        /* an Ethernet/IPv4 ARP message (not IP: see ip below) */
    PKT_ND_ADVERT,  /* an ICMPv6 neighbor advertisement (136) that passes
                     * RFC 4861 7.1.2's checks: hop limit 255, code 0 */
};

/* Neighbor advertisement flags, as in nd_flags. */
#define PKT_ND_ROUTER 0x80
#define PKT_ND_SOLICITED 0x40
#define PKT_ND_OVERRIDE 0x20

struct pkt_reply {
    enum pkt_kind kind;
    const uint8_t *ip; /* start of the IP header in the captured buffer
                        * (PKT_ARP: of the ARP payload) */
    size_t iplen;      /* bytes from there to the end of the capture (or the
                        * IP total length, whichever is smaller; PKT_ARP: 28) */
    struct ip_addr src, dst; /* PKT_ARP: the sender and target IP addresses */
    uint8_t ttl;       /* TTL or hop limit */
    uint16_t ipid;     /* IPv4 only */
    uint8_t proto;     /* IP protocol (IPv6: the header after the extension
                        * headers); 0 for ARP */
    /* Ethernet and Linux cooked frames: the frame's source address (SLL:
     * the link address when it is 6 bytes long) */
    bool has_lladdr;
    uint8_t lladdr[6];
    /* PKT_TCP, PKT_UDP */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t win;
    /* ICMP and ICMPv6 messages of every kind... */
    uint8_t icmp_type, icmp_code; /* as on the wire (ICMPv4 or ICMPv6 numbering) */
    /* ...and for echo, timestamp and mask requests and replies (requests
     * are PKT_OTHER: on loopback we capture our own) */
    uint16_t icmp_id, icmp_seq;
    /* PKT_ARP */
    uint16_t arp_op;         /* 1 request, 2 reply */
    uint8_t arp_sha[6];      /* sender hardware address */
    struct ip_addr arp_spa, arp_tpa;
    /* PKT_ND_ADVERT */
    struct ip_addr nd_target;
    uint8_t nd_flags;        /* PKT_ND_* */
    bool nd_has_tll;         /* a target link-layer address option came
                              * before any malformed one */
    uint8_t nd_tll[6];
    /* PKT_ICMP_ERROR: the packet the error quotes. */
    /* Always of the error's own family; for TCP, UDP and SCTP at least its
     * ports, for ICMP (in IPv4) and ICMPv6 (in IPv6) its first 8 bytes (a
     * shorter quote, or one of a later fragment, makes the message
     * PKT_OTHER); for other protocols only the addresses and protocol, so
     * that IP protocol pings match by (dst, proto).  RFC 792 asks for 8
     * transport bytes, enough for the TCP sequence number. */
    struct {
        struct ip_addr src, dst;
        uint8_t proto;           /* IPPROTO_TCP, IPPROTO_UDP... */
        uint16_t sport, dport;   /* TCP, UDP, SCTP; 0 for other protocols */
        uint32_t seq;            /* TCP only */
        bool has_seq;            /* the quote is long enough to hold seq */
        uint8_t icmp_type;       /* ICMP/ICMPv6 quotes */
        uint16_t icmp_id, icmp_seq; /* quotes of echo, timestamp and mask
                                     * requests; 0 for other types */
    } orig;
};

/* Decode one captured frame of the given libpcap link type (DLT_EN10MB with
 * up to two 802.1Q/802.1ad tags, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
 * DLT_NULL, DLT_LOOP).  IPv6 extension headers (hop-by-hop, routing,
 * destination options, fragment with offset 0) are walked; fragments with a
 * non-zero offset, truncated headers (TCP, UDP, ICMP), bad versions and
 * lengths are refused.  ARP is read on Ethernet and cooked links only, and
 * only for Ethernet hardware and IPv4 addresses.  Checksums are not
 * verified (captures on loopback and offloading NICs carry partial ones).
 * Returns 0 when r is filled, -1 when the frame is not an IPv4/IPv6 packet
 * or ARP message we can read. */
int pkt_parse(const uint8_t *frame, size_t caplen, int linktype, struct pkt_reply *r);

/* Describe an IP packet as nmap's --packet-trace does, e.g.
 *   ICMP [10.0.0.1 > 10.0.0.2 Echo request (type=8/code=0) id=1234 seq=0] IP [ttl=64 id=5 iplen=28 ]
 *   ICMP [10.0.0.1 > 10.0.0.2 Timestamp request (type=13/code=0) id=1 seq=0 orig=0 recv=0 trans=0] IP [...]
 *   ICMP [10.0.0.1 > 10.0.0.2 Address mask request (type=17/code=0) id=1 seq=0 mask=0.0.0.0] IP [...]
 *   TCP 10.0.0.1:40123 > 10.0.0.2:22 S ttl=52 id=1234 iplen=44  seq=1 win=1024 <mss 1460>
 *   TCP [fd77::1]:40123 > [fd77::2]:22 SA ttl=64 flow=0 iplen=64  seq=... win=... ack=... <mss 1440,...>
 *   ICMP [10.77.0.2 > 10.77.0.1 Port 53 unreachable (type=3/code=3) ] IP [ttl=64 id=0 iplen=72 ]
 *   ICMPv6 (58) fd77::2 > fd77::1 (type=1/code=4) hopl=64 flow=0 payloadlen=72
 *   UDP 10.0.0.1:40123 > 10.0.0.2:53 ttl=64 id=1 iplen=28
 *   SCTP 10.0.0.1:40123 > 10.0.0.2:80 ttl=64 id=1 iplen=52
 *   esp (50) 10.0.0.1 > 10.0.0.2: ttl=64 id=1 iplen=20
 *   Unknown protocol (253) 10.0.0.1 > 10.0.0.2: ttl=64 id=1 iplen=20
 * iplen is the length the IP header claims (IPv6: 40 + payload length),
 * flow= the IPv6 flow label in hex, as nmap prints it.  Unlike nmap's
 * default trace, " ack=N" follows win= whenever ACK is set.  Flag letters
 * in nmap's order: S F R P A U E C (SYN|FIN prints "SF").  Always
 * NUL-terminates buf when cap > 0 (truncating if needed); returns buf. */
const char *pkt_describe(const uint8_t *ip, size_t len, char *buf, size_t cap);

/* Describe an ARP payload as nmap's --packet-trace: "ARP who-has 10.0.0.2
 * tell 10.0.0.1" or "ARP reply 10.0.0.2 is-at 00:16:3E:12:34:56".  Same
 * buffer rules as pkt_describe. */
const char *pkt_describe_arp(const uint8_t *arp, size_t len, char *buf, size_t cap);

/* Describe a PKT_ND_ADVERT reply as nmap traces the answers to its neighbor
 * discovery: "neighbor advertisement fd77::2 > fd77::1 fd77::2 is at
 * fa:83:53:e8:33:9d" (without " is at ..." when it carries no target
 * link-layer address).  Same buffer rules as pkt_describe. */
const char *pkt_describe_nd_advert(const struct pkt_reply *r, char *buf, size_t cap);

#endif
