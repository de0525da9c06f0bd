/* SPDX-License-Identifier: MIT */
#include "svc/vscan.h"

#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "lib/xalloc.h"
#include "services.h"
#include "svc/rpc.h"

/* A response is read up to this much: enough for every header a rule
 * looks at, and a service that streams forever ends there. */
#define READ_CAP (32 * 1024)
/* After a first answer that matched no rule, the try waits this long
 * for more (a header in several segments) rather than its whole budget. */
#define QUIET_MIN (300 * USEC_PER_MSEC)
#define QUIET_MAX (1000 * USEC_PER_MSEC)
/* Probes of one port at once, counting the NULL probe. */
#define WINDOW 4
/* The fingerprint keeps this much of each answer. */
#define FP_KEEP 512

enum try_state { T_CONNECTING, T_HANDSHAKE, T_SENDING, T_READING };
enum seq_state { S_WAITING, S_RUNNING, S_DONE, S_SKIPPED };

struct vjob;

/* One probe of one port, on its own connection (or UDP socket). */
struct vtry {
    struct vtry *prev, *next; /* the stage's tries, for timeouts */
    struct vscan *v;
    struct vjob *j;
    size_t seq;               /* position in the job's probe list */
    const struct svc_probe *p;
    int fd;
    SSL *ssl;
    enum try_state st;
    uint8_t *buf;
    size_t len, sent;
    usec_t deadline;          /* of the current step */
    usec_t connected;
    usec_t waited_until;      /* the probe's own budget (totalwaitms) */
    unsigned events;
};

/* One port's service detection. */
struct vjob {
    struct vjob *qnext;       /* the stage's queue of jobs waiting for room */
    struct vhost *h;
    size_t pi;                /* index in the host's ports */
    uint16_t port;
    uint8_t proto;
    const struct svc_probe **list;
    uint8_t *seq;             /* enum seq_state per list entry */
    size_t n, next;           /* next list entry to start */
    size_t null_seq;          /* the NULL probe's entry, or SIZE_MAX */
    unsigned running;
    int queued;
    int tls;                  /* probing inside TLS */
    int tls_ok;               /* a handshake succeeded */
    size_t hard_seq;          /* entry of the earliest hard match, SIZE_MAX */
    struct svc_result hard, soft, ssl;
    int have_soft, have_ssl;
    int wrapped, refused, answered;
    char *fp;                 /* the answers, for the fingerprint */
    size_t fplen;
    uint64_t fpseen[8];       /* hashes of the answers in it: each once */
    unsigned nfpseen;
    char *cert_subject, *cert_issuer;
    time_t cert_nb, cert_na;
    /* RPC grinding, once the port is known to speak RPC */
    struct svc_probe grind;
    int grinding, rpc_found;
    uint32_t xid_base, rpc_num, rpc_lo, rpc_hi;
    int done;
};

struct vhost {
    struct vhost *next;
    struct report_copy *c;
    struct vjob *jobs;
    size_t njobs, pending;
};

struct vscan {
    const struct scan_config *cfg;
    struct ev_loop *loop;
    const struct svc_db *db;
    FILE *trace;
    vscan_write_fn write;
    void *arg;
    SSL_CTX *ssl_ctx;
    struct vhost *head, *tail;
    size_t nheld;
    struct vtry *tries;       /* every try in flight */
    unsigned running, max_running;
    struct vjob *qhead, *qtail;
    int stopped;
    struct rpc_table rpc;     /* /etc/rpc, read when first needed */
    int rpc_loaded;
    uint32_t next_xid;
};

static void pump(struct vscan *v, struct vjob *j);
static void job_abandon(struct vscan *v, struct vjob *j);
static void try_end(struct vscan *v, struct vtry *t);
static void on_event(struct ev_loop *loop, int fd, unsigned events, void *arg);

static int intensity(const struct vscan *v)
{
    return v->cfg->version_intensity;
}

static const char *addr_of(const struct vjob *j, char *buf)
{
    return ip_addr_str(&j->h->c->t.addr, buf);
}

/* --- the probe list ---------------------------------------------------- */

/* nmap's order: the NULL probe (TCP), the probes registered for the port
 * (sslports inside TLS), then the others whose rarity is within the
 * intensity, each group in the file's order. */
