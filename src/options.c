/* SPDX-License-Identifier: MIT */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lib/readfile.h"
#include "lib/xalloc.h"

#define MAX_DATA 1400 /* --data*: bytes, as nmap's limit */

#ifndef PORTSCOUT_VERSION
#define PORTSCOUT_VERSION "0"
#endif

/* Bits of timing_mask: which timing fields the user set explicitly. */
enum {
    T_INITIAL_RTT = 1 << 0,
    T_MIN_RTT = 1 << 1,
    T_MAX_RTT = 1 << 2,
    T_MAX_RETRIES = 1 << 3,
    T_HOST_TIMEOUT = 1 << 4,
    T_SCAN_DELAY = 1 << 5,
    T_MAX_SCAN_DELAY = 1 << 6,
    T_MIN_RATE = 1 << 7,
    T_MAX_RATE = 1 << 8,
    T_MIN_PAR = 1 << 9,
    T_MAX_PAR = 1 << 10,
    T_MIN_HG = 1 << 11,
    T_MAX_HG = 1 << 12,
};

/* Options of nmap that a later part of portscout implements: refused with
 * a clear message rather than silently ignored. */
static const char *const planned[] = {
    "-sY", "-sZ", "-sO", "-sI",
    "-sC", "-PY", "-O", "-oS", "-D",
    "-f", "-iR",
    "--traceroute", "--script", "--osscan-limit",
    "--osscan-guess", "--mtu",
    "--spoof-mac",
    "--port-ratio", "--ip-options", "--proxies", "--traceroute", "--max-os-tries",
    NULL,
};

__attribute__((format(printf, 3, 4)))
static int err_fmt(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int is_planned(const char *opt)
{
    for (int i = 0; planned[i]; i++)
        if (strcmp(planned[i], opt) == 0)
            return 1;
    return 0;
}

static int parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_rate(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !(v > 0) || v > 1e9)
        return -1;
    *out = v;
    return 0;
}

static void set_string(char **dst, const char *v)
{
    free(*dst);
    *dst = xstrdup(v);
}

static int parse_timing_level(const char *v, int *level)
{
    static const char *const names[] = {"paranoid", "sneaky", "polite",
                                        "normal", "aggressive", "insane"};
    if (strlen(v) == 1 && v[0] >= '0' && v[0] <= '5') {
        *level = v[0] - '0';
        return 0;
    }
    for (int i = 0; i < 6; i++)
        if (strcasecmp(v, names[i]) == 0) {
            *level = i;
            return 0;
        }
    return -1;
}

/* --scanflags: a number (9, 0x29) or flag names run together in any order
 * ("URGPSHFIN", "SYNECE"). */
static int parse_scanflags(const char *v, int *out)
{
    static const struct {
        const char *name;
        int bit;
    } names[] = {{"FIN", 0x01}, {"SYN", 0x02}, {"RST", 0x04}, {"PSH", 0x08},
                 {"ACK", 0x10}, {"URG", 0x20}, {"ECE", 0x40}, {"CWR", 0x80},
                 {"ALL", 0xff}, {"NONE", 0}};
    if (isdigit((unsigned char)v[0])) {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 0);
        if (*end || errno || n < 0 || n > 255)
            return -1;
        *out = (int)n;
        return 0;
    }
    int bits = 0;
    if (!*v)
        return -1;
    while (*v) {
        size_t i;
        for (i = 0; i < sizeof names / sizeof names[0]; i++) {
            size_t len = strlen(names[i].name);
            if (strncasecmp(v, names[i].name, len) == 0) {
                bits |= names[i].bit;
                v += len;
                break;
            }
        }
        if (i == sizeof names / sizeof names[0])
            return -1;
    }
    *out = bits;
    return 0;
}

/* --data 0xdeadbeef / --data \\xde\\xad / --data deadbeef: hex bytes. */
static int parse_data_hex(struct options *o, const char *val, char *err, size_t errlen)
{
    uint8_t *buf = xmalloc(strlen(val) / 2 + 1);
    size_t n = 0;
    const char *p = val;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    while (*p) {
        if (p[0] == '\\' && (p[1] == 'x' || p[1] == 'X'))
            p += 2;
        if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) || n == MAX_DATA) {
            free(buf);
            return err_fmt(err, errlen, "invalid --data \"%s\": hex bytes (e.g. 0xdeadbeef or "
                                        "\\xde\\xad), at most %d", val, MAX_DATA);
        }
        char hx[3] = {p[0], p[1], 0};
        buf[n++] = (uint8_t)strtoul(hx, NULL, 16);
        p += 2;
    }
    free(o->cfg.data);
    o->cfg.data = buf;
    o->cfg.datalen = n;
    o->cfg.data_set = 1;
    return 0;
}

