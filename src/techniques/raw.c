/* SPDX-License-Identifier: MIT */
/* The raw-packet machinery shared by the raw techniques: see raw.h.
 *
 * Packets out: whole IPv4/IPv6 packets built by net/packet.c, written to a
 * raw IPPROTO_RAW socket per family (the kernel routes them and resolves
 * the next hop), a batch at a time with sendmmsg; ARP and Neighbor
 * Solicitations, which need a link layer, go out on an AF_PACKET socket.
 *
 * Packets in: libpcap on every interface a route leads through, with a BPF
 * filter that keeps only what can answer our probes (TCP and UDP to our
 * source ports, ICMP errors and the replies discovery asks for, ARP).
 *
 * Half-open: the kernel owns no connection for our source ports, so it
 * answers a SYN/ACK with a RST itself.  We keep sockets bound to those ports
 * (never listening) so the kernel does not hand them to another connection
 * during the scan; bound-only sockets receive nothing, so the RST still
 * goes out. */
#include "raw.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lib/siphash.h"
#include "lib/xalloc.h"
#include "net/sender.h"

#include "technique.h"

/* ---- cookies ------------------------------------------------------------ */

struct cookie raw_cookie(const struct raw_state *rs, const struct ip_addr *a, uint32_t what)
{
    uint8_t m[21];
    size_t n;
    m[0] = (uint8_t)a->family;
    if (a->family == AF_INET) {
        memcpy(m + 1, &a->u.v4, 4);
        n = 5;
    } else {
        memcpy(m + 1, &a->u.v6, 16);
        n = 17;
    }
    /* a port keeps the two bytes it always had; other probes add a third */
    if (what > 0xffff)
        m[n++] = (uint8_t)(what >> 16);
    m[n++] = (uint8_t)(what >> 8);
    m[n++] = (uint8_t)what;
    uint64_t h = siphash24(rs->key, m, n);
    return (struct cookie){(uint32_t)h, (uint32_t)(h >> 32)};
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

enum wire raw_wire(const struct probe *p)
{
    if (!p->ping)
        return p->proto == PROTO_UDP ? W_UDP : W_TCP;
    switch ((enum ping_kind)p->proto) {
    case PING_TCP_SYN:
    case PING_TCP_ACK: return W_TCP;
    case PING_UDP: return W_UDP;
    case PING_ICMP_ECHO: return W_ICMP_ECHO;
    case PING_ICMP_TSTAMP: return W_ICMP_TSTAMP;
    case PING_ICMP_MASK: return W_ICMP_MASK;
    case PING_IPPROTO: return W_IPPROTO;
    case PING_ARP: return W_ARP;
    default: return W_ND;
    }
}

void raw_table_add(struct raw_state *rs, struct probe *p)
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

struct probe *raw_table_find(const struct raw_state *rs, const struct ip_addr *a, uint16_t port,
                             enum wire w)
{
    if (!rs->table)
        return NULL;
    for (struct probe *p = rs->table[key_hash(a, port) & rs->tmask]; p; p = p->tnext)
        if (p->port == port && ip_addr_equal(p->addr, a) && raw_wire(p) == w)
            return p;
    return NULL;
}

/* ---- routes and captures -------------------------------------------------- */

const struct route_slot *raw_route(struct raw_state *rs, const struct ip_addr *dst)
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

static int capture_filter(struct raw_state *rs, struct capture *c)
{
    char ports[64], expr[1024];
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
    ping_filter(rs, c->linktype, expr, sizeof expr);
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
int raw_capture_for(struct raw_state *rs, const struct route *r)
{
    for (size_t i = 0; i < rs->ncaps; i++)
        if (rs->caps[i].ifindex == r->ifindex)
            return 0;
    raw_flush(rs->eng, rs); /* what is queued goes out before the pause */
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

void raw_trace(struct raw_state *rs, const char *dir, const uint8_t *ip, size_t len,
                  const char *note)
{
    char line[512];
    pkt_describe(ip, len, line, sizeof line);
    printf("%s (%.4fs) %s%s\n", dir, engine_elapsed(rs->eng), line, note ? note : "");
}

bool raw_is_our_port(const struct raw_state *rs, uint16_t port)
{
    return port >= rs->sport_lo && port - rs->sport_lo < rs->nsport;
}

/* The source port try t goes from. */
uint16_t raw_sport_of(const struct raw_state *rs, unsigned t)
{
    return (uint16_t)(rs->sport_lo + t % rs->nsport);
}


bool raw_try_matches(const struct raw_state *rs, uint32_t t, unsigned maxtry, uint16_t port)
{
    return t <= maxtry && (rs->cfg->source_port >= 0 || port == raw_sport_of(rs, t));
}

int raw_try_of_sport(const struct raw_state *rs, uint16_t sport, unsigned maxtry)
{
    if (rs->cfg->source_port >= 0)
        return sport == rs->cfg->source_port ? (int)maxtry : -1;
    if (!raw_is_our_port(rs, sport))
        return -1;
    unsigned k = (unsigned)(sport - rs->sport_lo);
    if (k > maxtry)
        return -1;
    return (int)(maxtry - (maxtry - k) % rs->nsport);
}

uint16_t raw_probe_sport(const struct raw_state *rs, unsigned t)
{
    return rs->cfg->source_port >= 0 ? (uint16_t)rs->cfg->source_port : raw_sport_of(rs, t);
}

struct pkt_ip_spec raw_ip_spec(struct raw_state *rs, const struct route *r,
                               const struct ip_addr *dst)
{
    return (struct pkt_ip_spec){
        .src = r->src,
        .dst = *dst,
        .ttl = rs->cfg->ttl > 0 ? (uint8_t)rs->cfg->ttl : 64,
        .ipid = rs->ipid++,
        .badsum = rs->cfg->badsum != 0,
    };
}

/* ---- link layer (ARP, ND) ------------------------------------------------- */

void raw_note_mac(struct raw_state *rs, struct probe *p, const struct pkt_reply *r)
{
    if (p->ping && r->has_lladdr && raw_on_link(rs->eng, rs, p->addr))
        engine_host_mac(rs->eng, p, r->lladdr);
}

const struct link_info *raw_link(struct raw_state *rs, int ifindex, const char *ifname)
{
    for (int i = 0; i < rs->nlinks; i++)
        if (rs->links[i].ifindex == ifindex)
            return &rs->links[i];
    if (rs->nlinks == MAX_LINKS)
        return NULL;
    struct link_info li = {.ifindex = ifindex};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER) {
        li.ether = true;
        memcpy(li.mac, ifr.ifr_hwaddr.sa_data, 6);
    }
    close(fd);
    rs->links[rs->nlinks] = li;
    return &rs->links[rs->nlinks++];
}

int raw_send_link(struct raw_state *rs, int ifindex, uint16_t ethertype, const uint8_t dst[6],
                  const void *payload, size_t len)
{
    if (rs->link_sock < 0) {
        /* protocol 0: this socket receives nothing (libpcap does) */
        rs->link_sock = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (rs->link_sock < 0)
            return -errno;
    }
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ethertype),
        .sll_ifindex = ifindex,
        .sll_halen = 6,
    };
    memcpy(sll.sll_addr, dst, 6);
    if (sendto(rs->link_sock, payload, len, 0, (struct sockaddr *)&sll, sizeof sll) < 0)
        return -errno;
    engine_note_sent(rs->eng, (unsigned)len);
    return 0;
}

