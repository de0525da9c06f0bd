/*
 * lab_listen -- trivial TCP listener used by the network lab (tests/lab/lab.sh).
 *
 *   lab_listen [-4|-6|both] PORT...
 *
 * Listens on every PORT on the IPv4 wildcard, the IPv6 wildcard (IPV6_V6ONLY
 * set, so the two families are independent sockets), or both (the default).
 * Every accepted connection is closed at once: the lab only needs the kernel
 * to complete the handshake so that scanners see the port as "open".
 * Prints "ready" on stdout once every socket is listening, so the lab can wait
 * for it instead of sleeping.  Exits 0 on SIGTERM/SIGINT.
 *
 * Self-contained C11 + POSIX/Linux (epoll); no dependencies beyond libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BACKLOG 4096
#define MAX_SOCKS 2048

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static _Noreturn void usage(void)
{
    fprintf(stderr, "usage: lab_listen [-4|-6|both] PORT...\n");
    exit(2);
}

/* Opens a non-blocking listening socket; exits on failure (the lab must know). */
static int open_listener(int family, unsigned port)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("lab_listen: socket");
        exit(1);
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);

    int rc;
    if (family == AF_INET6) {
        /* Keep v4 and v6 separate so "-6" never answers IPv4 and vice versa. */
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) {
            perror("lab_listen: IPV6_V6ONLY");
            exit(1);
        }
        struct sockaddr_in6 sa6;
        memset(&sa6, 0, sizeof sa6);
        sa6.sin6_family = AF_INET6;
        sa6.sin6_addr = in6addr_any;
        sa6.sin6_port = htons((unsigned short)port);
        rc = bind(fd, (struct sockaddr *)&sa6, sizeof sa6);
    } else {
        struct sockaddr_in sa4;
        memset(&sa4, 0, sizeof sa4);
        sa4.sin_family = AF_INET;
        sa4.sin_addr.s_addr = htonl(INADDR_ANY);
        sa4.sin_port = htons((unsigned short)port);
        rc = bind(fd, (struct sockaddr *)&sa4, sizeof sa4);
    }
    if (rc != 0) {
        fprintf(stderr, "lab_listen: bind %s port %u: %s\n",
                family == AF_INET6 ? "IPv6" : "IPv4", port, strerror(errno));
        exit(1);
    }
    if (listen(fd, BACKLOG) != 0) {
        perror("lab_listen: listen");
        exit(1);
    }
    return fd;
}

/* Accepts and immediately closes every pending connection on fd. */
static void drain(int fd)
{
    for (;;) {
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c >= 0) {
            close(c);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        return; /* EAGAIN, or a transient error such as EMFILE */
    }
}

int main(int argc, char **argv)
{
    int want4 = 1, want6 = 1;
    int i = 1;

    if (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "-4") == 0)
            want6 = 0;
        else if (strcmp(argv[i], "-6") == 0)
            want4 = 0;
        else
            usage();
        i++;
    } else if (i < argc && strcmp(argv[i], "both") == 0) {
        i++;
    }
    if (i >= argc)
        usage();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: epoll_wait must return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        perror("lab_listen: epoll_create1");
        return 1;
    }

    int nsocks = 0;
    for (; i < argc; i++) {
        char *end;
        errno = 0;
        unsigned long port = strtoul(argv[i], &end, 10);
        if (errno != 0 || *end != '\0' || end == argv[i] || port == 0 || port > 65535)
            usage();
        for (int f = 0; f < 2; f++) {
            int family = f == 0 ? AF_INET : AF_INET6;
            if ((family == AF_INET && !want4) || (family == AF_INET6 && !want6))
                continue;
            if (nsocks >= MAX_SOCKS) {
                fprintf(stderr, "lab_listen: too many ports\n");
                return 1;
            }
            int fd = open_listener(family, (unsigned)port);
            struct epoll_event ev;
            memset(&ev, 0, sizeof ev);
            ev.events = EPOLLIN;
            ev.data.fd = fd;
            if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
                perror("lab_listen: epoll_ctl");
                return 1;
            }
            nsocks++;
        }
    }

    printf("ready\n");
    fflush(stdout);

    struct epoll_event evs[64];
    while (!g_stop) {
        int n = epoll_wait(ep, evs, (int)(sizeof evs / sizeof evs[0]), -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("lab_listen: epoll_wait");
            return 1;
        }
        for (int k = 0; k < n; k++)
            drain(evs[k].data.fd);
    }
    return 0;
}
