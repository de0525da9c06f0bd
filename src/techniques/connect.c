/* SPDX-License-Identifier: MIT */
/* TCP connect scan (-sT): the full three-way handshake through the kernel's
 * own TCP, so it needs no privilege.  Thousands of non-blocking connect()s
 * are in flight at once, driven by the engine's event loop.
 *
 * The kernel says only "refused" or "unreachable"; IP_RECVERR (and
 * IPV6_RECVERR) add the ICMP type and code behind an unreachable, so the
 * reason is as precise as a raw scan's (admin-prohibited, host-unreach...).
 *
 * Speed: a socket refused by a reset is reused for the next probe instead of
 * being closed and re-created.  Calling connect() again on a socket whose
 * connect is under way reports its outcome (EALREADY: still pending,
 * ECONNREFUSED: reset, EISCONN: connected, or the ICMP error) and, on
 * failure, returns it to the unconnected state, ready for another connect().
 * A closed port on a fast path thus costs two system calls, not seven. */
#include <errno.h>
#include <time.h> /* struct timespec, before linux/errqueue.h */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/xalloc.h"

#include "config.h"
#include "engine.h"
#include "technique.h"

/* The state and reason nmap reports for the ICMP error behind a failed
 * connect. */
static void icmp_verdict(const struct sock_extended_err *ee, enum port_state *st,
                         enum reason *why)
{
    *st = PORT_FILTERED;
    *why = reason_from_icmp(ee->ee_origin == SO_EE_ORIGIN_ICMP6, ee->ee_type, ee->ee_code);
}

/* The ICMP error queued on fd, if any: 1 with the verdict filled in. */
static int read_icmp(int fd, enum port_state *st, enum reason *why)
{
    char cbuf[512];
    char dummy[64];
    struct iovec iov = {dummy, sizeof dummy};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                         .msg_controllen = sizeof cbuf};
    if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
        return 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
            struct sock_extended_err ee;
            memcpy(&ee, CMSG_DATA(c), sizeof ee);
            if (ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6) {
                icmp_verdict(&ee, st, why);
                return 1;
            }
        }
    }
    return 0;
}

/* Did the socket connect to itself?  A connect to a local port inside the
 * ephemeral range can pick that very port as its source (TCP simultaneous
 * open); that says nothing about a listener. */
static int self_connected(int fd, const struct probe *p)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)&ss;
        return ntohs(s->sin_port) == p->port && s->sin_addr.s_addr == p->addr->u.v4.s_addr;
    }
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
    return ntohs(s6->sin6_port) == p->port &&
           memcmp(&s6->sin6_addr, &p->addr->u.v6, sizeof s6->sin6_addr) == 0;
}

#define POOL_MAX 256
#define FLAG_REUSABLE 1 /* refused by a reset: the socket can connect again */

struct pool {
    int fd[POOL_MAX];
    int n;
};

struct connect_state {
    struct pool pool[2];  /* [0] IPv4, [1] IPv6 */
    uint8_t *armed;       /* by fd: registered with the event loop */
    int narmed;
};

static int connect_init(struct engine *eng, void **state)
{
    (void)eng;
    *state = xcalloc(1, sizeof(struct connect_state));
    return 0;
}

static void connect_fini(void *state)
{
    struct connect_state *cs = state;
    if (!cs)
        return;
    for (int f = 0; f < 2; f++)
        for (int i = 0; i < cs->pool[f].n; i++)
            close(cs->pool[f].fd[i]);
    free(cs->armed);
    free(cs);
}

static void set_armed(struct connect_state *cs, int fd, uint8_t v)
{
    if (fd >= cs->narmed) {
        int n = cs->narmed ? cs->narmed : 1024;
        while (n <= fd)
            n *= 2;
        cs->armed = xreallocarray(cs->armed, (size_t)n, 1);
        memset(cs->armed + cs->narmed, 0, (size_t)(n - cs->narmed));
        cs->narmed = n;
    }
    cs->armed[fd] = v;
}

static void close_fd(struct engine *eng, struct connect_state *cs, int fd)
{
    if (fd < cs->narmed && cs->armed[fd]) {
        cs->armed[fd] = 0;
        ev_forget(engine_loop(eng), fd);
    }
    close(fd);
}

/* Conclude from the outcome of a connect: 0 (connected) or an errno. */
static void conclude(struct probe *p, int err)
{
    enum port_state st;
    enum reason why;
    if (err == 0 || err == EISCONN) {
        if (self_connected(p->fd, p)) {
            engine_probe_void(p->eng, p);
            return;
        }
        /* Close with a reset rather than a FIN: no TIME_WAIT on our side,
         * and the service sees an aborted connection. */
        struct linger lg = {1, 0};
        setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        engine_probe_answer(p->eng, p, PORT_OPEN, REASON_SYN_ACK, 0);
        return;
    }
    if (err == ECONNREFUSED) {
        /* A reset, or an ICMP port unreachable: only the latter leaves an
         * entry in the error queue, and a socket is reused only with an
         * empty one. */
        if (read_icmp(p->fd, &st, &why)) {
            engine_probe_answer(p->eng, p, st, why, 0);
            return;
        }
        p->tech_flags |= FLAG_REUSABLE;
        engine_probe_answer(p->eng, p, PORT_CLOSED, REASON_CONN_REFUSED, 0);
        return;
    }
    if (read_icmp(p->fd, &st, &why)) {
        engine_probe_answer(p->eng, p, st, why, 0);
        return;
    }
    switch (err) {
    case ENETUNREACH:
        st = PORT_FILTERED;
        why = REASON_NET_UNREACH;
        break;
    case EHOSTUNREACH:
    case EHOSTDOWN:
        st = PORT_FILTERED;
        why = REASON_HOST_UNREACH;
        break;
    case EACCES:
    case EPERM: /* a local firewall rule refused it */
        st = PORT_FILTERED;
        why = REASON_ADMIN_PROHIBITED;
        break;
    case ENOPROTOOPT:
        st = PORT_FILTERED;
        why = REASON_PROTO_UNREACH;
        break;
    default:
        /* ETIMEDOUT and the like: nothing useful came back.  Leave the try
         * to time out like an unanswered one. */
        return;
    }
    engine_probe_answer(p->eng, p, st, why, 0);
}