/* (raw.h) For a discovery probe, PORT_OPEN or PORT_CLOSED say the host is
 * up, PORT_FILTERED that this probe failed; ARP and ND name the MAC. */
int raw_answer(struct raw_state *rs, struct probe *p, int t, enum port_state st,
               enum reason why, const struct pkt_reply *r)
{
    if (t < 0) {
        engine_note_rejected(rs->eng);
        if (rs->cfg->packet_trace && rs->cfg->debug)
            raw_trace(rs, "RCVD", r->ip, r->iplen, " (not an answer to a probe we sent)");
        return 1;
    }
    if (rs->cfg->packet_trace) {
        char line[256];
        if (r->kind == PKT_ARP)
            printf("RCVD (%.4fs) %s\n", engine_elapsed(rs->eng),
                   pkt_describe_arp(r->ip, r->iplen, line, sizeof line));
        else if (r->kind == PKT_ND_ADVERT)
            printf("RCVD (%.4fs) %s\n", engine_elapsed(rs->eng),
                   pkt_describe_nd_advert(r, line, sizeof line));
        else
            raw_trace(rs, "RCVD", r->ip, r->iplen, NULL);
    }
    if (r->kind == PKT_ARP)
        engine_host_mac(rs->eng, p, r->arp_sha);
    else if (r->kind == PKT_ND_ADVERT && r->nd_has_tll)
        engine_host_mac(rs->eng, p, r->nd_tll);
    else
        raw_note_mac(rs, p, r);
    p->rcvd = rs->rcvd;
    /* a link-layer answer has no TTL (ND's hop limit is always 255) */
    uint8_t ttl = r->kind == PKT_ARP || r->kind == PKT_ND_ADVERT ? 0 : r->ttl;
    engine_probe_reply(rs->eng, p, st, why, ttl, (unsigned)t);
    return 1;
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
    if (ping_handle(rs, &r))
        return;
    if (r.kind == PKT_TCP)
        tcp_handle(rs, &r);
    else if (r.kind == PKT_ICMP_ERROR && r.orig.proto == IPPROTO_TCP)
        tcp_handle_icmp(rs, &r);
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
    int buf = 4 << 20, one = 1;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    /* a subnet's broadcast address is a target like any other (nmap too
     * sends to it); without this the kernel refuses it with EACCES */
    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
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

void raw_flush(struct engine *eng, void *state)
{
    struct raw_state *rs = state;
    (void)eng;
    for (int v6 = 0; v6 < 2; v6++)
        if (rs->nout[v6])
            flush_family(rs, v6);
}


struct out_pkt *raw_slot(struct raw_state *rs, int v6)
{
    if (rs->nout[v6] == BATCH)
        flush_family(rs, v6);
    return &rs->out[v6][rs->nout[v6]];
}

void raw_commit(struct raw_state *rs, struct probe *p, struct out_pkt *o, size_t len)
{
    int v6 = p->addr->family == AF_INET6;
    o->len = len;
    /* Raw IPv6 sockets want port 0 in the address (it would be taken as
     * the protocol). */
    o->tolen = ip_addr_sockaddr(p->addr, 0, &o->to);
    o->p = p;
    p->fd = rs->nout[v6]++; /* its place in the batch, until it goes out */
    engine_note_sent(rs->eng, (unsigned)len);
    raw_table_add(rs, p);
    if (rs->cfg->packet_trace)
        raw_trace(rs, "SENT", o->buf, len, NULL);
}

/* Route, sockets and capture for p, then the technique builds it: TCP
 * probes and TCP pings here, other discovery probes in rawping.c. */
int raw_send(struct engine *eng, void *state, struct probe *p)
{
    struct raw_state *rs = state;
    (void)eng;
    const struct route_slot *rt = raw_route(rs, p->addr);
    if (rt->err)
        return rt->err == -EHOSTUNREACH ? -EHOSTUNREACH : -ENETUNREACH;
    int v6 = p->addr->family == AF_INET6;
    int e = open_sockets(rs, v6);
    if (e == 0)
        e = raw_capture_for(rs, &rt->r);
    if (e < 0)
        return e == -EAGAIN ? -EIO : e;
    if (e > 0)
        p->sent = now_usec(); /* opening the capture took a while */
    if (raw_wire(p) == W_TCP)
        return tcp_send(rs, p, &rt->r);
    return ping_send(rs, p, &rt->r);
}

void raw_release(struct engine *eng, void *state, struct probe *p)
{
    struct raw_state *rs = state;
    (void)eng;
    int v6 = p->addr->family == AF_INET6;
    if (p->fd >= 0 && p->fd < rs->nout[v6] && rs->out[v6][p->fd].p == p)
        rs->out[v6][p->fd].p = NULL; /* retired before it went out */
    p->fd = -1;
    table_del(rs, p);
}

/* ---- life cycle ---------------------------------------------------------- */

/* Hold our source ports for the scan: sockets bound to them (never
 * listening) keep the kernel from giving them to a connection of its own,
 * whose traffic we would take for answers.  UDP ones too: they also keep
 * the kernel from answering a UDP reply with a port unreachable. */
static int reserve_ports(struct raw_state *rs)
{
    for (int attempt = 0; attempt < 64; attempt++) {
        uint32_t r;
        if (getrandom(&r, sizeof r, 0) != sizeof r)
            r = (uint32_t)now_usec();
        rs->sport_lo = (uint16_t)(33000 + r % (60000 - 33000));
        int ok = 1;
        rs->nreserve = 0;
        for (int i = 0; i < 2 * NSPORT && ok; i++) {
            for (int v6 = 0; v6 < 2 && ok; v6++) {
                int type = i < NSPORT ? SOCK_STREAM : SOCK_DGRAM;
                int fd = socket(v6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                    if (v6 && errno == EAFNOSUPPORT)
                        continue; /* no IPv6 here */
                    return -errno;
                }
                struct ip_addr any = {.family = v6 ? AF_INET6 : AF_INET};
                struct sockaddr_storage ss;
                socklen_t sl = ip_addr_sockaddr(&any, rs->sport_lo + i % NSPORT, &ss);
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

int raw_init(struct engine *eng, void **state)
{
    const struct scan_config *cfg = engine_config(eng);
    struct raw_state *rs = xcalloc(1, sizeof *rs);
    rs->eng = eng;
    rs->cfg = cfg;
    const struct technique *tcp = cfg->techs[PROTO_TCP] ? cfg->techs[PROTO_TCP] : cfg->tech;
    rs->variant = tcp->variant;
    rs->flags = cfg->scanflags >= 0 ? (uint8_t)cfg->scanflags : tcp_variant_flags(rs->variant);
    rs->sock[0][0] = rs->sock[0][1] = rs->sock[1][0] = rs->sock[1][1] = -1;
    rs->link_sock = -1;
    for (size_t i = 0; cfg->ping && i < cfg->npings; i++)
        if (cfg->pings[i].kind == PING_IPPROTO && cfg->pings[i].arg < 256)
            rs->po_protos[cfg->pings[i].arg / 8] |= (uint8_t)(1u << (cfg->pings[i].arg % 8));
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

void raw_fini(void *state)
{
    struct raw_state *rs = state;
    if (!rs)
        return;
    for (size_t i = 0; i < rs->ncaps; i++) {
        ev_del(engine_loop(rs->eng), rs->caps[i].fd);
        pcap_close(rs->caps[i].pc);
    }
    free(rs->caps);
    if (rs->link_sock >= 0)
        close(rs->link_sock);
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
