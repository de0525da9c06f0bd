/* SPDX-License-Identifier: MIT */
/* The raw TCP scans: SYN (-sS), NULL (-sN), FIN (-sF), Xmas (-sX), ACK (-sA),
 * Window (-sW), Maimon (-sM) and --scanflags.  One module: they differ only
 * in the flags they send and in what a reply means.
 *
 * Packets out: whole IPv4/IPv6 packets built by net/packet.c, written to a
 * raw IPPROTO_RAW socket per family (the kernel routes them and resolves
 * the next hop), a batch at a time with sendmmsg.
 *
 * Packets in: libpcap on every interface a route leads through, with a BPF
 * filter that keeps only TCP to our source ports and ICMP errors.  Replies
 * are matched statelessly: a probe's sequence number (and acknowledgement
 * number, when it carries ACK) is a SipHash of the target address and port
 * under a per-scan secret, plus the try number.  A reply must echo it
 * (ack = seq + length, or a reset's seq = our ack, or the seq quoted in an
 * ICMP error), which proves it answers our probe and says which try it
 * answers, so that late answers give no false RTT samples.
 *
 * Half-open: the kernel owns no connection for our source ports, so it
 * answers a SYN/ACK with a RST itself.  We keep sockets bound to those ports
 * (never listening) so the kernel does not hand them to another connection
 * during the scan; bound-only sockets receive nothing, so the RST still
 * goes out. */
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/siphash.h"
#include "lib/xalloc.h"
#include "net/packet.h"
#include "net/sender.h"
#include "platform/route.h"

#include "config.h"
#include "engine.h"
#include "technique.h"

enum variant { V_SYN, V_NULL, V_FIN, V_XMAS, V_ACK, V_WINDOW, V_MAIMON };

static const uint8_t variant_flags[] = {
    [V_SYN] = TH_SYN_,
    [V_NULL] = 0,
    [V_FIN] = TH_FIN_,
    [V_XMAS] = TH_FIN_ | TH_PSH_ | TH_URG_,
    [V_ACK] = TH_ACK_,
    [V_WINDOW] = TH_ACK_,
    [V_MAIMON] = TH_FIN_ | TH_ACK_,
};

#define NSPORT 8          /* source ports per scan: try n goes from lo + n % 8 */
#define BATCH 256         /* packets queued per family before they are sent */
#define ROUTE_CACHE 1024  /* direct-mapped */
#define SNAPLEN 256       /* link + IPv6 + ICMPv6 + quoted IPv6 + TCP */

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

struct out_pkt {
    struct probe *p; /* the try it carries, stamped when it goes out */
    uint8_t buf[128];
    size_t len;
    struct sockaddr_storage to;
    socklen_t tolen;
};

struct raw_state {
    struct engine *eng;
    const struct scan_config *cfg;
    enum variant variant;
    uint8_t flags;             /* what scan probes carry */
    uint8_t key[16];           /* cookie secret */
    uint16_t sport_lo;         /* source ports sport_lo .. sport_lo + nsport - 1 */
    uint16_t nsport;
    int reserve[2 * NSPORT];
    int nreserve;
    int sock[2][2];            /* raw send sockets: [0] IPv4, [1] IPv6; two each */
    struct sender *send[2];
    struct mmsghdr *msgs;      /* flush_family's scratch */
    struct iovec *iov;
    struct capture *caps;
    size_t ncaps;
    struct probe **table;      /* in flight, by (address, port) */
    size_t tmask, tcount;
    struct route_slot *routes;
    struct out_pkt *out[2];    /* queued for sendmmsg, per family */
    int nout[2];
    uint16_t ipid;
    int warned_errno;
    usec_t clock_offset; /* monotonic minus wall clock: for capture timestamps */
    usec_t rcvd;         /* the packet being handled arrived then (monotonic) */
};

/* ---- cookies ------------------------------------------------------------ */

struct cookie {
    uint32_t seq, ack;
};

