/* SPDX-License-Identifier: MIT */
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/xalloc.h"

struct status {
    struct scan_config *cfg;
    struct engine *eng;
    uint64_t expected;
    usec_t every, next_line, next_live, start;
    int live;            /* stderr is a terminal */
    int drawn;           /* the live line is on screen */
    int keys;            /* stdin is a terminal we put in raw mode */
    struct termios saved;
    unsigned long open_ports;
};

static void clock_str(usec_t us, char *buf, size_t len)
{
    long s = (long)(us / USEC_PER_SEC);
    snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

/* "Stats: 0:00:05 elapsed; 45.2% done; 3 hosts completed (2 up); 5 open
 * ports; 1523 probes/s; ETC: 00:12 (0:00:06 remaining)" */
static void format_line(struct status *st, char *buf, size_t len)
{
    usec_t now = now_usec(), el = now - st->start;
    const struct engine_stats *es = engine_stats(st->eng);
    double done = (double)es->hosts_total + engine_active_work(st->eng);
    double frac = st->expected ? done / (double)st->expected : 0;
    if (frac > 1)
        frac = 1;
    char elapsed[32], left[32] = "", etc[16] = "";
    clock_str(el, elapsed, sizeof elapsed);
    size_t n = (size_t)snprintf(
        buf, len, "Stats: %s elapsed; %.1f%% done; %llu hosts completed (%llu up); %lu open port%s; "
                  "%.0f probes/s",
        elapsed, 100 * frac, (unsigned long long)es->hosts_total,
        (unsigned long long)es->hosts_up, st->open_ports, st->open_ports == 1 ? "" : "s",
        el > 0 ? (double)es->probes_sent * USEC_PER_SEC / (double)el : 0.0);
    if (frac > 0.001 && frac < 1 && n < len) {
        usec_t remaining = (usec_t)((double)el * (1 - frac) / frac);
        time_t at = time(NULL) + (time_t)(remaining / USEC_PER_SEC);
        struct tm tm;
        localtime_r(&at, &tm);
        strftime(etc, sizeof etc, "%H:%M", &tm);
        clock_str(remaining, left, sizeof left);
        snprintf(buf + n, len - n, "; ETC: %s (%s remaining)", etc, left);
    }
}

void status_clear(struct status *st)
{
    if (st && st->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        st->drawn = 0;
    }
}

static void print_line(struct status *st, int live)
{
    char line[256];
    format_line(st, line, sizeof line);
    if (live) {
        fprintf(stderr, "\r\033[K%s", line);
        st->drawn = 1;
    } else {
        status_clear(st);
        fprintf(stderr, "%s\n", line);
    }
    fflush(stderr);
}

/* nmap's keys: v/V verbosity, d/D debugging, p/P packet trace. */
static void read_keys(struct status *st)
{
    char c;
    while (read(STDIN_FILENO, &c, 1) == 1) {
        status_clear(st);
        switch (c) {
        case 'v':
            fprintf(stderr, "Verbosity Increased to %d.\n", ++st->cfg->verbose);
            break;
        case 'V':
            if (st->cfg->verbose > 0)
                st->cfg->verbose--;
            fprintf(stderr, "Verbosity Decreased to %d.\n", st->cfg->verbose);
            break;
        case 'd':
            fprintf(stderr, "Debugging Increased to %d.\n", ++st->cfg->debug);
            break;
        case 'D':
            if (st->cfg->debug > 0)
                st->cfg->debug--;
            fprintf(stderr, "Debugging Decreased to %d.\n", st->cfg->debug);
            break;
        case 'p':
        case 'P':
            fprintf(stderr, "Packet tracing is not available in this version.\n");
            break;
        default:
            print_line(st, 0);
            break;
        }
    }
}

struct status *status_new(struct scan_config *cfg, struct engine *eng, uint64_t expected_hosts,
                          usec_t every)
{
    struct status *st = xcalloc(1, sizeof *st);
    st->cfg = cfg;
    st->eng = eng;
    st->expected = expected_hosts;
    st->every = every;
    st->start = now_usec();
    st->next_line = st->start + every;
    st->next_live = st->start + USEC_PER_SEC;
    st->live = isatty(STDERR_FILENO) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
    /* Keys only in the foreground: a background job touching the terminal
     * would be stopped by SIGTTOU. */
    if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp() &&
        tcgetattr(STDIN_FILENO, &st->saved) == 0) {
        struct termios raw = st->saved;
        raw.c_lflag &= (tcflag_t)~(ICANON | ECHO);
        raw.c_cc[VMIN] = 0; /* reads never block */
        raw.c_cc[VTIME] = 0;
        st->keys = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    return st;
}

void status_tick(struct status *st, unsigned long open_ports)
{
    if (!st)
        return;
    st->open_ports = open_ports;
    if (st->keys)
        read_keys(st);
    usec_t now = now_usec();
    if (st->every && now >= st->next_line) {
        print_line(st, 0);
        while (st->next_line <= now)
            st->next_line += st->every;
    }
    if (st->live && now >= st->next_live) {
        print_line(st, 1);
        st->next_live = now + USEC_PER_SEC;
    }
}

void status_free(struct status *st)
{
    if (!st)
        return;
    status_clear(st);
    if (st->keys)
        tcsetattr(STDIN_FILENO, TCSANOW, &st->saved);
    free(st);
}
