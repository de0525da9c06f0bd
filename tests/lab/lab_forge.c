/*
 * lab_forge -- forged and stand-in TCP replies for the network lab's raw-scan
 * test (tests/lab/test_raw.sh).  Runs inside the lab's target namespace and
 * only ever sends from the target address ADDR to the peers whose probes it
 * saw (or to the one peer named with -p); nothing leaves the namespaces.
 *
 *   lab_forge [-i IFACE] [-r LO-HI] [-f LO-HI] [-d MS] [-q] [-F sa|ra] [-b PORT -p PEER] [-s] ADDR
 *
 *   -r LO-HI  "late closed" ports: for every SYN probe to ADDR:LO-HI, send at
 *             once a SYN/ACK and a RST/ACK whose acknowledgement numbers are
 *             wrong (never probe seq or seq+1), then, MS milliseconds later,
 *             the genuine RST/ACK (ack = seq+1) the kernel would have sent.
 *             The kernel's own answer must be silenced by the caller
 *             (iptables -j DROP on those ports): the forged replies then
 *             always arrive while the probe is outstanding, and a scanner
 *             that does not check acknowledgement numbers reports "open".
 *   -f LO-HI  "filtered" ports: the same forged SYN/ACK and RST/ACK, never a
 *             genuine answer (a scanner that checks acks reports no-response).
 *   -d MS     delay of the genuine RST (default 3).
 *   -q        no forged pair for the -r ports: only the late genuine RST (a
 *             control: a slow but honest closed port).
 *   -F KIND   forge only KIND: "sa" (the SYN/ACK) or "ra" (the RST/ACK);
 *             default both.
 *   -b PORT   blind flood besides: every millisecond, a forged SYN/ACK and a
 *             forged RST/ACK (random seq/ack) from ADDR:<random port of the
 *             -r and -f ranges> to PEER:PORT, for as long as lab_forge runs.
 *   -p PEER   the peer address for -b.
 *   -s        SYN-proxy stand-in: answer every SYN to ADDR (any port) with a
 *             correct SYN/ACK (ack = seq+1, MSS 1460), as a SYN proxy or a
 *             tarpit does; the caller silences the kernel (DROP to ADDR).
 *   -i IFACE  interface to watch for probes (default veth0).
 *
 * ADDR is an IPv4 or IPv6 address (one family per process).  Prints "ready"
 * once its sockets are open; on SIGTERM/SIGINT prints one line of counters
 * ("probes N forged N genuine N blind N synack N") and exits 0.
 *
 * Probes are read with an AF_PACKET socket, which sees them before netfilter,
 * so the caller's DROP rules silence the kernel without hiding the probes.
 * Replies go out through a raw IPPROTO_TCP socket bound to ADDR: the kernel
 * writes the IP header (TTL / hop limit 64, as the lab's TCP stack), we write
 * the TCP header and its checksum.
 *
 * Self-contained C11 + POSIX/Linux; no dependencies beyond libc.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define MAX_PENDING 65536

static volatile sig_atomic_t g_stop;
static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static _Noreturn void usage(void)
{
    fprintf(stderr, "usage: lab_forge [-i IFACE] [-r LO-HI] [-f LO-HI] [-d MS] [-q] [-F sa|ra] "
                    "[-b PORT -p PEER] [-s] ADDR\n");
    exit(2);
}

static _Noreturn void die(const char *what)
{
    fprintf(stderr, "lab_forge: %s: %s\n", what, strerror(errno));
    exit(1);
}

struct range {
    unsigned lo, hi; /* hi < lo: empty */
};

static int parse_range(const char *s, struct range *r)
{
    char *end;
    unsigned long lo = strtoul(s, &end, 10), hi = lo;
    if (*end == '-')
        hi = strtoul(end + 1, &end, 10);
    if (*end != '\0' || lo == 0 || hi > 65535 || hi < lo)
        return -1;
    r->lo = (unsigned)lo;
    r->hi = (unsigned)hi;
    return 0;
}

static int in_range(const struct range *r, unsigned port)
{
    return r->lo <= r->hi && port >= r->lo && port <= r->hi;
}

/* An address of either family, as raw bytes. */
struct addr {
    int family;
    unsigned char b[16];
};

static int parse_addr(const char *s, struct addr *a)
{
    if (inet_pton(AF_INET, s, a->b) == 1) {
        a->family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, s, a->b) == 1) {
        a->family = AF_INET6;
        return 0;
    }
    return -1;
}

static size_t addr_len(int family)
{
    return family == AF_INET ? 4 : 16;
}

/* xorshift64*: good enough for wrong acknowledgement numbers. */
static uint64_t g_rng;
static uint32_t rnd32(void)
{
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return (uint32_t)((g_rng * 2685821657736338717ULL) >> 32);
}