static void build_list(struct vscan *v, struct vjob *j)
{
    const struct svc_db *db = v->db;
    free(j->list);
    free(j->seq);
    j->list = xcalloc(db->nprobes + 1, sizeof *j->list);
    j->n = 0;
    j->null_seq = SIZE_MAX;
    const struct svc_probe *null = j->proto == PROTO_TCP ? svc_db_null_probe(db) : NULL;
    if (null) {
        j->null_seq = 0;
        j->list[j->n++] = null;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < db->nprobes; i++) {
            const struct svc_probe *p = &db->probes[i];
            if (p == null || p->proto != j->proto)
                continue;
            int reg = svc_portset_has(j->tls ? &p->sslports : &p->ports, j->port);
            if (pass == 0 ? reg : !reg && p->rarity <= intensity(v))
                j->list[j->n++] = p;
        }
    }
    j->seq = xcalloc(j->n ? j->n : 1, 1);
    j->next = 0;
    j->hard_seq = SIZE_MAX;
}

/* --- the answers -------------------------------------------------------- */

/* Keep an answer for the fingerprint: the probe's name, its length and
 * the bytes, escaped ("\r\n", "\xHH") as in nmap's SF lines. */
static void fp_add(struct vjob *j, const char *probe, const uint8_t *b, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    for (unsigned i = 0; i < j->nfpseen; i++)
        if (j->fpseen[i] == h)
            return; /* a greeting every probe got, say */
    if (j->nfpseen == sizeof j->fpseen / sizeof *j->fpseen)
        return;
    j->fpseen[j->nfpseen++] = h;
    size_t keep = n < FP_KEEP ? n : FP_KEEP;
    size_t need = strlen(probe) + 32 + keep * 4;
    j->fp = xreallocarray(j->fp, j->fplen + need + 1, 1);
    char *o = j->fp + j->fplen;
    o += sprintf(o, "%%r(%s,%zX,\"", probe, n);
    for (size_t i = 0; i < keep; i++) {
        uint8_t c = b[i];
        if (c == '\r')
            o += sprintf(o, "\\r");
        else if (c == '\n')
            o += sprintf(o, "\\n");
        else if (c == 0)
            o += sprintf(o, "\\0");
        else if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%')
            *o++ = (char)c;
        else
            o += sprintf(o, "\\x%02X", c);
    }
    o += sprintf(o, "\")");
    j->fplen = (size_t)(o - j->fp);
    *o = 0;
}

static void trace_match(struct vscan *v, struct vjob *j, const struct vtry *t,
                        const struct svc_result *r, int hard)
{
    if (!v->trace)
        return;
    char a[IP_ADDR_STRLEN];
    fprintf(v->trace,
            "Service scan %s match (Probe %s matched with %s line %u): %s:%u is %s%s.",
            hard ? "hard" : "soft", t->p->name, t->p->name, r->line, addr_of(j, a), j->port,
            j->tls ? "ssl/" : "", r->service ? r->service : "?");
    if (hard)
        fprintf(v->trace, "  Version: |%s|%s|%s|", r->product ? r->product : "",
                r->version ? r->version : "", r->extrainfo ? r->extrainfo : "");
    fputc('\n', v->trace);
}

/* Match what the try has read so far.  1 when the try is finished. */
static int try_match(struct vscan *v, struct vtry *t, int final)
{
    struct vjob *j = t->j;
    struct svc_result r = {0};
    int m = svc_match(v->db, t->p, t->buf, t->len, j->have_soft ? j->soft.service : NULL, &r);
    if (m == SVC_HARD) {
        if (t->seq < j->hard_seq) {
            svc_result_clear(&j->hard);
            j->hard = r;
            j->hard_seq = t->seq;
            trace_match(v, j, t, &r, 1);
        } else {
            svc_result_clear(&r);
        }
        return 1;
    }
    if (m == SVC_SOFT && !j->have_soft) {
        j->soft = r;
        j->have_soft = 1;
        trace_match(v, j, t, &r, 0);
        /* probes not started that know nothing of the service are not sent */
        for (size_t i = j->next; i < j->n; i++)
            if (j->seq[i] == S_WAITING && !svc_probe_knows(j->list[i], r.service))
                j->seq[i] = S_SKIPPED;
    } else {
        svc_result_clear(&r);
    }
    return final;
}

/* --- TLS ---------------------------------------------------------------- */

