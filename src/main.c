/* SPDX-License-Identifier: MIT */
/* portscout: parse the command line, stream the targets through the engine
 * and fan the results out to the outputs.  The only place that exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "lib/xalloc.h"
#include "macvendor.h"
#include "naming.h"
#include "payloads.h"
#include "options.h"
#include "output/output.h"
#include "resume.h"
#include "status.h"
#include "svc/probedb.h"
#include "svc/vscan.h"

#ifndef PORTSCOUT_VERSION
#define PORTSCOUT_VERSION "0"
#endif

#define MAX_OUTPUTS 8

struct run {
    struct options *opt;
    int resuming;
    const struct resume *resume; /* --resume: what the interrupted run left */
    char *xml_carry;
    struct status *status;
    struct naming *naming;  /* reverse names; holds reports until theirs come */
    struct vscan *vscan;    /* -sV: holds reports until their services are probed */
    FILE *progress;         /* -v lines: stdout, or stderr when a format owns it */
    struct scan_info info;
    struct output out[MAX_OUTPUTS];
    int nout;
    unsigned long open_ports;
    struct macvendor *mv;   /* the IEEE registry, read at the first MAC address */
    int mv_tried;
};

static void die(const char *msg)
{
    fprintf(stderr, "portscout: %s\n", msg);
    exit(1);
}

/* A finished host with its name (from naming.c, in target order), and
 * the owner of its MAC address from the IEEE registry. */
static void write_host(void *arg, const struct host_report *r)
{
    struct run *run = arg;
    struct host_report rep = *r;
    status_clear(run->status);
    if (r->has_mac) {
        if (!run->mv_tried) {
            char err[256];
            run->mv_tried = 1;
            run->mv = macvendor_load(NULL, err, sizeof err);
            if (!run->mv)
                fprintf(stderr, "WARNING: %s: MAC addresses are shown without their vendor "
                                "(install Debian's ieee-data)\n", err);
        }
        rep.mac_vendor = run->mv ? macvendor_lookup(run->mv, r->mac) : NULL;
    }
    for (int i = 0; i < run->nout; i++)
        run->out[i].fmt->host(&run->out[i], &run->info, &rep);
}

/* A host whose services are known (or not asked for): on to its name. */
static void after_vscan(void *arg, const struct host_report *r)
{
    struct run *run = arg;
    naming_host_done(run->naming, r);
}

static void on_host(void *arg, const struct host_report *r)
{
    struct run *run = arg;
    if (run->vscan)
        vscan_host_done(run->vscan, r);
    else
        naming_host_done(run->naming, r);
}

static usec_t on_next_timeout(void *arg)
{
    struct run *run = arg;
    return vscan_next_timeout(run->vscan);
}

static void on_host_up(void *arg, const struct target *t)
{
    struct run *run = arg;
    naming_host_up(run->naming, t);
}

static void on_open(void *arg, const struct target *t, const struct port_result *p)
{
    struct run *run = arg;
    char a[IP_ADDR_STRLEN];
    run->open_ports++;
    status_clear(run->status);
    if (run->opt->cfg.verbose)
        fprintf(run->progress, "Discovered open port %u/%s on %s\n", p->port,
                proto_name(p->proto), ip_addr_str(&t->addr, a));
}

static void on_warning(void *arg, const char *msg)
{
    (void)arg;
    fprintf(stderr, "%s\n", msg);
}

static void on_partial(void *arg, const struct host_report *r)
{
    struct run *run = arg;
    /* The scan was stopped: services and names still under way are not
     * waited for. */
    vscan_flush(run->vscan);
    naming_flush(run->naming);
    for (int i = 0; i < run->nout; i++)
        if (run->out[i].fmt->partial)
            run->out[i].fmt->partial(&run->out[i], &run->info, r);
}