static struct cookie cookie_of(const struct raw_state *rs, const struct ip_addr *a, uint16_t port)
{
    uint8_t m[19];
    size_t n;
    m[0] = (uint8_t)a->family;
    if (a->family == AF_INET) {
        memcpy(m + 1, &a->u.v4, 4);
        n = 5;
    } else {
        memcpy(m + 1, &a->u.v6, 16);
        n = 17;
    }
    m[n++] = (uint8_t)(port >> 8);
    m[n++] = (uint8_t)port;
    uint64_t h = siphash24(rs->key, m, n);
    return (struct cookie){(uint32_t)h, (uint32_t)(h >> 32)};
}

/* Sequence space a segment with these flags occupies (SYN and FIN count). */
static uint32_t seg_len(uint8_t flags)
{
    return !!(flags & TH_SYN_) + !!(flags & TH_FIN_);
}

/* ---- probes in flight, by (address, port) ------------------------------ */

static size_t key_hash(const struct ip_addr *a, uint16_t port)
{
    uint64_t h = port * 0x9e3779b97f4a7c15ULL;
    if (a->family == AF_INET) {
        uint32_t v;
        memcpy(&v, &a->u.v4, 4);
        h ^= v;
    } else {
        uint32_t w[4];
        memcpy(w, &a->u.v6, 16);
        h ^= (uint64_t)(w[0] ^ w[2]) << 32 | (w[1] ^ w[3]);
    }
    h *= 0xff51afd7ed558ccdULL;
    return (size_t)(h ^ (h >> 33));
}

static void table_grow(struct raw_state *rs)
{
    size_t nsize = rs->table ? 2 * (rs->tmask + 1) : 1024;
    struct probe **nt = xcalloc(nsize, sizeof *nt);
    for (size_t i = 0; rs->table && i <= rs->tmask; i++) {
        struct probe *p = rs->table[i];
        while (p) {
            struct probe *next = p->tnext;
            size_t b = key_hash(p->addr, p->port) & (nsize - 1);
            p->tnext = nt[b];
            nt[b] = p;
            p = next;
        }
    }
    free(rs->table);
    rs->table = nt;
    rs->tmask = nsize - 1;
}

static void table_add(struct raw_state *rs, struct probe *p)
{
    if (!rs->table || rs->tcount >= rs->tmask + 1)
        table_grow(rs);
    size_t b = key_hash(p->addr, p->port) & rs->tmask;
    p->tnext = rs->table[b];
    rs->table[b] = p;
    rs->tcount++;
}

static void table_del(struct raw_state *rs, struct probe *p)
{
    struct probe **pp = &rs->table[key_hash(p->addr, p->port) & rs->tmask];
    while (*pp && *pp != p)
        pp = &(*pp)->tnext;
    if (*pp) {
        *pp = p->tnext;
        rs->tcount--;
    }
}

static struct probe *table_find(const struct raw_state *rs, const struct ip_addr *a, uint16_t port)
{
    if (!rs->table)
        return NULL;
    for (struct probe *p = rs->table[key_hash(a, port) & rs->tmask]; p; p = p->tnext)
        if (p->port == port && ip_addr_equal(p->addr, a))
            return p;
    return NULL;
}

/* ---- routes and captures -------------------------------------------------- */

static const struct route_slot *route_for(struct raw_state *rs, const struct ip_addr *dst)
{
    struct route_slot *s = &rs->routes[key_hash(dst, 0) % ROUTE_CACHE];
    if (s->used && ip_addr_equal(&s->dst, dst))
        return s;
    char err[256];
    s->used = 1;
    s->dst = *dst;
    const struct ip_addr *src = rs->cfg->source.family ? &rs->cfg->source : NULL;
    s->err = route_lookup(dst, rs->cfg->iface, src, &s->r, err, sizeof err);
    if (s->err && s->err != -ENETUNREACH && s->err != -EHOSTUNREACH)
        engine_warn(rs->eng, "%s", err);
    return s;
}

static void on_capture(struct ev_loop *loop, int fd, unsigned events, void *arg);
static void raw_flush(struct engine *eng);

