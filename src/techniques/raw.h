/* SPDX-License-Identifier: MIT */
/* The raw-packet machinery shared by the raw techniques (private to
 * techniques/): one state per scan holding the send sockets and batches,
 * the captures, the route cache, the per-scan cookie secret and the probes
 * in flight.
 *
 *   raw.c      life cycle, routes, captures and their dispatch, batches
 *   tcpraw.c   the TCP scans (-sS -sN -sF -sX -sA -sW -sM) and TCP pings
 *   rawping.c  the other discovery probes: ICMP, UDP, IP protocol, ARP, ND
 *
 * Replies are matched statelessly: what a probe carries (TCP seq/ack, ICMP
 * id/seq, the try's source port) is derived from a SipHash of the target
 * and the probe under a per-scan secret, plus the try number, so a reply
 * proves it answers our probe and says which try. */
#ifndef PORTSCOUT_RAW_H
#define PORTSCOUT_RAW_H

#include <net/if.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net/packet.h"
#include "platform/route.h"

#include "config.h"
#include "engine.h"

#define NSPORT 8          /* source ports per scan: try n goes from lo + n % 8 */
#define BATCH 256         /* packets queued per family before they are sent */
#define ROUTE_CACHE 1024  /* direct-mapped */
#define SNAPLEN 256       /* link + IPv6 + ICMPv6 + quoted IPv6 + TCP */
#define MAX_LINKS 16      /* interfaces whose link layer we know */

/* What a probe puts on the wire, which is what its replies are matched by. */
enum wire { W_TCP, W_UDP, W_ICMP_ECHO, W_ICMP_TSTAMP, W_ICMP_MASK, W_IPPROTO, W_ARP, W_ND };

struct raw_state;

struct capture {
    struct raw_state *rs;
    int ifindex;
    char ifname[IF_NAMESIZE];
    pcap_t *pc;
    int fd;
    int linktype;
};

struct route_slot {
    struct ip_addr dst;
    struct route r;
    int err; /* 0, or the lookup's -errno */
    int used;
};

/* An interface's link layer, for ARP and ND. */
struct link_info {
    int ifindex;
    bool ether;      /* an Ethernet (ARPHRD_ETHER): ARP and ND apply */
    uint8_t mac[6];
};

struct out_pkt {
    struct probe *p; /* the try it carries, stamped when it goes out */
    uint8_t buf[PKT_MAX];      /* up to a UDP payload of 1400 bytes */
    size_t len;
    struct sockaddr_storage to;
    socklen_t tolen;
};

struct raw_state {
    struct engine *eng;
    const struct scan_config *cfg;
    unsigned variant;          /* tcpraw.c's scan variant */
    uint8_t flags;             /* what TCP scan probes carry */
    uint8_t key[16];           /* cookie secret */
    uint16_t sport_lo;         /* source ports sport_lo .. sport_lo + nsport - 1 */
    uint16_t nsport;
    int reserve[4 * NSPORT];   /* TCP and UDP, IPv4 and IPv6 */
    int nreserve;
    int sock[2][2];            /* raw send sockets: [0] IPv4, [1] IPv6; two each */
    struct sender *send[2];
    int link_sock;             /* AF_PACKET, for ARP and ND; -1 until needed */
    struct link_info links[MAX_LINKS];
    int nlinks;
    struct mmsghdr *msgs;      /* flush_family's scratch */
    struct iovec *iov;
    struct capture *caps;
    size_t ncaps;
    struct probe **table;      /* in flight, by (address, port, wire) */
    size_t tmask, tcount;
    struct route_slot *routes;
    struct out_pkt *out[2];    /* queued for sendmmsg, per family */
    int nout[2];
    uint16_t ipid;
    uint8_t po_protos[32];     /* -PO's protocols, a bit each: the packet path asks */
    int warned_errno;
    usec_t clock_offset; /* monotonic minus wall clock: for capture timestamps */
    usec_t rcvd;         /* the packet being handled arrived then (monotonic) */
};

struct cookie {
    uint32_t seq, ack;
};

/* The secret-keyed numbers of a probe to a for `what` (a port, or
 * RAW_WHAT(wire) for probes without one). */
#define RAW_WHAT(w) (0x10000u | (unsigned)(w))
struct cookie raw_cookie(const struct raw_state *rs, const struct ip_addr *a, uint32_t what);

enum wire raw_wire(const struct probe *p);
void raw_table_add(struct raw_state *rs, struct probe *p);
struct probe *raw_table_find(const struct raw_state *rs, const struct ip_addr *a, uint16_t port,
                             enum wire w);