/* A long option (with its leading dashes removed) and its value. */
static int long_option(struct options *o, const char *name, const char *val, char *err,
                       size_t errlen)
{
    struct timing *ts = &o->timing_set;
    long n;
#define TIME_OPT(optname, member, bit)                                                         \
    if (strcmp(name, optname) == 0) {                                                          \
        if (parse_time_usec(val, USEC_PER_SEC, &ts->member) != 0)                              \
            return err_fmt(err, errlen, "invalid time \"%s\" for --%s (e.g. 500ms, 2s, 1m)", val, \
                           name);                                                              \
        o->timing_mask |= bit;                                                                 \
        return 0;                                                                              \
    }
    TIME_OPT("initial-rtt-timeout", initial_rtt, T_INITIAL_RTT)
    TIME_OPT("min-rtt-timeout", min_rtt, T_MIN_RTT)
    TIME_OPT("max-rtt-timeout", max_rtt, T_MAX_RTT)
    TIME_OPT("host-timeout", host_timeout, T_HOST_TIMEOUT)
    TIME_OPT("scan-delay", scan_delay, T_SCAN_DELAY)
    TIME_OPT("max-scan-delay", max_scan_delay, T_MAX_SCAN_DELAY)
    if (strcmp(name, "stats-every") == 0) {
        if (parse_time_usec(val, USEC_PER_SEC, &o->stats_every) != 0 || o->stats_every <= 0)
            return err_fmt(err, errlen, "invalid time \"%s\" for --stats-every (e.g. 10s)", val);
        return 0;
    }
#undef TIME_OPT
#define INT_OPT(optname, lo, hi, stmt)                                                         \
    if (strcmp(name, optname) == 0) {                                                          \
        if (parse_int(val, lo, hi, &n) != 0)                                                   \
            return err_fmt(err, errlen, "invalid value \"%s\" for --%s (%ld-%ld)", val, name,  \
                           (long)(lo), (long)(hi));                                            \
        stmt;                                                                                  \
        return 0;                                                                              \
    }
    INT_OPT("max-retries", 0, 50, (ts->max_retries = (int)n, o->timing_mask |= T_MAX_RETRIES))
    INT_OPT("min-parallelism", 1, 100000,
            (ts->min_parallelism = (int)n, o->timing_mask |= T_MIN_PAR))
    INT_OPT("max-parallelism", 1, 100000,
            (ts->max_parallelism = (int)n, o->timing_mask |= T_MAX_PAR))
    INT_OPT("min-hostgroup", 1, 100000, (ts->min_hostgroup = (int)n, o->timing_mask |= T_MIN_HG))
    INT_OPT("max-hostgroup", 1, 100000, (ts->max_hostgroup = (int)n, o->timing_mask |= T_MAX_HG))
    INT_OPT("top-ports", 1, 65536, o->top_ports = (int)n)
    INT_OPT("source-port", 1, 65535, o->cfg.source_port = (int)n)
    INT_OPT("ttl", 1, 255, o->cfg.ttl = (int)n)
#undef INT_OPT
    if (strcmp(name, "min-rate") == 0 || strcmp(name, "max-rate") == 0) {
        double r;
        if (parse_rate(val, &r) != 0)
            return err_fmt(err, errlen, "invalid rate \"%s\" for --%s (packets per second > 0)",
                           val, name);
        if (name[1] == 'i') {
            ts->min_rate = r;
            o->timing_mask |= T_MIN_RATE;
        } else {
            ts->max_rate = r;
            o->timing_mask |= T_MAX_RATE;
        }
        return 0;
    }
    if (strcmp(name, "scanflags") == 0) {
        if (parse_scanflags(val, &o->cfg.scanflags) != 0)
            return err_fmt(err, errlen, "invalid --scanflags \"%s\": use a number (0-255) or "
                                        "flag names such as URGPSHFIN (URG ACK PSH RST SYN FIN "
                                        "ECE CWR)", val);
        return 0;
    }
    if (strcmp(name, "exclude") == 0) {
        /* parsed after the loop, once -6 is known */
        size_t used = o->exclude_spec ? strlen(o->exclude_spec) : 0;
        o->exclude_spec = xreallocarray(o->exclude_spec, used + strlen(val) + 2, 1);
        sprintf(o->exclude_spec + used, "%s%s", used ? "," : "", val);
        return 0;
    }
    if (strcmp(name, "excludefile") == 0)
        return set_string(&o->exclude_file, val), 0;
    if (strcmp(name, "exclude-ports") == 0)
        return set_string(&o->exclude_ports, val), 0;
    if (strcmp(name, "datadir") == 0)
        return set_string(&o->datadir, val), 0;
    if (strcmp(name, "stylesheet") == 0)
        return set_string(&o->stylesheet, val), 0;
    if (strcmp(name, "servicedb") == 0)
        return set_string(&o->servicedb, val), 0;
    if (strcmp(name, "versiondb") == 0) {
        if (access(val, R_OK) != 0)
            return err_fmt(err, errlen, "--versiondb %s: %s", val, strerror(errno));
        return set_string(&o->cfg.versiondb, val), 0;
    }
    if (strcmp(name, "version-intensity") == 0) {
        if (parse_int(val, 0, 9, &n) != 0)
            return err_fmt(err, errlen, "--version-intensity must be between 0 and 9");
        o->cfg.version_intensity = (int)n;
        return 0;
    }
    if (strcmp(name, "data") == 0)
        return parse_data_hex(o, val, err, errlen);
    if (strcmp(name, "data-string") == 0) {
        size_t len = strlen(val);
        if (len > MAX_DATA)
            return err_fmt(err, errlen, "--data-string: at most %d bytes", MAX_DATA);
        free(o->cfg.data);
        o->cfg.data = (uint8_t *)xstrdup(val);
        o->cfg.datalen = len;
        o->cfg.data_set = 1;
        return 0;
    }
    if (strcmp(name, "data-length") == 0) {
        if (parse_int(val, 0, MAX_DATA, &n) != 0)
            return err_fmt(err, errlen, "invalid value \"%s\" for --data-length (0-%d)", val,
                           MAX_DATA);
        free(o->cfg.data);
        o->cfg.data = xcalloc(n ? (size_t)n : 1, 1);
        o->cfg.datalen = (size_t)n;
        o->cfg.data_set = 1;
        if (n && getrandom(o->cfg.data, (size_t)n, 0) != n)
            for (long i = 0; i < n; i++)
                o->cfg.data[i] = (uint8_t)rand();
        return 0;
    }
    if (strcmp(name, "dns-servers") == 0) {
        /* checked here so that a typo is not a silent fallback */
        char *copy = xstrdup(val), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            struct ip_addr a;
            if (ip_addr_parse(t, AF_UNSPEC, &a) != 0) {
                err_fmt(err, errlen, "--dns-servers: \"%s\" is not an IP address", t);
                free(copy);
                return -1;
            }
        }
        free(copy);
        if (!*val)
            return err_fmt(err, errlen, "--dns-servers needs an address");
        return set_string(&o->cfg.dns_servers, val), 0;
    }
    if (strcmp(name, "seed") == 0) {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(val, &end, 0);
        if (!*val || *end || errno)
            return err_fmt(err, errlen, "invalid value \"%s\" for --seed", val);
        o->cfg.seed = s;
        o->seed_set = 1;
        return 0;
    }
    return err_fmt(err, errlen, "unknown option --%s", name);
}