/* "commonName=lab/organizationName=x", as nmap's ssl-cert names fields. */
static char *name_line(X509_NAME *name)
{
    size_t cap = 256, len = 0;
    char *s = xmalloc(cap);
    s[0] = 0;
    for (int i = 0; i < X509_NAME_entry_count(name); i++) {
        X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
        const char *key = nid != NID_undef ? OBJ_nid2ln(nid) : "unknown";
        unsigned char *val = NULL;
        int vlen = ASN1_STRING_to_UTF8(&val, X509_NAME_ENTRY_get_data(e));
        if (vlen < 0)
            continue;
        size_t need = len + strlen(key) + (size_t)vlen + 3;
        if (need > cap) {
            cap = need * 2;
            s = xreallocarray(s, cap, 1);
        }
        len += (size_t)sprintf(s + len, "%s%s=%.*s", len ? "/" : "", key, vlen, val);
        OPENSSL_free(val);
    }
    return s;
}

static time_t asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return timegm(&tm);
}

static void keep_cert(struct vjob *j, SSL *ssl)
{
    if (j->cert_subject)
        return;
    X509 *x = SSL_get1_peer_certificate(ssl);
    if (!x)
        return;
    j->cert_subject = name_line(X509_get_subject_name(x));
    j->cert_issuer = name_line(X509_get_issuer_name(x));
    j->cert_nb = asn1_time(X509_get0_notBefore(x));
    j->cert_na = asn1_time(X509_get0_notAfter(x));
    X509_free(x);
}

/* --- one try ------------------------------------------------------------ */

static void try_events(struct vscan *v, struct vtry *t, unsigned ev)
{
    if (ev != t->events) {
        t->events = ev;
        ev_mod(v->loop, t->fd, ev, on_event, t);
    }
}

static usec_t conn_timeout(const struct vjob *j)
{
    usec_t to = 3 * j->h->c->r.timeout;
    return to > 2 * USEC_PER_SEC ? to : 2 * USEC_PER_SEC;
}

static void trace_send(struct vscan *v, struct vtry *t)
{
    if (!v->trace)
        return;
    char a[IP_ADDR_STRLEN];
    fprintf(v->trace, "Service scan sending probe %s to %s:%u (%s%s)\n", t->p->name,
            addr_of(t->j, a), t->j->port, t->j->tls ? "ssl/" : "", proto_name(t->j->proto));
}

/* The connection is up (and TLS too, inside TLS): send the payload. */
static void try_send(struct vscan *v, struct vtry *t)
{
    usec_t now = now_usec();
    if (t->st != T_SENDING) {
        t->st = T_SENDING;
        t->waited_until = now + (usec_t)t->p->totalwaitms * USEC_PER_MSEC;
        trace_send(v, t);
    }
    size_t len = t->p->no_payload ? 0 : t->p->len;
    /* grinding over UDP: each call a datagram of its own */
    size_t chunk = t->p == &t->j->grind && t->j->proto == PROTO_UDP ? RPC_CALL_LEN : SIZE_MAX;
    while (t->sent < len) {
        ssize_t w;
        if (t->ssl) {
            int r = SSL_write(t->ssl, t->p->data + t->sent, (int)(len - t->sent));
            if (r <= 0) {
                int e = SSL_get_error(t->ssl, r);
                if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
                    try_events(v, t, e == SSL_ERROR_WANT_WRITE ? EV_WRITE : EV_READ);
                    return;
                }
                try_end(v, t);
                return;
            }
            w = r;
        } else {
            size_t n = len - t->sent < chunk ? len - t->sent : chunk;
            w = send(t->fd, t->p->data + t->sent, n, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN || errno == EINTR) {
                    try_events(v, t, EV_WRITE);
                    return;
                }
                if (errno == ECONNREFUSED)
                    t->j->refused = 1;
                try_end(v, t);
                return;
            }
        }
        t->sent += (size_t)w;
    }
    t->st = T_READING;
    t->deadline = t->waited_until;
    try_events(v, t, EV_READ);
}

static void try_handshake(struct vscan *v, struct vtry *t)
{
    int r = SSL_do_handshake(t->ssl);
    if (r == 1) {
        t->j->tls_ok = 1;
        keep_cert(t->j, t->ssl);
        try_send(v, t);
        return;
    }
    int e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        try_events(v, t, e == SSL_ERROR_WANT_READ ? EV_READ : EV_WRITE);
        return;
    }
    ERR_clear_error();
    try_end(v, t);
}

static void try_connected(struct vscan *v, struct vtry *t)
{
    t->connected = now_usec();
    if (!t->j->tls) {
        try_send(v, t);
        return;
    }
    t->ssl = SSL_new(v->ssl_ctx);
    if (!t->ssl) {
        try_end(v, t);
        return;
    }
    SSL_set_fd(t->ssl, t->fd);
    SSL_set_connect_state(t->ssl);
    const char *name = t->j->h->c->t.name;
    struct ip_addr lit;
    if (name && ip_addr_parse(name, 0, &lit) != 0)
        SSL_set_tlsext_host_name(t->ssl, name);
    t->st = T_HANDSHAKE;
    t->deadline = t->connected + conn_timeout(t->j) + 3 * USEC_PER_SEC;
    try_handshake(v, t);
}