static uint32_t sum16(const unsigned char *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    return sum;
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int g_raw = -1;
static struct addr g_self;

/* Sends one TCP segment from g_self:sport to dst:dport. */
static void send_tcp(const struct addr *dst, unsigned sport, unsigned dport, uint32_t seq,
                     uint32_t ack, unsigned flags, unsigned window, int mss_option)
{
    unsigned char seg[24];
    size_t len = mss_option ? 24 : 20;
    memset(seg, 0, sizeof seg);
    put16(seg, sport);
    put16(seg + 2, dport);
    put32(seg + 4, seq);
    put32(seg + 8, ack);
    seg[12] = (unsigned char)((len / 4) << 4);
    seg[13] = (unsigned char)flags;
    put16(seg + 14, window);
    if (mss_option) {
        seg[20] = 2;
        seg[21] = 4;
        put16(seg + 22, 1460);
    }
    /* Checksum over the pseudo-header and the segment. */
    size_t al = addr_len(dst->family);
    uint32_t sum = sum16(g_self.b, al, 0);
    sum = sum16(dst->b, al, sum);
    sum += IPPROTO_TCP + (uint32_t)len;
    sum = sum16(seg, len, sum);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put16(seg + 16, ~sum & 0xffff);

    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    if (dst->family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        memcpy(&sin->sin_addr, dst->b, 4);
        sl = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        memcpy(&sin6->sin6_addr, dst->b, 16);
        sl = sizeof *sin6;
    }
    /* A full send buffer only loses a packet: the caller's counters and
     * the scan's results tell. */
    (void)sendto(g_raw, seg, len, 0, (struct sockaddr *)&ss, sl);
}

/* A wrong acknowledgement number for a probe with sequence number seq:
 * never seq+1 (a genuine answer to a SYN) nor seq. */
static uint32_t wrong_ack(uint32_t seq)
{
    return seq + 2 + (rnd32() & 0x7fffffffu);
}

struct pending {
    double due;
    struct addr dst;
    unsigned sport, dport;
    uint32_t ack;
};
static struct pending g_pending[MAX_PENDING];
static size_t g_head, g_count; /* FIFO: every entry has the same delay */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    const char *iface = "veth0";
    struct range late = {1, 0}, filt = {1, 0};
    double delay = 3;
    unsigned blind_port = 0;
    struct addr peer = {0, {0}};
    int synack = 0, quiet = 0, forge_sa = 1, forge_ra = 1, opt;
    unsigned long probes = 0, forged = 0, genuine = 0, blind = 0, synacks = 0;

    while ((opt = getopt(argc, argv, "i:r:f:d:qF:b:p:s")) != -1) {
        switch (opt) {
        case 'i': iface = optarg; break;
        case 'r': if (parse_range(optarg, &late) != 0) usage(); break;
        case 'f': if (parse_range(optarg, &filt) != 0) usage(); break;
        case 'd': delay = atof(optarg); break;
        case 'b': blind_port = (unsigned)atoi(optarg); break;
        case 'p': if (parse_addr(optarg, &peer) != 0) usage(); break;
        case 's': synack = 1; break;
        case 'q': quiet = 1; break;
        case 'F':
            if (strcmp(optarg, "sa") == 0) forge_ra = 0;
            else if (strcmp(optarg, "ra") == 0) forge_sa = 0;
            else usage();
            break;
        default: usage();
        }
    }
    if (optind != argc - 1 || parse_addr(argv[optind], &g_self) != 0)
        usage();
    if (blind_port != 0 && (peer.family != g_self.family || blind_port > 65535))
        usage();
    g_rng = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ULL;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    /* Sender: raw TCP socket bound to ADDR; never read, so keep its receive
     * buffer (which gets a copy of every incoming TCP segment) minimal. */
    g_raw = socket(g_self.family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
    if (g_raw < 0)
        die("raw socket");
    int small = 1;
    (void)setsockopt(g_raw, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    (void)shutdown(g_raw, SHUT_RD);
    struct sockaddr_storage bind_ss;
    memset(&bind_ss, 0, sizeof bind_ss);
    if (g_self.family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&bind_ss;
        sin->sin_family = AF_INET;
        memcpy(&sin->sin_addr, g_self.b, 4);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&bind_ss;
        sin6->sin6_family = AF_INET6;
        memcpy(&sin6->sin6_addr, g_self.b, 16);
    }
    if (bind(g_raw, (struct sockaddr *)&bind_ss,
             g_self.family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) != 0)
        die("bind raw socket");

    /* Sniffer: every IP packet the interface receives, before netfilter. */
    int sn = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
    if (sn < 0)
        die("packet socket");
    struct sockaddr_ll ll;
    memset(&ll, 0, sizeof ll);
    ll.sll_family = AF_PACKET;
    ll.sll_protocol = htons(ETH_P_ALL);
    ll.sll_ifindex = (int)if_nametoindex(iface);
    if (ll.sll_ifindex == 0)
        die(iface);
    if (bind(sn, (struct sockaddr *)&ll, sizeof ll) != 0)
        die("bind packet socket");

    printf("ready\n");
    fflush(stdout);

    double next_blind = now_ms();
    while (!g_stop) {
        double t = now_ms();
        /* Genuine late answers that are due. */
        while (g_count > 0 && g_pending[g_head].due <= t) {
            struct pending *p = &g_pending[g_head];
            send_tcp(&p->dst, p->sport, p->dport, 0, p->ack, TH_RST | TH_ACK, 0, 0);
            genuine++;
            g_head = (g_head + 1) % MAX_PENDING;
            g_count--;
        }
        if (blind_port != 0 && t >= next_blind) {
            struct range *r = late.lo <= late.hi ? &late : &filt;
            if (r->lo <= r->hi) {
                unsigned sport = r->lo + rnd32() % (r->hi - r->lo + 1);
                send_tcp(&peer, sport, blind_port, rnd32(), rnd32(), TH_SYN | TH_ACK, 64240, 1);
                send_tcp(&peer, sport, blind_port, 0, rnd32(), TH_RST | TH_ACK, 0, 0);
                blind += 2;
            }
            next_blind = t + 1;
        }
        int timeout = 1;
        if (g_count > 0 && g_pending[g_head].due - t < 1)
            timeout = 0;
        struct pollfd pfd = {.fd = sn, .events = POLLIN};
        if (poll(&pfd, 1, timeout) < 0) {
            if (errno == EINTR)
                continue;
            die("poll");
        }
        for (;;) {
            unsigned char pkt[2048];
            struct sockaddr_ll from;
            socklen_t fl = sizeof from;
            ssize_t n = recvfrom(sn, pkt, sizeof pkt, 0, (struct sockaddr *)&from, &fl);
            if (n < 0)
                break;
            if (from.sll_pkttype == PACKET_OUTGOING)
                continue;
            struct addr src;
            const unsigned char *tcp;
            size_t left;
            if (g_self.family == AF_INET && ntohs(from.sll_protocol) == ETH_P_IP) {
                size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
                if (n < 20 || (pkt[0] >> 4) != 4 || pkt[9] != IPPROTO_TCP || (size_t)n < ihl + 20)
                    continue;
                if ((pkt[6] & 0x1f) != 0 || pkt[7] != 0) /* fragment */
                    continue;
                if (memcmp(pkt + 16, g_self.b, 4) != 0)
                    continue;
                src.family = AF_INET;
                memcpy(src.b, pkt + 12, 4);
                tcp = pkt + ihl;
                left = (size_t)n - ihl;
            } else if (g_self.family == AF_INET6 && ntohs(from.sll_protocol) == ETH_P_IPV6) {
                /* Probes carry no extension headers. */
                if (n < 60 || (pkt[0] >> 4) != 6 || pkt[6] != IPPROTO_TCP)
                    continue;
                if (memcmp(pkt + 24, g_self.b, 16) != 0)
                    continue;
                src.family = AF_INET6;
                memcpy(src.b, pkt + 8, 16);
                tcp = pkt + 40;
                left = (size_t)n - 40;
            } else {
                continue;
            }
            unsigned sport = (unsigned)(tcp[0] << 8 | tcp[1]);
            unsigned dport = (unsigned)(tcp[2] << 8 | tcp[3]);
            uint32_t seq = get32(tcp + 4);
            unsigned flags = tcp[13];
            size_t doff = (size_t)(tcp[12] >> 4) * 4;
            if (doff < 20 || doff > left)
                continue;
            if ((flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) != TH_SYN)
                continue;
            uint32_t payload = (uint32_t)(left - doff);
            if (synack) {
                send_tcp(&src, dport, sport, rnd32(), seq + 1 + payload, TH_SYN | TH_ACK, 64240, 1);
                synacks++;
                continue;
            }
            int is_late = in_range(&late, dport), is_filt = in_range(&filt, dport);
            if (!is_late && !is_filt)
                continue;
            probes++;
            if (!(quiet && is_late)) {
                if (forge_sa) {
                    send_tcp(&src, dport, sport, rnd32(), wrong_ack(seq), TH_SYN | TH_ACK, 64240, 1);
                    forged++;
                }
                if (forge_ra) {
                    send_tcp(&src, dport, sport, 0, wrong_ack(seq), TH_RST | TH_ACK, 0, 0);
                    forged++;
                }
            }
            if (is_late && g_count < MAX_PENDING) {
                struct pending *p = &g_pending[(g_head + g_count) % MAX_PENDING];
                p->due = now_ms() + delay;
                p->dst = src;
                p->sport = dport;
                p->dport = sport;
                p->ack = seq + 1 + payload;
                g_count++;
            }
        }
    }
    printf("probes %lu forged %lu genuine %lu blind %lu synack %lu\n", probes, forged, genuine,
           blind, synacks);
    return 0;
}