/* Long options that take no value. */
static int long_flag(struct options *o, const char *name)
{
    if (strcmp(name, "reason") == 0)
        o->cfg.reason = 1;
    else if (strcmp(name, "open") == 0)
        o->cfg.open_only = 1;
    else if (strcmp(name, "append-output") == 0)
        o->append = 1;
    else if (strcmp(name, "webxml") == 0)
        set_string(&o->stylesheet, "https://svn.nmap.org/nmap/docs/nmap.xsl");
    else if (strcmp(name, "no-stylesheet") == 0)
        o->no_stylesheet = 1;
    else if (strcmp(name, "packet-trace") == 0)
        o->cfg.packet_trace = 1;
    else if (strcmp(name, "defeat-icmp-ratelimit") == 0)
        o->cfg.defeat_icmp_ratelimit = 1;
    else if (strcmp(name, "version-light") == 0)
        o->cfg.version_intensity = 2;
    else if (strcmp(name, "version-all") == 0)
        o->cfg.version_intensity = 9;
    else if (strcmp(name, "version-trace") == 0)
        o->cfg.version_trace = 1;
    else if (strcmp(name, "defeat-rst-ratelimit") == 0)
        o->cfg.defeat_rst_ratelimit = 1;
    else if (strcmp(name, "badsum") == 0)
        o->cfg.badsum = 1;
    else if (strcmp(name, "randomize-hosts") == 0 || strcmp(name, "rH") == 0)
        o->cfg.randomize_hosts = 1;
    else if (strcmp(name, "system-dns") == 0)
        o->cfg.system_dns = 1;
    else if (strcmp(name, "disable-arp-ping") == 0)
        o->cfg.arp_ping = 0;
    else if (strcmp(name, "send-ip") == 0)
        o->cfg.arp_ping = 0, o->send_ip = 1;
    else if (strcmp(name, "send-eth") == 0)
        o->send_eth = 1;
    else if (strcmp(name, "privileged") == 0)
        o->privileged = 1;
    else if (strcmp(name, "unprivileged") == 0)
        o->privileged = 0;
    else if (strcmp(name, "help") == 0)
        o->action = ACTION_HELP;
    else if (strcmp(name, "version") == 0)
        o->action = ACTION_VERSION;
    else
        return 0;
    return 1;
}

static const char *const valued_long[] = {
    "initial-rtt-timeout", "min-rtt-timeout", "max-rtt-timeout", "host-timeout",
    "scan-delay", "max-scan-delay", "max-retries", "min-parallelism", "max-parallelism",
    "min-hostgroup", "max-hostgroup", "top-ports", "min-rate", "max-rate", "exclude",
    "excludefile", "exclude-ports", "datadir", "servicedb", "seed", "stylesheet", "stats-every",
    "scanflags", "source-port", "ttl", "dns-servers", "data", "data-string", "data-length",
    "version-intensity", "versiondb", NULL,
};

static int takes_value(const char *name)
{
    for (int i = 0; valued_long[i]; i++)
        if (strcmp(valued_long[i], name) == 0)
            return 1;
    return 0;
}

/* -v, -vv, -v3; -d, -dd, -d3 */
static int level_flag(const char *arg, char letter, int *level)
{
    if (arg[1] != letter)
        return 0;
    const char *p = arg + 1;
    if (isdigit((unsigned char)p[1]) && !p[2]) {
        *level = p[1] - '0';
        return 1;
    }
    while (*p == letter)
        p++;
    if (*p)
        return 0;
    *level += (int)(p - arg - 1);
    return 1;
}