static size_t on_prior(void *arg, const struct ip_addr *a, const struct port_result **ports,
                       uint8_t *up_reason)
{
    struct run *run = arg;
    const struct resume_partial *p = run->resume ? resume_find_partial(run->resume, a) : NULL;
    if (!p)
        return 0;
    *ports = p->ports;
    *up_reason = p->up_reason;
    return p->nports;
}

static void on_tick(void *arg)
{
    struct run *run = arg;
    vscan_tick(run->vscan);
    naming_tick(run->naming);
    status_tick(run->status, run->open_ports);
}

/* SIGINT/SIGTERM: the first asks the engine to wind down (outputs are then
 * completed and closed), the second to stop at once. */
static struct engine *running;
static volatile sig_atomic_t signalled;

static void on_signal(int sig)
{
    signalled = sig;
    if (running)
        engine_stop(running);
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: epoll_wait returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A parent may have left them blocked; a scan must stay interruptible. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static FILE *open_output(const char *path, int append, const char *what)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, append ? "a" : "w");
    if (!f) {
        char msg[600];
        snprintf(msg, sizeof msg, "cannot open %s output file %s: %s", what, path,
                 strerror(errno));
        die(msg);
    }
    return f;
}

static void add_output(struct run *run, const struct output_format *fmt, FILE *f, int to_file)
{
    run->out[run->nout++] = (struct output){.fmt = fmt, .f = f, .to_file = to_file,
                                            .owns_f = f != stdout};
}

/* -oN/-oX/-oG/-oJ FILE (- is standard output) and -oA BASE.  The terminal
 * gets the normal report unless a format was sent to standard output. */
static void open_outputs(struct run *run, struct options *opt)
{
    static const char *const ext[] = {".nmap", ".xml", ".gnmap"};
    const struct output_format *fmts[] = {&output_normal, &output_xml, &output_grepable,
                                          &output_json};
    const char *what[] = {"normal", "XML", "grepable", "JSON"};
    char *paths[4] = {opt->normal_file, opt->xml_file, opt->grepable_file, opt->json_file};
    char *owned[3] = {NULL, NULL, NULL};
    int to_stdout = 0;
    for (int k = 0; k < 4; k++)
        to_stdout |= paths[k] && strcmp(paths[k], "-") == 0;
    if (opt->all_base) {
        for (int k = 0; k < 3; k++) {
            if (paths[k])
                die("-oA cannot be combined with another output of the same format");
            size_t n = strlen(opt->all_base) + 8;
            owned[k] = xmalloc(n);
            snprintf(owned[k], n, "%s%s", opt->all_base, ext[k]);
            paths[k] = owned[k];
        }
    }
    if (!to_stdout)
        add_output(run, &output_normal, stdout, 0);
    run->progress = to_stdout ? stderr : stdout;
    for (int k = 0; k < 4; k++) {
        if (!paths[k])
            continue;
        int append = opt->append;
        if (run->resuming && fmts[k] == &output_xml && strcmp(paths[k], "-") != 0) {
            /* XML cannot be appended to: rewrite it, finished hosts first */
            run->xml_carry = resume_xml_hosts(paths[k], &run->info.carry_total,
                                              &run->info.carry_up);
            run->info.xml_carry = run->xml_carry;
            append = 0;
        }
        add_output(run, fmts[k], open_output(paths[k], append, what[k]), 1);
    }
    for (int k = 0; k < 3; k++)
        free(owned[k]);
}

/* A data file's path: in --datadir, else where services_find_data finds
 * it; malloc'd, or NULL. */
static char *data_path(const struct options *opt, const char *file)
{
    if (!opt->datadir)
        return services_find_data(file);
    size_t n = strlen(opt->datadir) + strlen(file) + 2;
    char *path = xmalloc(n);
    snprintf(path, n, "%s/%s", opt->datadir, file);
    return path;
}

static void load_services(struct options *opt, struct services *svc)
{
    char err[256];
    char *path = opt->servicedb ? xstrdup(opt->servicedb) : data_path(opt, "portscout-services");
    if (!path)
        die("cannot find the services table portscout-services (set --datadir)");
    if (services_load(svc, path, err, sizeof err) != 0)
        die(err);
    free(path);
}