/* Grinding: the replies read so far.  1 once the program is known. */
static int rpc_read(struct vscan *v, struct vtry *t)
{
    struct vjob *j = t->j;
    const uint8_t *msg = t->buf;
    size_t len = t->len, off = 0;
    int tcp = j->proto == PROTO_TCP, found = 0;
    while (!found) {
        if (tcp && !rpc_next_record(t->buf, t->len, &off, &msg, &len))
            break;
        uint32_t xid, lo = 0, hi = 0;
        if (rpc_parse_reply(msg, len, &xid, &lo, &hi) == RPC_MISMATCH &&
            xid - j->xid_base < v->rpc.n) {
            j->rpc_found = 1;
            j->rpc_num = v->rpc.v[xid - j->xid_base].num;
            j->rpc_lo = lo;
            j->rpc_hi = hi;
            found = 1;
        }
        if (!tcp)
            break;
    }
    if (!tcp) {
        t->len = 0; /* a datagram at a time */
    } else if (off) {
        memmove(t->buf, t->buf + off, t->len - off);
        t->len -= off;
    }
    if (found && v->trace) {
        char a[IP_ADDR_STRLEN];
        fprintf(v->trace, "Service scan RPC grinding: %s:%u is program %u, versions %u-%u\n",
                addr_of(j, a), j->port, j->rpc_num, j->rpc_lo, j->rpc_hi);
    }
    return found;
}

/* The port speaks RPC: ask every program of the table at once. */
static void grind_start(struct vscan *v, struct vjob *j)
{
    if (!v->rpc_loaded) {
        v->rpc_loaded = 1;
        rpc_table_load("/etc/rpc", &v->rpc); /* without it: the portmapper only */
        v->next_xid = (uint32_t)now_usec();
    }
    job_abandon(v, j);
    j->grinding = 1;
    j->xid_base = v->next_xid;
    v->next_xid += (uint32_t)v->rpc.n;
    j->grind.name = "RPCGrind";
    j->grind.proto = j->proto;
    j->grind.data = rpc_grind_calls(&v->rpc, j->xid_base, j->proto == PROTO_TCP, &j->grind.len);
    j->grind.totalwaitms = 3000;
    j->grind.tcpwrappedms = SVC_DEFAULT_WRAPPEDMS;
    j->list[0] = &j->grind;
    j->n = 1;
    j->next = 0;
    j->seq[0] = S_WAITING;
    j->null_seq = SIZE_MAX;
}

static int speaks_rpc(const struct svc_result *r)
{
    return r->service && (strcmp(r->service, "rpc") == 0 || strcmp(r->service, "rpcbind") == 0);
}

/* Read what there is.  Returns after the try ended or wants more. */
static void try_read(struct vscan *v, struct vtry *t)
{
    struct vjob *j = t->j;
    for (;;) {
        if (t->len == READ_CAP) { /* an endless stream: judge what we have */
            try_match(v, t, 1);
            try_end(v, t);
            return;
        }
        if (!t->buf)
            t->buf = xmalloc(READ_CAP);
        ssize_t r;
        if (t->ssl) {
            int n = SSL_read(t->ssl, t->buf + t->len, (int)(READ_CAP - t->len));
            if (n <= 0) {
                int e = SSL_get_error(t->ssl, n);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                    try_events(v, t, e == SSL_ERROR_WANT_READ ? EV_READ : EV_WRITE);
                    return;
                }
                ERR_clear_error();
                r = 0; /* closed, cleanly or not */
            } else {
                r = n;
            }
        } else {
            r = recv(t->fd, t->buf + t->len, READ_CAP - t->len, 0);
            if (r < 0 && (errno == EAGAIN || errno == EINTR))
                return;
            if (r < 0 && errno == ECONNREFUSED && j->proto == PROTO_UDP) {
                j->refused = 1; /* a port unreachable: closed after all */
                try_end(v, t);
                return;
            }
        }
        if (r <= 0) {
            /* closed by the service: with nothing said, soon after the
             * NULL probe connected, the port is tcpwrapped */
            if (t->len == 0 && t->seq == j->null_seq && !j->tls &&
                now_usec() - t->connected <= (usec_t)t->p->tcpwrappedms * USEC_PER_MSEC)
                j->wrapped = 1;
            if (t->len)
                try_match(v, t, 1);
            try_end(v, t);
            return;
        }
        t->len += (size_t)r;
        j->answered = 1;
        if (t->p == &j->grind) {
            if (rpc_read(v, t)) {
                try_end(v, t);
                return;
            }
            continue;
        }
        if (try_match(v, t, 0)) {
            try_end(v, t);
            return;
        }
        if (j->proto == PROTO_UDP) { /* a datagram is the whole answer */
            try_end(v, t);
            return;
        }
        /* no rule matched yet: more may be coming, but not for long */
        usec_t quiet = 4 * j->h->c->r.srtt;
        quiet = quiet < QUIET_MIN ? QUIET_MIN : quiet > QUIET_MAX ? QUIET_MAX : quiet;
        usec_t until = now_usec() + quiet;
        t->deadline = until < t->waited_until ? until : t->waited_until;
    }
}