/* -sX... scan types: one TCP technique per scan, as in nmap. */
static int scan_types(struct options *o, const char *arg, char *err, size_t errlen)
{
    if (!arg[2])
        return err_fmt(err, errlen, "-s needs a scan type, such as -sS or -sT");
    for (const char *c = arg + 2; *c; c++) {
        char opt[4] = {'-', 's', *c, 0};
        if (*c == 'n' || *c == 'P') {
            o->cfg.ping_only = 1;
            continue;
        }
        if (*c == 'L') {
            o->cfg.list_scan = 1;
            continue;
        }
        if (*c == 'U') {
            o->udp = 1;
            continue;
        }
        if (*c == 'V' || *c == 'R') { /* -sR: nmap's old RPC scan, now part of -sV */
            o->cfg.version_scan = 1;
            continue;
        }
        const struct technique *t = technique_find(opt);
        if (t) {
            if (o->tech_set && o->cfg.tech != t)
                return err_fmt(err, errlen, "You specified more than one type of TCP scan.  "
                                            "Please choose only one of -sA, -sW, -sM, -sN, -sF, "
                                            "-sX, -sS and -sT");
            o->cfg.tech = t;
            o->tech_set = 1;
            continue;
        }
        if (is_planned(opt))
            return err_fmt(err, errlen, "%s is not implemented yet in portscout %s", opt,
                           PORTSCOUT_VERSION);
        return err_fmt(err, errlen, "unknown scan type %s", opt);
    }
    return 0;
}

static void add_ping(struct options *o, enum ping_kind kind, unsigned arg)
{
    for (size_t i = 0; i < o->npings; i++)
        if (o->pings[i].kind == kind && o->pings[i].arg == arg)
            return;
    o->pings = xreallocarray(o->pings, o->npings + 1, sizeof *o->pings);
    o->pings[o->npings++] = (struct ping_probe){(uint8_t)kind, (uint16_t)arg};
}

/* The list of a -PS/-PA/-PU/-PO option: numbers and ranges, comma
 * separated ("22,80,8000-8010"); an empty list takes nmap's default. */
static int ping_list(struct options *o, enum ping_kind kind, const char *list, unsigned dflt,
                     unsigned max, const char *opt, char *err, size_t errlen)
{
    if (!*list) {
        add_ping(o, kind, dflt);
        return 0;
    }
    const char *p = list;
    for (;;) {
        char *end;
        if (!isdigit((unsigned char)*p))
            goto bad;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        p = end;
        if (*p == '-') {
            if (!isdigit((unsigned char)*++p))
                goto bad;
            hi = strtoul(p, &end, 10);
            p = end;
        }
        if (lo > max || hi > max || lo > hi || (kind != PING_IPPROTO && lo == 0))
            goto bad;
        if (hi - lo > 4096)
            return err_fmt(err, errlen, "%s%s: more than 4096 discovery probes", opt, list);
        for (unsigned long v = lo; v <= hi; v++)
            add_ping(o, kind, (unsigned)v);
        if (!*p)
            return 0;
        if (*p++ != ',')
            goto bad;
    }
bad:
    return err_fmt(err, errlen, "invalid %s list \"%s\" (numbers 1-%u and ranges, e.g. "
                                "%s22,80,8000-8010)", opt, list, max, opt);
}

/* -Pn, -PS[ports], -PA[ports], -PU[ports], -PE, -PP, -PM, -PO[protocols],
 * -PR: each adds to the discovery probes, replacing the defaults. */
static int ping_option(struct options *o, const char *arg, char *err, size_t errlen)
{
    char opt[4] = {'-', 'P', arg[2], 0};
    const char *rest = arg[2] ? arg + 3 : arg + 2;
    switch (arg[2]) {
    case 'n': case 'N': case '0':
        if (*rest)
            break;
        o->cfg.ping = 0;
        return 0;
    case 'S': return ping_list(o, PING_TCP_SYN, rest, 80, 65535, opt, err, errlen);
    case 'A': return ping_list(o, PING_TCP_ACK, rest, 80, 65535, opt, err, errlen);
    case 'U': return ping_list(o, PING_UDP, rest, 40125, 65535, opt, err, errlen);
    case 'O':
        if (!*rest) {
            add_ping(o, PING_IPPROTO, IPPROTO_ICMP);
            add_ping(o, PING_IPPROTO, IPPROTO_IGMP);
            add_ping(o, PING_IPPROTO, IPPROTO_IPIP);
            return 0;
        }
        return ping_list(o, PING_IPPROTO, rest, 0, 255, opt, err, errlen);
    case 'E': case 'P': case 'M': case 'R':
        if (*rest)
            break;
        add_ping(o, arg[2] == 'E' ? PING_ICMP_ECHO : arg[2] == 'P' ? PING_ICMP_TSTAMP
                    : arg[2] == 'M' ? PING_ICMP_MASK : PING_ARP, 0);
        if (arg[2] == 'R')
            o->arp_only = 1;
        return 0;
    default:
        if (arg[2] && is_planned(opt))
            return err_fmt(err, errlen, "%s is not implemented yet in portscout %s", opt,
                           PORTSCOUT_VERSION);
        break;
    }
    return err_fmt(err, errlen, "unknown option %s", arg);
}

/* Settle the discovery probes once the privilege is known: nmap's defaults
 * (echo, SYN to 443, ACK to 80, timestamp; ARP/ND on an attached
 * Ethernet), or connects to 80 and 443 without raw sockets. */