const struct route_slot *raw_route(struct raw_state *rs, const struct ip_addr *dst);
/* The capture on r's interface, opened on first use: 1 just opened, 0, or -errno. */
int raw_capture_for(struct raw_state *rs, const struct route *r);
/* The link layer of an interface (cached); NULL if it cannot be read. */
const struct link_info *raw_link(struct raw_state *rs, int ifindex, const char *ifname);

/* Queue a packet built into raw_slot()'s buffer for p's next batch. */
struct out_pkt *raw_slot(struct raw_state *rs, int v6);
void raw_commit(struct raw_state *rs, struct probe *p, struct out_pkt *o, size_t len);
void raw_flush(struct engine *eng, void *state);
/* Send a link-layer frame (ARP, ND) now, on an AF_PACKET socket. */
int raw_send_link(struct raw_state *rs, int ifindex, uint16_t ethertype, const uint8_t dst[6],
                  const void *payload, size_t len);

void raw_trace(struct raw_state *rs, const char *dir, const uint8_t *ip, size_t len,
               const char *note);
bool raw_is_our_port(const struct raw_state *rs, uint16_t port);
uint16_t raw_sport_of(const struct raw_state *rs, unsigned t);
/* Could try t be what a reply to `port` answers, with at most maxtry sent? */
bool raw_try_matches(const struct raw_state *rs, uint32_t t, unsigned maxtry, uint16_t port);
/* Which try went from source port sport (the latest such, as the ports
 * repeat every NSPORT tries), with at most maxtry sent; -1 if none did. */
int raw_try_of_sport(const struct raw_state *rs, uint16_t sport, unsigned maxtry);
/* The source port of probe p's try t: -g's, or ours. */
uint16_t raw_probe_sport(const struct raw_state *rs, unsigned t);
/* The IP layer of a probe to dst from r's source. */
struct pkt_ip_spec raw_ip_spec(struct raw_state *rs, const struct route *r,
                               const struct ip_addr *dst);

/* The technique hooks every raw technique shares (raw.c). */
int raw_init(struct engine *eng, void **state);
void raw_fini(void *state);
int raw_send(struct engine *eng, void *state, struct probe *p);
void raw_release(struct engine *eng, void *state, struct probe *p);

/* Try t of p got reply r (t < 0: it echoes nothing of ours, counted as
 * stray): traced, its MAC noted, and the verdict st/why handed to the
 * engine.  Always 1 (the packet was for us). */
int raw_answer(struct raw_state *rs, struct probe *p, int t, enum port_state st,
               enum reason why, const struct pkt_reply *r);

/* A discovery answer from a host on an attached Ethernet (--send-ip, or
 * -PS... with --disable-arp-ping) still tells its MAC address, as in nmap. */
void raw_note_mac(struct raw_state *rs, struct probe *p, const struct pkt_reply *r);

/* A raw technique: they differ in protocol, naming, silence and variant. */
#define RAW_TECHNIQUE(ident, opt, nm, scan, prot, nores, v)                                 \
    const struct technique ident = {                                                        \
        .name = nm,                                                                         \
        .option = opt,                                                                      \
        .scan_name = scan,                                                                  \
        .proto = prot,                                                                      \
        .privileged = true,                                                                 \
        .noresponse_state = nores,                                                          \
        .init = raw_init,                                                                   \
        .fini = raw_fini,                                                                   \
        .send = raw_send,                                                                   \
        .release = raw_release,                                                             \
        .flush = raw_flush,                                                                 \
        .on_link = raw_on_link,                                                             \
        .variant = v,                                                                       \
    }

/* tcpraw.c */
uint8_t tcp_variant_flags(unsigned variant);
int tcp_send(struct raw_state *rs, struct probe *p, const struct route *r);
void tcp_handle(struct raw_state *rs, const struct pkt_reply *r);
void tcp_handle_icmp(struct raw_state *rs, const struct pkt_reply *r);

/* rawudp.c: UDP probes of -sU and -PU */
int udp_send(struct raw_state *rs, struct probe *p, const struct route *r);
int udp_handle(struct raw_state *rs, const struct pkt_reply *r);
int udp_handle_icmp(struct raw_state *rs, const struct pkt_reply *r);

/* rawping.c */
int ping_send(struct raw_state *rs, struct probe *p, const struct route *r);
/* A reply to a discovery probe other than a TCP ping: 1 if it was one. */
int ping_handle(struct raw_state *rs, const struct pkt_reply *r);
/* The capture filter's terms for the discovery probes of this scan
 * (appended to expr, each starting with " or "). */
void ping_filter(const struct raw_state *rs, int linktype, char *expr, size_t cap);
bool raw_on_link(struct engine *eng, void *state, const struct ip_addr *a);

#endif