static int capture_filter(struct raw_state *rs, struct capture *c)
{
    char ports[64], expr[512];
    if (rs->nsport == 1)
        snprintf(ports, sizeof ports, "dst port %u", rs->sport_lo);
    else
        snprintf(ports, sizeof ports, "dst portrange %u-%u", rs->sport_lo,
                 rs->sport_lo + rs->nsport - 1);
    /* BPF cannot walk IPv6 extension headers: packets that start with
     * one (hop-by-hop 0, routing 43, fragment 44, destination options
     * 60) all come up, and pkt_parse walks them; they are rare. */
    snprintf(expr, sizeof expr,
             "(tcp and %s) or (icmp and (icmp[0] == 3 or icmp[0] == 11))"
             " or (icmp6 and (ip6[40] == 1 or ip6[40] == 3))"
             " or (ip6 and (ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 44 or ip6[6] == 60))",
             ports);
    struct bpf_program prog;
    if (pcap_compile(c->pc, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
        pcap_setfilter(c->pc, &prog) != 0) {
        engine_warn(rs->eng, "cannot set the capture filter on %s: %s", c->ifname,
                    pcap_geterr(c->pc));
        pcap_freecode(&prog);
        return -EINVAL;
    }
    pcap_freecode(&prog);
    return 0;
}

/* The capture on the interface of route r, opened on first use: 1 when it
 * was just opened, 0 when it was open, or -errno. */
static int capture_for(struct raw_state *rs, const struct route *r)
{
    for (size_t i = 0; i < rs->ncaps; i++)
        if (rs->caps[i].ifindex == r->ifindex)
            return 0;
    raw_flush(rs->eng); /* what is queued goes out before the pause */
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_create(r->ifname, errbuf);
    if (!pc) {
        engine_warn(rs->eng, "cannot capture on %s: %s", r->ifname, errbuf);
        return -EIO;
    }
    pcap_set_snaplen(pc, SNAPLEN);
    pcap_set_promisc(pc, 0);
    /* Not immediate mode: a wake-up per packet costs more kernel time than
     * the whole reply (-p- of an all-closed host: 0.31 s -> 0.28 s).  The
     * kernel hands us what it has every millisecond, and RTTs are timed by
     * the capture's own timestamps, so the wait costs no accuracy. */
    pcap_set_immediate_mode(pc, 0);
    pcap_set_timeout(pc, 1);
    pcap_set_buffer_size(pc, 8 << 20);
    int st = pcap_activate(pc);
    if (st < 0) {
        engine_warn(rs->eng, "cannot capture on %s: %s", r->ifname,
                    st == PCAP_ERROR ? pcap_geterr(pc) : pcap_statustostr(st));
        pcap_close(pc);
        return st == PCAP_ERROR_PERM_DENIED ? -EPERM : -EIO;
    }
    /* Our own packets leaving a real interface are of no interest (on
     * loopback every packet is seen once, as incoming). */
    if (!r->loopback)
        pcap_setdirection(pc, PCAP_D_IN);
    if (pcap_setnonblock(pc, 1, errbuf) != 0) {
        engine_warn(rs->eng, "cannot capture on %s: %s", r->ifname, errbuf);
        pcap_close(pc);
        return -EIO;
    }
    rs->caps = xreallocarray(rs->caps, rs->ncaps + 1, sizeof *rs->caps);
    struct capture *c = &rs->caps[rs->ncaps];
    *c = (struct capture){.rs = rs, .ifindex = r->ifindex, .pc = pc,
                          .fd = pcap_get_selectable_fd(pc), .linktype = pcap_datalink(pc)};
    snprintf(c->ifname, sizeof c->ifname, "%s", r->ifname);
    if (c->fd < 0 || capture_filter(rs, c) != 0) {
        pcap_close(pc);
        return -EIO;
    }
    rs->ncaps++;
    /* The array may move: reattach every capture's callback. */
    for (size_t i = 0; i < rs->ncaps; i++) {
        struct capture *ci = &rs->caps[i];
        int e = i + 1 == rs->ncaps
                    ? ev_add(engine_loop(rs->eng), ci->fd, EV_READ, on_capture, ci)
                    : ev_mod(engine_loop(rs->eng), ci->fd, EV_READ, on_capture, ci);
        if (e != 0)
            return e;
    }
    return 1;
}

/* ---- replies ------------------------------------------------------------- */

static void trace(struct raw_state *rs, const char *dir, const uint8_t *ip, size_t len,
                  const char *note)
{
    char line[512];
    pkt_describe(ip, len, line, sizeof line);
    printf("%s (%.4fs) %s%s\n", dir, engine_elapsed(rs->eng), line, note ? note : "");
}

static int is_our_port(const struct raw_state *rs, uint16_t port)
{
    return port >= rs->sport_lo && port - rs->sport_lo < rs->nsport;
}

/* The source port try t goes from. */
static uint16_t sport_of(const struct raw_state *rs, unsigned t)
{
    return (uint16_t)(rs->sport_lo + t % rs->nsport);
}

/* The flags probe p was sent with: discovery probes are an ACK to port 80
 * and a SYN to 443, as nmap's default TCP pings. */
static uint8_t probe_flags(const struct raw_state *rs, const struct probe *p)
{
    if (p->ping)
        return p->port == 80 ? TH_ACK_ : TH_SYN_;
    return rs->flags;
}

/* What a TCP reply says about a port under this scan's rules; 0 if it says
 * nothing (e.g. a SYN/ACK to a FIN scan). */
static int tcp_verdict(const struct raw_state *rs, const struct probe *p, const struct pkt_reply *r,
                       enum port_state *st, enum reason *why)
{
    uint8_t f = r->flags;
    /* discovery probes read as a SYN scan's: any reset or SYN/ACK is "up" */
    switch (p->ping ? V_SYN : rs->variant) {
    case V_SYN:
        if (f & TH_RST_)
            *st = PORT_CLOSED, *why = REASON_RESET;
        else if ((f & (TH_SYN_ | TH_ACK_)) == (TH_SYN_ | TH_ACK_))
            *st = PORT_OPEN, *why = REASON_SYN_ACK;
        else if ((f & TH_SYN_) && !p->ping)
            *st = PORT_OPEN, *why = REASON_SPLIT_HANDSHAKE_SYN;
        else
            return 0;
        return 1;
    case V_ACK:
        if (!(f & TH_RST_))
            return 0;
        *st = PORT_UNFILTERED, *why = REASON_RESET;
        return 1;
    case V_WINDOW:
        if (!(f & TH_RST_))
            return 0;
        *st = r->win ? PORT_OPEN : PORT_CLOSED, *why = REASON_RESET;
        return 1;
    default: /* NULL, FIN, Xmas, Maimon */
        if (!(f & TH_RST_))
            return 0;
        *st = PORT_CLOSED, *why = REASON_RESET;
        return 1;
    }
}

/* Could try t be what a reply to port answers, with at most maxtry sent?
 * It must be one we sent, and reach the source port that try went from. */
static int try_matches(const struct raw_state *rs, uint32_t t, unsigned maxtry, uint16_t port)
{
    return t <= maxtry && (rs->cfg->source_port >= 0 || port == sport_of(rs, t));
}

/* Which try of p a TCP reply answers, from the numbers it echoes; -1 when
 * it echoes none of ours (stray, stale or forged). */
static int tcp_answered_try(const struct raw_state *rs, const struct probe *p,
                            const struct pkt_reply *r)
{
    struct cookie c = cookie_of(rs, p->addr, p->port);
    uint8_t sent = probe_flags(rs, p);
    uint32_t t;
    if (r->flags & TH_ACK_)
        t = r->ack - c.seq - seg_len(sent);
    else if ((r->flags & TH_RST_) && (sent & TH_ACK_))
        t = r->seq - c.ack; /* a reset to a segment with ACK: seq = our ack */
    else if ((r->flags & TH_SYN_) && (sent & TH_SYN_))
        t = p->tryno;       /* simultaneous open: nothing to check but ports */
    else
        return -1;
    return try_matches(rs, t, p->tryno, r->dport) ? (int)t : -1;
}

/* Is this one of our own probes, seen on loopback as it goes out? */
static int is_own_probe(const struct raw_state *rs, const struct pkt_reply *r)
{
    if (!is_our_port(rs, r->sport))
        return 0;
    struct cookie c = cookie_of(rs, &r->dst, r->dport);
    return r->seq - c.seq < 256u;
}

static void handle_tcp(struct raw_state *rs, const struct pkt_reply *r)
{
    struct engine *eng = rs->eng;
    if (!is_our_port(rs, r->dport) || is_own_probe(rs, r))
        return;
    struct probe *p = table_find(rs, &r->src, r->sport);
    /* No try in flight: perhaps an answer that came after its try timed
     * out.  It is checked against the scan's own flags and any try number
     * (the engine knows which were sent). */
    struct probe late = {.addr = &r->src, .port = r->sport, .proto = PROTO_TCP, .tryno = 255};
    const struct probe *q = p && p->proto == PROTO_TCP ? p : &late;
    int t = tcp_answered_try(rs, q, r);
    enum port_state st;
    enum reason why;
    if (t < 0 || !tcp_verdict(rs, q, r, &st, &why) ||
        (q == &late && (r->flags & (TH_SYN_ | TH_ACK_)) == TH_SYN_) ||
        (q == &late && !engine_late_reply(eng, &r->src, PROTO_TCP, r->sport, st, why, r->ttl,
                                          (unsigned)t))) {
        engine_note_rejected(eng);
        if (rs->cfg->packet_trace && rs->cfg->debug)
            trace(rs, "RCVD", r->ip, r->iplen, " (not an answer to a probe we sent)");
        return;
    }
    if (rs->cfg->packet_trace)
        trace(rs, "RCVD", r->ip, r->iplen, q == &late ? " (late)" : NULL);
    if (q == p) {
        p->rcvd = rs->rcvd;
        engine_probe_reply(eng, p, st, why, r->ttl, (unsigned)t);
    }
}

static void handle_icmp(struct raw_state *rs, const struct pkt_reply *r)
{
    struct engine *eng = rs->eng;
    int v6 = r->src.family == AF_INET6;
    /* "fragmentation needed" is path MTU news, not a verdict */
    if (!v6 && r->icmp_type == 3 && r->icmp_code == 4)
        return;
    if (r->orig.proto != IPPROTO_TCP || !r->orig.has_seq || !is_our_port(rs, r->orig.sport))
        return;
    struct probe *p = table_find(rs, &r->orig.dst, r->orig.dport);
    if (p && p->proto != PROTO_TCP)
        p = NULL;
    struct cookie c = cookie_of(rs, &r->orig.dst, r->orig.dport);
    uint32_t t = r->orig.seq - c.seq;
    unsigned maxtry = p ? p->tryno : 255; /* no try in flight: perhaps late */
    enum reason why = reason_from_icmp(v6, r->icmp_type, r->icmp_code);
    if (!try_matches(rs, t, maxtry, r->orig.sport) ||
        (!p && !engine_late_reply(eng, &r->orig.dst, PROTO_TCP, r->orig.dport, PORT_FILTERED,
                                  why, r->ttl, t))) {
        engine_note_rejected(eng);
        return;
    }
    if (rs->cfg->packet_trace)
        trace(rs, "RCVD", r->ip, r->iplen, p ? NULL : " (late)");
    if (p) {
        p->rcvd = rs->rcvd;
        engine_probe_reply(eng, p, PORT_FILTERED, why, r->ttl, t);
    }
}

static void on_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct capture *c = (struct capture *)arg;
    struct raw_state *rs = c->rs;
    struct pkt_reply r;
    engine_note_captured(rs->eng, h->len);
    rs->rcvd = (usec_t)h->ts.tv_sec * USEC_PER_SEC + h->ts.tv_usec + rs->clock_offset;
    if (pkt_parse(bytes, h->caplen, c->linktype, &r) != 0)
        return;
    if (r.kind == PKT_TCP)
        handle_tcp(rs, &r);
    else if (r.kind == PKT_ICMP_ERROR)
        handle_icmp(rs, &r);
}