static int choose_pings(struct options *o, int raw, char *err, size_t errlen)
{
    struct scan_config *c = &o->cfg;
    if (c->ping_only && o->tech_set)
        return err_fmt(err, errlen, "-sn (no port scan) cannot be combined with a port scan "
                                    "type such as %s", c->tech->option);
    if (c->list_scan && (o->tech_set || c->ping_only))
        return err_fmt(err, errlen, "-sL (list scan) cannot be combined with -sn or a port "
                                    "scan type");
    /* as nmap: -Pn and -sL override -P probes (nothing is sent for them) */
    if (c->list_scan || !c->ping)
        o->npings = 0, o->arp_only = 0;
    if (o->npings == 0) {
        if (raw) {
            add_ping(o, PING_ICMP_ECHO, 0);
            add_ping(o, PING_TCP_SYN, 443);
            add_ping(o, PING_TCP_ACK, 80);
            if (c->family == AF_INET)
                add_ping(o, PING_ICMP_TSTAMP, 0);
        } else {
            add_ping(o, PING_TCP_SYN, 80);
            add_ping(o, PING_TCP_SYN, 443);
        }
    } else if (!raw) {
        for (size_t i = 0; i < o->npings; i++)
            if (o->pings[i].kind != PING_TCP_SYN)
                return err_fmt(err, errlen, "discovery probes other than -PS send raw packets "
                                            "and need root or CAP_NET_RAW (-PS works without, "
                                            "as TCP connects)");
    }
    if (c->family == AF_INET6)
        for (size_t i = 0; i < o->npings; i++)
            if (o->pings[i].kind == PING_ICMP_TSTAMP || o->pings[i].kind == PING_ICMP_MASK)
                return err_fmt(err, errlen, "-PP and -PM are ICMPv4 only (ICMPv6 has no "
                                            "timestamp or address mask messages)");
    if (!raw)
        c->arp_ping = 0;
    /* as nmap: discovery is raw whenever it can be, even for -sT */
    c->ping_tech = raw ? &technique_syn : &technique_connect;
    if (o->arp_only && !c->arp_ping)
        return err_fmt(err, errlen, "-PR (ARP ping) cannot be combined with --send-ip or "
                                    "--disable-arp-ping");
    c->pings = o->pings;
    c->npings = o->npings;
    return 0;
}