/* The UDP payloads (portscout-payloads beside the services table), for
 * -sU.  A missing or broken file is fatal: probes without their payloads
 * would call many open services open|filtered, silently. */
static struct payloads *load_payloads(const struct options *opt)
{
    char err[512];
    char *path = data_path(opt, "portscout-payloads");
    if (!path)
        die("cannot find the UDP payload file portscout-payloads (set --datadir)");
    struct payloads *pl = NULL;
    if (payloads_load(&pl, path, err, sizeof err) != 0)
        die(err);
    free(path);
    return pl;
}

/* The service probe database for -sV: --versiondb, or ours beside the
 * services table.  A broken file is fatal, with its line. */
static struct svc_db *load_versiondb(const struct options *opt)
{
    char err[512];
    char *path = opt->cfg.versiondb ? xstrdup(opt->cfg.versiondb)
                                    : data_path(opt, "portscout-service-probes");
    if (!path)
        die("cannot find the service probe file portscout-service-probes (set --datadir or "
            "--versiondb)");
    struct svc_db *db = NULL;
    if (svc_db_load(path, &db, err, sizeof err) != 0)
        die(err);
    free(path);
    return db;
}

static void print_clock(FILE *f, const char *what, const char *scan)
{
    char hm[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(hm, sizeof hm, "%H:%M", &tm);
    fprintf(f, "%s %s at %s", what, scan, hm);
}

/* nmap's byte counts: 88B, 2.622MB */
static void format_bytes(uint64_t n, char *buf, size_t len)
{
    if (n < 1000)
        snprintf(buf, len, "%lluB", (unsigned long long)n);
    else if (n < 1000000)
        snprintf(buf, len, "%.3fKB", n / 1000.0);
    else if (n < 1000000000)
        snprintf(buf, len, "%.3fMB", n / 1e6);
    else
        snprintf(buf, len, "%.3fGB", n / 1e9);
}

/* nmap's closing line for raw scans, and with -d what became of them. */
static void print_packet_counts(FILE *f, const struct engine_stats *st, int debug)
{
    char sent[32], rcvd[32];
    format_bytes(st->bytes_sent, sent, sizeof sent);
    format_bytes(st->bytes_received, rcvd, sizeof rcvd);
    fprintf(f, "           Raw packets sent: %llu (%s) | Rcvd: %llu (%s)\n",
            (unsigned long long)st->probes_sent, sent, (unsigned long long)st->packets_received,
            rcvd);
    if (debug)
        fprintf(f, "           Late answers: %llu | Stray or forged replies: %llu | Send delay "
                   "raised: %llu times\n",
                (unsigned long long)st->late_replies, (unsigned long long)st->replies_rejected,
                (unsigned long long)st->delay_boosts);
}

int main(int argc, char **argv)
{
    struct options opt;
    struct services svc;
    struct resume rs = {0};
    char err[OPTIONS_ERRLEN];
    char **resumed_argv = NULL;

    /* --resume FILE: the scan's own command line, minus what it finished */
    if (argc >= 2 && strcmp(argv[1], "--resume") == 0) {
        if (argc != 3)
            die("--resume takes the output file of the interrupted scan and nothing else");
        if (resume_load(argv[2], &rs, err, sizeof err) != 0)
            die(err);
        resumed_argv = resume_argv(rs.cmdline, &argc);
        argv = resumed_argv;
    }

    if (options_parse(&opt, argc, argv, err, sizeof err) != 0) {
        fprintf(stderr, "portscout: %s (see portscout -h)\n", err);
        options_free(&opt);
        free(resumed_argv);
        resume_free(&rs);
        return 1;
    }
    if (opt.action == ACTION_HELP) {
        options_usage(stdout);
        options_free(&opt);
        return 0;
    }
    if (opt.action == ACTION_VERSION) {
        printf("portscout version %s\nPlatform: linux\n", PORTSCOUT_VERSION);
        options_free(&opt);
        return 0;
    }
    if (resumed_argv) {
        char a[IP_ADDR_STRLEN];
        opt.append = 1;
        for (size_t i = 0; i < rs.ndone; i++)
            if (rs.done[i].family == (sa_family_t)opt.cfg.family)
                target_list_add(&opt.exclude, ip_addr_str(&rs.done[i], a), opt.cfg.family, err,
                                sizeof err);
    }
    load_services(&opt, &svc);
    if (options_finish(&opt, &svc, err, sizeof err) != 0) {
        fprintf(stderr, "portscout: %s\n", err);
        return 1;
    }
    struct payloads *payloads = NULL;
    if (opt.cfg.techs[PROTO_UDP] && !opt.cfg.data_set) {
        payloads = load_payloads(&opt);
        opt.cfg.payloads = payloads;
    }
    struct svc_db *versiondb = NULL;
    if (opt.cfg.version_scan && !opt.cfg.ping_only && !opt.cfg.list_scan)
        versiondb = load_versiondb(&opt);
    /* A closed reader (portscout ... | head) must not kill us mid-write of a
     * file output. */
    signal(SIGPIPE, SIG_IGN);

    /* before any output begins: a target space too large is a usage error */
    struct target_iter it;
    if (!opt.cfg.randomize_hosts)
        target_iter_init(&it, &opt.targets, &opt.exclude, opt.cfg.family);
    else if (target_iter_init_random(&it, &opt.targets, &opt.exclude, opt.cfg.family,
                                     opt.cfg.seed, err, sizeof err) != 0)
        die(err);

    struct run run = {.opt = &opt, .resuming = resumed_argv != NULL,
                      .resume = resumed_argv ? &rs : NULL};
    run.info.cfg = &opt.cfg;
    run.info.cmdline = opt.cmdline;
    run.info.version = PORTSCOUT_VERSION;
    run.info.stylesheet = opt.no_stylesheet ? NULL : opt.stylesheet;
    run.info.start = time(NULL);
    run.info.start_us = now_usec();
    /* Target names are resolved all at once, before anything is written:
     * an exclude name that fails ends the run like a bad option. */
    if (naming_resolve_lists(&opt.cfg, &opt.targets, &opt.exclude, err, sizeof err) != 0)
        die(err);
    open_outputs(&run, &opt);
    for (int i = 0; i < run.nout; i++)
        run.out[i].fmt->begin(&run.out[i], &run.info);
    if (opt.targets.n == 0)
        fprintf(stderr, "WARNING: No targets were specified, so 0 hosts scanned.\n");

    struct engine_events ev = {.arg = &run, .host_done = on_host, .port_open = on_open,
                               .warning = on_warning, .tick = on_tick,
                               .host_partial = on_partial, .prior = on_prior,
                               .host_up = on_host_up, .next_timeout = on_next_timeout};
    struct engine *eng = engine_new(&opt.cfg, &it, &ev, err, sizeof err);
    if (!eng)
        die(err);
    run.naming = naming_new(&opt.cfg, engine_loop(eng), write_host, &run, err, sizeof err);
    if (!run.naming)
        die(err);
    if (versiondb)
        run.vscan = vscan_new(&opt.cfg, engine_loop(eng), versiondb,
                              opt.cfg.version_trace ? run.progress : NULL, after_vscan, &run);
    char both[64];
    const char *scan_name = opt.cfg.ping_only ? "Ping Scan" : opt.cfg.tech->scan_name;
    if (!opt.cfg.ping_only && opt.cfg.techs[PROTO_TCP] && opt.cfg.techs[PROTO_UDP]) {
        /* one engine runs both at once */
        snprintf(both, sizeof both, "%s and UDP Scan", opt.cfg.techs[PROTO_TCP]->scan_name);
        scan_name = both;
    }
    if (opt.cfg.verbose && opt.targets.n && !opt.cfg.list_scan) {
        print_clock(run.progress, "Initiating", scan_name);
        fputc('\n', run.progress);
    }
    run.status = status_new(&opt.cfg, eng, target_list_count(&opt.targets), opt.stats_every);
    running = eng;
    catch_signals();
    int r = engine_run(eng, err, sizeof err);
    /* Services still being probed: wait for them (every probe has its
     * time budget), unless the scan was stopped. */
    if (engine_stats(eng)->interrupted)
        vscan_flush(run.vscan);
    while (vscan_held(run.vscan) && !signalled) {
        int w = vscan_wait(run.vscan, 200 * USEC_PER_MSEC);
        if (w < 0 && w != -EINTR)
            break;
        naming_tick(run.naming);
        status_tick(run.status, run.open_ports);
    }
    vscan_flush(run.vscan);
    /* Reports still waiting for their names: wait for the lookups (c-ares
     * gives up after its tries), unless the scan was stopped. */
    if (engine_stats(eng)->interrupted)
        naming_flush(run.naming);
    while (naming_held(run.naming) && !signalled) {
        int w = naming_wait(run.naming, 200 * USEC_PER_MSEC);
        if (w < 0 && w != -EINTR)
            break;
        status_tick(run.status, run.open_ports);
    }
    naming_flush(run.naming);
    status_free(run.status);
    run.status = NULL;
    const struct engine_stats *st = engine_stats(eng);
    usec_t elapsed = now_usec() - run.info.start_us;
    if (opt.cfg.verbose && opt.targets.n && !opt.cfg.list_scan) {
        print_clock(run.progress, "Completed", scan_name);
        if (opt.cfg.ping_only)
            fprintf(run.progress, ", %.2fs elapsed (%llu total hosts)\n",
                    (double)elapsed / USEC_PER_SEC, (unsigned long long)st->hosts_total);
        else
            fprintf(run.progress, ", %.2fs elapsed (%llu total ports)\n",
                    (double)elapsed / USEC_PER_SEC,
                    (unsigned long long)(st->hosts_up * port_list_total(&opt.cfg.ports)));
        if (opt.cfg.debug)
            fprintf(run.progress, "Probes sent: %llu (%llu retransmissions) | Replies: %llu | Drops seen: "
                   "%llu\n",
                   (unsigned long long)st->probes_sent, (unsigned long long)st->retransmissions,
                   (unsigned long long)st->replies, (unsigned long long)st->drops);
    }
    struct scan_summary sum = {
        .end = time(NULL),
        .elapsed = (double)elapsed / USEC_PER_SEC,
        .hosts_total = (unsigned long)st->hosts_total,
        .hosts_up = (unsigned long)st->hosts_up,
        .interrupted = st->interrupted,
        .errmsg = st->interrupted ? (signalled == SIGTERM ? "Terminated by SIGTERM"
                                                          : "Interrupted by SIGINT")
                                  : r ? err : NULL,
    };
    for (int i = 0; i < run.nout; i++) {
        run.out[i].fmt->end(&run.out[i], &run.info, &sum);
        if (run.out[i].owns_f && fclose(run.out[i].f) != 0)
            fprintf(stderr, "portscout: writing an output file failed\n");
    }
    if (opt.cfg.verbose && opt.cfg.tech->privileged && !opt.cfg.list_scan)
        print_packet_counts(run.progress, st, opt.cfg.debug);
    vscan_free(run.vscan);
    naming_free(run.naming);
    engine_free(eng);
    svc_db_free(versiondb);
    target_iter_free(&it);
    if (r != 0)
        fprintf(stderr, "portscout: %s\n", err);
    options_free(&opt);
    services_free(&svc);
    resume_free(&rs);
    free(resumed_argv);
    free(run.xml_carry);
    macvendor_free(run.mv);
    payloads_free(payloads);
    if (sum.interrupted)
        return 128 + (signalled ? signalled : SIGINT);
    return r != 0;
}