static void on_capture(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
    struct capture *c = arg;
    (void)loop, (void)fd, (void)events;
    /* Read everything there is: answers never wait behind our sending. */
    for (int rounds = 0; rounds < 64; rounds++) {
        int n = pcap_dispatch(c->pc, 256, on_packet, (u_char *)c);
        if (n <= 0)
            break;
    }
}

/* ---- sending --------------------------------------------------------------- */

static int raw_socket(const struct raw_state *rs, int v6)
{
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (fd < 0)
        return -errno;
    int buf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    if (rs->cfg->iface &&
        setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, rs->cfg->iface,
                   (socklen_t)strlen(rs->cfg->iface) + 1) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* The family's two send sockets (ours and the sender thread's). */
static int open_sockets(struct raw_state *rs, int v6)
{
    if (rs->send[v6])
        return 0;
    int fd = raw_socket(rs, v6);
    if (fd < 0)
        return fd;
    int fd2 = raw_socket(rs, v6);
    rs->send[v6] = sender_new(fd, fd2 >= 0 ? fd2 : -1);
    if (!rs->send[v6]) {
        close(fd);
        if (fd2 >= 0)
            close(fd2);
        return -ENOMEM;
    }
    rs->sock[v6][0] = fd;
    rs->sock[v6][1] = fd2;
    return 0;
}