/* The value of an option given as "-pVALUE" or "-p VALUE". */
static const char *attached_or_next(const char *arg, size_t skip, int argc, char **argv, int *i)
{
    if (arg[skip])
        return arg + skip;
    if (*i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static char *join_args(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = xmalloc(len), *p = s;
    for (int i = 0; i < argc; i++)
        p += sprintf(p, i ? " %s" : "%s", argv[i]);
    *p = '\0';
    return s;
}

static int short_option(struct options *o, const char *arg, int argc, char **argv, int *i,
                        char *err, size_t errlen)
{
    const char *v;
    int level;
    switch (arg[1]) {
    case 's':
        return scan_types(o, arg, err, errlen);
    case 'p':
        if (!(v = attached_or_next(arg, 2, argc, argv, i)))
            return err_fmt(err, errlen, "-p needs a port specification");
        set_string(&o->port_spec, v);
        return 0;
    case 'P':
        if (strcmp(arg, "-Pn") == 0 || strcmp(arg, "-P0") == 0 || strcmp(arg, "-PN") == 0) {
            o->cfg.ping = 0;
            return 0;
        }
        return ping_option(o, arg, err, errlen);
    case 'T':
        if (!(v = attached_or_next(arg, 2, argc, argv, i)) || parse_timing_level(v, &level))
            return err_fmt(err, errlen, "invalid timing template %s (use -T0 to -T5)", arg);
        o->cfg.timing.level = level;
        return 0;
    case 'o':
        if (arg[2] && strchr("NXGJA", arg[2]) && !arg[3]) {
            if (*i + 1 >= argc)
                return err_fmt(err, errlen, "%s needs a file name (- for standard output)", arg);
            char **dst = arg[2] == 'N' ? &o->normal_file
                       : arg[2] == 'X' ? &o->xml_file
                       : arg[2] == 'G' ? &o->grepable_file
                       : arg[2] == 'J' ? &o->json_file : &o->all_base;
            set_string(dst, argv[++*i]);
            if (arg[2] == 'A' && strcmp(*dst, "-") == 0)
                return err_fmt(err, errlen, "-oA needs a base name, not -");
            return 0;
        }
        break;
    case 'i':
        if (arg[2] == 'L' && !arg[3]) {
            if (*i + 1 >= argc)
                return err_fmt(err, errlen, "-iL needs a file name (- for standard input)");
            set_string(&o->input_file, argv[++*i]);
            return 0;
        }
        break;
    case 'g':
        if (!(v = attached_or_next(arg, 2, argc, argv, i)))
            return err_fmt(err, errlen, "-g needs a port number");
        return long_option(o, "source-port", v, err, errlen);
    case 'S':
        if (!(v = attached_or_next(arg, 2, argc, argv, i)))
            return err_fmt(err, errlen, "-S needs a source address");
        if (ip_addr_parse(v, AF_UNSPEC, &o->cfg.source) != 0)
            return err_fmt(err, errlen, "-S needs an IPv4 or IPv6 address, not \"%s\"", v);
        return 0;
    case 'e':
        if (!(v = attached_or_next(arg, 2, argc, argv, i)) || !*v)
            return err_fmt(err, errlen, "-e needs an interface name");
        if (strlen(v) >= IF_NAMESIZE)
            return err_fmt(err, errlen, "-e: interface name \"%s\" is too long", v);
        set_string(&o->cfg.iface, v);
        return 0;
    case 'v':
        if (level_flag(arg, 'v', &o->cfg.verbose))
            return 0;
        break;
    case 'd':
        if (level_flag(arg, 'd', &o->cfg.debug))
            return 0;
        break;
    default:
        break;
    }
    if (!arg[2]) {
        switch (arg[1]) {
        case 'n': o->cfg.dns = DNS_NEVER; return 0;
        case 'R': o->cfg.dns = DNS_ALWAYS; return 0;
        case 'r': o->cfg.randomize_ports = 0; return 0;
        case 'F': o->top_ports = 100; o->fast = 1; return 0;
        case '6': o->cfg.family = AF_INET6; return 0;
        case '4': o->cfg.family = AF_INET; return 0;
        case 'h': o->action = ACTION_HELP; return 0;
        case 'V': o->action = ACTION_VERSION; return 0;
        case 'A': o->cfg.version_scan = 1; o->cfg.aggressive = 1; return 0;
        default: break;
        }
    }
    char opt[4] = {arg[0], arg[1], arg[1] ? arg[2] : 0, 0};
    if (is_planned(arg) || is_planned(opt) || (opt[2] && (opt[2] = 0, is_planned(opt))))
        return err_fmt(err, errlen, "%s is not implemented yet in portscout %s", arg,
                       PORTSCOUT_VERSION);
    return err_fmt(err, errlen, "unknown option %s", arg);
}

/* nmap's default: a SYN scan when raw packets can be sent, else connect.
 * A raw technique asked for without the privilege is an error. */
static int choose_technique(struct options *o, int raw, char *err, size_t errlen)
{
    if (!o->tech_set && !o->udp)
        o->cfg.tech = raw || o->cfg.scanflags >= 0 ? &technique_syn : &technique_connect;
    if (o->udp && !raw)
        return err_fmt(err, errlen, "-sU sends raw packets and needs root or CAP_NET_RAW");
    /* -sU alone scans UDP only; with a TCP scan type, both at once */
    o->cfg.techs[PROTO_TCP] = o->tech_set || !o->udp ? o->cfg.tech : NULL;
    o->cfg.techs[PROTO_UDP] = o->udp ? &technique_udp : NULL;
    if (!o->cfg.techs[PROTO_TCP])
        o->cfg.tech = &technique_udp;
    if (o->udp && o->cfg.scanflags >= 0 && !o->tech_set)
        return err_fmt(err, errlen, "--scanflags needs a TCP raw scan such as -sS");
    if (o->cfg.tech->privileged && !raw)
        return err_fmt(err, errlen, "%s sends raw packets and needs root or CAP_NET_RAW "
                                    "(-sT works without)", o->cfg.tech->option);
    if (o->cfg.tech == &technique_connect && o->cfg.scanflags >= 0)
        return err_fmt(err, errlen, "--scanflags needs a raw scan such as -sS, not -sT");
    if (!o->cfg.tech->privileged && !o->quiet_warnings) {
        /* a connect scan leaves packets to the kernel: say what is ignored */
        const char *what = o->cfg.source_port >= 0 ? "-g/--source-port"
                         : o->cfg.ttl ? "--ttl"
                         : o->cfg.badsum ? "--badsum"
                         : o->cfg.source.family ? "-S"
                         : o->cfg.iface ? "-e" : NULL;
        if (what)
            fprintf(stderr, "WARNING: %s applies to raw-packet scans and is ignored by the "
                            "connect scan (-sT); use a raw scan such as -sS.\n", what);
    }
    if (o->cfg.source.family && o->cfg.source.family != o->cfg.family)
        return err_fmt(err, errlen, "-S %s address with an %s scan%s",
                       o->cfg.source.family == AF_INET6 ? "IPv6" : "IPv4",
                       o->cfg.family == AF_INET6 ? "IPv6" : "IPv4",
                       o->cfg.family == AF_INET ? " (add -6)" : "");
    return 0;
}

static void apply_timing(struct options *o)
{
    struct timing *t = &o->cfg.timing, *s = &o->timing_set;
    unsigned m = o->timing_mask;
    timing_template(t, t->level);
    if (m & T_INITIAL_RTT) t->initial_rtt = s->initial_rtt;
    if (m & T_MIN_RTT) t->min_rtt = s->min_rtt;
    if (m & T_MAX_RTT) t->max_rtt = s->max_rtt;
    if (m & T_MAX_RETRIES) t->max_retries = s->max_retries;
    if (m & T_HOST_TIMEOUT) t->host_timeout = s->host_timeout;
    if (m & T_SCAN_DELAY) t->scan_delay = s->scan_delay;
    if (m & T_MAX_SCAN_DELAY) t->max_scan_delay = s->max_scan_delay;
    if (m & T_MIN_RATE) t->min_rate = s->min_rate;
    if (m & T_MAX_RATE) t->max_rate = s->max_rate;
    if (m & T_MIN_PAR) t->min_parallelism = s->min_parallelism;
    if (m & T_MAX_PAR) t->max_parallelism = s->max_parallelism;
    if (m & T_MIN_HG) t->min_hostgroup = s->min_hostgroup;
    if (m & T_MAX_HG) t->max_hostgroup = s->max_hostgroup;
    /* nmap: an explicit maximum below the template's minimum and initial
     * timeouts lowers them; an explicit minimum above the maximum raises it */
    if ((m & T_MAX_RTT) && !(m & T_MIN_RTT) && t->min_rtt > t->max_rtt)
        t->min_rtt = t->max_rtt;
    if ((m & T_MAX_RTT) && !(m & T_INITIAL_RTT) && t->initial_rtt > t->max_rtt)
        t->initial_rtt = t->max_rtt;
    if ((m & T_MIN_RTT) && !(m & T_MAX_RTT) && t->max_rtt < t->min_rtt)
        t->max_rtt = t->min_rtt;
    if ((m & T_INITIAL_RTT) && !(m & T_MAX_RTT) && t->max_rtt < t->initial_rtt)
        t->max_rtt = t->initial_rtt;
    if (t->scan_delay > t->max_scan_delay)
        t->max_scan_delay = t->scan_delay;
}

static int check_timing(const struct timing *t, char *err, size_t errlen)
{
    if (t->max_rtt == 0)
        return err_fmt(err, errlen, "--max-rtt-timeout must be above 0");
    if (t->min_rtt > t->max_rtt)
        return err_fmt(err, errlen, "--min-rtt-timeout is larger than --max-rtt-timeout");
    if (t->min_rate > 0 && t->max_rate > 0 && t->min_rate > t->max_rate)
        return err_fmt(err, errlen, "--min-rate is larger than --max-rate");
    if (t->min_parallelism && t->max_parallelism && t->min_parallelism > t->max_parallelism)
        return err_fmt(err, errlen, "--min-parallelism is larger than --max-parallelism");
    if (t->min_hostgroup && t->max_hostgroup && t->min_hostgroup > t->max_hostgroup)
        return err_fmt(err, errlen, "--min-hostgroup is larger than --max-hostgroup");
    return 0;
}

int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->cfg.family = AF_INET;
    o->cfg.tech = &technique_connect;
    o->cfg.timing.level = 3;
    o->cfg.version_intensity = 7;
    o->cfg.ping = 1;
    o->cfg.arp_ping = 1;
    o->cfg.dns = DNS_UP_HOSTS;
    o->cfg.randomize_ports = 1;
    o->cfg.source_port = -1;
    o->cfg.scanflags = -1;
    o->privileged = -1;
    o->cmdline = join_args(argc, argv);
    if (argc <= 1) {
        o->action = ACTION_HELP;
        return 0;
    }
    /* Targets are parsed after -6 is known, whatever the order. */
    char **tokens = xcalloc((size_t)argc, sizeof *tokens);
    size_t ntokens = 0;
    int ret = 0;
    for (int i = 1; i < argc && ret == 0; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || !arg[1]) {
            tokens[ntokens++] = argv[i];
            continue;
        }
        if (arg[1] == '-' && !arg[2]) { /* "--": only targets follow */
            while (++i < argc)
                tokens[ntokens++] = argv[i];
            break;
        }
        /* nmap accepts long options with one dash too (-reason). */
        const char *name = arg[1] == '-' ? arg + 2 : arg + 1;
        char namebuf[64];
        const char *eq = strchr(name, '=');
        const char *val = NULL;
        if (eq && (size_t)(eq - name) < sizeof namebuf) {
            memcpy(namebuf, name, (size_t)(eq - name));
            namebuf[eq - name] = '\0';
            val = eq + 1;
        } else {
            snprintf(namebuf, sizeof namebuf, "%s", name);
        }
        if (arg[1] == '-' || strlen(namebuf) > 2) {
            if (!val && long_flag(o, namebuf))
                continue;
            if (takes_value(namebuf)) {
                if (!val && i + 1 >= argc) {
                    ret = err_fmt(err, errlen, "--%s needs a value", namebuf);
                    break;
                }
                ret = long_option(o, namebuf, val ? val : argv[++i], err, errlen);
                continue;
            }
            if (strcmp(namebuf, "resume") == 0) {
                ret = err_fmt(err, errlen, "--resume takes the output file of the interrupted "
                                           "scan and nothing else");
                break;
            }
            char dashed[80];
            snprintf(dashed, sizeof dashed, "--%s", namebuf);
            if (is_planned(dashed)) {
                ret = err_fmt(err, errlen, "%s is not implemented yet in portscout %s", dashed,
                              PORTSCOUT_VERSION);
                break;
            }
            if (arg[1] == '-') {
                ret = err_fmt(err, errlen, "unknown option %s", arg);
                break;
            }
        }
        ret = short_option(o, arg, argc, argv, &i, err, errlen);
    }
    for (size_t k = 0; k < ntokens && ret == 0; k++)
        if (target_list_add(&o->targets, tokens[k], o->cfg.family, err, errlen) != 0)
            ret = -1;
    if (ret == 0 && o->exclude_spec &&
        target_list_add_text(&o->exclude, o->exclude_spec, o->cfg.family, 1, err, errlen) != 0)
        ret = -1;
    free(tokens);
    if (ret)
        return -1;
    apply_timing(o);
    /* May raw packets be sent?  (Found out by opening a raw socket, which a
     * list scan, sending nothing, does not even do.) */
    int raw = o->privileged >= 0 ? o->privileged
            : o->cfg.list_scan   ? 0
                                 : technique_raw_allowed();
    if (choose_technique(o, raw, err, errlen) != 0 || choose_pings(o, raw, err, errlen) != 0)
        return -1;
    if (!o->seed_set && getrandom(&o->cfg.seed, sizeof o->cfg.seed, GRND_NONBLOCK) !=
                            (ssize_t)sizeof o->cfg.seed)
        o->cfg.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    return check_timing(&o->cfg.timing, err, errlen);
}