static void on_event(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
    (void)loop;
    (void)fd;
    struct vtry *t = arg;
    struct vscan *v = t->v;
    switch (t->st) {
    case T_CONNECTING: {
        int e = 0;
        socklen_t el = sizeof e;
        if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
            e = errno;
        if (e == EINPROGRESS && !(events & EV_ERROR))
            return;
        if (e) {
            if (e == ECONNREFUSED)
                t->j->refused = 1;
            try_end(v, t);
            return;
        }
        try_connected(v, t);
        return;
    }
    case T_HANDSHAKE:
        try_handshake(v, t);
        return;
    case T_SENDING:
        try_send(v, t);
        return;
    case T_READING:
        try_read(v, t);
        return;
    }
}

/* Start the try of list entry i.  0, or -errno (-EMFILE and the like: no
 * room now, the job waits). */
static int try_start(struct vscan *v, struct vjob *j, size_t i)
{
    const struct ip_addr *a = &j->h->c->t.addr;
    struct sockaddr_storage ss;
    socklen_t sl = ip_addr_sockaddr(a, j->port, &ss);
    int udp = j->proto == PROTO_UDP;
    int fd = socket(ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0);
    if (fd < 0)
        return -errno;
    if (!udp) {
        /* an abandoned connection ends with a reset, not in TIME_WAIT */
        struct linger lg = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    struct vtry *t = xcalloc(1, sizeof *t);
    t->v = v;
    t->j = j;
    t->seq = i;
    t->p = j->list[i];
    t->fd = fd;
    t->st = T_CONNECTING;
    t->deadline = now_usec() + conn_timeout(j);
    t->events = EV_WRITE;
    int r = connect(fd, (struct sockaddr *)&ss, sl);
    if (r < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        free(t);
        if (e == ECONNREFUSED) {
            j->refused = 1;
            j->seq[i] = S_DONE;
            return 0;
        }
        return -e;
    }
    if (ev_add(v->loop, fd, EV_WRITE, on_event, t) < 0) {
        int e = errno;
        close(fd);
        free(t);
        return -e;
    }
    t->next = v->tries;
    if (v->tries)
        v->tries->prev = t;
    v->tries = t;
    v->running++;
    j->running++;
    j->seq[i] = S_RUNNING;
    if (r == 0 || udp) { /* UDP "connects" at once */
        t->st = T_CONNECTING;
        try_connected(v, t);
    }
    return 0;
}

/* The try is over (its answer, if any, was matched): free it and let its
 * job go on. */
static void try_end(struct vscan *v, struct vtry *t)
{
    struct vjob *j = t->j;
    if (t->len)
        fp_add(j, t->p->name, t->buf, t->len);
    if (t->ssl) {
        SSL_free(t->ssl);
        t->ssl = NULL;
    }
    ev_forget(v->loop, t->fd);
    ev_del(v->loop, t->fd);
    close(t->fd);
    free(t->buf);
    if (t->prev)
        t->prev->next = t->next;
    else
        v->tries = t->next;
    if (t->next)
        t->next->prev = t->prev;
    if (j->seq[t->seq] == S_RUNNING)
        j->seq[t->seq] = S_DONE;
    j->running--;
    v->running--;
    free(t);
    pump(v, j);
    /* room for a job that waited */
    while (v->qhead && v->running < v->max_running) {
        struct vjob *q = v->qhead;
        v->qhead = q->qnext;
        if (!v->qhead)
            v->qtail = NULL;
        q->queued = 0;
        pump(v, q);
    }
}

/* Abandon the job's tries in flight (without their answers counting). */
static void job_abandon(struct vscan *v, struct vjob *j)
{
    /* (from the head again after each: ending a try may end others) */
    for (struct vtry *t = v->tries; t;) {
        if (t->j != j) {
            t = t->next;
            continue;
        }
        j->seq[t->seq] = S_SKIPPED;
        t->len = 0;
        j->running++; /* try_end must not pump this job again */
        j->done++;
        try_end(v, t);
        j->done--;
        j->running--;
        t = v->tries;
    }
}

/* --- a port's outcome ---------------------------------------------------- */

static void write_ready(struct vscan *v);

static const char *own(struct vhost *h, const char *s)
{
    return report_strdup(h->c, s);
}

static void set_service(struct vscan *v, struct vjob *j)
{
    struct vhost *h = j->h;
    struct port_result *pr = &h->c->ports[j->pi];
    struct service_info *si = report_own(h->c, xcalloc(1, sizeof *si));
    const struct svc_result *r = j->hard_seq != SIZE_MAX ? &j->hard
                                 : j->have_soft          ? &j->soft
                                 : j->have_ssl           ? &j->ssl
                                                         : NULL;
    if (r) {
        si->name = own(h, r->service);
        si->product = own(h, r->product);
        si->version = own(h, r->version);
        si->extrainfo = own(h, r->extrainfo);
        si->hostname = own(h, r->hostname);
        si->ostype = own(h, r->ostype);
        si->devicetype = own(h, r->devicetype);
        if (r->ncpe) {
            const char **cpe = report_own(h->c, xcalloc(r->ncpe, sizeof *cpe));
            for (size_t i = 0; i < r->ncpe; i++)
                cpe[i] = own(h, r->cpe[i]);
            si->cpe = cpe;
            si->ncpe = r->ncpe;
        }
        si->method = SVC_PROBED;
        si->conf = 10;
        si->tunnel_ssl = (uint8_t)(j->tls && j->tls_ok && r != &j->ssl);
    } else if (j->wrapped) {
        si->name = "tcpwrapped";
        si->method = SVC_PROBED;
        si->conf = 8;
    } else {
        const char *table = services_name(v->cfg->svc, (enum proto)j->proto, j->port);
        si->name = j->tls && j->tls_ok ? "unknown" : own(h, table);
        si->tunnel_ssl = (uint8_t)(j->tls && j->tls_ok);
        si->method = SVC_TABLE;
        si->conf = 3;
    }
    if (!r && j->answered && j->fp) {
        char date[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(date, sizeof date, "%m/%d%%Time=%Y%m%d%H%M%S", &tm);
        size_t need = j->fplen + 128;
        char *fp = report_own(h->c, xmalloc(need));
        snprintf(fp, need, "SF-Port%u-%s:V=portscout%%I=%d%%D=%s%s%s;", j->port,
                 j->proto == PROTO_UDP ? "UDP" : "TCP", intensity(v), date,
                 j->tls && j->tls_ok ? "%T=SSL" : "", j->fp);
        si->fingerprint = fp;
    }
    if (j->cert_subject) {
        si->cert_subject = own(h, j->cert_subject);
        si->cert_issuer = own(h, j->cert_issuer);
        si->cert_not_before = j->cert_nb;
        si->cert_not_after = j->cert_na;
    }
    if (j->rpc_found) { /* grinding named the program: nmap's "2-4 (RPC #100000)" */
        char buf[64];
        const char *name = rpc_table_name(&v->rpc, j->rpc_num);
        si->name = own(h, name ? name : "rpc");
        si->product = NULL;
        if (j->rpc_lo == j->rpc_hi)
            snprintf(buf, sizeof buf, "%u", j->rpc_lo);
        else
            snprintf(buf, sizeof buf, "%u-%u", j->rpc_lo, j->rpc_hi);
        si->version = own(h, buf);
        snprintf(buf, sizeof buf, "RPC #%u", j->rpc_num);
        si->extrainfo = own(h, buf);
        si->method = SVC_PROBED;
        si->conf = 10;
        si->fingerprint = NULL;
    }
    /* an RPC program (nmap's "2-4 (RPC #100000)") */
    unsigned num, lo, hi;
    if (si->extrainfo && si->version && sscanf(si->extrainfo, "RPC #%u", &num) == 1 &&
        sscanf(si->version, "%u-%u", &lo, &hi) == 2) {
        si->rpc = 1;
        si->rpc_num = num;
        si->rpc_low = lo;
        si->rpc_high = hi;
    }
    if (j->proto == PROTO_UDP && j->answered && pr->state != PORT_OPEN) {
        pr->state = PORT_OPEN; /* it answered a probe */
        pr->reason = REASON_UDP_RESPONSE;
    }
    pr->svc = si;
}

static void job_finish(struct vscan *v, struct vjob *j)
{
    if (j->done)
        return;
    job_abandon(v, j);
    j->done = 1;
    set_service(v, j);
    svc_result_clear(&j->hard);
    svc_result_clear(&j->soft);
    svc_result_clear(&j->ssl);
    free(j->list);
    free(j->seq);
    free(j->fp);
    free(j->cert_subject);
    free(j->cert_issuer);
    free(j->grind.data);
    j->grind.data = NULL;
    j->list = NULL;
    j->seq = NULL;
    j->fp = NULL;
    j->cert_subject = j->cert_issuer = NULL;
    if (--j->h->pending == 0)
        write_ready(v);
}

/* No room for the job's next try now: it waits for the next try to end. */
static void queue_job(struct vscan *v, struct vjob *j)
{
    if (j->queued)
        return;
    j->queued = 1;
    j->qnext = NULL;
    if (v->qtail)
        v->qtail->qnext = j;
    else
        v->qhead = j;
    v->qtail = j;
}

/* Decide what can be decided and start what may start. */
static void pump(struct vscan *v, struct vjob *j)
{
    if (j->done || v->stopped)
        return;
    if (j->refused) {
        job_finish(v, j);
        return;
    }
    if (j->grinding) {
        if (j->seq[0] == S_WAITING) {
            if (v->running >= v->max_running) {
                queue_job(v, j);
                return;
            }
            j->next = 1;
            if (try_start(v, j, 0) < 0)
                j->seq[0] = S_SKIPPED;
        }
        if (j->running == 0 && j->seq[0] != S_WAITING)
            job_finish(v, j);
        return;
    }
    /* the earliest entries in order: a hard match counts once all before
     * it are settled (the NULL probe's wait excepted) */
    size_t i = 0;
    for (; i < j->n; i++) {
        if (j->seq[i] == S_DONE || j->seq[i] == S_SKIPPED) {
            if (i == j->hard_seq)
                break;
            continue;
        }
        if (i == j->null_seq && j->seq[i] == S_RUNNING)
            continue;
        break;
    }
    if (i < j->n && i == j->hard_seq && j->seq[i] == S_DONE) {
        struct svc_result *r = &j->hard;
        if (!j->tls && r->service && strcmp(r->service, "ssl") == 0 && v->ssl_ctx) {
            /* TLS: everything again inside it */
            job_abandon(v, j);
            svc_result_clear(&j->ssl);
            j->ssl = *r;
            j->have_ssl = 1;
            memset(&j->hard, 0, sizeof j->hard);
            svc_result_clear(&j->soft);
            j->have_soft = 0;
            j->tls = 1;
            build_list(v, j);
            pump(v, j);
            return;
        }
        if (speaks_rpc(r)) {
            grind_start(v, j);
            pump(v, j);
            return;
        }
        job_finish(v, j);
        return;
    }
    if (i == j->n && j->running == 0) {
        if (j->have_soft && speaks_rpc(&j->soft)) {
            grind_start(v, j);
            pump(v, j);
            return;
        }
        job_finish(v, j);
        return;
    }
    /* start more, within the port's window and the stage's room */
    while (j->running < WINDOW && j->next < j->n) {
        if (j->seq[j->next] != S_WAITING) {
            j->next++;
            continue;
        }
        if (v->running >= v->max_running) {
            queue_job(v, j);
            return;
        }
        size_t k = j->next++;
        int r = try_start(v, j, k);
        if (r < 0) {
            j->next--;
            if (v->running == 0) { /* nothing to wait for: give the port up */
                j->seq[k] = S_SKIPPED;
                j->next++;
                continue;
            }
            v->max_running = v->running; /* out of descriptors: less at once */
            continue;
        }
        if (j->done)
            return;
    }
    if (j->running == 0 && j->next >= j->n)
        pump(v, j);
}

/* --- hosts ---------------------------------------------------------------- */

/* Write the hosts at the front whose ports are all settled. */
static void write_ready(struct vscan *v)
{
    while (v->head && v->head->pending == 0) {
        struct vhost *h = v->head;
        v->head = h->next;
        if (!v->head)
            v->tail = NULL;
        v->nheld--;
        v->write(v->arg, &h->c->r);
        report_copy_free(h->c);
        free(h->jobs);
        free(h);
    }
}

static int wants_probes(const struct vscan *v, const struct port_result *p)
{
    if (svc_db_excluded(v->db, p->proto, p->port))
        return 0;
    if (p->proto == PROTO_TCP)
        return p->state == PORT_OPEN;
    if (p->proto == PROTO_UDP)
        return p->state == PORT_OPEN || p->state == PORT_OPEN_FILTERED;
    return 0;
}

void vscan_host_done(struct vscan *v, const struct host_report *r)
{
    struct vhost *h = xcalloc(1, sizeof *h);
    h->c = report_copy_new(r);
    if (v->tail)
        v->tail->next = h;
    else
        v->head = h;
    v->tail = h;
    v->nheld++;
    if (r->up && !r->listed && !v->stopped) {
        for (size_t i = 0; i < r->nports; i++)
            h->njobs += wants_probes(v, &r->ports[i]);
        h->jobs = xcalloc(h->njobs ? h->njobs : 1, sizeof *h->jobs);
        size_t k = 0;
        for (size_t i = 0; i < r->nports; i++) {
            if (!wants_probes(v, &r->ports[i]))
                continue;
            struct vjob *j = &h->jobs[k++];
            j->h = h;
            j->pi = i;
            j->port = r->ports[i].port;
            j->proto = r->ports[i].proto;
            build_list(v, j);
        }
        h->pending = h->njobs;
        for (size_t i = 0; i < h->njobs; i++)
            pump(v, &h->jobs[i]);
    }
    write_ready(v);
}

struct vscan *vscan_new(const struct scan_config *cfg, struct ev_loop *loop,
                        const struct svc_db *db, FILE *trace, vscan_write_fn write, void *arg)
{
    struct vscan *v = xcalloc(1, sizeof *v);
    v->cfg = cfg;
    v->loop = loop;
    v->db = db;
    v->trace = trace;
    v->write = write;
    v->arg = arg;
    /* probes at once: nmap's templates scale its service scan the same way */
    static const unsigned room[6] = {4, 8, 16, 64, 128, 256};
    int level = cfg->timing.level;
    v->max_running = room[level < 0 ? 0 : level > 5 ? 5 : level];
    v->ssl_ctx = SSL_CTX_new(TLS_client_method());
    if (v->ssl_ctx) {
        /* any server, however old or badly configured: we only look */
        SSL_CTX_set_verify(v->ssl_ctx, SSL_VERIFY_NONE, NULL);
        SSL_CTX_set_security_level(v->ssl_ctx, 0);
        SSL_CTX_set_min_proto_version(v->ssl_ctx, 0);
        SSL_CTX_set_options(v->ssl_ctx, SSL_OP_LEGACY_SERVER_CONNECT);
    }
    return v;
}

size_t vscan_held(const struct vscan *v)
{
    return v ? v->nheld : 0;
}

usec_t vscan_next_timeout(const struct vscan *v)
{
    if (!v || !v->tries)
        return -1;
    usec_t now = now_usec(), next = INT64_MAX;
    for (const struct vtry *t = v->tries; t; t = t->next)
        if (t->deadline < next)
            next = t->deadline;
    return next <= now ? 0 : next - now;
}

void vscan_tick(struct vscan *v)
{
    if (!v)
        return;
    usec_t now = now_usec();
    /* (from the head again after each: ending a try starts others) */
    for (struct vtry *t = v->tries; t;) {
        if (t->deadline > now) {
            t = t->next;
            continue;
        }
        if (t->st == T_READING && t->len)
            try_match(v, t, 1);
        try_end(v, t);
        t = v->tries;
    }
}

int vscan_wait(struct vscan *v, usec_t max_wait)
{
    usec_t w = vscan_next_timeout(v);
    if (w < 0 || w > max_wait)
        w = max_wait;
    int r = ev_wait(v->loop, w);
    vscan_tick(v);
    return r < 0 ? r : 0;
}

void vscan_flush(struct vscan *v)
{
    if (!v)
        return;
    v->stopped = 1;
    v->qhead = v->qtail = NULL;
    /* settle every unfinished port with what it has; finishing one may
     * write (and free) its host, so look again from the start each time */
    for (;;) {
        struct vjob *j = NULL;
        for (struct vhost *h = v->head; h && !j; h = h->next)
            for (size_t i = 0; i < h->njobs && !j; i++)
                if (!h->jobs[i].done)
                    j = &h->jobs[i];
        if (!j)
            break;
        job_finish(v, j);
    }
    write_ready(v);
}

void vscan_free(struct vscan *v)
{
    if (!v)
        return;
    vscan_flush(v);
    SSL_CTX_free(v->ssl_ctx);
    rpc_table_free(&v->rpc);
    free(v);
}