static void flush_family(struct raw_state *rs, int v6)
{
    int n = rs->nout[v6];
    struct mmsghdr *msgs = rs->msgs;
    struct iovec *iov = rs->iov;
    usec_t now = now_usec();
    for (int i = 0; i < n; i++) {
        struct out_pkt *o = &rs->out[v6][i];
        if (o->p) {
            /* the try leaves now, not when it was queued: honest RTTs */
            o->p->sent = now;
            o->p->fd = -1;
            o->p = NULL;
        }
        iov[i] = (struct iovec){o->buf, o->len};
        msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &o->to, .msg_namelen = o->tolen,
                                               .msg_iov = &iov[i], .msg_iovlen = 1}};
    }
    int err = 0;
    /* A packet the kernel refused (a local firewall, no buffer...) times
     * out and is retried like a lost one; say so once. */
    if (sender_send(rs->send[v6], msgs, (unsigned)n, &err) && err != rs->warned_errno) {
        rs->warned_errno = err;
        engine_warn(rs->eng, "sending a raw packet failed: %s", strerror(err));
    }
    rs->nout[v6] = 0;
}

static void raw_flush(struct engine *eng)
{
    struct raw_state *rs = engine_tech_state(eng);
    for (int v6 = 0; v6 < 2; v6++)
        if (rs->nout[v6])
            flush_family(rs, v6);
}