static int add_file(struct target_list *l, const char *path, int family, char *err,
                    size_t errlen)
{
    char *text = read_text_file(path, err, errlen);
    if (!text)
        return -1;
    char perr[TARGET_ERRLEN];
    int r = target_list_add_text(l, text, family, 0, perr, sizeof perr);
    free(text);
    if (r)
        return err_fmt(err, errlen, "%s: %s", path, perr);
    return 0;
}

int options_finish(struct options *o, const struct services *svc, char *err, size_t errlen)
{
    if (o->input_file && add_file(&o->targets, o->input_file, o->cfg.family, err, errlen))
        return -1;
    if (o->exclude_file && add_file(&o->exclude, o->exclude_file, o->cfg.family, err, errlen))
        return -1;

    unsigned mask = 0;
    for (int p = 0; p < PROTO_COUNT; p++)
        if (o->cfg.techs[p])
            mask |= PROTO_MASK(p);
    struct port_set *set = xcalloc(1, sizeof *set);
    int ret = 0;
    if (o->port_spec && o->top_ports == 100 && o->fast) {
        ret = err_fmt(err, errlen, "-F cannot be combined with -p (explicit port selection)");
    } else if (o->port_spec) {
        /* Prefixed ports of a protocol no requested scan uses are dropped
         * with a warning, as nmap does. */
        ret = ports_parse(o->port_spec, svc, mask, set, err, errlen) ? -1 : 0;
        for (int p = 0; ret == 0 && p < PROTO_COUNT; p++) {
            if (mask & PROTO_MASK(p))
                continue;
            int any = 0;
            for (size_t i = 0; i < sizeof set->bits[p]; i++)
                any |= set->bits[p][i];
            if (any && !o->quiet_warnings)
                fprintf(stderr, "WARNING: Your ports include \"%c:\" but no %s scan was "
                        "requested; those ports are skipped.\n",
                        "TUS"[p], proto_name((enum proto)p));
            memset(set->bits[p], 0, sizeof set->bits[p]);
        }
    }
    if (ret == 0 && (o->top_ports || !o->port_spec)) {
        /* --top-ports with -p: the most common of the given ports. */
        size_t want = o->top_ports ? (size_t)o->top_ports : 1000;
        struct port_set *top = xcalloc(1, sizeof *top);
        for (int p = 0; p < PROTO_COUNT; p++) {
            if (!(mask & PROTO_MASK(p)))
                continue;
            size_t taken = 0;
            for (size_t i = 0; i < svc->n && taken < want; i++) {
                const struct service *sv = &svc->v[i];
                if (sv->proto != p || services_name(svc, (enum proto)p, sv->port) != sv->name)
                    continue;
                if (o->port_spec && !port_set_has(set, (enum proto)p, sv->port))
                    continue;
                port_set_add(top, (enum proto)p, sv->port);
                taken++;
            }
        }
        memcpy(set, top, sizeof *set);
        free(top);
    }
    if (ret == 0 && o->exclude_ports) {
        struct port_set *ex = xcalloc(1, sizeof *ex);
        /* excluded ports apply to every protocol unless prefixed */
        ret = ports_parse(o->exclude_ports, svc, (1u << PROTO_COUNT) - 1, ex, err, errlen)
                  ? -1 : 0;
        if (ret == 0)
            port_set_subtract(set, ex);
        free(ex);
    }
    if (ret == 0 && (o->cfg.ping_only || o->cfg.list_scan))
        memset(set, 0, sizeof *set); /* no port scan */
    if (ret == 0) {
        port_list_from_set(&o->cfg.ports, set);
        if (port_list_total(&o->cfg.ports) == 0 && !o->cfg.ping_only && !o->cfg.list_scan)
            ret = err_fmt(err, errlen, "no ports left to scan");
    }
    free(set);
    o->cfg.svc = svc;
    return ret;
}

void options_free(struct options *o)
{
    if (!o)
        return;
    target_list_free(&o->targets);
    target_list_free(&o->exclude);
    port_list_free(&o->cfg.ports);
    free(o->input_file);
    free(o->exclude_file);
    free(o->port_spec);
    free(o->exclude_ports);
    free(o->exclude_spec);
    free(o->normal_file);
    free(o->xml_file);
    free(o->grepable_file);
    free(o->json_file);
    free(o->all_base);
    free(o->stylesheet);
    free(o->datadir);
    free(o->cfg.versiondb);
    free(o->servicedb);
    free(o->cmdline);
    free(o->cfg.iface);
    free(o->cfg.dns_servers);
    free(o->cfg.data);
    free(o->pings);
}