/* --packet-trace: nmap's CONN lines, one per connect() and outcome. */
static void trace(const struct probe *p, int err)
{
    if (!engine_config(p->eng)->packet_trace)
        return;
    char a[IP_ADDR_STRLEN];
    printf("CONN (%.4fs) TCP localhost > %s:%u => %s\n", engine_elapsed(p->eng),
           ip_addr_str(p->addr, a), p->port, err ? strerror(err) : "Connected");
}

/* Ask the socket how its connect went, by connecting again (see the top of
 * this file).  Returns 0 when still pending. */
static int poll_outcome(struct probe *p)
{
    struct sockaddr_storage ss;
    socklen_t sl = ip_addr_sockaddr(p->addr, p->port, &ss);
    if (connect(p->fd, (struct sockaddr *)&ss, sl) == 0)
        return trace(p, 0), conclude(p, 0), 1;
    int err = errno;
    if (err == EALREADY || err == EINPROGRESS)
        return 0;
    trace(p, err == EISCONN ? 0 : err);
    conclude(p, err);
    return 1;
}

static int arm(struct engine *eng, struct probe *p);

static void on_ready(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
    struct probe *p = arg;
    struct engine *eng = p->eng;
    enum port_state st;
    enum reason why;
    (void)loop;
    if (poll_outcome(p))
        return;
    /* Linux leaves a connect in SYN_SENT after most ICMP unreachables (it
     * may yet succeed on a retransmission) but queues the ICMP message
     * itself, which is our answer. */
    if ((events & EV_ERROR) && read_icmp(fd, &st, &why)) {
        engine_probe_answer(eng, p, st, why, 0);
        return;
    }
    if (arm(eng, p) != 0)
        conclude(p, ETIMEDOUT);
}

/* Wait for the socket once more (one-shot, so a socket resting in the pool
 * never wakes the loop). */
static int arm(struct engine *eng, struct probe *p)
{
    struct connect_state *cs = p->tech_state;
    unsigned ev = EV_WRITE | EV_ONESHOT;
    int r = p->fd < cs->narmed && cs->armed[p->fd]
                ? ev_mod(engine_loop(eng), p->fd, ev, on_ready, p)
                : ev_add(engine_loop(eng), p->fd, ev, on_ready, p);
    if (r == 0)
        set_armed(cs, p->fd, 1);
    return r;
}

static int new_socket(int family)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    if (family == AF_INET)
        setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one);
    else
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof one);
    return fd;
}

static int connect_send(struct engine *eng, void *state, struct probe *p)
{
    struct connect_state *cs = state;
    int family = p->addr->family;
    struct pool *pool = &cs->pool[family == AF_INET6];
    int fd = pool->n ? pool->fd[--pool->n] : new_socket(family);
    if (fd < 0)
        return fd;
    p->fd = fd;

    struct sockaddr_storage ss;
    socklen_t sl = ip_addr_sockaddr(p->addr, p->port, &ss);
    if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
        trace(p, 0);
        conclude(p, 0);
        return 0;
    }
    int err = errno;
    if (err != EADDRNOTAVAIL && err != EAGAIN && err != ENOBUFS && err != ENOMEM)
        trace(p, err);
    if (err == EADDRNOTAVAIL || err == EAGAIN || err == ENOBUFS || err == ENOMEM) {
        close_fd(eng, cs, fd);
        p->fd = -1;
        return -err;
    }
    if (err != EINPROGRESS) {
        conclude(p, err); /* refused or unreachable at once */
        return 0;
    }
    /* On loopback and fast links the answer is often already here. */
    if (poll_outcome(p))
        return 0;
    int r = arm(eng, p);
    if (r != 0) {
        close_fd(eng, cs, fd);
        p->fd = -1;
        return r;
    }
    return 0;
}

static void connect_release(struct engine *eng, void *state, struct probe *p)
{
    struct connect_state *cs = state;
    if (p->fd < 0)
        return;
    struct pool *pool = &cs->pool[p->addr->family == AF_INET6];
    if ((p->tech_flags & FLAG_REUSABLE) && pool->n < POOL_MAX)
        pool->fd[pool->n++] = p->fd;
    else
        close_fd(eng, cs, p->fd);
    p->fd = -1;
}

const struct technique technique_connect = {
    .name = "connect",
    .option = "-sT",
    .scan_name = "Connect Scan",
    .proto = PROTO_TCP,
    .privileged = false,
    .noresponse_state = PORT_FILTERED,
    .init = connect_init,
    .fini = connect_fini,
    .send = connect_send,
    .release = connect_release,
};