static int raw_send(struct engine *eng, struct probe *p)
{
    struct raw_state *rs = engine_tech_state(eng);
    const struct route_slot *rt = route_for(rs, p->addr);
    if (rt->err)
        return rt->err == -EHOSTUNREACH ? -EHOSTUNREACH : -ENETUNREACH;
    int v6 = p->addr->family == AF_INET6;
    int e = open_sockets(rs, v6);
    if (e == 0)
        e = capture_for(rs, &rt->r);
    if (e < 0)
        return e == -EAGAIN ? -EIO : e;
    if (e > 0)
        p->sent = now_usec(); /* opening the capture took a while */

    uint8_t flags = probe_flags(rs, p);
    struct cookie c = cookie_of(rs, p->addr, p->port);
    static const uint8_t mss[] = {2, 4, 0x05, 0xb4}; /* MSS 1460, as most stacks */
    struct pkt_tcp_spec spec = {
        .src = rt->r.src,
        .dst = *p->addr,
        .sport = rs->cfg->source_port >= 0 ? (uint16_t)rs->cfg->source_port
                                           : sport_of(rs, p->tryno),
        .dport = p->port,
        .seq = c.seq + p->tryno,
        .ack = flags & TH_ACK_ ? c.ack + p->tryno : 0,
        .flags = flags,
        .win = 1024,
        .ttl = rs->cfg->ttl > 0 ? (uint8_t)rs->cfg->ttl : 64,
        .ipid = rs->ipid++,
        .opts = flags & TH_SYN_ ? mss : NULL,
        .optlen = flags & TH_SYN_ ? sizeof mss : 0,
        .badsum = rs->cfg->badsum != 0,
    };
    if (rs->nout[v6] == BATCH)
        flush_family(rs, v6);
    struct out_pkt *o = &rs->out[v6][rs->nout[v6]];
    o->len = pkt_build_tcp(o->buf, sizeof o->buf, &spec);
    if (!o->len)
        return -EINVAL;
    /* Raw IPv6 sockets want port 0 in the address (it would be taken as
     * the protocol). */
    o->tolen = ip_addr_sockaddr(p->addr, 0, &o->to);
    o->p = p;
    p->fd = rs->nout[v6]++; /* its place in the batch, until it goes out */
    engine_note_sent(eng, (unsigned)o->len);
    p->sport = spec.sport;
    table_add(rs, p);
    if (rs->cfg->packet_trace)
        trace(rs, "SENT", o->buf, o->len, NULL);
    return 0;
}

static void raw_release(struct engine *eng, struct probe *p)
{
    struct raw_state *rs = engine_tech_state(eng);
    int v6 = p->addr->family == AF_INET6;
    if (p->fd >= 0 && p->fd < rs->nout[v6] && rs->out[v6][p->fd].p == p)
        rs->out[v6][p->fd].p = NULL; /* retired before it went out */
    p->fd = -1;
    table_del(rs, p);
}

/* ---- life cycle ---------------------------------------------------------- */

/* Hold our source ports for the scan: sockets bound to them (never
 * listening) keep the kernel from giving them to a connection of its own,
 * whose traffic we would take for answers. */
static int reserve_ports(struct raw_state *rs)
{
    for (int attempt = 0; attempt < 64; attempt++) {
        uint32_t r;
        if (getrandom(&r, sizeof r, 0) != sizeof r)
            r = (uint32_t)now_usec();
        rs->sport_lo = (uint16_t)(33000 + r % (60000 - 33000));
        int ok = 1;
        rs->nreserve = 0;
        for (int i = 0; i < NSPORT && ok; i++) {
            for (int v6 = 0; v6 < 2 && ok; v6++) {
                int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                    if (v6 && errno == EAFNOSUPPORT)
                        continue; /* no IPv6 here */
                    return -errno;
                }
                struct ip_addr any = {.family = v6 ? AF_INET6 : AF_INET};
                struct sockaddr_storage ss;
                socklen_t sl = ip_addr_sockaddr(&any, rs->sport_lo + i, &ss);
                int one = 1;
                if (v6)
                    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
                if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
                    close(fd);
                    ok = 0;
                    break;
                }
                rs->reserve[rs->nreserve++] = fd;
            }
        }
        if (ok)
            return 0;
        while (rs->nreserve)
            close(rs->reserve[--rs->nreserve]);
    }
    return -EADDRINUSE;
}

static void raw_fini(void *state);

static int raw_init(struct engine *eng, void **state)
{
    const struct scan_config *cfg = engine_config(eng);
    struct raw_state *rs = xcalloc(1, sizeof *rs);
    rs->eng = eng;
    rs->cfg = cfg;
    rs->variant = (enum variant)cfg->tech->variant;
    rs->flags = cfg->scanflags >= 0 ? (uint8_t)cfg->scanflags : variant_flags[rs->variant];
    rs->sock[0][0] = rs->sock[0][1] = rs->sock[1][0] = rs->sock[1][1] = -1;
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    rs->clock_offset = now_usec() - ((usec_t)wall.tv_sec * USEC_PER_SEC + wall.tv_nsec / 1000);
    rs->msgs = xcalloc(BATCH, sizeof *rs->msgs);
    rs->iov = xcalloc(BATCH, sizeof *rs->iov);
    rs->routes = xcalloc(ROUTE_CACHE, sizeof *rs->routes);
    rs->out[0] = xcalloc(BATCH, sizeof *rs->out[0]);
    rs->out[1] = xcalloc(BATCH, sizeof *rs->out[1]);
    *state = rs;
    if (getrandom(rs->key, sizeof rs->key, 0) != sizeof rs->key ||
        getrandom(&rs->ipid, sizeof rs->ipid, 0) != sizeof rs->ipid) {
        int e = -errno;
        raw_fini(rs);
        *state = NULL;
        return e;
    }
    /* Fail now, with the reason, rather than at the first probe. */
    int e = open_sockets(rs, cfg->family == AF_INET6);
    if (e != 0) {
        if (e == -EPERM || e == -EACCES)
            engine_warn(eng, "cannot open a raw socket: raw scans need root or CAP_NET_RAW "
                             "(-sT works without)");
        else if (e == -ENODEV && cfg->iface)
            engine_warn(eng, "-e %s: no such interface (ip link lists them)", cfg->iface);
        raw_fini(rs);
        *state = NULL;
        return e;
    }
    if (cfg->source_port >= 0) {
        rs->sport_lo = (uint16_t)cfg->source_port;
        rs->nsport = 1;
    } else {
        rs->nsport = NSPORT;
        e = reserve_ports(rs);
        if (e != 0) {
            raw_fini(rs);
            *state = NULL;
            return e;
        }
    }
    return 0;
}

static void raw_fini(void *state)
{
    struct raw_state *rs = state;
    if (!rs)
        return;
    for (size_t i = 0; i < rs->ncaps; i++) {
        ev_del(engine_loop(rs->eng), rs->caps[i].fd);
        pcap_close(rs->caps[i].pc);
    }
    free(rs->caps);
    for (int v6 = 0; v6 < 2; v6++) {
        sender_free(rs->send[v6]);
        for (int k = 0; k < 2; k++)
            if (rs->sock[v6][k] >= 0)
                close(rs->sock[v6][k]);
    }
    free(rs->msgs);
    free(rs->iov);
    while (rs->nreserve)
        close(rs->reserve[--rs->nreserve]);
    free(rs->table);
    free(rs->routes);
    free(rs->out[0]);
    free(rs->out[1]);
    free(rs);
}

bool technique_raw_allowed(void)
{
    int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

#define RAW_TECHNIQUE(ident, opt, nm, scan, nores, v)                                       \
    const struct technique ident = {                                                        \
        .name = nm,                                                                         \
        .option = opt,                                                                      \
        .scan_name = scan,                                                                  \
        .proto = PROTO_TCP,                                                                 \
        .privileged = true,                                                                 \
        .noresponse_state = nores,                                                          \
        .init = raw_init,                                                                   \
        .fini = raw_fini,                                                                   \
        .send = raw_send,                                                                   \
        .release = raw_release,                                                             \
        .flush = raw_flush,                                                                 \
        .variant = v,                                                                       \
    }

RAW_TECHNIQUE(technique_syn, "-sS", "syn", "SYN Stealth Scan", PORT_FILTERED, V_SYN);
RAW_TECHNIQUE(technique_null, "-sN", "null", "NULL Scan", PORT_OPEN_FILTERED, V_NULL);
RAW_TECHNIQUE(technique_fin, "-sF", "fin", "FIN Scan", PORT_OPEN_FILTERED, V_FIN);
RAW_TECHNIQUE(technique_xmas, "-sX", "xmas", "XMAS Scan", PORT_OPEN_FILTERED, V_XMAS);
RAW_TECHNIQUE(technique_ack, "-sA", "ack", "ACK Scan", PORT_FILTERED, V_ACK);
RAW_TECHNIQUE(technique_window, "-sW", "window", "Window Scan", PORT_FILTERED, V_WINDOW);
RAW_TECHNIQUE(technique_maimon, "-sM", "maimon", "Maimon Scan", PORT_OPEN_FILTERED, V_MAIMON);
